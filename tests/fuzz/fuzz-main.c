/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Replays a libFuzzer corpus as ordinary GTest cases, so `meson test` (gcc, no libFuzzer)
 * runs every target over its in-tree corpus (in the spirit of fwupd's fu-fuzzer-main.c).
 * Usage: fuzz-<name>-replay NAME CORPUS-DIR-OR-FILE… */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "arw-fuzz.h"

static void
replay_file (gconstpointer user_data)
{
  const char *path = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (LLVMFuzzerTestOneInput ((const guint8 *) contents, len), ==, 0);
}

static void
corpus_not_empty (gconstpointer user_data)
{
  g_assert_cmpuint (GPOINTER_TO_UINT (user_data), >, 0);
}

static void
add_case (const char *name,
          const char *path,
          guint      *count)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *test_path = g_strdup_printf ("/fuzz/%s/%s", name, base);

  g_test_add_data_func_full (test_path, g_strdup (path), replay_file, g_free);
  (*count)++;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
add_directory (const char *name,
               const char *dir_path,
               guint      *count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &error);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  if (dir == NULL)
    {
      g_printerr ("cannot read corpus: %s\n", error->message);
      return;
    }
  while ((entry = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (files, g_build_filename (dir_path, entry, NULL));
  g_ptr_array_sort (files, compare_paths);
  for (guint i = 0; i < files->len; i++)
    add_case (name, g_ptr_array_index (files, i), count);
}

int
main (int    argc,
      char **argv)
{
  guint count = 0;

  g_test_init (&argc, &argv, NULL);
  if (argc < 3)
    {
      g_printerr ("usage: %s NAME CORPUS-DIR-OR-FILE…\n", argv[0]);
      return 2;
    }
  for (int i = 2; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        add_directory (argv[1], argv[i], &count);
      else
        add_case (argv[1], argv[i], &count);
    }
  g_test_add_data_func ("/fuzz/corpus-not-empty", GUINT_TO_POINTER (count), corpus_not_empty);
  return g_test_run ();
}
