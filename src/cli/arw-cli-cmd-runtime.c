/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Commands that drive runtimes through the helper: status, restore,
 * shutdown, bundles reload, hardware (arw-formats.md §5.1–§5.5). */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "arw-cli.h"
#include "arw-cli-helper.h"
#include "arw-error.h"

/* ------------------------------------------------------------ status text */

/* One runtime of the snapshot, from ARW's {descriptor, status} form or the
 * flat runtime.state.changed form. */
typedef struct {
  const char *id;
  const char *name;
  const char *adapter;
  const char *state;
  const char *state_label;
  const char *severity;
  const char *severity_label;
  const char *summary;
  const char *fallback;
  JsonArray *detail;
  JsonObject *budget;
} StatusRow;

static void
status_row_init (StatusRow *row, JsonObject *entry)
{
  JsonObject *descriptor = arw_cli_json_object (entry, "descriptor");
  JsonObject *status = arw_cli_json_object (entry, "status");

  if (descriptor == NULL)
    descriptor = entry;
  if (status == NULL)
    status = entry;
  row->id = arw_cli_json_string (descriptor, "id");
  if (row->id == NULL)
    row->id = arw_cli_json_string (status, "id");
  if (row->id == NULL)
    row->id = "?";
  row->name = arw_cli_json_string (descriptor, "name");
  if (row->name == NULL)
    row->name = row->id;
  row->adapter = arw_cli_json_string (descriptor, "adapter");
  if (row->adapter == NULL)
    row->adapter = "process";
  row->state = arw_cli_json_string (status, "state");
  if (row->state == NULL)
    row->state = "unknown";
  row->state_label = arw_cli_json_string (status, "state_label");
  row->severity = arw_cli_json_string (status, "severity");
  if (row->severity == NULL)
    row->severity = "info";
  row->severity_label = arw_cli_json_string (status, "severity_label");
  row->summary = arw_cli_json_string (status, "summary");
  row->fallback = arw_cli_json_string (status, "fallback_reason");
  if (row->fallback == NULL)
    row->fallback = arw_cli_json_string (entry, "fallback_reason");
  row->detail = arw_cli_json_array (status, "detail");
  row->budget = arw_cli_json_object (status, "restart_budget");
}

static gboolean
status_row_needs_attention (const StatusRow *row)
{
  return g_str_equal (row->state, "error") || g_str_equal (row->state, "offline") ||
         g_str_equal (row->severity, "error") ||
         (row->budget != NULL && arw_cli_json_int (row->budget, "remaining", 1) == 0);
}

static char *
status_header (JsonObject *snapshot, GPtrArray *rows)
{
  GString *out = g_string_new (NULL);
  const char *updated = arw_cli_json_string (snapshot, "updated_at");
  g_autoptr(GDateTime) next_reset = NULL;
  gint64 min_remaining = -1;
  guint ready = 0;
  gboolean attention = FALSE;

  g_string_append_printf (out, _("Runtime supervisor snapshot (updated %s)"),
                          updated != NULL ? updated : "unknown");
  if (rows->len == 0)
    {
      g_string_append (out, _(": no managed runtimes registered."));
      return g_string_free (out, FALSE);
    }
  for (guint i = 0; i < rows->len; i++)
    {
      const StatusRow *row = g_ptr_array_index (rows, i);
      const char *reset = arw_cli_json_string (row->budget, "reset_at");
      gint64 remaining = arw_cli_json_int (row->budget, "remaining", -1);

      if (g_str_equal (row->state, "ready"))
        ready++;
      if (remaining >= 0 && (min_remaining < 0 || remaining < min_remaining))
        min_remaining = remaining;
      if (reset != NULL)
        {
          g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (reset, NULL);
          if (dt != NULL && (next_reset == NULL || g_date_time_compare (dt, next_reset) < 0))
            {
              g_clear_pointer (&next_reset, g_date_time_unref);
              next_reset = g_date_time_ref (dt);
            }
        }
      attention |= status_row_needs_attention (row);
    }
  g_string_append_printf (out, _(": %u/%u ready"), ready, rows->len);
  if (min_remaining >= 0)
    g_string_append_printf (out, _(", minimum %lld restart(s) left"), (long long) min_remaining);
  if (next_reset != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (next_reset);
      g_autofree char *text = g_date_time_format (local, "%Y-%m-%d %H:%M %Z");
      g_string_append_printf (out, _(", next reset %s"), text);
    }
  if (attention)
    g_string_append (out, _(" — attention required"));
  return g_string_free (out, FALSE);
}

static void
print_status_row (StatusRow *row, ArwClient *client)
{
  ArwDBusRuntime *proxy = client != NULL ? arw_client_lookup_runtime (client, row->id) : NULL;

  /* The helper's snapshot may be flat (no descriptor): Runtime1 has the name. */
  if (row->name == row->id && proxy != NULL && *arw_dbus_runtime_get_name (proxy) != '\0')
    row->name = arw_dbus_runtime_get_name (proxy);
  g_print ("- %s (%s) [%s] — %s (%s / %s) · severity %s (%s)\n", row->name, row->adapter, row->id,
           row->summary != NULL ? row->summary : "", row->state_label != NULL ? row->state_label : row->state,
           row->state, row->severity_label != NULL ? row->severity_label : row->severity, row->severity);
  if (row->budget != NULL)
    {
      const char *reset = arw_cli_json_string (row->budget, "reset_at");
      g_autofree char *reset_local = arw_cli_format_local_time (reset);

      /* Plain %lld rather than G_GINT64_FORMAT: xgettext cannot see through
       * the macro and would cut the msgid short. */
      g_print (_("  Restart budget: %lld of %lld restarts remaining · %lld used · window %llds"),
               (long long) arw_cli_json_int (row->budget, "remaining", 0),
               (long long) arw_cli_json_int (row->budget, "max_restarts", 0),
               (long long) arw_cli_json_int (row->budget, "used", 0),
               (long long) arw_cli_json_int (row->budget, "window_seconds", 0));
      if (reset_local != NULL)
        g_print (_(" · resets %s"), reset_local);
      g_print ("\n");
    }
  if (row->detail != NULL && json_array_get_length (row->detail) > 0)
    {
      g_autoptr(GString) line = g_string_new ("  ");
      for (guint i = 0; i < json_array_get_length (row->detail); i++)
        {
          JsonNode *n = json_array_get_element (row->detail, i);
          if (i > 0)
            g_string_append (line, " | ");
          if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
            g_string_append (line, json_node_get_string (n));
        }
      g_print ("%s\n", line->str);
    }
  /* Ours, beyond ARW: why a CPU variant runs, consent, where it listens. */
  if (row->fallback == NULL && proxy != NULL &&
      *arw_dbus_runtime_get_fallback_reason (proxy) != '\0')
    g_print (_("  CPU fallback: %s\n"), arw_dbus_runtime_get_fallback_reason (proxy));
  else if (row->fallback != NULL && *row->fallback != '\0')
    g_print (_("  CPU fallback: %s\n"), row->fallback);
  if (proxy != NULL && g_strcmp0 (arw_dbus_runtime_get_consent_state (proxy), "required") == 0)
    {
      g_autofree char *mods = g_strjoinv (", ", (char **) arw_dbus_runtime_get_consent_modalities (proxy));
      g_print (_("  Consent required for %s — grant it with “arw-runtime consent grant %s --modality …”\n"),
               mods, row->id);
    }
  if (proxy != NULL && *arw_dbus_runtime_get_endpoint (proxy) != '\0')
    g_print (_("  Endpoint: %s\n"), arw_dbus_runtime_get_endpoint (proxy));
}

static void
print_status_text (JsonNode *snapshot_node, ArwClient *client)
{
  JsonObject *snapshot = JSON_NODE_HOLDS_OBJECT (snapshot_node) ? json_node_get_object (snapshot_node) : NULL;
  JsonArray *runtimes = arw_cli_json_array (snapshot, "runtimes");
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *header = NULL;

  for (guint i = 0; runtimes != NULL && i < json_array_get_length (runtimes); i++)
    {
      JsonNode *n = json_array_get_element (runtimes, i);
      StatusRow *row;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        continue;
      row = g_new0 (StatusRow, 1);
      status_row_init (row, json_node_get_object (n));
      g_ptr_array_add (rows, row);
    }
  header = status_header (snapshot, rows);
  g_print ("%s\n", header);
  for (guint i = 0; i < rows->len; i++)
    print_status_row (g_ptr_array_index (rows, i), client);
}

/* Adds "endpoint" (ours) to runtime entries that lack it, from Runtime1. */
static void
add_endpoints (JsonNode *snapshot_node, ArwClient *client)
{
  JsonArray *runtimes;

  if (!JSON_NODE_HOLDS_OBJECT (snapshot_node))
    return;
  runtimes = arw_cli_json_array (json_node_get_object (snapshot_node), "runtimes");
  for (guint i = 0; runtimes != NULL && i < json_array_get_length (runtimes); i++)
    {
      JsonNode *n = json_array_get_element (runtimes, i);
      StatusRow row;
      ArwDBusRuntime *proxy;
      JsonObject *target;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        continue;
      status_row_init (&row, json_node_get_object (n));
      proxy = arw_client_lookup_runtime (client, row.id);
      target = arw_cli_json_object (json_node_get_object (n), "status");
      if (target == NULL)
        target = json_node_get_object (n);
      if (proxy != NULL && !json_object_has_member (target, "endpoint") &&
          *arw_dbus_runtime_get_endpoint (proxy) != '\0')
        json_object_set_string_member (target, "endpoint", arw_dbus_runtime_get_endpoint (proxy));
    }
}

static JsonNode *
status_document (JsonNode *snapshot)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "supervisor");
  json_builder_add_value (b, json_node_copy (snapshot));
  json_builder_set_member_name (b, "matrix");
  json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
print_status_once (ArwClient *client, const ArwCliJsonOptions *json, GError **error)
{
  g_autoptr(JsonNode) snapshot = arw_client_get_status_sync (client, NULL, error);

  if (snapshot == NULL)
    return FALSE;
  add_endpoints (snapshot, client);
  if (json->json)
    {
      g_autoptr(JsonNode) doc = status_document (snapshot);
      arw_cli_print_json (doc, json->pretty);
    }
  else
    print_status_text (snapshot, client);
  return TRUE;
}

typedef struct {
  ArwClient *client;
  GMainLoop *loop;
  guint interval;
  guint backoff;
  GSource *timer;
} WatchData;

static gboolean watch_tick (gpointer user_data);

static void
watch_schedule (WatchData *w, guint seconds)
{
  w->timer = g_timeout_source_new_seconds (seconds);
  g_source_set_callback (w->timer, watch_tick, w, NULL);
  g_source_attach (w->timer, arw_client_get_main_context (w->client));
}

static gboolean
watch_tick (gpointer user_data)
{
  WatchData *w = user_data;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S %Z");
  g_autoptr(GError) error = NULL;
  const ArwCliJsonOptions text = { FALSE, FALSE };

  g_clear_pointer (&w->timer, g_source_unref);
  g_print ("=== %s ===\n", stamp);
  if (print_status_once (w->client, &text, &error))
    w->backoff = w->interval;
  else
    {
      arw_cli_warn ("%s", error->message);
      w->backoff = MIN (w->backoff * 2, MAX (w->interval, 60u));
    }
  g_print ("\n");
  fflush (stdout);
  watch_schedule (w, w->backoff);
  return G_SOURCE_REMOVE;
}

static int
cmd_status (int argc, char **argv)
{
  ArwCliJsonOptions json = { FALSE, FALSE };
  gboolean watch = FALSE;
  int interval = 5;
  const GOptionEntry entries[] = {
    ARW_CLI_JSON_OPTION_ENTRIES (json),
    { "watch", 0, 0, G_OPTION_ARG_NONE, &watch, N_("Print the status again every interval until interrupted"), NULL },
    { "interval", 0, 0, G_OPTION_ARG_INT, &interval, N_("Seconds between --watch refreshes (default 5)"), "S" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwClient) client = NULL;

  if (!arw_cli_parse ("status", "", _("Show the supervised runtimes (ARW’s runtime status)"),
                      entries, &argc, &argv, 0, 0) ||
      !arw_cli_check_json_options ("status", &json))
    return ARW_CLI_EXIT_USAGE;
  if (watch && json.json)
    return arw_cli_usage_error ("status", _("--watch cannot be combined with --json"));
  if (interval < 1)
    return arw_cli_usage_error ("status", _("--interval must be at least 1 second"));

  client = arw_cli_helper_connect (&error);
  if (client == NULL)
    return arw_cli_fail (error);
  if (!watch)
    return print_status_once (client, &json, &error) ? ARW_CLI_EXIT_OK : arw_cli_helper_fail (error, NULL);

  {
    g_autoptr(GMainLoop) loop = g_main_loop_new (arw_client_get_main_context (client), FALSE);
    WatchData w = { client, loop, (guint) interval, (guint) interval, NULL };

    arw_cli_helper_catch_interrupts (client);
    watch_tick (&w);
    arw_cli_helper_run_loop (client, loop);
    if (w.timer != NULL)
      g_source_destroy (w.timer);
    g_clear_pointer (&w.timer, g_source_unref);
    return ARW_CLI_EXIT_OK;
  }
}

/* ---------------------------------------------------------------- restore */

typedef struct {
  ArwDBusRuntime *runtime;
  GMainLoop *loop;
  gboolean tty;
  gboolean left_offline;
  guint frame;
  GSource *spinner;
  char *last_line;
  int outcome; /* -1 waiting, 0 running, 1 failed */
} WaitData;

static void
wait_data_clear (WaitData *w)
{
  if (w->spinner != NULL)
    g_source_destroy (w->spinner);
  g_clear_pointer (&w->spinner, g_source_unref);
  g_clear_pointer (&w->last_line, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WaitData, wait_data_clear)

static char *
wait_line (WaitData *w)
{
  return g_strdup_printf ("%s: %s — %s", arw_dbus_runtime_get_id (w->runtime),
                          arw_dbus_runtime_get_state_label (w->runtime),
                          arw_dbus_runtime_get_summary (w->runtime));
}

static void
wait_render (WaitData *w)
{
  static const char *const frames[] = { "⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏" };
  g_autofree char *line = wait_line (w);

  if (w->tty)
    {
      g_print ("\r\033[K%s %s", frames[w->frame % G_N_ELEMENTS (frames)], line);
      fflush (stdout);
    }
  else if (g_strcmp0 (line, w->last_line) != 0)
    {
      g_print ("%s\n", line);
      fflush (stdout);
    }
  g_free (w->last_line);
  w->last_line = g_steal_pointer (&line);
}

static void
wait_check (WaitData *w)
{
  const char *state = arw_dbus_runtime_get_state (w->runtime);

  if (g_strcmp0 (state, "offline") != 0)
    w->left_offline = TRUE;
  if (g_strcmp0 (state, "ready") == 0 || g_strcmp0 (state, "degraded") == 0)
    w->outcome = 0;
  else if (g_strcmp0 (state, "error") == 0 ||
           (g_strcmp0 (state, "offline") == 0 && w->left_offline))
    w->outcome = 1;
  if (w->outcome >= 0)
    g_main_loop_quit (w->loop);
}

static void
on_runtime_notify (GObject *proxy, GParamSpec *pspec, WaitData *w)
{
  wait_render (w);
  wait_check (w);
}

static gboolean
on_spinner_tick (gpointer user_data)
{
  WaitData *w = user_data;

  w->frame++;
  wait_render (w);
  return G_SOURCE_CONTINUE;
}

/* Follows the runtime's State until it runs (ready/degraded) or fails. */
static int
wait_for_runtime (ArwClient *client, ArwDBusRuntime *runtime)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (arw_client_get_main_context (client), FALSE);
  g_auto(WaitData) w = { runtime, loop, isatty (STDOUT_FILENO), FALSE, 0, NULL, NULL, -1 };
  gulong handler;
  gboolean interrupted = FALSE;

  handler = g_signal_connect (runtime, "notify", G_CALLBACK (on_runtime_notify), &w);
  if (w.tty)
    {
      w.spinner = g_timeout_source_new (100);
      g_source_set_callback (w.spinner, on_spinner_tick, &w, NULL);
      g_source_attach (w.spinner, arw_client_get_main_context (client));
    }
  wait_render (&w);
  /* A restore leaves the runtime starting (or running) before it replies,
   * so a stale "offline" is not yet a failure. */
  wait_check (&w);
  if (w.outcome < 0)
    interrupted = arw_cli_helper_run_loop (client, loop);
  g_signal_handler_disconnect (runtime, handler);
  if (w.tty)
    g_print ("\r\033[K");
  else
    fflush (stdout);

  if (interrupted)
    return arw_cli_fail_message (_("stopped waiting; runtime %s keeps starting in the helper"),
                                 arw_dbus_runtime_get_id (runtime));
  if (w.outcome == 0)
    {
      const char *endpoint = arw_dbus_runtime_get_endpoint (runtime);
      g_autofree char *label = g_utf8_strdown (arw_dbus_runtime_get_state_label (runtime), -1);

      g_print (_("Runtime %s is %s"), arw_dbus_runtime_get_id (runtime), label);
      if (endpoint != NULL && *endpoint != '\0')
        g_print (_(" at %s"), endpoint);
      g_print (".\n");
      if (*arw_dbus_runtime_get_fallback_reason (runtime) != '\0')
        g_print (_("CPU fallback: %s\n"), arw_dbus_runtime_get_fallback_reason (runtime));
      return ARW_CLI_EXIT_OK;
    }
  {
    const char *const *detail = arw_dbus_runtime_get_detail (runtime);
    return arw_cli_fail_message (_("runtime %s did not start: %s%s%s%s"), arw_dbus_runtime_get_id (runtime),
                                 arw_dbus_runtime_get_summary (runtime),
                                 detail != NULL && detail[0] != NULL ? " (" : "",
                                 detail != NULL && detail[0] != NULL ? detail[0] : "",
                                 detail != NULL && detail[0] != NULL ? ")" : "");
  }
}

static void
print_restore_result (JsonNode *result)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (result) ? json_node_get_object (result) : NULL;
  JsonObject *budget = arw_cli_json_object (o, "restart_budget");
  const char *id = arw_cli_json_string (o, "runtime_id");
  const char *fallback = arw_cli_json_string (o, "fallback_reason");
  JsonNode *pending = o != NULL ? json_object_get_member (o, "pending") : NULL;

  g_print (_("Restore accepted for %s (pending: %s).\n"), id != NULL ? id : "?",
           pending != NULL && JSON_NODE_HOLDS_VALUE (pending) && json_node_get_boolean (pending)
             ? "true" : "false");
  if (budget != NULL)
    {
      const char *reset = arw_cli_json_string (budget, "reset_at");
      g_print (_("Restart budget: %lld/%lld remaining"),
               (long long) arw_cli_json_int (budget, "remaining", 0),
               (long long) arw_cli_json_int (budget, "max_restarts", 0));
      if (reset != NULL)
        g_print (_(" (resets at %s)"), reset);
      g_print ("\n");
    }
  if (fallback != NULL && *fallback != '\0')
    g_print (_("CPU fallback: %s\n"), fallback);
}

static int
cmd_restore (int argc, char **argv)
{
  ArwClientRestoreOptions opts = { FALSE, NULL, NULL, NULL };
  g_autofree char *preset = NULL;
  g_autofree char *accelerator = NULL;
  g_autofree char *device = NULL;
  gboolean wait = FALSE;
  const GOptionEntry entries[] = {
    { "no-restart", 0, 0, G_OPTION_ARG_NONE, &opts.no_restart, N_("Do not count this start against the restart budget"), NULL },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset, N_("Start with this preset (profile)"), "P" },
    { "accelerator", 0, 0, G_OPTION_ARG_STRING, &accelerator, N_("auto (default), cpu or gpu (GPU only, no CPU fallback)"), "A" },
    { "device", 0, 0, G_OPTION_ARG_STRING, &device, N_("Use the GPU with this stable id"), "ID" },
    { "wait", 0, 0, G_OPTION_ARG_NONE, &wait, N_("Wait until the runtime is ready or has failed"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwClient) client = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(ArwDBusRuntime) runtime = NULL;

  if (!arw_cli_parse ("restore", "ID|FAMILY", _("Start a runtime, or the best installed variant of a family"),
                      entries, &argc, &argv, 1, 1))
    return ARW_CLI_EXIT_USAGE;
  if (accelerator != NULL && !g_strv_contains ((const char *const[]){ "auto", "cpu", "gpu", NULL }, accelerator))
    return arw_cli_usage_error ("restore", _("--accelerator must be auto, cpu or gpu, not “%s”"), accelerator);
  opts.preset = preset;
  opts.accelerator = accelerator;
  opts.device = device;

  client = arw_cli_helper_connect (&error);
  if (client == NULL)
    return arw_cli_fail (error);
  if (wait)
    arw_cli_helper_catch_interrupts (client);
  result = arw_client_restore_sync (client, argv[1], &opts, &runtime, NULL, &error);
  if (result == NULL)
    return arw_cli_helper_fail (error, argv[1]);
  print_restore_result (result);
  fflush (stdout);
  if (!wait)
    return ARW_CLI_EXIT_OK;
  if (runtime == NULL && JSON_NODE_HOLDS_OBJECT (result))
    {
      const char *id = arw_cli_json_string (json_node_get_object (result), "runtime_id");
      ArwDBusRuntime *found = id != NULL ? arw_client_lookup_runtime (client, id) : NULL;
      if (found != NULL)
        runtime = g_object_ref (found);
    }
  if (runtime == NULL)
    return arw_cli_fail_message (_("cannot follow runtime %s: the helper does not list it"), argv[1]);
  return wait_for_runtime (client, runtime);
}

/* --------------------------------------------------------------- shutdown */

static int
cmd_shutdown (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwClient) client = NULL;

  if (!arw_cli_parse ("shutdown", "ID", _("Stop a runtime (SIGTERM, then SIGKILL after a timeout)"),
                      NULL, &argc, &argv, 1, 1))
    return ARW_CLI_EXIT_USAGE;
  client = arw_cli_helper_connect (&error);
  if (client == NULL)
    return arw_cli_fail (error);
  if (!arw_client_shutdown_sync (client, argv[1], NULL, &error))
    return arw_cli_helper_fail (error, argv[1]);
  g_print (_("Shutdown requested for %s.\n"), argv[1]);
  return ARW_CLI_EXIT_OK;
}

/* ---------------------------------------------------------- bundles reload */

static int
cmd_bundles_reload (int argc, char **argv)
{
  ArwCliJsonOptions json = { FALSE, FALSE };
  const GOptionEntry entries[] = { ARW_CLI_JSON_OPTION_ENTRIES (json), { NULL } };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwClient) client = NULL;

  if (!arw_cli_parse ("bundles reload", "", _("Re-read catalogs and installed bundles in the helper"),
                      entries, &argc, &argv, 0, 0) ||
      !arw_cli_check_json_options ("bundles reload", &json))
    return ARW_CLI_EXIT_USAGE;
  client = arw_cli_helper_connect (&error);
  if (client == NULL)
    return arw_cli_fail (error);
  if (!arw_client_reload_sync (client, NULL, &error))
    return arw_cli_helper_fail (error, NULL);
  if (json.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) doc = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "error");
      json_builder_add_null_value (b);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_end_object (b);
      doc = json_builder_get_root (b);
      arw_cli_print_json (doc, json.pretty);
    }
  else
    g_print (_("Runtime bundle catalogs reloaded.\n"));
  return ARW_CLI_EXIT_OK;
}

/* --------------------------------------------------------------- hardware */

static char *
format_bytes (gint64 bytes)
{
  return bytes > 0 ? g_format_size_full ((guint64) bytes, G_FORMAT_SIZE_IEC_UNITS) : g_strdup (_("unknown"));
}

static void
print_gpu (JsonObject *gpu)
{
  JsonObject *backends = arw_cli_json_object (gpu, "backends");
  const char *driver = arw_cli_json_string (gpu, "driver");
  const char *stable_id = arw_cli_json_string (gpu, "stable_id");
  g_autofree char *vram = format_bytes (arw_cli_json_int (gpu, "vram_bytes", 0));
  g_autoptr(GList) names = backends != NULL ? json_object_get_members (backends) : NULL;

  g_print (_("GPU %s: %s (%s, driver %s, VRAM %s)\n"), stable_id != NULL ? stable_id : "?",
           arw_cli_json_string (gpu, "name") != NULL ? arw_cli_json_string (gpu, "name") : "?",
           arw_cli_json_string (gpu, "vendor") != NULL ? arw_cli_json_string (gpu, "vendor") : "?",
           driver != NULL ? driver : _("none"), vram);
  names = g_list_sort (names, (GCompareFunc) g_strcmp0);
  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonObject *st = arw_cli_json_object (backends, l->data);
      JsonNode *usable = st != NULL ? json_object_get_member (st, "usable") : NULL;
      gint64 index = arw_cli_json_int (st, "index", -1);

      if (usable != NULL && JSON_NODE_HOLDS_VALUE (usable) && json_node_get_boolean (usable))
        {
          if (index >= 0)
            g_print (_("  %s: usable (device %lld)\n"), (const char *) l->data, (long long) index);
          else
            g_print (_("  %s: usable\n"), (const char *) l->data);
        }
      else
        g_print (_("  %s: not usable — %s\n"), (const char *) l->data,
                 arw_cli_json_string (st, "reason") != NULL ? arw_cli_json_string (st, "reason") : _("no reason given"));
    }
}

static void
print_hardware_text (JsonNode *node)
{
  JsonObject *hw = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonObject *cpu = arw_cli_json_object (hw, "cpu");
  JsonObject *mem = arw_cli_json_object (hw, "memory");
  JsonArray *flags = arw_cli_json_array (cpu, "flags");
  JsonArray *gpus = arw_cli_json_array (hw, "gpus");
  JsonArray *warnings = arw_cli_json_array (hw, "warnings");
  g_autoptr(GString) flag_text = g_string_new (NULL);
  g_autofree char *total = format_bytes (arw_cli_json_int (mem, "total_bytes", 0));
  g_autofree char *avail = format_bytes (arw_cli_json_int (mem, "available_bytes", 0));

  for (guint i = 0; flags != NULL && i < json_array_get_length (flags); i++)
    g_string_append_printf (flag_text, "%s%s", i > 0 ? ", " : "", json_array_get_string_element (flags, i));
  g_print (_("CPU: %s (%lld logical cores; flags: %s)\n"),
           arw_cli_json_string (cpu, "model") != NULL ? arw_cli_json_string (cpu, "model") : _("unknown"),
           (long long) arw_cli_json_int (cpu, "logical_cores", 0), flag_text->len > 0 ? flag_text->str : _("none"));
  g_print (_("RAM: %s total, %s available\n"), total, avail);
  if (gpus == NULL || json_array_get_length (gpus) == 0)
    g_print (_("GPUs: none detected (runtimes use their CPU variants)\n"));
  for (guint i = 0; gpus != NULL && i < json_array_get_length (gpus); i++)
    {
      JsonNode *n = json_array_get_element (gpus, i);
      if (JSON_NODE_HOLDS_OBJECT (n))
        print_gpu (json_node_get_object (n));
    }
  for (guint i = 0; warnings != NULL && i < json_array_get_length (warnings); i++)
    g_print (_("Warning: %s\n"), json_array_get_string_element (warnings, i));
}

static int
cmd_hardware (int argc, char **argv)
{
  ArwCliJsonOptions json = { FALSE, FALSE };
  const GOptionEntry entries[] = { ARW_CLI_JSON_OPTION_ENTRIES (json), { NULL } };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwClient) client = NULL;
  g_autoptr(JsonNode) hw = NULL;

  if (!arw_cli_parse ("hardware", "", _("Show the CPU, RAM and GPUs the helper sees, and usable GPU backends"),
                      entries, &argc, &argv, 0, 0) ||
      !arw_cli_check_json_options ("hardware", &json))
    return ARW_CLI_EXIT_USAGE;
  client = arw_cli_helper_connect (&error);
  if (client == NULL)
    return arw_cli_fail (error);
  hw = arw_client_get_hardware_sync (client, NULL, &error);
  if (hw == NULL)
    return arw_cli_helper_fail (error, NULL);
  if (json.json)
    arw_cli_print_json (hw, json.pretty);
  else
    print_hardware_text (hw);
  return ARW_CLI_EXIT_OK;
}

const ArwCliCommand arw_cli_runtime_commands[] = {
  { "status", N_("Show the supervised runtimes"), cmd_status },
  { "restore", N_("Start a runtime (or a family’s best variant)"), cmd_restore },
  { "shutdown", N_("Stop a runtime"), cmd_shutdown },
  { "bundles reload", N_("Re-read catalogs and installations in the helper"), cmd_bundles_reload },
  { "hardware", N_("Show the hardware the helper probed"), cmd_hardware },
  { NULL, NULL, NULL }
};
