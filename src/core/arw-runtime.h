/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "arw-event-bus.h"
#include "arw-process-spec.h"
#include "arw-restart-budget.h"
#include "arw-runtime-status.h"

G_BEGIN_DECLS

#define ARW_RUNTIME_DEFAULT_HEALTH_INTERVAL_MS 5000
#define ARW_RUNTIME_MIN_HEALTH_INTERVAL_MS 100
#define ARW_RUNTIME_DEFAULT_STARTUP_TIMEOUT_MS ARW_HEALTH_DEFAULT_STARTUP_TIMEOUT_MS
#define ARW_RUNTIME_DEFAULT_STOP_TIMEOUT_MS 5000
#define ARW_RUNTIME_DEFAULT_LOG_MAX_BYTES (4 * 1024 * 1024)
#define ARW_RUNTIME_DEFAULT_LOG_KEEP 2

/* Timings and limits of one supervised runtime. */
typedef struct {
  guint health_interval_ms; /* ARW_RUNTIME_HEALTH_INTERVAL_MS (>= 100), default 5000 */
  guint startup_timeout_ms; /* ARW_RUNTIME_STARTUP_TIMEOUT_MS, default 120000; a spec's
                             * health.startup_timeout_ms wins */
  guint stop_timeout_ms;    /* ARW_RUNTIME_STOP_TIMEOUT_MS: SIGTERM → SIGKILL, default 5000 */
  guint backoff_base_ms;    /* ARW_RUNTIME_BACKOFF_BASE_MS, default 1000 */
  guint backoff_cap_ms;     /* 60000 */
  guint64 log_max_bytes;    /* ARW_RUNTIME_LOG_MAX_BYTES, default 4 MiB */
  guint log_keep;           /* rotated files kept: <log>.1 … <log>.N, default 2 */
} ArwRuntimeTuning;

void arw_runtime_tuning_init_from_env (ArwRuntimeTuning *tuning);

/* Options of one restore (ARW: POST /orchestrator/runtimes/<id>/restore). */
typedef struct {
  gboolean no_restart;           /* ARW --no-restart: not counted against the budget */
  const char *preset;            /* or NULL */
  const char *job_id;            /* echoed in restore events, or NULL */
  const char *const *extra_env;  /* "KEY=VALUE" added last (accelerator selection), or NULL */
} ArwRestoreOptions;

#define ARW_TYPE_RUNTIME (arw_runtime_get_type ())
G_DECLARE_FINAL_TYPE (ArwRuntime, arw_runtime, ARW, RUNTIME, GObject)

/* One supervised process runtime. It publishes runtime.state.changed,
 * runtime.restore.requested and runtime.restore.completed on bus.
 * ARW_RUNTIME_TIMING=1 adds "timing: … mono_us=" lines (exit seen,
 * restart scheduled) to the log for the benchmark.
 * Signals: "status-changed" (ArwRuntimeStatus *) and "exited" (int
 * wait_status, const char *reason) for callers that add their own logic
 * (e.g. GPU→CPU fallback). Disposing a runtime SIGKILLs its process group. */
ArwRuntime *arw_runtime_new (const char *id,
                             const char *name,
                             const ArwProcessSpec *spec,
                             const char *bundle_dir,
                             const char *state_dir,
                             ArwEventBus *bus);

const char *arw_runtime_get_id (ArwRuntime *self);
const char *arw_runtime_get_name (ArwRuntime *self);
const char *arw_runtime_get_adapter (ArwRuntime *self);
const char *arw_runtime_get_bundle_dir (ArwRuntime *self);
const ArwProcessSpec *arw_runtime_get_spec (ArwRuntime *self);
const ArwRuntimeStatus *arw_runtime_get_status (ArwRuntime *self);
ArwRuntimeState arw_runtime_get_state (ArwRuntime *self);
ArwRuntimeSeverity arw_runtime_get_severity (ArwRuntime *self);
const char *arw_runtime_get_summary (ArwRuntime *self);
const char *const *arw_runtime_get_detail (ArwRuntime *self);
/* Process (and process group) id, or 0 when no process runs. */
GPid arw_runtime_get_pid (ArwRuntime *self);
/* The {{PORT}} of the current or last launch, or 0. */
guint arw_runtime_get_port (ArwRuntime *self);
/* <state>/runtime/logs/<dir>.log */
const char *arw_runtime_get_log_path (ArwRuntime *self);
/* The last lines the process printed (stdout and stderr), oldest first. */
GStrv arw_runtime_get_log_tail (ArwRuntime *self);
ArwRestartBudget *arw_runtime_get_restart_budget (ArwRuntime *self);
gboolean arw_runtime_is_running (ArwRuntime *self);
/* TRUE while a process runs, is being stopped, or an automatic restart is
 * pending (property "active", notified on change). */
gboolean arw_runtime_is_active (ArwRuntime *self);

/* While set, a healthy runtime reports state degraded, severity warn and
 * this summary (e.g. "Degraded – CPU fallback: no NVIDIA driver"), with
 * the healthy summary as the first detail line. Applies from the next
 * health result. NULL clears it. */
void arw_runtime_set_degraded_summary (ArwRuntime *self, const char *summary);
const char *arw_runtime_get_degraded_summary (ArwRuntime *self);

const char *arw_runtime_get_source (ArwRuntime *self);
void arw_runtime_set_source (ArwRuntime *self, const char *source);
gboolean arw_runtime_get_auto_restart (ArwRuntime *self);
void arw_runtime_set_auto_restart (ArwRuntime *self, gboolean auto_restart);
void arw_runtime_get_tuning (ArwRuntime *self, ArwRuntimeTuning *out);
void arw_runtime_set_tuning (ArwRuntime *self, const ArwRuntimeTuning *tuning);

/* Starts the runtime. A runtime whose process is already running is left
 * alone (TRUE, no second process). Unless options->no_restart, the restore
 * counts against the restart budget: when it is spent, the state becomes
 * error "Restart budget exhausted" and ARW_ERROR_BUDGET_EXHAUSTED is
 * returned. Launch failures (command missing, spawn error) return FALSE. */
gboolean arw_runtime_restore (ArwRuntime *self,
                              const ArwRestoreOptions *options,
                              GError **error);

/* SIGTERM to the process group, SIGKILL after the stop timeout; the state
 * becomes offline "Runtime stopped" once the process has exited. Also
 * cancels a pending automatic restart. Returns at once. */
void arw_runtime_shutdown (ArwRuntime *self);
void arw_runtime_shutdown_async (ArwRuntime *self,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean arw_runtime_shutdown_finish (ArwRuntime *self, GAsyncResult *result, GError **error);
/* SIGKILL to the process group now (emergency exit path). */
void arw_runtime_kill (ArwRuntime *self);

/* The runtime.state.changed payload for the current status. */
JsonNode *arw_runtime_to_json (ArwRuntime *self);

G_END_DECLS
