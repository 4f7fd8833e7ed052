/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <libnotify/notify.h>

#include "arw-application.h"
#include "arw-bench.h"
#include "arw-resources.h"
#include "arw-preferences-window.h"
#include "arw-runtime-row.h"
#include "arw-window.h"

struct _ArwApplication
{
  AdwApplication parent_instance;

  ArwClient *client;
  GError *client_error;
  gboolean connecting;
  GSettings *settings;
  ArwHealthNotifier *notifier;
  gboolean held;
  gboolean background_notice_shown;
};

G_DEFINE_FINAL_TYPE (ArwApplication, arw_application, ADW_TYPE_APPLICATION)

static guint
count_running (ArwApplication *self)
{
  GListModel *runtimes;
  guint n = 0;

  if (self->client == NULL)
    return 0;
  runtimes = arw_client_get_runtimes (self->client);
  for (guint i = 0; i < g_list_model_get_n_items (runtimes); i++)
    {
      g_autoptr(ArwDBusRuntime) rt = g_list_model_get_item (runtimes, i);
      if (arw_runtime_state_is_running (arw_dbus_runtime_get_state (rt)))
        n++;
    }
  return n;
}

/* No window, runtimes running: hold, and say so the first time. */
static void
update_hold (ArwApplication *self)
{
  gboolean no_windows = gtk_application_get_windows (GTK_APPLICATION (self)) == NULL;
  guint running = count_running (self);
  gboolean want = no_windows && running > 0;

  if (want == self->held)
    return;
  self->held = want;
  if (!want)
    {
      g_application_release (G_APPLICATION (self));
      return;
    }
  g_application_hold (G_APPLICATION (self));
  if (!self->background_notice_shown)
    {
      const char *actions[] = { "open", NULL };
      g_autofree char *body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u runtime is still running. Open ARW Launcher to stop it; you will be told if its health changes.",
                                                            "%u runtimes are still running. Open ARW Launcher to stop them; you will be told if their health changes.",
                                                            running), running);

      self->background_notice_shown = TRUE;
      arw_health_notifier_notify_desktop (self->notifier, "background",
                                          _("ARW Launcher keeps running in the background"), body, actions, "");
    }
}

static void
runtime_props_cb (ArwApplication *self)
{
  update_hold (self);
}

static void
runtimes_changed_cb (ArwApplication *self,
                     guint position,
                     guint removed,
                     guint added,
                     GListModel *model)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GObject) rt = g_list_model_get_item (model, i);
      g_signal_connect_object (rt, "g-properties-changed", G_CALLBACK (runtime_props_cb), self, G_CONNECT_SWAPPED);
    }
  update_hold (self);
}

static void
client_ready_cb (GObject *object,
                 GAsyncResult *result,
                 gpointer user_data)
{
  g_autoptr(ArwApplication) self = user_data;
  GListModel *runtimes;

  self->connecting = FALSE;
  g_clear_error (&self->client_error);
  self->client = arw_client_new_finish (result, &self->client_error);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (ARW_IS_WINDOW (l->data))
      arw_window_set_client (l->data, self->client, self->client_error);
  if (self->client == NULL)
    {
      g_warning ("cannot reach the helper: %s", self->client_error->message);
      return;
    }
  arw_health_notifier_set_client (self->notifier, self->client);
  runtimes = arw_client_get_runtimes (self->client);
  g_signal_connect_object (runtimes, "items-changed", G_CALLBACK (runtimes_changed_cb), self, G_CONNECT_SWAPPED);
  runtimes_changed_cb (self, 0, 0, g_list_model_get_n_items (runtimes), runtimes);
}

static void
connect_client (ArwApplication *self)
{
  if (self->client != NULL || self->connecting)
    return;
  self->connecting = TRUE;
  arw_client_new_async (NULL, client_ready_cb, g_object_ref (self));
}

static ArwWindow *
ensure_window (ArwApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL || !ARW_IS_WINDOW (window))
    {
      window = GTK_WINDOW (arw_window_new (ADW_APPLICATION (self)));
      if (self->client != NULL || self->client_error != NULL)
        arw_window_set_client (ARW_WINDOW (window), self->client, self->client_error);
      if (g_getenv ("ARW_LAUNCHER_BENCH") != NULL)
        arw_bench_attach (ARW_WINDOW (window));
    }
  gtk_window_present (window);
  return ARW_WINDOW (window);
}

static void
arw_application_activate (GApplication *app)
{
  ensure_window (ARW_APPLICATION (app));
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
preferences_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ArwApplication *self = user_data;
  ArwWindow *window = ensure_window (self);
  GtkWindow *prefs = GTK_WINDOW (arw_preferences_window_new (GTK_WINDOW (window), self->settings, self->client));

  gtk_window_present (prefs);
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ArwApplication *self = user_data;
  const char *developers[] = { _("The ARW Launcher authors"), NULL };
  GtkWidget *about = adw_about_window_new ();

  g_object_set (about,
                "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                "application-name", _("ARW Launcher"),
                "application-icon", APP_ID,
                "version", PACKAGE_VERSION,
                "developers", developers,
                "license-type", GTK_LICENSE_GPL_3_0,
                "comments", _("Install and run local AI engines on your own computer, on your graphics card when it works and on the processor when it does not"),
                /* Translators: put your names here, one per line */
                "translator-credits", _("translator-credits"),
                NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
reconnect_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  connect_client (ARW_APPLICATION (user_data));
}

static void
expect_stop_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ArwApplication *self = user_data;

  arw_health_notifier_expect_stop (self->notifier, g_variant_get_string (param, NULL));
}

static void
show_bundle_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ArwWindow *window = ensure_window (ARW_APPLICATION (user_data));
  const char *id = g_variant_get_string (param, NULL);

  if (*id != '\0')
    arw_window_show_bundle (window, id);
}

static void
view_logs_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ArwWindow *window = ensure_window (ARW_APPLICATION (user_data));

  arw_window_show_runtime (window, g_variant_get_string (param, NULL), TRUE);
}

static void
try_cpu_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ArwWindow *window = ensure_window (ARW_APPLICATION (user_data));

  gtk_widget_activate_action_variant (GTK_WIDGET (window), "win.try-cpu", param);
}

static void
rollback_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ArwWindow *window = ensure_window (ARW_APPLICATION (user_data));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.rollback", "(ss)", g_variant_get_string (param, NULL), "");
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "preferences", preferences_action },
  { "about", about_action },
  { "reconnect", reconnect_action },
  { "expect-stop", expect_stop_action, "s" },
  { "show-bundle", show_bundle_action, "s" },
  { "view-logs", view_logs_action, "s" },
  { "try-cpu", try_cpu_action, "s" },
  { "rollback", rollback_action, "s" },
};

static void
window_removed_cb (ArwApplication *self)
{
  update_hold (self);
}

static void
arw_application_startup (GApplication *app)
{
  ArwApplication *self = ARW_APPLICATION (app);
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *prefs_accels[] = { "<Control>comma", NULL };

  G_APPLICATION_CLASS (arw_application_parent_class)->startup (app);

  (void) arw_get_resource ();   /* keeps the resource object linked in */
  notify_init (APP_ID);
  self->settings = g_settings_new (APP_ID);
  self->notifier = arw_health_notifier_new (GTK_APPLICATION (self), self->settings);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  g_signal_connect_swapped (self, "window-removed", G_CALLBACK (window_removed_cb), self);
  connect_client (self);
}

static void
arw_application_shutdown (GApplication *app)
{
  ArwApplication *self = ARW_APPLICATION (app);

  g_clear_object (&self->notifier);
  if (notify_is_initted ())
    notify_uninit ();

  G_APPLICATION_CLASS (arw_application_parent_class)->shutdown (app);
}

static void
arw_application_dispose (GObject *object)
{
  ArwApplication *self = ARW_APPLICATION (object);

  g_clear_object (&self->client);
  g_clear_error (&self->client_error);
  g_clear_object (&self->settings);
  g_clear_object (&self->notifier);

  G_OBJECT_CLASS (arw_application_parent_class)->dispose (object);
}

static void
arw_application_class_init (ArwApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = arw_application_dispose;
  app_class->startup = arw_application_startup;
  app_class->shutdown = arw_application_shutdown;
  app_class->activate = arw_application_activate;
}

static void
arw_application_init (ArwApplication *self)
{
}

ArwApplication *
arw_application_new (void)
{
  return g_object_new (ARW_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/org/arw/Launcher",
                       NULL);
}

ArwClient *
arw_application_get_client (ArwApplication *self)
{
  g_return_val_if_fail (ARW_IS_APPLICATION (self), NULL);
  return self->client;
}

ArwHealthNotifier *
arw_application_get_notifier (ArwApplication *self)
{
  g_return_val_if_fail (ARW_IS_APPLICATION (self), NULL);
  return self->notifier;
}

GSettings *
arw_application_get_settings (ArwApplication *self)
{
  g_return_val_if_fail (ARW_IS_APPLICATION (self), NULL);
  return self->settings;
}

gboolean
arw_application_get_held (ArwApplication *self)
{
  g_return_val_if_fail (ARW_IS_APPLICATION (self), FALSE);
  return self->held;
}
