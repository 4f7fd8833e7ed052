/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>

#include "arw-base64.h"
#include "arw-canonical-json.h"
#include "arw-ed25519-key.h"
#include "arw-error.h"
#include "arw-sha256.h"
#include "arw-signature-summary.h"
#include "arw-signature.h"
#include "arw-test-utils.h"

#define PK_A "koiKlraGAFwLPgffupMOOwF0fqvuZ4gQARUm66LaWyE="
#define PK_B "SUa0nKa/f736yrKI4sF7NJggQoxjO5xTX0xwfi42G+0="
#define KEY_ID_B "ed25519-sha256:9852d16213710b17dbf4"
#define SPOOF_ERROR "signature with key_id public-preview-signer is not trusted for channel preview: " \
                    "its public key is not the one the signer registry lists for that key_id"
#define SHORTFALL_WARNING "no trusted signatures matched signer registry for channel preview"

static const char *vectors[] = {
  "valid-trusted", "tampered-after-signing", "untrusted-signer", "two-signatures",
  "canonicalization-stress", "float-parse-quirks", "unsigned", "wrong-channel", "keyid-spoof",
};

/* ---- helpers ------------------------------------------------------------ */

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static void
assert_json_equal (JsonNode *got, JsonNode *want)
{
  if (!json_node_equal (got, want))
    {
      g_autofree char *got_s = json_to_string (got, TRUE);
      g_autofree char *want_s = json_to_string (want, TRUE);
      g_test_message ("got:\n%s\nwant:\n%s", got_s, want_s);
      g_test_fail ();
    }
}

/* The registry each recorded environment used; "badreg" points at a missing
 * file, which ARW (and our default, non-required mode) treats as none. */
static ArwSignerRegistry *
registry_for_env (const char *env)
{
  g_autofree char *path = NULL;
  g_autoptr(ArwSignerRegistryLoad) load = NULL;

  if (g_str_equal (env, "reg"))
    path = arw_test_vector_path ("registry", "bundle_signers.json", NULL);
  else if (g_str_equal (env, "emptyreg"))
    path = arw_test_vector_path ("registry", "empty_signers.json", NULL);
  else if (g_str_equal (env, "badreg"))
    path = arw_test_vector_path ("registry", "does_not_exist.json", NULL);
  load = arw_signer_registry_load_path (path);
  if (g_str_equal (env, "badreg"))
    {
      g_assert_cmpint (load->state, ==, ARW_SIGNER_REGISTRY_FAILED);
      g_assert_error (load->error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
    }
  return load->registry != NULL ? arw_signer_registry_ref (load->registry) : NULL;
}

static ArwManifestVerification *
verify_vector (const char *name, ArwSignerRegistry *registry)
{
  g_autofree char *file = g_strconcat (name, ".json", NULL);
  gsize len = 0;
  g_autofree char *data = arw_test_vector_read (&len, "manifests", file, NULL);
  g_autoptr(GError) error = NULL;
  ArwManifestVerification *v = arw_manifest_verify (data, len, registry, &error);

  g_assert_no_error (error);
  g_assert_nonnull (v);
  return v;
}

static ArwManifestVerification *
verify_text (const char *text, ArwSignerRegistry *registry)
{
  g_autoptr(GError) error = NULL;
  ArwManifestVerification *v = arw_manifest_verify (text, -1, registry, &error);

  g_assert_no_error (error);
  return v;
}

static ArwSignerRegistry *
registry_from (const char *json)
{
  g_autoptr(GError) error = NULL;
  ArwSignerRegistry *reg = arw_signer_registry_new_from_data (json, -1, "test.json", &error);

  g_assert_no_error (error);
  return reg;
}

static ArwManifestSignatureReport *
report_at (ArwManifestVerification *v, guint i)
{
  g_assert_cmpuint (i, <, v->signatures->len);
  return g_ptr_array_index (v->signatures, i);
}

/* Our one deliberate difference in the verification JSON (vectors README):
 * key-b claiming key-a's key_id is not trusted. */
static void
apply_keyid_spoof_fix (JsonObject *obj, gboolean verify_command)
{
  JsonObject *sig = json_array_get_object_element (json_object_get_array_member (obj, "signatures"), 0);
  JsonArray *warnings = json_array_new ();

  json_object_set_string_member (sig, "error", SPOOF_ERROR);
  json_object_set_boolean_member (sig, "trusted", FALSE);
  json_object_set_boolean_member (sig, "rejected", TRUE);
  json_object_set_int_member (obj, "trusted_signatures", 0);
  json_object_set_int_member (obj, "rejected_signatures", 1);
  /* a trust shortfall: `manifest verify --json` forces ok to true */
  json_object_set_boolean_member (obj, "ok", verify_command);
  json_array_add_string_element (warnings, SHORTFALL_WARNING);
  json_object_set_array_member (obj, "warnings", warnings);
}

static JsonNode *
read_result (const char *name, const char *env, const char *mode, const char *ext)
{
  g_autofree char *file = g_strdup_printf ("%s.%s.%s.%s", name, env, mode, ext);
  g_autofree char *text = arw_test_vector_read (NULL, "results", "verify", file, NULL);

  if (g_str_equal (ext, "stdout"))
    return parse_json (text);
  return json_node_init_int (json_node_alloc (), g_ascii_strtoll (text, NULL, 10));
}

/* ---- verification vs ARW's recorded JSON -------------------------------- */

static void
check_vector_env (const char *name, const char *env)
{
  g_autoptr(ArwSignerRegistry) reg = registry_for_env (env);
  g_autoptr(ArwManifestVerification) v = verify_vector (name, reg);
  g_autofree char *manifest = g_strdup_printf ("manifests/%s.json", name);
  g_autoptr(JsonNode) got = arw_manifest_verification_to_verify_json (v, manifest);
  g_autoptr(JsonNode) want = read_result (name, env, "json", "stdout");

  g_test_message ("vector %s, env %s", name, env);
  if (g_str_equal (name, "keyid-spoof") && g_str_equal (env, "reg"))
    apply_keyid_spoof_fix (json_node_get_object (want), TRUE);
  assert_json_equal (got, want);
}

static void
test_verify_vectors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      check_vector_env (vectors[i], "reg");
      check_vector_env (vectors[i], "noreg");
    }
  check_vector_env ("valid-trusted", "emptyreg");
  check_vector_env ("valid-trusted", "badreg");
}

/* Exit status of `manifest verify [--require-trusted]` against ARW's, with
 * our fail-closed differences. */
static void
check_policy (const char *name, const char *env, gboolean require)
{
  g_autoptr(ArwSignerRegistry) reg = registry_for_env (env);
  g_autoptr(ArwManifestVerification) v = verify_vector (name, reg);
  g_autoptr(JsonNode) rc = read_result (name, env, require ? "json-require-trusted" : "json", "rc");
  g_autoptr(GError) error = NULL;
  gboolean available = reg != NULL && arw_signer_registry_get_n_signers (reg) > 0;
  gboolean arw_ok = json_node_get_int (rc) == 0;
  gboolean want_ok = arw_ok;
  gboolean ours = arw_manifest_verification_check_policy (v, require, available, &error);

  g_test_message ("policy %s %s require=%d", name, env, require);
  if (require && !available)
    want_ok = FALSE; /* ARW ignores --require-trusted without a registry */
  if (require && g_str_equal (name, "keyid-spoof"))
    want_ok = FALSE; /* ARW trusts the spoofed key_id */
  g_assert_cmpint (ours, ==, want_ok);

  if (!ours && !arw_ok)
    {
      /* same failure as ARW, same message */
      g_autofree char *file = g_strdup_printf ("%s.%s.%s.stderr", name, env,
                                               require ? "json-require-trusted" : "json");
      g_autofree char *stderr_text = arw_test_vector_read (NULL, "results", "verify", file, NULL);
      g_strstrip (stderr_text);
      g_assert_cmpstr (error->message, ==, stderr_text);
    }
  else if (!ours)
    g_assert_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED);
}

static void
test_verify_policy (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    for (guint r = 0; r < 2; r++)
      {
        check_policy (vectors[i], "reg", r);
        check_policy (vectors[i], "noreg", r);
      }
  check_policy ("valid-trusted", "emptyreg", FALSE);
  check_policy ("valid-trusted", "badreg", FALSE);
}

static void
test_verify_policy_messages (void)
{
  g_autoptr(ArwSignerRegistry) reg = registry_for_env ("reg");
  g_autoptr(ArwManifestVerification) untrusted = verify_vector ("untrusted-signer", reg);
  g_autoptr(ArwManifestVerification) none = verify_vector ("valid-trusted", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (arw_manifest_verification_is_trust_shortfall (untrusted));
  g_assert_true (arw_manifest_verification_is_verified (untrusted));
  g_assert_true (arw_manifest_verification_check_policy (untrusted, FALSE, TRUE, &error));
  g_assert_false (arw_manifest_verification_check_policy (untrusted, TRUE, TRUE, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED);
  g_assert_cmpstr (error->message, ==,
                   "bundle manifest verification failed: no trusted signatures matched the signer registry");
  g_clear_error (&error);

  g_assert_false (arw_manifest_verification_is_trust_shortfall (none));
  g_assert_false (arw_manifest_verification_check_policy (none, TRUE, FALSE, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED);
  g_assert_nonnull (strstr (error->message, "ARW_RUNTIME_BUNDLE_SIGNERS"));
  g_assert_nonnull (strstr (error->message, "bundle_signers.json"));
}

/* ManifestVerification (no "manifest", warnings omitted when empty, ok not
 * forced) against the "signature" objects ARW's audit printed. */
static void
check_audit (const char *env, gboolean require_trusted, const char *const *failed_ids)
{
  g_autofree char *file = g_strdup_printf ("%s.json-require-signed.stdout", env);
  g_autofree char *text = arw_test_vector_read (NULL, "results", "audit-good", file, NULL);
  g_autoptr(JsonNode) audit = parse_json (text);
  JsonArray *installs = json_object_get_array_member (json_node_get_object (audit), "installations");
  JsonObject *want_summary = json_object_get_object_member (json_node_get_object (audit), "summary");
  g_autoptr(ArwSignerRegistry) reg = registry_for_env (env);
  g_autoptr(ArwSignatureSummary) summary = arw_signature_summary_new (require_trusted);
  g_autoptr(JsonNode) got_summary = NULL;
  g_autoptr(JsonNode) want_node = json_node_alloc ();
  gboolean spoof_fixed = FALSE;

  for (guint i = 0; i < json_array_get_length (installs); i++)
    {
      JsonObject *inst = json_array_get_object_element (installs, i);
      const char *id = json_object_get_string_member (inst, "id");
      g_autofree char *path = arw_test_vector_path (json_object_get_string_member (inst, "metadata_path"), NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(ArwManifestVerification) v = arw_manifest_verify_file (path, reg, &error);
      g_autoptr(JsonNode) got = NULL;
      JsonNode *want = json_object_get_member (inst, "signature");

      g_assert_no_error (error);
      if (reg != NULL && g_str_equal (id, "public.sig/keyid-spoof"))
        {
          apply_keyid_spoof_fix (json_node_get_object (want), FALSE);
          spoof_fixed = TRUE;
        }
      got = arw_manifest_verification_to_json (v);
      assert_json_equal (got, want);
      arw_signature_summary_add (summary, id, v);
    }

  if (spoof_fixed && !require_trusted)
    {
      /* ARW: trusted 2, rejected 1, 1 shortfall; ours: the spoof is a shortfall too */
      json_object_set_int_member (want_summary, "trusted", 1);
      json_object_set_int_member (want_summary, "rejected", 2);
      json_object_set_int_member (want_summary, "trust_shortfall", 2);
      json_object_set_int_member (want_summary, "warnings", 2);
    }
  if (require_trusted)
    {
      const ArwSignatureCounts *c = arw_signature_summary_get_counts (summary);
      g_assert_cmpuint (c->failed, ==, g_strv_length ((char **) failed_ids));
      g_assert_cmpuint (c->verified + c->failed, ==, c->total);
      g_assert_false (arw_signature_summary_get_ok (summary));
      g_assert_cmpstrv (arw_signature_summary_get_failed_ids (summary), failed_ids);
      return;
    }
  got_summary = arw_signature_summary_to_json (summary);
  json_node_init_object (want_node, want_summary);
  assert_json_equal (got_summary, want_node);
  g_assert_true (arw_signature_summary_get_ok (summary));
  g_assert_null (arw_signature_summary_get_failed_ids (summary)[0]);
}

static void
test_audit_vectors (void)
{
  const char *reg_failed[] = { "public.sig/keyid-spoof", "public.sig/untrusted-signer", NULL };
  const char *noreg_failed[] = { "public.sig/keyid-spoof", "public.sig/untrusted-signer",
                                 "public.sig/valid-trusted", NULL };

  check_audit ("noreg", FALSE, NULL);
  check_audit ("reg", FALSE, NULL);
  check_audit ("reg", TRUE, reg_failed);
  check_audit ("noreg", TRUE, noreg_failed);
}

static void
test_summary_failures (void)
{
  g_autoptr(ArwSignatureSummary) summary = arw_signature_summary_new (FALSE);
  g_autoptr(ArwSignerRegistry) reg = registry_for_env ("reg");
  g_autoptr(ArwManifestVerification) unsigned_v = verify_vector ("unsigned", reg);
  g_autoptr(ArwManifestVerification) tampered = verify_vector ("tampered-after-signing", reg);
  g_autoptr(ArwManifestVerification) two = verify_vector ("two-signatures", reg);
  g_autoptr(JsonNode) got = NULL;
  g_autoptr(JsonNode) want = parse_json (
    "{\"enforced\":true,\"failed\":3,\"missing_signatures\":2,\"ok\":false,\"rejected\":1,"
    "\"total\":4,\"trust_shortfall\":0,\"trusted\":1,\"verified\":1,\"warnings\":0,\"with_manifest\":3}");
  const char *failed[] = { "a", "b", "c", NULL };

  arw_signature_summary_add (summary, "a", NULL);
  arw_signature_summary_add (summary, "b", unsigned_v);
  arw_signature_summary_add (summary, "c", tampered);
  arw_signature_summary_add (summary, "d", two);
  arw_signature_summary_set_enforced (summary, TRUE);
  got = arw_signature_summary_to_json (summary);
  assert_json_equal (got, want);
  g_assert_cmpstrv (arw_signature_summary_get_failed_ids (summary), failed);
}

/* ---- entry-level rules (§4.5) ------------------------------------------- */

/* valid-trusted.json with signatures[0].@member replaced by @value (JSON
 * text) or removed (NULL). */
static char *
mutate_entry (const char *member, const char *value)
{
  g_autofree char *text = arw_test_vector_read (NULL, "manifests", "valid-trusted.json", NULL);
  g_autoptr(JsonNode) root = parse_json (text);
  JsonObject *entry = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (root), "signatures"), 0);

  if (value == NULL)
    json_object_remove_member (entry, member);
  else
    json_object_set_member (entry, member, parse_json (value));
  return json_to_string (root, FALSE);
}

typedef struct {
  const char *member;
  const char *value;
  const char *error;      /* NULL: no error */
  gboolean signature_valid;
  gboolean hash_matches;
} EntryCase;

static void
test_verify_entry_rules (void)
{
  g_autoptr(ArwSignerRegistry) reg = registry_for_env ("reg");
  g_autofree char *sig = NULL;
  g_autofree char *high_s = NULL;
  g_autofree char *flipped = NULL;
  g_autofree char *digest = NULL;
  {
    g_autofree char *text = arw_test_vector_read (NULL, "manifests", "valid-trusted.json", NULL);
    g_autoptr(JsonNode) root = parse_json (text);
    JsonObject *entry = json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (root), "signatures"), 0);
    g_autoptr(GBytes) raw = arw_base64_decode (json_object_get_string_member (entry, "signature"), -1, NULL);
    guint8 bytes[64];

    sig = g_strdup (json_object_get_string_member (entry, "signature"));
    digest = g_ascii_strup (json_object_get_string_member (entry, "manifest_sha256") + 7, -1);
    g_autofree char *b64_high = NULL;
    g_autofree char *b64_flipped = NULL;

    memcpy (bytes, g_bytes_get_data (raw, NULL), 64);
    bytes[63] |= 0xe0;
    b64_high = arw_base64_encode (bytes, 64);
    high_s = g_strdup_printf ("\"%s\"", b64_high);
    bytes[63] = ((const guint8 *) g_bytes_get_data (raw, NULL))[63];
    bytes[0] ^= 1;
    b64_flipped = arw_base64_encode (bytes, 64);
    flipped = g_strdup_printf ("\"%s\"", b64_flipped);
  }
  {
    g_autofree char *upper = g_strdup_printf ("\"SHA256:%s\"", digest);
    g_autofree char *bare = g_strdup_printf ("\"  %s \"", digest);
    const EntryCase cases[] = {
      { "manifest_sha256", NULL, "manifest_sha256 missing", TRUE, FALSE },
      { "manifest_sha256", upper, NULL, TRUE, TRUE },
      { "manifest_sha256", bare, NULL, TRUE, TRUE },
      { "manifest_sha256", "\"   \"", "manifest_sha256     does not match canonical sha256:2db4c90feae252369a6de166f774fa6f2b1ec69daca6c9b489a374da29d79028", TRUE, FALSE },
      { "manifest_sha256", "7", "manifest_sha256 missing", TRUE, FALSE },
      { "public_key_b64", NULL, "public_key_b64 missing", FALSE, TRUE },
      { "public_key_b64", "\"koiKlraGAFwLPgffupMOOwF0fqvuZ4gQARUm66LaWyE\"", "invalid public_key_b64: Invalid padding", FALSE, TRUE },
      { "public_key_b64", "\" " PK_A "\"", "invalid public_key_b64: Invalid symbol 32, offset 0.", FALSE, TRUE },
      { "public_key_b64", "\"Zm9v\"", "public key must be 32 bytes", FALSE, TRUE },
      { "public_key_b64", "\"AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"",
        "invalid ed25519 public key: signature error: Cannot decompress Edwards point", FALSE, TRUE },
      { "signature", NULL, "signature missing", FALSE, TRUE },
      { "signature", "\"@@@@\"", "invalid signature encoding: Invalid symbol 64, offset 0.", FALSE, TRUE },
      { "signature", "\"Zm9v\"", "signature must be 64 bytes", FALSE, TRUE },
      { "signature", high_s, "signature verification failed: signature error: Cannot use scalar with high-bit set", FALSE, TRUE },
      { "signature", flipped, "signature verification failed: signature error: Verification equation was not satisfied", FALSE, TRUE },
      { "alg", "\"rsa\"", NULL, TRUE, TRUE }, /* alg is ignored */
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *text = mutate_entry (cases[i].member, cases[i].value);
        g_autoptr(ArwManifestVerification) v = verify_text (text, reg);
        ArwManifestSignatureReport *r = report_at (v, 0);

        g_test_message ("entry case %u", i);
        g_assert_cmpstr (r->error, ==, cases[i].error);
        g_assert_cmpint (r->signature_valid, ==, cases[i].signature_valid);
        g_assert_cmpint (r->hash_matches, ==, cases[i].hash_matches);
        g_assert_cmpint (r->trusted, ==, cases[i].signature_valid);
        g_assert_cmpint (v->ok, ==, cases[i].signature_valid && cases[i].hash_matches);
      }
  }
}

static void
test_verify_public_key_alias (void)
{
  g_autofree char *text = mutate_entry ("public_key_b64", NULL);
  g_autofree char *aliased = NULL;
  g_autoptr(JsonNode) root = parse_json (text);
  g_autoptr(ArwSignerRegistry) reg = registry_for_env ("reg");
  g_autoptr(ArwManifestVerification) v = NULL;

  json_object_set_string_member (json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (root), "signatures"), 0), "public_key", PK_A);
  aliased = json_to_string (root, FALSE);
  v = verify_text (aliased, reg);
  g_assert_true (v->ok);
  g_assert_cmpstr (report_at (v, 0)->public_key_b64, ==, PK_A);
  g_assert_true (report_at (v, 0)->trusted);
}

static void
test_verify_signatures_shapes (void)
{
  static const struct {
    const char *signatures;
    const char *warning;
  } cases[] = {
    { "5", "manifest signatures entry is not an array" },
    { "{}", "manifest signatures entry is not an array" },
    { "[]", "manifest signatures array is empty" },
  };
  g_autoptr(ArwSignerRegistry) reg = registry_for_env ("reg");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("{\"catalog\":{\"channel\":\"preview\"},\"signatures\":%s}",
                                               cases[i].signatures);
      g_autoptr(ArwManifestVerification) v = verify_text (text, reg);
      g_autoptr(JsonNode) json = arw_manifest_verification_to_json (v);
      JsonArray *warnings = json_object_get_array_member (json_node_get_object (json), "warnings");

      g_assert_false (v->ok);
      g_assert_cmpuint (v->signatures->len, ==, 0);
      g_assert_cmpuint (json_array_get_length (warnings), ==, 1);
      g_assert_cmpstr (json_array_get_string_element (warnings, 0), ==, cases[i].warning);
    }
  {
    g_autoptr(ArwManifestVerification) v = verify_text ("{\"signatures\":[42,null]}", NULL);
    g_assert_false (v->ok);
    g_assert_cmpuint (v->signatures->len, ==, 2);
    g_assert_cmpstr (report_at (v, 1)->error, ==, "manifest_sha256 missing; public_key_b64 missing");
    g_assert_cmpuint (report_at (v, 1)->index, ==, 1);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ArwManifestVerification) v = arw_manifest_verify ("[1,2,3]", -1, NULL, &error);
    g_assert_null (v);
    g_assert_cmpstr (error->message, ==, "bundle manifest root must be a JSON object");
  }
  {
    gsize big = 16 * 1024 * 1024 + 1;
    g_autofree char *huge = g_malloc (big + 1);
    g_autoptr(GError) error = NULL;
    g_autoptr(ArwManifestVerification) v = NULL;

    memset (huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    huge[big] = '\0';
    v = arw_manifest_verify (huge, big, NULL, &error);
    g_assert_null (v);
    g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "too large"));
  }
}

/* ---- signing (§4.2) ------------------------------------------------------ */

static ArwEd25519Key *
vector_key (const char *name)
{
  g_autofree char *file = g_strconcat (name, ".sk", NULL);
  g_autofree char *path = arw_test_vector_path ("keys", file, NULL);
  g_autoptr(GError) error = NULL;
  ArwEd25519Key *key = arw_ed25519_key_new_from_file (path, &error);

  g_assert_no_error (error);
  return key;
}

static void
vector_seed (const char *name, guint8 seed[32])
{
  g_autofree char *file = g_strconcat (name, ".sk", NULL);
  g_autofree char *text = arw_test_vector_read (NULL, "keys", file, NULL);

  g_strstrip (text);
  g_assert_true (arw_base64_decode_exact (text, -1, seed, 32, NULL));
}

static char *
sign_text (const char *text, const char *key, const char *key_id, const char *issuer,
           gboolean compact, ArwManifestSignInfo **info)
{
  guint8 seed[32];
  g_autoptr(GError) error = NULL;
  char *out;

  vector_seed (key, seed);
  out = arw_manifest_sign (text, -1, seed, key_id, issuer, compact, info, &error);
  g_assert_no_error (error);
  g_assert_nonnull (out);
  return out;
}

static void
test_sign_example (void)
{
  g_autofree char *text = arw_test_vector_read (NULL, "manifests", "valid-trusted.json", NULL);
  g_autofree char *stdout_text = arw_test_vector_read (NULL, "results", "sign-example.stdout", NULL);
  g_auto(GStrv) lines = g_strsplit (stdout_text, "\n", -1);
  g_autoptr(ArwManifestSignInfo) info = NULL;
  g_autofree char *out = sign_text (text, "key-a", "public-preview-signer", "public-ci@example.test", FALSE, &info);
  g_autoptr(ArwSignerRegistry) reg = registry_for_env ("reg");
  g_autoptr(ArwManifestVerification) v = verify_text (out, reg);
  g_autoptr(GRegex) issued = g_regex_new ("\"issued_at\": \"[^\"]*\"", 0, 0, NULL);
  g_autofree char *normal_out = NULL;
  g_autofree char *normal_want = NULL;

  g_assert_cmpstr (lines[1] + strlen ("Canonical payload sha256: "), ==, info->payload_sha256);
  g_assert_cmpstr (lines[2] + strlen ("Public key (b64): "), ==, info->public_key_b64);
  g_assert_cmpstr (lines[3] + strlen ("Signature (b64): "), ==, info->signature_b64);
  g_assert_cmpstr (info->key_id, ==, "public-preview-signer");
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$", info->issued_at, 0, 0));

  /* re-signing replaced the entry; the file is ARW's byte for byte */
  normal_out = g_regex_replace_literal (issued, out, -1, 0, "\"issued_at\": \"X\"", 0, NULL);
  normal_want = g_regex_replace_literal (issued, text, -1, 0, "\"issued_at\": \"X\"", 0, NULL);
  g_assert_cmpstr (normal_out, ==, normal_want);

  g_assert_true (v->ok);
  g_assert_cmpuint (v->signatures->len, ==, 1);
  g_assert_cmpuint (v->trusted_signatures, ==, 1);
  g_assert_cmpstr (report_at (v, 0)->issued_at, ==, info->issued_at);
}

static void
test_sign_append_and_compact (void)
{
  g_autofree char *text = arw_test_vector_read (NULL, "manifests", "valid-trusted.json", NULL);
  g_autoptr(ArwManifestSignInfo) info = NULL;
  g_autofree char *out = sign_text (text, "key-b", NULL, "   ", TRUE, &info);
  g_autofree char *again = NULL;
  g_autoptr(ArwSignerRegistry) reg = registry_for_env ("reg");
  g_autoptr(ArwManifestVerification) v = verify_text (out, reg);
  g_autoptr(ArwManifestVerification) v2 = NULL;
  g_autoptr(JsonNode) root = parse_json (out);
  JsonObject *entry;

  g_assert_cmpstr (info->key_id, ==, KEY_ID_B);
  g_assert_null (strchr (out, '\n'));
  g_assert_cmpint (out[strlen (out) - 1], ==, '}');
  entry = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root), "signatures"), 1);
  g_assert_false (json_object_has_member (entry, "issuer"));
  g_assert_cmpstr (json_object_get_string_member (entry, "alg"), ==, "ed25519");
  g_assert_cmpstr (json_object_get_string_member (entry, "public_key_b64"), ==, PK_B);
  g_assert_cmpstr (json_object_get_string_member (entry, "manifest_sha256"), ==,
                   "sha256:2db4c90feae252369a6de166f774fa6f2b1ec69daca6c9b489a374da29d79028");

  g_assert_true (v->ok);
  g_assert_cmpuint (v->signatures->len, ==, 2);
  g_assert_cmpuint (v->trusted_signatures, ==, 1);
  g_assert_cmpuint (v->rejected_signatures, ==, 1);

  /* re-signing with the same key id replaces, not appends */
  again = sign_text (out, "key-b", NULL, "ci", FALSE, NULL);
  v2 = verify_text (again, reg);
  g_assert_cmpuint (v2->signatures->len, ==, 2);
  g_assert_cmpstr (report_at (v2, 1)->issuer, ==, "ci");
}

static void
test_sign_errors (void)
{
  guint8 seed[32] = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = arw_manifest_sign ("{\"signatures\":5}", -1, seed, NULL, NULL, FALSE, NULL, &error);

  g_assert_null (out);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, "manifest signatures entry must be an array");
  g_clear_error (&error);

  out = arw_manifest_sign ("[1,2,3]", -1, seed, NULL, NULL, FALSE, NULL, &error);
  g_assert_null (out);
  g_assert_cmpstr (error->message, ==, "bundle manifest root must be a JSON object");
}

/* The four rejection messages, and our extra reasons. */
static void
test_verify_rejection_messages (void)
{
  g_autoptr(ArwSignerRegistry) reg = registry_for_env ("reg");
  g_autofree char *no_channel = NULL;
  g_autofree char *signed_no_channel = NULL;
  g_autofree char *signed_channel = NULL;

  {
    g_autofree char *text = arw_test_vector_read (NULL, "manifests", "valid-trusted.json", NULL);
    g_autoptr(JsonNode) root = parse_json (text);
    JsonObject *obj = json_node_get_object (root);
    g_autofree char *unsigned_text = NULL;

    json_object_remove_member (obj, "signatures");
    unsigned_text = json_to_string (root, FALSE);
    signed_channel = sign_text (unsigned_text, "key-b", NULL, NULL, TRUE, NULL);
    json_object_remove_member (json_object_get_object_member (obj, "catalog"), "channel");
    no_channel = json_to_string (root, FALSE);
    signed_no_channel = sign_text (no_channel, "key-b", NULL, NULL, TRUE, NULL);
  }
  {
    g_autoptr(ArwManifestVerification) v = verify_text (signed_no_channel, reg);
    g_assert_cmpstr (report_at (v, 0)->error, ==, "signature with key_id " KEY_ID_B " is not present in signer registry");
    g_assert_cmpstr (g_ptr_array_index (v->warnings, 0), ==, "no trusted signatures matched signer registry");
    g_assert_null (v->channel);
  }
  {
    g_autoptr(JsonNode) root = parse_json (signed_no_channel);
    g_autoptr(ArwManifestVerification) v = NULL;
    g_autofree char *stripped = NULL;
    json_object_remove_member (json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (root), "signatures"), 0), "key_id");
    stripped = json_to_string (root, FALSE);
    v = verify_text (stripped, reg);
    g_assert_cmpstr (report_at (v, 0)->error, ==, "signature public key " PK_B " is not trusted");
  }
  {
    g_autoptr(JsonNode) root = parse_json (signed_channel);
    g_autoptr(ArwManifestVerification) v = NULL;
    g_autofree char *stripped = NULL;
    json_object_remove_member (json_array_get_object_element (
      json_object_get_array_member (json_node_get_object (root), "signatures"), 0), "key_id");
    stripped = json_to_string (root, FALSE);
    v = verify_text (stripped, reg);
    g_assert_cmpstr (report_at (v, 0)->error, ==, "signature public key is not trusted for channel preview");
    g_assert_true (arw_manifest_verification_is_trust_shortfall (v));
  }
}

static void
test_verify_expired_and_wildcard (void)
{
  g_autoptr(ArwSignerRegistry) expired = registry_from (
    "{\"version\":1,\"signers\":[{\"key_id\":\"public-preview-signer\",\"public_key_b64\":\"" PK_A "\","
    "\"channels\":[\"preview\"],\"expires_at\":\"2000-01-01T00:00:00Z\"}]}");
  g_autoptr(ArwSignerRegistry) wildcard = registry_from (
    "{\"version\":1,\"signers\":[{\"key_id\":\"x\",\"public_key_b64\":\"7t/Vgx/uDp6ttFGbacKQzZq32/0TSFU1qoY0hZBUYxA=\","
    "\"channels\":[\"*\"]}]}");
  g_autoptr(ArwManifestVerification) v = verify_vector ("valid-trusted", expired);
  g_autoptr(ArwManifestVerification) w = verify_vector ("wrong-channel", wildcard);

  g_assert_false (v->ok);
  g_assert_true (report_at (v, 0)->rejected);
  g_assert_cmpstr (report_at (v, 0)->error, ==,
                   "signature with key_id public-preview-signer is not trusted for channel preview: "
                   "signer registry entry public-preview-signer expired at 2000-01-01T00:00:00Z");
  g_assert_true (w->ok);
  g_assert_true (report_at (w, 0)->trusted);
}

/* ---- keys ---------------------------------------------------------------- */

static void
test_key_vectors (void)
{
  static const char *names[] = { "key-a", "key-b", "key-c" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(ArwEd25519Key) key = vector_key (names[i]);
      g_autofree char *pub_file = g_strconcat (names[i], ".pub", NULL);
      g_autofree char *json_file = g_strconcat (names[i], ".json", NULL);
      g_autofree char *pub = arw_test_vector_read (NULL, "keys", pub_file, NULL);
      g_autofree char *json_text = arw_test_vector_read (NULL, "keys", json_file, NULL);
      g_autoptr(JsonNode) want = parse_json (json_text);
      g_autoptr(JsonNode) got = arw_ed25519_key_to_json (key, "public-ci@example.test");
      g_autofree char *got_pub = arw_ed25519_key_dup_public_b64 (key);

      g_strstrip (pub);
      g_assert_cmpstr (got_pub, ==, pub);
      assert_json_equal (got, want);
    }
  {
    g_autoptr(ArwEd25519Key) b = vector_key ("key-b");
    g_autofree char *id = arw_ed25519_key_dup_default_key_id (b);
    g_autoptr(JsonNode) json = arw_ed25519_key_to_json (b, NULL);
    g_assert_cmpstr (id, ==, KEY_ID_B);
    g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (json_node_get_object (json), "issuer")));
  }
}

static void
test_key_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwEd25519Key) key = NULL;
  g_autofree char *dir = arw_test_mkdtemp ();
  g_autofree char *bad = g_build_filename (dir, "bad.sk", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.sk", NULL);

  key = arw_ed25519_key_new_from_b64 ("  jgOpIbhyyL9jzKhygRbsCv+o2NzCwyn/vW/ljwdcAJY=\n\t", &error);
  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_clear_pointer (&key, arw_ed25519_key_free);

  key = arw_ed25519_key_new_from_b64 ("jgOpIbhyyL9jzKhygRbsCv-o2NzCwyn_vW_ljwdcAJY=", &error);
  g_assert_null (key);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==,
                   "invalid ed25519 secret key: not standard padded base64: Invalid symbol 45, offset 22.");
  g_clear_error (&error);

  key = arw_ed25519_key_new_from_b64 ("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &error);
  g_assert_null (key);
  g_assert_cmpstr (error->message, ==,
                   "invalid ed25519 secret key: expected the base64 of a 32-byte seed, got 36 bytes");
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (bad, "not a key\n", -1, NULL));
  key = arw_ed25519_key_new_from_file (bad, &error);
  g_assert_null (key);
  g_assert_nonnull (strstr (error->message, bad));
  g_clear_error (&error);

  key = arw_ed25519_key_new_from_file ("/dev/zero", &error);
  g_assert_null (key);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_clear_error (&error);

  key = arw_ed25519_key_new_from_file (missing, &error);
  g_assert_null (key);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  arw_test_rm_rf (dir);
}

static void
test_key_generate_and_write (void)
{
  g_autoptr(ArwEd25519Key) k1 = arw_ed25519_key_generate ();
  g_autoptr(ArwEd25519Key) k2 = arw_ed25519_key_generate ();
  g_autoptr(ArwEd25519Key) reread = NULL;
  g_autofree char *dir = arw_test_mkdtemp ();
  g_autofree char *priv = g_build_filename (dir, "k.sk", NULL);
  g_autofree char *pub = g_build_filename (dir, "k.pub", NULL);
  g_autofree char *pub_text = NULL;
  g_autofree char *pub_b64 = arw_ed25519_key_dup_public_b64 (k1);
  g_autoptr(GError) error = NULL;
  guint8 sig[64];
  GStatBuf st;

  g_assert_cmpmem (arw_ed25519_key_get_public_key (k1), 32, arw_ed25519_key_get_public_key (k1), 32);
  g_assert_true (memcmp (arw_ed25519_key_get_public_key (k1), arw_ed25519_key_get_public_key (k2), 32) != 0);
  arw_ed25519_key_sign (k1, "hello", 5, sig);
  g_assert_cmpint (crypto_sign_ed25519_verify_detached (sig, (const guint8 *) "hello", 5,
                                                        arw_ed25519_key_get_public_key (k1)), ==, 0);

  g_assert_true (arw_ed25519_key_write_files (k1, priv, pub, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (priv, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (pub, &pub_text, NULL, NULL));
  g_assert_cmpstr (pub_text, ==, pub_b64);
  reread = arw_ed25519_key_new_from_file (priv, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (arw_ed25519_key_get_public_key (reread), 32, arw_ed25519_key_get_public_key (k1), 32);
  arw_test_rm_rf (dir);
}

/* Keys that are not prime-order points are refused before verification:
 * junk bytes, the small-order identity (all zeros) and torsion points
 * that dalek would accept. */
static void
test_key_validity (void)
{
  guint8 zero[32] = { 0 }, two[32] = { 2 };
  guint n_valid = 0;

  g_assert_false (arw_ed25519_public_key_is_valid (zero));
  g_assert_false (arw_ed25519_public_key_is_valid (two));
  for (guint i = 0; i < 64; i++)
    {
      g_autofree char *label = g_strdup_printf ("arw-point-%u", i);
      guint8 bytes[32];

      arw_sha256_digest (label, strlen (label), bytes);
      n_valid += arw_ed25519_public_key_is_valid (bytes);
    }
  /* Random 32-byte strings are prime-order points about 1 time in 16. */
  g_assert_cmpuint (n_valid, <, 16);
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(ArwEd25519Key) k = arw_ed25519_key_generate ();
      g_assert_true (arw_ed25519_public_key_is_valid (arw_ed25519_key_get_public_key (k)));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arw/signature/verify-vectors", test_verify_vectors);
  g_test_add_func ("/arw/signature/verify-policy", test_verify_policy);
  g_test_add_func ("/arw/signature/verify-policy-messages", test_verify_policy_messages);
  g_test_add_func ("/arw/signature/audit-vectors", test_audit_vectors);
  g_test_add_func ("/arw/signature/summary-failures", test_summary_failures);
  g_test_add_func ("/arw/signature/entry-rules", test_verify_entry_rules);
  g_test_add_func ("/arw/signature/public-key-alias", test_verify_public_key_alias);
  g_test_add_func ("/arw/signature/signatures-shapes", test_verify_signatures_shapes);
  g_test_add_func ("/arw/signature/rejection-messages", test_verify_rejection_messages);
  g_test_add_func ("/arw/signature/expired-and-wildcard", test_verify_expired_and_wildcard);
  g_test_add_func ("/arw/signature/sign-example", test_sign_example);
  g_test_add_func ("/arw/signature/sign-append-compact", test_sign_append_and_compact);
  g_test_add_func ("/arw/signature/sign-errors", test_sign_errors);
  g_test_add_func ("/arw/signature/key-vectors", test_key_vectors);
  g_test_add_func ("/arw/signature/key-errors", test_key_errors);
  g_test_add_func ("/arw/signature/key-generate-write", test_key_generate_and_write);
  g_test_add_func ("/arw/signature/key-validity", test_key_validity);
  return g_test_run ();
}
