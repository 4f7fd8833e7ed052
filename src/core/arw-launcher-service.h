/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "arw-consent-ledger.h"
#include "arw-event-bus.h"
#include "arw-hardware.h"
#include "arw-policy.h"
#include "arw-supervisor.h"

G_BEGIN_DECLS

/* What arw-launcher-helper does, without the bus: it owns the supervisor,
 * event bus, consent ledger, policy and the hardware probe, keeps one
 * runtime per installed bundle with metadata.process (ARW's resolver,
 * §6.1: on start, on Reload and, unlike ARW, when the bundle root
 * changes), and restores runtimes or families with variant selection,
 * consent enforcement and an explained CPU fallback. */

typedef enum {
  ARW_CONSENT_STATUS_NOT_REQUIRED,
  ARW_CONSENT_STATUS_REQUIRED,  /* needed and not (or no longer) granted */
  ARW_CONSENT_STATUS_GRANTED,
} ArwConsentStatus;

const char *arw_consent_status_to_string (ArwConsentStatus status);

/* Service-side facts about one runtime (read-only for callers). */
typedef struct {
  char *id;
  char *family;
  char *accelerator;       /* bundle accelerator, "cpu" when absent */
  char *bundle_dir;
  GStrv consent_modalities; /* modalities that need consent, empty when none */
  char *consent_note;       /* or NULL */
  char *device;             /* stable id of the GPU in use, or NULL */
  char *fallback_reason;    /* why this CPU variant runs instead of a GPU one, or NULL */
} ArwLauncherRuntimeInfo;

/* Options of one restore (the D-Bus Restore options). */
typedef struct {
  gboolean no_restart;
  const char *preset;      /* nullable */
  const char *accelerator; /* "auto", "cpu", "gpu" or NULL (= auto) */
  const char *device;      /* preferred GPU stable id or NULL */
} ArwServiceRestoreOptions;

#define ARW_TYPE_LAUNCHER_SERVICE (arw_launcher_service_get_type ())
G_DECLARE_FINAL_TYPE (ArwLauncherService, arw_launcher_service, ARW, LAUNCHER_SERVICE, GObject)

/* Signals: "runtime-info-changed" (const char *id) when device, fallback
 * reason or consent state of a runtime changed. The supervisor's own
 * signals announce runtimes coming and going. */
ArwLauncherService *arw_launcher_service_new (const char *state_dir, ArwPosture posture);

/* Loads the ledger, scans the installed bundles, watches the bundle root
 * and starts the hardware probe (in a thread). */
gboolean arw_launcher_service_start (ArwLauncherService *self, GError **error);
/* Stops every runtime (bounded wait) and the file monitor. */
void arw_launcher_service_stop (ArwLauncherService *self);

const char *arw_launcher_service_get_state_dir (ArwLauncherService *self);
const char *arw_launcher_service_get_bundle_root (ArwLauncherService *self);
ArwSupervisor *arw_launcher_service_get_supervisor (ArwLauncherService *self);
ArwEventBus *arw_launcher_service_get_event_bus (ArwLauncherService *self);
ArwPolicy *arw_launcher_service_get_policy (ArwLauncherService *self);
ArwConsentLedger *arw_launcher_service_get_ledger (ArwLauncherService *self);
/* NULL until the probe has finished. */
const ArwHardwareInfo *arw_launcher_service_get_hardware (ArwLauncherService *self);
/* TRUE while a runtime is active (running, stopping or about to restart). */
gboolean arw_launcher_service_is_busy (ArwLauncherService *self);

const ArwLauncherRuntimeInfo *arw_launcher_service_get_runtime_info (ArwLauncherService *self,
                                                                     const char *id);
ArwConsentStatus arw_launcher_service_get_consent_status (ArwLauncherService *self, const char *id);

/* The resolver: registers new installations, re-registers changed ones
 * that are not active and removes uninstalled ones (shut down first).
 * Publishes bundles.changed. */
gboolean arw_launcher_service_reload (ArwLauncherService *self, GError **error);

/* Waits for the hardware probe. */
void arw_launcher_service_get_hardware_async (ArwLauncherService *self,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer user_data);
JsonNode *arw_launcher_service_get_hardware_finish (ArwLauncherService *self,
                                                    GAsyncResult *result,
                                                    GError **error);

/* The `bundles list` object (catalogs, installations, roots,
 * signature_summary) plus diagnostics, read in a thread. */
void arw_launcher_service_get_inventory_async (ArwLauncherService *self,
                                               GCancellable *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data);
JsonNode *arw_launcher_service_get_inventory_finish (ArwLauncherService *self,
                                                     GAsyncResult *result,
                                                     GError **error);

/* Restores a runtime id or the best variant of a family (waits for the
 * hardware probe). Result: the runtime started and
 * {runtime_id, pending, restart_budget, accelerator, device?, fallback_reason?}.
 * Errors: NOT_FOUND, CONSENT_REQUIRED, BUDGET_EXHAUSTED, BUSY. */
void arw_launcher_service_restore_async (ArwLauncherService *self,
                                         const char *id,
                                         const ArwServiceRestoreOptions *options,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
ArwRuntime *arw_launcher_service_restore_finish (ArwLauncherService *self,
                                                 GAsyncResult *result,
                                                 JsonNode **out_result,
                                                 GError **error);

gboolean arw_launcher_service_shutdown (ArwLauncherService *self, const char *id, GError **error);

/* Ledger changes are on disk before these return. Revoking stops the
 * bundle's runtime when it runs. Empty modalities revoke all. */
gboolean arw_launcher_service_grant_consent (ArwLauncherService *self,
                                             const char *bundle_id,
                                             const char *const *modalities,
                                             ArwConsentScope scope,
                                             GError **error);
gboolean arw_launcher_service_revoke_consent (ArwLauncherService *self,
                                              const char *bundle_id,
                                              const char *const *modalities,
                                              GError **error);
/* {grants…(the ledger's JSON), tampered, warning?} */
JsonNode *arw_launcher_service_list_consents (ArwLauncherService *self);

G_END_DECLS
