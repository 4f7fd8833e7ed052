/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One variant of a family: a catalog bundle and, when installed, its
 * installation (both as the helper's inventory JSON, referenced). */
typedef struct {
  char *id;
  char *name;
  char *accelerator;     /* slug, NULL when absent */
  char *channel;         /* catalog channel or installation channel */
  JsonObject *bundle;    /* the catalog bundle, or the installation's; may be NULL */
  JsonObject *installation; /* NULL when not installed */
} ArwBundleVariant;

void arw_bundle_variant_free (ArwBundleVariant *variant);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwBundleVariant, arw_bundle_variant_free)

#define ARW_TYPE_BUNDLE_FAMILY (arw_bundle_family_get_type ())
G_DECLARE_FINAL_TYPE (ArwBundleFamily, arw_bundle_family, ARW, BUNDLE_FAMILY, GObject)

/* A family groups the bundles whose ids share the part before "/"
 * ("llama.cpp-preview/…"): the rows of the catalog. */
ArwBundleFamily *arw_bundle_family_new (const char *family_id);

/* Takes ownership of @variant. Call arw_bundle_family_finish() once all
 * variants are added (computes the display fields and the search key). */
void arw_bundle_family_add_variant (ArwBundleFamily *self,
                                    ArwBundleVariant *variant);
void arw_bundle_family_finish (ArwBundleFamily *self);

const char *arw_bundle_family_get_id (ArwBundleFamily *self);
const char *arw_bundle_family_get_name (ArwBundleFamily *self);
const char *arw_bundle_family_get_description (ArwBundleFamily *self);
const char *arw_bundle_family_get_channel (ArwBundleFamily *self);
const char *const *arw_bundle_family_get_modalities (ArwBundleFamily *self);
const char *arw_bundle_family_get_accelerators_text (ArwBundleFamily *self);
gboolean arw_bundle_family_has_modality (ArwBundleFamily *self, const char *modality);
gboolean arw_bundle_family_has_accelerator (ArwBundleFamily *self, const char *accelerator);
gboolean arw_bundle_family_get_installed (ArwBundleFamily *self);
gboolean arw_bundle_family_get_consent_required (ArwBundleFamily *self);
/* The casefolded text that search matches against. */
const char *arw_bundle_family_get_search_key (ArwBundleFamily *self);

GPtrArray *arw_bundle_family_get_variants (ArwBundleFamily *self);
ArwBundleVariant *arw_bundle_family_find_variant (ArwBundleFamily *self, const char *bundle_id);

/* Install progress shown on the row: @fraction < 0 hides it. */
void arw_bundle_family_set_progress (ArwBundleFamily *self,
                                     double fraction,
                                     const char *text);
double arw_bundle_family_get_progress (ArwBundleFamily *self);
const char *arw_bundle_family_get_progress_text (ArwBundleFamily *self);

/* The runtime state words of a running variant, or NULL. */
void arw_bundle_family_set_runtime_text (ArwBundleFamily *self, const char *text);
const char *arw_bundle_family_get_runtime_text (ArwBundleFamily *self);

/* Normalises and casefolds @text for arw_bundle_family_get_search_key(). */
char *arw_bundle_family_fold (const char *text);

G_END_DECLS
