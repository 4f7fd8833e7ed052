/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-progress-private.h"
#include "arw-test-utils.h"

typedef struct {
  guint changed;
  GThread *changed_thread;
  GPtrArray *messages;
} Counter;

static void
on_changed (ArwProgress *progress, gpointer user_data)
{
  Counter *c = user_data;

  c->changed++;
  c->changed_thread = g_thread_self ();
}

static void
on_message (ArwProgress *progress, const char *message, gpointer user_data)
{
  Counter *c = user_data;

  g_ptr_array_add (c->messages, g_strdup (message));
}

static void
counter_init (Counter *c, ArwProgress *progress)
{
  c->changed = 0;
  c->changed_thread = NULL;
  c->messages = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (progress, "changed", G_CALLBACK (on_changed), c);
  g_signal_connect (progress, "message", G_CALLBACK (on_message), c);
}

static void
test_progress_phase_nicks (void)
{
  const char *want[] = { "resolving", "downloading", "verifying", "extracting", "committing", "done" };

  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      ArwProgressPhase phase = ARW_PROGRESS_PHASE_DONE;

      g_assert_cmpstr (arw_progress_phase_to_string ((ArwProgressPhase) i), ==, want[i]);
      g_assert_true (arw_progress_phase_from_string (want[i], &phase));
      g_assert_cmpint (phase, ==, i);
    }
  g_assert_false (arw_progress_phase_from_string ("Downloading", NULL));
}

static void
test_progress_json (void)
{
  g_autoptr(ArwProgress) progress = arw_progress_new ();
  g_autoptr(ArwProgressSnapshot) snap = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) msg = NULL;
  g_autofree char *text = NULL;
  JsonObject *obj;

  arw_progress_set_phase (progress, ARW_PROGRESS_PHASE_DOWNLOADING);
  arw_progress_set_item (progress, "model.gguf");
  arw_progress_set_total (progress, 1000);
  arw_progress_set_done (progress, 250);
  snap = arw_progress_get_snapshot (progress);
  node = arw_progress_to_json (snap);
  obj = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (obj, "phase"), ==, "downloading");
  g_assert_cmpint (json_object_get_int_member (obj, "bytes_done"), ==, 250);
  g_assert_cmpint (json_object_get_int_member (obj, "bytes_total"), ==, 1000);
  g_assert_cmpint (json_object_get_int_member (obj, "rate"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (obj, "eta"), ==, -1);
  g_assert_cmpstr (json_object_get_string_member (obj, "item"), ==, "model.gguf");
  g_assert_cmpuint (json_object_get_size (obj), ==, 6);

  msg = arw_progress_message_to_json ("resuming at 300 MiB");
  text = json_to_string (msg, FALSE);
  g_assert_cmpstr (text, ==, "{\"message\":\"resuming at 300 MiB\"}");
}

static void
test_progress_item_null_json (void)
{
  g_autoptr(ArwProgress) progress = arw_progress_new ();
  g_autoptr(ArwProgressSnapshot) snap = arw_progress_get_snapshot (progress);
  g_autoptr(JsonNode) node = arw_progress_to_json (snap);
  JsonObject *obj = json_node_get_object (node);

  g_assert_cmpstr (json_object_get_string_member (obj, "phase"), ==, "resolving");
  g_assert_true (json_object_get_null_member (obj, "item"));
}

/* Rate and ETA with an injected clock: 1 MB per second, 9 MB to go. */
static void
test_progress_rate_eta (void)
{
  g_autoptr(ArwProgress) progress = arw_progress_new ();
  g_autoptr(ArwProgressSnapshot) first = NULL;
  g_autoptr(ArwProgressSnapshot) snap = NULL;
  g_autoptr(ArwProgressSnapshot) stale = NULL;
  gint64 t0 = 1000 * G_USEC_PER_SEC;

  arw_progress_set_total (progress, 10 * 1000 * 1000);
  _arw_progress_set_done_at (progress, 0, t0);
  _arw_progress_add_bytes_at (progress, 100 * 1000, t0 + G_USEC_PER_SEC / 10);
  first = _arw_progress_get_snapshot_at (progress, t0 + G_USEC_PER_SEC / 10);
  g_assert_cmpfloat (first->rate, ==, 0);
  g_assert_cmpint (first->eta, ==, -1);

  _arw_progress_add_bytes_at (progress, 900 * 1000, t0 + G_USEC_PER_SEC);
  snap = _arw_progress_get_snapshot_at (progress, t0 + G_USEC_PER_SEC);
  g_assert_cmpuint (snap->bytes_done, ==, 1000 * 1000);
  g_assert_cmpfloat_with_epsilon (snap->rate, 1000 * 1000, 1);
  g_assert_cmpint (snap->eta, ==, 9);

  /* No data for a long time: rate and ETA become unknown. */
  stale = _arw_progress_get_snapshot_at (progress, t0 + 60 * G_USEC_PER_SEC);
  g_assert_cmpfloat (stale->rate, ==, 0);
  g_assert_cmpint (stale->eta, ==, -1);
}

/* Same-thread updates: throttled, but phase changes always notify. */
static void
test_progress_throttle (void)
{
  g_autoptr(ArwProgress) progress = arw_progress_new ();
  Counter c;

  counter_init (&c, progress);
  arw_progress_set_min_interval (progress, 3600 * 1000);
  for (guint i = 0; i < 1000; i++)
    arw_progress_add_bytes (progress, 10);
  g_assert_cmpuint (c.changed, ==, 1);
  arw_progress_set_phase (progress, ARW_PROGRESS_PHASE_VERIFYING);
  g_assert_cmpuint (c.changed, ==, 2);
  arw_progress_set_phase (progress, ARW_PROGRESS_PHASE_VERIFYING);
  g_assert_cmpuint (c.changed, ==, 2);

  arw_progress_set_min_interval (progress, 0);
  arw_progress_add_bytes (progress, 1);
  arw_progress_add_bytes (progress, 1);
  g_assert_cmpuint (c.changed, ==, 4);
  g_ptr_array_unref (c.messages);
}

static gpointer
worker_updates (gpointer data)
{
  ArwProgress *progress = data;

  arw_progress_set_phase (progress, ARW_PROGRESS_PHASE_DOWNLOADING);
  for (guint i = 0; i < 100; i++)
    arw_progress_add_bytes (progress, 1);
  arw_progress_message (progress, "stalled: no data for %d s, retrying in %d s", 30, 4);
  arw_progress_set_phase (progress, ARW_PROGRESS_PHASE_DONE);
  return NULL;
}

/* Updates from another thread arrive in the owner's main context. */
static void
test_progress_cross_thread (void)
{
  g_autoptr(ArwProgress) progress = arw_progress_new ();
  g_autoptr(ArwProgressSnapshot) snap = NULL;
  GThread *thread;
  Counter c;

  counter_init (&c, progress);
  thread = g_thread_new ("progress-worker", worker_updates, progress);
  g_thread_join (thread);
  g_assert_cmpuint (c.changed, ==, 0);

  while (c.messages->len == 0 || c.changed == 0)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (c.changed_thread == g_thread_self ());
  g_assert_cmpuint (c.messages->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (c.messages, 0), ==, "stalled: no data for 30 s, retrying in 4 s");
  snap = arw_progress_get_snapshot (progress);
  g_assert_cmpint (snap->phase, ==, ARW_PROGRESS_PHASE_DONE);
  g_assert_cmpuint (snap->bytes_done, ==, 100);
  g_ptr_array_unref (c.messages);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/arw/progress/phase-nicks", test_progress_phase_nicks);
  g_test_add_func ("/arw/progress/json", test_progress_json);
  g_test_add_func ("/arw/progress/item-null-json", test_progress_item_null_json);
  g_test_add_func ("/arw/progress/rate-eta", test_progress_rate_eta);
  g_test_add_func ("/arw/progress/throttle", test_progress_throttle);
  g_test_add_func ("/arw/progress/cross-thread", test_progress_cross_thread);

  return g_test_run ();
}
