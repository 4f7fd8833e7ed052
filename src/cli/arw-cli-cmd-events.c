/* SPDX-License-Identifier: GPL-3.0-or-later */
/* events and logs: what the helper and the runtimes report. */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "arw-cli.h"
#include "arw-cli-helper.h"
#include "arw-error.h"
#include "arw-json-writer.h"
#include "arw-runtime-status.h"

/* ----------------------------------------------------------------- events */

typedef struct {
  const char *prefix;
  gboolean json;
  gboolean replayed;
  guint64 last_id;
  GPtrArray *queued; /* JsonNode records that arrived during the replay */
} EventsData;

/* {id, kind, payload, time} (ARW's SSE data plus the id): one record,
 * whatever form it came in. */
static JsonNode *
event_record (guint64 id, const char *topic, const char *time, JsonNode *payload)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, (gint64) id);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, topic != NULL ? topic : "");
  json_builder_set_member_name (b, "payload");
  json_builder_add_value (b, payload != NULL ? json_node_copy (payload) : json_node_new (JSON_NODE_NULL));
  json_builder_set_member_name (b, "time");
  if (time != NULL)
    json_builder_add_string_value (b, time);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static char *
format_time_us (gint64 time_us)
{
  return arw_runtime_status_format_time (time_us, TRUE);
}

static void
print_event (EventsData *d, JsonNode *record)
{
  JsonObject *o = json_node_get_object (record);
  guint64 id = (guint64) arw_cli_json_int (o, "id", 0);
  const char *topic = arw_cli_json_string (o, "kind");

  if (id != 0 && id <= d->last_id)
    return;
  if (d->prefix != NULL && !g_str_has_prefix (topic != NULL ? topic : "", d->prefix))
    return;
  if (id > d->last_id)
    d->last_id = id;
  if (d->json)
    {
      g_autofree char *line = arw_json_to_string (record, FALSE);
      g_print ("%s\n", line);
    }
  else
    {
      JsonNode *payload = json_object_get_member (o, "payload");
      g_autofree char *text = payload != NULL ? arw_json_to_string (payload, FALSE) : g_strdup ("null");
      const char *time = arw_cli_json_string (o, "time");
      g_print ("#%" G_GUINT64_FORMAT " %s %s %s\n", id, time != NULL ? time : "-", topic, text);
    }
  fflush (stdout);
}

static void
on_event (ArwDBusManager *manager, const char *topic, const char *payload_json,
          guint64 id, gint64 time_us, EventsData *d)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *time = format_time_us (time_us);
  JsonNode *payload = NULL;
  g_autoptr(JsonNode) fallback = NULL;
  g_autoptr(JsonNode) record = NULL;

  if (json_parser_load_from_data (parser, payload_json, -1, NULL))
    payload = json_parser_get_root (parser);
  if (payload == NULL)
    {
      fallback = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (fallback, payload_json);
      payload = fallback;
    }
  record = event_record (id, topic, time, payload);
  if (!d->replayed)
    g_ptr_array_add (d->queued, g_steal_pointer (&record));
  else
    print_event (d, record);
}

/* The replay buffer may come as [events] or {events: [...]}; each entry
 * {id, kind|topic, time|time_us, payload}. */
static JsonArray *
replay_array (JsonNode *replay)
{
  if (JSON_NODE_HOLDS_ARRAY (replay))
    return json_node_get_array (replay);
  if (JSON_NODE_HOLDS_OBJECT (replay))
    return arw_cli_json_array (json_node_get_object (replay), "events");
  return NULL;
}

static void
print_replay (EventsData *d, JsonNode *replay)
{
  JsonArray *events = replay_array (replay);

  for (guint i = 0; events != NULL && i < json_array_get_length (events); i++)
    {
      JsonNode *n = json_array_get_element (events, i);
      JsonObject *e;
      const char *topic;
      const char *time;
      g_autofree char *time_buf = NULL;
      g_autoptr(JsonNode) record = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        continue;
      e = json_node_get_object (n);
      topic = arw_cli_json_string (e, "kind");
      if (topic == NULL)
        topic = arw_cli_json_string (e, "topic");
      time = arw_cli_json_string (e, "time");
      if (time == NULL && json_object_has_member (e, "time_us"))
        time = time_buf = format_time_us (arw_cli_json_int (e, "time_us", 0));
      record = event_record ((guint64) arw_cli_json_int (e, "id", 0), topic, time,
                             json_object_get_member (e, "payload"));
      print_event (d, record);
    }
}

static int
cmd_events (int argc, char **argv)
{
  g_autofree char *prefix = NULL;
  gboolean follow = FALSE;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "prefix", 0, 0, G_OPTION_ARG_STRING, &prefix, N_("Only topics starting with P (e.g. runtime.)"), "P" },
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &follow, N_("Keep printing new events until interrupted"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("One JSON object per line: {id, kind, payload, time}"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwClient) client = NULL;
  g_autoptr(JsonNode) replay = NULL;
  g_autoptr(GPtrArray) queued = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  EventsData d = { NULL, FALSE, FALSE, 0, queued };
  gulong handler = 0;

  if (!arw_cli_parse ("events", "", _("Print the helper’s events (replay buffer, then new ones with --follow)"),
                      entries, &argc, &argv, 0, 0))
    return ARW_CLI_EXIT_USAGE;
  d.prefix = prefix;
  d.json = json;
  client = arw_cli_helper_connect (&error);
  if (client == NULL)
    return arw_cli_fail (error);
  /* Subscribe before the replay so nothing falls between the two. */
  if (follow)
    arw_cli_helper_catch_interrupts (client);
  if (follow)
    handler = g_signal_connect (arw_client_get_manager (client), "event", G_CALLBACK (on_event), &d);
  replay = arw_client_get_events_sync (client, prefix, 0, NULL, &error);
  if (replay == NULL)
    {
      if (handler != 0)
        g_signal_handler_disconnect (arw_client_get_manager (client), handler);
      return arw_cli_helper_fail (error, NULL);
    }
  print_replay (&d, replay);
  d.replayed = TRUE;
  for (guint i = 0; i < queued->len; i++)
    print_event (&d, g_ptr_array_index (queued, i));
  if (follow)
    {
      g_autoptr(GMainLoop) loop = g_main_loop_new (arw_client_get_main_context (client), FALSE);
      arw_cli_helper_run_loop (client, loop);
      g_signal_handler_disconnect (arw_client_get_manager (client), handler);
    }
  return ARW_CLI_EXIT_OK;
}

/* ------------------------------------------------------------------- logs */

typedef struct {
  GFile *file;
  guint64 offset;
  guint64 inode;
} LogFollow;

/* Prints what was appended since the last read; starts over when the file
 * was rotated (another inode) or truncated. */
static void
log_follow_drain (LogFollow *f)
{
  g_autoptr(GFileInfo) info = g_file_query_info (f->file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_UNIX_INODE,
                                                 G_FILE_QUERY_INFO_NONE, NULL, NULL);
  g_autoptr(GFileInputStream) in = NULL;
  guint64 size, inode;
  char buf[8192];
  gssize n;

  if (info == NULL)
    return;
  size = (guint64) g_file_info_get_size (info);
  inode = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_UNIX_INODE);
  if (inode != f->inode || size < f->offset)
    {
      f->inode = inode;
      f->offset = 0;
    }
  if (size == f->offset)
    return;
  in = g_file_read (f->file, NULL, NULL);
  if (in == NULL || !g_seekable_seek (G_SEEKABLE (in), (goffset) f->offset, G_SEEK_SET, NULL, NULL))
    return;
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buf, sizeof buf, NULL, NULL)) > 0)
    {
      fwrite (buf, 1, (size_t) n, stdout);
      f->offset += (guint64) n;
    }
  fflush (stdout);
}

static void
on_log_changed (GFileMonitor *monitor, GFile *file, GFile *other,
                GFileMonitorEvent event, LogFollow *f)
{
  if (event == G_FILE_MONITOR_EVENT_CHANGED || event == G_FILE_MONITOR_EVENT_CREATED ||
      event == G_FILE_MONITOR_EVENT_MOVED_IN || event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
    log_follow_drain (f);
}

/* Prints the last @lines lines of @path (all when < 0); returns the bytes read. */
static gboolean
print_tail (const char *path, int lines, guint64 *out_size, guint64 *out_inode, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  const char *start;
  GStatBuf st;

  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;
  start = contents + len;
  if (lines >= 0)
    {
      int seen = 0;
      /* A final newline ends the last line; it does not start another. */
      const char *p = len > 0 && contents[len - 1] == '\n' ? contents + len - 1 : contents + len;
      while (p > contents)
        {
          if (p[-1] == '\n' && ++seen == lines)
            break;
          p--;
        }
      start = lines == 0 ? contents + len : p;
    }
  else
    start = contents;
  fwrite (start, 1, (size_t) (contents + len - start), stdout);
  fflush (stdout);
  *out_size = len;
  *out_inode = g_stat (path, &st) == 0 ? (guint64) st.st_ino : 0;
  return TRUE;
}

static int
follow_log (ArwClient *client, const char *path, guint64 offset, guint64 inode)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (arw_client_get_main_context (client), FALSE);
  g_autoptr(GFileMonitor) monitor = NULL;
  g_autoptr(GError) error = NULL;
  LogFollow f = { g_file_new_for_path (path), offset, inode };

  /* The monitor attaches to the thread-default context: the client's. */
  g_main_context_push_thread_default (arw_client_get_main_context (client));
  monitor = g_file_monitor_file (f.file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  g_main_context_pop_thread_default (arw_client_get_main_context (client));
  if (monitor == NULL)
    {
      g_object_unref (f.file);
      return arw_cli_fail (error);
    }
  g_file_monitor_set_rate_limit (monitor, 100);
  g_signal_connect (monitor, "changed", G_CALLBACK (on_log_changed), &f);
  log_follow_drain (&f);
  arw_cli_helper_run_loop (client, loop);
  g_file_monitor_cancel (monitor);
  g_object_unref (f.file);
  return ARW_CLI_EXIT_OK;
}

static int
cmd_logs (int argc, char **argv)
{
  gboolean follow = FALSE;
  int lines = 100;
  const GOptionEntry entries[] = {
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &follow, N_("Keep printing what the runtime writes until interrupted"), NULL },
    { "lines", 'n', 0, G_OPTION_ARG_INT, &lines, N_("Print the last N lines first (default 100; -1 for all)"), "N" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwClient) client = NULL;
  ArwDBusRuntime *runtime;
  const char *path;
  guint64 size = 0, inode = 0;

  if (!arw_cli_parse ("logs", "ID", _("Print a runtime’s log (what its process wrote)"),
                      entries, &argc, &argv, 1, 1))
    return ARW_CLI_EXIT_USAGE;
  client = arw_cli_helper_connect (&error);
  if (client == NULL)
    return arw_cli_fail (error);
  if (follow)
    arw_cli_helper_catch_interrupts (client);
  runtime = arw_client_lookup_runtime (client, argv[1]);
  if (runtime == NULL)
    return arw_cli_fail_message (_("runtime %s not found; “arw-runtime status” lists the runtimes"), argv[1]);
  path = arw_dbus_runtime_get_log_path (runtime);
  if (path == NULL || *path == '\0')
    return arw_cli_fail_message (_("runtime %s has no log"), argv[1]);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (!follow)
        return arw_cli_fail_message (_("runtime %s has not written a log yet (%s); start it with “arw-runtime restore %s”"),
                                     argv[1], path, argv[1]);
    }
  else if (!print_tail (path, lines, &size, &inode, &error))
    return arw_cli_fail (error);
  if (!follow)
    return ARW_CLI_EXIT_OK;
  return follow_log (client, path, size, inode);
}

const ArwCliCommand arw_cli_events_commands[] = {
  { "events", N_("Print the helper’s events"), cmd_events },
  { "logs", N_("Print a runtime’s log"), cmd_logs },
  { NULL, NULL, NULL }
};
