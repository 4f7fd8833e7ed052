/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Append-only, hash-chained consent ledger: <dir>/ledger.jsonl, one
 * record per line, plus <dir>/ledger.head holding the seq and hash of the
 * last record (so cutting records off the end is noticed too).
 *
 * Record (keys in this order, compact json-glib output, one line):
 *   {"seq":N,"time":"2024-05-01T12:00:00Z","action":"grant"|"revoke",
 *    "bundle_id":"…","modalities":["audio",…],"scope":"once"|"always",
 *    "revision":"…" (optional),"prev":"<sha256 hex of the previous line's
 *    bytes without its newline, 64 zeros for the first>",
 *    "hash":"<sha256 hex of the same record serialised without hash>"}
 *
 * Appends write the line, fsync the file and fsync the directory before
 * returning, then update the head the same way. Load verifies the whole
 * chain. Any edit, deletion, reordering or truncation makes the ledger
 * *tampered*: is_granted() is FALSE for everything and get_warning() says
 * so, until the next grant starts a fresh chain (the old file is kept as
 * ledger.jsonl.tampered-<time>). A last line cut short by a crash during an
 * append (no newline) is ignored with a warning and cut off by the next
 * append; it is not tampering.
 *
 * Scopes: "always" lasts until revoked. "once" lasts for the current run
 * of the helper: it is recorded for audit, lives in this object's memory,
 * and ends with arw_consent_ledger_end_once() (the helper calls it when the
 * runtime is stopped), a revoke, or the end of the process. "once"
 * records read back from disk grant nothing. */

typedef enum {
  ARW_CONSENT_SCOPE_ONCE,
  ARW_CONSENT_SCOPE_ALWAYS,
} ArwConsentScope;

#define ARW_TYPE_CONSENT_LEDGER (arw_consent_ledger_get_type ())
G_DECLARE_FINAL_TYPE (ArwConsentLedger, arw_consent_ledger, ARW, CONSENT_LEDGER, GObject)

char *arw_consent_ledger_default_dir (void);

ArwConsentLedger *arw_consent_ledger_new (const char *dir);
gboolean arw_consent_ledger_load (ArwConsentLedger *self, GError **error);

gboolean arw_consent_ledger_grant (ArwConsentLedger *self,
                                   const char *bundle_id,
                                   const char *const *modalities,
                                   ArwConsentScope scope,
                                   const char *revision,
                                   GError **error);
gboolean arw_consent_ledger_revoke (ArwConsentLedger *self,
                                    const char *bundle_id,
                                    const char *const *modalities,
                                    GError **error);
gboolean arw_consent_ledger_is_granted (ArwConsentLedger *self,
                                        const char *bundle_id,
                                        const char *const *modalities);
void arw_consent_ledger_end_once (ArwConsentLedger *self, const char *bundle_id);

gboolean arw_consent_ledger_is_tampered (ArwConsentLedger *self);
const char *arw_consent_ledger_get_warning (ArwConsentLedger *self);
const char *arw_consent_ledger_get_path (ArwConsentLedger *self);
guint64 arw_consent_ledger_get_n_records (ArwConsentLedger *self);
JsonNode *arw_consent_ledger_to_json (ArwConsentLedger *self);

const char *arw_consent_scope_to_string (ArwConsentScope scope);

G_END_DECLS
