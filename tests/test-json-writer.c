/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "arw-json-writer.h"
#include "arw-test-utils.h"

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static void
assert_writes (const char *json,
               gboolean    pretty,
               const char *expected)
{
  g_autoptr(JsonNode) node = parse (json);
  g_autofree char *text = arw_json_to_string (node, pretty);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_sorted_keys (void)
{
  assert_writes ("{\"b\":1,\"a\":{\"z\":true,\"y\":false},\"B\":2,\"\xc3\xbc\":3,\"\xf0\x9f\x9a\x80\":4,\"\xef\xa3\xbf\":5}",
                 FALSE,
                 "{\"B\":2,\"a\":{\"y\":false,\"z\":true},\"b\":1,\"\xc3\xbc\":3,\"\xef\xa3\xbf\":5,\"\xf0\x9f\x9a\x80\":4}");
}

static void
test_scalars (void)
{
  assert_writes ("[null,true,false,0,-42,9223372036854775807,1.0,0.1,1e16,-0.0,2.5e-7]", FALSE,
                 "[null,true,false,0,-42,9223372036854775807,1.0,0.1,1e16,-0.0,2.5e-7]");
  assert_writes ("{\"s\":\"tab\\there \\\"q\\\" \\\\ / \\u0001 \\u007f \\u2028 \\ud83d\\ude00\"}", FALSE,
                 "{\"s\":\"tab\\there \\\"q\\\" \\\\ / \\u0001 \x7f \xe2\x80\xa8 \xf0\x9f\x98\x80\"}");
  assert_writes ("null", FALSE, "null");
}

static void
test_nested_arrays (void)
{
  assert_writes ("[[],[[1,2],[]],{},[{\"k\":null}]]", FALSE, "[[],[[1,2],[]],{},[{\"k\":null}]]");
}

static void
test_pretty (void)
{
  assert_writes ("{\"warnings\":[],\"ok\":true,\"signatures\":[{\"index\":0,\"error\":null}],\"empty\":{}}", TRUE,
                 "{\n"
                 "  \"empty\": {},\n"
                 "  \"ok\": true,\n"
                 "  \"signatures\": [\n"
                 "    {\n"
                 "      \"error\": null,\n"
                 "      \"index\": 0\n"
                 "    }\n"
                 "  ],\n"
                 "  \"warnings\": []\n"
                 "}");
  assert_writes ("[]", TRUE, "[]");
  assert_writes ("\"x\"", TRUE, "\"x\"");
}

static void
test_built_tree (void)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "nan");
  json_builder_add_double_value (builder, NAN);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, 3);
  json_builder_set_member_name (builder, "ratio");
  json_builder_add_double_value (builder, 1000.0);
  json_builder_set_member_name (builder, "none");
  json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  /* serde_json writes non-finite floats as null */
  text = arw_json_to_string (root, FALSE);
  g_assert_cmpstr (text, ==, "{\"count\":3,\"nan\":null,\"none\":null,\"ratio\":1000.0}");
}

/* The CLI's --json --pretty output in the vectors is this writer's format. */
static void
test_vector_output (void)
{
  g_autofree char *stdout_text = arw_test_vector_read (NULL, "results", "rollback-list-json.stdout", NULL);
  g_autoptr(JsonNode) node = parse (stdout_text);
  g_autofree char *pretty = arw_json_to_string (node, TRUE);
  g_autofree char *expected = g_strconcat (pretty, "\n", NULL);

  g_assert_cmpstr (expected, ==, stdout_text);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arw/json-writer/sorted-keys", test_sorted_keys);
  g_test_add_func ("/arw/json-writer/scalars", test_scalars);
  g_test_add_func ("/arw/json-writer/nested-arrays", test_nested_arrays);
  g_test_add_func ("/arw/json-writer/pretty", test_pretty);
  g_test_add_func ("/arw/json-writer/built-tree", test_built_tree);
  g_test_add_func ("/arw/json-writer/vector-output", test_vector_output);
  return g_test_run ();
}
