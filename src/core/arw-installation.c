/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "arw-catalog.h"
#include "arw-error.h"
#include "arw-installation.h"

struct _ArwInstallation {
  gatomicrefcount ref_count;
  char *id;
  char *name;
  char *adapter;
  GStrv profiles;
  GStrv modalities;
  char *accelerator;
  char *channel;
  char *installed_at;
  char *imported_at;
  JsonNode *source;
  char *metadata_path;
  GPtrArray *artifacts; /* ArwInstalledArtifact */
  char *root;
  char *dir;
  GBytes *manifest_bytes;
  JsonNode *manifest;
  ArwBundle *bundle;
};

G_DEFINE_BOXED_TYPE (ArwInstallation, arw_installation,
                     arw_installation_ref, arw_installation_unref)

static void
arw_installed_artifact_free (ArwInstalledArtifact *artifact)
{
  g_free (artifact->name);
  g_free (artifact);
}

ArwInstallation *
arw_installation_ref (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
arw_installation_unref (ArwInstallation *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->id);
  g_free (self->name);
  g_free (self->adapter);
  g_strfreev (self->profiles);
  g_strfreev (self->modalities);
  g_free (self->accelerator);
  g_free (self->channel);
  g_free (self->installed_at);
  g_free (self->imported_at);
  g_clear_pointer (&self->source, json_node_unref);
  g_free (self->metadata_path);
  g_ptr_array_unref (self->artifacts);
  g_free (self->root);
  g_free (self->dir);
  g_clear_pointer (&self->manifest_bytes, g_bytes_unref);
  g_clear_pointer (&self->manifest, json_node_unref);
  g_clear_pointer (&self->bundle, arw_bundle_unref);
  g_free (self);
}

static void
add_diagnostic (GPtrArray *diagnostics, const char *path, const char *bundle_id,
                const char *message)
{
  if (diagnostics != NULL)
    g_ptr_array_add (diagnostics, arw_diagnostic_new (ARW_DIAGNOSTIC_WARNING, path, 0, 0,
                                                      bundle_id, message));
}

/* ---- JSON helpers (serde_json Value::get / pointer / as_str) ---------- */

static JsonNode *
member (JsonNode *node, const char *key)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_get_member (json_node_get_object (node), key);
}

static const char *
as_str (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* ARW's parse_strings_from_json: string items of an array, trimmed,
 * blanks dropped; anything else gives an empty list. */
static GStrv
loose_strings (JsonNode *node)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *text = as_str (json_array_get_element (array, i));
          g_autofree char *trimmed = text != NULL ? g_strstrip (g_strdup (text)) : NULL;

          if (trimmed != NULL && *trimmed != '\0')
            g_strv_builder_add (builder, trimmed);
        }
    }
  return g_strv_builder_end (builder);
}

/* Reads a small JSON file: NULL when it is absent; NULL plus a message in
 * *problem when it cannot be read or parsed. */
static JsonNode *
read_json_file (const char *path, GBytes **bytes_out, char **problem)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  JsonNode *root;
  GStatBuf st;
  gsize len = 0;

  *problem = NULL;
  if (g_stat (path, &st) != 0)
    {
      if (errno != ENOENT)
        *problem = g_strdup_printf ("%s could not be read: %s", path, g_strerror (errno));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      *problem = g_strdup_printf ("%s is not a regular file", path);
      return NULL;
    }
  if (st.st_size > ARW_CATALOG_MAX_BYTES)
    {
      *problem = g_strdup_printf ("%s is %" G_GUINT64_FORMAT " bytes; the limit is 16 MiB",
                                  path, (guint64) st.st_size);
      return NULL;
    }
  if (!g_file_get_contents (path, &data, &len, &local_error))
    {
      *problem = g_strdup_printf ("%s could not be read: %s", path, local_error->message);
      return NULL;
    }
  root = arw_catalog_parse_json (data, len, NULL, NULL, &local_error);
  if (root == NULL)
    {
      *problem = g_strdup_printf ("%s is not valid JSON and is ignored: %s", path,
                                  local_error->message);
      return NULL;
    }
  if (bytes_out != NULL)
    *bytes_out = g_bytes_new_take (g_steal_pointer (&data), len);
  return root;
}

/* ---- loading ---------------------------------------------------------- */

static GPtrArray *
load_artifacts (const char *dir, GPtrArray *diagnostics)
{
  g_autofree char *artifacts_dir = g_build_filename (dir, "artifacts", NULL);
  GPtrArray *artifacts;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) gdir = NULL;
  const char *name;

  artifacts = g_ptr_array_new_with_free_func ((GDestroyNotify) arw_installed_artifact_free);
  gdir = g_dir_open (artifacts_dir, 0, &local_error);
  if (gdir == NULL)
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_autofree char *message = g_strdup_printf ("artifacts in %s could not be read: %s",
                                                      artifacts_dir, local_error->message);
          add_diagnostic (diagnostics, artifacts_dir, NULL, message);
        }
      return artifacts;
    }
  while ((name = g_dir_read_name (gdir)) != NULL)
    {
      g_autofree char *path = g_build_filename (artifacts_dir, name, NULL);
      ArwInstalledArtifact *artifact;
      GStatBuf st;

      if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      artifact = g_new0 (ArwInstalledArtifact, 1);
      artifact->name = g_filename_display_name (name);
      artifact->bytes = (guint64) st.st_size;
      artifact->has_bytes = TRUE;
      g_ptr_array_add (artifacts, artifact);
    }
  return artifacts;
}

static int
compare_artifact_names (gconstpointer a, gconstpointer b)
{
  const ArwInstalledArtifact *x = *(const ArwInstalledArtifact *const *) a;
  const ArwInstalledArtifact *y = *(const ArwInstalledArtifact *const *) b;

  return strcmp (x->name, y->name);
}

static void
take_bundle_fields (ArwInstallation *self, ArwBundle *bundle)
{
  g_free (self->id);
  self->id = g_strdup (arw_bundle_get_id (bundle));
  self->name = g_strdup (arw_bundle_get_name (bundle));
  self->adapter = g_strdup (arw_bundle_get_adapter (bundle));
  self->profiles = g_strdupv ((GStrv) arw_bundle_get_profiles (bundle));
  self->modalities = g_strdupv ((GStrv) arw_bundle_get_modalities (bundle));
  self->accelerator = g_strdup (arw_bundle_get_accelerator (bundle));
  self->bundle = arw_bundle_ref (bundle);
}

/* ARW's fallback when "bundle" does not parse as a catalog bundle (an
 * `import` without --metadata writes only {"id": …}). */
static void
take_loose_fields (ArwInstallation *self, JsonNode *bundle_node)
{
  const char *id = as_str (member (bundle_node, "id"));

  if (id != NULL && *id != '\0')
    {
      g_free (self->id);
      self->id = g_strdup (id);
    }
  self->name = g_strdup (as_str (member (bundle_node, "name")));
  self->adapter = g_strdup (as_str (member (bundle_node, "adapter")));
  self->profiles = loose_strings (member (bundle_node, "profiles"));
  self->modalities = loose_strings (member (bundle_node, "modalities"));
  self->accelerator = g_strdup (as_str (member (bundle_node, "accelerator")));
}

static void
read_bundle_section (ArwInstallation *self, GPtrArray *diagnostics)
{
  JsonNode *bundle_node = member (self->manifest, "bundle");
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(ArwBundle) bundle = NULL;

  if (bundle_node == NULL)
    return;
  bundle = arw_bundle_new_from_json (bundle_node, warnings, NULL);
  if (bundle == NULL)
    {
      take_loose_fields (self, bundle_node);
      return;
    }
  take_bundle_fields (self, bundle);
  for (guint i = 0; i < warnings->len; i++)
    {
      g_autofree char *message = g_strdup_printf ("%s: bundle \"%s\": %s", self->metadata_path,
                                                  self->id, (const char *) warnings->pdata[i]);
      add_diagnostic (diagnostics, self->metadata_path, self->id, message);
    }
}

static void
read_manifest_fields (ArwInstallation *self, GPtrArray *diagnostics)
{
  JsonNode *source;

  read_bundle_section (self, diagnostics);
  self->channel = g_strdup (as_str (member (member (self->manifest, "catalog"), "channel")));
  self->installed_at = g_strdup (as_str (member (self->manifest, "installed_at")));
  self->imported_at = g_strdup (as_str (member (self->manifest, "imported_at")));
  source = member (self->manifest, "source");
  if (source != NULL)
    self->source = json_node_copy (source);
}

/**
 * arw_installation_load:
 * @root: the install root, as it should appear in "root"
 * @dir_name: a sub-directory of @root
 * @diagnostics: (nullable) (element-type ArwDiagnostic): receives a
 *   warning when bundle.json exists but cannot be read or parsed (it is
 *   then treated as absent, as ARW does) and for dropped bundle values
 *
 * Returns: (transfer full) (nullable): the installation, or %NULL when the
 *   directory has neither a parsable bundle.json nor an artifact file
 */
ArwInstallation *
arw_installation_load (const char *root, const char *dir_name, GPtrArray *diagnostics)
{
  g_autoptr(ArwInstallation) self = NULL;
  g_autofree char *metadata_path = NULL;
  g_autofree char *problem = NULL;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (dir_name != NULL, NULL);

  self = g_new0 (ArwInstallation, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->root = g_strdup (root);
  self->dir = g_build_filename (root, dir_name, NULL);
  self->id = g_utf8_validate (dir_name, -1, NULL) ? g_strdup (dir_name) : g_strdup ("bundle");
  metadata_path = g_build_filename (self->dir, "bundle.json", NULL);
  self->manifest = read_json_file (metadata_path, &self->manifest_bytes, &problem);
  if (problem != NULL)
    add_diagnostic (diagnostics, metadata_path, NULL, problem);
  if (self->manifest != NULL)
    {
      self->metadata_path = g_steal_pointer (&metadata_path);
      read_manifest_fields (self, diagnostics);
    }
  if (self->modalities == NULL || self->modalities[0] == NULL)
    {
      g_strfreev (self->modalities);
      self->modalities = loose_strings (member (member (self->manifest, "bundle"), "modalities"));
    }
  if (self->accelerator == NULL)
    self->accelerator = g_strdup (as_str (member (member (self->manifest, "bundle"),
                                                  "accelerator")));
  if (self->profiles == NULL)
    self->profiles = g_new0 (char *, 1);
  self->artifacts = load_artifacts (self->dir, diagnostics);
  g_ptr_array_sort (self->artifacts, compare_artifact_names);
  if (self->manifest == NULL && self->artifacts->len == 0)
    return NULL;
  return g_steal_pointer (&self);
}

/* ---- accessors -------------------------------------------------------- */

const char *
arw_installation_get_id (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->id;
}

const char *
arw_installation_get_name (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->name;
}

const char *
arw_installation_get_adapter (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->adapter;
}

const char *const *
arw_installation_get_profiles (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char *const *) self->profiles;
}

const char *const *
arw_installation_get_modalities (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char *const *) self->modalities;
}

const char *
arw_installation_get_accelerator (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->accelerator;
}

/* catalog.channel of bundle.json: what trust checks use (§2.2). */
const char *
arw_installation_get_channel (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->channel;
}

const char *
arw_installation_get_installed_at (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->installed_at;
}

const char *
arw_installation_get_imported_at (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->imported_at;
}

/* Returns: (transfer none) (nullable): "source" as found (any JSON) */
JsonNode *
arw_installation_get_source (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->source;
}

/* Returns: (nullable): <dir>/bundle.json when it parsed */
const char *
arw_installation_get_metadata_path (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->metadata_path;
}

/* Returns: (transfer none) (element-type ArwInstalledArtifact): sorted by name */
GPtrArray *
arw_installation_get_artifacts (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->artifacts;
}

const char *
arw_installation_get_root (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->root;
}

/* The installation's directory, <root>/<dir_name>. */
const char *
arw_installation_get_dir (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->dir;
}

/* Returns: (transfer none) (nullable): the exact bytes of bundle.json,
 * for signature verification; NULL when it is absent or did not parse */
GBytes *
arw_installation_get_manifest_bytes (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->manifest_bytes;
}

/* Returns: (transfer none) (nullable): bundle.json as parsed */
JsonNode *
arw_installation_get_manifest (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->manifest;
}

/* Returns: (transfer none) (nullable): "bundle" when it is a full bundle */
ArwBundle *
arw_installation_get_bundle (ArwInstallation *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->bundle;
}

/* ---- serialisation ---------------------------------------------------- */

static void
set_opt_string (JsonObject *obj, const char *key, const char *value)
{
  if (value != NULL)
    json_object_set_string_member (obj, key, value);
  else
    json_object_set_null_member (obj, key);
}

static JsonArray *
strv_to_array (GStrv strv)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_array_add_string_element (array, strv[i]);
  return array;
}

static JsonArray *
artifacts_to_json (GPtrArray *artifacts)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < artifacts->len; i++)
    {
      const ArwInstalledArtifact *artifact = artifacts->pdata[i];
      JsonObject *obj = json_object_new ();

      if (artifact->has_bytes)
        json_object_set_int_member (obj, "bytes", (gint64) artifact->bytes);
      else
        json_object_set_null_member (obj, "bytes");
      json_object_set_string_member (obj, "name", artifact->name);
      json_array_add_object_element (array, obj);
    }
  return array;
}

static void
set_opt_node (JsonObject *obj, const char *key, JsonNode *value)
{
  if (value != NULL)
    json_object_set_member (obj, key, json_node_copy (value));
  else
    json_object_set_null_member (obj, key);
}

/**
 * arw_installation_to_json:
 * @signature: (nullable): the ManifestVerification report, copied in
 *
 * The CliInstallation object of `bundles list --json` and `audit --json`
 * (§5.4): every key present, absent values null, keys in sorted order.
 *
 * Returns: (transfer full)
 */
JsonNode *
arw_installation_to_json (ArwInstallation *self, JsonNode *signature)
{
  JsonObject *obj;

  g_return_val_if_fail (self != NULL, NULL);

  obj = json_object_new ();
  set_opt_string (obj, "accelerator", self->accelerator);
  set_opt_string (obj, "adapter", self->adapter);
  json_object_set_array_member (obj, "artifacts", artifacts_to_json (self->artifacts));
  if (self->bundle != NULL)
    json_object_set_member (obj, "bundle", arw_bundle_to_json (self->bundle));
  else
    json_object_set_null_member (obj, "bundle");
  set_opt_string (obj, "channel", self->channel);
  json_object_set_string_member (obj, "id", self->id);
  set_opt_string (obj, "imported_at", self->imported_at);
  set_opt_string (obj, "installed_at", self->installed_at);
  set_opt_string (obj, "metadata_path", self->metadata_path);
  json_object_set_array_member (obj, "modalities", strv_to_array (self->modalities));
  set_opt_string (obj, "name", self->name);
  json_object_set_array_member (obj, "profiles", strv_to_array (self->profiles));
  set_opt_string (obj, "root", self->root);
  set_opt_node (obj, "signature", signature);
  set_opt_node (obj, "source", self->source);
  {
    JsonNode *node = json_node_new (JSON_NODE_OBJECT);
    json_node_take_object (node, obj);
    return node;
  }
}

/* ---- history ---------------------------------------------------------- */

void
arw_history_entry_free (ArwHistoryEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->revision);
  g_free (entry->path);
  g_free (entry->saved_at);
  g_free (entry->kind);
  g_clear_pointer (&entry->summary, json_node_unref);
  g_free (entry);
}

/* {kind, path, revision, saved_at, summary} as `rollback --list --json`
 * prints each entry (§5.8). Returns: (transfer full) */
JsonNode *
arw_history_entry_to_json (const ArwHistoryEntry *entry)
{
  JsonObject *obj;

  g_return_val_if_fail (entry != NULL, NULL);

  obj = json_object_new ();
  set_opt_string (obj, "kind", entry->kind);
  json_object_set_string_member (obj, "path", entry->path);
  json_object_set_string_member (obj, "revision", entry->revision);
  set_opt_string (obj, "saved_at", entry->saved_at);
  set_opt_node (obj, "summary", entry->summary);
  {
    JsonNode *node = json_node_new (JSON_NODE_OBJECT);
    json_node_take_object (node, obj);
    return node;
  }
}

static ArwHistoryEntry *
load_history_entry (const char *history_root, const char *name)
{
  ArwHistoryEntry *entry = g_new0 (ArwHistoryEntry, 1);
  g_autofree char *info_path = NULL;
  g_autofree char *problem = NULL;
  g_autoptr(JsonNode) info = NULL;
  JsonNode *summary;

  entry->revision = g_strdup (name);
  entry->path = g_build_filename (history_root, name, NULL);
  info_path = g_build_filename (entry->path, "info.json", NULL);
  info = read_json_file (info_path, NULL, &problem);
  entry->saved_at = g_strdup (as_str (member (info, "saved_at")));
  entry->kind = g_strdup (as_str (member (info, "kind")));
  summary = member (info, "summary");
  if (summary != NULL)
    entry->summary = json_node_copy (summary);
  return entry;
}

static int
compare_revisions_desc (gconstpointer a, gconstpointer b)
{
  const ArwHistoryEntry *x = *(const ArwHistoryEntry *const *) a;
  const ArwHistoryEntry *y = *(const ArwHistoryEntry *const *) b;

  return strcmp (y->revision, x->revision);
}

/**
 * arw_installation_list_history:
 * @bundle_dir: an installation directory
 *
 * Every history/rev-* directory (symlinks are not followed), newest first
 * by name, with what its info.json says; an unreadable info.json leaves
 * the entry's fields NULL, as in ARW.
 *
 * Returns: (transfer full) (element-type ArwHistoryEntry): the entries,
 *   empty when there is no history directory, or %NULL with @error set
 */
GPtrArray *
arw_installation_list_history (const char *bundle_dir, GError **error)
{
  g_autofree char *history_root = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_return_val_if_fail (bundle_dir != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) arw_history_entry_free);
  history_root = g_build_filename (bundle_dir, "history", NULL);
  dir = g_dir_open (history_root, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&entries);
      g_set_error (error, ARW_ERROR, ARW_ERROR_FAILED,
                   "history directory %s could not be read: %s",
                   history_root, local_error->message);
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;

      if (!g_str_has_prefix (name, "rev-") || !g_utf8_validate (name, -1, NULL))
        continue;
      path = g_build_filename (history_root, name, NULL);
      if (g_lstat (path, &st) != 0 || !S_ISDIR (st.st_mode))
        continue;
      g_ptr_array_add (entries, load_history_entry (history_root, name));
    }
  g_ptr_array_sort (entries, compare_revisions_desc);
  return g_steal_pointer (&entries);
}

void
arw_installation_drop_manifest (ArwInstallation *self)
{
  g_return_if_fail (self != NULL);
  g_clear_pointer (&self->manifest_bytes, g_bytes_unref);
  g_clear_pointer (&self->manifest, json_node_unref);
  g_clear_pointer (&self->bundle, arw_bundle_unref);
}
