/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ArwInstaller against a real store, real archives and the loopback HTTP
 * server: layout and metadata, faults that must leave the previous
 * revision untouched, resume, signed publisher manifests, import. */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "arw-bundle.h"
#include "arw-error.h"
#include "arw-import-copy-private.h"
#include "arw-install-metadata.h"
#include "arw-installer.h"
#include "arw-inventory-audit.h"
#include "arw-test-http-server.h"
#include "arw-test-utils.h"
#include "installer-test-util.h"

#define ID "vendor.tool/linux-x86_64-cpu"

typedef struct {
  char *tmp;
  char *root;
  char *catalogs;
  char *bundle_dir;
  ArwTestHttpServer *server;
  ArwStore *store;
  ArwInstaller *installer;
  GPtrArray *messages;
} Fixture;

static void
on_message (ArwProgress *progress, const char *message, gpointer user_data)
{
  Fixture *fx = user_data;

  g_ptr_array_add (fx->messages, g_strdup (message));
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwDownloader) downloader = arw_downloader_new ();
  g_autoptr(ArwProgress) progress = arw_progress_new ();
  g_autofree char *dir = arw_bundle_dir_name (ID);

  fx->tmp = arw_test_mkdtemp ();
  fx->root = g_build_filename (fx->tmp, "bundles", NULL);
  fx->catalogs = g_build_filename (fx->tmp, "catalogs", NULL);
  fx->bundle_dir = g_build_filename (fx->root, dir, NULL);
  fx->server = arw_test_http_server_new ();
  fx->store = arw_store_open (fx->root, &error);
  g_assert_no_error (error);
  arw_downloader_set_max_retries (downloader, 0);
  arw_downloader_set_backoff (downloader, 1, 1);
  fx->installer = arw_installer_new (fx->store, downloader);
  arw_installer_set_progress (fx->installer, progress);
  fx->messages = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (progress, "message", G_CALLBACK (on_message), fx);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  g_clear_object (&fx->installer);
  g_clear_object (&fx->store);
  g_clear_pointer (&fx->server, arw_test_http_server_free);
  arw_test_rm_rf (fx->tmp);
  g_free (fx->tmp);
  g_free (fx->root);
  g_free (fx->catalogs);
  g_free (fx->bundle_dir);
  g_ptr_array_unref (fx->messages);
}

static gboolean
has_message (Fixture *fx, const char *needle)
{
  for (guint i = 0; i < fx->messages->len; i++)
    if (strstr (g_ptr_array_index (fx->messages, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
load_catalogs (Fixture *fx)
{
  g_autoptr(GError) error = NULL;
  const char *roots[] = { fx->catalogs, NULL };
  ArwCatalogSet *set = arw_catalog_set_load (roots, ARW_CATALOG_LOAD_STRICT, &error);

  g_assert_no_error (error);
  arw_installer_set_catalogs (fx->installer, set);
}

/* Serves @content at @path and writes a catalog with one archive artifact. */
static void
serve_archive (Fixture *fx, const char *path, GBytes *content, const char *sha, gint64 size)
{
  g_autofree char *url = arw_test_http_server_url (fx->server, path);
  g_autofree char *real_sha = itu_sha256 (content);
  ItuArtifact a = { "archive", "tar.gz", url, sha != NULL ? sha : real_sha,
                    size != -2 ? size : (gint64) g_bytes_get_size (content) };

  arw_test_http_server_set_content (fx->server, path, content);
  itu_write_catalog (fx->catalogs, "preview", ID, &a, 1);
  load_catalogs (fx);
}

static gboolean
install (Fixture *fx, const ArwInstallOptions *opts, ArwInstallReport **out_report, GError **error)
{
  const char *ids[] = { ID, NULL };
  ArwInstallOptions defaults = { 0 };
  g_autoptr(ArwInstallReport) report = NULL;
  gboolean ok = arw_installer_install (fx->installer, ids, opts != NULL ? opts : &defaults, &report, NULL, error);

  g_assert_nonnull (report);
  if (out_report != NULL)
    *out_report = g_steal_pointer (&report);
  return ok;
}

static void
install_ok (Fixture *fx, const ArwInstallOptions *opts)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (install (fx, opts, NULL, &error));
  g_assert_no_error (error);
}

static char *
bundle_path (Fixture *fx, const char *rel)
{
  return g_build_filename (fx->bundle_dir, rel, NULL);
}

static JsonNode *
read_json (const char *path)
{
  g_autoptr(JsonParser) p = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (p, path, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (p));
}

static void
assert_staging_clean (Fixture *fx)
{
  g_autofree char *staging = g_build_filename (fx->root, ".arw-staging", NULL);

  g_assert_cmpuint (itu_count_entries (staging), ==, 0);
}

/* ---- metadata helpers ---- */

static void
test_artifact_names (void)
{
  const struct { const char *url, *kind, *format; guint index; const char *want; } cases[] = {
    { "http://h/a/llama-stub.tar.zst", "archive", "tar.zst", 0, "llama-stub.tar.zst" },
    { "http://h/a/x.bin?token=1#frag", "model", "bin", 0, "x.bin" },
    { "http://h/a/dir/", "archive", NULL, 0, "dir" },
    /* like the url crate, a space is percent-encoded first */
    { "http://h/a/we ird+name.gguf", "model", NULL, 0, "we_20ird_name.gguf" },
    { "http://h/", "model", "gguf", 2, "model-03.gguf" },
    { "http://h/?", "model", NULL, 0, "model-01" },
    { "http://h/a/..", "model", "bin", 9, "model-10.bin" },
    { NULL, "model", "bin", 0, "model-01.bin" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = arw_install_artifact_file_name (cases[i].url, cases[i].kind, cases[i].format,
                                                              cases[i].index);
      g_assert_cmpstr (name, ==, cases[i].want);
    }
}

static void
test_timestamps (void)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (2026, 11, 22, 12, 49, 37.5391);
  g_autofree char *a = arw_install_timestamp_rfc3339 (dt);
  g_autofree char *b = arw_install_timestamp_compact (dt);

  g_assert_cmpstr (a, ==, "2026-11-22T12:49:37.539Z");
  g_assert_cmpstr (b, ==, "20261122T124937539Z");
}

/* ---- install ---- */

static void
test_install_extracts (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) tgz = itu_make_tar_gz (1, 3, 4096);
  g_autoptr(GBytes) expect = itu_random_bytes (1000 + 2, 4096);
  g_autoptr(ArwInstallReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) bundle = NULL, prov = NULL;
  g_autofree char *tool = bundle_path (fx, "payload/bin/tool");
  g_autofree char *file2 = bundle_path (fx, "payload/data/file-02.bin");
  g_autofree char *artifact = bundle_path (fx, "artifacts/a.tar.gz");
  g_autofree char *bj = bundle_path (fx, "bundle.json");
  g_autofree char *pj = bundle_path (fx, "provenance.json");
  g_autofree char *cache = g_build_filename (fx->root, ".arw-downloads", NULL);
  g_autofree char *data2 = NULL;
  g_autofree char *sha = itu_sha256 (tgz);
  const ArwInstallBundleResult *r;
  JsonObject *item;
  struct stat st;
  gsize len = 0;

  serve_archive (fx, "/a.tar.gz", tgz, NULL, -2);
  g_assert_true (install (fx, NULL, &report, &error));
  g_assert_no_error (error);
  r = g_ptr_array_index (report->bundles, 0);
  g_assert_cmpuint (r->downloaded, ==, 1);
  g_assert_cmpuint (r->extracted, ==, 1);
  g_assert_cmpuint (r->bytes, ==, g_bytes_get_size (tgz));
  g_assert_true (r->committed);
  g_assert_null (r->snapshot);
  g_assert_cmpint (g_stat (tool, &st), ==, 0);
  g_assert_true (st.st_mode & S_IXUSR);
  g_assert_true (g_file_get_contents (file2, &data2, &len, NULL));
  g_assert_cmpmem (data2, len, g_bytes_get_data (expect, NULL), g_bytes_get_size (expect));
  g_assert_true (g_file_test (artifact, G_FILE_TEST_IS_REGULAR));

  bundle = read_json (bj);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (bundle), "bundle"), "id"), ==, ID);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (bundle), "catalog"), "channel"), ==, "preview");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_node_get_object (bundle), "source"), "kind"), ==, "local");
  prov = read_json (pj);
  item = json_array_get_object_element (json_object_get_array_member (json_node_get_object (prov), "items"), 0);
  g_assert_cmpstr (json_object_get_string_member (item, "sha256"), ==, sha);
  g_assert_true (json_object_get_boolean_member (item, "extracted"));
  g_assert_cmpuint (itu_count_entries (cache), ==, 0);
  assert_staging_clean (fx);
  g_assert_true (has_message (fx, "Downloaded "));
  g_assert_true (has_message (fx, "summary: 1 downloaded, 0 skipped (existing), 0 without URLs."));
}

static void
test_install_not_an_archive (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) stub = g_bytes_new_static ("not really an archive", 21);
  g_autoptr(GError) error = NULL;
  ArwInstallOptions opts = { .no_extract = TRUE };
  g_autofree char *artifact = bundle_path (fx, "artifacts/a.tar.gz");
  g_autofree char *payload = bundle_path (fx, "payload");

  serve_archive (fx, "/a.tar.gz", stub, NULL, -2);
  g_assert_false (install (fx, NULL, NULL, &error));
  g_test_message ("error: %s", error->message);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "not a valid archive"));
  g_assert_nonnull (strstr (error->message, "--no-extract"));
  g_assert_false (arw_store_has_live_state (fx->store, ID));
  assert_staging_clean (fx);

  install_ok (fx, &opts);
  g_assert_true (g_file_test (artifact, G_FILE_TEST_IS_REGULAR));
  g_assert_false (g_file_test (payload, G_FILE_TEST_EXISTS));
}

/* A failing --force install leaves the previous revision exactly as it was. */
static void
check_previous_survives (Fixture *fx, const char *path, GBytes *content, const char *sha, gint64 size,
                         int fault, guint64 fault_arg, const char *needle)
{
  g_autoptr(GBytes) good = itu_make_tar_gz (7, 2, 2048);
  g_autoptr(GHashTable) before = NULL, after = NULL;
  g_autoptr(GError) error = NULL;
  ArwInstallOptions force = { .force = TRUE };

  serve_archive (fx, "/good.tar.gz", good, NULL, -2);
  install_ok (fx, NULL);
  before = itu_snapshot_tree (fx->bundle_dir, FALSE);
  serve_archive (fx, path, content, sha, size);
  if (fault >= 0)
    arw_test_http_server_set_fault (fx->server, path, (ArwTestHttpFault) fault, fault_arg, -1);
  g_assert_false (install (fx, &force, NULL, &error));
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
  after = itu_snapshot_tree (fx->bundle_dir, FALSE);
  itu_assert_trees_equal (before, after, "previous revision");
  assert_staging_clean (fx);
}

static void
test_install_bad_hash (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) bad = itu_make_tar_gz (8, 2, 2048);
  g_autofree char *url = arw_test_http_server_url (fx->server, "/bad.tar.gz");
  g_autofree char *needle = g_strdup_printf ("artifact hash mismatch for %s: expected %s, got", url,
                                             "0000000000000000000000000000000000000000000000000000000000000000");

  check_previous_survives (fx, "/bad.tar.gz", bad, "0000000000000000000000000000000000000000000000000000000000000000",
                           -2, -1, 0, needle);
  g_assert_nonnull (strstr (needle, "expected"));
}

static void
test_install_size_exceeded (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) big = itu_make_tar_gz (9, 2, 4096);

  check_previous_survives (fx, "/big.tar.gz", big, NULL, 100, -1, 0, "the catalog's size_bytes is 100; the download was discarded");
}

static void
test_install_404 (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) some = itu_make_tar_gz (10, 1, 100);

  check_previous_survives (fx, "/gone.tar.gz", some, NULL, -2, ARW_TEST_HTTP_FAULT_STATUS, 404, "404");
}

static void
test_install_resume (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) tgz = itu_make_tar_gz (11, 4, 64 * 1024);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = arw_bundle_dir_name (ID);
  g_autofree char *part = g_build_filename (fx->root, ".arw-downloads", dir, "r.tar.gz.part", NULL);
  g_autofree char *range = NULL;
  GStatBuf st;

  serve_archive (fx, "/r.tar.gz", tgz, NULL, -2);
  arw_test_http_server_set_fault (fx->server, "/r.tar.gz", ARW_TEST_HTTP_FAULT_TRUNCATE, 100000, 1);
  g_assert_false (install (fx, NULL, NULL, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NETWORK);
  g_assert_false (arw_store_has_live_state (fx->store, ID));
  g_assert_cmpint (g_stat (part, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 100000);
  g_clear_error (&error);

  install_ok (fx, NULL);
  g_assert_cmpuint (arw_test_http_server_get_request_count (fx->server, "/r.tar.gz"), ==, 2);
  range = arw_test_http_server_get_request_header (fx->server, "/r.tar.gz", 1, "Range");
  g_assert_cmpstr (range, ==, "bytes=100000-");
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
}

static void
test_install_filters_and_no_url (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) bin = g_bytes_new_static ("binary", 6);
  g_autoptr(GBytes) other = g_bytes_new_static ("other", 5);
  g_autofree char *bin_url = arw_test_http_server_url (fx->server, "/tool.bin");
  g_autofree char *other_url = arw_test_http_server_url (fx->server, "/notes");
  ItuArtifact artifacts[] = {
    { "model", "gguf", NULL, NULL, -1 },
    { "Binary", "BIN", bin_url, NULL, 6 },
    { "extra", NULL, other_url, NULL, 5 },
  };
  const char *kinds[] = { "binary", NULL };
  const char *formats[] = { "bin", NULL };
  ArwInstallOptions by_kind = { .artifact_kinds = kinds };
  ArwInstallOptions by_format = { .force = TRUE, .artifact_formats = formats };
  ArwInstallOptions all = { .force = TRUE };
  g_autoptr(ArwInstallReport) r1 = NULL, r2 = NULL, r3 = NULL;
  g_autoptr(GError) error = NULL;
  const ArwInstallBundleResult *b;

  arw_test_http_server_set_content (fx->server, "/tool.bin", bin);
  arw_test_http_server_set_content (fx->server, "/notes", other);
  itu_write_catalog (fx->catalogs, NULL, ID, artifacts, G_N_ELEMENTS (artifacts));
  load_catalogs (fx);

  g_assert_true (install (fx, &by_kind, &r1, &error));
  b = g_ptr_array_index (r1->bundles, 0);
  g_assert_cmpuint (b->downloaded, ==, 1);
  g_assert_cmpuint (b->without_url, ==, 0);
  g_assert_true (install (fx, &by_format, &r2, &error));
  b = g_ptr_array_index (r2->bundles, 0);
  g_assert_cmpuint (b->downloaded, ==, 1); /* "extra" has no format */
  g_assert_nonnull (b->snapshot);
  g_assert_true (install (fx, &all, &r3, &error));
  g_assert_no_error (error);
  b = g_ptr_array_index (r3->bundles, 0);
  g_assert_cmpuint (b->downloaded, ==, 2);
  g_assert_cmpuint (b->without_url, ==, 1);
  g_assert_true (has_message (fx, "Bundle " ID " artifact model has no URL; use `arw-runtime bundles import` to stage it manually."));
  g_assert_true (has_message (fx, "has no sha256 in the catalog"));
}

static void
test_install_relative_url (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) tgz = itu_make_tar_gz (12, 1, 1000);
  g_autofree char *sha = itu_sha256 (tgz);
  g_autofree char *files = g_build_filename (fx->catalogs, "mirror", NULL);
  g_autofree char *file = g_build_filename (files, "local.tar.gz", NULL);
  g_autofree char *tool = bundle_path (fx, "payload/bin/tool");
  ItuArtifact a = { "archive", "tar.gz", "mirror/local.tar.gz", sha, (gint64) g_bytes_get_size (tgz) };

  g_mkdir_with_parents (files, 0755);
  g_assert_true (g_file_set_contents (file, g_bytes_get_data (tgz, NULL), g_bytes_get_size (tgz), NULL));
  itu_write_catalog (fx->catalogs, "preview", ID, &a, 1);
  load_catalogs (fx);
  install_ok (fx, NULL);
  g_assert_true (g_file_test (tool, G_FILE_TEST_IS_REGULAR));
}

static void
test_install_dry_run_and_existing (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) tgz = itu_make_tar_gz (13, 1, 1000);
  ArwInstallOptions dry = { .dry_run = TRUE };
  ArwInstallOptions dry_force = { .dry_run = TRUE, .force = TRUE };
  g_autoptr(GHashTable) before = NULL, after = NULL;
  g_autoptr(GError) error = NULL;

  serve_archive (fx, "/d.tar.gz", tgz, NULL, -2);
  install_ok (fx, &dry);
  g_assert_false (arw_store_has_live_state (fx->store, ID));
  g_assert_cmpuint (arw_test_http_server_get_request_count (fx->server, "/d.tar.gz"), ==, 0);
  g_assert_true (has_message (fx, "[dry-run] would download "));
  g_assert_true (has_message (fx, "[dry-run] would extract d.tar.gz"));

  install_ok (fx, NULL);
  before = itu_snapshot_tree (fx->bundle_dir, FALSE);
  g_assert_false (install (fx, NULL, NULL, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_ALREADY_EXISTS);
  g_assert_true (g_str_has_prefix (error->message, "bundle " ID " already staged at "));
  g_assert_true (g_str_has_suffix (error->message, " (use --force to overwrite)"));
  install_ok (fx, &dry_force);
  g_assert_true (has_message (fx, "[dry-run] would snapshot existing bundle " ID " into history/rev-"));
  after = itu_snapshot_tree (fx->bundle_dir, FALSE);
  itu_assert_trees_equal (before, after, "dry run");
}

static void
test_install_missing_ids (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) tgz = itu_make_tar_gz (14, 1, 100);
  const char *ids[] = { "a.missing", ID, "b.missing", NULL };
  ArwInstallOptions opts = { 0 };
  g_autoptr(ArwInstallReport) report = NULL;
  g_autoptr(GError) error = NULL;

  serve_archive (fx, "/m.tar.gz", tgz, NULL, -2);
  g_assert_false (arw_installer_install (fx->installer, ids, &opts, &report, NULL, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "bundle id(s) not found in catalog: a.missing, b.missing");
  g_assert_true (arw_store_has_live_state (fx->store, ID));
  g_assert_cmpuint (report->missing_ids->len, ==, 2);
}

/* ---- signed publisher manifests ---- */

static void
use_vector_registry (Fixture *fx, gboolean require_trusted)
{
  g_autofree char *path = arw_test_vector_path ("registry", "bundle_signers.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwSignerRegistry) reg = arw_signer_registry_new_from_file (path, &error);

  g_assert_no_error (error);
  arw_installer_set_trust (fx->installer, reg, require_trusted);
}

/* Serves an archive and a manifest for it; returns the manifest bytes. */
static char *
serve_signed (Fixture *fx, const char *tag, gint64 revision, const char *key, gboolean extra_artifact,
              gboolean tamper)
{
  g_autofree char *arch_path = g_strdup_printf ("/%s.tar.gz", tag);
  g_autofree char *man_path = g_strdup_printf ("/%s.bundle.json", tag);
  g_autoptr(GBytes) tgz = itu_make_tar_gz ((guint32) revision + 20, 1, 500);
  g_autofree char *sha = itu_sha256 (tgz);
  g_autofree char *arch_url = arw_test_http_server_url (fx->server, arch_path);
  g_autofree char *man_url = arw_test_http_server_url (fx->server, man_path);
  g_autofree char *extra_url = arw_test_http_server_url (fx->server, "/extra.bin");
  ItuArtifact listed = { "archive", "tar.gz", arch_url, sha, (gint64) g_bytes_get_size (tgz) };
  g_autofree char *text = itu_manifest_text (ID, "preview", revision, &listed, 1);
  char *signed_text = itu_sign_manifest (text, key, NULL);
  ItuArtifact catalog[] = {
    { "manifest", "json", man_url, NULL, -1 }, listed,
    { "model", "bin", extra_url, "1111111111111111111111111111111111111111111111111111111111111111", 5 },
  };

  if (tamper)
    {
      char *p = strstr (signed_text, "Test bundle");
      p[0] = 'B';
    }
  arw_test_http_server_set_content (fx->server, arch_path, tgz);
  {
    g_autoptr(GBytes) man = g_bytes_new (signed_text, strlen (signed_text));
    arw_test_http_server_set_content (fx->server, man_path, man);
  }
  itu_write_catalog (fx->catalogs, "preview", ID, catalog, extra_artifact ? 3 : 2);
  load_catalogs (fx);
  return signed_text;
}

static void
test_manifest_installed_unchanged (Fixture *fx, gconstpointer data)
{
  g_autofree char *signed_text = serve_signed (fx, "m1", 2, "key-a", FALSE, FALSE);
  g_autofree char *bj = bundle_path (fx, "bundle.json");
  g_autofree char *installed = NULL;
  g_autoptr(ArwInstallReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwInventoryAudit) audit = NULL;
  g_autofree char *path = arw_test_vector_path ("registry", "bundle_signers.json", NULL);
  g_autoptr(ArwSignerRegistry) reg = arw_signer_registry_new_from_file (path, NULL);
  const char *roots[] = { fx->root, NULL };

  use_vector_registry (fx, TRUE);
  g_assert_true (install (fx, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_true (((ArwInstallBundleResult *) g_ptr_array_index (report->bundles, 0))->signed_manifest);
  g_assert_true (g_file_get_contents (bj, &installed, NULL, NULL));
  g_assert_cmpstr (installed, ==, signed_text);

  audit = arw_inventory_audit_new (roots, reg, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (arw_signature_summary_get_ok (arw_inventory_audit_get_summary (audit)));
  g_assert_cmpuint (arw_signature_summary_get_counts (arw_inventory_audit_get_summary (audit))->trusted, ==, 1);
}

static void
check_manifest_refused (Fixture *fx, const char *tag, gint64 revision, const char *key, gboolean extra,
                        gboolean tamper, gboolean require_trusted, const char *needle)
{
  g_autoptr(GHashTable) before = NULL, after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  ArwInstallOptions force = { .force = TRUE };

  g_free (serve_signed (fx, "base", 5, "key-a", FALSE, FALSE));
  use_vector_registry (fx, TRUE);
  install_ok (fx, NULL);
  before = itu_snapshot_tree (fx->bundle_dir, FALSE);
  text = serve_signed (fx, tag, revision, key, extra, tamper);
  use_vector_registry (fx, require_trusted);
  g_assert_false (install (fx, &force, NULL, &error));
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
  after = itu_snapshot_tree (fx->bundle_dir, FALSE);
  itu_assert_trees_equal (before, after, tag);
  assert_staging_clean (fx);
}

static void
test_manifest_tampered (Fixture *fx, gconstpointer data)
{
  check_manifest_refused (fx, "t", 6, "key-a", FALSE, TRUE, FALSE, "bundle manifest verification failed");
}

static void
test_manifest_older_revision (Fixture *fx, gconstpointer data)
{
  ArwInstallOptions downgrade = { .force = TRUE, .allow_downgrade = TRUE };

  check_manifest_refused (fx, "old", 4, "key-a", FALSE, FALSE, TRUE,
                          "refusing to install revision 4 of bundle " ID " over installed revision 5");
  install_ok (fx, &downgrade);
}

static void
test_manifest_unlisted_artifact (Fixture *fx, gconstpointer data)
{
  check_manifest_refused (fx, "x", 6, "key-a", TRUE, FALSE, TRUE, "is not listed with a sha256 in the signed bundle manifest");
}

static void
test_manifest_untrusted (Fixture *fx, gconstpointer data)
{
  check_manifest_refused (fx, "u", 6, "key-b", FALSE, FALSE, TRUE, "no trusted signatures");
}

/* ---- cancellation ---- */

typedef struct {
  GMainLoop *loop;
  GAsyncResult *result;
  GCancellable *cancellable;
  ArwProgress *progress;
} AsyncWait;

static void
async_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncWait *w = user_data;

  w->result = g_object_ref (result);
  g_main_loop_quit (w->loop);
}

static void
cancel_when_downloading (ArwProgress *progress, gpointer user_data)
{
  AsyncWait *w = user_data;
  g_autoptr(ArwProgressSnapshot) s = arw_progress_get_snapshot (progress);

  if (s->phase == ARW_PROGRESS_PHASE_DOWNLOADING && s->bytes_done > 0)
    g_cancellable_cancel (w->cancellable);
}

static void
test_install_cancel_and_resume (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) tgz = itu_make_tar_gz (15, 2, 256 * 1024);
  const char *ids[] = { ID, NULL };
  ArwInstallOptions opts = { 0 };
  AsyncWait w = { g_main_loop_new (NULL, FALSE), NULL, g_cancellable_new (), NULL };
  g_autoptr(ArwInstallReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *range = NULL;
  gulong id;

  serve_archive (fx, "/c.tar.gz", tgz, NULL, -2);
  arw_test_http_server_set_fault (fx->server, "/c.tar.gz", ARW_TEST_HTTP_FAULT_STALL, 65536, 1);
  id = g_signal_connect (arw_installer_get_progress (fx->installer), "changed", G_CALLBACK (cancel_when_downloading), &w);
  arw_installer_install_async (fx->installer, ids, &opts, w.cancellable, async_done, &w);
  g_main_loop_run (w.loop);
  g_signal_handler_disconnect (arw_installer_get_progress (fx->installer), id);
  g_assert_false (arw_installer_install_finish (fx->installer, w.result, &report, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_nonnull (report);
  g_assert_false (arw_store_has_live_state (fx->store, ID));
  assert_staging_clean (fx);

  install_ok (fx, NULL);
  range = arw_test_http_server_get_request_header (fx->server, "/c.tar.gz", 1, "Range");
  g_assert_nonnull (range);
  g_assert_true (g_str_has_prefix (range, "bytes="));
  g_main_loop_unref (w.loop);
  g_object_unref (w.result);
  g_object_unref (w.cancellable);
}

/* ---- extraction while downloading ---- */

typedef struct {
  const char *path;
  const char *symlink; /* non-NULL: a symlink to this */
  gsize size;          /* regular file of this many pseudo-random bytes */
} StreamEntry;

/* A tar.gz (or zip) of @entries, built in memory. */
static GBytes *
make_archive (gboolean zip, const StreamEntry *entries, guint n)
{
  struct archive *a = archive_write_new ();
  gsize cap = 65536;
  guint8 *buf;
  size_t used = 0;

  for (guint i = 0; i < n; i++)
    cap += entries[i].size + 1024;
  buf = g_malloc (cap);
  if (zip)
    g_assert_cmpint (archive_write_set_format_zip (a), ==, ARCHIVE_OK);
  else
    {
      g_assert_cmpint (archive_write_set_format_pax_restricted (a), ==, ARCHIVE_OK);
      g_assert_cmpint (archive_write_add_filter_gzip (a), ==, ARCHIVE_OK);
    }
  g_assert_cmpint (archive_write_open_memory (a, buf, cap, &used), ==, ARCHIVE_OK);
  for (guint i = 0; i < n; i++)
    {
      struct archive_entry *e = archive_entry_new ();
      g_autoptr(GBytes) data = itu_random_bytes (i + 1, entries[i].size);

      archive_entry_set_pathname (e, entries[i].path);
      if (entries[i].symlink != NULL)
        {
          archive_entry_set_filetype (e, AE_IFLNK);
          archive_entry_set_symlink (e, entries[i].symlink);
          archive_entry_set_perm (e, 0777);
        }
      else
        {
          archive_entry_set_filetype (e, AE_IFREG);
          archive_entry_set_perm (e, 0644);
          archive_entry_set_size (e, (la_int64_t) entries[i].size);
        }
      g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
      if (entries[i].symlink == NULL && entries[i].size > 0)
        g_assert_cmpint (archive_write_data (a, g_bytes_get_data (data, NULL), entries[i].size), ==,
                         (la_ssize_t) entries[i].size);
      archive_entry_free (e);
    }
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
  return g_bytes_new_take (g_realloc (buf, used), used);
}

static void
assert_payload_file (Fixture *fx, const char *rel, guint32 seed, gsize size)
{
  g_autofree char *path = bundle_path (fx, rel);
  g_autoptr(GBytes) want = itu_random_bytes (seed, size);
  g_autofree char *got = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &got, &len, NULL));
  g_assert_cmpmem (got, len, g_bytes_get_data (want, NULL), g_bytes_get_size (want));
}

/* Searches @dir recursively for an entry called @name. */
static gboolean
tree_has_name (const char *dir, const char *name)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;

  while (d != NULL && (entry = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (dir, entry, NULL);

      if (g_str_equal (entry, name))
        return TRUE;
      if (!g_file_test (child, G_FILE_TEST_IS_SYMLINK) && g_file_test (child, G_FILE_TEST_IS_DIR) &&
          tree_has_name (child, name))
        return TRUE;
    }
  return FALSE;
}

/* The download breaks while the archive is being extracted: a network
 * error, the previous revision as it was, staging (with the partial
 * extraction) gone. */
static void
test_stream_interrupted (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) tgz = itu_make_tar_gz (21, 8, 256 * 1024);

  check_previous_survives (fx, "/t.tar.gz", tgz, NULL, -2, GPOINTER_TO_INT (data),
                           g_bytes_get_size (tgz) / 2, "gave up after 1 attempt");
}

/* Malicious archives fail as they did when extracted after the download:
 * the same errors, nothing written outside staging, the previous revision
 * untouched. */
static void
test_stream_malicious (Fixture *fx, gconstpointer data)
{
  const StreamEntry dotdot[] = { { "data/big.bin", NULL, 512 * 1024 }, { "../../../../pwned", NULL, 10 } };
  const StreamEntry symlink[] = { { "data/big.bin", NULL, 512 * 1024 }, { "l", "../../../..", 0 },
                                  { "l/pwned", NULL, 10 } };
  gboolean through_symlink = GPOINTER_TO_INT (data);
  g_autoptr(GBytes) evil = through_symlink ? make_archive (FALSE, symlink, G_N_ELEMENTS (symlink))
                                           : make_archive (FALSE, dotdot, G_N_ELEMENTS (dotdot));

  if (through_symlink)
    check_previous_survives (fx, "/evil.tar.gz", evil, NULL, -2, -1, 0,
                             "archive entry 'l': symlink target '../../../..' points outside the destination");
  else
    check_previous_survives (fx, "/evil.tar.gz", evil, NULL, -2, -1, 0,
                             "cannot extract artifact evil.tar.gz of bundle " ID ": archive entry "
                             "'../../../../pwned': name contains a '..' component; nothing was installed");
  g_assert_false (tree_has_name (fx->tmp, "pwned"));
  g_assert_false (tree_has_name (fx->tmp, "big.bin"));
}

/* The whole archive is streamed and extracted before the hash is known:
 * a mismatch at the end commits nothing and discards the download. */
static void
test_stream_hash_mismatch (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) tgz = itu_make_tar_gz (22, 6, 512 * 1024);
  g_autofree char *dir = arw_bundle_dir_name (ID);
  g_autofree char *cache = g_build_filename (fx->root, ".arw-downloads", dir, NULL);

  check_previous_survives (fx, "/m.tar.gz", tgz,
                           "1111111111111111111111111111111111111111111111111111111111111111", -2, -1, 0,
                           "artifact hash mismatch for ");
  g_assert_cmpuint (itu_count_entries (cache), ==, 0);
  g_assert_false (tree_has_name (fx->bundle_dir, "file-05.bin"));
}

typedef struct {
  GMainLoop *loop;
  GAsyncResult *result;
  char *staging;
  gboolean seen;
  gint64 deadline;
} OverlapWait;

static void
overlap_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  OverlapWait *w = user_data;

  w->result = g_object_ref (result);
  g_main_loop_quit (w->loop);
}

/* TRUE once staging holds the second data file of the archive, i.e. the
 * first was extracted in full while the download is stalled. */
static gboolean
extracted_while_stalled (const char *staging)
{
  g_autoptr(GDir) d = g_dir_open (staging, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *second = g_build_filename (staging, name, ".extract-0", "data", "file-01.bin", NULL);

      if (g_file_test (second, G_FILE_TEST_EXISTS))
        return TRUE;
    }
  return FALSE;
}

static gboolean
overlap_poll (gpointer user_data)
{
  OverlapWait *w = user_data;

  if (w->result != NULL)
    return G_SOURCE_REMOVE;
  g_assert_cmpint (g_get_monotonic_time (), <, w->deadline);
  if (!extracted_while_stalled (w->staging))
    return G_SOURCE_CONTINUE;
  w->seen = TRUE;
  return G_SOURCE_REMOVE;
}

/* Extraction overlaps the download: with the server stalled halfway, the
 * first files are already in staging. Cancelling then leaves nothing; the
 * next install resumes (the .part prefix is fed to the extraction first)
 * and installs the exact files. */
static void
test_stream_overlaps_download (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) tgz = itu_make_tar_gz (23, 6, 256 * 1024);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(ArwInstallReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *range = NULL;
  OverlapWait w = { g_main_loop_new (NULL, FALSE) };
  const char *ids[] = { ID, NULL };
  ArwInstallOptions opts = { 0 };

  w.staging = g_build_filename (fx->root, ".arw-staging", NULL);
  w.deadline = g_get_monotonic_time () + 60 * G_TIME_SPAN_SECOND;
  serve_archive (fx, "/o.tar.gz", tgz, NULL, -2);
  arw_test_http_server_set_fault (fx->server, "/o.tar.gz", ARW_TEST_HTTP_FAULT_STALL,
                                  g_bytes_get_size (tgz) * 2 / 3, 1);
  arw_installer_install_async (fx->installer, ids, &opts, cancellable, overlap_done, &w);
  g_timeout_add (5, overlap_poll, &w);
  while (!w.seen && w.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (w.seen);
  g_cancellable_cancel (cancellable);
  if (w.result == NULL)
    g_main_loop_run (w.loop);
  g_assert_false (arw_installer_install_finish (fx->installer, w.result, &report, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (arw_store_has_live_state (fx->store, ID));
  assert_staging_clean (fx);

  install_ok (fx, NULL);
  range = arw_test_http_server_get_request_header (fx->server, "/o.tar.gz", 1, "Range");
  g_assert_nonnull (range);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *rel = g_strdup_printf ("payload/data/file-%02u.bin", i);
      assert_payload_file (fx, rel, 23 * 1000 + i, 256 * 1024);
    }
  assert_staging_clean (fx);
  g_main_loop_unref (w.loop);
  g_object_unref (w.result);
  g_free (w.staging);
}

/* A resumed download that restarts from 0 (the server ignores Range)
 * breaks the stream: the archive is then extracted from the verified file. */
static void
test_stream_restart_falls_back (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) tgz = itu_make_tar_gz (24, 4, 128 * 1024);
  g_autoptr(GError) error = NULL;

  serve_archive (fx, "/f.tar.gz", tgz, NULL, -2);
  arw_test_http_server_set_fault (fx->server, "/f.tar.gz", ARW_TEST_HTTP_FAULT_TRUNCATE,
                                  g_bytes_get_size (tgz) / 2, 1);
  g_assert_false (install (fx, NULL, NULL, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NETWORK);
  arw_test_http_server_set_fault (fx->server, "/f.tar.gz", ARW_TEST_HTTP_FAULT_IGNORE_RANGE, 0, -1);
  install_ok (fx, NULL);
  g_assert_true (has_message (fx, "restarting from the start"));
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *rel = g_strdup_printf ("payload/data/file-%02u.bin", i);
      assert_payload_file (fx, rel, 24 * 1000 + i, 128 * 1024);
    }
  assert_staging_clean (fx);
}

/* A zip served as tar.gz cannot be streamed: it is extracted from the
 * complete file instead. */
static void
test_stream_zip_falls_back (Fixture *fx, gconstpointer data)
{
  const StreamEntry entries[] = { { "data/a.bin", NULL, 200 * 1024 }, { "data/b.bin", NULL, 3000 } };
  g_autoptr(GBytes) zip = make_archive (TRUE, entries, G_N_ELEMENTS (entries));
  g_autoptr(ArwInstallReport) report = NULL;
  g_autoptr(GError) error = NULL;
  const ArwInstallBundleResult *r;

  serve_archive (fx, "/z.tar.gz", zip, NULL, -2);
  g_assert_true (install (fx, NULL, &report, &error));
  g_assert_no_error (error);
  r = g_ptr_array_index (report->bundles, 0);
  g_assert_cmpuint (r->extracted, ==, 1);
  assert_payload_file (fx, "payload/data/a.bin", 1, 200 * 1024);
  assert_payload_file (fx, "payload/data/b.bin", 2, 3000);
  assert_staging_clean (fx);
}

/* ---- import ---- */

static char *
make_source (Fixture *fx)
{
  g_autofree char *src = g_build_filename (fx->tmp, "usb", "models", NULL);
  g_autofree char *a = g_build_filename (src, "a.gguf", NULL);
  g_autofree char *sub = g_build_filename (src, "sub", NULL);
  g_autofree char *b = g_build_filename (sub, "b.bin", NULL);

  g_mkdir_with_parents (sub, 0755);
  g_assert_true (g_file_set_contents (a, "weights-a", -1, NULL));
  g_assert_true (g_file_set_contents (b, "weights-b!", -1, NULL));
  return g_steal_pointer (&src);
}

static gboolean
import (Fixture *fx, const char *src, const char *metadata, gboolean dry_run, gboolean force,
        ArwImportReport **out_report, GError **error)
{
  const char *paths[] = { src, NULL };
  ArwImportOptions opts = { .bundle_id = ID, .metadata_path = metadata, .paths = paths,
                            .dry_run = dry_run, .force = force };

  return arw_installer_import (fx->installer, &opts, out_report, NULL, error);
}

static void
test_import_basic (Fixture *fx, gconstpointer data)
{
  g_autofree char *src = make_source (fx);
  g_autoptr(ArwImportReport) dry = NULL, report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) bj = NULL;
  g_autofree char *bj_path = bundle_path (fx, "bundle.json");
  g_autofree char *b = bundle_path (fx, "payload/models/sub/b.bin");
  g_autofree char *text = NULL;
  JsonObject *o;

  g_assert_true (import (fx, src, NULL, TRUE, FALSE, &dry, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dry->n_files, ==, 2);
  g_assert_cmpuint (dry->bytes, ==, 19);
  g_assert_false (arw_store_has_live_state (fx->store, ID));

  g_assert_true (import (fx, src, NULL, FALSE, FALSE, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_files, ==, 2);
  g_assert_true (g_file_get_contents (b, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "weights-b!");
  bj = read_json (bj_path);
  o = json_node_get_object (bj);
  g_assert_cmpuint (json_object_get_size (o), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "bundle"), "id"), ==, ID);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "source"), "kind"), ==, "import");
  g_assert_true (json_object_has_member (o, "imported_at"));
  g_assert_true (has_message (fx, "Copied directory "));
}

static void
test_import_symlink_refused (Fixture *fx, gconstpointer data)
{
  g_autofree char *src = make_source (fx);
  g_autofree char *link = g_build_filename (src, "evil", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwImportReport) report = NULL;

  g_assert_cmpint (symlink ("/etc/passwd", link), ==, 0);
  g_assert_false (import (fx, src, NULL, TRUE, FALSE, &report, &error));
  g_assert_nonnull (strstr (error->message, "symlink"));
  g_clear_error (&error);
  g_clear_pointer (&report, arw_import_report_free);
  g_assert_false (import (fx, src, NULL, FALSE, FALSE, &report, &error));
  g_assert_nonnull (strstr (error->message, "evil"));
  g_assert_false (arw_store_has_live_state (fx->store, ID));
  assert_staging_clean (fx);
}

static void
test_import_metadata (Fixture *fx, gconstpointer data)
{
  g_autofree char *src = make_source (fx);
  g_autofree char *text = itu_manifest_text (ID, "preview", 3, NULL, 0);
  g_autofree char *signed_text = itu_sign_manifest (text, "key-a", "public-preview-signer");
  g_autofree char *meta = g_build_filename (fx->tmp, "usb", "bundle.json", NULL);
  g_autofree char *bad = g_build_filename (fx->tmp, "usb", "bad.json", NULL);
  g_autofree char *bj_path = bundle_path (fx, "bundle.json");
  g_autofree char *installed = NULL;
  g_autofree char *tampered = g_strdup (signed_text);
  g_autoptr(ArwImportReport) dry = NULL, report = NULL, refused = NULL;
  g_autoptr(GError) error = NULL;

  use_vector_registry (fx, FALSE);
  g_assert_true (g_file_set_contents (meta, signed_text, -1, NULL));
  strstr (tampered, "Test bundle")[0] = 'X';
  g_assert_true (g_file_set_contents (bad, tampered, -1, NULL));

  g_assert_true (import (fx, src, meta, TRUE, FALSE, &dry, &error));
  g_assert_nonnull (dry->verification);
  g_assert_cmpuint (dry->verification->trusted_signatures, ==, 1);
  g_assert_true (has_message (fx, "signature verified (trusted signer)"));

  g_assert_true (import (fx, src, meta, FALSE, FALSE, &report, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (bj_path, &installed, NULL, NULL));
  g_assert_cmpstr (installed, ==, signed_text);

  g_assert_false (import (fx, src, bad, FALSE, TRUE, &refused, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_SIGNATURE_INVALID);
  g_clear_pointer (&installed, g_free);
  g_assert_true (g_file_get_contents (bj_path, &installed, NULL, NULL));
  g_assert_cmpstr (installed, ==, signed_text);
}

static ssize_t
failing_read (int fd, void *buf, size_t len, gboolean verifying)
{
  errno = EIO;
  return -1;
}

static void
test_import_medium_removed (Fixture *fx, gconstpointer data)
{
  g_autofree char *src = make_source (fx);
  g_autoptr(ArwImportReport) report = NULL;
  g_autoptr(GError) error = NULL;

  _arw_import_copy_set_read_func (failing_read);
  g_assert_false (import (fx, src, NULL, FALSE, FALSE, &report, &error));
  _arw_import_copy_set_read_func (NULL);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "nothing was imported"));
  g_assert_false (arw_store_has_live_state (fx->store, ID));
  assert_staging_clean (fx);
}

static void
test_remove (Fixture *fx, gconstpointer data)
{
  g_autoptr(GBytes) tgz = itu_make_tar_gz (16, 1, 100);
  g_autoptr(GError) error = NULL;

  serve_archive (fx, "/rm.tar.gz", tgz, NULL, -2);
  install_ok (fx, NULL);
  g_assert_true (arw_installer_remove (fx->installer, ID, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (fx->bundle_dir, G_FILE_TEST_EXISTS));
  g_assert_false (arw_installer_remove (fx->installer, ID, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "is not installed"));
}

int
main (int argc, char **argv)
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/installer/artifact-names", test_artifact_names);
  g_test_add_func ("/installer/timestamps", test_timestamps);
#define ADD(path, fn) g_test_add ("/installer/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
#define ADD_DATA(path, fn, arg) \
  g_test_add ("/installer/" path, Fixture, GINT_TO_POINTER (arg), fixture_setup, fn, fixture_teardown)
  ADD ("install/extracts", test_install_extracts);
  ADD ("install/not-an-archive", test_install_not_an_archive);
  ADD ("install/bad-hash-keeps-previous", test_install_bad_hash);
  ADD ("install/size-exceeded-keeps-previous", test_install_size_exceeded);
  ADD ("install/404-keeps-previous", test_install_404);
  ADD ("install/resume-after-truncation", test_install_resume);
  ADD ("install/filters-and-no-url", test_install_filters_and_no_url);
  ADD ("install/catalog-relative-url", test_install_relative_url);
  ADD ("install/dry-run-and-existing", test_install_dry_run_and_existing);
  ADD ("install/missing-ids", test_install_missing_ids);
  ADD ("install/cancel-and-resume", test_install_cancel_and_resume);
  ADD_DATA ("stream/truncated-keeps-previous", test_stream_interrupted, ARW_TEST_HTTP_FAULT_TRUNCATE);
  ADD_DATA ("stream/reset-keeps-previous", test_stream_interrupted, ARW_TEST_HTTP_FAULT_RESET);
  ADD_DATA ("stream/dotdot-keeps-previous", test_stream_malicious, FALSE);
  ADD_DATA ("stream/symlink-escape-keeps-previous", test_stream_malicious, TRUE);
  ADD ("stream/hash-mismatch-commits-nothing", test_stream_hash_mismatch);
  ADD ("stream/overlaps-download", test_stream_overlaps_download);
  ADD ("stream/restart-falls-back", test_stream_restart_falls_back);
  ADD ("stream/zip-falls-back", test_stream_zip_falls_back);
  ADD ("manifest/installed-unchanged", test_manifest_installed_unchanged);
  ADD ("manifest/tampered", test_manifest_tampered);
  ADD ("manifest/older-revision", test_manifest_older_revision);
  ADD ("manifest/unlisted-artifact", test_manifest_unlisted_artifact);
  ADD ("manifest/untrusted-signer", test_manifest_untrusted);
  ADD ("import/basic", test_import_basic);
  ADD ("import/symlink-refused", test_import_symlink_refused);
  ADD ("import/metadata", test_import_metadata);
  ADD ("import/medium-removed", test_import_medium_removed);
  ADD ("remove", test_remove);
#undef ADD
#undef ADD_DATA
  return g_test_run ();
}
