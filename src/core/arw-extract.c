/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arw-error.h"
#include "arw-extract.h"
#include "arw-extract-private.h"

/* Longest entry or link target name, and longest component (Linux limits
 * minus the NUL). */
#define NAME_MAX_BYTES 4095
#define COMPONENT_MAX_BYTES 255
#define MAX_LINK_HOPS 40
#define PROGRESS_STEP (1024 * 1024)
#define READ_BLOCK_SIZE (128 * 1024)
/* With ARW_EXTRACT_FLAGS_NO_SYNC, writeback is started every this many
 * bytes so that the caller's fsync finds little left to write. */
#define WRITEBACK_STEP (8 * 1024 * 1024)
/* Files declared at least this big get their blocks allocated up front:
 * cheaper writes, less fragmentation. */
#define PREALLOCATE_MIN (1024 * 1024)

typedef enum {
  KIND_DIR = 1,
  KIND_FILE,
  KIND_SYMLINK,
} EntryKind;

typedef struct {
  int root_fd;
  guint64 max_bytes;
  guint64 max_entries;
  ArwExtractFlags flags;
  ArwExtractProgressFunc progress;
  gpointer user_data;
  GCancellable *cancellable;
  guint64 bytes;
  guint64 entries;
  guint64 progress_bytes;
  GHashTable *kinds;  /* normalised path -> EntryKind */
  GHashTable *folded; /* casefolded NFC path -> normalised path */
  GHashTable *links;  /* normalised path of a symlink -> target */
  GPtrArray *dirs;    /* directories this run created */
  gboolean streaming; /* reading from an ArwExtractStream */
  GAsyncQueue *writeback; /* WritebackItem, for writeback_thread (NO_SYNC) */
  GThread *writeback_thread;
} ExtractCtx;

/* A range of an extracted file to start writeback for, off the extracting
 * thread; fd < 0 ends the thread. */
typedef struct {
  int fd;
  guint64 from;
  guint64 to;
} WritebackItem;

static gboolean force_walk = FALSE;

void
_arw_extract_set_force_walk (gboolean force)
{
  force_walk = force;
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
is_symlink_at (int dirfd, const char *name)
{
  struct stat st;

  return fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK (st.st_mode);
}

/* The fallback for kernels without openat2: one component at a time, each
 * opened O_NOFOLLOW, `..` and absolute paths refused. */
static int
open_walk (int dirfd, const char *relpath, int flags, mode_t mode)
{
  g_auto(GStrv) comps = g_strsplit (relpath, "/", -1);
  guint n = g_strv_length (comps);
  int fd;

  if (relpath[0] == '/' || n == 0)
    {
      errno = EXDEV;
      return -1;
    }
  fd = fcntl (dirfd, F_DUPFD_CLOEXEC, 3);
  for (guint i = 0; fd >= 0 && i < n; i++)
    {
      gboolean last = (i + 1 == n);
      int next;

      if (g_strcmp0 (comps[i], "..") == 0)
        {
          close (fd);
          errno = EXDEV;
          return -1;
        }
      if (!last && (comps[i][0] == '\0' || strcmp (comps[i], ".") == 0))
        continue;
      if (last)
        next = openat (fd, comps[i][0] ? comps[i] : ".", flags | O_NOFOLLOW | O_CLOEXEC, mode);
      else
        next = openat (fd, comps[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 && errno == ENOTDIR && is_symlink_at (fd, comps[i]))
        errno = ELOOP; /* as openat2 with RESOLVE_NO_SYMLINKS reports it */
      close_keep_errno (fd);
      fd = next;
    }
  return fd;
}

int
_arw_extract_open_beneath (int dirfd, const char *relpath, int flags, mode_t mode)
{
  static gboolean have_openat2 = TRUE;

  if (have_openat2 && !force_walk)
    {
      struct open_how how = { 0 };
      long fd;

      how.flags = (guint64) (flags | O_NOFOLLOW | O_CLOEXEC);
      how.mode = (flags & O_CREAT) ? mode : 0;
      how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
      fd = syscall (SYS_openat2, dirfd, relpath, &how, sizeof how);
      if (fd >= 0 || errno != ENOSYS)
        return (int) fd;
      have_openat2 = FALSE;
    }
  return open_walk (dirfd, relpath, flags, mode);
}

/* A name safe to print: escaped when it has control characters or is not
 * UTF-8, shortened when long. */
static char *
display_name (const char *raw)
{
  g_autofree char *shown = NULL;
  gboolean plain = g_utf8_validate (raw, -1, NULL);

  for (const char *p = raw; plain && *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      plain = FALSE;
  shown = plain ? g_strdup (raw) : g_strescape (raw, NULL);
  if (strlen (shown) > 160)
    {
      const char *cut = g_utf8_find_prev_char (shown, shown + 150);
      return g_strdup_printf ("%.*s…", (int) (cut - shown), shown);
    }
  return g_steal_pointer (&shown);
}

static void G_GNUC_PRINTF (4, 5)
set_entry_error (GError **error, const char *raw, int code, const char *format, ...)
{
  g_autofree char *shown = display_name (raw);
  g_autofree char *reason = NULL;
  va_list ap;

  va_start (ap, format);
  reason = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, ARW_ERROR, code, "archive entry '%s': %s", shown, reason);
}

static void
set_entry_errno (GError **error, const char *raw, int errsv, const char *what)
{
  g_autofree char *shown = display_name (raw);

  if (errsv == ENOSPC || errsv == EDQUOT)
    g_set_error (error, ARW_ERROR, ARW_ERROR_NO_SPACE,
                 "archive entry '%s': %s failed: %s; free some disk space and try again",
                 shown, what, g_strerror (errsv));
  else if (errsv == ELOOP || errsv == EXDEV)
    g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                 "archive entry '%s': refusing to write through a symlink or outside the destination",
                 shown);
  else
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 "archive entry '%s': %s failed: %s", shown, what, g_strerror (errsv));
}

/* Checks raw (the name of entry, or its hardlink target) and returns it
 * with empty and `.` components dropped; "" for the archive root. */
static char *
normalize_path (const char *raw, const char *entry, const char *what, GError **error)
{
  g_auto(GStrv) comps = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  if (raw == NULL || raw[0] == '\0')
    return set_entry_error (error, entry ? entry : "", ARW_ERROR_INVALID_DATA, "%s is empty", what), NULL;
  if (strlen (raw) > NAME_MAX_BYTES)
    return set_entry_error (error, entry, ARW_ERROR_INVALID_DATA, "%s is longer than %d bytes",
                            what, NAME_MAX_BYTES), NULL;
  if (!g_utf8_validate (raw, -1, NULL))
    return set_entry_error (error, entry, ARW_ERROR_INVALID_DATA, "%s is not valid UTF-8", what), NULL;
  for (const char *p = raw; *p; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        return set_entry_error (error, entry, ARW_ERROR_INVALID_DATA,
                                "%s contains a control character", what), NULL;
      if (*p == '\\')
        return set_entry_error (error, entry, ARW_ERROR_INVALID_DATA,
                                "%s contains a backslash", what), NULL;
    }
  if (raw[0] == '/')
    return set_entry_error (error, entry, ARW_ERROR_INVALID_DATA, "%s is an absolute path", what), NULL;

  comps = g_strsplit (raw, "/", -1);
  for (guint i = 0; comps[i] != NULL; i++)
    {
      if (comps[i][0] == '\0' || strcmp (comps[i], ".") == 0)
        continue;
      if (strcmp (comps[i], "..") == 0)
        return set_entry_error (error, entry, ARW_ERROR_INVALID_DATA,
                                "%s contains a '..' component", what), NULL;
      if (strlen (comps[i]) > COMPONENT_MAX_BYTES)
        return set_entry_error (error, entry, ARW_ERROR_INVALID_DATA,
                                "%s has a component longer than %d bytes", what,
                                COMPONENT_MAX_BYTES), NULL;
      if (out->len > 0)
        g_string_append_c (out, '/');
      g_string_append (out, comps[i]);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static const char *
kind_name (EntryKind kind)
{
  switch (kind)
    {
    case KIND_DIR:
      return "a directory";
    case KIND_FILE:
      return "a file";
    case KIND_SYMLINK:
    default:
      return "a symlink";
    }
}

/* Records path as kind (is_parent: as the parent directory of the entry
 * raw); refuses duplicates (except directories seen twice) and names that
 * collide after case folding or Unicode normalisation. */
static gboolean
register_path (ExtractCtx *ctx, const char *path, EntryKind kind, gboolean is_parent, const char *raw,
               GError **error)
{
  EntryKind existing = GPOINTER_TO_INT (g_hash_table_lookup (ctx->kinds, path));
  g_autofree char *nfc = NULL;
  g_autofree char *key = NULL;
  const char *other;

  if (existing == KIND_DIR && kind == KIND_DIR)
    return TRUE;
  if (existing != 0 && is_parent)
    {
      g_autofree char *shown = display_name (path);
      set_entry_error (error, raw, ARW_ERROR_INVALID_DATA,
                       "parent '%s' is %s earlier in the archive, not a directory%s", shown,
                       kind_name (existing),
                       existing == KIND_SYMLINK ? "; refusing to write through it" : "");
      return FALSE;
    }
  if (existing != 0)
    {
      g_autofree char *shown = display_name (path);
      set_entry_error (error, raw, ARW_ERROR_INVALID_DATA,
                       "'%s' already exists as %s earlier in the archive (duplicate entry)",
                       shown, kind_name (existing));
      return FALSE;
    }
  nfc = g_utf8_normalize (path, -1, G_NORMALIZE_NFC);
  key = g_utf8_casefold (nfc, -1);
  other = g_hash_table_lookup (ctx->folded, key);
  if (other != NULL)
    {
      g_autofree char *shown = display_name (other);
      set_entry_error (error, raw, ARW_ERROR_INVALID_DATA,
                       "name collides with '%s' on case-insensitive or normalising file systems",
                       shown);
      return FALSE;
    }
  g_hash_table_insert (ctx->kinds, g_strdup (path), GINT_TO_POINTER (kind));
  g_hash_table_insert (ctx->folded, g_steal_pointer (&key), g_strdup (path));
  return TRUE;
}

/* Opens the directory relpath beneath the root, creating missing
 * components when create is set. Never follows a symlink. */
static int
open_dir (ExtractCtx *ctx, const char *relpath, gboolean create, const char *raw, GError **error)
{
  g_auto(GStrv) comps = g_strsplit (relpath, "/", -1);
  g_autoptr(GString) prefix = g_string_new (NULL);
  int fd = fcntl (ctx->root_fd, F_DUPFD_CLOEXEC, 3);

  if (fd < 0)
    return set_entry_errno (error, raw, errno, "duplicating a directory fd"), -1;
  for (guint i = 0; comps[i] != NULL && comps[i][0] != '\0'; i++)
    {
      int next;

      if (prefix->len > 0)
        g_string_append_c (prefix, '/');
      g_string_append (prefix, comps[i]);
      if (create && !register_path (ctx, prefix->str, KIND_DIR, TRUE, raw, error))
        return close (fd), -1;
      if (create && mkdirat (fd, comps[i], 0755) == 0)
        g_ptr_array_add (ctx->dirs, g_strdup (prefix->str));
      else if (create && errno != EEXIST)
        return set_entry_errno (error, raw, errno, "creating a directory"), close (fd), -1;
      next = _arw_extract_open_beneath (fd, comps[i], O_RDONLY | O_DIRECTORY, 0);
      if (next < 0)
        {
          int errsv = errno;
          close (fd);
          if (errsv == ENOTDIR)
            set_entry_error (error, raw, ARW_ERROR_INVALID_DATA, "'%s' is not a directory", prefix->str);
          else
            set_entry_errno (error, raw, errsv, "opening a directory");
          return -1;
        }
      close (fd);
      fd = next;
    }
  return fd;
}

static void
split_parent (const char *path, char **parent, const char **leaf)
{
  const char *slash = strrchr (path, '/');

  *parent = slash ? g_strndup (path, (gsize) (slash - path)) : g_strdup ("");
  *leaf = slash ? slash + 1 : path;
}

static gboolean
check_cancel_and_report (ExtractCtx *ctx, gboolean force, GError **error)
{
  if (ctx->progress != NULL && (force || ctx->bytes - ctx->progress_bytes >= PROGRESS_STEP))
    {
      ctx->progress_bytes = ctx->bytes;
      ctx->progress (ctx->bytes, ctx->entries, ctx->user_data);
    }
  return !g_cancellable_set_error_if_cancelled (ctx->cancellable, error);
}

static gboolean
over_budget (ExtractCtx *ctx, guint64 more, const char *raw, GError **error)
{
  if (more <= ctx->max_bytes - ctx->bytes)
    return FALSE;
  set_entry_error (error, raw, ARW_ERROR_INVALID_DATA,
                   "archive expands to more than the limit of %" G_GUINT64_FORMAT " bytes; refusing to extract",
                   ctx->max_bytes);
  return TRUE;
}

static gboolean
write_all (int fd, const void *buf, gsize len)
{
  const char *p = buf;

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

/* Copies the entry's data into fd, counting the bytes actually written
 * against the budget. */
/* Submitting writeback costs CPU (block allocation, bios): it runs in a
 * thread of its own so the extraction does not wait for it. */
static gpointer
writeback_thread (gpointer data)
{
  GAsyncQueue *queue = data;

  for (;;)
    {
      g_autofree WritebackItem *item = g_async_queue_pop (queue);

      if (item->fd < 0)
        return NULL;
      (void) sync_file_range (item->fd, (off_t) item->from, (off_t) (item->to - item->from),
                              SYNC_FILE_RANGE_WRITE);
      close (item->fd);
    }
}

/* Starts writeback of [from, to) without waiting (NO_SYNC only); errors
 * surface in the caller's fsync. */
static void
start_writeback (ExtractCtx *ctx, int fd, guint64 from, guint64 to)
{
  WritebackItem *item;
  int dup_fd;

  if (!(ctx->flags & ARW_EXTRACT_FLAGS_NO_SYNC) || to <= from)
    return;
  dup_fd = fcntl (fd, F_DUPFD_CLOEXEC, 3);
  if (dup_fd < 0)
    return;
  if (ctx->writeback == NULL)
    {
      ctx->writeback = g_async_queue_new ();
      ctx->writeback_thread = g_thread_new ("arw-writeback", writeback_thread, ctx->writeback);
    }
  item = g_new (WritebackItem, 1);
  *item = (WritebackItem) { dup_fd, from, to };
  g_async_queue_push (ctx->writeback, item);
}

static void
writeback_stop (ExtractCtx *ctx)
{
  WritebackItem *end;

  if (ctx->writeback == NULL)
    return;
  end = g_new (WritebackItem, 1);
  *end = (WritebackItem) { -1, 0, 0 };
  g_async_queue_push (ctx->writeback, end);
  g_thread_join (ctx->writeback_thread);
  ctx->writeback_thread = NULL;
  g_clear_pointer (&ctx->writeback, g_async_queue_unref);
}

static gboolean
copy_entry_data (ExtractCtx *ctx, struct archive *a, int fd, const char *raw, guint64 *written,
                 GError **error)
{
  guint64 kicked = 0;

  for (;;)
    {
      const void *buf;
      size_t size;
      la_int64_t offset;
      int r = archive_read_data_block (a, &buf, &size, &offset);

      if (r == ARCHIVE_EOF)
        {
          start_writeback (ctx, fd, kicked, *written);
          return TRUE;
        }
      if (r < ARCHIVE_WARN)
        return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA, "reading data failed: %s",
                                archive_error_string (a)), FALSE;
      if (offset < 0 || (guint64) offset != *written)
        return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA,
                                "sparse or out-of-order data is not supported"), FALSE;
      if (over_budget (ctx, size, raw, error))
        return FALSE;
      if (!write_all (fd, buf, size))
        return set_entry_errno (error, raw, errno, "writing"), FALSE;
      *written += size;
      ctx->bytes += size;
      if (*written - kicked >= WRITEBACK_STEP)
        {
          start_writeback (ctx, fd, kicked, *written);
          kicked = *written;
        }
      if (!check_cancel_and_report (ctx, FALSE, error))
        return FALSE;
    }
}

static gboolean
extract_file (ExtractCtx *ctx, struct archive *a, struct archive_entry *entry, const char *path,
              const char *raw, GError **error)
{
  g_autofree char *parent = NULL;
  const char *leaf;
  gboolean declared = archive_entry_size_is_set (entry);
  la_int64_t size = archive_entry_size (entry);
  mode_t mode = (archive_entry_perm (entry) & 0111) ? 0755 : 0644;
  guint64 written = 0;
  int pfd, fd;

  if (declared && (size < 0 || over_budget (ctx, (guint64) size, raw, error)))
    return (size < 0) ? (set_entry_error (error, raw, ARW_ERROR_INVALID_DATA, "negative size"), FALSE)
                      : FALSE;
  if (archive_entry_sparse_count (entry) > 0)
    return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA, "sparse files are not supported"), FALSE;
  if (!register_path (ctx, path, KIND_FILE, FALSE, raw, error))
    return FALSE;
  split_parent (path, &parent, &leaf);
  pfd = open_dir (ctx, parent, TRUE, raw, error);
  if (pfd < 0)
    return FALSE;
  fd = _arw_extract_open_beneath (pfd, leaf, O_CREAT | O_EXCL | O_WRONLY, 0600);
  close_keep_errno (pfd);
  if (fd < 0)
    return set_entry_errno (error, raw, errno, "creating the file"), FALSE;
  /* Within the budget checked above; a failure only loses the speed-up,
   * and the size stays what is actually written. */
  if (declared && size >= PREALLOCATE_MIN)
    (void) fallocate (fd, FALLOC_FL_KEEP_SIZE, 0, (off_t) size);
  if (!copy_entry_data (ctx, a, fd, raw, &written, error))
    return close (fd), FALSE;
  if (declared && written != (guint64) size)
    {
      close (fd);
      set_entry_error (error, raw, ARW_ERROR_INVALID_DATA,
                       "holds %" G_GUINT64_FORMAT " bytes but declares %" G_GINT64_FORMAT,
                       written, (gint64) size);
      return FALSE;
    }
  if (fchmod (fd, mode) < 0)
    return set_entry_errno (error, raw, errno, "setting the mode"), close_keep_errno (fd), FALSE;
  if (!(ctx->flags & ARW_EXTRACT_FLAGS_NO_SYNC) && fsync (fd) < 0)
    return set_entry_errno (error, raw, errno, "syncing the file"), close_keep_errno (fd), FALSE;
  if (close (fd) < 0)
    return set_entry_errno (error, raw, errno, "closing the file"), FALSE;
  return TRUE;
}

static gboolean
extract_dir (ExtractCtx *ctx, const char *path, const char *raw, GError **error)
{
  int fd;

  if (path[0] == '\0')
    return TRUE; /* "./" names the destination itself */
  if (!register_path (ctx, path, KIND_DIR, FALSE, raw, error))
    return FALSE;
  fd = open_dir (ctx, path, TRUE, raw, error);
  if (fd < 0)
    return FALSE;
  if (fchmod (fd, 0755) < 0)
    return set_entry_errno (error, raw, errno, "setting the mode"), close_keep_errno (fd), FALSE;
  close (fd);
  return TRUE;
}

/* Follows target from the directory in stack (components beneath the
 * root), through symlinks recorded so far. FALSE when it climbs above the
 * root or loops. */
static gboolean
resolve_link (ExtractCtx *ctx, GPtrArray *stack, const char *target, guint *hops)
{
  g_auto(GStrv) comps = NULL;

  if (target[0] == '/')
    return FALSE;
  comps = g_strsplit (target, "/", -1);
  for (guint i = 0; comps[i] != NULL; i++)
    {
      g_autofree char *joined = NULL;
      const char *next;

      if (comps[i][0] == '\0' || strcmp (comps[i], ".") == 0)
        continue;
      if (strcmp (comps[i], "..") == 0)
        {
          if (stack->len == 0)
            return FALSE;
          g_ptr_array_remove_index (stack, stack->len - 1);
          continue;
        }
      g_ptr_array_add (stack, g_strdup (comps[i]));
      g_ptr_array_add (stack, NULL);
      joined = g_strjoinv ("/", (char **) stack->pdata);
      g_ptr_array_remove_index (stack, stack->len - 1);
      next = g_hash_table_lookup (ctx->links, joined);
      if (next == NULL)
        continue;
      if (++*hops > MAX_LINK_HOPS)
        return FALSE;
      g_ptr_array_remove_index (stack, stack->len - 1);
      if (!resolve_link (ctx, stack, next, hops))
        return FALSE;
    }
  return TRUE;
}

static gboolean
link_stays_inside (ExtractCtx *ctx, const char *path, const char *target)
{
  g_autofree char *parent = NULL;
  g_auto(GStrv) comps = NULL;
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func (g_free);
  const char *leaf;
  guint hops = 0;

  split_parent (path, &parent, &leaf);
  comps = g_strsplit (parent, "/", -1);
  for (guint i = 0; comps[i] != NULL; i++)
    if (comps[i][0] != '\0')
      g_ptr_array_add (stack, g_strdup (comps[i]));
  return resolve_link (ctx, stack, target, &hops);
}

static gboolean
check_link_target (const char *target, const char *raw, GError **error)
{
  g_autofree char *shown = display_name (target ? target : "");

  if (target == NULL || target[0] == '\0')
    return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA, "symlink has an empty target"), FALSE;
  if (strlen (target) > NAME_MAX_BYTES || !g_utf8_validate (target, -1, NULL))
    return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA,
                            "symlink target is too long or not valid UTF-8"), FALSE;
  for (const char *p = target; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f || *p == '\\')
      return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA,
                              "symlink target '%s' contains a control character or backslash",
                              shown), FALSE;
  if (target[0] == '/')
    return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA,
                            "symlink target '%s' is an absolute path", shown), FALSE;
  return TRUE;
}

static gboolean
extract_symlink (ExtractCtx *ctx, const char *path, const char *target, const char *raw,
                 GError **error)
{
  g_autofree char *parent = NULL;
  g_autofree char *shown = NULL;
  const char *leaf;
  int pfd;

  if (!check_link_target (target, raw, error))
    return FALSE;
  if (!link_stays_inside (ctx, path, target))
    {
      shown = display_name (target);
      set_entry_error (error, raw, ARW_ERROR_INVALID_DATA,
                       "symlink target '%s' points outside the destination or loops", shown);
      return FALSE;
    }
  if (!register_path (ctx, path, KIND_SYMLINK, FALSE, raw, error))
    return FALSE;
  split_parent (path, &parent, &leaf);
  pfd = open_dir (ctx, parent, TRUE, raw, error);
  if (pfd < 0)
    return FALSE;
  if (symlinkat (target, pfd, leaf) < 0)
    return set_entry_errno (error, raw, errno, "creating the symlink"), close_keep_errno (pfd), FALSE;
  close (pfd);
  g_hash_table_insert (ctx->links, g_strdup (path), g_strdup (target));
  return TRUE;
}

static gboolean
extract_hardlink (ExtractCtx *ctx, const char *path, const char *target_raw, const char *raw,
                  GError **error)
{
  g_autofree char *label = g_strdup_printf ("hardlink target '%s'", target_raw);
  g_autofree char *target = normalize_path (target_raw, raw, label, error);
  g_autofree char *tparent = NULL;
  g_autofree char *parent = NULL;
  const char *tleaf, *leaf;
  struct stat st;
  int tfd, pfd, ok;

  if (target == NULL)
    return FALSE;
  if (GPOINTER_TO_INT (g_hash_table_lookup (ctx->kinds, target)) != KIND_FILE)
    return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA,
                            "hardlink target is not a regular file extracted earlier from this archive"),
           FALSE;
  split_parent (target, &tparent, &tleaf);
  tfd = open_dir (ctx, tparent, FALSE, raw, error);
  if (tfd < 0)
    return FALSE;
  if (fstatat (tfd, tleaf, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG (st.st_mode))
    return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA,
                            "hardlink target is not a regular file"), close (tfd), FALSE;
  if (!register_path (ctx, path, KIND_FILE, FALSE, raw, error))
    return close (tfd), FALSE;
  split_parent (path, &parent, &leaf);
  pfd = open_dir (ctx, parent, TRUE, raw, error);
  if (pfd < 0)
    return close (tfd), FALSE;
  ok = linkat (tfd, tleaf, pfd, leaf, 0);
  if (ok < 0)
    set_entry_errno (error, raw, errno, "creating the hardlink");
  close_keep_errno (tfd);
  close_keep_errno (pfd);
  return ok == 0;
}

static const char *
entry_pathname (struct archive_entry *entry)
{
  const char *p = archive_entry_pathname_utf8 (entry);
  return p ? p : archive_entry_pathname (entry);
}

static gboolean
extract_entry (ExtractCtx *ctx, struct archive *a, struct archive_entry *entry, GError **error)
{
  const char *raw = entry_pathname (entry);
  const char *hardlink = archive_entry_hardlink_utf8 (entry);
  g_autofree char *path = NULL;
  mode_t type = archive_entry_filetype (entry);

  if (hardlink == NULL)
    hardlink = archive_entry_hardlink (entry);
  path = normalize_path (raw, raw, "name", error);
  if (path == NULL)
    return FALSE;
  if (path[0] == '\0' && (type != AE_IFDIR || hardlink != NULL))
    return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA, "names the destination itself"), FALSE;
  if (archive_entry_is_encrypted (entry))
    return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA, "encrypted entries are not supported"), FALSE;
  if ((hardlink != NULL || type == AE_IFLNK) && (ctx->flags & ARW_EXTRACT_FLAGS_NO_LINKS))
    return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA, "links are not allowed in this archive"), FALSE;
  if (hardlink != NULL)
    return extract_hardlink (ctx, path, hardlink, raw, error);

  switch (type)
    {
    case AE_IFREG:
      return extract_file (ctx, a, entry, path, raw, error);
    case AE_IFDIR:
      return extract_dir (ctx, path, raw, error);
    case AE_IFLNK:
      {
        const char *target = archive_entry_symlink_utf8 (entry);
        return extract_symlink (ctx, path, target ? target : archive_entry_symlink (entry), raw, error);
      }
    case AE_IFCHR:
    case AE_IFBLK:
      return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA, "device nodes are not allowed"), FALSE;
    case AE_IFIFO:
      return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA, "FIFOs are not allowed"), FALSE;
    case AE_IFSOCK:
      return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA, "sockets are not allowed"), FALSE;
    default:
      return set_entry_error (error, raw, ARW_ERROR_INVALID_DATA, "unsupported entry type 0%o",
                              (unsigned) type), FALSE;
    }
}

/* Re-checks every symlink against the final tree: a link created later can
 * change where an earlier one leads. */
static gboolean
check_all_links (ExtractCtx *ctx, GError **error)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, ctx->links);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (!link_stays_inside (ctx, key, value))
        {
          g_autofree char *shown = display_name (value);
          set_entry_error (error, key, ARW_ERROR_INVALID_DATA,
                           "symlink target '%s' points outside the destination through another symlink",
                           shown);
          return FALSE;
        }
    }
  return TRUE;
}

static int
compare_depth_desc (gconstpointer a, gconstpointer b)
{
  const char *pa = *(const char **) a, *pb = *(const char **) b;
  gsize da = 0, db = 0;

  for (; *pa; pa++)
    da += (*pa == '/');
  for (; *pb; pb++)
    db += (*pb == '/');
  return (da < db) - (da > db);
}

static gboolean
sync_dirs (ExtractCtx *ctx, GError **error)
{
  g_ptr_array_sort (ctx->dirs, compare_depth_desc);
  for (guint i = 0; i < ctx->dirs->len; i++)
    {
      const char *dir = g_ptr_array_index (ctx->dirs, i);
      int fd = _arw_extract_open_beneath (ctx->root_fd, dir, O_RDONLY | O_DIRECTORY, 0);

      if (fd < 0 || fsync (fd) < 0)
        return set_entry_errno (error, dir, errno, "syncing the directory"), close_keep_errno (fd), FALSE;
      close (fd);
    }
  if (fsync (ctx->root_fd) < 0)
    return set_entry_errno (error, ".", errno, "syncing the directory"), FALSE;
  return TRUE;
}

/* libarchive callbacks over our own fd: seekable, so zip is read from its
 * central directory. */
typedef struct {
  int fd;
  guint8 buf[READ_BLOCK_SIZE];
} ReadSource;

static la_ssize_t
source_read (struct archive *a, void *data, const void **buf)
{
  ReadSource *src = data;

  for (;;)
    {
      ssize_t n = read (src->fd, src->buf, sizeof src->buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        archive_set_error (a, errno, "reading the archive failed: %s", g_strerror (errno));
      *buf = src->buf;
      return n;
    }
}

static la_int64_t
source_seek (struct archive *a, void *data, la_int64_t offset, int whence)
{
  ReadSource *src = data;
  off_t r = lseek (src->fd, (off_t) offset, whence);

  if (r < 0)
    {
      archive_set_error (a, errno, "seeking in the archive failed: %s", g_strerror (errno));
      return ARCHIVE_FATAL;
    }
  return r;
}

static la_int64_t
source_skip (struct archive *a, void *data, la_int64_t request)
{
  ReadSource *src = data;
  off_t cur = lseek (src->fd, 0, SEEK_CUR);

  if (cur < 0 || lseek (src->fd, (off_t) request, SEEK_CUR) < 0)
    return 0;
  return request;
}

/* Only the formats and in-process filters a bundle can use: no external
 * filter programs, no exotic formats. A stream cannot seek, so zip is then
 * only recognised (extract_all refuses it). */
static struct archive *
new_reader (gboolean streaming)
{
  struct archive *a = archive_read_new ();

  archive_read_support_filter_gzip (a);
  archive_read_support_filter_xz (a);
  archive_read_support_filter_zstd (a);
  archive_read_support_filter_bzip2 (a);
  archive_read_support_format_tar (a);
  archive_read_support_format_gnutar (a);
  if (streaming)
    archive_read_support_format_zip_streamable (a);
  else
    archive_read_support_format_zip (a);
  return a;
}

static struct archive *
open_reader (ReadSource *src, GError **error)
{
  struct archive *a = new_reader (FALSE);

  archive_read_set_callback_data (a, src);
  archive_read_set_read_callback (a, source_read);
  archive_read_set_seek_callback (a, source_seek);
  archive_read_set_skip_callback (a, source_skip);
  if (archive_read_open1 (a) != ARCHIVE_OK)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "not a valid archive: %s",
                   archive_error_string (a) ? archive_error_string (a) : "unrecognised data");
      archive_read_free (a);
      return NULL;
    }
  return a;
}

static gboolean
check_dest_empty (int root_fd, const char *dest_dir, GError **error)
{
  int fd = openat (root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *dir = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;
  gboolean empty = TRUE;

  if (dir == NULL)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "cannot list %s: %s",
                   dest_dir, g_strerror (errno));
      close_keep_errno (fd);
      return FALSE;
    }
  while (empty && (de = readdir (dir)) != NULL)
    empty = (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0);
  closedir (dir);
  if (!empty)
    g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT,
                 "extraction directory %s is not empty", dest_dir);
  return empty;
}

static gboolean
extract_all (ExtractCtx *ctx, struct archive *a, GError **error)
{
  for (;;)
    {
      struct archive_entry *entry;
      int r;

      if (!check_cancel_and_report (ctx, FALSE, error))
        return FALSE;
      r = archive_read_next_header (a, &entry);
      if (r == ARCHIVE_EOF)
        break;
      if (r < ARCHIVE_WARN && ctx->entries == 0)
        return g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "not a valid archive: %s",
                            archive_error_string (a)), FALSE;
      if (r < ARCHIVE_WARN)
        return g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                            "archive is damaged after entry %" G_GUINT64_FORMAT ": %s",
                            ctx->entries, archive_error_string (a)), FALSE;
      /* A streamed zip would be read from its local headers, which may
       * disagree with the central directory: refuse before writing. */
      if (ctx->streaming && ctx->entries == 0 &&
          (archive_format (a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP)
        return g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                            "zip archives cannot be extracted from a stream; extract the complete file"), FALSE;
      if (++ctx->entries > ctx->max_entries)
        return g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                            "archive has more than the limit of %" G_GUINT64_FORMAT " entries; refusing to extract",
                            ctx->max_entries), FALSE;
      if (!extract_entry (ctx, a, entry, error))
        return FALSE;
      if (!check_cancel_and_report (ctx, TRUE, error))
        return FALSE;
    }
  if (ctx->entries == 0 && archive_format (a) == 0)
    return g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                        "not a valid archive: no entries and no recognised format"), FALSE;
  if (!check_all_links (ctx, error))
    return FALSE;
  return (ctx->flags & ARW_EXTRACT_FLAGS_NO_SYNC) || sync_dirs (ctx, error);
}

static int
open_archive_file (const char *archive_path, GError **error)
{
  int fd = open (archive_path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  struct stat st;

  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "cannot open archive %s: %s",
                   archive_path, g_strerror (errsv));
      return -1;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "not a valid archive: %s is not a regular file", archive_path);
      return -1;
    }
  return fd;
}

/* Opens dest_dir and checks that it is empty; -1 on failure. */
static int
open_dest (const char *dest_dir, GError **error)
{
  int fd = open (dest_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "cannot open extraction directory %s: %s", dest_dir, g_strerror (errsv));
      return -1;
    }
  if (!check_dest_empty (fd, dest_dir, error))
    {
      close (fd);
      return -1;
    }
  return fd;
}

/* Takes ownership of root_fd. */
static void
ctx_init (ExtractCtx *ctx, int root_fd, const ArwExtractLimits *limits, ArwExtractProgressFunc progress,
          gpointer user_data, GCancellable *cancellable)
{
  memset (ctx, 0, sizeof *ctx);
  ctx->root_fd = root_fd;
  ctx->max_bytes = (limits && limits->max_total_bytes) ? limits->max_total_bytes
                                                       : ARW_EXTRACT_DEFAULT_MAX_TOTAL_BYTES;
  ctx->max_entries = (limits && limits->max_entries) ? limits->max_entries
                                                     : ARW_EXTRACT_DEFAULT_MAX_ENTRIES;
  ctx->flags = limits ? limits->flags : ARW_EXTRACT_FLAGS_NONE;
  ctx->progress = progress;
  ctx->user_data = user_data;
  ctx->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  ctx->kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ctx->folded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ctx->links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ctx->dirs = g_ptr_array_new_with_free_func (g_free);
}

static void
ctx_clear (ExtractCtx *ctx)
{
  writeback_stop (ctx);
  g_clear_pointer (&ctx->kinds, g_hash_table_unref);
  g_clear_pointer (&ctx->folded, g_hash_table_unref);
  g_clear_pointer (&ctx->links, g_hash_table_unref);
  g_clear_pointer (&ctx->dirs, g_ptr_array_unref);
  g_clear_object (&ctx->cancellable);
  if (ctx->root_fd >= 0)
    close (ctx->root_fd);
  ctx->root_fd = -1;
}

/* Runs extract_all() and names @label in the error. */
static gboolean
extract_labelled (ExtractCtx *ctx, struct archive *a, const char *label, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (extract_all (ctx, a, &local_error))
    return TRUE;
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_prefix_error (&local_error, "extracting %s failed: ", label);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
arw_extract_archive (const char *archive_path, const char *dest_dir, const ArwExtractLimits *limits,
                     ArwExtractProgressFunc progress, gpointer user_data, GCancellable *cancellable,
                     GError **error)
{
  g_autofree ReadSource *src = g_new0 (ReadSource, 1);
  ExtractCtx ctx = { 0 };
  struct archive *a;
  gboolean ok = FALSE;
  int root_fd;

  g_return_val_if_fail (archive_path != NULL, FALSE);
  g_return_val_if_fail (dest_dir != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  root_fd = open_dest (dest_dir, error);
  if (root_fd < 0)
    return FALSE;
  ctx_init (&ctx, root_fd, limits, progress, user_data, cancellable);
  src->fd = open_archive_file (archive_path, error);
  if (src->fd < 0)
    goto out;
  a = open_reader (src, error);
  if (a == NULL)
    {
      g_prefix_error (error, "extracting %s failed: ", archive_path);
      goto out;
    }
  ok = extract_labelled (&ctx, a, archive_path, error);
  archive_read_free (a);
out:
  if (src->fd >= 0)
    close (src->fd);
  ctx_clear (&ctx);
  return ok;
}

/* ---- streaming ---- */

#define STREAM_DEFAULT_BUFFER (8 * 1024 * 1024)
#define STREAM_MAX_BLOCK (1024 * 1024)

/* A ring buffer between one producer (push) and the extracting thread.
 * Counters only grow; positions in ring are counter % size. The producer
 * writes [tail, released + size), the reader owns [released, tail) and
 * hands libarchive the block [released, released + lent) until its next
 * read. */
struct _ArwExtractStream
{
  GMutex lock;
  GCond cond;
  guint8 *ring;
  gsize size;
  guint64 tail;
  guint64 released;
  gsize lent;
  gboolean eof;       /* producer: no more data */
  gboolean aborted;   /* producer or cancellable: give up */
  gboolean stopped;   /* reader: no longer reading */
  gboolean finished;  /* thread joined */
  GThread *thread;
  ExtractCtx ctx;
  char *label;
  gulong cancel_id;
  gboolean ok;
  GError *error;
};

static la_ssize_t
stream_read (struct archive *a, void *data, const void **buf)
{
  ArwExtractStream *self = data;
  gsize avail;

  g_mutex_lock (&self->lock);
  self->released += self->lent;
  self->lent = 0;
  g_cond_broadcast (&self->cond);
  while (self->tail == self->released && !self->eof && !self->aborted)
    g_cond_wait (&self->cond, &self->lock);
  if (self->aborted)
    {
      g_mutex_unlock (&self->lock);
      archive_set_error (a, ECANCELED, "the archive stream was aborted");
      return ARCHIVE_FATAL;
    }
  avail = (gsize) (self->tail - self->released);
  avail = MIN (avail, self->size - (gsize) (self->released % self->size));
  self->lent = MIN (avail, (gsize) STREAM_MAX_BLOCK);
  *buf = self->ring + self->released % self->size;
  g_mutex_unlock (&self->lock);
  return (la_ssize_t) self->lent;
}

static void
stream_set_stopped (ArwExtractStream *self)
{
  g_mutex_lock (&self->lock);
  self->stopped = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static gpointer
stream_thread (gpointer data)
{
  ArwExtractStream *self = data;
  struct archive *a = new_reader (TRUE);
  GError *local_error = NULL;

  archive_read_set_callback_data (a, self);
  archive_read_set_read_callback (a, stream_read);
  if (archive_read_open1 (a) != ARCHIVE_OK)
    g_set_error (&local_error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "extracting %s failed: not a valid archive: %s",
                 self->label, archive_error_string (a) ? archive_error_string (a) : "unrecognised data");
  else
    self->ok = extract_labelled (&self->ctx, a, self->label, &local_error);
  archive_read_free (a);
  if (!self->ok && g_cancellable_is_cancelled (self->ctx.cancellable))
    {
      g_clear_error (&local_error);
      g_cancellable_set_error_if_cancelled (self->ctx.cancellable, &local_error);
    }
  self->error = local_error;
  stream_set_stopped (self);
  return NULL;
}

static void
stream_on_cancel (GCancellable *cancellable, gpointer user_data)
{
  ArwExtractStream *self = user_data;

  g_mutex_lock (&self->lock);
  self->aborted = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

ArwExtractStream *
arw_extract_stream_new (const char              *dest_dir,
                        const char              *label,
                        const ArwExtractLimits  *limits,
                        gsize                    max_buffered,
                        ArwExtractProgressFunc   progress,
                        gpointer                 user_data,
                        GCancellable            *cancellable,
                        GError                 **error)
{
  ArwExtractStream *self;
  int root_fd;

  g_return_val_if_fail (dest_dir != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root_fd = open_dest (dest_dir, error);
  if (root_fd < 0)
    return NULL;
  self = g_new0 (ArwExtractStream, 1);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->size = max_buffered > 0 ? max_buffered : STREAM_DEFAULT_BUFFER;
  self->ring = g_malloc (self->size);
  self->label = g_strdup (label != NULL ? label : dest_dir);
  ctx_init (&self->ctx, root_fd, limits, progress, user_data, cancellable);
  self->ctx.streaming = TRUE;
  if (cancellable != NULL)
    self->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (stream_on_cancel), self, NULL);
  self->thread = g_thread_new ("arw-extract", stream_thread, self);
  return self;
}

gboolean
arw_extract_stream_push (ArwExtractStream *self, const void *data, gsize len)
{
  const guint8 *p = data;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  while (len > 0)
    {
      gsize room, at, n;

      g_mutex_lock (&self->lock);
      while (!self->stopped && !self->aborted && self->tail - self->released == self->size)
        g_cond_wait (&self->cond, &self->lock);
      if (self->stopped || self->aborted || self->eof)
        {
          g_mutex_unlock (&self->lock);
          return FALSE;
        }
      room = self->size - (gsize) (self->tail - self->released);
      at = (gsize) (self->tail % self->size);
      g_mutex_unlock (&self->lock);

      /* [tail, tail + n) belongs to the producer until tail moves. */
      n = MIN (MIN (room, self->size - at), len);
      memcpy (self->ring + at, p, n);
      g_mutex_lock (&self->lock);
      self->tail += n;
      g_cond_broadcast (&self->cond);
      g_mutex_unlock (&self->lock);
      p += n;
      len -= n;
    }
  return TRUE;
}

static void
stream_join (ArwExtractStream *self, gboolean abort)
{
  if (self->finished)
    return;
  g_mutex_lock (&self->lock);
  if (abort)
    self->aborted = TRUE;
  else
    self->eof = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_thread_join (self->thread);
  self->thread = NULL;
  self->finished = TRUE;
  if (self->cancel_id != 0)
    g_cancellable_disconnect (self->ctx.cancellable, self->cancel_id);
  self->cancel_id = 0;
  g_clear_pointer (&self->ring, g_free);
  ctx_clear (&self->ctx);
}

gboolean
arw_extract_stream_finish (ArwExtractStream *self, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->finished, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stream_join (self, FALSE);
  if (self->ok)
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&self->error));
  return FALSE;
}

void
arw_extract_stream_free (ArwExtractStream *self)
{
  if (self == NULL)
    return;
  stream_join (self, TRUE);
  g_clear_error (&self->error);
  g_free (self->label);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

gboolean
arw_extract_is_archive_format (const char *format)
{
  static const char *const known[] = {
    "tar.zst", "tzst", "tar.gz", "tgz", "tar.xz", "txz", "tar.bz2", "tbz2", "tar", "zip",
  };

  g_return_val_if_fail (format != NULL, FALSE);

  for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_ascii_strcasecmp (format, known[i]) == 0)
      return TRUE;
  return FALSE;
}
