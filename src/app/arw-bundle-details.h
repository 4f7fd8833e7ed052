/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "arw-bundle-family.h"
#include "arw-client.h"

G_BEGIN_DECLS

#define ARW_TYPE_BUNDLE_DETAILS (arw_bundle_details_get_type ())
G_DECLARE_FINAL_TYPE (ArwBundleDetails, arw_bundle_details, ARW, BUNDLE_DETAILS, GtkWidget)

/* The details pane: description, safety (publisher trust, access needing
 * consent, "will it fit"), variants with Install / Start / Stop / Remove,
 * earlier revisions with Roll Back, license, platforms, notes, artifacts. */
void arw_bundle_details_set_context (ArwBundleDetails *self,
                                     ArwClient *client,
                                     JsonObject *hardware,
                                     GSettings *settings);
void arw_bundle_details_set_family (ArwBundleDetails *self, ArwBundleFamily *family);
ArwBundleFamily *arw_bundle_details_get_family (ArwBundleDetails *self);
/* Re-reads runtime states and install progress. */
void arw_bundle_details_refresh (ArwBundleDetails *self);

/* For tests: the words shown. */
const char *arw_bundle_details_get_trust_text (ArwBundleDetails *self);
const char *arw_bundle_details_get_consent_text (ArwBundleDetails *self);
const char *arw_bundle_details_get_fit_text (ArwBundleDetails *self);

G_END_DECLS
