/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "arw-inventory.h"
#include "arw-signature.h"
#include "arw-signature-summary.h"

G_BEGIN_DECLS

/* The signature state of every installation of an inventory: one
 * verification per installation (NULL when it has no usable bundle.json)
 * and the signature_summary over them. Used by `bundles list`, `audit`,
 * `trust-shortfall` and the helper's snapshots. */
typedef struct _ArwInventoryAudit ArwInventoryAudit;

ArwInventoryAudit *arw_inventory_audit_new (ArwInventory *inventory,
                                            ArwSignerRegistry *registry,
                                            gboolean require_trusted);
void arw_inventory_audit_free (ArwInventoryAudit *self);
ArwInventory *arw_inventory_audit_get_inventory (ArwInventoryAudit *self);
guint arw_inventory_audit_get_n_items (ArwInventoryAudit *self);
ArwInstallation *arw_inventory_audit_get_installation (ArwInventoryAudit *self, guint index);
const ArwManifestVerification *arw_inventory_audit_get_verification (ArwInventoryAudit *self, guint index);
ArwSignatureSummary *arw_inventory_audit_get_summary (ArwInventoryAudit *self);
/* Warnings of the verifications (bundle.json files that could not be
 * canonicalised), one sentence each. */
GPtrArray *arw_inventory_audit_get_warnings (ArwInventoryAudit *self);
JsonNode *arw_inventory_audit_installations_to_json (ArwInventoryAudit *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwInventoryAudit, arw_inventory_audit_free)

G_END_DECLS
