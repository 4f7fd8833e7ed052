/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arw-cli.h"
#include "arw-cli-helper.h"
#include "arw-cli-progress.h"
#include "arw-cli-transaction.h"
#include "arw-progress.h"

typedef struct {
  ArwDBusTransaction *transaction;
  ArwProgress *progress;
  GMainLoop *loop;
  char *last_message;
  gboolean finished;
  gboolean success;
  char *error;
} Follow;

/* Mirrors the transaction's properties into the local progress model. */
static void
sync_progress (Follow *f)
{
  ArwProgressPhase phase;
  const char *message = arw_dbus_transaction_get_last_message (f->transaction);

  if (arw_progress_phase_from_string (arw_dbus_transaction_get_phase (f->transaction), &phase))
    arw_progress_set_phase (f->progress, phase);
  arw_progress_set_item (f->progress, arw_dbus_transaction_get_item (f->transaction));
  arw_progress_set_total (f->progress, arw_dbus_transaction_get_bytes_total (f->transaction));
  arw_progress_set_done (f->progress, arw_dbus_transaction_get_bytes_done (f->transaction));
  if (message != NULL && *message != '\0' && g_strcmp0 (message, f->last_message) != 0)
    {
      g_free (f->last_message);
      f->last_message = g_strdup (message);
      arw_progress_message (f->progress, "%s", message);
    }
}

static void
finish (Follow *f, gboolean success, const char *error)
{
  if (f->finished)
    return;
  f->finished = TRUE;
  f->success = success;
  f->error = g_strdup (error);
  g_main_loop_quit (f->loop);
}

static void
on_properties_changed (GDBusProxy *proxy, GVariant *changed, GStrv invalidated, gpointer user_data)
{
  Follow *f = user_data;
  const char *state = arw_dbus_transaction_get_state (f->transaction);

  sync_progress (f);
  if (g_strcmp0 (state, "running") != 0 && state != NULL && *state != '\0')
    finish (f, g_str_equal (state, "succeeded"), arw_dbus_transaction_get_error (f->transaction));
}

static void
on_finished (ArwDBusTransaction *transaction, gboolean success, const char *error, gpointer user_data)
{
  finish (user_data, success, error);
}

int
arw_cli_follow_transaction (ArwClient *client, ArwDBusTransaction *transaction, gboolean json, const char *what)
{
  Follow f = { .transaction = transaction };
  g_autoptr(ArwCliProgress) view = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (arw_client_get_main_context (client), FALSE);
  int rc;

  g_main_context_push_thread_default (arw_client_get_main_context (client));
  f.progress = arw_progress_new ();
  g_main_context_pop_thread_default (arw_client_get_main_context (client));
  f.loop = loop;
  view = arw_cli_progress_new (f.progress, json);
  g_signal_connect (transaction, "g-properties-changed", G_CALLBACK (on_properties_changed), &f);
  g_signal_connect (transaction, "finished", G_CALLBACK (on_finished), &f);
  on_properties_changed (G_DBUS_PROXY (transaction), NULL, NULL, &f);
  while (!f.finished)
    if (arw_cli_helper_run_loop (client, loop) && !f.finished)
      {
        /* Ctrl+C: ask the helper to stop, then wait for it to say so. */
        arw_dbus_transaction_call_cancel_sync (transaction, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
        finish (&f, FALSE, _("cancelled; run the same command again to resume"));
      }
  g_signal_handlers_disconnect_by_data (transaction, &f);
  arw_cli_progress_finish (view);
  if (f.success)
    {
      if (!json)
        g_print (_("%s finished (through the ARW Launcher helper).\n"), what);
      rc = ARW_CLI_EXIT_OK;
    }
  else
    /* Translators: the first %s is "Install" or "Import" (context "transaction"). */
    rc = arw_cli_fail_message (_("%s failed: %s"), what,
                               f.error != NULL && *f.error != '\0' ? f.error : _("unknown error"));
  g_clear_object (&f.progress);
  g_free (f.last_message);
  g_free (f.error);
  return rc;
}
