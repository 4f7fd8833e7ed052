/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "arw-error.h"
#include "arw-runtime-log.h"
#include "arw-runtime-status.h"

#define PARTIAL_LINE_MAX 4096

struct _ArwRuntimeLog {
  char *path;
  guint64 max_bytes;
  guint keep;
  int fd;
  guint64 size;
  GQueue tail;      /* char *, oldest at head */
  GString *partial; /* output after the last newline */
};

ArwRuntimeLog *
arw_runtime_log_new (const char *path, guint64 max_bytes, guint keep)
{
  ArwRuntimeLog *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_new0 (ArwRuntimeLog, 1);
  self->path = g_strdup (path);
  self->max_bytes = max_bytes;
  self->keep = keep;
  self->fd = -1;
  g_queue_init (&self->tail);
  self->partial = g_string_new (NULL);
  return self;
}

void
arw_runtime_log_free (ArwRuntimeLog *self)
{
  if (self == NULL)
    return;
  arw_runtime_log_close (self);
  g_queue_clear_full (&self->tail, g_free);
  g_string_free (self->partial, TRUE);
  g_free (self->path);
  g_free (self);
}

const char *
arw_runtime_log_get_path (ArwRuntimeLog *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

void
arw_runtime_log_set_limits (ArwRuntimeLog *self, guint64 max_bytes, guint keep)
{
  g_return_if_fail (self != NULL);
  self->max_bytes = max_bytes;
  self->keep = keep;
}

void
arw_runtime_log_close (ArwRuntimeLog *self)
{
  g_return_if_fail (self != NULL);
  if (self->fd >= 0)
    g_close (self->fd, NULL);
  self->fd = -1;
}

static gboolean
open_fd (ArwRuntimeLog *self, GError **error)
{
  struct stat st;

  self->fd = g_open (self->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (self->fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot open runtime log %s: %s", self->path, g_strerror (saved));
      return FALSE;
    }
  self->size = fstat (self->fd, &st) == 0 ? (guint64) st.st_size : 0;
  return TRUE;
}

/* <path> → <path>.1 → … → <path>.<keep>; the oldest is overwritten. */
static void
shift_files (ArwRuntimeLog *self)
{
  if (self->keep == 0)
    {
      g_unlink (self->path);
      return;
    }
  for (guint i = self->keep; i > 1; i--)
    {
      g_autofree char *from = g_strdup_printf ("%s.%u", self->path, i - 1);
      g_autofree char *to = g_strdup_printf ("%s.%u", self->path, i);
      if (g_rename (from, to) != 0 && errno != ENOENT)
        g_debug ("cannot rotate %s: %s", from, g_strerror (errno));
    }
  {
    g_autofree char *first = g_strdup_printf ("%s.1", self->path);
    if (g_rename (self->path, first) != 0 && errno != ENOENT)
      g_debug ("cannot rotate %s: %s", self->path, g_strerror (errno));
  }
}

void
arw_runtime_log_rotate (ArwRuntimeLog *self)
{
  g_autoptr(GError) error = NULL;
  gboolean was_open;

  g_return_if_fail (self != NULL);

  was_open = self->fd >= 0;
  arw_runtime_log_close (self);
  shift_files (self);
  self->size = 0;
  if (was_open && !open_fd (self, &error))
    g_warning ("%s", error->message);
}

gboolean
arw_runtime_log_open (ArwRuntimeLog *self, GError **error)
{
  g_autofree char *dir = NULL;
  GStatBuf st;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->fd >= 0)
    return TRUE;
  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create log directory %s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  if (self->max_bytes > 0 && g_stat (self->path, &st) == 0 && (guint64) st.st_size >= self->max_bytes)
    shift_files (self);
  return open_fd (self, error);
}

static void
write_all (ArwRuntimeLog *self, const char *data, gsize len)
{
  if (self->fd < 0)
    return;
  if (self->max_bytes > 0 && self->size > 0 && self->size + len > self->max_bytes)
    arw_runtime_log_rotate (self);
  while (len > 0 && self->fd >= 0)
    {
      gssize n = write (self->fd, data, len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_debug ("cannot write runtime log %s: %s", self->path, g_strerror (errno));
          return;
        }
      data += n;
      len -= (gsize) n;
      self->size += (guint64) n;
    }
}

static void
push_tail_line (ArwRuntimeLog *self, const char *line, gsize len)
{
  char *copy = g_utf8_make_valid (line, (gssize) len);

  g_strchomp (copy);
  g_queue_push_tail (&self->tail, copy);
  while (self->tail.length > ARW_RUNTIME_LOG_TAIL_LINES)
    g_free (g_queue_pop_head (&self->tail));
}

void
arw_runtime_log_write (ArwRuntimeLog *self, const char *data, gsize len)
{
  const char *end = data + len;
  const char *p = data;

  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);

  write_all (self, data, len);
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      if (nl == NULL)
        {
          gsize room = PARTIAL_LINE_MAX - MIN (self->partial->len, PARTIAL_LINE_MAX);
          g_string_append_len (self->partial, p, MIN ((gsize) (end - p), room));
          break;
        }
      if (self->partial->len > 0)
        {
          gsize room = PARTIAL_LINE_MAX - MIN (self->partial->len, PARTIAL_LINE_MAX);
          g_string_append_len (self->partial, p, MIN ((gsize) (nl - p), room));
          push_tail_line (self, self->partial->str, self->partial->len);
          g_string_truncate (self->partial, 0);
        }
      else
        push_tail_line (self, p, MIN ((gsize) (nl - p), PARTIAL_LINE_MAX));
      p = nl + 1;
    }
}

void
arw_runtime_log_note (ArwRuntimeLog *self, const char *format, ...)
{
  g_autofree char *message = NULL;
  g_autofree char *time = NULL;
  g_autofree char *line = NULL;
  va_list ap;

  g_return_if_fail (self != NULL);

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  time = arw_runtime_status_format_time (g_get_real_time (), TRUE);
  line = g_strdup_printf ("[arw %s] %s\n", time, message);
  write_all (self, line, strlen (line));
}

GStrv
arw_runtime_log_get_tail (ArwRuntimeLog *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  for (GList *l = self->tail.head; l != NULL; l = l->next)
    g_strv_builder_add (builder, l->data);
  if (self->partial->len > 0)
    {
      g_autofree char *partial = g_utf8_make_valid (self->partial->str, (gssize) self->partial->len);
      g_strv_builder_add (builder, partial);
    }
  return g_strv_builder_end (builder);
}

const char *
arw_runtime_log_get_last_line (ArwRuntimeLog *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (GList *l = self->tail.tail; l != NULL; l = l->prev)
    {
      const char *line = l->data;
      for (const char *c = line; *c != '\0'; c++)
        if (!g_ascii_isspace (*c))
          return line;
    }
  return NULL;
}

void
arw_runtime_log_clear_tail (ArwRuntimeLog *self)
{
  g_return_if_fail (self != NULL);
  g_queue_clear_full (&self->tail, g_free);
  g_queue_init (&self->tail);
  g_string_truncate (self->partial, 0);
}
