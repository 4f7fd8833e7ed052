/* SPDX-License-Identifier: GPL-3.0-or-later */
/* arw-runtime bundles install/import/rollback/remove, run as a process:
 * - ARW's golden results (install-*, import-*, rollback-*) replayed in a
 *   writable copy of the vectors with www/ on the loopback server;
 * - signed publisher manifests, import, --json progress, SIGINT, remove;
 * - SIGKILL at >= 50 random moments of `install --force` (ARW_CRASH_ITERATIONS
 *   raises the count): the bundle is always exactly the old or the new
 *   revision and staging is empty after the next `bundles list`;
 * - ENOSPC on a small tmpfs (unshare -Urm): clear error, previous revision
 *   byte-identical.
 *
 * Deliberate differences from ARW, asserted here:
 * - ARW never extracts: the stub "archives" of the vectors fail with "not a
 *   valid archive" unless --no-extract is given (the replay adds it);
 * - error lines carry an "error: " prefix, and the hash-mismatch message
 *   reads "…: expected X, got Y; the download was discarded";
 * - hints name `arw-runtime bundles import` instead of `arw-cli runtime …`;
 * - rollback moves the restored revision out of history (a rename, not a
 *   copy), so ARW's history keeps one more revision (the restored one, with
 *   "restored_at"); our rollback snapshot's info.json records
 *   "restored_revision" and "restored_at" instead;
 * - every revision also holds our provenance.json side file. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <glib/gstdio.h>

#include "arw-bundle.h"
#include "arw-store.h"
#include "arw-test-http-server.h"
#include "arw-test-utils.h"
#include "installer-test-util.h"

#define ARW_PORT "127.0.0.1:18766"

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

static GSubprocessLauncher *
launcher_new (const char *cwd, const char *const *env)
{
  GSubprocessLauncher *l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_subprocess_launcher_set_cwd (l, cwd);
  g_subprocess_launcher_unsetenv (l, "ARW_RUNTIME_BUNDLE_SIGNERS");
  g_subprocess_launcher_unsetenv (l, "ARW_REQUIRE_SIGNED_BUNDLES");
  g_subprocess_launcher_unsetenv (l, "ARW_STORE_CRASH_AT");
  g_subprocess_launcher_setenv (l, "ARW_CONFIG_DIR", cwd, TRUE);
  g_subprocess_launcher_setenv (l, "ARW_STATE_DIR", cwd, TRUE);
  g_subprocess_launcher_setenv (l, "NO_COLOR", "1", TRUE);
  g_subprocess_launcher_setenv (l, "ARW_DOWNLOAD_MAX_RETRIES", "0", TRUE);
  for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (l, env[i], env[i + 1], TRUE);
  return l;
}

static GSubprocess *
spawn_cli (const char *cwd, const char *const *env, const char *const *args)
{
  g_autoptr(GSubprocessLauncher) l = launcher_new (cwd, env);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *p;

  g_ptr_array_add (argv, (gpointer) g_getenv ("ARW_RUNTIME_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  p = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  return p;
}

static void
finish_cli (GSubprocess *p, CliResult *res)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (p, NULL, NULL, &res->out, &res->err, &error);
  g_assert_no_error (error);
  res->rc = g_subprocess_get_if_exited (p) ? g_subprocess_get_exit_status (p) : -g_subprocess_get_term_sig (p);
}

static void
run_cli (const char *cwd, const char *const *env, const char *const *args, CliResult *res)
{
  g_autoptr(GSubprocess) p = spawn_cli (cwd, env, args);

  finish_cli (p, res);
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

static char *
read_text (const char *dir, const char *rel)
{
  g_autofree char *path = g_build_filename (dir, rel, NULL);
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* ---- golden replay ---- */

typedef struct {
  char *work;            /* writable copy of the vectors */
  char *vectors;
  char *port;            /* "127.0.0.1:<port>" */
  JsonNode *index;
  ArwTestHttpServer *server;
} Golden;

static void
serve_www (Golden *g)
{
  g_autofree char *dir = g_build_filename (g->vectors, "www", "artifacts", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *url_path = g_strdup_printf ("/artifacts/%s", name);
      g_autofree char *data = NULL;
      gsize len = 0;
      g_autoptr(GBytes) bytes = NULL;

      g_assert_true (g_file_get_contents (path, &data, &len, NULL));
      bytes = g_bytes_new_take (g_steal_pointer (&data), len);
      arw_test_http_server_set_content (g->server, url_path, bytes);
    }
}

static void
golden_init (Golden *g)
{
  g_autofree char *catalog = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GString) rewritten = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;
  const char *cp_argv[4];
  int status = 0;

  g->vectors = g_strdup (g_getenv ("ARW_VECTORS_DIR"));
  g->work = arw_test_mkdtemp ();
  cp_argv[0] = "sh";
  cp_argv[1] = "-c";
  cp_argv[2] = g_strdup_printf ("cp -R '%s'/. '%s'/", g->vectors, g->work);
  cp_argv[3] = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) cp_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error));
  g_free ((char *) cp_argv[2]);
  g_assert_cmpint (status, ==, 0);
  /* ARW ran from an empty state dir; the vectors hold where it ended. */
  state = g_build_filename (g->work, "state-install", NULL);
  arw_test_rm_rf (state);
  g->server = arw_test_http_server_new ();
  serve_www (g);
  g->port = g_strdup_printf ("127.0.0.1:%u", arw_test_http_server_get_port (g->server));
  catalog = g_build_filename (g->work, "catalogs", "bundles.public.json", NULL);
  g_assert_true (g_file_get_contents (catalog, &text, NULL, NULL));
  rewritten = g_string_new (text);
  g_string_replace (rewritten, ARW_PORT, g->port, 0);
  g_assert_true (g_file_set_contents (catalog, rewritten->str, -1, NULL));
  g_free (text);
  text = read_text (g->work, "results/index.json");
  g->index = parse_json (text);
}

static void
golden_clear (Golden *g)
{
  arw_test_rm_rf (g->work);
  g_free (g->work);
  g_free (g->vectors);
  g_free (g->port);
  json_node_unref (g->index);
  arw_test_http_server_free (g->server);
}

static JsonObject *
find_entry (Golden *g, const char *name)
{
  JsonArray *entries = json_node_get_array (g->index);

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *e = json_array_get_object_element (entries, i);
      if (g_str_equal (json_object_get_string_member (e, "name"), name))
        return e;
    }
  g_assert_not_reached ();
}

/* Masks what legitimately differs: our port, ARW's command name, revision ids. */
static char *
normalize (Golden *g, const char *text)
{
  g_autoptr(GString) s = g_string_new (text);
  g_autoptr(GRegex) rev = g_regex_new ("[0-9]{8}T[0-9]{9}Z", 0, 0, NULL);

  g_string_replace (s, g->port, ARW_PORT, 0);
  g_string_replace (s, "arw-cli runtime bundles", "arw-runtime bundles", 0);
  return g_regex_replace_literal (rev, s->str, -1, 0, "TIMESTAMP", 0, NULL);
}

/* Runs the entry's argv (plus @extra) and checks rc, and stdout or stderr. */
static void
replay (Golden *g, const char *name, const char *extra, CliResult *res)
{
  JsonObject *e = find_entry (g, name);
  JsonArray *argv = json_object_get_array_member (e, "argv");
  JsonObject *env_obj = json_object_get_object_member (e, "env");
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GPtrArray) env = g_ptr_array_new ();
  g_autoptr(GList) names = json_object_get_members (env_obj);

  for (guint i = 2; i < json_array_get_length (argv); i++)
    g_ptr_array_add (args, (gpointer) json_array_get_string_element (argv, i));
  if (extra != NULL)
    g_ptr_array_insert (args, 2, (gpointer) extra);
  g_ptr_array_add (args, NULL);
  for (GList *n = names; n != NULL; n = n->next)
    {
      g_ptr_array_add (env, n->data);
      g_ptr_array_add (env, (gpointer) json_object_get_string_member (env_obj, n->data));
    }
  g_ptr_array_add (env, NULL);
  run_cli (g->work, (const char *const *) env->pdata, (const char *const *) args->pdata, res);
  g_test_message ("%s: rc %d\nstdout: %s\nstderr: %s", name, res->rc, res->out, res->err);
  g_assert_cmpint (res->rc, ==, json_object_get_int_member (e, "exit_code"));
}

static void
assert_same_stdout (Golden *g, const char *name, CliResult *res)
{
  g_autofree char *theirs_raw = read_text (g->work, json_object_get_string_member (find_entry (g, name), "stdout"));
  g_autofree char *ours = normalize (g, res->out);
  g_autofree char *theirs = normalize (g, theirs_raw);

  g_assert_cmpstr (ours, ==, theirs);
}

static void
assert_same_stderr (Golden *g, const char *name, CliResult *res)
{
  g_autofree char *theirs_raw = read_text (g->work, json_object_get_string_member (find_entry (g, name), "stderr"));
  g_autofree char *ours = normalize (g, res->err);
  g_autofree char *theirs = normalize (g, theirs_raw);
  g_autofree char *want = g_strconcat ("error: ", theirs, NULL);

  g_assert_cmpstr (ours, ==, want);
}

static void
strip_members (JsonNode *node, const char *const *keys)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *o = json_node_get_object (node);
      g_autoptr(GList) values = NULL;

      for (guint i = 0; keys[i] != NULL; i++)
        if (json_object_has_member (o, keys[i]))
          json_object_remove_member (o, keys[i]);
      values = json_object_get_values (o);
      for (GList *v = values; v != NULL; v = v->next)
        strip_members (v->data, keys);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
      strip_members (json_array_get_element (json_node_get_array (node), i), keys);
}

static const char *const volatile_keys[] = { "generated", "generated_ms", "installed_at", "imported_at",
                                             "saved_at", "restored_at", "restored_revision",
                                             /* a digest over installed_at */
                                             "canonical_sha256", NULL };

static void
assert_json_texts_equal (Golden *g, const char *ours_raw, const char *theirs_raw, const char *const *ignore,
                         const char *what)
{
  g_autofree char *ours_text = normalize (g, ours_raw);
  g_autofree char *theirs_text = normalize (g, theirs_raw);
  g_autoptr(JsonNode) ours = parse_json (ours_text);
  g_autoptr(JsonNode) theirs = parse_json (theirs_text);

  strip_members (ours, ignore);
  strip_members (theirs, ignore);
  if (!json_node_equal (ours, theirs))
    g_error ("%s: JSON differs from ARW's\nours:   %s\ntheirs: %s", what, ours_text, theirs_text);
}

static void
assert_same_json_stdout (Golden *g, const char *name, CliResult *res)
{
  g_autofree char *theirs = read_text (g->work, json_object_get_string_member (find_entry (g, name), "stdout"));
  const char *none[] = { NULL };

  assert_json_texts_equal (g, res->out, theirs, strstr (name, "list-install") ? volatile_keys : none, name);
}

static void
replay_installs (Golden *g)
{
  g_auto(CliResult) stub = { 0 };
  g_auto(CliResult) r1 = { 0 }, r2 = { 0 }, r3 = { 0 }, r4 = { 0 }, r5 = { 0 }, r6 = { 0 }, r7 = { 0 };
  g_autofree char *vision_dir = arw_bundle_dir_name ("public.vision/linux-x86_64-gpu");
  g_autofree char *vision = g_build_filename (g->work, "state-install/runtime/bundles", vision_dir, NULL);

  /* Without --no-extract our installer refuses the stub "archives". */
  {
    JsonObject *e = find_entry (g, "install-llama");
    json_object_set_int_member (e, "exit_code", 1);
    replay (g, "install-llama", NULL, &stub);
    json_object_set_int_member (e, "exit_code", 0);
    g_assert_nonnull (strstr (stub.err, "not a valid archive"));
    g_assert_nonnull (strstr (stub.err, "--no-extract"));
  }
  replay (g, "install-llama", "--no-extract", &r1);
  assert_same_stdout (g, "install-llama", &r1);
  replay (g, "install-llama-again-no-force", NULL, &r2);
  assert_same_stderr (g, "install-llama-again-no-force", &r2);
  replay (g, "install-vision-bad-hash", NULL, &r3);
  g_assert_nonnull (strstr (r3.err, "artifact hash mismatch for http://"));
  g_assert_nonnull (strstr (r3.err, "expected 0000000000000000000000000000000000000000000000000000000000000000, "
                                    "got ae9d264eedfc9e4f79f32d8d62100645cdbd67cccedbba837a7e1dc60e53fe88; "
                                    "the download was discarded"));
  g_assert_cmpuint (itu_count_entries (vision), ==, 0);
  replay (g, "install-audio-no-url", NULL, &r4);
  assert_same_stdout (g, "install-audio-no-url", &r4);
  replay (g, "install-unknown-id", NULL, &r5);
  assert_same_stderr (g, "install-unknown-id", &r5);
  replay (g, "install-llama-dry-run-force", "--no-extract", &r6);
  assert_same_stdout (g, "install-llama-dry-run-force", &r6);
  replay (g, "install-llama-force", "--no-extract", &r7);
  assert_same_stdout (g, "install-llama-force", &r7);
}

static void
replay_import_and_rollback (Golden *g)
{
  g_auto(CliResult) imp = { 0 }, lj = { 0 }, lt = { 0 }, dry = { 0 }, apply = { 0 }, unknown = { 0 }, list = { 0 };

  replay (g, "import-audio-force", NULL, &imp);
  assert_same_stdout (g, "import-audio-force", &imp);
  replay (g, "rollback-list-json", NULL, &lj);
  assert_same_json_stdout (g, "rollback-list-json", &lj);
  replay (g, "rollback-list-text", NULL, &lt);
  assert_same_stdout (g, "rollback-list-text", &lt);
  replay (g, "rollback-dry-run-json", NULL, &dry);
  assert_same_json_stdout (g, "rollback-dry-run-json", &dry);
  replay (g, "rollback-apply-json", NULL, &apply);
  assert_same_json_stdout (g, "rollback-apply-json", &apply);
  replay (g, "rollback-unknown-revision", NULL, &unknown);
  assert_same_stderr (g, "rollback-unknown-revision", &unknown);
  replay (g, "list-install-state-json", NULL, &list);
  assert_same_json_stdout (g, "list-install-state-json", &list);
}

static void
assert_same_file (Golden *g, const char *ours, const char *theirs, gboolean json)
{
  g_autofree char *a = NULL, *b = NULL;
  gsize la = 0, lb = 0;

  g_assert_true (g_file_get_contents (ours, &a, &la, NULL));
  g_assert_true (g_file_get_contents (theirs, &b, &lb, NULL));
  if (json)
    assert_json_texts_equal (g, a, b, volatile_keys, ours);
  else
    g_assert_cmpmem (a, la, b, lb);
}

/* Compares one revision directory (live or history) with ARW's. */
static void
compare_revision (Golden *g, const char *ours, const char *theirs)
{
  const char *files[] = { "bundle.json", "info.json", "artifacts/llama-stub.tar.zst", "payload/stub-weights.bin" };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *a = g_build_filename (ours, files[i], NULL);
      g_autofree char *b = g_build_filename (theirs, files[i], NULL);

      g_assert_cmpint (g_file_test (a, G_FILE_TEST_EXISTS), ==, g_file_test (b, G_FILE_TEST_EXISTS));
      if (g_file_test (b, G_FILE_TEST_EXISTS))
        assert_same_file (g, a, b, g_str_has_suffix (files[i], ".json"));
    }
  g_assert_true (g_file_test (ours, G_FILE_TEST_IS_DIR));
}

static char *
only_revision (const char *bundle_dir, const char *kind_wanted, const char *history_root)
{
  g_autofree char *hist = g_build_filename (history_root != NULL ? history_root : bundle_dir, "history", NULL);
  g_autoptr(GDir) d = g_dir_open (hist, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *info_path = g_build_filename (hist, name, "info.json", NULL);
      g_autofree char *text = NULL;
      g_autoptr(JsonNode) info = NULL;

      g_assert_true (g_file_get_contents (info_path, &text, NULL, NULL));
      info = parse_json (text);
      if (g_str_equal (json_object_get_string_member (json_node_get_object (info), "kind"), kind_wanted))
        return g_build_filename (hist, name, NULL);
    }
  return NULL;
}

static void
compare_layout (Golden *g)
{
  g_autofree char *ours_root = g_build_filename (g->work, "state-install/runtime/bundles", NULL);
  g_autofree char *theirs_root = g_build_filename (g->vectors, "state-install/runtime/bundles", NULL);
  const char *dirs[] = { "public.llama__linux-x86_64-cpu__d09a3cfd", "public.audio__linux-x86_64-cpu__22cbe00f" };
  const char *kinds[] = { "rollback", "import" };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *ours = g_build_filename (ours_root, dirs[i], NULL);
      g_autofree char *theirs = g_build_filename (theirs_root, dirs[i], NULL);
      g_autofree char *ours_rev = only_revision (ours, kinds[i], NULL);
      g_autofree char *theirs_rev = only_revision (theirs, kinds[i], NULL);
      g_autofree char *ours_hist = g_build_filename (ours, "history", NULL);

      compare_revision (g, ours, theirs);
      g_assert_nonnull (ours_rev);
      g_assert_nonnull (theirs_rev);
      compare_revision (g, ours_rev, theirs_rev);
      /* ARW also keeps the restored revision; ours moved it back to live. */
      g_assert_cmpuint (itu_count_entries (ours_hist), ==, 1);
    }
}

static void
test_golden_replay (void)
{
  Golden g = { 0 };

  golden_init (&g);
  replay_installs (&g);
  replay_import_and_rollback (&g);
  compare_layout (&g);
  golden_clear (&g);
}

/* ---- scenario fixture ---- */

#define SID "vendor.tool/linux-x86_64-cpu"

typedef struct {
  char *work;
  char *root;       /* work/state/bundles */
  char *bundle_dir;
  ArwTestHttpServer *server;
} Env;

static void
env_init (Env *e)
{
  g_autofree char *dir = arw_bundle_dir_name (SID);

  e->work = arw_test_mkdtemp ();
  e->root = g_build_filename (e->work, "state", "bundles", NULL);
  e->bundle_dir = g_build_filename (e->root, dir, NULL);
  e->server = arw_test_http_server_new ();
}

static void
env_clear (Env *e)
{
  arw_test_http_server_free (e->server);
  arw_test_rm_rf (e->work);
  g_free (e->work);
  g_free (e->root);
  g_free (e->bundle_dir);
}

static void
serve_version (Env *e, const char *path, GBytes *tgz)
{
  g_autofree char *url = arw_test_http_server_url (e->server, path);
  g_autofree char *sha = itu_sha256 (tgz);
  g_autofree char *catalogs = g_build_filename (e->work, "catalogs", NULL);
  ItuArtifact a = { "archive", "tar.gz", url, sha, (gint64) g_bytes_get_size (tgz) };

  arw_test_http_server_set_content (e->server, path, tgz);
  itu_write_catalog (catalogs, "preview", SID, &a, 1);
}

static void
cli_ok (Env *e, const char *const *env, const char *const *args, CliResult *res)
{
  run_cli (e->work, env, args, res);
  if (res->rc != 0)
    g_error ("%s failed (%d): %s", args[1], res->rc, res->err);
}

#define INSTALL_ARGS(...) ((const char *const[]){ "bundles", "install", "--dir", "catalogs", "--dest", "state/bundles", __VA_ARGS__, SID, NULL })

/* A tree snapshot without volatile parts: bundle.json minus installed_at,
 * provenance.json only checked to parse. */
static GHashTable *
stable_tree (const char *dir)
{
  GHashTable *tree = itu_snapshot_tree (dir, TRUE);
  g_autofree char *bj = g_build_filename (dir, "bundle.json", NULL);
  g_autofree char *prov = g_build_filename (dir, "provenance.json", NULL);
  g_autofree char *text = NULL;

  if (tree == NULL)
    return NULL;
  if (g_file_get_contents (bj, &text, NULL, NULL))
    {
      g_autoptr(JsonNode) node = parse_json (text);
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autofree char *out = NULL;

      json_object_remove_member (json_node_get_object (node), "installed_at");
      json_generator_set_root (gen, node);
      out = json_generator_to_data (gen, NULL);
      g_hash_table_insert (tree, g_strdup ("bundle.json"), g_steal_pointer (&out));
    }
  if (g_hash_table_contains (tree, "provenance.json"))
    {
      g_autofree char *p = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_assert_true (g_file_get_contents (prov, &p, NULL, NULL));
      node = parse_json (p);
      g_hash_table_insert (tree, g_strdup ("provenance.json"), g_strdup ("present"));
    }
  return tree;
}

/* ---- signed manifests and import through the CLI ---- */

static void
serve_signed_cli (Env *e, const char *tag, gint64 revision, gboolean tamper, char **out_text)
{
  g_autofree char *arch_path = g_strdup_printf ("/%s.tar.gz", tag);
  g_autofree char *man_path = g_strdup_printf ("/%s.json", tag);
  g_autoptr(GBytes) tgz = itu_make_tar_gz ((guint32) revision, 1, 300);
  g_autofree char *sha = itu_sha256 (tgz);
  g_autofree char *arch_url = arw_test_http_server_url (e->server, arch_path);
  g_autofree char *man_url = arw_test_http_server_url (e->server, man_path);
  g_autofree char *catalogs = g_build_filename (e->work, "catalogs", NULL);
  ItuArtifact listed = { "archive", "tar.gz", arch_url, sha, (gint64) g_bytes_get_size (tgz) };
  g_autofree char *text = itu_manifest_text (SID, "preview", revision, &listed, 1);
  char *signed_text = itu_sign_manifest (text, "key-a", "public-preview-signer");
  ItuArtifact catalog[] = { { "manifest", "json", man_url, NULL, -1 }, listed };
  g_autoptr(GBytes) man = NULL;

  if (tamper)
    strstr (signed_text, "\"revision\": ")[12] = '9';
  man = g_bytes_new (signed_text, strlen (signed_text));
  arw_test_http_server_set_content (e->server, arch_path, tgz);
  arw_test_http_server_set_content (e->server, man_path, man);
  itu_write_catalog (catalogs, "preview", SID, catalog, 2);
  *out_text = signed_text;
}

static void
test_signed_manifest (void)
{
  Env e = { 0 };
  g_autofree char *signers = arw_test_vector_path ("registry", "bundle_signers.json", NULL);
  const char *env[] = { "ARW_RUNTIME_BUNDLE_SIGNERS", signers, NULL };
  g_auto(CliResult) r1 = { 0 }, audit = { 0 }, r2 = { 0 }, r3 = { 0 };
  g_autofree char *text = NULL, *tampered = NULL, *older = NULL, *installed = NULL;
  g_autoptr(GHashTable) before = NULL, after = NULL;
  g_autofree char *bj = NULL;

  env_init (&e);
  bj = g_build_filename (e.bundle_dir, "bundle.json", NULL);
  serve_signed_cli (&e, "v3", 3, FALSE, &text);
  cli_ok (&e, env, INSTALL_ARGS ("--require-signed"), &r1);
  g_assert_true (g_file_get_contents (bj, &installed, NULL, NULL));
  g_assert_cmpstr (installed, ==, text);
  cli_ok (&e, env, (const char *const[]){ "bundles", "audit", "--dest", "state/bundles", "--require-signed", NULL }, &audit);
  g_assert_nonnull (strstr (audit.out, "trusted for preview"));

  before = itu_snapshot_tree (e.bundle_dir, FALSE);
  serve_signed_cli (&e, "v4", 4, TRUE, &tampered);
  run_cli (e.work, env, INSTALL_ARGS ("--force"), &r2);
  g_assert_cmpint (r2.rc, ==, 1);
  g_assert_nonnull (strstr (r2.err, "bundle manifest verification failed"));
  serve_signed_cli (&e, "v2", 2, FALSE, &older);
  run_cli (e.work, env, INSTALL_ARGS ("--force"), &r3);
  g_assert_cmpint (r3.rc, ==, 1);
  g_assert_nonnull (strstr (r3.err, "refusing to install revision 2 of bundle " SID " over installed revision 3"));
  after = itu_snapshot_tree (e.bundle_dir, FALSE);
  itu_assert_trees_equal (before, after, "after refused manifests");
  env_clear (&e);
}

static void
test_import_cli (void)
{
  Env e = { 0 };
  g_autofree char *signers = arw_test_vector_path ("registry", "bundle_signers.json", NULL);
  const char *env[] = { "ARW_RUNTIME_BUNDLE_SIGNERS", signers, NULL };
  g_autofree char *usb = NULL, *meta = NULL, *file = NULL, *link = NULL, *bj = NULL, *installed = NULL;
  g_autofree char *text = itu_manifest_text (SID, "preview", 1, NULL, 0);
  g_autofree char *signed_text = itu_sign_manifest (text, "key-a", "public-preview-signer");
  g_auto(CliResult) dry = { 0 }, ok = { 0 }, audit = { 0 }, sym = { 0 };
  const char *dry_args[] = { "bundles", "import", "--dest", "state/bundles", "--bundle", SID, "--metadata", "usb/bundle.json",
                             "--dry-run", "usb/model.gguf", NULL };
  const char *args[] = { "bundles", "import", "--dest", "state/bundles", "--bundle", SID, "--metadata", "usb/bundle.json",
                         "usb/model.gguf", NULL };
  const char *sym_args[] = { "bundles", "import", "--dest", "state/bundles", "--bundle", "other/x", "--force", "usb", NULL };

  env_init (&e);
  usb = g_build_filename (e.work, "usb", NULL);
  meta = g_build_filename (usb, "bundle.json", NULL);
  file = g_build_filename (usb, "model.gguf", NULL);
  link = g_build_filename (usb, "link", NULL);
  bj = g_build_filename (e.bundle_dir, "bundle.json", NULL);
  g_mkdir_with_parents (usb, 0755);
  g_assert_true (g_file_set_contents (meta, signed_text, -1, NULL));
  g_assert_true (g_file_set_contents (file, "0123456789", -1, NULL));

  cli_ok (&e, env, dry_args, &dry);
  g_assert_nonnull (strstr (dry.out, "[dry-run] import of bundle " SID " validated: 1 file, 10 bytes, metadata signature valid"));
  g_assert_nonnull (strstr (dry.out, "signature verified (trusted signer)"));
  g_assert_false (g_file_test (e.bundle_dir, G_FILE_TEST_EXISTS));

  cli_ok (&e, env, args, &ok);
  g_assert_nonnull (strstr (ok.out, "Imported bundle " SID " into state/bundles/"));
  g_assert_nonnull (strstr (ok.out, "(1 file, 10 bytes)."));
  g_assert_true (g_file_get_contents (bj, &installed, NULL, NULL));
  g_assert_cmpstr (installed, ==, signed_text);
  cli_ok (&e, env, (const char *const[]){ "bundles", "audit", "--dest", "state/bundles", "--require-signed", NULL }, &audit);

  g_assert_cmpint (symlink ("/etc/hostname", link), ==, 0);
  run_cli (e.work, env, sym_args, &sym);
  g_assert_cmpint (sym.rc, ==, 1);
  g_assert_nonnull (strstr (sym.err, "link"));
  env_clear (&e);
}

/* ---- --json, SIGINT, remove ---- */

static void
test_json_progress_and_remove (void)
{
  Env e = { 0 };
  g_autoptr(GBytes) tgz = itu_make_tar_gz (3, 2, 100000);
  g_auto(CliResult) res = { 0 }, rm = { 0 }, rm2 = { 0 };
  g_auto(GStrv) lines = NULL;
  guint n_progress = 0, n_messages = 0;
  g_autoptr(JsonNode) last = NULL;

  env_init (&e);
  serve_version (&e, "/j.tar.gz", tgz);
  cli_ok (&e, NULL, INSTALL_ARGS ("--json"), &res);
  lines = g_strsplit (g_strstrip (res.out), "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = parse_json (lines[i]);
      JsonObject *o = json_node_get_object (node);

      n_progress += json_object_has_member (o, "phase");
      n_messages += json_object_has_member (o, "message");
      if (lines[i + 1] == NULL)
        last = json_node_ref (node);
    }
  g_assert_cmpuint (n_progress, >=, 1);
  g_assert_cmpuint (n_messages, >=, 2);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (last), "downloaded"), ==, 1);

  cli_ok (&e, NULL, (const char *const[]){ "bundles", "remove", "--dest", "state/bundles", SID, NULL }, &rm);
  g_assert_false (g_file_test (e.bundle_dir, G_FILE_TEST_EXISTS));
  run_cli (e.work, NULL, (const char *const[]){ "bundles", "remove", "--dest", "state/bundles", SID, NULL }, &rm2);
  g_assert_cmpint (rm2.rc, ==, 1);
  g_assert_nonnull (strstr (rm2.err, "is not installed"));
  env_clear (&e);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : -1;
}

static void
test_sigint_cancels (void)
{
  Env e = { 0 };
  g_autoptr(GBytes) tgz = itu_make_tar_gz (4, 4, 256 * 1024);
  g_autoptr(GSubprocess) p = NULL;
  g_auto(CliResult) res = { 0 }, again = { 0 };
  g_autofree char *dir = arw_bundle_dir_name (SID);
  g_autofree char *part = NULL;
  g_autofree char *range = NULL;

  env_init (&e);
  part = g_build_filename (e.root, ".arw-downloads", dir, "s.tar.gz.part", NULL);
  serve_version (&e, "/s.tar.gz", tgz);
  arw_test_http_server_set_fault (e.server, "/s.tar.gz", ARW_TEST_HTTP_FAULT_STALL, 100000, 1);
  p = spawn_cli (e.work, NULL, INSTALL_ARGS ("--force"));
  /* Wait (bounded) until the body started arriving, then interrupt. */
  for (guint i = 0; i < 2000 && file_size (part) <= 0; i++)
    g_usleep (5000);
  if (file_size (part) <= 0)
    {
      finish_cli (p, &res);
      g_error ("no partial download appeared: rc %d, %s%s", res.rc, res.out, res.err);
    }
  g_subprocess_send_signal (p, SIGINT);
  finish_cli (p, &res);
  g_assert_cmpint (res.rc, ==, 1);
  g_assert_nonnull (strstr (res.err, "install cancelled; run the same command again to resume"));
  g_assert_true (g_file_test (part, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (e.bundle_dir, G_FILE_TEST_EXISTS) &&
                  itu_count_entries (e.bundle_dir) > 0);
  cli_ok (&e, NULL, INSTALL_ARGS ("--force"), &again);
  range = arw_test_http_server_get_request_header (e.server, "/s.tar.gz", 1, "Range");
  g_assert_nonnull (range);
  env_clear (&e);
}

/* ---- SIGKILL crash loop ---- */

typedef struct {
  guint iterations;
  guint killed;
  guint killed_crash_at;
  guint completed;
  guint old_state;
  guint new_state;
} CrashCounts;

static gboolean
wait_exit_or_kill (GSubprocess *p, guint delay_us)
{
  g_autoptr(GError) error = NULL;

  if (delay_us > 0)
    {
      g_usleep (delay_us); /* the random kill moment, not synchronisation */
      g_subprocess_force_exit (p);
    }
  g_subprocess_wait (p, NULL, &error);
  g_assert_no_error (error);
  return g_subprocess_get_if_signaled (p) && g_subprocess_get_term_sig (p) == SIGKILL;
}

static void
check_recovered (Env *e, GHashTable *a, GHashTable *b, gboolean *out_is_b)
{
  g_auto(CliResult) list = { 0 };
  g_autoptr(GHashTable) now = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *staging = g_build_filename (e->root, ".arw-staging", NULL);
  g_autofree char *journal = g_build_filename (e->root, ".arw-journal", NULL);

  cli_ok (e, NULL, (const char *const[]){ "bundles", "list", "--dir", "catalogs", "--install-dir", "state/bundles",
                                          "--json", NULL }, &list);
  node = parse_json (list.out);
  g_assert_cmpuint (itu_count_entries (staging), ==, 0);
  g_assert_cmpuint (itu_count_entries (journal), ==, 0);
  now = stable_tree (e->bundle_dir);
  if (itu_trees_equal (now, a))
    *out_is_b = FALSE;
  else if (itu_trees_equal (now, b))
    *out_is_b = TRUE;
  else
    {
      itu_assert_trees_equal (now, b, "neither old nor new");
      g_assert_not_reached ();
    }
}

static void
write_target (Env *e, gboolean b, GBytes *tgz_a, GBytes *tgz_b)
{
  serve_version (e, b ? "/b.tar.gz" : "/a.tar.gz", b ? tgz_b : tgz_a);
}

static void
test_crash_loop (void)
{
  Env e = { 0 };
  g_autoptr(GBytes) tgz_a = itu_make_tar_gz (101, 6, 512 * 1024);
  g_autoptr(GBytes) tgz_b = itu_make_tar_gz (202, 6, 512 * 1024);
  g_autoptr(GHashTable) tree_a = NULL, tree_b = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (0x5eed);
  g_auto(CliResult) r = { 0 }, r2 = { 0 };
  CrashCounts c = { 0 };
  guint want = (guint) g_ascii_strtoull (g_getenv ("ARW_CRASH_ITERATIONS") ? g_getenv ("ARW_CRASH_ITERATIONS") : "50", NULL, 10);
  gint64 t0, span_us;
  gboolean live_b;

  env_init (&e);
  write_target (&e, FALSE, tgz_a, tgz_b);
  cli_ok (&e, NULL, INSTALL_ARGS ("--force"), &r);
  tree_a = stable_tree (e.bundle_dir);
  write_target (&e, TRUE, tgz_a, tgz_b);
  t0 = g_get_monotonic_time ();
  cli_ok (&e, NULL, INSTALL_ARGS ("--force"), &r2);
  span_us = MAX (g_get_monotonic_time () - t0, 20000);
  tree_b = stable_tree (e.bundle_dir);
  g_assert_false (itu_trees_equal (tree_a, tree_b));
  live_b = TRUE;

  while (c.killed < want && c.iterations < want * 4)
    {
      gboolean use_crash_at = c.iterations % 3 == 2;
      g_autofree char *crash_at = g_strdup_printf ("%d", g_rand_int_range (rand, 0, 80));
      const char *env[] = { "ARW_STORE_CRASH_AT", crash_at, NULL };
      guint delay = use_crash_at ? 0 : (guint) g_rand_int_range (rand, 1, (gint32) (span_us * 6 / 5) + 2);
      g_autoptr(GSubprocess) p = NULL;
      gboolean now_b = FALSE;

      write_target (&e, !live_b, tgz_a, tgz_b);
      p = spawn_cli (e.work, use_crash_at ? env : NULL, INSTALL_ARGS ("--force"));
      c.iterations++;
      if (wait_exit_or_kill (p, delay))
        {
          c.killed++;
          c.killed_crash_at += use_crash_at;
        }
      else
        {
          g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 0);
          c.completed++;
        }
      check_recovered (&e, tree_a, tree_b, &now_b);
      /* A run that exited 0 must have switched to the new revision. */
      g_assert_true (g_subprocess_get_if_signaled (p) || now_b != live_b);
      if (now_b == live_b)
        c.old_state++;
      else
        c.new_state++;
      live_b = now_b;
    }
  g_test_message ("crash loop: %u runs, %u SIGKILLed (%u at random moments, %u at ARW_STORE_CRASH_AT points), "
                  "%u completed; afterwards %u times the old revision, %u times the new one, 0 mixed",
                  c.iterations, c.killed, c.killed - c.killed_crash_at, c.killed_crash_at, c.completed,
                  c.old_state, c.new_state);
  g_assert_cmpuint (c.killed, >=, want);
  env_clear (&e);
}

/* ---- ENOSPC ---- */

static gboolean
unshare_works (void)
{
  g_autoptr(GSubprocess) p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                               NULL, "unshare", "-Urm", "true", NULL);

  return p != NULL && g_subprocess_wait (p, NULL, NULL) && g_subprocess_get_successful (p);
}

static const char enospc_script[] =
  "set -u\n"
  "mnt=$1; bin=$2; out=$3; dir=$4\n"
  "mount -t tmpfs -o size=6m tmpfs \"$mnt\" || exit 90\n"
  "\"$bin\" bundles install --dir cat-a --dest \"$mnt/bundles\" " SID " >/dev/null || exit 91\n"
  "cp -a \"$mnt/bundles/$dir\" \"$out/before\"\n"
  "used0=$(du -s -B1 \"$mnt\" | cut -f1)\n"
  "\"$bin\" bundles install --force --dir cat-b --dest \"$mnt/bundles\" " SID " >\"$out/b.out\" 2>\"$out/b.err\"; echo $? >\"$out/b.rc\"\n"
  "\"$bin\" bundles install --force --dir cat-c --dest \"$mnt/bundles\" " SID " >\"$out/c.out\" 2>\"$out/c.err\"; echo $? >\"$out/c.rc\"\n"
  "\"$bin\" bundles list --dir cat-a --install-dir \"$mnt/bundles\" --json >/dev/null || exit 92\n"
  "cp -a \"$mnt/bundles/$dir\" \"$out/after\"\n"
  "ls -A \"$mnt/bundles/.arw-staging\" >\"$out/staging\"\n"
  "find \"$mnt/bundles/.arw-downloads\" -type f >\"$out/downloads\" 2>/dev/null || true\n"
  "used1=$(du -s -B1 \"$mnt\" | cut -f1)\n"
  "echo \"$used0 $used1\" >\"$out/used\"\n";

static void
write_local_catalog (const char *work, const char *name, GBytes *tgz, gboolean with_size)
{
  g_autofree char *dir = g_build_filename (work, name, NULL);
  g_autofree char *file = g_build_filename (dir, "x.tar.gz", NULL);
  g_autofree char *sha = itu_sha256 (tgz);
  ItuArtifact a = { "archive", "tar.gz", "x.tar.gz", sha, with_size ? (gint64) g_bytes_get_size (tgz) : -1 };

  itu_write_catalog (dir, "preview", SID, &a, 1);
  g_assert_true (g_file_set_contents (file, g_bytes_get_data (tgz, NULL), g_bytes_get_size (tgz), NULL));
}

static void
test_enospc (void)
{
  Env e = { 0 };
  g_autoptr(GBytes) small = itu_make_tar_gz (5, 1, 256 * 1024);
  g_autoptr(GBytes) big = itu_make_tar_gz (6, 8, 1024 * 1024);
  g_autofree char *mnt = NULL, *out = NULL, *dir = arw_bundle_dir_name (SID);
  g_autofree char *b_rc = NULL, *b_err = NULL, *c_rc = NULL, *c_err = NULL, *staging = NULL, *downloads = NULL;
  g_autofree char *before = NULL, *after = NULL, *stdout_text = NULL, *stderr_text = NULL;
  g_autoptr(GHashTable) t_before = NULL, t_after = NULL;
  g_autoptr(GSubprocess) p = NULL;
  g_autoptr(GError) error = NULL;

  if (!unshare_works ())
    {
      g_test_skip ("unshare -Urm is not permitted here");
      return;
    }
  env_init (&e);
  mnt = g_build_filename (e.work, "mnt", NULL);
  out = g_build_filename (e.work, "out", NULL);
  g_mkdir_with_parents (mnt, 0755);
  g_mkdir_with_parents (out, 0755);
  write_local_catalog (e.work, "cat-a", small, TRUE);
  write_local_catalog (e.work, "cat-b", big, FALSE); /* no size_bytes: fails mid-download */
  write_local_catalog (e.work, "cat-c", big, TRUE);  /* size_bytes: refused up front */
  {
    g_autoptr(GSubprocessLauncher) l = launcher_new (e.work, NULL);
    p = g_subprocess_launcher_spawn (l, &error, "unshare", "-Urm", "sh", "-c", enospc_script, "sh", mnt,
                                     g_getenv ("ARW_RUNTIME_BIN"), out, dir, NULL);
  }
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &stdout_text, &stderr_text, &error));
  g_test_message ("enospc script: %s %s", stdout_text, stderr_text);
  g_assert_true (g_subprocess_get_successful (p));
  b_rc = read_text (out, "b.rc");
  b_err = read_text (out, "b.err");
  c_rc = read_text (out, "c.rc");
  c_err = read_text (out, "c.err");
  staging = read_text (out, "staging");
  downloads = read_text (out, "downloads");
  g_test_message ("b: %s c: %s", b_err, c_err);
  g_assert_cmpstr (g_strstrip (b_rc), ==, "1");
  g_assert_nonnull (strstr (b_err, "not enough disk space"));
  g_assert_cmpstr (g_strstrip (c_rc), ==, "1");
  g_assert_nonnull (strstr (c_err, "not enough disk space"));
  g_assert_cmpstr (staging, ==, "");
  g_assert_cmpstr (downloads, ==, "");
  before = g_build_filename (out, "before", NULL);
  after = g_build_filename (out, "after", NULL);
  t_before = itu_snapshot_tree (before, FALSE);
  t_after = itu_snapshot_tree (after, FALSE);
  itu_assert_trees_equal (t_before, t_after, "previous revision after ENOSPC");
  {
    g_autofree char *used = read_text (out, "used");
    g_auto(GStrv) parts = g_strsplit (g_strstrip (used), " ", 2);
    guint64 used0 = g_ascii_strtoull (parts[0], NULL, 10), used1 = g_ascii_strtoull (parts[1], NULL, 10);

    /* Free space is back to where it was before the failed installs. */
    g_test_message ("tmpfs used before %" G_GUINT64_FORMAT ", after %" G_GUINT64_FORMAT, used0, used1);
    g_assert_cmpuint (used1, <=, used0 + 64 * 1024);
  }
  env_clear (&e);
}

int
main (int argc, char **argv)
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli-store/golden-replay", test_golden_replay);
  g_test_add_func ("/cli-store/signed-manifest", test_signed_manifest);
  g_test_add_func ("/cli-store/import", test_import_cli);
  g_test_add_func ("/cli-store/json-progress-and-remove", test_json_progress_and_remove);
  g_test_add_func ("/cli-store/sigint-cancels", test_sigint_cancels);
  g_test_add_func ("/cli-store/enospc", test_enospc);
  g_test_add_func ("/cli-store/crash-loop", test_crash_loop);
  return g_test_run ();
}
