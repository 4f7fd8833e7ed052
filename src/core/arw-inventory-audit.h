/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "arw-inventory.h"
#include "arw-signature.h"
#include "arw-signature-summary.h"

G_BEGIN_DECLS

/* The installed bundles under some roots with their signature state: one
 * verification per installation (NULL when it has no usable bundle.json)
 * and the signature_summary over them. Used by `bundles list`, `audit`,
 * `trust-shortfall` and the helper's snapshots.
 *
 * Each installation is verified and rendered to JSON text as it is loaded,
 * then its manifest is dropped, so auditing thousands of bundles keeps
 * only their small summaries in memory. */
typedef struct _ArwInventoryAudit ArwInventoryAudit;

ArwInventoryAudit *arw_inventory_audit_new (const char *const *roots,
                                            ArwSignerRegistry *registry,
                                            gboolean require_trusted,
                                            GError **error);
void arw_inventory_audit_free (ArwInventoryAudit *self);
ArwInventory *arw_inventory_audit_get_inventory (ArwInventoryAudit *self);
guint arw_inventory_audit_get_n_items (ArwInventoryAudit *self);
/* Installations in ARW's order (id, then root); their manifests are dropped. */
ArwInstallation *arw_inventory_audit_get_installation (ArwInventoryAudit *self, guint index);
const ArwManifestVerification *arw_inventory_audit_get_verification (ArwInventoryAudit *self, guint index);
ArwSignatureSummary *arw_inventory_audit_get_summary (ArwInventoryAudit *self);
/* Problems found while scanning (catalog-style diagnostics as sentences,
 * then bundle.json files that could not be canonicalised). */
GPtrArray *arw_inventory_audit_get_warnings (ArwInventoryAudit *self);
/* The `installations` array (CliInstallation objects with their
 * `signature`), as compact serde-style JSON text. */
char *arw_inventory_audit_installations_json (ArwInventoryAudit *self);
/* One element of that array. */
const char *arw_inventory_audit_get_item_json (ArwInventoryAudit *self, guint index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwInventoryAudit, arw_inventory_audit_free)

G_END_DECLS
