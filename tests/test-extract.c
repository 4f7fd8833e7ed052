/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "arw-error.h"
#include "arw-extract.h"
#include "arw-extract-private.h"
#include "arw-sha256.h"
#include "arw-test-utils.h"

/* ---- building archives with libarchive's write API ---------------------- */

typedef enum {
  T_END = 0,
  T_FILE,
  T_DIR,
  T_SYMLINK,
  T_HARDLINK,
  T_CHR,
  T_BLK,
  T_FIFO,
} TType;

typedef struct {
  TType type;
  const char *path;   /* "@BASE@" is replaced by the fixture's base dir */
  const char *data;   /* file contents, or the link target */
  int perm;           /* 0: 0644 for files, 0755 for dirs */
  gint64 declared;    /* > 0: declare this size, write nothing more, truncate the archive */
  gsize fill;         /* > 0: file of this many pseudo-random bytes instead of data */
} TEntry;

static char *
expand (const char *s, const char *base)
{
  g_autoptr(GString) out = NULL;

  if (s == NULL)
    return NULL;
  out = g_string_new (s);
  g_string_replace (out, "@BASE@", base, 0);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static GBytes *
fill_bytes (gsize n, guint32 seed)
{
  guint8 *buf = g_malloc (n ? n : 1);
  guint32 x = seed ? seed : 1;

  for (gsize i = 0; i < n; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      buf[i] = (guint8) x;
    }
  return g_bytes_new_take (buf, n);
}

static GBytes *
entry_bytes (const TEntry *t)
{
  if (t->fill > 0)
    return fill_bytes (t->fill, (guint32) (t->fill * 31 + strlen (t->path)));
  return g_bytes_new_static (t->data ? t->data : "", t->data ? strlen (t->data) : 0);
}

static struct archive_entry *
make_entry (const TEntry *t, const char *base)
{
  struct archive_entry *e = archive_entry_new ();
  g_autofree char *path = expand (t->path, base);
  g_autofree char *data = expand (t->data, base);
  g_autoptr(GBytes) bytes = entry_bytes (t);

  archive_entry_set_pathname (e, path);
  archive_entry_set_perm (e, (mode_t) (t->perm ? t->perm : (t->type == T_DIR ? 0755 : 0644)));
  archive_entry_set_mtime (e, 1700000000, 0);
  switch (t->type)
    {
    case T_FILE:
      archive_entry_set_filetype (e, AE_IFREG);
      archive_entry_set_size (e, t->declared > 0 ? t->declared : (la_int64_t) g_bytes_get_size (bytes));
      break;
    case T_DIR:
      archive_entry_set_filetype (e, AE_IFDIR);
      break;
    case T_SYMLINK:
      archive_entry_set_filetype (e, AE_IFLNK);
      archive_entry_set_symlink (e, data);
      break;
    case T_HARDLINK:
      archive_entry_set_filetype (e, AE_IFREG);
      archive_entry_set_hardlink (e, data);
      archive_entry_set_size (e, 0);
      break;
    case T_CHR:
    case T_BLK:
      archive_entry_set_filetype (e, t->type == T_CHR ? AE_IFCHR : AE_IFBLK);
      archive_entry_set_rdev (e, makedev (1, 3));
      break;
    case T_FIFO:
      archive_entry_set_filetype (e, AE_IFIFO);
      break;
    case T_END:
    default:
      g_assert_not_reached ();
    }
  return e;
}

/* format: "pax", "ustar", "gnutar", "zip"; filter: "none", "gzip", "xz",
 * "zstd", "bzip2". */
static void
write_archive (const char *out, const char *format, const char *filter, const TEntry *entries,
               const char *base)
{
  struct archive *a = archive_write_new ();

  if (g_str_equal (format, "zip"))
    g_assert_cmpint (archive_write_set_format_zip (a), ==, ARCHIVE_OK);
  else if (g_str_equal (format, "ustar"))
    g_assert_cmpint (archive_write_set_format_ustar (a), ==, ARCHIVE_OK);
  else if (g_str_equal (format, "gnutar"))
    g_assert_cmpint (archive_write_set_format_gnutar (a), ==, ARCHIVE_OK);
  else
    g_assert_cmpint (archive_write_set_format_pax_restricted (a), ==, ARCHIVE_OK);
  if (g_str_equal (filter, "gzip"))
    g_assert_cmpint (archive_write_add_filter_gzip (a), ==, ARCHIVE_OK);
  else if (g_str_equal (filter, "xz"))
    g_assert_cmpint (archive_write_add_filter_xz (a), ==, ARCHIVE_OK);
  else if (g_str_equal (filter, "zstd"))
    g_assert_cmpint (archive_write_add_filter_zstd (a), ==, ARCHIVE_OK);
  else if (g_str_equal (filter, "bzip2"))
    g_assert_cmpint (archive_write_add_filter_bzip2 (a), ==, ARCHIVE_OK);
  archive_write_set_bytes_per_block (a, 0);
  g_assert_cmpint (archive_write_open_filename (a, out), ==, ARCHIVE_OK);

  for (const TEntry *t = entries; t->type != T_END; t++)
    {
      struct archive_entry *e = make_entry (t, base);
      g_autoptr(GBytes) bytes = entry_bytes (t);
      int r = archive_write_header (a, e);

      if (r < ARCHIVE_WARN)
        g_error ("cannot write entry %s: %s", t->path, archive_error_string (a));
      archive_entry_free (e);
      if (t->declared > 0)
        {
          /* Header only: the reader must refuse before any data. */
          archive_write_fail (a);
          break;
        }
      if (t->type == T_FILE && g_bytes_get_size (bytes) > 0)
        g_assert_cmpint (archive_write_data (a, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)),
                         ==, (la_ssize_t) g_bytes_get_size (bytes));
    }
  archive_write_close (a);
  archive_write_free (a);
}

/* Sets the Unix mode of every central-directory record of a zip: the
 * writer refuses FIFOs and sockets, a hostile zip does not. */
static void
patch_zip_modes (const char *path, guint32 mode)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  guint hits = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i + 46 <= len; i++)
    {
      if (memcmp (data + i, "PK\x01\x02", 4) != 0)
        continue;
      data[i + 5] = 3; /* made by Unix */
      data[i + 40] = (char) (mode & 0xff);
      data[i + 41] = (char) ((mode >> 8) & 0xff);
      hits++;
    }
  g_assert_cmpuint (hits, >, 0);
  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
}

/* ---- fixture: staging dir next to a canary tree ------------------------- */

typedef struct {
  char *base;
  char *staging;
  char *archive;
  char *before;
  gboolean stream; /* extract through an ArwExtractStream instead of the file */
} Fixture;

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

static void
snapshot_dir (GString *out, const char *root, const char *rel, const char *skip)
{
  g_autofree char *dir_path = g_build_filename (root, rel, NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *child_rel = g_build_filename (rel, g_ptr_array_index (names, i), NULL);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);
      struct stat st;

      if (g_strcmp0 (child, skip) == 0)
        continue;
      g_assert_cmpint (lstat (child, &st), ==, 0);
      g_string_append_printf (out, "%s %o %" G_GINT64_FORMAT " %" G_GINT64_FORMAT, child_rel,
                              st.st_mode, (gint64) st.st_size, (gint64) st.st_mtime);
      if (S_ISREG (st.st_mode))
        {
          g_autofree char *data = NULL;
          gsize len = 0;
          g_autofree char *hex = NULL;

          g_assert_true (g_file_get_contents (child, &data, &len, NULL));
          hex = arw_sha256_hex (data, len);
          g_string_append_printf (out, " %s", hex);
        }
      else if (S_ISLNK (st.st_mode))
        {
          g_autofree char *target = g_file_read_link (child, NULL);
          g_string_append_printf (out, " -> %s", target);
        }
      g_string_append_c (out, '\n');
      if (S_ISDIR (st.st_mode))
        snapshot_dir (out, root, child_rel, skip);
    }
}

/* Everything around staging: the sibling canary tree, the base listing, and
 * the absolute victim paths some cases aim at. */
static char *
snapshot (Fixture *f)
{
  GString *out = g_string_new (NULL);

  snapshot_dir (out, f->base, "", f->staging);
  g_string_append_printf (out, "tmp-victim %d\n",
                          g_file_test ("/tmp/arw-extract-pwned", G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK));
  return g_string_free (out, FALSE);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autofree char *canary = NULL;
  g_autofree char *sub = NULL;
  g_autofree char *file = NULL;

  f->base = arw_test_mkdtemp ();
  f->staging = g_build_filename (f->base, "staging", NULL);
  f->archive = g_build_filename (f->base, "archive.bin", NULL);
  canary = g_build_filename (f->base, "canary", NULL);
  sub = g_build_filename (canary, "sub", NULL);
  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (f->staging, 0755), ==, 0);
  file = g_build_filename (canary, "file1", NULL);
  g_assert_true (g_file_set_contents (file, "canary one\n", -1, NULL));
  g_free (file);
  file = g_build_filename (sub, "file2", NULL);
  g_assert_true (g_file_set_contents (file, "canary two\n", -1, NULL));
  g_free (file);
  file = g_build_filename (f->base, "sibling-file", NULL);
  g_assert_true (g_file_set_contents (file, "next to staging\n", -1, NULL));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  arw_test_rm_rf (f->base);
  g_free (f->base);
  g_free (f->staging);
  g_free (f->archive);
  g_free (f->before);
  _arw_extract_set_force_walk (FALSE);
}

static void
take_before (Fixture *f)
{
  g_free (f->before);
  f->before = snapshot (f);
}

static void
assert_outside_unchanged (Fixture *f)
{
  g_autofree char *after = snapshot (f);

  g_assert_cmpstr (after, ==, f->before);
}

static char *
staging_path (Fixture *f, const char *rel)
{
  return g_build_filename (f->staging, rel, NULL);
}

/* The archive file pushed in odd-sized pieces through a small ring, so it
 * wraps around many times. */
#define STREAM_CHUNK 4093
#define STREAM_BUFFER (16 * 1024 + 1)

static gboolean
stream_archive (Fixture *f, const ArwExtractLimits *limits, ArwExtractProgressFunc progress,
                gpointer user_data, GCancellable *cancellable, GError **error)
{
  g_autofree char *data = NULL;
  g_autoptr(ArwExtractStream) stream = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (f->archive, &data, &len, NULL));
  stream = arw_extract_stream_new (f->staging, "archive.bin", limits, STREAM_BUFFER, progress, user_data,
                                   cancellable, error);
  if (stream == NULL)
    return FALSE;
  for (gsize off = 0; off < len; off += STREAM_CHUNK)
    if (!arw_extract_stream_push (stream, data + off, MIN ((gsize) STREAM_CHUNK, len - off)))
      break;
  return arw_extract_stream_finish (stream, error);
}

/* arw_extract_archive() or, in stream mode, stream_archive(). */
static gboolean
extract (Fixture *f, const ArwExtractLimits *limits, ArwExtractProgressFunc progress, gpointer user_data,
         GCancellable *cancellable, GError **error)
{
  if (f->stream)
    return stream_archive (f, limits, progress, user_data, cancellable, error);
  return arw_extract_archive (f->archive, f->staging, limits, progress, user_data, cancellable, error);
}

/* A streamed zip is refused before anything is written. */
static void
assert_stream_zip_refused (Fixture *f, const ArwExtractLimits *limits)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;

  take_before (f);
  g_assert_false (stream_archive (f, limits, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "zip archives cannot be extracted from a stream"));
  dir = g_dir_open (f->staging, 0, NULL);
  g_assert_null (g_dir_read_name (dir));
  assert_outside_unchanged (f);
}

/* ---- malicious archives ---------------------------------------------- */

typedef struct {
  const char *name;
  const char *format;
  const char *filter;
  guint64 max_bytes;
  guint64 max_entries;
  const char *expect; /* substring of the error message */
  TEntry entries[6];
} BadCase;

#define MiB (1024 * 1024)

static const BadCase bad_cases[] = {
  { "dotdot", "pax", "gzip", 0, 0, "'..' component", { { T_FILE, "../pwned", "x" } } },
  { "nested-dotdot", "pax", "zstd", 0, 0, "'..' component", { { T_FILE, "a/../../pwned", "x" } } },
  { "dot-dotdot", "ustar", "xz", 0, 0, "'..' component", { { T_FILE, "./../pwned", "x" } } },
  { "trailing-dotdot", "pax", "none", 0, 0, "'..' component", { { T_DIR, "a/.." } } },
  { "overwrite-canary", "gnutar", "gzip", 0, 0, "'..' component",
    { { T_FILE, "ok", "fine" }, { T_FILE, "../canary/file1", "pwned" } } },
  { "absolute", "pax", "gzip", 0, 0, "absolute path", { { T_FILE, "@BASE@/pwned", "x" } } },
  { "absolute-tmp", "pax", "none", 0, 0, "absolute path", { { T_FILE, "/tmp/arw-extract-pwned", "x" } } },
  { "absolute-dir", "pax", "none", 0, 0, "absolute path", { { T_DIR, "@BASE@/canary/newdir" } } },
  { "symlink-outside-write-through", "pax", "gzip", 0, 0, "points outside",
    { { T_SYMLINK, "l", "../canary" }, { T_FILE, "l/pwned", "x" } } },
  { "symlink-root", "pax", "zstd", 0, 0, "absolute path", { { T_SYMLINK, "root", "/" } } },
  { "symlink-absolute-write-through", "pax", "gzip", 0, 0, "absolute path",
    { { T_SYMLINK, "etc", "@BASE@/canary" }, { T_FILE, "etc/pwned", "x" } } },
  { "symlink-deep-escape", "pax", "gzip", 0, 0, "points outside",
    { { T_SYMLINK, "a/b/c", "../../../canary/file1" } } },
  { "symlink-chain", "pax", "gzip", 0, 0, "points outside",
    { { T_SYMLINK, "d/x", ".." }, { T_SYMLINK, "y", "d/x/.." } } },
  { "symlink-chain-reordered", "pax", "gzip", 0, 0, "through another symlink",
    { { T_SYMLINK, "y", "d/x/.." }, { T_SYMLINK, "d/x", ".." } } },
  { "symlink-loop", "pax", "gzip", 0, 0, "symlink target",
    { { T_SYMLINK, "a", "b/x" }, { T_SYMLINK, "b", "a/x" } } },
  { "symlink-internal-write-through", "pax", "gzip", 0, 0, "parent 'l' is a symlink",
    { { T_DIR, "sub" }, { T_SYMLINK, "l", "sub" }, { T_FILE, "l/x", "x" } } },
  { "symlink-then-same-dir", "pax", "gzip", 0, 0, "already exists as a symlink",
    { { T_SYMLINK, "d", "." }, { T_DIR, "d" }, { T_FILE, "d/x", "x" } } },
  { "symlink-then-overwrite", "pax", "gzip", 0, 0, "already exists as a symlink",
    { { T_FILE, "target", "t" }, { T_SYMLINK, "l", "target" }, { T_FILE, "l", "overwrite" } } },
  { "symlink-empty-target", "pax", "none", 0, 0, "empty target", { { T_SYMLINK, "l", "" } } },
  { "symlink-backslash-target", "pax", "none", 0, 0, "backslash",
    { { T_SYMLINK, "l", "..\\canary" } } },
  { "hardlink-etc-passwd", "pax", "gzip", 0, 0, "absolute path",
    { { T_HARDLINK, "passwd", "/etc/passwd" } } },
  { "hardlink-dotdot", "pax", "gzip", 0, 0, "archive entry 'h': hardlink target '../canary/file1' contains a '..' component",
    { { T_HARDLINK, "h", "../canary/file1" } } },
  { "hardlink-missing", "pax", "gzip", 0, 0, "not a regular file extracted earlier",
    { { T_HARDLINK, "h", "nothere" } } },
  { "hardlink-to-symlink", "pax", "gzip", 0, 0, "not a regular file extracted earlier",
    { { T_FILE, "f", "f" }, { T_SYMLINK, "s", "f" }, { T_HARDLINK, "h", "s" } } },
  { "hardlink-to-dir", "pax", "gzip", 0, 0, "not a regular file extracted earlier",
    { { T_DIR, "d" }, { T_HARDLINK, "h", "d" } } },
  { "char-device", "pax", "gzip", 0, 0, "device nodes", { { T_CHR, "null" } } },
  { "block-device", "ustar", "none", 0, 0, "device nodes", { { T_BLK, "sda" } } },
  { "fifo", "pax", "xz", 0, 0, "FIFOs", { { T_FIFO, "fifo" } } },
  { "huge-declared", "pax", "none", 0, 0, "limit of 68719476736 bytes",
    { { T_FILE, "huge", NULL, 0, G_GINT64_CONSTANT (1) << 40 } } },
  { "declared-over-cap", "pax", "gzip", 1 * MiB, 0, "limit of 1048576 bytes",
    { { T_FILE, "big", NULL, 0, 0, 2 * MiB } } },
  { "total-over-cap", "pax", "zstd", 1 * MiB, 0, "limit of 1048576 bytes",
    { { T_FILE, "a", NULL, 0, 0, 400 * 1024 }, { T_FILE, "b", NULL, 0, 0, 400 * 1024 },
      { T_FILE, "c", NULL, 0, 0, 400 * 1024 } } },
  { "entry-cap", "pax", "gzip", 0, 3, "limit of 3 entries",
    { { T_FILE, "a", "" }, { T_FILE, "b", "" }, { T_FILE, "c", "" }, { T_FILE, "d", "" } } },
  { "zip-dotdot", "zip", "none", 0, 0, "'..' component", { { T_FILE, "../pwned", "x" } } },
  { "zip-absolute", "zip", "none", 0, 0, "absolute path", { { T_FILE, "@BASE@/pwned", "x" } } },
  { "zip-backslash-dotdot", "zip", "none", 0, 0, "'..' component", { { T_FILE, "..\\pwned", "x" } } },
  { "zip-over-cap", "zip", "none", 1 * MiB, 0, "limit of 1048576 bytes",
    { { T_FILE, "big", NULL, 0, 0, 1 * MiB + 1 } } },
  { "zip-symlink-outside", "zip", "none", 0, 0, "points outside",
    { { T_SYMLINK, "l", "../canary" }, { T_FILE, "l/x", "x" } } },
  { "backslash", "pax", "none", 0, 0, "backslash", { { T_FILE, "a\\b", "x" } } },
  { "empty-name", "pax", "none", 0, 0, "name is empty", { { T_FILE, "", "x" } } },
  { "root-as-file", "pax", "none", 0, 0, "names the destination itself", { { T_FILE, ".", "x" } } },
  { "file-then-dir", "pax", "gzip", 0, 0, "already exists as a file",
    { { T_FILE, "a", "x" }, { T_DIR, "a" } } },
  { "dir-then-file", "pax", "gzip", 0, 0, "already exists as a directory",
    { { T_DIR, "a" }, { T_FILE, "a", "x" } } },
  { "file-then-child", "pax", "gzip", 0, 0, "parent 'a' is a file",
    { { T_FILE, "a", "x" }, { T_FILE, "a/b", "x" } } },
  { "duplicate-file", "pax", "gzip", 0, 0, "duplicate entry",
    { { T_FILE, "a", "first" }, { T_FILE, "a", "second" } } },
  { "case-collision", "pax", "gzip", 0, 0, "collides with 'Model.gguf'",
    { { T_FILE, "Model.gguf", "x" }, { T_FILE, "model.gguf", "y" } } },
  { "nfc-nfd-collision", "pax", "gzip", 0, 0, "collides",
    { { T_FILE, "caf\xc3\xa9", "x" }, { T_FILE, "cafe\xcc\x81", "y" } } },
  { "control-char", "pax", "none", 0, 0, "control character", { { T_FILE, "a\nb", "x" } } },
  { "escape-sequence", "pax", "none", 0, 0, "control character", { { T_FILE, "\x1b[2Jx", "x" } } },
  { "not-utf8", "pax", "none", 0, 0, "not valid UTF-8", { { T_FILE, "\xff\xfe", "x" } } },
};

static void
run_bad_archive (Fixture *f, const char *expect, guint64 max_bytes, guint64 max_entries)
{
  ArwExtractLimits limits = { max_bytes, max_entries, 0 };
  g_autoptr(GError) error = NULL;

  take_before (f);
  g_assert_false (extract (f, &limits, NULL, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, expect));
  g_assert_true (error->domain == ARW_ERROR);
  assert_outside_unchanged (f);
}

static void
test_bad_case (Fixture *f, gconstpointer data)
{
  const BadCase *bc = data;

  write_archive (f->archive, bc->format, bc->filter, bc->entries, f->base);
  run_bad_archive (f, bc->expect, bc->max_bytes, bc->max_entries);
}

static void
test_bad_case_walk (Fixture *f, gconstpointer data)
{
  _arw_extract_set_force_walk (TRUE);
  test_bad_case (f, data);
}

/* The same archives streamed: the same errors, nothing outside staging. */
static void
test_bad_case_stream (Fixture *f, gconstpointer data)
{
  const BadCase *bc = data;
  ArwExtractLimits limits = { bc->max_bytes, bc->max_entries, 0 };

  f->stream = TRUE;
  write_archive (f->archive, bc->format, bc->filter, bc->entries, f->base);
  if (g_str_equal (bc->format, "zip"))
    assert_stream_zip_refused (f, &limits);
  else
    run_bad_archive (f, bc->expect, bc->max_bytes, bc->max_entries);
}

static void
test_long_names (Fixture *f, gconstpointer data)
{
  g_autoptr(GString) longpath = g_string_new (NULL);
  g_autofree char *component = g_strnfill (300, 'c');
  TEntry entries[2] = { { T_FILE, NULL, "x" } };

  while (longpath->len <= 4200)
    g_string_append (longpath, "dddddddddddddddddddddddddddddddddddddddddddddddddd/");
  g_string_append (longpath, "file");
  entries[0].path = longpath->str;
  write_archive (f->archive, "pax", "gzip", entries, f->base);
  run_bad_archive (f, "longer than 4095 bytes", 0, 0);

  arw_test_rm_rf (f->staging);
  g_assert_cmpint (g_mkdir (f->staging, 0755), ==, 0);
  entries[0].path = component;
  write_archive (f->archive, "pax", "gzip", entries, f->base);
  run_bad_archive (f, "component longer than 255 bytes", 0, 0);
}

static void
test_zip_special_modes (Fixture *f, gconstpointer data)
{
  const TEntry entries[] = { { T_FILE, "special", "" }, { 0 } };
  g_autoptr(GError) error = NULL;

  write_archive (f->archive, "zip", "none", entries, f->base);
  patch_zip_modes (f->archive, 0140644);
  run_bad_archive (f, "sockets are not allowed", 0, 0);

  write_archive (f->archive, "zip", "none", entries, f->base);
  patch_zip_modes (f->archive, 0020644);
  run_bad_archive (f, "device nodes are not allowed", 0, 0);

  write_archive (f->archive, "zip", "none", entries, f->base);
  patch_zip_modes (f->archive, 0060644);
  run_bad_archive (f, "device nodes are not allowed", 0, 0);

  /* libarchive's zip reader turns a FIFO mode into a regular file: a safe
   * outcome as long as no FIFO appears. */
  write_archive (f->archive, "zip", "none", entries, f->base);
  patch_zip_modes (f->archive, 0010644);
  take_before (f);
  if (arw_extract_archive (f->archive, f->staging, NULL, NULL, NULL, NULL, &error))
    {
      g_autofree char *path = staging_path (f, "special");
      struct stat st;
      g_assert_cmpint (lstat (path, &st), ==, 0);
      g_assert_true (S_ISREG (st.st_mode));
    }
  else
    {
      g_assert_nonnull (strstr (error->message, "FIFOs are not allowed"));
    }
  assert_outside_unchanged (f);
}

static void
assert_not_archive (Fixture *f, const char *path)
{
  g_autoptr(GError) error = NULL;

  take_before (f);
  g_assert_false (arw_extract_archive (path, f->staging, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "not a valid archive: "));
  assert_outside_unchanged (f);
  g_assert_cmpint (g_rmdir (f->staging), ==, 0); /* still empty */
  g_assert_cmpint (g_mkdir (f->staging, 0755), ==, 0);
}

static void
test_not_archives (Fixture *f, gconstpointer data)
{
  g_autofree char *stub = arw_test_vector_path ("www", "artifacts", "llama-stub.tar.zst", NULL);
  g_autofree char *stub2 = arw_test_vector_path ("www", "artifacts", "vision-stub.tar.zst", NULL);
  g_autofree char *dir = g_build_filename (f->base, "canary", NULL);
  g_autoptr(GError) error = NULL;
  const TEntry text[] = { { T_FILE, "a", "plain text inside a tar" }, { 0 } };
  g_autofree char *data_gz = NULL;
  gsize len = 0;

  assert_not_archive (f, stub);
  assert_not_archive (f, stub2);
  g_assert_true (g_file_set_contents (f->archive, "", 0, NULL));
  assert_not_archive (f, f->archive);
  g_assert_true (g_file_set_contents (f->archive, "just some text\n", -1, NULL));
  assert_not_archive (f, f->archive);
  assert_not_archive (f, dir);

  /* A gzip stream of plain text: a valid filter, no archive inside. */
  {
    struct archive *a = archive_write_new ();
    g_autofree char *buf = g_malloc (4096);
    size_t used = 0;

    archive_write_set_format_raw (a);
    archive_write_add_filter_gzip (a);
    g_assert_cmpint (archive_write_open_memory (a, buf, 4096, &used), ==, ARCHIVE_OK);
    {
      struct archive_entry *e = archive_entry_new ();
      archive_entry_set_filetype (e, AE_IFREG);
      archive_entry_set_pathname (e, "x");
      g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
      archive_write_data (a, "hello world, not a tar\n", 23);
      archive_entry_free (e);
    }
    archive_write_close (a);
    archive_write_free (a);
    g_assert_true (g_file_set_contents (f->archive, buf, (gssize) used, NULL));
    assert_not_archive (f, f->archive);
  }

  /* A tar.gz cut in the middle of the data: damaged, not silently short. */
  write_archive (f->archive, "pax", "gzip",
                 (TEntry[]) { { T_FILE, "big", NULL, 0, 0, 256 * 1024 }, { 0 } }, f->base);
  g_assert_true (g_file_get_contents (f->archive, &data_gz, &len, NULL));
  g_assert_true (g_file_set_contents (f->archive, data_gz, (gssize) (len / 2), NULL));
  take_before (f);
  g_assert_false (arw_extract_archive (f->archive, f->staging, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_test_message ("error: %s", error->message);
  assert_outside_unchanged (f);
  (void) text;
}

/* ---- good archives ------------------------------------------------------ */

static const TEntry good_entries[] = {
  { T_DIR, "./" },
  { T_DIR, "bin", NULL, 0755 },
  { T_FILE, "bin/tool", "#!/bin/sh\necho hello\n", 0755 },
  { T_FILE, "lib/libx.so.1", NULL, 0644, 0, 300 * 1024 + 7 },
  { T_SYMLINK, "lib/libx.so", "libx.so.1" },
  { T_SYMLINK, "bin/data", "../share" },
  { T_FILE, "share/empty", "" },
  { T_FILE, "share/doc/readme.txt", "read me\n", 0600 },
  { T_FILE, "share/caf\xc3\xa9.txt", "unicode name\n", 0444 },
  { T_FILE, "models/m.bin", NULL, 0640, 0, 2 * MiB + 17 },
  { T_FILE, "bin/group-exec", "x", 0710 },
  { 0 },
};

static const TEntry good_hardlink[] = {
  { T_HARDLINK, "share/readme-link", "share/doc/readme.txt" },
  { 0 },
};

typedef struct {
  guint64 bytes;
  guint64 entries;
  guint calls;
} Progress;

static void
on_progress (guint64 bytes, guint64 entries, gpointer user_data)
{
  Progress *p = user_data;

  g_assert_cmpuint (bytes, >=, p->bytes);
  g_assert_cmpuint (entries, >=, p->entries);
  p->bytes = bytes;
  p->entries = entries;
  p->calls++;
}

static void
assert_entry_extracted (Fixture *f, const TEntry *t)
{
  g_autofree char *path = staging_path (f, t->path);
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  if (t->type == T_FILE)
    {
      g_autoptr(GBytes) want = entry_bytes (t);
      g_autofree char *got = NULL;
      gsize len = 0;
      mode_t perm = (mode_t) (t->perm ? t->perm : 0644);

      g_assert_true (S_ISREG (st.st_mode));
      g_assert_cmpint (st.st_mode & 07777, ==, (perm & 0111) ? 0755 : 0644);
      g_assert_true (g_file_get_contents (path, &got, &len, NULL));
      g_assert_cmpmem (got, len, g_bytes_get_data (want, NULL), g_bytes_get_size (want));
    }
  else if (t->type == T_DIR)
    {
      g_assert_true (S_ISDIR (st.st_mode));
      g_assert_cmpint (st.st_mode & 07777, ==, 0755);
    }
  else if (t->type == T_SYMLINK)
    {
      g_autofree char *target = g_file_read_link (path, NULL);
      g_assert_true (S_ISLNK (st.st_mode));
      g_assert_cmpstr (target, ==, t->data);
    }
  else if (t->type == T_HARDLINK)
    {
      g_autofree char *other = staging_path (f, t->data);
      struct stat ost;
      g_assert_cmpint (lstat (other, &ost), ==, 0);
      g_assert_cmpuint (st.st_ino, ==, ost.st_ino);
      g_assert_cmpuint (st.st_nlink, ==, 2);
    }
}

static void
test_good_format (Fixture *f, gconstpointer data)
{
  const char *const *spec = data; /* format, filter */
  gboolean tar = !g_str_equal (spec[0], "zip");
  /* Streams also exercise the writeback thread of NO_SYNC. */
  ArwExtractLimits limits = { 0, 0, f->stream ? ARW_EXTRACT_FLAGS_NO_SYNC : 0 };
  g_autoptr(GArray) entries = g_array_new (TRUE, TRUE, sizeof (TEntry));
  g_autoptr(GError) error = NULL;
  Progress progress = { 0 };
  guint64 want_bytes = 0;
  guint n = 0;

  for (const TEntry *t = good_entries; t->type != T_END; t++)
    g_array_append_val (entries, *t);
  if (tar)
    g_array_append_val (entries, good_hardlink[0]);
  for (guint i = 0; i < entries->len; i++)
    {
      const TEntry *t = &g_array_index (entries, TEntry, i);
      g_autoptr(GBytes) b = entry_bytes (t);
      if (t->type == T_FILE)
        want_bytes += g_bytes_get_size (b);
      if (!(g_str_equal (spec[0], "zip") && g_str_equal (t->path, "./")))
        n++;
    }
  write_archive (f->archive, spec[0], spec[1], (const TEntry *) entries->data, f->base);
  if (f->stream && !tar)
    return assert_stream_zip_refused (f, &limits);
  take_before (f);
  g_assert_true (extract (f, &limits, on_progress, &progress, NULL, &error));
  g_assert_no_error (error);
  assert_outside_unchanged (f);
  for (guint i = 0; i < entries->len; i++)
    assert_entry_extracted (f, &g_array_index (entries, TEntry, i));
  g_assert_cmpuint (progress.bytes, ==, want_bytes);
  g_assert_cmpuint (progress.entries, >=, n - 1);
  g_assert_cmpuint (progress.calls, >=, progress.entries);
}

static void
test_good_format_walk (Fixture *f, gconstpointer data)
{
  _arw_extract_set_force_walk (TRUE);
  test_good_format (f, data);
}

static void
test_good_format_stream (Fixture *f, gconstpointer data)
{
  f->stream = TRUE;
  test_good_format (f, data);
}

/* ---- streams: the producer's side -------------------------------------- */

/* Freed before the end (the download failed): the extraction stops, the
 * thread is joined, nothing outside staging changed. */
static void
test_stream_abort (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bytes = NULL;
  g_autofree char *last = staging_path (f, "bin/group-exec");
  ArwExtractStream *stream;
  gsize len = 0;

  write_archive (f->archive, "pax", "zstd", good_entries, f->base);
  g_assert_true (g_file_get_contents (f->archive, &bytes, &len, NULL));
  take_before (f);
  stream = arw_extract_stream_new (f->staging, "archive.bin", NULL, STREAM_BUFFER, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (arw_extract_stream_push (stream, bytes, len / 2));
  arw_extract_stream_free (stream);
  g_assert_false (g_file_test (last, G_FILE_TEST_EXISTS));
  assert_outside_unchanged (f);
}

/* Cancelling wakes an extraction that waits for data. */
static void
test_stream_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(ArwExtractStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *bytes = NULL;
  gsize len = 0;

  write_archive (f->archive, "pax", "gzip", good_entries, f->base);
  g_assert_true (g_file_get_contents (f->archive, &bytes, &len, NULL));
  stream = arw_extract_stream_new (f->staging, "archive.bin", NULL, 0, NULL, NULL, cancellable, &error);
  g_assert_no_error (error);
  g_assert_true (arw_extract_stream_push (stream, bytes, len / 2));
  g_cancellable_cancel (cancellable);
  g_assert_false (arw_extract_stream_finish (stream, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Once the extraction has failed, pushes return FALSE instead of
 * blocking, and finish() reports the failure. */
static void
test_stream_push_after_failure (Fixture *f, gconstpointer data)
{
  g_autoptr(ArwExtractStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) junk = fill_bytes (256 * 1024, 5);
  const guint8 *p = g_bytes_get_data (junk, NULL);
  gboolean refused = FALSE;

  stream = arw_extract_stream_new (f->staging, "junk.bin", NULL, 4096, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  for (gsize off = 0; off < g_bytes_get_size (junk) && !refused; off += 1024)
    refused = !arw_extract_stream_push (stream, p + off, 1024);
  g_assert_true (refused);
  g_assert_false (arw_extract_stream_push (stream, p, 1));
  g_assert_false (arw_extract_stream_finish (stream, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "extracting junk.bin failed: not a valid archive"));
}

/* Bytes after the end of the archive: the stream and the file agree. */
static void
test_stream_trailing_data (Fixture *f, gconstpointer data)
{
  const char *const filters[] = { "none", "gzip", "zstd" };

  for (gsize i = 0; i < G_N_ELEMENTS (filters); i++)
    {
      g_autoptr(GError) file_error = NULL;
      g_autoptr(GError) stream_error = NULL;
      g_autoptr(GBytes) junk = fill_bytes (100 * 1024, 9);
      g_autofree char *bytes = NULL;
      g_autoptr(GByteArray) both = g_byte_array_new ();
      gboolean file_ok, stream_ok;
      gsize len = 0;

      write_archive (f->archive, "pax", filters[i], good_entries, f->base);
      g_assert_true (g_file_get_contents (f->archive, &bytes, &len, NULL));
      g_byte_array_append (both, (const guint8 *) bytes, (guint) len);
      g_byte_array_append (both, g_bytes_get_data (junk, NULL), (guint) g_bytes_get_size (junk));
      g_assert_true (g_file_set_contents (f->archive, (const char *) both->data, both->len, NULL));

      file_ok = arw_extract_archive (f->archive, f->staging, NULL, NULL, NULL, NULL, &file_error);
      arw_test_rm_rf (f->staging);
      g_assert_cmpint (g_mkdir (f->staging, 0755), ==, 0);
      stream_ok = stream_archive (f, NULL, NULL, NULL, NULL, &stream_error);
      g_test_message ("%s: file %s, stream %s", filters[i], file_ok ? "ok" : file_error->message,
                      stream_ok ? "ok" : stream_error->message);
      g_assert_cmpint (file_ok, ==, stream_ok);
      if (!file_ok)
        g_assert_cmpint (file_error->code, ==, stream_error->code);
      else
        assert_entry_extracted (f, &good_entries[9]);
      arw_test_rm_rf (f->staging);
      g_assert_cmpint (g_mkdir (f->staging, 0755), ==, 0);
    }
}

static void
test_modes_normalised (Fixture *f, gconstpointer data)
{
  const TEntry entries[] = {
    { T_FILE, "suid", "x", 04755 },
    { T_FILE, "sgid", "x", 02644 },
    { T_FILE, "suid-noexec", "x", 06600 },
    { T_FILE, "world-writable", "x", 0666 },
    { T_FILE, "world-writable-exec", "x", 0777 },
    { T_DIR, "sticky", NULL, 01777 },
    { T_DIR, "sgid-dir", NULL, 02775 },
    { T_DIR, "private-dir", NULL, 0700 },
    { 0 },
  };
  const struct { const char *path; int mode; } want[] = {
    { "suid", 0755 }, { "sgid", 0644 }, { "suid-noexec", 0644 }, { "world-writable", 0644 },
    { "world-writable-exec", 0755 }, { "sticky", 0755 }, { "sgid-dir", 0755 }, { "private-dir", 0755 },
  };
  g_autoptr(GError) error = NULL;

  write_archive (f->archive, "pax", "gzip", entries, f->base);
  take_before (f);
  g_assert_true (arw_extract_archive (f->archive, f->staging, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_autofree char *path = staging_path (f, want[i].path);
      struct stat st;
      g_assert_cmpint (lstat (path, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 07777, ==, want[i].mode);
    }
  assert_outside_unchanged (f);
}

static void
test_no_links_flag (Fixture *f, gconstpointer data)
{
  const TEntry entries[] = { { T_FILE, "a", "x" }, { T_SYMLINK, "l", "a" }, { 0 } };
  const TEntry hard[] = { { T_FILE, "a", "x" }, { T_HARDLINK, "h", "a" }, { 0 } };
  ArwExtractLimits limits = { 0, 0, ARW_EXTRACT_FLAGS_NO_LINKS };
  g_autoptr(GError) error = NULL;

  write_archive (f->archive, "pax", "gzip", entries, f->base);
  g_assert_false (arw_extract_archive (f->archive, f->staging, &limits, NULL, NULL, NULL, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "archive entry 'l': links are not allowed"));
  g_clear_error (&error);
  arw_test_rm_rf (f->staging);
  g_assert_cmpint (g_mkdir (f->staging, 0755), ==, 0);
  write_archive (f->archive, "pax", "gzip", hard, f->base);
  g_assert_false (arw_extract_archive (f->archive, f->staging, &limits, NULL, NULL, NULL, &error));
  g_assert_nonnull (strstr (error->message, "archive entry 'h': links are not allowed"));
}

static void
cancel_after_first (guint64 bytes, guint64 entries, gpointer user_data)
{
  if (entries >= 1)
    g_cancellable_cancel (user_data);
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *second = NULL;

  write_archive (f->archive, "pax", "zstd", good_entries, f->base);
  g_assert_false (arw_extract_archive (f->archive, f->staging, NULL, cancel_after_first, cancellable,
                                       cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  second = staging_path (f, "bin/tool");
  g_assert_false (g_file_test (second, G_FILE_TEST_EXISTS));
}

static void
test_dest_not_empty (Fixture *f, gconstpointer data)
{
  g_autofree char *leftover = staging_path (f, "leftover");
  g_autoptr(GError) error = NULL;

  write_archive (f->archive, "pax", "gzip", good_entries, f->base);
  g_assert_true (g_file_set_contents (leftover, "x", -1, NULL));
  g_assert_false (arw_extract_archive (f->archive, f->staging, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "is not empty"));
}

/* The kernel-level guard on its own, below the entry checks: a symlink that
 * is already in the tree is never followed, `..` never leaves. */
static void
check_open_beneath (Fixture *f)
{
  g_autofree char *link = staging_path (f, "out");
  g_autofree char *dangling = staging_path (f, "dangling");
  g_autofree char *victim = g_build_filename (f->base, "canary", "created-through-link", NULL);
  g_autofree char *sub = staging_path (f, "sub");
  int root = open (f->staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int fd;

  g_assert_cmpint (symlink ("../canary", link), ==, 0);
  g_assert_cmpint (symlink (victim, dangling), ==, 0);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  take_before (f);

  fd = _arw_extract_open_beneath (root, "out/pwned", O_CREAT | O_EXCL | O_WRONLY, 0644);
  g_assert_cmpint (fd, ==, -1);
  g_assert_cmpint (errno, ==, ELOOP);
  fd = _arw_extract_open_beneath (root, "out/file1", O_WRONLY | O_TRUNC, 0);
  g_assert_cmpint (fd, ==, -1);
  fd = _arw_extract_open_beneath (root, "dangling", O_CREAT | O_WRONLY, 0644);
  g_assert_cmpint (fd, ==, -1);
  g_assert_cmpint (errno, ==, ELOOP);
  fd = _arw_extract_open_beneath (root, "../pwned", O_CREAT | O_WRONLY, 0644);
  g_assert_cmpint (fd, ==, -1);
  g_assert_cmpint (errno, ==, EXDEV);
  fd = _arw_extract_open_beneath (root, "sub/../../pwned", O_CREAT | O_WRONLY, 0644);
  g_assert_cmpint (fd, ==, -1);
  g_assert_cmpint (errno, ==, EXDEV);
  fd = _arw_extract_open_beneath (root, "/tmp/arw-extract-pwned", O_CREAT | O_WRONLY, 0644);
  g_assert_cmpint (fd, ==, -1);
  g_assert_cmpint (errno, ==, EXDEV);
  fd = _arw_extract_open_beneath (root, "out", O_RDONLY | O_DIRECTORY, 0);
  g_assert_cmpint (fd, ==, -1);
  g_assert_true (errno == ELOOP || errno == ENOTDIR);

  fd = _arw_extract_open_beneath (root, "sub/ok", O_CREAT | O_EXCL | O_WRONLY, 0644);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  close (root);
  assert_outside_unchanged (f);
  g_assert_false (g_file_test (victim, G_FILE_TEST_EXISTS));
}

static void
test_open_beneath (Fixture *f, gconstpointer data)
{
  check_open_beneath (f);
}

static void
test_open_beneath_walk (Fixture *f, gconstpointer data)
{
  _arw_extract_set_force_walk (TRUE);
  check_open_beneath (f);
}

static void
test_is_archive_format (void)
{
  const char *yes[] = { "tar.zst", "TAR.GZ", "tgz", "tar.xz", "zip", "tar", "tar.bz2" };
  const char *no[] = { "gguf", "bin", "", "tar.lz4", "7z", "rar", "zst" };

  for (gsize i = 0; i < G_N_ELEMENTS (yes); i++)
    g_assert_true (arw_extract_is_archive_format (yes[i]));
  for (gsize i = 0; i < G_N_ELEMENTS (no); i++)
    g_assert_false (arw_extract_is_archive_format (no[i]));
}

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  static const char *const formats[][2] = {
    { "pax", "zstd" }, { "gnutar", "gzip" }, { "ustar", "xz" }, { "pax", "none" },
    { "zip", "none" }, { "pax", "bzip2" },
  };
  static const char *const format_names[] = {
    "tar-zst", "tar-gz", "tar-xz", "tar", "zip", "tar-bz2",
  };

  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/arw/extract/reject/%s", bad_cases[i].name);
      g_autofree char *walk = g_strdup_printf ("/arw/extract/reject-walk/%s", bad_cases[i].name);
      g_autofree char *streamed = g_strdup_printf ("/arw/extract/reject-stream/%s", bad_cases[i].name);
      ADD (path, test_bad_case, &bad_cases[i]);
      ADD (walk, test_bad_case_walk, &bad_cases[i]);
      ADD (streamed, test_bad_case_stream, &bad_cases[i]);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *path = g_strdup_printf ("/arw/extract/good/%s", format_names[i]);
      g_autofree char *walk = g_strdup_printf ("/arw/extract/good-walk/%s", format_names[i]);
      g_autofree char *streamed = g_strdup_printf ("/arw/extract/good-stream/%s", format_names[i]);
      ADD (path, test_good_format, formats[i]);
      ADD (walk, test_good_format_walk, formats[i]);
      ADD (streamed, test_good_format_stream, formats[i]);
    }
  ADD ("/arw/extract/reject/long-names", test_long_names, NULL);
  ADD ("/arw/extract/reject/zip-special-modes", test_zip_special_modes, NULL);
  ADD ("/arw/extract/not-an-archive", test_not_archives, NULL);
  ADD ("/arw/extract/modes-normalised", test_modes_normalised, NULL);
  ADD ("/arw/extract/no-links-flag", test_no_links_flag, NULL);
  ADD ("/arw/extract/cancel", test_cancel, NULL);
  ADD ("/arw/extract/dest-not-empty", test_dest_not_empty, NULL);
  ADD ("/arw/extract/open-beneath", test_open_beneath, NULL);
  ADD ("/arw/extract/open-beneath-walk", test_open_beneath_walk, NULL);
  ADD ("/arw/extract/stream/abort", test_stream_abort, NULL);
  ADD ("/arw/extract/stream/cancel", test_stream_cancel, NULL);
  ADD ("/arw/extract/stream/push-after-failure", test_stream_push_after_failure, NULL);
  ADD ("/arw/extract/stream/trailing-data", test_stream_trailing_data, NULL);
  g_test_add_func ("/arw/extract/is-archive-format", test_is_archive_format);
  return g_test_run ();
}
