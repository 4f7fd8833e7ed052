/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "arw-base64.h"
#include "arw-error.h"
#include "arw-paths.h"
#include "arw-signer-registry.h"

#define REGISTRY_MAX_SIZE (1024 * 1024)
#define REGISTRY_MAX_DEPTH 32

struct _ArwSignerRegistry {
  gatomicrefcount ref_count;
  char *path;
  GPtrArray *signers; /* ArwSigner */
};

static void
signer_free (ArwSigner *signer)
{
  g_free (signer->key_id);
  g_free (signer->public_key_b64);
  g_free (signer->issuer);
  g_free (signer->notes);
  g_free (signer->expires_at);
  g_clear_pointer (&signer->expires, g_date_time_unref);
  g_strfreev (signer->channels);
  g_free (signer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwSigner, signer_free)

/* Rust's str::trim(): Unicode White_Space at both ends. */
static char *
trim_dup (const char *s)
{
  const char *start = s, *end = s + strlen (s);

  while (*start != '\0' && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);
  while (end > start)
    {
      const char *prev = g_utf8_find_prev_char (start, end);
      if (prev == NULL || !g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }
  return g_strndup (start, end - start);
}

/* json-glib recurses per nesting level; refuse absurd nesting first. */
static gboolean
check_depth (const char *data, gsize len, GError **error)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > REGISTRY_MAX_DEPTH)
            {
              g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                           "JSON nested deeper than %d levels", REGISTRY_MAX_DEPTH);
              return FALSE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

/* An optional string member: absent or null → NULL; blank → NULL. */
static gboolean
get_optional_string (JsonObject *obj, const char *name, char **out, GError **error)
{
  JsonNode *node = json_object_get_member (obj, name);
  g_autofree char *trimmed = NULL;

  *out = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "%s must be a string", name);
      return FALSE;
    }
  trimmed = trim_dup (json_node_get_string (node));
  if (*trimmed != '\0')
    *out = g_steal_pointer (&trimmed);
  return TRUE;
}

static gboolean
get_required_string (JsonObject *obj, const char *name, char **out, GError **error)
{
  if (!get_optional_string (obj, name, out, error))
    return FALSE;
  if (*out == NULL)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "%s is missing or empty", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_channels (JsonObject *obj, ArwSigner *signer, GError **error)
{
  JsonNode *node = json_object_get_member (obj, "channels");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                               "channels must be an array of strings");
          return FALSE;
        }
      array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          g_autofree char *channel = NULL;

          if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
            {
              g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                                   "channels must be an array of strings");
              return FALSE;
            }
          channel = trim_dup (json_node_get_string (item));
          if (*channel != '\0')
            g_strv_builder_add (builder, channel);
        }
    }
  signer->channels = g_strv_builder_end (builder);
  return TRUE;
}

/* RFC 3339 only (GLib's ISO 8601 parser also takes week dates and the
 * like): YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM). */
static GDateTime *
parse_rfc3339 (const char *text)
{
  static const char pattern[] =
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$";
  g_autofree char *normal = NULL;

  if (!g_regex_match_simple (pattern, text, 0, 0))
    return NULL;
  normal = g_ascii_strup (text, -1);
  normal[10] = 'T';
  return g_date_time_new_from_iso8601 (normal, NULL);
}

static ArwSigner *
parse_signer (JsonNode *node, GError **error)
{
  g_autoptr(ArwSigner) signer = g_new0 (ArwSigner, 1);
  g_autoptr(GError) error_local = NULL;
  JsonObject *obj;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "entry is not an object");
      return NULL;
    }
  obj = json_node_get_object (node);
  if (!get_required_string (obj, "key_id", &signer->key_id, error) ||
      !get_required_string (obj, "public_key_b64", &signer->public_key_b64, error) ||
      !get_optional_string (obj, "issuer", &signer->issuer, error) ||
      !get_optional_string (obj, "notes", &signer->notes, error) ||
      !get_optional_string (obj, "expires_at", &signer->expires_at, error) ||
      !parse_channels (obj, signer, error))
    return NULL;

  if (!arw_base64_decode_exact (signer->public_key_b64, -1, signer->public_key,
                                sizeof signer->public_key, &error_local))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "public_key_b64 is not the standard base64 of a 32-byte ed25519 key (%s)",
                   error_local->message);
      return NULL;
    }
  if (signer->expires_at != NULL)
    {
      signer->expires = parse_rfc3339 (signer->expires_at);
      if (signer->expires == NULL)
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                       "expires_at \"%s\" is not an RFC 3339 timestamp such as 2026-01-31T00:00:00Z",
                       signer->expires_at);
          return NULL;
        }
    }
  return g_steal_pointer (&signer);
}

static gboolean
check_duplicates (GPtrArray *signers, const ArwSigner *signer, GError **error)
{
  for (guint i = 0; i < signers->len; i++)
    {
      const ArwSigner *other = g_ptr_array_index (signers, i);

      if (g_strcmp0 (other->key_id, signer->key_id) == 0)
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                       "duplicate key_id (also used by signers[%u])", i);
          return FALSE;
        }
      if (g_strcmp0 (other->public_key_b64, signer->public_key_b64) == 0)
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                       "duplicate public_key_b64 (also used by signers[%u] \"%s\")",
                       i, other->key_id);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
parse_signers (JsonObject *root, GPtrArray *signers, GError **error)
{
  JsonNode *node = json_object_get_member (root, "signers");
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "\"signers\" must be an array");
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autoptr(GError) error_local = NULL;
      g_autoptr(ArwSigner) signer = parse_signer (item, &error_local);

      if (signer == NULL || !check_duplicates (signers, signer, &error_local))
        {
          const char *key_id = NULL;
          if (JSON_NODE_HOLDS_OBJECT (item))
            key_id = json_object_get_string_member_with_default (json_node_get_object (item),
                                                                 "key_id", NULL);
          if (key_id != NULL)
            g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "signers[%u] (key_id \"%s\"): %s",
                         i, key_id, error_local->message);
          else
            g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "signers[%u]: %s",
                         i, error_local->message);
          return FALSE;
        }
      g_ptr_array_add (signers, g_steal_pointer (&signer));
    }
  return TRUE;
}

static gboolean
check_version (JsonObject *root, GError **error)
{
  JsonNode *node = json_object_get_member (root, "version");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < 0 || json_node_get_int (node) > G_MAXUINT32)
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                           "\"version\" must be a non-negative integer (1)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_registry (const char *data, gsize len, GPtrArray *signers, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (len > REGISTRY_MAX_SIZE)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "file is larger than %d bytes", REGISTRY_MAX_SIZE);
      return FALSE;
    }
  if (!check_depth (data, len, error))
    return FALSE;
  if (!json_parser_load_from_data (parser, data, len, error))
    return FALSE;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "root must be a JSON object");
      return FALSE;
    }
  return check_version (json_node_get_object (root), error) &&
         parse_signers (json_node_get_object (root), signers, error);
}

ArwSignerRegistry *
arw_signer_registry_new_from_data (const char *data, gssize len, const char *origin, GError **error)
{
  g_autoptr(GPtrArray) signers = g_ptr_array_new_with_free_func ((GDestroyNotify) signer_free);
  g_autoptr(GError) error_local = NULL;
  ArwSignerRegistry *self;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len < 0)
    len = strlen (data);
  if (!parse_registry (data, len, signers, &error_local))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "%s: %s",
                   origin != NULL ? origin : "signer registry", error_local->message);
      return NULL;
    }
  self = g_new0 (ArwSignerRegistry, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->path = g_strdup (origin);
  self->signers = g_steal_pointer (&signers);
  return self;
}

ArwSignerRegistry *
arw_signer_registry_new_from_file (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error_local = NULL;
  gsize len = 0;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_stat (path, &st) == 0 && (!S_ISREG (st.st_mode) || st.st_size > REGISTRY_MAX_SIZE))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "%s: not a regular file of at most %d bytes", path, REGISTRY_MAX_SIZE);
      return NULL;
    }
  if (!g_file_get_contents (path, &data, &len, &error_local))
    {
      gboolean missing = g_error_matches (error_local, G_FILE_ERROR, G_FILE_ERROR_NOENT);
      g_set_error (error, ARW_ERROR, missing ? ARW_ERROR_NOT_FOUND : ARW_ERROR_FAILED,
                   "cannot read %s: %s", path,
                   missing ? "no such file" : error_local->message);
      return NULL;
    }
  return arw_signer_registry_new_from_data (data, len, path, error);
}

ArwSignerRegistry *
arw_signer_registry_ref (ArwSignerRegistry *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
arw_signer_registry_unref (ArwSignerRegistry *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->path);
  g_ptr_array_unref (self->signers);
  g_free (self);
}

const char *
arw_signer_registry_get_path (ArwSignerRegistry *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

guint
arw_signer_registry_get_n_signers (ArwSignerRegistry *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->signers->len;
}

const ArwSigner *
arw_signer_registry_get_signer (ArwSignerRegistry *self, guint index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->signers->len, NULL);
  return g_ptr_array_index (self->signers, index);
}

const ArwSigner *
arw_signer_registry_find_by_key_id (ArwSignerRegistry *self, const char *key_id)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; key_id != NULL && i < self->signers->len; i++)
    {
      const ArwSigner *signer = g_ptr_array_index (self->signers, i);
      if (strcmp (signer->key_id, key_id) == 0)
        return signer;
    }
  return NULL;
}

const ArwSigner *
arw_signer_registry_find_by_public_key (ArwSignerRegistry *self, const char *public_key_b64)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; public_key_b64 != NULL && i < self->signers->len; i++)
    {
      const ArwSigner *signer = g_ptr_array_index (self->signers, i);
      if (strcmp (signer->public_key_b64, public_key_b64) == 0)
        return signer;
    }
  return NULL;
}

gboolean
arw_signer_allows_channel (const ArwSigner *signer, const char *channel)
{
  g_autofree char *wanted = NULL;

  g_return_val_if_fail (signer != NULL, FALSE);

  if (signer->channels[0] == NULL)
    return TRUE;
  if (channel == NULL)
    return FALSE;
  wanted = trim_dup (channel);
  if (*wanted == '\0')
    return FALSE;
  for (guint i = 0; signer->channels[i] != NULL; i++)
    {
      const char *allowed = signer->channels[i];
      if (strcmp (allowed, "*") == 0 || g_ascii_strcasecmp (allowed, "all") == 0 ||
          g_ascii_strcasecmp (allowed, wanted) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
arw_signer_is_expired (const ArwSigner *signer, GDateTime *now)
{
  g_autoptr(GDateTime) now_local = NULL;

  g_return_val_if_fail (signer != NULL, TRUE);

  if (signer->expires == NULL)
    return FALSE;
  if (now == NULL)
    now = now_local = g_date_time_new_now_utc ();
  return g_date_time_compare (now, signer->expires) >= 0;
}

ArwSignerTrust
arw_signer_registry_check (ArwSignerRegistry *self, const char *public_key_b64,
                           const char *channel, GDateTime *now, const ArwSigner **out_signer)
{
  const ArwSigner *signer;

  g_return_val_if_fail (self != NULL, ARW_SIGNER_TRUST_UNKNOWN_KEY);

  signer = arw_signer_registry_find_by_public_key (self, public_key_b64);
  if (out_signer != NULL)
    *out_signer = signer;
  if (signer == NULL)
    return ARW_SIGNER_TRUST_UNKNOWN_KEY;
  if (arw_signer_is_expired (signer, now))
    return ARW_SIGNER_TRUST_EXPIRED;
  if (!arw_signer_allows_channel (signer, channel))
    return ARW_SIGNER_TRUST_WRONG_CHANNEL;
  return ARW_SIGNER_TRUST_TRUSTED;
}

char *
arw_signer_registry_locate (void)
{
  const char *env = g_getenv ("ARW_RUNTIME_BUNDLE_SIGNERS");

  if (env != NULL)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (env));
      if (*trimmed != '\0')
        return g_steal_pointer (&trimmed);
    }
  return arw_paths_find_config_file ("runtime/bundle_signers.json");
}

ArwSignerRegistryLoad *
arw_signer_registry_load_path (const char *path)
{
  ArwSignerRegistryLoad *self = g_new0 (ArwSignerRegistryLoad, 1);

  if (path == NULL)
    {
      self->state = ARW_SIGNER_REGISTRY_ABSENT;
      return self;
    }
  self->path = g_strdup (path);
  self->registry = arw_signer_registry_new_from_file (path, &self->error);
  self->state = self->registry != NULL ? ARW_SIGNER_REGISTRY_LOADED : ARW_SIGNER_REGISTRY_FAILED;
  return self;
}

ArwSignerRegistryLoad *
arw_signer_registry_load_default (void)
{
  g_autofree char *path = arw_signer_registry_locate ();

  return arw_signer_registry_load_path (path);
}

void
arw_signer_registry_load_free (ArwSignerRegistryLoad *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_clear_pointer (&self->registry, arw_signer_registry_unref);
  g_clear_error (&self->error);
  g_free (self);
}

gboolean
arw_signer_registry_load_require (const ArwSignerRegistryLoad *self, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  switch (self->state)
    {
    case ARW_SIGNER_REGISTRY_ABSENT:
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_UNTRUSTED,
                           "trusted signatures are required but no runtime bundle signer registry "
                           "was found: set ARW_RUNTIME_BUNDLE_SIGNERS to a bundle_signers.json file "
                           "or install configs/runtime/bundle_signers.json");
      return FALSE;
    case ARW_SIGNER_REGISTRY_FAILED:
      g_set_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED,
                   "trusted signatures are required but the runtime bundle signer registry "
                   "failed to load: %s", self->error->message);
      return FALSE;
    case ARW_SIGNER_REGISTRY_LOADED:
    default:
      break;
    }
  if (arw_signer_registry_get_n_signers (self->registry) == 0)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED,
                   "trusted signatures are required but the runtime bundle signer registry %s "
                   "lists no signers: add the publisher's key to it", self->path);
      return FALSE;
    }
  return TRUE;
}
