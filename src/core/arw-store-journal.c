/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "arw-error.h"
#include "arw-fs-util.h"
#include "arw-json-writer.h"
#include "arw-store-journal.h"

#define JOURNAL_VERSION 1

static const char * const component_names[ARW_STORE_N_COMPONENTS] = {
  "bundle.json", "artifacts", "payload", "provenance.json",
};

const char *
_arw_store_component_name (guint index)
{
  g_return_val_if_fail (index < ARW_STORE_N_COMPONENTS, NULL);
  return component_names[index];
}

guint
_arw_store_components_present (int dirfd)
{
  guint mask = 0;

  for (guint i = 0; i < ARW_STORE_N_COMPONENTS; i++)
    if (arw_fs_exists_at (dirfd, component_names[i]))
      mask |= 1u << i;
  return mask;
}


/* ---- timestamps ---- */

char *
_arw_store_timestamp_compact (GDateTime *dt)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (dt);
  g_autofree char *base = g_date_time_format (utc, "%Y%m%dT%H%M%S");

  return g_strdup_printf ("%s%03dZ", base, g_date_time_get_microsecond (utc) / 1000);
}

char *
_arw_store_timestamp_rfc3339 (GDateTime *dt)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (dt);
  g_autofree char *base = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", base, g_date_time_get_microsecond (utc) / 1000);
}

GDateTime *
_arw_store_timestamp_parse_compact (const char *ts)
{
  int y, mo, d, h, mi, s, ms;
  char z = 0;

  if (ts == NULL || strlen (ts) != 19 ||
      sscanf (ts, "%4d%2d%2dT%2d%2d%2d%3d%c", &y, &mo, &d, &h, &mi, &s, &ms, &z) != 8 || z != 'Z')
    return NULL;
  return g_date_time_new_utc (y, mo, d, h, mi, s + ms / 1000.0);
}

gboolean
_arw_store_is_revision_name (const char *name)
{
  if (name == NULL || !g_str_has_prefix (name, "rev-") || name[4] == '\0' || strlen (name) > 200)
    return FALSE;
  for (const char *p = name + 4; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

/* ---- journal records ---- */

void
_arw_store_journal_free (ArwStoreJournal *journal)
{
  if (journal == NULL)
    return;
  g_free (journal->op);
  g_free (journal->bundle);
  g_free (journal->dir);
  g_free (journal->source);
  g_free (journal->revision);
  g_clear_pointer (&journal->info, json_node_unref);
  g_free (journal);
}

static char *
journal_file_name (const char *dir)
{
  return g_strconcat (dir, ".json", NULL);
}

static JsonNode *
journal_to_json (const ArwStoreJournal *j)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, JOURNAL_VERSION);
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, j->op);
  json_builder_set_member_name (b, "bundle");
  json_builder_add_string_value (b, j->bundle);
  json_builder_set_member_name (b, "dir");
  json_builder_add_string_value (b, j->dir);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, j->source);
  json_builder_set_member_name (b, "components");
  json_builder_begin_array (b);
  for (guint i = 0; i < ARW_STORE_N_COMPONENTS; i++)
    if (j->components & (1u << i))
      json_builder_add_string_value (b, component_names[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "revision");
  if (j->revision != NULL)
    json_builder_add_string_value (b, j->revision);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "info");
  if (j->info != NULL)
    json_builder_add_value (b, json_node_copy (j->info));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
_arw_store_journal_write (int root_fd, const ArwStoreJournal *journal, GError **error)
{
  g_autoptr(JsonNode) node = journal_to_json (journal);
  g_autofree char *text = arw_json_to_string (node, FALSE);
  g_autofree char *name = journal_file_name (journal->dir);
  arw_autofd jfd = arw_fs_open_dir_at (root_fd, ARW_STORE_JOURNAL_DIR, TRUE, error);

  if (jfd < 0)
    return FALSE;
  /* write_file_at fsyncs the file and the journal directory. */
  if (!arw_fs_write_file_at (jfd, name, text, strlen (text), 0600, error))
    {
      g_prefix_error (error, "failed to record the store transaction: ");
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_plain_name (const char *s)
{
  return s != NULL && *s != '\0' && strchr (s, '/') == NULL && strcmp (s, ".") != 0 &&
         strcmp (s, "..") != 0;
}

/* A tampered journal must not move arbitrary paths: accept only the shapes
 * ArwStore writes. */
static gboolean
journal_is_valid (const ArwStoreJournal *j, const char *file_name)
{
  g_autofree char *want_file = NULL;
  g_auto(GStrv) parts = NULL;

  if (!is_plain_name (j->dir) || g_str_has_prefix (j->dir, ".arw-") || j->bundle == NULL ||
      j->op == NULL || j->source == NULL)
    return FALSE;
  want_file = journal_file_name (j->dir);
  if (!g_str_equal (want_file, file_name))
    return FALSE;
  if (j->revision != NULL && !_arw_store_is_revision_name (j->revision))
    return FALSE;
  parts = g_strsplit (j->source, "/", -1);
  if (g_strv_length (parts) == 2)
    return g_str_equal (parts[0], ARW_STORE_STAGING_DIR) && is_plain_name (parts[1]);
  return g_strv_length (parts) == 3 && g_str_equal (parts[0], j->dir) &&
         g_str_equal (parts[1], ARW_STORE_HISTORY_DIR) && _arw_store_is_revision_name (parts[2]) &&
         g_strcmp0 (parts[2], j->revision) != 0;
}

static char *
dup_member_string (JsonObject *obj, const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

static ArwStoreJournal *
journal_from_json (JsonNode *root)
{
  g_autoptr(ArwStoreJournal) j = g_new0 (ArwStoreJournal, 1);
  JsonObject *obj;
  JsonArray *components;
  JsonNode *info;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  if (json_object_get_int_member_with_default (obj, "version", 0) != JOURNAL_VERSION)
    return NULL;
  j->op = dup_member_string (obj, "op");
  j->bundle = dup_member_string (obj, "bundle");
  j->dir = dup_member_string (obj, "dir");
  j->source = dup_member_string (obj, "source");
  j->revision = dup_member_string (obj, "revision");
  info = json_object_get_member (obj, "info");
  if (info != NULL && JSON_NODE_HOLDS_OBJECT (info))
    j->info = json_node_copy (info);
  components = json_object_get_array_member (obj, "components");
  for (guint i = 0; components != NULL && i < json_array_get_length (components); i++)
    {
      const char *name = json_array_get_string_element (components, i);

      for (guint c = 0; name != NULL && c < ARW_STORE_N_COMPONENTS; c++)
        if (g_str_equal (name, component_names[c]))
          j->components |= 1u << c;
    }
  return g_steal_pointer (&j);
}

ArwStoreJournal *
_arw_store_journal_load (int root_fd, const char *file_name, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ArwStoreJournal) j = NULL;
  g_autofree char *text = NULL;
  arw_autofd jfd = arw_fs_open_dir_at (root_fd, ARW_STORE_JOURNAL_DIR, FALSE, error);
  gsize len = 0;

  if (jfd < 0)
    return NULL;
  text = arw_fs_read_file_at (jfd, file_name, ARW_STORE_JSON_MAX, &len, error);
  if (text == NULL)
    return NULL;
  if (json_parser_load_from_data (parser, text, (gssize) len, NULL))
    j = journal_from_json (json_parser_get_root (parser));
  if (j == NULL || !journal_is_valid (j, file_name))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "store journal %s/%s is damaged; move it away and check the bundle by hand",
                   ARW_STORE_JOURNAL_DIR, file_name);
      return NULL;
    }
  return g_steal_pointer (&j);
}

gboolean
_arw_store_journal_delete (int root_fd, const ArwStoreJournal *journal, GError **error)
{
  g_autofree char *name = journal_file_name (journal->dir);
  arw_autofd jfd = arw_fs_open_dir_at (root_fd, ARW_STORE_JOURNAL_DIR, FALSE, error);

  if (jfd < 0)
    return FALSE;
  return arw_fs_rm_rf_at (jfd, name, error) &&
         arw_fs_fsync_fd (jfd, ARW_STORE_JOURNAL_DIR, error);
}

/* ---- roll forward ---- */

/* Moves the live copy of @name out of the way: into the revision when it
 * does not hold one yet, else it is stale and deleted. */
static gboolean
displace_live (int live_fd, int rev_fd, const char *name, GError **error)
{
  if (rev_fd >= 0 && !arw_fs_exists_at (rev_fd, name))
    return arw_fs_rename_at (live_fd, name, rev_fd, name, TRUE, error);
  return arw_fs_rm_rf_at (live_fd, name, error);
}

static gboolean
move_components (const ArwStoreJournal *j, int live_fd, int src_fd, int rev_fd, GError **error)
{
  for (guint i = 0; i < ARW_STORE_N_COMPONENTS; i++)
    {
      const char *name = component_names[i];
      gboolean wanted = (j->components & (1u << i)) != 0;
      gboolean in_src = src_fd >= 0 && arw_fs_exists_at (src_fd, name);

      /* A staged copy that is still in the source means the live copy (if
       * any) is the old one: rename is atomic, so the staged copy vanishes
       * exactly when it appears live. */
      if (arw_fs_exists_at (live_fd, name) && (!wanted || in_src) &&
          !displace_live (live_fd, rev_fd, name, error))
        return FALSE;
      if (wanted && in_src && !arw_fs_rename_at (src_fd, name, live_fd, name, TRUE, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_info (const ArwStoreJournal *j, int rev_fd, GError **error)
{
  g_autofree char *text = NULL;
  static const char tmp_name[] = "." ARW_STORE_INFO_FILE ".tmp";

  if (arw_fs_exists_at (rev_fd, tmp_name) && !arw_fs_rm_rf_at (rev_fd, tmp_name, error))
    return FALSE;
  if (j->info == NULL || arw_fs_exists_at (rev_fd, ARW_STORE_INFO_FILE))
    return TRUE;
  text = arw_json_to_string (j->info, TRUE);
  return arw_fs_write_file_at (rev_fd, ARW_STORE_INFO_FILE, text, strlen (text), 0644, error);
}

/* The source is emptied by now; a history revision is first renamed into
 * staging so readers never see it half deleted. */
static gboolean
drop_source (int root_fd, const ArwStoreJournal *j, GError **error)
{
  g_autofree char *trash = NULL;
  g_autofree char *history = NULL;
  arw_autofd staging_fd = -1;

  if (!arw_fs_exists_at (root_fd, j->source))
    return TRUE;
  if (g_str_has_prefix (j->source, ARW_STORE_STAGING_DIR "/"))
    return arw_fs_rm_rf_at (root_fd, j->source, error);
  staging_fd = arw_fs_open_dir_at (root_fd, ARW_STORE_STAGING_DIR, TRUE, error);
  if (staging_fd < 0)
    return FALSE;
  trash = g_strdup_printf ("drop-%s-%s", j->dir, strrchr (j->source, '/') + 1);
  history = g_build_filename (j->dir, ARW_STORE_HISTORY_DIR, NULL);
  return arw_fs_rm_rf_at (staging_fd, trash, error) &&
         arw_fs_rename_at (root_fd, j->source, staging_fd, trash, TRUE, error) &&
         arw_fs_fsync_at (root_fd, history, error) &&
         arw_fs_rm_rf_at (staging_fd, trash, error);
}

static int
open_source (int root_fd, const char *source, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  int fd = arw_fs_open_dir_at (root_fd, source, FALSE, &local_error);

  if (fd < 0 && !g_error_matches (local_error, ARW_ERROR, ARW_ERROR_NOT_FOUND))
    g_propagate_error (error, g_steal_pointer (&local_error));
  return fd;
}

gboolean
_arw_store_journal_apply (int root_fd, const ArwStoreJournal *j, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  arw_autofd live_fd = -1;
  arw_autofd src_fd = -1;
  arw_autofd hist_fd = -1;
  arw_autofd rev_fd = -1;

  live_fd = arw_fs_open_dir_at (root_fd, j->dir, TRUE, error);
  if (live_fd < 0 || !arw_fs_fsync_fd (root_fd, "bundle root", error))
    return FALSE;
  src_fd = open_source (root_fd, j->source, &local_error);
  if (src_fd < 0 && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (j->revision != NULL)
    {
      hist_fd = arw_fs_open_dir_at (live_fd, ARW_STORE_HISTORY_DIR, TRUE, error);
      if (hist_fd < 0)
        return FALSE;
      rev_fd = arw_fs_open_dir_at (hist_fd, j->revision, TRUE, error);
      if (rev_fd < 0 || !arw_fs_fsync_fd (hist_fd, ARW_STORE_HISTORY_DIR, error) ||
          !arw_fs_fsync_fd (live_fd, j->dir, error))
        return FALSE;
    }
  if (!move_components (j, live_fd, src_fd, rev_fd, error))
    return FALSE;
  if ((rev_fd >= 0 && !arw_fs_fsync_fd (rev_fd, j->revision, error)) ||
      !arw_fs_fsync_fd (live_fd, j->dir, error) ||
      (src_fd >= 0 && !arw_fs_fsync_fd (src_fd, j->source, error)))
    return FALSE;
  if (rev_fd >= 0 && !write_info (j, rev_fd, error))
    return FALSE;
  return drop_source (root_fd, j, error);
}
