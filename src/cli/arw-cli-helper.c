/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>
#include <string.h>

#include "arw-cli.h"
#include "arw-cli-helper.h"
#include "arw-error.h"
#include "arw-paths.h"

static ArwClient *available_client;

ArwClient *
arw_cli_helper_connect (GError **error)
{
  if (available_client != NULL)
    return g_steal_pointer (&available_client);
  return arw_client_new_sync (NULL, error);
}

gboolean
arw_cli_helper_available (void)
{
  g_autoptr(ArwClient) client = NULL;
  g_autofree char *state = NULL;
  g_autofree char *ours = NULL;
  g_autofree char *theirs = NULL;
  g_autofree char *theirs_raw = NULL;

  if (available_client != NULL)
    return TRUE;
  if (g_getenv ("ARW_CLI_NO_HELPER") != NULL)
    return FALSE;
  client = arw_client_new_sync (NULL, NULL);
  if (client == NULL)
    return FALSE;
  state = arw_paths_state_dir ();
  ours = g_canonicalize_filename (state, NULL);
  theirs_raw = arw_dbus_manager_dup_state_dir (arw_client_get_manager (client));
  if (theirs_raw == NULL || *theirs_raw == '\0')
    return FALSE;
  theirs = g_canonicalize_filename (theirs_raw, NULL);
  if (g_strcmp0 (ours, theirs) != 0)
    return FALSE;
  available_client = g_steal_pointer (&client);
  return TRUE;
}

ArwClient *
arw_cli_helper_take_client (void)
{
  return g_steal_pointer (&available_client);
}

int
arw_cli_helper_fail (const GError *error, const char *id)
{
  arw_cli_fail (error);
  if (g_error_matches (error, ARW_ERROR, ARW_ERROR_CONSENT_REQUIRED) && id != NULL &&
      strstr (error->message, "consent grant") == NULL)
    g_printerr (_("hint: grant it with “arw-runtime consent grant %s --modality MODALITY”\n"), id);
  else if (g_error_matches (error, ARW_ERROR, ARW_ERROR_PERMISSION_DENIED) &&
           strstr (error->message, "lease") != NULL && strstr (error->message, "lease request") == NULL)
    g_printerr (_("hint: request one with “arw-runtime admin lease request --lease-cap runtime:manage --ttl-secs 3600”\n"));
  return ARW_CLI_EXIT_FAILURE;
}

/* SIGINT/SIGTERM sources on the client's context, installed once; a signal
 * that arrives before the loop runs is remembered. */
static struct {
  GSource *sources[2];
  GMainLoop *loop;
  gboolean interrupted;
} interrupts;

static gboolean
on_interrupt (gpointer user_data)
{
  interrupts.interrupted = TRUE;
  if (interrupts.loop != NULL)
    g_main_loop_quit (interrupts.loop);
  return G_SOURCE_CONTINUE;
}

void
arw_cli_helper_catch_interrupts (ArwClient *client)
{
  const int signums[] = { SIGINT, SIGTERM };

  G_STATIC_ASSERT (G_N_ELEMENTS (signums) == G_N_ELEMENTS (interrupts.sources));
  if (interrupts.sources[0] != NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (signums); i++)
    {
      /* Creating the source installs the handler at once. */
      interrupts.sources[i] = g_unix_signal_source_new (signums[i]);
      g_source_set_callback (interrupts.sources[i], on_interrupt, NULL, NULL);
      g_source_attach (interrupts.sources[i], arw_client_get_main_context (client));
    }
}

gboolean
arw_cli_helper_run_loop (ArwClient *client, GMainLoop *loop)
{
  GMainContext *ctx = arw_client_get_main_context (client);

  arw_cli_helper_catch_interrupts (client);
  if (interrupts.interrupted)
    return TRUE;
  g_main_context_push_thread_default (ctx);
  interrupts.loop = loop;
  g_main_loop_run (loop);
  interrupts.loop = NULL;
  g_main_context_pop_thread_default (ctx);
  return interrupts.interrupted;
}

const char *
arw_cli_json_string (JsonObject *object, const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

gint64
arw_cli_json_int (JsonObject *object, const char *member, gint64 fallback)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);
  return fallback;
}

JsonObject *
arw_cli_json_object (JsonObject *object, const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

JsonArray *
arw_cli_json_array (JsonObject *object, const char *member)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, member)) == NULL ||
      !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

char *
arw_cli_format_unix_local (gint64 unix_secs)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (unix_secs);

  if (dt == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, unix_secs);
  return g_date_time_format (dt, "%Y-%m-%d %H:%M %Z");
}

char *
arw_cli_format_local_time (const char *rfc3339)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (rfc3339 == NULL)
    return NULL;
  dt = g_date_time_new_from_iso8601 (rfc3339, NULL);
  if (dt == NULL)
    return g_strdup (rfc3339);
  local = g_date_time_to_local (dt);
  return g_date_time_format (local, "%Y-%m-%d %H:%M %Z");
}
