/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-event-bus.h"
#include "arw-runtime-status.h"

struct _ArwEvent {
  gatomicrefcount ref_count;
  guint64 id;
  char *topic;
  JsonNode *payload;
  gint64 time_us;
};

G_DEFINE_BOXED_TYPE (ArwEvent, arw_event, arw_event_ref, arw_event_unref)

struct _ArwEventBus {
  GObject parent_instance;

  guint replay_capacity;
  GQueue replay; /* ArwEvent, oldest at head */
  guint64 last_id;
};

G_DEFINE_FINAL_TYPE (ArwEventBus, arw_event_bus, G_TYPE_OBJECT)

enum { PROP_0, PROP_REPLAY_CAPACITY, N_PROPS };
enum { SIGNAL_EVENT, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

ArwEvent *
arw_event_ref (ArwEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
arw_event_unref (ArwEvent *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->topic);
  json_node_unref (self->payload);
  g_free (self);
}

guint64
arw_event_get_id (const ArwEvent *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->id;
}

const char *
arw_event_get_topic (const ArwEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->topic;
}

JsonNode *
arw_event_get_payload (const ArwEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->payload;
}

gint64
arw_event_get_time_us (const ArwEvent *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->time_us;
}

JsonNode *
arw_event_to_json (const ArwEvent *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *time = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  time = arw_runtime_status_format_time (self->time_us, TRUE);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, (gint64) self->id);
  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, time);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, self->topic);
  json_builder_set_member_name (builder, "payload");
  json_builder_add_value (builder, json_node_copy (self->payload));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
arw_event_bus_finalize (GObject *object)
{
  ArwEventBus *self = ARW_EVENT_BUS (object);

  g_queue_clear_full (&self->replay, (GDestroyNotify) arw_event_unref);

  G_OBJECT_CLASS (arw_event_bus_parent_class)->finalize (object);
}

static void
arw_event_bus_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ArwEventBus *self = ARW_EVENT_BUS (object);

  switch (prop_id)
    {
    case PROP_REPLAY_CAPACITY:
      g_value_set_uint (value, self->replay_capacity);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arw_event_bus_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ArwEventBus *self = ARW_EVENT_BUS (object);

  switch (prop_id)
    {
    case PROP_REPLAY_CAPACITY:
      self->replay_capacity = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arw_event_bus_class_init (ArwEventBusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = arw_event_bus_finalize;
  object_class->get_property = arw_event_bus_get_property;
  object_class->set_property = arw_event_bus_set_property;

  properties[PROP_REPLAY_CAPACITY] =
    g_param_spec_uint ("replay-capacity", NULL, NULL, 0, G_MAXUINT, ARW_EVENT_BUS_DEFAULT_REPLAY,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, ARW_TYPE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
arw_event_bus_init (ArwEventBus *self)
{
  self->replay_capacity = ARW_EVENT_BUS_DEFAULT_REPLAY;
  g_queue_init (&self->replay);
}

ArwEventBus *
arw_event_bus_new (guint replay_capacity)
{
  return g_object_new (ARW_TYPE_EVENT_BUS, "replay-capacity", replay_capacity, NULL);
}

guint64
arw_event_bus_publish_take (ArwEventBus *self, const char *topic, JsonNode *payload)
{
  g_autoptr(ArwEvent) event = NULL;

  g_return_val_if_fail (ARW_IS_EVENT_BUS (self), 0);
  g_return_val_if_fail (topic != NULL && *topic != '\0', 0);

  event = g_new0 (ArwEvent, 1);
  g_atomic_ref_count_init (&event->ref_count);
  event->id = ++self->last_id;
  event->topic = g_strdup (topic);
  event->payload = payload != NULL ? payload : json_node_new (JSON_NODE_NULL);
  json_node_seal (event->payload);
  event->time_us = g_get_real_time ();

  if (self->replay_capacity > 0)
    {
      g_queue_push_tail (&self->replay, arw_event_ref (event));
      while (self->replay.length > self->replay_capacity)
        arw_event_unref (g_queue_pop_head (&self->replay));
    }
  g_signal_emit (self, signals[SIGNAL_EVENT], g_quark_from_string (topic), event);
  return event->id;
}

guint64
arw_event_bus_publish (ArwEventBus *self, const char *topic, JsonNode *payload)
{
  return arw_event_bus_publish_take (self, topic, payload != NULL ? json_node_ref (payload) : NULL);
}

GPtrArray *
arw_event_bus_get_replay (ArwEventBus *self, guint64 after_id)
{
  GPtrArray *events;

  g_return_val_if_fail (ARW_IS_EVENT_BUS (self), NULL);

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) arw_event_unref);
  for (GList *l = self->replay.head; l != NULL; l = l->next)
    {
      ArwEvent *event = l->data;
      if (event->id > after_id)
        g_ptr_array_add (events, arw_event_ref (event));
    }
  return events;
}

guint
arw_event_bus_get_replay_capacity (ArwEventBus *self)
{
  g_return_val_if_fail (ARW_IS_EVENT_BUS (self), 0);
  return self->replay_capacity;
}

guint64
arw_event_bus_get_last_id (ArwEventBus *self)
{
  g_return_val_if_fail (ARW_IS_EVENT_BUS (self), 0);
  return self->last_id;
}
