/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define ARW_EVENT_BUS_DEFAULT_REPLAY 256

/* One published event: ARW's bus envelope {time, kind, payload} plus a
 * sequence id for replay. Immutable and reference counted. */
typedef struct _ArwEvent ArwEvent;

#define ARW_TYPE_EVENT (arw_event_get_type ())
GType arw_event_get_type (void);

ArwEvent *arw_event_ref (ArwEvent *self);
void arw_event_unref (ArwEvent *self);
guint64 arw_event_get_id (const ArwEvent *self);
const char *arw_event_get_topic (const ArwEvent *self);
/* Do not modify the payload: it is shared by every subscriber. */
JsonNode *arw_event_get_payload (const ArwEvent *self);
gint64 arw_event_get_time_us (const ArwEvent *self);
/* {id, time, kind, payload}; time is RFC 3339 with "Z". */
JsonNode *arw_event_to_json (const ArwEvent *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwEvent, arw_event_unref)

#define ARW_TYPE_EVENT_BUS (arw_event_bus_get_type ())
G_DECLARE_FINAL_TYPE (ArwEventBus, arw_event_bus, ARW, EVENT_BUS, GObject)

/* Emits the detailed signal "event" (ArwEvent *), detail = topic, so a
 * subscriber may connect to "event::runtime.state.changed". */
ArwEventBus *arw_event_bus_new (guint replay_capacity);

/* Publishes topic with payload (transfer none: the bus takes a reference).
 * Returns the event id (ids start at 1 and increase by one). */
guint64 arw_event_bus_publish (ArwEventBus *self, const char *topic, JsonNode *payload);
/* Same, taking ownership of payload. */
guint64 arw_event_bus_publish_take (ArwEventBus *self, const char *topic, JsonNode *payload);

/* Events still in the replay buffer with id > after_id, oldest first. The
 * array holds references (free func set). */
GPtrArray *arw_event_bus_get_replay (ArwEventBus *self, guint64 after_id);
guint arw_event_bus_get_replay_capacity (ArwEventBus *self);
guint64 arw_event_bus_get_last_id (ArwEventBus *self);

G_END_DECLS
