/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <libnotify/notify.h>

#include "arw-health-notifier.h"
#include "arw-runtime-row.h"
#include "arw-window.h"

struct _ArwHealthNotifier
{
  GObject parent_instance;

  GtkApplication *application;   /* weak: the application owns us */
  GSettings *settings;
  ArwClient *client;
  GHashTable *states;            /* runtime id → last state slug */
  GHashTable *expected_stops;    /* runtime id set */
  GHashTable *notifications;     /* tag → NotifyNotification */
  GHashTable *quiet;             /* bundle ids whose next finished install is not announced */
  char *last_toast;
  guint last_notification_id;
};

G_DEFINE_FINAL_TYPE (ArwHealthNotifier, arw_health_notifier, G_TYPE_OBJECT)

enum { MODE_NONE, MODE_IN_APP, MODE_DESKTOP };

static const char *
settings_key (ArwHealthEvent event)
{
  switch (event)
    {
    case ARW_HEALTH_EVENT_RUNTIME_ERROR:
      return "notify-runtime-error";
    case ARW_HEALTH_EVENT_RUNTIME_READY:
      return "notify-runtime-ready";
    case ARW_HEALTH_EVENT_FALLBACK_ENGAGED:
      return "notify-fallback-engaged";
    case ARW_HEALTH_EVENT_INSTALL_COMPLETED:
      return "notify-install-completed";
    case ARW_HEALTH_EVENT_INSTALL_FAILED:
    default:
      return "notify-install-failed";
    }
}

/* notification action → app action taking the target as "s" */
static const struct {
  const char *id;
  const char *label;
  const char *app_action;
} notification_actions[] = {
  { "open", N_("Open"), "show-bundle" },
  { "logs", N_("View Logs"), "view-logs" },
  { "cpu", N_("Try on CPU"), "try-cpu" },
  { "rollback", N_("Roll Back"), "rollback" },
};

static void
action_cb (NotifyNotification *notification,
           char *action,
           gpointer user_data)
{
  ArwHealthNotifier *self = user_data;
  const char *target = g_object_get_data (G_OBJECT (notification), "arw-target");

  if (self->application == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (notification_actions); i++)
    if (g_strcmp0 (action, notification_actions[i].id) == 0)
      {
        g_action_group_activate_action (G_ACTION_GROUP (self->application), notification_actions[i].app_action,
                                        g_variant_new_string (target != NULL ? target : ""));
        return;
      }
}

static void
closed_cb (NotifyNotification *notification,
           ArwHealthNotifier *self)
{
  const char *tag = g_object_get_data (G_OBJECT (notification), "arw-tag");

  if (tag != NULL && g_hash_table_lookup (self->notifications, tag) == notification)
    g_hash_table_remove (self->notifications, tag);
}

void
arw_health_notifier_notify_desktop (ArwHealthNotifier *self,
                                    const char *tag,
                                    const char *summary,
                                    const char *body,
                                    const char *const *actions,
                                    const char *target)
{
  NotifyNotification *n = NULL;   /* owned by self->notifications once shown */
  g_autoptr(GError) error = NULL;
  int id = 0;

  g_return_if_fail (ARW_IS_HEALTH_NOTIFIER (self));

  if (!notify_is_initted () && !notify_init (APP_ID))
    return;
  n = notify_notification_new (summary, body, APP_ID);
  notify_notification_set_app_name (n, _("ARW Launcher"));
  notify_notification_set_hint_string (n, "desktop-entry", APP_ID);
  g_object_set_data_full (G_OBJECT (n), "arw-tag", g_strdup (tag), g_free);
  g_object_set_data_full (G_OBJECT (n), "arw-target", g_strdup (target), g_free);
  for (guint i = 0; actions != NULL && actions[i] != NULL; i++)
    for (guint j = 0; j < G_N_ELEMENTS (notification_actions); j++)
      if (g_str_equal (actions[i], notification_actions[j].id))
        notify_notification_add_action (n, notification_actions[j].id, _(notification_actions[j].label),
                                        action_cb, self, NULL);
  if (g_strcmp0 (tag, "error") == 0 || (actions != NULL && g_strv_contains (actions, "logs")))
    notify_notification_set_urgency (n, NOTIFY_URGENCY_CRITICAL);
  g_signal_connect_object (n, "closed", G_CALLBACK (closed_cb), self, 0);
  if (!notify_notification_show (n, &error))
    {
      g_debug ("cannot show a desktop notification: %s", error->message);
      g_object_unref (n);
      return;
    }
  g_object_get (n, "id", &id, NULL);
  self->last_notification_id = (guint) id;
  g_hash_table_replace (self->notifications, g_strdup (tag != NULL ? tag : ""), n);
}

static GtkWindow *
focused_window (ArwHealthNotifier *self)
{
  GtkWindow *win = self->application != NULL ? gtk_application_get_active_window (self->application) : NULL;

  return win != NULL && gtk_widget_get_visible (GTK_WIDGET (win)) && gtk_window_is_active (win) ? win : NULL;
}

static ArwWindow *
any_window (ArwHealthNotifier *self)
{
  GList *windows = self->application != NULL ? gtk_application_get_windows (self->application) : NULL;

  for (GList *l = windows; l != NULL; l = l->next)
    if (ARW_IS_WINDOW (l->data))
      return l->data;
  return NULL;
}

static void
deliver (ArwHealthNotifier *self,
         ArwHealthEvent event,
         const char *summary,
         const char *body,
         const char *const *actions,
         const char *target)
{
  int mode = g_settings_get_enum (self->settings, settings_key (event));
  GtkWindow *focused = focused_window (self);
  ArwWindow *window = any_window (self);

  if (mode == MODE_NONE)
    return;
  if (window != NULL && (focused != NULL || mode == MODE_IN_APP))
    {
      /* the summary only: a toast is one short line, also at 360 px */
      g_autofree char *title = g_strdup (summary);
      AdwToast *toast = adw_toast_new (title);

      if (actions != NULL && g_strv_contains (actions, "logs"))
        {
          adw_toast_set_button_label (toast, _("View Logs"));
          adw_toast_set_action_name (toast, "win.view-logs");
          adw_toast_set_action_target_value (toast, g_variant_new_string (target));
          adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
          adw_toast_set_timeout (toast, 10);
        }
      arw_window_add_toast (window, toast);
      g_free (self->last_toast);
      self->last_toast = g_steal_pointer (&title);
      if (focused != NULL)
        return;
    }
  if (mode == MODE_DESKTOP && focused == NULL)
    arw_health_notifier_notify_desktop (self, target, summary, body, actions, target);
}

static const char *
runtime_name (ArwDBusRuntime *rt)
{
  const char *name = arw_dbus_runtime_get_name (rt);

  return name != NULL && *name != '\0' ? name : arw_dbus_runtime_get_id (rt);
}

static void
runtime_changed (ArwHealthNotifier *self,
                 ArwDBusRuntime *rt)
{
  const char *id = arw_dbus_runtime_get_id (rt);
  const char *state = arw_dbus_runtime_get_state (rt);
  const char *prev;
  const char *fallback = arw_dbus_runtime_get_fallback_reason (rt);
  gboolean was_running, expected;
  g_autofree char *summary = NULL;
  g_autofree char *words = NULL;

  if (id == NULL || state == NULL)
    return;
  prev = g_hash_table_lookup (self->states, id);
  if (g_strcmp0 (prev, state) == 0)
    return;
  was_running = prev != NULL && (g_str_equal (prev, "ready") || g_str_equal (prev, "degraded"));
  expected = g_hash_table_contains (self->expected_stops, id);
  g_hash_table_replace (self->states, g_strdup (id), g_strdup (state));
  words = arw_runtime_row_describe (rt, NULL);

  if (g_str_equal (state, "error") ||
      (was_running && !expected && (g_str_equal (state, "starting") || g_str_equal (state, "offline"))))
    {
      const char *actions[] = { "open", "logs", "cpu", "rollback", NULL };
      /* Translators: %s is a runtime name */
      summary = g_strdup_printf (_("%s stopped unexpectedly"), runtime_name (rt));
      deliver (self, ARW_HEALTH_EVENT_RUNTIME_ERROR, summary, words, actions, id);
    }
  else if ((g_str_equal (state, "ready") || g_str_equal (state, "degraded")) && fallback != NULL && *fallback != '\0')
    {
      const char *actions[] = { "open", "logs", NULL };
      summary = g_strdup_printf (_("%s runs on the processor"), runtime_name (rt));
      deliver (self, ARW_HEALTH_EVENT_FALLBACK_ENGAGED, summary, words, actions, id);
    }
  else if (g_str_equal (state, "ready"))
    {
      const char *actions[] = { "open", NULL };
      summary = g_strdup_printf (_("%s is ready"), runtime_name (rt));
      deliver (self, ARW_HEALTH_EVENT_RUNTIME_READY, summary, words, actions, id);
    }
  if (g_str_equal (state, "offline") || g_str_equal (state, "error"))
    g_hash_table_remove (self->expected_stops, id);
}

static void
runtime_props_cb (ArwDBusRuntime *rt,
                  GVariant *changed,
                  const char *const *invalidated,
                  ArwHealthNotifier *self)
{
  runtime_changed (self, rt);
}

static void
transaction_finished_cb (ArwDBusTransaction *tx,
                         gboolean success,
                         const char *message,
                         ArwHealthNotifier *self)
{
  const char *const *ids = arw_dbus_transaction_get_bundle_ids (tx);
  g_autofree char *names = ids != NULL ? g_strjoinv (", ", (char **) ids) : g_strdup ("");
  const char *target = ids != NULL && ids[0] != NULL ? ids[0] : "";
  const char *actions[] = { "open", NULL };
  g_autofree char *summary = NULL;

  if (g_hash_table_remove (self->quiet, target))
    return;   /* a dry run: the dialog that asked for it shows the result */
  if (success)
    {
      /* Translators: %s names the installed bundles */
      summary = g_strdup_printf (_("Installed %s"), names);
      deliver (self, ARW_HEALTH_EVENT_INSTALL_COMPLETED, summary, NULL, actions, target);
    }
  else
    {
      summary = g_strdup_printf (_("Could not install %s"), names);
      deliver (self, ARW_HEALTH_EVENT_INSTALL_FAILED, summary, message, actions, target);
    }
}

static void
watch_items (ArwHealthNotifier *self,
             GListModel *model,
             guint position,
             guint added,
             gboolean runtimes)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      if (runtimes)
        {
          ArwDBusRuntime *rt = ARW_DBUS_RUNTIME (item);
          const char *id = arw_dbus_runtime_get_id (rt);

          if (id != NULL && !g_hash_table_contains (self->states, id))
            g_hash_table_insert (self->states, g_strdup (id), g_strdup (arw_dbus_runtime_get_state (rt)));
          g_signal_connect_object (item, "g-properties-changed", G_CALLBACK (runtime_props_cb), self, 0);
        }
      else
        g_signal_connect_object (item, "finished", G_CALLBACK (transaction_finished_cb), self, 0);
    }
}

static void
runtimes_changed_cb (GListModel *model,
                     guint position,
                     guint removed,
                     guint added,
                     ArwHealthNotifier *self)
{
  watch_items (self, model, position, added, TRUE);
}

static void
transactions_changed_cb (GListModel *model,
                         guint position,
                         guint removed,
                         guint added,
                         ArwHealthNotifier *self)
{
  watch_items (self, model, position, added, FALSE);
}

static void
arw_health_notifier_dispose (GObject *object)
{
  ArwHealthNotifier *self = ARW_HEALTH_NOTIFIER (object);

  g_clear_weak_pointer (&self->application);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->notifications, g_hash_table_unref);

  G_OBJECT_CLASS (arw_health_notifier_parent_class)->dispose (object);
}

static void
arw_health_notifier_finalize (GObject *object)
{
  ArwHealthNotifier *self = ARW_HEALTH_NOTIFIER (object);

  g_hash_table_unref (self->states);
  g_hash_table_unref (self->expected_stops);
  g_hash_table_unref (self->quiet);
  g_free (self->last_toast);

  G_OBJECT_CLASS (arw_health_notifier_parent_class)->finalize (object);
}

static void
arw_health_notifier_class_init (ArwHealthNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = arw_health_notifier_dispose;
  object_class->finalize = arw_health_notifier_finalize;
}

static void
arw_health_notifier_init (ArwHealthNotifier *self)
{
  self->states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->expected_stops = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->notifications = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->quiet = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

ArwHealthNotifier *
arw_health_notifier_new (GtkApplication *application,
                         GSettings *settings)
{
  ArwHealthNotifier *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (ARW_TYPE_HEALTH_NOTIFIER, NULL);
  g_set_weak_pointer (&self->application, application);
  self->settings = g_object_ref (settings);
  return self;
}

void
arw_health_notifier_set_client (ArwHealthNotifier *self,
                                ArwClient *client)
{
  GListModel *runtimes, *transactions;

  g_return_if_fail (ARW_IS_HEALTH_NOTIFIER (self));
  g_return_if_fail (ARW_IS_CLIENT (client));
  g_return_if_fail (self->client == NULL);

  self->client = g_object_ref (client);
  runtimes = arw_client_get_runtimes (client);
  transactions = arw_client_get_transactions (client);
  g_signal_connect_object (runtimes, "items-changed", G_CALLBACK (runtimes_changed_cb), self, 0);
  g_signal_connect_object (transactions, "items-changed", G_CALLBACK (transactions_changed_cb), self, 0);
  watch_items (self, runtimes, 0, g_list_model_get_n_items (runtimes), TRUE);
  watch_items (self, transactions, 0, g_list_model_get_n_items (transactions), FALSE);
}

void
arw_health_notifier_expect_stop (ArwHealthNotifier *self,
                                 const char *runtime_id)
{
  g_return_if_fail (ARW_IS_HEALTH_NOTIFIER (self));
  g_return_if_fail (runtime_id != NULL);

  g_hash_table_add (self->expected_stops, g_strdup (runtime_id));
}

void
arw_health_notifier_quiet_next (ArwHealthNotifier *self,
                                const char *bundle_id)
{
  g_return_if_fail (ARW_IS_HEALTH_NOTIFIER (self));
  g_return_if_fail (bundle_id != NULL);

  g_hash_table_add (self->quiet, g_strdup (bundle_id));
}

const char *
arw_health_notifier_get_last_toast (ArwHealthNotifier *self)
{
  g_return_val_if_fail (ARW_IS_HEALTH_NOTIFIER (self), NULL);
  return self->last_toast;
}

guint
arw_health_notifier_get_last_notification_id (ArwHealthNotifier *self)
{
  g_return_val_if_fail (ARW_IS_HEALTH_NOTIFIER (self), 0);
  return self->last_notification_id;
}
