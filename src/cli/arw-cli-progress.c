/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arw-cli-progress.h"
#include "arw-json-writer.h"

#define REDRAW_INTERVAL_US (100 * 1000)
#define BAR_CELLS 24

typedef enum { MODE_QUIET, MODE_TTY, MODE_JSON } Mode;

struct _ArwCliProgress
{
  ArwProgress *progress;
  Mode mode;
  gulong changed_id;
  gulong message_id;
  gint64 last_draw_us;
  ArwProgressPhase last_phase;
  gboolean bar_visible;
};

static guint
terminal_width (void)
{
  struct winsize ws;

  if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
    return ws.ws_col;
  return 80;
}

static char *
format_duration (gint64 seconds)
{
  if (seconds >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", seconds / 3600, (int) (seconds / 60 % 60), (int) (seconds % 60));
  return g_strdup_printf ("%d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

static void
append_bar (GString *line, const ArwProgressSnapshot *s)
{
  guint filled = s->bytes_total > 0 ? (guint) (MIN (s->bytes_done, s->bytes_total) * BAR_CELLS / s->bytes_total) : 0;

  g_string_append_c (line, '[');
  for (guint i = 0; i < BAR_CELLS; i++)
    g_string_append_c (line, i < filled ? '#' : '-');
  g_string_append_printf (line, "] %3u%% ", (guint) (MIN (s->bytes_done, s->bytes_total) * 100 / s->bytes_total));
}

char *
arw_cli_progress_format_line (const ArwProgressSnapshot *s, guint width)
{
  g_autoptr(GString) tail = g_string_new (NULL);
  g_autoptr(GString) line = g_string_new (arw_progress_phase_to_string (s->phase));
  g_autofree char *done = g_format_size (s->bytes_done);
  guint item_room;

  if (s->bytes_total > 0)
    {
      g_autofree char *total = g_format_size (s->bytes_total);
      append_bar (tail, s);
      g_string_append_printf (tail, "%s / %s", done, total);
    }
  else
    g_string_append (tail, done);
  if (s->rate > 0)
    {
      g_autofree char *rate = g_format_size ((guint64) s->rate);
      g_string_append_printf (tail, "  %s/s", rate);
    }
  if (s->eta >= 0 && s->bytes_total > 0)
    {
      g_autofree char *eta = format_duration (s->eta);
      g_string_append_printf (tail, "  ETA %s", eta);
    }
  item_room = width > line->len + tail->len + 4 ? width - line->len - tail->len - 4 : 0;
  if (s->item != NULL && item_room > 3)
    {
      glong n = g_utf8_strlen (s->item, -1);
      if ((guint) n <= item_room)
        g_string_append_printf (line, " %s", s->item);
      else
        {
          g_autofree char *cut = g_utf8_substring (s->item, n - (item_room - 1), n);
          g_string_append_printf (line, " …%s", cut);
        }
    }
  g_string_append (line, "  ");
  g_string_append (line, tail->str);
  return g_string_free (g_steal_pointer (&line), FALSE);
}

static void
print_json_line (JsonNode *node)
{
  g_autofree char *text = arw_json_to_string (node, FALSE);

  g_print ("%s\n", text);
  fflush (stdout);
}

static void
clear_bar (ArwCliProgress *self)
{
  if (!self->bar_visible)
    return;
  g_print ("\r\033[2K");
  fflush (stdout);
  self->bar_visible = FALSE;
}

static void
draw_bar (ArwCliProgress *self, gboolean force)
{
  g_autoptr(ArwProgressSnapshot) s = arw_progress_get_snapshot (self->progress);
  gint64 now = g_get_monotonic_time ();
  g_autofree char *line = NULL;

  if (!force && s->phase == self->last_phase && now - self->last_draw_us < REDRAW_INTERVAL_US)
    return;
  self->last_draw_us = now;
  self->last_phase = s->phase;
  if (s->phase == ARW_PROGRESS_PHASE_DONE)
    return;
  line = arw_cli_progress_format_line (s, terminal_width ());
  g_print ("\r\033[2K%s", line);
  fflush (stdout);
  self->bar_visible = TRUE;
}

static void
changed_cb (ArwProgress *progress, gpointer user_data)
{
  ArwCliProgress *self = user_data;

  if (self->mode == MODE_JSON)
    {
      g_autoptr(ArwProgressSnapshot) s = arw_progress_get_snapshot (progress);
      g_autoptr(JsonNode) node = arw_progress_to_json (s);
      print_json_line (node);
    }
  else if (self->mode == MODE_TTY)
    draw_bar (self, FALSE);
}

static void
message_cb (ArwProgress *progress, const char *message, gpointer user_data)
{
  ArwCliProgress *self = user_data;

  if (self->mode == MODE_JSON)
    {
      g_autoptr(JsonNode) node = arw_progress_message_to_json (message);
      print_json_line (node);
      return;
    }
  clear_bar (self);
  if (g_str_has_prefix (message, "warning: "))
    g_printerr ("%s\n", message);
  else
    g_print ("%s\n", message);
  fflush (stdout);
  if (self->mode == MODE_TTY)
    draw_bar (self, TRUE);
}

ArwCliProgress *
arw_cli_progress_new (ArwProgress *progress, gboolean json)
{
  ArwCliProgress *self = g_new0 (ArwCliProgress, 1);

  self->progress = g_object_ref (progress);
  self->mode = json ? MODE_JSON : isatty (STDOUT_FILENO) ? MODE_TTY : MODE_QUIET;
  self->last_phase = (ArwProgressPhase) -1;
  arw_progress_set_min_interval (progress, REDRAW_INTERVAL_US / 1000);
  self->changed_id = g_signal_connect (progress, "changed", G_CALLBACK (changed_cb), self);
  self->message_id = g_signal_connect (progress, "message", G_CALLBACK (message_cb), self);
  return self;
}

void
arw_cli_progress_finish (ArwCliProgress *self)
{
  if (!self->bar_visible)
    return;
  g_print ("\n");
  fflush (stdout);
  self->bar_visible = FALSE;
}

void
arw_cli_progress_free (ArwCliProgress *self)
{
  if (self == NULL)
    return;
  arw_cli_progress_finish (self);
  g_signal_handler_disconnect (self->progress, self->changed_id);
  g_signal_handler_disconnect (self->progress, self->message_id);
  g_object_unref (self->progress);
  g_free (self);
}
