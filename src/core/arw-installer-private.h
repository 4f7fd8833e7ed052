/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "arw-installer.h"

G_BEGIN_DECLS

/* Shared by arw-installer.c (catalog installs) and arw-importer.c. */
struct _ArwInstaller
{
  GObject parent_instance;

  ArwStore *store;
  ArwDownloader *downloader;
  ArwCatalogSet *catalogs;
  ArwSignerRegistry *registry;
  gboolean require_trusted;
  ArwProgress *progress;
};

gboolean _arw_installer_registry_available (ArwInstaller *self);
char *_arw_installer_now_rfc3339 (void);
/* Existing live state: without @force an ALREADY_EXISTS error ("bundle <id>
 * already staged at <dir> (use --force to overwrite)"), a notice under
 * @dry_run; with both, the dry-run snapshot notice for @kind. */
gboolean _arw_installer_check_existing (ArwInstaller *self, const char *bundle_id, const char *bundle_dir,
                                        gboolean force, gboolean dry_run, ArwStoreKind kind,
                                        GError **error);
/* Anti-rollback input: whether a bundle.json is live and its revision. */
void _arw_installer_live_revision (ArwInstaller *self, const char *bundle_id, gboolean *out_have_live,
                                   gint64 *out_revision);
void _arw_installer_report_tx_warnings (ArwInstaller *self, ArwStoreTransaction *tx, GPtrArray *warnings);

G_END_DECLS
