/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-user-prefs.h"

#include <glib-unix.h>
#include <signal.h>

#include "arw-group-watchdog.h"
#include "arw-helper-application.h"
#include "arw-helper-manager.h"
#include "arw-helper-runtime.h"
#include "arw-launcher-service.h"
#include "arw-paths.h"

struct _ArwHelperApplication {
  GApplication parent_instance;

  ArwLauncherService *service;
  ArwHelperManager *manager;
  GDBusObjectManagerServer *objects;
  GHashTable *runtimes;   /* id → ArwHelperRuntime */
  GHashTable *held;       /* ids of active runtimes holding the app */
  ArwGroupWatchdog *watchdog;
  gboolean never_idle;
  gboolean stopped;
  guint sigterm_source;
  guint sigint_source;
};

G_DEFINE_FINAL_TYPE (ArwHelperApplication, arw_helper_application, G_TYPE_APPLICATION)

/* ---- runtimes and holds -------------------------------------------- */

static void
sync_hold (ArwHelperApplication *self, ArwRuntime *runtime, gboolean active)
{
  const char *id = arw_runtime_get_id (runtime);

  if (active && !g_hash_table_contains (self->held, id))
    {
      g_hash_table_add (self->held, g_strdup (id));
      g_application_hold (G_APPLICATION (self));
    }
  else if (!active && g_hash_table_remove (self->held, id))
    g_application_release (G_APPLICATION (self));
}

static void
runtime_active_cb (ArwRuntime *runtime, GParamSpec *pspec, gpointer user_data)
{
  sync_hold (user_data, runtime, arw_runtime_is_active (runtime));
}

/* Tells the watchdog which process groups to kill should we die. */
static void
runtime_pid_cb (ArwRuntime *runtime, GParamSpec *pspec, gpointer user_data)
{
  ArwHelperApplication *self = user_data;
  GPid old = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (runtime), "arw-watchdog-pgid"));
  GPid pid = arw_runtime_get_pid (runtime);

  if (self->watchdog == NULL || old == pid)
    return;
  if (old > 0)
    arw_group_watchdog_remove (self->watchdog, old);
  if (pid > 0)
    arw_group_watchdog_add (self->watchdog, pid);
  g_object_set_data (G_OBJECT (runtime), "arw-watchdog-pgid", GINT_TO_POINTER (pid));
}

static void
runtime_added_cb (ArwSupervisor *supervisor, ArwRuntime *runtime, gpointer user_data)
{
  ArwHelperApplication *self = user_data;
  g_autoptr(ArwHelperRuntime) object = arw_helper_runtime_new (self->service, runtime);

  g_dbus_object_manager_server_export (self->objects,
                                       G_DBUS_OBJECT_SKELETON (arw_helper_runtime_get_object (object)));
  g_hash_table_replace (self->runtimes, g_strdup (arw_runtime_get_id (runtime)), g_object_ref (object));
  g_signal_connect_object (runtime, "notify::active", G_CALLBACK (runtime_active_cb), self, 0);
  g_signal_connect_object (runtime, "notify::pid", G_CALLBACK (runtime_pid_cb), self, 0);
  sync_hold (self, runtime, arw_runtime_is_active (runtime));
}

static void
runtime_removed_cb (ArwSupervisor *supervisor, ArwRuntime *runtime, gpointer user_data)
{
  ArwHelperApplication *self = user_data;
  ArwHelperRuntime *object = g_hash_table_lookup (self->runtimes, arw_runtime_get_id (runtime));

  g_signal_handlers_disconnect_by_data (runtime, self);
  sync_hold (self, runtime, FALSE);
  if (object != NULL)
    {
      g_dbus_object_manager_server_unexport (self->objects, arw_helper_runtime_get_path (object));
      g_hash_table_remove (self->runtimes, arw_runtime_get_id (runtime));
    }
}

/* ---- stopping ------------------------------------------------------- */

/* Stops every runtime (bounded wait) once, then quits. */
static void
stop_and_quit (ArwHelperApplication *self)
{
  if (!self->stopped && self->service != NULL)
    {
      self->stopped = TRUE;
      arw_launcher_service_stop (self->service);
    }
  g_application_quit (G_APPLICATION (self));
}

static gboolean
unix_signal_cb (gpointer user_data)
{
  ArwHelperApplication *self = user_data;

  g_message ("signal received: stopping runtimes");
  stop_and_quit (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
name_lost_cb (GApplication *app)
{
  g_message ("lost the bus name %s: stopping runtimes", ARW_HELPER_BUS_NAME);
  stop_and_quit (ARW_HELPER_APPLICATION (app));
  return TRUE;
}

/* ---- GApplication --------------------------------------------------- */

static ArwGroupWatchdog *
start_watchdog (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", &error);
  ArwGroupWatchdog *watchdog = exe != NULL ? arw_group_watchdog_new (exe, &error) : NULL;

  if (watchdog == NULL)
    g_warning ("no process-group watchdog (%s): a runtime's children may outlive a killed helper",
               error->message);
  return watchdog;
}

static gboolean
arw_helper_application_dbus_register (GApplication *app, GDBusConnection *connection,
                                      const char *object_path, GError **error)
{
  ArwHelperApplication *self = ARW_HELPER_APPLICATION (app);
  ArwSupervisor *supervisor;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *state_dir = arw_paths_state_dir ();

  if (!G_APPLICATION_CLASS (arw_helper_application_parent_class)->dbus_register (app, connection,
                                                                                 object_path, error))
    return FALSE;

  self->watchdog = start_watchdog ();
  self->service = arw_launcher_service_new (state_dir, arw_user_prefs_posture ());
  self->objects = g_dbus_object_manager_server_new (ARW_HELPER_OBJECT_PATH);
  supervisor = arw_launcher_service_get_supervisor (self->service);
  g_signal_connect (supervisor, "runtime-added", G_CALLBACK (runtime_added_cb), self);
  g_signal_connect (supervisor, "runtime-removed", G_CALLBACK (runtime_removed_cb), self);
  if (!arw_launcher_service_start (self->service, &local_error))
    g_warning ("reading installed bundles failed: %s", local_error->message);

  self->manager = arw_helper_manager_new (self->service, app, self->objects);
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (self->manager), connection,
                                         ARW_HELPER_OBJECT_PATH, error))
    return FALSE;
  g_dbus_object_manager_server_set_connection (self->objects, connection);
  g_debug ("serving %s for state dir %s", ARW_HELPER_BUS_NAME, state_dir);
  return TRUE;
}

static void
arw_helper_application_dbus_unregister (GApplication *app, GDBusConnection *connection,
                                        const char *object_path)
{
  ArwHelperApplication *self = ARW_HELPER_APPLICATION (app);

  if (self->manager != NULL)
    g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (self->manager));
  if (self->objects != NULL)
    g_dbus_object_manager_server_set_connection (self->objects, NULL);

  G_APPLICATION_CLASS (arw_helper_application_parent_class)->dbus_unregister (app, connection, object_path);
}

static void
arw_helper_application_startup (GApplication *app)
{
  ArwHelperApplication *self = ARW_HELPER_APPLICATION (app);

  G_APPLICATION_CLASS (arw_helper_application_parent_class)->startup (app);

  self->sigterm_source = g_unix_signal_add (SIGTERM, unix_signal_cb, self);
  self->sigint_source = g_unix_signal_add (SIGINT, unix_signal_cb, self);
  if (self->never_idle)
    g_application_hold (app);
}

static void
arw_helper_application_shutdown (GApplication *app)
{
  ArwHelperApplication *self = ARW_HELPER_APPLICATION (app);

  if (!self->stopped && self->service != NULL)
    {
      self->stopped = TRUE;
      arw_launcher_service_stop (self->service);
    }
  g_clear_handle_id (&self->sigterm_source, g_source_remove);
  g_clear_handle_id (&self->sigint_source, g_source_remove);

  G_APPLICATION_CLASS (arw_helper_application_parent_class)->shutdown (app);
}

static void
arw_helper_application_dispose (GObject *object)
{
  ArwHelperApplication *self = ARW_HELPER_APPLICATION (object);

  if (self->service != NULL)
    g_signal_handlers_disconnect_by_data (arw_launcher_service_get_supervisor (self->service), self);
  g_clear_pointer (&self->runtimes, g_hash_table_unref);
  g_clear_object (&self->manager);
  g_clear_object (&self->objects);
  g_clear_object (&self->service);
  g_clear_pointer (&self->held, g_hash_table_unref);
  g_clear_pointer (&self->watchdog, arw_group_watchdog_free);

  G_OBJECT_CLASS (arw_helper_application_parent_class)->dispose (object);
}

static void
arw_helper_application_class_init (ArwHelperApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = arw_helper_application_dispose;
  app_class->dbus_register = arw_helper_application_dbus_register;
  app_class->dbus_unregister = arw_helper_application_dbus_unregister;
  app_class->startup = arw_helper_application_startup;
  app_class->shutdown = arw_helper_application_shutdown;
  app_class->name_lost = name_lost_cb;
}

static void
arw_helper_application_init (ArwHelperApplication *self)
{
  self->runtimes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->held = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static guint
idle_timeout_from_env (gboolean *never)
{
  const char *value = g_getenv ("ARW_HELPER_IDLE_TIMEOUT_MS");
  guint64 ms = ARW_HELPER_DEFAULT_IDLE_TIMEOUT_MS;

  if (value != NULL && *value != '\0' && !g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT, &ms, NULL))
    {
      g_warning ("ignoring ARW_HELPER_IDLE_TIMEOUT_MS=%s: expected milliseconds", value);
      ms = ARW_HELPER_DEFAULT_IDLE_TIMEOUT_MS;
    }
  *never = ms == 0;
  return (guint) ms;
}

ArwHelperApplication *
arw_helper_application_new (void)
{
  gboolean never = FALSE;
  guint timeout = idle_timeout_from_env (&never);
  ArwHelperApplication *self;

  self = g_object_new (ARW_TYPE_HELPER_APPLICATION,
                       "application-id", ARW_HELPER_BUS_NAME,
                       "flags", G_APPLICATION_IS_SERVICE | G_APPLICATION_ALLOW_REPLACEMENT,
                       "inactivity-timeout", timeout,
                       NULL);
  self->never_idle = never;
  return self;
}
