/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Private to ArwStore: the intent journal and its roll-forward, the
 * info.json printer and timestamp helpers. */

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define ARW_STORE_JOURNAL_DIR ".arw-journal"
#define ARW_STORE_STAGING_DIR ".arw-staging"
#define ARW_STORE_LOCK_FILE ".arw-lock"
#define ARW_STORE_HISTORY_DIR "history"
#define ARW_STORE_INFO_FILE "info.json"
#define ARW_STORE_JSON_MAX (16 * 1024 * 1024)

/* The components of a bundle directory that move as one revision. The
 * first three are ARW's; provenance.json is ours (ARW readers ignore it). */
typedef enum {
  ARW_STORE_COMPONENT_BUNDLE_JSON = 1 << 0,
  ARW_STORE_COMPONENT_ARTIFACTS = 1 << 1,
  ARW_STORE_COMPONENT_PAYLOAD = 1 << 2,
  ARW_STORE_COMPONENT_PROVENANCE = 1 << 3,
} ArwStoreComponent;

#define ARW_STORE_ARW_COMPONENTS \
  (ARW_STORE_COMPONENT_BUNDLE_JSON | ARW_STORE_COMPONENT_ARTIFACTS | ARW_STORE_COMPONENT_PAYLOAD)
#define ARW_STORE_N_COMPONENTS 4
#define ARW_STORE_N_ARW_COMPONENTS 3

const char *_arw_store_component_name (guint index);
/* Bitmask of the components present beneath @dirfd. */
guint _arw_store_components_present (int dirfd);

/* One transaction's intent. Paths are relative to the store root.
 * - dir: the bundle directory name;
 * - source: where the new components are (a staging dir, or a history
 *   revision for rollback); removed once everything has moved;
 * - components: the components the new live state has;
 * - revision: history revision that receives the displaced live components
 *   (NULL when there was no live state);
 * - info: info.json for that revision. */
typedef struct {
  char *op;
  char *bundle;
  char *dir;
  char *source;
  guint components;
  char *revision;
  JsonNode *info;
} ArwStoreJournal;

void _arw_store_journal_free (ArwStoreJournal *journal);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwStoreJournal, _arw_store_journal_free)

gboolean _arw_store_journal_write (int root_fd, const ArwStoreJournal *journal, GError **error);
ArwStoreJournal *_arw_store_journal_load (int root_fd, const char *file_name, GError **error);
/* Rolls @journal forward; safe to repeat after a crash at any point. Does
 * not delete the journal file. */
gboolean _arw_store_journal_apply (int root_fd, const ArwStoreJournal *journal, GError **error);
gboolean _arw_store_journal_delete (int root_fd, const ArwStoreJournal *journal, GError **error);


/* "YYYYMMDDTHHMMSSmmmZ" and "YYYY-MM-DDTHH:MM:SS.mmmZ" in UTC. */
char *_arw_store_timestamp_compact (GDateTime *dt);
char *_arw_store_timestamp_rfc3339 (GDateTime *dt);
GDateTime *_arw_store_timestamp_parse_compact (const char *ts);

gboolean _arw_store_is_revision_name (const char *name);

G_END_DECLS
