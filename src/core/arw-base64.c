/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arw-base64.h"
#include "arw-error.h"

#define INVALID 0xff
#define PAD '='

static const char alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static guint8
morsel_of (guchar c)
{
  const char *hit;

  if (c == '\0')
    return INVALID;
  hit = memchr (alphabet, c, 64);
  return hit != NULL ? (guint8) (hit - alphabet) : INVALID;
}

char *
arw_base64_encode (const guint8 *data, gsize len)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len == 0)
    return g_strdup ("");
  return g_base64_encode (data, len);
}

static gboolean
set_invalid_byte (GError **error, gsize index, guchar byte)
{
  g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
               "Invalid symbol %u, offset %" G_GSIZE_FORMAT ".", (guint) byte, index);
  return FALSE;
}

/* The last 2-4 symbols (plus padding): mirrors base64 0.22's
 * decode_suffix() with DecodePaddingMode::RequireCanonical and
 * decode_allow_trailing_bits = false, including which error wins. */
static gboolean
decode_suffix (const guchar *in, gsize start, gsize end, GByteArray *out, GError **error)
{
  guint8 morsels[4] = { 0, 0, 0, 0 };
  gsize n_morsels = 0, n_padding = 0, first_padding = 0;
  guchar last_symbol = 0;
  guint32 bits;
  gsize n_bytes;

  for (gsize i = 0; start + i < end; i++)
    {
      guchar b = in[start + i];
      guint8 m;

      if (b == PAD)
        {
          if (i < 2)
            return set_invalid_byte (error, start + i, b);
          if (n_padding == 0)
            first_padding = i;
          n_padding++;
          continue;
        }
      if (n_padding > 0)
        return set_invalid_byte (error, start + first_padding, PAD);
      last_symbol = b;
      m = morsel_of (b);
      if (m == INVALID)
        return set_invalid_byte (error, start + i, b);
      morsels[n_morsels++] = m;
    }

  if (end > 0 && n_morsels < 2)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "Invalid input length: %" G_GSIZE_FORMAT, start + n_morsels);
      return FALSE;
    }
  if ((n_padding + n_morsels) % 4 != 0)
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "Invalid padding");
      return FALSE;
    }

  n_bytes = n_morsels * 6 / 8;
  bits = ((guint32) morsels[0] << 26) | ((guint32) morsels[1] << 20) |
         ((guint32) morsels[2] << 14) | ((guint32) morsels[3] << 8);
  if ((bits & (G_MAXUINT32 >> (n_bytes * 8))) != 0)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "Invalid last symbol %u, offset %" G_GSIZE_FORMAT ".",
                   (guint) last_symbol, start + n_morsels - 1);
      return FALSE;
    }
  for (gsize i = 0; i < n_bytes; i++)
    {
      guint8 byte = (guint8) (bits >> 24);
      g_byte_array_append (out, &byte, 1);
      bits <<= 8;
    }
  return TRUE;
}

GBytes *
arw_base64_decode (const char *text, gssize len, GError **error)
{
  const guchar *in = (const guchar *) text;
  g_autoptr(GByteArray) out = NULL;
  gsize n, rem, body;

  g_return_val_if_fail (text != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n = len < 0 ? strlen (text) : (gsize) len;
  rem = n % 4;
  out = g_byte_array_sized_new (n / 4 * 3 + 3);

  /* base64 reports a stray trailing byte (a newline, say) first */
  if (rem == 1 && in[n - 1] != PAD && morsel_of (in[n - 1]) == INVALID)
    {
      set_invalid_byte (error, n - 1, in[n - 1]);
      return NULL;
    }

  /* every complete quad but the last one, which may carry padding */
  body = rem == 0 ? (n >= 4 ? n - 4 : 0) : n - rem;
  for (gsize i = 0; i < body; i += 4)
    {
      guint32 acc = 0;
      guint8 bytes[3];

      for (gsize j = 0; j < 4; j++)
        {
          guint8 m = morsel_of (in[i + j]);
          if (m == INVALID)
            {
              set_invalid_byte (error, i + j, in[i + j]);
              return NULL;
            }
          acc = (acc << 6) | m;
        }
      bytes[0] = (guint8) (acc >> 16);
      bytes[1] = (guint8) (acc >> 8);
      bytes[2] = (guint8) acc;
      g_byte_array_append (out, bytes, 3);
    }

  if (!decode_suffix (in, body, n, out, error))
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

gboolean
arw_base64_decode_exact (const char *text, gssize len, guint8 *out, gsize want_len, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize got = 0;
  const guint8 *data;

  g_return_val_if_fail (out != NULL, FALSE);

  bytes = arw_base64_decode (text, len, error);
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &got);
  if (got != want_len)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "decoded length %" G_GSIZE_FORMAT " is not %" G_GSIZE_FORMAT " bytes",
                   got, want_len);
      return FALSE;
    }
  memcpy (out, data, want_len);
  return TRUE;
}
