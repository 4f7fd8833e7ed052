/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arw-bundle.h"
#include "arw-error.h"
#include "arw-sha256.h"

/* A catalog bundle, parsed with serde's rules for ARW's RuntimeBundle
 * struct (§1.3) except that unknown modality and accelerator values are
 * dropped with a warning instead of failing the whole file. */
struct _ArwBundle {
  gatomicrefcount ref_count;
  char *id;
  char *name;
  char *description;
  char *adapter;
  GStrv modalities;
  char *accelerator;
  GStrv profiles;
  GPtrArray *platforms; /* ArwPlatform */
  GPtrArray *artifacts; /* ArwArtifact */
  GStrv notes;
  char *license;
  ArwSupport *support;
  JsonNode *metadata;
};

G_DEFINE_BOXED_TYPE (ArwBundle, arw_bundle, arw_bundle_ref, arw_bundle_unref)

static const char *const known_modalities[] = { "text", "audio", "vision", NULL };

static const char *const known_accelerators[] = {
  "cpu", "gpu_cuda", "gpu_rocm", "gpu_metal", "gpu_vulkan",
  "npu_directml", "npu_coreml", "npu_other", "other", NULL
};

/* Aliases ARW accepts in TOML runtime manifests (§6.1) but not in
 * catalogs; we only use them to suggest the right spelling. */
static const struct {
  const char *alias;
  const char *value;
} accelerator_aliases[] = {
  { "cuda", "gpu_cuda" },
  { "nvidia", "gpu_cuda" },
  { "rocm", "gpu_rocm" },
  { "hip", "gpu_rocm" },
  { "amd", "gpu_rocm" },
  { "metal", "gpu_metal" },
  { "vulkan", "gpu_vulkan" },
  { "directml", "npu_directml" },
  { "coreml", "npu_coreml" },
  { "npu", "npu_other" },
};

static const char *const bundle_fields[] = {
  "id", "name", "description", "adapter", "modalities", "accelerator",
  "profiles", "platforms", "artifacts", "notes", "license", "support",
  "metadata", NULL
};
static const char *const artifact_fields[] = {
  "kind", "format", "url", "sha256", "size_bytes", "notes", NULL
};
static const char *const platform_fields[] = {
  "os", "arch", "min_version", "notes", NULL
};
static const char *const support_fields[] = {
  "min_glibc", "min_macos", "min_windows", "driver_notes", "additional", NULL
};

static void
arw_artifact_free (ArwArtifact *artifact)
{
  g_free (artifact->kind);
  g_free (artifact->format);
  g_free (artifact->url);
  g_free (artifact->sha256);
  g_free (artifact->notes);
  g_free (artifact);
}

static void
arw_platform_free (ArwPlatform *platform)
{
  g_free (platform->os);
  g_free (platform->arch);
  g_free (platform->min_version);
  g_free (platform->notes);
  g_free (platform);
}

static void
arw_support_free (ArwSupport *support)
{
  if (support == NULL)
    return;
  g_free (support->min_glibc);
  g_free (support->min_macos);
  g_free (support->min_windows);
  g_free (support->driver_notes);
  g_clear_pointer (&support->additional, json_node_unref);
  g_free (support);
}

static ArwBundle *
arw_bundle_alloc (void)
{
  ArwBundle *self = g_new0 (ArwBundle, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->platforms = g_ptr_array_new_with_free_func ((GDestroyNotify) arw_platform_free);
  self->artifacts = g_ptr_array_new_with_free_func ((GDestroyNotify) arw_artifact_free);
  return self;
}

ArwBundle *
arw_bundle_ref (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
arw_bundle_unref (ArwBundle *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->id);
  g_free (self->name);
  g_free (self->description);
  g_free (self->adapter);
  g_strfreev (self->modalities);
  g_free (self->accelerator);
  g_strfreev (self->profiles);
  g_ptr_array_unref (self->platforms);
  g_ptr_array_unref (self->artifacts);
  g_strfreev (self->notes);
  g_free (self->license);
  arw_support_free (self->support);
  g_clear_pointer (&self->metadata, json_node_unref);
  g_free (self);
}

/* ---- typed field readers (serde semantics) ---------------------------- */

static const char *
node_kind (JsonNode *node)
{
  GType type;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      break;
    }
  type = json_node_get_value_type (node);
  if (type == G_TYPE_STRING)
    return "a string";
  if (type == G_TYPE_BOOLEAN)
    return "a boolean";
  if (type == G_TYPE_INT64)
    return "an integer";
  return "a number";
}

static gboolean
node_is_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static void
set_type_error (GError **error, const char *ctx, const char *key,
                const char *expected, JsonNode *found)
{
  g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
               "\"%s%s\" must be %s, found %s", ctx, key, expected, node_kind (found));
}

/* Optional string: absent or null gives NULL. */
static gboolean
read_opt_string (JsonObject *obj, const char *ctx, const char *key,
                 char **out, GError **error)
{
  JsonNode *node = json_object_get_member (obj, key);

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!node_is_string (node))
    {
      set_type_error (error, ctx, key, "a string", node);
      return FALSE;
    }
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
read_req_string (JsonObject *obj, const char *ctx, const char *key,
                 char **out, GError **error)
{
  JsonNode *node = json_object_get_member (obj, key);

  *out = NULL;
  if (node == NULL)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "missing required field \"%s%s\"", ctx, key);
      return FALSE;
    }
  if (!node_is_string (node))
    {
      set_type_error (error, ctx, key, "a string", node);
      return FALSE;
    }
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

/* Array of strings with serde's #[serde(default)]: absent gives an empty
 * list, null and non-string items are errors. */
static gboolean
read_string_list (JsonObject *obj, const char *ctx, const char *key,
                  GStrv *out, GError **error)
{
  JsonNode *node = json_object_get_member (obj, key);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  *out = NULL;
  if (node != NULL)
    {
      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          set_type_error (error, ctx, key, "an array of strings", node);
          return FALSE;
        }
      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);

          if (!node_is_string (item))
            {
              g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                           "\"%s%s[%u]\" must be a string, found %s",
                           ctx, key, i, node_kind (item));
              return FALSE;
            }
          g_strv_builder_add (builder, json_node_get_string (item));
        }
    }
  *out = g_strv_builder_end (builder);
  return TRUE;
}

/* Array of objects (absent gives none); returns the array or NULL with
 * an error. */
static gboolean
read_object_list (JsonObject *obj, const char *key, JsonArray **out, GError **error)
{
  JsonNode *node = json_object_get_member (obj, key);

  *out = NULL;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      set_type_error (error, "", key, "an array of objects", node);
      return FALSE;
    }
  *out = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (*out); i++)
    {
      JsonNode *item = json_array_get_element (*out, i);

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                       "\"%s[%u]\" must be an object, found %s", key, i, node_kind (item));
          return FALSE;
        }
    }
  return TRUE;
}

static void
add_warning (GPtrArray *warnings, char *message)
{
  if (warnings != NULL)
    g_ptr_array_add (warnings, message);
  else
    g_free (message);
}

static void
warn_unknown_fields (JsonObject *obj, const char *const *known,
                     const char *ctx, GPtrArray *warnings)
{
  g_autoptr(GList) members = json_object_get_members (obj);

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains (known, l->data))
        add_warning (warnings, g_strdup_printf ("unknown field \"%s%s\" is ignored",
                                                ctx, (const char *) l->data));
    }
}

/* ---- nested records --------------------------------------------------- */

static ArwPlatform *
parse_platform (JsonObject *obj, guint index, GPtrArray *warnings, GError **error)
{
  g_autofree char *ctx = g_strdup_printf ("platforms[%u].", index);
  ArwPlatform *platform = g_new0 (ArwPlatform, 1);

  if (!read_req_string (obj, ctx, "os", &platform->os, error) ||
      !read_req_string (obj, ctx, "arch", &platform->arch, error) ||
      !read_opt_string (obj, ctx, "min_version", &platform->min_version, error) ||
      !read_opt_string (obj, ctx, "notes", &platform->notes, error))
    {
      arw_platform_free (platform);
      return NULL;
    }
  warn_unknown_fields (obj, platform_fields, ctx, warnings);
  return platform;
}

static gboolean
read_size (JsonObject *obj, const char *ctx, ArwArtifact *artifact, GError **error)
{
  JsonNode *node = json_object_get_member (obj, "size_bytes");

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < 0)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "\"%ssize_bytes\" must be a non-negative integer, found %s",
                   ctx, node_kind (node));
      return FALSE;
    }
  artifact->size_bytes = (guint64) json_node_get_int (node);
  artifact->has_size = TRUE;
  return TRUE;
}

static void
check_sha256 (ArwArtifact *artifact, const char *ctx, GPtrArray *warnings)
{
  g_autofree char *trimmed = NULL;
  gboolean hex = TRUE;

  if (artifact->sha256 == NULL)
    return;
  trimmed = g_strstrip (g_strdup (artifact->sha256));
  for (const char *p = trimmed; *p != '\0'; p++)
    hex = hex && g_ascii_isxdigit (*p);
  if (hex && strlen (trimmed) == 64)
    return;
  if (g_str_has_prefix (trimmed, "sha256:"))
    add_warning (warnings, g_strdup_printf ("\"%ssha256\" has a \"sha256:\" prefix; "
                                            "ARW expects plain hex, so the download "
                                            "will fail verification", ctx));
  else
    add_warning (warnings, g_strdup_printf ("\"%ssha256\" is not 64 hex digits; the "
                                            "download will fail verification", ctx));
}

static ArwArtifact *
parse_artifact (JsonObject *obj, guint index, GPtrArray *warnings, GError **error)
{
  g_autofree char *ctx = g_strdup_printf ("artifacts[%u].", index);
  ArwArtifact *artifact = g_new0 (ArwArtifact, 1);

  if (!read_req_string (obj, ctx, "kind", &artifact->kind, error) ||
      !read_opt_string (obj, ctx, "format", &artifact->format, error) ||
      !read_opt_string (obj, ctx, "url", &artifact->url, error) ||
      !read_opt_string (obj, ctx, "sha256", &artifact->sha256, error) ||
      !read_size (obj, ctx, artifact, error) ||
      !read_opt_string (obj, ctx, "notes", &artifact->notes, error))
    {
      arw_artifact_free (artifact);
      return NULL;
    }
  check_sha256 (artifact, ctx, warnings);
  warn_unknown_fields (obj, artifact_fields, ctx, warnings);
  return artifact;
}

static gboolean
parse_support (JsonObject *obj, ArwBundle *self, GPtrArray *warnings, GError **error)
{
  JsonNode *node = json_object_get_member (obj, "support");
  JsonObject *sup;
  JsonNode *additional;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      set_type_error (error, "", "support", "an object", node);
      return FALSE;
    }
  sup = json_node_get_object (node);
  self->support = g_new0 (ArwSupport, 1);
  if (!read_opt_string (sup, "support.", "min_glibc", &self->support->min_glibc, error) ||
      !read_opt_string (sup, "support.", "min_macos", &self->support->min_macos, error) ||
      !read_opt_string (sup, "support.", "min_windows", &self->support->min_windows, error) ||
      !read_opt_string (sup, "support.", "driver_notes", &self->support->driver_notes, error))
    return FALSE;
  additional = json_object_get_member (sup, "additional");
  if (additional != NULL && !JSON_NODE_HOLDS_NULL (additional))
    self->support->additional = json_node_copy (additional);
  warn_unknown_fields (sup, support_fields, "support.", warnings);
  return TRUE;
}

/* ---- enums ------------------------------------------------------------ */

gboolean
arw_modality_is_valid (const char *modality)
{
  return modality != NULL && g_strv_contains (known_modalities, modality);
}

gboolean
arw_accelerator_is_valid (const char *accelerator)
{
  return accelerator != NULL && g_strv_contains (known_accelerators, accelerator);
}

/* The catalog value a misspelt or aliased accelerator most likely means,
 * or NULL when there is no good guess. */
const char *
arw_accelerator_suggest (const char *value)
{
  g_autofree char *norm = NULL;

  g_return_val_if_fail (value != NULL, NULL);

  norm = g_strstrip (g_ascii_strdown (value, -1));
  g_strdelimit (norm, "- ", '_');
  for (guint i = 0; known_accelerators[i] != NULL; i++)
    if (g_str_equal (norm, known_accelerators[i]))
      return known_accelerators[i];
  for (guint i = 0; i < G_N_ELEMENTS (accelerator_aliases); i++)
    if (g_str_equal (norm, accelerator_aliases[i].alias))
      return accelerator_aliases[i].value;
  return NULL;
}

static char *
modality_warning (const char *value)
{
  g_autofree char *norm = g_strstrip (g_ascii_strdown (value, -1));

  if (g_str_equal (norm, "pointer"))
    return g_strdup ("modality \"pointer\" is not supported by ARW catalogs "
                     "(only text, audio and vision); it was dropped");
  if (g_strv_contains (known_modalities, norm))
    return g_strdup_printf ("modality \"%s\" is not an ARW catalog value; use \"%s\" "
                            "(it was dropped)", value, norm);
  if (g_str_equal (norm, "image") || g_str_equal (norm, "camera"))
    return g_strdup_printf ("modality \"%s\" is not an ARW catalog value; use \"vision\" "
                            "(it was dropped)", value);
  if (g_str_equal (norm, "speech") || g_str_equal (norm, "voice"))
    return g_strdup_printf ("modality \"%s\" is not an ARW catalog value; use \"audio\" "
                            "(it was dropped)", value);
  return g_strdup_printf ("unknown modality \"%s\" was dropped (expected text, audio "
                          "or vision)", value);
}

static gboolean
parse_modalities (JsonObject *obj, ArwBundle *self, GPtrArray *warnings, GError **error)
{
  g_auto(GStrv) raw = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (!read_string_list (obj, "", "modalities", &raw, error))
    return FALSE;
  for (guint i = 0; raw[i] != NULL; i++)
    {
      if (arw_modality_is_valid (raw[i]))
        g_strv_builder_add (builder, raw[i]);
      else
        add_warning (warnings, modality_warning (raw[i]));
    }
  self->modalities = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
parse_accelerator (JsonObject *obj, ArwBundle *self, GPtrArray *warnings, GError **error)
{
  g_autofree char *value = NULL;
  const char *suggestion;

  if (!read_opt_string (obj, "", "accelerator", &value, error))
    return FALSE;
  if (value == NULL || arw_accelerator_is_valid (value))
    {
      self->accelerator = g_steal_pointer (&value);
      return TRUE;
    }
  suggestion = arw_accelerator_suggest (value);
  if (suggestion != NULL)
    add_warning (warnings, g_strdup_printf ("accelerator \"%s\" is not an ARW catalog value; "
                                            "use \"%s\" (it was dropped)", value, suggestion));
  else
    add_warning (warnings, g_strdup_printf ("unknown accelerator \"%s\" was dropped (expected "
                                            "cpu, gpu_cuda, gpu_rocm, gpu_metal, gpu_vulkan, "
                                            "npu_directml, npu_coreml, npu_other or other)",
                                            value));
  return TRUE;
}

static gboolean
parse_records (JsonObject *obj, ArwBundle *self, GPtrArray *warnings, GError **error)
{
  JsonArray *array = NULL;

  if (!read_object_list (obj, "platforms", &array, error))
    return FALSE;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      ArwPlatform *platform = parse_platform (json_array_get_object_element (array, i),
                                              i, warnings, error);
      if (platform == NULL)
        return FALSE;
      g_ptr_array_add (self->platforms, platform);
    }
  if (!read_object_list (obj, "artifacts", &array, error))
    return FALSE;
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      ArwArtifact *artifact = parse_artifact (json_array_get_object_element (array, i),
                                              i, warnings, error);
      if (artifact == NULL)
        return FALSE;
      g_ptr_array_add (self->artifacts, artifact);
    }
  return TRUE;
}

static gboolean
parse_adapter (JsonObject *obj, ArwBundle *self, GError **error)
{
  JsonNode *node = json_object_get_member (obj, "adapter");

  if (node == NULL)
    {
      self->adapter = g_strdup ("process");
      return TRUE;
    }
  return read_req_string (obj, "", "adapter", &self->adapter, error);
}

/**
 * arw_bundle_new_from_json:
 * @node: a catalog bundle object
 * @warnings: (nullable) (element-type utf8): receives a message for every
 *   value that was dropped or ignored
 * @error: set when the bundle cannot be used (missing id or name, wrong
 *   types); messages name the offending field as a path such as
 *   "artifacts[1].kind"
 *
 * Returns: (transfer full): the bundle, or %NULL with @error set
 */
ArwBundle *
arw_bundle_new_from_json (JsonNode *node, GPtrArray *warnings, GError **error)
{
  g_autoptr(ArwBundle) self = NULL;
  JsonObject *obj;
  JsonNode *metadata;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "a bundle must be a JSON object, found %s", node_kind (node));
      return NULL;
    }
  obj = json_node_get_object (node);
  self = arw_bundle_alloc ();
  if (!read_req_string (obj, "", "id", &self->id, error))
    return NULL;
  if (*self->id == '\0')
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                           "\"id\" is empty; give the bundle a stable identifier");
      return NULL;
    }
  if (!read_req_string (obj, "", "name", &self->name, error) ||
      !read_opt_string (obj, "", "description", &self->description, error) ||
      !parse_adapter (obj, self, error) ||
      !parse_modalities (obj, self, warnings, error) ||
      !parse_accelerator (obj, self, warnings, error) ||
      !read_string_list (obj, "", "profiles", &self->profiles, error) ||
      !parse_records (obj, self, warnings, error) ||
      !read_string_list (obj, "", "notes", &self->notes, error) ||
      !read_opt_string (obj, "", "license", &self->license, error) ||
      !parse_support (obj, self, warnings, error))
    return NULL;
  metadata = json_object_get_member (obj, "metadata");
  if (metadata != NULL && !JSON_NODE_HOLDS_NULL (metadata))
    self->metadata = json_node_copy (metadata);
  warn_unknown_fields (obj, bundle_fields, "", warnings);
  return g_steal_pointer (&self);
}

/* ---- accessors -------------------------------------------------------- */

const char *
arw_bundle_get_id (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->id;
}

const char *
arw_bundle_get_name (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->name;
}

const char *
arw_bundle_get_description (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->description;
}

const char *
arw_bundle_get_adapter (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->adapter;
}

const char *const *
arw_bundle_get_modalities (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char *const *) self->modalities;
}

gboolean
arw_bundle_has_modality (ArwBundle *self, const char *modality)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (modality != NULL, FALSE);
  return g_strv_contains ((const char *const *) self->modalities, modality);
}

const char *
arw_bundle_get_accelerator (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->accelerator;
}

const char *const *
arw_bundle_get_profiles (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char *const *) self->profiles;
}

/* Returns: (transfer none) (element-type ArwPlatform) */
GPtrArray *
arw_bundle_get_platforms (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->platforms;
}

/* Returns: (transfer none) (element-type ArwArtifact) */
GPtrArray *
arw_bundle_get_artifacts (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->artifacts;
}

const char *const *
arw_bundle_get_notes (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char *const *) self->notes;
}

const char *
arw_bundle_get_license (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->license;
}

const ArwSupport *
arw_bundle_get_support (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->support;
}

/* Returns: (transfer none) (nullable): the "metadata" value */
JsonNode *
arw_bundle_get_metadata (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->metadata;
}

static JsonNode *
metadata_member (ArwBundle *self, const char *key)
{
  if (self->metadata == NULL || !JSON_NODE_HOLDS_OBJECT (self->metadata))
    return NULL;
  return json_object_get_member (json_node_get_object (self->metadata), key);
}

/* Returns: (transfer none) (nullable): metadata.process when it is an object */
JsonObject *
arw_bundle_get_process_metadata (ArwBundle *self)
{
  JsonNode *process;

  g_return_val_if_fail (self != NULL, NULL);

  process = metadata_member (self, "process");
  if (process == NULL || !JSON_NODE_HOLDS_OBJECT (process))
    return NULL;
  return json_node_get_object (process);
}

/* Whether metadata.process.command is a non-blank string, which is what
 * makes ARW's resolver register the bundle as a runtime (§6.1). */
gboolean
arw_bundle_has_process_command (ArwBundle *self)
{
  JsonObject *process;
  JsonNode *command;
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  process = arw_bundle_get_process_metadata (self);
  if (process == NULL)
    return FALSE;
  command = json_object_get_member (process, "command");
  if (command == NULL || !node_is_string (command))
    return FALSE;
  trimmed = g_strstrip (g_strdup (json_node_get_string (command)));
  return *trimmed != '\0';
}

/* ---- consent ---------------------------------------------------------- */

gboolean
arw_bundle_needs_consent_overlay (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return arw_bundle_has_modality (self, "audio") || arw_bundle_has_modality (self, "vision");
}

ArwConsentState
arw_bundle_get_consent_state (ArwBundle *self)
{
  JsonNode *consent;
  JsonNode *required;

  g_return_val_if_fail (self != NULL, ARW_CONSENT_MALFORMED);

  consent = metadata_member (self, "consent");
  if (consent == NULL)
    return arw_bundle_needs_consent_overlay (self) ? ARW_CONSENT_MISSING : ARW_CONSENT_NOT_NEEDED;
  if (!JSON_NODE_HOLDS_OBJECT (consent))
    return ARW_CONSENT_MALFORMED;
  required = json_object_get_member (json_node_get_object (consent), "required");
  if (required == NULL || !JSON_NODE_HOLDS_VALUE (required))
    return ARW_CONSENT_UNSPECIFIED;
  if (json_node_get_value_type (required) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (required) ? ARW_CONSENT_REQUIRED : ARW_CONSENT_OPTIONAL;
  if (json_node_get_value_type (required) == G_TYPE_STRING)
    {
      g_autofree char *text = g_strstrip (g_strdup (json_node_get_string (required)));
      if (*text != '\0')
        return ARW_CONSENT_REQUIRED;
    }
  return ARW_CONSENT_UNSPECIFIED;
}

/* metadata.consent.required is true or a non-empty string (§1.3). */
gboolean
arw_bundle_get_consent_required (ArwBundle *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return arw_bundle_get_consent_state (self) == ARW_CONSENT_REQUIRED;
}

static void
add_trimmed (GStrvBuilder *builder, JsonNode *node)
{
  g_autofree char *text = NULL;

  if (!node_is_string (node))
    return;
  text = g_strstrip (g_strdup (json_node_get_string (node)));
  if (*text != '\0')
    g_strv_builder_add (builder, text);
}

/* consent.modalities (an array of strings or one string, trimmed, blanks
 * dropped); when that is empty, the bundle's own modalities, as ARW's CLI
 * does. Returns: (transfer full) */
GStrv
arw_bundle_get_consent_modalities (ArwBundle *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) result = NULL;
  JsonNode *consent;
  JsonNode *mods = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  consent = metadata_member (self, "consent");
  if (consent != NULL && JSON_NODE_HOLDS_OBJECT (consent))
    mods = json_object_get_member (json_node_get_object (consent), "modalities");
  if (mods != NULL && JSON_NODE_HOLDS_ARRAY (mods))
    {
      JsonArray *array = json_node_get_array (mods);
      for (guint i = 0; i < json_array_get_length (array); i++)
        add_trimmed (builder, json_array_get_element (array, i));
    }
  else if (mods != NULL)
    add_trimmed (builder, mods);
  result = g_strv_builder_end (builder);
  if (result[0] == NULL)
    return g_strdupv (self->modalities);
  return g_steal_pointer (&result);
}

/* Returns: (transfer full) (nullable): the trimmed consent note */
char *
arw_bundle_get_consent_note (ArwBundle *self)
{
  JsonNode *consent;
  JsonNode *note;
  g_autofree char *text = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  consent = metadata_member (self, "consent");
  if (consent == NULL || !JSON_NODE_HOLDS_OBJECT (consent))
    return NULL;
  note = json_object_get_member (json_node_get_object (consent), "note");
  if (note == NULL || !node_is_string (note))
    return NULL;
  text = g_strstrip (g_strdup (json_node_get_string (note)));
  return *text != '\0' ? g_steal_pointer (&text) : NULL;
}

/**
 * arw_bundle_consent_summary:
 *
 * The "consent: …" line of `bundles list` (§5.4), worded as ARW's CLI
 * words it. One difference: a non-empty string "required" counts as
 * required here (ARW shows it as unspecified).
 *
 * Returns: (transfer full): the line, without indentation
 */
char *
arw_bundle_consent_summary (ArwBundle *self)
{
  ArwConsentState state;
  g_auto(GStrv) mods = NULL;
  g_autofree char *label = NULL;
  g_autofree char *note = NULL;
  g_autofree char *suffix = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  state = arw_bundle_get_consent_state (self);
  if (state == ARW_CONSENT_NOT_NEEDED)
    return g_strdup ("consent: not required (text-only runtime)");
  if (state == ARW_CONSENT_MISSING)
    {
      label = g_strjoinv (", ", self->modalities);
      return g_strdup_printf ("consent: missing metadata for %s modalities "
                              "(add `metadata.consent` to the bundle catalog)", label);
    }
  if (state == ARW_CONSENT_MALFORMED)
    return g_strdup ("consent: metadata present but malformed (expected object)");

  mods = arw_bundle_get_consent_modalities (self);
  label = mods[0] != NULL ? g_strjoinv (", ", mods) : g_strdup ("unspecified");
  note = arw_bundle_get_consent_note (self);
  suffix = note != NULL ? g_strdup_printf (" – %s", note) : g_strdup ("");
  if (state == ARW_CONSENT_REQUIRED)
    return g_strdup_printf ("consent: required (%s)%s", label, suffix);
  if (state == ARW_CONSENT_OPTIONAL)
    return g_strdup_printf ("consent: optional (%s)%s", label, suffix);
  if (arw_bundle_needs_consent_overlay (self))
    return g_strdup_printf ("consent: annotate requirement for %s modalities%s", label, suffix);
  return g_strdup_printf ("consent: not specified (%s)%s", label, suffix);
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

static JsonObject *
artifact_to_json (const ArwArtifact *artifact)
{
  JsonObject *obj = json_object_new ();

  set_opt_string (obj, "format", artifact->format);
  json_object_set_string_member (obj, "kind", artifact->kind);
  set_opt_string (obj, "notes", artifact->notes);
  set_opt_string (obj, "sha256", artifact->sha256);
  if (artifact->has_size)
    json_object_set_int_member (obj, "size_bytes", (gint64) artifact->size_bytes);
  else
    json_object_set_null_member (obj, "size_bytes");
  set_opt_string (obj, "url", artifact->url);
  return obj;
}

static JsonObject *
platform_to_json (const ArwPlatform *platform)
{
  JsonObject *obj = json_object_new ();

  json_object_set_string_member (obj, "arch", platform->arch);
  set_opt_string (obj, "min_version", platform->min_version);
  set_opt_string (obj, "notes", platform->notes);
  json_object_set_string_member (obj, "os", platform->os);
  return obj;
}

static JsonNode *
support_to_json (const ArwSupport *support)
{
  JsonObject *obj;

  if (support == NULL)
    return json_node_new (JSON_NODE_NULL);
  obj = json_object_new ();
  if (support->additional != NULL)
    json_object_set_member (obj, "additional", json_node_copy (support->additional));
  else
    json_object_set_null_member (obj, "additional");
  set_opt_string (obj, "driver_notes", support->driver_notes);
  set_opt_string (obj, "min_glibc", support->min_glibc);
  set_opt_string (obj, "min_macos", support->min_macos);
  set_opt_string (obj, "min_windows", support->min_windows);
  {
    JsonNode *node = json_node_new (JSON_NODE_OBJECT);
    json_node_take_object (node, obj);
    return node;
  }
}

/**
 * arw_bundle_to_json:
 *
 * Re-serialises the bundle the way ARW's install does (§1 "Serialisation
 * caveat"): every absent optional field is an explicit null, absent arrays
 * are [], unknown fields are gone. Keys are inserted in sorted order.
 *
 * Returns: (transfer full): a new object node
 */
JsonNode *
arw_bundle_to_json (ArwBundle *self)
{
  JsonObject *obj;
  JsonArray *platforms;
  JsonArray *artifacts;

  g_return_val_if_fail (self != NULL, NULL);

  obj = json_object_new ();
  platforms = json_array_new ();
  artifacts = json_array_new ();
  for (guint i = 0; i < self->artifacts->len; i++)
    json_array_add_object_element (artifacts, artifact_to_json (self->artifacts->pdata[i]));
  for (guint i = 0; i < self->platforms->len; i++)
    json_array_add_object_element (platforms, platform_to_json (self->platforms->pdata[i]));

  set_opt_string (obj, "accelerator", self->accelerator);
  json_object_set_string_member (obj, "adapter", self->adapter);
  json_object_set_array_member (obj, "artifacts", artifacts);
  set_opt_string (obj, "description", self->description);
  json_object_set_string_member (obj, "id", self->id);
  set_opt_string (obj, "license", self->license);
  if (self->metadata != NULL)
    json_object_set_member (obj, "metadata", json_node_copy (self->metadata));
  else
    json_object_set_null_member (obj, "metadata");
  json_object_set_array_member (obj, "modalities", strv_to_array (self->modalities));
  json_object_set_string_member (obj, "name", self->name);
  json_object_set_array_member (obj, "notes", strv_to_array (self->notes));
  json_object_set_array_member (obj, "platforms", platforms);
  json_object_set_array_member (obj, "profiles", strv_to_array (self->profiles));
  json_object_set_member (obj, "support", support_to_json (self->support));
  {
    JsonNode *node = json_node_new (JSON_NODE_OBJECT);
    json_node_take_object (node, obj);
    return node;
  }
}

/* ---- install directory name ------------------------------------------- */

/**
 * arw_bundle_dir_name:
 * @id: a bundle id
 *
 * The flat, hashed directory name ARW's CLI installs @id under (§3.2):
 * ASCII letters, digits, '-', '_' and '.' are kept, '/' and '\' become
 * "__", any other character becomes one '_' (an empty result becomes
 * "bundle"), then "__" and the hex of the first 4 bytes of SHA-256(id).
 *
 * Returns: (transfer full): the directory name
 */
char *
arw_bundle_dir_name (const char *id)
{
  GString *name;
  guint8 digest[ARW_SHA256_DIGEST_SIZE];
  char hex[9];
  const char *p;
  const char *end;

  g_return_val_if_fail (id != NULL, NULL);

  name = g_string_new (NULL);
  end = id + strlen (id);
  for (p = id; p < end;)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* Not UTF-8: one '_' per stray byte. */
          g_string_append_c (name, '_');
          p++;
          continue;
        }
      if (c < 0x80 && (g_ascii_isalnum (c) || c == '-' || c == '_' || c == '.'))
        g_string_append_c (name, (char) c);
      else if (c == '/' || c == '\\')
        g_string_append (name, "__");
      else
        g_string_append_c (name, '_');
      p = g_utf8_next_char (p);
    }
  if (name->len == 0)
    g_string_append (name, "bundle");
  arw_sha256_digest (id, strlen (id), digest);
  arw_hex_encode (digest, 4, hex);
  hex[8] = '\0';
  g_string_append_printf (name, "__%s", hex);
  return g_string_free (name, FALSE);
}
