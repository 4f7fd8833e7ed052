/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arw-error.h"
#include "arw-paths.h"
#include "arw-supervisor.h"

#define SHUTDOWN_GRACE_MS 2000

struct _ArwSupervisor {
  GObject parent_instance;

  ArwEventBus *bus;
  char *state_dir;
  ArwRuntimeTuning tuning;
  GHashTable *runtimes; /* id → ArwRuntime */
};

G_DEFINE_FINAL_TYPE (ArwSupervisor, arw_supervisor, G_TYPE_OBJECT)

enum { SIGNAL_RUNTIME_ADDED, SIGNAL_RUNTIME_REMOVED, SIGNAL_RUNTIME_STATUS_CHANGED, N_SIGNALS };

static guint signals[N_SIGNALS];

static void
arw_supervisor_dispose (GObject *object)
{
  ArwSupervisor *self = ARW_SUPERVISOR (object);

  /* Runtimes SIGKILL their process groups when disposed. */
  if (self->runtimes != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->runtimes);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_signal_handlers_disconnect_by_data (value, self);
    }
  g_clear_pointer (&self->runtimes, g_hash_table_unref);
  g_clear_object (&self->bus);

  G_OBJECT_CLASS (arw_supervisor_parent_class)->dispose (object);
}

static void
arw_supervisor_finalize (GObject *object)
{
  ArwSupervisor *self = ARW_SUPERVISOR (object);

  g_free (self->state_dir);

  G_OBJECT_CLASS (arw_supervisor_parent_class)->finalize (object);
}

static void
arw_supervisor_class_init (ArwSupervisorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = arw_supervisor_dispose;
  object_class->finalize = arw_supervisor_finalize;

  signals[SIGNAL_RUNTIME_ADDED] =
    g_signal_new ("runtime-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ARW_TYPE_RUNTIME);
  signals[SIGNAL_RUNTIME_REMOVED] =
    g_signal_new ("runtime-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, ARW_TYPE_RUNTIME);
  signals[SIGNAL_RUNTIME_STATUS_CHANGED] =
    g_signal_new ("runtime-status-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, ARW_TYPE_RUNTIME,
                  ARW_TYPE_RUNTIME_STATUS | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
arw_supervisor_init (ArwSupervisor *self)
{
  self->runtimes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  arw_runtime_tuning_init_from_env (&self->tuning);
}

ArwSupervisor *
arw_supervisor_new (ArwEventBus *bus, const char *state_dir)
{
  ArwSupervisor *self;

  g_return_val_if_fail (bus == NULL || ARW_IS_EVENT_BUS (bus), NULL);

  self = g_object_new (ARW_TYPE_SUPERVISOR, NULL);
  self->bus = bus != NULL ? g_object_ref (bus) : arw_event_bus_new (ARW_EVENT_BUS_DEFAULT_REPLAY);
  self->state_dir = state_dir != NULL ? g_strdup (state_dir) : arw_paths_state_dir ();
  return self;
}

ArwEventBus *
arw_supervisor_get_event_bus (ArwSupervisor *self)
{
  g_return_val_if_fail (ARW_IS_SUPERVISOR (self), NULL);
  return self->bus;
}

const char *
arw_supervisor_get_state_dir (ArwSupervisor *self)
{
  g_return_val_if_fail (ARW_IS_SUPERVISOR (self), NULL);
  return self->state_dir;
}

void
arw_supervisor_set_tuning (ArwSupervisor *self, const ArwRuntimeTuning *tuning)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (ARW_IS_SUPERVISOR (self));
  g_return_if_fail (tuning != NULL);

  self->tuning = *tuning;
  g_hash_table_iter_init (&iter, self->runtimes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    arw_runtime_set_tuning (value, tuning);
}

void
arw_supervisor_get_tuning (ArwSupervisor *self, ArwRuntimeTuning *out)
{
  g_return_if_fail (ARW_IS_SUPERVISOR (self));
  g_return_if_fail (out != NULL);
  *out = self->tuning;
}

static void
runtime_status_changed_cb (ArwRuntime *runtime, ArwRuntimeStatus *status, gpointer user_data)
{
  ArwSupervisor *self = user_data;

  g_signal_emit (self, signals[SIGNAL_RUNTIME_STATUS_CHANGED], 0, runtime, status);
}

ArwRuntime *
arw_supervisor_add_runtime (ArwSupervisor *self,
                            const char *id,
                            const char *name,
                            const ArwProcessSpec *spec,
                            const char *bundle_dir,
                            GError **error)
{
  ArwRuntime *runtime;

  g_return_val_if_fail (ARW_IS_SUPERVISOR (self), NULL);
  g_return_val_if_fail (id != NULL && *id != '\0', NULL);
  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_hash_table_contains (self->runtimes, id))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_ALREADY_EXISTS,
                   "runtime %s is already registered", id);
      return NULL;
    }
  runtime = arw_runtime_new (id, name, spec, bundle_dir, self->state_dir, self->bus);
  arw_runtime_set_tuning (runtime, &self->tuning);
  g_signal_connect (runtime, "status-changed", G_CALLBACK (runtime_status_changed_cb), self);
  g_hash_table_insert (self->runtimes, g_strdup (id), runtime);
  g_signal_emit (self, signals[SIGNAL_RUNTIME_ADDED], 0, runtime);
  if (self->bus != NULL)
    arw_event_bus_publish_take (self->bus, "runtime.state.changed", arw_runtime_to_json (runtime));
  return runtime;
}

static const char *
object_string (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

ArwRuntime *
arw_supervisor_add_installed (ArwSupervisor *self, const char *bundle_dir, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *dir_name = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ArwProcessSpec) spec = NULL;
  JsonNode *root;
  JsonNode *bundle;
  const char *id;
  ArwRuntime *runtime;

  g_return_val_if_fail (ARW_IS_SUPERVISOR (self), NULL);
  g_return_val_if_fail (bundle_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  path = g_build_filename (bundle_dir, "bundle.json", NULL);
  if (!json_parser_load_from_file (parser, path, error))
    {
      g_prefix_error (error, "cannot read %s: ", path);
      return NULL;
    }
  root = json_parser_get_root (parser);
  bundle = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
             ? json_object_get_member (json_node_get_object (root), "bundle")
             : NULL;
  if (bundle == NULL || !JSON_NODE_HOLDS_OBJECT (bundle))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "%s has no bundle object", path);
      return NULL;
    }
  spec = arw_process_spec_new_from_bundle (bundle, error);
  if (spec == NULL)
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  dir_name = g_path_get_basename (bundle_dir);
  id = object_string (json_node_get_object (bundle), "id");
  if (id == NULL || *id == '\0')
    id = dir_name;
  runtime = arw_supervisor_add_runtime (self, id, object_string (json_node_get_object (bundle), "name"),
                                        spec, bundle_dir, error);
  return runtime;
}

gboolean
arw_supervisor_remove_runtime (ArwSupervisor *self, const char *id, GError **error)
{
  g_autoptr(ArwRuntime) runtime = NULL;
  g_autofree char *key = NULL;

  g_return_val_if_fail (ARW_IS_SUPERVISOR (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_hash_table_steal_extended (self->runtimes, id, (gpointer *) &key, (gpointer *) &runtime))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND, "no runtime %s is registered", id);
      return FALSE;
    }
  g_signal_handlers_disconnect_by_data (runtime, self);
  /* The task keeps the runtime alive until its process has stopped. */
  arw_runtime_shutdown_async (runtime, NULL, NULL, NULL);
  g_signal_emit (self, signals[SIGNAL_RUNTIME_REMOVED], 0, runtime);
  return TRUE;
}

ArwRuntime *
arw_supervisor_lookup (ArwSupervisor *self, const char *id)
{
  g_return_val_if_fail (ARW_IS_SUPERVISOR (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  return g_hash_table_lookup (self->runtimes, id);
}

static int
compare_runtime_ids (gconstpointer a, gconstpointer b)
{
  ArwRuntime *ra = *(ArwRuntime **) a;
  ArwRuntime *rb = *(ArwRuntime **) b;

  return strcmp (arw_runtime_get_id (ra), arw_runtime_get_id (rb));
}

GPtrArray *
arw_supervisor_list_runtimes (ArwSupervisor *self)
{
  GPtrArray *list;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (ARW_IS_SUPERVISOR (self), NULL);

  list = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_iter_init (&iter, self->runtimes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (list, g_object_ref (value));
  g_ptr_array_sort (list, compare_runtime_ids);
  return list;
}

static ArwRuntime *
lookup_or_error (ArwSupervisor *self, const char *id, GError **error)
{
  ArwRuntime *runtime = g_hash_table_lookup (self->runtimes, id);

  if (runtime == NULL)
    g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND,
                 "no runtime %s is registered: install the bundle or reload", id);
  return runtime;
}

gboolean
arw_supervisor_restore (ArwSupervisor *self, const char *id, const ArwRestoreOptions *options, GError **error)
{
  ArwRuntime *runtime;

  g_return_val_if_fail (ARW_IS_SUPERVISOR (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  runtime = lookup_or_error (self, id, error);
  return runtime != NULL && arw_runtime_restore (runtime, options, error);
}

gboolean
arw_supervisor_shutdown (ArwSupervisor *self, const char *id, GError **error)
{
  ArwRuntime *runtime;

  g_return_val_if_fail (ARW_IS_SUPERVISOR (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  runtime = lookup_or_error (self, id, error);
  if (runtime == NULL)
    return FALSE;
  arw_runtime_shutdown (runtime);
  return TRUE;
}

static gboolean
any_running (ArwSupervisor *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->runtimes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (arw_runtime_is_running (value))
      return TRUE;
  return FALSE;
}

static gboolean
flag_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates context until nothing runs or timeout_ms passed. */
static void
wait_stopped (ArwSupervisor *self, GMainContext *context, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  GSource *timeout = g_timeout_source_new (timeout_ms);

  g_source_set_callback (timeout, flag_timeout_cb, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (!timed_out && any_running (self))
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
}

void
arw_supervisor_shutdown_all (ArwSupervisor *self)
{
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GPtrArray) list = NULL;

  g_return_if_fail (ARW_IS_SUPERVISOR (self));

  context = g_main_context_ref_thread_default ();
  list = arw_supervisor_list_runtimes (self);
  for (guint i = 0; i < list->len; i++)
    arw_runtime_shutdown (g_ptr_array_index (list, i));
  wait_stopped (self, context, self->tuning.stop_timeout_ms + SHUTDOWN_GRACE_MS);
  if (any_running (self))
    {
      g_warning ("runtimes still running after shutdown: sending SIGKILL");
      arw_supervisor_kill_all (self);
      wait_stopped (self, context, SHUTDOWN_GRACE_MS);
    }
}

void
arw_supervisor_kill_all (ArwSupervisor *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (ARW_IS_SUPERVISOR (self));

  g_hash_table_iter_init (&iter, self->runtimes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    arw_runtime_kill (value);
}

JsonNode *
arw_supervisor_snapshot (ArwSupervisor *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *now = NULL;

  g_return_val_if_fail (ARW_IS_SUPERVISOR (self), NULL);

  list = arw_supervisor_list_runtimes (self);
  now = arw_runtime_status_format_time (g_get_real_time (), TRUE);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "updated_at");
  json_builder_add_string_value (builder, now);
  json_builder_set_member_name (builder, "runtimes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < list->len; i++)
    json_builder_add_value (builder, arw_runtime_to_json (g_ptr_array_index (list, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
