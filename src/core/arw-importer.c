/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `bundles import` (spec §5.7): local files into payload/ through a store
 * transaction, with ARW's bundle.json forms. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "arw-catalog.h"
#include "arw-error.h"
#include "arw-fs-util.h"
#include "arw-import-copy.h"
#include "arw-install-metadata.h"
#include "arw-installer-private.h"

#define METADATA_MAX_BYTES (16 * 1024 * 1024)

void
arw_import_report_free (ArwImportReport *report)
{
  if (report == NULL)
    return;
  g_free (report->bundle_id);
  g_free (report->bundle_dir);
  g_free (report->snapshot);
  g_clear_pointer (&report->verification, arw_manifest_verification_free);
  g_free (report);
}

JsonNode *
arw_import_report_to_json (const ArwImportReport *report)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (report != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bundle");
  json_builder_add_string_value (b, report->bundle_id);
  json_builder_set_member_name (b, "dir");
  json_builder_add_string_value (b, report->bundle_dir);
  json_builder_set_member_name (b, "dry_run");
  json_builder_add_boolean_value (b, report->dry_run);
  json_builder_set_member_name (b, "files");
  json_builder_add_int_value (b, report->n_files);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, (gint64) report->bytes);
  json_builder_set_member_name (b, "snapshot");
  if (report->snapshot != NULL)
    json_builder_add_string_value (b, report->snapshot);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "committed");
  json_builder_add_boolean_value (b, report->committed);
  json_builder_set_member_name (b, "signature");
  if (report->verification != NULL)
    json_builder_add_value (b, arw_manifest_verification_to_json (report->verification));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

typedef struct {
  ArwInstaller *self;
  const ArwImportOptions *opts;
  GCancellable *cancellable;
  ArwImportReport *report;
  GBytes *metadata;        /* --metadata bytes */
  ArwStoreTransaction *tx;
  GPtrArray *files;        /* ArwImportedFile */
} ImportJob;

static void
import_job_clear (ImportJob *job)
{
  g_clear_pointer (&job->metadata, g_bytes_unref);
  g_clear_pointer (&job->tx, arw_store_transaction_free);
  g_clear_pointer (&job->files, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ImportJob, import_job_clear)

/* ---- --metadata ---- */

static JsonObject *
metadata_bundle (JsonNode *root)
{
  JsonNode *bundle = JSON_NODE_HOLDS_OBJECT (root) ? json_object_get_member (json_node_get_object (root), "bundle") : NULL;

  return bundle != NULL && JSON_NODE_HOLDS_OBJECT (bundle) ? json_node_get_object (bundle) : NULL;
}

/* The metadata must describe this bundle and not be older than the live one. */
static gboolean
check_metadata_identity (ImportJob *job, JsonNode *root, GError **error)
{
  JsonObject *bundle = metadata_bundle (root);
  const char *id = bundle != NULL && json_object_has_member (bundle, "id") ? json_object_get_string_member (bundle, "id") : NULL;
  JsonNode *rev = bundle != NULL ? json_object_get_member (bundle, "revision") : NULL;
  gint64 revision = rev != NULL && JSON_NODE_HOLDS_VALUE (rev) && json_node_get_value_type (rev) == G_TYPE_INT64
                      ? json_node_get_int (rev) : -1;
  gboolean have_live;
  gint64 live;

  if (id != NULL && !g_str_equal (id, job->opts->bundle_id))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "metadata %s describes bundle %s, not %s; pass the matching --bundle",
                   job->opts->metadata_path, id, job->opts->bundle_id);
      return FALSE;
    }
  _arw_installer_live_revision (job->self, job->opts->bundle_id, &have_live, &live);
  if (!have_live || job->opts->allow_downgrade || revision < 0 || revision >= live)
    return TRUE;
  g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
               "refusing to import revision %" G_GINT64_FORMAT " of bundle %s over installed revision %"
               G_GINT64_FORMAT " (possible rollback attack); use `bundles rollback` to return to a revision "
               "from history, or --allow-downgrade if you really mean it", revision, job->opts->bundle_id, live);
  return FALSE;
}

static gboolean
check_metadata_signatures (ImportJob *job, GError **error)
{
  ArwInstaller *self = job->self;
  const ArwManifestVerification *v = job->report->verification;

  if (v->signatures->len == 0 && !self->require_trusted)
    {
      arw_progress_message (self->progress, "Metadata %s is not signed.", job->opts->metadata_path);
      return TRUE;
    }
  if (!arw_manifest_verification_check_policy (v, self->require_trusted, _arw_installer_registry_available (self), error))
    {
      g_prefix_error (error, "refusing to import %s: ", job->opts->metadata_path);
      return FALSE;
    }
  if (v->trusted_signatures > 0)
    arw_progress_message (self->progress, "Metadata %s: signature verified (trusted signer).", job->opts->metadata_path);
  else
    arw_progress_message (self->progress, "Metadata %s: signature valid, but no trusted signer%s.",
                          job->opts->metadata_path, v->trust_enforced ? "" : " registry is configured");
  return TRUE;
}

static gboolean
load_metadata (ImportJob *job, GError **error)
{
  const char *path = job->opts->metadata_path;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  if (path == NULL)
    return TRUE;
  data = arw_fs_read_file_at (AT_FDCWD, path, METADATA_MAX_BYTES, &len, error);
  if (data == NULL)
    {
      g_prefix_error (error, "cannot read metadata %s: ", path);
      return FALSE;
    }
  root = arw_catalog_parse_json (data, len, NULL, NULL, error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      if (root != NULL)
        g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "the root is not a JSON object");
      g_prefix_error (error, "metadata %s is not a bundle.json: ", path);
      return FALSE;
    }
  job->report->verification = arw_manifest_verify (data, (gssize) len, job->self->registry, error);
  job->metadata = g_bytes_new_take (g_steal_pointer (&data), len);
  return job->report->verification != NULL && check_metadata_identity (job, root, error) &&
         check_metadata_signatures (job, error);
}

/* ---- sources ---- */

static gboolean
walk_source (const char *path, guint *n_files, guint64 *bytes, GError **error)
{
  g_autoptr(GDir) dir = NULL;
  struct stat st;
  const char *name;

  if (lstat (path, &st) < 0)
    return arw_fs_set_error_from_errno (error, errno, "cannot read %s", path);
  if (S_ISREG (st.st_mode))
    {
      (*n_files)++;
      *bytes += (guint64) st.st_size;
      return TRUE;
    }
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "%s is a %s; only regular files and directories can be imported", path,
                   S_ISLNK (st.st_mode) ? "symlink" : "special file");
      return FALSE;
    }
  dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (!walk_source (child, n_files, bytes, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
dry_run_import (ImportJob *job, GError **error)
{
  const ArwImportOptions *opts = job->opts;
  ArwProgress *progress = job->self->progress;

  arw_progress_message (progress, "[dry-run] import bundle %s -> %s", opts->bundle_id, job->report->bundle_dir);
  for (guint i = 0; opts->paths[i] != NULL; i++)
    {
      g_autofree char *base = g_path_get_basename (opts->paths[i]);

      if (!walk_source (opts->paths[i], &job->report->n_files, &job->report->bytes, error))
        return FALSE;
      arw_progress_message (progress, "[dry-run] would copy %s -> %s/payload/%s", opts->paths[i],
                            job->report->bundle_dir, base);
    }
  arw_progress_message (progress, "[dry-run] would write metadata to %s/bundle.json%s", job->report->bundle_dir,
                        opts->metadata_path != NULL ? " (copied byte for byte from --metadata)" : "");
  return TRUE;
}

static void
copy_progress_cb (guint64 bytes_copied, guint64 bytes_total, guint files_copied, gpointer user_data)
{
  ArwProgress *progress = user_data;

  arw_progress_set_total (progress, bytes_total);
  arw_progress_set_done (progress, bytes_copied);
}

static gboolean
copy_sources (ImportJob *job, GError **error)
{
  int staging_fd = arw_store_transaction_get_staging_fd (job->tx);
  g_autofree char *payload = g_build_filename (arw_store_transaction_get_staging_dir (job->tx), "payload", NULL);
  ArwProgress *progress = job->self->progress;

  if (!arw_fs_mkdir_at (staging_fd, "payload", 0755, FALSE, error))
    return FALSE;
  arw_progress_set_phase (progress, ARW_PROGRESS_PHASE_DOWNLOADING);
  arw_progress_set_item (progress, job->opts->bundle_id);
  job->files = arw_import_copy (job->opts->paths, payload, copy_progress_cb, progress, job->cancellable, error);
  if (job->files == NULL)
    return FALSE;
  for (guint i = 0; i < job->files->len; i++)
    job->report->bytes += ((ArwImportedFile *) g_ptr_array_index (job->files, i))->size;
  job->report->n_files = job->files->len;
  for (guint i = 0; job->opts->paths[i] != NULL; i++)
    {
      g_autofree char *base = g_path_get_basename (job->opts->paths[i]);
      gboolean is_dir = g_file_test (job->opts->paths[i], G_FILE_TEST_IS_DIR);

      arw_progress_message (progress, "Copied %s %s -> %s/payload/%s", is_dir ? "directory" : "file",
                            job->opts->paths[i], job->report->bundle_dir, base);
    }
  return TRUE;
}

static JsonNode *
import_source_json (ImportJob *job)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "import");
  json_builder_set_member_name (b, "paths");
  json_builder_begin_array (b);
  for (guint i = 0; job->opts->paths[i] != NULL; i++)
    json_builder_add_string_value (b, job->opts->paths[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "metadata");
  if (job->opts->metadata_path != NULL)
    json_builder_add_string_value (b, job->opts->metadata_path);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
write_import_provenance (ImportJob *job, int staging_fd, const char *now, GError **error)
{
  g_autoptr(GArray) items = g_array_sized_new (FALSE, TRUE, sizeof (ArwProvenanceItem), job->files->len);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) source = import_source_json (job);
  g_autoptr(JsonNode) node = NULL;
  JsonNode *verification = NULL;

  for (guint i = 0; i < job->files->len; i++)
    {
      ArwImportedFile *f = g_ptr_array_index (job->files, i);
      char *file = g_build_filename ("payload", f->relpath, NULL);
      ArwProvenanceItem item = { .kind = "payload", .file = file, .sha256 = f->sha256, .size = f->size,
                                 .fetched_at = now };

      g_ptr_array_add (names, file);
      g_array_append_val (items, item);
    }
  if (job->report->verification != NULL)
    verification = arw_manifest_verification_to_json (job->report->verification);
  node = arw_install_provenance_json (job->opts->bundle_id, "import", now, source,
                                      (ArwProvenanceItem *) (gpointer) items->data, items->len, verification);
  return arw_install_write_json_at (staging_fd, "provenance.json", node, error);
}

static gboolean
write_import_metadata (ImportJob *job, GError **error)
{
  int staging_fd = arw_store_transaction_get_staging_fd (job->tx);
  g_autofree char *now = _arw_installer_now_rfc3339 ();

  arw_progress_set_phase (job->self->progress, ARW_PROGRESS_PHASE_COMMITTING);
  if (job->metadata != NULL)
    {
      gsize len = 0;
      const char *data = g_bytes_get_data (job->metadata, &len);

      if (!arw_fs_create_file_at (staging_fd, "bundle.json", data, len, 0644, error))
        return FALSE;
    }
  else
    {
      g_autoptr(JsonNode) node = arw_install_import_json (job->opts->bundle_id, now);
      if (!arw_install_write_json_at (staging_fd, "bundle.json", node, error))
        return FALSE;
    }
  return write_import_provenance (job, staging_fd, now, error);
}

static gboolean
run_import (ImportJob *job, GError **error)
{
  ArwInstaller *self = job->self;

  job->tx = arw_store_begin (self->store, job->opts->bundle_id, ARW_STORE_KIND_IMPORT, job->cancellable, error);
  if (job->tx == NULL || !copy_sources (job, error) || !write_import_metadata (job, error) ||
      g_cancellable_set_error_if_cancelled (job->cancellable, error) ||
      !arw_store_transaction_commit (job->tx, error))
    return FALSE;
  job->report->committed = TRUE;
  job->report->snapshot = g_strdup (arw_store_transaction_get_snapshot (job->tx));
  _arw_installer_report_tx_warnings (self, job->tx, NULL);
  arw_progress_message (self->progress, "Wrote metadata %s/bundle.json", job->report->bundle_dir);
  return TRUE;
}

gboolean
arw_installer_import (ArwInstaller *self, const ArwImportOptions *options, ArwImportReport **out_report,
                      GCancellable *cancellable, GError **error)
{
  g_auto(ImportJob) job = { 0 };
  g_autoptr(ArwImportReport) report = g_new0 (ArwImportReport, 1);
  gboolean ok;

  g_return_val_if_fail (ARW_IS_INSTALLER (self), FALSE);
  g_return_val_if_fail (options != NULL && options->bundle_id != NULL, FALSE);
  g_return_val_if_fail (options->paths != NULL && options->paths[0] != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  report->bundle_id = g_strdup (options->bundle_id);
  report->bundle_dir = arw_store_get_bundle_dir (self->store, options->bundle_id);
  report->dry_run = options->dry_run;
  job = (ImportJob) { .self = self, .opts = options, .cancellable = cancellable, .report = report };
  arw_progress_set_phase (self->progress, ARW_PROGRESS_PHASE_RESOLVING);
  ok = _arw_installer_check_existing (self, options->bundle_id, report->bundle_dir, options->force,
                                      options->dry_run, ARW_STORE_KIND_IMPORT, error) &&
       load_metadata (&job, error) &&
       (options->dry_run ? dry_run_import (&job, error) : run_import (&job, error));
  arw_progress_set_phase (self->progress, ARW_PROGRESS_PHASE_DONE);
  if (out_report != NULL)
    *out_report = g_steal_pointer (&report);
  return ok;
}

/* ---- async ---- */

typedef struct {
  char *bundle_id;
  char *metadata_path;
  GStrv paths;
  ArwImportOptions opts;
  ArwImportReport *report;
} ImportTaskData;

static void
import_task_data_free (ImportTaskData *data)
{
  g_free (data->bundle_id);
  g_free (data->metadata_path);
  g_strfreev (data->paths);
  arw_import_report_free (data->report);
  g_free (data);
}

static void
import_worker (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  ImportTaskData *data = task_data;
  g_autoptr(GError) error = NULL;

  if (arw_installer_import (ARW_INSTALLER (source_object), &data->opts, &data->report, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
arw_installer_import_async (ArwInstaller *self, const ArwImportOptions *options, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  ImportTaskData *data;

  g_return_if_fail (ARW_IS_INSTALLER (self));
  g_return_if_fail (options != NULL && options->bundle_id != NULL && options->paths != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arw_installer_import_async);
  data = g_new0 (ImportTaskData, 1);
  data->bundle_id = g_strdup (options->bundle_id);
  data->metadata_path = g_strdup (options->metadata_path);
  data->paths = g_strdupv ((char **) options->paths);
  data->opts = *options;
  data->opts.bundle_id = data->bundle_id;
  data->opts.metadata_path = data->metadata_path;
  data->opts.paths = (const char *const *) data->paths;
  g_task_set_task_data (task, data, (GDestroyNotify) import_task_data_free);
  g_task_run_in_thread (task, import_worker);
}

gboolean
arw_installer_import_finish (ArwInstaller *self, GAsyncResult *result, ArwImportReport **out_report,
                             GError **error)
{
  ImportTaskData *data;

  g_return_val_if_fail (ARW_IS_INSTALLER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (out_report != NULL)
    *out_report = g_steal_pointer (&data->report);
  return g_task_propagate_boolean (G_TASK (result), error);
}
