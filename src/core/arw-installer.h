/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "arw-catalog.h"
#include "arw-download.h"
#include "arw-progress.h"
#include "arw-signature.h"
#include "arw-signer-registry.h"
#include "arw-store.h"

G_BEGIN_DECLS

/* Installs catalog bundles into an ArwStore (spec §5.6, issue #3) and
 * imports local files (§5.7): resolve, verify a publisher manifest, check
 * free space, download into a persistent per-bundle cache
 * (<root>/.arw-downloads/<dir>/, so an interrupted install resumes), verify
 * sha256, extract archives into payload/, write bundle.json and
 * provenance.json, commit. Tar archives are extracted while they download
 * (in a second thread, into staging; the result is used only once the
 * sha256 verified, and a download that restarts from its beginning falls
 * back to extracting the complete file, as zip always does). Any failure
 * aborts the transaction: the previous revision stays live and untouched.
 *
 * Human-readable lines (ARW's "Downloaded …", "Wrote metadata …", hints
 * and warnings, "[dry-run] …") are sent as ArwProgress messages; counts go
 * into the report. The sync calls block: a service runs them through the
 * _async variants, which use a worker thread. One call at a time per
 * installer. */

#define ARW_INSTALLER_DOWNLOADS_DIR ".arw-downloads"

typedef struct {
  gboolean dry_run;
  gboolean force;            /* replace existing state (snapshotted into history) */
  gboolean no_extract;       /* keep archives as opaque files in artifacts/ */
  gboolean allow_downgrade;  /* accept an older signed bundle.revision */
  const char *const *artifact_kinds;   /* NULL/empty: all; lowercase comparison */
  const char *const *artifact_formats; /* NULL/empty: all; excludes artifacts without format */
} ArwInstallOptions;

typedef struct {
  char *bundle_id;
  char *bundle_dir;      /* <root>/<dir> */
  guint downloaded;
  guint skipped;         /* kept for ARW's summary line; always 0 (ARW skips only without --force) */
  guint without_url;
  guint extracted;       /* archives unpacked into payload/ */
  guint64 bytes;         /* bytes of the downloaded artifacts */
  gboolean signed_manifest;
  char *snapshot;        /* rev-… that received the previous state, or NULL */
  gboolean committed;
} ArwInstallBundleResult;

typedef struct {
  char *root;
  gboolean dry_run;
  guint requested;
  GPtrArray *bundles;     /* ArwInstallBundleResult, in order */
  GPtrArray *missing_ids; /* ids no catalog has */
  GPtrArray *warnings;    /* char * */
} ArwInstallReport;

void arw_install_report_free (ArwInstallReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwInstallReport, arw_install_report_free)
guint arw_install_report_get_downloaded (const ArwInstallReport *report, guint64 *out_bytes);
/* {root, dry_run, bundles: [{id, dir, downloaded, skipped, without_url,
 * extracted, bytes, signed_manifest, snapshot, committed}], missing,
 * downloaded, bytes, warnings} */
JsonNode *arw_install_report_to_json (const ArwInstallReport *report);

typedef struct {
  const char *bundle_id;
  const char *metadata_path; /* NULL: ARW's minimal bundle.json */
  const char *const *paths;  /* files and directories to copy into payload/ */
  gboolean dry_run;
  gboolean force;
  gboolean allow_downgrade;
} ArwImportOptions;

typedef struct {
  char *bundle_id;
  char *bundle_dir;
  gboolean dry_run;
  guint n_files;
  guint64 bytes;
  char *snapshot;
  ArwManifestVerification *verification; /* of --metadata, or NULL */
  gboolean committed;
} ArwImportReport;

void arw_import_report_free (ArwImportReport *report);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwImportReport, arw_import_report_free)
/* {bundle, dir, dry_run, files, bytes, snapshot, committed, signature} */
JsonNode *arw_import_report_to_json (const ArwImportReport *report);

#define ARW_TYPE_INSTALLER (arw_installer_get_type ())
G_DECLARE_FINAL_TYPE (ArwInstaller, arw_installer, ARW, INSTALLER, GObject)

/* @downloader NULL: a default one. */
ArwInstaller *arw_installer_new (ArwStore *store, ArwDownloader *downloader);
ArwStore *arw_installer_get_store (ArwInstaller *self);
/* Takes ownership of @catalogs (needed by install, not by import). */
void arw_installer_set_catalogs (ArwInstaller *self, ArwCatalogSet *catalogs);
/* @registry NULL: none configured. @require_trusted: publisher manifests and
 * imported metadata need a trusted signature, and every artifact a sha256. */
void arw_installer_set_trust (ArwInstaller *self, ArwSignerRegistry *registry, gboolean require_trusted);
void arw_installer_set_progress (ArwInstaller *self, ArwProgress *progress);
ArwProgress *arw_installer_get_progress (ArwInstaller *self);

/* Installs each id in turn. Stops at the first failing bundle; ids no
 * catalog has are collected and reported at the end as ARW_ERROR_NOT_FOUND
 * "bundle id(s) not found in catalog: a, b". *out_report is set either way. */
gboolean arw_installer_install (ArwInstaller *self, const char *const *bundle_ids,
                                const ArwInstallOptions *options, ArwInstallReport **out_report,
                                GCancellable *cancellable, GError **error);
void arw_installer_install_async (ArwInstaller *self, const char *const *bundle_ids,
                                  const ArwInstallOptions *options, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
gboolean arw_installer_install_finish (ArwInstaller *self, GAsyncResult *result,
                                       ArwInstallReport **out_report, GError **error);

/* Copies @options->paths into payload/ (arw_import_copy: hashed while
 * copying, the copy verified, symlinks and special files refused) with
 * bundle.json from --metadata byte for byte (verified; broken signatures
 * refused) or ARW's minimal form. Dry run: validates only. */
gboolean arw_installer_import (ArwInstaller *self, const ArwImportOptions *options,
                               ArwImportReport **out_report, GCancellable *cancellable,
                               GError **error);
void arw_installer_import_async (ArwInstaller *self, const ArwImportOptions *options,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean arw_installer_import_finish (ArwInstaller *self, GAsyncResult *result,
                                      ArwImportReport **out_report, GError **error);

/* arw_store_remove() plus the bundle's download cache. */
gboolean arw_installer_remove (ArwInstaller *self, const char *bundle_id, GError **error);

G_END_DECLS
