/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arw-cli.h"
#include "arw-ed25519-key.h"

static int
cmd_keys_generate (int argc, char **argv)
{
  g_autofree char *out_priv = NULL, *out_pub = NULL, *issuer = NULL;
  GOptionEntry entries[] = {
    { "out-priv", 0, 0, G_OPTION_ARG_FILENAME, &out_priv, N_("Write the base64 secret key (seed) here, mode 0600"), N_("FILE") },
    { "out-pub", 0, 0, G_OPTION_ARG_FILENAME, &out_pub, N_("Write the base64 public key here"), N_("FILE") },
    { "issuer", 0, 0, G_OPTION_ARG_STRING, &issuer, N_("Issuer recorded in the JSON output"), N_("TEXT") },
    { NULL }
  };
  g_autoptr(ArwEd25519Key) key = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  if (!arw_cli_parse ("keys generate", "", _("Generate an Ed25519 key pair for signing bundle manifests."),
                      entries, &argc, &argv, 0, 0))
    return ARW_CLI_EXIT_USAGE;

  key = arw_ed25519_key_generate ();
  if ((out_priv != NULL || out_pub != NULL) &&
      !arw_ed25519_key_write_files (key, out_priv, out_pub, &error))
    return arw_cli_fail (error);
  if (out_priv != NULL)
    {
      g_autofree char *pub = arw_ed25519_key_dup_public_b64 (key);
      g_autofree char *key_id = arw_ed25519_key_dup_default_key_id (key);
      g_print (_("Secret key written to %s (keep it private; it is never needed for verification).\n"), out_priv);
      g_print (_("Public key (b64): %s\n"), pub);
      g_print (_("Default key id: %s\n"), key_id);
      return ARW_CLI_EXIT_OK;
    }
  /* Without --out-priv, print ARW's JSON (it contains the secret key). */
  node = arw_ed25519_key_to_json (key, issuer != NULL ? issuer : "arw-runtime");
  arw_cli_print_json (node, TRUE);
  return ARW_CLI_EXIT_OK;
}

const ArwCliCommand arw_cli_keys_commands[] = {
  { "keys generate", N_("Generate an Ed25519 signing key pair"), cmd_keys_generate },
  { NULL, NULL, NULL }
};
