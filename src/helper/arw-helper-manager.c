/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-json-writer.h"
#include "arw-user-prefs.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "arw-error.h"
#include "arw-helper-manager.h"
#include "arw-helper-runtime.h"
#include "arw-catalog.h"
#include "arw-helper-transaction.h"
#include "arw-installer.h"
#include "arw-paths.h"
#include "arw-signer-registry.h"
#include "arw-store.h"

struct _ArwHelperManager {
  ArwDBusManagerSkeleton parent_instance;

  ArwLauncherService *service;      /* strong */
  GApplication *app;                /* unowned, outlives us */
  GDBusObjectManagerServer *objects; /* unowned */
  gulong event_handler;
};

static void manager_iface_init (ArwDBusManagerIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ArwHelperManager, arw_helper_manager, ARW_DBUS_TYPE_MANAGER_SKELETON,
                               G_IMPLEMENT_INTERFACE (ARW_DBUS_TYPE_MANAGER, manager_iface_init))

/* ---- validation ------------------------------------------------------ */

gboolean
arw_helper_validate_string (const char *what, const char *value, gsize max_bytes, GError **error)
{
  gsize len = value != NULL ? strlen (value) : 0;

  if (value == NULL || len > max_bytes || !g_utf8_validate (value, (gssize) len, NULL))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "%s must be valid UTF-8 of at most %" G_GSIZE_FORMAT " bytes", what, max_bytes);
      return FALSE;
    }
  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_iscntrl (c) || c == 0x2028 || c == 0x2029)
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                       "%s contains the control character U+%04X", what, c);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
arw_helper_validate_id (const char *what, const char *id, GError **error)
{
  if (id == NULL || *id == '\0')
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "%s must not be empty", what);
      return FALSE;
    }
  if (!arw_helper_validate_string (what, id, ARW_HELPER_MAX_ID_BYTES, error))
    return FALSE;
  if (strstr (id, "..") != NULL || id[0] == '/' || id[0] == ' ')
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "%s must not start with \"/\" or a space, nor contain \"..\"", what);
      return FALSE;
    }
  return TRUE;
}

gboolean
arw_helper_check_options (GVariant *options, const char *const *keys, const char *const *types, GError **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_return_val_if_fail (options != NULL, FALSE);

  g_variant_iter_init (&iter, options);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      g_autoptr(GVariant) owned = value;
      guint i;

      for (i = 0; keys != NULL && keys[i] != NULL; i++)
        if (g_str_equal (keys[i], key))
          break;
      if (keys == NULL || keys[i] == NULL)
        {
          g_autofree char *shown = g_utf8_make_valid (key, MIN (strlen (key), 64));
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "unknown option key “%s”", shown);
          return FALSE;
        }
      if (!g_variant_is_of_type (owned, G_VARIANT_TYPE (types[i])))
        {
          g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                       "option “%s” must be of type %s, not %s", key, types[i], g_variant_get_type_string (owned));
          return FALSE;
        }
      if (g_variant_is_of_type (owned, G_VARIANT_TYPE_STRING) &&
          !arw_helper_validate_string (key, g_variant_get_string (owned, NULL), ARW_HELPER_MAX_STRING_BYTES, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_no_options (GVariant *options, GError **error)
{
  return arw_helper_check_options (options, NULL, NULL, error);
}

/* ---- replies -------------------------------------------------------- */

static void
return_error (GDBusMethodInvocation *invocation, GError *error)
{
  if (error->domain == G_DBUS_ERROR)
    {
      g_dbus_method_invocation_return_gerror (invocation, error);
      return;
    }
  {
    g_autoptr(GError) converted = arw_error_convert (error);
    g_dbus_method_invocation_return_gerror (invocation, converted);
  }
}

static char *
node_to_text (JsonNode *node)
{
  /* Sorted keys, serde-style numbers: the same text as the CLI's --json. */
  return arw_json_to_string (node, FALSE);
}

/* Replies to a method whose only out argument is JSON text (s). */
static void
return_json (GDBusMethodInvocation *invocation, JsonNode *node, GError *error)
{
  g_autofree char *text = NULL;

  if (node == NULL)
    {
      return_error (invocation, error);
      return;
    }
  text = node_to_text (node);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(s)", text));
}

/* ---- callers -------------------------------------------------------- */

typedef void (*AuthorizedFunc) (ArwHelperManager *self, GDBusMethodInvocation *invocation, gpointer data);

typedef struct {
  ArwHelperManager *self;            /* strong */
  GDBusMethodInvocation *invocation; /* strong */
  char *action;
  gboolean manage;
  AuthorizedFunc func;
  gpointer data;
  GDestroyNotify destroy;
} AuthCall;

static void
auth_call_free (AuthCall *call)
{
  if (call->destroy != NULL && call->data != NULL)
    call->destroy (call->data);
  g_application_release (call->self->app);
  g_object_unref (call->invocation);
  g_object_unref (call->self);
  g_free (call->action);
  g_free (call);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AuthCall, auth_call_free)

/* Reads [Application] name= from /proc/<pid>/root/.flatpak-info. FALSE
 * when the answer cannot be known (the process is gone, /proc hidden). */
static gboolean
inspect_process (guint32 pid, gboolean *out_sandboxed, char **out_app_id)
{
  g_autofree char *root = g_strdup_printf ("/proc/%u/root", pid);
  g_autofree char *info = g_build_filename (root, ".flatpak-info", NULL);
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  struct stat st;

  *out_sandboxed = FALSE;
  *out_app_id = NULL;
  if (stat (root, &st) != 0)
    return FALSE;
  if (lstat (info, &st) != 0)
    return errno == ENOENT;
  *out_sandboxed = TRUE;
  if (S_ISREG (st.st_mode) && g_key_file_load_from_file (keys, info, G_KEY_FILE_NONE, NULL))
    *out_app_id = g_key_file_get_string (keys, "Application", "name", NULL);
  return TRUE;
}

static void
credentials_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(AuthCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_autoptr(GVariant) creds = NULL;
  g_autofree char *app_id = NULL;
  ArwPolicy *policy = arw_launcher_service_get_policy (call->self->service);
  gboolean sandboxed = FALSE;
  guint32 pid = 0;
  gboolean ok;

  if (reply != NULL)
    creds = g_variant_get_child_value (reply, 0);
  /* Fail closed: no pid, or a process we cannot inspect, is denied. */
  if (creds == NULL || !g_variant_lookup (creds, "ProcessID", "u", &pid) ||
      !inspect_process (pid, &sandboxed, &app_id))
    {
      g_autoptr(GError) denied = g_error_new (ARW_ERROR, ARW_ERROR_PERMISSION_DENIED,
                                              "cannot identify the caller of %s: denied", call->action);
      return_error (call->invocation, denied);
      return;
    }
  if (call->manage)
    ok = arw_policy_check_manage (policy, call->action, sandboxed,
                                  g_strcmp0 (app_id, ARW_POLICY_OUR_APP_ID) == 0, &error);
  else
    ok = arw_policy_check_caller (policy, call->action, sandboxed,
                                  g_strcmp0 (app_id, ARW_POLICY_OUR_APP_ID) == 0, &error);
  if (!ok)
    {
      return_error (call->invocation, error);
      return;
    }
  call->func (call->self, call->invocation, call->data);
}

/* Identifies the caller from the bus (per call, never cached), applies
 * the policy gate and then runs func. */
static void
authorize (ArwHelperManager *self, GDBusMethodInvocation *invocation, const char *action, gboolean manage,
           AuthorizedFunc func, gpointer data, GDestroyNotify destroy)
{
  AuthCall *call = g_new0 (AuthCall, 1);

  call->self = g_object_ref (self);
  call->invocation = g_object_ref (invocation);
  call->action = g_strdup (action);
  call->manage = manage;
  call->func = func;
  call->data = data;
  call->destroy = destroy;
  g_application_hold (self->app);
  g_dbus_connection_call (g_dbus_method_invocation_get_connection (invocation),
                          "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                          "GetConnectionCredentials",
                          g_variant_new ("(s)", g_dbus_method_invocation_get_sender (invocation)),
                          G_VARIANT_TYPE ("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          credentials_cb, call);
}

/* ---- read-only calls ------------------------------------------------ */

/* Every call restarts the idle timer (in the main thread: GApplication's
 * use count is not thread-safe, so not from g-authorize-method). */
static void
touch (ArwDBusManager *iface)
{
  GApplication *app = ARW_HELPER_MANAGER (iface)->app;

  g_application_hold (app);
  g_application_release (app);
}

/* A reference to invocation that remembers its manager, for async replies. */
static GDBusMethodInvocation *
track (ArwHelperManager *self, GDBusMethodInvocation *invocation)
{
  g_object_set_data_full (G_OBJECT (invocation), "arw-helper-manager", g_object_ref (self), g_object_unref);
  return g_object_ref (invocation);
}

static void
inventory_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  ArwHelperManager *self = g_object_get_data (G_OBJECT (invocation), "arw-helper-manager");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = arw_launcher_service_get_inventory_finish (ARW_LAUNCHER_SERVICE (source), result, &error);

  return_json (invocation, node, error);
  g_application_release (self->app);
}

static gboolean
handle_get_inventory (ArwDBusManager *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  ArwHelperManager *self = ARW_HELPER_MANAGER (iface);
  g_autoptr(GError) error = NULL;

  touch (iface);

  if (!check_no_options (options, &error))
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  g_application_hold (self->app);
  arw_launcher_service_get_inventory_async (self->service, NULL, inventory_done_cb, track (self, invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_status (ArwDBusManager *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  ArwHelperManager *self = ARW_HELPER_MANAGER (iface);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  touch (iface);

  if (!check_no_options (options, &error))
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  node = arw_supervisor_snapshot (arw_launcher_service_get_supervisor (self->service));
  text = node_to_text (node);
  arw_dbus_manager_complete_get_status (iface, invocation, text);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
hardware_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  ArwHelperManager *self = g_object_get_data (G_OBJECT (invocation), "arw-helper-manager");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = arw_launcher_service_get_hardware_finish (ARW_LAUNCHER_SERVICE (source), result, &error);

  return_json (invocation, node, error);
  g_application_release (self->app);
}

static gboolean
handle_get_hardware (ArwDBusManager *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  ArwHelperManager *self = ARW_HELPER_MANAGER (iface);
  g_autoptr(GError) error = NULL;

  touch (iface);

  if (!check_no_options (options, &error))
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  g_application_hold (self->app);
  arw_launcher_service_get_hardware_async (self->service, NULL, hardware_done_cb, track (self, invocation));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_reload (ArwDBusManager *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  ArwHelperManager *self = ARW_HELPER_MANAGER (iface);
  g_autoptr(GError) error = NULL;

  touch (iface);

  if (!check_no_options (options, &error) || !arw_launcher_service_reload (self->service, &error))
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  arw_dbus_manager_complete_reload (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_list_consents (ArwDBusManager *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  ArwHelperManager *self = ARW_HELPER_MANAGER (iface);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  touch (iface);

  if (!check_no_options (options, &error))
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  node = arw_launcher_service_list_consents (self->service);
  text = node_to_text (node);
  arw_dbus_manager_complete_list_consents (iface, invocation, text);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_events (ArwDBusManager *iface, GDBusMethodInvocation *invocation, const char *prefix, guint64 after_id)
{
  ArwHelperManager *self = ARW_HELPER_MANAGER (iface);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  touch (iface);

  if (!arw_helper_validate_string ("prefix", prefix, ARW_HELPER_MAX_ID_BYTES, &error))
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  events = arw_event_bus_get_replay (arw_launcher_service_get_event_bus (self->service), after_id);
  json_builder_begin_array (b);
  for (guint i = 0; i < events->len; i++)
    {
      ArwEvent *event = g_ptr_array_index (events, i);
      if (g_str_has_prefix (arw_event_get_topic (event), prefix))
        json_builder_add_value (b, arw_event_to_json (event));
    }
  json_builder_end_array (b);
  node = json_builder_get_root (b);
  text = node_to_text (node);
  arw_dbus_manager_complete_get_events (iface, invocation, text);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- restore and shutdown ------------------------------------------ */

typedef struct {
  char *id;
  gboolean no_restart;
  char *preset;
  char *accelerator;
  char *device;
} RestoreArgs;

static void
restore_args_free (RestoreArgs *args)
{
  g_free (args->id);
  g_free (args->preset);
  g_free (args->accelerator);
  g_free (args->device);
  g_free (args);
}

static void
restore_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  ArwHelperManager *self = g_object_get_data (G_OBJECT (invocation), "arw-helper-manager");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(ArwRuntime) runtime = arw_launcher_service_restore_finish (ARW_LAUNCHER_SERVICE (source), result,
                                                                       &node, &error);

  if (runtime == NULL)
    return_error (invocation, error);
  else
    {
      g_autofree char *path = arw_helper_runtime_path_for_id (arw_runtime_get_id (runtime));
      g_autofree char *text = node_to_text (node);
      arw_dbus_manager_complete_restore (ARW_DBUS_MANAGER (self), invocation, path, text);
    }
  g_application_release (self->app);
}

static void
restore_authorized (ArwHelperManager *self, GDBusMethodInvocation *invocation, gpointer data)
{
  RestoreArgs *args = data;
  ArwServiceRestoreOptions options = { args->no_restart, args->preset, args->accelerator, args->device };

  g_application_hold (self->app);
  arw_launcher_service_restore_async (self->service, args->id, &options, NULL, restore_done_cb,
                                      track (self, invocation));
}

static gboolean
handle_restore (ArwDBusManager *iface, GDBusMethodInvocation *invocation, const char *id, GVariant *options)
{
  static const char *const keys[] = { "no-restart", "preset", "accelerator", "device", NULL };
  static const char *const types[] = { "b", "s", "s", "s", NULL };
  ArwHelperManager *self = ARW_HELPER_MANAGER (iface);
  g_autoptr(GError) error = NULL;
  RestoreArgs *args;

  touch (iface);

  if (!arw_helper_validate_id ("runtime id", id, &error) ||
      !arw_helper_check_options (options, keys, types, &error))
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  args = g_new0 (RestoreArgs, 1);
  args->id = g_strdup (id);
  g_variant_lookup (options, "no-restart", "b", &args->no_restart);
  g_variant_lookup (options, "preset", "s", &args->preset);
  g_variant_lookup (options, "accelerator", "s", &args->accelerator);
  g_variant_lookup (options, "device", "s", &args->device);
  if (args->accelerator != NULL && !g_strv_contains ((const char *const[]){ "auto", "cpu", "gpu", NULL },
                                                     args->accelerator))
    {
      restore_args_free (args);
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "option “accelerator” must be auto, cpu or gpu");
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  authorize (self, invocation, "runtime.supervisor.restore", TRUE, restore_authorized, args,
             (GDestroyNotify) restore_args_free);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
shutdown_authorized (ArwHelperManager *self, GDBusMethodInvocation *invocation, gpointer data)
{
  g_autoptr(GError) error = NULL;

  if (!arw_launcher_service_shutdown (self->service, data, &error))
    return_error (invocation, error);
  else
    arw_dbus_manager_complete_shutdown (ARW_DBUS_MANAGER (self), invocation);
}

static gboolean
handle_shutdown (ArwDBusManager *iface, GDBusMethodInvocation *invocation, const char *id, GVariant *options)
{
  g_autoptr(GError) error = NULL;

  touch (iface);

  if (!arw_helper_validate_id ("runtime id", id, &error) || !check_no_options (options, &error))
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  authorize (ARW_HELPER_MANAGER (iface), invocation, "runtime.supervisor.shutdown", TRUE,
             shutdown_authorized, g_strdup (id), g_free);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- consent -------------------------------------------------------- */

typedef struct {
  char *bundle_id;
  GStrv modalities;
  ArwConsentScope scope;
  gboolean grant;
} ConsentArgs;

static void
consent_args_free (ConsentArgs *args)
{
  g_free (args->bundle_id);
  g_strfreev (args->modalities);
  g_free (args);
}

static void
consent_authorized (ArwHelperManager *self, GDBusMethodInvocation *invocation, gpointer data)
{
  ConsentArgs *args = data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (args->grant)
    ok = arw_launcher_service_grant_consent (self->service, args->bundle_id,
                                             (const char *const *) args->modalities, args->scope, &error);
  else
    ok = arw_launcher_service_revoke_consent (self->service, args->bundle_id,
                                              (const char *const *) args->modalities, &error);
  if (!ok)
    return_error (invocation, error);
  else if (args->grant)
    arw_dbus_manager_complete_grant_consent (ARW_DBUS_MANAGER (self), invocation);
  else
    arw_dbus_manager_complete_revoke_consent (ARW_DBUS_MANAGER (self), invocation);
}

static gboolean
validate_modalities (const char *const *modalities, GError **error)
{
  for (guint i = 0; modalities[i] != NULL; i++)
    if (!g_strv_contains ((const char *const[]){ "text", "audio", "vision", NULL }, modalities[i]))
      {
        g_autofree char *shown = g_utf8_make_valid (modalities[i], MIN (strlen (modalities[i]), 32));
        g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                     "unknown modality “%s”: expected text, audio or vision", shown);
        return FALSE;
      }
  return TRUE;
}

static void
consent_call (ArwHelperManager *self, GDBusMethodInvocation *invocation, const char *bundle_id,
              const char *const *modalities, const char *scope, GVariant *options)
{
  g_autoptr(GError) error = NULL;
  ConsentArgs *args;

  if (!arw_helper_validate_id ("bundle id", bundle_id, &error) ||
      !validate_modalities (modalities, &error) || !check_no_options (options, &error))
    {
      return_error (invocation, error);
      return;
    }
  if (scope != NULL && !g_str_equal (scope, "once") && !g_str_equal (scope, "always"))
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "scope must be “once” or “always”");
      return;
    }
  args = g_new0 (ConsentArgs, 1);
  args->bundle_id = g_strdup (bundle_id);
  args->modalities = g_strdupv ((char **) modalities);
  args->grant = scope != NULL;
  args->scope = g_strcmp0 (scope, "once") == 0 ? ARW_CONSENT_SCOPE_ONCE : ARW_CONSENT_SCOPE_ALWAYS;
  authorize (self, invocation, args->grant ? "consent.grant" : "consent.revoke", FALSE,
             consent_authorized, args, (GDestroyNotify) consent_args_free);
}

static gboolean
handle_grant_consent (ArwDBusManager *iface, GDBusMethodInvocation *invocation, const char *bundle_id,
                      const char *const *modalities, const char *scope, GVariant *options)
{
  touch (iface);
  consent_call (ARW_HELPER_MANAGER (iface), invocation, bundle_id, modalities, scope, options);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_revoke_consent (ArwDBusManager *iface, GDBusMethodInvocation *invocation, const char *bundle_id,
                       const char *const *modalities, GVariant *options)
{
  touch (iface);
  consent_call (ARW_HELPER_MANAGER (iface), invocation, bundle_id, modalities, NULL, options);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- admin token and leases ---------------------------------------- */

static void
token_authorized (ArwHelperManager *self, GDBusMethodInvocation *invocation, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *token = arw_policy_persist_admin_token (arw_launcher_service_get_policy (self->service), &error);

  if (token == NULL)
    return_error (invocation, error);
  else
    arw_dbus_manager_complete_persist_admin_token (ARW_DBUS_MANAGER (self), invocation, token);
}

static gboolean
handle_persist_admin_token (ArwDBusManager *iface, GDBusMethodInvocation *invocation, GVariant *options)
{
  g_autoptr(GError) error = NULL;

  touch (iface);

  if (!check_no_options (options, &error))
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  authorize (ARW_HELPER_MANAGER (iface), invocation, "admin.token.persist", FALSE, token_authorized, NULL, NULL);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

typedef struct {
  char *capability;
  guint ttl_secs;
  char *token;
} LeaseArgs;

static void
lease_args_free (LeaseArgs *args)
{
  g_free (args->capability);
  if (args->token != NULL)
    memset (args->token, 0, strlen (args->token));
  g_free (args->token);
  g_free (args);
}

static void
lease_authorized (ArwHelperManager *self, GDBusMethodInvocation *invocation, gpointer data)
{
  LeaseArgs *args = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwLease) lease = arw_policy_request_lease (arw_launcher_service_get_policy (self->service),
                                                        args->capability, args->ttl_secs, args->token, &error);
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  if (lease == NULL)
    {
      return_error (invocation, error);
      return;
    }
  node = arw_lease_to_json (lease);
  text = node_to_text (node);
  arw_dbus_manager_complete_request_lease (ARW_DBUS_MANAGER (self), invocation, text);
}

static gboolean
handle_request_lease (ArwDBusManager *iface, GDBusMethodInvocation *invocation, const char *capability,
                      guint ttl_secs, const char *admin_token, GVariant *options)
{
  g_autoptr(GError) error = NULL;
  LeaseArgs *args;

  touch (iface);

  if (!arw_helper_validate_id ("capability", capability, &error) ||
      !arw_helper_validate_string ("admin token", admin_token, ARW_HELPER_MAX_ID_BYTES, &error) ||
      !check_no_options (options, &error))
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  args = g_new0 (LeaseArgs, 1);
  args->capability = g_strdup (capability);
  args->ttl_secs = ttl_secs;
  args->token = g_strdup (admin_token);
  authorize (ARW_HELPER_MANAGER (iface), invocation, "leases.create", FALSE, lease_authorized, args,
             (GDestroyNotify) lease_args_free);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- store: rollback and remove ------------------------------------ */

typedef struct {
  char *bundle_id;
  char *revision;
  gboolean dry_run;
  gboolean list;
  gboolean remove;
  char *root; /* set when the operation is handed to a worker thread */
} StoreArgs;

static void
store_args_free (StoreArgs *args)
{
  g_free (args->bundle_id);
  g_free (args->revision);
  g_free (args->root);
  g_free (args);
}

static StoreArgs *
store_args_copy (const StoreArgs *args, const char *root)
{
  StoreArgs *copy = g_memdup2 (args, sizeof *args);

  copy->bundle_id = g_strdup (args->bundle_id);
  copy->revision = g_strdup (args->revision);
  copy->root = g_strdup (root);
  return copy;
}

static gboolean
refuse_if_active (ArwHelperManager *self, const char *bundle_id, GError **error)
{
  ArwRuntime *runtime = arw_supervisor_lookup (arw_launcher_service_get_supervisor (self->service), bundle_id);

  if (runtime == NULL || !arw_runtime_is_active (runtime))
    return TRUE;
  g_set_error (error, ARW_ERROR, ARW_ERROR_BUSY,
               "runtime %s is running: stop it with `arw-runtime shutdown %s` first", bundle_id, bundle_id);
  return FALSE;
}

/* Runs in a worker thread: deleting a removed multi-GiB bundle must not
 * stall the helper's main loop (health probes, other callers). */
static JsonNode *
run_store_op (const StoreArgs *args, GError **error)
{
  g_autoptr(ArwStore) store = arw_store_open (args->root, error);
  g_autoptr(ArwStoreRollbackResult) rollback = NULL;
  g_autoptr(GPtrArray) revisions = NULL;

  if (store == NULL)
    return NULL;
  if (args->list)
    {
      revisions = arw_store_list_revisions (store, args->bundle_id, error);
      return revisions != NULL ? arw_store_history_to_json (args->bundle_id, revisions) : NULL;
    }
  if (args->remove)
    return arw_store_remove (store, args->bundle_id, error) ? json_node_new (JSON_NODE_NULL) : NULL;
  if (!arw_store_rollback (store, args->bundle_id, args->revision, args->dry_run, &rollback, error))
    return NULL;
  return arw_store_rollback_result_to_json (rollback);
}

static void
store_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = run_store_op (task_data, &error);

  if (node == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

static void
store_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  ArwHelperManager *self = ARW_HELPER_MANAGER (source);
  const StoreArgs *args = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *text = NULL;

  g_application_release (self->app);
  if (node == NULL)
    {
      return_error (invocation, error);
      return;
    }
  if (!args->list && !args->dry_run && !arw_launcher_service_reload (self->service, &error))
    g_warning ("reload after %s failed: %s", args->remove ? "remove" : "rollback", error->message);
  if (args->remove)
    {
      arw_dbus_manager_complete_remove (ARW_DBUS_MANAGER (self), invocation);
      return;
    }
  text = node_to_text (node);
  arw_dbus_manager_complete_rollback (ARW_DBUS_MANAGER (self), invocation, text);
}

static void
store_authorized (ArwHelperManager *self, GDBusMethodInvocation *invocation, gpointer data)
{
  StoreArgs *args = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;

  if (!args->list && !args->dry_run && !refuse_if_active (self, args->bundle_id, &error))
    {
      return_error (invocation, error);
      return;
    }
  task = g_task_new (self, NULL, store_done_cb, g_object_ref (invocation));
  g_task_set_source_tag (task, store_authorized);
  g_task_set_task_data (task, store_args_copy (args, arw_launcher_service_get_bundle_root (self->service)),
                        (GDestroyNotify) store_args_free);
  g_application_hold (self->app);
  g_task_run_in_thread (task, store_thread);
}

static gboolean
handle_rollback (ArwDBusManager *iface, GDBusMethodInvocation *invocation, const char *bundle_id,
                 GVariant *options)
{
  static const char *const keys[] = { "revision", "dry-run", "list", NULL };
  static const char *const types[] = { "s", "b", "b", NULL };
  g_autoptr(GError) error = NULL;
  StoreArgs *args;

  touch (iface);

  if (!arw_helper_validate_id ("bundle id", bundle_id, &error) ||
      !arw_helper_check_options (options, keys, types, &error))
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  args = g_new0 (StoreArgs, 1);
  args->bundle_id = g_strdup (bundle_id);
  g_variant_lookup (options, "revision", "s", &args->revision);
  g_variant_lookup (options, "dry-run", "b", &args->dry_run);
  g_variant_lookup (options, "list", "b", &args->list);
  authorize (ARW_HELPER_MANAGER (iface), invocation, "runtime.bundles.rollback", !args->list,
             store_authorized, args, (GDestroyNotify) store_args_free);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_remove (ArwDBusManager *iface, GDBusMethodInvocation *invocation, const char *bundle_id,
               GVariant *options)
{
  g_autoptr(GError) error = NULL;
  StoreArgs *args;

  touch (iface);

  if (!arw_helper_validate_id ("bundle id", bundle_id, &error) || !check_no_options (options, &error))
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  args = g_new0 (StoreArgs, 1);
  args->bundle_id = g_strdup (bundle_id);
  args->remove = TRUE;
  authorize (ARW_HELPER_MANAGER (iface), invocation, "runtime.bundles.remove", TRUE,
             store_authorized, args, (GDestroyNotify) store_args_free);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- install and import -------------------------------------------- */

#define TRANSACTION_LINGER_S 30

typedef struct {
  GStrv bundle_ids;
  GStrv paths;
  GStrv catalog_dirs;
  GStrv kinds;
  GStrv formats;
  char *metadata;
  gboolean import;
  gboolean force;
  gboolean dry_run;
  gboolean no_extract;
} InstallArgs;

static void
install_args_free (InstallArgs *args)
{
  g_strfreev (args->bundle_ids);
  g_strfreev (args->paths);
  g_strfreev (args->catalog_dirs);
  g_strfreev (args->kinds);
  g_strfreev (args->formats);
  g_free (args->metadata);
  g_free (args);
}

typedef struct {
  ArwHelperManager *self;            /* strong */
  ArwHelperTransaction *transaction; /* strong */
  ArwInstaller *installer;           /* strong */
  GStrv keep_alive;                  /* option strings the installer borrows */
  InstallArgs *args;
} InstallRun;

static void
install_run_free (InstallRun *run)
{
  g_clear_object (&run->installer);
  g_clear_object (&run->transaction);
  g_clear_pointer (&run->args, install_args_free);
  g_application_release (run->self->app);
  g_clear_object (&run->self);
  g_free (run);
}

static gboolean
unexport_transaction_cb (gpointer user_data)
{
  ArwHelperTransaction *transaction = user_data;
  GDBusObjectManagerServer *objects = g_object_get_data (G_OBJECT (transaction), "arw-objects");

  g_dbus_object_manager_server_unexport (objects, arw_helper_transaction_get_path (transaction));
  return G_SOURCE_REMOVE;
}

static void
install_finished (InstallRun *run, const GError *error, JsonNode *report)
{
  g_autoptr(GError) reload_error = NULL;

  arw_helper_transaction_finish (run->transaction, error, report);
  if (error == NULL && !run->args->dry_run &&
      !arw_launcher_service_reload (run->self->service, &reload_error))
    g_warning ("reload after install failed: %s", reload_error->message);
  g_object_set_data (G_OBJECT (run->transaction), "arw-objects", run->self->objects);
  g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, TRANSACTION_LINGER_S, unexport_transaction_cb,
                              g_object_ref (run->transaction), g_object_unref);
}

static void
install_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  InstallRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwInstallReport) report = NULL;
  g_autoptr(ArwImportReport) import_report = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (run->args->import)
    {
      arw_installer_import_finish (ARW_INSTALLER (source), result, &import_report, &error);
      node = import_report != NULL ? arw_import_report_to_json (import_report) : NULL;
    }
  else
    {
      arw_installer_install_finish (ARW_INSTALLER (source), result, &report, &error);
      node = report != NULL ? arw_install_report_to_json (report) : NULL;
    }
  install_finished (run, error, node);
  install_run_free (run);
}

static ArwInstaller *
installer_new (ArwHelperManager *self, InstallArgs *args, GError **error)
{
  g_autoptr(ArwStore) store = arw_store_open (arw_launcher_service_get_bundle_root (self->service), error);
  g_autoptr(ArwSignerRegistryLoad) registry = arw_signer_registry_load_default ();
  gboolean require_trusted = arw_user_prefs_require_signed ();
  g_autoptr(ArwCatalogSet) catalogs = NULL;
  g_autoptr(GStrvBuilder) roots = g_strv_builder_new ();
  g_auto(GStrv) default_roots = NULL;
  g_auto(GStrv) all = NULL;
  ArwInstaller *installer;

  if (store == NULL)
    return NULL;
  if (arw_user_prefs_keep_revisions () > 0)
    arw_store_set_keep_revisions (store, arw_user_prefs_keep_revisions ());
  if (require_trusted && !arw_signer_registry_load_require (registry, error))
    return NULL;
  installer = arw_installer_new (store, NULL);
  arw_installer_set_trust (installer, registry->registry, require_trusted);
  if (args->import)
    return installer;
  if (args->catalog_dirs != NULL && args->catalog_dirs[0] != NULL)
    g_strv_builder_addv (roots, (const char **) args->catalog_dirs);
  else
    {
      default_roots = arw_paths_catalog_roots ();
      g_strv_builder_addv (roots, (const char **) default_roots);
    }
  all = g_strv_builder_end (roots);
  catalogs = arw_catalog_set_load ((const char *const *) all, ARW_CATALOG_LOAD_ALLOW_MISSING_ROOTS, error);
  if (catalogs == NULL)
    {
      g_object_unref (installer);
      return NULL;
    }
  arw_installer_set_catalogs (installer, g_steal_pointer (&catalogs));
  return installer;
}

static void
install_authorized (ArwHelperManager *self, GDBusMethodInvocation *invocation, gpointer data)
{
  static guint serial;
  InstallArgs *args = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwInstaller) installer = installer_new (self, args, &error);
  InstallRun *run;

  if (installer == NULL)
    {
      return_error (invocation, error);
      return;
    }
  run = g_new0 (InstallRun, 1);
  run->self = g_object_ref (self);
  run->installer = g_steal_pointer (&installer);
  run->transaction = arw_helper_transaction_new (++serial, args->import ? "import" : "install",
                                                 (const char *const *) args->bundle_ids,
                                                 g_dbus_method_invocation_get_sender (invocation),
                                                 arw_installer_get_progress (run->installer),
                                                 arw_launcher_service_get_event_bus (self->service));
  /* The run takes the arguments; authorize() frees the emptied struct. */
  run->args = g_new0 (InstallArgs, 1);
  *run->args = *args;
  memset (args, 0, sizeof *args);
  g_application_hold (self->app);
  g_dbus_object_manager_server_export (self->objects,
                                       G_DBUS_OBJECT_SKELETON (arw_helper_transaction_get_object (run->transaction)));
  if (run->args->import)
    {
      ArwImportOptions options = { run->args->bundle_ids[0], run->args->metadata,
                                   (const char *const *) run->args->paths, run->args->dry_run,
                                   run->args->force, FALSE };
      arw_installer_import_async (run->installer, &options, arw_helper_transaction_get_cancellable (run->transaction),
                                  install_done_cb, run);
      arw_dbus_manager_complete_import (ARW_DBUS_MANAGER (self), invocation,
                                        arw_helper_transaction_get_path (run->transaction));
      return;
    }
  {
    ArwInstallOptions options = { run->args->dry_run, run->args->force, run->args->no_extract, FALSE,
                                  (const char *const *) run->args->kinds,
                                  (const char *const *) run->args->formats };
    arw_installer_install_async (run->installer, (const char *const *) run->args->bundle_ids, &options,
                                 arw_helper_transaction_get_cancellable (run->transaction), install_done_cb, run);
    arw_dbus_manager_complete_install (ARW_DBUS_MANAGER (self), invocation,
                                       arw_helper_transaction_get_path (run->transaction));
  }
}

static gboolean
validate_strv (const char *what, const char *const *values, gboolean ids, gboolean non_empty, GError **error)
{
  if (non_empty && (values == NULL || values[0] == NULL))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "%s must not be empty", what);
      return FALSE;
    }
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    if (ids ? !arw_helper_validate_id (what, values[i], error)
            : !arw_helper_validate_string (what, values[i], ARW_HELPER_MAX_STRING_BYTES, error))
      return FALSE;
  for (guint i = 0; !ids && values != NULL && values[i] != NULL; i++)
    if (!g_path_is_absolute (values[i]))
      {
        g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "%s must be absolute paths", what);
        return FALSE;
      }
  return TRUE;
}

static gboolean
handle_install (ArwDBusManager *iface, GDBusMethodInvocation *invocation, const char *const *bundle_ids,
                GVariant *options)
{
  static const char *const keys[] = { "force", "dry-run", "no-extract", "artifact-kinds", "artifact-formats",
                                      "catalog-dirs", NULL };
  static const char *const types[] = { "b", "b", "b", "as", "as", "as", NULL };
  g_autoptr(GError) error = NULL;
  InstallArgs *args;

  touch (iface);
  if (!validate_strv ("bundle ids", bundle_ids, TRUE, TRUE, &error) ||
      !arw_helper_check_options (options, keys, types, &error))
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  args = g_new0 (InstallArgs, 1);
  args->bundle_ids = g_strdupv ((char **) bundle_ids);
  g_variant_lookup (options, "force", "b", &args->force);
  g_variant_lookup (options, "dry-run", "b", &args->dry_run);
  g_variant_lookup (options, "no-extract", "b", &args->no_extract);
  g_variant_lookup (options, "artifact-kinds", "^as", &args->kinds);
  g_variant_lookup (options, "artifact-formats", "^as", &args->formats);
  g_variant_lookup (options, "catalog-dirs", "^as", &args->catalog_dirs);
  if (!validate_strv ("artifact-kinds", (const char *const *) args->kinds, TRUE, FALSE, &error) ||
      !validate_strv ("artifact-formats", (const char *const *) args->formats, TRUE, FALSE, &error) ||
      !validate_strv ("catalog-dirs", (const char *const *) args->catalog_dirs, FALSE, FALSE, &error))
    {
      install_args_free (args);
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  authorize (ARW_HELPER_MANAGER (iface), invocation, "runtime.bundles.install", TRUE, install_authorized,
             args, (GDestroyNotify) install_args_free);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_import (ArwDBusManager *iface, GDBusMethodInvocation *invocation, const char *bundle_id,
               const char *const *paths, GVariant *options)
{
  static const char *const keys[] = { "metadata", "force", "dry-run", NULL };
  static const char *const types[] = { "s", "b", "b", NULL };
  g_autoptr(GError) error = NULL;
  InstallArgs *args;

  touch (iface);
  if (!arw_helper_validate_id ("bundle id", bundle_id, &error) ||
      !validate_strv ("paths", paths, FALSE, TRUE, &error) ||
      !arw_helper_check_options (options, keys, types, &error))
    {
      return_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  args = g_new0 (InstallArgs, 1);
  args->import = TRUE;
  args->bundle_ids = g_strdupv ((char *[]){ (char *) bundle_id, NULL });
  args->paths = g_strdupv ((char **) paths);
  g_variant_lookup (options, "metadata", "s", &args->metadata);
  g_variant_lookup (options, "force", "b", &args->force);
  g_variant_lookup (options, "dry-run", "b", &args->dry_run);
  if (args->metadata != NULL && !g_path_is_absolute (args->metadata))
    {
      install_args_free (args);
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "option “metadata” must be an absolute path");
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  authorize (ARW_HELPER_MANAGER (iface), invocation, "runtime.bundles.import", TRUE, install_authorized,
             args, (GDestroyNotify) install_args_free);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

/* ---- events and GObject -------------------------------------------- */

static void
event_cb (ArwEventBus *bus, ArwEvent *event, gpointer user_data)
{
  ArwHelperManager *self = user_data;
  g_autofree char *payload = node_to_text (arw_event_get_payload (event));

  arw_dbus_manager_emit_event (ARW_DBUS_MANAGER (self), arw_event_get_topic (event), payload,
                               arw_event_get_id (event), arw_event_get_time_us (event));
}

static void
manager_iface_init (ArwDBusManagerIface *iface)
{
  iface->handle_get_inventory = handle_get_inventory;
  iface->handle_get_status = handle_get_status;
  iface->handle_get_hardware = handle_get_hardware;
  iface->handle_reload = handle_reload;
  iface->handle_install = handle_install;
  iface->handle_import = handle_import;
  iface->handle_rollback = handle_rollback;
  iface->handle_remove = handle_remove;
  iface->handle_restore = handle_restore;
  iface->handle_shutdown = handle_shutdown;
  iface->handle_grant_consent = handle_grant_consent;
  iface->handle_revoke_consent = handle_revoke_consent;
  iface->handle_list_consents = handle_list_consents;
  iface->handle_persist_admin_token = handle_persist_admin_token;
  iface->handle_request_lease = handle_request_lease;
  iface->handle_get_events = handle_get_events;
}

static void
arw_helper_manager_dispose (GObject *object)
{
  ArwHelperManager *self = ARW_HELPER_MANAGER (object);

  if (self->service != NULL)
    g_clear_signal_handler (&self->event_handler, arw_launcher_service_get_event_bus (self->service));
  g_clear_object (&self->service);

  G_OBJECT_CLASS (arw_helper_manager_parent_class)->dispose (object);
}

static void
arw_helper_manager_class_init (ArwHelperManagerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = arw_helper_manager_dispose;
}

static void
arw_helper_manager_init (ArwHelperManager *self)
{
}

ArwHelperManager *
arw_helper_manager_new (ArwLauncherService *service, GApplication *app, GDBusObjectManagerServer *objects)
{
  ArwHelperManager *self;
  ArwDBusManager *iface;

  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (service), NULL);
  g_return_val_if_fail (G_IS_APPLICATION (app), NULL);

  self = g_object_new (ARW_TYPE_HELPER_MANAGER, NULL);
  iface = ARW_DBUS_MANAGER (self);
  self->service = g_object_ref (service);
  self->app = app;
  self->objects = objects;
  arw_dbus_manager_set_version (iface, ARW_HELPER_MANAGER_VERSION);
  arw_dbus_manager_set_posture (iface, arw_posture_to_string (arw_policy_get_posture (
                                         arw_launcher_service_get_policy (service))));
  arw_dbus_manager_set_state_dir (iface, arw_launcher_service_get_state_dir (service));
  self->event_handler = g_signal_connect (arw_launcher_service_get_event_bus (service), "event",
                                          G_CALLBACK (event_cb), self);
  return self;
}
