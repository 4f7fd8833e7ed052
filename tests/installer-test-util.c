/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#include "arw-json-writer.h"
#include "arw-sha256.h"
#include "arw-signature.h"
#include "arw-test-utils.h"
#include "installer-test-util.h"

GBytes *
itu_random_bytes (guint32 seed, gsize n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint32 *buf = g_malloc (n + 4);

  for (gsize i = 0; i < n / 4 + 1; i++)
    buf[i] = g_rand_int (rand);
  return g_bytes_new_take (buf, n);
}

char *
itu_sha256 (GBytes *bytes)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  return arw_sha256_hex (data, len);
}

static void
add_entry (struct archive *a, const char *path, const void *data, gsize len, int mode)
{
  struct archive_entry *e = archive_entry_new ();

  archive_entry_set_pathname (e, path);
  archive_entry_set_size (e, (la_int64_t) len);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, mode);
  g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_data (a, data, len), ==, (la_ssize_t) len);
  archive_entry_free (e);
}

GBytes *
itu_make_tar_gz (guint32 seed, guint n_files, gsize file_size)
{
  struct archive *a = archive_write_new ();
  gsize cap = n_files * (file_size + 1024) + 65536;
  guint8 *buf = g_malloc (cap);
  size_t used = 0;
  g_autofree char *tool = g_strdup_printf ("#!/bin/sh\necho tool %u\n", seed);

  g_assert_cmpint (archive_write_set_format_pax_restricted (a), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_add_filter_gzip (a), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_memory (a, buf, cap, &used), ==, ARCHIVE_OK);
  add_entry (a, "bin/tool", tool, strlen (tool), 0755);
  for (guint i = 0; i < n_files; i++)
    {
      g_autofree char *path = g_strdup_printf ("data/file-%02u.bin", i);
      g_autoptr(GBytes) data = itu_random_bytes (seed * 1000 + i, file_size);
      add_entry (a, path, g_bytes_get_data (data, NULL), file_size, 0644);
    }
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
  return g_bytes_new_take (g_realloc (buf, used), used);
}

static void
add_artifacts (JsonBuilder *b, const ItuArtifact *artifacts, guint n)
{
  json_builder_set_member_name (b, "artifacts");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      const ItuArtifact *a = &artifacts[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, a->kind);
      if (a->format != NULL)
        {
          json_builder_set_member_name (b, "format");
          json_builder_add_string_value (b, a->format);
        }
      if (a->url != NULL)
        {
          json_builder_set_member_name (b, "url");
          json_builder_add_string_value (b, a->url);
        }
      if (a->sha256 != NULL)
        {
          json_builder_set_member_name (b, "sha256");
          json_builder_add_string_value (b, a->sha256);
        }
      if (a->size >= 0)
        {
          json_builder_set_member_name (b, "size_bytes");
          json_builder_add_int_value (b, a->size);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
add_bundle (JsonBuilder *b, const char *id, gint64 revision, const ItuArtifact *artifacts, guint n)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "Test bundle");
  json_builder_set_member_name (b, "modalities");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "text");
  json_builder_end_array (b);
  if (revision >= 0)
    {
      json_builder_set_member_name (b, "revision");
      json_builder_add_int_value (b, revision);
    }
  add_artifacts (b, artifacts, n);
  json_builder_end_object (b);
}

void
itu_write_catalog (const char *dir, const char *channel, const char *id, const ItuArtifact *artifacts,
                   guint n_artifacts)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = g_build_filename (dir, "bundles.test.json", NULL);
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  if (channel != NULL)
    {
      json_builder_set_member_name (b, "channel");
      json_builder_add_string_value (b, channel);
    }
  json_builder_set_member_name (b, "bundles");
  json_builder_begin_array (b);
  add_bundle (b, id, -1, artifacts, n_artifacts);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = arw_json_to_string (root, TRUE);
  g_mkdir_with_parents (dir, 0755);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

char *
itu_manifest_text (const char *id, const char *channel, gint64 revision, const ItuArtifact *artifacts,
                   guint n_artifacts)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bundle");
  add_bundle (b, id, revision, artifacts, n_artifacts);
  json_builder_set_member_name (b, "catalog");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "channel");
  json_builder_add_string_value (b, channel);
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return arw_json_to_string (root, TRUE);
}

char *
itu_sign_manifest (const char *text, const char *key_name, const char *key_id)
{
  g_autofree char *file = g_strconcat (key_name, ".sk", NULL);
  g_autofree char *b64 = arw_test_vector_read (NULL, "keys", file, NULL);
  g_autofree guint8 *seed = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  char *signed_text;

  seed = g_base64_decode (g_strstrip (b64), &len);
  g_assert_cmpuint (len, ==, 32);
  signed_text = arw_manifest_sign (text, -1, seed, key_id, "test publisher", FALSE, NULL, &error);
  g_assert_no_error (error);
  return signed_text;
}

static void
snapshot_dir (GHashTable *out, const char *root, const char *rel, gboolean skip_history)
{
  g_autofree char *path = rel[0] ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child_rel = rel[0] ? g_build_filename (rel, name, NULL) : g_strdup (name);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);

      if (skip_history && g_str_equal (child_rel, "history"))
        continue;
      if (g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        g_hash_table_insert (out, g_steal_pointer (&child_rel), g_strdup ("symlink"));
      else if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          snapshot_dir (out, root, child_rel, skip_history);
          g_hash_table_insert (out, g_steal_pointer (&child_rel), g_strdup ("dir"));
        }
      else
        {
          g_autofree char *data = NULL;
          gsize len = 0;
          g_assert_true (g_file_get_contents (child, &data, &len, NULL));
          g_hash_table_insert (out, g_steal_pointer (&child_rel), arw_sha256_hex ((guint8 *) data, len));
        }
    }
}

GHashTable *
itu_snapshot_tree (const char *dir, gboolean skip_history)
{
  GHashTable *out;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return NULL;
  out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  snapshot_dir (out, dir, "", skip_history);
  return out;
}

gboolean
itu_trees_equal (GHashTable *a, GHashTable *b)
{
  GHashTableIter it;
  gpointer k, v;

  if (a == NULL || b == NULL)
    return a == b;
  if (g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;
  g_hash_table_iter_init (&it, a);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (g_strcmp0 (v, g_hash_table_lookup (b, k)) != 0)
      return FALSE;
  return TRUE;
}

void
itu_assert_trees_equal (GHashTable *a, GHashTable *b, const char *what)
{
  GHashTableIter it;
  gpointer k, v;

  if (itu_trees_equal (a, b))
    return;
  if (a != NULL && b != NULL)
    {
      g_hash_table_iter_init (&it, a);
      while (g_hash_table_iter_next (&it, &k, &v))
        if (g_strcmp0 (v, g_hash_table_lookup (b, k)) != 0)
          g_test_message ("%s: %s differs (%s vs %s)", what, (char *) k, (char *) v,
                          (char *) g_hash_table_lookup (b, k));
      g_hash_table_iter_init (&it, b);
      while (g_hash_table_iter_next (&it, &k, &v))
        if (!g_hash_table_contains (a, k))
          g_test_message ("%s: %s only in the second tree", what, (char *) k);
    }
  g_error ("%s: trees differ", what);
}

guint
itu_count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}
