/* SPDX-License-Identifier: GPL-3.0-or-later */
/* arw-launcher-helper on a private session bus (run by meson inside
 * dbus-run-session with tests/test-session.conf): real activation of the
 * build-tree helper, real runtime processes (tests/fake-runtime).
 *
 * Each test case gives the helper its environment through
 * UpdateActivationEnvironment before activating it, and stops it at the
 * end, so cases do not share a helper. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "arw-bundle.h"
#include "arw-dbus-generated.h"
#include "arw-error.h"
#include "arw-test-http-server.h"
#include "arw-test-utils.h"
#include "installer-test-util.h"
#include "fixtures/hw/hw-fake-tree.h"

#define BUS_NAME "org.arw.Launcher.Helper"
#define MANAGER_PATH "/org/arw/Launcher/Helper"
#define WAIT_MS 30000
#define CUDA_UUID "GPU-12345678-1234-1234-1234-123456789abc"

typedef struct {
  char *topic;
  JsonNode *payload;
} Event;

typedef struct {
  GDBusConnection *bus;
  char *tmp;
  char *state;
  char *hw;        /* ARW_HW_ROOT (empty tree unless a test fills it) */
  ArwDBusManager *manager;
  guint32 helper_pid;
  GPtrArray *events; /* Event */
  guint event_sub;
} Fixture;

static void
event_free (Event *event)
{
  g_free (event->topic);
  json_node_unref (event->payload);
  g_free (event);
}

/* ---- waiting ---------------------------------------------------------- */

#define wait_until(pred, data) arw_test_wait_until ((pred), (data), WAIT_MS)

static gboolean
process_gone (gpointer data)
{
  pid_t pid = GPOINTER_TO_INT (data);
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *paren;

  if (kill (pid, 0) != 0 && errno == ESRCH)
    return TRUE;
  /* A zombie waiting for its reaper is gone for our purposes. */
  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  paren = strrchr (stat, ')');
  return paren != NULL && paren[1] == ' ' && paren[2] == 'Z';
}

/* ---- events ----------------------------------------------------------- */

static void
event_signal_cb (GDBusConnection *connection, const char *sender, const char *path, const char *iface,
                 const char *signal, GVariant *params, gpointer user_data)
{
  Fixture *f = user_data;
  const char *topic = NULL;
  const char *payload = NULL;
  Event *event;

  g_variant_get (params, "(&s&stx)", &topic, &payload, NULL, NULL);
  event = g_new0 (Event, 1);
  event->topic = g_strdup (topic);
  event->payload = json_from_string (payload, NULL);
  g_assert_nonnull (event->payload);
  g_ptr_array_add (f->events, event);
}

typedef struct {
  Fixture *f;
  const char *topic;
  const char *member;
  const char *value;
} EventQuery;

static JsonObject *
find_event (Fixture *f, const char *topic, const char *member, const char *value)
{
  for (guint i = 0; i < f->events->len; i++)
    {
      Event *event = g_ptr_array_index (f->events, i);
      JsonObject *object;

      if (!g_str_equal (event->topic, topic) || !JSON_NODE_HOLDS_OBJECT (event->payload))
        continue;
      object = json_node_get_object (event->payload);
      if (member == NULL ||
          g_strcmp0 (json_object_get_string_member_with_default (object, member, NULL), value) == 0)
        return object;
    }
  return NULL;
}

static gboolean
event_seen (gpointer data)
{
  EventQuery *q = data;
  return find_event (q->f, q->topic, q->member, q->value) != NULL;
}

static JsonObject *
wait_event (Fixture *f, const char *topic, const char *member, const char *value)
{
  EventQuery q = { f, topic, member, value };

  g_assert_true (wait_until (event_seen, &q));
  return find_event (f, topic, member, value);
}

/* ---- the helper --------------------------------------------------------- */

static void
update_activation_env (Fixture *f, const char *const *pairs)
{
  g_autoptr(GVariantBuilder) b = g_variant_builder_new (G_VARIANT_TYPE ("a{ss}"));
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *eq = strchr (pairs[i], '=');
      g_autofree char *key = g_strndup (pairs[i], eq - pairs[i]);
      g_variant_builder_add (b, "{ss}", key, eq + 1);
    }
  reply = g_dbus_connection_call_sync (f->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "UpdateActivationEnvironment",
                                       g_variant_new ("(a{ss})", b), NULL, G_DBUS_CALL_FLAGS_NONE,
                                       -1, NULL, &error);
  g_assert_no_error (error);
}

static guint32
name_owner_pid (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (f->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                           "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                                           g_variant_new ("(s)", BUS_NAME), G_VARIANT_TYPE ("(u)"),
                                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  guint32 pid = 0;

  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &pid);
  return pid;
}

/* Activates the helper with the default test environment plus extra
 * ("KEY=VALUE"; later entries win). */
static void
helper_start (Fixture *f, const char *const *extra)
{
  g_autofree char *state_env = g_strconcat ("ARW_STATE_DIR=", f->state, NULL);
  g_autofree char *hw_env = g_strconcat ("ARW_HW_ROOT=", f->hw, NULL);
  g_autofree char *catalog_env = g_strconcat ("ARW_RUNTIME_BUNDLE_DIR=", f->tmp, "/catalogs", NULL);
  const char *defaults[] = {
    state_env, hw_env, catalog_env, "PATH=/usr/bin:/bin",
    "ARW_HELPER_IDLE_TIMEOUT_MS=0", "ARW_SECURITY_POSTURE=relaxed",
    "ARW_RUNTIME_HEALTH_INTERVAL_MS=100", "ARW_RUNTIME_BACKOFF_BASE_MS=50",
    "ARW_RUNTIME_RESTART_MAX=3", "ARW_RUNTIME_STOP_TIMEOUT_MS=2000",
    "ARW_GPU_ONLY=0", "ARW_ACCELERATOR_ORDER=", "ARW_PREFERRED_DEVICE=", "ARW_ADMIN_TOKEN=",
    "ARW_RUNTIME_TIMING=0", "G_DEBUG=fatal-criticals", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) version = NULL;

  update_activation_env (f, defaults);
  if (extra != NULL)
    update_activation_env (f, extra);
  f->event_sub = g_dbus_connection_signal_subscribe (f->bus, NULL, "org.arw.Launcher.Manager1", "Event",
                                                     MANAGER_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                                     event_signal_cb, f, NULL);
  /* Without DO_NOT_AUTO_START this activates the service. */
  f->manager = arw_dbus_manager_proxy_new_sync (f->bus, G_DBUS_PROXY_FLAGS_NONE, BUS_NAME, MANAGER_PATH,
                                                NULL, &error);
  g_assert_no_error (error);
  version = g_dbus_connection_call_sync (f->bus, BUS_NAME, MANAGER_PATH, "org.freedesktop.DBus.Properties", "Get",
                                         g_variant_new ("(ss)", "org.arw.Launcher.Manager1", "Version"),
                                         G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  f->helper_pid = name_owner_pid (f);
  g_assert_cmpuint (f->helper_pid, !=, (guint32) getpid ());
}

static gboolean
name_has_no_owner (gpointer data)
{
  Fixture *f = data;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (f->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                           "org.freedesktop.DBus", "NameHasOwner",
                                                           g_variant_new ("(s)", BUS_NAME), G_VARIANT_TYPE ("(b)"),
                                                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  gboolean owned = TRUE;

  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return !owned;
}

static void
helper_stop (Fixture *f)
{
  if (f->event_sub != 0)
    g_dbus_connection_signal_unsubscribe (f->bus, f->event_sub);
  f->event_sub = 0;
  g_clear_object (&f->manager);
  if (f->helper_pid != 0 && !process_gone (GINT_TO_POINTER (f->helper_pid)))
    {
      kill ((pid_t) f->helper_pid, SIGTERM);
      g_assert_true (wait_until (process_gone, GINT_TO_POINTER (f->helper_pid)));
    }
  g_assert_true (wait_until (name_has_no_owner, f));
  f->helper_pid = 0;
  g_ptr_array_set_size (f->events, 0);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->tmp = arw_test_mkdtemp ();
  f->state = g_build_filename (f->tmp, "state", NULL);
  f->hw = g_build_filename (f->tmp, "hw", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->state, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (f->hw, 0755), ==, 0);
  f->events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  f->bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  helper_stop (f);
  g_clear_object (&f->bus);
  g_clear_pointer (&f->events, g_ptr_array_unref);
  arw_test_rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->state);
  g_free (f->hw);
}

/* ---- bundles -------------------------------------------------------------- */

typedef struct {
  const char *id;
  const char *accelerator;       /* NULL: none */
  const char *mode;              /* fake-runtime --mode */
  const char *const *modalities; /* NULL: text */
  const char *const *consent;    /* consent.modalities (required: true), NULL: none */
} BundleSpec;

static char *
file_in (Fixture *f, const char *id, const char *suffix)
{
  g_autofree char *safe = g_strdelimit (g_strdup (id), "/", '_');
  return g_strdup_printf ("%s/%s.%s", f->tmp, safe, suffix);
}

static void
add_strings (JsonBuilder *b, const char *name, const char *const *values)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; values[i] != NULL; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
}

static char *
bundle_json (Fixture *f, const BundleSpec *spec)
{
  static const char *const text[] = { "text", NULL };
  g_autofree char *count = file_in (f, spec->id, "count");
  g_autofree char *env = file_in (f, spec->id, "env");
  g_autofree char *pids = file_in (f, spec->id, "grandchild");
  const char *args[] = { "--port", "{{PORT}}", "--mode", spec->mode, "--count-file", count,
                         "--dump-env", env, "--pid-file", pids, NULL };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bundle");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, spec->id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, spec->id);
  json_builder_set_member_name (b, "adapter");
  json_builder_add_string_value (b, "process");
  add_strings (b, "modalities", spec->modalities != NULL ? spec->modalities : text);
  if (spec->accelerator != NULL)
    {
      json_builder_set_member_name (b, "accelerator");
      json_builder_add_string_value (b, spec->accelerator);
    }
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "process");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "command");
  json_builder_add_string_value (b, g_getenv ("ARW_FAKE_RUNTIME"));
  add_strings (b, "args", args);
  json_builder_set_member_name (b, "health");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, "http://127.0.0.1:{{PORT}}/health");
  json_builder_set_member_name (b, "timeout_ms");
  json_builder_add_int_value (b, 2000);
  json_builder_set_member_name (b, "startup_timeout_ms");
  json_builder_add_int_value (b, 20000);
  json_builder_end_object (b);
  json_builder_end_object (b);
  if (spec->consent != NULL)
    {
      json_builder_set_member_name (b, "consent");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "required");
      json_builder_add_boolean_value (b, TRUE);
      add_strings (b, "modalities", spec->consent);
      json_builder_set_member_name (b, "note");
      json_builder_add_string_value (b, "Microphone capture");
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "installed_at");
  json_builder_add_string_value (b, "2025-10-12T00:00:00.000Z");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

/* Writes <state>/runtime/bundles/<dir>/bundle.json the way the store
 * does: a complete directory renamed into place (or bundle.json replaced
 * atomically for a new revision). */
static void
install_bundle (Fixture *f, const BundleSpec *spec)
{
  g_autofree char *root = g_build_filename (f->state, "runtime", "bundles", NULL);
  g_autofree char *dir_name = arw_bundle_dir_name (spec->id);
  g_autofree char *dir = g_build_filename (root, dir_name, NULL);
  g_autofree char *staging = g_build_filename (f->tmp, "staging", NULL);
  g_autofree char *staged_json = g_build_filename (staging, "bundle.json", NULL);
  g_autofree char *json = bundle_json (f, spec);
  g_autofree char *live_json = g_build_filename (dir, "bundle.json", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (root, 0755), ==, 0);
  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_file_set_contents (live_json, json, -1, &error);
      g_assert_no_error (error);
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (staging, 0755), ==, 0);
  g_file_set_contents (staged_json, json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_rename (staging, dir), ==, 0);
}

static void
reload (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  arw_dbus_manager_call_reload_sync (f->manager, g_variant_new ("a{sv}", NULL), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

static char *
runtime_path (const char *id)
{
  g_autofree char *escaped = g_dbus_escape_object_path (id);
  return g_strconcat (MANAGER_PATH, "/runtime/", escaped, NULL);
}

static ArwDBusRuntime *
runtime_proxy (Fixture *f, const char *id)
{
  g_autofree char *path = runtime_path (id);
  g_autoptr(GError) error = NULL;
  ArwDBusRuntime *proxy = arw_dbus_runtime_proxy_new_sync (f->bus, G_DBUS_PROXY_FLAGS_NONE, BUS_NAME, path,
                                                           NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (arw_dbus_runtime_get_id (proxy), ==, id);
  return proxy;
}

typedef struct {
  ArwDBusRuntime *proxy;
  const char *state;
  const char *summary; /* prefix, or NULL */
} StateQuery;

static gboolean
state_is (gpointer data)
{
  StateQuery *q = data;

  return g_strcmp0 (arw_dbus_runtime_get_state (q->proxy), q->state) == 0 &&
         (q->summary == NULL || g_str_has_prefix (arw_dbus_runtime_get_summary (q->proxy), q->summary));
}

static void
wait_state (ArwDBusRuntime *proxy, const char *state, const char *summary)
{
  StateQuery q = { proxy, state, summary };

  if (!wait_until (state_is, &q))
    g_error ("runtime %s is %s (%s), expected %s", arw_dbus_runtime_get_id (proxy),
             arw_dbus_runtime_get_state (proxy), arw_dbus_runtime_get_summary (proxy), state);
}

static GVariant *
no_options (void)
{
  return g_variant_new ("a{sv}", NULL);
}

static GVariant *
options_no_restart (void)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "no-restart", "b", TRUE);
  return g_variant_dict_end (&dict);
}

static char *
restore (Fixture *f, const char *id, GVariant *options, GError **error)
{
  char *path = NULL;
  g_autofree char *result = NULL;

  if (!arw_dbus_manager_call_restore_sync (f->manager, id, options != NULL ? options : no_options (), G_DBUS_CALL_FLAGS_NONE, -1,
                                           &path, &result, NULL, error))
    {
      g_dbus_error_strip_remote_error (*error);
      return NULL;
    }
  return path;
}

static guint
count_lines (const char *path)
{
  g_autofree char *text = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  for (const char *p = text; *p != '\0'; p++)
    n += *p == '\n';
  return n;
}

/* ---- tests ------------------------------------------------------------------- */

static void
test_activation (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  g_autoptr(JsonNode) node = NULL;

  helper_start (f, NULL);
  g_assert_cmpuint (arw_dbus_manager_get_version (f->manager), ==, 1);
  g_assert_cmpstr (arw_dbus_manager_get_posture (f->manager), ==, "relaxed");
  g_assert_cmpstr (arw_dbus_manager_get_state_dir (f->manager), ==, f->state);
  arw_dbus_manager_call_get_status_sync (f->manager, no_options (), G_DBUS_CALL_FLAGS_NONE, -1, &status, NULL, &error);
  g_assert_no_error (error);
  node = json_from_string (status, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (node), "runtimes")), ==, 0);
}

static void
test_lifecycle (Fixture *f, gconstpointer data)
{
  const BundleSpec spec = { "demo/linux-x86_64-cpu", "cpu", "ok", NULL, NULL };
  g_autofree char *count = file_in (f, spec.id, "count");
  g_autoptr(ArwDBusRuntime) rt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *path2 = NULL;
  guint pid;

  install_bundle (f, &spec);
  helper_start (f, NULL);
  rt = runtime_proxy (f, spec.id);
  g_assert_cmpstr (arw_dbus_runtime_get_state (rt), ==, "offline");
  g_assert_cmpstr (arw_dbus_runtime_get_summary (rt), ==, "Runtime registered; awaiting supervisor launch");
  g_assert_cmpstr (arw_dbus_runtime_get_family (rt), ==, "demo");

  path = restore (f, spec.id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, g_dbus_proxy_get_object_path (G_DBUS_PROXY (rt)));
  wait_state (rt, "ready", "Process healthy");
  g_assert_cmpstr (arw_dbus_runtime_get_state_label (rt), ==, "Ready");
  g_assert_true (g_str_has_prefix (arw_dbus_runtime_get_endpoint (rt), "http://127.0.0.1:"));
  pid = arw_dbus_runtime_get_pid (rt);
  g_assert_cmpuint (pid, >, 0);
  wait_event (f, "runtime.state.changed", "state", "ready");
  wait_event (f, "runtime.restore.completed", "runtime", spec.id);

  /* A second restore does not start a second process. */
  path2 = restore (f, spec.id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (arw_dbus_runtime_get_pid (rt), ==, pid);
  g_assert_cmpuint (count_lines (count), ==, 1);

  arw_dbus_manager_call_shutdown_sync (f->manager, spec.id, no_options (), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  wait_state (rt, "offline", "Runtime stopped");
  wait_event (f, "runtime.state.changed", "state", "offline");
  g_assert_true (wait_until (process_gone, GINT_TO_POINTER (pid)));
  g_assert_cmpuint (arw_dbus_runtime_get_pid (rt), ==, 0);
}

static void
test_budget (Fixture *f, gconstpointer data)
{
  const BundleSpec spec = { "crashy", NULL, "exit-now", NULL, NULL };
  const char *env[] = { "ARW_RUNTIME_RESTART_MAX=2", NULL };
  g_autofree char *count = file_in (f, spec.id, "count");
  g_autoptr(ArwDBusRuntime) rt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  install_bundle (f, &spec);
  helper_start (f, env);
  rt = runtime_proxy (f, spec.id);
  path = restore (f, spec.id, options_no_restart (), &error);
  g_assert_no_error (error);
  wait_state (rt, "error", "Restart budget exhausted");
  /* The first start plus exactly max automatic restarts. */
  g_assert_cmpuint (count_lines (count), ==, 3);
  g_assert_cmpuint (arw_dbus_runtime_get_restart_budget_used (rt), ==, 2);
  g_assert_cmpuint (arw_dbus_runtime_get_restart_budget_max (rt), ==, 2);
  g_assert_cmpint (arw_dbus_runtime_get_restart_budget_reset_at (rt), >, g_get_real_time () / G_USEC_PER_SEC);
  g_assert_cmpuint (arw_dbus_runtime_get_pid (rt), ==, 0);

  /* A counted restore is now refused with the budget error. */
  g_clear_pointer (&path, g_free);
  path = restore (f, spec.id, NULL, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_BUDGET_EXHAUSTED);
  g_assert_cmpuint (count_lines (count), ==, 3);
}

static void
grant (Fixture *f, const char *id, const char *modality)
{
  const char *mods[] = { modality, NULL };
  g_autoptr(GError) error = NULL;

  arw_dbus_manager_call_grant_consent_sync (f->manager, id, mods, "always", no_options (), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

static void
test_consent (Fixture *f, gconstpointer data)
{
  static const char *const mods[] = { "text", "audio", NULL };
  static const char *const audio[] = { "audio", NULL };
  static const char *const audio_vision[] = { "audio", "vision", NULL };
  static const char *const none[] = { NULL };
  BundleSpec spec = { "whisper/cpu", "cpu", "ok", mods, audio };
  g_autoptr(ArwDBusRuntime) rt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  JsonObject *decision;
  guint pid;

  install_bundle (f, &spec);
  helper_start (f, NULL);
  rt = runtime_proxy (f, spec.id);
  g_assert_cmpstr (arw_dbus_runtime_get_consent_state (rt), ==, "required");
  g_assert_cmpstr (arw_dbus_runtime_get_consent_note (rt), ==, "Microphone capture");

  /* deny */
  path = restore (f, spec.id, NULL, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_CONSENT_REQUIRED);
  g_assert_nonnull (strstr (error->message, "consent required for audio"));
  g_assert_nonnull (strstr (error->message, "arw-runtime consent grant whisper/cpu --modality audio"));
  g_clear_error (&error);
  decision = wait_event (f, "policy.decision", "action", "runtime.supervisor.restore");
  g_assert_false (json_object_get_boolean_member (decision, "allow"));
  g_assert_cmpstr (arw_dbus_runtime_get_state (rt), ==, "offline");

  /* grant → start */
  grant (f, spec.id, "audio");
  wait_event (f, "consent.granted", "bundle_id", spec.id);
  path = restore (f, spec.id, NULL, &error);
  g_assert_no_error (error);
  wait_state (rt, "ready", NULL);
  g_assert_cmpstr (arw_dbus_runtime_get_consent_state (rt), ==, "granted");
  pid = arw_dbus_runtime_get_pid (rt);

  /* revoke stops it */
  arw_dbus_manager_call_revoke_consent_sync (f->manager, spec.id, none, no_options (), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  decision = wait_event (f, "consent.revoked", "bundle_id", spec.id);
  g_assert_true (json_object_get_boolean_member (decision, "stopped"));
  wait_state (rt, "offline", NULL);
  g_assert_true (wait_until (process_gone, GINT_TO_POINTER (pid)));
  g_clear_pointer (&path, g_free);
  path = restore (f, spec.id, NULL, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_CONSENT_REQUIRED);
  g_clear_error (&error);

  /* A new revision that adds vision needs consent again, for vision. */
  grant (f, spec.id, "audio");
  spec.consent = audio_vision;
  install_bundle (f, &spec);
  reload (f);
  g_clear_object (&rt);
  rt = runtime_proxy (f, spec.id);
  g_assert_cmpstr (arw_dbus_runtime_get_consent_state (rt), ==, "required");
  path = restore (f, spec.id, NULL, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_CONSENT_REQUIRED);
  g_assert_nonnull (strstr (error->message, "audio, vision"));
}

static void
test_ledger_tamper (Fixture *f, gconstpointer data)
{
  static const char *const mods[] = { "audio", NULL };
  const BundleSpec spec = { "piper/cpu", "cpu", "ok", mods, mods };
  g_autofree char *ledger = g_build_filename (f->state, "consent", "ledger.jsonl", NULL);
  g_autofree char *text = NULL;
  g_autofree char *consents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *path = NULL;
  char *at;

  install_bundle (f, &spec);
  helper_start (f, NULL);
  grant (f, spec.id, "audio");
  /* Edit the grant behind the helper's back: always → once. */
  g_assert_true (g_file_get_contents (ledger, &text, NULL, NULL));
  at = strstr (text, "\"always\"");
  g_assert_nonnull (at);
  memcpy (at, "\"aLways\"", 8);
  g_file_set_contents (ledger, text, -1, &error);
  g_assert_no_error (error);

  path = restore (f, spec.id, NULL, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_CONSENT_REQUIRED);
  g_assert_nonnull (strstr (error->message, "modified outside"));
  g_clear_error (&error);
  arw_dbus_manager_call_list_consents_sync (f->manager, no_options (), G_DBUS_CALL_FLAGS_NONE, -1, &consents, NULL, &error);
  g_assert_no_error (error);
  node = json_from_string (consents, &error);
  g_assert_no_error (error);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (node), "tampered"));
  g_assert_nonnull (json_object_get_string_member (json_node_get_object (node), "warning"));
}

static void
test_posture_standard (Fixture *f, gconstpointer data)
{
  const BundleSpec spec = { "llm/cpu", "cpu", "ok", NULL, NULL };
  const char *env[] = { "ARW_SECURITY_POSTURE=standard", NULL };
  g_autoptr(ArwDBusRuntime) rt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_path = g_build_filename (f->state, "admin", "token", NULL);
  g_autofree char *lease = NULL;
  JsonObject *decision;
  GStatBuf st;

  install_bundle (f, &spec);
  helper_start (f, env);
  g_assert_cmpstr (arw_dbus_manager_get_posture (f->manager), ==, "standard");
  path = restore (f, spec.id, NULL, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_PERMISSION_DENIED);
  g_assert_true (g_str_has_prefix (error->message, "runtime:manage lease required"));
  g_clear_error (&error);
  decision = wait_event (f, "policy.decision", "require_capability", "runtime:manage");
  g_assert_cmpstr (json_object_get_string_member (decision, "action"), ==, "runtime.supervisor.restore");

  arw_dbus_manager_call_persist_admin_token_sync (f->manager, no_options (), G_DBUS_CALL_FLAGS_NONE, -1, &token, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (token), ==, 64);
  g_assert_cmpint (g_stat (token_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  arw_dbus_manager_call_request_lease_sync (f->manager, "runtime:manage", 60, "wrong", no_options (), G_DBUS_CALL_FLAGS_NONE, -1,
                                            &lease, NULL, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  arw_dbus_manager_call_request_lease_sync (f->manager, "runtime:manage", 600, token, no_options (), G_DBUS_CALL_FLAGS_NONE, -1,
                                            &lease, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (lease, "\"capability\":\"runtime:manage\""));

  /* The lease is persisted: a restarted helper honours it. */
  helper_stop (f);
  helper_start (f, env);
  rt = runtime_proxy (f, spec.id);
  path = restore (f, spec.id, NULL, &error);
  g_assert_no_error (error);
  wait_state (rt, "ready", NULL);
}

/* ---- GPU selection --------------------------------------------------------- */

static void
install_family (Fixture *f, const char *cuda_mode)
{
  const BundleSpec cuda = { "llama/linux-x86_64-cuda", "gpu_cuda", cuda_mode, NULL, NULL };
  const BundleSpec cpu = { "llama/linux-x86_64-cpu", "cpu", "ok", NULL, NULL };

  install_bundle (f, &cuda);
  install_bundle (f, &cpu);
}

static void
helper_start_hw (Fixture *f, const char *extra)
{
  g_autofree char *path = g_strdup_printf ("PATH=%s/bin:/usr/bin:/bin", f->hw);
  const char *env[] = { path, extra, NULL };

  helper_start (f, env);
}

static void
fake_nvidia (Fixture *f, gboolean driver)
{
  g_autofree char *bin = g_build_filename (f->hw, "bin", NULL);

  g_assert_cmpint (g_mkdir_with_parents (bin, 0755), ==, 0);
  if (!driver)
    {
      fake_pci_device (f->hw, "0000:01:00.0", "0x10de\n", "0x2204\n", NULL);
      return;
    }
  fake_nvidia_driver (f->hw);
  fake_nvidia_gpu (f->hw, "0000:01:00.0", CUDA_UUID, "NVIDIA GeForce RTX 3090");
  fake_nvidia_smi (f->hw, CUDA_UUID ", NVIDIA GeForce RTX 3090, 24576, 535.104.05\n");
}

static void
test_gpu_nvidia (Fixture *f, gconstpointer data)
{
  g_autoptr(ArwDBusRuntime) rt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *want = runtime_path ("llama/linux-x86_64-cuda");
  g_autofree char *env_file = file_in (f, "llama/linux-x86_64-cuda", "env");
  g_autofree char *env = NULL;

  fake_nvidia (f, TRUE);
  install_family (f, "ok");
  helper_start_hw (f, NULL);
  path = restore (f, "llama", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, want);
  rt = runtime_proxy (f, "llama/linux-x86_64-cuda");
  wait_state (rt, "ready", NULL);
  g_assert_cmpstr (arw_dbus_runtime_get_device (rt), ==, CUDA_UUID);
  g_assert_cmpstr (arw_dbus_runtime_get_fallback_reason (rt), ==, "");
  g_assert_true (g_file_get_contents (env_file, &env, NULL, NULL));
  g_assert_nonnull (strstr (env, "\nCUDA_VISIBLE_DEVICES=" CUDA_UUID "\n"));
  /* The scrubbed environment does not carry the helper's own variables. */
  g_assert_null (strstr (env, "ARW_STATE_DIR="));
}

static void
test_gpu_no_driver (Fixture *f, gconstpointer data)
{
  g_autoptr(ArwDBusRuntime) rt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *want = runtime_path ("llama/linux-x86_64-cpu");
  JsonObject *event;

  fake_nvidia (f, FALSE);
  install_family (f, "ok");
  helper_start_hw (f, NULL);
  path = restore (f, "llama", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, want);
  rt = runtime_proxy (f, "llama/linux-x86_64-cpu");
  wait_state (rt, "degraded", "Degraded – CPU fallback: no NVIDIA driver");
  g_assert_cmpstr (arw_dbus_runtime_get_fallback_reason (rt), ==, "no NVIDIA driver");
  g_assert_cmpstr (arw_dbus_runtime_get_severity (rt), ==, "warn");
  event = wait_event (f, "runtime.fallback.engaged", "to", "llama/linux-x86_64-cpu");
  g_assert_cmpstr (json_object_get_string_member (event, "from"), ==, "llama/linux-x86_64-cuda");
  g_assert_cmpstr (json_object_get_string_member (event, "reason"), ==, "no NVIDIA driver");
}

static void
test_gpu_only (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *count = file_in (f, "llama/linux-x86_64-cpu", "count");

  fake_nvidia (f, FALSE);
  install_family (f, "ok");
  helper_start_hw (f, "ARW_GPU_ONLY=1");
  path = restore (f, "llama", NULL, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no NVIDIA driver"));
  g_assert_nonnull (strstr (error->message, "GPU only"));
  g_assert_cmpuint (count_lines (count), ==, 0);
}

static void
test_gpu_start_failure (Fixture *f, gconstpointer data)
{
  g_autoptr(ArwDBusRuntime) cuda = NULL;
  g_autoptr(ArwDBusRuntime) cpu = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *count = file_in (f, "llama/linux-x86_64-cuda", "count");
  JsonObject *event;

  fake_nvidia (f, TRUE);
  install_family (f, "gpu-fail");
  helper_start_hw (f, NULL);
  path = restore (f, "llama", NULL, &error);
  g_assert_no_error (error);
  cpu = runtime_proxy (f, "llama/linux-x86_64-cpu");
  cuda = runtime_proxy (f, "llama/linux-x86_64-cuda");
  wait_state (cpu, "degraded", "Degraded – CPU fallback: CUDA variant failed to start");
  g_assert_nonnull (strstr (arw_dbus_runtime_get_fallback_reason (cpu), "CUDA error"));
  event = wait_event (f, "runtime.fallback.engaged", "from", "llama/linux-x86_64-cuda");
  g_assert_cmpstr (json_object_get_string_member (event, "to"), ==, "llama/linux-x86_64-cpu");
  /* The failed GPU variant is not retried in a loop. */
  g_assert_cmpstr (arw_dbus_runtime_get_state (cuda), ==, "error");
  g_assert_cmpuint (count_lines (count), ==, 1);
}

/* ---- no orphans, fuzzing, idle exit ---------------------------------------- */

static gboolean
file_has_line (gpointer data)
{
  return count_lines (data) > 0;
}

static void
test_no_orphan (Fixture *f, gconstpointer data)
{
  const BundleSpec spec = { "forky", NULL, "fork-grandchild", NULL, NULL };
  g_autofree char *pid_file = file_in (f, spec.id, "grandchild");
  g_autoptr(ArwDBusRuntime) rt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  pid_t runtime_pid;
  pid_t grandchild;

  install_bundle (f, &spec);
  helper_start (f, NULL);
  rt = runtime_proxy (f, spec.id);
  path = restore (f, spec.id, NULL, &error);
  g_assert_no_error (error);
  wait_state (rt, "ready", NULL);
  runtime_pid = (pid_t) arw_dbus_runtime_get_pid (rt);
  g_assert_true (wait_until (file_has_line, pid_file));
  g_assert_true (g_file_get_contents (pid_file, &text, NULL, NULL));
  grandchild = (pid_t) atoi (text);
  g_assert_cmpint (grandchild, >, 1);
  g_assert_false (process_gone (GINT_TO_POINTER (grandchild)));

  g_assert_cmpint (kill ((pid_t) f->helper_pid, SIGKILL), ==, 0);
  g_assert_true (wait_until (process_gone, GINT_TO_POINTER (runtime_pid)));
  g_assert_true (wait_until (process_gone, GINT_TO_POINTER (grandchild)));
}

static void
test_fuzz_arguments (Fixture *f, gconstpointer data)
{
  const BundleSpec spec = { "fuzz/cpu", "cpu", "ok", NULL, NULL };
  g_autofree char *huge = g_strnfill (10 * 1024, 'a');
  const char *bad_ids[] = { "", huge, "a\tb", "a\nb", "x\x1b[31m", "../etc", "/abs", "a\xc2\x85z", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *status = NULL;
  const char *mods_bad[] = { "smell", NULL };
  GVariantDict dict;

  install_bundle (f, &spec);
  helper_start (f, NULL);
  for (guint i = 0; bad_ids[i] != NULL; i++)
    {
      path = restore (f, bad_ids[i], NULL, &error);
      g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
      g_clear_error (&error);
      arw_dbus_manager_call_shutdown_sync (f->manager, bad_ids[i], no_options (), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
      g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
      g_clear_error (&error);
      arw_dbus_manager_call_grant_consent_sync (f->manager, bad_ids[i], mods_bad + 1, "always", no_options (), G_DBUS_CALL_FLAGS_NONE, -1,
                                                NULL, &error);
      g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
      g_clear_error (&error);
    }

  /* unknown keys, wrong types, bad values */
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "no-such-key", "b", TRUE);
  path = restore (f, spec.id, g_variant_dict_end (&dict), &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_assert_nonnull (strstr (error->message, "no-such-key"));
  g_clear_error (&error);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "no-restart", "s", "yes");
  path = restore (f, spec.id, g_variant_dict_end (&dict), &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_assert_nonnull (strstr (error->message, "no-restart"));
  g_clear_error (&error);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "accelerator", "s", "quantum");
  path = restore (f, spec.id, g_variant_dict_end (&dict), &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "preset", "s", huge);
  path = restore (f, spec.id, g_variant_dict_end (&dict), &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_assert_nonnull (strstr (error->message, "preset"));
  g_clear_error (&error);
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "preset", "s", "fast");
  path = restore (f, spec.id, g_variant_dict_end (&dict), &error);
  g_assert_no_error (error);
  g_clear_pointer (&path, g_free);
  arw_dbus_manager_call_shutdown_sync (f->manager, spec.id, no_options (), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  arw_dbus_manager_call_grant_consent_sync (f->manager, spec.id, mods_bad, "always", no_options (), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  arw_dbus_manager_call_grant_consent_sync (f->manager, spec.id, mods_bad + 1, "forever", no_options (), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                            &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  arw_dbus_manager_call_get_status_sync (f->manager, g_variant_new_parsed ("{'x': <1>}"), G_DBUS_CALL_FLAGS_NONE, -1, &status, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  /* Unknown runtime: a clean NotFound. */
  path = restore (f, "nope", NULL, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Still answering, same process. */
  arw_dbus_manager_call_get_status_sync (f->manager, no_options (), G_DBUS_CALL_FLAGS_NONE, -1, &status, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (name_owner_pid (f), ==, f->helper_pid);
}

typedef struct {
  Fixture *f;
  gboolean vanished;
} IdleWatch;

static void
owner_changed_cb (GDBusConnection *connection, const char *sender, const char *path, const char *iface,
                  const char *signal, GVariant *params, gpointer user_data)
{
  IdleWatch *w = user_data;
  const char *name, *old_owner, *new_owner;

  g_variant_get (params, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (g_str_equal (name, BUS_NAME) && *new_owner == '\0')
    w->vanished = TRUE;
}

static gboolean
vanished (gpointer data)
{
  return ((IdleWatch *) data)->vanished;
}

static void
test_idle_exit (Fixture *f, gconstpointer data)
{
  const BundleSpec spec = { "idle/cpu", "cpu", "ok", NULL, NULL };
  const char *env[] = { "ARW_HELPER_IDLE_TIMEOUT_MS=500", NULL };
  g_autoptr(ArwDBusRuntime) rt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *status = NULL;
  IdleWatch w = { f, FALSE };
  guint sub;
  guint pid;

  install_bundle (f, &spec);
  helper_start (f, env);
  sub = g_dbus_connection_signal_subscribe (f->bus, "org.freedesktop.DBus", "org.freedesktop.DBus",
                                            "NameOwnerChanged", "/org/freedesktop/DBus", BUS_NAME,
                                            G_DBUS_SIGNAL_FLAGS_NONE, owner_changed_cb, &w, NULL);
  /* A running runtime holds the helper well past the idle timeout. */
  rt = runtime_proxy (f, spec.id);
  path = restore (f, spec.id, NULL, &error);
  g_assert_no_error (error);
  wait_state (rt, "ready", NULL);
  pid = arw_dbus_runtime_get_pid (rt);
  wait_event (f, "runtime.state.changed", "summary", "Process healthy");
  g_assert_false (w.vanished);
  arw_dbus_manager_call_get_status_sync (f->manager, no_options (), G_DBUS_CALL_FLAGS_NONE, -1, &status, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (name_owner_pid (f), ==, f->helper_pid);

  /* Once it stops, the helper leaves the bus by itself. */
  arw_dbus_manager_call_shutdown_sync (f->manager, spec.id, no_options (), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (wait_until (vanished, &w));
  g_assert_true (wait_until (process_gone, GINT_TO_POINTER (f->helper_pid)));
  g_assert_true (process_gone (GINT_TO_POINTER (pid)));
  g_dbus_connection_signal_unsubscribe (f->bus, sub);
}

/* ---- install through the bus ------------------------------------------------ */

static void
write_demo_catalog (Fixture *f, const char *url, const char *sha, gsize size)
{
  g_autofree char *dir = g_build_filename (f->tmp, "catalogs", NULL);
  g_autofree char *path = g_build_filename (dir, "bundles.demo.json", NULL);
  g_autofree char *text = g_strdup_printf (
    "{\"version\": 1, \"channel\": \"preview\", \"bundles\": [{"
    "\"id\": \"demo/linux-x86_64-cpu\", \"name\": \"Demo\", \"adapter\": \"process\","
    " \"modalities\": [\"text\"], \"accelerator\": \"cpu\","
    " \"artifacts\": [{\"kind\": \"archive\", \"format\": \"tar.gz\", \"url\": \"%s\","
    " \"sha256\": \"%s\", \"size_bytes\": %" G_GSIZE_FORMAT "}],"
    " \"metadata\": {\"process\": {\"command\": \"%s\", \"args\": [\"--port\", \"{{PORT}}\"],"
    " \"health\": {\"url\": \"http://127.0.0.1:{{PORT}}/health\"}}}}]}\n",
    url, sha, size, g_getenv ("ARW_FAKE_RUNTIME"));
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

typedef struct {
  ArwDBusTransaction *proxy;
} TxQuery;

static gboolean
transaction_done (gpointer data)
{
  const char *state = arw_dbus_transaction_get_state (((TxQuery *) data)->proxy);
  return state != NULL && !g_str_equal (state, "running");
}

typedef struct {
  ArwDBusTransaction *proxy;
  guint64 at_least;
} ProgressQuery;

static gboolean
downloading_past (gpointer data)
{
  ProgressQuery *q = data;

  return g_strcmp0 (arw_dbus_transaction_get_phase (q->proxy), "downloading") == 0 &&
         arw_dbus_transaction_get_bytes_done (q->proxy) >= q->at_least;
}

static ArwDBusTransaction *
start_install (Fixture *f, const char *const *ids)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tx_path = NULL;
  ArwDBusTransaction *tx;

  arw_dbus_manager_call_install_sync (f->manager, ids, no_options (), G_DBUS_CALL_FLAGS_NONE, -1,
                                      &tx_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (tx_path, MANAGER_PATH "/transaction/"));
  tx = arw_dbus_transaction_proxy_new_sync (f->bus, G_DBUS_PROXY_FLAGS_NONE, BUS_NAME, tx_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (arw_dbus_transaction_get_kind (tx), ==, "install");
  return tx;
}

/* Progress moves on the Transaction1 properties while the download runs
 * (the server stalls after 1 MiB), Cancel stops it, and a second install
 * resumes the partial download and succeeds; the new bundle is a runtime. */
static void
test_install_transaction (Fixture *f, gconstpointer data)
{
  g_autoptr(ArwTestHttpServer) server = arw_test_http_server_new ();
  g_autoptr(GBytes) tarball = itu_make_tar_gz (7, 8, 256 * 1024);
  g_autofree char *sha = itu_sha256 (tarball);
  g_autofree char *url = arw_test_http_server_url (server, "/demo.tar.gz");
  const char *ids[] = { "demo/linux-x86_64-cpu", NULL };
  const char *bad_ids[] = { "ok", "", NULL };
  g_autoptr(ArwDBusTransaction) tx = NULL;
  g_autoptr(ArwDBusTransaction) tx2 = NULL;
  g_autoptr(ArwDBusRuntime) rt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tx_path = NULL;
  g_autofree char *path = NULL;
  g_autofree char *range = NULL;
  ProgressQuery pq;
  JsonObject *done;
  TxQuery q;

  arw_test_http_server_set_content (server, "/demo.tar.gz", tarball);
  arw_test_http_server_set_fault (server, "/demo.tar.gz", ARW_TEST_HTTP_FAULT_STALL, 1024 * 1024, 1);
  write_demo_catalog (f, url, sha, g_bytes_get_size (tarball));
  helper_start (f, NULL);

  arw_dbus_manager_call_install_sync (f->manager, bad_ids, no_options (), G_DBUS_CALL_FLAGS_NONE, -1,
                                      &tx_path, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  tx = start_install (f, ids);
  pq.proxy = tx;
  pq.at_least = 1024 * 1024;
  g_assert_true (wait_until (downloading_past, &pq));
  g_assert_cmpuint (arw_dbus_transaction_get_bytes_total (tx), ==, g_bytes_get_size (tarball));
  g_assert_cmpstr (arw_dbus_transaction_get_state (tx), ==, "running");
  wait_event (f, "install.progress", "phase", "downloading");
  arw_dbus_transaction_call_cancel_sync (tx, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  q.proxy = tx;
  g_assert_true (wait_until (transaction_done, &q));
  g_assert_cmpstr (arw_dbus_transaction_get_state (tx), ==, "cancelled");

  tx2 = start_install (f, ids);
  q.proxy = tx2;
  g_assert_true (wait_until (transaction_done, &q));
  g_assert_cmpstr (arw_dbus_transaction_get_error (tx2), ==, "");
  g_assert_cmpstr (arw_dbus_transaction_get_state (tx2), ==, "succeeded");
  g_assert_cmpstr (arw_dbus_transaction_get_phase (tx2), ==, "done");
  done = wait_event (f, "install.completed", "state", "succeeded");
  g_assert_true (json_object_get_boolean_member (done, "ok"));
  /* the second download resumed where the first stopped */
  range = arw_test_http_server_get_request_header (server, "/demo.tar.gz", 1, "Range");
  g_assert_nonnull (range);

  /* The new installation is a runtime at once. */
  rt = runtime_proxy (f, ids[0]);
  path = restore (f, ids[0], NULL, &error);
  g_assert_no_error (error);
  wait_state (rt, "ready", NULL);
}

int
main (int argc, char *argv[])
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, NULL);
  /* Registers org.arw.Launcher.Error.* so remote errors map back to ARW_ERROR. */
  (void) ARW_ERROR;
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL || g_getenv ("ARW_FAKE_RUNTIME") == NULL)
    {
      g_test_skip ("needs the private session bus and ARW_FAKE_RUNTIME (run through meson test)");
      return 77;
    }
#define ADD(name, func) g_test_add ("/helper/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("activation", test_activation);
  ADD ("lifecycle", test_lifecycle);
  ADD ("budget", test_budget);
  ADD ("consent", test_consent);
  ADD ("ledger-tamper", test_ledger_tamper);
  ADD ("posture-standard", test_posture_standard);
  ADD ("gpu/nvidia", test_gpu_nvidia);
  ADD ("gpu/no-driver", test_gpu_no_driver);
  ADD ("gpu/gpu-only", test_gpu_only);
  ADD ("gpu/start-failure", test_gpu_start_failure);
  ADD ("no-orphan", test_no_orphan);
  ADD ("fuzz-arguments", test_fuzz_arguments);
  ADD ("idle-exit", test_idle_exit);
  ADD ("install-transaction", test_install_transaction);
#undef ADD
  return g_test_run ();
}
