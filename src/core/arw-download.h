/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "arw-progress.h"

G_BEGIN_DECLS

/* Receives a downloaded file's bytes in order as they are written to the
 * .part: first the prefix an interrupted download left (read back from the
 * file), then what arrives. @offset is where @data starts in the file;
 * after a restart from the beginning (the server sent another version,
 * ignored the range, or a resumed file failed its hash) it is 0 again, so
 * a sink that needs one contiguous stream must check it. The bytes are
 * only verified at the end: a sink must not act on them before
 * arw_download_file() has succeeded. Called from the downloading thread;
 * time spent in it does not count as a stall. */
typedef void (*ArwDownloadSinkFunc) (guint64       offset,
                                     const guint8 *data,
                                     gsize         len,
                                     gpointer      user_data);

/* One artifact to fetch. Strings are borrowed for the duration of the call. */
typedef struct {
  const char *url;             /* absolute http(s):// or file:// URL (see arw_download_resolve_url) */
  const char *expected_sha256; /* hex, any case, surrounding whitespace ignored; NULL = no check */
  guint64 size_bytes;          /* 0 = unknown; else enforced exactly */
  gboolean require_sha256;     /* refuse (before any I/O) when expected_sha256 is NULL */
  ArwDownloadSinkFunc sink;    /* optional, see above */
  gpointer sink_data;
} ArwDownloadRequest;

#define ARW_TYPE_DOWNLOADER (arw_downloader_get_type ())
G_DECLARE_FINAL_TYPE (ArwDownloader, arw_downloader, ARW, DOWNLOADER, GObject)

/* Holds one SoupSession (User-Agent "arw-runtime/<version>", no content
 * decoding, so no Accept-Encoding is sent and hashes cover the raw bytes).
 * Configure it from the thread that created it, before the first download;
 * downloads may then run from any thread. */
ArwDownloader *arw_downloader_new (void);
/* No bytes for this long aborts the attempt (then retried). Default 30 s. */
void arw_downloader_set_stall_timeout_ms (ArwDownloader *self, guint msec);
/* Retries after the first attempt for network errors, stalls and 5xx. Default 5. */
void arw_downloader_set_max_retries (ArwDownloader *self, guint max_retries);
/* Backoff before retry n (1-based) is base * 2^(n-1), capped. Default 1 s / 60 s. */
void arw_downloader_set_backoff (ArwDownloader *self, guint base_msec, guint max_msec);
/* Keep and resume <dest>.part files. Default TRUE. */
void arw_downloader_set_resume (ArwDownloader *self, gboolean resume);

/* Downloads req->url to dest_path through dest_path.part (and a small
 * dest_path.part.meta holding the URL and ETag/Last-Modified validator).
 * An existing .part is hashed and resumed with Range/If-Range when it can
 * be validated (a stored validator, or an expected sha256 to check the
 * result against). The file is fsynced and renamed to dest_path only when
 * size and sha256 verify. Returns the lowercase hex SHA-256 of the file.
 * On cancellation (G_IO_ERROR_CANCELLED) and network failure the .part is
 * kept for a later resume; on size or hash errors it is deleted. */
char *arw_download_file (ArwDownloader            *self,
                         const ArwDownloadRequest *req,
                         const char               *dest_path,
                         ArwProgress              *progress,
                         GCancellable             *cancellable,
                         GError                  **error);
void arw_download_file_async (ArwDownloader            *self,
                              const ArwDownloadRequest *req,
                              const char               *dest_path,
                              ArwProgress              *progress,
                              GCancellable             *cancellable,
                              GAsyncReadyCallback       callback,
                              gpointer                  user_data);
char *arw_download_file_finish (ArwDownloader *self, GAsyncResult *result, GError **error);

/* Resolves @url against @base: absolute URLs (http, https, file) are
 * returned as they are, absolute paths become file:// URLs. A relative URL
 * is resolved against @base, which is either a URL (RFC 3986: against
 * "https://h/c/catalog.json" or "https://h/c/" it lands in /c/) or a local
 * directory path (the catalog's directory). */
char *arw_download_resolve_url (const char *base, const char *url, GError **error);

/* ARW_ERROR_NO_SPACE "not enough free space in <dir>: need X, have Y". */
gboolean arw_download_check_free_space (const char *dir, guint64 needed_bytes, GError **error);

/* Delay before retry @attempt (1-based): base * 2^(attempt-1), at most max. */
guint arw_download_backoff_ms (guint base_msec, guint max_msec, guint attempt);

/* Case-insensitive comparison of two hex digests after trimming whitespace. */
gboolean arw_download_sha256_equal (const char *expected, const char *actual);

/* Redirect policy: the target must be http(s), and https may not go to http. */
gboolean arw_download_check_redirect (const char *from_url, const char *to_url, GError **error);

G_END_DECLS
