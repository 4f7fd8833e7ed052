/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by test-store.c, test-store-crash.c and store-crash-child.c: the
 * bundle trees the store tests install, and a byte-for-byte tree reader. */

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>

typedef struct {
  const char *path;     /* relative; a trailing "/" makes a directory */
  const char *content;
} StoreTestFile;

/* Old revision: ARW components plus our provenance file. */
static const StoreTestFile store_test_tree_a[] = {
  { "bundle.json", "{\n  \"bundle\": {\n    \"id\": \"vendor/tool\",\n    \"name\": \"Tool A\",\n"
                   "    \"revision\": 1\n  },\n  \"catalog\": {\n    \"channel\": \"preview\"\n  }\n}" },
  { "artifacts/", NULL },
  { "artifacts/x.bin", "x-content-A" },
  { "artifacts/y.bin", "y-content-A-longer-than-x" },
  { "payload/", NULL },
  { "payload/sub/", NULL },
  { "payload/sub/z.txt", "payload z of A" },
  { "provenance.json", "{\"rev\":\"A\"}" },
  { NULL, NULL },
};

/* New revision: x changed, y gone, w new, no payload. */
static const StoreTestFile store_test_tree_b[] = {
  { "bundle.json", "{\n  \"bundle\": {\n    \"id\": \"vendor/tool\",\n    \"name\": \"Tool B\",\n"
                   "    \"revision\": 2\n  },\n  \"catalog\": {\n    \"channel\": \"preview\"\n  }\n}" },
  { "artifacts/", NULL },
  { "artifacts/x.bin", "x-content-B-different" },
  { "artifacts/w.bin", "w only in B" },
  { "provenance.json", "{\"rev\":\"B\"}" },
  { NULL, NULL },
};

static inline gboolean
store_test_tree_write (const char *root, const StoreTestFile *files, GError **error)
{
  for (guint i = 0; files[i].path != NULL; i++)
    {
      g_autofree char *path = g_build_filename (root, files[i].path, NULL);

      if (g_str_has_suffix (files[i].path, "/"))
        {
          if (g_mkdir_with_parents (path, 0755) < 0)
            {
              g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "mkdir %s: %s", path,
                           g_strerror (errno));
              return FALSE;
            }
        }
      else if (!g_file_set_contents (path, files[i].content, -1, error))
        return FALSE;
    }
  return TRUE;
}

static inline void
store_test_tree_read_into (GHashTable *tree, const char *root, const char *rel, const char *skip_top)
{
  g_autofree char *dir_path = rel != NULL ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child_rel = rel != NULL ? g_build_filename (rel, name, NULL) : g_strdup (name);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);
      struct stat st;

      if (rel == NULL && skip_top != NULL && g_strv_contains ((const char * const []) { skip_top, NULL }, name))
        continue;
      g_assert_cmpint (lstat (child, &st), ==, 0);
      if (S_ISDIR (st.st_mode))
        {
          g_hash_table_insert (tree, g_strconcat (child_rel, "/", NULL), g_strdup (""));
          store_test_tree_read_into (tree, root, child_rel, skip_top);
        }
      else
        {
          char *content = NULL;

          g_assert_true (S_ISREG (st.st_mode));
          g_assert_true (g_file_get_contents (child, &content, NULL, NULL));
          g_hash_table_insert (tree, g_strdup (child_rel), content);
        }
    }
}

/* relpath -> content ("" for directories, whose keys end in "/"); the
 * top-level entry @skip_top (e.g. "history", "info.json") is left out. */
static inline GHashTable *
store_test_tree_read (const char *root, const char *skip_top)
{
  GHashTable *tree = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  store_test_tree_read_into (tree, root, NULL, skip_top);
  return tree;
}

static inline GHashTable *
store_test_tree_expected (const StoreTestFile *files)
{
  GHashTable *tree = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; files[i].path != NULL; i++)
    g_hash_table_insert (tree, g_strdup (files[i].path), g_strdup (files[i].content ? files[i].content : ""));
  return tree;
}

static inline gboolean
store_test_tree_equal (GHashTable *a, GHashTable *b)
{
  GHashTableIter iter;
  gpointer key, value;

  if (g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *other = g_hash_table_lookup (b, key);

      if (other == NULL || strcmp (other, value) != 0)
        return FALSE;
    }
  return TRUE;
}

static inline gboolean
store_test_tree_is (const char *root, const char *skip_top, const StoreTestFile *files)
{
  g_autoptr(GHashTable) have = store_test_tree_read (root, skip_top);
  g_autoptr(GHashTable) want = store_test_tree_expected (files);

  return store_test_tree_equal (have, want);
}

static inline guint
store_test_count_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}
