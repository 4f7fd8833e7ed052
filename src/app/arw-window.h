/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arw-client.h"

G_BEGIN_DECLS

#define ARW_TYPE_WINDOW (arw_window_get_type ())
G_DECLARE_FINAL_TYPE (ArwWindow, arw_window, ARW, WINDOW, AdwApplicationWindow)

ArwWindow *arw_window_new (AdwApplication *application);

/* Binds the window to the helper; until then it shows "Loading". A NULL
 * client with @error shows the error state. */
void arw_window_set_client (ArwWindow *self, ArwClient *client, const GError *error);
ArwClient *arw_window_get_client (ArwWindow *self);

void arw_window_add_toast (ArwWindow *self, AdwToast *toast);
/* Shows the bundle (family or bundle id) in the catalog. */
void arw_window_show_bundle (ArwWindow *self, const char *id);
/* Shows the Runtimes page, with the log of @runtime_id when not NULL. */
void arw_window_show_runtime (ArwWindow *self, const char *runtime_id, gboolean show_log);

/* For tests and the benchmark. */
GListModel *arw_window_get_catalog_model (ArwWindow *self);   /* the filtered families */
GtkSearchEntry *arw_window_get_search_entry (ArwWindow *self);
gboolean arw_window_is_catalog_loaded (ArwWindow *self);

G_END_DECLS
