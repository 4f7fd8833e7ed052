/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arw-bundle-family.h"

G_BEGIN_DECLS

#define ARW_TYPE_VARIANT_ROW (arw_variant_row_get_type ())
G_DECLARE_FINAL_TYPE (ArwVariantRow, arw_variant_row, ARW, VARIANT_ROW, AdwActionRow)

/* One variant in the bundle details, with Install / Start / Stop / Remove
 * buttons (win.* actions targeting the bundle id). @variant is owned by
 * @family, which the row keeps alive. */
GtkWidget *arw_variant_row_new (ArwBundleFamily *family, ArwBundleVariant *variant);
const char *arw_variant_row_get_bundle_id (ArwVariantRow *self);
/* @runtime_state: the ARW state slug of its runtime, NULL when it has none;
 * @status: words for the subtitle (state chip, fit line). */
void arw_variant_row_update (ArwVariantRow *self, const char *runtime_state, const char *status);

G_END_DECLS
