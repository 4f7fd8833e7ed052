/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ARW_RUNTIME_LOG_TAIL_LINES 20

/* The log of one runtime: what its process prints, appended to a file that
 * rotates at a size cap (<path>.1 … <path>.<keep>), plus the last lines in
 * memory for error details. */
typedef struct _ArwRuntimeLog ArwRuntimeLog;

ArwRuntimeLog *arw_runtime_log_new (const char *path, guint64 max_bytes, guint keep);
void arw_runtime_log_free (ArwRuntimeLog *self);
const char *arw_runtime_log_get_path (ArwRuntimeLog *self);
void arw_runtime_log_set_limits (ArwRuntimeLog *self, guint64 max_bytes, guint keep);

/* Creates the directory, rotates a file already over the cap, and opens
 * the file for appending (mode 0600). Reopening is harmless. */
gboolean arw_runtime_log_open (ArwRuntimeLog *self, GError **error);
void arw_runtime_log_close (ArwRuntimeLog *self);
/* Appends process output. Write errors are logged, not returned: a full
 * disk must not stop the runtime. */
void arw_runtime_log_write (ArwRuntimeLog *self, const char *data, gsize len);
/* Appends a supervisor line "[arw <time>] <message>\n" (not in the tail). */
void arw_runtime_log_note (ArwRuntimeLog *self, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* Rotates now. */
void arw_runtime_log_rotate (ArwRuntimeLog *self);

/* Last complete lines of process output, oldest first (never NULL). */
GStrv arw_runtime_log_get_tail (ArwRuntimeLog *self);
/* The last non-blank line of output, or NULL. */
const char *arw_runtime_log_get_last_line (ArwRuntimeLog *self);
void arw_runtime_log_clear_tail (ArwRuntimeLog *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwRuntimeLog, arw_runtime_log_free)

G_END_DECLS
