/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-progress-private.h"

/* Rate samples span at least this long; the smoothed rate is an
 * exponential moving average over samples. */
#define RATE_WINDOW_US (500 * G_TIME_SPAN_MILLISECOND)
#define RATE_ALPHA 0.3
/* No bytes for this long: the rate is reported as unknown. */
#define RATE_STALE_US (5 * G_TIME_SPAN_SECOND)
#define DEFAULT_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)

struct _ArwProgress
{
  GObject parent_instance;

  GMainContext *context; /* owner context, signals are emitted there */
  GThread *owner;

  GMutex lock;
  ArwProgressPhase phase;
  guint64 bytes_done;
  guint64 bytes_total;
  char *item;
  double rate;
  gint64 sample_start_us;
  guint64 sample_bytes;
  gint64 last_activity_us;

  gint64 interval_us;
  gint64 last_emit_us;
  gboolean emit_pending;
};

G_DEFINE_FINAL_TYPE (ArwProgress, arw_progress, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  SIGNAL_MESSAGE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *const phase_nicks[] = {
  "resolving", "downloading", "verifying", "extracting", "committing", "done",
};

G_STATIC_ASSERT (G_N_ELEMENTS (phase_nicks) == ARW_PROGRESS_PHASE_DONE + 1);

const char *
arw_progress_phase_to_string (ArwProgressPhase phase)
{
  g_return_val_if_fail ((guint) phase < G_N_ELEMENTS (phase_nicks), NULL);

  return phase_nicks[phase];
}

gboolean
arw_progress_phase_from_string (const char *nick, ArwProgressPhase *out_phase)
{
  g_return_val_if_fail (nick != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (phase_nicks); i++)
    {
      if (g_str_equal (nick, phase_nicks[i]))
        {
          if (out_phase != NULL)
            *out_phase = (ArwProgressPhase) i;
          return TRUE;
        }
    }
  return FALSE;
}

void
arw_progress_snapshot_free (ArwProgressSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_free (snapshot->item);
  g_free (snapshot);
}

JsonNode *
arw_progress_to_json (const ArwProgressSnapshot *snapshot)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (snapshot != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "phase");
  json_builder_add_string_value (builder, arw_progress_phase_to_string (snapshot->phase));
  json_builder_set_member_name (builder, "bytes_done");
  json_builder_add_int_value (builder, (gint64) snapshot->bytes_done);
  json_builder_set_member_name (builder, "bytes_total");
  json_builder_add_int_value (builder, (gint64) snapshot->bytes_total);
  json_builder_set_member_name (builder, "rate");
  json_builder_add_int_value (builder, (gint64) (snapshot->rate + 0.5));
  json_builder_set_member_name (builder, "eta");
  json_builder_add_int_value (builder, snapshot->eta);
  json_builder_set_member_name (builder, "item");
  if (snapshot->item != NULL)
    json_builder_add_string_value (builder, snapshot->item);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
arw_progress_message_to_json (const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (message != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
emit_changed_cb (gpointer user_data)
{
  ArwProgress *self = user_data;

  g_mutex_lock (&self->lock);
  self->emit_pending = FALSE;
  self->last_emit_us = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

/* Called without the lock held. */
static void
notify_changed (ArwProgress *self, gboolean force)
{
  gint64 now = g_get_monotonic_time ();
  gint64 delay_us = 0;
  g_autoptr(GSource) source = NULL;

  g_mutex_lock (&self->lock);
  if (g_thread_self () == self->owner)
    {
      gboolean emit = force || now - self->last_emit_us >= self->interval_us;

      if (emit)
        self->last_emit_us = now;
      g_mutex_unlock (&self->lock);
      if (emit)
        g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
      return;
    }
  if (self->emit_pending)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->emit_pending = TRUE;
  if (!force)
    delay_us = MAX (0, self->last_emit_us + self->interval_us - now);
  g_mutex_unlock (&self->lock);

  if (delay_us > 0)
    source = g_timeout_source_new ((guint) ((delay_us + 999) / 1000));
  else
    source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, emit_changed_cb, g_object_ref (self), g_object_unref);
  g_source_set_static_name (source, "[arw] progress changed");
  g_source_attach (source, self->context);
}

typedef struct {
  ArwProgress *self;
  char *message;
} MessageData;

static void
message_data_free (gpointer data)
{
  MessageData *md = data;

  g_object_unref (md->self);
  g_free (md->message);
  g_free (md);
}

static gboolean
emit_message_cb (gpointer user_data)
{
  MessageData *md = user_data;

  g_signal_emit (md->self, signals[SIGNAL_MESSAGE], 0, md->message);
  return G_SOURCE_REMOVE;
}

static void
arw_progress_finalize (GObject *object)
{
  ArwProgress *self = ARW_PROGRESS (object);

  g_free (self->item);
  g_main_context_unref (self->context);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (arw_progress_parent_class)->finalize (object);
}

static void
arw_progress_class_init (ArwProgressClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = arw_progress_finalize;

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
arw_progress_init (ArwProgress *self)
{
  g_mutex_init (&self->lock);
  self->context = g_main_context_ref_thread_default ();
  self->owner = g_thread_self ();
  self->interval_us = DEFAULT_INTERVAL_US;
  self->last_emit_us = G_MININT64 / 2;
  self->sample_start_us = g_get_monotonic_time ();
  self->last_activity_us = self->sample_start_us;
}

ArwProgress *
arw_progress_new (void)
{
  return g_object_new (ARW_TYPE_PROGRESS, NULL);
}

void
arw_progress_set_min_interval (ArwProgress *self, guint msec)
{
  g_return_if_fail (ARW_IS_PROGRESS (self));

  g_mutex_lock (&self->lock);
  self->interval_us = (gint64) msec * G_TIME_SPAN_MILLISECOND;
  g_mutex_unlock (&self->lock);
}

void
arw_progress_set_phase (ArwProgress *self, ArwProgressPhase phase)
{
  gboolean changed;

  g_return_if_fail (ARW_IS_PROGRESS (self));
  g_return_if_fail ((guint) phase < G_N_ELEMENTS (phase_nicks));

  g_mutex_lock (&self->lock);
  changed = self->phase != phase;
  self->phase = phase;
  g_mutex_unlock (&self->lock);
  if (changed)
    notify_changed (self, TRUE);
}

void
arw_progress_set_item (ArwProgress *self, const char *item)
{
  gboolean changed;

  g_return_if_fail (ARW_IS_PROGRESS (self));

  g_mutex_lock (&self->lock);
  changed = g_strcmp0 (self->item, item) != 0;
  if (changed)
    {
      g_free (self->item);
      self->item = g_strdup (item);
    }
  g_mutex_unlock (&self->lock);
  if (changed)
    notify_changed (self, TRUE);
}

void
arw_progress_set_total (ArwProgress *self, guint64 bytes_total)
{
  g_return_if_fail (ARW_IS_PROGRESS (self));

  g_mutex_lock (&self->lock);
  self->bytes_total = bytes_total;
  g_mutex_unlock (&self->lock);
  notify_changed (self, FALSE);
}

void
_arw_progress_set_done_at (ArwProgress *self, guint64 bytes_done, gint64 now_us)
{
  g_mutex_lock (&self->lock);
  self->bytes_done = bytes_done;
  self->sample_start_us = now_us;
  self->sample_bytes = 0;
  self->last_activity_us = now_us;
  g_mutex_unlock (&self->lock);
  notify_changed (self, FALSE);
}

void
arw_progress_set_done (ArwProgress *self, guint64 bytes_done)
{
  g_return_if_fail (ARW_IS_PROGRESS (self));

  _arw_progress_set_done_at (self, bytes_done, g_get_monotonic_time ());
}

void
_arw_progress_add_bytes_at (ArwProgress *self, guint64 n_bytes, gint64 now_us)
{
  gint64 span;

  g_mutex_lock (&self->lock);
  self->bytes_done += n_bytes;
  self->sample_bytes += n_bytes;
  self->last_activity_us = now_us;
  span = now_us - self->sample_start_us;
  if (span >= RATE_WINDOW_US)
    {
      double inst = (double) self->sample_bytes * G_USEC_PER_SEC / (double) span;

      self->rate = self->rate > 0 ? RATE_ALPHA * inst + (1 - RATE_ALPHA) * self->rate : inst;
      self->sample_start_us = now_us;
      self->sample_bytes = 0;
    }
  g_mutex_unlock (&self->lock);
  notify_changed (self, FALSE);
}

void
arw_progress_add_bytes (ArwProgress *self, guint64 n_bytes)
{
  g_return_if_fail (ARW_IS_PROGRESS (self));

  _arw_progress_add_bytes_at (self, n_bytes, g_get_monotonic_time ());
}

void
arw_progress_message (ArwProgress *self, const char *format, ...)
{
  va_list ap;
  MessageData *md;

  g_return_if_fail (ARW_IS_PROGRESS (self));
  g_return_if_fail (format != NULL);

  md = g_new0 (MessageData, 1);
  md->self = g_object_ref (self);
  va_start (ap, format);
  md->message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_debug ("progress: %s", md->message);

  if (g_thread_self () == self->owner)
    {
      emit_message_cb (md);
      message_data_free (md);
      return;
    }
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_message_cb, md,
                              message_data_free);
}

ArwProgressSnapshot *
_arw_progress_get_snapshot_at (ArwProgress *self, gint64 now_us)
{
  ArwProgressSnapshot *snapshot = g_new0 (ArwProgressSnapshot, 1);

  g_mutex_lock (&self->lock);
  snapshot->phase = self->phase;
  snapshot->bytes_done = self->bytes_done;
  snapshot->bytes_total = self->bytes_total;
  snapshot->item = g_strdup (self->item);
  snapshot->rate = now_us - self->last_activity_us > RATE_STALE_US ? 0 : self->rate;
  g_mutex_unlock (&self->lock);

  if (snapshot->bytes_total > 0 && snapshot->bytes_done >= snapshot->bytes_total)
    snapshot->eta = 0;
  else if (snapshot->bytes_total > 0 && snapshot->rate > 0)
    {
      double secs = (double) (snapshot->bytes_total - snapshot->bytes_done) / snapshot->rate;

      snapshot->eta = (gint64) secs;
      if ((double) snapshot->eta < secs)
        snapshot->eta++;
    }
  else
    snapshot->eta = -1;
  return snapshot;
}

ArwProgressSnapshot *
arw_progress_get_snapshot (ArwProgress *self)
{
  g_return_val_if_fail (ARW_IS_PROGRESS (self), NULL);

  return _arw_progress_get_snapshot_at (self, g_get_monotonic_time ());
}
