/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arw-bundle.h"
#include "arw-catalog.h"
#include "arw-error.h"
#include "arw-sha256.h"
#include "arw-test-utils.h"

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = arw_catalog_parse_json (text, strlen (text), NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static JsonNode *
vector_json (const char *name)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  data = arw_test_vector_read (&len, "results", name, NULL);
  return arw_catalog_parse_json (data, len, NULL, NULL, NULL);
}

static ArwBundle *
bundle_from_text (const char *text, GPtrArray *warnings, GError **error)
{
  g_autoptr(JsonNode) node = parse (text);

  return arw_bundle_new_from_json (node, warnings, error);
}

/* The three bundles of catalogs/bundles.public.json. */
static JsonArray *
vector_bundles (JsonNode **keep)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  data = arw_test_vector_read (&len, "catalogs", "bundles.public.json", NULL);
  *keep = arw_catalog_parse_json (data, len, NULL, NULL, NULL);
  g_assert_nonnull (*keep);
  return json_object_get_array_member (json_node_get_object (*keep), "bundles");
}

static void
test_dir_name_examples (void)
{
  static const struct {
    const char *id;
    const char *dir;
  } cases[] = {
    { "llama.cpp-preview/linux-x86_64-cpu", "llama.cpp-preview__linux-x86_64-cpu__d5f981db" },
    { "llama.cpp-preview/linux-x86_64-cuda", "llama.cpp-preview__linux-x86_64-cuda__cf51e580" },
    { "llava.cpp-preview/linux-x86_64-gpu", "llava.cpp-preview__linux-x86_64-gpu__9462ce27" },
    { "llava.cpp-preview/linux-x86_64-cpu", "llava.cpp-preview__linux-x86_64-cpu__0720c638" },
    { "whisper.cpp-preview/linux-x86_64-cpu", "whisper.cpp-preview__linux-x86_64-cpu__b912ba61" },
    { "piper-preview/linux-x86_64-cpu", "piper-preview__linux-x86_64-cpu__126d9c50" },
    /* Directory names ARW wrote in the vectors. */
    { "public.audio/linux-x86_64-cpu", "public.audio__linux-x86_64-cpu__22cbe00f" },
    { "public.llama/linux-x86_64-cpu", "public.llama__linux-x86_64-cpu__d09a3cfd" },
    { "public.sig/keyid-spoof", "public.sig__keyid-spoof__b9aa4cf1" },
    { "public.sig/untrusted-signer", "public.sig__untrusted-signer__f018b410" },
    { "public.sig/valid-trusted", "public.sig__valid-trusted__a2696dfd" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = arw_bundle_dir_name (cases[i].id);
      g_assert_cmpstr (dir, ==, cases[i].dir);
    }
}

static void
test_dir_name_sanitising (void)
{
  g_autofree char *empty = arw_bundle_dir_name ("");
  g_autofree char *unicode = arw_bundle_dir_name ("é\\ü x");
  g_autofree char *dots = arw_bundle_dir_name ("../..");
  g_autofree char *hash = arw_sha256_hex ("é\\ü x", strlen ("é\\ü x"));
  g_autofree char *want = g_strdup_printf ("_____x__%.8s", hash);

  /* sha256("") starts e3b0c442. */
  g_assert_cmpstr (empty, ==, "bundle__e3b0c442");
  /* One '_' per non-ASCII character, "__" for a backslash, '_' for space. */
  g_assert_cmpstr (unicode, ==, want);
  /* Never a path: "/" becomes "__", so no separator survives. */
  g_assert_null (strchr (dots, '/'));
  g_assert_true (g_str_has_prefix (dots, "..__..__"));
}

static void
test_vector_bundle_fields (void)
{
  g_autoptr(JsonNode) keep = NULL;
  JsonArray *bundles = vector_bundles (&keep);
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwBundle) llama = NULL;
  g_autoptr(ArwBundle) audio = NULL;
  ArwArtifact *artifact;
  ArwPlatform *platform;
  const ArwSupport *support;

  llama = arw_bundle_new_from_json (json_array_get_element (bundles, 0), warnings, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (warnings->len, ==, 0);
  g_assert_cmpstr (arw_bundle_get_id (llama), ==, "public.llama/linux-x86_64-cpu");
  g_assert_cmpstr (arw_bundle_get_name (llama), ==, "Vector llama.cpp (CPU)");
  g_assert_cmpstr (arw_bundle_get_description (llama), ==, "Stub text runtime used for interop vectors.");
  g_assert_cmpstr (arw_bundle_get_adapter (llama), ==, "process");
  g_assert_cmpstrv (arw_bundle_get_modalities (llama), ((const char *[]) { "text", NULL }));
  g_assert_cmpstr (arw_bundle_get_accelerator (llama), ==, "cpu");
  g_assert_cmpstrv (arw_bundle_get_profiles (llama), ((const char *[]) { "balanced", "silent", NULL }));
  g_assert_cmpstrv (arw_bundle_get_notes (llama), ((const char *[]) { "First note.", "Second note.", NULL }));
  g_assert_cmpstr (arw_bundle_get_license (llama), ==, "MIT");
  g_assert_cmpuint (arw_bundle_get_platforms (llama)->len, ==, 1);
  platform = g_ptr_array_index (arw_bundle_get_platforms (llama), 0);
  g_assert_cmpstr (platform->os, ==, "linux");
  g_assert_cmpstr (platform->arch, ==, "x86_64");
  g_assert_cmpstr (platform->min_version, ==, "kernel 5.15");
  g_assert_null (platform->notes);
  g_assert_cmpuint (arw_bundle_get_artifacts (llama)->len, ==, 1);
  artifact = g_ptr_array_index (arw_bundle_get_artifacts (llama), 0);
  g_assert_cmpstr (artifact->kind, ==, "archive");
  g_assert_cmpstr (artifact->format, ==, "tar.zst");
  g_assert_cmpstr (artifact->url, ==, "http://127.0.0.1:18766/artifacts/llama-stub.tar.zst");
  g_assert_cmpstr (artifact->sha256, ==, "8cf6b4da88ca2aa18b66f1e066508ef5d9d7bb203eca491781f27befd308ea5c");
  g_assert_true (artifact->has_size);
  g_assert_cmpuint (artifact->size_bytes, ==, 2112);
  g_assert_null (artifact->notes);
  support = arw_bundle_get_support (llama);
  g_assert_nonnull (support);
  g_assert_cmpstr (support->min_glibc, ==, "2.35");
  g_assert_cmpstr (support->driver_notes, ==, "CPU only.");
  g_assert_null (support->min_macos);
  g_assert_null (support->additional);
  g_assert_true (arw_bundle_has_process_command (llama));
  g_assert_cmpstr (json_object_get_string_member (arw_bundle_get_process_metadata (llama), "command"),
                   ==, "llama-server");

  audio = arw_bundle_new_from_json (json_array_get_element (bundles, 2), warnings, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (arw_bundle_get_adapter (audio), ==, "process");
  g_assert_null (arw_bundle_get_accelerator (audio));
  g_assert_null (arw_bundle_get_metadata (audio));
  g_assert_null (arw_bundle_get_support (audio));
  g_assert_false (arw_bundle_has_process_command (audio));
  g_assert_null (arw_bundle_get_process_metadata (audio));
  artifact = g_ptr_array_index (arw_bundle_get_artifacts (audio), 0);
  g_assert_null (artifact->url);
  g_assert_false (artifact->has_size);
  g_assert_cmpstr (artifact->notes, ==, "Stage manually.");
}

/* Re-serialisation matches ARW's (explicit nulls, [] for absent arrays)
 * byte for byte as a tree: the "catalogs" of list-install-state-json. */
static void
test_to_json_matches_arw (void)
{
  g_autoptr(JsonNode) keep = NULL;
  JsonArray *bundles = vector_bundles (&keep);
  g_autoptr(JsonNode) expected = vector_json ("list-install-state-json.stdout");
  JsonArray *want;

  g_assert_nonnull (expected);
  want = json_object_get_array_member (
    json_array_get_object_element (json_object_get_array_member (json_node_get_object (expected),
                                                                 "catalogs"), 0),
    "bundles");
  g_assert_cmpuint (json_array_get_length (want), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(ArwBundle) bundle = arw_bundle_new_from_json (json_array_get_element (bundles, i),
                                                              NULL, NULL);
      g_autoptr(JsonNode) got = arw_bundle_to_json (bundle);

      g_assert_true (json_node_equal (got, json_array_get_element (want, i)));
    }
}

/* Parsing ARW's own re-serialised form gives the same form back, and
 * the "bundle" objects of installed bundle.json files round-trip. */
static void
test_to_json_round_trip (void)
{
  g_autofree char *data = NULL;
  g_autoptr(JsonNode) manifest = NULL;
  g_autoptr(ArwBundle) bundle = NULL;
  g_autoptr(JsonNode) again = NULL;
  JsonNode *inner;
  gsize len = 0;

  data = arw_test_vector_read (&len, "state-install", "runtime", "bundles",
                               "public.llama__linux-x86_64-cpu__d09a3cfd", "bundle.json", NULL);
  manifest = arw_catalog_parse_json (data, len, NULL, NULL, NULL);
  g_assert_nonnull (manifest);
  inner = json_object_get_member (json_node_get_object (manifest), "bundle");
  bundle = arw_bundle_new_from_json (inner, NULL, NULL);
  g_assert_nonnull (bundle);
  again = arw_bundle_to_json (bundle);
  g_assert_true (json_node_equal (again, inner));
}

static void
assert_consent_line (const char *json, const char *want)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwBundle) bundle = bundle_from_text (json, NULL, &error);
  g_autofree char *line = NULL;

  g_assert_no_error (error);
  line = arw_bundle_consent_summary (bundle);
  g_assert_cmpstr (line, ==, want);
}

static void
test_consent_vector_lines (void)
{
  g_autoptr(JsonNode) keep = NULL;
  JsonArray *bundles = vector_bundles (&keep);
  g_autofree char *text = arw_test_vector_read (NULL, "results", "catalog-list-text.stdout", NULL);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(ArwBundle) bundle = arw_bundle_new_from_json (json_array_get_element (bundles, i),
                                                              NULL, NULL);
      g_autofree char *line = arw_bundle_consent_summary (bundle);
      g_autofree char *indented = g_strdup_printf ("\n    %s\n", line);

      g_assert_nonnull (strstr (text, indented));
    }
}

static void
test_consent_states (void)
{
  g_autoptr(ArwBundle) vision = NULL;
  g_auto(GStrv) mods = NULL;
  g_autofree char *note = NULL;

  assert_consent_line ("{\"id\":\"a\",\"name\":\"A\"}", "consent: not required (text-only runtime)");
  assert_consent_line ("{\"id\":\"a\",\"name\":\"A\",\"modalities\":[\"audio\",\"vision\"]}",
                       "consent: missing metadata for audio, vision modalities "
                       "(add `metadata.consent` to the bundle catalog)");
  assert_consent_line ("{\"id\":\"a\",\"name\":\"A\",\"metadata\":{\"consent\":null}}",
                       "consent: metadata present but malformed (expected object)");
  assert_consent_line ("{\"id\":\"a\",\"name\":\"A\",\"metadata\":{\"consent\":[true]}}",
                       "consent: metadata present but malformed (expected object)");
  assert_consent_line ("{\"id\":\"a\",\"name\":\"A\",\"modalities\":[\"audio\"],"
                       "\"metadata\":{\"consent\":{\"note\":\"  Mic.  \"}}}",
                       "consent: annotate requirement for audio modalities – Mic.");
  assert_consent_line ("{\"id\":\"a\",\"name\":\"A\",\"metadata\":{\"consent\":{}}}",
                       "consent: not specified (unspecified)");
  assert_consent_line ("{\"id\":\"a\",\"name\":\"A\",\"modalities\":[\"vision\"],"
                       "\"metadata\":{\"consent\":{\"required\":\"camera\",\"modalities\":\" vision \"}}}",
                       "consent: required (vision)");
  assert_consent_line ("{\"id\":\"a\",\"name\":\"A\",\"modalities\":[\"vision\"],"
                       "\"metadata\":{\"consent\":{\"required\":\"\"}}}",
                       "consent: annotate requirement for vision modalities");

  vision = bundle_from_text ("{\"id\":\"v\",\"name\":\"V\",\"modalities\":[\"vision\",\"text\"],"
                             "\"metadata\":{\"consent\":{\"required\":true,"
                             "\"modalities\":[\"vision\",\" \",3,\"audio \"],\"note\":\"Cam\"}}}",
                             NULL, NULL);
  g_assert_true (arw_bundle_get_consent_required (vision));
  g_assert_cmpint (arw_bundle_get_consent_state (vision), ==, ARW_CONSENT_REQUIRED);
  g_assert_true (arw_bundle_needs_consent_overlay (vision));
  mods = arw_bundle_get_consent_modalities (vision);
  g_assert_cmpstrv (mods, ((const char *[]) { "vision", "audio", NULL }));
  note = arw_bundle_get_consent_note (vision);
  g_assert_cmpstr (note, ==, "Cam");
}

static void
test_unknown_enum_values (void)
{
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwBundle) bundle = NULL;
  g_autoptr(JsonNode) json = NULL;

  bundle = bundle_from_text ("{\"id\":\"x\",\"name\":\"X\",\"modalities\":[\"text\",\"pointer\",\"Vision\"],"
                             "\"accelerator\":\"cuda\",\"colour\":\"red\"}", warnings, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bundle);
  g_assert_cmpstrv (arw_bundle_get_modalities (bundle), ((const char *[]) { "text", NULL }));
  g_assert_null (arw_bundle_get_accelerator (bundle));
  g_assert_cmpuint (warnings->len, ==, 4);
  g_assert_nonnull (strstr (warnings->pdata[0], "\"pointer\""));
  g_assert_nonnull (strstr (warnings->pdata[1], "use \"vision\""));
  g_assert_nonnull (strstr (warnings->pdata[2], "use \"gpu_cuda\""));
  g_assert_nonnull (strstr (warnings->pdata[3], "\"colour\""));
  json = arw_bundle_to_json (bundle);
  g_assert_false (json_object_has_member (json_node_get_object (json), "colour"));
  g_assert_true (json_object_get_null_member (json_node_get_object (json), "accelerator"));

  g_assert_cmpstr (arw_accelerator_suggest ("ROCm"), ==, "gpu_rocm");
  g_assert_cmpstr (arw_accelerator_suggest ("GPU-Metal"), ==, "gpu_metal");
  g_assert_cmpstr (arw_accelerator_suggest ("npu"), ==, "npu_other");
  g_assert_null (arw_accelerator_suggest ("quantum"));
  g_assert_true (arw_modality_is_valid ("audio"));
  g_assert_false (arw_modality_is_valid ("pointer"));
  g_assert_true (arw_accelerator_is_valid ("npu_directml"));
  g_assert_false (arw_accelerator_is_valid ("cuda"));
}

static void
assert_rejected (const char *json, const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwBundle) bundle = bundle_from_text (json, NULL, &error);

  g_assert_null (bundle);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  if (strstr (error->message, fragment) == NULL)
    g_error ("\"%s\" does not contain \"%s\"", error->message, fragment);
}

static void
test_type_errors (void)
{
  assert_rejected ("{\"name\":\"X\"}", "missing required field \"id\"");
  assert_rejected ("{\"id\":\"x\"}", "missing required field \"name\"");
  assert_rejected ("{\"id\":\"\",\"name\":\"X\"}", "\"id\" is empty");
  assert_rejected ("{\"id\":7,\"name\":\"X\"}", "\"id\" must be a string, found an integer");
  assert_rejected ("{\"id\":\"x\",\"name\":null}", "\"name\" must be a string, found null");
  assert_rejected ("{\"id\":\"x\",\"name\":\"X\",\"adapter\":null}", "\"adapter\" must be a string");
  assert_rejected ("{\"id\":\"x\",\"name\":\"X\",\"modalities\":null}", "\"modalities\" must be an array");
  assert_rejected ("{\"id\":\"x\",\"name\":\"X\",\"modalities\":[1]}", "\"modalities[0]\" must be a string");
  assert_rejected ("{\"id\":\"x\",\"name\":\"X\",\"accelerator\":1}", "\"accelerator\" must be a string");
  assert_rejected ("{\"id\":\"x\",\"name\":\"X\",\"platforms\":[{\"os\":\"linux\"}]}",
                   "missing required field \"platforms[0].arch\"");
  assert_rejected ("{\"id\":\"x\",\"name\":\"X\",\"platforms\":[1]}", "\"platforms[0]\" must be an object");
  assert_rejected ("{\"id\":\"x\",\"name\":\"X\",\"artifacts\":[{}]}",
                   "missing required field \"artifacts[0].kind\"");
  assert_rejected ("{\"id\":\"x\",\"name\":\"X\",\"artifacts\":[{\"kind\":\"a\",\"size_bytes\":1.5}]}",
                   "\"artifacts[0].size_bytes\" must be a non-negative integer");
  assert_rejected ("{\"id\":\"x\",\"name\":\"X\",\"artifacts\":[{\"kind\":\"a\",\"size_bytes\":-1}]}",
                   "non-negative integer");
  assert_rejected ("{\"id\":\"x\",\"name\":\"X\",\"artifacts\":[{\"kind\":\"a\",\"url\":[]}]}",
                   "\"artifacts[0].url\" must be a string, found an array");
  assert_rejected ("{\"id\":\"x\",\"name\":\"X\",\"notes\":\"one\"}", "\"notes\" must be an array");
  assert_rejected ("{\"id\":\"x\",\"name\":\"X\",\"support\":\"glibc\"}", "\"support\" must be an object");
  assert_rejected ("{\"id\":\"x\",\"name\":\"X\",\"support\":{\"min_glibc\":2.35}}",
                   "\"support.min_glibc\" must be a string, found a number");
  assert_rejected ("[1]", "must be a JSON object");
}

static void
test_nulls_and_metadata (void)
{
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(ArwBundle) bundle = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonNode) want = NULL;

  bundle = bundle_from_text ("{\"id\":\"x\",\"name\":\"X\",\"description\":null,\"accelerator\":null,"
                             "\"metadata\":null,\"support\":{\"additional\":{\"k\":[1,2]}},"
                             "\"artifacts\":[{\"kind\":\"k\",\"sha256\":\"sha256:abc\"}]}",
                             warnings, NULL);
  g_assert_nonnull (bundle);
  g_assert_null (arw_bundle_get_metadata (bundle));
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (warnings->pdata[0], "\"sha256:\" prefix"));
  json = arw_bundle_to_json (bundle);
  want = parse ("{\"accelerator\":null,\"adapter\":\"process\",\"artifacts\":[{\"format\":null,"
                "\"kind\":\"k\",\"notes\":null,\"sha256\":\"sha256:abc\",\"size_bytes\":null,"
                "\"url\":null}],\"description\":null,\"id\":\"x\",\"license\":null,\"metadata\":null,"
                "\"modalities\":[],\"name\":\"X\",\"notes\":[],\"platforms\":[],\"profiles\":[],"
                "\"support\":{\"additional\":{\"k\":[1,2]},\"driver_notes\":null,\"min_glibc\":null,"
                "\"min_macos\":null,\"min_windows\":null}}");
  g_assert_true (json_node_equal (json, want));
}

static void
test_process_metadata (void)
{
  g_autoptr(ArwBundle) blank = bundle_from_text ("{\"id\":\"x\",\"name\":\"X\",\"metadata\":"
                                                 "{\"process\":{\"command\":\"  \"}}}", NULL, NULL);
  g_autoptr(ArwBundle) array = bundle_from_text ("{\"id\":\"x\",\"name\":\"X\",\"metadata\":[1]}",
                                                 NULL, NULL);
  g_autoptr(ArwBundle) ok = bundle_from_text ("{\"id\":\"x\",\"name\":\"X\",\"metadata\":"
                                              "{\"process\":{\"command\":\"srv\"}}}", NULL, NULL);

  g_assert_nonnull (arw_bundle_get_process_metadata (blank));
  g_assert_false (arw_bundle_has_process_command (blank));
  g_assert_null (arw_bundle_get_process_metadata (array));
  g_assert_false (arw_bundle_has_process_command (array));
  g_assert_cmpint (arw_bundle_get_consent_state (array), ==, ARW_CONSENT_NOT_NEEDED);
  g_assert_true (arw_bundle_has_process_command (ok));
}

static void
test_boxed_refcount (void)
{
  g_autoptr(ArwBundle) bundle = bundle_from_text ("{\"id\":\"x\",\"name\":\"X\"}", NULL, NULL);
  ArwBundle *copy = g_boxed_copy (ARW_TYPE_BUNDLE, bundle);

  g_assert_true (copy == bundle);
  g_boxed_free (ARW_TYPE_BUNDLE, copy);
  g_assert_cmpstr (arw_bundle_get_id (bundle), ==, "x");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arw/bundle/dir-name/examples", test_dir_name_examples);
  g_test_add_func ("/arw/bundle/dir-name/sanitising", test_dir_name_sanitising);
  g_test_add_func ("/arw/bundle/vector-fields", test_vector_bundle_fields);
  g_test_add_func ("/arw/bundle/to-json/matches-arw", test_to_json_matches_arw);
  g_test_add_func ("/arw/bundle/to-json/round-trip", test_to_json_round_trip);
  g_test_add_func ("/arw/bundle/consent/vector-lines", test_consent_vector_lines);
  g_test_add_func ("/arw/bundle/consent/states", test_consent_states);
  g_test_add_func ("/arw/bundle/unknown-enum-values", test_unknown_enum_values);
  g_test_add_func ("/arw/bundle/type-errors", test_type_errors);
  g_test_add_func ("/arw/bundle/nulls-and-metadata", test_nulls_and_metadata);
  g_test_add_func ("/arw/bundle/process-metadata", test_process_metadata);
  g_test_add_func ("/arw/bundle/boxed-refcount", test_boxed_refcount);
  return g_test_run ();
}
