/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arw-catalog.h"
#include "arw-inventory-audit.h"
#include "arw-json-writer.h"

typedef struct {
  ArwManifestVerification *verification; /* NULL: no usable bundle.json */
  char *json;                            /* CliInstallation, compact */
} AuditItem;

struct _ArwInventoryAudit {
  ArwSignerRegistry *registry;  /* borrowed during the scan only */
  ArwInventory *inventory;
  GHashTable *items;            /* ArwInstallation* → AuditItem* */
  GPtrArray *ordered;           /* AuditItem*, in the inventory's order */
  GPtrArray *warnings;
  ArwSignatureSummary *summary;
};

static void
audit_item_free (AuditItem *item)
{
  g_clear_pointer (&item->verification, arw_manifest_verification_free);
  g_free (item->json);
  g_free (item);
}

static ArwManifestVerification *
verify_installation (ArwInventoryAudit *self, ArwInstallation *inst)
{
  GBytes *bytes = arw_installation_get_manifest_bytes (inst);
  g_autoptr(GError) error = NULL;
  ArwManifestVerification *v;
  gsize len = 0;
  const char *data;

  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &len);
  v = arw_manifest_verify (data, len, self->registry, &error);
  if (v == NULL)
    g_ptr_array_add (self->warnings, g_strdup_printf ("cannot verify %s: %s",
                                                      arw_installation_get_metadata_path (inst),
                                                      error->message));
  return v;
}

/* Inventory visitor: verify, render, then drop the heavy manifest. */
static void
visit_installation (ArwInstallation *inst, gpointer user_data)
{
  ArwInventoryAudit *self = user_data;
  AuditItem *item = g_new0 (AuditItem, 1);
  g_autoptr(JsonNode) sig = NULL;
  g_autoptr(JsonNode) node = NULL;

  item->verification = verify_installation (self, inst);
  if (item->verification != NULL)
    sig = arw_manifest_verification_to_json (item->verification);
  node = arw_installation_to_json (inst, sig);
  item->json = arw_json_to_string (node, FALSE);
  /* GString rounds capacity up to a power of two: keep only the text. */
  item->json = g_realloc (item->json, strlen (item->json) + 1);
  arw_installation_drop_manifest (inst);
  g_hash_table_insert (self->items, inst, item);
}

ArwInventoryAudit *
arw_inventory_audit_new (const char *const *roots,
                         ArwSignerRegistry *registry,
                         gboolean require_trusted,
                         GError **error)
{
  g_autoptr(ArwInventoryAudit) self = g_new0 (ArwInventoryAudit, 1);
  GPtrArray *installations;
  GPtrArray *diagnostics;

  self->items = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) audit_item_free);
  self->ordered = g_ptr_array_new ();
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  self->summary = arw_signature_summary_new (require_trusted);
  self->registry = registry;
  self->inventory = arw_inventory_scan_with (roots, visit_installation, self, error);
  self->registry = NULL;
  if (self->inventory == NULL)
    return NULL;

  diagnostics = arw_inventory_get_diagnostics (self->inventory);
  for (guint i = 0; i < diagnostics->len; i++)
    g_ptr_array_insert (self->warnings, i, g_strdup (((ArwDiagnostic *) g_ptr_array_index (diagnostics, i))->message));
  installations = arw_inventory_get_installations (self->inventory);
  for (guint i = 0; i < installations->len; i++)
    {
      ArwInstallation *inst = g_ptr_array_index (installations, i);
      AuditItem *item = g_hash_table_lookup (self->items, inst);

      g_ptr_array_add (self->ordered, item);
      arw_signature_summary_add (self->summary, arw_installation_get_id (inst), item->verification);
    }
  return g_steal_pointer (&self);
}

void
arw_inventory_audit_free (ArwInventoryAudit *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->ordered, g_ptr_array_unref);
  g_clear_pointer (&self->items, g_hash_table_unref);
  g_clear_pointer (&self->inventory, arw_inventory_free);
  g_clear_pointer (&self->summary, arw_signature_summary_free);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
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
  return self->ordered->len;
}

ArwInstallation *
arw_inventory_audit_get_installation (ArwInventoryAudit *self, guint index)
{
  return g_ptr_array_index (arw_inventory_get_installations (self->inventory), index);
}

const ArwManifestVerification *
arw_inventory_audit_get_verification (ArwInventoryAudit *self, guint index)
{
  return ((AuditItem *) g_ptr_array_index (self->ordered, index))->verification;
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

char *
arw_inventory_audit_installations_json (ArwInventoryAudit *self)
{
  GString *out = g_string_new ("[");

  for (guint i = 0; i < self->ordered->len; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append (out, ((AuditItem *) g_ptr_array_index (self->ordered, i))->json);
    }
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

const char *
arw_inventory_audit_get_item_json (ArwInventoryAudit *self, guint index)
{
  return ((AuditItem *) g_ptr_array_index (self->ordered, index))->json;
}
