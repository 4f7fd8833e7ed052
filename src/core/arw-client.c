/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-client-private.h"
#include "arw-error.h"

#define TRANSACTION_IFACE "org.arw.Launcher.Transaction1"
#define RUNTIME_IFACE "org.arw.Launcher.Runtime1"

/* Calls that may wait for a runtime to stop or a store lock. */
#define LONG_CALL_TIMEOUT_MS (5 * 60 * 1000)

struct _ArwClient
{
  GObject parent_instance;

  GMainContext *context;
  gboolean owns_context; /* a private context of arw_client_new_sync() */
  GDBusConnection *connection;
  GDBusObjectManager *object_manager;
  ArwDBusManager *manager;
  GListStore *runtimes;
  GListStore *transactions;
};

G_DEFINE_FINAL_TYPE (ArwClient, arw_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME_OWNER,
  N_PROPS
};

enum {
  SIGNAL_EVENT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------- errors */

static gboolean
is_activation_error (const GError *error)
{
  if (error->domain != G_DBUS_ERROR)
    return FALSE;
  switch (error->code)
    {
    case G_DBUS_ERROR_SERVICE_UNKNOWN:
    case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
    case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
    case G_DBUS_ERROR_SPAWN_FORK_FAILED:
    case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
    case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
    case G_DBUS_ERROR_SPAWN_FAILED:
    case G_DBUS_ERROR_SPAWN_SETUP_FAILED:
    case G_DBUS_ERROR_SPAWN_CONFIG_INVALID:
    case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
    case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
    case G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID:
    case G_DBUS_ERROR_SPAWN_FILE_INVALID:
    case G_DBUS_ERROR_SPAWN_NO_MEMORY:
      return TRUE;
    default:
      return FALSE;
    }
}

static GError *
helper_unavailable_error (const char *reason)
{
  return g_error_new (ARW_ERROR, ARW_ERROR_FAILED,
                      "the ARW Launcher helper is not running and could not be started: %s",
                      reason);
}

GError *
arw_client_convert_error (const GError *error)
{
  g_autoptr(GError) copy = NULL;

  g_return_val_if_fail (error != NULL, NULL);

  copy = g_error_copy (error);
  if (g_dbus_error_is_remote_error (copy))
    g_dbus_error_strip_remote_error (copy);

  if (copy->domain == ARW_ERROR)
    return g_steal_pointer (&copy);
  if (is_activation_error (copy))
    return helper_unavailable_error (copy->message);
  if (g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
      g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
      g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT) ||
      g_error_matches (copy, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (ARW_ERROR, ARW_ERROR_FAILED,
                        "the ARW Launcher helper did not reply: %s", copy->message);
  if (g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS))
    return g_error_new_literal (ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT, copy->message);
  if (g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
      g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED))
    return g_error_new_literal (ARW_ERROR, ARW_ERROR_PERMISSION_DENIED, copy->message);
  if (g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
      g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
      g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE))
    return g_error_new (ARW_ERROR, ARW_ERROR_FAILED,
                        "the ARW Launcher helper does not support this call (update it): %s",
                        copy->message);
  return arw_error_convert (copy);
}

/* --------------------------------------------------------------- options */

static void
add_strv (GVariantBuilder *b, const char *key, const char *const *strv)
{
  if (strv != NULL)
    g_variant_builder_add (b, "{sv}", key, g_variant_new_strv (strv, -1));
}

static void
add_string (GVariantBuilder *b, const char *key, const char *value)
{
  if (value != NULL && *value != '\0')
    g_variant_builder_add (b, "{sv}", key, g_variant_new_string (value));
}

static void
add_flag (GVariantBuilder *b, const char *key, gboolean value)
{
  if (value)
    g_variant_builder_add (b, "{sv}", key, g_variant_new_boolean (TRUE));
}

GVariant *
arw_client_install_options_to_variant (const ArwClientInstallOptions *options)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  if (options != NULL)
    {
      add_flag (&b, "force", options->force);
      add_flag (&b, "dry-run", options->dry_run);
      add_flag (&b, "no-extract", options->no_extract);
      add_strv (&b, "artifact-kinds", options->artifact_kinds);
      add_strv (&b, "artifact-formats", options->artifact_formats);
      add_strv (&b, "catalog-dirs", options->catalog_dirs);
    }
  return g_variant_builder_end (&b);
}

GVariant *
arw_client_import_options_to_variant (const ArwClientImportOptions *options)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  if (options != NULL)
    {
      add_string (&b, "metadata", options->metadata);
      add_flag (&b, "force", options->force);
      add_flag (&b, "dry-run", options->dry_run);
    }
  return g_variant_builder_end (&b);
}

GVariant *
arw_client_rollback_options_to_variant (const ArwClientRollbackOptions *options)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  if (options != NULL)
    {
      add_string (&b, "revision", options->revision);
      add_flag (&b, "dry-run", options->dry_run);
      add_flag (&b, "list", options->list);
    }
  return g_variant_builder_end (&b);
}

GVariant *
arw_client_restore_options_to_variant (const ArwClientRestoreOptions *options)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  if (options != NULL)
    {
      add_flag (&b, "no-restart", options->no_restart);
      add_string (&b, "preset", options->preset);
      add_string (&b, "accelerator", options->accelerator);
      add_string (&b, "device", options->device);
    }
  return g_variant_builder_end (&b);
}

static GVariant *
empty_options (void)
{
  return g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0);
}

/* ------------------------------------------------------------ list models */

static int
compare_runtimes (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return g_strcmp0 (arw_dbus_runtime_get_id ((ArwDBusRuntime *) a),
                    arw_dbus_runtime_get_id ((ArwDBusRuntime *) b));
}

static int
compare_object_paths (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return g_strcmp0 (g_dbus_proxy_get_object_path ((GDBusProxy *) a),
                    g_dbus_proxy_get_object_path ((GDBusProxy *) b));
}

static void
store_add (GListStore *store, gpointer item, GCompareDataFunc compare)
{
  if (item != NULL && !g_list_store_find (store, item, NULL))
    g_list_store_insert_sorted (store, item, compare, NULL);
}

static void
store_remove (GListStore *store, gpointer item)
{
  guint pos;

  /* A removed object may carry interfaces of other kinds. */
  if (item != NULL && G_TYPE_CHECK_INSTANCE_TYPE (item, g_list_model_get_item_type (G_LIST_MODEL (store))) &&
      g_list_store_find (store, item, &pos))
    g_list_store_remove (store, pos);
}

static void
track_object (ArwClient *self, GDBusObject *object)
{
  ArwDBusObject *obj = ARW_DBUS_OBJECT (object);

  store_add (self->runtimes, arw_dbus_object_peek_runtime (obj), compare_runtimes);
  store_add (self->transactions, arw_dbus_object_peek_transaction (obj), compare_object_paths);
}

static void
on_object_added (GDBusObjectManager *om, GDBusObject *object, ArwClient *self)
{
  track_object (self, object);
}

static void
on_object_removed (GDBusObjectManager *om, GDBusObject *object, ArwClient *self)
{
  GList *ifaces = g_dbus_object_get_interfaces (object);

  for (GList *l = ifaces; l != NULL; l = l->next)
    {
      store_remove (self->runtimes, l->data);
      store_remove (self->transactions, l->data);
    }
  g_list_free_full (ifaces, g_object_unref);
}

static void
on_interface_added (GDBusObjectManager *om, GDBusObject *object,
                    GDBusInterface *iface, ArwClient *self)
{
  track_object (self, object);
}

static void
on_interface_removed (GDBusObjectManager *om, GDBusObject *object,
                      GDBusInterface *iface, ArwClient *self)
{
  store_remove (self->runtimes, iface);
  store_remove (self->transactions, iface);
}

static void
on_name_owner_notify (GObject *om, GParamSpec *pspec, ArwClient *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME_OWNER]);
}

/* ----------------------------------------------------------------- events */

static JsonNode *
parse_json (const char *text, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, error))
    {
      g_prefix_error (error, "the helper sent invalid JSON: ");
      if (error != NULL && *error != NULL && (*error)->domain != ARW_ERROR)
        {
          GError *converted = g_error_new_literal (ARW_ERROR, ARW_ERROR_INVALID_DATA,
                                                   (*error)->message);
          g_clear_error (error);
          g_propagate_error (error, converted);
        }
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL)
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                           "the helper sent an empty JSON document");
      return NULL;
    }
  return json_node_ref (root);
}

static void
on_manager_event (ArwDBusManager *manager,
                  const char *topic,
                  const char *payload_json,
                  guint64 id,
                  gint64 time_us,
                  ArwClient *self)
{
  g_autoptr(JsonNode) payload = parse_json (payload_json, NULL);

  if (payload == NULL)
    {
      payload = json_node_new (JSON_NODE_VALUE);
      json_node_set_string (payload, payload_json);
    }
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, topic, payload, id);
}

/* ---------------------------------------------------------------- GObject */

static void
arw_client_dispose (GObject *object)
{
  ArwClient *self = ARW_CLIENT (object);

  if (self->object_manager != NULL)
    g_signal_handlers_disconnect_by_data (self->object_manager, self);
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  if (self->runtimes != NULL)
    g_list_store_remove_all (self->runtimes);
  if (self->transactions != NULL)
    g_list_store_remove_all (self->transactions);
  g_clear_object (&self->object_manager);
  g_clear_object (&self->manager);
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (arw_client_parent_class)->dispose (object);
}

static void
arw_client_finalize (GObject *object)
{
  ArwClient *self = ARW_CLIENT (object);

  g_clear_object (&self->runtimes);
  g_clear_object (&self->transactions);
  /* GDBus frees signal subscriptions' data in idles on the subscribing
   * context; nobody iterates a private context after this. */
  if (self->owns_context)
    {
      g_main_context_push_thread_default (self->context);
      while (g_main_context_iteration (self->context, FALSE))
        ;
      g_main_context_pop_thread_default (self->context);
    }
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (arw_client_parent_class)->finalize (object);
}

static void
arw_client_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ArwClient *self = ARW_CLIENT (object);

  switch (prop_id)
    {
    case PROP_NAME_OWNER:
      g_value_take_string (value, arw_client_dup_name_owner (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arw_client_class_init (ArwClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = arw_client_dispose;
  object_class->finalize = arw_client_finalize;
  object_class->get_property = arw_client_get_property;

  /* Registers org.arw.Launcher.Error.* so replies map onto ARW_ERROR. */
  (void) arw_error_quark ();

  properties[PROP_NAME_OWNER] =
    g_param_spec_string ("name-owner", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ArwClient::event:
   * @topic: the event topic, e.g. "runtime.state.changed"
   * @payload: (type JsonNode): the payload (a string node if it was not JSON)
   * @id: the helper's event id (increasing)
   */
  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING, JSON_TYPE_NODE, G_TYPE_UINT64);
}

static void
arw_client_init (ArwClient *self)
{
  self->runtimes = g_list_store_new (ARW_DBUS_TYPE_RUNTIME);
  self->transactions = g_list_store_new (ARW_DBUS_TYPE_TRANSACTION);
}

/* ------------------------------------------------------------ construction */

typedef struct
{
  GMainContext *context;
  gboolean owns_context; /* a private context of arw_client_new_sync() */
  GDBusConnection *connection;
  GDBusObjectManager *object_manager;
} NewData;

static void
new_data_free (NewData *data)
{
  g_clear_pointer (&data->context, g_main_context_unref);
  g_clear_object (&data->connection);
  g_clear_object (&data->object_manager);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NewData, new_data_free)

static void
new_fail (GTask *task, GError *error)
{
  g_autoptr(GError) owned = error;

  if (g_error_matches (owned, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&owned));
      return;
    }
  if (g_dbus_error_is_remote_error (owned))
    g_dbus_error_strip_remote_error (owned);
  g_task_return_error (task, helper_unavailable_error (owned->message));
}

static ArwClient *
client_assemble (NewData *data, ArwDBusManager *manager)
{
  ArwClient *self = g_object_new (ARW_TYPE_CLIENT, NULL);
  GList *objects;

  self->context = g_main_context_ref (data->context);
  self->connection = g_object_ref (data->connection);
  self->object_manager = g_object_ref (data->object_manager);
  self->manager = g_object_ref (manager);
  /* Calls go through the bus name, so an idle-exited helper is activated
   * again; a call must not wait long for a helper that hangs. */
  g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (manager), -1);

  objects = g_dbus_object_manager_get_objects (self->object_manager);
  for (GList *l = objects; l != NULL; l = l->next)
    track_object (self, l->data);
  g_list_free_full (objects, g_object_unref);

  g_signal_connect (self->object_manager, "object-added", G_CALLBACK (on_object_added), self);
  g_signal_connect (self->object_manager, "object-removed", G_CALLBACK (on_object_removed), self);
  g_signal_connect (self->object_manager, "interface-added", G_CALLBACK (on_interface_added), self);
  g_signal_connect (self->object_manager, "interface-removed", G_CALLBACK (on_interface_removed), self);
  g_signal_connect (self->object_manager, "notify::name-owner", G_CALLBACK (on_name_owner_notify), self);
  g_signal_connect (self->manager, "event", G_CALLBACK (on_manager_event), self);
  return self;
}

static void
new_manager_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  NewData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwDBusManager) manager = arw_dbus_manager_proxy_new_finish (result, &error);

  if (manager == NULL)
    {
      new_fail (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, client_assemble (data, manager), g_object_unref);
}

static void
object_manager_ready (GTask *task, GDBusObjectManager *object_manager, GError *error)
{
  NewData *data = g_task_get_task_data (task);
  g_autofree char *owner = NULL;

  if (object_manager == NULL)
    {
      new_fail (task, error);
      return;
    }
  data->object_manager = object_manager;
  owner = g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (data->object_manager));
  if (owner == NULL)
    {
      g_task_return_error (task, helper_unavailable_error ("it exited during start-up"));
      return;
    }

  /* The Manager1 object sits at the ObjectManager's own path, which a
   * GDBusObjectManagerServer does not list, so it gets its own proxy. */
  arw_dbus_manager_proxy_new (data->connection, G_DBUS_PROXY_FLAGS_NONE,
                              ARW_CLIENT_BUS_NAME, ARW_CLIENT_OBJECT_PATH,
                              g_task_get_cancellable (task), new_manager_cb,
                              g_object_ref (task));
}

static void
new_object_manager_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GDBusObjectManager *om = arw_dbus_object_manager_client_new_finish (result, &error);

  object_manager_ready (task, om, error);
}

static void
start_service_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  NewData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (data->connection, result, &error);
  GError *om_error = NULL;
  GDBusObjectManager *om;

  if (reply == NULL)
    {
      new_fail (task, g_steal_pointer (&error));
      return;
    }
  if (data->context == g_main_context_default ())
    {
      arw_dbus_object_manager_client_new (data->connection,
                                          G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                          ARW_CLIENT_BUS_NAME, ARW_CLIENT_OBJECT_PATH,
                                          g_task_get_cancellable (task),
                                          new_object_manager_cb, g_object_ref (task));
      return;
    }
  /* GDBusObjectManagerClient's async init runs its GInitable code in a
   * worker thread, so its signal subscriptions (object and property
   * changes) land on the global default context. A client on a private
   * context (the CLI's sync wrappers, which may block) builds it
   * synchronously, with that context pushed, to receive them. */
  om = arw_dbus_object_manager_client_new_sync (data->connection,
                                                G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                                ARW_CLIENT_BUS_NAME, ARW_CLIENT_OBJECT_PATH,
                                                g_task_get_cancellable (task), &om_error);
  object_manager_ready (task, om, om_error);
}

static void
bus_get_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  NewData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  data->connection = g_bus_get_finish (result, &error);
  if (data->connection == NULL)
    {
      new_fail (task, g_steal_pointer (&error));
      return;
    }
  /* Explicit activation first: its error says why the helper cannot run
   * (no .service file, exec failure), which the ObjectManager would hide. */
  g_dbus_connection_call (data->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "StartServiceByName",
                          g_variant_new ("(su)", ARW_CLIENT_BUS_NAME, 0u),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                          g_task_get_cancellable (task), start_service_cb,
                          g_object_ref (task));
}

void
arw_client_new_async (GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  NewData *data;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  (void) arw_error_quark ();
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, arw_client_new_async);
  data = g_new0 (NewData, 1);
  data->context = g_main_context_ref_thread_default ();
  g_task_set_task_data (task, data, (GDestroyNotify) new_data_free);
  g_bus_get (G_BUS_TYPE_SESSION, cancellable, bus_get_cb, g_steal_pointer (&task));
}

ArwClient *
arw_client_new_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, arw_client_new_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* -------------------------------------------------------------- accessors */

void
arw_client_set_owns_context (ArwClient *self)
{
  g_return_if_fail (ARW_IS_CLIENT (self));
  self->owns_context = TRUE;
}

ArwDBusManager *
arw_client_get_manager (ArwClient *self)
{
  g_return_val_if_fail (ARW_IS_CLIENT (self), NULL);
  return self->manager;
}

GDBusObjectManager *
arw_client_get_object_manager (ArwClient *self)
{
  g_return_val_if_fail (ARW_IS_CLIENT (self), NULL);
  return self->object_manager;
}

GMainContext *
arw_client_get_main_context (ArwClient *self)
{
  g_return_val_if_fail (ARW_IS_CLIENT (self), NULL);
  return self->context;
}

char *
arw_client_dup_name_owner (ArwClient *self)
{
  g_return_val_if_fail (ARW_IS_CLIENT (self), NULL);
  if (self->object_manager == NULL)
    return NULL;
  return g_dbus_object_manager_client_get_name_owner (G_DBUS_OBJECT_MANAGER_CLIENT (self->object_manager));
}

GListModel *
arw_client_get_runtimes (ArwClient *self)
{
  g_return_val_if_fail (ARW_IS_CLIENT (self), NULL);
  return G_LIST_MODEL (self->runtimes);
}

GListModel *
arw_client_get_transactions (ArwClient *self)
{
  g_return_val_if_fail (ARW_IS_CLIENT (self), NULL);
  return G_LIST_MODEL (self->transactions);
}

ArwDBusRuntime *
arw_client_lookup_runtime (ArwClient *self, const char *id)
{
  guint n;

  g_return_val_if_fail (ARW_IS_CLIENT (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->runtimes));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ArwDBusRuntime) rt = g_list_model_get_item (G_LIST_MODEL (self->runtimes), i);
      if (g_strcmp0 (arw_dbus_runtime_get_id (rt), id) == 0)
        return rt; /* the store keeps its reference */
    }
  return NULL;
}

/* ------------------------------------------------------------------ calls */

typedef enum {
  REPLY_NONE,        /* () */
  REPLY_JSON,        /* (s) JSON */
  REPLY_STRING,      /* (s) */
  REPLY_TRANSACTION, /* (o) */
  REPLY_RESTORE,     /* (os) */
} ReplyKind;

typedef struct
{
  JsonNode *result;
  ArwDBusRuntime *runtime;
} RestoreResult;

static void
restore_result_free (RestoreResult *r)
{
  g_clear_pointer (&r->result, json_node_unref);
  g_clear_object (&r->runtime);
  g_free (r);
}

static gpointer
lookup_interface (ArwClient *self, const char *path, const char *iface)
{
  return g_dbus_object_manager_get_interface (self->object_manager, path, iface);
}

static void
transaction_proxy_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  ArwDBusTransaction *tx = arw_dbus_transaction_proxy_new_finish (result, &error);

  if (tx == NULL)
    g_task_return_error (task, arw_client_convert_error (error));
  else
    g_task_return_pointer (task, tx, g_object_unref);
}

static void
return_transaction (GTask *task, const char *path)
{
  ArwClient *self = g_task_get_source_object (task);
  ArwDBusTransaction *tx = lookup_interface (self, path, TRANSACTION_IFACE);

  if (tx != NULL)
    {
      g_task_return_pointer (task, tx, g_object_unref);
      return;
    }
  /* Not announced (yet): a direct proxy sees the same properties. */
  arw_dbus_transaction_proxy_new (self->connection, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                                  ARW_CLIENT_BUS_NAME, path, g_task_get_cancellable (task),
                                  transaction_proxy_cb, g_object_ref (task));
}

static void
return_reply (GTask *task, GVariant *reply)
{
  ArwClient *self = g_task_get_source_object (task);
  ReplyKind kind = GPOINTER_TO_INT (g_task_get_task_data (task));
  const char *s = NULL;
  const char *path = NULL;
  GError *error = NULL;
  JsonNode *node;
  RestoreResult *r;

  switch (kind)
    {
    case REPLY_NONE:
      g_task_return_boolean (task, TRUE);
      break;
    case REPLY_JSON:
      g_variant_get (reply, "(&s)", &s);
      node = parse_json (s, &error);
      if (node == NULL)
        g_task_return_error (task, error);
      else
        g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
      break;
    case REPLY_STRING:
      g_variant_get (reply, "(&s)", &s);
      g_task_return_pointer (task, g_strdup (s), g_free);
      break;
    case REPLY_TRANSACTION:
      g_variant_get (reply, "(&o)", &path);
      return_transaction (task, path);
      break;
    case REPLY_RESTORE:
      g_variant_get (reply, "(&o&s)", &path, &s);
      node = parse_json (s, &error);
      if (node == NULL)
        {
          g_task_return_error (task, error);
          break;
        }
      r = g_new0 (RestoreResult, 1);
      r->result = node;
      r->runtime = lookup_interface (self, path, RUNTIME_IFACE);
      g_task_return_pointer (task, r, (GDestroyNotify) restore_result_free);
      break;
    default:
      g_assert_not_reached ();
    }
}

static const char *
reply_type (ReplyKind kind)
{
  static const char *const types[] = { "()", "(s)", "(s)", "(o)", "(os)" };

  return types[kind];
}

static void
call_manager_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ReplyKind kind = GPOINTER_TO_INT (g_task_get_task_data (task));
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (source), result, &error);

  if (reply == NULL)
    {
      g_task_return_error (task, arw_client_convert_error (error));
      return;
    }
  if (!g_variant_is_of_type (reply, G_VARIANT_TYPE (reply_type (kind))))
    {
      g_task_return_new_error (task, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                               "the helper replied with type %s instead of %s (update it)",
                               g_variant_get_type_string (reply), reply_type (kind));
      return;
    }
  return_reply (task, reply);
}

/* Sends @method with @params (floating, consumed) to Manager1. */
static void
call_manager (ArwClient *self,
              const char *method,
              GVariant *params,
              ReplyKind kind,
              int timeout_ms,
              gpointer source_tag,
              GCancellable *cancellable,
              GAsyncReadyCallback callback,
              gpointer user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, GINT_TO_POINTER (kind), NULL);
  g_dbus_proxy_call (G_DBUS_PROXY (self->manager), method, params, G_DBUS_CALL_FLAGS_NONE,
                     timeout_ms, cancellable, call_manager_cb, task);
}

static gpointer
finish_pointer (ArwClient *self, GAsyncResult *result, gpointer source_tag, GError **error)
{
  g_return_val_if_fail (ARW_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, source_tag), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
finish_boolean (ArwClient *self, GAsyncResult *result, gpointer source_tag, GError **error)
{
  g_return_val_if_fail (ARW_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, source_tag), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static const char *const *
strv_or_empty (const char *const *strv)
{
  static const char *const empty[] = { NULL };

  return strv != NULL ? strv : empty;
}

#define CHECK_ASYNC(self)                                                        \
  G_STMT_START {                                                                 \
    g_return_if_fail (ARW_IS_CLIENT (self));                                     \
    g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));    \
  } G_STMT_END

void
arw_client_get_inventory_async (ArwClient *self, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  call_manager (self, "GetInventory", g_variant_new ("(@a{sv})", empty_options ()), REPLY_JSON,
                -1, arw_client_get_inventory_async, cancellable, callback, user_data);
}

JsonNode *
arw_client_get_inventory_finish (ArwClient *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, arw_client_get_inventory_async, error);
}

void
arw_client_get_status_async (ArwClient *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  call_manager (self, "GetStatus", g_variant_new ("(@a{sv})", empty_options ()), REPLY_JSON,
                -1, arw_client_get_status_async, cancellable, callback, user_data);
}

JsonNode *
arw_client_get_status_finish (ArwClient *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, arw_client_get_status_async, error);
}

void
arw_client_get_hardware_async (ArwClient *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  call_manager (self, "GetHardware", g_variant_new ("(@a{sv})", empty_options ()), REPLY_JSON,
                -1, arw_client_get_hardware_async, cancellable, callback, user_data);
}

JsonNode *
arw_client_get_hardware_finish (ArwClient *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, arw_client_get_hardware_async, error);
}

void
arw_client_reload_async (ArwClient *self, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  call_manager (self, "Reload", g_variant_new ("(@a{sv})", empty_options ()), REPLY_NONE,
                LONG_CALL_TIMEOUT_MS, arw_client_reload_async, cancellable, callback, user_data);
}

gboolean
arw_client_reload_finish (ArwClient *self, GAsyncResult *result, GError **error)
{
  return finish_boolean (self, result, arw_client_reload_async, error);
}

void
arw_client_install_async (ArwClient *self, const char *const *bundle_ids,
                          const ArwClientInstallOptions *options, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  g_return_if_fail (bundle_ids != NULL);
  call_manager (self, "Install",
                g_variant_new ("(^as@a{sv})", bundle_ids,
                               arw_client_install_options_to_variant (options)),
                REPLY_TRANSACTION, -1, arw_client_install_async, cancellable, callback, user_data);
}

ArwDBusTransaction *
arw_client_install_finish (ArwClient *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, arw_client_install_async, error);
}

void
arw_client_import_async (ArwClient *self, const char *bundle_id, const char *const *paths,
                         const ArwClientImportOptions *options, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  g_return_if_fail (bundle_id != NULL);
  g_return_if_fail (paths != NULL);
  call_manager (self, "Import",
                g_variant_new ("(s^as@a{sv})", bundle_id, paths,
                               arw_client_import_options_to_variant (options)),
                REPLY_TRANSACTION, -1, arw_client_import_async, cancellable, callback, user_data);
}

ArwDBusTransaction *
arw_client_import_finish (ArwClient *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, arw_client_import_async, error);
}

void
arw_client_rollback_async (ArwClient *self, const char *bundle_id,
                           const ArwClientRollbackOptions *options, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  g_return_if_fail (bundle_id != NULL);
  call_manager (self, "Rollback",
                g_variant_new ("(s@a{sv})", bundle_id,
                               arw_client_rollback_options_to_variant (options)),
                REPLY_JSON, LONG_CALL_TIMEOUT_MS, arw_client_rollback_async, cancellable,
                callback, user_data);
}

JsonNode *
arw_client_rollback_finish (ArwClient *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, arw_client_rollback_async, error);
}

void
arw_client_remove_async (ArwClient *self, const char *bundle_id, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  g_return_if_fail (bundle_id != NULL);
  call_manager (self, "Remove", g_variant_new ("(s@a{sv})", bundle_id, empty_options ()),
                REPLY_NONE, LONG_CALL_TIMEOUT_MS, arw_client_remove_async, cancellable,
                callback, user_data);
}

gboolean
arw_client_remove_finish (ArwClient *self, GAsyncResult *result, GError **error)
{
  return finish_boolean (self, result, arw_client_remove_async, error);
}

void
arw_client_restore_async (ArwClient *self, const char *id,
                          const ArwClientRestoreOptions *options, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  g_return_if_fail (id != NULL);
  call_manager (self, "Restore",
                g_variant_new ("(s@a{sv})", id, arw_client_restore_options_to_variant (options)),
                REPLY_RESTORE, LONG_CALL_TIMEOUT_MS, arw_client_restore_async, cancellable,
                callback, user_data);
}

JsonNode *
arw_client_restore_finish (ArwClient *self, GAsyncResult *result,
                           ArwDBusRuntime **out_runtime, GError **error)
{
  RestoreResult *r = finish_pointer (self, result, arw_client_restore_async, error);
  JsonNode *node;

  if (r == NULL)
    return NULL;
  node = g_steal_pointer (&r->result);
  if (out_runtime != NULL)
    *out_runtime = g_steal_pointer (&r->runtime);
  restore_result_free (r);
  return node;
}

void
arw_client_shutdown_async (ArwClient *self, const char *id, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  g_return_if_fail (id != NULL);
  call_manager (self, "Shutdown", g_variant_new ("(s@a{sv})", id, empty_options ()),
                REPLY_NONE, LONG_CALL_TIMEOUT_MS, arw_client_shutdown_async, cancellable,
                callback, user_data);
}

gboolean
arw_client_shutdown_finish (ArwClient *self, GAsyncResult *result, GError **error)
{
  return finish_boolean (self, result, arw_client_shutdown_async, error);
}

void
arw_client_grant_consent_async (ArwClient *self, const char *bundle_id,
                                const char *const *modalities, const char *scope,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  g_return_if_fail (bundle_id != NULL);
  call_manager (self, "GrantConsent",
                g_variant_new ("(s^ass@a{sv})", bundle_id, strv_or_empty (modalities),
                               scope != NULL ? scope : "always", empty_options ()),
                REPLY_NONE, -1, arw_client_grant_consent_async, cancellable, callback, user_data);
}

gboolean
arw_client_grant_consent_finish (ArwClient *self, GAsyncResult *result, GError **error)
{
  return finish_boolean (self, result, arw_client_grant_consent_async, error);
}

void
arw_client_revoke_consent_async (ArwClient *self, const char *bundle_id,
                                 const char *const *modalities, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  g_return_if_fail (bundle_id != NULL);
  call_manager (self, "RevokeConsent",
                g_variant_new ("(s^as@a{sv})", bundle_id, strv_or_empty (modalities),
                               empty_options ()),
                REPLY_NONE, LONG_CALL_TIMEOUT_MS, arw_client_revoke_consent_async, cancellable,
                callback, user_data);
}

gboolean
arw_client_revoke_consent_finish (ArwClient *self, GAsyncResult *result, GError **error)
{
  return finish_boolean (self, result, arw_client_revoke_consent_async, error);
}

void
arw_client_list_consents_async (ArwClient *self, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  call_manager (self, "ListConsents", g_variant_new ("(@a{sv})", empty_options ()), REPLY_JSON,
                -1, arw_client_list_consents_async, cancellable, callback, user_data);
}

JsonNode *
arw_client_list_consents_finish (ArwClient *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, arw_client_list_consents_async, error);
}

void
arw_client_persist_admin_token_async (ArwClient *self, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  call_manager (self, "PersistAdminToken", g_variant_new ("(@a{sv})", empty_options ()),
                REPLY_STRING, -1, arw_client_persist_admin_token_async, cancellable, callback,
                user_data);
}

char *
arw_client_persist_admin_token_finish (ArwClient *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, arw_client_persist_admin_token_async, error);
}

void
arw_client_request_lease_async (ArwClient *self, const char *capability, guint ttl_secs,
                                const char *admin_token, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  g_return_if_fail (capability != NULL);
  call_manager (self, "RequestLease",
                g_variant_new ("(sus@a{sv})", capability, ttl_secs,
                               admin_token != NULL ? admin_token : "", empty_options ()),
                REPLY_JSON, -1, arw_client_request_lease_async, cancellable, callback, user_data);
}

JsonNode *
arw_client_request_lease_finish (ArwClient *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, arw_client_request_lease_async, error);
}

void
arw_client_get_events_async (ArwClient *self, const char *prefix, guint64 after_id,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  CHECK_ASYNC (self);
  call_manager (self, "GetEvents",
                g_variant_new ("(st)", prefix != NULL ? prefix : "", after_id),
                REPLY_JSON, -1, arw_client_get_events_async, cancellable, callback, user_data);
}

JsonNode *
arw_client_get_events_finish (ArwClient *self, GAsyncResult *result, GError **error)
{
  return finish_pointer (self, result, arw_client_get_events_async, error);
}
