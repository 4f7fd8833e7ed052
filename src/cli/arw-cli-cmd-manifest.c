/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <sodium.h>
#include <string.h>

#include "arw-cli.h"
#include "arw-cli-signatures.h"
#include "arw-base64.h"
#include "arw-ed25519-key.h"
#include "arw-signature.h"

static void
print_verify_text (const char *path, const ArwManifestVerification *v)
{
  g_autofree char *words = arw_cli_describe_verification (v);

  g_print ("Manifest: %s\n", path);
  g_print ("Canonical sha256: %s\n", v->canonical_sha256 != NULL ? v->canonical_sha256 : "—");
  g_print ("%s%s%s\n", arw_cli_color ("bold"), words, arw_cli_color ("reset"));
  if (v->signatures->len == 0)
    g_print ("Signatures: none\n");
  else
    {
      g_print ("Signatures:\n");
      arw_cli_print_signature_lines (v, 2);
    }
  if (v->warnings->len > 0)
    {
      g_print ("Warnings:\n");
      for (guint i = 0; i < v->warnings->len; i++)
        g_print ("  - %s\n", (const char *) g_ptr_array_index (v->warnings, i));
    }
}

static int
cmd_manifest_verify (int argc, char **argv)
{
  const char *path = "bundles manifest verify";
  ArwCliJsonOptions json = { 0 };
  gboolean require_trusted = FALSE;
  GOptionEntry entries[] = {
    ARW_CLI_JSON_OPTION_ENTRIES (json),
    { "require-trusted", 0, 0, G_OPTION_ARG_NONE, &require_trusted,
      N_("Fail unless a signature is trusted by the signer registry"), NULL },
    { NULL }
  };
  g_auto(ArwCliTrust) trust = { 0 };
  g_autoptr(ArwManifestVerification) v = NULL;
  g_autoptr(GError) error = NULL;

  if (!arw_cli_parse (path, "MANIFEST", _("Verify the Ed25519 signatures of a bundle.json manifest."),
                      entries, &argc, &argv, 1, 1) ||
      !arw_cli_check_json_options (path, &json))
    return ARW_CLI_EXIT_USAGE;
  if (!arw_cli_trust_init (&trust, require_trusted, &error))
    return arw_cli_fail (error);

  v = arw_manifest_verify_file (argv[1], arw_cli_trust_get_registry (&trust), &error);
  if (v == NULL)
    return arw_cli_fail (error);

  if (json.json)
    {
      g_autoptr(JsonNode) node = arw_manifest_verification_to_verify_json (v, argv[1]);
      arw_cli_print_json (node, json.pretty);
    }
  else
    print_verify_text (argv[1], v);

  if (!arw_manifest_verification_check_policy (v, trust.require_trusted,
                                               arw_cli_trust_get_registry (&trust) != NULL, &error))
    return arw_cli_fail (error);
  if (arw_manifest_verification_is_trust_shortfall (v))
    {
      if (!json.json)
        g_print (_("Note: signatures verified but none matched the trusted signer registry. "
                   "pass --require-trusted to fail in this scenario.\n"));
      return ARW_CLI_EXIT_OK;
    }
  if (!v->ok)
    return arw_cli_fail_message ("bundle manifest verification failed");
  return ARW_CLI_EXIT_OK;
}

static ArwEd25519Key *
load_signing_key (const char *key_file, const char *key_b64, GError **error)
{
  if (key_file != NULL)
    return arw_ed25519_key_new_from_file (key_file, error);
  if (key_b64 != NULL)
    return arw_ed25519_key_new_from_b64 (key_b64, error);
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "provide --key-b64 or --key-file with an ed25519 secret key");
  return NULL;
}

static int
cmd_manifest_sign (int argc, char **argv)
{
  g_autofree char *key_file = NULL, *key_b64 = NULL, *key_id = NULL, *issuer = NULL, *output = NULL;
  gboolean compact = FALSE;
  GOptionEntry entries[] = {
    { "key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file, N_("File with the base64 Ed25519 secret key (seed)"), N_("FILE") },
    { "key-b64", 0, 0, G_OPTION_ARG_STRING, &key_b64, N_("Base64 Ed25519 secret key (seed)"), N_("KEY") },
    { "key-id", 0, 0, G_OPTION_ARG_STRING, &key_id, N_("Key id to record (default ed25519-sha256:…)"), N_("ID") },
    { "issuer", 0, 0, G_OPTION_ARG_STRING, &issuer, N_("Issuer to record"), N_("TEXT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write here instead of in place"), N_("FILE") },
    { "compact", 0, 0, G_OPTION_ARG_NONE, &compact, N_("Write single-line JSON"), NULL },
    { NULL }
  };
  g_autoptr(ArwEd25519Key) key = NULL;
  g_autoptr(ArwManifestSignInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL, *signed_text = NULL;
  gsize len = 0;
  const char *dest;
  guint8 seed[ARW_ED25519_SEED_SIZE];

  if (!arw_cli_parse ("bundles manifest sign", "MANIFEST", _("Sign a bundle.json manifest with an Ed25519 key."),
                      entries, &argc, &argv, 1, 1))
    return ARW_CLI_EXIT_USAGE;
  key = load_signing_key (key_file, key_b64, &error);
  if (key == NULL || !g_file_get_contents (argv[1], &data, &len, &error))
    return arw_cli_fail (error);
  {
    g_autofree char *seed_b64 = arw_ed25519_key_dup_seed_b64 (key);
    gboolean ok = arw_base64_decode_exact (seed_b64, -1, seed, sizeof seed, &error);
    sodium_memzero (seed_b64, strlen (seed_b64));
    if (!ok)
      return arw_cli_fail (error);
  }
  signed_text = arw_manifest_sign (data, -1, seed, key_id, issuer, compact, &info, &error);
  sodium_memzero (seed, sizeof seed);
  if (signed_text == NULL)
    return arw_cli_fail (error);
  dest = output != NULL ? output : argv[1];
  if (!g_file_set_contents (dest, signed_text, -1, &error))
    return arw_cli_fail (error);
  g_print ("Signed manifest %s with key %s\n", dest, info->key_id);
  g_print ("Canonical payload sha256: %s\n", info->payload_sha256);
  g_print ("Public key (b64): %s\n", info->public_key_b64);
  g_print ("Signature (b64): %s\n", info->signature_b64);
  return ARW_CLI_EXIT_OK;
}

const ArwCliCommand arw_cli_manifest_commands[] = {
  { "bundles manifest verify", N_("Verify a bundle.json's signatures"), cmd_manifest_verify },
  { "bundles manifest sign", N_("Sign a bundle.json with an Ed25519 key"), cmd_manifest_sign },
  { NULL, NULL, NULL }
};
