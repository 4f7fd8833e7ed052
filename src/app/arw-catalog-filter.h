/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ARW_TYPE_CATALOG_FILTER (arw_catalog_filter_get_type ())
G_DECLARE_FINAL_TYPE (ArwCatalogFilter, arw_catalog_filter, ARW, CATALOG_FILTER, GtkFilter)

/* Matches ArwBundleFamily items against search words (every word must
 * occur in the family's casefolded search key) and the modality,
 * accelerator ("gpu" = any GPU), channel and installed-only filters.
 * Narrowing the search emits GTK_FILTER_CHANGE_MORE_STRICT, so the filter
 * model only re-checks the items still shown. */
ArwCatalogFilter *arw_catalog_filter_new (void);

void arw_catalog_filter_set_search (ArwCatalogFilter *self, const char *text);
const char *arw_catalog_filter_get_search (ArwCatalogFilter *self);
/* NULL or "" means any. */
void arw_catalog_filter_set_modality (ArwCatalogFilter *self, const char *modality);
void arw_catalog_filter_set_accelerator (ArwCatalogFilter *self, const char *accelerator);
void arw_catalog_filter_set_channel (ArwCatalogFilter *self, const char *channel);
void arw_catalog_filter_set_installed_only (ArwCatalogFilter *self, gboolean installed_only);
gboolean arw_catalog_filter_is_active (ArwCatalogFilter *self);

G_END_DECLS
