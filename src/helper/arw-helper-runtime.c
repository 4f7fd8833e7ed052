/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-helper-runtime.h"

struct _ArwHelperRuntime {
  GObject parent_instance;

  ArwLauncherService *service; /* strong */
  ArwRuntime *runtime;         /* strong */
  ArwDBusObjectSkeleton *object;
  ArwDBusRuntime *iface;
  char *path;
};

G_DEFINE_FINAL_TYPE (ArwHelperRuntime, arw_helper_runtime, G_TYPE_OBJECT)

char *
arw_helper_runtime_path_for_id (const char *id)
{
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (id != NULL, NULL);

  escaped = g_dbus_escape_object_path (id);
  return g_strconcat (ARW_HELPER_RUNTIME_PATH_PREFIX, escaped, NULL);
}

static void
sync_budget (ArwHelperRuntime *self)
{
  ArwRestartBudget *budget = arw_runtime_get_restart_budget (self->runtime);
  gint64 now = g_get_monotonic_time ();
  gint64 reset_us = 0;

  arw_dbus_runtime_set_restart_budget_used (self->iface, arw_restart_budget_get_used_at (budget, now));
  arw_dbus_runtime_set_restart_budget_max (self->iface, arw_restart_budget_get_max_restarts (budget));
  if (!arw_restart_budget_get_reset_at (budget, now, &reset_us))
    reset_us = 0;
  arw_dbus_runtime_set_restart_budget_reset_at (self->iface, reset_us / G_USEC_PER_SEC);
}

static void
sync_info (ArwHelperRuntime *self)
{
  const char *id = arw_runtime_get_id (self->runtime);
  const ArwLauncherRuntimeInfo *info = arw_launcher_service_get_runtime_info (self->service, id);
  static const char *const none[] = { NULL };

  arw_dbus_runtime_set_family (self->iface, info != NULL ? info->family : id);
  arw_dbus_runtime_set_accelerator (self->iface, info != NULL ? info->accelerator : "");
  arw_dbus_runtime_set_device (self->iface, info != NULL && info->device != NULL ? info->device : "");
  arw_dbus_runtime_set_fallback_reason (self->iface,
                                        info != NULL && info->fallback_reason != NULL ? info->fallback_reason : "");
  arw_dbus_runtime_set_consent_state (self->iface, arw_consent_status_to_string (
                                        arw_launcher_service_get_consent_status (self->service, id)));
  arw_dbus_runtime_set_consent_modalities (self->iface,
                                           info != NULL ? (const char *const *) info->consent_modalities : none);
  arw_dbus_runtime_set_consent_note (self->iface,
                                     info != NULL && info->consent_note != NULL ? info->consent_note : "");
}

void
arw_helper_runtime_sync (ArwHelperRuntime *self)
{
  const ArwRuntimeStatus *status;
  guint port;
  GPid pid;
  g_autofree char *endpoint = NULL;

  g_return_if_fail (ARW_IS_HELPER_RUNTIME (self));

  status = arw_runtime_get_status (self->runtime);
  pid = arw_runtime_get_pid (self->runtime);
  port = arw_runtime_get_port (self->runtime);
  endpoint = pid > 0 && port > 0 ? g_strdup_printf ("http://127.0.0.1:%u", port) : g_strdup ("");
  g_object_freeze_notify (G_OBJECT (self->iface));
  arw_dbus_runtime_set_id (self->iface, arw_runtime_get_id (self->runtime));
  arw_dbus_runtime_set_name (self->iface, arw_runtime_get_name (self->runtime));
  arw_dbus_runtime_set_state (self->iface, arw_runtime_state_to_slug (status->state));
  arw_dbus_runtime_set_state_label (self->iface, arw_runtime_state_to_label (status->state));
  arw_dbus_runtime_set_severity (self->iface, arw_runtime_severity_to_slug (status->severity));
  arw_dbus_runtime_set_severity_label (self->iface, arw_runtime_severity_to_label (status->severity));
  arw_dbus_runtime_set_summary (self->iface, status->summary);
  arw_dbus_runtime_set_detail (self->iface, (const char *const *) status->detail);
  arw_dbus_runtime_set_pid (self->iface, (guint) MAX (pid, 0));
  arw_dbus_runtime_set_endpoint (self->iface, endpoint);
  arw_dbus_runtime_set_log_path (self->iface, arw_runtime_get_log_path (self->runtime));
  sync_budget (self);
  sync_info (self);
  g_object_thaw_notify (G_OBJECT (self->iface));
}

static void
runtime_notify_cb (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  arw_helper_runtime_sync (user_data);
}

static void
info_changed_cb (ArwLauncherService *service, const char *id, gpointer user_data)
{
  ArwHelperRuntime *self = user_data;

  if (g_strcmp0 (id, arw_runtime_get_id (self->runtime)) == 0)
    arw_helper_runtime_sync (self);
}

static void
arw_helper_runtime_dispose (GObject *object)
{
  ArwHelperRuntime *self = ARW_HELPER_RUNTIME (object);

  if (self->runtime != NULL)
    g_signal_handlers_disconnect_by_data (self->runtime, self);
  if (self->service != NULL)
    g_signal_handlers_disconnect_by_data (self->service, self);
  g_clear_object (&self->runtime);
  g_clear_object (&self->service);
  g_clear_object (&self->iface);
  g_clear_object (&self->object);

  G_OBJECT_CLASS (arw_helper_runtime_parent_class)->dispose (object);
}

static void
arw_helper_runtime_finalize (GObject *object)
{
  g_free (ARW_HELPER_RUNTIME (object)->path);
  G_OBJECT_CLASS (arw_helper_runtime_parent_class)->finalize (object);
}

static void
arw_helper_runtime_class_init (ArwHelperRuntimeClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = arw_helper_runtime_dispose;
  G_OBJECT_CLASS (klass)->finalize = arw_helper_runtime_finalize;
}

static void
arw_helper_runtime_init (ArwHelperRuntime *self)
{
}

ArwHelperRuntime *
arw_helper_runtime_new (ArwLauncherService *service, ArwRuntime *runtime)
{
  ArwHelperRuntime *self;

  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (service), NULL);
  g_return_val_if_fail (ARW_IS_RUNTIME (runtime), NULL);

  self = g_object_new (ARW_TYPE_HELPER_RUNTIME, NULL);
  self->service = g_object_ref (service);
  self->runtime = g_object_ref (runtime);
  self->path = arw_helper_runtime_path_for_id (arw_runtime_get_id (runtime));
  self->object = arw_dbus_object_skeleton_new (self->path);
  self->iface = arw_dbus_runtime_skeleton_new ();
  arw_dbus_object_skeleton_set_runtime (self->object, self->iface);
  arw_helper_runtime_sync (self);
  g_signal_connect (runtime, "notify::status", G_CALLBACK (runtime_notify_cb), self);
  g_signal_connect (runtime, "notify::pid", G_CALLBACK (runtime_notify_cb), self);
  g_signal_connect (runtime, "notify::port", G_CALLBACK (runtime_notify_cb), self);
  g_signal_connect (service, "runtime-info-changed", G_CALLBACK (info_changed_cb), self);
  return self;
}

ArwRuntime *
arw_helper_runtime_get_runtime (ArwHelperRuntime *self)
{
  g_return_val_if_fail (ARW_IS_HELPER_RUNTIME (self), NULL);
  return self->runtime;
}

ArwDBusObjectSkeleton *
arw_helper_runtime_get_object (ArwHelperRuntime *self)
{
  g_return_val_if_fail (ARW_IS_HELPER_RUNTIME (self), NULL);
  return self->object;
}

const char *
arw_helper_runtime_get_path (ArwHelperRuntime *self)
{
  g_return_val_if_fail (ARW_IS_HELPER_RUNTIME (self), NULL);
  return self->path;
}
