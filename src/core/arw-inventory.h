/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "arw-installation.h"

G_BEGIN_DECLS

/* The installed bundles under one or more install roots (§3.2). */
typedef struct _ArwInventory ArwInventory;

ArwInventory *arw_inventory_scan (const char *const *roots, GError **error);
/* Called for each installation as it is loaded, before sorting. */
typedef void (*ArwInventoryVisitFunc) (ArwInstallation *installation, gpointer user_data);
ArwInventory *arw_inventory_scan_with (const char *const *roots,
                                       ArwInventoryVisitFunc visit,
                                       gpointer user_data,
                                       GError **error);
void arw_inventory_free (ArwInventory *self);

const char *const *arw_inventory_get_roots (ArwInventory *self);
GPtrArray *arw_inventory_get_installations (ArwInventory *self);
GPtrArray *arw_inventory_get_diagnostics (ArwInventory *self);
ArwInstallation *arw_inventory_find (ArwInventory *self, const char *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwInventory, arw_inventory_free)

G_END_DECLS
