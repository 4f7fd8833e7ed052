/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One entry of a bundle's "artifacts" array (ARW RuntimeBundleArtifact).
 * Absent optional strings are NULL; size_bytes is meaningful only when
 * has_size is set. The record is owned by its bundle and read-only. */
typedef struct {
  char *kind;
  char *format;
  char *url;
  char *sha256;
  guint64 size_bytes;
  gboolean has_size;
  char *notes;
} ArwArtifact;

/* One entry of "platforms" (informational only; never matched). */
typedef struct {
  char *os;
  char *arch;
  char *min_version;
  char *notes;
} ArwPlatform;

/* The optional "support" object. additional is any JSON or NULL. */
typedef struct {
  char *min_glibc;
  char *min_macos;
  char *min_windows;
  char *driver_notes;
  JsonNode *additional;
} ArwSupport;

/* What a bundle's consent metadata says, following ARW's CLI summary. */
typedef enum {
  ARW_CONSENT_NOT_NEEDED,  /* no metadata.consent, no audio/vision */
  ARW_CONSENT_MISSING,     /* no metadata.consent but audio/vision */
  ARW_CONSENT_MALFORMED,   /* metadata.consent is not an object */
  ARW_CONSENT_REQUIRED,    /* required: true or a non-empty string */
  ARW_CONSENT_OPTIONAL,    /* required: false */
  ARW_CONSENT_UNSPECIFIED, /* object without a usable "required" */
} ArwConsentState;

#define ARW_TYPE_BUNDLE (arw_bundle_get_type ())

/* A parsed catalog bundle (ARW RuntimeBundle); immutable, refcounted. */
typedef struct _ArwBundle ArwBundle;

GType arw_bundle_get_type (void) G_GNUC_CONST;

ArwBundle *arw_bundle_new_from_json (JsonNode *node,
                                     GPtrArray *warnings,
                                     GError **error);
ArwBundle *arw_bundle_ref (ArwBundle *self);
void arw_bundle_unref (ArwBundle *self);

const char *arw_bundle_get_id (ArwBundle *self);
const char *arw_bundle_get_name (ArwBundle *self);
const char *arw_bundle_get_description (ArwBundle *self);
const char *arw_bundle_get_adapter (ArwBundle *self);
const char *const *arw_bundle_get_modalities (ArwBundle *self);
gboolean arw_bundle_has_modality (ArwBundle *self, const char *modality);
const char *arw_bundle_get_accelerator (ArwBundle *self);
const char *const *arw_bundle_get_profiles (ArwBundle *self);
GPtrArray *arw_bundle_get_platforms (ArwBundle *self);
GPtrArray *arw_bundle_get_artifacts (ArwBundle *self);
const char *const *arw_bundle_get_notes (ArwBundle *self);
const char *arw_bundle_get_license (ArwBundle *self);
const ArwSupport *arw_bundle_get_support (ArwBundle *self);
JsonNode *arw_bundle_get_metadata (ArwBundle *self);

JsonObject *arw_bundle_get_process_metadata (ArwBundle *self);
gboolean arw_bundle_has_process_command (ArwBundle *self);

gboolean arw_bundle_needs_consent_overlay (ArwBundle *self);
ArwConsentState arw_bundle_get_consent_state (ArwBundle *self);
gboolean arw_bundle_get_consent_required (ArwBundle *self);
GStrv arw_bundle_get_consent_modalities (ArwBundle *self);
char *arw_bundle_get_consent_note (ArwBundle *self);
char *arw_bundle_consent_summary (ArwBundle *self);

JsonNode *arw_bundle_to_json (ArwBundle *self);

char *arw_bundle_dir_name (const char *id);

gboolean arw_modality_is_valid (const char *modality);
gboolean arw_accelerator_is_valid (const char *accelerator);
const char *arw_accelerator_suggest (const char *value);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwBundle, arw_bundle_unref)

G_END_DECLS
