/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ARW_EXTRACT_DEFAULT_MAX_TOTAL_BYTES (G_GUINT64_CONSTANT (64) * 1024 * 1024 * 1024)
#define ARW_EXTRACT_DEFAULT_MAX_ENTRIES     G_GUINT64_CONSTANT (200000)

typedef enum {
  ARW_EXTRACT_FLAGS_NONE = 0,
  /* Reject every symlink and hardlink entry, even one that stays inside
   * (guides/reliability.md §1 C.22 "policy: no symlinks"). */
  ARW_EXTRACT_FLAGS_NO_LINKS = 1 << 0,
  /* Skip the fsync of every file and directory, for callers that fsync
   * the finished tree themselves (ArwStore's commit does); writeback of
   * file data is started as it is written so that fsync is quick. */
  ARW_EXTRACT_FLAGS_NO_SYNC = 1 << 1,
} ArwExtractFlags;

/* Zero fields mean the defaults above. */
typedef struct {
  guint64 max_total_bytes;
  guint64 max_entries;
  ArwExtractFlags flags;
} ArwExtractLimits;

/* Called from the extracting thread after each entry and about every MiB
 * of file data. */
typedef void (*ArwExtractProgressFunc) (guint64  bytes_written,
                                        guint64  entries,
                                        gpointer user_data);

/* Extracts archive_path (tar, tar.gz, tar.xz, tar.zst, tar.bz2 or zip,
 * detected by content, never by name) into dest_dir, which must exist and
 * be empty.
 *
 * Every entry is written through a directory fd with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) (or an O_NOFOLLOW walk on
 * kernels without openat2), so nothing is ever created, written or linked
 * outside dest_dir, also not on error. Rejected, with an error naming the
 * entry: absolute names, `..` components, backslashes, control characters,
 * non-UTF-8 names, over-long names, case/normalisation collisions,
 * duplicates, device nodes, FIFOs, sockets, symlinks whose target is
 * absolute or resolves outside dest_dir (also through other symlinks),
 * hardlinks to anything but a regular file extracted earlier, writes
 * through symlinks, and archives over the byte or entry limits (declared
 * and actual sizes). Modes become 0644 or 0755 (directories 0755); owners,
 * times, xattrs and ACLs are not restored. Files and directories are
 * fsynced before success is returned (unless ARW_EXTRACT_FLAGS_NO_SYNC).
 *
 * On failure dest_dir holds a partial tree: the caller deletes it. */
gboolean arw_extract_archive (const char              *archive_path,
                              const char              *dest_dir,
                              const ArwExtractLimits  *limits,
                              ArwExtractProgressFunc   progress,
                              gpointer                 user_data,
                              GCancellable            *cancellable,
                              GError                 **error);

/* Extraction that overlaps the arrival of the archive (a download): the
 * bytes are pushed in order with arw_extract_stream_push() and read by a
 * thread of the stream's own, through a ring buffer of @max_buffered bytes
 * (0: 8 MiB), so the pushing side blocks while the buffer is full.
 *
 * The checks, limits, flags and errors are those of arw_extract_archive(),
 * with @label (e.g. the artifact's name) in messages instead of a path.
 * Only archives that can be read front to back: tar with any of the
 * filters. A zip is recognised before anything is written and fails with
 * G_IO_ERROR_NOT_SUPPORTED: extract the complete file with
 * arw_extract_archive() instead. Trailing bytes after the end of the
 * archive are ignored, as arw_extract_archive() ignores them.
 *
 * @progress is called from the stream's thread. Cancelling @cancellable
 * stops the extraction (G_IO_ERROR_CANCELLED). Returns NULL when dest_dir
 * cannot be opened or is not empty. */
typedef struct _ArwExtractStream ArwExtractStream;

ArwExtractStream *arw_extract_stream_new (const char              *dest_dir,
                                          const char              *label,
                                          const ArwExtractLimits  *limits,
                                          gsize                    max_buffered,
                                          ArwExtractProgressFunc   progress,
                                          gpointer                 user_data,
                                          GCancellable            *cancellable,
                                          GError                 **error);
/* Copies @data into the buffer, blocking while it is full. Call from one
 * thread. FALSE once the extraction has stopped reading (it reached the end
 * of the archive, failed or was aborted): this and all later data are
 * dropped, and arw_extract_stream_finish() tells which. */
gboolean arw_extract_stream_push (ArwExtractStream *self, const void *data, gsize len);
/* Ends the input, waits for the extraction and returns its result. On
 * failure dest_dir holds a partial tree: the caller deletes it. */
gboolean arw_extract_stream_finish (ArwExtractStream *self, GError **error);
/* Aborts the input when it was not finished (the extraction fails and
 * leaves a partial tree for the caller to delete), waits, frees. */
void arw_extract_stream_free (ArwExtractStream *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwExtractStream, arw_extract_stream_free)

/* TRUE for the catalog artifact formats this module can extract:
 * "tar.zst", "tzst", "tar.gz", "tgz", "tar.xz", "txz", "tar.bz2", "tar",
 * "zip" (case-insensitive). */
gboolean arw_extract_is_archive_format (const char *format);

G_END_DECLS
