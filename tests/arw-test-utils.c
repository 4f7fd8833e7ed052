/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "arw-test-utils.h"

static char *
vector_path_va (const char *first, va_list ap)
{
  const char *root = g_getenv ("ARW_VECTORS_DIR");
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();

  g_assert_nonnull (root);
  g_ptr_array_add (parts, (gpointer) root);
  for (const char *p = first; p != NULL; p = va_arg (ap, const char *))
    g_ptr_array_add (parts, (gpointer) p);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

char *
arw_test_vector_path (const char *first, ...)
{
  va_list ap;
  char *path;

  va_start (ap, first);
  path = vector_path_va (first, ap);
  va_end (ap);
  return path;
}

char *
arw_test_vector_read (gsize *len, const char *first, ...)
{
  va_list ap;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *data = NULL;

  va_start (ap, first);
  path = vector_path_va (first, ap);
  va_end (ap);
  g_file_get_contents (path, &data, len, &error);
  g_assert_no_error (error);
  return data;
}

char *
arw_test_mkdtemp (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("arw-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
arw_test_rm_rf (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) en = NULL;
  GFileInfo *info;

  en = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                  G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (en != NULL && (info = g_file_enumerator_next_file (en, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);
      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        arw_test_rm_rf (child);
      else
        g_unlink (child);
      g_object_unref (info);
    }
  g_rmdir (path);
}

static gboolean
wait_tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
arw_test_wait_until (ArwTestCondition condition, gpointer data, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (10, wait_tick_cb, NULL);
  gboolean ok;

  while (!(ok = condition (data)) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return ok;
}
