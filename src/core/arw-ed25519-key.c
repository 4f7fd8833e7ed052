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

/* ---- point decompression check ------------------------------------------
 * libsodium has no public "does this decompress" test (its validators also
 * reject small-order and non-canonical points, which dalek accepts), so
 * compute it: with y taken mod p from the low 255 bits (as dalek does), the
 * encoding decompresses iff (y²-1)/(d·y²+1) is a square or zero, that is iff
 * the Legendre symbol of u·v is not -1. Field elements are 5 limbs of 51
 * bits (the usual 64-bit "donna" representation). */

#define MASK51 ((G_GUINT64_CONSTANT (1) << 51) - 1)

typedef struct {
  guint64 v[5];
} Fe;

static const Fe fe_d = { { 929955233495203, 466365720129213, 1662059464998953,
                           2033849074728123, 1442794654840575 } };

static void
fe_carry (Fe *h)
{
  for (guint pass = 0; pass < 3; pass++)
    {
      for (guint i = 0; i < 4; i++)
        {
          h->v[i + 1] += h->v[i] >> 51;
          h->v[i] &= MASK51;
        }
      h->v[0] += 19 * (h->v[4] >> 51);
      h->v[4] &= MASK51;
    }
}

static void
fe_frombytes (Fe *h, const guint8 s[32])
{
  guint64 w[4];

  for (guint k = 0; k < 4; k++)
    {
      w[k] = 0;
      for (guint b = 0; b < 8; b++)
        w[k] |= (guint64) s[8 * k + b] << (8 * b);
    }
  h->v[0] = w[0] & MASK51;
  h->v[1] = ((w[0] >> 51) | (w[1] << 13)) & MASK51;
  h->v[2] = ((w[1] >> 38) | (w[2] << 26)) & MASK51;
  h->v[3] = ((w[2] >> 25) | (w[3] << 39)) & MASK51;
  h->v[4] = (w[3] >> 12) & MASK51; /* drops the sign bit */
}

static void
fe_mul (Fe *h, const Fe *f, const Fe *g)
{
  typedef unsigned __int128 u128;
  const guint64 *a = f->v, *b = g->v;
  guint64 b19[5];
  u128 t[5];
  guint64 c;

  for (guint i = 0; i < 5; i++)
    b19[i] = 19 * b[i];
  t[0] = (u128) a[0] * b[0] + (u128) a[1] * b19[4] + (u128) a[2] * b19[3] + (u128) a[3] * b19[2] + (u128) a[4] * b19[1];
  t[1] = (u128) a[0] * b[1] + (u128) a[1] * b[0] + (u128) a[2] * b19[4] + (u128) a[3] * b19[3] + (u128) a[4] * b19[2];
  t[2] = (u128) a[0] * b[2] + (u128) a[1] * b[1] + (u128) a[2] * b[0] + (u128) a[3] * b19[4] + (u128) a[4] * b19[3];
  t[3] = (u128) a[0] * b[3] + (u128) a[1] * b[2] + (u128) a[2] * b[1] + (u128) a[3] * b[0] + (u128) a[4] * b19[4];
  t[4] = (u128) a[0] * b[4] + (u128) a[1] * b[3] + (u128) a[2] * b[2] + (u128) a[3] * b[1] + (u128) a[4] * b[0];

  for (guint i = 0; i < 4; i++)
    {
      t[i + 1] += t[i] >> 51;
      t[i] &= MASK51;
    }
  c = (guint64) (t[4] >> 51);
  t[4] &= MASK51;
  t[0] += (u128) c * 19;
  for (guint i = 0; i < 5; i++)
    h->v[i] = (guint64) t[i];
  fe_carry (h);
}

/* Fully reduced limbs, so that comparisons are exact. */
static void
fe_reduce (Fe *h)
{
  Fe t;

  fe_carry (h);
  t = *h;
  t.v[0] += 19;
  for (guint i = 0; i < 4; i++)
    {
      t.v[i + 1] += t.v[i] >> 51;
      t.v[i] &= MASK51;
    }
  if (t.v[4] >> 51) /* h >= p: h - p = h + 19 - 2^255 */
    {
      t.v[4] &= MASK51;
      *h = t;
    }
}

gboolean
arw_ed25519_public_key_is_decompressible (const guint8 public_key[ARW_ED25519_PUBLIC_KEY_SIZE])
{
  /* (p-1)/2 = 2^254 - 10: bits 253..4 set, bit 3 clear, bits 2 and 1 set */
  Fe y, y2, u, v, t, r = { { 1, 0, 0, 0, 0 } };

  g_return_val_if_fail (public_key != NULL, FALSE);

  fe_frombytes (&y, public_key);
  fe_mul (&y2, &y, &y);
  u = y2;
  u.v[0] += 2 * (MASK51 - 18) - 1; /* y² - 1 + 2p, limb-wise */
  for (guint i = 1; i < 5; i++)
    u.v[i] += 2 * MASK51;
  fe_carry (&u);
  fe_mul (&v, &fe_d, &y2);
  v.v[0] += 1;
  fe_carry (&v);
  fe_mul (&t, &u, &v);

  for (int bit = 253; bit >= 0; bit--)
    {
      fe_mul (&r, &r, &r);
      if (bit >= 4 || bit == 1 || bit == 2)
        fe_mul (&r, &r, &t);
    }
  fe_reduce (&r);
  /* r is 0, 1 or p-1; only p-1 (a non-square) fails */
  return !(r.v[0] == MASK51 - 19 && r.v[1] == MASK51 && r.v[2] == MASK51 &&
           r.v[3] == MASK51 && r.v[4] == MASK51);
}
