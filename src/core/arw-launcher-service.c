/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "arw-bundle.h"
#include "arw-catalog.h"
#include "arw-error.h"
#include "arw-installation.h"
#include "arw-inventory-audit.h"
#include "arw-inventory.h"
#include "arw-launcher-service.h"
#include "arw-user-prefs.h"
#include "arw-paths.h"
#include "arw-signer-registry.h"
#include "arw-variant-select.h"

#define RELOAD_DEBOUNCE_MS 300
#define RESTORE_ACTION "runtime.supervisor.restore"

/* One runtime as the service sees it. */
typedef struct {
  ArwLauncherRuntimeInfo info;   /* first: handed out as const pointer */
  ArwLauncherService *service;   /* unowned: the service owns the entry */
  ArwRuntime *runtime;           /* strong */
  char *fingerprint;             /* bundle.json identity at registration */
  gboolean stale;                /* bundle.json changed while active */
  /* GPU start-up probation: a GPU variant that exits before it was ever
   * ready hands over to the family's CPU variant. */
  gboolean probation;
  char *fallback_id;
  /* The options of the last user restore, reused by the fallback. */
  gboolean no_restart;
  char *preset;
} Entry;

struct _ArwLauncherService {
  GObject parent_instance;

  char *state_dir;
  char *bundle_root;
  ArwEventBus *bus;
  ArwSupervisor *supervisor;
  ArwConsentLedger *ledger;
  ArwPolicy *policy;
  GHashTable *entries;           /* id → Entry */

  ArwHardwareInfo *hardware;
  gboolean probing;
  GList *hardware_waiters;       /* GTask waiting for the probe */

  GFileMonitor *monitor;
  guint reload_source;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (ArwLauncherService, arw_launcher_service, G_TYPE_OBJECT)

enum { SIGNAL_RUNTIME_INFO_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

const char *
arw_consent_status_to_string (ArwConsentStatus status)
{
  switch (status)
    {
    case ARW_CONSENT_STATUS_REQUIRED: return "required";
    case ARW_CONSENT_STATUS_GRANTED: return "granted";
    case ARW_CONSENT_STATUS_NOT_REQUIRED:
    default: return "not-required";
    }
}

/* ---- entries -------------------------------------------------------- */

static void
entry_free (Entry *entry)
{
  if (entry->runtime != NULL)
    g_signal_handlers_disconnect_matched (entry->runtime, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, entry);
  g_clear_object (&entry->runtime);
  g_free (entry->info.id);
  g_free (entry->info.family);
  g_free (entry->info.accelerator);
  g_free (entry->info.bundle_dir);
  g_strfreev (entry->info.consent_modalities);
  g_free (entry->info.consent_note);
  g_free (entry->info.device);
  g_free (entry->info.fallback_reason);
  g_free (entry->fingerprint);
  g_free (entry->fallback_id);
  g_free (entry->preset);
  g_free (entry);
}

static void
emit_info_changed (ArwLauncherService *self, const char *id)
{
  g_signal_emit (self, signals[SIGNAL_RUNTIME_INFO_CHANGED], 0, id);
}

static char *
bundle_fingerprint (const char *bundle_dir)
{
  g_autofree char *path = g_build_filename (bundle_dir, "bundle.json", NULL);
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return g_strdup ("missing");
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ":%" G_GINT64_FORMAT ":%ld",
                          (guint64) st.st_dev, (guint64) st.st_ino, (gint64) st.st_size,
                          (long) st.st_mtim.tv_nsec + (long) st.st_mtime);
}

/* The modalities a bundle needs consent for (§1.3 consent metadata, or
 * audio/vision), empty when it needs none. */
static GStrv
consent_modalities_for (ArwBundle *bundle)
{
  g_auto(GStrv) mods = NULL;

  if (!arw_bundle_get_consent_required (bundle) && !arw_bundle_needs_consent_overlay (bundle))
    return g_new0 (char *, 1);
  mods = arw_bundle_get_consent_modalities (bundle);
  if (mods == NULL || mods[0] == NULL)
    {
      g_strfreev (mods);
      mods = g_strdupv ((char *[]){ (char *) "text", NULL });
    }
  return g_steal_pointer (&mods);
}

static void
entry_set_bundle_facts (Entry *entry, ArwInstallation *inst)
{
  ArwBundle *bundle = arw_installation_get_bundle (inst);
  const char *accel = arw_installation_get_accelerator (inst);

  g_free (entry->info.family);
  entry->info.family = arw_variant_family (entry->info.id);
  g_free (entry->info.accelerator);
  entry->info.accelerator = g_strdup (accel != NULL && *accel != '\0' ? accel : "cpu");
  g_strfreev (entry->info.consent_modalities);
  entry->info.consent_modalities = bundle != NULL ? consent_modalities_for (bundle) : g_new0 (char *, 1);
  g_free (entry->info.consent_note);
  entry->info.consent_note = bundle != NULL ? arw_bundle_get_consent_note (bundle) : NULL;
}

static gboolean
accel_is_gpu (const char *accel)
{
  return accel != NULL && g_str_has_prefix (accel, "gpu_");
}

static const char *
accel_label (const char *accel)
{
  if (g_strcmp0 (accel, "gpu_cuda") == 0)
    return "CUDA";
  if (g_strcmp0 (accel, "gpu_rocm") == 0)
    return "ROCm";
  if (g_strcmp0 (accel, "gpu_vulkan") == 0)
    return "Vulkan";
  return accel;
}

/* ---- events --------------------------------------------------------- */

static void
publish_fallback (ArwLauncherService *self, Entry *to, const char *from_id, const char *from_accel,
                  const char *reason)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "family");
  json_builder_add_string_value (b, to->info.family);
  json_builder_set_member_name (b, "from");
  json_builder_add_string_value (b, from_id != NULL ? from_id : from_accel);
  json_builder_set_member_name (b, "from_accelerator");
  json_builder_add_string_value (b, from_accel);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  json_builder_set_member_name (b, "runtime");
  json_builder_add_string_value (b, to->info.id);
  json_builder_set_member_name (b, "to");
  json_builder_add_string_value (b, to->info.id);
  json_builder_set_member_name (b, "to_accelerator");
  json_builder_add_string_value (b, to->info.accelerator);
  json_builder_end_object (b);
  arw_event_bus_publish_take (self->bus, "runtime.fallback.engaged", json_builder_get_root (b));
}

static void
publish_consent (ArwLauncherService *self, const char *topic, const char *bundle_id,
                 const char *const *modalities, const char *scope, gboolean stopped)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bundle_id");
  json_builder_add_string_value (b, bundle_id);
  json_builder_set_member_name (b, "modalities");
  json_builder_begin_array (b);
  for (guint i = 0; modalities != NULL && modalities[i] != NULL; i++)
    json_builder_add_string_value (b, modalities[i]);
  json_builder_end_array (b);
  if (scope != NULL)
    {
      json_builder_set_member_name (b, "scope");
      json_builder_add_string_value (b, scope);
    }
  else
    {
      json_builder_set_member_name (b, "stopped");
      json_builder_add_boolean_value (b, stopped);
    }
  json_builder_end_object (b);
  arw_event_bus_publish_take (self->bus, topic, json_builder_get_root (b));
}

/* ---- fallback on GPU start failure ---------------------------------- */

static gboolean start_entry (ArwLauncherService *self, Entry *entry, const char *const *env,
                             const char *device, const char *fallback_reason, gboolean probation,
                             const char *fallback_id, GError **error);

static void
runtime_status_changed_cb (ArwRuntime *runtime, ArwRuntimeStatus *status, gpointer user_data)
{
  Entry *entry = user_data;

  if (entry->probation &&
      (status->state == ARW_RUNTIME_STATE_READY || status->state == ARW_RUNTIME_STATE_DEGRADED))
    {
      /* It came up: from now on it restarts like any runtime. */
      entry->probation = FALSE;
      arw_runtime_set_auto_restart (runtime, TRUE);
    }
}

static char *
last_output_line (ArwRuntime *runtime)
{
  g_auto(GStrv) tail = arw_runtime_get_log_tail (runtime);
  guint n = tail != NULL ? g_strv_length (tail) : 0;

  for (guint i = n; i > 0; i--)
    if (!g_str_has_prefix (tail[i - 1], "[arw ") && *g_strstrip (tail[i - 1]) != '\0')
      return g_strdup (tail[i - 1]);
  return NULL;
}

static void
engage_start_fallback (ArwLauncherService *self, Entry *gpu, const char *exit_reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *last = last_output_line (gpu->runtime);
  g_autofree char *reason = NULL;
  Entry *cpu = g_hash_table_lookup (self->entries, gpu->fallback_id);

  if (cpu == NULL)
    return;
  reason = last != NULL
    ? g_strdup_printf ("%s variant failed to start (%s: %s)", accel_label (gpu->info.accelerator), exit_reason, last)
    : g_strdup_printf ("%s variant failed to start (%s)", accel_label (gpu->info.accelerator), exit_reason);
  cpu->no_restart = gpu->no_restart;
  g_free (cpu->preset);
  cpu->preset = g_strdup (gpu->preset);
  if (!start_entry (self, cpu, NULL, NULL, reason, FALSE, NULL, &error))
    {
      g_warning ("CPU fallback for %s failed: %s", gpu->info.id, error->message);
      return;
    }
  publish_fallback (self, cpu, gpu->info.id, gpu->info.accelerator, reason);
}

static void
runtime_exited_cb (ArwRuntime *runtime, int wait_status, const char *reason, gpointer user_data)
{
  Entry *entry = user_data;

  if (!entry->probation)
    return;
  entry->probation = FALSE;
  arw_runtime_set_auto_restart (runtime, TRUE);
  engage_start_fallback (entry->service, entry, reason);
}

/* ---- resolver ------------------------------------------------------- */

static Entry *
register_installation (ArwLauncherService *self, ArwInstallation *inst, GError **error)
{
  /* arw_installation_get_dir() is already root/<dir name>. */
  g_autofree char *bundle_dir = g_strdup (arw_installation_get_dir (inst));
  ArwRuntime *runtime = arw_supervisor_add_installed (self->supervisor, bundle_dir, error);
  Entry *entry;

  if (runtime == NULL)
    return NULL;
  entry = g_new0 (Entry, 1);
  entry->runtime = g_object_ref (runtime);
  entry->info.id = g_strdup (arw_runtime_get_id (runtime));
  entry->info.bundle_dir = g_steal_pointer (&bundle_dir);
  entry->fingerprint = bundle_fingerprint (entry->info.bundle_dir);
  entry_set_bundle_facts (entry, inst);
  entry->service = self;
  g_signal_connect (runtime, "status-changed", G_CALLBACK (runtime_status_changed_cb), entry);
  g_signal_connect (runtime, "exited", G_CALLBACK (runtime_exited_cb), entry);
  g_hash_table_replace (self->entries, g_strdup (entry->info.id), entry);
  /* The supervisor announced the runtime before the entry existed. */
  emit_info_changed (self, entry->info.id);
  return entry;
}

static void
unregister (ArwLauncherService *self, const char *id)
{
  g_autofree char *key = g_strdup (id);

  /* The supervisor shuts the process down; the entry's signal handlers
   * go first so nothing falls back to a removed runtime. */
  g_hash_table_remove (self->entries, key);
  if (arw_supervisor_lookup (self->supervisor, key) != NULL)
    arw_supervisor_remove_runtime (self->supervisor, key, NULL);
}

static void
add_id (JsonBuilder *b, const char *name, GPtrArray *ids)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; i < ids->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (ids, i));
  json_builder_end_array (b);
}

static void
publish_bundles_changed (ArwLauncherService *self, GPtrArray *added, GPtrArray *removed, GPtrArray *updated)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  add_id (b, "added", added);
  add_id (b, "removed", removed);
  json_builder_set_member_name (b, "root");
  json_builder_add_string_value (b, self->bundle_root);
  json_builder_set_member_name (b, "runtimes");
  json_builder_add_int_value (b, g_hash_table_size (self->entries));
  add_id (b, "updated", updated);
  json_builder_end_object (b);
  arw_event_bus_publish_take (self->bus, "bundles.changed", json_builder_get_root (b));
}

/* Installations with a parsable bundle and metadata.process.command. */
static GHashTable *
scan_runtime_installations (ArwLauncherService *self, ArwInventory **out_inventory, GError **error)
{
  const char *roots[] = { self->bundle_root, NULL };
  g_autoptr(ArwInventory) inventory = NULL;
  GHashTable *wanted = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *items;

  inventory = g_file_test (self->bundle_root, G_FILE_TEST_IS_DIR)
                ? arw_inventory_scan (roots, error)
                : arw_inventory_scan ((const char *const[]){ NULL }, error);
  if (inventory == NULL)
    {
      g_hash_table_unref (wanted);
      return NULL;
    }
  items = arw_inventory_get_installations (inventory);
  for (guint i = 0; i < items->len; i++)
    {
      ArwInstallation *inst = g_ptr_array_index (items, i);
      ArwBundle *bundle = arw_installation_get_bundle (inst);
      if (bundle != NULL && arw_bundle_has_process_command (bundle))
        g_hash_table_insert (wanted, (gpointer) arw_installation_get_id (inst), inst);
    }
  *out_inventory = g_steal_pointer (&inventory);
  return wanted;
}

static void
refresh_entry (ArwLauncherService *self, Entry *entry, ArwInstallation *inst,
               GPtrArray *updated, GPtrArray *added)
{
  g_autofree char *fingerprint = bundle_fingerprint (entry->info.bundle_dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup (entry->info.id);

  if (g_strcmp0 (fingerprint, entry->fingerprint) == 0 && !entry->stale)
    return;
  /* Consent facts follow the new revision at once (a new modality needs
   * consent before the next start); the process spec only once idle. */
  entry_set_bundle_facts (entry, inst);
  emit_info_changed (self, id);
  if (arw_runtime_is_active (entry->runtime))
    {
      entry->stale = TRUE;
      return;
    }
  unregister (self, id);
  if (register_installation (self, inst, &error) == NULL)
    g_warning ("cannot register runtime %s: %s", id, error->message);
  g_ptr_array_add (updated, g_strdup (id));
}

gboolean
arw_launcher_service_reload (ArwLauncherService *self, GError **error)
{
  g_autoptr(ArwInventory) inventory = NULL;
  g_autoptr(GHashTable) wanted = NULL;
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) updated = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GList) ids = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), FALSE);

  g_clear_handle_id (&self->reload_source, g_source_remove);
  wanted = scan_runtime_installations (self, &inventory, error);
  if (wanted == NULL)
    return FALSE;
  ids = g_hash_table_get_keys (self->entries);
  for (GList *l = ids; l != NULL; l = l->next)
    if (!g_hash_table_contains (wanted, l->data))
      {
        g_ptr_array_add (removed, g_strdup (l->data));
        unregister (self, g_ptr_array_index (removed, removed->len - 1));
      }
  g_hash_table_iter_init (&iter, wanted);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Entry *entry = g_hash_table_lookup (self->entries, key);
      g_autoptr(GError) local_error = NULL;

      if (entry != NULL)
        refresh_entry (self, entry, value, updated, added);
      else if (register_installation (self, value, &local_error) != NULL)
        g_ptr_array_add (added, g_strdup (key));
      else
        g_warning ("cannot register runtime %s: %s", (const char *) key, local_error->message);
    }
  publish_bundles_changed (self, added, removed, updated);
  return TRUE;
}

static gboolean
reload_timeout_cb (gpointer user_data)
{
  ArwLauncherService *self = user_data;
  g_autoptr(GError) error = NULL;

  self->reload_source = 0;
  if (!arw_launcher_service_reload (self, &error))
    g_warning ("reloading installed bundles failed: %s", error->message);
  return G_SOURCE_REMOVE;
}

static void
schedule_reload (ArwLauncherService *self)
{
  g_clear_handle_id (&self->reload_source, g_source_remove);
  self->reload_source = g_timeout_add (RELOAD_DEBOUNCE_MS, reload_timeout_cb, self);
}

static void
bundle_root_changed_cb (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event,
                        gpointer user_data)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *other_name = other != NULL ? g_file_get_basename (other) : NULL;

  if (event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT || event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED)
    return;
  /* The store's own .arw-lock, .arw-staging and .arw-journal churn. */
  if (name[0] == '.' && (other_name == NULL || other_name[0] == '.'))
    return;
  schedule_reload (user_data);
}

/* An entry whose bundle changed while it ran is re-registered once idle. */
static void
runtime_active_cb (ArwRuntime *runtime, GParamSpec *pspec, gpointer user_data)
{
  ArwLauncherService *self = user_data;
  Entry *entry = g_hash_table_lookup (self->entries, arw_runtime_get_id (runtime));

  if (entry != NULL && entry->stale && !arw_runtime_is_active (runtime))
    schedule_reload (self);
}

static void
runtime_added_cb (ArwSupervisor *supervisor, ArwRuntime *runtime, gpointer user_data)
{
  g_signal_connect_object (runtime, "notify::active", G_CALLBACK (runtime_active_cb), user_data, 0);
}

/* ---- hardware ------------------------------------------------------- */

static void
probe_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ArwLauncherService) self = user_data;
  g_autoptr(GError) error = NULL;
  GList *waiters;

  self->probing = FALSE;
  self->hardware = arw_hardware_probe_finish (result, &error);
  if (self->hardware == NULL)
    {
      g_warning ("hardware probe failed: %s; only CPU variants will be chosen", error->message);
      self->hardware = arw_hardware_probe_at ("/nonexistent-arw-probe-root", NULL, NULL);
    }
  waiters = g_steal_pointer (&self->hardware_waiters);
  for (GList *l = waiters; l != NULL; l = l->next)
    {
      GTask *task = l->data;
      GSourceFunc func = g_object_get_data (G_OBJECT (task), "arw-hardware-waiter");
      func (task);
      g_object_unref (task);
    }
  g_list_free (waiters);
}

/* Runs func(task) once the probe is done (now if it is). */
static void
when_hardware_ready (ArwLauncherService *self, GTask *task, GSourceFunc func)
{
  if (!self->probing)
    {
      func (task);
      return;
    }
  g_object_set_data (G_OBJECT (task), "arw-hardware-waiter", func);
  self->hardware_waiters = g_list_append (self->hardware_waiters, g_object_ref (task));
}

static gboolean
hardware_json_cb (gpointer data)
{
  GTask *task = data;
  ArwLauncherService *self = g_task_get_source_object (task);

  g_task_return_pointer (task, arw_hardware_info_to_json (self->hardware), (GDestroyNotify) json_node_unref);
  return G_SOURCE_REMOVE;
}

void
arw_launcher_service_get_hardware_async (ArwLauncherService *self, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ARW_IS_LAUNCHER_SERVICE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arw_launcher_service_get_hardware_async);
  when_hardware_ready (self, task, hardware_json_cb);
}

JsonNode *
arw_launcher_service_get_hardware_finish (ArwLauncherService *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- inventory (in a thread) ---------------------------------------- */

static void
add_string_array (JsonBuilder *b, const char *name, const char *const *values)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
}

static void
add_diagnostics (JsonBuilder *b, GPtrArray *a, GPtrArray *c)
{
  json_builder_set_member_name (b, "diagnostics");
  json_builder_begin_array (b);
  for (guint i = 0; a != NULL && i < a->len; i++)
    json_builder_add_string_value (b, ((ArwDiagnostic *) g_ptr_array_index (a, i))->message);
  for (guint i = 0; c != NULL && i < c->len; i++)
    json_builder_add_string_value (b, ((ArwDiagnostic *) g_ptr_array_index (c, i))->message);
  json_builder_end_array (b);
}

static void
inventory_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *bundle_root = task_data;
  g_auto(GStrv) catalog_roots = arw_paths_catalog_roots ();
  g_autoptr(GStrvBuilder) roots_builder = g_strv_builder_new ();
  g_auto(GStrv) roots = NULL;
  g_autoptr(ArwCatalogSet) set = NULL;
  g_autoptr(ArwInventoryAudit) audit = NULL;
  g_autofree char *installations_text = NULL;
  g_autoptr(JsonNode) installations = NULL;
  g_autoptr(ArwSignerRegistryLoad) registry = arw_signer_registry_load_default ();
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GError) error = NULL;
  const char *install_roots[] = { bundle_root, NULL };

  /* Like ARW's server, the install root is always a catalog root too. */
  g_strv_builder_addv (roots_builder, (const char **) catalog_roots);
  g_strv_builder_add (roots_builder, bundle_root);
  roots = g_strv_builder_end (roots_builder);
  set = arw_catalog_set_load ((const char *const *) roots, ARW_CATALOG_LOAD_ALLOW_MISSING_ROOTS, &error);
  if (set == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  audit = arw_inventory_audit_new (g_file_test (bundle_root, G_FILE_TEST_IS_DIR) ? install_roots
                                                                                 : (const char *[]){ NULL },
                                   registry->registry, FALSE, &error);
  if (audit == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  installations_text = arw_inventory_audit_installations_json (audit);
  installations = json_from_string (installations_text, &error);
  g_assert_no_error (error); /* we wrote it */
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "catalogs");
  json_builder_add_value (b, arw_catalog_set_to_json (set));
  add_diagnostics (b, arw_catalog_set_get_diagnostics (set),
                   arw_inventory_get_diagnostics (arw_inventory_audit_get_inventory (audit)));
  json_builder_set_member_name (b, "installations");
  json_builder_add_value (b, g_steal_pointer (&installations));
  add_string_array (b, "roots", (const char *const *) roots);
  json_builder_set_member_name (b, "signature_summary");
  json_builder_add_value (b, arw_signature_summary_to_json (arw_inventory_audit_get_summary (audit)));
  json_builder_end_object (b);
  g_task_return_pointer (task, json_builder_get_root (b), (GDestroyNotify) json_node_unref);
}

void
arw_launcher_service_get_inventory_async (ArwLauncherService *self, GCancellable *cancellable,
                                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ARW_IS_LAUNCHER_SERVICE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arw_launcher_service_get_inventory_async);
  g_task_set_task_data (task, g_strdup (self->bundle_root), g_free);
  g_task_run_in_thread (task, inventory_thread);
}

JsonNode *
arw_launcher_service_get_inventory_finish (ArwLauncherService *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- consent -------------------------------------------------------- */

static void
reload_ledger (ArwLauncherService *self)
{
  g_autoptr(GError) error = NULL;

  if (!arw_consent_ledger_load (self->ledger, &error))
    g_warning ("cannot read the consent ledger: %s", error->message);
  else if (arw_consent_ledger_get_warning (self->ledger) != NULL)
    g_warning ("%s", arw_consent_ledger_get_warning (self->ledger));
}

ArwConsentStatus
arw_launcher_service_get_consent_status (ArwLauncherService *self, const char *id)
{
  Entry *entry;

  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), ARW_CONSENT_STATUS_REQUIRED);
  g_return_val_if_fail (id != NULL, ARW_CONSENT_STATUS_REQUIRED);

  entry = g_hash_table_lookup (self->entries, id);
  if (entry == NULL || entry->info.consent_modalities[0] == NULL)
    return ARW_CONSENT_STATUS_NOT_REQUIRED;
  return arw_consent_ledger_is_granted (self->ledger, id, (const char *const *) entry->info.consent_modalities)
           ? ARW_CONSENT_STATUS_GRANTED : ARW_CONSENT_STATUS_REQUIRED;
}

/* The ledger is read again first, so edits made behind our back count. */
static gboolean
check_consent (ArwLauncherService *self, Entry *entry, GError **error)
{
  const char *const *mods = (const char *const *) entry->info.consent_modalities;
  g_autofree char *list = NULL;
  g_autofree char *explain = NULL;
  g_autofree char *message = NULL;
  const char *warning;

  if (mods[0] == NULL)
    return TRUE;
  reload_ledger (self);
  if (arw_consent_ledger_is_granted (self->ledger, entry->info.id, mods))
    return TRUE;
  list = g_strjoinv (", ", (char **) mods);
  warning = arw_consent_ledger_get_warning (self->ledger);
  explain = g_strdup_printf ("consent required for %s before %s can start%s%s", list,
                             arw_runtime_get_name (entry->runtime),
                             warning != NULL ? ": " : "", warning != NULL ? warning : "");
  arw_policy_publish_denial (self->policy, RESTORE_ACTION, NULL, explain);
  emit_info_changed (self, entry->info.id);
  message = g_strdup_printf ("consent required for %s before %s can start: grant it with "
                             "`arw-runtime consent grant %s --modality %s`%s%s%s",
                             list, arw_runtime_get_name (entry->runtime), entry->info.id, mods[0],
                             warning != NULL ? " (" : "", warning != NULL ? warning : "",
                             warning != NULL ? ")" : "");
  g_set_error_literal (error, ARW_ERROR, ARW_ERROR_CONSENT_REQUIRED, message);
  return FALSE;
}

static GStrv
all_modalities (ArwLauncherService *self, const char *bundle_id, const char *const *modalities)
{
  Entry *entry;

  if (modalities != NULL && modalities[0] != NULL)
    return g_strdupv ((char **) modalities);
  entry = g_hash_table_lookup (self->entries, bundle_id);
  if (entry != NULL && entry->info.consent_modalities[0] != NULL)
    return g_strdupv (entry->info.consent_modalities);
  return g_strdupv ((char *[]){ (char *) "text", (char *) "audio", (char *) "vision", NULL });
}

gboolean
arw_launcher_service_grant_consent (ArwLauncherService *self, const char *bundle_id,
                                    const char *const *modalities, ArwConsentScope scope, GError **error)
{
  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), FALSE);
  g_return_val_if_fail (bundle_id != NULL, FALSE);

  if (modalities == NULL || modalities[0] == NULL)
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT,
                           "name at least one modality to grant (text, audio or vision)");
      return FALSE;
    }
  reload_ledger (self);
  if (!arw_consent_ledger_grant (self->ledger, bundle_id, modalities, scope, NULL, error))
    return FALSE;
  publish_consent (self, "consent.granted", bundle_id, modalities, arw_consent_scope_to_string (scope), FALSE);
  emit_info_changed (self, bundle_id);
  return TRUE;
}

gboolean
arw_launcher_service_revoke_consent (ArwLauncherService *self, const char *bundle_id,
                                     const char *const *modalities, GError **error)
{
  g_auto(GStrv) mods = NULL;
  Entry *entry;
  gboolean stopped = FALSE;

  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), FALSE);
  g_return_val_if_fail (bundle_id != NULL, FALSE);

  mods = all_modalities (self, bundle_id, modalities);
  reload_ledger (self);
  if (!arw_consent_ledger_revoke (self->ledger, bundle_id, (const char *const *) mods, error))
    return FALSE;
  entry = g_hash_table_lookup (self->entries, bundle_id);
  if (entry != NULL && arw_runtime_is_active (entry->runtime) &&
      arw_launcher_service_get_consent_status (self, bundle_id) == ARW_CONSENT_STATUS_REQUIRED)
    {
      entry->probation = FALSE;
      arw_runtime_shutdown (entry->runtime);
      stopped = TRUE;
    }
  publish_consent (self, "consent.revoked", bundle_id, (const char *const *) mods, NULL, stopped);
  emit_info_changed (self, bundle_id);
  return TRUE;
}

JsonNode *
arw_launcher_service_list_consents (ArwLauncherService *self)
{
  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), NULL);

  reload_ledger (self);
  return arw_consent_ledger_to_json (self->ledger);
}

/* ---- restore -------------------------------------------------------- */

typedef struct {
  char *id;
  gboolean no_restart;
  char *preset;
  char *accelerator;
  char *device;
  ArwRuntime *runtime;
  JsonNode *result;
} RestoreData;

static void
restore_data_free (RestoreData *data)
{
  g_free (data->id);
  g_free (data->preset);
  g_free (data->accelerator);
  g_free (data->device);
  g_clear_object (&data->runtime);
  g_clear_pointer (&data->result, json_node_unref);
  g_free (data);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RestoreData, restore_data_free)

static gboolean
env_true (const char *name)
{
  const char *value = g_getenv (name);
  return value != NULL && (g_str_equal (value, "1") || g_ascii_strcasecmp (value, "true") == 0 ||
                           g_ascii_strcasecmp (value, "yes") == 0);
}

static void
fill_prefs (ArwVariantPrefs *prefs, const RestoreData *data, GStrv *order_out)
{
  const char *device = g_getenv ("ARW_PREFERRED_DEVICE");

  *order_out = arw_user_prefs_accelerator_order ();
  prefs->order = (const char *const *) *order_out;
  prefs->device_id = data->device != NULL && *data->device != '\0' ? data->device
                     : device != NULL && *device != '\0' ? device : NULL;
  prefs->gpu_only = env_true ("ARW_GPU_ONLY");
  if (g_strcmp0 (data->accelerator, "cpu") == 0)
    prefs->force = ARW_VARIANT_FORCE_CPU;
  else if (g_strcmp0 (data->accelerator, "gpu") == 0)
    prefs->force = ARW_VARIANT_FORCE_GPU;
}

/* Entries of a family (sorted by id), or the one entry when id is a runtime. */
static GPtrArray *
candidates_for (ArwLauncherService *self, const char *id, gboolean *out_exact)
{
  GPtrArray *list = g_ptr_array_new ();
  Entry *exact = g_hash_table_lookup (self->entries, id);
  g_autofree char *family = arw_variant_family (id);
  GHashTableIter iter;
  gpointer value;

  *out_exact = exact != NULL;
  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Entry *entry = value;
      if (!g_str_equal (entry->info.family, family))
        continue;
      /* An exact GPU id keeps its family's CPU variants for the fallback. */
      if (exact == NULL || entry == exact ||
          (accel_is_gpu (exact->info.accelerator) && g_str_equal (entry->info.accelerator, "cpu")))
        g_ptr_array_add (list, entry);
    }
  return list;
}

static Entry *
family_cpu_entry (ArwLauncherService *self, const char *family)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Entry *entry = value;
      if (g_str_equal (entry->info.family, family) && g_str_equal (entry->info.accelerator, "cpu"))
        return entry;
    }
  return NULL;
}

static Entry *
active_variant (GPtrArray *candidates)
{
  for (guint i = 0; i < candidates->len; i++)
    {
      Entry *entry = g_ptr_array_index (candidates, i);
      if (arw_runtime_is_running (entry->runtime))
        return entry;
    }
  return NULL;
}

static void
set_entry_device (ArwLauncherService *self, Entry *entry, const char *device, const char *fallback_reason)
{
  g_autofree char *summary = NULL;

  g_free (entry->info.device);
  entry->info.device = g_strdup (device);
  g_free (entry->info.fallback_reason);
  entry->info.fallback_reason = g_strdup (fallback_reason);
  if (fallback_reason != NULL)
    summary = g_strdup_printf ("Degraded – CPU fallback: %s", fallback_reason);
  arw_runtime_set_degraded_summary (entry->runtime, summary);
  emit_info_changed (self, entry->info.id);
}

static gboolean
start_entry (ArwLauncherService *self, Entry *entry, const char *const *env, const char *device,
             const char *fallback_reason, gboolean probation, const char *fallback_id, GError **error)
{
  ArwRestoreOptions options = { 0 };

  if (!check_consent (self, entry, error))
    return FALSE;
  set_entry_device (self, entry, device, fallback_reason);
  entry->probation = probation;
  g_free (entry->fallback_id);
  entry->fallback_id = g_strdup (fallback_id);
  arw_runtime_set_auto_restart (entry->runtime, !probation);
  options.no_restart = entry->no_restart;
  options.preset = entry->preset;
  options.extra_env = env;
  if (!arw_runtime_restore (entry->runtime, &options, error))
    {
      entry->probation = FALSE;
      arw_runtime_set_auto_restart (entry->runtime, TRUE);
      return FALSE;
    }
  return TRUE;
}

static JsonNode *
restore_result (Entry *entry)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "accelerator");
  json_builder_add_string_value (b, entry->info.accelerator);
  if (entry->info.device != NULL)
    {
      json_builder_set_member_name (b, "device");
      json_builder_add_string_value (b, entry->info.device);
    }
  if (entry->info.fallback_reason != NULL)
    {
      json_builder_set_member_name (b, "fallback_reason");
      json_builder_add_string_value (b, entry->info.fallback_reason);
    }
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "pending");
  json_builder_add_boolean_value (b, arw_runtime_get_state (entry->runtime) != ARW_RUNTIME_STATE_READY);
  json_builder_set_member_name (b, "restart_budget");
  json_builder_add_value (b, arw_restart_budget_to_json (arw_runtime_get_restart_budget (entry->runtime)));
  json_builder_set_member_name (b, "runtime_id");
  json_builder_add_string_value (b, entry->info.id);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static ArwVariantChoice *
choose_variant (ArwLauncherService *self, GPtrArray *candidates, const RestoreData *data,
                gboolean *out_gpu_only, GError **error)
{
  g_autofree ArwVariantCandidate *cands = g_new0 (ArwVariantCandidate, candidates->len);
  g_auto(GStrv) order = NULL;
  ArwVariantPrefs prefs = { 0 };

  for (guint i = 0; i < candidates->len; i++)
    {
      Entry *entry = g_ptr_array_index (candidates, i);
      cands[i].bundle_id = entry->info.id;
      cands[i].accelerator = entry->info.accelerator;
    }
  fill_prefs (&prefs, data, &order);
  *out_gpu_only = prefs.gpu_only || prefs.force == ARW_VARIANT_FORCE_GPU;
  return arw_variant_select (cands, candidates->len, self->hardware, &prefs, error);
}

static gboolean
do_restore (ArwLauncherService *self, RestoreData *data, GError **error)
{
  g_autoptr(GPtrArray) candidates = NULL;
  g_autoptr(ArwVariantChoice) choice = NULL;
  gboolean exact = FALSE;
  gboolean gpu_only = FALSE;
  Entry *entry;
  Entry *cpu;
  const char *fallback_id = NULL;

  candidates = candidates_for (self, data->id, &exact);
  if (candidates->len == 0)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND,
                   "no installed runtime or family %s: install it or run `arw-runtime bundles reload`", data->id);
      return FALSE;
    }
  /* A second restore does not start a second process, of any variant. */
  entry = active_variant (candidates);
  if (entry == NULL)
    {
      choice = choose_variant (self, candidates, data, &gpu_only, error);
      if (choice == NULL)
        return FALSE;
      entry = g_hash_table_lookup (self->entries, choice->bundle_id);
      entry->no_restart = data->no_restart;
      g_free (entry->preset);
      entry->preset = g_strdup (data->preset);
      cpu = family_cpu_entry (self, entry->info.family);
      if (accel_is_gpu (entry->info.accelerator) && !gpu_only && cpu != NULL)
        fallback_id = cpu->info.id;
      if (!start_entry (self, entry, (const char *const *) choice->env, choice->device_id,
                        choice->fallback_from != NULL ? choice->fallback_reason : NULL,
                        fallback_id != NULL, fallback_id, error))
        return FALSE;
      if (choice->fallback_from != NULL)
        {
          Entry *from = NULL;
          for (guint i = 0; i < candidates->len && from == NULL; i++)
            if (g_str_equal (((Entry *) g_ptr_array_index (candidates, i))->info.accelerator, choice->fallback_from))
              from = g_ptr_array_index (candidates, i);
          publish_fallback (self, entry, from != NULL ? from->info.id : NULL, choice->fallback_from,
                            choice->fallback_reason);
        }
    }
  data->runtime = g_object_ref (entry->runtime);
  data->result = restore_result (entry);
  return TRUE;
}

static gboolean
restore_when_ready_cb (gpointer user_data)
{
  GTask *task = user_data;
  ArwLauncherService *self = g_task_get_source_object (task);
  RestoreData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!do_restore (self, data, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

void
arw_launcher_service_restore_async (ArwLauncherService *self, const char *id,
                                    const ArwServiceRestoreOptions *options, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  RestoreData *data;

  g_return_if_fail (ARW_IS_LAUNCHER_SERVICE (self));
  g_return_if_fail (id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arw_launcher_service_restore_async);
  data = g_new0 (RestoreData, 1);
  data->id = g_strdup (id);
  if (options != NULL)
    {
      data->no_restart = options->no_restart;
      data->preset = g_strdup (options->preset);
      data->accelerator = g_strdup (options->accelerator);
      data->device = g_strdup (options->device);
    }
  g_task_set_task_data (task, data, (GDestroyNotify) restore_data_free);
  when_hardware_ready (self, task, restore_when_ready_cb);
}

ArwRuntime *
arw_launcher_service_restore_finish (ArwLauncherService *self, GAsyncResult *result,
                                     JsonNode **out_result, GError **error)
{
  RestoreData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  data = g_task_get_task_data (G_TASK (result));
  if (out_result != NULL)
    *out_result = json_node_ref (data->result);
  return g_object_ref (data->runtime);
}

gboolean
arw_launcher_service_shutdown (ArwLauncherService *self, const char *id, GError **error)
{
  Entry *entry;

  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  entry = g_hash_table_lookup (self->entries, id);
  if (entry == NULL)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND,
                   "no runtime %s is registered: install the bundle or reload", id);
      return FALSE;
    }
  entry->probation = FALSE;
  arw_runtime_set_auto_restart (entry->runtime, TRUE);
  arw_runtime_shutdown (entry->runtime);
  arw_consent_ledger_end_once (self->ledger, id);
  set_entry_device (self, entry, NULL, NULL);
  return TRUE;
}

/* ---- lifecycle ------------------------------------------------------ */

gboolean
arw_launcher_service_start (ArwLauncherService *self, GError **error)
{
  g_autoptr(GFile) root = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), FALSE);

  reload_ledger (self);
  if (g_mkdir_with_parents (self->bundle_root, 0755) != 0)
    g_debug ("cannot create %s", self->bundle_root);
  root = g_file_new_for_path (self->bundle_root);
  self->monitor = g_file_monitor_directory (root, G_FILE_MONITOR_WATCH_MOVES, NULL, &local_error);
  if (self->monitor == NULL)
    g_warning ("not watching %s for changes: %s", self->bundle_root, local_error->message);
  else
    g_signal_connect (self->monitor, "changed", G_CALLBACK (bundle_root_changed_cb), self);
  self->probing = TRUE;
  arw_hardware_probe_async (self->cancellable, probe_done_cb, g_object_ref (self));
  return arw_launcher_service_reload (self, error);
}

void
arw_launcher_service_stop (ArwLauncherService *self)
{
  g_return_if_fail (ARW_IS_LAUNCHER_SERVICE (self));

  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->monitor != NULL)
    {
      g_file_monitor_cancel (self->monitor);
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_clear_object (&self->monitor);
    }
  arw_supervisor_shutdown_all (self->supervisor);
}

static void
arw_launcher_service_dispose (GObject *object)
{
  ArwLauncherService *self = ARW_LAUNCHER_SERVICE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  if (self->supervisor != NULL)
    g_signal_handlers_disconnect_by_data (self->supervisor, self);
  if (self->bus != NULL)
    g_signal_handlers_disconnect_by_data (self->bus, self);
  g_clear_object (&self->supervisor);
  g_clear_object (&self->ledger);
  g_clear_object (&self->policy);
  g_clear_object (&self->bus);

  G_OBJECT_CLASS (arw_launcher_service_parent_class)->dispose (object);
}

static void
arw_launcher_service_finalize (GObject *object)
{
  ArwLauncherService *self = ARW_LAUNCHER_SERVICE (object);

  g_list_free_full (self->hardware_waiters, g_object_unref);
  g_clear_pointer (&self->hardware, arw_hardware_info_free);
  g_clear_object (&self->cancellable);
  g_free (self->state_dir);
  g_free (self->bundle_root);

  G_OBJECT_CLASS (arw_launcher_service_parent_class)->finalize (object);
}

static void
arw_launcher_service_class_init (ArwLauncherServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = arw_launcher_service_dispose;
  object_class->finalize = arw_launcher_service_finalize;

  signals[SIGNAL_RUNTIME_INFO_CHANGED] =
    g_signal_new ("runtime-info-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
arw_launcher_service_init (ArwLauncherService *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
  self->cancellable = g_cancellable_new ();
}

ArwLauncherService *
arw_launcher_service_new (const char *state_dir, ArwPosture posture)
{
  ArwLauncherService *self = g_object_new (ARW_TYPE_LAUNCHER_SERVICE, NULL);
  g_autofree char *consent_dir = NULL;

  self->state_dir = state_dir != NULL ? g_strdup (state_dir) : arw_paths_state_dir ();
  self->bundle_root = g_build_filename (self->state_dir, "runtime", "bundles", NULL);
  self->bus = arw_event_bus_new (ARW_EVENT_BUS_DEFAULT_REPLAY);
  self->supervisor = arw_supervisor_new (self->bus, self->state_dir);
  consent_dir = g_build_filename (self->state_dir, "consent", NULL);
  self->ledger = arw_consent_ledger_new (consent_dir);
  self->policy = arw_policy_new (self->state_dir, posture, self->bus);
  g_signal_connect (self->supervisor, "runtime-added", G_CALLBACK (runtime_added_cb), self);
  return self;
}

/* ---- accessors ------------------------------------------------------ */

const char *
arw_launcher_service_get_state_dir (ArwLauncherService *self)
{
  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), NULL);
  return self->state_dir;
}

const char *
arw_launcher_service_get_bundle_root (ArwLauncherService *self)
{
  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), NULL);
  return self->bundle_root;
}

ArwSupervisor *
arw_launcher_service_get_supervisor (ArwLauncherService *self)
{
  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), NULL);
  return self->supervisor;
}

ArwEventBus *
arw_launcher_service_get_event_bus (ArwLauncherService *self)
{
  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), NULL);
  return self->bus;
}

ArwPolicy *
arw_launcher_service_get_policy (ArwLauncherService *self)
{
  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), NULL);
  return self->policy;
}

ArwConsentLedger *
arw_launcher_service_get_ledger (ArwLauncherService *self)
{
  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), NULL);
  return self->ledger;
}

const ArwHardwareInfo *
arw_launcher_service_get_hardware (ArwLauncherService *self)
{
  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), NULL);
  return self->hardware;
}

gboolean
arw_launcher_service_is_busy (ArwLauncherService *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), FALSE);

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (arw_runtime_is_active (((Entry *) value)->runtime))
      return TRUE;
  return FALSE;
}

const ArwLauncherRuntimeInfo *
arw_launcher_service_get_runtime_info (ArwLauncherService *self, const char *id)
{
  Entry *entry;

  g_return_val_if_fail (ARW_IS_LAUNCHER_SERVICE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  entry = g_hash_table_lookup (self->entries, id);
  return entry != NULL ? &entry->info : NULL;
}
