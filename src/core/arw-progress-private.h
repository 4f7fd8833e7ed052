/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "arw-progress.h"

G_BEGIN_DECLS

/* Clock-injected variants so tests can check the rate and ETA without
 * depending on timing. @now_us is a g_get_monotonic_time() value. */
void _arw_progress_set_done_at (ArwProgress *self, guint64 bytes_done, gint64 now_us);
void _arw_progress_add_bytes_at (ArwProgress *self, guint64 n_bytes, gint64 now_us);
ArwProgressSnapshot *_arw_progress_get_snapshot_at (ArwProgress *self, gint64 now_us);

G_END_DECLS
