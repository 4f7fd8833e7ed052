/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* ARW's runtime states (arw-formats.md §6.3). There is no "restarting"
 * state: a runtime waiting for an automatic restart is in ERROR. */
typedef enum {
  ARW_RUNTIME_STATE_UNKNOWN,
  ARW_RUNTIME_STATE_STARTING,
  ARW_RUNTIME_STATE_READY,
  ARW_RUNTIME_STATE_DEGRADED,
  ARW_RUNTIME_STATE_ERROR,
  ARW_RUNTIME_STATE_OFFLINE,
} ArwRuntimeState;

typedef enum {
  ARW_RUNTIME_SEVERITY_INFO,
  ARW_RUNTIME_SEVERITY_WARN,
  ARW_RUNTIME_SEVERITY_ERROR,
} ArwRuntimeSeverity;

#define ARW_TYPE_RUNTIME_STATE (arw_runtime_state_get_type ())
#define ARW_TYPE_RUNTIME_SEVERITY (arw_runtime_severity_get_type ())
#define ARW_TYPE_RUNTIME_STATUS (arw_runtime_status_get_type ())

GType arw_runtime_state_get_type (void);
GType arw_runtime_severity_get_type (void);

/* "unknown", "starting", … and "Unknown", "Starting", … */
const char *arw_runtime_state_to_slug (ArwRuntimeState state);
const char *arw_runtime_state_to_label (ArwRuntimeState state);
/* Tolerates ARW's aliases: ok = ready, start = starting, disabled = offline. */
gboolean arw_runtime_state_from_slug (const char *slug, ArwRuntimeState *out);

const char *arw_runtime_severity_to_slug (ArwRuntimeSeverity severity);
const char *arw_runtime_severity_to_label (ArwRuntimeSeverity severity);
/* Tolerates "warning" for warn. */
gboolean arw_runtime_severity_from_slug (const char *slug, ArwRuntimeSeverity *out);

/* RFC 3339 UTC like chrono: 0, 3 or 6 fractional digits as needed, with a
 * "Z" suffix when zulu is TRUE and "+00:00" otherwise. */
char *arw_runtime_status_format_time (gint64 unix_us, gboolean zulu);

typedef struct {
  ArwRuntimeState state;
  ArwRuntimeSeverity severity;
  char *summary;
  GStrv detail;      /* never NULL */
  gint64 updated_us; /* wall clock, microseconds since the epoch */
} ArwRuntimeStatus;

GType arw_runtime_status_get_type (void);

/* summary NULL gives ARW's default "state set to <Label>". */
ArwRuntimeStatus *arw_runtime_status_new (ArwRuntimeState state,
                                          ArwRuntimeSeverity severity,
                                          const char *summary,
                                          const char *const *detail);
ArwRuntimeStatus *arw_runtime_status_copy (const ArwRuntimeStatus *self);
void arw_runtime_status_free (ArwRuntimeStatus *self);
/* Same state, severity, summary and detail (the time is ignored). */
gboolean arw_runtime_status_equal (const ArwRuntimeStatus *a, const ArwRuntimeStatus *b);

/* ARW's lifecycle table (§6.3). budget_hint may be NULL. */
ArwRuntimeStatus *arw_runtime_status_new_registered (void);
ArwRuntimeStatus *arw_runtime_status_new_restore_requested (const char *preset,
                                                            gboolean restart,
                                                            const char *budget_hint);
ArwRuntimeStatus *arw_runtime_status_new_budget_exhausted (const char *reason,
                                                           const char *budget_hint);
ArwRuntimeStatus *arw_runtime_status_new_launch (const char *adapter,
                                                 const char *source,
                                                 const char *budget_hint);
ArwRuntimeStatus *arw_runtime_status_new_restore_failed (const char *error_text,
                                                         const char *budget_hint);
ArwRuntimeStatus *arw_runtime_status_new_healthy (guint http_status, const char *url);
ArwRuntimeStatus *arw_runtime_status_new_running (guint64 uptime_seconds);
ArwRuntimeStatus *arw_runtime_status_new_health_failed (const char *const *detail);
ArwRuntimeStatus *arw_runtime_status_new_stopped (void);

/* The runtime.state.changed payload (§6.9): {id, state, severity, summary,
 * detail[], updated, state_label, severity_label, restart_budget}.
 * restart_budget may be NULL (then omitted); it is copied. */
JsonNode *arw_runtime_status_to_json (const ArwRuntimeStatus *self,
                                      const char *id,
                                      JsonNode *restart_budget);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwRuntimeStatus, arw_runtime_status_free)

G_END_DECLS
