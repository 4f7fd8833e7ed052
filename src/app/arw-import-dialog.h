/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arw-client.h"

G_BEGIN_DECLS

#define ARW_TYPE_IMPORT_DIALOG (arw_import_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ArwImportDialog, arw_import_dialog, ARW, IMPORT_DIALOG, AdwWindow)

/* Offline import: choose a bundle.json and an artifact folder
 * (GtkFileChooserNative), preview what will be installed and whether it
 * verifies (a dry-run Import through the helper), then Import. */
ArwImportDialog *arw_import_dialog_new (GtkWindow *parent, ArwClient *client);

/* For tests: skip the file choosers. */
void arw_import_dialog_set_files (ArwImportDialog *self, GFile *manifest, GFile *folder);
gboolean arw_import_dialog_get_can_import (ArwImportDialog *self);
const char *arw_import_dialog_get_preview_text (ArwImportDialog *self);

G_END_DECLS
