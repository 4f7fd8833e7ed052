/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-inventory-audit.h"

struct _ArwInventoryAudit {
  ArwInventory *inventory;      /* borrowed */
  GPtrArray *verifications;     /* ArwManifestVerification or NULL, parallel to installations */
  ArwSignatureSummary *summary;
  GPtrArray *warnings;
};

static ArwManifestVerification *
verify_installation (ArwInstallation *inst, ArwSignerRegistry *registry, GPtrArray *warnings)
{
  GBytes *bytes = arw_installation_get_manifest_bytes (inst);
  g_autoptr(GError) error = NULL;
  ArwManifestVerification *v;
  gsize len = 0;
  const char *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  v = arw_manifest_verify (data, len, registry, &error);
  if (v == NULL)
    g_ptr_array_add (warnings, g_strdup_printf ("cannot verify %s: %s",
                                                arw_installation_get_metadata_path (inst),
                                                error->message));
  return v;
}

ArwInventoryAudit *
arw_inventory_audit_new (ArwInventory *inventory, ArwSignerRegistry *registry, gboolean require_trusted)
{
  ArwInventoryAudit *self = g_new0 (ArwInventoryAudit, 1);
  GPtrArray *items = arw_inventory_get_installations (inventory);

  self->inventory = inventory;
  self->verifications = g_ptr_array_new_with_free_func ((GDestroyNotify) arw_manifest_verification_free);
  self->summary = arw_signature_summary_new (require_trusted);
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < items->len; i++)
    {
      ArwInstallation *inst = g_ptr_array_index (items, i);
      ArwManifestVerification *v = verify_installation (inst, registry, self->warnings);

      g_ptr_array_add (self->verifications, v);
      arw_signature_summary_add (self->summary, arw_installation_get_id (inst), v);
    }
  return self;
}

void
arw_inventory_audit_free (ArwInventoryAudit *self)
{
  g_ptr_array_unref (self->verifications);
  arw_signature_summary_free (self->summary);
  g_ptr_array_unref (self->warnings);
  g_free (self);
}

ArwInventory *
arw_inventory_audit_get_inventory (ArwInventoryAudit *self)
{
  return self->inventory;
}

guint
arw_inventory_audit_get_n_items (ArwInventoryAudit *self)
{
  return self->verifications->len;
}

ArwInstallation *
arw_inventory_audit_get_installation (ArwInventoryAudit *self, guint index)
{
  return g_ptr_array_index (arw_inventory_get_installations (self->inventory), index);
}

const ArwManifestVerification *
arw_inventory_audit_get_verification (ArwInventoryAudit *self, guint index)
{
  return g_ptr_array_index (self->verifications, index);
}

ArwSignatureSummary *
arw_inventory_audit_get_summary (ArwInventoryAudit *self)
{
  return self->summary;
}

GPtrArray *
arw_inventory_audit_get_warnings (ArwInventoryAudit *self)
{
  return self->warnings;
}

JsonNode *
arw_inventory_audit_installations_to_json (ArwInventoryAudit *self)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < self->verifications->len; i++)
    {
      const ArwManifestVerification *v = g_ptr_array_index (self->verifications, i);
      g_autoptr(JsonNode) sig = v != NULL ? arw_manifest_verification_to_json (v) : NULL;

      json_array_add_element (array, arw_installation_to_json (arw_inventory_audit_get_installation (self, i), sig));
    }
  json_node_take_array (node, array);
  return node;
}
