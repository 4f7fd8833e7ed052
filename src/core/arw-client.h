/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "arw-dbus-generated.h"

G_BEGIN_DECLS

#define ARW_CLIENT_BUS_NAME "org.arw.Launcher.Helper"
#define ARW_CLIENT_OBJECT_PATH "/org/arw/Launcher/Helper"

#define ARW_TYPE_CLIENT (arw_client_get_type ())
G_DECLARE_FINAL_TYPE (ArwClient, arw_client, ARW, CLIENT, GObject)

/* Options for Install (Manager1 "force", "dry-run", "no-extract",
 * "artifact-kinds", "artifact-formats", "catalog-dirs"). Zero-initialise;
 * NULL string vectors are left out. */
typedef struct {
  gboolean force;
  gboolean dry_run;
  gboolean no_extract;
  const char *const *artifact_kinds;
  const char *const *artifact_formats;
  const char *const *catalog_dirs;
} ArwClientInstallOptions;

/* Options for Import ("metadata" when non-NULL, "force", "dry-run"). */
typedef struct {
  const char *metadata;
  gboolean force;
  gboolean dry_run;
} ArwClientImportOptions;

/* Options for Rollback ("revision" when non-NULL, "dry-run", "list"). */
typedef struct {
  const char *revision;
  gboolean dry_run;
  gboolean list;
} ArwClientRollbackOptions;

/* Options for Restore ("no-restart", "preset"/"accelerator"/"device" when
 * non-NULL and non-empty; accelerator is auto, cpu or gpu). */
typedef struct {
  gboolean no_restart;
  const char *preset;
  const char *accelerator;
  const char *device;
} ArwClientRestoreOptions;

/* Floating a{sv} builders (exposed for tests and callers that talk to the
 * generated proxies directly). A NULL struct gives an empty dictionary. */
GVariant *arw_client_install_options_to_variant (const ArwClientInstallOptions *options);
GVariant *arw_client_import_options_to_variant (const ArwClientImportOptions *options);
GVariant *arw_client_rollback_options_to_variant (const ArwClientRollbackOptions *options);
GVariant *arw_client_restore_options_to_variant (const ArwClientRestoreOptions *options);

/* Connects to the session bus and starts (D-Bus activation) the helper.
 * Signals and property changes are delivered in the thread-default main
 * context of the caller of arw_client_new_async(). Fails with
 * "the ARW Launcher helper is not running and could not be started: …". */
void arw_client_new_async (GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data);
ArwClient *arw_client_new_finish (GAsyncResult *result,
                                  GError **error);

ArwDBusManager *arw_client_get_manager (ArwClient *self);
GDBusObjectManager *arw_client_get_object_manager (ArwClient *self);
GMainContext *arw_client_get_main_context (ArwClient *self);
/* The helper's unique name, or NULL while it is not running (it exits when
 * idle and is activated again by the next call). Notifies "name-owner". */
char *arw_client_dup_name_owner (ArwClient *self);

/* GListModel of ArwDBusRuntime proxies, sorted by id, kept in sync with the
 * helper's objects. */
GListModel *arw_client_get_runtimes (ArwClient *self);
/* GListModel of ArwDBusTransaction proxies, in object path order. */
GListModel *arw_client_get_transactions (ArwClient *self);
/* The runtime proxy with this id, or NULL (transfer none). */
ArwDBusRuntime *arw_client_lookup_runtime (ArwClient *self, const char *id);

/* Converts an error from a proxy call into ARW_ERROR (remote prefix
 * stripped, bus errors about activation spelt out). */
GError *arw_client_convert_error (const GError *error);

/* Manager1 methods. JsonNode results are parsed from the helper's JSON. */
void arw_client_get_inventory_async (ArwClient *self, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
JsonNode *arw_client_get_inventory_finish (ArwClient *self, GAsyncResult *result, GError **error);

void arw_client_get_status_async (ArwClient *self, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
JsonNode *arw_client_get_status_finish (ArwClient *self, GAsyncResult *result, GError **error);

void arw_client_get_hardware_async (ArwClient *self, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
JsonNode *arw_client_get_hardware_finish (ArwClient *self, GAsyncResult *result, GError **error);

void arw_client_reload_async (ArwClient *self, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
gboolean arw_client_reload_finish (ArwClient *self, GAsyncResult *result, GError **error);

/* Install and Import return the Transaction1 proxy (transfer full). */
void arw_client_install_async (ArwClient *self, const char *const *bundle_ids,
                               const ArwClientInstallOptions *options, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
ArwDBusTransaction *arw_client_install_finish (ArwClient *self, GAsyncResult *result, GError **error);

void arw_client_import_async (ArwClient *self, const char *bundle_id, const char *const *paths,
                              const ArwClientImportOptions *options, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
ArwDBusTransaction *arw_client_import_finish (ArwClient *self, GAsyncResult *result, GError **error);

void arw_client_rollback_async (ArwClient *self, const char *bundle_id,
                                const ArwClientRollbackOptions *options, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
JsonNode *arw_client_rollback_finish (ArwClient *self, GAsyncResult *result, GError **error);

void arw_client_remove_async (ArwClient *self, const char *bundle_id, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
gboolean arw_client_remove_finish (ArwClient *self, GAsyncResult *result, GError **error);

/* Restore: result JSON {runtime_id, pending, restart_budget, fallback_reason?};
 * @out_runtime (nullable) gets the started runtime's proxy when known. */
void arw_client_restore_async (ArwClient *self, const char *id,
                               const ArwClientRestoreOptions *options, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
JsonNode *arw_client_restore_finish (ArwClient *self, GAsyncResult *result,
                                     ArwDBusRuntime **out_runtime, GError **error);

void arw_client_shutdown_async (ArwClient *self, const char *id, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
gboolean arw_client_shutdown_finish (ArwClient *self, GAsyncResult *result, GError **error);

/* @scope: "once" or "always" (NULL means "always"). */
void arw_client_grant_consent_async (ArwClient *self, const char *bundle_id,
                                     const char *const *modalities, const char *scope,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
gboolean arw_client_grant_consent_finish (ArwClient *self, GAsyncResult *result, GError **error);

/* NULL or empty @modalities revokes all. */
void arw_client_revoke_consent_async (ArwClient *self, const char *bundle_id,
                                      const char *const *modalities, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data);
gboolean arw_client_revoke_consent_finish (ArwClient *self, GAsyncResult *result, GError **error);

void arw_client_list_consents_async (ArwClient *self, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
JsonNode *arw_client_list_consents_finish (ArwClient *self, GAsyncResult *result, GError **error);

void arw_client_persist_admin_token_async (ArwClient *self, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
char *arw_client_persist_admin_token_finish (ArwClient *self, GAsyncResult *result, GError **error);

/* @admin_token may be NULL (sent as ""). */
void arw_client_request_lease_async (ArwClient *self, const char *capability, guint ttl_secs,
                                     const char *admin_token, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
JsonNode *arw_client_request_lease_finish (ArwClient *self, GAsyncResult *result, GError **error);

/* The replay buffer: events with id > @after_id whose topic starts with
 * @prefix (NULL = all). */
void arw_client_get_events_async (ArwClient *self, const char *prefix, guint64 after_id,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
JsonNode *arw_client_get_events_finish (ArwClient *self, GAsyncResult *result, GError **error);

/* Synchronous wrappers (arw-client-sync.c), for the CLI only: each iterates
 * the client's private GMainContext until the call is done. The client must
 * have been created by arw_client_new_sync(). */
ArwClient *arw_client_new_sync (GCancellable *cancellable, GError **error);
JsonNode *arw_client_get_inventory_sync (ArwClient *self, GCancellable *cancellable, GError **error);
JsonNode *arw_client_get_status_sync (ArwClient *self, GCancellable *cancellable, GError **error);
JsonNode *arw_client_get_hardware_sync (ArwClient *self, GCancellable *cancellable, GError **error);
gboolean arw_client_reload_sync (ArwClient *self, GCancellable *cancellable, GError **error);
ArwDBusTransaction *arw_client_install_sync (ArwClient *self, const char *const *bundle_ids,
                                             const ArwClientInstallOptions *options,
                                             GCancellable *cancellable, GError **error);
ArwDBusTransaction *arw_client_import_sync (ArwClient *self, const char *bundle_id,
                                            const char *const *paths,
                                            const ArwClientImportOptions *options,
                                            GCancellable *cancellable, GError **error);
JsonNode *arw_client_rollback_sync (ArwClient *self, const char *bundle_id,
                                    const ArwClientRollbackOptions *options,
                                    GCancellable *cancellable, GError **error);
gboolean arw_client_remove_sync (ArwClient *self, const char *bundle_id,
                                 GCancellable *cancellable, GError **error);
JsonNode *arw_client_restore_sync (ArwClient *self, const char *id,
                                   const ArwClientRestoreOptions *options,
                                   ArwDBusRuntime **out_runtime,
                                   GCancellable *cancellable, GError **error);
gboolean arw_client_shutdown_sync (ArwClient *self, const char *id,
                                   GCancellable *cancellable, GError **error);
gboolean arw_client_grant_consent_sync (ArwClient *self, const char *bundle_id,
                                        const char *const *modalities, const char *scope,
                                        GCancellable *cancellable, GError **error);
gboolean arw_client_revoke_consent_sync (ArwClient *self, const char *bundle_id,
                                         const char *const *modalities,
                                         GCancellable *cancellable, GError **error);
JsonNode *arw_client_list_consents_sync (ArwClient *self, GCancellable *cancellable, GError **error);
char *arw_client_persist_admin_token_sync (ArwClient *self, GCancellable *cancellable, GError **error);
JsonNode *arw_client_request_lease_sync (ArwClient *self, const char *capability, guint ttl_secs,
                                         const char *admin_token,
                                         GCancellable *cancellable, GError **error);
JsonNode *arw_client_get_events_sync (ArwClient *self, const char *prefix, guint64 after_id,
                                      GCancellable *cancellable, GError **error);

G_END_DECLS
