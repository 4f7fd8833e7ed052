/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "arw-error.h"
#include "arw-import-copy.h"
#include "arw-import-copy-private.h"

#define COPY_BUFFER_SIZE (1024 * 1024)

typedef struct {
  gboolean copying; /* FALSE during the scan pass */
  guint64 bytes_total;
  guint64 bytes_done;
  guint files_done;
  ArwImportProgressFunc progress;
  gpointer user_data;
  GCancellable *cancellable;
  GPtrArray *files;
  guint8 *buf;
} ImportCtx;

static ArwImportReadFunc read_func = NULL;

void
_arw_import_copy_set_read_func (ArwImportReadFunc func)
{
  read_func = func;
}

void
arw_imported_file_free (ArwImportedFile *file)
{
  if (file == NULL)
    return;
  g_free (file->relpath);
  g_free (file);
}

static ssize_t
read_some (int fd, void *buf, size_t len, gboolean verifying)
{
  for (;;)
    {
      ssize_t n = read_func ? read_func (fd, buf, len, verifying) : read (fd, buf, len);
      if (n >= 0 || errno != EINTR)
        return n;
    }
}

static void
close_keep_errno (int fd)
{
  int saved = errno;

  if (fd >= 0)
    close (fd);
  errno = saved;
}

static gboolean
source_error (GError **error, const char *path, int errsv)
{
  const char *hint = (errsv == EIO || errsv == ENODEV || errsv == ENXIO)
                       ? " (was the medium removed?)" : "";

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
               "reading %s failed: %s%s; nothing was imported", path, g_strerror (errsv), hint);
  return FALSE;
}

static gboolean
dest_error (GError **error, const char *relpath, int errsv, const char *what)
{
  if (errsv == ENOSPC || errsv == EDQUOT)
    g_set_error (error, ARW_ERROR, ARW_ERROR_NO_SPACE,
                 "%s %s failed: %s; free some disk space and try again; nothing was imported",
                 what, relpath, g_strerror (errsv));
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 "%s %s failed: %s; nothing was imported", what, relpath, g_strerror (errsv));
  return FALSE;
}

static gboolean
check_type (const char *path, const struct stat *st, GError **error)
{
  if (S_ISLNK (st->st_mode))
    g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                 "%s is a symlink; symlinks are not imported (copy the file it points to instead)",
                 path);
  else if (!S_ISREG (st->st_mode) && !S_ISDIR (st->st_mode))
    g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                 "%s is a FIFO, socket or device; only regular files and directories can be imported",
                 path);
  else
    return TRUE;
  return FALSE;
}

static gboolean
report (ImportCtx *ctx, GError **error)
{
  if (ctx->copying && ctx->progress != NULL)
    ctx->progress (ctx->bytes_done, ctx->bytes_total, ctx->files_done, ctx->user_data);
  return !g_cancellable_set_error_if_cancelled (ctx->cancellable, error);
}

static gboolean
write_all (int fd, const guint8 *p, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Re-reads the copy, after dropping it from the page cache where the file
 * system allows, and compares its hash with the one taken while copying. */
static gboolean
verify_copy (ImportCtx *ctx, int dest_dir_fd, const char *name, const char *src_path,
             const ArwImportedFile *file, GError **error)
{
  int fd = openat (dest_dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  char hex[ARW_SHA256_HEX_SIZE];
  guint64 total = 0;
  ArwSha256 sha;
  ssize_t n;

  if (fd < 0)
    return dest_error (error, file->relpath, errno, "re-reading the copy");
  arw_sha256_init (&sha);
  while ((n = read_some (fd, ctx->buf, COPY_BUFFER_SIZE, TRUE)) > 0)
    {
      arw_sha256_update (&sha, ctx->buf, (gsize) n);
      total += (guint64) n;
    }
  if (n < 0)
    return dest_error (error, file->relpath, errno, "re-reading the copy"), close_keep_errno (fd), FALSE;
  close (fd);
  arw_sha256_finish_hex (&sha, hex);
  if (total != file->size || strcmp (hex, file->sha256) != 0)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "the copy of %s differs from what was read (sha256 %s, copy %s); "
                   "check the disk, nothing was imported", src_path, file->sha256, hex);
      return FALSE;
    }
  return TRUE;
}

/* Streams src_fd into dest_fd while hashing; the file must stay at the
 * size it had when opened. */
static gboolean
stream_file (ImportCtx *ctx, int src_fd, int dest_fd, const char *src_path, const struct stat *st,
             ArwImportedFile *file, GError **error)
{
  ArwSha256 sha;
  ssize_t n;

  arw_sha256_init (&sha);
  while ((n = read_some (src_fd, ctx->buf, COPY_BUFFER_SIZE, FALSE)) > 0)
    {
      arw_sha256_update (&sha, ctx->buf, (gsize) n);
      if (!write_all (dest_fd, ctx->buf, (gsize) n))
        return dest_error (error, file->relpath, errno, "writing");
      file->size += (guint64) n;
      ctx->bytes_done += (guint64) n;
      if (file->size > (guint64) st->st_size)
        break;
      if (!report (ctx, error))
        return FALSE;
    }
  if (n < 0)
    return source_error (error, src_path, errno);
  if (file->size != (guint64) st->st_size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "reading %s failed: it changed while it was copied (%" G_GINT64_FORMAT
                   " bytes expected, %" G_GUINT64_FORMAT " read); nothing was imported",
                   src_path, (gint64) st->st_size, file->size);
      return FALSE;
    }
  arw_sha256_finish_hex (&sha, file->sha256);
  return TRUE;
}

static gboolean
copy_file (ImportCtx *ctx, int src_dir_fd, int dest_dir_fd, const char *name, const char *src_path,
           const char *relpath, GError **error)
{
  g_autoptr(ArwImportedFile) file = g_new0 (ArwImportedFile, 1);
  struct stat st;
  int src_fd, dest_fd;
  gboolean ok;

  file->relpath = g_strdup (relpath);
  src_fd = openat (src_dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (src_fd < 0 && errno == ELOOP)
    {
      /* Replaced by a symlink since it was listed. */
      st.st_mode = S_IFLNK;
      return check_type (src_path, &st, error);
    }
  if (src_fd < 0)
    return source_error (error, src_path, errno);
  if (fstat (src_fd, &st) < 0)
    return source_error (error, src_path, errno), close_keep_errno (src_fd), FALSE;
  if (!S_ISREG (st.st_mode))
    return check_type (src_path, &st, error), close (src_fd), FALSE;
  dest_fd = openat (dest_dir_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (dest_fd < 0)
    return dest_error (error, relpath, errno, "creating"), close_keep_errno (src_fd), FALSE;

  ok = stream_file (ctx, src_fd, dest_fd, src_path, &st, file, error);
  close (src_fd);
  if (ok && (fchmod (dest_fd, (st.st_mode & 0111) ? 0755 : 0644) < 0 || fsync (dest_fd) < 0))
    ok = dest_error (error, relpath, errno, "syncing");
  if (ok)
    posix_fadvise (dest_fd, 0, 0, POSIX_FADV_DONTNEED);
  if (close (dest_fd) < 0 && ok)
    ok = dest_error (error, relpath, errno, "closing");
  if (!ok || !verify_copy (ctx, dest_dir_fd, name, src_path, file, error))
    return FALSE;
  ctx->files_done++;
  g_ptr_array_add (ctx->files, g_steal_pointer (&file));
  return report (ctx, error);
}

static gboolean visit (ImportCtx *ctx, int src_dir_fd, int dest_dir_fd, const char *name,
                       const char *src_path, const char *relpath, GError **error);

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* Names in the directory, sorted, without "." and "..". */
static GPtrArray *
list_dir (int dir_fd, const char *src_path, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  int fd = fcntl (dir_fd, F_DUPFD_CLOEXEC, 3);
  DIR *dir = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;

  if (dir == NULL)
    return source_error (error, src_path, errno), close_keep_errno (fd), NULL;
  rewinddir (dir);
  errno = 0;
  while ((de = readdir (dir)) != NULL)
    {
      if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
        g_ptr_array_add (names, g_strdup (de->d_name));
      errno = 0;
    }
  if (errno != 0)
    return source_error (error, src_path, errno), closedir (dir), NULL;
  closedir (dir);
  g_ptr_array_sort (names, compare_names);
  return g_steal_pointer (&names);
}

static gboolean
walk_dir (ImportCtx *ctx, int src_fd, int dest_fd, const char *src_path, const char *relpath,
          GError **error)
{
  g_autoptr(GPtrArray) names = list_dir (src_fd, src_path, error);

  if (names == NULL)
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *child_src = g_build_filename (src_path, name, NULL);
      g_autofree char *child_rel = g_strconcat (relpath, "/", name, NULL);

      if (!visit (ctx, src_fd, dest_fd, name, child_src, child_rel, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
visit_dir (ImportCtx *ctx, int src_dir_fd, int dest_dir_fd, const char *name, const char *src_path,
           const char *relpath, GError **error)
{
  int src_fd = openat (src_dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  int dest_fd = -1;
  gboolean ok;

  if (src_fd < 0)
    return source_error (error, src_path, errno);
  if (ctx->copying)
    {
      if (mkdirat (dest_dir_fd, name, 0755) < 0 ||
          (dest_fd = openat (dest_dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
        return dest_error (error, relpath, errno, "creating"), close_keep_errno (src_fd), FALSE;
    }
  ok = walk_dir (ctx, src_fd, dest_fd, src_path, relpath, error);
  if (ok && dest_fd >= 0 && fsync (dest_fd) < 0)
    ok = dest_error (error, relpath, errno, "syncing");
  close (src_fd);
  if (dest_fd >= 0)
    close (dest_fd);
  return ok;
}

static gboolean
visit (ImportCtx *ctx, int src_dir_fd, int dest_dir_fd, const char *name, const char *src_path,
       const char *relpath, GError **error)
{
  struct stat st;

  if (g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
    return FALSE;
  if (fstatat (src_dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return source_error (error, src_path, errno);
  if (!check_type (src_path, &st, error))
    return FALSE;
  if (S_ISDIR (st.st_mode))
    return visit_dir (ctx, src_dir_fd, dest_dir_fd, name, src_path, relpath, error);
  if (!ctx->copying)
    {
      ctx->bytes_total += (guint64) st.st_size;
      return TRUE;
    }
  return copy_file (ctx, src_dir_fd, dest_dir_fd, name, src_path, relpath, error);
}

/* Removes name beneath dir_fd without following symlinks. */
static void
remove_tree_at (int dir_fd, const char *name)
{
  struct stat st;
  int fd;

  if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return;
  if (S_ISDIR (st.st_mode) &&
      (fd = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
    {
      g_autoptr(GPtrArray) names = list_dir (fd, name, NULL);

      for (guint i = 0; names != NULL && i < names->len; i++)
        remove_tree_at (fd, g_ptr_array_index (names, i));
      close (fd);
    }
  unlinkat (dir_fd, name, S_ISDIR (st.st_mode) ? AT_REMOVEDIR : 0);
}

/* The source's parent directory fd and its last component, so that the
 * source itself is looked at without following a symlink. */
static int
open_source_parent (const char *source, char **abs_path, char **base, GError **error)
{
  g_autofree char *parent = NULL;
  int fd;

  *abs_path = g_canonicalize_filename (source, NULL);
  *base = g_path_get_basename (*abs_path);
  if (strcmp (*abs_path, "/") == 0)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT, "cannot import the root directory");
      return -1;
    }
  parent = g_path_get_dirname (*abs_path);
  fd = open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    source_error (error, *abs_path, errno);
  return fd;
}

static gboolean
check_free_space (int dest_fd, const char *dest_dir, guint64 needed, GError **error)
{
  struct statvfs sv;
  guint64 avail;

  if (fstatvfs (dest_fd, &sv) < 0)
    return TRUE; /* unknown: writing will tell */
  avail = (guint64) sv.f_bavail * sv.f_frsize;
  if (needed <= avail)
    return TRUE;
  g_set_error (error, ARW_ERROR, ARW_ERROR_NO_SPACE,
               "importing needs %" G_GUINT64_FORMAT " bytes but only %" G_GUINT64_FORMAT
               " are free in %s; nothing was imported", needed, avail, dest_dir);
  return FALSE;
}

/* One pass over all sources: the scan (ctx->copying FALSE) or the copy,
 * which records each top-level name it creates in created. */
static gboolean
run_pass (ImportCtx *ctx, const char *const *sources, int dest_fd, const char *dest_dir,
          GPtrArray *created, GError **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (gsize i = 0; sources[i] != NULL; i++)
    {
      g_autofree char *abs_path = NULL;
      g_autofree char *base = NULL;
      struct stat st;
      int parent_fd = open_source_parent (sources[i], &abs_path, &base, error);
      gboolean ok;

      if (parent_fd < 0)
        return FALSE;
      if (!g_hash_table_add (seen, g_strdup (base)))
        {
          close (parent_fd);
          g_set_error (error, ARW_ERROR, ARW_ERROR_ALREADY_EXISTS,
                       "two of the paths to import are named %s; import them separately", base);
          return FALSE;
        }
      if (fstatat (dest_fd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
        {
          close (parent_fd);
          g_set_error (error, ARW_ERROR, ARW_ERROR_ALREADY_EXISTS,
                       "%s would be imported as %s/%s, which already exists; nothing was imported",
                       abs_path, dest_dir, base);
          return FALSE;
        }
      if (ctx->copying)
        g_ptr_array_add (created, g_strdup (base));
      ok = visit (ctx, parent_fd, dest_fd, base, abs_path, base, error);
      close (parent_fd);
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

GPtrArray *
arw_import_copy (const char *const *sources, const char *dest_dir, ArwImportProgressFunc progress,
                 gpointer user_data, GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) arw_imported_file_free);
  g_autoptr(GPtrArray) created = g_ptr_array_new_with_free_func (g_free);
  g_autofree guint8 *buf = NULL;
  ImportCtx ctx = { 0 };
  gboolean ok;
  int dest_fd;

  g_return_val_if_fail (sources != NULL, NULL);
  g_return_val_if_fail (dest_dir != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dest_fd = open (dest_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dest_fd < 0)
    return dest_error (error, dest_dir, errno, "opening"), NULL;
  buf = g_malloc (COPY_BUFFER_SIZE);
  ctx = (ImportCtx) { .progress = progress, .user_data = user_data, .cancellable = cancellable,
                      .files = files, .buf = buf };

  ok = run_pass (&ctx, sources, dest_fd, dest_dir, created, error) &&
       check_free_space (dest_fd, dest_dir, ctx.bytes_total, error);
  ctx.copying = TRUE;
  ok = ok && run_pass (&ctx, sources, dest_fd, dest_dir, created, error);
  if (ok && fsync (dest_fd) < 0)
    ok = dest_error (error, dest_dir, errno, "syncing");
  if (!ok)
    {
      for (guint i = 0; i < created->len; i++)
        remove_tree_at (dest_fd, g_ptr_array_index (created, i));
      fsync (dest_fd);
    }
  close (dest_fd);
  return ok ? g_steal_pointer (&files) : NULL;
}
