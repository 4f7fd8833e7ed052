/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *arw_paths_state_dir (void);
char *arw_paths_bundle_root (void);
char *arw_paths_find_config_file (const char *relpath);
char *arw_paths_default_catalog_dir (void);
GStrv arw_paths_catalog_roots (void);
gboolean arw_paths_running_uninstalled (void);

G_END_DECLS
