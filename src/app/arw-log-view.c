/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "arw-log-view.h"

#define TAIL_BYTES (64 * 1024)
#define READ_CHUNK (64 * 1024)
#define MAX_BUFFER_CHARS (512 * 1024)

struct _ArwLogView
{
  GtkWidget parent_instance;

  char *path;
  GFile *file;
  GFileMonitor *monitor;
  GCancellable *cancellable;
  goffset offset;       /* bytes of the file already shown */
  gboolean reading;
  gboolean again;       /* a change arrived while reading */

  GtkScrolledWindow *scroller;
  GtkTextView *text_view;
};

G_DEFINE_FINAL_TYPE (ArwLogView, arw_log_view, GTK_TYPE_WIDGET)

static void read_more (ArwLogView *self);

static void
append_text (ArwLogView *self,
             const char *data,
             gsize len)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  g_autofree char *valid = g_utf8_make_valid (data, len);
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, valid, -1);
  if (gtk_text_buffer_get_char_count (buffer) > MAX_BUFFER_CHARS)
    {
      GtkTextIter start, cut;

      gtk_text_buffer_get_start_iter (buffer, &start);
      gtk_text_buffer_get_iter_at_offset (buffer, &cut, gtk_text_buffer_get_char_count (buffer) - MAX_BUFFER_CHARS / 2);
      gtk_text_buffer_delete (buffer, &start, &cut);
    }
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_view_scroll_to_iter (self->text_view, &end, 0, FALSE, 0, 1);
}

typedef struct {
  ArwLogView *self;
  GInputStream *stream;
  guint8 buf[READ_CHUNK];
} ReadData;

static void
read_data_free (ReadData *data)
{
  g_clear_object (&data->stream);
  g_object_unref (data->self);
  g_free (data);
}

static void
finish_read (ArwLogView *self)
{
  self->reading = FALSE;
  if (self->again)
    {
      self->again = FALSE;
      read_more (self);
    }
}

static void
read_cb (GObject *object,
         GAsyncResult *result,
         gpointer user_data)
{
  ReadData *data = user_data;
  ArwLogView *self = data->self;
  g_autoptr(GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (n <= 0 || self->file == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("cannot read log %s: %s", self->path, error->message);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish_read (self);
      read_data_free (data);
      return;
    }
  self->offset += n;
  append_text (self, (const char *) data->buf, n);
  g_input_stream_read_async (data->stream, data->buf, sizeof data->buf, G_PRIORITY_LOW,
                             self->cancellable, read_cb, data);
}

static void
open_cb (GObject *object,
         GAsyncResult *result,
         gpointer user_data)
{
  g_autoptr(ArwLogView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) stream = g_file_read_finish (G_FILE (object), result, &error);
  g_autoptr(GFileInfo) info = NULL;
  goffset size;
  ReadData *data;

  if (stream == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish_read (self);
      return;
    }
  /* a local file: querying its size does not block in practice */
  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, NULL, NULL);
  size = info != NULL ? g_file_info_get_size (info) : 0;
  if (size < self->offset)
    {
      /* rotated or truncated: start over */
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", 0);
      self->offset = 0;
    }
  if (self->offset == 0 && size > TAIL_BYTES)
    self->offset = size - TAIL_BYTES;
  if (!g_seekable_seek (G_SEEKABLE (stream), self->offset, G_SEEK_SET, NULL, &error))
    {
      finish_read (self);
      return;
    }
  data = g_new0 (ReadData, 1);
  data->self = g_object_ref (self);
  data->stream = G_INPUT_STREAM (g_steal_pointer (&stream));
  g_input_stream_read_async (data->stream, data->buf, sizeof data->buf, G_PRIORITY_LOW,
                             self->cancellable, read_cb, data);
}

static void
read_more (ArwLogView *self)
{
  if (self->file == NULL)
    return;
  if (self->reading)
    {
      self->again = TRUE;
      return;
    }
  self->reading = TRUE;
  g_file_read_async (self->file, G_PRIORITY_LOW, self->cancellable, open_cb, g_object_ref (self));
}

static void
monitor_changed_cb (GFileMonitor *monitor,
                    GFile *file,
                    GFile *other,
                    GFileMonitorEvent event,
                    gpointer user_data)
{
  ArwLogView *self = user_data;

  if (event == G_FILE_MONITOR_EVENT_CHANGED || event == G_FILE_MONITOR_EVENT_CREATED ||
      event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
    read_more (self);
  else if (event == G_FILE_MONITOR_EVENT_DELETED || event == G_FILE_MONITOR_EVENT_MOVED_OUT ||
           event == G_FILE_MONITOR_EVENT_RENAMED)
    self->offset = G_MAXINT64;   /* the next read starts over */
}

static void
stop_following (ArwLogView *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_file_monitor_cancel (self->monitor);
    }
  g_clear_object (&self->monitor);
  g_clear_object (&self->file);
  self->reading = FALSE;
  self->again = FALSE;
  self->offset = 0;
}

static void
arw_log_view_dispose (GObject *object)
{
  ArwLogView *self = ARW_LOG_VIEW (object);

  stop_following (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARW_TYPE_LOG_VIEW);
  {
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (arw_log_view_parent_class)->dispose (object);
}

static void
arw_log_view_finalize (GObject *object)
{
  ArwLogView *self = ARW_LOG_VIEW (object);

  g_free (self->path);

  G_OBJECT_CLASS (arw_log_view_parent_class)->finalize (object);
}

static void
arw_log_view_class_init (ArwLogViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arw_log_view_dispose;
  object_class->finalize = arw_log_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/arw/Launcher/ui/arw-log-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ArwLogView, scroller);
  gtk_widget_class_bind_template_child (widget_class, ArwLogView, text_view);
}

static void
arw_log_view_init (ArwLogView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
arw_log_view_new (void)
{
  return g_object_new (ARW_TYPE_LOG_VIEW, NULL);
}

void
arw_log_view_set_path (ArwLogView *self,
                       const char *path)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (ARW_IS_LOG_VIEW (self));

  if (g_strcmp0 (self->path, path) == 0)
    return;
  stop_following (self);
  g_free (self->path);
  self->path = g_strdup (path);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", 0);
  if (path == NULL || *path == '\0')
    return;

  self->cancellable = g_cancellable_new ();
  self->file = g_file_new_for_path (path);
  self->monitor = g_file_monitor_file (self->file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->monitor != NULL)
    {
      g_file_monitor_set_rate_limit (self->monitor, 250);
      g_signal_connect (self->monitor, "changed", G_CALLBACK (monitor_changed_cb), self);
    }
  else
    g_debug ("cannot follow log %s: %s", path, error->message);
  read_more (self);
}

const char *
arw_log_view_get_path (ArwLogView *self)
{
  g_return_val_if_fail (ARW_IS_LOG_VIEW (self), NULL);
  return self->path;
}

char *
arw_log_view_dup_text (ArwLogView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (ARW_IS_LOG_VIEW (self), NULL);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}
