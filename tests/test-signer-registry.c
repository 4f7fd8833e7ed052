/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "arw-error.h"
#include "arw-signer-registry.h"
#include "arw-test-utils.h"

#define PK_A "koiKlraGAFwLPgffupMOOwF0fqvuZ4gQARUm66LaWyE="
#define PK_B "SUa0nKa/f736yrKI4sF7NJggQoxjO5xTX0xwfi42G+0="
#define PK_C "7t/Vgx/uDp6ttFGbacKQzZq32/0TSFU1qoY0hZBUYxA="

static ArwSignerRegistry *
load_json (const char *json, GError **error)
{
  return arw_signer_registry_new_from_data (json, -1, "test.json", error);
}

static void
test_registry_vector (void)
{
  g_autofree char *path = arw_test_vector_path ("registry", "bundle_signers.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwSignerRegistry) reg = arw_signer_registry_new_from_file (path, &error);
  const ArwSigner *s;

  g_assert_no_error (error);
  g_assert_cmpuint (arw_signer_registry_get_n_signers (reg), ==, 2);
  g_assert_cmpstr (arw_signer_registry_get_path (reg), ==, path);
  s = arw_signer_registry_get_signer (reg, 0);
  g_assert_cmpstr (s->key_id, ==, "public-preview-signer");
  g_assert_cmpstr (s->public_key_b64, ==, PK_A);
  g_assert_cmphex (s->public_key[0], ==, 0x92);
  g_assert_cmpstr (s->issuer, ==, "public-ci@example.test");
  g_assert_cmpstr (s->notes, ==, "Trusted for the preview channel only.");
  g_assert_null (s->expires_at);
  g_assert_cmpstrv (s->channels, ((const char *[]) { "preview", NULL }));
  g_assert_true (arw_signer_registry_find_by_key_id (reg, "public-stable-signer") ==
                 arw_signer_registry_get_signer (reg, 1));
  g_assert_true (arw_signer_registry_find_by_public_key (reg, PK_C) ==
                 arw_signer_registry_get_signer (reg, 1));
  g_assert_null (arw_signer_registry_find_by_public_key (reg, PK_B));
}

static void
test_registry_empty (void)
{
  g_autofree char *path = arw_test_vector_path ("registry", "empty_signers.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwSignerRegistry) reg = arw_signer_registry_new_from_file (path, &error);
  g_autoptr(ArwSignerRegistry) no_list = load_json ("{\"version\": 1}", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (arw_signer_registry_get_n_signers (reg), ==, 0);
  g_assert_cmpuint (arw_signer_registry_get_n_signers (no_list), ==, 0);
  g_assert_cmpint (arw_signer_registry_check (reg, PK_A, "preview", NULL, NULL), ==,
                   ARW_SIGNER_TRUST_UNKNOWN_KEY);
}

static void
test_registry_trim (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwSignerRegistry) reg = load_json (
    "{\"version\":1,\"signers\":[{\"key_id\":\"  a \\t\",\"public_key_b64\":\" " PK_A "\\n\","
    "\"issuer\":\"  \",\"notes\":null,\"expires_at\":\"\",\"channels\":[\" preview \",\"\",\"  \",\"Stable\"]}]}",
    &error);
  const ArwSigner *s;

  g_assert_no_error (error);
  s = arw_signer_registry_get_signer (reg, 0);
  g_assert_cmpstr (s->key_id, ==, "a");
  g_assert_cmpstr (s->public_key_b64, ==, PK_A);
  g_assert_null (s->issuer);
  g_assert_null (s->notes);
  g_assert_null (s->expires_at);
  g_assert_null (s->expires);
  g_assert_cmpstrv (s->channels, ((const char *[]) { "preview", "Stable", NULL }));
}

typedef struct {
  const char *signers;
  const char *message;
} BadCase;

static void
test_registry_errors (void)
{
  static const BadCase cases[] = {
    { "[{\"key_id\":\"a\",\"public_key_b64\":\"" PK_A "\"},{\"key_id\":\"a\",\"public_key_b64\":\"" PK_B "\"}]",
      "test.json: signers[1] (key_id \"a\"): duplicate key_id (also used by signers[0])" },
    { "[{\"key_id\":\"a\",\"public_key_b64\":\"" PK_A "\"},{\"key_id\":\"b\",\"public_key_b64\":\" " PK_A "\"}]",
      "test.json: signers[1] (key_id \"b\"): duplicate public_key_b64 (also used by signers[0] \"a\")" },
    { "[{\"key_id\":\"a\",\"public_key_b64\":\"koiKlraGAFwLPgffupMOOwF0fqvuZ4gQARUm66LaWyE\"}]",
      "test.json: signers[0] (key_id \"a\"): public_key_b64 is not the standard base64 of a 32-byte ed25519 key (Invalid padding)" },
    { "[{\"key_id\":\"a\",\"public_key_b64\":\"koiKlraGAFwLPgffupMOOwF0fqvuZ4gQARUm66LaWyE_\"}]",
      "test.json: signers[0] (key_id \"a\"): public_key_b64 is not the standard base64 of a 32-byte ed25519 key (Invalid symbol 95, offset 43.)" },
    { "[{\"key_id\":\"a\",\"public_key_b64\":\"Zm9v\"}]",
      "test.json: signers[0] (key_id \"a\"): public_key_b64 is not the standard base64 of a 32-byte ed25519 key (decoded length 3 is not 32 bytes)" },
    { "[{\"key_id\":\"  \",\"public_key_b64\":\"" PK_A "\"}]",
      "test.json: signers[0] (key_id \"  \"): key_id is missing or empty" },
    { "[{\"public_key_b64\":\"" PK_A "\"}]",
      "test.json: signers[0]: key_id is missing or empty" },
    { "[{\"key_id\":\"a\"}]",
      "test.json: signers[0] (key_id \"a\"): public_key_b64 is missing or empty" },
    { "[{\"key_id\":\"a\",\"public_key_b64\":\"" PK_A "\",\"expires_at\":\"tomorrow\"}]",
      "test.json: signers[0] (key_id \"a\"): expires_at \"tomorrow\" is not an RFC 3339 timestamp such as 2026-01-31T00:00:00Z" },
    { "[{\"key_id\":\"a\",\"public_key_b64\":\"" PK_A "\",\"expires_at\":\"2026-01-01T00:00:00\"}]",
      "test.json: signers[0] (key_id \"a\"): expires_at \"2026-01-01T00:00:00\" is not an RFC 3339 timestamp such as 2026-01-31T00:00:00Z" },
    { "[{\"key_id\":\"a\",\"public_key_b64\":\"" PK_A "\",\"channels\":[1]}]",
      "test.json: signers[0] (key_id \"a\"): channels must be an array of strings" },
    { "[{\"key_id\":\"a\",\"public_key_b64\":\"" PK_A "\",\"channels\":\"preview\"}]",
      "test.json: signers[0] (key_id \"a\"): channels must be an array of strings" },
    { "[42]", "test.json: signers[0]: entry is not an object" },
    { "{}", "test.json: \"signers\" must be an array" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"version\":1,\"signers\":%s}", cases[i].signers);
      g_autoptr(GError) error = NULL;
      g_autoptr(ArwSignerRegistry) reg = load_json (json, &error);

      g_test_message ("case %u", i);
      g_assert_null (reg);
      g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_registry_bad_documents (void)
{
  static const char *docs[] = {
    "[]", "{\"signers\":[]}", "{\"version\":\"1\"}", "{\"version\":-1}", "{\"version\":1.5}", "{", "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (docs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ArwSignerRegistry) reg = load_json (docs[i], &error);

      g_assert_null (reg);
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, "test.json: "));
    }
}

static void
test_registry_deep_nesting (void)
{
  g_autoptr(GString) json = g_string_new ("{\"version\":1,\"x\":");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwSignerRegistry) reg = NULL;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (json, '[');
  reg = load_json (json->str, &error);
  g_assert_null (reg);
  g_assert_cmpstr (error->message, ==, "test.json: JSON nested deeper than 32 levels");
}

static ArwSigner *
make_signer (const char *const *channels)
{
  ArwSigner *s = g_new0 (ArwSigner, 1);

  s->channels = g_strdupv ((char **) channels);
  return s;
}

static void
free_signer (ArwSigner *s)
{
  g_strfreev (s->channels);
  g_free (s);
}

static void
test_registry_channels (void)
{
  const char *none[] = { NULL };
  const char *star[] = { "*", NULL };
  const char *all[] = { "ALL", NULL };
  const char *preview[] = { "Preview", "beta", NULL };
  ArwSigner *s;

  s = make_signer (none);
  g_assert_true (arw_signer_allows_channel (s, "preview"));
  g_assert_true (arw_signer_allows_channel (s, NULL));
  g_assert_true (arw_signer_allows_channel (s, ""));
  free_signer (s);

  s = make_signer (star);
  g_assert_true (arw_signer_allows_channel (s, "anything"));
  g_assert_false (arw_signer_allows_channel (s, NULL));
  g_assert_false (arw_signer_allows_channel (s, "  "));
  free_signer (s);

  s = make_signer (all);
  g_assert_true (arw_signer_allows_channel (s, "stable"));
  g_assert_false (arw_signer_allows_channel (s, NULL));
  free_signer (s);

  s = make_signer (preview);
  g_assert_true (arw_signer_allows_channel (s, "preview"));
  g_assert_true (arw_signer_allows_channel (s, " PREVIEW "));
  g_assert_true (arw_signer_allows_channel (s, "Beta"));
  g_assert_false (arw_signer_allows_channel (s, "stable"));
  g_assert_false (arw_signer_allows_channel (s, "previews"));
  g_assert_false (arw_signer_allows_channel (s, NULL));
  free_signer (s);
}

static void
test_registry_check (void)
{
  g_autofree char *path = arw_test_vector_path ("registry", "bundle_signers.json", NULL);
  g_autoptr(ArwSignerRegistry) reg = arw_signer_registry_new_from_file (path, NULL);
  const ArwSigner *s = NULL;

  g_assert_cmpint (arw_signer_registry_check (reg, PK_A, "preview", NULL, &s), ==, ARW_SIGNER_TRUST_TRUSTED);
  g_assert_cmpstr (s->key_id, ==, "public-preview-signer");
  g_assert_cmpint (arw_signer_registry_check (reg, PK_A, "stable", NULL, &s), ==, ARW_SIGNER_TRUST_WRONG_CHANNEL);
  g_assert_cmpint (arw_signer_registry_check (reg, PK_A, NULL, NULL, &s), ==, ARW_SIGNER_TRUST_WRONG_CHANNEL);
  g_assert_cmpint (arw_signer_registry_check (reg, PK_C, "preview", NULL, &s), ==, ARW_SIGNER_TRUST_WRONG_CHANNEL);
  /* key-b is unknown whatever key_id it claims (the keyid-spoof fix) */
  g_assert_cmpint (arw_signer_registry_check (reg, PK_B, "preview", NULL, &s), ==, ARW_SIGNER_TRUST_UNKNOWN_KEY);
  g_assert_null (s);
  /* exact, untrimmed comparison of the manifest's value */
  g_assert_cmpint (arw_signer_registry_check (reg, " " PK_A, "preview", NULL, NULL), ==, ARW_SIGNER_TRUST_UNKNOWN_KEY);
  g_assert_cmpint (arw_signer_registry_check (reg, NULL, "preview", NULL, NULL), ==, ARW_SIGNER_TRUST_UNKNOWN_KEY);
}

static void
test_registry_expiry (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwSignerRegistry) reg = load_json (
    "{\"version\":1,\"signers\":["
    "{\"key_id\":\"old\",\"public_key_b64\":\"" PK_A "\",\"expires_at\":\"2000-01-01T00:00:00Z\"},"
    "{\"key_id\":\"new\",\"public_key_b64\":\"" PK_B "\",\"expires_at\":\"2999-12-31T23:59:59.5+02:00\"},"
    "{\"key_id\":\"edge\",\"public_key_b64\":\"" PK_C "\",\"expires_at\":\"2030-06-01t12:00:00z\"}]}",
    &error);
  g_autoptr(GDateTime) before = g_date_time_new_utc (2030, 6, 1, 11, 59, 59);
  g_autoptr(GDateTime) at = g_date_time_new_utc (2030, 6, 1, 12, 0, 0);
  const ArwSigner *s = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (arw_signer_registry_check (reg, PK_A, "preview", NULL, &s), ==, ARW_SIGNER_TRUST_EXPIRED);
  g_assert_cmpstr (s->expires_at, ==, "2000-01-01T00:00:00Z");
  g_assert_cmpint (arw_signer_registry_check (reg, PK_B, "preview", NULL, NULL), ==, ARW_SIGNER_TRUST_TRUSTED);
  g_assert_cmpint (arw_signer_registry_check (reg, PK_C, "x", before, NULL), ==, ARW_SIGNER_TRUST_TRUSTED);
  g_assert_cmpint (arw_signer_registry_check (reg, PK_C, "x", at, NULL), ==, ARW_SIGNER_TRUST_EXPIRED);
  g_assert_true (arw_signer_is_expired (arw_signer_registry_find_by_key_id (reg, "old"), NULL));
}

static void
test_registry_locate (void)
{
  g_autofree char *dir = arw_test_mkdtemp ();
  g_autofree char *cfg = g_build_filename (dir, "configs", "runtime", NULL);
  g_autofree char *file = g_build_filename (cfg, "bundle_signers.json", NULL);
  g_autofree char *found = NULL;
  g_autofree char *from_env = NULL;

  g_assert_cmpint (g_mkdir_with_parents (cfg, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "{\"version\":1}", -1, NULL));
  g_setenv ("ARW_CONFIG_DIR", dir, TRUE);

  g_setenv ("ARW_RUNTIME_BUNDLE_SIGNERS", "  /nonexistent/signers.json \n", TRUE);
  from_env = arw_signer_registry_locate ();
  g_assert_cmpstr (from_env, ==, "/nonexistent/signers.json");

  g_setenv ("ARW_RUNTIME_BUNDLE_SIGNERS", "   ", TRUE);
  found = arw_signer_registry_locate ();
  g_assert_cmpstr (found, ==, file);

  g_unsetenv ("ARW_RUNTIME_BUNDLE_SIGNERS");
  g_unsetenv ("ARW_CONFIG_DIR");
  arw_test_rm_rf (dir);
}

static void
test_registry_load_states (void)
{
  g_autofree char *good = arw_test_vector_path ("registry", "bundle_signers.json", NULL);
  g_autofree char *empty = arw_test_vector_path ("registry", "empty_signers.json", NULL);
  g_autoptr(ArwSignerRegistryLoad) absent = arw_signer_registry_load_path (NULL);
  g_autoptr(ArwSignerRegistryLoad) failed = arw_signer_registry_load_path ("registry/does_not_exist.json");
  g_autoptr(ArwSignerRegistryLoad) loaded = arw_signer_registry_load_path (good);
  g_autoptr(ArwSignerRegistryLoad) loaded_empty = arw_signer_registry_load_path (empty);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (absent->state, ==, ARW_SIGNER_REGISTRY_ABSENT);
  g_assert_null (absent->registry);
  g_assert_false (arw_signer_registry_load_require (absent, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED);
  g_assert_nonnull (strstr (error->message, "ARW_RUNTIME_BUNDLE_SIGNERS"));
  g_clear_error (&error);

  g_assert_cmpint (failed->state, ==, ARW_SIGNER_REGISTRY_FAILED);
  g_assert_error (failed->error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_cmpstr (failed->error->message, ==, "cannot read registry/does_not_exist.json: no such file");
  g_assert_false (arw_signer_registry_load_require (failed, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED);
  g_assert_nonnull (strstr (error->message, "registry/does_not_exist.json"));
  g_clear_error (&error);

  {
    g_autoptr(ArwSignerRegistryLoad) dir = arw_signer_registry_load_path ("/");
    g_assert_cmpint (dir->state, ==, ARW_SIGNER_REGISTRY_FAILED);
    g_assert_cmpstr (dir->error->message, ==, "/: not a regular file of at most 1048576 bytes");
  }

  g_assert_cmpint (loaded_empty->state, ==, ARW_SIGNER_REGISTRY_LOADED);
  g_assert_false (arw_signer_registry_load_require (loaded_empty, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED);
  g_assert_nonnull (strstr (error->message, "lists no signers"));
  g_clear_error (&error);

  g_assert_cmpint (loaded->state, ==, ARW_SIGNER_REGISTRY_LOADED);
  g_assert_nonnull (loaded->registry);
  g_assert_true (arw_signer_registry_load_require (loaded, &error));
  g_assert_no_error (error);
}

static void
test_registry_load_default_env (void)
{
  g_autofree char *good = arw_test_vector_path ("registry", "bundle_signers.json", NULL);
  g_autoptr(ArwSignerRegistryLoad) load = NULL;

  g_setenv ("ARW_RUNTIME_BUNDLE_SIGNERS", good, TRUE);
  load = arw_signer_registry_load_default ();
  g_unsetenv ("ARW_RUNTIME_BUNDLE_SIGNERS");
  g_assert_cmpint (load->state, ==, ARW_SIGNER_REGISTRY_LOADED);
  g_assert_cmpstr (load->path, ==, good);
  g_assert_cmpuint (arw_signer_registry_get_n_signers (load->registry), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arw/signer-registry/vector", test_registry_vector);
  g_test_add_func ("/arw/signer-registry/empty", test_registry_empty);
  g_test_add_func ("/arw/signer-registry/trim", test_registry_trim);
  g_test_add_func ("/arw/signer-registry/errors", test_registry_errors);
  g_test_add_func ("/arw/signer-registry/bad-documents", test_registry_bad_documents);
  g_test_add_func ("/arw/signer-registry/deep-nesting", test_registry_deep_nesting);
  g_test_add_func ("/arw/signer-registry/channels", test_registry_channels);
  g_test_add_func ("/arw/signer-registry/check", test_registry_check);
  g_test_add_func ("/arw/signer-registry/expiry", test_registry_expiry);
  g_test_add_func ("/arw/signer-registry/locate", test_registry_locate);
  g_test_add_func ("/arw/signer-registry/load-states", test_registry_load_states);
  g_test_add_func ("/arw/signer-registry/load-default-env", test_registry_load_default_env);
  return g_test_run ();
}
