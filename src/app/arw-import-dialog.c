/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-json-access.h"

#include <glib/gi18n.h>

#include "arw-application.h"
#include "arw-health-notifier.h"
#include "arw-import-dialog.h"
#include "arw-wording.h"

struct _ArwImportDialog
{
  AdwWindow parent_instance;

  ArwClient *client;
  GCancellable *cancellable;
  GFile *manifest;
  GFile *folder;
  char *bundle_id;
  GPtrArray *paths;     /* the folder's entries, passed to Import */
  guint64 total_bytes;
  gboolean verified;
  char *preview_text;
  ArwDBusTransaction *dry_run;
  GtkFileChooserNative *chooser;

  GtkWidget *cancel_button;
  GtkWidget *import_button;
  AdwActionRow *manifest_row;
  GtkWidget *manifest_button;
  AdwActionRow *folder_row;
  GtkWidget *folder_button;
  AdwActionRow *bundle_row;
  AdwActionRow *files_row;
  AdwActionRow *verify_row;
};

G_DEFINE_FINAL_TYPE (ArwImportDialog, arw_import_dialog, ADW_TYPE_WINDOW)

static void
update_import_button (ArwImportDialog *self)
{
  gtk_widget_set_sensitive (self->import_button, self->verified && self->bundle_id != NULL && self->paths != NULL);
}

static void
set_verify (ArwImportDialog *self,
            gboolean ok,
            const char *text)
{
  self->verified = ok;
  adw_action_row_set_subtitle (self->verify_row, text);
  update_import_button (self);
}

static void
dry_run_done (ArwImportDialog *self,
              gboolean success,
              const char *message)
{
  g_autofree char *text = NULL;

  if (self->dry_run != NULL)
    g_signal_handlers_disconnect_by_data (self->dry_run, self);
  g_clear_object (&self->dry_run);
  if (success)
    {
      set_verify (self, TRUE, _("Checked: it can be imported"));
      return;
    }
  /* Translators: %s is the helper's reason */
  text = g_strdup_printf (_("It cannot be imported: %s"), message != NULL && *message != '\0' ? message : _("unknown error"));
  set_verify (self, FALSE, text);
}

static void
dry_run_finished_cb (ArwDBusTransaction *tx,
                     gboolean success,
                     const char *message,
                     ArwImportDialog *self)
{
  dry_run_done (self, success, message);
}

static void
dry_run_props_cb (ArwImportDialog *self)
{
  const char *state = arw_dbus_transaction_get_state (self->dry_run);

  if (g_strcmp0 (state, "succeeded") == 0)
    dry_run_done (self, TRUE, NULL);
  else if (g_strcmp0 (state, "failed") == 0 || g_strcmp0 (state, "cancelled") == 0)
    dry_run_done (self, FALSE, arw_dbus_transaction_get_error (self->dry_run));
}

static void
dry_run_cb (GObject *object,
            GAsyncResult *result,
            gpointer user_data)
{
  g_autoptr(ArwImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwDBusTransaction) tx = arw_client_import_finish (ARW_CLIENT (object), result, &error);

  if (tx == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        dry_run_done (self, FALSE, error->message);
      return;
    }
  self->dry_run = g_steal_pointer (&tx);
  g_signal_connect (self->dry_run, "finished", G_CALLBACK (dry_run_finished_cb), self);
  g_signal_connect_swapped (self->dry_run, "g-properties-changed", G_CALLBACK (dry_run_props_cb), self);
  dry_run_props_cb (self);
}

static void
start_dry_run (ArwImportDialog *self)
{
  g_autofree char *metadata = NULL;
  ArwClientImportOptions opts = { 0 };

  if (self->bundle_id == NULL || self->paths == NULL || self->client == NULL)
    return;
  metadata = g_file_get_path (self->manifest);
  opts.metadata = metadata;
  opts.dry_run = TRUE;
  set_verify (self, FALSE, _("Checking…"));
  {
    GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
    GtkApplication *app = parent != NULL ? gtk_window_get_application (parent) : NULL;

    if (app != NULL && ARW_IS_APPLICATION (app))
      arw_health_notifier_quiet_next (arw_application_get_notifier (ARW_APPLICATION (app)), self->bundle_id);
  }
  g_ptr_array_add (self->paths, NULL);
  arw_client_import_async (self->client, self->bundle_id, (const char *const *) self->paths->pdata, &opts,
                           self->cancellable, dry_run_cb, g_object_ref (self));
  g_ptr_array_remove_index (self->paths, self->paths->len - 1);
}

static char *
describe_manifest (JsonObject *root,
                   const char **out_id)
{
  JsonObject *bundle = arw_json_object (root, "bundle");
  JsonArray *sigs = arw_json_array (root, "signatures");
  guint n_sigs = sigs != NULL ? json_array_get_length (sigs) : 0;
  const char *id = arw_json_string (bundle, "id");
  const char *name = arw_json_string (bundle, "name");
  const char *acc = arw_json_string (bundle, "accelerator");
  g_autofree char *sig_words = NULL;

  *out_id = id;
  if (id == NULL)
    return NULL;
  sig_words = n_sigs == 0 ? g_strdup (_("not signed"))
              : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u signature", "%u signatures", n_sigs), n_sigs);
  return g_strdup_printf ("%s\n%s · %s · %s", name != NULL ? name : id, id, arw_wording_accelerator (acc), sig_words);
}

static void
manifest_loaded_cb (GObject *object,
                    GAsyncResult *result,
                    gpointer user_data)
{
  g_autoptr(ArwImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  const char *id = NULL;
  g_autofree char *text = NULL;

  if (!g_file_load_contents_finish (G_FILE (object), result, &contents, &len, NULL, &error) ||
      !json_parser_load_from_data (parser, contents, len, &error))
    {
      if (error != NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_action_row_set_subtitle (self->bundle_row, error->message);
      return;
    }
  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    text = describe_manifest (json_node_get_object (root), &id);
  g_free (self->bundle_id);
  self->bundle_id = g_strdup (id);
  g_free (self->preview_text);
  self->preview_text = g_strdup (text);
  adw_action_row_set_subtitle (self->bundle_row, text != NULL ? text : _("This is not a bundle description: it has no bundle id"));
  start_dry_run (self);
}

typedef struct {
  ArwImportDialog *self;
  GFileEnumerator *enumerator;
  GPtrArray *paths;
  guint64 bytes;
} ScanData;

static void
scan_data_free (ScanData *data)
{
  g_object_unref (data->self);
  g_clear_object (&data->enumerator);
  g_clear_pointer (&data->paths, g_ptr_array_unref);
  g_free (data);
}

static void
next_files_cb (GObject *object,
               GAsyncResult *result,
               gpointer user_data)
{
  ScanData *data = user_data;
  ArwImportDialog *self = data->self;
  g_autoptr(GError) error = NULL;
  GList *files = g_file_enumerator_next_files_finish (G_FILE_ENUMERATOR (object), result, &error);
  g_autofree char *size = NULL;
  g_autofree char *text = NULL;

  if (files != NULL)
    {
      for (GList *l = files; l != NULL; l = l->next)
        {
          GFileInfo *info = l->data;
          g_autoptr(GFile) child = g_file_enumerator_get_child (data->enumerator, info);

          g_ptr_array_add (data->paths, g_file_get_path (child));
          data->bytes += (guint64) g_file_info_get_size (info);
        }
      g_list_free_full (files, g_object_unref);
      g_file_enumerator_next_files_async (data->enumerator, 64, G_PRIORITY_DEFAULT, self->cancellable, next_files_cb, data);
      return;
    }
  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_action_row_set_subtitle (self->files_row, error->message);
      scan_data_free (data);
      return;
    }
  g_clear_pointer (&self->paths, g_ptr_array_unref);
  self->paths = g_steal_pointer (&data->paths);
  self->total_bytes = data->bytes;
  size = g_format_size (self->total_bytes);
  /* Translators: e.g. "3 files, 1.2 GB" */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file, %s", "%u files, %s", self->paths->len),
                          self->paths->len, size);
  adw_action_row_set_subtitle (self->files_row, self->paths->len > 0 ? text : _("The folder is empty"));
  if (self->paths->len == 0)
    g_clear_pointer (&self->paths, g_ptr_array_unref);
  scan_data_free (data);
  start_dry_run (self);
}

static void
enumerate_cb (GObject *object,
              GAsyncResult *result,
              gpointer user_data)
{
  g_autoptr(ArwImportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileEnumerator) enumerator = g_file_enumerate_children_finish (G_FILE (object), result, &error);
  ScanData *data;

  if (enumerator == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_action_row_set_subtitle (self->files_row, error->message);
      return;
    }
  data = g_new0 (ScanData, 1);
  data->self = g_object_ref (self);
  data->enumerator = g_steal_pointer (&enumerator);
  data->paths = g_ptr_array_new_with_free_func (g_free);
  g_file_enumerator_next_files_async (data->enumerator, 64, G_PRIORITY_DEFAULT, self->cancellable, next_files_cb, data);
}

static void
set_manifest (ArwImportDialog *self,
              GFile *file)
{
  g_autofree char *name = g_file_get_parse_name (file);

  g_set_object (&self->manifest, file);
  adw_action_row_set_subtitle (self->manifest_row, name);
  g_file_load_contents_async (file, self->cancellable, manifest_loaded_cb, g_object_ref (self));
}

static void
set_folder (ArwImportDialog *self,
            GFile *file)
{
  g_autofree char *name = g_file_get_parse_name (file);

  g_set_object (&self->folder, file);
  adw_action_row_set_subtitle (self->folder_row, name);
  g_file_enumerate_children_async (file, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                   G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, G_PRIORITY_DEFAULT,
                                   self->cancellable, enumerate_cb, g_object_ref (self));
}

static void
chooser_response_cb (GtkNativeDialog *native,
                     int response,
                     gpointer user_data)
{
  ArwImportDialog *self = user_data;
  g_autoptr(GFile) file = NULL;
  gboolean folder = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (native)) == GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
  if (file != NULL && folder)
    set_folder (self, file);
  else if (file != NULL)
    set_manifest (self, file);
  g_clear_object (&self->chooser);
}

static void
open_chooser (ArwImportDialog *self,
              gboolean folder)
{
  g_autoptr(GtkFileFilter) filter = NULL;

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (folder ? _("Choose the Artifact Folder") : _("Choose bundle.json"),
                                               GTK_WINDOW (self),
                                               folder ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Select"), _("_Cancel"));
  if (!folder)
    {
      filter = gtk_file_filter_new ();
      gtk_file_filter_set_name (filter, _("Bundle descriptions (JSON)"));
      gtk_file_filter_add_mime_type (filter, "application/json");
      gtk_file_filter_add_pattern (filter, "*.json");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
manifest_clicked_cb (ArwImportDialog *self)
{
  open_chooser (self, FALSE);
}

static void
folder_clicked_cb (ArwImportDialog *self)
{
  open_chooser (self, TRUE);
}

static void
import_cb (GObject *object,
           GAsyncResult *result,
           gpointer user_data)
{
  g_autoptr(GtkWindow) parent = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwDBusTransaction) tx = arw_client_import_finish (ARW_CLIENT (object), result, &error);

  if (tx == NULL && parent != NULL && ADW_IS_APPLICATION_WINDOW (parent))
    {
      g_autofree char *text = g_strdup_printf (_("Could not import: %s"), error->message);
      GtkWidget *dialog = adw_message_dialog_new (parent, _("Import Failed"), text);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
import_clicked_cb (ArwImportDialog *self)
{
  g_autofree char *metadata = g_file_get_path (self->manifest);
  ArwClientImportOptions opts = { .metadata = metadata };
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  g_ptr_array_add (self->paths, NULL);
  /* not self->cancellable: the import goes on after this dialog closes */
  arw_client_import_async (self->client, self->bundle_id, (const char *const *) self->paths->pdata, &opts,
                           NULL, import_cb, parent != NULL ? g_object_ref (parent) : NULL);
  g_ptr_array_remove_index (self->paths, self->paths->len - 1);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
arw_import_dialog_dispose (GObject *object)
{
  ArwImportDialog *self = ARW_IMPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->dry_run != NULL)
    g_signal_handlers_disconnect_by_data (self->dry_run, self);
  g_clear_object (&self->dry_run);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->client);
  g_clear_object (&self->manifest);
  g_clear_object (&self->folder);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARW_TYPE_IMPORT_DIALOG);

  G_OBJECT_CLASS (arw_import_dialog_parent_class)->dispose (object);
}

static void
arw_import_dialog_finalize (GObject *object)
{
  ArwImportDialog *self = ARW_IMPORT_DIALOG (object);

  g_free (self->bundle_id);
  g_free (self->preview_text);
  g_clear_pointer (&self->paths, g_ptr_array_unref);

  G_OBJECT_CLASS (arw_import_dialog_parent_class)->finalize (object);
}

static void
arw_import_dialog_class_init (ArwImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arw_import_dialog_dispose;
  object_class->finalize = arw_import_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/arw/Launcher/ui/arw-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ArwImportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ArwImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, ArwImportDialog, manifest_row);
  gtk_widget_class_bind_template_child (widget_class, ArwImportDialog, manifest_button);
  gtk_widget_class_bind_template_child (widget_class, ArwImportDialog, folder_row);
  gtk_widget_class_bind_template_child (widget_class, ArwImportDialog, folder_button);
  gtk_widget_class_bind_template_child (widget_class, ArwImportDialog, bundle_row);
  gtk_widget_class_bind_template_child (widget_class, ArwImportDialog, files_row);
  gtk_widget_class_bind_template_child (widget_class, ArwImportDialog, verify_row);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
arw_import_dialog_init (ArwImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (gtk_window_destroy), self);
  g_signal_connect_swapped (self->import_button, "clicked", G_CALLBACK (import_clicked_cb), self);
  g_signal_connect_swapped (self->manifest_button, "clicked", G_CALLBACK (manifest_clicked_cb), self);
  g_signal_connect_swapped (self->folder_button, "clicked", G_CALLBACK (folder_clicked_cb), self);
}

ArwImportDialog *
arw_import_dialog_new (GtkWindow *parent,
                       ArwClient *client)
{
  ArwImportDialog *self;

  g_return_val_if_fail (ARW_IS_CLIENT (client), NULL);

  self = g_object_new (ARW_TYPE_IMPORT_DIALOG, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  return self;
}

void
arw_import_dialog_set_files (ArwImportDialog *self,
                             GFile *manifest,
                             GFile *folder)
{
  g_return_if_fail (ARW_IS_IMPORT_DIALOG (self));

  if (manifest != NULL)
    set_manifest (self, manifest);
  if (folder != NULL)
    set_folder (self, folder);
}

gboolean
arw_import_dialog_get_can_import (ArwImportDialog *self)
{
  g_return_val_if_fail (ARW_IS_IMPORT_DIALOG (self), FALSE);
  return gtk_widget_get_sensitive (self->import_button);
}

const char *
arw_import_dialog_get_preview_text (ArwImportDialog *self)
{
  g_return_val_if_fail (ARW_IS_IMPORT_DIALOG (self), NULL);
  return self->preview_text;
}
