/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "arw-sha256.h"

G_BEGIN_DECLS

/* One imported regular file. */
typedef struct {
  char *relpath; /* beneath dest_dir, '/'-separated, e.g. "models/x.gguf" */
  guint64 size;
  char sha256[ARW_SHA256_HEX_SIZE]; /* lowercase hex of the bytes copied and re-read */
} ArwImportedFile;

void arw_imported_file_free (ArwImportedFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwImportedFile, arw_imported_file_free)

typedef void (*ArwImportProgressFunc) (guint64  bytes_copied,
                                       guint64  bytes_total,
                                       guint    files_copied,
                                       gpointer user_data);

/* Copies each source (a regular file or a directory, typically on a
 * removable medium) into the existing directory dest_dir as
 * dest_dir/<basename>, directories recursively.
 *
 * A first pass walks the sources without reading file data: symlinks,
 * FIFOs, sockets and devices anywhere (also a source itself) are refused
 * with an error naming the path, and the total size is checked against the
 * free space of dest_dir. The second pass copies while hashing (SHA-256),
 * fsyncs each file, drops it from the page cache, re-reads the copy and
 * compares the hash, and fsyncs the directories. A file that changes size
 * while it is copied, or any read error (medium removed), aborts with
 * "reading <path> failed: <reason>; nothing was imported".
 *
 * Returns the ArwImportedFile list in copy order (directory entries sorted
 * by name). On failure everything this call created in dest_dir is removed
 * again; pre-existing names are never replaced. */
GPtrArray *arw_import_copy (const char *const     *sources,
                            const char            *dest_dir,
                            ArwImportProgressFunc  progress,
                            gpointer               user_data,
                            GCancellable          *cancellable,
                            GError               **error);

G_END_DECLS
