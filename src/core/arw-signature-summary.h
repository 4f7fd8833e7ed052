/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "arw-signature.h"

G_BEGIN_DECLS

/* ARW's signature_summary counters (spec §4.7). */
typedef struct {
  guint total;
  guint with_manifest;
  guint verified;
  guint failed;
  guint warnings;
  guint missing_signatures;
  guint trusted;
  guint rejected;
  guint trust_shortfall;
} ArwSignatureCounts;

/* Tallies the verification of installed bundles for list/audit/
 * trust-shortfall and the server's bundle view. */
typedef struct _ArwSignatureSummary ArwSignatureSummary;

/* @require_trusted FALSE counts exactly like ARW: a trust shortfall is
 * "verified" (with a warning). TRUE is our fail-closed mode for
 * `audit --require-signed` and enforcement: an installation is verified
 * only with at least one trusted signature, so shortfalls (and anything
 * checked without a registry) land in "failed". */
ArwSignatureSummary *arw_signature_summary_new (gboolean require_trusted);
void arw_signature_summary_free (ArwSignatureSummary *self);

/* @verification NULL: the installation has no readable bundle.json. @id
 * (the bundle id) is remembered when the installation fails. */
void arw_signature_summary_add (ArwSignatureSummary *self, const char *id,
                                const ArwManifestVerification *verification);
/* "enforced" in the JSON; the local CLI leaves it FALSE like ARW. */
void arw_signature_summary_set_enforced (ArwSignatureSummary *self, gboolean enforced);

const ArwSignatureCounts *arw_signature_summary_get_counts (ArwSignatureSummary *self);
/* ok = no installation failed. */
gboolean arw_signature_summary_get_ok (ArwSignatureSummary *self);
/* Ids of failed installations, in the order added (NULL-terminated). */
const char *const *arw_signature_summary_get_failed_ids (ArwSignatureSummary *self);

/* {"enforced","failed","missing_signatures","ok","rejected","total",
 *  "trust_shortfall","trusted","verified","warnings","with_manifest"} */
JsonNode *arw_signature_summary_to_json (ArwSignatureSummary *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwSignatureSummary, arw_signature_summary_free)

G_END_DECLS
