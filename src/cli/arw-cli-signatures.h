/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "arw-signature.h"
#include "arw-signer-registry.h"

G_BEGIN_DECLS

/* The trust policy of one CLI run: the signer registry as loaded (absent,
 * loaded or failed) and whether trust is required by a flag or by
 * ARW_REQUIRE_SIGNED_BUNDLES. */
typedef struct {
  ArwSignerRegistryLoad *load;
  gboolean require_trusted;
} ArwCliTrust;

/* Loads the registry; prints ARW's warning when it fails to load. When
 * trust is required and the registry is missing, empty or broken, fails
 * closed with a message that says how to fix it. */
gboolean arw_cli_trust_init (ArwCliTrust *trust, gboolean require_flag, GError **error);
void arw_cli_trust_clear (ArwCliTrust *trust);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ArwCliTrust, arw_cli_trust_clear)
ArwSignerRegistry *arw_cli_trust_get_registry (ArwCliTrust *trust);
gboolean arw_cli_env_require_signed (void);

/* "signed by X — trusted for preview" and friends. */
char *arw_cli_describe_verification (const ArwManifestVerification *v);
/* ARW's per-signature lines, indented by @indent spaces. */
void arw_cli_print_signature_lines (const ArwManifestVerification *v, guint indent);

G_END_DECLS
