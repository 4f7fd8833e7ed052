/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Phases of an install; the nicks ("resolving", ...) are ABI for --json
 * output and D-Bus: append only. */
typedef enum {
  ARW_PROGRESS_PHASE_RESOLVING,
  ARW_PROGRESS_PHASE_DOWNLOADING,
  ARW_PROGRESS_PHASE_VERIFYING,
  ARW_PROGRESS_PHASE_EXTRACTING,
  ARW_PROGRESS_PHASE_COMMITTING,
  ARW_PROGRESS_PHASE_DONE,
} ArwProgressPhase;

const char *arw_progress_phase_to_string (ArwProgressPhase phase);
gboolean arw_progress_phase_from_string (const char *nick, ArwProgressPhase *out_phase);

/* A consistent copy of the progress state, safe to use from any thread. */
typedef struct {
  ArwProgressPhase phase;
  guint64 bytes_done;
  guint64 bytes_total; /* 0 = unknown */
  double rate;         /* bytes/s, smoothed; 0 = unknown */
  gint64 eta;          /* seconds; -1 = unknown */
  char *item;          /* current item label or NULL */
} ArwProgressSnapshot;

void arw_progress_snapshot_free (ArwProgressSnapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwProgressSnapshot, arw_progress_snapshot_free)

/* {"phase","bytes_done","bytes_total","rate","eta","item"}; item is null when unset. */
JsonNode *arw_progress_to_json (const ArwProgressSnapshot *snapshot);
/* {"message": "..."}: one JSON line for the message channel. */
JsonNode *arw_progress_message_to_json (const char *message);

#define ARW_TYPE_PROGRESS (arw_progress_get_type ())
G_DECLARE_FINAL_TYPE (ArwProgress, arw_progress, ARW, PROGRESS, GObject)

/* Updates may come from any thread. The "changed" (no arguments) and
 * "message" (const char *) signals are emitted in the thread-default main
 * context of the thread that called arw_progress_new(): directly when the
 * update happens in that thread, else from a source attached to that
 * context. "changed" is throttled (default at most every 100 ms; phase
 * changes always notify); messages are never dropped. */
ArwProgress *arw_progress_new (void);
void arw_progress_set_min_interval (ArwProgress *self, guint msec);

void arw_progress_set_phase (ArwProgress *self, ArwProgressPhase phase);
void arw_progress_set_item (ArwProgress *self, const char *item);
void arw_progress_set_total (ArwProgress *self, guint64 bytes_total);
/* Absolute position, e.g. the resume offset; restarts the rate sample. */
void arw_progress_set_done (ArwProgress *self, guint64 bytes_done);
void arw_progress_add_bytes (ArwProgress *self, guint64 n_bytes);
void arw_progress_message (ArwProgress *self, const char *format, ...) G_GNUC_PRINTF (2, 3);

ArwProgressSnapshot *arw_progress_get_snapshot (ArwProgress *self);

G_END_DECLS
