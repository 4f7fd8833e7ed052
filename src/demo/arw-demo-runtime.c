/* SPDX-License-Identifier: GPL-3.0-or-later */
/* arw-demo-runtime: the small real runtime of the offline demo bundle
 * (arw-demo/linux-x86_64-cpu). An HTTP server on --host:--port with
 *   GET  /health          → 200 {"status":"ok"}
 *   POST /v1/completions  → a deterministic completion: the prompt reversed
 * It logs one line per request to stdout, and exits on SIGTERM/SIGINT. */
#include "config.h"

#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BODY_BYTES (1024 * 1024)

static char *opt_host;
static int opt_port;
static guint64 completion_counter;

static const GOptionEntry entries[] = {
  { "host", 0, 0, G_OPTION_ARG_STRING, &opt_host, "Address to listen on (default 127.0.0.1)", "HOST" },
  { "port", 0, 0, G_OPTION_ARG_INT, &opt_port, "Port to listen on", "PORT" },
  { NULL }
};

static void
log_request (SoupServerMessage *msg, guint status)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");

  printf ("%s %s %s %u\n", stamp, soup_server_message_get_method (msg),
          g_uri_get_path (soup_server_message_get_uri (msg)), status);
  fflush (stdout);
}

static void
respond_json (SoupServerMessage *msg, guint status, JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);
  gsize len = strlen (text);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&text), len);
  log_request (msg, status);
}

static void
respond_error (SoupServerMessage *msg, guint status, const char *message)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  respond_json (msg, status, node);
}

static void
handle_health (SoupServer *server, SoupServerMessage *msg, const char *path,
               GHashTable *query, gpointer user_data)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  if (g_strcmp0 (soup_server_message_get_method (msg), "GET") != 0 &&
      g_strcmp0 (soup_server_message_get_method (msg), "HEAD") != 0)
    {
      respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "use GET");
      return;
    }
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "status");
  json_builder_add_string_value (b, "ok");
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  respond_json (msg, SOUP_STATUS_OK, node);
}

/* The completion: the prompt's characters in reverse order. */
static char *
complete (const char *prompt)
{
  return g_utf8_strreverse (prompt, -1);
}

static JsonNode *
completion_json (const char *prompt, const char *text)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *id = g_strdup_printf ("cmpl-demo-%" G_GUINT64_FORMAT, ++completion_counter);
  glong n_prompt = g_utf8_strlen (prompt, -1);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "object");
  json_builder_add_string_value (b, "text_completion");
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, "arw-demo");
  json_builder_set_member_name (b, "choices");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "index");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "text");
  json_builder_add_string_value (b, text);
  json_builder_set_member_name (b, "finish_reason");
  json_builder_add_string_value (b, "stop");
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "usage");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "prompt_tokens");
  json_builder_add_int_value (b, n_prompt);
  json_builder_set_member_name (b, "completion_tokens");
  json_builder_add_int_value (b, n_prompt);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
handle_completions (SoupServer *server, SoupServerMessage *msg, const char *path,
                    GHashTable *query, gpointer user_data)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) reply = NULL;
  g_autofree char *text = NULL;
  JsonNode *root, *prompt;

  if (g_strcmp0 (soup_server_message_get_method (msg), "POST") != 0)
    {
      respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "use POST");
      return;
    }
  bytes = soup_message_body_flatten (body);
  if (g_bytes_get_size (bytes) > MAX_BODY_BYTES)
    {
      respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "request body over 1 MiB");
      return;
    }
  if (!json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                   (gssize) g_bytes_get_size (bytes), NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "the body must be a JSON object with a \"prompt\" string");
      return;
    }
  prompt = json_object_get_member (json_node_get_object (root), "prompt");
  if (prompt == NULL || !JSON_NODE_HOLDS_VALUE (prompt) || json_node_get_value_type (prompt) != G_TYPE_STRING)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "\"prompt\" must be a string");
      return;
    }
  text = complete (json_node_get_string (prompt));
  reply = completion_json (json_node_get_string (prompt), text);
  respond_json (msg, SOUP_STATUS_OK, reply);
}

static void
handle_other (SoupServer *server, SoupServerMessage *msg, const char *path,
              GHashTable *query, gpointer user_data)
{
  respond_error (msg, SOUP_STATUS_NOT_FOUND, "not found; try GET /health or POST /v1/completions");
}

static gboolean
on_quit (gpointer user_data)
{
  GMainLoop *loop = user_data;

  printf ("arw-demo-runtime: stopping\n");
  fflush (stdout);
  g_main_loop_quit (loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
listen_on (SoupServer *server, GError **error)
{
  g_autoptr(GInetAddress) addr = g_inet_address_new_from_string (opt_host);
  g_autoptr(GSocketAddress) sa = NULL;

  if (addr == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--host must be an IP address, not “%s”", opt_host);
      return FALSE;
    }
  sa = g_inet_socket_address_new (addr, (guint16) opt_port);
  return soup_server_listen (server, sa, 0, error);
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new ("- the ARW Launcher demo runtime");
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "arw-demo-runtime: %s\n", error->message);
      return 2;
    }
  if (opt_host == NULL)
    opt_host = g_strdup ("127.0.0.1");
  if (opt_port <= 0 || opt_port > 65535)
    {
      fprintf (stderr, "arw-demo-runtime: pass --port 1…65535\n");
      return 2;
    }

  loop = g_main_loop_new (NULL, FALSE);
  server = soup_server_new ("server-header", "arw-demo-runtime/" PACKAGE_VERSION, NULL);
  soup_server_add_handler (server, "/health", handle_health, NULL, NULL);
  soup_server_add_handler (server, "/v1/completions", handle_completions, NULL, NULL);
  soup_server_add_handler (server, NULL, handle_other, NULL, NULL);
  if (!listen_on (server, &error))
    {
      fprintf (stderr, "arw-demo-runtime: cannot listen on %s:%d: %s\n", opt_host, opt_port, error->message);
      return 1;
    }
  g_unix_signal_add (SIGTERM, on_quit, loop);
  g_unix_signal_add (SIGINT, on_quit, loop);
  printf ("arw-demo-runtime %s listening on http://%s:%d\n", PACKAGE_VERSION, opt_host, opt_port);
  fflush (stdout);
  g_main_loop_run (loop);
  soup_server_disconnect (server);
  g_free (opt_host);
  return 0;
}
