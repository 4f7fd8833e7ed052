/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs the built arw-runtime against ARW's golden command results
 * (results/index.json) in a writable copy of the vectors, and checks exit
 * codes and JSON output; the cases where we deliberately differ from ARW
 * (vectors README) are asserted explicitly. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "arw-test-utils.h"

static char *work_dir;     /* writable copy of the vectors */
static char *empty_config; /* an ARW_CONFIG_DIR with no configs/: "no registry" */

typedef struct {
  int rc;
  char *out;
  char *err;
} CliResult;

static void
cli_result_clear (CliResult *r)
{
  g_free (r->out);
  g_free (r->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliResult, cli_result_clear)

static void
run_cli (JsonObject *env, char **args, CliResult *res)
{
  g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) p = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_set_cwd (l, work_dir);
  g_subprocess_launcher_unsetenv (l, "ARW_RUNTIME_BUNDLE_SIGNERS");
  g_subprocess_launcher_unsetenv (l, "ARW_REQUIRE_SIGNED_BUNDLES");
  g_subprocess_launcher_setenv (l, "ARW_CONFIG_DIR", empty_config, TRUE);
  g_subprocess_launcher_setenv (l, "ARW_STATE_DIR", empty_config, TRUE);
  g_subprocess_launcher_setenv (l, "NO_COLOR", "1", TRUE);
  if (env != NULL)
    {
      g_autoptr(GList) names = json_object_get_members (env);
      for (GList *n = names; n != NULL; n = n->next)
        g_subprocess_launcher_setenv (l, n->data, json_object_get_string_member (env, n->data), TRUE);
    }
  g_ptr_array_add (argv, (gpointer) g_getenv ("ARW_RUNTIME_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, args[i]);
  g_ptr_array_add (argv, NULL);
  p = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (p, NULL, NULL, &res->out, &res->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (p));
  res->rc = g_subprocess_get_exit_status (p);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
strip_volatile (JsonNode *node)
{
  static const char *volatile_keys[] = { "generated", "generated_ms" };

  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *o = json_node_get_object (node);
      g_autoptr(GList) members = NULL;
      for (guint i = 0; i < G_N_ELEMENTS (volatile_keys); i++)
        if (json_object_has_member (o, volatile_keys[i]))
          json_object_remove_member (o, volatile_keys[i]);
      members = json_object_get_values (o);
      for (GList *m = members; m != NULL; m = m->next)
        strip_volatile (m->data);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (a); i++)
        strip_volatile (json_array_get_element (a, i));
    }
}

static void
assert_json_equal (const char *ours, const char *theirs, const char *what)
{
  g_autoptr(JsonNode) a = parse_json (ours);
  g_autoptr(JsonNode) b = parse_json (theirs);

  strip_volatile (a);
  strip_volatile (b);
  if (!json_node_equal (a, b))
    g_error ("%s: JSON differs from ARW's\nours:   %s\ntheirs: %s", what, ours, theirs);
}

static char **
entry_args (JsonObject *entry)
{
  JsonArray *argv = json_object_get_array_member (entry, "argv");
  GPtrArray *out = g_ptr_array_new ();

  /* ARW: "arw-cli runtime bundles …"; ours: "arw-runtime bundles …" */
  for (guint i = 2; i < json_array_get_length (argv); i++)
    g_ptr_array_add (out, g_strdup (json_array_get_string_element (argv, i)));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

static char *
read_result_path (const char *relpath)
{
  g_autofree char *path = g_build_filename (work_dir, relpath, NULL);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static char *
read_result (JsonObject *entry, const char *key)
{
  return read_result_path (json_object_get_string_member (entry, key));
}

static JsonObject *
find_entry (JsonNode *index, const char *name)
{
  JsonArray *entries = json_node_get_array (index);

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *e = json_array_get_object_element (entries, i);
      if (g_str_equal (json_object_get_string_member (e, "name"), name))
        return e;
    }
  g_assert_not_reached ();
}

/* Runs one named entry of results/index.json. */
static JsonNode *
run_entry (const char *name, CliResult *res, JsonObject **out_entry)
{
  g_autofree char *index_text = read_result_path ("results/index.json");
  JsonNode *index = parse_json (index_text);
  JsonObject *entry = find_entry (index, name);
  g_auto(GStrv) args = entry_args (entry);

  run_cli (json_object_get_object_member (entry, "env"), args, res);
  *out_entry = entry;
  return index;
}

/* The keyid-spoof vector: ARW trusts it (gap 1); we must not. */
static void
check_keyid_spoof_json (const char *ours)
{
  g_autoptr(JsonNode) node = parse_json (ours);
  JsonObject *o = json_node_get_object (node);
  JsonObject *sig = json_array_get_object_element (json_object_get_array_member (o, "signatures"), 0);

  g_assert_cmpint (json_object_get_int_member (o, "trusted_signatures"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "rejected_signatures"), ==, 1);
  g_assert_false (json_object_get_boolean_member (sig, "trusted"));
  g_assert_true (json_object_get_boolean_member (sig, "rejected"));
  g_assert_true (json_object_get_boolean_member (sig, "signature_valid"));
}

static void
check_verify_entry (JsonObject *entry, const char *name, CliResult *res)
{
  gboolean require = g_str_has_suffix (name, "-require-trusted");
  gboolean noreg = strstr (name, ".noreg.") != NULL;
  gboolean spoof = g_str_has_prefix (name, "verify/keyid-spoof.reg.");
  gboolean json = strstr (name, ".json") != NULL;
  int arw_rc = json_object_get_int_member (entry, "exit_code");
  g_autofree char *arw_out = read_result (entry, "stdout");

  if (require && noreg)
    {
      /* Fail closed: no registry while trust is required (ARW gap 3). */
      g_assert_cmpint (res->rc, ==, 1);
      g_assert_nonnull (strstr (res->err, "signer registry"));
      return;
    }
  if (spoof)
    {
      g_assert_cmpint (res->rc, ==, require ? 1 : 0);
      if (json)
        check_keyid_spoof_json (res->out);
      return;
    }
  g_assert_cmpint (res->rc, ==, arw_rc);
  if (json)
    assert_json_equal (res->out, arw_out, name);
}

static void
test_cli_replay (void)
{
  g_autofree char *index_text = read_result_path ("results/index.json");
  g_autoptr(JsonNode) index = parse_json (index_text);
  JsonArray *entries = json_node_get_array (index);
  guint n_checked = 0;

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      const char *name = json_object_get_string_member (entry, "name");
      g_auto(GStrv) args = NULL;
      g_auto(CliResult) res = { 0 };

      if (!g_str_has_prefix (name, "verify/"))
        continue;
      args = entry_args (entry);
      run_cli (json_object_get_object_member (entry, "env"), args, &res);
      g_test_message ("%s: rc %d", name, res.rc);
      check_verify_entry (entry, name, &res);
      n_checked++;
    }
  g_assert_cmpuint (n_checked, >=, 70);
}

static void
test_cli_list_json (void)
{
  g_auto(CliResult) res = { 0 };
  JsonObject *entry;
  g_autoptr(JsonNode) index G_GNUC_UNUSED = run_entry ("list-install-state-json", &res, &entry);
  g_autofree char *arw_out = read_result (entry, "stdout");

  g_assert_cmpint (res.rc, ==, 0);
  /* Pretty output must be serde's layout with sorted keys. */
  g_assert_true (g_str_has_prefix (res.out, "{\n  \"catalogs\": [\n"));
  assert_json_equal (res.out, arw_out, "list-install-state-json");
}

static JsonObject *
find_installation (JsonObject *root, const char *id)
{
  JsonArray *a = json_object_get_array_member (root, "installations");

  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *o = json_array_get_object_element (a, i);
      if (g_str_equal (json_object_get_string_member (o, "id"), id))
        return o;
    }
  g_assert_not_reached ();
}

static void
test_cli_audit_require_signed (void)
{
  g_auto(CliResult) res = { 0 };
  JsonObject *entry;
  g_autoptr(JsonNode) index G_GNUC_UNUSED = run_entry ("audit-good/reg.json-require-signed", &res, &entry);
  g_autofree char *arw_out = read_result (entry, "stdout");
  g_autoptr(JsonNode) ours = parse_json (res.out);
  g_autoptr(JsonNode) theirs = parse_json (arw_out);
  JsonObject *summary = json_object_get_object_member (json_node_get_object (ours), "summary");
  const char *same[] = { "public.sig/valid-trusted", "public.sig/untrusted-signer" };

  /* ARW passes untrusted and spoofed signers (gap 2); we fail them. */
  g_assert_cmpint (res.rc, ==, 1);
  g_assert_nonnull (strstr (res.err, "public.sig/keyid-spoof"));
  g_assert_nonnull (strstr (res.err, "public.sig/untrusted-signer"));
  g_assert_cmpint (json_object_get_int_member (summary, "trusted"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (summary, "failed"), ==, 2);
  g_assert_false (json_object_get_boolean_member (summary, "ok"));
  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    {
      g_autoptr(JsonNode) a = json_node_alloc ();
      g_autoptr(JsonNode) b = json_node_alloc ();
      json_node_init_object (a, find_installation (json_node_get_object (ours), same[i]));
      json_node_init_object (b, find_installation (json_node_get_object (theirs), same[i]));
      g_assert_true (json_node_equal (a, b));
    }
}

static void
test_cli_audit_noreg_fails_closed (void)
{
  g_auto(CliResult) res = { 0 };
  JsonObject *entry;
  g_autoptr(JsonNode) index G_GNUC_UNUSED = run_entry ("audit-good/noreg.json-require-signed", &res, &entry);

  /* ARW exits 0 here (gap 3): with no registry nothing can be trusted. */
  g_assert_cmpint (res.rc, ==, 1);
  g_assert_nonnull (strstr (res.err, "signer registry"));
}

static void
test_cli_sign_example (void)
{
  g_auto(CliResult) res = { 0 };
  g_auto(CliResult) verify = { 0 };
  JsonObject *entry;
  g_autoptr(JsonNode) index G_GNUC_UNUSED = NULL;
  g_autofree char *arw_out = NULL;
  g_autofree char *tmp = g_build_filename (work_dir, "tmp", NULL);
  char *verify_args[] = { "bundles", "manifest", "verify", "tmp/sign-example.json", "--require-trusted", NULL };
  g_autoptr(JsonObject) env = json_object_new ();
  g_auto(GStrv) ours = NULL, theirs = NULL;

  g_mkdir_with_parents (tmp, 0755);
  index = run_entry ("sign-example", &res, &entry);
  arw_out = read_result (entry, "stdout");
  g_assert_cmpint (res.rc, ==, 0);
  ours = g_strsplit (res.out, "\n", -1);
  theirs = g_strsplit (arw_out, "\n", -1);
  /* Ed25519 is deterministic: same payload digest, key and signature. */
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (ours[i], ==, theirs[i]);

  json_object_set_string_member (env, "ARW_RUNTIME_BUNDLE_SIGNERS", "registry/bundle_signers.json");
  run_cli (env, verify_args, &verify);
  g_assert_cmpint (verify.rc, ==, 0);
  g_assert_nonnull (strstr (verify.out, "trusted for preview"));
}

static void
test_cli_errors (void)
{
  const struct { const char *name; const char *needle; } cases[] = {
    { "errors/verify-array-root", "bundle manifest root must be a JSON object" },
    { "errors/sign-no-key", "provide --key-b64 or --key-file" },
    { "errors/pretty-without-json", "--json" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(CliResult) res = { 0 };
      JsonObject *entry;
      g_autoptr(JsonNode) index G_GNUC_UNUSED = run_entry (cases[i].name, &res, &entry);

      g_assert_cmpint (res.rc, ==, json_object_get_int_member (entry, "exit_code"));
      g_assert_nonnull (strstr (res.err, cases[i].needle));
    }
}

static void
test_cli_usage (void)
{
  char *unknown[] = { "frobnicate", NULL };
  char *bad_flag[] = { "bundles", "list", "--no-such-flag", NULL };
  char *version[] = { "--version", NULL };
  char *help[] = { "bundles", "list", "--help", NULL };
  g_auto(CliResult) a = { 0 };
  g_auto(CliResult) b = { 0 };
  g_auto(CliResult) c = { 0 };
  g_auto(CliResult) d = { 0 };

  run_cli (NULL, unknown, &a);
  g_assert_cmpint (a.rc, ==, 2);
  g_assert_nonnull (strstr (a.err, "unknown command"));
  run_cli (NULL, bad_flag, &b);
  g_assert_cmpint (b.rc, ==, 2);
  g_assert_nonnull (strstr (b.err, "--no-such-flag"));
  run_cli (NULL, version, &c);
  g_assert_cmpint (c.rc, ==, 0);
  g_assert_true (g_str_has_prefix (c.out, "arw-runtime "));
  run_cli (NULL, help, &d);
  g_assert_cmpint (d.rc, ==, 0);
  g_assert_nonnull (strstr (d.out, "--install-dir"));
}

/* One broken catalog file is reported and skipped; the others still list. */
static void
test_cli_list_broken_catalog (void)
{
  g_autofree char *dir = g_build_filename (work_dir, "broken-catalogs", NULL);
  g_autofree char *good = g_build_filename (dir, "bundles.good.json", NULL);
  g_autofree char *bad = g_build_filename (dir, "bundles.bad.json", NULL);
  g_autofree char *src = read_result_path ("catalogs/bundles.public.json");
  char *args[] = { "bundles", "list", "--dir", "broken-catalogs", "--json", NULL };
  char *strict[] = { "bundles", "list", "--dir", "broken-catalogs", "--strict", NULL };
  g_auto(CliResult) res = { 0 };
  g_auto(CliResult) res_strict = { 0 };
  g_autoptr(JsonNode) node = NULL;

  g_mkdir_with_parents (dir, 0755);
  g_assert_true (g_file_set_contents (good, src, -1, NULL));
  g_assert_true (g_file_set_contents (bad, "{\"version\": 1,\n \"bundles\": [ }", -1, NULL));
  run_cli (NULL, args, &res);
  g_assert_cmpint (res.rc, ==, 0);
  g_assert_nonnull (strstr (res.err, "bundles.bad.json"));
  g_assert_nonnull (strstr (res.err, "line 2"));
  node = parse_json (res.out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (node), "catalogs")), ==, 1);

  run_cli (NULL, strict, &res_strict);
  g_assert_cmpint (res_strict.rc, ==, 1);
  g_assert_nonnull (strstr (res_strict.err, "bundles.bad.json"));
}

static void
test_cli_keys_roundtrip (void)
{
  char *gen[] = { "keys", "generate", "--out-priv", "tmp/k.sk", "--out-pub", "tmp/k.pub", NULL };
  char *sign[] = { "bundles", "manifest", "sign", "manifests/unsigned.json", "--key-file", "tmp/k.sk",
                   "--key-id", "mine", "--output", "tmp/mine.json", NULL };
  char *verify[] = { "bundles", "manifest", "verify", "tmp/mine.json", "--json", NULL };
  g_autofree char *tmp = g_build_filename (work_dir, "tmp", NULL);
  g_autofree char *pub = NULL, *registry = NULL, *reg_path = NULL;
  g_autoptr(JsonObject) env = json_object_new ();
  g_auto(CliResult) a = { 0 };
  g_auto(CliResult) b = { 0 };
  g_auto(CliResult) c = { 0 };
  g_autoptr(JsonNode) node = NULL;

  g_mkdir_with_parents (tmp, 0755);
  run_cli (NULL, gen, &a);
  g_assert_cmpint (a.rc, ==, 0);
  pub = read_result_path ("tmp/k.pub");
  g_strstrip (pub);
  registry = g_strdup_printf ("{\"version\":1,\"signers\":[{\"key_id\":\"mine\",\"public_key_b64\":\"%s\"}]}", pub);
  reg_path = g_build_filename (tmp, "mine-signers.json", NULL);
  g_assert_true (g_file_set_contents (reg_path, registry, -1, NULL));
  run_cli (NULL, sign, &b);
  g_assert_cmpint (b.rc, ==, 0);
  json_object_set_string_member (env, "ARW_RUNTIME_BUNDLE_SIGNERS", "tmp/mine-signers.json");
  run_cli (env, verify, &c);
  g_assert_cmpint (c.rc, ==, 0);
  node = parse_json (c.out);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "trusted_signatures"), ==, 1);
}

static void
copy_vectors (void)
{
  g_autofree char *src = arw_test_vector_path (".", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) cp = NULL;
  g_autofree char *dest = NULL;

  work_dir = arw_test_mkdtemp ();
  empty_config = arw_test_mkdtemp ();
  dest = g_build_filename (work_dir, ".", NULL);
  cp = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "cp", "-R", src, work_dir, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (cp, NULL, &error));
  g_assert_no_error (error);
  {
    /* cp -R SRC/. DEST copies the contents; make the copy writable. */
    g_autoptr(GSubprocess) chmod = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "chmod", "-R", "u+w", work_dir, NULL);
    g_assert_true (g_subprocess_wait_check (chmod, NULL, &error));
  }
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  copy_vectors ();
  g_test_add_func ("/arw/cli/replay-verify", test_cli_replay);
  g_test_add_func ("/arw/cli/list-json", test_cli_list_json);
  g_test_add_func ("/arw/cli/audit-require-signed", test_cli_audit_require_signed);
  g_test_add_func ("/arw/cli/audit-noreg-fails-closed", test_cli_audit_noreg_fails_closed);
  g_test_add_func ("/arw/cli/sign-example", test_cli_sign_example);
  g_test_add_func ("/arw/cli/errors", test_cli_errors);
  g_test_add_func ("/arw/cli/usage", test_cli_usage);
  g_test_add_func ("/arw/cli/list-broken-catalog", test_cli_list_broken_catalog);
  g_test_add_func ("/arw/cli/keys-roundtrip", test_cli_keys_roundtrip);
  rc = g_test_run ();
  arw_test_rm_rf (work_dir);
  arw_test_rm_rf (empty_config);
  return rc;
}
