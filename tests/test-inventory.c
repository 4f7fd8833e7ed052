/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "arw-catalog.h"
#include "arw-error.h"
#include "arw-inventory.h"
#include "arw-test-utils.h"

static char *
cwd_to_vectors (void)
{
  g_autofree char *vectors = arw_test_vector_path (".", NULL);
  char *old = g_get_current_dir ();

  g_assert_cmpint (g_chdir (vectors), ==, 0);
  return old;
}

static JsonNode *
read_json (const char *path)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  node = arw_catalog_parse_json (data, len, NULL, NULL, &error);
  g_assert_no_error (error);
  return node;
}

/* Compares our installations with ARW's "installations" array, leaving
 * out "signature" (filled in by the verifier, not by the inventory). */
static void
assert_installations_match (ArwInventory *inventory, JsonArray *expected)
{
  GPtrArray *installations = arw_inventory_get_installations (inventory);

  g_assert_cmpuint (installations->len, ==, json_array_get_length (expected));
  for (guint i = 0; i < installations->len; i++)
    {
      g_autoptr(JsonNode) got = arw_installation_to_json (installations->pdata[i], NULL);
      g_autoptr(JsonNode) want = json_node_copy (json_array_get_element (expected, i));
      JsonObject *want_obj = json_node_get_object (want);

      g_assert_true (json_object_has_member (want_obj, "signature"));
      json_object_set_null_member (want_obj, "signature");
      g_assert_cmpuint (json_object_get_size (json_node_get_object (got)), ==,
                        json_object_get_size (want_obj));
      if (!json_node_equal (got, want))
        {
          g_autofree char *a = json_to_string (got, TRUE);
          g_autofree char *b = json_to_string (want, TRUE);
          g_error ("installation %u differs:\n%s\nexpected:\n%s", i, a, b);
        }
    }
}

static void
test_state_install (void)
{
  g_autofree char *old = cwd_to_vectors ();
  const char *roots[] = { "state-install/runtime/bundles", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwInventory) inventory = arw_inventory_scan (roots, &error);
  g_autoptr(JsonNode) expected = read_json ("results/list-install-state-json.stdout");
  g_autofree char *bytes = NULL;
  ArwInstallation *llama;
  GBytes *manifest;
  gsize len = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (arw_inventory_get_diagnostics (inventory)->len, ==, 0);
  assert_installations_match (inventory, json_object_get_array_member (json_node_get_object (expected),
                                                                       "installations"));

  /* The exact bytes of bundle.json are kept for signature checks. */
  llama = arw_inventory_find (inventory, "public.llama/linux-x86_64-cpu");
  g_assert_nonnull (llama);
  g_assert_cmpstr (arw_installation_get_dir (llama), ==,
                   "state-install/runtime/bundles/public.llama__linux-x86_64-cpu__d09a3cfd");
  g_assert_nonnull (arw_installation_get_bundle (llama));
  g_assert_cmpstr (arw_installation_get_channel (llama), ==, "preview");
  manifest = arw_installation_get_manifest_bytes (llama);
  g_file_get_contents (arw_installation_get_metadata_path (llama), &bytes, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (manifest, NULL), g_bytes_get_size (manifest), bytes, len);
  g_assert_null (arw_inventory_find (inventory, "public.vision/linux-x86_64-gpu"));
  g_assert_cmpint (g_chdir (old), ==, 0);
}

static void
test_state_good (void)
{
  g_autofree char *old = cwd_to_vectors ();
  const char *roots[] = { "state-good/runtime/bundles", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwInventory) inventory = arw_inventory_scan (roots, &error);
  g_autoptr(JsonNode) expected = read_json ("results/audit-good/reg.json-require-signed.stdout");
  ArwInstallation *first;

  g_assert_no_error (error);
  assert_installations_match (inventory, json_object_get_array_member (json_node_get_object (expected),
                                                                       "installations"));
  /* The signature report passes through untouched. */
  first = g_ptr_array_index (arw_inventory_get_installations (inventory), 0);
  {
    g_autoptr(JsonNode) sig = arw_catalog_parse_json ("{\"ok\":true}", 11, NULL, NULL, NULL);
    g_autoptr(JsonNode) json = arw_installation_to_json (first, sig);
    JsonObject *got = json_node_get_object (json);

    g_assert_true (json_object_get_boolean_member (json_object_get_object_member (got, "signature"), "ok"));
  }
  g_assert_cmpint (g_chdir (old), ==, 0);
}

static void
test_history (void)
{
  g_autofree char *old = cwd_to_vectors ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(JsonNode) expected = read_json ("results/rollback-list-json.stdout");
  g_autoptr(JsonNode) json = NULL;
  ArwHistoryEntry *entry;
  JsonArray *want;

  history = arw_installation_list_history (
    "state-install/runtime/bundles/public.llama__linux-x86_64-cpu__d09a3cfd", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 2);
  entry = history->pdata[0];
  g_assert_cmpstr (entry->revision, ==, "rev-20261122T124937566Z");
  g_assert_cmpstr (entry->kind, ==, "rollback");
  g_assert_cmpstr (entry->saved_at, ==, "20261122T124937566Z");

  /* When ARW listed the history, only the older revision existed. */
  want = json_object_get_array_member (json_node_get_object (expected), "history");
  g_assert_cmpuint (json_array_get_length (want), ==, 1);
  json = arw_history_entry_to_json (history->pdata[1]);
  g_assert_true (json_node_equal (json, json_array_get_element (want, 0)));

  none = arw_installation_list_history ("state-good/runtime/bundles/public.sig__valid-trusted__a2696dfd",
                                        &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpint (g_chdir (old), ==, 0);
}

static void
make_dirs (const char *base, const char *rel)
{
  g_autofree char *path = g_build_filename (base, rel, NULL);

  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
}

static void
write_file (const char *base, const char *rel, const char *contents)
{
  g_autofree char *path = g_build_filename (base, rel, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static char *
installation_json (ArwInstallation *installation)
{
  g_autoptr(JsonNode) json = arw_installation_to_json (installation, NULL);

  return json_to_string (json, FALSE);
}

static void
test_layouts (void)
{
  g_autofree char *tmp = arw_test_mkdtemp ();
  g_autofree char *root = g_build_filename (tmp, "root", NULL);
  g_autofree char *link = g_build_filename (root, "linked", NULL);
  g_autofree char *outside = g_build_filename (tmp, "outside", NULL);
  g_autofree char *artifact_link = g_build_filename (root, "broken-with-artifact", "artifacts",
                                                     "link.bin", NULL);
  const char *roots[] = { root, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwInventory) inventory = NULL;
  g_autofree char *broken_json = NULL;
  GPtrArray *installations;
  GPtrArray *artifacts;
  ArwInstallation *inst;
  ArwInstalledArtifact *artifact;
  ArwDiagnostic *d;

  /* Unparsable bundle.json plus an artifact: listed under its dir name. */
  make_dirs (root, "broken-with-artifact/artifacts/sub");
  write_file (root, "broken-with-artifact/bundle.json", "{\"bundle\": {\"id\": \"x\",}");
  write_file (root, "broken-with-artifact/artifacts/b.bin", "12345");
  write_file (root, "broken-with-artifact/artifacts/a.bin", "1");
  write_file (root, "broken-with-artifact/artifacts/sub/nested.bin", "nested");
  g_assert_cmpint (symlink ("/etc/hostname", artifact_link), ==, 0);
  /* Unparsable bundle.json and no artifacts: not an installation. */
  make_dirs (root, "broken-only");
  write_file (root, "broken-only/bundle.json", "not json");
  /* Only a payload: not an installation (ARW never counts payload/). */
  make_dirs (root, "payload-only/payload");
  write_file (root, "payload-only/payload/w.bin", "w");
  /* An array root parses, so it counts, with the dir name as id. */
  make_dirs (root, "array-root");
  write_file (root, "array-root/bundle.json", "[]");
  /* The loose fallback: "bundle" without a name; strings trimmed. */
  make_dirs (root, "loose");
  write_file (root, "loose/bundle.json",
              "{\"bundle\":{\"id\":\"aaa/loose\",\"adapter\":\"process\",\"profiles\":[\" fast \",\"\",3],"
              "\"modalities\":[\"pointer\",\"text\"],\"accelerator\":\"cuda\"},"
              "\"catalog\":{\"channel\":7},\"installed_at\":5,\"source\":null}");
  /* A symlinked directory and a plain file are ignored. */
  make_dirs (tmp, "outside/artifacts");
  write_file (tmp, "outside/artifacts/x.bin", "x");
  g_assert_cmpint (symlink (outside, link), ==, 0);
  write_file (root, "stray-file", "x");

  inventory = arw_inventory_scan (roots, &error);
  g_assert_no_error (error);
  installations = arw_inventory_get_installations (inventory);
  g_assert_cmpuint (installations->len, ==, 3);

  /* Sorted by id: "aaa/loose", "array-root", "broken-with-artifact". */
  inst = installations->pdata[0];
  g_assert_cmpstr (arw_installation_get_id (inst), ==, "aaa/loose");
  g_assert_null (arw_installation_get_bundle (inst));
  g_assert_null (arw_installation_get_name (inst));
  g_assert_cmpstr (arw_installation_get_adapter (inst), ==, "process");
  g_assert_cmpstrv (arw_installation_get_profiles (inst), ((const char *[]) { "fast", NULL }));
  g_assert_cmpstrv (arw_installation_get_modalities (inst), ((const char *[]) { "pointer", "text", NULL }));
  g_assert_cmpstr (arw_installation_get_accelerator (inst), ==, "cuda");
  g_assert_null (arw_installation_get_channel (inst));
  g_assert_null (arw_installation_get_installed_at (inst));
  g_assert_nonnull (arw_installation_get_source (inst));

  inst = installations->pdata[1];
  g_assert_cmpstr (arw_installation_get_id (inst), ==, "array-root");
  broken_json = installation_json (inst);
  g_assert_nonnull (strstr (broken_json, "\"bundle\":null"));
  g_assert_nonnull (strstr (broken_json, "\"source\":null"));
  g_assert_nonnull (strstr (broken_json, "\"artifacts\":[]"));

  inst = installations->pdata[2];
  g_assert_cmpstr (arw_installation_get_id (inst), ==, "broken-with-artifact");
  g_assert_null (arw_installation_get_metadata_path (inst));
  g_assert_null (arw_installation_get_manifest_bytes (inst));
  artifacts = arw_installation_get_artifacts (inst);
  g_assert_cmpuint (artifacts->len, ==, 2);
  artifact = artifacts->pdata[0];
  g_assert_cmpstr (artifact->name, ==, "a.bin");
  g_assert_cmpuint (artifact->bytes, ==, 1);
  artifact = artifacts->pdata[1];
  g_assert_cmpstr (artifact->name, ==, "b.bin");
  g_assert_cmpuint (artifact->bytes, ==, 5);

  /* Both unparsable bundle.json files are reported as warnings. */
  g_assert_cmpuint (arw_inventory_get_diagnostics (inventory)->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      d = g_ptr_array_index (arw_inventory_get_diagnostics (inventory), i);
      g_assert_cmpint (d->severity, ==, ARW_DIAGNOSTIC_WARNING);
      g_assert_nonnull (strstr (d->message, "is not valid JSON and is ignored: line 1"));
    }
  arw_test_rm_rf (tmp);
}

static void
test_roots_order (void)
{
  g_autofree char *tmp = arw_test_mkdtemp ();
  g_autofree char *a = g_build_filename (tmp, "a", NULL);
  g_autofree char *b = g_build_filename (tmp, "b", NULL);
  g_autofree char *missing = g_build_filename (tmp, "missing", NULL);
  const char *roots[] = { b, missing, a, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwInventory) inventory = NULL;
  GPtrArray *installations;

  make_dirs (a, "one");
  write_file (a, "one/bundle.json", "{\"bundle\":{\"id\":\"same\",\"name\":\"A\"}}");
  make_dirs (b, "two");
  write_file (b, "two/bundle.json", "{\"bundle\":{\"id\":\"same\",\"name\":\"B\"}}");
  make_dirs (b, "three");
  write_file (b, "three/bundle.json", "{\"bundle\":{\"id\":\"another\",\"name\":\"C\"}}");

  inventory = arw_inventory_scan (roots, &error);
  g_assert_no_error (error);
  installations = arw_inventory_get_installations (inventory);
  g_assert_cmpuint (installations->len, ==, 3);
  g_assert_cmpstr (arw_installation_get_name (installations->pdata[0]), ==, "C");
  /* Same id: ordered by root ("…/a" before "…/b"), not by scan order. */
  g_assert_cmpstr (arw_installation_get_name (installations->pdata[1]), ==, "A");
  g_assert_cmpstr (arw_installation_get_name (installations->pdata[2]), ==, "B");
  g_assert_cmpstr (arw_installation_get_root (installations->pdata[1]), ==, a);
  g_assert_cmpstrv (arw_inventory_get_roots (inventory), roots);
  arw_test_rm_rf (tmp);
}

static void
test_root_not_a_directory (void)
{
  g_autofree char *tmp = arw_test_mkdtemp ();
  g_autofree char *file = g_build_filename (tmp, "file", NULL);
  const char *roots[] = { file, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwInventory) inventory = NULL;

  write_file (tmp, "file", "x");
  inventory = arw_inventory_scan (roots, &error);
  g_assert_null (inventory);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "could not be read"));
  arw_test_rm_rf (tmp);
}

/* A FIFO named bundle.json must not hang the scan. */
static void
test_fifo_manifest (void)
{
  g_autofree char *tmp = arw_test_mkdtemp ();
  g_autofree char *fifo = g_build_filename (tmp, "dir", "bundle.json", NULL);
  const char *roots[] = { tmp, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwInventory) inventory = NULL;
  ArwDiagnostic *d;

  make_dirs (tmp, "dir/artifacts");
  write_file (tmp, "dir/artifacts/a.bin", "a");
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  inventory = arw_inventory_scan (roots, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (arw_inventory_get_installations (inventory)->len, ==, 1);
  g_assert_cmpuint (arw_inventory_get_diagnostics (inventory)->len, ==, 1);
  d = g_ptr_array_index (arw_inventory_get_diagnostics (inventory), 0);
  g_assert_nonnull (strstr (d->message, "is not a regular file"));
  arw_test_rm_rf (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arw/inventory/state-install", test_state_install);
  g_test_add_func ("/arw/inventory/state-good", test_state_good);
  g_test_add_func ("/arw/inventory/history", test_history);
  g_test_add_func ("/arw/inventory/layouts", test_layouts);
  g_test_add_func ("/arw/inventory/roots-order", test_roots_order);
  g_test_add_func ("/arw/inventory/root-not-a-directory", test_root_not_a_directory);
  g_test_add_func ("/arw/inventory/fifo-manifest", test_fifo_manifest);
  return g_test_run ();
}
