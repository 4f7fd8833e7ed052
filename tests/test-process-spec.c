/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "arw-error.h"
#include "arw-process-spec.h"
#include "arw-test-utils.h"

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static void
test_full (void)
{
  g_autoptr(JsonNode) node = parse (
    "{\"command\": \"llama-server\", \"args\": [\"--port\", 8080, \"{{PORT}}\", null],"
    " \"env\": {\"A\": \"1\", \"B\": 2, \"C\": \"three\", \"BAD=NAME\": \"x\"},"
    " \"workdir\": \"/opt/x\","
    " \"health\": {\"url\": \"http://127.0.0.1:{{PORT}}/health\", \"method\": \"HEAD\","
    "   \"expect_status\": 204, \"expect_body\": \"ok\", \"timeout_ms\": 2000,"
    "   \"startup_timeout_ms\": 90000}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwProcessSpec) spec = NULL;
  const char *const want_args[] = { "--port", "{{PORT}}", NULL };
  const char *const want_env[] = { "A=1", "C=three", NULL };

  g_test_expect_message ("arw", G_LOG_LEVEL_WARNING, "*BAD=NAME*");
  spec = arw_process_spec_new_from_json (node, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpstr (spec->command, ==, "llama-server");
  g_assert_true (g_strv_equal ((const char *const *) spec->args, want_args));
  g_assert_true (g_strv_equal ((const char *const *) spec->env, want_env));
  g_assert_cmpstr (spec->workdir, ==, "/opt/x");
  g_assert_nonnull (spec->health);
  g_assert_cmpstr (spec->health->url, ==, "http://127.0.0.1:{{PORT}}/health");
  g_assert_cmpstr (arw_health_spec_get_method (spec->health), ==, "HEAD");
  g_assert_cmpuint (spec->health->expect_status, ==, 204);
  g_assert_cmpstr (spec->health->expect_body, ==, "ok");
  g_assert_cmpuint (spec->health->timeout_ms, ==, 2000);
  g_assert_cmpuint (spec->health->startup_timeout_ms, ==, 90000);
  g_assert_true (arw_process_spec_uses_port (spec));
}

static void
test_defaults_and_shorthand (void)
{
  g_autoptr(JsonNode) node = parse ("{\"command\": \"x\", \"health_probe\": \"http://127.0.0.1:1/h\"}");
  g_autoptr(JsonNode) no_url = parse ("{\"command\": \"x\", \"health\": {\"method\": \"GET\"}}");
  g_autoptr(JsonNode) bad_method = parse ("{\"command\": \"x\", \"health\": {\"url\": \"http://a/\", \"method\": \"G T\"}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwProcessSpec) spec = arw_process_spec_new_from_json (node, &error);
  g_autoptr(ArwProcessSpec) spec2 = NULL;
  g_autoptr(ArwProcessSpec) spec3 = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (spec->health);
  g_assert_cmpstr (spec->health->url, ==, "http://127.0.0.1:1/h");
  g_assert_cmpstr (arw_health_spec_get_method (spec->health), ==, "GET");
  g_assert_cmpuint (spec->health->expect_status, ==, 200);
  g_assert_cmpuint (spec->health->timeout_ms, ==, ARW_HEALTH_DEFAULT_TIMEOUT_MS);
  g_assert_cmpuint (spec->health->startup_timeout_ms, ==, 0);
  g_assert_null (spec->health->expect_body);
  g_assert_cmpuint (g_strv_length (spec->args), ==, 0);
  g_assert_false (arw_process_spec_uses_port (spec));

  spec2 = arw_process_spec_new_from_json (no_url, &error);
  g_assert_no_error (error);
  g_assert_null (spec2->health);

  spec3 = arw_process_spec_new_from_json (bad_method, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (arw_health_spec_get_method (spec3->health), ==, "GET");
}

static void
test_invalid (void)
{
  const char *cases[] = {
    "{\"args\": []}",
    "{\"command\": \"\"}",
    "{\"command\": 5}",
    "[1]",
    "{\"command\": \"x\", \"health\": {\"url\": \"http://a/\", \"expect_status\": \"200\"}}",
    "{\"command\": \"x\", \"health\": {\"url\": \"http://a/\", \"timeout_ms\": 0}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = parse (cases[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(ArwProcessSpec) spec = arw_process_spec_new_from_json (node, &error);

      g_assert_null (spec);
      g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
    }
}

static void
test_from_bundle (void)
{
  g_autoptr(JsonNode) bundle = parse ("{\"id\": \"a/b\", \"metadata\": {\"process\": {\"command\": \"bin/x\"}}}");
  g_autoptr(JsonNode) none = parse ("{\"id\": \"a/b\", \"metadata\": {\"consent\": {}}}");
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwProcessSpec) spec = arw_process_spec_new_from_bundle (bundle, &error);
  g_autoptr(ArwProcessSpec) missing = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (spec->command, ==, "bin/x");
  missing = arw_process_spec_new_from_bundle (none, &error);
  g_assert_null (missing);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
}

/* The seed catalogs' shapes must parse and expand completely. */
static void
test_expand (void)
{
  g_autoptr(JsonNode) node = parse (
    "{\"command\": \"bin/llama-server\","
    " \"args\": [\"--port\", \"{{PORT}}\", \"--model\", \"{{BUNDLE_DIR}}/payload/model.gguf\", \"{{ unclosed\"],"
    " \"env\": {\"LLAMA_CACHE\": \"{{STATE_DIR}}/runtime/llama-cache\"},"
    " \"health\": {\"url\": \"http://127.0.0.1:{{PORT}}/health\"}}");
  ArwPlaceholders values = { "/s", "/s/runtime/bundles/b", 41234 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwProcessSpec) spec = arw_process_spec_new_from_json (node, &error);
  g_autoptr(ArwProcessSpec) expanded = NULL;
  const char *const want_args[] = { "--port", "41234", "--model", "/s/runtime/bundles/b/payload/model.gguf",
                                    "{{ unclosed", NULL };

  g_assert_no_error (error);
  expanded = arw_process_spec_expand (spec, &values, &error);
  g_assert_no_error (error);
  g_assert_true (g_strv_equal ((const char *const *) expanded->args, want_args));
  g_assert_cmpstr (expanded->env[0], ==, "LLAMA_CACHE=/s/runtime/llama-cache");
  g_assert_cmpstr (expanded->health->url, ==, "http://127.0.0.1:41234/health");
  /* The original is untouched. */
  g_assert_cmpstr (spec->args[1], ==, "{{PORT}}");
}

static void
test_expand_errors (void)
{
  ArwPlaceholders no_port = { "/s", NULL, 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *port = NULL;
  g_autofree char *bundle = NULL;
  g_autofree char *twice = NULL;

  unknown = arw_process_spec_expand_string ("{{MODEL}}", &no_port, &error);
  g_assert_null (unknown);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_clear_error (&error);
  port = arw_process_spec_expand_string ("x{{PORT}}", &no_port, &error);
  g_assert_null (port);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_clear_error (&error);
  bundle = arw_process_spec_expand_string ("{{BUNDLE_DIR}}", &no_port, &error);
  g_assert_null (bundle);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_clear_error (&error);
  twice = arw_process_spec_expand_string ("{{STATE_DIR}}:{{STATE_DIR}}", &no_port, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (twice, ==, "/s:/s");
}

static void
make_executable (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, "#!/bin/sh\n", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

static void
test_resolve_command (void)
{
  g_autofree char *tmp = arw_test_mkdtemp ();
  g_autofree char *bin = g_build_filename (tmp, "payload", "bin", "engine", NULL);
  g_autofree char *shadow = g_build_filename (tmp, "payload", "sh", NULL);
  ArwProcessSpec spec = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  g_autofree char *payload_first = NULL;
  g_autofree char *from_path = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *dotdot = NULL;

  make_executable (bin);
  make_executable (shadow);
  spec.command = (char *) "bin/engine";
  found = arw_process_spec_resolve_command (&spec, tmp, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, bin);

  /* A bare name is looked up in payload/ before PATH. */
  spec.command = (char *) "sh";
  payload_first = arw_process_spec_resolve_command (&spec, tmp, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (payload_first, ==, shadow);
  from_path = arw_process_spec_resolve_command (&spec, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_path_is_absolute (from_path));
  g_assert_cmpstr (from_path, !=, shadow);

  spec.command = (char *) "bin/none";
  missing = arw_process_spec_resolve_command (&spec, tmp, &error);
  g_assert_null (missing);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_clear_error (&error);

  spec.command = (char *) "../payload/bin/engine";
  dotdot = arw_process_spec_resolve_command (&spec, tmp, &error);
  g_assert_null (dotdot);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  arw_test_rm_rf (tmp);
}

static void
test_seed_catalogs (void)
{
  const char *files[] = { "bundles.llama.json", "bundles.audio.json", "bundles.vision.json" };
  guint n_specs = 0;

  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    {
      g_autofree char *path = g_build_filename (ARW_SOURCE_ROOT, "configs", "runtime", files[f], NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonArray *bundles;

      json_parser_load_from_file (parser, path, &error);
      g_assert_no_error (error);
      bundles = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "bundles");
      for (guint i = 0; i < json_array_get_length (bundles); i++)
        {
          ArwPlaceholders values = { "/state", "/bundle", 5000 };
          g_autoptr(ArwProcessSpec) spec = arw_process_spec_new_from_bundle (json_array_get_element (bundles, i), &error);
          g_autoptr(ArwProcessSpec) expanded = NULL;

          g_assert_no_error (error);
          expanded = arw_process_spec_expand (spec, &values, &error);
          g_assert_no_error (error);
          g_assert_nonnull (expanded->health);
          g_assert_null (strstr (expanded->health->url, "{{"));
          n_specs++;
        }
    }
  g_assert_cmpuint (n_specs, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arw/process-spec/full", test_full);
  g_test_add_func ("/arw/process-spec/defaults-and-shorthand", test_defaults_and_shorthand);
  g_test_add_func ("/arw/process-spec/invalid", test_invalid);
  g_test_add_func ("/arw/process-spec/from-bundle", test_from_bundle);
  g_test_add_func ("/arw/process-spec/expand", test_expand);
  g_test_add_func ("/arw/process-spec/expand-errors", test_expand_errors);
  g_test_add_func ("/arw/process-spec/resolve-command", test_resolve_command);
  g_test_add_func ("/arw/process-spec/seed-catalogs", test_seed_catalogs);
  return g_test_run ();
}
