/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "arw-error.h"
#include "arw-import-copy.h"
#include "arw-import-copy-private.h"
#include "arw-sha256.h"
#include "arw-test-utils.h"

typedef struct {
  char *base;
  char *media;  /* the "removable medium" */
  char *dest;
} Fixture;

static char *
media_path (Fixture *f, const char *rel)
{
  return g_build_filename (f->media, rel, NULL);
}

static char *
dest_path (Fixture *f, const char *rel)
{
  return g_build_filename (f->dest, rel, NULL);
}

static void
put_file (Fixture *f, const char *rel, gsize size, int mode)
{
  g_autofree char *path = media_path (f, rel);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree guint8 *data = g_malloc (size ? size : 1);
  guint32 x = (guint32) (size * 2654435761u) | 1;

  for (gsize i = 0; i < size; i++)
    {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      data[i] = (guint8) x;
    }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) size, NULL));
  g_assert_cmpint (chmod (path, (mode_t) mode), ==, 0);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->base = arw_test_mkdtemp ();
  f->media = g_build_filename (f->base, "media", NULL);
  f->dest = g_build_filename (f->base, "payload", NULL);
  g_assert_cmpint (g_mkdir (f->media, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (f->dest, 0755), ==, 0);
  put_file (f, "bundle/bin/tool", 100, 0755);
  put_file (f, "bundle/models/m.bin", 3 * 1024 * 1024 + 5, 0644);
  put_file (f, "bundle/empty", 0, 0600);
  put_file (f, "bundle/sub/deeper/x", 4097, 0644);
  put_file (f, "weights.bin", 12345, 0644);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  _arw_import_copy_set_read_func (NULL);
  arw_test_rm_rf (f->base);
  g_free (f->base);
  g_free (f->media);
  g_free (f->dest);
}

static char *
file_sha256 (const char *path, gsize *size)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  if (size)
    *size = len;
  return arw_sha256_hex (data, len);
}

static void
assert_dest_empty (Fixture *f)
{
  g_autoptr(GDir) dir = g_dir_open (f->dest, 0, NULL);

  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
}

typedef struct {
  guint64 bytes;
  guint64 total;
  guint files;
  guint calls;
} Progress;

static void
on_progress (guint64 bytes, guint64 total, guint files, gpointer user_data)
{
  Progress *p = user_data;

  g_assert_cmpuint (bytes, >=, p->bytes);
  g_assert_cmpuint (bytes, <=, total);
  p->bytes = bytes;
  p->total = total;
  p->files = files;
  p->calls++;
}

static void
test_copy_tree (Fixture *f, gconstpointer data)
{
  static const char *const want[] = {
    "bundle/bin/tool", "bundle/empty", "bundle/models/m.bin", "bundle/sub/deeper/x", "weights.bin",
  };
  g_autofree char *bundle = media_path (f, "bundle/");
  g_autofree char *weights = media_path (f, "./weights.bin");
  const char *sources[] = { bundle, weights, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = NULL;
  Progress progress = { 0 };
  guint64 total = 0;

  files = arw_import_copy (sources, f->dest, on_progress, &progress, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (files);
  g_assert_cmpuint (files->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < files->len; i++)
    {
      ArwImportedFile *file = g_ptr_array_index (files, i);
      g_autofree char *src = media_path (f, want[i]);
      g_autofree char *dst = dest_path (f, want[i]);
      g_autofree char *src_hex = NULL;
      g_autofree char *dst_hex = NULL;
      gsize src_size = 0;
      struct stat sst, dstat;

      g_assert_cmpstr (file->relpath, ==, want[i]);
      src_hex = file_sha256 (src, &src_size);
      dst_hex = file_sha256 (dst, NULL);
      g_assert_cmpstr (file->sha256, ==, src_hex);
      g_assert_cmpstr (dst_hex, ==, src_hex);
      g_assert_cmpuint (file->size, ==, src_size);
      g_assert_cmpint (lstat (src, &sst), ==, 0);
      g_assert_cmpint (lstat (dst, &dstat), ==, 0);
      g_assert_true (S_ISREG (dstat.st_mode));
      g_assert_cmpint (dstat.st_mode & 07777, ==, (sst.st_mode & 0111) ? 0755 : 0644);
      total += file->size;
    }
  g_assert_cmpuint (progress.bytes, ==, total);
  g_assert_cmpuint (progress.total, ==, total);
  g_assert_cmpuint (progress.files, ==, G_N_ELEMENTS (want));
}

static void
test_copy_vector_payload (Fixture *f, gconstpointer data)
{
  g_autofree char *src = arw_test_vector_path ("payload", "stub-weights.bin", NULL);
  g_autofree char *installed = arw_test_vector_path ("state-install", "runtime", "bundles",
                                                     "public.audio__linux-x86_64-cpu__22cbe00f",
                                                     "payload", "stub-weights.bin", NULL);
  g_autofree char *want = file_sha256 (installed, NULL);
  const char *sources[] = { src, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = arw_import_copy (sources, f->dest, NULL, NULL, NULL, &error);
  ArwImportedFile *file;

  g_assert_no_error (error);
  g_assert_cmpuint (files->len, ==, 1);
  file = g_ptr_array_index (files, 0);
  g_assert_cmpstr (file->relpath, ==, "stub-weights.bin");
  g_assert_cmpstr (file->sha256, ==, want);
}

static GError *
import_expect_failure (Fixture *f, const char *const *sources, ArwImportProgressFunc progress,
                       gpointer user_data)
{
  GError *error = NULL;
  g_autoptr(GPtrArray) files = arw_import_copy (sources, f->dest, progress, user_data, NULL, &error);

  g_assert_null (files);
  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);
  return error;
}

static void
test_symlink_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *link = media_path (f, "bundle/sub/link");
  g_autofree char *bundle = media_path (f, "bundle");
  g_autofree char *top = media_path (f, "top-link");
  const char *sources[] = { bundle, NULL };
  const char *top_sources[] = { top, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *want = NULL;

  g_assert_cmpint (symlink ("../models/m.bin", link), ==, 0);
  g_assert_cmpint (symlink ("bundle", top), ==, 0);
  error = import_expect_failure (f, sources, NULL, NULL);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  want = g_strdup_printf ("%s is a symlink", link);
  g_assert_nonnull (strstr (error->message, want));
  assert_dest_empty (f);

  g_clear_error (&error);
  error = import_expect_failure (f, top_sources, NULL, NULL);
  g_assert_nonnull (strstr (error->message, "top-link is a symlink"));
  assert_dest_empty (f);
}

static void
test_special_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *fifo = media_path (f, "bundle/models/pipe");
  g_autofree char *bundle = media_path (f, "bundle");
  const char *sources[] = { bundle, NULL };
  const char *dev_sources[] = { "/dev/null", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *want = NULL;

  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  error = import_expect_failure (f, sources, NULL, NULL);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  want = g_strdup_printf ("%s is a FIFO, socket or device", fifo);
  g_assert_nonnull (strstr (error->message, want));
  assert_dest_empty (f);

  g_clear_error (&error);
  error = import_expect_failure (f, dev_sources, NULL, NULL);
  g_assert_nonnull (strstr (error->message, "/dev/null is a FIFO, socket or device"));
  assert_dest_empty (f);
}

/* The medium loses a directory after the first file is copied. */
static void
remove_dir_after_first (guint64 bytes, guint64 total, guint files, gpointer user_data)
{
  Fixture *f = user_data;
  g_autofree char *from = media_path (f, "bundle/models");
  g_autofree char *to = media_path (f, "gone");

  if (files == 1 && g_file_test (from, G_FILE_TEST_EXISTS))
    g_assert_cmpint (g_rename (from, to), ==, 0);
}

static void
test_dir_vanishes (Fixture *f, gconstpointer data)
{
  g_autofree char *bundle = media_path (f, "bundle");
  g_autofree char *models = media_path (f, "bundle/models");
  g_autofree char *want = NULL;
  const char *sources[] = { bundle, NULL };
  g_autoptr(GError) error = import_expect_failure (f, sources, remove_dir_after_first, f);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  want = g_strdup_printf ("reading %s failed: %s; nothing was imported", models, g_strerror (ENOENT));
  g_assert_cmpstr (error->message, ==, want);
  assert_dest_empty (f);
}

static void
truncate_mid_file (guint64 bytes, guint64 total, guint files, gpointer user_data)
{
  Fixture *f = user_data;
  g_autofree char *big = media_path (f, "bundle/models/m.bin");

  if (files == 2 && bytes > 100 && bytes < total)
    g_assert_cmpint (truncate (big, 100), ==, 0);
}

static void
test_file_shrinks (Fixture *f, gconstpointer data)
{
  g_autofree char *bundle = media_path (f, "bundle");
  const char *sources[] = { bundle, NULL };
  g_autoptr(GError) error = import_expect_failure (f, sources, truncate_mid_file, f);

  g_assert_nonnull (strstr (error->message, "m.bin failed: it changed while it was copied (3145733 bytes expected, 1048576 read)"));
  g_assert_nonnull (strstr (error->message, "nothing was imported"));
  assert_dest_empty (f);
}

static guint source_reads;

static ssize_t
read_eio_second (int fd, void *buf, size_t len, gboolean verifying)
{
  if (!verifying && ++source_reads == 2)
    {
      errno = EIO;
      return -1;
    }
  return read (fd, buf, len);
}

static ssize_t
read_corrupt_verify (int fd, void *buf, size_t len, gboolean verifying)
{
  ssize_t n = read (fd, buf, len);

  if (verifying && n > 0)
    ((guint8 *) buf)[0] ^= 1;
  return n;
}

static void
test_read_error (Fixture *f, gconstpointer data)
{
  g_autofree char *big = media_path (f, "bundle/models/m.bin");
  g_autofree char *keep = dest_path (f, "keep");
  g_autofree char *content = NULL;
  g_autofree char *want = NULL;
  const char *sources[] = { big, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;

  g_assert_true (g_file_set_contents (keep, "pre-existing", -1, NULL));
  source_reads = 0;
  _arw_import_copy_set_read_func (read_eio_second);
  error = import_expect_failure (f, sources, NULL, NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  want = g_strdup_printf ("reading %s failed: %s (was the medium removed?); nothing was imported",
                          big, g_strerror (EIO));
  g_assert_cmpstr (error->message, ==, want);
  g_assert_true (g_file_get_contents (keep, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "pre-existing");
  dir = g_dir_open (f->dest, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (dir), ==, "keep");
  g_assert_null (g_dir_read_name (dir));
}

static void
test_verify_mismatch (Fixture *f, gconstpointer data)
{
  g_autofree char *bundle = media_path (f, "bundle");
  const char *sources[] = { bundle, NULL };
  g_autoptr(GError) error = NULL;

  _arw_import_copy_set_read_func (read_corrupt_verify);
  error = import_expect_failure (f, sources, NULL, NULL);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "differs from what was read"));
  assert_dest_empty (f);
}

static void
test_exists_and_duplicates (Fixture *f, gconstpointer data)
{
  g_autofree char *weights = media_path (f, "weights.bin");
  g_autofree char *other_dir = media_path (f, "other");
  g_autofree char *other = media_path (f, "other/weights.bin");
  g_autofree char *existing = dest_path (f, "weights.bin");
  g_autofree char *content = NULL;
  const char *sources[] = { weights, NULL };
  const char *dup_sources[] = { weights, other, NULL };
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (existing, "old", -1, NULL));
  error = import_expect_failure (f, sources, NULL, NULL);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_ALREADY_EXISTS);
  g_assert_true (g_file_get_contents (existing, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "old");
  g_assert_cmpint (g_unlink (existing), ==, 0);

  g_clear_error (&error);
  g_assert_cmpint (g_mkdir (other_dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (other, "other", -1, NULL));
  error = import_expect_failure (f, dup_sources, NULL, NULL);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_ALREADY_EXISTS);
  g_assert_nonnull (strstr (error->message, "two of the paths to import are named weights.bin"));
  assert_dest_empty (f);
}

static void
cancel_on_progress (guint64 bytes, guint64 total, guint files, gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autofree char *bundle = media_path (f, "bundle");
  const char *sources[] = { bundle, NULL };
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = arw_import_copy (sources, f->dest, cancel_on_progress, cancellable,
                                                cancellable, &error);

  g_assert_null (files);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_dest_empty (f);
}

/* A sparse file bigger than the free space is refused before any byte is
 * read or written. */
static void
test_sparse_too_big (Fixture *f, gconstpointer data)
{
  g_autofree char *huge = media_path (f, "huge.gguf");
  const char *sources[] = { huge, NULL };
  g_autoptr(GError) error = NULL;
  struct statvfs sv;
  guint64 size;
  int fd;

  g_assert_cmpint (statvfs (f->dest, &sv), ==, 0);
  size = (guint64) sv.f_bavail * sv.f_frsize + G_GUINT64_CONSTANT (1) * 1024 * 1024 * 1024;
  fd = open (huge, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  g_assert_cmpint (fd, >=, 0);
  if (ftruncate (fd, (off_t) size) < 0)
    {
      close (fd);
      g_test_skip ("file system cannot hold a sparse file that large");
      return;
    }
  close (fd);
  _arw_import_copy_set_read_func (read_eio_second); /* any read would fail loudly */
  source_reads = 0;
  error = import_expect_failure (f, sources, NULL, NULL);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NO_SPACE);
  g_assert_cmpuint (source_reads, ==, 0);
  assert_dest_empty (f);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("/arw/import-copy/tree", test_copy_tree);
  ADD ("/arw/import-copy/vector-payload", test_copy_vector_payload);
  ADD ("/arw/import-copy/symlink-refused", test_symlink_refused);
  ADD ("/arw/import-copy/special-refused", test_special_refused);
  ADD ("/arw/import-copy/dir-vanishes", test_dir_vanishes);
  ADD ("/arw/import-copy/file-shrinks", test_file_shrinks);
  ADD ("/arw/import-copy/read-error", test_read_error);
  ADD ("/arw/import-copy/verify-mismatch", test_verify_mismatch);
  ADD ("/arw/import-copy/exists-and-duplicates", test_exists_and_duplicates);
  ADD ("/arw/import-copy/cancel", test_cancel);
  ADD ("/arw/import-copy/sparse-too-big", test_sparse_too_big);
  return g_test_run ();
}
