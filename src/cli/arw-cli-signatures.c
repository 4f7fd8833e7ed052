/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arw-cli.h"
#include "arw-cli-signatures.h"

gboolean
arw_cli_env_require_signed (void)
{
  const char *v = g_getenv ("ARW_REQUIRE_SIGNED_BUNDLES");
  const char *truthy[] = { "1", "true", "TRUE", "yes", "on" };

  if (v == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (truthy); i++)
    if (g_str_equal (v, truthy[i]))
      return TRUE;
  return FALSE;
}

gboolean
arw_cli_trust_init (ArwCliTrust *trust, gboolean require_flag, GError **error)
{
  trust->load = arw_signer_registry_load_default ();
  trust->require_trusted = require_flag || arw_cli_env_require_signed ();

  if (trust->require_trusted)
    return arw_signer_registry_load_require (trust->load, error);
  if (trust->load->state == ARW_SIGNER_REGISTRY_FAILED)
    arw_cli_warn (_("failed to load runtime bundle signer registry: %s"), trust->load->error->message);
  return TRUE;
}

void
arw_cli_trust_clear (ArwCliTrust *trust)
{
  g_clear_pointer (&trust->load, arw_signer_registry_load_free);
}

ArwSignerRegistry *
arw_cli_trust_get_registry (ArwCliTrust *trust)
{
  return trust->load != NULL ? trust->load->registry : NULL;
}

static const char *
first_trusted_key (const ArwManifestVerification *v)
{
  for (guint i = 0; i < v->signatures->len; i++)
    {
      const ArwManifestSignatureReport *r = g_ptr_array_index (v->signatures, i);
      if (r->trusted)
        return r->key_id != NULL ? r->key_id : r->public_key_b64;
    }
  return NULL;
}

char *
arw_cli_describe_verification (const ArwManifestVerification *v)
{
  const char *channel = v->channel != NULL ? v->channel : _("any channel");

  if (v->signatures->len == 0)
    return g_strdup (_("not signed"));
  if (!arw_manifest_verification_is_verified (v))
    return g_strdup (_("signature check FAILED — the manifest was changed after signing or a signature is broken"));
  if (v->trusted_signatures > 0)
    /* Translators: "signed by <key id> — trusted for <channel>" */
    return g_strdup_printf (_("signed by %s — trusted for %s"), first_trusted_key (v), channel);
  if (!v->trust_enforced)
    return g_strdup (_("signed, but no signer registry is configured to say by whom it is trusted"));
  return g_strdup_printf (_("signed, but not by a publisher trusted for %s"), channel);
}

void
arw_cli_print_signature_lines (const ArwManifestVerification *v, guint indent)
{
  for (guint i = 0; i < v->signatures->len; i++)
    {
      const ArwManifestSignatureReport *r = g_ptr_array_index (v->signatures, i);
      const char *mark = "";

      if (r->trusted)
        mark = " [trusted]";
      else if (r->rejected)
        mark = " [untrusted]";
      g_print ("%*s- key %s (%s, %s) – issuer: %s%s\n", indent, "",
               r->key_id != NULL ? r->key_id : "<unknown>",
               r->signature_valid ? "valid" : "invalid",
               r->hash_matches ? "hash match" : "hash mismatch",
               r->issuer != NULL ? r->issuer : "unknown issuer", mark);
      if (r->error != NULL)
        g_print ("%*s  error: %s\n", indent, "", r->error);
    }
}
