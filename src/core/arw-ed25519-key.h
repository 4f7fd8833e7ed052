/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define ARW_ED25519_SEED_SIZE 32
#define ARW_ED25519_PUBLIC_KEY_SIZE 32
#define ARW_ED25519_SIGNATURE_SIZE 64

/* An Ed25519 signing key (RFC 8032 seed plus the derived public key). The
 * secret half is wiped when the key is freed. */
typedef struct _ArwEd25519Key ArwEd25519Key;

ArwEd25519Key *arw_ed25519_key_new_from_seed (const guint8 seed[ARW_ED25519_SEED_SIZE]);
/* ARW's --key-b64: base64 of the 32-byte seed, trimmed, then strict. */
ArwEd25519Key *arw_ed25519_key_new_from_b64 (const char *text, GError **error);
/* ARW's --key-file: a file holding what --key-b64 takes. */
ArwEd25519Key *arw_ed25519_key_new_from_file (const char *path, GError **error);
/* A fresh random key (libsodium randombytes). */
ArwEd25519Key *arw_ed25519_key_generate (void);
void arw_ed25519_key_free (ArwEd25519Key *self);

const guint8 *arw_ed25519_key_get_public_key (ArwEd25519Key *self);
char *arw_ed25519_key_dup_public_b64 (ArwEd25519Key *self);
char *arw_ed25519_key_dup_seed_b64 (ArwEd25519Key *self);
/* "ed25519-sha256:" + hex of the first 10 bytes of SHA-256(public key). */
char *arw_ed25519_key_dup_default_key_id (ArwEd25519Key *self);
void arw_ed25519_key_sign (ArwEd25519Key *self, const void *message, gsize len,
                           guint8 signature[ARW_ED25519_SIGNATURE_SIZE]);

/* What `arw-cli capsule gen-ed25519` prints:
 * {"alg":"ed25519","issuer":<issuer or null>,"privkey_b64":…,"pubkey_b64":…} */
JsonNode *arw_ed25519_key_to_json (ArwEd25519Key *self, const char *issuer);
/* Writes the raw base64 texts (no newline) like --out-priv/--out-pub; the
 * private file gets mode 0600. Either path may be NULL. */
gboolean arw_ed25519_key_write_files (ArwEd25519Key *self, const char *private_path,
                                      const char *public_path, GError **error);

char *arw_ed25519_default_key_id (const guint8 public_key[ARW_ED25519_PUBLIC_KEY_SIZE]);
/* TRUE for a canonical encoding of a prime-order point (stricter than
 * ARW's dalek decompression check; see the .c). */
gboolean arw_ed25519_public_key_is_valid (const guint8 public_key[ARW_ED25519_PUBLIC_KEY_SIZE]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwEd25519Key, arw_ed25519_key_free)

G_END_DECLS
