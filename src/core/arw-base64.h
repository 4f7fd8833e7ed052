/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Standard RFC 4648 §4 base64 with padding. */
char *arw_base64_encode (const guint8 *data, gsize len);

/* Strict decoding as ARW does it (Rust base64 0.22 STANDARD engine, spec
 * §4.6): the padding must be present and canonical, only the "+/" alphabet
 * is accepted (no whitespace, no URL-safe characters) and the unused bits of
 * the last symbol must be zero. The input is NOT trimmed. On failure the
 * ARW_ERROR_INVALID_DATA message is the base64 crate's text, for example
 * "Invalid padding" or "Invalid symbol 95, offset 0.", so callers can prefix
 * it the way ARW does. @len may be -1 for a NUL-terminated string. */
GBytes *arw_base64_decode (const char *text, gssize len, GError **error);

/* Like arw_base64_decode() but also requires exactly @want_len bytes;
 * @out must hold @want_len bytes. On a length mismatch the error message is
 * "decoded length <n> is not <want_len> bytes". */
gboolean arw_base64_decode_exact (const char *text, gssize len, guint8 *out, gsize want_len, GError **error);

G_END_DECLS
