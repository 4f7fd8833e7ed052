/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The CLI drives the whole life cycle of the real demo runtime through the
 * D-Bus activated helper. Runs inside dbus-run-session (tests/meson.build,
 * suite cli-helper) with a private bus whose first service dir is the build
 * tree's; the helper's environment (state dir, posture) is set with
 * UpdateActivationEnvironment before anything activates it. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>

#include "arw-client.h"
#include "arw-error.h"
#include "arw-sha256.h"
#include "arw-test-utils.h"

#define DEMO_ID "arw-demo/linux-x86_64-cpu"

static char *state_dir;
static char *admin_token;

typedef struct {
  int status;
  char *out;
  char *err;
} CliResult;

static void
cli_result_free (CliResult *r)
{
  g_free (r->out);
  g_free (r->err);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliResult, cli_result_free)

/* Runs arw-runtime with @args (NULL-terminated) and optional extra env. */
static CliResult *
run_cli_env (const char *const *env, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  CliResult *r = g_new0 (CliResult, 1);
  va_list ap;

  g_ptr_array_add (argv, (char *) g_getenv ("ARW_RUNTIME_BIN"));
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &r->out, &r->err, &error);
  g_assert_no_error (error);
  r->status = g_subprocess_get_exit_status (proc);
  g_test_message ("arw-runtime %s → %d\nstdout: %s\nstderr: %s", first, r->status, r->out, r->err);
  return r;
}

#define run_cli(...) run_cli_env (NULL, __VA_ARGS__)

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (json_parser_get_root (parser));
  return json_node_copy (json_parser_get_root (parser));
}

/* The status --json entry of the demo runtime (flat or {descriptor, status}). */
static JsonObject *
find_demo_status (JsonNode *doc)
{
  JsonObject *root = json_node_get_object (doc);
  JsonArray *runtimes;

  g_assert_true (json_object_has_member (root, "supervisor"));
  g_assert_true (json_object_has_member (root, "matrix"));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (root, "matrix")));
  runtimes = json_object_get_array_member (json_object_get_object_member (root, "supervisor"), "runtimes");
  for (guint i = 0; i < json_array_get_length (runtimes); i++)
    {
      JsonObject *entry = json_array_get_object_element (runtimes, i);
      JsonObject *status = json_object_has_member (entry, "status") ? json_object_get_object_member (entry, "status") : entry;
      JsonObject *descriptor = json_object_has_member (entry, "descriptor") ? json_object_get_object_member (entry, "descriptor") : entry;
      if (g_strcmp0 (json_object_get_string_member_with_default (descriptor, "id", ""), DEMO_ID) == 0)
        return status;
    }
  return NULL;
}

static char *
demo_state (JsonNode **out_doc)
{
  g_autoptr(CliResult) r = run_cli ("status", "--json", NULL);
  JsonObject *status;

  g_assert_cmpint (r->status, ==, 0);
  *out_doc = parse_json (r->out);
  status = find_demo_status (*out_doc);
  g_assert_nonnull (status);
  return g_strdup (json_object_get_string_member (status, "state"));
}

/* ------------------------------------------------------------ the bundle */

/* `bundles install` (routed through the helper) from the build tree's demo catalog (a default catalog
 * root when uninstalled): the artifact url is catalog-relative, a local
 * file, so nothing touches the network; the archive lands in payload/. */
static void
install_demo (void)
{
  g_autoptr(CliResult) list = run_cli ("bundles", "list", "--json", NULL);
  g_autoptr(CliResult) install = NULL;
  g_autoptr(JsonNode) doc = NULL;
  g_autofree char *hash = arw_sha256_hex ((const guint8 *) DEMO_ID, strlen (DEMO_ID));
  g_autofree char *name = g_strdup_printf ("arw-demo__linux-x86_64-cpu__%.8s", hash);
  g_autofree char *binary = g_build_filename (state_dir, "runtime", "bundles", name,
                                              "payload", "bin", "arw-demo-runtime", NULL);
  JsonArray *roots;
  gboolean demo_root = FALSE;

  g_assert_cmpint (list->status, ==, 0);
  doc = parse_json (list->out);
  roots = json_object_get_array_member (json_node_get_object (doc), "roots");
  for (guint i = 0; i < json_array_get_length (roots); i++)
    demo_root |= g_strcmp0 (json_array_get_string_element (roots, i), g_getenv ("ARW_DEMO_DIR")) == 0;
  g_assert_true (demo_root);

  install = run_cli ("bundles", "install", DEMO_ID, NULL);
  g_assert_cmpint (install->status, ==, 0);
  /* The helper serves our state dir, so the install ran there (and the
   * app would have seen its Transaction1 progress). */
  g_assert_nonnull (strstr (install->out, "through the ARW Launcher helper"));
  g_assert_true (g_file_test (binary, G_FILE_TEST_IS_EXECUTABLE));
}

/* ----------------------------------------------------------------- tests */

static void
test_no_helper (void)
{
  const char *conf = g_getenv ("ARW_TEST_EMPTY_SESSION_CONF");
  const char *argv[] = { "dbus-run-session", "--config-file", conf, "--",
                         g_getenv ("ARW_RUNTIME_BIN"), "status", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_nonnull (conf);
  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  g_assert_nonnull (strstr (err, "error: the ARW Launcher helper is not running and could not be started: "));
  g_assert_cmpstr (out, ==, "");
}

static void
test_usage (void)
{
  g_autoptr(CliResult) watch_json = run_cli ("status", "--watch", "--json", NULL);
  g_autoptr(CliResult) pretty = run_cli ("hardware", "--pretty", NULL);
  g_autoptr(CliResult) accel = run_cli ("restore", DEMO_ID, "--accelerator", "tpu", NULL);
  g_autoptr(CliResult) no_mod = run_cli ("consent", "grant", DEMO_ID, NULL);

  g_assert_cmpint (watch_json->status, ==, 2);
  g_assert_cmpint (pretty->status, ==, 2);
  g_assert_cmpint (accel->status, ==, 2);
  g_assert_cmpint (no_mod->status, ==, 2);
}

static void
test_admin (void)
{
  g_autoptr(CliResult) persist = run_cli ("admin", "token", "persist", "--print-token", NULL);
  g_autoptr(CliResult) again = NULL;
  g_autoptr(CliResult) lease = NULL;
  g_autoptr(CliResult) bad = NULL;
  g_autoptr(CliResult) missing = NULL;
  g_autoptr(JsonNode) lease_doc = NULL;
  const char *env[] = { NULL, NULL, NULL };

  g_assert_cmpint (persist->status, ==, 0);
  admin_token = g_strstrip (g_strdup (persist->out));
  g_assert_cmpuint (strlen (admin_token), >=, 32);
  again = run_cli ("admin", "token", "persist", "--print-token", NULL);
  g_assert_cmpint (again->status, ==, 0);
  g_assert_cmpstr (g_strstrip (again->out), ==, admin_token);

  /* The token comes from ARW_ADMIN_TOKEN when --admin-token is absent. */
  env[0] = "ARW_ADMIN_TOKEN";
  env[1] = admin_token;
  lease = run_cli_env (env, "admin", "lease", "request", "--lease-cap", "runtime:manage",
                       "--ttl-secs", "900", "--json", NULL);
  g_assert_cmpint (lease->status, ==, 0);
  lease_doc = parse_json (lease->out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (lease_doc), "capability"), ==,
                   "runtime:manage");
  g_assert_nonnull (json_object_get_string_member (json_node_get_object (lease_doc), "ttl_until"));

  bad = run_cli ("admin", "lease", "request", "--lease-cap", "runtime:manage", "--ttl-secs", "60",
                 "--admin-token", "not-the-token", NULL);
  g_assert_cmpint (bad->status, ==, 1);
  g_assert_true (g_str_has_prefix (bad->err, "error: "));
  missing = run_cli_env ((const char *[]){ "ARW_ADMIN_TOKEN", "  ", NULL },
                         "admin", "lease", "request", "--lease-cap", "runtime:manage", NULL);
  g_assert_cmpint (missing->status, ==, 1);
  g_assert_nonnull (strstr (missing->err, "admin token is required"));
}

static void
test_hardware (void)
{
  g_autoptr(CliResult) json = run_cli ("hardware", "--json", NULL);
  g_autoptr(CliResult) text = run_cli ("hardware", NULL);
  g_autoptr(JsonNode) doc = NULL;
  JsonObject *root;

  g_assert_cmpint (json->status, ==, 0);
  doc = parse_json (json->out);
  root = json_node_get_object (doc);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "cpu")));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "gpus")));
  g_assert_cmpint (text->status, ==, 0);
  g_assert_true (g_str_has_prefix (text->out, "CPU: "));
}

static void
http_check (const char *endpoint)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *health_url = g_strdup_printf ("%s/health", endpoint);
  g_autofree char *completion_url = g_strdup_printf ("%s/v1/completions", endpoint);
  g_autoptr(SoupMessage) health = soup_message_new ("GET", health_url);
  g_autoptr(SoupMessage) completion = soup_message_new ("POST", completion_url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) request = g_bytes_new_static ("{\"prompt\":\"abc\"}", 16);
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *choices;

  g_assert_nonnull (health);
  body = soup_session_send_and_read (session, health, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (health), ==, 200);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "{\"status\":\"ok\"}", 15);
  g_clear_pointer (&body, g_bytes_unref);

  soup_message_set_request_body_from_bytes (completion, "application/json", request);
  body = soup_session_send_and_read (session, completion, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (completion), ==, 200);
  {
    g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
    reply = parse_json (text);
  }
  choices = json_object_get_array_member (json_node_get_object (reply), "choices");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (choices, 0), "text"), ==, "cba");
}

static gboolean
events_contain (const char *jsonl, const char *kind)
{
  g_auto(GStrv) lines = g_strsplit (jsonl, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) e = NULL;
      if (*lines[i] == '\0')
        continue;
      e = parse_json (lines[i]);
      if (g_strcmp0 (json_object_get_string_member (json_node_get_object (e), "kind"), kind) == 0)
        return TRUE;
    }
  return FALSE;
}

/* A second install (--force) puts the first in history; the applied
 * rollback then goes through the helper, which reloads the runtime. */
static void
test_rollback_through_helper (void)
{
  g_autoptr(CliResult) again = NULL, rollback = NULL, history = NULL;
  g_autoptr(JsonNode) doc = NULL;

  again = run_cli ("bundles", "install", "--force", DEMO_ID, NULL);
  g_assert_cmpint (again->status, ==, 0);
  rollback = run_cli ("bundles", "rollback", "--bundle", DEMO_ID, NULL);
  g_assert_cmpint (rollback->status, ==, 0);
  g_assert_nonnull (strstr (rollback->out, "through the ARW Launcher helper"));
  history = run_cli ("bundles", "rollback", "--bundle", DEMO_ID, "--list", "--json", NULL);
  g_assert_cmpint (history->status, ==, 0);
  doc = parse_json (history->out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (doc), "history")), >=, 1);

  /* Remove through the helper (it deletes in a worker thread), then
   * install again for the tests that follow. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ArwClient) client = arw_client_new_sync (NULL, &error);
    g_autoptr(CliResult) list = NULL, reinstall = NULL;
    g_autoptr(JsonNode) list_doc = NULL;

    g_assert_no_error (error);
    g_assert_true (arw_client_remove_sync (client, DEMO_ID, NULL, &error));
    g_assert_no_error (error);
    list = run_cli ("bundles", "list", "--json", NULL);
    list_doc = parse_json (list->out);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (list_doc),
                                                                           "installations")), ==, 0);
    reinstall = run_cli ("bundles", "install", DEMO_ID, NULL);
    g_assert_cmpint (reinstall->status, ==, 0);
  }
}

static void
test_lifecycle (void)
{
  g_autoptr(CliResult) reload = NULL, denied = NULL, grant = NULL, list = NULL, start = NULL;
  g_autoptr(CliResult) logs = NULL, stop = NULL, events = NULL, text = NULL;
  g_autoptr(JsonNode) reload_doc = NULL, list_doc = NULL, doc = NULL;
  g_autofree char *state = NULL;
  g_autofree char *endpoint = NULL;
  JsonObject *st;

  install_demo ();
  reload = run_cli ("bundles", "reload", "--json", NULL);
  g_assert_cmpint (reload->status, ==, 0);
  reload_doc = parse_json (reload->out);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (reload_doc), "ok"));
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (json_node_get_object (reload_doc), "error")));

  state = demo_state (&doc);
  g_assert_cmpstr (state, ==, "offline");
  g_clear_pointer (&state, g_free);
  g_clear_pointer (&doc, json_node_unref);

  denied = run_cli ("restore", DEMO_ID, NULL);
  g_assert_cmpint (denied->status, ==, 1);
  g_assert_nonnull (strcasestr (denied->err, "consent required"));
  g_assert_nonnull (strstr (denied->err, "audio"));

  grant = run_cli ("consent", "grant", DEMO_ID, "--modality", "audio", NULL);
  g_assert_cmpint (grant->status, ==, 0);
  list = run_cli ("consent", "list", "--json", NULL);
  g_assert_cmpint (list->status, ==, 0);
  list_doc = parse_json (list->out);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (list_doc), "grants")), >=, 1);

  start = run_cli ("restore", "--wait", DEMO_ID, NULL);
  g_assert_cmpint (start->status, ==, 0);
  g_assert_nonnull (strstr (start->out, "Restore accepted for " DEMO_ID));

  state = demo_state (&doc);
  g_assert_cmpstr (state, ==, "ready");
  st = find_demo_status (doc);
  endpoint = g_strdup (json_object_get_string_member_with_default (st, "endpoint", ""));
  g_assert_true (g_str_has_prefix (endpoint, "http://127.0.0.1:"));
  http_check (endpoint);

  text = run_cli ("status", NULL);
  g_assert_cmpint (text->status, ==, 0);
  g_assert_true (g_str_has_prefix (text->out, "Runtime supervisor snapshot (updated "));
  g_assert_nonnull (strstr (text->out, "[" DEMO_ID "]"));

  logs = run_cli ("logs", DEMO_ID, "--lines", "50", NULL);
  g_assert_cmpint (logs->status, ==, 0);
  g_assert_nonnull (strstr (logs->out, "GET /health 200"));

  stop = run_cli ("shutdown", DEMO_ID, NULL);
  g_assert_cmpint (stop->status, ==, 0);
  g_clear_pointer (&state, g_free);
  g_clear_pointer (&doc, json_node_unref);
  state = demo_state (&doc);
  g_assert_cmpstr (state, ==, "offline");

  events = run_cli ("events", "--json", NULL);
  g_assert_cmpint (events->status, ==, 0);
  g_assert_true (events_contain (events->out, "runtime.state.changed"));
  g_assert_true (events_contain (events->out, "consent.granted"));
}

/* --follow prints the replay, then SIGINT ends it with status 0. */
static void
test_events_follow_sigint (void)
{
  const char *argv[] = { g_getenv ("ARW_RUNTIME_BIN"), "events", "--follow", "--json", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(JsonNode) first = NULL;

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  first = parse_json (line);
  g_assert_true (json_object_has_member (json_node_get_object (first), "kind"));
  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
}

/* logs --follow --lines 0 prints only what the runtime writes after the
 * follower started (GFileMonitor, no polling): the helper's health probes
 * keep the running demo runtime logging "GET /health" lines, so a line
 * arrives whatever the moment the follower got ready. SIGINT ends it with
 * status 0. */
static void
test_logs_follow (void)
{
  const char *argv[] = { g_getenv ("ARW_RUNTIME_BIN"), "logs", DEMO_ID, "--follow", "--lines", "0", NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CliResult) start = NULL;
  g_autoptr(CliResult) stop = NULL;
  g_autofree char *line = NULL;

  start = run_cli ("restore", "--wait", DEMO_ID, NULL);
  g_assert_cmpint (start->status, ==, 0);
  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "GET /health"));
  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  stop = run_cli ("shutdown", DEMO_ID, NULL);
  g_assert_cmpint (stop->status, ==, 0);
}

/* ArwClient itself: the runtime list model, the event signal, errors. */
typedef struct {
  char *topic;
  guint64 id;
} SeenEvent;

static void
on_client_event (ArwClient *client, const char *topic, JsonNode *payload, guint64 id, SeenEvent *seen)
{
  if (g_strcmp0 (topic, "consent.granted") != 0)
    return;
  g_assert_true (JSON_NODE_HOLDS_OBJECT (payload));
  g_free (seen->topic);
  seen->topic = g_strdup (topic);
  seen->id = id;
}

static void
test_client (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwClient) client = arw_client_new_sync (NULL, &error);
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonNode) status = NULL;
  GListModel *runtimes;
  ArwDBusRuntime *demo;
  SeenEvent seen = { NULL, 0 };
  gulong handler;

  g_assert_no_error (error);
  g_assert_nonnull (client);
  runtimes = arw_client_get_runtimes (client);
  g_assert_true (g_list_model_get_item_type (runtimes) == ARW_DBUS_TYPE_RUNTIME);
  g_assert_cmpuint (g_list_model_get_n_items (runtimes), >=, 1);
  demo = arw_client_lookup_runtime (client, DEMO_ID);
  g_assert_nonnull (demo);
  g_assert_cmpstr (arw_dbus_runtime_get_family (demo), ==, "arw-demo");
  g_assert_cmpstr (arw_dbus_runtime_get_state (demo), ==, "offline");
  g_assert_nonnull (arw_dbus_manager_get_state_dir (arw_client_get_manager (client)));

  status = arw_client_get_status_sync (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (status));

  /* The event signal relays Manager1.Event with a parsed payload. */
  handler = g_signal_connect (client, "event", G_CALLBACK (on_client_event), &seen);
  g_assert_true (arw_client_grant_consent_sync (client, DEMO_ID, (const char *const[]){ "audio", NULL },
                                                "always", NULL, &error));
  g_assert_no_error (error);
  while (seen.topic == NULL)
    g_main_context_iteration (arw_client_get_main_context (client), TRUE);
  g_assert_cmpuint (seen.id, >, 0);
  g_signal_handler_disconnect (client, handler);
  g_free (seen.topic);

  /* Remote errors arrive as ARW_ERROR with the prefix stripped. */
  result = arw_client_restore_sync (client, "no-such/runtime", NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_null (strstr (error->message, "org.arw.Launcher.Error"));
}

/* ------------------------------------------------------------------ main */

/* The helper is started by the bus: it gets its environment from there. */
static void
set_activation_environment (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder env;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_variant_builder_init (&env, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&env, "{ss}", "ARW_STATE_DIR", state_dir);
  g_variant_builder_add (&env, "{ss}", "ARW_SECURITY_POSTURE", "standard");
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "UpdateActivationEnvironment",
                                       g_variant_new ("(a{ss})", &env), NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("needs a private session bus (run through meson test)");
      return 77;
    }
  state_dir = arw_test_mkdtemp ();
  g_setenv ("ARW_STATE_DIR", state_dir, TRUE);
  g_unsetenv ("ARW_ADMIN_TOKEN");
  set_activation_environment ();

  /* Order matters: the lease from /admin lets the later tests manage
   * runtimes under the standard posture. */
  g_test_add_func ("/cli-helper/no-helper", test_no_helper);
  g_test_add_func ("/cli-helper/usage", test_usage);
  g_test_add_func ("/cli-helper/admin", test_admin);
  g_test_add_func ("/cli-helper/hardware", test_hardware);
  g_test_add_func ("/cli-helper/lifecycle", test_lifecycle);
  g_test_add_func ("/cli-helper/logs-follow", test_logs_follow);
  g_test_add_func ("/cli-helper/rollback-through-helper", test_rollback_through_helper);
  g_test_add_func ("/cli-helper/client", test_client);
  g_test_add_func ("/cli-helper/events-follow-sigint", test_events_follow_sigint);
  rc = g_test_run ();

  arw_test_rm_rf (state_dir);
  g_free (state_dir);
  g_free (admin_token);
  return rc;
}
