/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define ARW_RESTART_BUDGET_DEFAULT_MAX 3
#define ARW_RESTART_BUDGET_DEFAULT_WINDOW_SEC 600
#define ARW_RESTART_BACKOFF_DEFAULT_BASE_MS 1000
#define ARW_RESTART_BACKOFF_DEFAULT_CAP_MS 60000

/* A sliding window of restart attempts (arw-formats.md §6.4). Attempts
 * expire on the monotonic clock, so wall-clock jumps neither refill nor
 * drain the budget; the wall-clock time of each attempt is kept only to
 * report reset_at. */
typedef struct _ArwRestartBudget ArwRestartBudget;

ArwRestartBudget *arw_restart_budget_new (guint max_restarts, guint window_seconds);
/* ARW_RUNTIME_RESTART_MAX (default 3) and ARW_RUNTIME_RESTART_WINDOW_SEC
 * (default 600); values that are not positive integers are ignored. */
ArwRestartBudget *arw_restart_budget_new_from_env (void);
void arw_restart_budget_free (ArwRestartBudget *self);

guint arw_restart_budget_get_max_restarts (ArwRestartBudget *self);
guint arw_restart_budget_get_window_seconds (ArwRestartBudget *self);

/* The _at variants take explicit clocks (microseconds, g_get_monotonic_time
 * and g_get_real_time) so tests need no sleeps. */
gboolean arw_restart_budget_try_consume_at (ArwRestartBudget *self, gint64 mono_us, gint64 real_us);
gboolean arw_restart_budget_try_consume (ArwRestartBudget *self);
guint arw_restart_budget_get_used_at (ArwRestartBudget *self, gint64 mono_us);
guint arw_restart_budget_get_remaining_at (ArwRestartBudget *self, gint64 mono_us);
/* Wall-clock time (µs) when the oldest attempt in the window expires. */
gboolean arw_restart_budget_get_reset_at (ArwRestartBudget *self, gint64 mono_us, gint64 *out_real_us);
void arw_restart_budget_reset (ArwRestartBudget *self);

/* {window_seconds, max_restarts, used, remaining, reset_at?} */
JsonNode *arw_restart_budget_to_json_at (ArwRestartBudget *self, gint64 mono_us);
JsonNode *arw_restart_budget_to_json (ArwRestartBudget *self);
/* "Restart budget: R/M remaining (resets at <rfc3339>)" */
char *arw_restart_budget_hint_at (ArwRestartBudget *self, gint64 mono_us);
char *arw_restart_budget_hint (ArwRestartBudget *self);

/* Delay before automatic restart number attempt (1-based): base, 2·base,
 * 4·base … capped at cap_ms. attempt 0 is treated as 1. */
guint arw_restart_backoff_delay_ms (guint attempt, guint base_ms, guint cap_ms);
/* ARW_RUNTIME_BACKOFF_BASE_MS, default 1000. */
guint arw_restart_backoff_base_ms_from_env (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwRestartBudget, arw_restart_budget_free)

G_END_DECLS
