/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-restart-budget.h"
#include "arw-runtime-status.h"
#include "arw-test-utils.h"

#define SEC G_USEC_PER_SEC
/* 2025-01-01T00:00:00Z */
#define REAL0 ((gint64) 1735689600 * SEC)

static void
test_backoff_schedule (void)
{
  const guint want[] = { 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000 };

  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    g_assert_cmpuint (arw_restart_backoff_delay_ms (i + 1, 1000, 60000), ==, want[i]);
  g_assert_cmpuint (arw_restart_backoff_delay_ms (0, 1000, 60000), ==, 1000);
  g_assert_cmpuint (arw_restart_backoff_delay_ms (200, 1000, 60000), ==, 60000);
  g_assert_cmpuint (arw_restart_backoff_delay_ms (3, 50, 60000), ==, 200);
  g_assert_cmpuint (arw_restart_backoff_delay_ms (40, G_MAXUINT / 2, G_MAXUINT), ==, G_MAXUINT);
}

static void
test_window (void)
{
  g_autoptr(ArwRestartBudget) budget = arw_restart_budget_new (3, 600);
  gint64 t0 = 1000 * SEC;
  gint64 reset = 0;

  g_assert_cmpuint (arw_restart_budget_get_remaining_at (budget, t0), ==, 3);
  g_assert_false (arw_restart_budget_get_reset_at (budget, t0, NULL));
  g_assert_true (arw_restart_budget_try_consume_at (budget, t0, REAL0));
  g_assert_true (arw_restart_budget_try_consume_at (budget, t0 + 10 * SEC, REAL0 + 10 * SEC));
  g_assert_true (arw_restart_budget_try_consume_at (budget, t0 + 20 * SEC, REAL0 + 20 * SEC));
  g_assert_false (arw_restart_budget_try_consume_at (budget, t0 + 30 * SEC, REAL0 + 30 * SEC));
  g_assert_cmpuint (arw_restart_budget_get_used_at (budget, t0 + 30 * SEC), ==, 3);
  g_assert_cmpuint (arw_restart_budget_get_remaining_at (budget, t0 + 30 * SEC), ==, 0);
  g_assert_true (arw_restart_budget_get_reset_at (budget, t0 + 30 * SEC, &reset));
  g_assert_cmpint (reset, ==, REAL0 + 600 * SEC);

  /* Exactly window old: still counted (ARW expires strictly older). */
  g_assert_cmpuint (arw_restart_budget_get_used_at (budget, t0 + 600 * SEC), ==, 3);
  g_assert_cmpuint (arw_restart_budget_get_used_at (budget, t0 + 600 * SEC + 1), ==, 2);
  g_assert_true (arw_restart_budget_try_consume_at (budget, t0 + 601 * SEC, REAL0 + 601 * SEC));
  g_assert_false (arw_restart_budget_try_consume_at (budget, t0 + 602 * SEC, REAL0 + 602 * SEC));
}

static void
test_json_and_hint (void)
{
  g_autoptr(ArwRestartBudget) budget = arw_restart_budget_new (2, 600);
  g_autoptr(JsonNode) empty = arw_restart_budget_to_json_at (budget, 0);
  g_autoptr(JsonNode) used = NULL;
  g_autofree char *empty_text = json_to_string (empty, FALSE);
  g_autofree char *used_text = NULL;
  g_autofree char *hint = NULL;
  g_autofree char *hint_empty = arw_restart_budget_hint_at (budget, 0);

  g_assert_cmpstr (empty_text, ==, "{\"window_seconds\":600,\"max_restarts\":2,\"used\":0,\"remaining\":2}");
  g_assert_cmpstr (hint_empty, ==, "Restart budget: 2/2 remaining");
  g_assert_true (arw_restart_budget_try_consume_at (budget, 5 * SEC, REAL0 + 123000));
  used = arw_restart_budget_to_json_at (budget, 6 * SEC);
  used_text = json_to_string (used, FALSE);
  g_assert_cmpstr (used_text, ==,
                   "{\"window_seconds\":600,\"max_restarts\":2,\"used\":1,\"remaining\":1,"
                   "\"reset_at\":\"2025-01-01T00:10:00.123Z\"}");
  hint = arw_restart_budget_hint_at (budget, 6 * SEC);
  g_assert_cmpstr (hint, ==, "Restart budget: 1/2 remaining (resets at 2025-01-01T00:10:00.123Z)");
}

static void
test_env (void)
{
  g_autoptr(ArwRestartBudget) defaults = NULL;
  g_autoptr(ArwRestartBudget) custom = NULL;
  g_autoptr(ArwRestartBudget) invalid = NULL;

  g_unsetenv ("ARW_RUNTIME_RESTART_MAX");
  g_unsetenv ("ARW_RUNTIME_RESTART_WINDOW_SEC");
  g_unsetenv ("ARW_RUNTIME_BACKOFF_BASE_MS");
  defaults = arw_restart_budget_new_from_env ();
  g_assert_cmpuint (arw_restart_budget_get_max_restarts (defaults), ==, 3);
  g_assert_cmpuint (arw_restart_budget_get_window_seconds (defaults), ==, 600);
  g_assert_cmpuint (arw_restart_backoff_base_ms_from_env (), ==, 1000);

  g_setenv ("ARW_RUNTIME_RESTART_MAX", "7", TRUE);
  g_setenv ("ARW_RUNTIME_RESTART_WINDOW_SEC", "30", TRUE);
  g_setenv ("ARW_RUNTIME_BACKOFF_BASE_MS", "25", TRUE);
  custom = arw_restart_budget_new_from_env ();
  g_assert_cmpuint (arw_restart_budget_get_max_restarts (custom), ==, 7);
  g_assert_cmpuint (arw_restart_budget_get_window_seconds (custom), ==, 30);
  g_assert_cmpuint (arw_restart_backoff_base_ms_from_env (), ==, 25);

  /* ARW requires > 0: zero and garbage fall back to the defaults. */
  g_setenv ("ARW_RUNTIME_RESTART_MAX", "0", TRUE);
  g_setenv ("ARW_RUNTIME_RESTART_WINDOW_SEC", "ten", TRUE);
  g_test_expect_message ("arw", G_LOG_LEVEL_WARNING, "*ARW_RUNTIME_RESTART_MAX*");
  g_test_expect_message ("arw", G_LOG_LEVEL_WARNING, "*ARW_RUNTIME_RESTART_WINDOW_SEC*");
  invalid = arw_restart_budget_new_from_env ();
  g_test_assert_expected_messages ();
  g_assert_cmpuint (arw_restart_budget_get_max_restarts (invalid), ==, 3);
  g_assert_cmpuint (arw_restart_budget_get_window_seconds (invalid), ==, 600);
  g_unsetenv ("ARW_RUNTIME_RESTART_MAX");
  g_unsetenv ("ARW_RUNTIME_RESTART_WINDOW_SEC");
  g_unsetenv ("ARW_RUNTIME_BACKOFF_BASE_MS");
}

static void
test_time_format (void)
{
  g_autofree char *whole = arw_runtime_status_format_time (REAL0, TRUE);
  g_autofree char *millis = arw_runtime_status_format_time (REAL0 + 5000, FALSE);
  g_autofree char *micros = arw_runtime_status_format_time (REAL0 + 5, TRUE);

  g_assert_cmpstr (whole, ==, "2025-01-01T00:00:00Z");
  g_assert_cmpstr (millis, ==, "2025-01-01T00:00:00.005+00:00");
  g_assert_cmpstr (micros, ==, "2025-01-01T00:00:00.000005Z");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arw/restart-budget/backoff-schedule", test_backoff_schedule);
  g_test_add_func ("/arw/restart-budget/window", test_window);
  g_test_add_func ("/arw/restart-budget/json-and-hint", test_json_and_hint);
  g_test_add_func ("/arw/restart-budget/env", test_env);
  g_test_add_func ("/arw/restart-budget/time-format", test_time_format);
  return g_test_run ();
}
