/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-sha256.h"

void
arw_sha256_init (ArwSha256 *self)
{
  sha256_init (&self->ctx);
}

void
arw_sha256_update (ArwSha256 *self, const void *data, gsize len)
{
  sha256_update (&self->ctx, len, data);
}

void
arw_sha256_finish (ArwSha256 *self, guint8 digest[ARW_SHA256_DIGEST_SIZE])
{
  sha256_digest (&self->ctx, ARW_SHA256_DIGEST_SIZE, digest);
}

void
arw_hex_encode (const guint8 *data, gsize len, char *out)
{
  static const char digits[] = "0123456789abcdef";

  for (gsize i = 0; i < len; i++)
    {
      out[2 * i] = digits[data[i] >> 4];
      out[2 * i + 1] = digits[data[i] & 0xf];
    }
  out[2 * len] = '\0';
}

void
arw_sha256_finish_hex (ArwSha256 *self, char hex[ARW_SHA256_HEX_SIZE])
{
  guint8 digest[ARW_SHA256_DIGEST_SIZE];

  arw_sha256_finish (self, digest);
  arw_hex_encode (digest, sizeof digest, hex);
}

void
arw_sha256_digest (const void *data, gsize len, guint8 digest[ARW_SHA256_DIGEST_SIZE])
{
  ArwSha256 sha;

  arw_sha256_init (&sha);
  arw_sha256_update (&sha, data, len);
  arw_sha256_finish (&sha, digest);
}

char *
arw_sha256_hex (const void *data, gsize len)
{
  ArwSha256 sha;
  char *hex = g_malloc (ARW_SHA256_HEX_SIZE);

  arw_sha256_init (&sha);
  arw_sha256_update (&sha, data, len);
  arw_sha256_finish_hex (&sha, hex);
  return hex;
}
