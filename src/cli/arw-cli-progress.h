/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "arw-progress.h"

G_BEGIN_DECLS

/* Shows an ArwProgress on the terminal, in one of three modes:
 * - @json: one JSON object per line on stdout (arw_progress_to_json for
 *   changes, {"message": …} for messages);
 * - stdout is a TTY: a single-line bar (phase, item, bytes done/total,
 *   rate, ETA), redrawn at most 10 times a second; messages print above it;
 * - otherwise: messages only, one per line (no bar).
 * Messages starting with "warning: " go to stderr in the text modes. */
typedef struct _ArwCliProgress ArwCliProgress;

ArwCliProgress *arw_cli_progress_new (ArwProgress *progress, gboolean json);
/* Ends the bar's line with a newline so normal output can follow. */
void arw_cli_progress_finish (ArwCliProgress *self);
void arw_cli_progress_free (ArwCliProgress *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwCliProgress, arw_cli_progress_free)

/* The bar's text for @snapshot, fitted to @width columns: "downloading
 * x.tar.zst  [####----]  45% 12 MB / 27 MB  5.1 MB/s  ETA 0:03". */
char *arw_cli_progress_format_line (const ArwProgressSnapshot *snapshot, guint width);

G_END_DECLS
