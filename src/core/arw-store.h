/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The installed-bundle store: ARW's layout (spec §3) under a root such as
 * <state>/runtime/bundles, changed only through crash-safe transactions.
 *
 *   <root>/<dir>/{bundle.json,artifacts/,payload/,provenance.json}   live
 *   <root>/<dir>/history/rev-YYYYMMDDTHHMMSSmmmZ/{…,info.json}        history
 *   <root>/.arw-staging/<tx>/        staging (same filesystem as live)
 *   <root>/.arw-journal/<dir>.json   intent journal of an unfinished commit
 *   <root>/.arw-lock                 flock, holds the writer's pid
 *
 * Writers (commit, rollback, remove) are serialised by the lock and replay
 * any unfinished journal first. All calls block on disk I/O: call them from a
 * worker thread in a service. */

#define ARW_TYPE_STORE (arw_store_get_type ())
G_DECLARE_FINAL_TYPE (ArwStore, arw_store, ARW, STORE, GObject)

#define ARW_STORE_DEFAULT_KEEP_REVISIONS 5

typedef enum {
  ARW_STORE_KIND_INSTALL,
  ARW_STORE_KIND_IMPORT,
  ARW_STORE_KIND_ROLLBACK,
} ArwStoreKind;

const char *arw_store_kind_to_string (ArwStoreKind kind);

/* One history/rev-* directory, with its info.json when it parses. */
typedef struct {
  char *name;         /* "rev-…" */
  char *saved_at;     /* info.saved_at, else the name without "rev-" */
  char *kind;         /* info.kind or NULL */
  char *path;         /* <root>/<dir>/history/<name> */
  JsonNode *summary;  /* info.summary or NULL */
  JsonNode *info;     /* whole info.json or NULL */
} ArwStoreRevision;

void arw_store_revision_free (ArwStoreRevision *revision);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwStoreRevision, arw_store_revision_free)

typedef struct {
  char *bundle;
  gboolean dry_run;
  char *restored_revision;       /* "rev-…" */
  GStrv restored_components;     /* of bundle.json, artifacts, payload */
  GStrv missing_components;
  char *snapshot_created;        /* NULL for dry runs and empty live state */
  GStrv warnings;                /* messages for the user, e.g. low disk space */
} ArwStoreRollbackResult;

void arw_store_rollback_result_free (ArwStoreRollbackResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwStoreRollbackResult, arw_store_rollback_result_free)

typedef struct _ArwStoreTransaction ArwStoreTransaction;


/* info.json "summary" of an installed bundle.json: {id, name?, adapter?,
 * channel?, source_kind?, modalities?, profiles?} (empty arrays omitted). */
JsonNode *arw_store_summarize_bundle_json (JsonNode *bundle_json, const char *fallback_id);

/* Creates @root if needed and, unless another writer holds the lock, replays
 * unfinished journals and clears stale staging. A read-only root opens for
 * reading. */
ArwStore *arw_store_open (const char *root, GError **error);
const char *arw_store_get_root (ArwStore *self);
char *arw_store_get_bundle_dir (ArwStore *self, const char *bundle_id);
/* Revisions kept after each commit/rollback; 0 keeps all. Default 5, or
 * ARW_RUNTIME_KEEP_REVISIONS. */
void arw_store_set_keep_revisions (ArwStore *self, guint keep);
guint arw_store_get_keep_revisions (ArwStore *self);
/* How long writers wait for the lock before ARW_ERROR_BUSY (default 0). */
void arw_store_set_lock_timeout (ArwStore *self, guint timeout_ms);
/* Replays unfinished work now (blocking on the lock as writers do). */
gboolean arw_store_recover (ArwStore *self, GError **error);

/* TRUE if the bundle has bundle.json, artifacts/ or payload/. */
gboolean arw_store_has_live_state (ArwStore *self, const char *bundle_id);
/* Integer bundle.revision of the live bundle.json, or -1 when it has none.
 * ARW_ERROR_NOT_FOUND when the bundle has no bundle.json. */
gboolean arw_store_get_live_revision_number (ArwStore *self, const char *bundle_id,
                                             gint64 *out_revision, GError **error);

ArwStoreTransaction *arw_store_begin (ArwStore *self, const char *bundle_id, ArwStoreKind kind,
                                      GCancellable *cancellable, GError **error);
/* Fill this directory with bundle.json, artifacts/, payload/ and
 * provenance.json; whatever is absent is absent in the new state. */
const char *arw_store_transaction_get_staging_dir (ArwStoreTransaction *tx);
/* A directory fd for the staging dir, owned by the transaction. */
int arw_store_transaction_get_staging_fd (ArwStoreTransaction *tx);
/* Checks that @bytes (+5%) are free; if not, prunes this bundle's history to
 * one revision (adding a warning) or fails with ARW_ERROR_NO_SPACE. */
gboolean arw_store_transaction_reserve (ArwStoreTransaction *tx, guint64 bytes, GError **error);
/* Makes the staged state live, snapshotting any live state. On failure
 * before the journal is written the live state is untouched; after it, the
 * change completes at the next store operation. Either way the transaction
 * is finished. */
gboolean arw_store_transaction_commit (ArwStoreTransaction *tx, GError **error);
void arw_store_transaction_abort (ArwStoreTransaction *tx);
/* "rev-…" that received the previous state, or NULL. */
const char *arw_store_transaction_get_snapshot (ArwStoreTransaction *tx);
/* Messages to show the user, e.g. "low disk space: pruned history to 1 revision". */
GPtrArray *arw_store_transaction_get_warnings (ArwStoreTransaction *tx);
/* Aborts the transaction if it is still open. */
void arw_store_transaction_free (ArwStoreTransaction *tx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwStoreTransaction, arw_store_transaction_free)

/* History, newest first (ArwStoreRevision). Error "bundle <id> not staged at
 * <dir>" when the bundle directory does not exist. */
GPtrArray *arw_store_list_revisions (ArwStore *self, const char *bundle_id, GError **error);
/* Restores @revision ("rev-X" or "X"; NULL = newest) by rename. The live
 * state becomes a new revision of kind "rollback" whose info.json also has
 * "restored_revision" and "restored_at"; the restored revision leaves the
 * history (its contents are live now), so rolling back again returns. */
gboolean arw_store_rollback (ArwStore *self, const char *bundle_id, const char *revision,
                             gboolean dry_run, ArwStoreRollbackResult **out_result,
                             GError **error);
/* Deletes the bundle directory with its history. */
gboolean arw_store_remove (ArwStore *self, const char *bundle_id, GError **error);

/* ARW's JSON shapes (spec §5.8). */
JsonNode *arw_store_history_to_json (const char *bundle_id, GPtrArray *revisions);
JsonNode *arw_store_rollback_result_to_json (const ArwStoreRollbackResult *result);

G_END_DECLS
