/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <nettle/sha2.h>

G_BEGIN_DECLS

#define ARW_SHA256_DIGEST_SIZE 32
#define ARW_SHA256_HEX_SIZE 65 /* 64 hex digits and a NUL */

/* Incremental SHA-256 backed by nettle: GLib's GChecksum and libsodium
 * 1.0.18 do not use the CPU's SHA instructions and are ~5x slower on
 * GiB-sized artifacts (see guides/testing.md §8). */
typedef struct {
  struct sha256_ctx ctx;
} ArwSha256;

void arw_sha256_init (ArwSha256 *self);
void arw_sha256_update (ArwSha256 *self, const void *data, gsize len);
void arw_sha256_finish (ArwSha256 *self, guint8 digest[ARW_SHA256_DIGEST_SIZE]);
void arw_sha256_finish_hex (ArwSha256 *self, char hex[ARW_SHA256_HEX_SIZE]);

void arw_sha256_digest (const void *data, gsize len, guint8 digest[ARW_SHA256_DIGEST_SIZE]);
char *arw_sha256_hex (const void *data, gsize len);
void arw_hex_encode (const guint8 *data, gsize len, char *out);

G_END_DECLS
