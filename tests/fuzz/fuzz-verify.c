/* SPDX-License-Identifier: GPL-3.0-or-later */

/* libFuzzer target for manifest signature verification and signing (spec §4.2, §4.5–§4.7).
 * On every input:
 *  - strict base64 decoding either fails or is a bijection: encoding the bytes gives the
 *    input back (canonical padding, no trailing bits);
 *  - verification, with and without a registry, either refuses the document (exactly when
 *    the payload does) or yields a self-consistent report: indexes in order, counts equal
 *    to the flags, an error exactly when something is wrong, "ok" only when every entry is
 *    valid (and, with a registry, something is trusted), shortfall never "ok";
 *  - signing an object (whose "signatures", if any, is an array) and verifying the result
 *    with a registry holding that key marks the new entry valid and trusted, unless serde's
 *    float parser makes the payload non-idempotent (ARW has the same limitation). */

#include "config.h"

#include <string.h>

#include "arw-base64.h"
#include "arw-canonical-json.h"
#include "arw-fuzz.h"
#include "arw-signature-summary.h"
#include "arw-signature.h"

#define FUZZ_KEY_ID "fuzz-signer"

static const guint8 seed[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
/* the public key of @seed, trusted for every channel */
#define FUZZ_REGISTRY \
  "{\"version\":1,\"signers\":[{\"key_id\":\"" FUZZ_KEY_ID "\"," \
  "\"public_key_b64\":\"ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=\"}]}"

static void
check_base64 (const guint8 *data, size_t size)
{
  g_autoptr(GBytes) bytes = arw_base64_decode ((const char *) data, size, NULL);
  g_autofree char *again = NULL;

  if (bytes == NULL)
    return;
  again = arw_base64_encode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_cmpmem (again, strlen (again), data, size);
}

static void
check_report (const ArwManifestVerification *v, ArwSignerRegistry *registry)
{
  guint trusted = 0, rejected = 0;
  gboolean all_good = TRUE;
  g_autoptr(JsonNode) json = arw_manifest_verification_to_json (v);
  g_autoptr(JsonNode) verify_json = arw_manifest_verification_to_verify_json (v, "fuzz.json");
  g_autoptr(ArwSignatureSummary) summary = arw_signature_summary_new (registry != NULL);

  g_assert_nonnull (json);
  g_assert_nonnull (verify_json);
  g_assert_true (g_str_has_prefix (v->canonical_sha256, "sha256:"));
  g_assert_cmpint (v->trust_enforced, ==, registry != NULL);
  for (guint i = 0; i < v->signatures->len; i++)
    {
      const ArwManifestSignatureReport *r = g_ptr_array_index (v->signatures, i);
      gboolean good = r->signature_valid && r->hash_matches && !r->rejected;

      g_assert_cmpuint (r->index, ==, i);
      g_assert_false (r->trusted && r->rejected);
      g_assert_true (!r->trusted || (registry != NULL && r->signature_valid));
      g_assert_true (!r->rejected || (registry != NULL && r->signature_valid));
      g_assert_cmpint (r->error == NULL, ==, good);
      trusted += r->trusted;
      rejected += r->rejected;
      all_good = all_good && r->signature_valid && r->hash_matches;
    }
  g_assert_cmpuint (trusted, ==, v->trusted_signatures);
  g_assert_cmpuint (rejected, ==, v->rejected_signatures);
  if (v->ok)
    g_assert_true (all_good && v->signatures->len > 0 && (registry == NULL || trusted > 0));
  if (arw_manifest_verification_is_trust_shortfall (v))
    g_assert_false (v->ok);
  arw_signature_summary_add (summary, "fuzz", v);
  /* strict mode with a registry, ARW's counting without: both reduce to "ok" here */
  g_assert_cmpint (arw_signature_summary_get_ok (summary), ==, v->ok);
}

static void
check_sign (const guint8 *data, size_t size, ArwSignerRegistry *registry)
{
  g_autoptr(ArwManifestSignInfo) info = NULL;
  g_autofree char *out = arw_manifest_sign ((const char *) data, size, seed, FUZZ_KEY_ID, "fuzz",
                                            size % 2 == 0, &info, NULL);
  g_autoptr(ArwManifestVerification) v = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autofree char *renormalized = NULL;

  if (out == NULL)
    return;
  payload = arw_canonical_json_payload ((const char *) data, size, NULL);
  g_assert_nonnull (payload);
  renormalized = arw_canonical_json_normalize (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), NULL, NULL);
  v = arw_manifest_verify (out, -1, registry, NULL);
  g_assert_nonnull (v);
  if (renormalized == NULL || strlen (renormalized) != g_bytes_get_size (payload) ||
      memcmp (renormalized, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload)) != 0)
    return;
  for (guint i = 0; i < v->signatures->len; i++)
    {
      const ArwManifestSignatureReport *r = g_ptr_array_index (v->signatures, i);
      if (g_strcmp0 (r->key_id, FUZZ_KEY_ID) == 0 && g_strcmp0 (r->issuer, "fuzz") == 0)
        {
          g_assert_true (r->signature_valid);
          g_assert_true (r->hash_matches);
          g_assert_true (r->trusted);
          return;
        }
    }
  g_assert_not_reached ();
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static ArwSignerRegistry *registry = NULL;
  g_autoptr(GBytes) payload = NULL;

  if (registry == NULL)
    registry = arw_signer_registry_new_from_data (FUZZ_REGISTRY, -1, "fuzz", NULL);
  g_assert_nonnull (registry);

  check_base64 (data, size);
  payload = arw_canonical_json_payload ((const char *) data, size, NULL);
  for (guint pass = 0; pass < 2; pass++)
    {
      ArwSignerRegistry *reg = pass == 0 ? NULL : registry;
      g_autoptr(GError) error = NULL;
      g_autoptr(ArwManifestVerification) v = arw_manifest_verify ((const char *) data, size, reg, &error);

      g_assert_cmpint (v == NULL, ==, payload == NULL);
      g_assert_cmpint (error == NULL, ==, v != NULL);
      if (v != NULL)
        check_report (v, reg);
    }
  if (payload != NULL)
    check_sign (data, size, registry);
  return 0;
}
