/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One entry of configs/runtime/bundle_signers.json (spec §2.1), trimmed.
 * Optional strings are NULL when absent or blank. */
typedef struct {
  char *key_id;
  char *public_key_b64;
  guint8 public_key[32];
  char *issuer;
  char *notes;
  char *expires_at;    /* as written (trimmed) */
  GDateTime *expires;  /* parsed @expires_at, NULL when it is absent */
  GStrv channels;      /* never NULL; empty means "any channel" */
} ArwSigner;

/* Why a signature is or is not trusted by the registry. */
typedef enum {
  ARW_SIGNER_TRUST_TRUSTED,
  ARW_SIGNER_TRUST_UNKNOWN_KEY,   /* no entry has this public key */
  ARW_SIGNER_TRUST_WRONG_CHANNEL, /* the key's entry excludes the channel */
  ARW_SIGNER_TRUST_EXPIRED,       /* the key's entry has expired */
} ArwSignerTrust;

/* The trusted signer registry. Immutable and refcounted, so one loaded
 * registry can be shared. */
typedef struct _ArwSignerRegistry ArwSignerRegistry;

/* Any problem invalidates the whole registry (fail closed): an unreadable
 * file, bad JSON, an entry without key_id or public key, a public key that
 * is not strict base64 of 32 bytes, a duplicate key_id or public key, or an
 * expires_at that is not RFC 3339. The error names the file and the entry. */
ArwSignerRegistry *arw_signer_registry_new_from_file (const char *path, GError **error);
/* @origin names the data in error messages (a path, say). */
ArwSignerRegistry *arw_signer_registry_new_from_data (const char *data, gssize len,
                                                      const char *origin, GError **error);
ArwSignerRegistry *arw_signer_registry_ref (ArwSignerRegistry *self);
void arw_signer_registry_unref (ArwSignerRegistry *self);

/* The file it was loaded from, or the @origin given; may be NULL. */
const char *arw_signer_registry_get_path (ArwSignerRegistry *self);
guint arw_signer_registry_get_n_signers (ArwSignerRegistry *self);
const ArwSigner *arw_signer_registry_get_signer (ArwSignerRegistry *self, guint index);
const ArwSigner *arw_signer_registry_find_by_key_id (ArwSignerRegistry *self, const char *key_id);
const ArwSigner *arw_signer_registry_find_by_public_key (ArwSignerRegistry *self,
                                                         const char *public_key_b64);

/* Trust decision for a valid signature (spec §2.2 with our fix). Unlike ARW,
 * the key_id a manifest claims never grants trust: the signature's public key
 * string must equal an entry's public_key_b64 (exact, case-sensitive; the
 * manifest value is not trimmed). That entry must also not have expired at
 * @now (NULL: the current time) and must allow @channel (trimmed; NULL or
 * blank means none). @out_signer receives the entry with that key, if any. */
ArwSignerTrust arw_signer_registry_check (ArwSignerRegistry *self, const char *public_key_b64,
                                          const char *channel, GDateTime *now,
                                          const ArwSigner **out_signer);

/* §2.2 channel rule: no channels → any channel (even none); else the channel
 * must be non-blank and an entry must be "*", "all" (any case) or equal it
 * ignoring ASCII case. */
gboolean arw_signer_allows_channel (const ArwSigner *signer, const char *channel);
gboolean arw_signer_is_expired (const ArwSigner *signer, GDateTime *now);

/* Where the registry comes from (§2.3): ARW_RUNTIME_BUNDLE_SIGNERS (trimmed,
 * blank ignored; returned even if the file does not exist), else the config
 * search for runtime/bundle_signers.json. NULL: no registry configured. */
char *arw_signer_registry_locate (void);

typedef enum {
  ARW_SIGNER_REGISTRY_ABSENT, /* nothing configured: trust is not enforced */
  ARW_SIGNER_REGISTRY_LOADED,
  ARW_SIGNER_REGISTRY_FAILED, /* configured but unusable: see error */
} ArwSignerRegistryState;

/* Outcome of locating and loading the registry. ARW treats FAILED like
 * ABSENT after printing "warning: failed to load runtime bundle signer
 * registry: <error>"; when trust is required we fail closed instead. */
typedef struct {
  ArwSignerRegistryState state;
  char *path;                  /* NULL when ABSENT */
  ArwSignerRegistry *registry; /* set iff LOADED */
  GError *error;               /* set iff FAILED */
} ArwSignerRegistryLoad;

ArwSignerRegistryLoad *arw_signer_registry_load_default (void);
/* @path NULL gives ABSENT. */
ArwSignerRegistryLoad *arw_signer_registry_load_path (const char *path);
void arw_signer_registry_load_free (ArwSignerRegistryLoad *self);
/* For callers that require trusted signatures: TRUE when a registry is
 * loaded and lists at least one signer, else an ARW_ERROR_UNTRUSTED error
 * that says what to fix. */
gboolean arw_signer_registry_load_require (const ArwSignerRegistryLoad *self, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwSignerRegistry, arw_signer_registry_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwSignerRegistryLoad, arw_signer_registry_load_free)

G_END_DECLS
