/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-error.h"
#include "arw-helper-transaction.h"

#define PROGRESS_EVENT_INTERVAL_US (250 * 1000)

struct _ArwHelperTransaction {
  GObject parent_instance;

  char *path;
  char *kind;
  GStrv bundle_ids;
  char *owner;                 /* unique name of the caller that started it */
  ArwProgress *progress;
  ArwEventBus *bus;
  ArwDBusObjectSkeleton *object;
  ArwDBusTransaction *iface;
  GCancellable *cancellable;
  gint64 last_event_us;
  ArwProgressPhase last_phase;
  gboolean finished;
};

G_DEFINE_FINAL_TYPE (ArwHelperTransaction, arw_helper_transaction, G_TYPE_OBJECT)

static JsonNode *
progress_payload (ArwHelperTransaction *self, const ArwProgressSnapshot *snapshot)
{
  JsonNode *node = arw_progress_to_json (snapshot);
  JsonObject *object = json_node_get_object (node);
  JsonArray *ids = json_array_new ();

  for (guint i = 0; self->bundle_ids[i] != NULL; i++)
    json_array_add_string_element (ids, self->bundle_ids[i]);
  json_object_set_array_member (object, "bundle_ids", ids);
  json_object_set_string_member (object, "kind", self->kind);
  json_object_set_string_member (object, "transaction", self->path);
  return node;
}

static void
progress_changed_cb (ArwProgress *progress, gpointer user_data)
{
  ArwHelperTransaction *self = user_data;
  g_autoptr(ArwProgressSnapshot) snapshot = arw_progress_get_snapshot (progress);
  gint64 now = g_get_monotonic_time ();

  if (self->finished)
    return;
  g_object_freeze_notify (G_OBJECT (self->iface));
  arw_dbus_transaction_set_phase (self->iface, arw_progress_phase_to_string (snapshot->phase));
  arw_dbus_transaction_set_item (self->iface, snapshot->item != NULL ? snapshot->item : "");
  arw_dbus_transaction_set_bytes_done (self->iface, snapshot->bytes_done);
  arw_dbus_transaction_set_bytes_total (self->iface, snapshot->bytes_total);
  arw_dbus_transaction_set_rate (self->iface, snapshot->rate);
  arw_dbus_transaction_set_eta (self->iface, snapshot->eta);
  g_object_thaw_notify (G_OBJECT (self->iface));
  if (snapshot->phase != self->last_phase || now - self->last_event_us >= PROGRESS_EVENT_INTERVAL_US)
    {
      self->last_phase = snapshot->phase;
      self->last_event_us = now;
      arw_event_bus_publish_take (self->bus, "install.progress", progress_payload (self, snapshot));
    }
}

static void
progress_message_cb (ArwProgress *progress, const char *message, gpointer user_data)
{
  ArwHelperTransaction *self = user_data;

  arw_dbus_transaction_set_last_message (self->iface, message);
}

static gboolean
handle_cancel_cb (ArwDBusTransaction *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
  ArwHelperTransaction *self = user_data;

  if (g_strcmp0 (g_dbus_method_invocation_get_sender (invocation), self->owner) != 0)
    {
      g_dbus_method_invocation_return_error (invocation, ARW_ERROR, ARW_ERROR_PERMISSION_DENIED,
                                             "only the caller that started %s may cancel it", self->path);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  g_cancellable_cancel (self->cancellable);
  arw_dbus_transaction_complete_cancel (iface, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

void
arw_helper_transaction_finish (ArwHelperTransaction *self, const GError *error, JsonNode *report)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *state = "succeeded";

  g_return_if_fail (ARW_IS_HELPER_TRANSACTION (self));

  if (self->finished)
    return;
  progress_changed_cb (self->progress, self);
  self->finished = TRUE;
  if (error != NULL)
    state = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
            g_error_matches (error, ARW_ERROR, ARW_ERROR_CANCELLED) ? "cancelled" : "failed";
  arw_dbus_transaction_set_state (self->iface, state);
  arw_dbus_transaction_set_error (self->iface, error != NULL ? error->message : "");
  arw_dbus_transaction_emit_finished (self->iface, error == NULL, error != NULL ? error->message : "");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bundle_ids");
  json_builder_begin_array (b);
  for (guint i = 0; self->bundle_ids[i] != NULL; i++)
    json_builder_add_string_value (b, self->bundle_ids[i]);
  json_builder_end_array (b);
  if (error != NULL)
    {
      json_builder_set_member_name (b, "error");
      json_builder_add_string_value (b, error->message);
    }
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, self->kind);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, error == NULL);
  if (report != NULL)
    {
      json_builder_set_member_name (b, "report");
      json_builder_add_value (b, json_node_copy (report));
    }
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, state);
  json_builder_set_member_name (b, "transaction");
  json_builder_add_string_value (b, self->path);
  json_builder_end_object (b);
  arw_event_bus_publish_take (self->bus, "install.completed", json_builder_get_root (b));
}

static void
arw_helper_transaction_dispose (GObject *object)
{
  ArwHelperTransaction *self = ARW_HELPER_TRANSACTION (object);

  if (self->progress != NULL)
    g_signal_handlers_disconnect_by_data (self->progress, self);
  if (self->iface != NULL)
    g_signal_handlers_disconnect_by_data (self->iface, self);
  g_clear_object (&self->progress);
  g_clear_object (&self->bus);
  g_clear_object (&self->iface);
  g_clear_object (&self->object);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (arw_helper_transaction_parent_class)->dispose (object);
}

static void
arw_helper_transaction_finalize (GObject *object)
{
  ArwHelperTransaction *self = ARW_HELPER_TRANSACTION (object);

  g_free (self->path);
  g_free (self->kind);
  g_free (self->owner);
  g_strfreev (self->bundle_ids);

  G_OBJECT_CLASS (arw_helper_transaction_parent_class)->finalize (object);
}

static void
arw_helper_transaction_class_init (ArwHelperTransactionClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = arw_helper_transaction_dispose;
  G_OBJECT_CLASS (klass)->finalize = arw_helper_transaction_finalize;
}

static void
arw_helper_transaction_init (ArwHelperTransaction *self)
{
  self->cancellable = g_cancellable_new ();
  self->last_phase = ARW_PROGRESS_PHASE_RESOLVING;
}

ArwHelperTransaction *
arw_helper_transaction_new (guint serial, const char *kind, const char *const *bundle_ids, const char *owner,
                            ArwProgress *progress, ArwEventBus *bus)
{
  ArwHelperTransaction *self;

  g_return_val_if_fail (kind != NULL, NULL);
  g_return_val_if_fail (bundle_ids != NULL, NULL);
  g_return_val_if_fail (ARW_IS_PROGRESS (progress), NULL);
  g_return_val_if_fail (ARW_IS_EVENT_BUS (bus), NULL);

  self = g_object_new (ARW_TYPE_HELPER_TRANSACTION, NULL);
  self->path = g_strdup_printf (ARW_HELPER_TRANSACTION_PATH_PREFIX "%u", serial);
  self->kind = g_strdup (kind);
  self->bundle_ids = g_strdupv ((char **) bundle_ids);
  self->owner = g_strdup (owner);
  self->progress = g_object_ref (progress);
  self->bus = g_object_ref (bus);
  self->object = arw_dbus_object_skeleton_new (self->path);
  self->iface = arw_dbus_transaction_skeleton_new ();
  arw_dbus_object_skeleton_set_transaction (self->object, self->iface);
  arw_dbus_transaction_set_kind (self->iface, kind);
  arw_dbus_transaction_set_bundle_ids (self->iface, bundle_ids);
  arw_dbus_transaction_set_state (self->iface, "running");
  arw_dbus_transaction_set_phase (self->iface, arw_progress_phase_to_string (ARW_PROGRESS_PHASE_RESOLVING));
  arw_dbus_transaction_set_eta (self->iface, -1);
  g_signal_connect (progress, "changed", G_CALLBACK (progress_changed_cb), self);
  g_signal_connect (progress, "message", G_CALLBACK (progress_message_cb), self);
  g_signal_connect (self->iface, "handle-cancel", G_CALLBACK (handle_cancel_cb), self);
  return self;
}

const char *
arw_helper_transaction_get_path (ArwHelperTransaction *self)
{
  g_return_val_if_fail (ARW_IS_HELPER_TRANSACTION (self), NULL);
  return self->path;
}

ArwDBusObjectSkeleton *
arw_helper_transaction_get_object (ArwHelperTransaction *self)
{
  g_return_val_if_fail (ARW_IS_HELPER_TRANSACTION (self), NULL);
  return self->object;
}

GCancellable *
arw_helper_transaction_get_cancellable (ArwHelperTransaction *self)
{
  g_return_val_if_fail (ARW_IS_HELPER_TRANSACTION (self), NULL);
  return self->cancellable;
}
