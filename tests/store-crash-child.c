/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs one store operation for test-store-crash; with ARW_STORE_CRASH_AT=N
 * it SIGKILLs itself after the N-th filesystem mutation.
 *
 *   store-crash-child commit ROOT    stage tree B over the bundle, commit
 *   store-crash-child rollback ROOT  roll the bundle back to its newest revision
 *   store-crash-child recover ROOT   open the store (replays journals)
 *   store-crash-child enospc-write ROOT    (ROOT on a 2 MiB tmpfs)
 *   store-crash-child enospc-reserve ROOT  (ROOT on a 2 MiB tmpfs)
 *
 * Prints "mutations N" on success; the ENOSPC modes check their own results
 * (the tmpfs vanishes with the namespace) and print "ok …". */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arw-error.h"
#include "arw-fs-util.h"
#include "arw-store.h"
#include "store-test-tree.h"

#define ID "vendor/tool"

static int
fail (const char *what, const GError *error)
{
  fprintf (stderr, "store-crash-child: %s: %s\n", what, error != NULL ? error->message : "check failed");
  return 1;
}

/* Stages @files through arw-fs-util so every write is a counted mutation. */
static gboolean
stage_counted (ArwStoreTransaction *tx, const StoreTestFile *files, GError **error)
{
  int fd = arw_store_transaction_get_staging_fd (tx);

  for (guint i = 0; files[i].path != NULL; i++)
    {
      if (g_str_has_suffix (files[i].path, "/"))
        {
          g_autofree char *dir = g_strndup (files[i].path, strlen (files[i].path) - 1);

          if (!arw_fs_mkdir_at (fd, dir, 0755, FALSE, error))
            return FALSE;
        }
      else if (!arw_fs_create_file_at (fd, files[i].path, files[i].content, strlen (files[i].content),
                                       0644, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
commit_files (ArwStore *store, const StoreTestFile *files, GError **error)
{
  g_autoptr(ArwStoreTransaction) tx = arw_store_begin (store, ID, ARW_STORE_KIND_INSTALL, NULL, error);

  return tx != NULL && stage_counted (tx, files, error) && arw_store_transaction_commit (tx, error);
}

static gboolean
commit_blob (ArwStore *store, gsize size, char fill, GPtrArray **out_warnings, GError **error)
{
  g_autoptr(ArwStoreTransaction) tx = arw_store_begin (store, ID, ARW_STORE_KIND_INSTALL, NULL, error);
  g_autofree char *blob = g_malloc (size);
  int fd;

  if (tx == NULL)
    return FALSE;
  memset (blob, fill, size);
  fd = arw_store_transaction_get_staging_fd (tx);
  if (!arw_store_transaction_reserve (tx, size, error) ||
      !arw_fs_mkdir_at (fd, "artifacts", 0755, FALSE, error) ||
      !arw_fs_create_file_at (fd, "artifacts/blob.bin", blob, size, 0644, error) ||
      !arw_fs_create_file_at (fd, "bundle.json", "{}", 2, 0644, error) ||
      !arw_store_transaction_commit (tx, error))
    return FALSE;
  if (out_warnings != NULL)
    *out_warnings = g_ptr_array_ref (arw_store_transaction_get_warnings (tx));
  return TRUE;
}

static gboolean
staging_empty (const char *root)
{
  g_autofree char *staging = g_build_filename (root, ".arw-staging", NULL);
  g_autofree char *journal = g_build_filename (root, ".arw-journal", NULL);

  return store_test_count_entries (staging) == 0 && store_test_count_entries (journal) == 0;
}

static guint64
free_bytes (ArwStore *store)
{
  g_autoptr(GError) error = NULL;
  guint64 bytes = 0;
  int fd = open (arw_store_get_root (store), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  g_assert_true (arw_fs_free_space (fd, &bytes, &error));
  close (fd);
  return bytes;
}

/* A 3 MiB artifact on a 2 MiB filesystem: the staging write fails with
 * NO_SPACE, the transaction aborts, the old revision is byte-identical. */
static int
enospc_write (const char *root)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwStore) store = arw_store_open (root, &error);
  g_autofree char *live = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  guint64 free_before;

  if (store == NULL || !commit_files (store, store_test_tree_a, &error))
    return fail ("setup", error);
  live = arw_store_get_bundle_dir (store, ID);
  before = store_test_tree_read (live, NULL);
  free_before = free_bytes (store);
  {
    g_autoptr(ArwStoreTransaction) tx = arw_store_begin (store, ID, ARW_STORE_KIND_INSTALL, NULL, &error);
    g_autofree char *blob = g_malloc0 (3 * 1024 * 1024);
    int fd;

    if (tx == NULL)
      return fail ("begin", error);
    fd = arw_store_transaction_get_staging_fd (tx);
    if (!arw_fs_mkdir_at (fd, "artifacts", 0755, FALSE, &error) ||
        arw_fs_create_file_at (fd, "artifacts/big.bin", blob, 3 * 1024 * 1024, 0644, &error))
      return fail ("expected ENOSPC while staging", error);
    if (!g_error_matches (error, ARW_ERROR, ARW_ERROR_NO_SPACE))
      return fail ("wrong error code", error);
    printf ("error: %s\n", error->message);
    arw_store_transaction_abort (tx);
  }
  after = store_test_tree_read (live, NULL);
  if (!store_test_tree_equal (before, after) || !store_test_tree_is (live, NULL, store_test_tree_a))
    return fail ("previous revision changed", NULL);
  if (!staging_empty (root))
    return fail ("staging not cleaned", NULL);
  if (free_bytes (store) < free_before)
    return fail ("free space not back to the pre-install level", NULL);
  printf ("ok enospc-write code=NO_SPACE live=unchanged staging=empty\n");
  return 0;
}

static guint
revision_count (ArwStore *store)
{
  g_autoptr(GPtrArray) revs = arw_store_list_revisions (store, ID, NULL);

  return revs != NULL ? revs->len : 0;
}

/* Three 400 KiB revisions in history fill the disk; a reservation that only
 * fits after pruning prunes history to one revision and says so; one that
 * never fits is refused before anything is written. */
static int
enospc_reserve (const char *root)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwStore) store = arw_store_open (root, &error);
  g_autoptr(GPtrArray) warnings = NULL;
  const gsize rev_size = 400 * 1024;
  guint64 avail;

  if (store == NULL)
    return fail ("open", error);
  for (guint i = 0; i < 4; i++)
    if (!commit_blob (store, rev_size, (char) ('a' + i), NULL, &error))
      return fail ("setup", error);
  if (revision_count (store) != 3)
    return fail ("setup history", NULL);
  avail = free_bytes (store);
  /* Needs more than is free now, less than is free after pruning two. */
  if (!commit_blob (store, avail + rev_size / 2, 'z', &warnings, &error))
    return fail ("commit after pruning", error);
  if (warnings->len != 1 || strcmp (g_ptr_array_index (warnings, 0), "low disk space: pruned history to 1 revision") != 0)
    return fail ("missing low-space warning", NULL);
  if (revision_count (store) != 1)
    return fail ("history not pruned to 1", NULL);
  printf ("warning: %s\n", (const char *) g_ptr_array_index (warnings, 0));
  if (commit_blob (store, 64 * 1024 * 1024, 'q', NULL, &error) ||
      !g_error_matches (error, ARW_ERROR, ARW_ERROR_NO_SPACE))
    return fail ("expected NO_SPACE for an impossible reservation", error);
  printf ("error: %s\n", error->message);
  if (!staging_empty (root) || revision_count (store) != 1 || !arw_store_has_live_state (store, ID))
    return fail ("state after refused reservation", NULL);
  printf ("ok enospc-reserve pruned=1 refused=NO_SPACE\n");
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwStore) store = NULL;
  const char *mode;

  if (argc != 3)
    {
      fprintf (stderr, "usage: store-crash-child commit|rollback|recover|enospc-write|enospc-reserve ROOT\n");
      return 2;
    }
  mode = argv[1];
  if (g_str_equal (mode, "enospc-write"))
    return enospc_write (argv[2]);
  if (g_str_equal (mode, "enospc-reserve"))
    return enospc_reserve (argv[2]);

  store = arw_store_open (argv[2], &error);
  if (store == NULL)
    return fail ("open", error);
  if (g_str_equal (mode, "commit"))
    {
      if (!commit_files (store, store_test_tree_b, &error))
        return fail ("commit", error);
    }
  else if (g_str_equal (mode, "rollback"))
    {
      g_autoptr(ArwStoreRollbackResult) result = NULL;

      if (!arw_store_rollback (store, ID, NULL, FALSE, &result, &error))
        return fail ("rollback", error);
    }
  else if (!g_str_equal (mode, "recover"))
    return 2;
  arw_fs_crash_check ();
  printf ("mutations %" G_GUINT64_FORMAT "\n", arw_fs_mutation_count ());
  return 0;
}
