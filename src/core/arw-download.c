/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "arw-download.h"
#include "arw-error.h"
#include "arw-sha256.h"

/* Sync reads into 1 MiB buffers from a worker thread: ~30x faster than
 * g_output_stream_splice_async (guides/testing.md §8). */
#define BUFFER_SIZE (1024 * 1024)
#define MAX_REDIRECTS 10
/* Writeback of the .part is started every this many bytes, so the fsync
 * before the rename does not have to write the whole file. */
#define WRITEBACK_STEP (8 * 1024 * 1024)
#define META_MAGIC "arw-download-meta 1"

struct _ArwDownloader
{
  GObject parent_instance;

  SoupSession *session;
  guint stall_timeout_ms;
  guint max_retries;
  guint backoff_base_ms;
  guint backoff_max_ms;
  gboolean resume;
};

G_DEFINE_FINAL_TYPE (ArwDownloader, arw_downloader, G_TYPE_OBJECT)

typedef enum {
  ATTEMPT_OK,
  ATTEMPT_RETRY,
  ATTEMPT_FATAL,
} AttemptResult;

/* Per-call state; lives on the calling thread's stack. */
typedef struct {
  ArwDownloader *self;
  const ArwDownloadRequest *req;
  char *part_path;
  char *meta_path;
  int fd;
  guint64 offset; /* bytes in the .part, all of them hashed into sha */
  guint64 written_back; /* writeback was started up to here */
  ArwSha256 sha;
  char *validator; /* ETag or Last-Modified of the response that began the .part */
  gboolean resumed; /* the .part holds bytes from an earlier response */
  guint64 expected_end; /* where the current response should end; 0 = unknown */
  ArwProgress *progress;
  GCancellable *cancellable;
  guint8 *buf;
} Download;

/* Cancels the attempt's cancellable when no data arrived for timeout_us. */
typedef struct {
  GMutex lock;
  GCond cond;
  gint64 last_activity_us;
  gint64 timeout_us;
  gboolean stop;
  gboolean paused; /* the data is with the sink, not the network */
  gboolean parked; /* the thread waits for the pause to end */
  gboolean stalled;
  GCancellable *cancel;
  GThread *thread;
} Watchdog;

/* Formats a duration for messages: "30 s", "0.2 s", "5 ms". */
static char *
format_msec (guint msec)
{
  if (msec % 1000 == 0)
    return g_strdup_printf ("%u s", msec / 1000);
  if (msec >= 100)
    return g_strdup_printf ("%.1f s", msec / 1000.0);
  return g_strdup_printf ("%u ms", msec);
}

static gpointer
watchdog_thread (gpointer data)
{
  Watchdog *wd = data;

  g_mutex_lock (&wd->lock);
  while (!wd->stop)
    {
      gint64 deadline = wd->last_activity_us + wd->timeout_us;

      if (wd->paused)
        {
          wd->parked = TRUE;
          g_cond_wait (&wd->cond, &wd->lock);
          wd->parked = FALSE;
          continue;
        }
      if (g_get_monotonic_time () >= deadline)
        {
          wd->stalled = TRUE;
          g_mutex_unlock (&wd->lock);
          g_cancellable_cancel (wd->cancel);
          return NULL;
        }
      g_cond_wait_until (&wd->cond, &wd->lock, deadline);
    }
  g_mutex_unlock (&wd->lock);
  return NULL;
}

static void
watchdog_start (Watchdog *wd, GCancellable *cancel, guint timeout_ms)
{
  memset (wd, 0, sizeof *wd);
  g_mutex_init (&wd->lock);
  g_cond_init (&wd->cond);
  wd->cancel = cancel;
  wd->timeout_us = (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  wd->last_activity_us = g_get_monotonic_time ();
  if (timeout_ms > 0)
    wd->thread = g_thread_new ("arw-download-watchdog", watchdog_thread, wd);
}

static void
watchdog_touch (Watchdog *wd)
{
  if (wd == NULL)
    return;
  g_mutex_lock (&wd->lock);
  wd->last_activity_us = g_get_monotonic_time ();
  g_mutex_unlock (&wd->lock);
}

/* While paused the attempt cannot stall; resuming counts as activity. */
static void
watchdog_pause (Watchdog *wd, gboolean paused)
{
  if (wd == NULL)
    return;
  g_mutex_lock (&wd->lock);
  wd->paused = paused;
  wd->last_activity_us = g_get_monotonic_time ();
  /* Only a parked thread needs waking: a later deadline is seen anyway. */
  if (!paused && wd->parked)
    g_cond_signal (&wd->cond);
  g_mutex_unlock (&wd->lock);
}

static void
watchdog_stop (Watchdog *wd)
{
  g_mutex_lock (&wd->lock);
  wd->stop = TRUE;
  g_cond_signal (&wd->cond);
  g_mutex_unlock (&wd->lock);
  if (wd->thread != NULL)
    g_thread_join (wd->thread);
  g_mutex_clear (&wd->lock);
  g_cond_clear (&wd->cond);
}

static void
arw_downloader_finalize (GObject *object)
{
  ArwDownloader *self = ARW_DOWNLOADER (object);

  g_clear_object (&self->session);
  G_OBJECT_CLASS (arw_downloader_parent_class)->finalize (object);
}

static void
arw_downloader_class_init (ArwDownloaderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = arw_downloader_finalize;
}

static void
arw_downloader_init (ArwDownloader *self)
{
  self->session = soup_session_new_with_options ("user-agent", "arw-runtime/" PACKAGE_VERSION,
                                                 "timeout", 0,
                                                 NULL);
  /* Hashes cover the raw bytes: never ask for or decode Content-Encoding. */
  soup_session_remove_feature_by_type (self->session, SOUP_TYPE_CONTENT_DECODER);
  soup_session_remove_feature_by_type (self->session, SOUP_TYPE_CONTENT_SNIFFER);
  self->stall_timeout_ms = 30 * 1000;
  self->max_retries = 5;
  self->backoff_base_ms = 1000;
  self->backoff_max_ms = 60 * 1000;
  self->resume = TRUE;
}

ArwDownloader *
arw_downloader_new (void)
{
  return g_object_new (ARW_TYPE_DOWNLOADER, NULL);
}

void
arw_downloader_set_stall_timeout_ms (ArwDownloader *self, guint msec)
{
  g_return_if_fail (ARW_IS_DOWNLOADER (self));
  self->stall_timeout_ms = msec;
}

void
arw_downloader_set_max_retries (ArwDownloader *self, guint max_retries)
{
  g_return_if_fail (ARW_IS_DOWNLOADER (self));
  self->max_retries = max_retries;
}

void
arw_downloader_set_backoff (ArwDownloader *self, guint base_msec, guint max_msec)
{
  g_return_if_fail (ARW_IS_DOWNLOADER (self));
  self->backoff_base_ms = base_msec;
  self->backoff_max_ms = MAX (base_msec, max_msec);
}

void
arw_downloader_set_resume (ArwDownloader *self, gboolean resume)
{
  g_return_if_fail (ARW_IS_DOWNLOADER (self));
  self->resume = !!resume;
}

guint
arw_download_backoff_ms (guint base_msec, guint max_msec, guint attempt)
{
  guint64 delay = base_msec;

  for (guint i = 1; i < attempt && delay < max_msec; i++)
    delay *= 2;
  return (guint) MIN (delay, (guint64) max_msec);
}

gboolean
arw_download_sha256_equal (const char *expected, const char *actual)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (expected == NULL || actual == NULL)
    return FALSE;
  a = g_strstrip (g_strdup (expected));
  b = g_strstrip (g_strdup (actual));
  return *a != '\0' && g_ascii_strcasecmp (a, b) == 0;
}

static gboolean
is_sha256_hex (const char *value)
{
  g_autofree char *hex = g_strstrip (g_strdup (value));

  if (strlen (hex) != 64)
    return FALSE;
  for (const char *p = hex; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
is_http_scheme (const char *scheme)
{
  return g_strcmp0 (scheme, "http") == 0 || g_strcmp0 (scheme, "https") == 0;
}

gboolean
arw_download_check_redirect (const char *from_url, const char *to_url, GError **error)
{
  const char *from_scheme;
  const char *to_scheme;

  g_return_val_if_fail (from_url != NULL, FALSE);
  g_return_val_if_fail (to_url != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  from_scheme = g_uri_peek_scheme (from_url);
  to_scheme = g_uri_peek_scheme (to_url);
  if (!is_http_scheme (to_scheme))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED,
                   "refusing redirect from %s to %s: only http and https redirects are followed",
                   from_url, to_url);
      return FALSE;
    }
  if (g_strcmp0 (from_scheme, "https") == 0 && g_strcmp0 (to_scheme, "http") == 0)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED,
                   "refusing redirect from https to plain http (%s to %s); "
                   "fix the catalog URL or the server configuration",
                   from_url, to_url);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_supported_url (const char *url, GError **error)
{
  const char *scheme = g_uri_peek_scheme (url);

  if (is_http_scheme (scheme) || g_strcmp0 (scheme, "file") == 0)
    return TRUE;
  g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT,
               "unsupported URL %s: only http, https and file URLs can be downloaded", url);
  return FALSE;
}

char *
arw_download_resolve_url (const char *base, const char *url, GError **error)
{
  g_autofree char *unescaped = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *canonical = NULL;
  char *resolved;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (*url == '\0')
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT, "empty artifact URL");
      return NULL;
    }
  if (g_uri_peek_scheme (url) != NULL)
    return check_supported_url (url, error) ? g_strdup (url) : NULL;
  if (g_path_is_absolute (url))
    return g_filename_to_uri (url, NULL, error);
  if (base == NULL || *base == '\0')
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT,
                   "relative artifact URL %s needs a catalog location to resolve against", url);
      return NULL;
    }
  if (g_uri_peek_scheme (base) != NULL)
    {
      resolved = g_uri_resolve_relative (base, url, G_URI_FLAGS_NONE, error);
      if (resolved != NULL && !check_supported_url (resolved, error))
        g_clear_pointer (&resolved, g_free);
      return resolved;
    }
  unescaped = g_uri_unescape_string (url, NULL);
  if (unescaped == NULL)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT,
                   "invalid percent-encoding in artifact URL %s", url);
      return NULL;
    }
  joined = g_build_filename (base, unescaped, NULL);
  canonical = g_canonicalize_filename (joined, NULL);
  return g_filename_to_uri (canonical, NULL, error);
}

gboolean
arw_download_check_free_space (const char *dir, guint64 needed_bytes, GError **error)
{
  struct statvfs st;
  guint64 avail;
  g_autofree char *need_str = NULL;
  g_autofree char *have_str = NULL;

  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (statvfs (dir, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "could not check free space in %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }
  avail = (guint64) st.f_bavail * (guint64) st.f_frsize;
  if (avail >= needed_bytes)
    return TRUE;
  need_str = g_format_size_full (needed_bytes, G_FORMAT_SIZE_IEC_UNITS);
  have_str = g_format_size_full (avail, G_FORMAT_SIZE_IEC_UNITS);
  g_set_error (error, ARW_ERROR, ARW_ERROR_NO_SPACE,
               "not enough free space in %s: need %s, have %s", dir, need_str, have_str);
  return FALSE;
}

/* ---- the .part file ---- */

static gboolean
set_io_error (GError **error, int errnum, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errnum),
               "could not %s %s: %s", what, path, g_strerror (errnum));
  return FALSE;
}

static gboolean
write_all (int fd, const guint8 *data, gsize len, const char *path, GError **error)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return set_io_error (error, errno, "write", path);
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static void
meta_write (Download *dl)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;

  if (dl->validator == NULL || !dl->self->resume)
    {
      g_unlink (dl->meta_path);
      return;
    }
  text = g_strdup_printf (META_MAGIC "\n%s\n%s\n", dl->req->url, dl->validator);
  if (!g_file_set_contents (dl->meta_path, text, -1, &local_error))
    g_debug ("could not record the resume validator: %s", local_error->message);
}

/* The validator recorded for this URL by an earlier run, or NULL. */
static char *
meta_read (Download *dl)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (dl->meta_path, &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", 4);
  if (g_strv_length (lines) < 3 || g_strcmp0 (lines[0], META_MAGIC) != 0 ||
      g_strcmp0 (lines[1], dl->req->url) != 0 || *lines[2] == '\0')
    return NULL;
  return g_strdup (lines[2]);
}

static gboolean
part_reset (Download *dl, GError **error)
{
  if (ftruncate (dl->fd, 0) != 0 || lseek (dl->fd, 0, SEEK_SET) != 0)
    return set_io_error (error, errno, "truncate", dl->part_path);
  arw_sha256_init (&dl->sha);
  dl->offset = 0;
  dl->resumed = FALSE;
  g_clear_pointer (&dl->validator, g_free);
  g_unlink (dl->meta_path);
  arw_progress_set_done (dl->progress, 0);
  return TRUE;
}

/* Hashes the existing .part prefix; leaves the file offset at its end. */
static gboolean
part_hash_prefix (Download *dl, GError **error)
{
  for (;;)
    {
      gssize n = read (dl->fd, dl->buf, BUFFER_SIZE);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return set_io_error (error, errno, "read", dl->part_path);
      if (n == 0)
        return TRUE;
      if (g_cancellable_set_error_if_cancelled (dl->cancellable, error))
        return FALSE;
      arw_sha256_update (&dl->sha, dl->buf, (gsize) n);
      if (dl->req->sink != NULL)
        dl->req->sink (dl->offset, dl->buf, (gsize) n, dl->req->sink_data);
      dl->offset += (guint64) n;
    }
}

static gboolean
part_open (Download *dl, gboolean try_resume, GError **error)
{
  g_autofree char *offset_str = NULL;
  struct stat st;

  dl->fd = g_open (dl->part_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (dl->fd < 0)
    return set_io_error (error, errno, "open", dl->part_path);
  arw_sha256_init (&dl->sha);
  if (fstat (dl->fd, &st) != 0)
    return set_io_error (error, errno, "stat", dl->part_path);
  if (st.st_size == 0)
    return part_reset (dl, error);

  dl->validator = try_resume ? meta_read (dl) : NULL;
  /* Without a validator only a final hash check can catch a changed file. */
  if (!try_resume || (dl->validator == NULL && dl->req->expected_sha256 == NULL) ||
      (dl->req->size_bytes > 0 && (guint64) st.st_size > dl->req->size_bytes))
    return part_reset (dl, error);

  if (!part_hash_prefix (dl, error))
    return FALSE;
  dl->resumed = TRUE;
  offset_str = g_format_size_full (dl->offset, G_FORMAT_SIZE_IEC_UNITS);
  arw_progress_set_done (dl->progress, dl->offset);
  arw_progress_message (dl->progress, "resuming at %s", offset_str);
  return TRUE;
}

static void
part_discard (Download *dl)
{
  if (dl->fd >= 0)
    g_close (dl->fd, NULL);
  dl->fd = -1;
  g_unlink (dl->part_path);
  g_unlink (dl->meta_path);
}

static gboolean
fsync_parent_dir (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  gboolean ok;

  if (fd < 0)
    return set_io_error (error, errno, "open", dir);
  ok = fsync (fd) == 0;
  if (!ok)
    set_io_error (error, errno, "fsync", dir);
  g_close (fd, NULL);
  return ok;
}

/* fsync, verify the hash, rename into place. Returns the hex digest. */
static char *
part_commit (Download *dl, const char *dest_path, gboolean *out_retry_clean, GError **error)
{
  char hex[ARW_SHA256_HEX_SIZE];

  *out_retry_clean = FALSE;
  arw_progress_set_phase (dl->progress, ARW_PROGRESS_PHASE_VERIFYING);
  arw_sha256_finish_hex (&dl->sha, hex);
  if (dl->req->expected_sha256 != NULL && !arw_download_sha256_equal (dl->req->expected_sha256, hex))
    {
      g_autofree char *expected = g_strstrip (g_strdup (dl->req->expected_sha256));

      part_discard (dl);
      if (dl->resumed)
        {
          /* The server may have changed the file under a bad 206: one clean retry. */
          arw_progress_message (dl->progress, "hash mismatch after resuming %s; downloading it again from the start",
                                dl->req->url);
          *out_retry_clean = TRUE;
          return NULL;
        }
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "artifact hash mismatch for %s: expected %s, got %s; the download was discarded",
                   dl->req->url, expected, hex);
      return NULL;
    }
  if (fsync (dl->fd) != 0)
    {
      set_io_error (error, errno, "fsync", dl->part_path);
      return NULL;
    }
  g_close (dl->fd, NULL);
  dl->fd = -1;
  if (g_rename (dl->part_path, dest_path) != 0)
    {
      set_io_error (error, errno, "rename to", dest_path);
      return NULL;
    }
  if (!fsync_parent_dir (dest_path, error))
    return NULL;
  g_unlink (dl->meta_path);
  return g_strdup (hex);
}

/* ---- transfer ---- */

static gboolean
error_too_large (Download *dl, GError **error)
{
  part_discard (dl);
  g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
               "artifact %s is larger than the catalog's size_bytes %" G_GUINT64_FORMAT
               "; the download was discarded",
               dl->req->url, dl->req->size_bytes);
  return FALSE;
}

/* Starts (does not wait for) writeback of the .part up to @end, in
 * WRITEBACK_STEP pieces; errors surface in the fsync of part_commit(). */
static void
start_writeback (Download *dl, guint64 end)
{
  if (end < dl->written_back)
    dl->written_back = 0; /* the .part was reset */
  if (end - dl->written_back < WRITEBACK_STEP)
    return;
  (void) sync_file_range (dl->fd, (off_t) dl->written_back, (off_t) (end - dl->written_back),
                          SYNC_FILE_RANGE_WRITE);
  dl->written_back = end;
}

/* Streams @stream into the .part while hashing and enforcing size_bytes.
 * Returns FALSE with @error set; *out_fatal says whether to give up. */
static gboolean
read_body (Download *dl, GInputStream *stream, Watchdog *wd, GCancellable *cancellable,
           gboolean *out_fatal, GError **error)
{
  guint64 cap = dl->req->size_bytes;

  *out_fatal = FALSE;
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n = g_input_stream_read (stream, dl->buf, BUFFER_SIZE, cancellable, &local_error);

      if (n < 0 && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (n < 0)
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_NETWORK,
                       "download of %s interrupted after %" G_GUINT64_FORMAT " bytes: %s",
                       dl->req->url, dl->offset, local_error->message);
          return FALSE;
        }
      if (n == 0)
        return TRUE;
      watchdog_touch (wd);
      if (cap > 0 && dl->offset + (guint64) n > cap)
        {
          *out_fatal = TRUE;
          return error_too_large (dl, error);
        }
      if (!write_all (dl->fd, dl->buf, (gsize) n, dl->part_path, error))
        {
          *out_fatal = TRUE;
          return FALSE;
        }
      start_writeback (dl, dl->offset + (guint64) n);
      arw_sha256_update (&dl->sha, dl->buf, (gsize) n);
      if (dl->req->sink != NULL)
        {
          watchdog_pause (wd, TRUE);
          dl->req->sink (dl->offset, dl->buf, (gsize) n, dl->req->sink_data);
          watchdog_pause (wd, FALSE);
        }
      dl->offset += (guint64) n;
      arw_progress_add_bytes (dl->progress, (guint64) n);
    }
}

/* After a complete body: a short file vs size_bytes. */
static gboolean
check_complete (Download *dl, gboolean *out_fatal, GError **error)
{
  guint64 size = dl->req->size_bytes;

  *out_fatal = FALSE;
  if (size == 0 || dl->offset == size)
    return TRUE;
  *out_fatal = TRUE;
  part_discard (dl);
  g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
               "artifact %s is smaller than the catalog's size_bytes %" G_GUINT64_FORMAT
               " (got %" G_GUINT64_FORMAT " bytes); the download was discarded",
               dl->req->url, size, dl->offset);
  return FALSE;
}

static AttemptResult
classify_send_error (Download *dl, const char *url, GError *local_error, GError **error)
{
  if (local_error->domain == G_TLS_ERROR)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED,
                   "TLS error talking to %s: %s", url, local_error->message);
      return ATTEMPT_FATAL;
    }
  g_set_error (error, ARW_ERROR, ARW_ERROR_NETWORK,
               "download of %s failed: %s", url, local_error->message);
  return ATTEMPT_RETRY;
}

/* Sends the GET, following up to MAX_REDIRECTS redirects by hand so each
 * hop can be checked against the redirect policy. */
static AttemptResult
http_open (Download *dl, GCancellable *cancellable, SoupMessage **out_msg,
           GInputStream **out_stream, GError **error)
{
  g_autofree char *url = g_strdup (dl->req->url);

  for (guint redirects = 0;; redirects++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, url);
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(GError) local_error = NULL;
      SoupMessageHeaders *headers;
      const char *location;
      g_autofree char *target = NULL;

      if (msg == NULL)
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT, "invalid artifact URL %s", url);
          return ATTEMPT_FATAL;
        }
      soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
      headers = soup_message_get_request_headers (msg);
      if (dl->offset > 0)
        {
          soup_message_headers_set_range (headers, (goffset) dl->offset, -1);
          if (dl->validator != NULL)
            soup_message_headers_replace (headers, "If-Range", dl->validator);
        }
      stream = soup_session_send (dl->self->session, msg, cancellable, &local_error);
      if (stream == NULL)
        return classify_send_error (dl, url, local_error, error);
      if (!SOUP_STATUS_IS_REDIRECTION (soup_message_get_status (msg)))
        {
          *out_msg = g_steal_pointer (&msg);
          *out_stream = g_steal_pointer (&stream);
          return ATTEMPT_OK;
        }

      g_input_stream_close (stream, NULL, NULL);
      location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
      if (location == NULL)
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_NETWORK, "HTTP %u from %s without a Location header",
                       soup_message_get_status (msg), url);
          return ATTEMPT_FATAL;
        }
      target = g_uri_resolve_relative (url, location, G_URI_FLAGS_NONE, error);
      if (target == NULL || !arw_download_check_redirect (url, target, error))
        return ATTEMPT_FATAL;
      if (redirects >= MAX_REDIRECTS)
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_NETWORK,
                       "too many redirects (more than %d) downloading %s", MAX_REDIRECTS, dl->req->url);
          return ATTEMPT_FATAL;
        }
      g_free (url);
      url = g_steal_pointer (&target);
    }
}

static void
record_validator (Download *dl, SoupMessageHeaders *headers)
{
  const char *etag = soup_message_headers_get_one (headers, "ETag");
  const char *modified = soup_message_headers_get_one (headers, "Last-Modified");

  g_clear_pointer (&dl->validator, g_free);
  /* If-Range needs a strong validator. */
  if (etag != NULL && !g_str_has_prefix (etag, "W/"))
    dl->validator = g_strdup (etag);
  else if (modified != NULL)
    dl->validator = g_strdup (modified);
  meta_write (dl);
}

static AttemptResult
error_size_mismatch (Download *dl, guint64 server_size, GError **error)
{
  part_discard (dl);
  g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
               "artifact %s is %" G_GUINT64_FORMAT " bytes on the server but the catalog's size_bytes is %"
               G_GUINT64_FORMAT "; the download was discarded",
               dl->req->url, server_size, dl->req->size_bytes);
  return ATTEMPT_FATAL;
}

static AttemptResult
check_partial_response (Download *dl, SoupMessageHeaders *headers, GError **error)
{
  goffset start = 0, end = 0, total = 0;

  if (!soup_message_headers_get_content_range (headers, &start, &end, &total) ||
      (guint64) start != dl->offset)
    {
      if (!part_reset (dl, error))
        return ATTEMPT_FATAL;
      g_set_error (error, ARW_ERROR, ARW_ERROR_NETWORK,
                   "server sent an unexpected range for %s; restarting from the start", dl->req->url);
      return ATTEMPT_RETRY;
    }
  if (dl->req->size_bytes > 0 && total > 0 && (guint64) total != dl->req->size_bytes)
    return error_size_mismatch (dl, (guint64) total, error);
  dl->resumed = dl->resumed || dl->offset > 0;
  /* A server may answer a shorter range than asked: fetch the rest next attempt. */
  dl->expected_end = total > 0 ? (guint64) total : (guint64) end + 1;
  if (total > 0)
    arw_progress_set_total (dl->progress, (guint64) total);
  return ATTEMPT_OK;
}

static AttemptResult
check_full_response (Download *dl, SoupMessageHeaders *headers, GError **error)
{
  goffset length = -1;

  if (dl->offset > 0)
    {
      arw_progress_message (dl->progress, "server sent the whole file for %s; restarting from the start",
                            dl->req->url);
      if (!part_reset (dl, error))
        return ATTEMPT_FATAL;
    }
  record_validator (dl, headers);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    length = soup_message_headers_get_content_length (headers);
  if (dl->req->size_bytes > 0 && length >= 0 && (guint64) length != dl->req->size_bytes)
    return error_size_mismatch (dl, (guint64) length, error);
  dl->expected_end = length >= 0 ? (guint64) length : 0;
  if (length >= 0)
    arw_progress_set_total (dl->progress, (guint64) length);
  return ATTEMPT_OK;
}

static AttemptResult
check_status (Download *dl, SoupMessage *msg, GError **error)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  guint status = soup_message_get_status (msg);
  const char *reason = soup_message_get_reason_phrase (msg);

  if (status == SOUP_STATUS_PARTIAL_CONTENT)
    return check_partial_response (dl, headers, error);
  if (status == SOUP_STATUS_OK)
    return check_full_response (dl, headers, error);
  if (status == SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE && dl->offset > 0)
    {
      if (!part_reset (dl, error))
        return ATTEMPT_FATAL;
      g_set_error (error, ARW_ERROR, ARW_ERROR_NETWORK,
                   "server rejected resuming %s; restarting from the start", dl->req->url);
      return ATTEMPT_RETRY;
    }
  g_set_error (error, ARW_ERROR,
               status == SOUP_STATUS_NOT_FOUND || status == 410 ? ARW_ERROR_NOT_FOUND : ARW_ERROR_NETWORK,
               "server returned HTTP %u (%s) for %s", status, reason != NULL ? reason : "", dl->req->url);
  /* 4xx are permanent; 5xx and anything odd may pass. */
  return SOUP_STATUS_IS_CLIENT_ERROR (status) ? ATTEMPT_FATAL : ATTEMPT_RETRY;
}

static AttemptResult
attempt_inner (Download *dl, GCancellable *cancellable, Watchdog *wd, GError **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GInputStream) stream = NULL;
  AttemptResult res;
  gboolean fatal = FALSE;

  res = http_open (dl, cancellable, &msg, &stream, error);
  if (res != ATTEMPT_OK)
    return res;
  watchdog_touch (wd);
  dl->expected_end = 0;
  res = check_status (dl, msg, error);
  if (res != ATTEMPT_OK)
    return res;
  if (!read_body (dl, stream, wd, cancellable, &fatal, error))
    return fatal ? ATTEMPT_FATAL : ATTEMPT_RETRY;
  if (dl->offset < dl->expected_end)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_NETWORK,
                   "connection closed after %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes of %s",
                   dl->offset, dl->expected_end, dl->req->url);
      return ATTEMPT_RETRY;
    }
  if (!check_complete (dl, &fatal, error))
    return ATTEMPT_FATAL;
  g_input_stream_close (stream, NULL, NULL);
  return ATTEMPT_OK;
}

static void
forward_cancel (GCancellable *cancellable, gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* One request; turns a watchdog or user cancellation into its error. */
static AttemptResult
download_attempt (Download *dl, GError **error)
{
  g_autoptr(GCancellable) attempt_cancel = g_cancellable_new ();
  g_autoptr(GError) local_error = NULL;
  Watchdog wd;
  AttemptResult res;
  gulong handler = 0;

  if (dl->cancellable != NULL)
    handler = g_cancellable_connect (dl->cancellable, G_CALLBACK (forward_cancel), attempt_cancel, NULL);
  watchdog_start (&wd, attempt_cancel, dl->self->stall_timeout_ms);
  res = attempt_inner (dl, attempt_cancel, &wd, &local_error);
  watchdog_stop (&wd);
  g_cancellable_disconnect (dl->cancellable, handler);

  if (res == ATTEMPT_OK)
    return ATTEMPT_OK;
  if (g_cancellable_set_error_if_cancelled (dl->cancellable, error))
    return ATTEMPT_FATAL;
  if (wd.stalled && res == ATTEMPT_RETRY)
    {
      g_autofree char *secs = format_msec (dl->self->stall_timeout_ms);

      g_set_error (error, ARW_ERROR, ARW_ERROR_NETWORK, "download stalled: no data for %s", secs);
      return ATTEMPT_RETRY;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return res;
}

static gboolean
sleep_cancellable (guint msec, GCancellable *cancellable, GError **error)
{
  GPollFD pfd;
  gint64 deadline = g_get_monotonic_time () + (gint64) msec * G_TIME_SPAN_MILLISECOND;

  if (cancellable == NULL || !g_cancellable_make_pollfd (cancellable, &pfd))
    {
      g_usleep ((gulong) msec * 1000);
      return TRUE;
    }
  while (!g_cancellable_is_cancelled (cancellable))
    {
      gint64 remaining = deadline - g_get_monotonic_time ();

      if (remaining <= 0)
        break;
      g_poll (&pfd, 1, (gint) ((remaining + 999) / 1000));
    }
  g_cancellable_release_fd (cancellable);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* Attempts with retries and backoff until the .part holds a full body. */
static gboolean
fetch_to_part (Download *dl, GError **error)
{
  ArwDownloader *self = dl->self;

  arw_progress_set_phase (dl->progress, ARW_PROGRESS_PHASE_DOWNLOADING);
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *delay_str = NULL;
      AttemptResult res;
      guint delay;

      if (!self->resume && dl->offset > 0 && !part_reset (dl, error))
        return FALSE;
      res = download_attempt (dl, &local_error);

      if (res == ATTEMPT_OK)
        return TRUE;
      if (res == ATTEMPT_FATAL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (attempt >= self->max_retries)
        {
          g_set_error (error, local_error->domain, local_error->code, "%s; gave up after %u attempt%s",
                       local_error->message, attempt + 1, attempt == 0 ? "" : "s");
          return FALSE;
        }
      delay = arw_download_backoff_ms (self->backoff_base_ms, self->backoff_max_ms, attempt + 1);
      delay_str = format_msec (delay);
      arw_progress_message (dl->progress, "%s, retrying in %s (attempt %u of %u)",
                            local_error->message, delay_str, attempt + 2, self->max_retries + 1);
      if (!sleep_cancellable (delay, dl->cancellable, error))
        return FALSE;
    }
}

static gboolean
fetch_local (Download *dl, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_uri (dl->req->url);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  gboolean fatal = FALSE;

  arw_progress_set_phase (dl->progress, ARW_PROGRESS_PHASE_DOWNLOADING);
  stream = g_file_read (file, dl->cancellable, error);
  if (stream == NULL)
    return FALSE;
  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, dl->cancellable, error);
  if (info == NULL)
    return FALSE;
  if (dl->req->size_bytes > 0 && (guint64) g_file_info_get_size (info) != dl->req->size_bytes)
    {
      error_size_mismatch (dl, (guint64) g_file_info_get_size (info), error);
      return FALSE;
    }
  arw_progress_set_total (dl->progress, (guint64) g_file_info_get_size (info));
  if (!read_body (dl, G_INPUT_STREAM (stream), NULL, dl->cancellable, &fatal, error))
    return FALSE;
  return check_complete (dl, &fatal, error);
}

static gboolean
validate_request (const ArwDownloadRequest *req, GError **error)
{
  if (req->expected_sha256 == NULL && req->require_sha256)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED,
                   "artifact %s has no sha256 in the catalog and verified downloads are required", req->url);
      return FALSE;
    }
  if (req->expected_sha256 != NULL && !is_sha256_hex (req->expected_sha256))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "artifact %s has an invalid sha256 \"%s\" (expected 64 hex digits)",
                   req->url, req->expected_sha256);
      return FALSE;
    }
  return check_supported_url (req->url, error);
}

static void
download_clear (Download *dl)
{
  if (dl->fd >= 0)
    g_close (dl->fd, NULL);
  g_free (dl->part_path);
  g_free (dl->meta_path);
  g_free (dl->validator);
  g_free (dl->buf);
  g_clear_object (&dl->progress);
}

/* One pass: open the .part, fill it, commit. */
static char *
download_pass (Download *dl, const char *dest_path, gboolean try_resume, gboolean *out_retry_clean,
               GError **error)
{
  gboolean local = g_strcmp0 (g_uri_peek_scheme (dl->req->url), "file") == 0;
  guint64 size = dl->req->size_bytes;
  g_autofree char *dir = g_path_get_dirname (dest_path);

  *out_retry_clean = FALSE;
  if (!part_open (dl, try_resume && !local, error))
    return NULL;
  if (size > dl->offset && !arw_download_check_free_space (dir, size - dl->offset, error))
    return NULL;
  /* Blocks allocated up front make the writes cheaper; the file size
   * stays the bytes received, and a failure only loses the speed-up. */
  if (size > dl->offset)
    (void) fallocate (dl->fd, FALLOC_FL_KEEP_SIZE, (off_t) dl->offset, (off_t) (size - dl->offset));
  if (local && !fetch_local (dl, error))
    return NULL;
  /* A .part that already holds size_bytes only needs verifying. */
  if (!local && !(size > 0 && dl->offset == size) && !fetch_to_part (dl, error))
    return NULL;
  return part_commit (dl, dest_path, out_retry_clean, error);
}

char *
arw_download_file (ArwDownloader            *self,
                   const ArwDownloadRequest *req,
                   const char               *dest_path,
                   ArwProgress              *progress,
                   GCancellable             *cancellable,
                   GError                  **error)
{
  Download dl = { 0 };
  g_autofree char *basename = NULL;
  gboolean retry_clean = FALSE;
  char *hex;

  g_return_val_if_fail (ARW_IS_DOWNLOADER (self), NULL);
  g_return_val_if_fail (req != NULL && req->url != NULL, NULL);
  g_return_val_if_fail (dest_path != NULL, NULL);
  g_return_val_if_fail (progress == NULL || ARW_IS_PROGRESS (progress), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!validate_request (req, error))
    return NULL;

  dl.self = self;
  dl.req = req;
  dl.fd = -1;
  dl.part_path = g_strconcat (dest_path, ".part", NULL);
  dl.meta_path = g_strconcat (dest_path, ".part.meta", NULL);
  dl.progress = progress != NULL ? g_object_ref (progress) : arw_progress_new ();
  dl.cancellable = cancellable;
  dl.buf = g_malloc (BUFFER_SIZE);
  basename = g_path_get_basename (dest_path);
  arw_progress_set_item (dl.progress, basename);
  arw_progress_set_total (dl.progress, req->size_bytes);

  hex = download_pass (&dl, dest_path, self->resume, &retry_clean, error);
  if (hex == NULL && retry_clean)
    hex = download_pass (&dl, dest_path, FALSE, &retry_clean, error);
  if (hex == NULL && retry_clean)
    g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                 "artifact hash mismatch for %s: the server keeps sending different content; "
                 "the download was discarded", req->url);
  /* Keep a .part only when it holds something to resume. */
  if (hex == NULL && dl.fd >= 0 && dl.offset == 0)
    part_discard (&dl);
  download_clear (&dl);
  return hex;
}

/* ---- async wrapper ---- */

typedef struct {
  char *url;
  char *expected_sha256;
  guint64 size_bytes;
  gboolean require_sha256;
  ArwDownloadSinkFunc sink;
  gpointer sink_data;
  char *dest_path;
  ArwProgress *progress;
} DownloadTaskData;

static void
download_task_data_free (DownloadTaskData *data)
{
  g_free (data->url);
  g_free (data->expected_sha256);
  g_free (data->dest_path);
  g_clear_object (&data->progress);
  g_free (data);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DownloadTaskData, download_task_data_free)

static void
download_worker (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  DownloadTaskData *data = task_data;
  ArwDownloadRequest req = {
    .url = data->url,
    .expected_sha256 = data->expected_sha256,
    .size_bytes = data->size_bytes,
    .require_sha256 = data->require_sha256,
    .sink = data->sink,
    .sink_data = data->sink_data,
  };
  g_autoptr(GError) error = NULL;
  char *hex;

  /* Runs in a worker thread: touches only data owned by the task. */
  hex = arw_download_file (ARW_DOWNLOADER (source_object), &req, data->dest_path, data->progress,
                           cancellable, &error);
  if (hex == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, hex, g_free);
}

void
arw_download_file_async (ArwDownloader            *self,
                         const ArwDownloadRequest *req,
                         const char               *dest_path,
                         ArwProgress              *progress,
                         GCancellable             *cancellable,
                         GAsyncReadyCallback       callback,
                         gpointer                  user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(DownloadTaskData) data = NULL;

  g_return_if_fail (ARW_IS_DOWNLOADER (self));
  g_return_if_fail (req != NULL && req->url != NULL);
  g_return_if_fail (dest_path != NULL);
  g_return_if_fail (progress == NULL || ARW_IS_PROGRESS (progress));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arw_download_file_async);

  data = g_new0 (DownloadTaskData, 1);
  data->url = g_strdup (req->url);
  data->expected_sha256 = g_strdup (req->expected_sha256);
  data->size_bytes = req->size_bytes;
  data->require_sha256 = req->require_sha256;
  data->sink = req->sink;
  data->sink_data = req->sink_data;
  data->dest_path = g_strdup (dest_path);
  data->progress = progress != NULL ? g_object_ref (progress) : NULL;
  g_task_set_task_data (task, g_steal_pointer (&data), (GDestroyNotify) download_task_data_free);
  g_task_run_in_thread (task, download_worker);
}

char *
arw_download_file_finish (ArwDownloader *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (ARW_IS_DOWNLOADER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
