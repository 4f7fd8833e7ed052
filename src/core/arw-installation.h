/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "arw-bundle.h"

G_BEGIN_DECLS

/* A regular file in an installation's artifacts/ directory. */
typedef struct {
  char *name;
  guint64 bytes;
  gboolean has_bytes;
} ArwInstalledArtifact;

/* One history/rev-* directory of an installation (§3.5). Absent
 * strings are NULL; summary is the info.json "summary" value or NULL. */
typedef struct {
  char *revision;
  char *path;
  char *saved_at;
  char *kind;
  JsonNode *summary;
} ArwHistoryEntry;

void arw_history_entry_free (ArwHistoryEntry *entry);
JsonNode *arw_history_entry_to_json (const ArwHistoryEntry *entry);
GPtrArray *arw_installation_list_history (const char *bundle_dir, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwHistoryEntry, arw_history_entry_free)

#define ARW_TYPE_INSTALLATION (arw_installation_get_type ())

/* One sub-directory of an install root that holds a parsable bundle.json
 * or at least one artifact file (§3.2–§3.4). Immutable, refcounted. */
typedef struct _ArwInstallation ArwInstallation;

GType arw_installation_get_type (void) G_GNUC_CONST;

ArwInstallation *arw_installation_load (const char *root,
                                        const char *dir_name,
                                        GPtrArray *diagnostics);
ArwInstallation *arw_installation_ref (ArwInstallation *self);
void arw_installation_unref (ArwInstallation *self);

const char *arw_installation_get_id (ArwInstallation *self);
const char *arw_installation_get_name (ArwInstallation *self);
const char *arw_installation_get_adapter (ArwInstallation *self);
const char *const *arw_installation_get_profiles (ArwInstallation *self);
const char *const *arw_installation_get_modalities (ArwInstallation *self);
const char *arw_installation_get_accelerator (ArwInstallation *self);
const char *arw_installation_get_channel (ArwInstallation *self);
const char *arw_installation_get_installed_at (ArwInstallation *self);
const char *arw_installation_get_imported_at (ArwInstallation *self);
JsonNode *arw_installation_get_source (ArwInstallation *self);
const char *arw_installation_get_metadata_path (ArwInstallation *self);
GPtrArray *arw_installation_get_artifacts (ArwInstallation *self);
const char *arw_installation_get_root (ArwInstallation *self);
const char *arw_installation_get_dir (ArwInstallation *self);
GBytes *arw_installation_get_manifest_bytes (ArwInstallation *self);
JsonNode *arw_installation_get_manifest (ArwInstallation *self);
ArwBundle *arw_installation_get_bundle (ArwInstallation *self);
/* Frees the manifest bytes, its tree and the parsed bundle once a caller
 * has used them (verified, rendered): keeps an inventory of thousands of
 * bundles small. Afterwards those getters return NULL. */
void arw_installation_drop_manifest (ArwInstallation *self);

JsonNode *arw_installation_to_json (ArwInstallation *self, JsonNode *signature);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwInstallation, arw_installation_unref)

G_END_DECLS
