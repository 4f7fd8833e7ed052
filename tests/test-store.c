/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "arw-error.h"
#include "arw-sha256.h"
#include "arw-bundle.h"
#include "arw-store.h"
#include "arw-test-utils.h"
#include "store-test-tree.h"

#define ID "vendor/tool"
#define LLAMA_ID "public.llama/linux-x86_64-cpu"

typedef struct {
  char *tmp;
  char *root;
  ArwStore *store;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->tmp = arw_test_mkdtemp ();
  f->root = g_build_filename (f->tmp, "runtime", "bundles", NULL);
  f->store = arw_store_open (f->root, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  arw_test_rm_rf (f->tmp);
  g_free (f->root);
  g_free (f->tmp);
}

static char *
bundle_path (Fixture *f, const char *id, const char *rel)
{
  g_autofree char *dir = arw_store_get_bundle_dir (f->store, id);

  return rel != NULL ? g_build_filename (dir, rel, NULL) : g_steal_pointer (&dir);
}

static char *
commit_tree_full (ArwStore *store, const char *id, ArwStoreKind kind, const StoreTestFile *files)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwStoreTransaction) tx = arw_store_begin (store, id, kind, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (store_test_tree_write (arw_store_transaction_get_staging_dir (tx), files, &error));
  g_assert_no_error (error);
  g_assert_true (arw_store_transaction_commit (tx, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (arw_store_transaction_get_warnings (tx)->len, ==, 0);
  return g_strdup (arw_store_transaction_get_snapshot (tx));
}

static char *
commit_tree (Fixture *f, const StoreTestFile *files)
{
  return commit_tree_full (f->store, ID, ARW_STORE_KIND_INSTALL, files);
}

static void
assert_store_clean (const char *root)
{
  g_autofree char *staging = g_build_filename (root, ".arw-staging", NULL);
  g_autofree char *journal = g_build_filename (root, ".arw-journal", NULL);

  g_assert_cmpuint (store_test_count_entries (staging), ==, 0);
  g_assert_cmpuint (store_test_count_entries (journal), ==, 0);
}

static guint
count_revisions (Fixture *f, const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) revs = arw_store_list_revisions (f->store, id, &error);

  g_assert_no_error (error);
  return revs->len;
}

/* ---- directory names ---- */

/* ---- commits ---- */

static void
test_commit_fresh (Fixture *f, gconstpointer data)
{
  g_autofree char *snapshot = commit_tree (f, store_test_tree_a);
  g_autofree char *live = bundle_path (f, ID, NULL);
  g_autofree char *history = bundle_path (f, ID, "history");
  g_autofree char *dir = arw_bundle_dir_name (ID);
  g_autofree char *want_live = g_build_filename (f->root, dir, NULL);
  gint64 rev = 0;
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (live, ==, want_live);
  g_assert_null (snapshot);
  g_assert_true (store_test_tree_is (live, NULL, store_test_tree_a));
  g_assert_false (g_file_test (history, G_FILE_TEST_EXISTS));
  g_assert_true (arw_store_has_live_state (f->store, ID));
  g_assert_false (arw_store_has_live_state (f->store, "other/bundle"));
  g_assert_true (arw_store_get_live_revision_number (f->store, ID, &rev, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rev, ==, 1);
  assert_store_clean (f->root);
}

static void
test_commit_over_existing (Fixture *f, gconstpointer data)
{
  g_autofree char *first = commit_tree (f, store_test_tree_a);
  g_autofree char *snapshot = commit_tree_full (f->store, ID, ARW_STORE_KIND_IMPORT, store_test_tree_b);
  g_autofree char *live = bundle_path (f, ID, NULL);
  g_autofree char *rev_dir = NULL;
  g_autofree char *info_text = NULL;
  g_autoptr(GPtrArray) revs = NULL;
  g_autoptr(GError) error = NULL;
  ArwStoreRevision *rev;

  g_assert_null (first);
  g_assert_nonnull (snapshot);
  g_assert_true (g_regex_match_simple ("^rev-\\d{8}T\\d{9}Z$", snapshot, 0, 0));
  g_assert_true (store_test_tree_is (live, "history", store_test_tree_b));
  rev_dir = g_build_filename (live, "history", snapshot, NULL);
  g_assert_true (store_test_tree_is (rev_dir, "info.json", store_test_tree_a));

  revs = arw_store_list_revisions (f->store, ID, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (revs->len, ==, 1);
  rev = g_ptr_array_index (revs, 0);
  g_assert_cmpstr (rev->name, ==, snapshot);
  g_assert_cmpstr (rev->kind, ==, "import");
  g_assert_cmpstr (rev->saved_at, ==, snapshot + 4);
  g_assert_cmpstr (rev->path, ==, rev_dir);

  /* info.json: pretty, sorted, no trailing newline, summary of A. */
  {
    g_autofree char *info_path = g_build_filename (rev_dir, "info.json", NULL);
    g_autofree char *want = g_strdup_printf ("{\n  \"bundle\": \"vendor/tool\",\n  \"kind\": \"import\",\n"
                                             "  \"saved_at\": \"%s\",\n  \"summary\": {\n"
                                             "    \"channel\": \"preview\",\n    \"id\": \"vendor/tool\",\n"
                                             "    \"name\": \"Tool A\"\n  }\n}", snapshot + 4);

    g_assert_true (g_file_get_contents (info_path, &info_text, NULL, NULL));
    g_assert_cmpstr (info_text, ==, want);
  }
  assert_store_clean (f->root);
}

/* Commit over ARW's installed bundle.json: info.json is byte-identical to
 * the one ARW wrote (apart from the volatile saved_at and restored_at). */
static void
test_info_matches_arw (Fixture *f, gconstpointer data)
{
  g_autofree char *old_bundle = arw_test_vector_read (NULL, "state-install", "runtime", "bundles",
                                                     "public.llama__linux-x86_64-cpu__d09a3cfd", "history",
                                                     "rev-20261122T124937533Z", "bundle.json", NULL);
  g_autofree char *arw_info = arw_test_vector_read (NULL, "state-install", "runtime", "bundles",
                                                   "public.llama__linux-x86_64-cpu__d09a3cfd", "history",
                                                   "rev-20261122T124937533Z", "info.json", NULL);
  g_autofree char *ours = NULL;
  g_autofree char *info_path = NULL;
  g_autofree char *history = NULL;
  g_autofree char *want = NULL;
  g_autofree char *snapshot = NULL;
  g_autoptr(GRegex) restored = g_regex_new ("\n  \"restored_at\": \"[^\"]*\",", 0, 0, NULL);
  g_autoptr(GRegex) saved = g_regex_new ("\"saved_at\": \"[^\"]*\"", 0, 0, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved_repl = NULL;
  g_autofree char *tmp = NULL;
  const StoreTestFile first[] = { { "bundle.json", old_bundle }, { NULL, NULL } };

  g_free (commit_tree_full (f->store, LLAMA_ID, ARW_STORE_KIND_INSTALL, first));
  snapshot = commit_tree_full (f->store, LLAMA_ID, ARW_STORE_KIND_INSTALL, store_test_tree_b);
  history = bundle_path (f, LLAMA_ID, "history");
  info_path = g_build_filename (history, snapshot, "info.json", NULL);
  g_assert_true (g_file_get_contents (info_path, &ours, NULL, &error));
  g_assert_no_error (error);
  saved_repl = g_strdup_printf ("\"saved_at\": \"%s\"", snapshot + 4);
  tmp = g_regex_replace_literal (restored, arw_info, -1, 0, "", 0, NULL);
  want = g_regex_replace_literal (saved, tmp, -1, 0, saved_repl, 0, NULL);
  g_assert_cmpstr (ours, ==, want);
}

static void
test_abort_keeps_live (Fixture *f, gconstpointer data)
{
  g_autofree char *live = bundle_path (f, ID, NULL);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GError) error = NULL;

  g_free (commit_tree (f, store_test_tree_a));
  before = store_test_tree_read (live, NULL);
  {
    g_autoptr(ArwStoreTransaction) tx = arw_store_begin (f->store, ID, ARW_STORE_KIND_INSTALL, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (store_test_tree_write (arw_store_transaction_get_staging_dir (tx), store_test_tree_b, &error));
    g_assert_cmpuint (store_test_count_entries (arw_store_transaction_get_staging_dir (tx)), >, 0);
    arw_store_transaction_abort (tx);
    g_assert_false (g_file_test (arw_store_transaction_get_staging_dir (tx), G_FILE_TEST_EXISTS));
  }
  /* Dropping an open transaction aborts it too. */
  {
    g_autoptr(ArwStoreTransaction) tx = arw_store_begin (f->store, ID, ARW_STORE_KIND_INSTALL, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (store_test_tree_write (arw_store_transaction_get_staging_dir (tx), store_test_tree_b, &error));
  }
  after = store_test_tree_read (live, NULL);
  g_assert_true (store_test_tree_equal (before, after));
  assert_store_clean (f->root);
}

static void
test_commit_empty_staging (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwStoreTransaction) tx = arw_store_begin (f->store, ID, ARW_STORE_KIND_INSTALL, NULL, &error);

  g_assert_no_error (error);
  g_assert_false (arw_store_transaction_commit (tx, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT);
  g_assert_false (arw_store_has_live_state (f->store, ID));
  assert_store_clean (f->root);
}

static void
test_retention (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) snapshots = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) revs = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (arw_store_get_keep_revisions (f->store), ==, ARW_STORE_DEFAULT_KEEP_REVISIONS);
  arw_store_set_keep_revisions (f->store, 2);
  for (guint i = 0; i < 6; i++)
    g_ptr_array_add (snapshots, commit_tree (f, i % 2 ? store_test_tree_b : store_test_tree_a));
  revs = arw_store_list_revisions (f->store, ID, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (revs->len, ==, 2);
  /* The two newest survive, newest first. */
  g_assert_cmpstr (((ArwStoreRevision *) g_ptr_array_index (revs, 0))->name, ==, g_ptr_array_index (snapshots, 5));
  g_assert_cmpstr (((ArwStoreRevision *) g_ptr_array_index (revs, 1))->name, ==, g_ptr_array_index (snapshots, 4));
  assert_store_clean (f->root);

  /* 0 keeps everything. */
  arw_store_set_keep_revisions (f->store, 0);
  for (guint i = 0; i < 4; i++)
    g_free (commit_tree (f, store_test_tree_a));
  g_assert_cmpuint (count_revisions (f, ID), ==, 6);
}

static void
test_retention_env (void)
{
  g_autofree char *tmp = arw_test_mkdtemp ();
  g_autoptr(ArwStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("ARW_RUNTIME_KEEP_REVISIONS", "3", TRUE);
  store = arw_store_open (tmp, &error);
  g_unsetenv ("ARW_RUNTIME_KEEP_REVISIONS");
  g_assert_no_error (error);
  g_assert_cmpuint (arw_store_get_keep_revisions (store), ==, 3);
  g_clear_object (&store);
  arw_test_rm_rf (tmp);
}

/* ---- rollback ---- */

static char *
json_text (JsonNode *node, gboolean pretty)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, pretty);
  return json_generator_to_data (gen, NULL);
}

static void
test_rollback_apply_twice (Fixture *f, gconstpointer data)
{
  static const StoreTestFile tree_c[] = {
    { "bundle.json", "{\"bundle\":{\"id\":\"vendor/tool\",\"name\":\"Tool C\"}}" },
    { "payload/", NULL },
    { "payload/c.bin", "C payload" },
    { NULL, NULL },
  };
  g_autofree char *snap_a = NULL;
  g_autofree char *snap_b = NULL;
  g_autofree char *live = bundle_path (f, ID, NULL);
  g_autoptr(ArwStoreRollbackResult) dry = NULL;
  g_autoptr(ArwStoreRollbackResult) first = NULL;
  g_autoptr(ArwStoreRollbackResult) second = NULL;
  g_autoptr(GPtrArray) revs = NULL;
  g_autoptr(JsonNode) dry_json = NULL;
  g_autofree char *dry_text = NULL;
  g_autofree char *want_dry = NULL;
  g_autoptr(GError) error = NULL;
  ArwStoreRevision *rev;

  g_free (commit_tree (f, store_test_tree_a));
  snap_a = commit_tree (f, store_test_tree_b);
  snap_b = commit_tree (f, tree_c);

  /* Dry run picks the newest revision and changes nothing. */
  g_assert_true (arw_store_rollback (f->store, ID, NULL, TRUE, &dry, &error));
  g_assert_no_error (error);
  dry_json = arw_store_rollback_result_to_json (dry);
  dry_text = json_text (dry_json, FALSE);
  want_dry = g_strdup_printf ("{\"bundle\":\"vendor/tool\",\"dry_run\":true,\"revision\":\"%s\"}", snap_b);
  g_assert_cmpstr (dry_text, ==, want_dry);
  g_assert_true (store_test_tree_is (live, "history", tree_c));

  /* Apply: B is live again, C went to a new "rollback" revision, B's
   * revision left the history. */
  g_assert_true (arw_store_rollback (f->store, ID, NULL, FALSE, &first, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (first->restored_revision, ==, snap_b);
  g_assert_cmpstrv (first->restored_components, ((const char * const []) { "bundle.json", "artifacts", NULL }));
  g_assert_cmpstrv (first->missing_components, ((const char * const []) { "payload", NULL }));
  g_assert_nonnull (first->snapshot_created);
  g_assert_cmpstr (first->snapshot_created, >, snap_b);
  g_assert_true (store_test_tree_is (live, "history", store_test_tree_b));
  revs = arw_store_list_revisions (f->store, ID, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (revs->len, ==, 2);
  rev = g_ptr_array_index (revs, 0);
  g_assert_cmpstr (rev->name, ==, first->snapshot_created);
  g_assert_cmpstr (rev->kind, ==, "rollback");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (rev->info), "restored_revision"), ==, snap_b);
  g_assert_true (g_regex_match_simple ("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$",
                                       json_object_get_string_member (json_node_get_object (rev->info), "restored_at"),
                                       0, 0));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (rev->summary), "name"), ==, "Tool C");
  g_assert_true (store_test_tree_is (rev->path, "info.json", tree_c));
  g_assert_cmpstr (((ArwStoreRevision *) g_ptr_array_index (revs, 1))->name, ==, snap_a);

  /* Rolling back again returns to C. */
  g_assert_true (arw_store_rollback (f->store, ID, NULL, FALSE, &second, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (second->restored_revision, ==, first->snapshot_created);
  g_assert_true (store_test_tree_is (live, "history", tree_c));
  g_assert_cmpuint (count_revisions (f, ID), ==, 2);
  assert_store_clean (f->root);
}

static void
test_rollback_revision_prefix (Fixture *f, gconstpointer data)
{
  g_autofree char *snap_a = NULL;
  g_autofree char *snap_b = NULL;
  g_autofree char *live = bundle_path (f, ID, NULL);
  g_autoptr(ArwStoreRollbackResult) with_prefix = NULL;
  g_autoptr(ArwStoreRollbackResult) without = NULL;
  g_autoptr(GError) error = NULL;

  g_free (commit_tree (f, store_test_tree_a));
  snap_a = commit_tree (f, store_test_tree_b);
  snap_b = commit_tree (f, store_test_tree_a);

  g_assert_true (arw_store_rollback (f->store, ID, snap_a, TRUE, &with_prefix, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (with_prefix->restored_revision, ==, snap_a);
  g_assert_true (arw_store_rollback (f->store, ID, snap_a + 4, FALSE, &without, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (without->restored_revision, ==, snap_a);
  g_assert_true (store_test_tree_is (live, "history", store_test_tree_a));
  g_assert_cmpstrv (without->restored_components,
                    ((const char * const []) { "bundle.json", "artifacts", "payload", NULL }));
}

static void
test_rollback_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = bundle_path (f, ID, NULL);
  g_autofree char *want = NULL;
  g_autoptr(ArwStoreRollbackResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (arw_store_rollback (f->store, ID, NULL, FALSE, &result, &error));
  want = g_strdup_printf ("bundle vendor/tool not staged at %s", dir);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, want);
  g_clear_error (&error);
  g_assert_null (arw_store_list_revisions (f->store, ID, &error));
  g_assert_cmpstr (error->message, ==, want);
  g_clear_error (&error);

  g_free (commit_tree (f, store_test_tree_a));
  g_assert_cmpuint (count_revisions (f, ID), ==, 0);
  g_assert_false (arw_store_rollback (f->store, ID, NULL, TRUE, &result, &error));
  g_assert_cmpstr (error->message, ==, "no history revisions available for bundle vendor/tool");
  g_clear_error (&error);

  g_free (commit_tree (f, store_test_tree_b));
  g_assert_false (arw_store_rollback (f->store, ID, "20000101T000000000Z", FALSE, &result, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "revision rev-20000101T000000000Z not found for bundle vendor/tool");
  g_assert_null (result);
  g_assert_true (store_test_tree_is (dir, "history", store_test_tree_b));
}

static void
test_rollback_refuses_symlink (Fixture *f, gconstpointer data)
{
  g_autofree char *snap = NULL;
  g_autofree char *history = bundle_path (f, ID, "history");
  g_autofree char *rev = NULL;
  g_autofree char *art = NULL;
  g_autofree char *live = bundle_path (f, ID, NULL);
  g_autoptr(ArwStoreRollbackResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_free (commit_tree (f, store_test_tree_a));
  snap = commit_tree (f, store_test_tree_b);
  rev = g_build_filename (history, snap, NULL);
  art = g_build_filename (rev, "artifacts", NULL);
  arw_test_rm_rf (art);
  g_assert_cmpint (symlink ("/etc", art), ==, 0);
  g_assert_false (arw_store_rollback (f->store, ID, NULL, FALSE, &result, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_true (store_test_tree_is (live, "history", store_test_tree_b));
}

/* ARW's own tree: listing, dry run, apply and the unknown-revision error
 * reproduce ARW's JSON and messages. */
static void
copy_tree (const char *from, const char *to)
{
  g_autoptr(GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (to, 0755), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *src = g_build_filename (from, name, NULL);
      g_autofree char *dst = g_build_filename (to, name, NULL);

      if (g_file_test (src, G_FILE_TEST_IS_DIR))
        copy_tree (src, dst);
      else
        {
          g_autofree char *content = NULL;
          gsize len = 0;

          g_assert_true (g_file_get_contents (src, &content, &len, NULL));
          g_assert_true (g_file_set_contents (dst, content, (gssize) len, NULL));
        }
    }
}

static void
test_arw_vector_tree (void)
{
  g_autofree char *tmp = arw_test_mkdtemp ();
  g_autofree char *src = arw_test_vector_path ("state-install", NULL);
  g_autofree char *dst = g_build_filename (tmp, "state-install", NULL);
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *list_want = arw_test_vector_read (NULL, "results", "rollback-list-json.stdout", NULL);
  g_autofree char *dry_want = arw_test_vector_read (NULL, "results", "rollback-dry-run-json.stdout", NULL);
  g_autofree char *apply_want = arw_test_vector_read (NULL, "results", "rollback-apply-json.stdout", NULL);
  g_autofree char *unknown_want = arw_test_vector_read (NULL, "results", "rollback-unknown-revision.stderr", NULL);
  const char *llama = "state-install/runtime/bundles/public.llama__linux-x86_64-cpu__d09a3cfd";
  g_autofree char *later = g_build_filename (llama, "history", "rev-20261122T124937566Z", NULL);
  g_autoptr(ArwStore) store = NULL;
  g_autoptr(GPtrArray) revs = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(ArwStoreRollbackResult) dry = NULL;
  g_autoptr(ArwStoreRollbackResult) applied = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *apply_norm = NULL;

  copy_tree (src, dst);
  g_assert_cmpint (chdir (tmp), ==, 0);
  /* ARW's list ran before its rollback made rev-…566Z. */
  arw_test_rm_rf (later);
  store = arw_store_open ("state-install/runtime/bundles", &error);
  g_assert_no_error (error);

  revs = arw_store_list_revisions (store, LLAMA_ID, &error);
  g_assert_no_error (error);
  node = arw_store_history_to_json (LLAMA_ID, revs);
  text = json_text (node, TRUE);
  {
    /* Compare as ARW printed it (serde pretty + newline). */
    g_autoptr(JsonParser) p1 = json_parser_new ();
    g_autoptr(JsonParser) p2 = json_parser_new ();

    g_assert_true (json_parser_load_from_data (p1, text, -1, NULL));
    g_assert_true (json_parser_load_from_data (p2, list_want, -1, NULL));
    g_assert_true (json_node_equal (json_parser_get_root (p1), json_parser_get_root (p2)));
  }

  g_assert_true (arw_store_rollback (store, LLAMA_ID, NULL, TRUE, &dry, &error));
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  g_clear_pointer (&text, g_free);
  node = arw_store_rollback_result_to_json (dry);
  text = json_text (node, FALSE);
  g_strchomp (dry_want);
  g_assert_cmpstr (text, ==, dry_want);

  g_assert_false (arw_store_rollback (store, LLAMA_ID, "20000101T000000000Z", FALSE, &applied, &error));
  g_strchomp (unknown_want);
  g_assert_cmpstr (error->message, ==, unknown_want);
  g_clear_error (&error);

  g_assert_true (arw_store_rollback (store, LLAMA_ID, NULL, FALSE, &applied, &error));
  g_assert_no_error (error);
  g_clear_pointer (&node, json_node_unref);
  node = arw_store_rollback_result_to_json (applied);
  {
    g_autoptr(JsonParser) p1 = json_parser_new ();
    g_autoptr(JsonParser) p2 = json_parser_new ();
    JsonObject *ours;

    g_assert_true (json_parser_load_from_data (p2, apply_want, -1, NULL));
    apply_norm = json_text (node, FALSE);
    g_assert_true (json_parser_load_from_data (p1, apply_norm, -1, NULL));
    ours = json_node_get_object (json_parser_get_root (p1));
    g_assert_true (g_regex_match_simple ("^rev-\\d{8}T\\d{9}Z$", json_object_get_string_member (ours, "snapshot_created"), 0, 0));
    json_object_set_string_member (ours, "snapshot_created", "rev-20261122T124937566Z");
    g_assert_true (json_node_equal (json_parser_get_root (p1), json_parser_get_root (p2)));
  }
  g_assert_true (g_regex_match_simple ("snapshot_created", apply_want, 0, 0));

  g_clear_object (&store);
  g_assert_cmpint (chdir (cwd), ==, 0);
  arw_test_rm_rf (tmp);
}

/* ---- remove, lock, space, journal ---- */

static void
test_remove (Fixture *f, gconstpointer data)
{
  g_autofree char *live = bundle_path (f, ID, NULL);
  g_autoptr(GError) error = NULL;

  g_free (commit_tree (f, store_test_tree_a));
  g_free (commit_tree (f, store_test_tree_b));
  g_assert_true (arw_store_remove (f->store, ID, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (live, G_FILE_TEST_EXISTS));
  assert_store_clean (f->root);
  g_assert_false (arw_store_remove (f->store, ID, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
}

static void
test_revision_number (Fixture *f, gconstpointer data)
{
  static const StoreTestFile no_rev[] = { { "bundle.json", "{\"bundle\":{\"id\":\"vendor/tool\"}}" }, { NULL, NULL } };
  gint64 rev = 0;
  g_autoptr(GError) error = NULL;

  g_assert_false (arw_store_get_live_revision_number (f->store, ID, &rev, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_free (commit_tree (f, store_test_tree_b));
  g_assert_true (arw_store_get_live_revision_number (f->store, ID, &rev, &error));
  g_assert_cmpint (rev, ==, 2);
  g_free (commit_tree (f, no_rev));
  g_assert_true (arw_store_get_live_revision_number (f->store, ID, &rev, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rev, ==, -1);
}

static void
test_lock_busy (Fixture *f, gconstpointer data)
{
  g_autoptr(ArwStore) other = NULL;
  g_autoptr(ArwStoreTransaction) tx = NULL;
  g_autoptr(ArwStoreTransaction) tx2 = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *want = g_strdup_printf ("another install is running (pid %d); wait for it to finish and try again",
                                           (int) getpid ());

  other = arw_store_open (f->root, &error);
  g_assert_no_error (error);
  tx = arw_store_begin (f->store, ID, ARW_STORE_KIND_INSTALL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (store_test_tree_write (arw_store_transaction_get_staging_dir (tx), store_test_tree_a, &error));

  /* A second open while a writer runs must not touch its staging. */
  g_clear_object (&other);
  other = arw_store_open (f->root, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (arw_store_transaction_get_staging_dir (tx), G_FILE_TEST_IS_DIR));

  tx2 = arw_store_begin (other, "x/y", ARW_STORE_KIND_INSTALL, NULL, &error);
  g_assert_null (tx2);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_BUSY);
  g_assert_cmpstr (error->message, ==, want);
  g_clear_error (&error);
  g_assert_false (arw_store_remove (other, ID, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_BUSY);
  g_clear_error (&error);

  /* Waiting honours the cancellable. */
  arw_store_set_lock_timeout (other, 60 * 1000);
  g_cancellable_cancel (cancellable);
  tx2 = arw_store_begin (other, "x/y", ARW_STORE_KIND_INSTALL, cancellable, &error);
  g_assert_null (tx2);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  g_assert_true (arw_store_transaction_commit (tx, &error));
  g_assert_no_error (error);
  tx2 = arw_store_begin (other, "x/y", ARW_STORE_KIND_INSTALL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (tx2);
}

static void
test_reserve (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwStoreTransaction) tx = NULL;

  g_free (commit_tree (f, store_test_tree_a));
  g_free (commit_tree (f, store_test_tree_b));
  g_free (commit_tree (f, store_test_tree_a));
  g_assert_cmpuint (count_revisions (f, ID), ==, 2);
  tx = arw_store_begin (f->store, ID, ARW_STORE_KIND_INSTALL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (arw_store_transaction_reserve (tx, 1024, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_revisions (f, ID), ==, 2);
  /* An impossible reservation prunes history to one revision, then fails. */
  g_assert_false (arw_store_transaction_reserve (tx, G_MAXUINT64 / 4, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NO_SPACE);
  g_assert_true (g_str_has_prefix (error->message, "not enough disk space in "));
  g_assert_cmpuint (count_revisions (f, ID), ==, 1);
  g_assert_cmpuint (arw_store_transaction_get_warnings (tx)->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (arw_store_transaction_get_warnings (tx), 0), ==,
                   "low disk space: pruned history to 1 revision");
}

static void
write_journal (Fixture *f, const char *name, const char *content)
{
  g_autofree char *path = g_build_filename (f->root, ".arw-journal", name, NULL);

  g_assert_true (g_file_set_contents (path, content, -1, NULL));
}

static void
test_damaged_journal (Fixture *f, gconstpointer data)
{
  g_autofree char *dir = arw_bundle_dir_name (ID);
  g_autofree char *name = g_strconcat (dir, ".json", NULL);
  g_autofree char *evil = g_strdup_printf ("{\"version\":1,\"op\":\"install\",\"bundle\":\"x\",\"dir\":\"%s\","
                                           "\"source\":\"../../etc\",\"components\":[\"bundle.json\"],"
                                           "\"revision\":null,\"info\":null}", dir);
  g_autoptr(ArwStore) store = NULL;
  g_autoptr(GError) error = NULL;

  write_journal (f, name, "{\"version\":1,\"op\":");
  store = arw_store_open (f->root, &error);
  g_assert_null (store);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_clear_error (&error);

  /* A journal that points outside the store is refused the same way. */
  write_journal (f, name, evil);
  store = arw_store_open (f->root, &error);
  g_assert_null (store);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
}

static void
test_recover_leftovers (Fixture *f, gconstpointer data)
{
  g_autofree char *stale = g_build_filename (f->root, ".arw-staging", "tx-stale", "artifacts", NULL);
  g_autofree char *tmp = g_build_filename (f->root, ".arw-journal", ".x.json.tmp", NULL);
  g_autoptr(ArwStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (stale, 0755), ==, 0);
  g_assert_true (g_file_set_contents (tmp, "{", -1, NULL));
  store = arw_store_open (f->root, &error);
  g_assert_no_error (error);
  assert_store_clean (f->root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arw/store/retention-env", test_retention_env);
  g_test_add_func ("/arw/store/arw-vector-tree", test_arw_vector_tree);
#define ADD(path, fn) g_test_add ("/arw/store/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("commit-fresh", test_commit_fresh);
  ADD ("commit-over-existing", test_commit_over_existing);
  ADD ("info-matches-arw", test_info_matches_arw);
  ADD ("abort-keeps-live", test_abort_keeps_live);
  ADD ("commit-empty-staging", test_commit_empty_staging);
  ADD ("retention", test_retention);
  ADD ("rollback-apply-twice", test_rollback_apply_twice);
  ADD ("rollback-revision-prefix", test_rollback_revision_prefix);
  ADD ("rollback-errors", test_rollback_errors);
  ADD ("rollback-refuses-symlink", test_rollback_refuses_symlink);
  ADD ("remove", test_remove);
  ADD ("revision-number", test_revision_number);
  ADD ("lock-busy", test_lock_busy);
  ADD ("reserve", test_reserve);
  ADD ("damaged-journal", test_damaged_journal);
  ADD ("recover-leftovers", test_recover_leftovers);
#undef ADD
  return g_test_run ();
}
