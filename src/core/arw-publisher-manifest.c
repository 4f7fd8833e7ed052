/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-catalog.h"
#include "arw-download.h"
#include "arw-error.h"
#include "arw-publisher-manifest.h"

void
arw_publisher_manifest_free (ArwPublisherManifest *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->data, g_bytes_unref);
  g_clear_pointer (&self->verification, arw_manifest_verification_free);
  g_clear_pointer (&self->bundle, arw_bundle_unref);
  g_free (self);
}

static JsonObject *
bundle_member (JsonNode *root, GError **error)
{
  JsonNode *bundle = JSON_NODE_HOLDS_OBJECT (root)
                       ? json_object_get_member (json_node_get_object (root), "bundle") : NULL;

  if (bundle == NULL || !JSON_NODE_HOLDS_OBJECT (bundle))
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                           "the signed bundle manifest has no \"bundle\" object");
      return NULL;
    }
  return json_node_get_object (bundle);
}

ArwPublisherManifest *
arw_publisher_manifest_new (GBytes *data, ArwSignerRegistry *registry, GError **error)
{
  g_autoptr(ArwPublisherManifest) self = g_new0 (ArwPublisherManifest, 1);
  g_autoptr(JsonNode) root = NULL;
  JsonObject *bundle;
  JsonNode *rev;
  gsize len = 0;
  const char *text;

  g_return_val_if_fail (data != NULL, NULL);

  text = g_bytes_get_data (data, &len);
  self->data = g_bytes_ref (data);
  root = arw_catalog_parse_json (text, len, NULL, NULL, error);
  if (root == NULL || (bundle = bundle_member (root, error)) == NULL)
    {
      g_prefix_error (error, "invalid signed bundle manifest: ");
      return NULL;
    }
  self->bundle = arw_bundle_new_from_json (json_object_get_member (json_node_get_object (root), "bundle"),
                                           NULL, error);
  if (self->bundle == NULL)
    {
      g_prefix_error (error, "invalid signed bundle manifest: ");
      return NULL;
    }
  rev = json_object_get_member (bundle, "revision");
  self->revision = rev != NULL && JSON_NODE_HOLDS_VALUE (rev) && json_node_get_value_type (rev) == G_TYPE_INT64
                     ? json_node_get_int (rev) : -1;
  self->verification = arw_manifest_verify (text, (gssize) len, registry, error);
  if (self->verification == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

static const char *
first_problem (const ArwManifestVerification *v)
{
  for (guint i = 0; i < v->signatures->len; i++)
    {
      const ArwManifestSignatureReport *r = g_ptr_array_index (v->signatures, i);
      if (r->error != NULL)
        return r->error;
    }
  return v->warnings->len > 0 ? g_ptr_array_index (v->warnings, 0) : "no valid signature";
}

gboolean
arw_publisher_manifest_check (ArwPublisherManifest *self, const char *bundle_id,
                              const char *catalog_channel, gboolean require_trusted,
                              gboolean registry_available, GError **error)
{
  const char *channel;

  g_return_val_if_fail (self != NULL && bundle_id != NULL, FALSE);

  if (g_strcmp0 (arw_bundle_get_id (self->bundle), bundle_id) != 0)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "the signed bundle manifest is for bundle %s, not %s; the catalog entry is wrong "
                   "or was tampered with", arw_bundle_get_id (self->bundle), bundle_id);
      return FALSE;
    }
  channel = self->verification->channel;
  if (channel != NULL && catalog_channel != NULL && g_ascii_strcasecmp (channel, catalog_channel) != 0)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "the signed bundle manifest is for channel %s, but the catalog is channel %s",
                   channel, catalog_channel);
      return FALSE;
    }
  if (!arw_manifest_verification_is_verified (self->verification))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_SIGNATURE_INVALID,
                   "refusing to install bundle %s: bundle manifest verification failed (%s); the signed "
                   "manifest was changed after signing or is damaged, nothing was installed",
                   bundle_id, first_problem (self->verification));
      return FALSE;
    }
  if (!arw_manifest_verification_check_policy (self->verification, require_trusted, registry_available, error))
    {
      g_prefix_error (error, "refusing to install bundle %s: ", bundle_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
arw_publisher_manifest_check_revision (ArwPublisherManifest *self, const char *bundle_id,
                                       gboolean have_live, gint64 live_revision,
                                       gboolean allow_downgrade, GError **error)
{
  g_return_val_if_fail (self != NULL && bundle_id != NULL, FALSE);

  if (!have_live || allow_downgrade || self->revision >= live_revision)
    return TRUE;
  if (self->revision < 0)
    g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                 "refusing to install bundle %s: the signed manifest has no revision but revision %"
                 G_GINT64_FORMAT " is installed (possible rollback attack)", bundle_id, live_revision);
  else
    g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                 "refusing to install revision %" G_GINT64_FORMAT " of bundle %s over installed revision %"
                 G_GINT64_FORMAT " (possible rollback attack); use `bundles rollback` to return to a "
                 "revision from history, or --allow-downgrade if you really mean it",
                 self->revision, bundle_id, live_revision);
  return FALSE;
}

static gboolean
entry_matches (const ArwArtifact *entry, const ArwArtifact *artifact)
{
  if (g_strcmp0 (entry->kind, artifact->kind) != 0 || entry->sha256 == NULL)
    return FALSE;
  if (entry->url != NULL && artifact->url != NULL && g_str_equal (entry->url, artifact->url))
    return TRUE;
  return artifact->sha256 != NULL && arw_download_sha256_equal (entry->sha256, artifact->sha256);
}

const char *
arw_publisher_manifest_pin (ArwPublisherManifest *self, const ArwArtifact *artifact, GError **error)
{
  GPtrArray *entries;

  g_return_val_if_fail (self != NULL && artifact != NULL, NULL);

  entries = arw_bundle_get_artifacts (self->bundle);
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      const ArwArtifact *entry = g_ptr_array_index (entries, i);

      if (!entry_matches (entry, artifact))
        continue;
      if (artifact->sha256 != NULL && !arw_download_sha256_equal (entry->sha256, artifact->sha256))
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                       "the catalog and the signed bundle manifest disagree about the sha256 of %s; "
                       "refusing to install it", artifact->url);
          return NULL;
        }
      return entry->sha256;
    }
  g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
               "artifact %s (%s) is not listed with a sha256 in the signed bundle manifest; refusing to "
               "install an unsigned artifact", artifact->url != NULL ? artifact->url : "without URL",
               artifact->kind);
  return NULL;
}

gboolean
arw_publisher_manifest_check_covered (ArwPublisherManifest *self, GPtrArray *artifacts,
                                      ArwArtifactFilterFunc is_selected, gpointer user_data,
                                      GError **error)
{
  GPtrArray *entries;

  g_return_val_if_fail (self != NULL, FALSE);

  entries = arw_bundle_get_artifacts (self->bundle);
  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      const ArwArtifact *entry = g_ptr_array_index (entries, i);
      gboolean found = FALSE;

      if (entry->sha256 == NULL || (is_selected != NULL && !is_selected (entry, user_data)))
        continue;
      for (guint j = 0; !found && artifacts != NULL && j < artifacts->len; j++)
        found = entry_matches (entry, g_ptr_array_index (artifacts, j));
      if (!found)
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                       "the signed bundle manifest lists %s artifact %s that the catalog does not offer; "
                       "the catalog and the manifest do not belong together",
                       entry->kind, entry->url != NULL ? entry->url : entry->sha256);
          return FALSE;
        }
    }
  return TRUE;
}
