/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <errno.h>
#include <sys/types.h>
#include <unistd.h>

G_BEGIN_DECLS

/* A file descriptor closed when it goes out of scope (GLib 2.74 has no
 * g_autofd). */
static inline void
arw_fd_cleanup (int *fd)
{
  if (*fd >= 0)
    {
      int errsv = errno;

      close (*fd);
      errno = errsv;
    }
  *fd = -1;
}
#define arw_autofd __attribute__ ((cleanup (arw_fd_cleanup))) int

/* Filesystem helpers for crash-safe stores. Every function works beneath a
 * directory fd and never follows a symlink in the last path component;
 * arw_fs_open_dir_at() refuses symlinks in every component.
 *
 * Test hook: when the environment variable ARW_STORE_CRASH_AT=N is set, the
 * process raises SIGKILL just before its (N+1)-th filesystem mutation
 * (mkdir, create, write, rename, unlink, rmdir), i.e. after N mutations.
 * arw_fs_crash_check() lets a test program also die after the last one. */
void arw_fs_mutation_hook (void);
void arw_fs_crash_check (void);
guint64 arw_fs_mutation_count (void);

/* Sets @error from @errsv (ENOSPC/EDQUOT -> ARW_ERROR_NO_SPACE, EACCES/EPERM/
 * EROFS -> PERMISSION_DENIED, ENOENT -> NOT_FOUND, EEXIST -> ALREADY_EXISTS,
 * else FAILED) with "<formatted>: <strerror>". Always returns FALSE. */
gboolean arw_fs_set_error_from_errno (GError **error, int errsv, const char *format, ...) G_GNUC_PRINTF (3, 4);

/* Opens (and with @create, makes, mode 0755) the directory @relpath beneath
 * @dirfd one component at a time with O_NOFOLLOW. Returns -1 with @error set;
 * a missing directory without @create gives ARW_ERROR_NOT_FOUND. */
int arw_fs_open_dir_at (int dirfd, const char *relpath, gboolean create, GError **error);

gboolean arw_fs_exists_at (int dirfd, const char *name);
gboolean arw_fs_is_dir_at (int dirfd, const char *name);

gboolean arw_fs_mkdir_at (int dirfd, const char *name, mode_t mode, gboolean exist_ok, GError **error);
gboolean arw_fs_rename_at (int old_dirfd, const char *old_name, int new_dirfd, const char *new_name,
                           gboolean no_replace, GError **error);
/* Removes a file or a whole tree; a missing @name is success. */
gboolean arw_fs_rm_rf_at (int dirfd, const char *name, GError **error);
/* Removes everything inside the directory @dirfd, keeping it. */
gboolean arw_fs_empty_dir (int dirfd, GError **error);

gboolean arw_fs_fsync_fd (int fd, const char *what, GError **error);
/* Fsyncs @name (file or directory) beneath @dirfd. */
gboolean arw_fs_fsync_at (int dirfd, const char *name, GError **error);
/* Fsyncs every regular file and directory of the tree, children first. */
gboolean arw_fs_fsync_tree_at (int dirfd, const char *name, GError **error);

/* Writes @name atomically: ".<name>.tmp", fsync, rename, fsync @dirfd. */
gboolean arw_fs_write_file_at (int dirfd, const char *name, const void *data, gsize len,
                               mode_t mode, GError **error);
/* Writes a new file (O_EXCL) in chunks, each chunk one counted mutation, then
 * fsyncs it. For filling staging directories. */
gboolean arw_fs_create_file_at (int dirfd, const char *name, const void *data, gsize len,
                                mode_t mode, GError **error);
/* Reads a regular file (no symlink) of at most @max_len bytes. */
char *arw_fs_read_file_at (int dirfd, const char *name, gsize max_len, gsize *out_len, GError **error);

/* Bytes available to unprivileged users on the filesystem of @fd. */
gboolean arw_fs_free_space (int fd, guint64 *out_bytes, GError **error);

/* Sorted names of the entries of @dirfd (without "." and ".."). */
GPtrArray *arw_fs_list_dir (int dirfd, GError **error);

G_END_DECLS
