/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "arw-base64.h"
#include "arw-ed25519-key.h"
#include "arw-error.h"
#include "arw-sha256.h"

#define KEY_FILE_MAX_SIZE 4096

struct _ArwEd25519Key {
  guint8 secret[crypto_sign_ed25519_SECRETKEYBYTES]; /* seed || public key */
  guint8 public_key[ARW_ED25519_PUBLIC_KEY_SIZE];
};

G_STATIC_ASSERT (crypto_sign_ed25519_SEEDBYTES == ARW_ED25519_SEED_SIZE);
G_STATIC_ASSERT (crypto_sign_ed25519_PUBLICKEYBYTES == ARW_ED25519_PUBLIC_KEY_SIZE);
G_STATIC_ASSERT (crypto_sign_ed25519_BYTES == ARW_ED25519_SIGNATURE_SIZE);

static void
ensure_sodium (void)
{
  if (sodium_init () < 0)
    g_critical ("libsodium failed to initialise");
}

ArwEd25519Key *
arw_ed25519_key_new_from_seed (const guint8 seed[ARW_ED25519_SEED_SIZE])
{
  ArwEd25519Key *self;

  g_return_val_if_fail (seed != NULL, NULL);

  ensure_sodium ();
  self = g_new0 (ArwEd25519Key, 1);
  crypto_sign_ed25519_seed_keypair (self->public_key, self->secret, seed);
  return self;
}

ArwEd25519Key *
arw_ed25519_key_generate (void)
{
  guint8 seed[ARW_ED25519_SEED_SIZE];
  ArwEd25519Key *self;

  ensure_sodium ();
  randombytes_buf (seed, sizeof seed);
  self = arw_ed25519_key_new_from_seed (seed);
  sodium_memzero (seed, sizeof seed);
  return self;
}

ArwEd25519Key *
arw_ed25519_key_new_from_b64 (const char *text, GError **error)
{
  g_autofree char *trimmed = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error_local = NULL;
  ArwEd25519Key *self;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  trimmed = g_strstrip (g_strdup (text));
  bytes = arw_base64_decode (trimmed, -1, &error_local);
  sodium_memzero (trimmed, strlen (trimmed));
  if (bytes == NULL)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "invalid ed25519 secret key: not standard padded base64: %s",
                   error_local->message);
      return NULL;
    }
  if (g_bytes_get_size (bytes) != ARW_ED25519_SEED_SIZE)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "invalid ed25519 secret key: expected the base64 of a 32-byte seed, got %"
                   G_GSIZE_FORMAT " bytes", g_bytes_get_size (bytes));
      return NULL;
    }
  self = arw_ed25519_key_new_from_seed (g_bytes_get_data (bytes, NULL));
  sodium_memzero ((gpointer) g_bytes_get_data (bytes, NULL), ARW_ED25519_SEED_SIZE);
  return self;
}

ArwEd25519Key *
arw_ed25519_key_new_from_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error_local = NULL;
  gsize len = 0;
  GStatBuf st;
  ArwEd25519Key *self;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* a key file is a few dozen bytes; refuse devices, FIFOs and huge files */
  if (g_stat (path, &st) == 0 && (!S_ISREG (st.st_mode) || st.st_size > KEY_FILE_MAX_SIZE))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "%s is not an ed25519 secret key file (expected a small file holding a base64 seed)",
                   path);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &len, &error_local))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND,
                   "failed to read ed25519 secret key file: %s", error_local->message);
      return NULL;
    }
  self = arw_ed25519_key_new_from_b64 (contents, &error_local);
  sodium_memzero (contents, len);
  if (self == NULL)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "%s (in %s)", error_local->message, path);
      return NULL;
    }
  return self;
}

void
arw_ed25519_key_free (ArwEd25519Key *self)
{
  if (self == NULL)
    return;
  sodium_memzero (self, sizeof *self);
  g_free (self);
}

const guint8 *
arw_ed25519_key_get_public_key (ArwEd25519Key *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->public_key;
}

char *
arw_ed25519_key_dup_public_b64 (ArwEd25519Key *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return arw_base64_encode (self->public_key, sizeof self->public_key);
}

char *
arw_ed25519_key_dup_seed_b64 (ArwEd25519Key *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return arw_base64_encode (self->secret, ARW_ED25519_SEED_SIZE);
}

char *
arw_ed25519_default_key_id (const guint8 public_key[ARW_ED25519_PUBLIC_KEY_SIZE])
{
  guint8 digest[ARW_SHA256_DIGEST_SIZE];
  char hex[2 * 10 + 1];

  g_return_val_if_fail (public_key != NULL, NULL);

  arw_sha256_digest (public_key, ARW_ED25519_PUBLIC_KEY_SIZE, digest);
  arw_hex_encode (digest, 10, hex);
  hex[20] = '\0';
  return g_strconcat ("ed25519-sha256:", hex, NULL);
}

char *
arw_ed25519_key_dup_default_key_id (ArwEd25519Key *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return arw_ed25519_default_key_id (self->public_key);
}

void
arw_ed25519_key_sign (ArwEd25519Key *self, const void *message, gsize len,
                      guint8 signature[ARW_ED25519_SIGNATURE_SIZE])
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (message != NULL || len == 0);
  g_return_if_fail (signature != NULL);

  crypto_sign_ed25519_detached (signature, NULL, message, len, self->secret);
}

JsonNode *
arw_ed25519_key_to_json (ArwEd25519Key *self, const char *issuer)
{
  g_autoptr(JsonObject) obj = json_object_new ();
  g_autofree char *priv = NULL;
  g_autofree char *pub = NULL;
  JsonNode *node;

  g_return_val_if_fail (self != NULL, NULL);

  priv = arw_ed25519_key_dup_seed_b64 (self);
  pub = arw_ed25519_key_dup_public_b64 (self);
  json_object_set_string_member (obj, "alg", "ed25519");
  if (issuer != NULL)
    json_object_set_string_member (obj, "issuer", issuer);
  else
    json_object_set_null_member (obj, "issuer");
  json_object_set_string_member (obj, "privkey_b64", priv);
  json_object_set_string_member (obj, "pubkey_b64", pub);
  sodium_memzero (priv, strlen (priv));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, obj);
  return node;
}

gboolean
arw_ed25519_key_write_files (ArwEd25519Key *self, const char *private_path,
                             const char *public_path, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (private_path != NULL)
    {
      g_autofree char *priv = arw_ed25519_key_dup_seed_b64 (self);
      gboolean ok = g_file_set_contents_full (private_path, priv, -1,
                                              G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
      sodium_memzero (priv, strlen (priv));
      if (!ok)
        {
          g_prefix_error (error, "failed to write ed25519 private key: ");
          return FALSE;
        }
    }
  if (public_path != NULL)
    {
      g_autofree char *pub = arw_ed25519_key_dup_public_b64 (self);
      if (!g_file_set_contents_full (public_path, pub, -1,
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
        {
          g_prefix_error (error, "failed to write ed25519 public key: ");
          return FALSE;
        }
    }
  return TRUE;
}

/* A public key we accept: a canonical encoding of a point of prime order
 * (libsodium's crypto_core_ed25519_is_valid_point). This is stricter than
 * ARW's curve25519-dalek, which also accepts small-order and torsion
 * points; those keys are the ones that allow forged "valid" signatures
 * under non-strict verification, so rejecting them is deliberate. */
gboolean
arw_ed25519_public_key_is_valid (const guint8 public_key[ARW_ED25519_PUBLIC_KEY_SIZE])
{
  ensure_sodium ();
  return crypto_core_ed25519_is_valid_point (public_key) == 1;
}
