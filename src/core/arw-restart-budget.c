/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-restart-budget.h"
#include "arw-runtime-status.h"

typedef struct {
  gint64 mono_us;
  gint64 real_us;
} Attempt;

struct _ArwRestartBudget {
  guint max_restarts;
  guint window_seconds;
  GArray *attempts; /* Attempt, oldest first */
};

ArwRestartBudget *
arw_restart_budget_new (guint max_restarts, guint window_seconds)
{
  ArwRestartBudget *self;

  g_return_val_if_fail (max_restarts > 0, NULL);
  g_return_val_if_fail (window_seconds > 0, NULL);

  self = g_new0 (ArwRestartBudget, 1);
  self->max_restarts = max_restarts;
  self->window_seconds = window_seconds;
  self->attempts = g_array_new (FALSE, FALSE, sizeof (Attempt));
  return self;
}

static guint
env_positive_uint (const char *name, guint fallback)
{
  const char *value = g_getenv (name);
  guint64 parsed = 0;

  if (value == NULL)
    return fallback;
  if (!g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT, &parsed, NULL))
    {
      g_warning ("ignoring %s=%s: expected a positive integer", name, value);
      return fallback;
    }
  return (guint) parsed;
}

ArwRestartBudget *
arw_restart_budget_new_from_env (void)
{
  guint max_restarts = env_positive_uint ("ARW_RUNTIME_RESTART_MAX", ARW_RESTART_BUDGET_DEFAULT_MAX);
  guint window = env_positive_uint ("ARW_RUNTIME_RESTART_WINDOW_SEC", ARW_RESTART_BUDGET_DEFAULT_WINDOW_SEC);

  return arw_restart_budget_new (max_restarts, window);
}

void
arw_restart_budget_free (ArwRestartBudget *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->attempts);
  g_free (self);
}

guint
arw_restart_budget_get_max_restarts (ArwRestartBudget *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->max_restarts;
}

guint
arw_restart_budget_get_window_seconds (ArwRestartBudget *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->window_seconds;
}

/* ARW drops an attempt once it is strictly older than the window. */
static void
prune (ArwRestartBudget *self, gint64 mono_us)
{
  gint64 window_us = (gint64) self->window_seconds * G_USEC_PER_SEC;
  guint keep_from = 0;

  while (keep_from < self->attempts->len &&
         mono_us - g_array_index (self->attempts, Attempt, keep_from).mono_us > window_us)
    keep_from++;
  if (keep_from > 0)
    g_array_remove_range (self->attempts, 0, keep_from);
}

gboolean
arw_restart_budget_try_consume_at (ArwRestartBudget *self, gint64 mono_us, gint64 real_us)
{
  Attempt attempt = { mono_us, real_us };

  g_return_val_if_fail (self != NULL, FALSE);

  prune (self, mono_us);
  if (self->attempts->len >= self->max_restarts)
    return FALSE;
  g_array_append_val (self->attempts, attempt);
  return TRUE;
}

gboolean
arw_restart_budget_try_consume (ArwRestartBudget *self)
{
  return arw_restart_budget_try_consume_at (self, g_get_monotonic_time (), g_get_real_time ());
}

guint
arw_restart_budget_get_used_at (ArwRestartBudget *self, gint64 mono_us)
{
  g_return_val_if_fail (self != NULL, 0);

  prune (self, mono_us);
  return self->attempts->len;
}

guint
arw_restart_budget_get_remaining_at (ArwRestartBudget *self, gint64 mono_us)
{
  guint used = arw_restart_budget_get_used_at (self, mono_us);

  return used >= self->max_restarts ? 0 : self->max_restarts - used;
}

gboolean
arw_restart_budget_get_reset_at (ArwRestartBudget *self, gint64 mono_us, gint64 *out_real_us)
{
  g_return_val_if_fail (self != NULL, FALSE);

  prune (self, mono_us);
  if (self->attempts->len == 0)
    return FALSE;
  if (out_real_us != NULL)
    *out_real_us = g_array_index (self->attempts, Attempt, 0).real_us +
                   (gint64) self->window_seconds * G_USEC_PER_SEC;
  return TRUE;
}

void
arw_restart_budget_reset (ArwRestartBudget *self)
{
  g_return_if_fail (self != NULL);
  g_array_set_size (self->attempts, 0);
}

JsonNode *
arw_restart_budget_to_json_at (ArwRestartBudget *self, gint64 mono_us)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gint64 reset_us = 0;

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "window_seconds");
  json_builder_add_int_value (builder, self->window_seconds);
  json_builder_set_member_name (builder, "max_restarts");
  json_builder_add_int_value (builder, self->max_restarts);
  json_builder_set_member_name (builder, "used");
  json_builder_add_int_value (builder, arw_restart_budget_get_used_at (self, mono_us));
  json_builder_set_member_name (builder, "remaining");
  json_builder_add_int_value (builder, arw_restart_budget_get_remaining_at (self, mono_us));
  if (arw_restart_budget_get_reset_at (self, mono_us, &reset_us))
    {
      g_autofree char *reset = arw_runtime_status_format_time (reset_us, TRUE);
      json_builder_set_member_name (builder, "reset_at");
      json_builder_add_string_value (builder, reset);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
arw_restart_budget_to_json (ArwRestartBudget *self)
{
  return arw_restart_budget_to_json_at (self, g_get_monotonic_time ());
}

char *
arw_restart_budget_hint_at (ArwRestartBudget *self, gint64 mono_us)
{
  gint64 reset_us = 0;
  guint remaining;

  g_return_val_if_fail (self != NULL, NULL);

  remaining = arw_restart_budget_get_remaining_at (self, mono_us);
  if (arw_restart_budget_get_reset_at (self, mono_us, &reset_us))
    {
      g_autofree char *reset = arw_runtime_status_format_time (reset_us, TRUE);
      return g_strdup_printf ("Restart budget: %u/%u remaining (resets at %s)",
                              remaining, self->max_restarts, reset);
    }
  return g_strdup_printf ("Restart budget: %u/%u remaining", remaining, self->max_restarts);
}

char *
arw_restart_budget_hint (ArwRestartBudget *self)
{
  return arw_restart_budget_hint_at (self, g_get_monotonic_time ());
}

guint
arw_restart_backoff_delay_ms (guint attempt, guint base_ms, guint cap_ms)
{
  guint64 delay = base_ms;

  for (guint i = 1; i < attempt && delay < cap_ms; i++)
    delay *= 2;
  return (guint) MIN (delay, (guint64) cap_ms);
}

guint
arw_restart_backoff_base_ms_from_env (void)
{
  return env_positive_uint ("ARW_RUNTIME_BACKOFF_BASE_MS", ARW_RESTART_BACKOFF_DEFAULT_BASE_MS);
}
