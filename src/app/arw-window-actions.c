/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window's actions: install, remove, start (with consent), stop,
 * restart, roll back, cancel, import, search and navigation. */
#include "config.h"

#include <glib/gi18n.h>

#include "arw-error.h"
#include "arw-consent-dialog.h"
#include "arw-import-dialog.h"
#include "arw-runtime-row.h"
#include "arw-window-private.h"

/* What a start (Restore) needs, kept across the consent dialog and a
 * lease request. */
typedef struct {
  ArwWindow *self;
  char *id;
  char *accelerator;  /* auto, cpu, gpu */
  char *device;
  gboolean count_restart;
  gboolean leased;    /* a lease was already requested once */
  gboolean consented; /* consent was granted in this flow */
} StartData;

static void
start_data_free (StartData *data)
{
  g_object_unref (data->self);
  g_free (data->id);
  g_free (data->accelerator);
  g_free (data->device);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StartData, start_data_free)

void
_arw_window_show_error (ArwWindow *self,
                        const char *what,
                        const GError *error)
{
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Translators: first %s says what failed ("Could not start …"), second is the reason */
  title = g_strdup_printf (_("%s: %s"), what, error != NULL ? error->message : _("unknown error"));
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 8);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  arw_window_add_toast (self, toast);
}

static void
toast (ArwWindow *self,
       const char *text)
{
  arw_window_add_toast (self, adw_toast_new (text));
}

static const char *
display_name (ArwWindow *self,
              const char *id)
{
  ArwBundleFamily *family = g_hash_table_lookup (self->family_by_bundle, id);
  ArwBundleVariant *v = family != NULL ? arw_bundle_family_find_variant (family, id) : NULL;

  if (v != NULL && v->name != NULL)
    return v->name;
  if (family != NULL)
    return arw_bundle_family_get_name (family);
  return id;
}

/* ---- install / remove ---- */

static void
install_cb (GObject *object,
            GAsyncResult *result,
            gpointer user_data)
{
  g_autoptr(ArwWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwDBusTransaction) tx = arw_client_install_finish (ARW_CLIENT (object), result, &error);

  if (tx == NULL)
    _arw_window_show_error (self, _("Could not install"), error);
}

static void
install_action (GtkWidget *widget,
                const char *action_name,
                GVariant *param)
{
  ArwWindow *self = ARW_WINDOW (widget);
  const char *ids[] = { g_variant_get_string (param, NULL), NULL };

  if (self->client == NULL)
    return;
  arw_client_install_async (self->client, ids, NULL, self->cancellable, install_cb, g_object_ref (self));
}

static void
remove_cb (GObject *object,
           GAsyncResult *result,
           gpointer user_data)
{
  g_autoptr(ArwWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!arw_client_remove_finish (ARW_CLIENT (object), result, &error))
    _arw_window_show_error (self, _("Could not remove"), error);
  else
    _arw_window_reload_inventory (self);
}

static void
remove_response_cb (AdwMessageDialog *dialog,
                    const char *response,
                    gpointer user_data)
{
  ArwWindow *self = ARW_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  const char *id = g_object_get_data (G_OBJECT (dialog), "bundle-id");

  if (g_strcmp0 (response, "remove") == 0 && self->client != NULL)
    arw_client_remove_async (self->client, id, self->cancellable, remove_cb, g_object_ref (self));
}

static void
remove_action (GtkWidget *widget,
               const char *action_name,
               GVariant *param)
{
  ArwWindow *self = ARW_WINDOW (widget);
  const char *id = g_variant_get_string (param, NULL);
  GtkWidget *dialog;
  g_autofree char *heading = NULL;

  /* Translators: %s is a bundle name */
  heading = g_strdup_printf (_("Remove %s?"), display_name (self, id));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Its files and earlier revisions are deleted. You can install it again later."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "bundle-id", g_strdup (id), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (remove_response_cb), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- start, with consent and lease ---- */

static void do_restore (StartData *data);

static void
lease_cb (GObject *object,
          GAsyncResult *result,
          gpointer user_data)
{
  g_autoptr(StartData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) lease = arw_client_request_lease_finish (ARW_CLIENT (object), result, &error);

  if (lease == NULL)
    {
      _arw_window_show_error (data->self, _("Not allowed to start runtimes"), error);
      return;
    }
  do_restore (g_steal_pointer (&data));
}

static void
token_cb (GObject *object,
          GAsyncResult *result,
          gpointer user_data)
{
  g_autoptr(StartData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = arw_client_persist_admin_token_finish (ARW_CLIENT (object), result, &error);

  if (token == NULL)
    {
      _arw_window_show_error (data->self, _("Not allowed to start runtimes"), error);
      return;
    }
  /* the Launcher is the person's own front end: it takes a lease for them */
  arw_client_request_lease_async (data->self->client, "runtime:manage", 3600, token,
                                  data->self->cancellable, lease_cb, data);
  data = NULL;
}

static gboolean show_consent (StartData *data, const char *bundle_id, const char *const *modalities, const char *note);

static void
restore_cb (GObject *object,
            GAsyncResult *result,
            gpointer user_data)
{
  g_autoptr(StartData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) res = arw_client_restore_finish (ARW_CLIENT (object), result, NULL, &error);

  if (res != NULL)
    return;
  if (g_error_matches (error, ARW_ERROR, ARW_ERROR_PERMISSION_DENIED) && !data->leased)
    {
      data->leased = TRUE;
      arw_client_persist_admin_token_async (data->self->client, data->self->cancellable, token_cb, data);
      data = NULL;
      return;
    }
  if (g_error_matches (error, ARW_ERROR, ARW_ERROR_CONSENT_REQUIRED) && !data->consented)
    {
      ArwBundleFamily *family = g_hash_table_lookup (data->self->family_by_bundle, data->id);
      const char *mods[] = { "audio", "vision", NULL };

      /* the helper knows better than our catalog copy: ask for what it names */
      if (show_consent (data, data->id, family != NULL ? arw_bundle_family_get_modalities (family) : mods, NULL))
        data = NULL;
      return;
    }
  if (g_error_matches (error, ARW_ERROR, ARW_ERROR_BUDGET_EXHAUSTED))
    {
      _arw_window_show_error (data->self, _("Not restarted, the restart budget is used up"), error);
      return;
    }
  _arw_window_show_error (data->self, _("Could not start"), error);
}

static void
do_restore (StartData *data)
{
  ArwClientRestoreOptions opts = { 0 };
  g_autofree char *preferred = g_settings_get_string (data->self->settings, "preferred-gpu");

  opts.no_restart = !data->count_restart;
  opts.accelerator = data->accelerator;
  opts.device = data->device;
  /* "automatic": the person's preferences (Preferences → Processor) */
  if (opts.accelerator == NULL && opts.device == NULL)
    {
      if (g_settings_get_boolean (data->self->settings, "gpu-only"))
        opts.accelerator = "gpu";
      if (*preferred != '\0')
        opts.device = preferred;
    }
  arw_client_restore_async (data->self->client, data->id, &opts, data->self->cancellable, restore_cb, data);
}

static void
grant_cb (GObject *object,
          GAsyncResult *result,
          gpointer user_data)
{
  g_autoptr(StartData) data = user_data;
  g_autoptr(GError) error = NULL;

  if (!arw_client_grant_consent_finish (ARW_CLIENT (object), result, &error))
    {
      _arw_window_show_error (data->self, _("Could not record your consent"), error);
      return;
    }
  data->consented = TRUE;
  do_restore (g_steal_pointer (&data));
}

static void
consent_response_cb (ArwConsentDialog *dialog,
                     const char *response,
                     gpointer user_data)
{
  StartData *data = user_data;   /* owned by the dialog's data */
  StartData *copy;

  if (g_strcmp0 (response, "once") != 0 && g_strcmp0 (response, "always") != 0)
    {
      toast (data->self, _("Not started: you did not allow access"));
      return;
    }
  copy = g_new0 (StartData, 1);
  *copy = *data;
  copy->self = g_object_ref (data->self);
  copy->id = g_strdup (data->id);
  copy->accelerator = g_strdup (data->accelerator);
  copy->device = g_strdup (data->device);
  arw_client_grant_consent_async (data->self->client, arw_consent_dialog_get_bundle_id (dialog),
                                  arw_consent_dialog_get_modalities (dialog), response,
                                  data->self->cancellable, grant_cb, copy);
}

/* Takes @data when it returns TRUE. */
static gboolean
show_consent (StartData *data,
              const char *bundle_id,
              const char *const *modalities,
              const char *note)
{
  ArwConsentDialog *dialog;
  g_autoptr(GPtrArray) mods = g_ptr_array_new ();

  for (guint i = 0; modalities != NULL && modalities[i] != NULL; i++)
    if (!g_str_equal (modalities[i], "text"))
      g_ptr_array_add (mods, (gpointer) modalities[i]);
  g_ptr_array_add (mods, NULL);
  dialog = arw_consent_dialog_new (GTK_WINDOW (data->self), bundle_id, display_name (data->self, bundle_id),
                                   (const char *const *) mods->pdata, note);
  g_object_set_data_full (G_OBJECT (dialog), "start-data", data, (GDestroyNotify) start_data_free);
  g_signal_connect (dialog, "response", G_CALLBACK (consent_response_cb), data);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

/* The runtime that would start for @id (a runtime id or a family), when
 * the helper says it still needs consent. */
static ArwDBusRuntime *
runtime_needing_consent (ArwWindow *self,
                         const char *id)
{
  GListModel *runtimes = arw_client_get_runtimes (self->client);
  ArwDBusRuntime *rt = arw_client_lookup_runtime (self->client, id);

  if (rt != NULL)
    return g_strcmp0 (arw_dbus_runtime_get_consent_state (rt), "required") == 0 ? rt : NULL;
  for (guint i = 0; i < g_list_model_get_n_items (runtimes); i++)
    {
      g_autoptr(ArwDBusRuntime) r = g_list_model_get_item (runtimes, i);
      if (g_strcmp0 (arw_dbus_runtime_get_family (r), id) == 0 &&
          g_strcmp0 (arw_dbus_runtime_get_consent_state (r), "required") == 0)
        return r;   /* borrowed: the model keeps it */
    }
  return NULL;
}

void
_arw_window_start (ArwWindow *self,
                   const char *id,
                   const char *accelerator)
{
  StartData *data;
  ArwDBusRuntime *rt;

  if (self->client == NULL)
    return;
  data = g_new0 (StartData, 1);
  data->self = g_object_ref (self);
  data->id = g_strdup (id);
  data->accelerator = g_strdup (accelerator);
  rt = runtime_needing_consent (self, id);
  if (rt != NULL)
    {
      show_consent (data, arw_dbus_runtime_get_id (rt), arw_dbus_runtime_get_consent_modalities (rt),
                    arw_dbus_runtime_get_consent_note (rt));
      return;
    }
  do_restore (data);
}

static void
start_action (GtkWidget *widget,
              const char *action_name,
              GVariant *param)
{
  _arw_window_start (ARW_WINDOW (widget), g_variant_get_string (param, NULL), NULL);
}

static void
start_on_action (GtkWidget *widget,
                 const char *action_name,
                 GVariant *param)
{
  ArwWindow *self = ARW_WINDOW (widget);
  const char *id, *accel, *device;
  StartData *data;
  ArwDBusRuntime *rt;

  if (self->client == NULL)
    return;
  g_variant_get (param, "(&s&s&s)", &id, &accel, &device);
  data = g_new0 (StartData, 1);
  data->self = g_object_ref (self);
  data->id = g_strdup (id);
  data->accelerator = g_strcmp0 (accel, "auto") != 0 ? g_strdup (accel) : NULL;
  data->device = *device != '\0' ? g_strdup (device) : NULL;
  rt = runtime_needing_consent (self, id);
  if (rt != NULL)
    show_consent (data, id, arw_dbus_runtime_get_consent_modalities (rt), arw_dbus_runtime_get_consent_note (rt));
  else
    do_restore (data);
}

static void
try_cpu_action (GtkWidget *widget,
                const char *action_name,
                GVariant *param)
{
  ArwWindow *self = ARW_WINDOW (widget);
  const char *id = g_variant_get_string (param, NULL);
  ArwDBusRuntime *rt = self->client != NULL ? arw_client_lookup_runtime (self->client, id) : NULL;
  const char *family = rt != NULL ? arw_dbus_runtime_get_family (rt) : NULL;

  _arw_window_start (self, family != NULL && *family != '\0' ? family : id, "cpu");
}

/* ---- stop / restart ---- */

typedef struct {
  ArwWindow *self;
  char *id;
  gboolean restart;
} StopData;

static void
stop_data_free (StopData *data)
{
  g_object_unref (data->self);
  g_free (data->id);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StopData, stop_data_free)

static void
shutdown_cb (GObject *object,
             GAsyncResult *result,
             gpointer user_data)
{
  g_autoptr(StopData) data = user_data;
  g_autoptr(GError) error = NULL;

  if (!arw_client_shutdown_finish (ARW_CLIENT (object), result, &error))
    {
      _arw_window_show_error (data->self, _("Could not stop"), error);
      return;
    }
  if (data->restart)
    {
      StartData *start = g_new0 (StartData, 1);

      start->self = g_object_ref (data->self);
      start->id = g_strdup (data->id);
      start->count_restart = TRUE;
      do_restore (start);
    }
}

static void
stop_or_restart (ArwWindow *self,
                 const char *id,
                 gboolean restart)
{
  StopData *data;
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  if (self->client == NULL)
    return;
  data = g_new0 (StopData, 1);
  data->self = g_object_ref (self);
  data->id = g_strdup (id);
  data->restart = restart;
  /* tell the health notifier this stop is wanted, not a crash */
  if (app != NULL)
    g_action_group_activate_action (G_ACTION_GROUP (app), "expect-stop", g_variant_new_string (id));
  arw_client_shutdown_async (self->client, id, self->cancellable, shutdown_cb, data);
}

static void
stop_action (GtkWidget *widget,
             const char *action_name,
             GVariant *param)
{
  stop_or_restart (ARW_WINDOW (widget), g_variant_get_string (param, NULL), FALSE);
}

static void
restart_action (GtkWidget *widget,
                const char *action_name,
                GVariant *param)
{
  stop_or_restart (ARW_WINDOW (widget), g_variant_get_string (param, NULL), TRUE);
}

/* ---- rollback ---- */

static void
rollback_cb (GObject *object,
             GAsyncResult *result,
             gpointer user_data)
{
  g_autoptr(ArwWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) res = arw_client_rollback_finish (ARW_CLIENT (object), result, &error);

  if (res == NULL)
    {
      _arw_window_show_error (self, _("Could not roll back"), error);
      return;
    }
  toast (self, _("Rolled back; the previous state was kept as a new revision"));
  _arw_window_reload_inventory (self);
}

static void
rollback_action (GtkWidget *widget,
                 const char *action_name,
                 GVariant *param)
{
  ArwWindow *self = ARW_WINDOW (widget);
  const char *id, *rev;
  ArwClientRollbackOptions opts = { 0 };

  if (self->client == NULL)
    return;
  g_variant_get (param, "(&s&s)", &id, &rev);
  opts.revision = *rev != '\0' ? rev : NULL;
  arw_client_rollback_async (self->client, id, &opts, self->cancellable, rollback_cb, g_object_ref (self));
}

/* ---- transactions, logs, navigation ---- */

static void
cancel_transaction_action (GtkWidget *widget,
                           const char *action_name,
                           GVariant *param)
{
  ArwWindow *self = ARW_WINDOW (widget);
  const char *path = g_variant_get_string (param, NULL);
  GListModel *txs;

  if (self->client == NULL)
    return;
  txs = arw_client_get_transactions (self->client);
  for (guint i = 0; i < g_list_model_get_n_items (txs); i++)
    {
      g_autoptr(ArwDBusTransaction) tx = g_list_model_get_item (txs, i);
      if (g_strcmp0 (g_dbus_proxy_get_object_path (G_DBUS_PROXY (tx)), path) == 0)
        arw_dbus_transaction_call_cancel (tx, G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
    }
}

static void
view_logs_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *param)
{
  arw_window_show_runtime (ARW_WINDOW (widget), g_variant_get_string (param, NULL), TRUE);
}

static void
show_bundle_action (GtkWidget *widget,
                    const char *action_name,
                    GVariant *param)
{
  arw_window_show_bundle (ARW_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
search_action (GtkWidget *widget,
               const char *action_name,
               GVariant *param)
{
  ArwWindow *self = ARW_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "catalog");
  gtk_toggle_button_set_active (self->search_button, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
back_action (GtkWidget *widget,
             const char *action_name,
             GVariant *param)
{
  ArwWindow *self = ARW_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
show_page_action (GtkWidget *widget,
                  const char *action_name,
                  GVariant *param)
{
  ArwWindow *self = ARW_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, g_variant_get_string (param, NULL));
}

static void
reload_cb (GObject *object,
           GAsyncResult *result,
           gpointer user_data)
{
  g_autoptr(ArwWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!arw_client_reload_finish (ARW_CLIENT (object), result, &error))
    _arw_window_show_error (self, _("Could not reload the catalogs"), error);
  _arw_window_reload_inventory (self);
}

static void
reload_action (GtkWidget *widget,
               const char *action_name,
               GVariant *param)
{
  ArwWindow *self = ARW_WINDOW (widget);
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  if (self->client == NULL)
    {
      if (app != NULL)
        g_action_group_activate_action (G_ACTION_GROUP (app), "reconnect", NULL);
      return;
    }
  arw_client_reload_async (self->client, self->cancellable, reload_cb, g_object_ref (self));
}

static void
import_action (GtkWidget *widget,
               const char *action_name,
               GVariant *param)
{
  ArwWindow *self = ARW_WINDOW (widget);
  GtkWindow *dialog;

  if (self->client == NULL)
    return;
  dialog = GTK_WINDOW (arw_import_dialog_new (GTK_WINDOW (self), self->client));
  gtk_window_present (dialog);
}

void
_arw_window_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.install", "s", install_action);
  gtk_widget_class_install_action (widget_class, "win.remove", "s", remove_action);
  gtk_widget_class_install_action (widget_class, "win.start", "s", start_action);
  gtk_widget_class_install_action (widget_class, "win.start-on", "(sss)", start_on_action);
  gtk_widget_class_install_action (widget_class, "win.try-cpu", "s", try_cpu_action);
  gtk_widget_class_install_action (widget_class, "win.stop", "s", stop_action);
  gtk_widget_class_install_action (widget_class, "win.restart", "s", restart_action);
  gtk_widget_class_install_action (widget_class, "win.rollback", "(ss)", rollback_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-transaction", "s", cancel_transaction_action);
  gtk_widget_class_install_action (widget_class, "win.view-logs", "s", view_logs_action);
  gtk_widget_class_install_action (widget_class, "win.show-bundle", "s", show_bundle_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.show-page", "s", "catalog");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.show-page", "s", "runtimes");
}
