/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "arw-bundle.h"
#include "arw-signature.h"

G_BEGIN_DECLS

/* A publisher-signed bundle.json offered by a catalog as an artifact of
 * kind "manifest" (ARW gap 4). Install fetches it first, checks it with the
 * functions below and installs its bytes unchanged as bundle.json. */
typedef struct {
  GBytes *data;                          /* the exact bytes */
  ArwManifestVerification *verification; /* against the registry given */
  ArwBundle *bundle;                     /* its "bundle" member */
  gint64 revision;                       /* bundle.revision; -1 when absent */
} ArwPublisherManifest;

#define ARW_PUBLISHER_MANIFEST_KIND "manifest"

/* Parses and verifies @data. Fails (ARW_ERROR_INVALID_DATA) when it is not
 * a bundle.json object with a parsable "bundle"; signature problems are
 * left to arw_publisher_manifest_check(). */
ArwPublisherManifest *arw_publisher_manifest_new (GBytes *data, ArwSignerRegistry *registry,
                                                  GError **error);
void arw_publisher_manifest_free (ArwPublisherManifest *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwPublisherManifest, arw_publisher_manifest_free)

/* The manifest must be for @bundle_id, on the catalog's channel (when both
 * name one), and pass arw_manifest_verification_check_policy(): valid
 * signatures always, a trusted one when @require_trusted. */
gboolean arw_publisher_manifest_check (ArwPublisherManifest *self, const char *bundle_id,
                                       const char *catalog_channel, gboolean require_trusted,
                                       gboolean registry_available, GError **error);

/* Anti-rollback: refuses a revision below @live_revision (-1: none) with
 * ARW_ERROR_INVALID_DATA unless @allow_downgrade. @have_live FALSE: nothing
 * installed, anything goes. */
gboolean arw_publisher_manifest_check_revision (ArwPublisherManifest *self, const char *bundle_id,
                                                gboolean have_live, gint64 live_revision,
                                                gboolean allow_downgrade, GError **error);

/* The sha256 the signed manifest pins for @artifact (a catalog artifact):
 * the manifest entry of the same kind with the same URL or the same
 * sha256. Errors when no entry has a sha256 for it, or when the catalog
 * pins a different one. */
const char *arw_publisher_manifest_pin (ArwPublisherManifest *self, const ArwArtifact *artifact,
                                        GError **error);

/* Every manifest entry with a sha256 (and a kind @is_selected accepts) must
 * be offered by one of @artifacts (catalog ArwArtifact, non-manifest):
 * no signed artifact may be silently dropped. */
typedef gboolean (*ArwArtifactFilterFunc) (const ArwArtifact *artifact, gpointer user_data);
gboolean arw_publisher_manifest_check_covered (ArwPublisherManifest *self, GPtrArray *artifacts,
                                               ArwArtifactFilterFunc is_selected, gpointer user_data,
                                               GError **error);

G_END_DECLS
