/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arw-runtime-status.h"

G_DEFINE_ENUM_TYPE (ArwRuntimeState, arw_runtime_state,
  G_DEFINE_ENUM_VALUE (ARW_RUNTIME_STATE_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (ARW_RUNTIME_STATE_STARTING, "starting"),
  G_DEFINE_ENUM_VALUE (ARW_RUNTIME_STATE_READY, "ready"),
  G_DEFINE_ENUM_VALUE (ARW_RUNTIME_STATE_DEGRADED, "degraded"),
  G_DEFINE_ENUM_VALUE (ARW_RUNTIME_STATE_ERROR, "error"),
  G_DEFINE_ENUM_VALUE (ARW_RUNTIME_STATE_OFFLINE, "offline"))

G_DEFINE_ENUM_TYPE (ArwRuntimeSeverity, arw_runtime_severity,
  G_DEFINE_ENUM_VALUE (ARW_RUNTIME_SEVERITY_INFO, "info"),
  G_DEFINE_ENUM_VALUE (ARW_RUNTIME_SEVERITY_WARN, "warn"),
  G_DEFINE_ENUM_VALUE (ARW_RUNTIME_SEVERITY_ERROR, "error"))

G_DEFINE_BOXED_TYPE (ArwRuntimeStatus, arw_runtime_status,
                     arw_runtime_status_copy, arw_runtime_status_free)

static const struct {
  const char *slug;
  const char *label;
} state_names[] = {
  [ARW_RUNTIME_STATE_UNKNOWN] = { "unknown", "Unknown" },
  [ARW_RUNTIME_STATE_STARTING] = { "starting", "Starting" },
  [ARW_RUNTIME_STATE_READY] = { "ready", "Ready" },
  [ARW_RUNTIME_STATE_DEGRADED] = { "degraded", "Degraded" },
  [ARW_RUNTIME_STATE_ERROR] = { "error", "Error" },
  [ARW_RUNTIME_STATE_OFFLINE] = { "offline", "Offline" },
};

static const struct {
  const char *slug;
  const char *label;
} severity_names[] = {
  [ARW_RUNTIME_SEVERITY_INFO] = { "info", "Info" },
  [ARW_RUNTIME_SEVERITY_WARN] = { "warn", "Warn" },
  [ARW_RUNTIME_SEVERITY_ERROR] = { "error", "Error" },
};

static const struct {
  const char *alias;
  ArwRuntimeState state;
} state_aliases[] = {
  { "ok", ARW_RUNTIME_STATE_READY },
  { "start", ARW_RUNTIME_STATE_STARTING },
  { "disabled", ARW_RUNTIME_STATE_OFFLINE },
};

#define BUDGET_ADJUST_HINT \
  "Adjust ARW_RUNTIME_RESTART_MAX or ARW_RUNTIME_RESTART_WINDOW_SEC to change the budget."

const char *
arw_runtime_state_to_slug (ArwRuntimeState state)
{
  if ((guint) state >= G_N_ELEMENTS (state_names))
    return state_names[ARW_RUNTIME_STATE_UNKNOWN].slug;
  return state_names[state].slug;
}

const char *
arw_runtime_state_to_label (ArwRuntimeState state)
{
  if ((guint) state >= G_N_ELEMENTS (state_names))
    return state_names[ARW_RUNTIME_STATE_UNKNOWN].label;
  return state_names[state].label;
}

gboolean
arw_runtime_state_from_slug (const char *slug, ArwRuntimeState *out)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (slug != NULL, FALSE);

  lower = g_ascii_strdown (slug, -1);
  g_strstrip (lower);
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    {
      if (g_str_equal (lower, state_names[i].slug))
        {
          if (out != NULL)
            *out = (ArwRuntimeState) i;
          return TRUE;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (state_aliases); i++)
    {
      if (g_str_equal (lower, state_aliases[i].alias))
        {
          if (out != NULL)
            *out = state_aliases[i].state;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
arw_runtime_severity_to_slug (ArwRuntimeSeverity severity)
{
  if ((guint) severity >= G_N_ELEMENTS (severity_names))
    return severity_names[ARW_RUNTIME_SEVERITY_INFO].slug;
  return severity_names[severity].slug;
}

const char *
arw_runtime_severity_to_label (ArwRuntimeSeverity severity)
{
  if ((guint) severity >= G_N_ELEMENTS (severity_names))
    return severity_names[ARW_RUNTIME_SEVERITY_INFO].label;
  return severity_names[severity].label;
}

gboolean
arw_runtime_severity_from_slug (const char *slug, ArwRuntimeSeverity *out)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (slug != NULL, FALSE);

  lower = g_ascii_strdown (slug, -1);
  g_strstrip (lower);
  if (g_str_equal (lower, "warning"))
    {
      if (out != NULL)
        *out = ARW_RUNTIME_SEVERITY_WARN;
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (severity_names); i++)
    {
      if (g_str_equal (lower, severity_names[i].slug))
        {
          if (out != NULL)
            *out = (ArwRuntimeSeverity) i;
          return TRUE;
        }
    }
  return FALSE;
}

char *
arw_runtime_status_format_time (gint64 unix_us, gboolean zulu)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC);
  g_autofree char *base = NULL;
  gint64 frac = unix_us % G_USEC_PER_SEC;
  const char *suffix = zulu ? "Z" : "+00:00";

  if (frac < 0)
    {
      /* Times before the epoch: borrow a second so the fraction is positive. */
      g_clear_pointer (&dt, g_date_time_unref);
      dt = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC - 1);
      frac += G_USEC_PER_SEC;
    }
  if (dt == NULL)
    return g_strdup ("1970-01-01T00:00:00Z");
  base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  if (frac == 0)
    return g_strconcat (base, suffix, NULL);
  if (frac % 1000 == 0)
    return g_strdup_printf ("%s.%03d%s", base, (int) (frac / 1000), suffix);
  return g_strdup_printf ("%s.%06d%s", base, (int) frac, suffix);
}

ArwRuntimeStatus *
arw_runtime_status_new (ArwRuntimeState state,
                        ArwRuntimeSeverity severity,
                        const char *summary,
                        const char *const *detail)
{
  ArwRuntimeStatus *self = g_new0 (ArwRuntimeStatus, 1);

  self->state = state;
  self->severity = severity;
  if (summary != NULL)
    self->summary = g_strdup (summary);
  else
    self->summary = g_strdup_printf ("state set to %s", arw_runtime_state_to_label (state));
  self->detail = detail != NULL ? g_strdupv ((char **) detail) : g_new0 (char *, 1);
  self->updated_us = g_get_real_time ();
  return self;
}

ArwRuntimeStatus *
arw_runtime_status_copy (const ArwRuntimeStatus *self)
{
  ArwRuntimeStatus *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = arw_runtime_status_new (self->state, self->severity, self->summary,
                                 (const char *const *) self->detail);
  copy->updated_us = self->updated_us;
  return copy;
}

void
arw_runtime_status_free (ArwRuntimeStatus *self)
{
  if (self == NULL)
    return;
  g_free (self->summary);
  g_strfreev (self->detail);
  g_free (self);
}

gboolean
arw_runtime_status_equal (const ArwRuntimeStatus *a, const ArwRuntimeStatus *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return a->state == b->state &&
         a->severity == b->severity &&
         g_strcmp0 (a->summary, b->summary) == 0 &&
         g_strv_equal ((const char *const *) a->detail, (const char *const *) b->detail);
}

/* Builds a status from a NULL-terminated list of optional detail lines:
 * NULL entries are skipped, so callers can pass conditional lines. */
static ArwRuntimeStatus *
status_with_lines (ArwRuntimeState state,
                   ArwRuntimeSeverity severity,
                   const char *summary,
                   const char *const *lines,
                   gsize n_lines)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) detail = NULL;

  for (gsize i = 0; i < n_lines; i++)
    if (lines[i] != NULL && *lines[i] != '\0')
      g_strv_builder_add (builder, lines[i]);
  detail = g_strv_builder_end (builder);
  return arw_runtime_status_new (state, severity, summary, (const char *const *) detail);
}

ArwRuntimeStatus *
arw_runtime_status_new_registered (void)
{
  const char *lines[] = { "Managed by RuntimeSupervisor" };

  return status_with_lines (ARW_RUNTIME_STATE_OFFLINE, ARW_RUNTIME_SEVERITY_INFO,
                            "Runtime registered; awaiting supervisor launch",
                            lines, G_N_ELEMENTS (lines));
}

ArwRuntimeStatus *
arw_runtime_status_new_restore_requested (const char *preset,
                                          gboolean restart,
                                          const char *budget_hint)
{
  g_autofree char *preset_line = NULL;
  const char *lines[3];

  if (preset != NULL && *preset != '\0')
    preset_line = g_strdup_printf ("Preset: %s", preset);
  lines[0] = preset_line;
  lines[1] = restart ? NULL : "Restart flag disabled";
  lines[2] = budget_hint;
  return status_with_lines (ARW_RUNTIME_STATE_STARTING, ARW_RUNTIME_SEVERITY_INFO,
                            "Restore requested", lines, G_N_ELEMENTS (lines));
}

ArwRuntimeStatus *
arw_runtime_status_new_budget_exhausted (const char *reason, const char *budget_hint)
{
  const char *lines[] = {
    reason,
    "Automatic restart denied: restart budget exhausted.",
    budget_hint,
    BUDGET_ADJUST_HINT,
  };

  return status_with_lines (ARW_RUNTIME_STATE_ERROR, ARW_RUNTIME_SEVERITY_ERROR,
                            "Restart budget exhausted", lines, G_N_ELEMENTS (lines));
}

ArwRuntimeStatus *
arw_runtime_status_new_launch (const char *adapter, const char *source, const char *budget_hint)
{
  g_autofree char *adapter_line = g_strdup_printf ("Adapter: %s", adapter != NULL ? adapter : "process");
  g_autofree char *source_line = source != NULL ? g_strdup_printf ("Source: %s", source) : NULL;
  const char *lines[] = { adapter_line, source_line, budget_hint };

  return status_with_lines (ARW_RUNTIME_STATE_STARTING, ARW_RUNTIME_SEVERITY_INFO,
                            "Runtime launch requested", lines, G_N_ELEMENTS (lines));
}

ArwRuntimeStatus *
arw_runtime_status_new_restore_failed (const char *error_text, const char *budget_hint)
{
  const char *lines[] = { error_text, budget_hint };

  return status_with_lines (ARW_RUNTIME_STATE_ERROR, ARW_RUNTIME_SEVERITY_ERROR,
                            "Restore failed", lines, G_N_ELEMENTS (lines));
}

ArwRuntimeStatus *
arw_runtime_status_new_healthy (guint http_status, const char *url)
{
  g_autofree char *line = g_strdup_printf ("HTTP %u %s", http_status, url);
  const char *lines[] = { line };

  return status_with_lines (ARW_RUNTIME_STATE_READY, ARW_RUNTIME_SEVERITY_INFO,
                            "Process healthy", lines, G_N_ELEMENTS (lines));
}

ArwRuntimeStatus *
arw_runtime_status_new_running (guint64 uptime_seconds)
{
  g_autofree char *line = g_strdup_printf ("uptime %" G_GUINT64_FORMAT "s", uptime_seconds);
  const char *lines[] = { line };

  return status_with_lines (ARW_RUNTIME_STATE_READY, ARW_RUNTIME_SEVERITY_INFO,
                            "Process running", lines, G_N_ELEMENTS (lines));
}

ArwRuntimeStatus *
arw_runtime_status_new_health_failed (const char *const *detail)
{
  return arw_runtime_status_new (ARW_RUNTIME_STATE_ERROR, ARW_RUNTIME_SEVERITY_ERROR,
                                 "Runtime failed health check", detail);
}

ArwRuntimeStatus *
arw_runtime_status_new_stopped (void)
{
  return arw_runtime_status_new (ARW_RUNTIME_STATE_OFFLINE, ARW_RUNTIME_SEVERITY_INFO,
                                 "Runtime stopped", NULL);
}

JsonNode *
arw_runtime_status_to_json (const ArwRuntimeStatus *self,
                            const char *id,
                            JsonNode *restart_budget)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *updated = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  updated = arw_runtime_status_format_time (self->updated_us, FALSE);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, arw_runtime_state_to_slug (self->state));
  json_builder_set_member_name (builder, "severity");
  json_builder_add_string_value (builder, arw_runtime_severity_to_slug (self->severity));
  json_builder_set_member_name (builder, "summary");
  json_builder_add_string_value (builder, self->summary);
  json_builder_set_member_name (builder, "detail");
  json_builder_begin_array (builder);
  for (guint i = 0; self->detail[i] != NULL; i++)
    json_builder_add_string_value (builder, self->detail[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "updated");
  json_builder_add_string_value (builder, updated);
  json_builder_set_member_name (builder, "state_label");
  json_builder_add_string_value (builder, arw_runtime_state_to_label (self->state));
  json_builder_set_member_name (builder, "severity_label");
  json_builder_add_string_value (builder, arw_runtime_severity_to_label (self->severity));
  if (restart_budget != NULL)
    {
      json_builder_set_member_name (builder, "restart_budget");
      json_builder_add_value (builder, json_node_copy (restart_budget));
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
