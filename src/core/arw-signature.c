/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#include "arw-base64.h"
#include "arw-canonical-json.h"
#include "arw-ed25519-key.h"
#include "arw-error.h"
#include "arw-sha256.h"
#include "arw-signature.h"

/* Ed25519 verification: ARW uses ed25519-dalek 2.x `verify` (cofactorless,
 * canonical S required, small-order keys and R accepted); we use libsodium
 * 1.0.18 crypto_sign_ed25519_verify_detached(), which is also cofactorless
 * and requires a canonical S, but additionally rejects small-order public
 * keys and R values and non-canonical public key encodings. The two agree
 * on every signature an honest signer makes; they differ only for crafted
 * degenerate keys, where we reject signatures dalek would accept (safe
 * direction, and such keys could never be in a sane registry). We mirror
 * dalek's error texts: point decompression is checked separately, and a
 * non-canonical S gets dalek's ScalarFormat message. */

/* bundle.json files are a few KiB; refuse absurd ones before parsing */
#define MANIFEST_MAX_SIZE (16 * 1024 * 1024)

#define DALEK_PREFIX "signature error: "
#define MSG_DECOMPRESS DALEK_PREFIX "Cannot decompress Edwards point"
#define MSG_SCALAR DALEK_PREFIX "Cannot use scalar with high-bit set"
#define MSG_EQUATION DALEK_PREFIX "Verification equation was not satisfied"

static gboolean
check_size (gsize len, GError **error)
{
  if (len <= MANIFEST_MAX_SIZE)
    return TRUE;
  g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
               "bundle manifest is too large (%" G_GSIZE_FORMAT " bytes, the limit is %d)",
               len, MANIFEST_MAX_SIZE);
  return FALSE;
}

typedef struct {
  GBytes *payload;
  const char *digest_hex;
  ArwSignerRegistry *registry;
  const char *channel;
  GDateTime *now;
} VerifyContext;

/* A manifest string value: pointer plus length, because JSON strings may
 * hold NUL, which must not shorten a key or signature before decoding. */
typedef struct {
  char *str;
  gsize len;
} Text;

static void
report_free (ArwManifestSignatureReport *report)
{
  g_free (report->key_id);
  g_free (report->issuer);
  g_free (report->issued_at);
  g_free (report->manifest_sha256);
  g_free (report->public_key_b64);
  g_free (report->error);
  g_free (report);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwManifestSignatureReport, report_free)

void
arw_manifest_verification_free (ArwManifestVerification *self)
{
  if (self == NULL)
    return;
  g_free (self->canonical_sha256);
  g_ptr_array_unref (self->signatures);
  g_ptr_array_unref (self->warnings);
  g_free (self->channel);
  g_free (self);
}

void
arw_manifest_sign_info_free (ArwManifestSignInfo *self)
{
  if (self == NULL)
    return;
  g_free (self->key_id);
  g_free (self->public_key_b64);
  g_free (self->signature_b64);
  g_free (self->payload_sha256);
  g_free (self->issued_at);
  g_free (self);
}

static gboolean
append_utf8 (GString *out, const char **p)
{
  gunichar c = 0;

  for (guint i = 0; i < 4; i++)
    {
      int v = g_ascii_xdigit_value ((*p)[i]);
      if (v < 0)
        return FALSE;
      c = c * 16 + v;
    }
  *p += 4;
  if (c >= 0xd800 && c < 0xdc00 && (*p)[0] == '\\' && (*p)[1] == 'u')
    {
      const char *q = *p + 2;
      gunichar lo = 0;
      for (guint i = 0; i < 4; i++)
        {
          int v = g_ascii_xdigit_value (q[i]);
          if (v < 0)
            return FALSE;
          lo = lo * 16 + v;
        }
      if (lo < 0xdc00 || lo > 0xdfff)
        return FALSE;
      c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
      *p += 6;
    }
  else if (c >= 0xd800 && c <= 0xdfff)
    return FALSE;
  g_string_append_unichar (out, c);
  return TRUE;
}

/* Decodes a JSON string literal (as the canonicaliser writes it). FALSE
 * when @canonical is NULL or not a string. */
static gboolean
text_from_canonical (const char *canonical, Text *out)
{
  g_autoptr(GString) s = NULL;
  const char *p;

  out->str = NULL;
  out->len = 0;
  if (canonical == NULL || canonical[0] != '"')
    return FALSE;
  s = g_string_new (NULL);
  for (p = canonical + 1; *p != '"'; )
    {
      if (*p == '\0')
        return FALSE;
      if (*p != '\\')
        {
          g_string_append_c (s, *p++);
          continue;
        }
      p++;
      switch (*p++)
        {
        case '"': g_string_append_c (s, '"'); break;
        case '\\': g_string_append_c (s, '\\'); break;
        case '/': g_string_append_c (s, '/'); break;
        case 'b': g_string_append_c (s, '\b'); break;
        case 'f': g_string_append_c (s, '\f'); break;
        case 'n': g_string_append_c (s, '\n'); break;
        case 'r': g_string_append_c (s, '\r'); break;
        case 't': g_string_append_c (s, '\t'); break;
        case 'u':
          if (!append_utf8 (s, &p))
            return FALSE;
          break;
        default:
          return FALSE;
        }
    }
  out->len = s->len;
  out->str = g_string_free (g_steal_pointer (&s), FALSE);
  return TRUE;
}

static char *
string_member (ArwCanonicalObject *obj, const char *key)
{
  Text text;

  if (obj == NULL || !text_from_canonical (arw_canonical_object_get (obj, key), &text))
    return NULL;
  return text.str;
}

/* Rust's str::trim() on a (possibly NUL-holding) value, as a C string. */
static char *
trim_unicode (const char *s, gsize len)
{
  const char *start = s, *end = s + len;

  while (start < end && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);
  while (end > start)
    {
      const char *prev = g_utf8_find_prev_char (start, end);
      if (prev == NULL || !g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }
  return g_strndup (start, end - start);
}

static char *
channel_hint (ArwCanonicalObject *root)
{
  const char *catalog = arw_canonical_object_get (root, "catalog");
  g_autoptr(ArwCanonicalObject) obj = NULL;
  g_autofree char *channel = NULL;
  g_autofree char *trimmed = NULL;

  if (catalog == NULL || catalog[0] != '{')
    return NULL;
  obj = arw_canonical_object_parse (catalog, -1, NULL);
  channel = string_member (obj, "channel");
  if (channel == NULL)
    return NULL;
  trimmed = trim_unicode (channel, strlen (channel));
  return *trimmed != '\0' ? g_steal_pointer (&trimmed) : NULL;
}

/* §4.2: optional "sha256:"/"SHA256:" prefix, hex compared ignoring case;
 * blank never matches. */
static gboolean
digest_matches (const Text *recorded, const char *digest_hex)
{
  g_autofree char *trimmed = NULL;
  const char *hex;

  if (memchr (recorded->str, '\0', recorded->len) != NULL)
    return FALSE;
  trimmed = trim_unicode (recorded->str, recorded->len);
  if (*trimmed == '\0')
    return FALSE;
  hex = trimmed;
  if (g_str_has_prefix (hex, "sha256:") || g_str_has_prefix (hex, "SHA256:"))
    hex += strlen ("sha256:");
  return g_ascii_strcasecmp (hex, digest_hex) == 0;
}

/* S must be below the group order L (little-endian). */
static gboolean
scalar_is_canonical (const guint8 s[32])
{
  static const guint8 order[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
  };

  for (int i = 31; i >= 0; i--)
    {
      if (s[i] != order[i])
        return s[i] < order[i];
    }
  return FALSE;
}

typedef struct {
  ArwManifestSignatureReport *report;
  GPtrArray *errors;
  Text public_key;
  Text signature;
  Text manifest_sha256;
  guint8 pk[32];
  guint8 sig[64];
} EntryState;

static void
entry_state_clear (EntryState *st)
{
  g_free (st->public_key.str);
  g_free (st->signature.str);
  g_free (st->manifest_sha256.str);
  g_clear_pointer (&st->errors, g_ptr_array_unref);
}

static void
entry_read_fields (EntryState *st, const char *element)
{
  g_autoptr(ArwCanonicalObject) obj = NULL;
  ArwManifestSignatureReport *r = st->report;
  const char *pk_canonical;

  if (element[0] == '{')
    obj = arw_canonical_object_parse (element, -1, NULL);
  if (obj == NULL)
    return;
  r->key_id = string_member (obj, "key_id");
  r->issuer = string_member (obj, "issuer");
  r->issued_at = string_member (obj, "issued_at");
  if (text_from_canonical (arw_canonical_object_get (obj, "manifest_sha256"), &st->manifest_sha256))
    r->manifest_sha256 = g_strdup (st->manifest_sha256.str);
  pk_canonical = arw_canonical_object_get (obj, "public_key_b64");
  if (pk_canonical == NULL)
    pk_canonical = arw_canonical_object_get (obj, "public_key");
  if (text_from_canonical (pk_canonical, &st->public_key))
    r->public_key_b64 = g_strdup (st->public_key.str);
  text_from_canonical (arw_canonical_object_get (obj, "signature"), &st->signature);
}

/* Records @signature_error, or the key error instead when the key itself
 * is unusable. Always FALSE. */
static gboolean
entry_fail_key_first (EntryState *st, char *signature_error)
{
  if (!arw_ed25519_public_key_is_valid (st->pk))
    {
      g_free (signature_error);
      g_ptr_array_add (st->errors, g_strdup ("invalid ed25519 public key: " MSG_DECOMPRESS));
    }
  else
    g_ptr_array_add (st->errors, signature_error);
  return FALSE;
}

/* §4.5 c-d: FALSE (with an error added) when the key or signature is
 * unusable. */
static gboolean
entry_decode_key_and_signature (EntryState *st)
{
  g_autoptr(GError) error_local = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (st->public_key.str == NULL)
    {
      g_ptr_array_add (st->errors, g_strdup ("public_key_b64 missing"));
      return FALSE;
    }
  bytes = arw_base64_decode (st->public_key.str, st->public_key.len, &error_local);
  if (bytes == NULL)
    {
      g_ptr_array_add (st->errors, g_strdup_printf ("invalid public_key_b64: %s", error_local->message));
      return FALSE;
    }
  if (g_bytes_get_size (bytes) != sizeof st->pk)
    {
      g_ptr_array_add (st->errors, g_strdup ("public key must be 32 bytes"));
      return FALSE;
    }
  memcpy (st->pk, g_bytes_get_data (bytes, NULL), sizeof st->pk);
  g_clear_pointer (&bytes, g_bytes_unref);

  /* The key check is as costly as a verification, so it runs only when
   * something fails: a key problem is reported before a signature
   * problem, as ARW orders them. */
  if (st->signature.str == NULL)
    return entry_fail_key_first (st, g_strdup ("signature missing"));
  bytes = arw_base64_decode (st->signature.str, st->signature.len, &error_local);
  if (bytes == NULL)
    return entry_fail_key_first (st, g_strdup_printf ("invalid signature encoding: %s", error_local->message));
  if (g_bytes_get_size (bytes) != sizeof st->sig)
    return entry_fail_key_first (st, g_strdup ("signature must be 64 bytes"));
  memcpy (st->sig, g_bytes_get_data (bytes, NULL), sizeof st->sig);
  return TRUE;
}

static char *
rejection_message (const ArwManifestSignatureReport *r, const VerifyContext *ctx,
                   ArwSignerTrust trust, const ArwSigner *signer)
{
  g_autoptr(GString) msg = g_string_new (NULL);
  const ArwSigner *claimed = NULL;

  if (r->key_id != NULL && ctx->channel != NULL)
    g_string_printf (msg, "signature with key_id %s is not trusted for channel %s", r->key_id, ctx->channel);
  else if (r->key_id != NULL)
    g_string_printf (msg, "signature with key_id %s is not present in signer registry", r->key_id);
  else if (ctx->channel != NULL)
    g_string_printf (msg, "signature public key is not trusted for channel %s", ctx->channel);
  else
    g_string_printf (msg, "signature public key %s is not trusted", r->public_key_b64);

  /* reasons ARW cannot give, because it ignores expiry and trusts key_ids */
  if (trust == ARW_SIGNER_TRUST_EXPIRED)
    g_string_append_printf (msg, ": signer registry entry %s expired at %s",
                            signer->key_id, signer->expires_at);
  else if (trust == ARW_SIGNER_TRUST_UNKNOWN_KEY && r->key_id != NULL &&
           (claimed = arw_signer_registry_find_by_key_id (ctx->registry, r->key_id)) != NULL)
    g_string_append (msg, ": its public key is not the one the signer registry lists for that key_id");
  return g_string_free (g_steal_pointer (&msg), FALSE);
}

/* §4.5 step 4 for one entry; *entry_ok is cleared on failure. */
static ArwManifestSignatureReport *
verify_entry (guint index, const char *element, const VerifyContext *ctx, gboolean *entry_ok)
{
  EntryState st = { 0 };
  ArwManifestSignatureReport *r = g_new0 (ArwManifestSignatureReport, 1);
  gsize payload_len = 0;
  const guint8 *payload = g_bytes_get_data (ctx->payload, &payload_len);

  r->index = index;
  st.report = r;
  st.errors = g_ptr_array_new_with_free_func (g_free);
  entry_read_fields (&st, element);

  if (st.manifest_sha256.str != NULL)
    {
      r->hash_matches = digest_matches (&st.manifest_sha256, ctx->digest_hex);
      if (!r->hash_matches)
        g_ptr_array_add (st.errors, g_strdup_printf ("manifest_sha256 %s does not match canonical sha256:%s",
                                                     r->manifest_sha256, ctx->digest_hex));
    }
  else
    g_ptr_array_add (st.errors, g_strdup ("manifest_sha256 missing"));

  if (!entry_decode_key_and_signature (&st))
    *entry_ok = FALSE;
  else if (!scalar_is_canonical (st.sig + 32))
    *entry_ok = entry_fail_key_first (&st, g_strdup ("signature verification failed: " MSG_SCALAR));
  else if (crypto_sign_ed25519_verify_detached (st.sig, payload, payload_len, st.pk) != 0)
    *entry_ok = entry_fail_key_first (&st, g_strdup ("signature verification failed: " MSG_EQUATION));
  else
    r->signature_valid = TRUE;

  if (r->signature_valid && ctx->registry != NULL)
    {
      const ArwSigner *signer = NULL;
      ArwSignerTrust trust = arw_signer_registry_check (ctx->registry, r->public_key_b64,
                                                        ctx->channel, ctx->now, &signer);
      if (trust == ARW_SIGNER_TRUST_TRUSTED)
        r->trusted = TRUE;
      else
        {
          r->rejected = TRUE;
          g_ptr_array_add (st.errors, rejection_message (r, ctx, trust, signer));
        }
    }

  if (!r->hash_matches)
    *entry_ok = FALSE;
  if (st.errors->len > 0)
    {
      g_ptr_array_add (st.errors, NULL);
      r->error = g_strjoinv ("; ", (char **) st.errors->pdata);
    }
  entry_state_clear (&st);
  return r;
}

static gboolean
verify_signatures (ArwManifestVerification *v, ArwCanonicalObject *root, const VerifyContext *ctx)
{
  const char *sigs = arw_canonical_object_get (root, "signatures");
  g_autoptr(GPtrArray) elements = NULL;
  gboolean ok = TRUE;

  if (sigs == NULL)
    {
      g_ptr_array_add (v->warnings, g_strdup ("manifest has no signatures array"));
      return FALSE;
    }
  if (sigs[0] != '[' || (elements = arw_canonical_json_array_elements (sigs, NULL)) == NULL)
    {
      g_ptr_array_add (v->warnings, g_strdup ("manifest signatures entry is not an array"));
      return FALSE;
    }
  if (elements->len == 0)
    {
      g_ptr_array_add (v->warnings, g_strdup ("manifest signatures array is empty"));
      return FALSE;
    }
  for (guint i = 0; i < elements->len; i++)
    {
      ArwManifestSignatureReport *r = verify_entry (i, g_ptr_array_index (elements, i), ctx, &ok);
      g_ptr_array_add (v->signatures, r);
      v->trusted_signatures += r->trusted ? 1 : 0;
      v->rejected_signatures += r->rejected ? 1 : 0;
    }
  return ok;
}

/* The signed payload (§4.1): the canonical object without its top-level
 * "signatures", computed from the one parse of the manifest. */
static GBytes *
payload_from_object (ArwCanonicalObject *root)
{
  g_autofree char *signatures = g_strdup (arw_canonical_object_get (root, "signatures"));
  char *text;

  if (signatures != NULL)
    arw_canonical_object_remove (root, "signatures");
  text = arw_canonical_object_to_string (root, FALSE);
  if (signatures != NULL)
    arw_canonical_object_set (root, "signatures", signatures);
  return g_bytes_new_take (text, strlen (text));
}

ArwManifestVerification *
arw_manifest_verify (const char *data, gssize len, ArwSignerRegistry *registry, GError **error)
{
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(ArwCanonicalObject) root = NULL;
  g_autoptr(ArwManifestVerification) v = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *hex = NULL;
  VerifyContext ctx = { 0 };

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_size (len < 0 ? strlen (data) : (gsize) len, error))
    return NULL;
  root = arw_canonical_object_parse (data, len, error);
  if (root == NULL)
    return NULL;
  payload = payload_from_object (root);

  v = g_new0 (ArwManifestVerification, 1);
  v->signatures = g_ptr_array_new_with_free_func ((GDestroyNotify) report_free);
  v->warnings = g_ptr_array_new_with_free_func (g_free);
  v->trust_enforced = registry != NULL;
  v->ok = TRUE;
  hex = arw_sha256_hex (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
  v->canonical_sha256 = g_strconcat ("sha256:", hex, NULL);
  v->channel = channel_hint (root);

  now = g_date_time_new_now_utc ();
  ctx.payload = payload;
  ctx.digest_hex = hex;
  ctx.registry = registry;
  ctx.channel = v->channel;
  ctx.now = now;
  if (!verify_signatures (v, root, &ctx))
    v->ok = FALSE;
  if (v->signatures->len > 0 && v->trust_enforced && v->trusted_signatures == 0)
    {
      v->ok = FALSE;
      if (v->channel != NULL)
        g_ptr_array_add (v->warnings, g_strdup_printf ("no trusted signatures matched signer registry for channel %s",
                                                       v->channel));
      else
        g_ptr_array_add (v->warnings, g_strdup ("no trusted signatures matched signer registry"));
    }
  return g_steal_pointer (&v);
}

ArwManifestVerification *
arw_manifest_verify_file (const char *path, ArwSignerRegistry *registry, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode) && !check_size (st.st_size, error))
    return NULL;
  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  return arw_manifest_verify (data, len, registry, error);
}

gboolean
arw_manifest_verification_is_trust_shortfall (const ArwManifestVerification *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!self->trust_enforced || self->trusted_signatures > 0 || self->signatures->len == 0)
    return FALSE;
  for (guint i = 0; i < self->signatures->len; i++)
    {
      const ArwManifestSignatureReport *r = g_ptr_array_index (self->signatures, i);
      if (!r->signature_valid || !r->hash_matches)
        return FALSE;
    }
  return TRUE;
}

gboolean
arw_manifest_verification_is_verified (const ArwManifestVerification *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->ok || arw_manifest_verification_is_trust_shortfall (self);
}

gboolean
arw_manifest_verification_check_policy (const ArwManifestVerification *self,
                                        gboolean require_trusted,
                                        gboolean registry_available, GError **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!arw_manifest_verification_is_verified (self))
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_SIGNATURE_INVALID,
                           "bundle manifest verification failed");
      return FALSE;
    }
  if (!require_trusted)
    return TRUE;
  if (!registry_available || !self->trust_enforced)
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_UNTRUSTED,
                           "trusted signatures are required but no usable runtime bundle signer "
                           "registry is loaded: set ARW_RUNTIME_BUNDLE_SIGNERS to a "
                           "bundle_signers.json file or install configs/runtime/bundle_signers.json");
      return FALSE;
    }
  if (self->trusted_signatures == 0)
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_UNTRUSTED,
                           "bundle manifest verification failed: no trusted signatures matched "
                           "the signer registry");
      return FALSE;
    }
  return TRUE;
}

/* ---- JSON ------------------------------------------------------------- */

static void
set_optional_string (JsonObject *obj, const char *name, const char *value)
{
  if (value != NULL)
    json_object_set_string_member (obj, name, value);
}

static JsonNode *
node_from_object (JsonObject *obj)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, obj);
  return node;
}

JsonNode *
arw_manifest_signature_report_to_json (const ArwManifestSignatureReport *r)
{
  JsonObject *obj;

  g_return_val_if_fail (r != NULL, NULL);

  /* members in sorted order, as ARW prints them */
  obj = json_object_new ();
  set_optional_string (obj, "error", r->error);
  json_object_set_boolean_member (obj, "hash_matches", r->hash_matches);
  json_object_set_int_member (obj, "index", r->index);
  set_optional_string (obj, "issued_at", r->issued_at);
  set_optional_string (obj, "issuer", r->issuer);
  set_optional_string (obj, "key_id", r->key_id);
  set_optional_string (obj, "manifest_sha256", r->manifest_sha256);
  set_optional_string (obj, "public_key_b64", r->public_key_b64);
  json_object_set_boolean_member (obj, "rejected", r->rejected);
  json_object_set_boolean_member (obj, "signature_valid", r->signature_valid);
  json_object_set_boolean_member (obj, "trusted", r->trusted);
  return node_from_object (obj);
}

static JsonNode *
verification_to_json (const ArwManifestVerification *self, const char *manifest_path,
                      gboolean verify_command)
{
  JsonObject *obj = json_object_new ();
  JsonArray *sigs = json_array_new ();
  gboolean ok = self->ok;

  if (verify_command && arw_manifest_verification_is_trust_shortfall (self))
    ok = TRUE;
  for (guint i = 0; i < self->signatures->len; i++)
    json_array_add_element (sigs, arw_manifest_signature_report_to_json (g_ptr_array_index (self->signatures, i)));

  set_optional_string (obj, "canonical_sha256", self->canonical_sha256);
  if (verify_command)
    json_object_set_string_member (obj, "manifest", manifest_path);
  json_object_set_boolean_member (obj, "ok", ok);
  json_object_set_int_member (obj, "rejected_signatures", self->rejected_signatures);
  json_object_set_array_member (obj, "signatures", sigs);
  json_object_set_boolean_member (obj, "trust_enforced", self->trust_enforced);
  json_object_set_int_member (obj, "trusted_signatures", self->trusted_signatures);
  if (verify_command || self->warnings->len > 0)
    {
      JsonArray *warnings = json_array_new ();
      for (guint i = 0; i < self->warnings->len; i++)
        json_array_add_string_element (warnings, g_ptr_array_index (self->warnings, i));
      json_object_set_array_member (obj, "warnings", warnings);
    }
  return node_from_object (obj);
}

JsonNode *
arw_manifest_verification_to_json (const ArwManifestVerification *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return verification_to_json (self, NULL, FALSE);
}

JsonNode *
arw_manifest_verification_to_verify_json (const ArwManifestVerification *self,
                                          const char *manifest_path)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (manifest_path != NULL, NULL);
  return verification_to_json (self, manifest_path, TRUE);
}

/* ---- signing (§4.2) ----------------------------------------------------- */

static char *
issued_at_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *base = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03dZ", base, g_date_time_get_microsecond (now) / 1000);
}

/* The new entry as canonical JSON, members in sorted order. */
static char *
build_entry (const ArwManifestSignInfo *info, const char *issuer)
{
  GString *out = g_string_new ("{\"alg\":\"ed25519\",\"issued_at\":");

  arw_json_append_string (out, info->issued_at, -1);
  if (issuer != NULL)
    {
      g_string_append (out, ",\"issuer\":");
      arw_json_append_string (out, issuer, -1);
    }
  g_string_append (out, ",\"key_id\":");
  arw_json_append_string (out, info->key_id, -1);
  g_string_append (out, ",\"manifest_sha256\":\"sha256:");
  g_string_append (out, info->payload_sha256);
  g_string_append (out, "\",\"public_key_b64\":");
  arw_json_append_string (out, info->public_key_b64, -1);
  g_string_append (out, ",\"signature\":");
  arw_json_append_string (out, info->signature_b64, -1);
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* Existing entries minus those with the same key_id, plus @entry. */
static char *
build_signatures (ArwCanonicalObject *root, const char *key_id, const char *entry, GError **error)
{
  const char *existing = arw_canonical_object_get (root, "signatures");
  g_autoptr(GPtrArray) elements = NULL;
  GString *out = g_string_new ("[");

  if (existing != NULL)
    {
      if (existing[0] != '[' || (elements = arw_canonical_json_array_elements (existing, NULL)) == NULL)
        {
          g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                               "manifest signatures entry must be an array");
          g_string_free (out, TRUE);
          return NULL;
        }
      for (guint i = 0; i < elements->len; i++)
        {
          const char *element = g_ptr_array_index (elements, i);
          g_autoptr(ArwCanonicalObject) obj = NULL;
          g_autofree char *other = NULL;

          if (element[0] == '{')
            obj = arw_canonical_object_parse (element, -1, NULL);
          other = string_member (obj, "key_id");
          if (g_strcmp0 (other, key_id) == 0)
            continue;
          g_string_append (out, element);
          g_string_append_c (out, ',');
        }
    }
  g_string_append (out, entry);
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}

char *
arw_manifest_sign (const char *data, gssize len, const guint8 seed[32], const char *key_id,
                   const char *issuer, gboolean compact, ArwManifestSignInfo **out_info,
                   GError **error)
{
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(ArwCanonicalObject) root = NULL;
  g_autoptr(ArwEd25519Key) key = NULL;
  g_autoptr(ArwManifestSignInfo) info = NULL;
  g_autofree char *trimmed_issuer = NULL;
  g_autofree char *trimmed_key_id = NULL;
  g_autofree char *entry = NULL;
  g_autofree char *signatures = NULL;
  guint8 sig[ARW_ED25519_SIGNATURE_SIZE];
  char *text;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (seed != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_size (len < 0 ? strlen (data) : (gsize) len, error))
    return NULL;
  root = arw_canonical_object_parse (data, len, error);
  if (root == NULL)
    return NULL;
  payload = payload_from_object (root);

  key = arw_ed25519_key_new_from_seed (seed);
  arw_ed25519_key_sign (key, g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), sig);
  info = g_new0 (ArwManifestSignInfo, 1);
  if (key_id != NULL)
    trimmed_key_id = g_strstrip (g_strdup (key_id));
  if (trimmed_key_id != NULL && *trimmed_key_id != '\0')
    info->key_id = g_strdup (key_id);
  else
    info->key_id = arw_ed25519_key_dup_default_key_id (key);
  info->public_key_b64 = arw_ed25519_key_dup_public_b64 (key);
  info->signature_b64 = arw_base64_encode (sig, sizeof sig);
  info->payload_sha256 = arw_sha256_hex (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
  info->issued_at = issued_at_now ();

  if (issuer != NULL)
    trimmed_issuer = g_strstrip (g_strdup (issuer));
  if (trimmed_issuer != NULL && *trimmed_issuer == '\0')
    g_clear_pointer (&trimmed_issuer, g_free);
  entry = build_entry (info, trimmed_issuer);
  signatures = build_signatures (root, info->key_id, entry, error);
  if (signatures == NULL)
    return NULL;
  arw_canonical_object_set (root, "signatures", signatures);
  text = arw_canonical_object_to_string (root, !compact);
  if (out_info != NULL)
    *out_info = g_steal_pointer (&info);
  return text;
}
