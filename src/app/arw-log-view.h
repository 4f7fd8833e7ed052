/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define ARW_TYPE_LOG_VIEW (arw_log_view_get_type ())
G_DECLARE_FINAL_TYPE (ArwLogView, arw_log_view, ARW, LOG_VIEW, GtkWidget)

/* A read-only text view that follows a runtime's log file (LogPath): it
 * loads the last 64 KiB, then appends what is written (GFileMonitor), and
 * starts over when the file is rotated or truncated. All reads are async. */
GtkWidget *arw_log_view_new (void);
void arw_log_view_set_path (ArwLogView *self, const char *path);
const char *arw_log_view_get_path (ArwLogView *self);
/* The text shown, for tests (transfer full). */
char *arw_log_view_dup_text (ArwLogView *self);

G_END_DECLS
