/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "arw-catalog.h"
#include "arw-error.h"
#include "arw-test-utils.h"

static char *
fixture_dir (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "catalogs", name, NULL);
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (haystack == NULL || strstr (haystack, needle) == NULL)
    g_error ("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* The last diagnostic for @path (whose name ends with @suffix) and
 * @bundle_id. */
static ArwDiagnostic *
find_diagnostic (GPtrArray *diagnostics, const char *suffix, const char *bundle_id)
{
  for (guint i = diagnostics->len; i > 0; i--)
    {
      ArwDiagnostic *d = diagnostics->pdata[i - 1];

      if (d->path != NULL && g_str_has_suffix (d->path, suffix) &&
          g_strcmp0 (d->bundle_id, bundle_id) == 0)
        return d;
    }
  g_error ("no diagnostic for %s (bundle %s)", suffix, bundle_id ? bundle_id : "-");
  return NULL;
}

static ArwDiagnostic *
find_message (GPtrArray *diagnostics, const char *fragment)
{
  for (guint i = 0; i < diagnostics->len; i++)
    {
      ArwDiagnostic *d = diagnostics->pdata[i];

      if (strstr (d->message, fragment) != NULL)
        return d;
    }
  g_error ("no diagnostic contains \"%s\"", fragment);
  return NULL;
}

static char *
cwd_to_vectors (void)
{
  g_autofree char *vectors = arw_test_vector_path (".", NULL);
  char *old = g_get_current_dir ();

  g_assert_cmpint (g_chdir (vectors), ==, 0);
  return old;
}

static void
test_vector_catalogs (void)
{
  g_autofree char *old = cwd_to_vectors ();
  const char *roots[] = { "catalogs", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwCatalogSet) set = arw_catalog_set_load (roots, ARW_CATALOG_LOAD_STRICT, &error);
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_autofree char *data = NULL;
  ArwCatalog *catalog;
  ArwCatalog *found_in = NULL;
  ArwBundle *bundle;
  gsize len = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (arw_catalog_set_get_diagnostics (set)->len, ==, 0);
  g_assert_cmpuint (arw_catalog_set_get_catalogs (set)->len, ==, 1);
  catalog = g_ptr_array_index (arw_catalog_set_get_catalogs (set), 0);
  g_assert_cmpstr (arw_catalog_get_path (catalog), ==, "catalogs/bundles.public.json");
  g_assert_cmpuint (arw_catalog_get_version (catalog), ==, 1);
  g_assert_cmpstr (arw_catalog_get_channel (catalog), ==, "preview");
  g_assert_cmpstr (arw_catalog_get_notes (catalog), ==, "Interop vector catalog (local HTTP artifacts).");
  g_assert_cmpuint (arw_catalog_get_bundles (catalog)->len, ==, 3);

  bundle = arw_catalog_set_find_bundle (set, "public.vision/linux-x86_64-gpu", &found_in);
  g_assert_nonnull (bundle);
  g_assert_true (found_in == catalog);
  g_assert_cmpstr (arw_bundle_get_name (bundle), ==, "Vector llava (CUDA, bad hash)");
  g_assert_null (arw_catalog_set_find_bundle (set, "does.not/exist", &found_in));
  g_assert_null (found_in);

  /* The "catalogs" array of ARW's `bundles list --json`. */
  data = arw_test_vector_read (&len, "results", "list-install-state-json.stdout", NULL);
  expected = arw_catalog_parse_json (data, len, NULL, NULL, &error);
  g_assert_no_error (error);
  json = arw_catalog_set_to_json (set);
  g_assert_true (json_node_equal (json, json_object_get_member (json_node_get_object (expected),
                                                                "catalogs")));
  g_assert_cmpint (g_chdir (old), ==, 0);
}

static void
test_mixed_directory (void)
{
  g_autofree char *dir = fixture_dir ("mixed");
  const char *roots[] = { dir, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwCatalogSet) set = arw_catalog_set_load (roots, ARW_CATALOG_LOAD_NONE, &error);
  GPtrArray *catalogs;
  GPtrArray *diagnostics;
  ArwDiagnostic *d;
  ArwCatalog *types;
  ArwCatalog *found_in = NULL;
  ArwBundle *bundle;

  g_assert_no_error (error);
  catalogs = arw_catalog_set_get_catalogs (set);
  diagnostics = arw_catalog_set_get_diagnostics (set);
  /* a-good, e-types and f-enums load; broken, BOM and array-root do not;
   * bundle_signers.json, notbundles.json, bundles.txt and the directory
   * bundles.dir.json are not catalogs. */
  g_assert_cmpuint (catalogs->len, ==, 3);
  g_assert_true (g_str_has_suffix (arw_catalog_get_path (catalogs->pdata[0]), "/bundles.a-good.json"));
  g_assert_true (g_str_has_suffix (arw_catalog_get_path (catalogs->pdata[1]), "/bundles.e-types.json"));
  g_assert_true (g_str_has_suffix (arw_catalog_get_path (catalogs->pdata[2]), "/bundles.f-enums.json"));

  d = find_diagnostic (diagnostics, "bundles.b-broken.json", NULL);
  g_assert_cmpint (d->severity, ==, ARW_DIAGNOSTIC_ERROR);
  g_assert_cmpuint (d->line, ==, 5);
  g_assert_cmpuint (d->column, ==, 5);
  assert_contains (d->message, "is not valid JSON: line 5, column 5: expected ',' or '}'");

  d = find_diagnostic (diagnostics, "bundles.c-bom.json", NULL);
  assert_contains (d->message, "byte order mark");
  d = find_diagnostic (diagnostics, "bundles.d-array.json", NULL);
  assert_contains (d->message, "the top level must be a JSON object, found an array");

  /* Wrongly typed bundles are skipped one by one. */
  types = catalogs->pdata[1];
  g_assert_cmpuint (arw_catalog_get_bundles (types)->len, ==, 1);
  g_assert_nonnull (arw_catalog_find_bundle (types, "types/good"));
  d = find_diagnostic (diagnostics, "bundles.e-types.json", "types/no-name");
  g_assert_cmpint (d->severity, ==, ARW_DIAGNOSTIC_ERROR);
  g_assert_cmpuint (d->line, ==, 6);
  g_assert_cmpuint (d->column, ==, 5);
  assert_contains (d->message, "line 6, column 5: bundle \"types/no-name\" skipped: "
                               "missing required field \"name\"");
  d = find_message (diagnostics, "bundle #3 skipped: missing required field \"id\"");
  g_assert_null (d->bundle_id);
  g_assert_cmpuint (d->line, ==, 7);
  d = find_message (diagnostics, "bundle #7 skipped: a bundle must be a JSON object");
  g_assert_cmpuint (d->line, ==, 13);
  d = find_diagnostic (diagnostics, "bundles.e-types.json", "types/bad-artifact");
  assert_contains (d->message, "\"artifacts[0].kind\"");
  d = find_diagnostic (diagnostics, "bundles.e-types.json", "types/bad-size");
  assert_contains (d->message, "\"artifacts[0].size_bytes\" must be a non-negative integer");
  d = find_diagnostic (diagnostics, "bundles.e-types.json", "types/bad-profiles");
  assert_contains (d->message, "\"profiles\" must be an array of strings, found a string");

  /* Unknown enum values are dropped with a warning; the bundle stays. */
  bundle = arw_catalog_set_find_bundle (set, "enums/pointer-cuda", NULL);
  g_assert_nonnull (bundle);
  g_assert_cmpstrv (arw_bundle_get_modalities (bundle), ((const char *[]) { "text", NULL }));
  g_assert_null (arw_bundle_get_accelerator (bundle));
  d = find_message (diagnostics, "bundle \"enums/pointer-cuda\": modality \"pointer\"");
  g_assert_cmpint (d->severity, ==, ARW_DIAGNOSTIC_WARNING);
  g_assert_cmpuint (d->line, ==, 4);
  d = find_message (diagnostics, "accelerator \"cuda\" is not an ARW catalog value; use \"gpu_cuda\"");
  g_assert_cmpstr (d->bundle_id, ==, "enums/pointer-cuda");

  /* good/one is defined twice; the first catalog in path order wins. */
  bundle = arw_catalog_set_find_bundle (set, "good/one", &found_in);
  g_assert_cmpstr (arw_bundle_get_name (bundle), ==, "Good one");
  g_assert_true (found_in == catalogs->pdata[0]);
  d = find_message (diagnostics, "bundle \"good/one\" is also defined in");
  g_assert_true (g_str_has_suffix (d->path, "bundles.f-enums.json"));
}

static void
test_mixed_directory_strict (void)
{
  g_autofree char *dir = fixture_dir ("mixed");
  const char *roots[] = { dir, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwCatalogSet) set = arw_catalog_set_load (roots, ARW_CATALOG_LOAD_STRICT, &error);

  g_assert_null (set);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  /* The first problem in path order: bundles.b-broken.json. */
  assert_contains (error->message, "bundles.b-broken.json is not valid JSON: line 5, column 5");
}

static void
test_strict_warning_is_fatal (void)
{
  const char *text = "{\"version\":1,\"bundles\":[{\"id\":\"a\",\"name\":\"A\",\"accelerator\":\"cuda\"}]}";
  g_autoptr(GPtrArray) diagnostics = arw_diagnostics_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwCatalog) strict = NULL;
  g_autoptr(ArwCatalog) lenient = NULL;

  strict = arw_catalog_parse_data ("mem.json", text, strlen (text), TRUE, diagnostics, &error);
  g_assert_null (strict);
  assert_contains (error->message, "use \"gpu_cuda\"");
  g_assert_cmpuint (diagnostics->len, ==, 1);
  g_clear_error (&error);

  lenient = arw_catalog_parse_data ("mem.json", text, strlen (text), FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (arw_catalog_get_bundles (lenient)->len, ==, 1);
}

static void
assert_file_error (const char *text, const char *fragment, guint line, guint column)
{
  g_autoptr(GPtrArray) diagnostics = arw_diagnostics_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwCatalog) catalog = NULL;
  ArwDiagnostic *d;

  catalog = arw_catalog_parse_data ("cat.json", text, strlen (text), FALSE, diagnostics, &error);
  g_assert_null (catalog);
  g_assert_nonnull (error);
  assert_contains (error->message, "catalog cat.json");
  assert_contains (error->message, fragment);
  g_assert_cmpuint (diagnostics->len, ==, 1);
  d = diagnostics->pdata[0];
  g_assert_cmpstr (d->message, ==, error->message);
  g_assert_cmpint (d->severity, ==, ARW_DIAGNOSTIC_ERROR);
  g_assert_cmpuint (d->line, ==, line);
  g_assert_cmpuint (d->column, ==, column);
}

static void
test_file_errors (void)
{
  assert_file_error ("", "line 1, column 1: expected a JSON value, found end of input", 1, 1);
  assert_file_error ("  \n ", "line 2, column 2: expected a JSON value", 2, 2);
  assert_file_error ("{\"version\":1}{}", "expected end of input after the JSON value", 1, 14);
  assert_file_error ("{\"version\":1 /* c */}", "found '/'", 1, 14);
  assert_file_error ("{\"version\":1,\"channel\":'x'}", "found '''", 1, 24);
  assert_file_error ("{\"version\":1,}", "expected a member name", 1, 14);
  assert_file_error ("{\"version\":01}", "expected ',' or '}'", 1, 13);
  assert_file_error ("{\"version\":.5}", "expected a JSON value", 1, 12);
  assert_file_error ("{\"version\":NaN}", "expected a JSON value", 1, 12);
  assert_file_error ("{\"version\":1,\"notes\":\"a\tb\"}", "control character 0x09", 1, 24);
  assert_file_error ("{\"version\":1,\"notes\":\"\\ud800\"}", "lone high surrogate", 1, 23);
  assert_file_error ("{\"version\":1,\"notes\":\"\\u0000\"}", "\\u0000", 1, 23);
  assert_file_error ("{\"version\":1,\"notes\":\"\\x\"}", "invalid escape", 1, 23);
  assert_file_error ("{\"version\":18446744073709551615}", "outside the supported range", 1, 12);
  assert_file_error ("{\"version\":1e400}", "out of range", 1, 12);
  assert_file_error ("{\"version\":1,\"notes\":\"\xff\"}", "invalid UTF-8", 1, 23);
  assert_file_error ("{\"version\":1,\"notes\":\"caf\xc3\xa9\",\n\"x\" 1}", "line 2, column 5: expected ':'", 2, 5);
  assert_file_error ("\xef\xbb\xbf{\"version\":1}", "byte order mark", 1, 1);
  assert_file_error ("[]", "the top level must be a JSON object, found an array", 1, 1);
  assert_file_error ("{}", "has no \"version\" field", 0, 0);
  assert_file_error ("{\"version\":-1}", "\"version\" must be an unsigned 32-bit integer, found a negative", 0, 0);
  assert_file_error ("{\"version\":1.0}", "found a number with a fraction", 0, 0);
  assert_file_error ("{\"version\":\"1\"}", "found a string", 0, 0);
  assert_file_error ("{\"version\":4294967296}", "too large for 32 bits", 0, 0);
  assert_file_error ("{\"version\":1,\"channel\":5}", "\"channel\" must be a string, found an integer", 0, 0);
  assert_file_error ("{\"version\":1,\"notes\":[\"a\"]}", "\"notes\" must be a string, found an array", 0, 0);
  assert_file_error ("{\"version\":1,\"bundles\":{}}", "\"bundles\" must be an array, found an object", 0, 0);
  assert_file_error ("{\"version\":1,\"bundles\":null}", "\"bundles\" must be an array, found null", 0, 0);
}

static void
test_accepted_forms (void)
{
  /* What serde_json accepts: nulls for optional fields, duplicate keys
   * (last wins), escapes, exponents, surrogate pairs, no "bundles". */
  const char *text = "{\"version\":4294967295,\"channel\":null,\"notes\":\"\\ud83d\\ude00 \\u00e9\\/\","
                     "\"channel\":\"stable\",\"bundles\":[{\"id\":\"a\",\"name\":\"A\",\"metadata\":"
                     "{\"n\":[1e2,-0,0.5E-3,true,false,null]}}],\"x\":1}";
  g_autoptr(GPtrArray) diagnostics = arw_diagnostics_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwCatalog) catalog = NULL;
  g_autoptr(ArwCatalog) empty = NULL;
  g_autoptr(JsonNode) json = NULL;

  catalog = arw_catalog_parse_data ("ok.json", text, strlen (text), FALSE, diagnostics, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (arw_catalog_get_version (catalog), ==, G_MAXUINT32);
  g_assert_cmpstr (arw_catalog_get_channel (catalog), ==, "stable");
  g_assert_cmpstr (arw_catalog_get_notes (catalog), ==, "\xf0\x9f\x98\x80 \xc3\xa9/");
  g_assert_cmpuint (arw_catalog_get_bundles (catalog)->len, ==, 1);
  /* Only the unknown top-level field "x" is reported. */
  g_assert_cmpuint (diagnostics->len, ==, 1);
  assert_contains (((ArwDiagnostic *) diagnostics->pdata[0])->message, "unknown field \"x\"");

  empty = arw_catalog_parse_data ("e.json", "{\"version\":0}", 13, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (arw_catalog_get_bundles (empty)->len, ==, 0);
  json = arw_catalog_to_json (empty);
  g_assert_true (json_object_get_null_member (json_node_get_object (json), "channel"));
  g_assert_true (json_object_get_null_member (json_node_get_object (json), "notes"));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (json), "version"), ==, 0);
}

static char *
nested (guint depth)
{
  GString *s = g_string_new ("{\"version\":1,\"bundles\":[],\"x\":");

  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, ']');
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}

static void
test_depth_limit (void)
{
  /* The root object is level 1, so 127 arrays make 128 levels. */
  g_autofree char *ok = nested (127);
  g_autofree char *deep = nested (200);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwCatalog) catalog = NULL;

  catalog = arw_catalog_parse_data ("ok.json", ok, strlen (ok), FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (catalog);

  g_clear_pointer (&catalog, arw_catalog_unref);
  catalog = arw_catalog_parse_data ("deep.json", deep, strlen (deep), FALSE, NULL, &error);
  g_assert_null (catalog);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  /* 30 bytes of prefix, then the 128th '[' is the 129th level. */
  assert_contains (error->message, "line 1, column 158: nesting is deeper than 128 levels");
}

static void
write_file (const char *dir, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
test_size_limit (void)
{
  g_autofree char *tmp = arw_test_mkdtemp ();
  g_autofree char *big_path = g_build_filename (tmp, "bundles.big.json", NULL);
  g_autofree char *data = NULL;
  const char *roots[] = { tmp, NULL };
  gsize big = 17 * 1024 * 1024;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwCatalogSet) set = NULL;
  g_autoptr(ArwCatalog) catalog = NULL;
  g_autofree char *want = NULL;
  ArwDiagnostic *d;

  /* A valid catalog padded with whitespace to 17 MiB. */
  data = g_malloc (big);
  memset (data, ' ', big);
  memcpy (data, "{\"version\":1}", 13);
  g_file_set_contents (big_path, data, (gssize) big, &error);
  g_assert_no_error (error);
  write_file (tmp, "bundles.small.json", "{\"version\":1,\"bundles\":[{\"id\":\"s\",\"name\":\"S\"}]}");

  set = arw_catalog_set_load (roots, ARW_CATALOG_LOAD_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (arw_catalog_set_get_catalogs (set)->len, ==, 1);
  g_assert_nonnull (arw_catalog_set_find_bundle (set, "s", NULL));
  d = find_diagnostic (arw_catalog_set_get_diagnostics (set), "bundles.big.json", NULL);
  want = g_strdup_printf ("catalog %s is 17825792 bytes; the limit is 16 MiB", big_path);
  g_assert_cmpstr (d->message, ==, want);

  /* The in-memory entry point has the same limit. */
  catalog = arw_catalog_parse_data ("mem.json", data, big, FALSE, NULL, &error);
  g_assert_null (catalog);
  assert_contains (error->message, "catalog mem.json is 17825792 bytes; the limit is 16 MiB");
  arw_test_rm_rf (tmp);
}

static void
test_roots (void)
{
  g_autofree char *tmp = arw_test_mkdtemp ();
  g_autofree char *missing = g_build_filename (tmp, "nope", NULL);
  g_autofree char *second = g_build_filename (tmp, "second", NULL);
  g_autofree char *target = g_build_filename (tmp, "elsewhere.json", NULL);
  g_autofree char *link = g_build_filename (tmp, "bundles.link.json", NULL);
  g_autofree char *want = g_strdup_printf ("bundle directory %s does not exist", missing);
  const char *with_missing[] = { tmp, missing, NULL };
  const char *two[] = { second, tmp, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwCatalogSet) set = NULL;
  ArwCatalog *found_in = NULL;

  write_file (tmp, "bundles.json", "{\"version\":1,\"bundles\":[{\"id\":\"x\",\"name\":\"first root\"}]}");
  write_file (tmp, "elsewhere.json", "{\"version\":1,\"bundles\":[{\"id\":\"l\",\"name\":\"L\"}]}");
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_assert_cmpint (g_mkdir (second, 0700), ==, 0);
  write_file (second, "bundles.json", "{\"version\":1,\"bundles\":[{\"id\":\"x\",\"name\":\"second root\"}]}");

  set = arw_catalog_set_load (with_missing, ARW_CATALOG_LOAD_NONE, &error);
  g_assert_null (set);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, want);
  g_clear_error (&error);

  set = arw_catalog_set_load (with_missing, ARW_CATALOG_LOAD_ALLOW_MISSING_ROOTS, &error);
  g_assert_no_error (error);
  /* Symlinked catalogs are not followed, as in ARW. */
  g_assert_cmpuint (arw_catalog_set_get_catalogs (set)->len, ==, 1);
  g_assert_null (arw_catalog_set_find_bundle (set, "l", NULL));
  g_assert_cmpstrv (arw_catalog_set_get_roots (set), with_missing);
  g_clear_pointer (&set, arw_catalog_set_free);

  /* Roots are taken in order: the first root's definition wins. */
  set = arw_catalog_set_load (two, ARW_CATALOG_LOAD_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (arw_catalog_set_get_catalogs (set)->len, ==, 2);
  g_assert_cmpstr (arw_bundle_get_name (arw_catalog_set_find_bundle (set, "x", &found_in)),
                   ==, "second root");
  g_assert_true (g_str_has_prefix (arw_catalog_get_path (found_in), second));
  arw_test_rm_rf (tmp);
}

static void
test_load_file_special (void)
{
  g_autofree char *tmp = arw_test_mkdtemp ();
  g_autofree char *fifo = g_build_filename (tmp, "bundles.fifo.json", NULL);
  g_autofree char *missing = g_build_filename (tmp, "bundles.none.json", NULL);
  g_autoptr(GPtrArray) diagnostics = arw_diagnostics_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwCatalog) catalog = NULL;
  const char *roots[] = { tmp, NULL };
  g_autoptr(ArwCatalogSet) set = NULL;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  /* Opening a FIFO must not block; it is not a catalog. */
  catalog = arw_catalog_load_file (fifo, FALSE, diagnostics, &error);
  g_assert_null (catalog);
  assert_contains (error->message, "is not a regular file");
  g_assert_cmpuint (diagnostics->len, ==, 1);
  g_clear_error (&error);
  catalog = arw_catalog_load_file (missing, FALSE, diagnostics, &error);
  g_assert_null (catalog);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  assert_contains (error->message, "could not be read");
  g_clear_error (&error);
  /* Directory scans skip it without opening it. */
  set = arw_catalog_set_load (roots, ARW_CATALOG_LOAD_STRICT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (arw_catalog_set_get_catalogs (set)->len, ==, 0);
  arw_test_rm_rf (tmp);
}

/* Every prefix of a real catalog either parses or fails cleanly. */
static void
test_truncations (void)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  guint ok = 0;

  data = arw_test_vector_read (&len, "catalogs", "bundles.public.json", NULL);
  for (gsize n = 0; n <= len; n++)
    {
      g_autoptr(GPtrArray) diagnostics = arw_diagnostics_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *copy = g_memdup2 (data, n);
      g_autoptr(ArwCatalog) catalog = arw_catalog_parse_data ("t.json", copy, n, FALSE,
                                                              diagnostics, &error);

      g_assert_true ((catalog == NULL) == (error != NULL));
      if (catalog == NULL)
        g_assert_cmpuint (diagnostics->len, >, 0);
      else
        ok++;
    }
  /* Only the complete file (and with its trailing newline cut) parses. */
  g_assert_cmpuint (ok, ==, 2);
}

/* Positions are found in one pass, so a file with very many bad bundles
 * stays linear (it was quadratic when each position rescanned the file). */
static void
test_many_bad_bundles (void)
{
  GString *text = g_string_new ("{\"version\":1,\"bundles\":[\n");
  g_autoptr(GPtrArray) diagnostics = arw_diagnostics_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwCatalog) catalog = NULL;
  g_autofree char *data = NULL;
  gsize len;
  ArwDiagnostic *last;
  const guint n = 100000;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%s{\"id\":\"b%u\"}\n", i > 0 ? "," : "", i);
  g_string_append (text, "]}");
  len = text->len;
  data = g_string_free (text, FALSE);
  catalog = arw_catalog_parse_data ("many.json", data, len, FALSE, diagnostics, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (arw_catalog_get_bundles (catalog)->len, ==, 0);
  g_assert_cmpuint (diagnostics->len, ==, n);
  last = diagnostics->pdata[n - 1];
  g_assert_cmpuint (last->line, ==, n + 1);
  g_assert_cmpuint (last->column, ==, 2);
  g_assert_cmpstr (last->bundle_id, ==, "b99999");
}

static void
test_diagnostic_to_string (void)
{
  g_autoptr(ArwDiagnostic) w = arw_diagnostic_new (ARW_DIAGNOSTIC_WARNING, "p", 1, 2, "id", "msg");
  g_autoptr(ArwDiagnostic) e = arw_diagnostic_new (ARW_DIAGNOSTIC_ERROR, NULL, 0, 0, NULL, "bad");
  g_autofree char *ws = arw_diagnostic_to_string (w);
  g_autofree char *es = arw_diagnostic_to_string (e);

  g_assert_cmpstr (ws, ==, "warning: msg");
  g_assert_cmpstr (es, ==, "error: bad");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arw/catalog/vector", test_vector_catalogs);
  g_test_add_func ("/arw/catalog/mixed-directory", test_mixed_directory);
  g_test_add_func ("/arw/catalog/mixed-directory-strict", test_mixed_directory_strict);
  g_test_add_func ("/arw/catalog/strict-warning-is-fatal", test_strict_warning_is_fatal);
  g_test_add_func ("/arw/catalog/file-errors", test_file_errors);
  g_test_add_func ("/arw/catalog/accepted-forms", test_accepted_forms);
  g_test_add_func ("/arw/catalog/depth-limit", test_depth_limit);
  g_test_add_func ("/arw/catalog/size-limit", test_size_limit);
  g_test_add_func ("/arw/catalog/roots", test_roots);
  g_test_add_func ("/arw/catalog/load-file-special", test_load_file_special);
  g_test_add_func ("/arw/catalog/truncations", test_truncations);
  g_test_add_func ("/arw/catalog/many-bad-bundles", test_many_bad_bundles);
  g_test_add_func ("/arw/catalog/diagnostic-to-string", test_diagnostic_to_string);
  return g_test_run ();
}
