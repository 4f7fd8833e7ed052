/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "arw-error.h"
#include "arw-fs-util.h"

#define WRITE_CHUNK (1024 * 1024)

static gint64 crash_at = -1;
static gint mutations = 0;

static gint64
crash_at_get (void)
{
  static gsize inited = 0;

  if (g_once_init_enter (&inited))
    {
      const char *env = g_getenv ("ARW_STORE_CRASH_AT");

      if (env != NULL && *env != '\0')
        crash_at = g_ascii_strtoll (env, NULL, 10);
      g_once_init_leave (&inited, 1);
    }
  return crash_at;
}

void
arw_fs_crash_check (void)
{
  gint64 at = crash_at_get ();

  if (at >= 0 && (gint64) g_atomic_int_get (&mutations) == at)
    raise (SIGKILL);
}

void
arw_fs_mutation_hook (void)
{
  arw_fs_crash_check ();
  g_atomic_int_inc (&mutations);
}

guint64
arw_fs_mutation_count (void)
{
  return (guint64) g_atomic_int_get (&mutations);
}

static ArwError
code_from_errno (int errsv)
{
  switch (errsv)
    {
    case ENOSPC:
    case EDQUOT:
      return ARW_ERROR_NO_SPACE;
    case EACCES:
    case EPERM:
    case EROFS:
      return ARW_ERROR_PERMISSION_DENIED;
    case ENOENT:
      return ARW_ERROR_NOT_FOUND;
    case EEXIST:
    case ENOTEMPTY:
      return ARW_ERROR_ALREADY_EXISTS;
    default:
      return ARW_ERROR_FAILED;
    }
}

gboolean
arw_fs_set_error_from_errno (GError **error, int errsv, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, ARW_ERROR, code_from_errno (errsv), "%s: %s", msg, g_strerror (errsv));
  return FALSE;
}

static int
open_one_dir (int dirfd, const char *name, gboolean create, GError **error)
{
  int fd;

  fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create)
    {
      if (!arw_fs_mkdir_at (dirfd, name, 0755, TRUE, error))
        return -1;
      fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
  if (fd < 0)
    {
      int errsv = errno;

      if (errsv == ELOOP || errsv == ENOTDIR)
        g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                     "%s is not a directory (symlinks are not allowed in the store)", name);
      else
        arw_fs_set_error_from_errno (error, errsv, "failed to open directory %s", name);
      return -1;
    }
  return fd;
}

int
arw_fs_open_dir_at (int dirfd, const char *relpath, gboolean create, GError **error)
{
  g_auto(GStrv) parts = NULL;
  int fd = -1;

  g_return_val_if_fail (relpath != NULL, -1);

  parts = g_strsplit (relpath, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      int next;

      if (*parts[i] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (g_str_equal (parts[i], ".."))
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT,
                       "path %s leaves its directory", relpath);
          if (fd >= 0)
            close (fd);
          return -1;
        }
      next = open_one_dir (fd >= 0 ? fd : dirfd, parts[i], create, error);
      if (fd >= 0)
        close (fd);
      if (next < 0)
        return -1;
      fd = next;
    }
  if (fd < 0)
    fd = open_one_dir (dirfd, ".", FALSE, error);
  return fd;
}

gboolean
arw_fs_exists_at (int dirfd, const char *name)
{
  struct stat st;

  return fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

gboolean
arw_fs_is_dir_at (int dirfd, const char *name)
{
  struct stat st;

  return fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode);
}

gboolean
arw_fs_mkdir_at (int dirfd, const char *name, mode_t mode, gboolean exist_ok, GError **error)
{
  if (exist_ok && arw_fs_is_dir_at (dirfd, name))
    return TRUE;
  arw_fs_mutation_hook ();
  if (mkdirat (dirfd, name, mode) == 0)
    return TRUE;
  if (errno == EEXIST && exist_ok && arw_fs_is_dir_at (dirfd, name))
    return TRUE;
  return arw_fs_set_error_from_errno (error, errno, "failed to create directory %s", name);
}

gboolean
arw_fs_rename_at (int old_dirfd, const char *old_name, int new_dirfd, const char *new_name,
                  gboolean no_replace, GError **error)
{
  int r;

  arw_fs_mutation_hook ();
  r = renameat2 (old_dirfd, old_name, new_dirfd, new_name, no_replace ? RENAME_NOREPLACE : 0);
  if (r < 0 && no_replace && errno == EINVAL)
    {
      /* Filesystem without RENAME_NOREPLACE: check, then plain rename (we
       * hold the store lock, so nobody races us). */
      if (arw_fs_exists_at (new_dirfd, new_name))
        {
          errno = EEXIST;
          r = -1;
        }
      else
        r = renameat (old_dirfd, old_name, new_dirfd, new_name);
    }
  if (r < 0)
    {
      int errsv = errno;

      if (errsv == EXDEV)
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_FAILED,
                       "failed to move %s to %s: the store spans filesystems; keep the whole "
                       "bundle root on one filesystem", old_name, new_name);
          return FALSE;
        }
      return arw_fs_set_error_from_errno (error, errsv, "failed to move %s to %s", old_name, new_name);
    }
  return TRUE;
}

static gboolean
unlink_one (int dirfd, const char *name, int flags, GError **error)
{
  arw_fs_mutation_hook ();
  if (unlinkat (dirfd, name, flags) == 0 || errno == ENOENT)
    return TRUE;
  if (errno == EACCES || errno == EPERM)
    {
      /* A read-only parent (like ARW's vector trees): make it writable. */
      struct stat st;

      if (fstat (dirfd, &st) == 0 && fchmod (dirfd, (st.st_mode & 07777) | S_IRWXU) == 0 &&
          unlinkat (dirfd, name, flags) == 0)
        return TRUE;
    }
  return arw_fs_set_error_from_errno (error, errno, "failed to remove %s", name);
}

gboolean
arw_fs_empty_dir (int dirfd, GError **error)
{
  g_autoptr(GPtrArray) names = arw_fs_list_dir (dirfd, error);

  if (names == NULL)
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    if (!arw_fs_rm_rf_at (dirfd, g_ptr_array_index (names, i), error))
      return FALSE;
  return TRUE;
}

gboolean
arw_fs_rm_rf_at (int dirfd, const char *name, GError **error)
{
  struct stat st;
  int fd;
  gboolean ok;

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return TRUE;
      return arw_fs_set_error_from_errno (error, errno, "failed to inspect %s", name);
    }
  if (!S_ISDIR (st.st_mode))
    return unlink_one (dirfd, name, 0, error);

  fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return arw_fs_set_error_from_errno (error, errno, "failed to open directory %s", name);
  ok = arw_fs_empty_dir (fd, error);
  close (fd);
  return ok && unlink_one (dirfd, name, AT_REMOVEDIR, error);
}

gboolean
arw_fs_fsync_fd (int fd, const char *what, GError **error)
{
  if (fsync (fd) == 0)
    return TRUE;
  /* Any fsync error aborts: the kernel may have dropped the dirty pages. */
  return arw_fs_set_error_from_errno (error, errno, "failed to flush %s to disk", what);
}

gboolean
arw_fs_fsync_at (int dirfd, const char *name, GError **error)
{
  int fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return arw_fs_set_error_from_errno (error, errno, "failed to open %s", name);
  ok = arw_fs_fsync_fd (fd, name, error);
  close (fd);
  return ok;
}

static gboolean
fsync_tree_fd (int fd, const char *what, GError **error)
{
  g_autoptr(GPtrArray) names = arw_fs_list_dir (fd, error);

  if (names == NULL)
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    {
      const char *child = g_ptr_array_index (names, i);
      struct stat st;

      if (fstatat (fd, child, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return arw_fs_set_error_from_errno (error, errno, "failed to inspect %s", child);
      if (S_ISDIR (st.st_mode))
        {
          int sub = openat (fd, child, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          gboolean ok;

          if (sub < 0)
            return arw_fs_set_error_from_errno (error, errno, "failed to open directory %s", child);
          ok = fsync_tree_fd (sub, child, error);
          close (sub);
          if (!ok)
            return FALSE;
        }
      else if (S_ISREG (st.st_mode) && !arw_fs_fsync_at (fd, child, error))
        return FALSE;
    }
  return arw_fs_fsync_fd (fd, what, error);
}

gboolean
arw_fs_fsync_tree_at (int dirfd, const char *name, GError **error)
{
  struct stat st;
  int fd;
  gboolean ok;

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return arw_fs_set_error_from_errno (error, errno, "failed to inspect %s", name);
  if (!S_ISDIR (st.st_mode))
    return S_ISREG (st.st_mode) ? arw_fs_fsync_at (dirfd, name, error) : TRUE;
  fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return arw_fs_set_error_from_errno (error, errno, "failed to open directory %s", name);
  ok = fsync_tree_fd (fd, name, error);
  close (fd);
  return ok;
}

static gboolean
write_all (int fd, const char *name, const guint8 *data, gsize len, gboolean count_chunks,
           GError **error)
{
  while (len > 0)
    {
      gsize chunk = MIN (len, (gsize) WRITE_CHUNK);
      ssize_t n;

      if (count_chunks)
        arw_fs_mutation_hook ();
      n = write (fd, data, chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return arw_fs_set_error_from_errno (error, errno, "failed to write %s", name);
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

gboolean
arw_fs_create_file_at (int dirfd, const char *name, const void *data, gsize len,
                       mode_t mode, GError **error)
{
  int fd;
  gboolean ok;

  arw_fs_mutation_hook ();
  fd = openat (dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0)
    return arw_fs_set_error_from_errno (error, errno, "failed to create %s", name);
  ok = write_all (fd, name, data, len, TRUE, error) && arw_fs_fsync_fd (fd, name, error);
  if (close (fd) < 0 && ok)
    ok = arw_fs_set_error_from_errno (error, errno, "failed to close %s", name);
  return ok;
}

gboolean
arw_fs_write_file_at (int dirfd, const char *name, const void *data, gsize len,
                      mode_t mode, GError **error)
{
  g_autofree char *tmp = g_strdup_printf (".%s.tmp", name);
  int fd;
  gboolean ok;

  arw_fs_mutation_hook ();
  fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0)
    return arw_fs_set_error_from_errno (error, errno, "failed to create %s", tmp);
  arw_fs_mutation_hook ();
  ok = write_all (fd, tmp, data, len, FALSE, error) && arw_fs_fsync_fd (fd, tmp, error);
  if (close (fd) < 0 && ok)
    ok = arw_fs_set_error_from_errno (error, errno, "failed to close %s", tmp);
  if (ok)
    ok = arw_fs_rename_at (dirfd, tmp, dirfd, name, FALSE, error) &&
         arw_fs_fsync_fd (dirfd, name, error);
  if (!ok)
    {
      int errsv = errno;

      unlinkat (dirfd, tmp, 0);
      errno = errsv;
    }
  return ok;
}

char *
arw_fs_read_file_at (int dirfd, const char *name, gsize max_len, gsize *out_len, GError **error)
{
  int fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  g_autoptr(GByteArray) buf = NULL;
  struct stat st;

  if (fd < 0)
    {
      arw_fs_set_error_from_errno (error, errno, "failed to open %s", name);
      return NULL;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || (guint64) st.st_size > max_len)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "%s is not a regular file of at most %" G_GSIZE_FORMAT " bytes", name, max_len);
      close (fd);
      return NULL;
    }
  buf = g_byte_array_sized_new ((guint) st.st_size + 1);
  for (;;)
    {
      guint8 tmp[8192];
      ssize_t n = read (fd, tmp, sizeof tmp);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          arw_fs_set_error_from_errno (error, errno, "failed to read %s", name);
          close (fd);
          return NULL;
        }
      if (n == 0)
        break;
      if (buf->len + (gsize) n > max_len)
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "%s is larger than %" G_GSIZE_FORMAT " bytes",
                       name, max_len);
          close (fd);
          return NULL;
        }
      g_byte_array_append (buf, tmp, (guint) n);
    }
  close (fd);
  if (out_len != NULL)
    *out_len = buf->len;
  g_byte_array_append (buf, (const guint8 *) "", 1);
  return (char *) g_byte_array_free (g_steal_pointer (&buf), FALSE);
}

gboolean
arw_fs_free_space (int fd, guint64 *out_bytes, GError **error)
{
  struct statvfs sv;

  if (fstatvfs (fd, &sv) < 0)
    return arw_fs_set_error_from_errno (error, errno, "failed to query free disk space");
  *out_bytes = (guint64) sv.f_bavail * (guint64) sv.f_frsize;
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
arw_fs_list_dir (int dirfd, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  /* A new open file description, so the caller's offset is untouched. */
  int fd = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir;
  struct dirent *de;

  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      int errsv = errno;

      if (fd >= 0)
        close (fd);
      arw_fs_set_error_from_errno (error, errsv, "failed to list directory");
      return NULL;
    }
  while ((errno = 0, de = readdir (dir)) != NULL)
    {
      if (g_str_equal (de->d_name, ".") || g_str_equal (de->d_name, ".."))
        continue;
      g_ptr_array_add (names, g_strdup (de->d_name));
    }
  if (errno != 0)
    {
      int errsv = errno;

      closedir (dir);
      arw_fs_set_error_from_errno (error, errsv, "failed to list directory");
      return NULL;
    }
  closedir (dir);
  g_ptr_array_sort (names, compare_names);
  return g_steal_pointer (&names);
}
