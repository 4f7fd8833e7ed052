/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arw-fs-util.h"
#include "arw-install-metadata.h"
#include "arw-json-writer.h"

char *
arw_install_timestamp_rfc3339 (GDateTime *dt)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *base = NULL;

  g_return_val_if_fail (dt != NULL, NULL);
  utc = g_date_time_to_utc (dt);
  base = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", base, g_date_time_get_microsecond (utc) / 1000);
}

char *
arw_install_timestamp_compact (GDateTime *dt)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autofree char *base = NULL;

  g_return_val_if_fail (dt != NULL, NULL);
  utc = g_date_time_to_utc (dt);
  base = g_date_time_format (utc, "%Y%m%dT%H%M%S");
  return g_strdup_printf ("%s%03dZ", base, g_date_time_get_microsecond (utc) / 1000);
}

/* The last segment of the URL's path (query and fragment cut, trailing '/'
 * trimmed); plain paths are taken as they are. */
static char *
last_segment (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *path = NULL;
  gsize len;
  const char *slash;

  if (g_uri_peek_scheme (url) != NULL)
    uri = g_uri_parse (url, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, NULL);
  path = uri != NULL ? g_strdup (g_uri_get_path (uri)) : g_strndup (url, strcspn (url, "?#"));
  len = strlen (path);
  while (len > 0 && path[len - 1] == '/')
    path[--len] = '\0';
  slash = strrchr (path, '/');
  return g_strdup (slash != NULL ? slash + 1 : path);
}

char *
arw_install_artifact_file_name (const char *url, const char *kind, const char *format, guint index)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (kind != NULL, NULL);

  name = url != NULL ? last_segment (url) : g_strdup ("");
  for (char *p = name; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-'))
      *p = '_';
  /* "." and ".." are not file names either. */
  if (*name == '\0' || g_str_equal (name, "_") || g_str_equal (name, ".") || g_str_equal (name, ".."))
    {
      g_free (name);
      name = format != NULL ? g_strdup_printf ("%s-%02u.%s", kind, index + 1, format)
                            : g_strdup_printf ("%s-%02u", kind, index + 1);
      for (char *p = name; *p != '\0'; p++)
        if (!(g_ascii_isalnum (*p) || *p == '.' || *p == '_' || *p == '-'))
          *p = '_';
    }
  return g_steal_pointer (&name);
}

static void
add_nullable_string (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

JsonNode *
arw_install_bundle_json (ArwBundle *bundle, ArwCatalog *catalog, const char *const *roots,
                         const char *installed_at)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (bundle != NULL && catalog != NULL && installed_at != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bundle");
  json_builder_add_value (b, arw_bundle_to_json (bundle));
  json_builder_set_member_name (b, "catalog");
  json_builder_begin_object (b);
  add_nullable_string (b, "channel", arw_catalog_get_channel (catalog));
  add_nullable_string (b, "notes", arw_catalog_get_notes (catalog));
  add_nullable_string (b, "path", arw_catalog_get_path (catalog));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "installed_at");
  json_builder_add_string_value (b, installed_at);
  json_builder_set_member_name (b, "source");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "local");
  json_builder_set_member_name (b, "roots");
  json_builder_begin_array (b);
  for (guint i = 0; roots != NULL && roots[i] != NULL; i++)
    json_builder_add_string_value (b, roots[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

JsonNode *
arw_install_import_json (const char *bundle_id, const char *imported_at)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (bundle_id != NULL && imported_at != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bundle");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, bundle_id);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "imported_at");
  json_builder_add_string_value (b, imported_at);
  json_builder_set_member_name (b, "source");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "import");
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
add_provenance_item (JsonBuilder *b, const ArwProvenanceItem *item)
{
  json_builder_begin_object (b);
  add_nullable_string (b, "kind", item->kind);
  add_nullable_string (b, "format", item->format);
  add_nullable_string (b, "url", item->url);
  add_nullable_string (b, "file", item->file);
  add_nullable_string (b, "sha256", item->sha256);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, (gint64) item->size);
  add_nullable_string (b, "fetched_at", item->fetched_at);
  json_builder_set_member_name (b, "extracted");
  json_builder_add_boolean_value (b, item->extracted);
  json_builder_end_object (b);
}

JsonNode *
arw_install_provenance_json (const char *bundle_id, const char *kind, const char *at,
                             JsonNode *source, const ArwProvenanceItem *items, guint n_items,
                             JsonNode *verification)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (bundle_id != NULL && kind != NULL && at != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bundle");
  json_builder_add_string_value (b, bundle_id);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, kind);
  json_builder_set_member_name (b, "at");
  json_builder_add_string_value (b, at);
  json_builder_set_member_name (b, "tool");
  json_builder_add_string_value (b, "arw-runtime " PACKAGE_VERSION);
  json_builder_set_member_name (b, "source");
  if (source != NULL)
    json_builder_add_value (b, json_node_copy (source));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "items");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_items; i++)
    add_provenance_item (b, &items[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "manifest");
  if (verification != NULL)
    json_builder_add_value (b, verification);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
arw_install_write_json_at (int dirfd, const char *name, JsonNode *node, GError **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (dirfd >= 0 && name != NULL && node != NULL, FALSE);
  text = arw_json_to_string (node, TRUE);
  return arw_fs_create_file_at (dirfd, name, text, strlen (text), 0644, error);
}
