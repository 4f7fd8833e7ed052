/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Blocking wrappers for the CLI (house style §2.6 rule 8, after fwupd's
 * fwupd-client-sync.c): each pushes the client's private GMainContext,
 * starts the async call and iterates that context until it completes. The
 * app never uses these. */
#include "config.h"

#include "arw-client-private.h"

static void
sync_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
sync_wait (GMainContext *context, GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);
}

/* Declares the result slot and pushes the client's context. */
#define SYNC_BEGIN(self, fail)                                  \
  g_autoptr(GAsyncResult) res = NULL;                           \
  GMainContext *ctx;                                            \
  g_return_val_if_fail (ARW_IS_CLIENT (self), fail);            \
  ctx = arw_client_get_main_context (self);                     \
  g_main_context_push_thread_default (ctx)

ArwClient *
arw_client_new_sync (GCancellable *cancellable, GError **error)
{
  g_autoptr(GMainContext) ctx = g_main_context_new ();
  g_autoptr(GAsyncResult) res = NULL;
  ArwClient *client;

  g_main_context_push_thread_default (ctx);
  arw_client_new_async (cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  client = arw_client_new_finish (res, error);
  if (client != NULL)
    arw_client_set_owns_context (client);
  /* A failed start leaves GDBus clean-up idles behind: run them. */
  g_clear_object (&res);
  while (g_main_context_iteration (ctx, FALSE))
    ;
  return client;
}

JsonNode *
arw_client_get_inventory_sync (ArwClient *self, GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, NULL);
  arw_client_get_inventory_async (self, cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_get_inventory_finish (self, res, error);
}

JsonNode *
arw_client_get_status_sync (ArwClient *self, GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, NULL);
  arw_client_get_status_async (self, cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_get_status_finish (self, res, error);
}

JsonNode *
arw_client_get_hardware_sync (ArwClient *self, GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, NULL);
  arw_client_get_hardware_async (self, cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_get_hardware_finish (self, res, error);
}

gboolean
arw_client_reload_sync (ArwClient *self, GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, FALSE);
  arw_client_reload_async (self, cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_reload_finish (self, res, error);
}

ArwDBusTransaction *
arw_client_install_sync (ArwClient *self, const char *const *bundle_ids,
                         const ArwClientInstallOptions *options,
                         GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, NULL);
  arw_client_install_async (self, bundle_ids, options, cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_install_finish (self, res, error);
}

ArwDBusTransaction *
arw_client_import_sync (ArwClient *self, const char *bundle_id, const char *const *paths,
                        const ArwClientImportOptions *options,
                        GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, NULL);
  arw_client_import_async (self, bundle_id, paths, options, cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_import_finish (self, res, error);
}

JsonNode *
arw_client_rollback_sync (ArwClient *self, const char *bundle_id,
                          const ArwClientRollbackOptions *options,
                          GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, NULL);
  arw_client_rollback_async (self, bundle_id, options, cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_rollback_finish (self, res, error);
}

gboolean
arw_client_remove_sync (ArwClient *self, const char *bundle_id,
                        GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, FALSE);
  arw_client_remove_async (self, bundle_id, cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_remove_finish (self, res, error);
}

JsonNode *
arw_client_restore_sync (ArwClient *self, const char *id,
                         const ArwClientRestoreOptions *options,
                         ArwDBusRuntime **out_runtime,
                         GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, NULL);
  arw_client_restore_async (self, id, options, cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_restore_finish (self, res, out_runtime, error);
}

gboolean
arw_client_shutdown_sync (ArwClient *self, const char *id,
                          GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, FALSE);
  arw_client_shutdown_async (self, id, cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_shutdown_finish (self, res, error);
}

gboolean
arw_client_grant_consent_sync (ArwClient *self, const char *bundle_id,
                               const char *const *modalities, const char *scope,
                               GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, FALSE);
  arw_client_grant_consent_async (self, bundle_id, modalities, scope, cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_grant_consent_finish (self, res, error);
}

gboolean
arw_client_revoke_consent_sync (ArwClient *self, const char *bundle_id,
                                const char *const *modalities,
                                GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, FALSE);
  arw_client_revoke_consent_async (self, bundle_id, modalities, cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_revoke_consent_finish (self, res, error);
}

JsonNode *
arw_client_list_consents_sync (ArwClient *self, GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, NULL);
  arw_client_list_consents_async (self, cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_list_consents_finish (self, res, error);
}

char *
arw_client_persist_admin_token_sync (ArwClient *self, GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, NULL);
  arw_client_persist_admin_token_async (self, cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_persist_admin_token_finish (self, res, error);
}

JsonNode *
arw_client_request_lease_sync (ArwClient *self, const char *capability, guint ttl_secs,
                               const char *admin_token,
                               GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, NULL);
  arw_client_request_lease_async (self, capability, ttl_secs, admin_token, cancellable,
                                  sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_request_lease_finish (self, res, error);
}

JsonNode *
arw_client_get_events_sync (ArwClient *self, const char *prefix, guint64 after_id,
                            GCancellable *cancellable, GError **error)
{
  SYNC_BEGIN (self, NULL);
  arw_client_get_events_async (self, prefix, after_id, cancellable, sync_cb, &res);
  sync_wait (ctx, &res);
  return arw_client_get_events_finish (self, res, error);
}
