/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "arw-bundle-family.h"

G_BEGIN_DECLS

/* Builds the catalog rows from GetInventory's JSON: one ArwBundleFamily per
 * family (the id before "/"), its variants from every catalog plus the
 * installations, and installations without a catalog entry as families of
 * their own. Sorted by name. When @by_bundle_id is not NULL it is filled
 * with bundle id → family (borrowed pointers). */
GListStore *arw_catalog_model_build (JsonObject *inventory,
                                     GHashTable *by_bundle_id);

/* "llama.cpp-preview/linux-x86_64-cpu" → "llama.cpp-preview" */
char *arw_catalog_model_family_id (const char *bundle_id);

G_END_DECLS
