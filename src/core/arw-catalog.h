/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "arw-bundle.h"

G_BEGIN_DECLS

#define ARW_CATALOG_MAX_BYTES (16 * 1024 * 1024)
#define ARW_CATALOG_MAX_DEPTH 128

typedef enum {
  ARW_DIAGNOSTIC_WARNING, /* a value was dropped or ignored; the rest is used */
  ARW_DIAGNOSTIC_ERROR,   /* a bundle or a whole file was skipped */
} ArwDiagnosticSeverity;

/* One problem found while loading catalogs or installations. message is
 * a complete sentence naming the file (and the line and bundle when
 * known): it is what a front end prints. The other fields repeat the
 * parts for programs: line and column are 1-based (0 means unknown),
 * bundle_id is NULL for file-level problems. */
typedef struct {
  char *path;
  guint line;
  guint column;
  char *bundle_id;
  char *message;
  ArwDiagnosticSeverity severity;
} ArwDiagnostic;

ArwDiagnostic *arw_diagnostic_new (ArwDiagnosticSeverity severity,
                                   const char *path,
                                   guint line,
                                   guint column,
                                   const char *bundle_id,
                                   const char *message);
void arw_diagnostic_free (ArwDiagnostic *diagnostic);
char *arw_diagnostic_to_string (const ArwDiagnostic *diagnostic);
GPtrArray *arw_diagnostics_new (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwDiagnostic, arw_diagnostic_free)

/* Strict RFC 8259 check (what serde_json accepts) with a nesting limit,
 * then a json-glib tree. json-glib 1.6 alone accepts comments, single
 * quotes, trailing garbage and wraps large integers. Errors read
 * "line L, column C: …"; *line and *column (nullable) receive the
 * position. Integers outside the 64-bit signed range are rejected. */
JsonNode *arw_catalog_parse_json (const char *data,
                                  gsize len,
                                  guint *line,
                                  guint *column,
                                  GError **error);

/* A parsed catalog file (ARW RuntimeBundleCatalog plus its path). */
typedef struct _ArwCatalog ArwCatalog;

#define ARW_TYPE_CATALOG (arw_catalog_get_type ())
GType arw_catalog_get_type (void) G_GNUC_CONST;

ArwCatalog *arw_catalog_parse_data (const char *path,
                                    const char *data,
                                    gsize len,
                                    gboolean strict,
                                    GPtrArray *diagnostics,
                                    GError **error);
ArwCatalog *arw_catalog_load_file (const char *path,
                                   gboolean strict,
                                   GPtrArray *diagnostics,
                                   GError **error);
ArwCatalog *arw_catalog_ref (ArwCatalog *self);
void arw_catalog_unref (ArwCatalog *self);

const char *arw_catalog_get_path (ArwCatalog *self);
guint32 arw_catalog_get_version (ArwCatalog *self);
const char *arw_catalog_get_channel (ArwCatalog *self);
const char *arw_catalog_get_notes (ArwCatalog *self);
GPtrArray *arw_catalog_get_bundles (ArwCatalog *self);
ArwBundle *arw_catalog_find_bundle (ArwCatalog *self, const char *id);
JsonNode *arw_catalog_to_json (ArwCatalog *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwCatalog, arw_catalog_unref)

typedef enum {
  ARW_CATALOG_LOAD_NONE = 0,
  /* The first problem of any severity fails the whole load. */
  ARW_CATALOG_LOAD_STRICT = 1 << 0,
  /* A root that does not exist is skipped silently (the server's
   * <state_dir>/runtime/bundles root) instead of being an error. */
  ARW_CATALOG_LOAD_ALLOW_MISSING_ROOTS = 1 << 1,
} ArwCatalogLoadFlags;

/* Every catalog found under a list of roots, in load order. */
typedef struct _ArwCatalogSet ArwCatalogSet;

ArwCatalogSet *arw_catalog_set_load (const char *const *roots,
                                     ArwCatalogLoadFlags flags,
                                     GError **error);
void arw_catalog_set_free (ArwCatalogSet *self);

const char *const *arw_catalog_set_get_roots (ArwCatalogSet *self);
GPtrArray *arw_catalog_set_get_catalogs (ArwCatalogSet *self);
GPtrArray *arw_catalog_set_get_diagnostics (ArwCatalogSet *self);
ArwBundle *arw_catalog_set_find_bundle (ArwCatalogSet *self,
                                        const char *id,
                                        ArwCatalog **out_catalog);
JsonNode *arw_catalog_set_to_json (ArwCatalogSet *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwCatalogSet, arw_catalog_set_free)

G_END_DECLS
