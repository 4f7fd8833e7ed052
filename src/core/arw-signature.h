/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "arw-signer-registry.h"

G_BEGIN_DECLS

/* One entry of a manifest's "signatures" array after verification (spec
 * §4.5, JSON shape §4.7). Strings are NULL when the manifest lacks them. */
typedef struct {
  guint index;
  char *key_id;
  char *issuer;
  char *issued_at;
  char *manifest_sha256;
  char *public_key_b64; /* public_key_b64, else its alias public_key */
  gboolean hash_matches;
  gboolean signature_valid;
  gboolean trusted;
  gboolean rejected;
  char *error;          /* "; "-joined problems, NULL when none */
} ArwManifestSignatureReport;

/* ARW's ManifestVerification. Read-only for callers. */
typedef struct {
  char *canonical_sha256;  /* "sha256:<hex>" of the canonical payload */
  GPtrArray *signatures;   /* ArwManifestSignatureReport */
  GPtrArray *warnings;     /* char * */
  gboolean trust_enforced; /* a registry was given (even an empty one) */
  guint trusted_signatures;
  guint rejected_signatures;
  gboolean ok;
  char *channel;           /* trimmed /catalog/channel, NULL when none */
} ArwManifestVerification;

/* Verifies bundle.json text as ARW's verify_manifest_signatures_with_registry
 * does (§4.5), with one deliberate difference: trust needs the registry's
 * public key (see arw_signer_registry_check()), so a key_id alone never
 * trusts. @registry NULL means no registry (trust not enforced). Returns
 * NULL with @error only when the text is not a JSON object; every signature
 * problem is reported in the result instead. */
ArwManifestVerification *arw_manifest_verify (const char *data, gssize len,
                                              ArwSignerRegistry *registry, GError **error);
ArwManifestVerification *arw_manifest_verify_file (const char *path, ArwSignerRegistry *registry,
                                                   GError **error);
void arw_manifest_verification_free (ArwManifestVerification *self);

/* §4.5: registry loaded, no trusted signature, at least one signature, and
 * every signature valid with a matching hash. */
gboolean arw_manifest_verification_is_trust_shortfall (const ArwManifestVerification *self);
/* ok, or a trust shortfall: what ARW calls "verified". */
gboolean arw_manifest_verification_is_verified (const ArwManifestVerification *self);

/* Our policy (fail closed), in this order:
 * - not verified (bad or missing signatures): ARW_ERROR_SIGNATURE_INVALID,
 *   "bundle manifest verification failed";
 * - @require_trusted without a usable registry (none, failed to load, or no
 *   signers; the caller says which through @registry_available):
 *   ARW_ERROR_UNTRUSTED telling the user how to configure one;
 * - @require_trusted with no trusted signature: ARW_ERROR_UNTRUSTED,
 *   "bundle manifest verification failed: no trusted signatures matched the
 *   signer registry". */
gboolean arw_manifest_verification_check_policy (const ArwManifestVerification *self,
                                                 gboolean require_trusted,
                                                 gboolean registry_available, GError **error);

/* §4.7 shapes: absent strings and an absent "error" are omitted;
 * "warnings" is omitted when empty. */
JsonNode *arw_manifest_signature_report_to_json (const ArwManifestSignatureReport *report);
JsonNode *arw_manifest_verification_to_json (const ArwManifestVerification *self);
/* `manifest verify --json`: the above plus "manifest" (@manifest_path as
 * given), "warnings" always present, and "ok" forced to true on a trust
 * shortfall, as ARW prints it. */
JsonNode *arw_manifest_verification_to_verify_json (const ArwManifestVerification *self,
                                                    const char *manifest_path);

/* What signing produced, for the "Signed manifest …" lines (§4.2). */
typedef struct {
  char *key_id;
  char *public_key_b64;
  char *signature_b64;
  char *payload_sha256; /* hex, no prefix */
  char *issued_at;
} ArwManifestSignInfo;

void arw_manifest_sign_info_free (ArwManifestSignInfo *self);

/* ARW's `manifest sign` (§4.2): signs the canonical payload of @data with
 * the Ed25519 key from @seed and returns the new file text (keys sorted,
 * pretty unless @compact, no trailing newline). Entries with the same key_id
 * are replaced. @key_id NULL or blank gives the default
 * "ed25519-sha256:<hex of the first 10 bytes of SHA-256(pk)>"; @issuer is
 * trimmed and omitted when blank. */
char *arw_manifest_sign (const char *data, gssize len, const guint8 seed[32], const char *key_id,
                         const char *issuer, gboolean compact, ArwManifestSignInfo **out_info,
                         GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwManifestVerification, arw_manifest_verification_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwManifestSignInfo, arw_manifest_sign_info_free)

G_END_DECLS
