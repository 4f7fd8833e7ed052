/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bundles install, import, rollback and remove: thin front ends over
 * ArwInstaller and ArwStore. Long operations run through the _async API in
 * a worker thread while the main loop draws progress and turns SIGINT into
 * a cancellation. */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>

#include "arw-catalog.h"
#include "arw-cli.h"
#include "arw-cli-helper.h"
#include "arw-cli-transaction.h"
#include "arw-cli-progress.h"
#include "arw-cli-signatures.h"
#include "arw-error.h"
#include "arw-installer.h"
#include "arw-paths.h"

/* ---- shared ---- */

static guint
env_uint (const char *name, guint fallback)
{
  const char *v = g_getenv (name);
  guint64 n = 0;

  if (v == NULL || !g_ascii_string_to_unsigned (v, 10, 0, G_MAXUINT, &n, NULL))
    return fallback;
  return (guint) n;
}

/* Tuning through the environment (tests, slow links). */
static ArwDownloader *
cli_downloader_new (void)
{
  ArwDownloader *d = arw_downloader_new ();

  arw_downloader_set_max_retries (d, env_uint ("ARW_DOWNLOAD_MAX_RETRIES", 5));
  arw_downloader_set_backoff (d, env_uint ("ARW_DOWNLOAD_BACKOFF_MS", 1000), 60 * 1000);
  arw_downloader_set_stall_timeout_ms (d, env_uint ("ARW_DOWNLOAD_STALL_TIMEOUT_MS", 30 * 1000));
  return d;
}

static char *
bundle_root (const char *dest)
{
  return dest != NULL ? g_strdup (dest) : arw_paths_bundle_root ();
}

/* Opens the store; @must_exist refuses to create a missing root. */
static ArwStore *
open_store (const char *root, gboolean must_exist, GError **error)
{
  if (must_exist && !g_file_test (root, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND, "bundle root %s does not exist", root);
      return NULL;
    }
  return arw_store_open (root, error);
}

static GStrv
catalog_roots (const char *dir, GError **error)
{
  g_auto(GStrv) roots = NULL;

  if (dir != NULL)
    {
      if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND, "bundle directory %s does not exist", dir);
          return NULL;
        }
      return g_strdupv ((char *[]){ (char *) dir, NULL });
    }
  roots = arw_paths_catalog_roots ();
  if (roots[0] == NULL)
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_NOT_FOUND,
                           "unable to locate configs/runtime/; pass --dir or set ARW_RUNTIME_BUNDLE_DIR");
      return NULL;
    }
  return g_steal_pointer (&roots);
}

/* A main loop that waits for one async call; SIGINT cancels it. */
typedef struct {
  GMainLoop *loop;
  GAsyncResult *result;
  GCancellable *cancellable;
} CliWait;

static gboolean
sigint_cb (gpointer user_data)
{
  CliWait *wait = user_data;

  if (!g_cancellable_is_cancelled (wait->cancellable))
    g_printerr ("\n%s\n", _("cancelling…"));
  g_cancellable_cancel (wait->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
async_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  CliWait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static void
cli_wait_init (CliWait *wait)
{
  wait->loop = g_main_loop_new (NULL, FALSE);
  wait->cancellable = g_cancellable_new ();
  wait->result = NULL;
}

/* Runs the loop until the call is done, then delivers pending progress. */
static void
cli_wait_run (CliWait *wait)
{
  guint sig = g_unix_signal_add (SIGINT, sigint_cb, wait);
  guint sig_term = g_unix_signal_add (SIGTERM, sigint_cb, wait);

  g_main_loop_run (wait->loop);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_source_remove (sig);
  g_source_remove (sig_term);
}

static void
cli_wait_clear (CliWait *wait)
{
  g_clear_pointer (&wait->loop, g_main_loop_unref);
  g_clear_object (&wait->result);
  g_clear_object (&wait->cancellable);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliWait, cli_wait_clear)

static int
fail_operation (const GError *error, const char *what)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return arw_cli_fail_message (_("%s cancelled; run the same command again to resume"), what);
  return arw_cli_fail (error);
}

static ArwInstaller *
installer_new (const char *root, ArwCliTrust *trust, gboolean require_signed, GError **error)
{
  g_autoptr(ArwStore) store = NULL;
  g_autoptr(ArwDownloader) downloader = NULL;
  ArwInstaller *installer;

  if (!arw_cli_trust_init (trust, require_signed, error))
    return NULL;
  store = arw_store_open (root, error);
  if (store == NULL)
    return NULL;
  downloader = cli_downloader_new ();
  installer = arw_installer_new (store, downloader);
  arw_installer_set_trust (installer, arw_cli_trust_get_registry (trust), trust->require_trusted);
  return installer;
}

/* ---- install ---- */

static void
print_install_trailer (const ArwInstallReport *report)
{
  guint64 bytes = 0;
  guint n = arw_install_report_get_downloaded (report, &bytes);

  if (report->dry_run)
    {
      g_print (ngettext ("[dry-run] install complete (%u bundle requested).\n",
                         "[dry-run] install complete (%u bundles requested).\n", report->requested),
               report->requested);
      return;
    }
  g_print ("Install root: %s\n", report->root);
  if (n > 0)
    g_print (ngettext ("Downloaded %u artifact (%llu bytes).\n",
                       "Downloaded %u artifacts (%llu bytes).\n", n), n, (unsigned long long) bytes);
}

static void
print_report_json (JsonNode *node, const GError *error)
{
  if (error != NULL)
    json_object_set_string_member (json_node_get_object (node), "error", error->message);
  arw_cli_print_json (node, FALSE);
}

typedef struct {
  char *dir;
  char *dest;
  gboolean dry_run;
  gboolean force;
  gboolean no_extract;
  gboolean allow_downgrade;
  gboolean require_signed;
  char **kinds;
  char **formats;
  gboolean json;
} InstallArgs;

static void
install_args_clear (InstallArgs *a)
{
  g_free (a->dir);
  g_free (a->dest);
  g_strfreev (a->kinds);
  g_strfreev (a->formats);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (InstallArgs, install_args_clear)

/* Installs through the helper when it serves our default state dir, so
 * the app sees the progress too; --dir/--dest (or no session bus) keep the
 * work in this process. */
static gboolean
use_helper (const char *dir, const char *dest)
{
  return dir == NULL && dest == NULL && g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL &&
         arw_cli_helper_available ();
}

static int
run_install_via_helper (InstallArgs *args, char **ids)
{
  g_autoptr(ArwClient) client = arw_cli_helper_take_client ();
  g_autoptr(ArwDBusTransaction) tx = NULL;
  g_autoptr(GError) error = NULL;
  ArwClientInstallOptions opts = {
    .force = args->force, .dry_run = args->dry_run, .no_extract = args->no_extract,
    .artifact_kinds = (const char *const *) args->kinds, .artifact_formats = (const char *const *) args->formats,
  };

  tx = arw_client_install_sync (client, (const char *const *) ids, &opts, NULL, &error);
  if (tx == NULL)
    return arw_cli_helper_fail (error, ids[0]);
  return arw_cli_follow_transaction (client, tx, args->json,
                                     /* Translators: the subject of "%s finished (through the ARW Launcher helper)." */
                                     C_("transaction", "Install"));
}

static int
run_install (InstallArgs *args, char **ids)
{
  g_auto(ArwCliTrust) trust = { 0 };
  g_auto(CliWait) wait = { 0 };
  g_autoptr(ArwInstaller) installer = NULL;
  g_autoptr(ArwCliProgress) view = NULL;
  g_autoptr(ArwInstallReport) report = NULL;
  g_autoptr(ArwCatalogSet) set = NULL;
  g_autofree char *root = bundle_root (args->dest);
  g_auto(GStrv) roots = NULL;
  g_autoptr(GError) error = NULL;
  ArwInstallOptions opts = {
    .dry_run = args->dry_run, .force = args->force, .no_extract = args->no_extract,
    .allow_downgrade = args->allow_downgrade,
    .artifact_kinds = (const char *const *) args->kinds, .artifact_formats = (const char *const *) args->formats,
  };
  gboolean ok;

  if (!args->allow_downgrade && !args->require_signed && use_helper (args->dir, args->dest))
    return run_install_via_helper (args, ids);
  if ((roots = catalog_roots (args->dir, &error)) == NULL ||
      (set = arw_catalog_set_load ((const char *const *) roots, ARW_CATALOG_LOAD_NONE, &error)) == NULL ||
      (installer = installer_new (root, &trust, args->require_signed, &error)) == NULL)
    return arw_cli_fail (error);
  for (guint i = 0; i < arw_catalog_set_get_diagnostics (set)->len; i++)
    arw_cli_warn ("%s", ((ArwDiagnostic *) g_ptr_array_index (arw_catalog_set_get_diagnostics (set), i))->message);
  arw_installer_set_catalogs (installer, g_steal_pointer (&set));
  view = arw_cli_progress_new (arw_installer_get_progress (installer), args->json);
  cli_wait_init (&wait);
  arw_installer_install_async (installer, (const char *const *) ids, &opts, wait.cancellable, async_done_cb, &wait);
  cli_wait_run (&wait);
  ok = arw_installer_install_finish (installer, wait.result, &report, &error);
  arw_cli_progress_finish (view);
  if (args->json)
    {
      g_autoptr(JsonNode) node = arw_install_report_to_json (report);
      print_report_json (node, error);
    }
  if (!ok)
    return fail_operation (error, "install");
  if (!args->json)
    print_install_trailer (report);
  return ARW_CLI_EXIT_OK;
}

static int
cmd_bundles_install (int argc, char **argv)
{
  const char *path = "bundles install";
  g_auto(InstallArgs) args = { 0 };
  GOptionEntry entries[] = {
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &args.dir, N_("Catalog directory (default: the installed configs/runtime)"), N_("DIR") },
    { "dest", 0, 0, G_OPTION_ARG_FILENAME, &args.dest, N_("Installed bundles root (default: <state>/runtime/bundles)"), N_("DIR") },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &args.dry_run, N_("Show what would happen without changing anything"), NULL },
    { "force", 0, 0, G_OPTION_ARG_NONE, &args.force, N_("Replace an installed bundle (the old one stays in history)"), NULL },
    { "artifact-kind", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args.kinds, N_("Only artifacts of this kind (repeatable)"), N_("KIND") },
    { "artifact-format", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args.formats, N_("Only artifacts of this format (repeatable)"), N_("FORMAT") },
    { "no-extract", 0, 0, G_OPTION_ARG_NONE, &args.no_extract, N_("Keep archives as opaque files; do not unpack them into payload/"), NULL },
    { "allow-downgrade", 0, 0, G_OPTION_ARG_NONE, &args.allow_downgrade, N_("Accept a signed manifest older than the installed revision"), NULL },
    { "require-signed", 0, 0, G_OPTION_ARG_NONE, &args.require_signed, N_("Require trusted publisher signatures and sha256 for every artifact"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &args.json, N_("Print progress and the result as JSON lines"), NULL },
    { NULL }
  };

  if (!arw_cli_parse (path, N_("BUNDLE_ID…"), _("Download, verify and install bundles from the catalogs."),
                      entries, &argc, &argv, 1, -1))
    return ARW_CLI_EXIT_USAGE;
  return run_install (&args, argv + 1);
}

/* ---- import ---- */

static void
print_import_trailer (const ArwImportReport *report)
{
  const char *files = ngettext ("file", "files", report->n_files);

  if (report->dry_run)
    /* Translators: the second %s is "file" or "files"; the last %s is empty
     * or one of the ", metadata …" phrases. */
    g_print (_("[dry-run] import of bundle %s validated: %u %s, %llu bytes%s; nothing was changed.\n"),
             report->bundle_id, report->n_files, files, (unsigned long long) report->bytes,
             report->verification == NULL ? "" : report->verification->signatures->len == 0 ? _(", metadata not signed")
                                                 : _(", metadata signature valid"));
  else
    /* Translators: the third %s is "file" or "files". */
    g_print (_("Imported bundle %s into %s (%u %s, %llu bytes).\n"), report->bundle_id,
             report->bundle_dir, report->n_files, files, (unsigned long long) report->bytes);
}

typedef struct {
  char *bundle;
  char *metadata;
  char *dest;
  gboolean dry_run;
  gboolean force;
  gboolean allow_downgrade;
  gboolean require_signed;
  gboolean json;
} ImportArgs;

static void
import_args_clear (ImportArgs *a)
{
  g_free (a->bundle);
  g_free (a->metadata);
  g_free (a->dest);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ImportArgs, import_args_clear)

static int
run_import_via_helper (ImportArgs *args, char **paths)
{
  g_autoptr(ArwClient) client = arw_cli_helper_take_client ();
  g_autoptr(ArwDBusTransaction) tx = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) absolute = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *metadata = args->metadata != NULL ? g_canonicalize_filename (args->metadata, NULL) : NULL;
  ArwClientImportOptions opts = { .metadata = metadata, .force = args->force, .dry_run = args->dry_run };

  /* The helper has its own working directory. */
  for (guint i = 0; paths[i] != NULL; i++)
    g_ptr_array_add (absolute, g_canonicalize_filename (paths[i], NULL));
  g_ptr_array_add (absolute, NULL);
  tx = arw_client_import_sync (client, args->bundle, (const char *const *) absolute->pdata, &opts, NULL, &error);
  if (tx == NULL)
    return arw_cli_helper_fail (error, args->bundle);
  return arw_cli_follow_transaction (client, tx, args->json,
                                     /* Translators: the subject of "%s finished (through the ARW Launcher helper)." */
                                     C_("transaction", "Import"));
}

static int
run_import (ImportArgs *args, char **paths)
{
  g_auto(ArwCliTrust) trust = { 0 };
  g_auto(CliWait) wait = { 0 };
  g_autoptr(ArwInstaller) installer = NULL;
  g_autoptr(ArwCliProgress) view = NULL;
  g_autoptr(ArwImportReport) report = NULL;
  g_autofree char *root = bundle_root (args->dest);
  g_autoptr(GError) error = NULL;
  ArwImportOptions opts = {
    .bundle_id = args->bundle, .metadata_path = args->metadata, .paths = (const char *const *) paths,
    .dry_run = args->dry_run, .force = args->force, .allow_downgrade = args->allow_downgrade,
  };
  gboolean ok;

  if (!args->allow_downgrade && !args->require_signed && use_helper (NULL, args->dest))
    return run_import_via_helper (args, paths);
  if ((installer = installer_new (root, &trust, args->require_signed, &error)) == NULL)
    return arw_cli_fail (error);
  view = arw_cli_progress_new (arw_installer_get_progress (installer), args->json);
  cli_wait_init (&wait);
  arw_installer_import_async (installer, &opts, wait.cancellable, async_done_cb, &wait);
  cli_wait_run (&wait);
  ok = arw_installer_import_finish (installer, wait.result, &report, &error);
  arw_cli_progress_finish (view);
  if (args->json)
    {
      g_autoptr(JsonNode) node = arw_import_report_to_json (report);
      print_report_json (node, error);
    }
  if (!ok)
    return fail_operation (error, "import");
  if (!args->json)
    print_import_trailer (report);
  return ARW_CLI_EXIT_OK;
}

static int
cmd_bundles_import (int argc, char **argv)
{
  const char *path = "bundles import";
  g_auto(ImportArgs) args = { 0 };
  GOptionEntry entries[] = {
    { "bundle", 0, 0, G_OPTION_ARG_STRING, &args.bundle, N_("Bundle id to import as (required)"), N_("ID") },
    { "metadata", 0, 0, G_OPTION_ARG_FILENAME, &args.metadata, N_("bundle.json to install byte for byte (signatures kept)"), N_("FILE") },
    { "dest", 0, 0, G_OPTION_ARG_FILENAME, &args.dest, N_("Installed bundles root (default: <state>/runtime/bundles)"), N_("DIR") },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &args.dry_run, N_("Validate only; change nothing"), NULL },
    { "force", 0, 0, G_OPTION_ARG_NONE, &args.force, N_("Replace an installed bundle (the old one stays in history)"), NULL },
    { "allow-downgrade", 0, 0, G_OPTION_ARG_NONE, &args.allow_downgrade, N_("Accept metadata older than the installed revision"), NULL },
    { "require-signed", 0, 0, G_OPTION_ARG_NONE, &args.require_signed, N_("Require --metadata signed by a trusted publisher"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &args.json, N_("Print progress and the result as JSON lines"), NULL },
    { NULL }
  };

  if (!arw_cli_parse (path, N_("PATH…"), _("Copy local files (e.g. from a USB stick) into a bundle."),
                      entries, &argc, &argv, 1, -1))
    return ARW_CLI_EXIT_USAGE;
  if (args.bundle == NULL)
    return arw_cli_usage_error (path, _("--bundle is required"));
  return run_import (&args, argv + 1);
}

/* ---- rollback ---- */

static void
append_summary_strv (GString *out, JsonObject *summary, const char *member, const char *label)
{
  JsonArray *a = json_object_has_member (summary, member) ? json_object_get_array_member (summary, member) : NULL;

  if (a == NULL || json_array_get_length (a) == 0)
    return;
  g_string_append_printf (out, ", %s: ", label);
  for (guint i = 0; i < json_array_get_length (a); i++)
    g_string_append_printf (out, "%s%s", i > 0 ? "/" : "", json_array_get_string_element (a, i));
}

static void
append_summary_string (GString *out, JsonObject *summary, const char *member, const char *label)
{
  if (!json_object_has_member (summary, member) || json_object_get_string_member (summary, member) == NULL)
    return;
  g_string_append_printf (out, "%s%s%s", out->len > 0 ? ", " : "", label, json_object_get_string_member (summary, member));
}

/* ARW: "Vector llama.cpp (CPU), channel: preview, adapter: process, modalities: text, profiles: balanced/silent" */
static char *
describe_summary (JsonNode *summary)
{
  GString *out = g_string_new (NULL);
  JsonObject *o;

  if (summary == NULL || !JSON_NODE_HOLDS_OBJECT (summary))
    return g_string_free (out, FALSE);
  o = json_node_get_object (summary);
  append_summary_string (out, o, "name", "");
  append_summary_string (out, o, "channel", "channel: ");
  append_summary_string (out, o, "adapter", "adapter: ");
  append_summary_strv (out, o, "modalities", "modalities");
  append_summary_strv (out, o, "profiles", "profiles");
  return g_string_free (out, FALSE);
}

static void
print_revisions_text (const char *bundle_id, GPtrArray *revisions)
{
  if (revisions->len == 0)
    {
      g_print (_("No revisions in the history of bundle %s.\n"), bundle_id);
      return;
    }
  g_print ("Revisions for bundle %s:\n", bundle_id);
  for (guint i = 0; i < revisions->len; i++)
    {
      ArwStoreRevision *rev = g_ptr_array_index (revisions, i);
      g_autofree char *summary = describe_summary (rev->summary);

      g_print ("  - %s (saved_at: %s, kind: %s%s%s)\n", rev->name, rev->saved_at,
               rev->kind != NULL ? rev->kind : "unknown", *summary != '\0' ? "; " : "", summary);
    }
}

static void
print_rollback_text (const ArwStoreRollbackResult *r)
{
  g_autofree char *restored = g_strjoinv (", ", r->restored_components);

  if (r->dry_run)
    {
      g_print ("[dry-run] would restore %s of bundle %s (%s)\n", r->restored_revision, r->bundle, restored);
      return;
    }
  g_print ("Restored bundle %s to %s (%s).\n", r->bundle, r->restored_revision, restored);
  if (r->snapshot_created != NULL)
    g_print ("The previous state is saved as %s; run `bundles rollback --bundle %s` again to return to it.\n",
             r->snapshot_created, r->bundle);
  for (guint i = 0; r->warnings != NULL && r->warnings[i] != NULL; i++)
    arw_cli_warn ("%s", r->warnings[i]);
}

static int
run_rollback (ArwStore *store, const char *bundle_id, const char *revision, gboolean list, gboolean dry_run,
              ArwCliJsonOptions *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwStoreRollbackResult) result = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (list)
    {
      g_autoptr(GPtrArray) revisions = arw_store_list_revisions (store, bundle_id, &error);
      if (revisions == NULL)
        return arw_cli_fail (error);
      if (!json->json)
        {
          print_revisions_text (bundle_id, revisions);
          return ARW_CLI_EXIT_OK;
        }
      node = arw_store_history_to_json (bundle_id, revisions);
      arw_cli_print_json (node, json->pretty);
      return ARW_CLI_EXIT_OK;
    }
  if (!arw_store_rollback (store, bundle_id, revision, dry_run, &result, &error))
    return arw_cli_fail (error);
  if (!json->json)
    {
      print_rollback_text (result);
      return ARW_CLI_EXIT_OK;
    }
  node = arw_store_rollback_result_to_json (result);
  arw_cli_print_json (node, json->pretty);
  return ARW_CLI_EXIT_OK;
}

/* An applied rollback goes through the helper when it serves our state
 * dir: it refuses while the runtime runs and reloads it afterwards. */
static int
run_rollback_via_helper (const char *bundle_id, const char *revision, ArwCliJsonOptions *json)
{
  g_autoptr(ArwClient) client = arw_cli_helper_take_client ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  ArwClientRollbackOptions opts = { .revision = revision };
  JsonObject *o;

  node = arw_client_rollback_sync (client, bundle_id, &opts, NULL, &error);
  if (node == NULL)
    return arw_cli_helper_fail (error, bundle_id);
  if (json->json)
    {
      arw_cli_print_json (node, json->pretty);
      return ARW_CLI_EXIT_OK;
    }
  o = json_node_get_object (node);
  g_print (_("Restored bundle %s to %s (through the ARW Launcher helper).\n"), bundle_id,
           arw_cli_json_string (o, "restored_revision"));
  if (arw_cli_json_string (o, "snapshot_created") != NULL)
    g_print (_("The previous state is saved as %s; run `bundles rollback --bundle %s` again to return to it.\n"),
             arw_cli_json_string (o, "snapshot_created"), bundle_id);
  return ARW_CLI_EXIT_OK;
}

static int
cmd_bundles_rollback (int argc, char **argv)
{
  const char *path = "bundles rollback";
  g_autofree char *bundle = NULL, *dest = NULL, *revision = NULL, *root = NULL;
  gboolean list = FALSE, dry_run = FALSE;
  ArwCliJsonOptions json = { 0 };
  GOptionEntry entries[] = {
    { "bundle", 0, 0, G_OPTION_ARG_STRING, &bundle, N_("Bundle id (required)"), N_("ID") },
    { "dest", 0, 0, G_OPTION_ARG_FILENAME, &dest, N_("Installed bundles root (default: <state>/runtime/bundles)"), N_("DIR") },
    { "revision", 0, 0, G_OPTION_ARG_STRING, &revision, N_("Revision to restore, with or without rev- (default: the newest)"), N_("REV") },
    { "list", 0, 0, G_OPTION_ARG_NONE, &list, N_("List the revisions in history"), NULL },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, N_("Show what would be restored"), NULL },
    ARW_CLI_JSON_OPTION_ENTRIES (json),
    { NULL }
  };
  g_autoptr(ArwStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (!arw_cli_parse (path, "", _("Restore an earlier revision of an installed bundle."), entries, &argc, &argv, 0, 0) ||
      !arw_cli_check_json_options (path, &json))
    return ARW_CLI_EXIT_USAGE;
  if (bundle == NULL)
    return arw_cli_usage_error (path, _("--bundle is required"));
  if (!list && !dry_run && use_helper (NULL, dest))
    return run_rollback_via_helper (bundle, revision, &json);
  root = bundle_root (dest);
  store = open_store (root, TRUE, &error);
  if (store == NULL)
    return arw_cli_fail (error);
  return run_rollback (store, bundle, revision, list, dry_run, &json);
}

/* ---- remove ---- */

static int
cmd_bundles_remove (int argc, char **argv)
{
  const char *path = "bundles remove";
  g_autofree char *dest = NULL, *root = NULL, *dir = NULL;
  GOptionEntry entries[] = {
    { "dest", 0, 0, G_OPTION_ARG_FILENAME, &dest, N_("Installed bundles root (default: <state>/runtime/bundles)"), N_("DIR") },
    { NULL }
  };
  g_autoptr(ArwStore) store = NULL;
  g_autoptr(ArwInstaller) installer = NULL;
  g_autoptr(GError) error = NULL;

  if (!arw_cli_parse (path, N_("BUNDLE_ID"), _("Delete an installed bundle and its history."), entries, &argc, &argv, 1, 1))
    return ARW_CLI_EXIT_USAGE;
  root = bundle_root (dest);
  store = open_store (root, TRUE, &error);
  if (store == NULL)
    return arw_cli_fail (error);
  installer = arw_installer_new (store, NULL);
  if (!arw_installer_remove (installer, argv[1], &error))
    return arw_cli_fail (error);
  dir = arw_store_get_bundle_dir (store, argv[1]);
  g_print ("Removed bundle %s (%s, with its history).\n", argv[1], dir);
  return ARW_CLI_EXIT_OK;
}

const ArwCliCommand arw_cli_store_commands[] = {
  { "bundles install", N_("Download, verify and install bundles"), cmd_bundles_install },
  { "bundles import", N_("Install a bundle from local files"), cmd_bundles_import },
  { "bundles rollback", N_("List or restore earlier revisions of a bundle"), cmd_bundles_rollback },
  { "bundles remove", N_("Delete an installed bundle"), cmd_bundles_remove },
  { NULL, NULL, NULL }
};
