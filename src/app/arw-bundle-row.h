/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "arw-bundle-family.h"

G_BEGIN_DECLS

#define ARW_TYPE_BUNDLE_ROW (arw_bundle_row_get_type ())
G_DECLARE_FINAL_TYPE (ArwBundleRow, arw_bundle_row, ARW, BUNDLE_ROW, GtkWidget)

/* A catalog row: one bundle family with its modalities, processors,
 * install state and any install in progress. */
GtkWidget *arw_bundle_row_new (void);
ArwBundleFamily *arw_bundle_row_get_family (ArwBundleRow *self);
void arw_bundle_row_set_family (ArwBundleRow *self, ArwBundleFamily *family);

G_END_DECLS
