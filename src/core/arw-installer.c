/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "arw-bundle.h"
#include "arw-error.h"
#include "arw-extract.h"
#include "arw-fs-util.h"
#include "arw-install-metadata.h"
#include "arw-installer-private.h"
#include "arw-publisher-manifest.h"

/* Room for bundle.json, provenance.json and directory blocks. */
#define SPACE_MARGIN_BYTES (G_GUINT64_CONSTANT (4) * 1024 * 1024)
#define MANIFEST_MAX_BYTES (16 * 1024 * 1024)

G_DEFINE_FINAL_TYPE (ArwInstaller, arw_installer, G_TYPE_OBJECT)

/* ---- reports ---- */

static void
bundle_result_free (ArwInstallBundleResult *result)
{
  g_free (result->bundle_id);
  g_free (result->bundle_dir);
  g_free (result->snapshot);
  g_free (result);
}

void
arw_install_report_free (ArwInstallReport *report)
{
  if (report == NULL)
    return;
  g_free (report->root);
  g_ptr_array_unref (report->bundles);
  g_ptr_array_unref (report->missing_ids);
  g_ptr_array_unref (report->warnings);
  g_free (report);
}

static ArwInstallReport *
install_report_new (const char *root, gboolean dry_run, guint requested)
{
  ArwInstallReport *report = g_new0 (ArwInstallReport, 1);

  report->root = g_strdup (root);
  report->dry_run = dry_run;
  report->requested = requested;
  report->bundles = g_ptr_array_new_with_free_func ((GDestroyNotify) bundle_result_free);
  report->missing_ids = g_ptr_array_new_with_free_func (g_free);
  report->warnings = g_ptr_array_new_with_free_func (g_free);
  return report;
}

guint
arw_install_report_get_downloaded (const ArwInstallReport *report, guint64 *out_bytes)
{
  guint n = 0;
  guint64 bytes = 0;

  g_return_val_if_fail (report != NULL, 0);
  for (guint i = 0; i < report->bundles->len; i++)
    {
      const ArwInstallBundleResult *r = g_ptr_array_index (report->bundles, i);
      n += r->downloaded;
      bytes += r->bytes;
    }
  if (out_bytes != NULL)
    *out_bytes = bytes;
  return n;
}

static void
add_strings (JsonBuilder *b, const char *member, GPtrArray *strings)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; i < strings->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (strings, i));
  json_builder_end_array (b);
}

static void
add_bundle_result (JsonBuilder *b, const ArwInstallBundleResult *r)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, r->bundle_id);
  json_builder_set_member_name (b, "dir");
  json_builder_add_string_value (b, r->bundle_dir);
  json_builder_set_member_name (b, "downloaded");
  json_builder_add_int_value (b, r->downloaded);
  json_builder_set_member_name (b, "skipped");
  json_builder_add_int_value (b, r->skipped);
  json_builder_set_member_name (b, "without_url");
  json_builder_add_int_value (b, r->without_url);
  json_builder_set_member_name (b, "extracted");
  json_builder_add_int_value (b, r->extracted);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, (gint64) r->bytes);
  json_builder_set_member_name (b, "signed_manifest");
  json_builder_add_boolean_value (b, r->signed_manifest);
  json_builder_set_member_name (b, "snapshot");
  if (r->snapshot != NULL)
    json_builder_add_string_value (b, r->snapshot);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "committed");
  json_builder_add_boolean_value (b, r->committed);
  json_builder_end_object (b);
}

JsonNode *
arw_install_report_to_json (const ArwInstallReport *report)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint64 bytes = 0;
  guint n;

  g_return_val_if_fail (report != NULL, NULL);
  n = arw_install_report_get_downloaded (report, &bytes);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "root");
  json_builder_add_string_value (b, report->root);
  json_builder_set_member_name (b, "dry_run");
  json_builder_add_boolean_value (b, report->dry_run);
  json_builder_set_member_name (b, "bundles");
  json_builder_begin_array (b);
  for (guint i = 0; i < report->bundles->len; i++)
    add_bundle_result (b, g_ptr_array_index (report->bundles, i));
  json_builder_end_array (b);
  add_strings (b, "missing", report->missing_ids);
  json_builder_set_member_name (b, "downloaded");
  json_builder_add_int_value (b, n);
  json_builder_set_member_name (b, "bytes");
  json_builder_add_int_value (b, (gint64) bytes);
  add_strings (b, "warnings", report->warnings);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- object ---- */

static void
arw_installer_finalize (GObject *object)
{
  ArwInstaller *self = ARW_INSTALLER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->downloader);
  g_clear_object (&self->progress);
  g_clear_pointer (&self->catalogs, arw_catalog_set_free);
  g_clear_pointer (&self->registry, arw_signer_registry_unref);
  G_OBJECT_CLASS (arw_installer_parent_class)->finalize (object);
}

static void
arw_installer_class_init (ArwInstallerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = arw_installer_finalize;
}

static void
arw_installer_init (ArwInstaller *self)
{
}

ArwInstaller *
arw_installer_new (ArwStore *store, ArwDownloader *downloader)
{
  ArwInstaller *self;

  g_return_val_if_fail (ARW_IS_STORE (store), NULL);
  g_return_val_if_fail (downloader == NULL || ARW_IS_DOWNLOADER (downloader), NULL);

  self = g_object_new (ARW_TYPE_INSTALLER, NULL);
  self->store = g_object_ref (store);
  self->downloader = downloader != NULL ? g_object_ref (downloader) : arw_downloader_new ();
  self->progress = arw_progress_new ();
  return self;
}

ArwStore *
arw_installer_get_store (ArwInstaller *self)
{
  g_return_val_if_fail (ARW_IS_INSTALLER (self), NULL);
  return self->store;
}

void
arw_installer_set_catalogs (ArwInstaller *self, ArwCatalogSet *catalogs)
{
  g_return_if_fail (ARW_IS_INSTALLER (self));
  g_clear_pointer (&self->catalogs, arw_catalog_set_free);
  self->catalogs = catalogs;
}

void
arw_installer_set_trust (ArwInstaller *self, ArwSignerRegistry *registry, gboolean require_trusted)
{
  g_return_if_fail (ARW_IS_INSTALLER (self));
  g_clear_pointer (&self->registry, arw_signer_registry_unref);
  self->registry = registry != NULL ? arw_signer_registry_ref (registry) : NULL;
  self->require_trusted = require_trusted;
}

void
arw_installer_set_progress (ArwInstaller *self, ArwProgress *progress)
{
  g_return_if_fail (ARW_IS_INSTALLER (self));
  g_return_if_fail (ARW_IS_PROGRESS (progress));
  g_set_object (&self->progress, progress);
}

ArwProgress *
arw_installer_get_progress (ArwInstaller *self)
{
  g_return_val_if_fail (ARW_IS_INSTALLER (self), NULL);
  return self->progress;
}

/* ---- shared helpers ---- */

gboolean
_arw_installer_registry_available (ArwInstaller *self)
{
  return self->registry != NULL && arw_signer_registry_get_n_signers (self->registry) > 0;
}

char *
_arw_installer_now_rfc3339 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return arw_install_timestamp_rfc3339 (now);
}

gboolean
_arw_installer_check_existing (ArwInstaller *self, const char *bundle_id, const char *bundle_dir,
                               gboolean force, gboolean dry_run, ArwStoreKind kind, GError **error)
{
  if (!arw_store_has_live_state (self->store, bundle_id))
    return TRUE;
  if (!force && !dry_run)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_ALREADY_EXISTS,
                   "bundle %s already staged at %s (use --force to overwrite)", bundle_id, bundle_dir);
      return FALSE;
    }
  if (!force)
    arw_progress_message (self->progress, "[dry-run] bundle %s already staged at %s (use --force to overwrite)",
                          bundle_id, bundle_dir);
  else if (dry_run)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *ts = arw_install_timestamp_compact (now);

      arw_progress_message (self->progress, "[dry-run] would snapshot existing bundle %s into history/rev-%s (%s)",
                            bundle_id, ts, arw_store_kind_to_string (kind));
    }
  return TRUE;
}

void
_arw_installer_live_revision (ArwInstaller *self, const char *bundle_id, gboolean *out_have_live,
                              gint64 *out_revision)
{
  g_autoptr(GError) local_error = NULL;

  *out_revision = -1;
  *out_have_live = arw_store_get_live_revision_number (self->store, bundle_id, out_revision, &local_error);
  /* A live bundle.json that does not parse has no revision to protect. */
  if (!*out_have_live)
    *out_revision = -1;
}

void
_arw_installer_report_tx_warnings (ArwInstaller *self, ArwStoreTransaction *tx, GPtrArray *warnings)
{
  GPtrArray *tx_warnings = arw_store_transaction_get_warnings (tx);

  for (guint i = 0; i < tx_warnings->len; i++)
    {
      const char *w = g_ptr_array_index (tx_warnings, i);

      arw_progress_message (self->progress, "warning: %s", w);
      if (warnings != NULL)
        g_ptr_array_add (warnings, g_strdup (w));
    }
}

/* ---- one bundle ---- */

/* A downloaded artifact, for extraction and provenance.json. */
typedef struct {
  const ArwArtifact *artifact;
  char *name;       /* in artifacts/ */
  char *url;        /* resolved */
  char *sha256;
  guint64 size;
  char *fetched_at;
  gboolean extracted;
  gboolean streamed;      /* extracted while downloading, into .extract-<index> */
  GError *stream_error;   /* what that extraction reported, or NULL */
} Fetched;

static void
fetched_free (Fetched *f)
{
  g_clear_error (&f->stream_error);
  g_free (f->name);
  g_free (f->url);
  g_free (f->sha256);
  g_free (f->fetched_at);
  g_free (f);
}

typedef struct {
  ArwInstaller *self;
  const ArwInstallOptions *opts;
  GCancellable *cancellable;
  ArwBundle *bundle;
  ArwCatalog *catalog;
  char *catalog_dir;
  char *cache_dir;    /* <root>/.arw-downloads/<dir> */
  ArwInstallBundleResult *result;
  ArwStoreTransaction *tx;
  int staging_fd;
  ArwPublisherManifest *manifest;
  GPtrArray *fetched; /* Fetched */
  GPtrArray *warnings;
} InstallJob;

static void
install_job_clear (InstallJob *job)
{
  g_clear_pointer (&job->catalog_dir, g_free);
  g_clear_pointer (&job->cache_dir, g_free);
  g_clear_pointer (&job->tx, arw_store_transaction_free);
  g_clear_pointer (&job->manifest, arw_publisher_manifest_free);
  g_clear_pointer (&job->fetched, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (InstallJob, install_job_clear)

static gboolean
strv_contains_lower (const char *const *list, const char *value)
{
  g_autofree char *lower = value != NULL ? g_ascii_strdown (value, -1) : NULL;

  for (guint i = 0; list[i] != NULL; i++)
    {
      g_autofree char *item = g_ascii_strdown (list[i], -1);
      if (lower != NULL && g_str_equal (item, lower))
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_manifest_artifact (const ArwArtifact *a)
{
  return g_ascii_strcasecmp (a->kind, ARW_PUBLISHER_MANIFEST_KIND) == 0;
}

/* ARW's filters (§5.6): lowercase comparison; a format filter excludes
 * artifacts without a format. */
static gboolean
artifact_selected (const ArwArtifact *a, gpointer user_data)
{
  const ArwInstallOptions *opts = user_data;

  if (opts->artifact_kinds != NULL && opts->artifact_kinds[0] != NULL &&
      !strv_contains_lower (opts->artifact_kinds, a->kind))
    return FALSE;
  if (opts->artifact_formats != NULL && opts->artifact_formats[0] != NULL &&
      (a->format == NULL || !strv_contains_lower (opts->artifact_formats, a->format)))
    return FALSE;
  return TRUE;
}

static gboolean
will_extract (InstallJob *job, const ArwArtifact *a)
{
  return !job->opts->no_extract && a->format != NULL && arw_extract_is_archive_format (a->format);
}

static void
no_url_message (InstallJob *job, const ArwArtifact *a)
{
  job->result->without_url++;
  arw_progress_message (job->self->progress,
                        "Bundle %s artifact %s has no URL; use `arw-runtime bundles import` to stage it manually.",
                        arw_bundle_get_id (job->bundle), a->kind);
}

static void
summary_message (InstallJob *job)
{
  ArwInstallBundleResult *r = job->result;

  arw_progress_message (job->self->progress,
                        "Bundle %s summary: %u downloaded, %u skipped (existing), %u without URLs.",
                        r->bundle_id, r->downloaded, r->skipped, r->without_url);
}

static gboolean
dry_run_bundle (InstallJob *job)
{
  GPtrArray *artifacts = arw_bundle_get_artifacts (job->bundle);
  ArwProgress *progress = job->self->progress;
  const char *dir = job->result->bundle_dir;

  arw_progress_message (progress, "[dry-run] install bundle %s -> %s", job->result->bundle_id, dir);
  for (guint i = 0; artifacts != NULL && i < artifacts->len; i++)
    {
      const ArwArtifact *a = g_ptr_array_index (artifacts, i);
      g_autofree char *name = NULL;

      if (is_manifest_artifact (a) && a->url != NULL)
        {
          arw_progress_message (progress, "[dry-run] would download and verify the signed bundle manifest %s", a->url);
          continue;
        }
      if (is_manifest_artifact (a) || !artifact_selected (a, (gpointer) job->opts))
        continue;
      if (a->url == NULL)
        {
          no_url_message (job, a);
          continue;
        }
      name = arw_install_artifact_file_name (a->url, a->kind, a->format, i);
      arw_progress_message (progress, "[dry-run] would download %s -> %s/artifacts/%s", a->url, dir, name);
      if (will_extract (job, a))
        arw_progress_message (progress, "[dry-run] would extract %s into %s/payload/", name, dir);
      job->result->downloaded++;
    }
  arw_progress_message (progress, "[dry-run] would write metadata to %s/bundle.json", dir);
  summary_message (job);
  return TRUE;
}

/* Free space: every artifact twice (download + unpacked) plus a margin. */
static gboolean
reserve_space (InstallJob *job, GError **error)
{
  GPtrArray *artifacts = arw_bundle_get_artifacts (job->bundle);
  guint64 total = 0;

  for (guint i = 0; artifacts != NULL && i < artifacts->len; i++)
    {
      const ArwArtifact *a = g_ptr_array_index (artifacts, i);
      if (a->url != NULL && a->has_size && (is_manifest_artifact (a) || artifact_selected (a, (gpointer) job->opts)))
        total += a->size_bytes * (will_extract (job, a) ? 2 : 1);
    }
  return arw_store_transaction_reserve (job->tx, total + SPACE_MARGIN_BYTES, error);
}

static char *
resolve_url (InstallJob *job, const ArwArtifact *a, GError **error)
{
  return arw_download_resolve_url (job->catalog_dir, a->url, error);
}

static gboolean
is_no_space (const GError *error)
{
  return g_error_matches (error, ARW_ERROR, ARW_ERROR_NO_SPACE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
}

/* Downloads into the cache; a full disk drops the partial file so the
 * space comes back, other failures keep it for the next attempt. */
static char *
download_to_cache (InstallJob *job, const ArwDownloadRequest *req, const char *cache_path, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  char *hex;

  if (g_mkdir_with_parents (job->cache_dir, 0755) < 0)
    {
      arw_fs_set_error_from_errno (error, errno, "failed to create the download cache %s", job->cache_dir);
      return NULL;
    }
  /* A complete file left by an interrupted run is fetched again. */
  g_unlink (cache_path);
  hex = arw_download_file (job->self->downloader, req, cache_path, job->self->progress, job->cancellable,
                           &local_error);
  if (hex != NULL)
    return hex;
  if (is_no_space (local_error))
    {
      g_autofree char *part = g_strconcat (cache_path, ".part", NULL);
      g_autofree char *meta = g_strconcat (cache_path, ".part.meta", NULL);
      g_unlink (part);
      g_unlink (meta);
      g_set_error (error, ARW_ERROR, ARW_ERROR_NO_SPACE,
                   "not enough disk space to download %s into %s (%s); the partial download was removed, "
                   "free some space and try again", req->url, arw_store_get_root (job->self->store),
                   local_error->message);
      return NULL;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

static gboolean
fetch_manifest (InstallJob *job, const ArwArtifact *a, GError **error)
{
  ArwInstaller *self = job->self;
  g_autofree char *url = resolve_url (job, a, error);
  g_autofree char *path = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GBytes) bytes = NULL;
  ArwDownloadRequest req = { 0 };
  gboolean have_live;
  gint64 live_rev;
  gsize len = 0;

  if (url == NULL)
    return FALSE;
  req = (ArwDownloadRequest) { .url = url, .expected_sha256 = a->sha256, .size_bytes = a->has_size ? a->size_bytes : 0 };
  path = g_build_filename (arw_store_transaction_get_staging_dir (job->tx), "bundle.json", NULL);
  hex = arw_download_file (self->downloader, &req, path, self->progress, job->cancellable, error);
  if (hex == NULL)
    return FALSE;
  data = arw_fs_read_file_at (job->staging_fd, "bundle.json", MANIFEST_MAX_BYTES, &len, error);
  if (data == NULL)
    return FALSE;
  bytes = g_bytes_new_take (g_steal_pointer (&data), len);
  job->manifest = arw_publisher_manifest_new (bytes, self->registry, error);
  if (job->manifest == NULL ||
      !arw_publisher_manifest_check (job->manifest, arw_bundle_get_id (job->bundle),
                                     arw_catalog_get_channel (job->catalog), self->require_trusted,
                                     _arw_installer_registry_available (self), error))
    return FALSE;
  _arw_installer_live_revision (self, arw_bundle_get_id (job->bundle), &have_live, &live_rev);
  if (!arw_publisher_manifest_check_revision (job->manifest, arw_bundle_get_id (job->bundle), have_live,
                                              live_rev, job->opts->allow_downgrade, error))
    return FALSE;
  if (arw_manifest_verification_is_trust_shortfall (job->manifest->verification))
    arw_progress_message (self->progress, "warning: the bundle manifest of %s is signed, but by no publisher in the signer registry",
                          arw_bundle_get_id (job->bundle));
  job->result->signed_manifest = TRUE;
  return arw_publisher_manifest_check_covered (job->manifest, arw_bundle_get_artifacts (job->bundle),
                                               artifact_selected, (gpointer) job->opts, error);
}

static gboolean
name_taken (InstallJob *job, const char *name)
{
  for (guint i = 0; i < job->fetched->len; i++)
    if (g_str_equal (((Fetched *) g_ptr_array_index (job->fetched, i))->name, name))
      return TRUE;
  return FALSE;
}

static char *
artifact_name (InstallJob *job, const ArwArtifact *a, guint index)
{
  char *name = arw_install_artifact_file_name (a->url, a->kind, a->format, index);

  if (name_taken (job, name))
    {
      g_free (name);
      name = arw_install_artifact_file_name (NULL, a->kind, a->format, index);
    }
  return name;
}

/* The sha256 to enforce: the signed manifest's pin, else the catalog's. */
static gboolean
expected_sha256 (InstallJob *job, const ArwArtifact *a, const char *url, const char **out, GError **error)
{
  *out = a->sha256;
  if (job->manifest != NULL && (*out = arw_publisher_manifest_pin (job->manifest, a, error)) == NULL)
    return FALSE;
  if (*out == NULL && !job->self->require_trusted)
    {
      g_autofree char *w = g_strdup_printf ("artifact %s has no sha256 in the catalog; it cannot be verified", url);
      arw_progress_message (job->self->progress, "warning: %s", w);
      g_ptr_array_add (job->warnings, g_steal_pointer (&w));
    }
  return TRUE;
}

static gboolean
move_into_staging (InstallJob *job, const char *cache_path, const char *name, guint64 *out_size, GError **error)
{
  g_autofree char *dest = g_build_filename (arw_store_transaction_get_staging_dir (job->tx), "artifacts", name, NULL);
  GStatBuf st;

  if (g_rename (cache_path, dest) != 0)
    return arw_fs_set_error_from_errno (error, errno, "failed to move %s into staging", cache_path);
  if (g_stat (dest, &st) != 0)
    return arw_fs_set_error_from_errno (error, errno, "failed to inspect %s", dest);
  *out_size = (guint64) st.st_size;
  return TRUE;
}

/* ---- extraction while downloading ---- */

/* Feeds the downloader's bytes to an ArwExtractStream. The extraction
 * writes only into staging/.extract-<index> and its result is used only
 * after the download's sha256 has verified, so unverified bytes never
 * reach a commit. When the bytes stop being one contiguous stream (the
 * download restarted from the beginning), the stream is dropped and the
 * complete file is extracted afterwards, as without streaming. */
typedef struct {
  ArwExtractStream *stream;
  guint64 next;      /* offset expected next */
  gboolean broken;
  ArwProgress *progress;
  int report;        /* atomic: forward extraction progress */
} StreamFeed;

static void
stream_sink (guint64 offset, const guint8 *data, gsize len, gpointer user_data)
{
  StreamFeed *feed = user_data;

  if (feed->broken)
    return;
  if (offset != feed->next)
    {
      feed->broken = TRUE;
      g_clear_pointer (&feed->stream, arw_extract_stream_free);
      return;
    }
  /* FALSE: the extraction stopped; finish() tells why. */
  arw_extract_stream_push (feed->stream, data, len);
  feed->next += len;
}

static void
stream_progress_cb (guint64 bytes_written, guint64 entries, gpointer user_data)
{
  StreamFeed *feed = user_data;

  if (g_atomic_int_get (&feed->report))
    arw_progress_set_done (feed->progress, bytes_written);
}

/* Zip needs its central directory, at the end of the file. */
static gboolean
can_stream (InstallJob *job, const ArwArtifact *a)
{
  return will_extract (job, a) && g_ascii_strcasecmp (a->format, "zip") != 0;
}

static char *
extract_dir_name (guint index)
{
  return g_strdup_printf (".extract-%u", index);
}

static gboolean
stream_start (InstallJob *job, StreamFeed *feed, guint index, const char *name, GError **error)
{
  g_autofree char *tmp_rel = extract_dir_name (index);
  g_autofree char *tmp = g_build_filename (arw_store_transaction_get_staging_dir (job->tx), tmp_rel, NULL);
  ArwExtractLimits limits = { .flags = ARW_EXTRACT_FLAGS_NO_SYNC };

  if (!arw_fs_mkdir_at (job->staging_fd, tmp_rel, 0755, FALSE, error))
    return FALSE;
  feed->progress = job->self->progress;
  /* The store's commit fsyncs the whole staging tree. */
  feed->stream = arw_extract_stream_new (tmp, name, &limits, 0, stream_progress_cb, feed, job->cancellable, error);
  return feed->stream != NULL;
}

/* After a verified download: waits for the extraction and records its
 * result in @f. A dropped stream (or a zip found inside) leaves @f for
 * extract_all() to extract from the file. */
static void
stream_finish (InstallJob *job, StreamFeed *feed, Fetched *f)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ArwExtractStream) stream = g_steal_pointer (&feed->stream);

  if (stream == NULL)
    return;
  arw_progress_set_phase (job->self->progress, ARW_PROGRESS_PHASE_EXTRACTING);
  arw_progress_set_item (job->self->progress, f->name);
  arw_progress_set_total (job->self->progress, 0);
  g_atomic_int_set (&feed->report, 1);
  if (arw_extract_stream_finish (stream, &local_error))
    f->streamed = TRUE;
  else if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    {
      f->streamed = TRUE;
      f->stream_error = g_steal_pointer (&local_error);
    }
}

static gboolean
fetch_artifact (InstallJob *job, const ArwArtifact *a, guint index, GError **error)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *url = resolve_url (job, a, error);
  g_autofree char *name = NULL;
  g_autofree char *cache_path = NULL;
  g_autofree char *hex = NULL;
  ArwDownloadRequest req = { 0 };
  StreamFeed feed = { 0 };
  Fetched *f;

  if (url == NULL || !expected_sha256 (job, a, url, &req.expected_sha256, error))
    return FALSE;
  req.url = url;
  req.size_bytes = a->has_size ? a->size_bytes : 0;
  req.require_sha256 = job->self->require_trusted;
  name = artifact_name (job, a, index);
  cache_path = g_build_filename (job->cache_dir, name, NULL);
  if (can_stream (job, a))
    {
      if (!stream_start (job, &feed, job->fetched->len, name, error))
        return FALSE;
      req.sink = stream_sink;
      req.sink_data = &feed;
    }
  hex = download_to_cache (job, &req, cache_path, error);
  if (hex == NULL)
    {
      g_clear_pointer (&feed.stream, arw_extract_stream_free);
      return FALSE;
    }
  f = g_new0 (Fetched, 1);
  g_ptr_array_add (job->fetched, f);
  f->artifact = a;
  f->name = g_steal_pointer (&name);
  f->url = g_steal_pointer (&url);
  f->sha256 = g_steal_pointer (&hex);
  now = g_date_time_new_now_utc ();
  f->fetched_at = arw_install_timestamp_rfc3339 (now);
  stream_finish (job, &feed, f);
  if (!move_into_staging (job, cache_path, f->name, &f->size, error))
    return FALSE;
  job->result->downloaded++;
  job->result->bytes += f->size;
  arw_progress_message (job->self->progress, "Downloaded %s/artifacts/%s (%" G_GUINT64_FORMAT " bytes)",
                        job->result->bundle_dir, f->name, f->size);
  return TRUE;
}

static gboolean
fetch_all (InstallJob *job, GError **error)
{
  GPtrArray *artifacts = arw_bundle_get_artifacts (job->bundle);

  for (guint i = 0; artifacts != NULL && i < artifacts->len; i++)
    {
      const ArwArtifact *a = g_ptr_array_index (artifacts, i);

      if (is_manifest_artifact (a) && a->url != NULL && job->manifest == NULL && !fetch_manifest (job, a, error))
        return FALSE;
    }
  if (!arw_fs_mkdir_at (job->staging_fd, "artifacts", 0755, FALSE, error))
    return FALSE;
  for (guint i = 0; artifacts != NULL && i < artifacts->len; i++)
    {
      const ArwArtifact *a = g_ptr_array_index (artifacts, i);

      if (is_manifest_artifact (a) || !artifact_selected (a, (gpointer) job->opts))
        continue;
      if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
        return FALSE;
      if (a->url == NULL)
        no_url_message (job, a);
      else if (!fetch_artifact (job, a, i, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- extraction ---- */

static void
extract_progress_cb (guint64 bytes_written, guint64 entries, gpointer user_data)
{
  arw_progress_set_done (ARW_PROGRESS (user_data), bytes_written);
}

/* Moves the top-level entries of @from_rel into payload/ (no replacing). */
static gboolean
merge_into_payload (InstallJob *job, const char *from_rel, const char *archive, GError **error)
{
  arw_autofd from_fd = arw_fs_open_dir_at (job->staging_fd, from_rel, FALSE, error);
  arw_autofd payload_fd = -1;
  g_autoptr(GPtrArray) names = NULL;

  if (from_fd < 0 || !arw_fs_mkdir_at (job->staging_fd, "payload", 0755, TRUE, error))
    return FALSE;
  payload_fd = arw_fs_open_dir_at (job->staging_fd, "payload", FALSE, error);
  if (payload_fd < 0 || (names = arw_fs_list_dir (from_fd, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autoptr(GError) local_error = NULL;

      if (arw_fs_rename_at (from_fd, name, payload_fd, name, TRUE, &local_error))
        continue;
      if (g_error_matches (local_error, ARW_ERROR, ARW_ERROR_ALREADY_EXISTS))
        g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                     "archive %s and an earlier archive of the bundle both contain %s; nothing was installed",
                     archive, name);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return arw_fs_rm_rf_at (job->staging_fd, from_rel, error);
}

/* arw_extract_archive() names the staging path; users need the reason. */
static const char *
extract_reason (const char *message)
{
  const char *p = g_str_has_prefix (message, "extracting ") ? strstr (message, " failed: ") : NULL;

  return p != NULL ? p + strlen (" failed: ") : message;
}

static gboolean
extract_failed (InstallJob *job, Fetched *f, GError *local_error, GError **error)
{
  const char *reason;

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_error_copy (local_error));
      return FALSE;
    }
  reason = extract_reason (local_error->message);
  g_set_error (error, local_error->domain, local_error->code,
               "cannot extract artifact %s of bundle %s: %s; nothing was installed%s", f->name,
               job->result->bundle_id, reason,
               g_str_has_prefix (reason, "not a valid archive")
                 ? " (use --no-extract to keep it as an opaque file)" : "");
  return FALSE;
}

static gboolean
extract_one (InstallJob *job, Fetched *f, guint index, GError **error)
{
  const char *staging = arw_store_transaction_get_staging_dir (job->tx);
  g_autofree char *tmp_rel = extract_dir_name (index);
  g_autofree char *tmp = g_build_filename (staging, tmp_rel, NULL);
  g_autofree char *archive = g_build_filename (staging, "artifacts", f->name, NULL);
  g_autoptr(GError) local_error = NULL;
  ArwExtractLimits limits = { .flags = ARW_EXTRACT_FLAGS_NO_SYNC };

  if (f->stream_error != NULL)
    return extract_failed (job, f, f->stream_error, error);
  if (!f->streamed)
    {
      arw_progress_set_phase (job->self->progress, ARW_PROGRESS_PHASE_EXTRACTING);
      arw_progress_set_item (job->self->progress, f->name);
      arw_progress_set_total (job->self->progress, 0);
      arw_progress_set_done (job->self->progress, 0);
      /* A dropped stream may have left a partial tree. */
      if (!arw_fs_rm_rf_at (job->staging_fd, tmp_rel, error) ||
          !arw_fs_mkdir_at (job->staging_fd, tmp_rel, 0755, FALSE, error))
        return FALSE;
      /* The store's commit fsyncs the whole staging tree. */
      if (!arw_extract_archive (archive, tmp, &limits, extract_progress_cb, job->self->progress,
                                job->cancellable, &local_error))
        return extract_failed (job, f, local_error, error);
    }
  f->extracted = TRUE;
  job->result->extracted++;
  return merge_into_payload (job, tmp_rel, f->name, error);
}

static gboolean
extract_all (InstallJob *job, GError **error)
{
  for (guint i = 0; i < job->fetched->len; i++)
    {
      Fetched *f = g_ptr_array_index (job->fetched, i);

      if (will_extract (job, f->artifact) && !extract_one (job, f, i, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- metadata and commit ---- */

static JsonNode *
provenance_source (InstallJob *job)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "catalog");
  json_builder_set_member_name (b, "catalog");
  json_builder_add_string_value (b, arw_catalog_get_path (job->catalog));
  json_builder_set_member_name (b, "channel");
  if (arw_catalog_get_channel (job->catalog) != NULL)
    json_builder_add_string_value (b, arw_catalog_get_channel (job->catalog));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
write_provenance (InstallJob *job, const char *at, GError **error)
{
  g_autoptr(GArray) items = g_array_sized_new (FALSE, TRUE, sizeof (ArwProvenanceItem), job->fetched->len);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) source = provenance_source (job);
  g_autoptr(JsonNode) node = NULL;
  JsonNode *verification = NULL;

  for (guint i = 0; i < job->fetched->len; i++)
    {
      Fetched *f = g_ptr_array_index (job->fetched, i);
      char *file = g_build_filename ("artifacts", f->name, NULL);
      ArwProvenanceItem item = {
        .kind = f->artifact->kind, .format = f->artifact->format, .url = f->url,
        .file = file, .sha256 = f->sha256, .size = f->size,
        .fetched_at = f->fetched_at, .extracted = f->extracted,
      };
      g_ptr_array_add (files, file);
      g_array_append_val (items, item);
    }
  if (job->manifest != NULL)
    verification = arw_manifest_verification_to_json (job->manifest->verification);
  node = arw_install_provenance_json (job->result->bundle_id, "install", at, source,
                                      (ArwProvenanceItem *) (gpointer) items->data, items->len, verification);
  return arw_install_write_json_at (job->staging_fd, "provenance.json", node, error);
}

static gboolean
write_metadata (InstallJob *job, GError **error)
{
  g_autofree char *now = _arw_installer_now_rfc3339 ();
  const char *const *roots = arw_catalog_set_get_roots (job->self->catalogs);

  arw_progress_set_phase (job->self->progress, ARW_PROGRESS_PHASE_COMMITTING);
  if (job->manifest == NULL)
    {
      g_autoptr(JsonNode) node = arw_install_bundle_json (job->bundle, job->catalog, roots, now);
      if (!arw_install_write_json_at (job->staging_fd, "bundle.json", node, error))
        return FALSE;
    }
  return write_provenance (job, now, error);
}

static gboolean
commit (InstallJob *job, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (g_cancellable_set_error_if_cancelled (job->cancellable, error) ||
      !arw_store_transaction_commit (job->tx, error))
    return FALSE;
  job->result->committed = TRUE;
  job->result->snapshot = g_strdup (arw_store_transaction_get_snapshot (job->tx));
  _arw_installer_report_tx_warnings (job->self, job->tx, job->warnings);
  arw_progress_message (job->self->progress, "Wrote metadata %s/bundle.json", job->result->bundle_dir);
  if (!arw_fs_rm_rf_at (AT_FDCWD, job->cache_dir, &local_error))
    g_debug ("failed to clear the download cache: %s", local_error->message);
  return TRUE;
}

static gboolean
run_install (InstallJob *job, GError **error)
{
  ArwInstaller *self = job->self;

  job->tx = arw_store_begin (self->store, job->result->bundle_id, ARW_STORE_KIND_INSTALL, job->cancellable, error);
  if (job->tx == NULL)
    return FALSE;
  job->staging_fd = arw_store_transaction_get_staging_fd (job->tx);
  if (!reserve_space (job, error) || !fetch_all (job, error) || !extract_all (job, error) ||
      !write_metadata (job, error) || !commit (job, error))
    return FALSE;
  summary_message (job);
  return TRUE;
}

static ArwInstallBundleResult *
bundle_result_new (ArwInstaller *self, const char *bundle_id)
{
  ArwInstallBundleResult *r = g_new0 (ArwInstallBundleResult, 1);

  r->bundle_id = g_strdup (bundle_id);
  r->bundle_dir = arw_store_get_bundle_dir (self->store, bundle_id);
  return r;
}

static gboolean
install_one (ArwInstaller *self, const char *bundle_id, const ArwInstallOptions *opts,
             ArwInstallReport *report, GCancellable *cancellable, GError **error)
{
  g_auto(InstallJob) job = { 0 };
  g_autofree char *dir_name = arw_bundle_dir_name (bundle_id);
  gboolean ok;

  job.self = self;
  job.opts = opts;
  job.cancellable = cancellable;
  job.warnings = report->warnings;
  job.bundle = arw_catalog_set_find_bundle (self->catalogs, bundle_id, &job.catalog);
  if (job.bundle == NULL)
    {
      g_ptr_array_add (report->missing_ids, g_strdup (bundle_id));
      return TRUE;
    }
  job.result = bundle_result_new (self, bundle_id);
  g_ptr_array_add (report->bundles, job.result);
  job.catalog_dir = g_path_get_dirname (arw_catalog_get_path (job.catalog));
  job.cache_dir = g_build_filename (arw_store_get_root (self->store), ARW_INSTALLER_DOWNLOADS_DIR, dir_name, NULL);
  job.fetched = g_ptr_array_new_with_free_func ((GDestroyNotify) fetched_free);
  arw_progress_set_phase (self->progress, ARW_PROGRESS_PHASE_RESOLVING);
  arw_progress_set_item (self->progress, bundle_id);
  if (!_arw_installer_check_existing (self, bundle_id, job.result->bundle_dir, opts->force, opts->dry_run,
                                      ARW_STORE_KIND_INSTALL, error))
    return FALSE;
  if (opts->dry_run)
    return dry_run_bundle (&job);
  ok = run_install (&job, error);
  /* Drop the cache directory unless it holds a partial download to resume. */
  g_rmdir (job.cache_dir);
  return ok;
}

gboolean
arw_installer_install (ArwInstaller *self, const char *const *bundle_ids, const ArwInstallOptions *options,
                       ArwInstallReport **out_report, GCancellable *cancellable, GError **error)
{
  g_autoptr(ArwInstallReport) report = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (ARW_IS_INSTALLER (self), FALSE);
  g_return_val_if_fail (bundle_ids != NULL && options != NULL, FALSE);
  g_return_val_if_fail (self->catalogs != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  report = install_report_new (arw_store_get_root (self->store), options->dry_run,
                               g_strv_length ((char **) bundle_ids));
  if (options->dry_run)
    arw_progress_message (self->progress, "[dry-run] bundle install root: %s", report->root);
  for (guint i = 0; ok && bundle_ids[i] != NULL; i++)
    ok = install_one (self, bundle_ids[i], options, report, cancellable, error);
  if (ok && report->missing_ids->len > 0)
    {
      g_autofree char *ids = NULL;

      g_ptr_array_add (report->missing_ids, NULL);
      ids = g_strjoinv (", ", (char **) report->missing_ids->pdata);
      g_ptr_array_remove_index (report->missing_ids, report->missing_ids->len - 1);
      g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND, "bundle id(s) not found in catalog: %s", ids);
      ok = FALSE;
    }
  arw_progress_set_phase (self->progress, ARW_PROGRESS_PHASE_DONE);
  if (out_report != NULL)
    *out_report = g_steal_pointer (&report);
  return ok;
}

/* ---- async ---- */

typedef struct {
  GStrv ids;
  ArwInstallOptions opts;
  GStrv kinds;
  GStrv formats;
  ArwInstallReport *report;
} InstallTaskData;

static void
install_task_data_free (InstallTaskData *data)
{
  g_strfreev (data->ids);
  g_strfreev (data->kinds);
  g_strfreev (data->formats);
  arw_install_report_free (data->report);
  g_free (data);
}

static void
install_worker (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  InstallTaskData *data = task_data;
  g_autoptr(GError) error = NULL;

  if (arw_installer_install (ARW_INSTALLER (source_object), (const char *const *) data->ids, &data->opts,
                             &data->report, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
arw_installer_install_async (ArwInstaller *self, const char *const *bundle_ids, const ArwInstallOptions *options,
                             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  InstallTaskData *data;

  g_return_if_fail (ARW_IS_INSTALLER (self));
  g_return_if_fail (bundle_ids != NULL && options != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arw_installer_install_async);
  data = g_new0 (InstallTaskData, 1);
  data->ids = g_strdupv ((char **) bundle_ids);
  data->kinds = options->artifact_kinds != NULL ? g_strdupv ((char **) options->artifact_kinds) : NULL;
  data->formats = options->artifact_formats != NULL ? g_strdupv ((char **) options->artifact_formats) : NULL;
  data->opts = *options;
  data->opts.artifact_kinds = (const char *const *) data->kinds;
  data->opts.artifact_formats = (const char *const *) data->formats;
  g_task_set_task_data (task, data, (GDestroyNotify) install_task_data_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, install_worker);
}

gboolean
arw_installer_install_finish (ArwInstaller *self, GAsyncResult *result, ArwInstallReport **out_report,
                              GError **error)
{
  InstallTaskData *data;

  g_return_val_if_fail (ARW_IS_INSTALLER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (out_report != NULL)
    *out_report = g_steal_pointer (&data->report);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- remove ---- */

gboolean
arw_installer_remove (ArwInstaller *self, const char *bundle_id, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *cache = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (ARW_IS_INSTALLER (self), FALSE);
  g_return_val_if_fail (bundle_id != NULL, FALSE);

  if (!arw_store_remove (self->store, bundle_id, error))
    return FALSE;
  dir = arw_bundle_dir_name (bundle_id);
  cache = g_build_filename (arw_store_get_root (self->store), ARW_INSTALLER_DOWNLOADS_DIR, dir, NULL);
  if (!arw_fs_rm_rf_at (AT_FDCWD, cache, &local_error))
    g_debug ("failed to clear the download cache %s: %s", cache, local_error->message);
  return TRUE;
}
