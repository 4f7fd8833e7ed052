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
 * fsynced before success is returned.
 *
 * On failure dest_dir holds a partial tree: the caller deletes it. */
gboolean arw_extract_archive (const char              *archive_path,
                              const char              *dest_dir,
                              const ArwExtractLimits  *limits,
                              ArwExtractProgressFunc   progress,
                              gpointer                 user_data,
                              GCancellable            *cancellable,
                              GError                 **error);

/* TRUE for the catalog artifact formats this module can extract:
 * "tar.zst", "tzst", "tar.gz", "tgz", "tar.xz", "txz", "tar.bz2", "tar",
 * "zip" (case-insensitive). */
gboolean arw_extract_is_archive_format (const char *format);

G_END_DECLS
