/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arw-catalog.h"
#include "arw-cli.h"
#include "arw-cli-signatures.h"
#include "arw-inventory-audit.h"
#include "arw-paths.h"
#include "arw-store.h"

/* What `list`, `audit` and `trust-shortfall` look at: the installed
 * bundles under one root, with their signature state. */
typedef struct {
  char *install_dir;
  ArwCliTrust trust;
  ArwInventory *inventory;
  ArwInventoryAudit *audit;
} ArwCliInventory;

static void
cli_inventory_clear (ArwCliInventory *self)
{
  g_clear_pointer (&self->audit, arw_inventory_audit_free);
  g_clear_pointer (&self->inventory, arw_inventory_free);
  arw_cli_trust_clear (&self->trust);
  g_clear_pointer (&self->install_dir, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ArwCliInventory, cli_inventory_clear)

static gboolean
cli_inventory_load (ArwCliInventory *self, const char *dir_option, gboolean require_trusted, GError **error)
{
  const char *roots[2] = { NULL, NULL };

  self->install_dir = dir_option != NULL ? g_strdup (dir_option) : arw_paths_bundle_root ();
  if (!arw_cli_trust_init (&self->trust, require_trusted, error))
    return FALSE;
  roots[0] = self->install_dir;
  if (g_file_test (self->install_dir, G_FILE_TEST_IS_DIR))
    {
      /* Opening the store finishes or undoes an interrupted change first. */
      g_autoptr(ArwStore) store = arw_store_open (self->install_dir, error);
      if (store == NULL)
        return FALSE;
      self->inventory = arw_inventory_scan (roots, error);
    }
  else
    self->inventory = arw_inventory_scan ((const char *const[]){ NULL }, error);
  if (self->inventory == NULL)
    return FALSE;
  for (guint i = 0; i < arw_inventory_get_diagnostics (self->inventory)->len; i++)
    arw_cli_warn ("%s", ((ArwDiagnostic *) g_ptr_array_index (arw_inventory_get_diagnostics (self->inventory), i))->message);
  self->audit = arw_inventory_audit_new (self->inventory, arw_cli_trust_get_registry (&self->trust),
                                         self->trust.require_trusted);
  for (guint i = 0; i < arw_inventory_audit_get_warnings (self->audit)->len; i++)
    arw_cli_warn ("%s", (const char *) g_ptr_array_index (arw_inventory_audit_get_warnings (self->audit), i));
  return TRUE;
}

static char *
now_rfc3339_ms (gint64 *out_ms)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gint64 ms = g_date_time_to_unix (now) * 1000 + g_date_time_get_microsecond (now) / 1000;

  if (out_ms != NULL)
    *out_ms = ms;
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                          g_date_time_get_year (now), g_date_time_get_month (now),
                          g_date_time_get_day_of_month (now), g_date_time_get_hour (now),
                          g_date_time_get_minute (now), g_date_time_get_second (now),
                          (int) (ms % 1000));
}

static void
print_summary_line (ArwSignatureSummary *summary, gboolean enforced)
{
  const ArwSignatureCounts *c = arw_signature_summary_get_counts (summary);

  g_print ("Signatures: total %u | with manifest %u | verified %u | trusted %u | trust shortfall %u | "
           "rejected %u | failed %u | warnings %u | missing %u | enforced %s\n",
           c->total, c->with_manifest, c->verified, c->trusted, c->trust_shortfall, c->rejected,
           c->failed, c->warnings, c->missing_signatures, enforced ? "yes" : "no");
  if (c->trust_shortfall > 0 && !enforced)
    g_print (_("Note: %u bundle(s) are signed, but by no publisher in the signer registry.\n"), c->trust_shortfall);
}

static char *
join_strv (const char *const *strv, const char *empty)
{
  if (strv == NULL || strv[0] == NULL)
    return g_strdup (empty);
  return g_strjoinv (", ", (char **) strv);
}

static void
print_bundle_platforms (ArwBundle *bundle)
{
  GPtrArray *platforms = arw_bundle_get_platforms (bundle);
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint i = 0; platforms != NULL && i < platforms->len; i++)
    {
      const ArwPlatform *p = g_ptr_array_index (platforms, i);
      g_string_append_printf (line, "%s%s-%s", i > 0 ? ", " : "", p->os, p->arch);
      if (p->min_version != NULL)
        g_string_append_printf (line, " (>= %s)", p->min_version);
    }
  g_print ("    platforms: %s\n", line->len > 0 ? line->str : "—");
}

static void
print_bundle_artifacts (ArwBundle *bundle)
{
  GPtrArray *artifacts = arw_bundle_get_artifacts (bundle);

  for (guint i = 0; artifacts != NULL && i < artifacts->len; i++)
    {
      const ArwArtifact *a = g_ptr_array_index (artifacts, i);
      g_autofree char *size = a->has_size ? g_format_size (a->size_bytes) : NULL;

      g_print ("    %s %s%s%s%s%s%s\n", i == 0 ? "artifacts:" : "          ", a->kind,
               a->format != NULL ? " (" : "", a->format != NULL ? a->format : "", a->format != NULL ? ")" : "",
               a->url != NULL ? " -> " : _(" — no download URL; import it with `arw-runtime bundles import`"),
               a->url != NULL ? a->url : "");
      if (size != NULL)
        g_print ("               %s%s\n", size, a->sha256 != NULL ? ", sha256 pinned" : _(", no sha256 (not verifiable)"));
    }
}

static void
print_bundle_text (ArwBundle *bundle)
{
  const char *const *notes = arw_bundle_get_notes (bundle);
  const ArwSupport *support = arw_bundle_get_support (bundle);
  g_autofree char *mods = join_strv (arw_bundle_get_modalities (bundle), "—");
  g_autofree char *profiles = join_strv (arw_bundle_get_profiles (bundle), NULL);
  g_autofree char *consent = arw_bundle_consent_summary (bundle);
  const char *acc = arw_bundle_get_accelerator (bundle);

  g_print ("  - %s%s%s [%s]\n", arw_cli_color ("bold"), arw_bundle_get_name (bundle), arw_cli_color ("reset"),
           arw_bundle_get_id (bundle));
  g_print ("    adapter: %s | modalities: %s | accelerator: %s\n", arw_bundle_get_adapter (bundle), mods,
           acc != NULL ? acc : "—");
  print_bundle_platforms (bundle);
  if (profiles != NULL)
    g_print ("    profiles: %s\n", profiles);
  print_bundle_artifacts (bundle);
  if (arw_bundle_get_license (bundle) != NULL)
    g_print ("    license: %s\n", arw_bundle_get_license (bundle));
  if (support != NULL && (support->min_glibc != NULL || support->driver_notes != NULL))
    g_print ("    support: %s%s%s%s\n", support->min_glibc != NULL ? "glibc >= " : "",
             support->min_glibc != NULL ? support->min_glibc : "",
             support->min_glibc != NULL && support->driver_notes != NULL ? "; " : "",
             support->driver_notes != NULL ? support->driver_notes : "");
  g_print ("    %s\n", consent);
  if (notes != NULL && notes[0] != NULL)
    {
      guint extra = g_strv_length ((char **) notes) - 1;
      g_print ("    notes: %s\n", notes[0]);
      if (extra > 0)
        g_print (ngettext ("    (+%u additional note)\n", "    (+%u additional notes)\n", extra), extra);
    }
}

static void
print_catalogs_text (ArwCatalogSet *set)
{
  GPtrArray *catalogs = arw_catalog_set_get_catalogs (set);

  g_print (ngettext ("Found %u bundle catalog.\n", "Found %u bundle catalogs.\n", catalogs->len), catalogs->len);
  for (guint i = 0; i < catalogs->len; i++)
    {
      ArwCatalog *cat = g_ptr_array_index (catalogs, i);
      GPtrArray *bundles = arw_catalog_get_bundles (cat);

      g_print ("\n%s — version %u (channel: %s)\n", arw_catalog_get_path (cat), arw_catalog_get_version (cat),
               arw_catalog_get_channel (cat) != NULL ? arw_catalog_get_channel (cat) : "—");
      if (arw_catalog_get_notes (cat) != NULL)
        g_print ("  %s\n", arw_catalog_get_notes (cat));
      for (guint j = 0; j < bundles->len; j++)
        print_bundle_text (g_ptr_array_index (bundles, j));
    }
}

static void
print_installation_text (ArwInstallation *inst, const ArwManifestVerification *v)
{
  GPtrArray *artifacts = arw_installation_get_artifacts (inst);
  const char *when = arw_installation_get_installed_at (inst);
  g_autofree char *words = v != NULL ? arw_cli_describe_verification (v)
                                     : g_strdup (_("missing (bundle.json lacks signature block)"));

  if (when == NULL)
    when = arw_installation_get_imported_at (inst);
  g_print ("  - %s%s%s [%s]\n", arw_cli_color ("bold"),
           arw_installation_get_name (inst) != NULL ? arw_installation_get_name (inst) : arw_installation_get_id (inst),
           arw_cli_color ("reset"), arw_installation_get_id (inst));
  g_print ("    channel: %s | installed: %s | location: %s\n",
           arw_installation_get_channel (inst) != NULL ? arw_installation_get_channel (inst) : "—",
           when != NULL ? when : "—", arw_installation_get_dir (inst));
  for (guint i = 0; i < artifacts->len; i++)
    {
      const ArwInstalledArtifact *a = g_ptr_array_index (artifacts, i);
      g_autofree char *size = g_format_size (a->bytes);
      g_print ("    %s %s (%s)\n", i == 0 ? "artifacts:" : "          ", a->name, size);
    }
  g_print ("    signature: %s\n", words);
  if (v != NULL)
    arw_cli_print_signature_lines (v, 6);
}

static void
print_installations_text (ArwInventoryAudit *audit)
{
  guint n = arw_inventory_audit_get_n_items (audit);

  g_print (ngettext ("Discovered %u installed bundle", "Discovered %u installed bundles", n), n);
  g_print ("%s\n", n > 0 ? ":" : ".");
  for (guint i = 0; i < n; i++)
    print_installation_text (arw_inventory_audit_get_installation (audit, i),
                             arw_inventory_audit_get_verification (audit, i));
}

static GStrv
catalog_roots (const char *dir_option, GError **error)
{
  g_auto(GStrv) roots = NULL;

  if (dir_option != NULL)
    {
      if (!g_file_test (dir_option, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "bundle directory %s does not exist", dir_option);
          return NULL;
        }
      return g_strdupv ((char *[]){ (char *) dir_option, NULL });
    }
  roots = arw_paths_catalog_roots ();
  if (roots[0] == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "unable to locate configs/runtime/; pass --dir or set ARW_RUNTIME_BUNDLE_DIR");
      return NULL;
    }
  return g_steal_pointer (&roots);
}

static void
print_diagnostics (GPtrArray *diagnostics)
{
  for (guint i = 0; i < diagnostics->len; i++)
    {
      const ArwDiagnostic *d = g_ptr_array_index (diagnostics, i);
      arw_cli_warn ("%s", d->message);
    }
}

static JsonNode *
list_to_json (ArwCatalogSet *set, const char *const *roots, ArwCliInventory *inv)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gint64 ms = 0;
  g_autofree char *generated = now_rfc3339_ms (&ms);
  g_autoptr(JsonNode) catalogs = arw_catalog_set_to_json (set);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "catalogs");
  json_builder_add_value (b, g_steal_pointer (&catalogs));
  json_builder_set_member_name (b, "generated");
  json_builder_add_string_value (b, generated);
  json_builder_set_member_name (b, "generated_ms");
  json_builder_add_int_value (b, ms);
  json_builder_set_member_name (b, "installations");
  json_builder_add_value (b, arw_inventory_audit_installations_to_json (inv->audit));
  json_builder_set_member_name (b, "roots");
  json_builder_begin_array (b);
  for (guint i = 0; roots[i] != NULL; i++)
    json_builder_add_string_value (b, roots[i]);
  json_builder_add_string_value (b, inv->install_dir);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "signature_summary");
  json_builder_add_value (b, arw_signature_summary_to_json (arw_inventory_audit_get_summary (inv->audit)));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static int
cmd_bundles_list (int argc, char **argv)
{
  const char *path = "bundles list";
  g_autofree char *dir = NULL, *install_dir = NULL;
  gboolean strict = FALSE;
  ArwCliJsonOptions json = { 0 };
  GOptionEntry entries[] = {
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, N_("Catalog directory (default: the installed configs/runtime)"), N_("DIR") },
    { "install-dir", 0, 0, G_OPTION_ARG_FILENAME, &install_dir, N_("Installed bundles root (default: <state>/runtime/bundles)"), N_("DIR") },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict, N_("Fail on the first catalog problem instead of skipping it"), NULL },
    ARW_CLI_JSON_OPTION_ENTRIES (json),
    { NULL }
  };
  g_auto(ArwCliInventory) inv = { 0 };
  g_autoptr(ArwCatalogSet) set = NULL;
  g_auto(GStrv) roots = NULL;
  g_autoptr(GError) error = NULL;

  if (!arw_cli_parse (path, "", _("List bundle catalogs and installed bundles."), entries, &argc, &argv, 0, 0) ||
      !arw_cli_check_json_options (path, &json))
    return ARW_CLI_EXIT_USAGE;
  roots = catalog_roots (dir, &error);
  if (roots == NULL)
    return arw_cli_fail (error);
  set = arw_catalog_set_load ((const char *const *) roots, strict ? ARW_CATALOG_LOAD_STRICT : ARW_CATALOG_LOAD_NONE, &error);
  if (set == NULL)
    return arw_cli_fail (error);
  print_diagnostics (arw_catalog_set_get_diagnostics (set));
  if (!cli_inventory_load (&inv, install_dir, FALSE, &error))
    return arw_cli_fail (error);

  if (json.json)
    {
      g_autoptr(JsonNode) node = list_to_json (set, (const char *const *) roots, &inv);
      arw_cli_print_json (node, json.pretty);
      return ARW_CLI_EXIT_OK;
    }
  {
    g_autofree char *generated = now_rfc3339_ms (NULL);
    g_autofree char *joined = g_strjoinv (", ", roots);
    g_print ("%sLocal runtime bundle inventory%s\n", arw_cli_color ("bold"), arw_cli_color ("reset"));
    g_print ("Roots: %s, %s\nGenerated: %s\n", joined, inv.install_dir, generated);
  }
  print_summary_line (arw_inventory_audit_get_summary (inv.audit), inv.trust.require_trusted);
  print_catalogs_text (set);
  g_print ("\n");
  print_installations_text (inv.audit);
  return ARW_CLI_EXIT_OK;
}

static void
print_audit_text (ArwCliInventory *inv)
{
  guint n = arw_inventory_audit_get_n_items (inv->audit);

  g_print ("Bundle root context: %s\n", inv->install_dir);
  print_summary_line (arw_inventory_audit_get_summary (inv->audit), inv->trust.require_trusted);
  for (guint i = 0; i < n; i++)
    {
      ArwInstallation *inst = arw_inventory_audit_get_installation (inv->audit, i);
      const ArwManifestVerification *v = arw_inventory_audit_get_verification (inv->audit, i);
      g_autofree char *words = v != NULL ? arw_cli_describe_verification (v) : NULL;

      g_print ("%s [%s]\n", arw_installation_get_name (inst) != NULL ? arw_installation_get_name (inst) : arw_installation_get_id (inst),
               arw_installation_get_id (inst));
      if (v == NULL)
        {
          g_print ("  signature: missing (bundle.json lacks signature block)\n");
          continue;
        }
      g_print ("  signature: %s | canonical %s\n", words, v->canonical_sha256 != NULL ? v->canonical_sha256 : "—");
      for (guint w = 0; w < v->warnings->len; w++)
        g_print ("  warning: %s\n", (const char *) g_ptr_array_index (v->warnings, w));
      arw_cli_print_signature_lines (v, 4);
    }
}

static int
cmd_bundles_audit (int argc, char **argv)
{
  const char *path = "bundles audit";
  g_autofree char *dest = NULL;
  gboolean require_signed = FALSE;
  ArwCliJsonOptions json = { 0 };
  GOptionEntry entries[] = {
    { "dest", 0, 0, G_OPTION_ARG_FILENAME, &dest, N_("Installed bundles root (default: <state>/runtime/bundles)"), N_("DIR") },
    { "require-signed", 0, 0, G_OPTION_ARG_NONE, &require_signed,
      N_("Fail unless every bundle carries a valid signature from a trusted publisher"), NULL },
    ARW_CLI_JSON_OPTION_ENTRIES (json),
    { NULL }
  };
  g_auto(ArwCliInventory) inv = { 0 };
  g_autoptr(GError) error = NULL;
  ArwSignatureSummary *summary;

  if (!arw_cli_parse (path, "", _("Check the signatures of every installed bundle."), entries, &argc, &argv, 0, 0) ||
      !arw_cli_check_json_options (path, &json))
    return ARW_CLI_EXIT_USAGE;
  if (!cli_inventory_load (&inv, dest, require_signed, &error))
    return arw_cli_fail (error);
  summary = arw_inventory_audit_get_summary (inv.audit);
  arw_signature_summary_set_enforced (summary, inv.trust.require_trusted);

  if (json.json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "context");
      json_builder_add_string_value (b, inv.install_dir);
      json_builder_set_member_name (b, "context_kind");
      json_builder_add_string_value (b, "local");
      json_builder_set_member_name (b, "installations");
      json_builder_add_value (b, arw_inventory_audit_installations_to_json (inv.audit));
      json_builder_set_member_name (b, "summary");
      json_builder_add_value (b, arw_signature_summary_to_json (summary));
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      arw_cli_print_json (root, json.pretty);
    }
  else
    print_audit_text (&inv);

  if (inv.trust.require_trusted && !arw_signature_summary_get_ok (summary))
    {
      g_autofree char *ids = g_strjoinv (", ", (char **) arw_signature_summary_get_failed_ids (summary));
      return arw_cli_fail_message ("signature verification failed for bundle(s): %s", ids);
    }
  return ARW_CLI_EXIT_OK;
}

static void
add_optional_string (JsonBuilder *b, const char *name, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value);
}

/* §5.11: the manifest warnings plus "<key_id or pk>: <error>" per entry. */
static GPtrArray *
shortfall_warnings (const ArwManifestVerification *v)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < v->warnings->len; i++)
    g_ptr_array_add (out, g_strdup (g_ptr_array_index (v->warnings, i)));
  for (guint i = 0; i < v->signatures->len; i++)
    {
      const ArwManifestSignatureReport *r = g_ptr_array_index (v->signatures, i);
      if (r->error != NULL)
        g_ptr_array_add (out, g_strdup_printf ("%s: %s", r->key_id != NULL ? r->key_id : r->public_key_b64, r->error));
    }
  if (out->len == 0)
    g_ptr_array_add (out, g_strdup_printf ("No trusted signer registry entry for channel %s",
                                           v->channel != NULL ? v->channel : "(none)"));
  return out;
}

static void
add_shortfall_bundle (JsonBuilder *b, ArwInstallation *inst, const ArwManifestVerification *v)
{
  g_autoptr(GPtrArray) warnings = shortfall_warnings (v);

  json_builder_begin_object (b);
  add_optional_string (b, "channel", arw_installation_get_channel (inst));
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, arw_installation_get_id (inst));
  add_optional_string (b, "imported_at", arw_installation_get_imported_at (inst));
  add_optional_string (b, "installed_at", arw_installation_get_installed_at (inst));
  add_optional_string (b, "metadata_path", arw_installation_get_metadata_path (inst));
  add_optional_string (b, "name", arw_installation_get_name (inst));
  add_optional_string (b, "root", arw_installation_get_root (inst));
  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (guint i = 0; i < warnings->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (warnings, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
print_shortfall_text (JsonNode *root, guint count)
{
  JsonArray *bundles = json_object_get_array_member (json_node_get_object (root), "bundles");

  if (count == 0)
    {
      g_print (_("No trust shortfalls: every signed bundle is signed by a trusted publisher (or not signed at all).\n"));
      return;
    }
  g_print (ngettext ("%u bundle is signed, but not by a trusted publisher:\n",
                     "%u bundles are signed, but not by a trusted publisher:\n", count), count);
  for (guint i = 0; i < json_array_get_length (bundles); i++)
    {
      JsonObject *o = json_array_get_object_element (bundles, i);
      JsonArray *w = json_object_get_array_member (o, "warnings");
      g_print ("  - %s\n", json_object_get_string_member (o, "id"));
      for (guint j = 0; j < json_array_get_length (w); j++)
        g_print ("      %s\n", json_array_get_string_element (w, j));
    }
  g_print (_("Hint: add the publisher's key to bundle_signers.json (or ARW_RUNTIME_BUNDLE_SIGNERS) if you trust it.\n"));
}

static int
cmd_bundles_trust_shortfall (int argc, char **argv)
{
  const char *path = "bundles trust-shortfall";
  g_autofree char *dir = NULL, *install_dir = NULL;
  ArwCliJsonOptions json = { 0 };
  GOptionEntry entries[] = {
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, N_("Accepted for ARW compatibility; catalogs are not needed"), N_("DIR") },
    { "install-dir", 0, 0, G_OPTION_ARG_FILENAME, &install_dir, N_("Installed bundles root (default: <state>/runtime/bundles)"), N_("DIR") },
    ARW_CLI_JSON_OPTION_ENTRIES (json),
    { NULL }
  };
  g_auto(ArwCliInventory) inv = { 0 };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  guint count = 0;

  if (!arw_cli_parse (path, "", _("List installed bundles whose valid signatures no trusted publisher made."),
                      entries, &argc, &argv, 0, 0) ||
      !arw_cli_check_json_options (path, &json))
    return ARW_CLI_EXIT_USAGE;
  if (!cli_inventory_load (&inv, install_dir, FALSE, &error))
    return arw_cli_fail (error);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bundles");
  json_builder_begin_array (b);
  for (guint i = 0; i < arw_inventory_audit_get_n_items (inv.audit); i++)
    {
      const ArwManifestVerification *v = arw_inventory_audit_get_verification (inv.audit, i);
      if (v == NULL || !arw_manifest_verification_is_trust_shortfall (v))
        continue;
      add_shortfall_bundle (b, arw_inventory_audit_get_installation (inv.audit, i), v);
      count++;
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "count");
  json_builder_add_int_value (b, count);
  json_builder_set_member_name (b, "roots");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, inv.install_dir);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "summary");
  json_builder_add_value (b, arw_signature_summary_to_json (arw_inventory_audit_get_summary (inv.audit)));
  json_builder_end_object (b);
  root = json_builder_get_root (b);

  if (json.json)
    {
      arw_cli_print_json (root, json.pretty);
      return ARW_CLI_EXIT_OK;
    }
  print_shortfall_text (root, count);
  return ARW_CLI_EXIT_OK;
}

const ArwCliCommand arw_cli_bundles_commands[] = {
  { "bundles list", N_("List catalogs and installed bundles"), cmd_bundles_list },
  { "bundles audit", N_("Check the signatures of installed bundles"), cmd_bundles_audit },
  { "bundles trust-shortfall", N_("Show bundles signed by untrusted publishers"), cmd_bundles_trust_shortfall },
  { NULL, NULL, NULL }
};
