/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "arw-bundle.h"
#include "arw-catalog.h"

G_BEGIN_DECLS

/* The files an install or import writes besides the payload: ARW's
 * bundle.json shapes (spec §3.4), our provenance.json side file and the
 * artifact file names of §3.3. */

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" and "YYYYMMDDTHHMMSSmmmZ" (UTC) of @dt. */
char *arw_install_timestamp_rfc3339 (GDateTime *dt);
char *arw_install_timestamp_compact (GDateTime *dt);

/* §3.3: the last path segment of @url without ?query/#fragment and trailing
 * '/', characters outside [A-Za-z0-9._-] replaced by '_'; an empty or "_"
 * result becomes "<kind>-NN.<format>" (or "<kind>-NN"), NN = @index + 1. */
char *arw_install_artifact_file_name (const char *url, const char *kind, const char *format, guint index);

/* §3.4: {bundle, catalog: {channel, notes, path}, source: {kind: "local",
 * roots}, installed_at}. */
JsonNode *arw_install_bundle_json (ArwBundle *bundle, ArwCatalog *catalog, const char *const *roots,
                                   const char *installed_at);
/* §3.4 minimal import form: {bundle: {id}, imported_at, source: {kind: "import"}}. */
JsonNode *arw_install_import_json (const char *bundle_id, const char *imported_at);

/* One artifact as recorded in provenance.json. Strings are borrowed. */
typedef struct {
  const char *kind;
  const char *format;
  const char *url;      /* as resolved, or NULL for imported files */
  const char *file;     /* relative to the bundle directory */
  const char *sha256;   /* lowercase hex of the bytes stored */
  guint64 size;
  const char *fetched_at;
  gboolean extracted;   /* unpacked into payload/ */
} ArwProvenanceItem;

/* provenance.json: {bundle, kind, at, tool, source, items: [...],
 * manifest: verification JSON or null}. Takes @verification (nullable). */
JsonNode *arw_install_provenance_json (const char *bundle_id, const char *kind, const char *at,
                                       JsonNode *source, const ArwProvenanceItem *items, guint n_items,
                                       JsonNode *verification);

/* Writes @node pretty (serde layout, keys sorted, no trailing newline) as
 * @name beneath @dirfd (new file, fsynced). */
gboolean arw_install_write_json_at (int dirfd, const char *name, JsonNode *node, GError **error);

G_END_DECLS
