/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Supervision with real processes (tests/fake-runtime.c). No sleeps: every
 * wait iterates the main context until a condition holds or a generous
 * deadline passes. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "arw-error.h"
#include "arw-runtime-log.h"
#include "arw-supervisor.h"
#include "arw-test-utils.h"

#define DEADLINE_MS 20000

typedef struct {
  char *tmp;
  char *state_dir;
  char *bundle_dir;
  char *fake;
  ArwEventBus *bus;
  ArwSupervisor *supervisor;
  GPtrArray *events;  /* ArwEvent */
  GPtrArray *states;  /* state slugs seen in status-changed, in order */
  int exit_status;
  guint exits;
} Fixture;

/* ---- helpers ------------------------------------------------------------ */

#define wait_until(condition, data) arw_test_wait_until ((condition), (data), DEADLINE_MS)

typedef struct {
  ArwRuntime *runtime;
  ArwRuntimeState state;
  const char *summary;
} StateWait;

static gboolean
state_reached (gpointer data)
{
  StateWait *w = data;

  return arw_runtime_get_state (w->runtime) == w->state &&
         (w->summary == NULL || g_strcmp0 (arw_runtime_get_summary (w->runtime), w->summary) == 0);
}

static void
assert_reaches (ArwRuntime *runtime, ArwRuntimeState state, const char *summary)
{
  StateWait w = { runtime, state, summary };

  if (!wait_until (state_reached, &w))
    {
      g_autofree char *detail = g_strjoinv (" | ", (char **) arw_runtime_get_detail (runtime));
      g_error ("runtime %s stuck in %s \"%s\" (%s); wanted %s \"%s\"", arw_runtime_get_id (runtime),
               arw_runtime_state_to_slug (arw_runtime_get_state (runtime)),
               arw_runtime_get_summary (runtime), detail,
               arw_runtime_state_to_slug (state), summary != NULL ? summary : "*");
    }
}

static gboolean
runtime_stopped (gpointer data)
{
  return !arw_runtime_is_running (data);
}

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

static guint
count_lines (const char *path)
{
  g_autofree char *text = NULL;
  guint n = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  for (const char *p = text; *p != '\0'; p++)
    if (*p == '\n')
      n++;
  return n;
}

static gboolean
detail_contains (ArwRuntime *runtime, const char *needle)
{
  const char *const *detail = arw_runtime_get_detail (runtime);

  for (guint i = 0; detail[i] != NULL; i++)
    if (strstr (detail[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

static guint
count_events (Fixture *f, const char *topic)
{
  guint n = 0;

  for (guint i = 0; i < f->events->len; i++)
    if (g_str_equal (arw_event_get_topic (g_ptr_array_index (f->events, i)), topic))
      n++;
  return n;
}

static JsonObject *
last_event (Fixture *f, const char *topic)
{
  for (guint i = f->events->len; i > 0; i--)
    {
      ArwEvent *event = g_ptr_array_index (f->events, i - 1);
      if (g_str_equal (arw_event_get_topic (event), topic))
        return json_node_get_object (arw_event_get_payload (event));
    }
  return NULL;
}

static gboolean
seen_state (Fixture *f, const char *slug)
{
  for (guint i = 0; i < f->states->len; i++)
    if (g_str_equal (g_ptr_array_index (f->states, i), slug))
      return TRUE;
  return FALSE;
}

/* ---- fixture ------------------------------------------------------------ */

static void
event_cb (ArwEventBus *bus, ArwEvent *event, gpointer user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->events, arw_event_ref (event));
}

static void
status_cb (ArwSupervisor *supervisor, ArwRuntime *runtime, ArwRuntimeStatus *status, gpointer user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->states, (gpointer) arw_runtime_state_to_slug (status->state));
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->tmp = arw_test_mkdtemp ();
  f->state_dir = g_build_filename (f->tmp, "state", NULL);
  f->bundle_dir = g_build_filename (f->state_dir, "runtime", "bundles", "fake__00000000", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->bundle_dir, 0700), ==, 0);
  {
    g_autofree char *built = g_test_build_filename (G_TEST_BUILT, "fake-runtime", NULL);
    f->fake = g_canonicalize_filename (built, NULL);
  }
  g_assert_true (g_file_test (f->fake, G_FILE_TEST_IS_EXECUTABLE));
  f->bus = arw_event_bus_new (ARW_EVENT_BUS_DEFAULT_REPLAY);
  f->supervisor = arw_supervisor_new (f->bus, f->state_dir);
  f->events = g_ptr_array_new_with_free_func ((GDestroyNotify) arw_event_unref);
  f->states = g_ptr_array_new ();
  g_signal_connect (f->bus, "event", G_CALLBACK (event_cb), f);
  g_signal_connect (f->supervisor, "runtime-status-changed", G_CALLBACK (status_cb), f);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  arw_supervisor_shutdown_all (f->supervisor);
  g_clear_object (&f->supervisor);
  g_signal_handlers_disconnect_by_data (f->bus, f);
  g_clear_object (&f->bus);
  g_ptr_array_unref (f->events);
  g_ptr_array_unref (f->states);
  /* Let detached child watches of disposed runtimes finish. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  arw_test_rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->state_dir);
  g_free (f->bundle_dir);
  g_free (f->fake);
}

static void
exited_cb (ArwRuntime *runtime, int wait_status, const char *reason, gpointer user_data)
{
  Fixture *f = user_data;

  f->exit_status = wait_status;
  f->exits++;
}

/* A spec running fake-runtime in mode with a health URL on {{PORT}}. */
static ArwProcessSpec *
fake_spec (Fixture *f, const char *mode, gboolean with_health, guint startup_timeout_ms)
{
  g_autoptr(GStrvBuilder) args = g_strv_builder_new ();
  g_autofree char *mode_arg = g_strdup_printf ("--mode=%s", mode);
  g_autofree char *count = g_build_filename (f->tmp, "count.txt", NULL);
  g_autofree char *pids = g_build_filename (f->tmp, "grandchild.pid", NULL);
  ArwProcessSpec *spec = g_new0 (ArwProcessSpec, 1);

  spec->command = g_strdup (f->fake);
  g_strv_builder_add_many (args, "--port", "{{PORT}}", mode_arg, "--count-file", count,
                           "--pid-file", pids, NULL);
  spec->args = g_strv_builder_end (args);
  spec->env = g_new0 (char *, 1);
  if (with_health)
    {
      spec->health = g_new0 (ArwHealthSpec, 1);
      spec->health->url = g_strdup ("http://127.0.0.1:{{PORT}}/health");
      spec->health->method = g_strdup ("GET");
      spec->health->expect_status = 200;
      spec->health->timeout_ms = 2000;
      spec->health->startup_timeout_ms = startup_timeout_ms;
    }
  return spec;
}

static ArwRuntime *
add_fake (Fixture *f, const char *id, const char *mode, gboolean with_health, guint startup_timeout_ms)
{
  g_autoptr(ArwProcessSpec) spec = fake_spec (f, mode, with_health, startup_timeout_ms);
  g_autoptr(GError) error = NULL;
  ArwRuntime *runtime = arw_supervisor_add_runtime (f->supervisor, id, NULL, spec, f->bundle_dir, &error);

  g_assert_no_error (error);
  g_assert_nonnull (runtime);
  g_signal_connect (runtime, "exited", G_CALLBACK (exited_cb), f);
  return runtime;
}

static void
restore_no_restart (Fixture *f, const char *id)
{
  ArwRestoreOptions options = { .no_restart = TRUE };
  g_autoptr(GError) error = NULL;

  gboolean ok = arw_supervisor_restore (f->supervisor, id, &options, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
}


/* ---- tests -------------------------------------------------------------- */

static void
test_ok_ready (Fixture *f, gconstpointer data)
{
  ArwRuntime *runtime = add_fake (f, "fake/ok", "ok", TRUE, 0);
  g_autofree char *want_detail = NULL;
  JsonObject *changed;
  JsonObject *completed;
  JsonObject *requested;
  GPid pid;

  g_assert_cmpint (arw_runtime_get_state (runtime), ==, ARW_RUNTIME_STATE_OFFLINE);
  g_assert_cmpstr (arw_runtime_get_summary (runtime), ==, "Runtime registered; awaiting supervisor launch");
  restore_no_restart (f, "fake/ok");
  g_assert_cmpint (arw_runtime_get_state (runtime), ==, ARW_RUNTIME_STATE_STARTING);
  pid = arw_runtime_get_pid (runtime);
  g_assert_cmpint (pid, >, 0);
  g_assert_cmpint (getpgid (pid), ==, pid);
  assert_reaches (runtime, ARW_RUNTIME_STATE_READY, "Process healthy");

  g_assert_true (seen_state (f, "starting"));
  g_assert_cmpuint (arw_runtime_get_port (runtime), >, 0);
  want_detail = g_strdup_printf ("HTTP 200 http://127.0.0.1:%u/health", arw_runtime_get_port (runtime));
  g_assert_cmpstr (arw_runtime_get_detail (runtime)[0], ==, want_detail);

  requested = last_event (f, "runtime.restore.requested");
  g_assert_nonnull (requested);
  g_assert_cmpstr (json_object_get_string_member (requested, "runtime"), ==, "fake/ok");
  g_assert_false (json_object_get_boolean_member (requested, "restart"));
  g_assert_true (json_object_get_null_member (requested, "preset"));
  completed = last_event (f, "runtime.restore.completed");
  g_assert_nonnull (completed);
  g_assert_true (json_object_get_boolean_member (completed, "ok"));
  changed = last_event (f, "runtime.state.changed");
  g_assert_cmpstr (json_object_get_string_member (changed, "state"), ==, "ready");
  g_assert_cmpstr (json_object_get_string_member (changed, "state_label"), ==, "Ready");
  g_assert_cmpstr (json_object_get_string_member (changed, "severity_label"), ==, "Info");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (changed, "updated"), "+00:00"));
  /* no_restart: the budget is untouched. */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (changed, "restart_budget"), "used"), ==, 0);

  arw_supervisor_shutdown (f->supervisor, "fake/ok", NULL);
  assert_reaches (runtime, ARW_RUNTIME_STATE_OFFLINE, "Runtime stopped");
  g_assert_false (arw_runtime_is_running (runtime));
  g_assert_true (WIFSIGNALED (f->exit_status) && WTERMSIG (f->exit_status) == SIGTERM);
}

static void
test_crash_loop_budget (Fixture *f, gconstpointer data)
{
  ArwRuntime *runtime = add_fake (f, "fake/crash", "exit-now", TRUE, 0);
  g_autofree char *count = g_build_filename (f->tmp, "count.txt", NULL);
  g_autoptr(JsonNode) json = NULL;
  JsonObject *budget;

  /* ARW_RUNTIME_RESTART_MAX=2 (set in main): start + 2 restarts. */
  restore_no_restart (f, "fake/crash");
  assert_reaches (runtime, ARW_RUNTIME_STATE_ERROR, "Restart budget exhausted");
  g_assert_false (arw_runtime_is_running (runtime));
  g_assert_cmpuint (count_lines (count), ==, 3);
  g_assert_cmpuint (f->exits, ==, 3);
  g_assert_cmpint (arw_runtime_get_severity (runtime), ==, ARW_RUNTIME_SEVERITY_ERROR);
  g_assert_true (detail_contains (runtime, "process exited with status 1"));
  g_assert_true (detail_contains (runtime, "Restart budget: 0/2 remaining (resets at "));
  g_assert_true (detail_contains (runtime, "Automatic restart denied: restart budget exhausted."));
  g_assert_cmpuint (count_events (f, "runtime.restore.requested"), ==, 3);
  g_assert_cmpuint (count_events (f, "runtime.restore.completed"), ==, 3);
  g_assert_false (json_object_get_boolean_member (last_event (f, "runtime.restore.completed"), "ok"));

  json = arw_runtime_to_json (runtime);
  budget = json_object_get_object_member (json_node_get_object (json), "restart_budget");
  g_assert_cmpint (json_object_get_int_member (budget, "used"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (budget, "remaining"), ==, 0);
  g_assert_true (json_object_has_member (budget, "reset_at"));

  /* A counted user restore is refused now; an uncounted one still starts. */
  {
    ArwRestoreOptions counted = { .no_restart = FALSE };
    g_autoptr(GError) error = NULL;

    g_assert_false (arw_supervisor_restore (f->supervisor, "fake/crash", &counted, &error));
    g_assert_error (error, ARW_ERROR, ARW_ERROR_BUDGET_EXHAUSTED);
    g_assert_cmpuint (count_lines (count), ==, 3);
  }
}

static void
test_restart_after_crash (Fixture *f, gconstpointer data)
{
  ArwRuntime *runtime = add_fake (f, "fake/flaky", "ok", TRUE, 0);
  g_autofree char *count = g_build_filename (f->tmp, "count.txt", NULL);
  GPid first;

  restore_no_restart (f, "fake/flaky");
  assert_reaches (runtime, ARW_RUNTIME_STATE_READY, NULL);
  first = arw_runtime_get_pid (runtime);
  /* A crash is seen at once, restarted after the backoff, ready again. */
  g_assert_cmpint (kill (first, SIGKILL), ==, 0);
  assert_reaches (runtime, ARW_RUNTIME_STATE_ERROR, "Runtime failed health check");
  g_assert_true (detail_contains (runtime, "process exited with signal 9"));
  g_assert_true (detail_contains (runtime, "Automatic restart in"));
  g_assert_true (detail_contains (runtime, "Restart budget: 1/2 remaining (resets at "));
  assert_reaches (runtime, ARW_RUNTIME_STATE_READY, "Process healthy");
  g_assert_cmpint (arw_runtime_get_pid (runtime), !=, first);
  g_assert_cmpuint (count_lines (count), ==, 2);
  g_assert_true (json_object_get_boolean_member (last_event (f, "runtime.restore.requested"), "restart"));
  arw_runtime_shutdown (runtime);
  assert_reaches (runtime, ARW_RUNTIME_STATE_OFFLINE, "Runtime stopped");
}

static void
test_hang_grace (Fixture *f, gconstpointer data)
{
  ArwRuntime *runtime = add_fake (f, "fake/hang", "hang", TRUE, 500);

  arw_runtime_set_auto_restart (runtime, FALSE);
  restore_no_restart (f, "fake/hang");
  assert_reaches (runtime, ARW_RUNTIME_STATE_ERROR, "Runtime failed health check");
  g_assert_false (seen_state (f, "ready"));
  g_assert_true (detail_contains (runtime, "start-up grace"));
  g_assert_true (detail_contains (runtime, "health request error"));
  /* The hung process is stopped, not left behind. */
  g_assert_true (wait_until (runtime_stopped, runtime));
  g_assert_cmpuint (f->exits, ==, 1);
}

static void
test_503_forever (Fixture *f, gconstpointer data)
{
  ArwRuntime *runtime = add_fake (f, "fake/503", "503-forever", TRUE, 600);
  JsonObject *completed;

  arw_runtime_set_auto_restart (runtime, FALSE);
  restore_no_restart (f, "fake/503");
  assert_reaches (runtime, ARW_RUNTIME_STATE_ERROR, "Runtime failed health check");
  g_assert_false (seen_state (f, "ready"));
  g_assert_true (detail_contains (runtime, "health check failed: 503 http://127.0.0.1:"));
  completed = last_event (f, "runtime.restore.completed");
  g_assert_false (json_object_get_boolean_member (completed, "ok"));
  g_assert_nonnull (strstr (json_object_get_string_member (completed, "error"), "503"));
  g_assert_true (wait_until (runtime_stopped, runtime));
}

static void
test_slow_ready (Fixture *f, gconstpointer data)
{
  ArwRuntime *runtime = add_fake (f, "fake/slow", "slow-ready=700", TRUE, 0);

  /* ARW fails the first probe; the grace period lets it load. */
  restore_no_restart (f, "fake/slow");
  assert_reaches (runtime, ARW_RUNTIME_STATE_READY, "Process healthy");
  g_assert_false (seen_state (f, "error"));
}

static void
test_ignore_sigterm (Fixture *f, gconstpointer data)
{
  ArwRuntime *runtime = add_fake (f, "fake/stubborn", "ignore-sigterm", TRUE, 0);

  restore_no_restart (f, "fake/stubborn");
  assert_reaches (runtime, ARW_RUNTIME_STATE_READY, NULL);
  arw_runtime_shutdown (runtime);
  g_assert_true (arw_runtime_is_running (runtime));
  assert_reaches (runtime, ARW_RUNTIME_STATE_OFFLINE, "Runtime stopped");
  g_assert_true (WIFSIGNALED (f->exit_status));
  g_assert_cmpint (WTERMSIG (f->exit_status), ==, SIGKILL);
}

typedef struct {
  pid_t pid;
} PidWait;

/* Dead, whether reaped or a zombie reparented to us (we are a subreaper). */
static gboolean
pid_dead (gpointer data)
{
  PidWait *w = data;

  /* Reap it if it is our zombie; a zombie still answers kill(pid, 0). */
  waitpid (w->pid, NULL, WNOHANG);
  return kill (w->pid, 0) != 0 && errno == ESRCH;
}

static void
test_grandchild_killed (Fixture *f, gconstpointer data)
{
  ArwRuntime *runtime = add_fake (f, "fake/forker", "fork-grandchild", TRUE, 0);
  g_autofree char *pid_file = g_build_filename (f->tmp, "grandchild.pid", NULL);
  g_autofree char *text = NULL;
  PidWait w;

  restore_no_restart (f, "fake/forker");
  assert_reaches (runtime, ARW_RUNTIME_STATE_READY, NULL);
  g_assert_true (wait_until (file_exists, pid_file));
  g_assert_true (g_file_get_contents (pid_file, &text, NULL, NULL));
  w.pid = (pid_t) atoi (text);
  g_assert_cmpint (w.pid, >, 0);
  g_assert_cmpint (kill (w.pid, 0), ==, 0);
  g_assert_cmpint (getpgid (w.pid), ==, arw_runtime_get_pid (runtime));

  arw_runtime_shutdown (runtime);
  assert_reaches (runtime, ARW_RUNTIME_STATE_OFFLINE, "Runtime stopped");
  g_assert_true (wait_until (pid_dead, &w));
}

static void
test_double_restore (Fixture *f, gconstpointer data)
{
  ArwRuntime *runtime = add_fake (f, "fake/once", "ok", TRUE, 0);
  g_autofree char *count = g_build_filename (f->tmp, "count.txt", NULL);
  ArwRestoreOptions counted = { .no_restart = FALSE };
  g_autoptr(GError) error = NULL;
  GPid pid;

  restore_no_restart (f, "fake/once");
  pid = arw_runtime_get_pid (runtime);
  restore_no_restart (f, "fake/once");
  g_assert_cmpint (arw_runtime_get_pid (runtime), ==, pid);
  assert_reaches (runtime, ARW_RUNTIME_STATE_READY, NULL);
  g_assert_true (arw_supervisor_restore (f->supervisor, "fake/once", &counted, &error));
  g_assert_no_error (error);
  g_assert_cmpint (arw_runtime_get_pid (runtime), ==, pid);
  g_assert_cmpint (arw_runtime_get_state (runtime), ==, ARW_RUNTIME_STATE_READY);
  g_assert_cmpuint (count_lines (count), ==, 1);
  g_assert_cmpuint (count_events (f, "runtime.restore.requested"), ==, 1);
  /* Restoring a running runtime costs no budget. */
  g_assert_cmpuint (arw_restart_budget_get_remaining_at (arw_runtime_get_restart_budget (runtime),
                                                         g_get_monotonic_time ()), ==, 2);
}

static gboolean
strv_has_prefix (char **lines, const char *prefix)
{
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return TRUE;
  return FALSE;
}

/* Relative command in payload/, placeholders, scrubbed environment. */
static void
test_payload_placeholders_env (Fixture *f, gconstpointer data)
{
  g_autofree char *bin_dir = g_build_filename (f->bundle_dir, "payload", "bin", NULL);
  g_autofree char *link = g_build_filename (bin_dir, "engine", NULL);
  g_autofree char *env_file = g_build_filename (f->state_dir, "env.txt", NULL);
  g_autofree char *count = g_build_filename (f->bundle_dir, "count.txt", NULL);
  g_autofree char *want_spec_var = g_strdup_printf ("ARW_SPEC_VAR=%s/cache", f->state_dir);
  g_autofree char *env_text = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(ArwProcessSpec) spec = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  const char *const extra_env[] = { "CUDA_VISIBLE_DEVICES=GPU-1234", NULL };
  ArwRestoreOptions options = { .no_restart = TRUE, .extra_env = extra_env, .preset = "balanced" };
  ArwRuntime *runtime;

  g_assert_cmpint (g_mkdir_with_parents (bin_dir, 0700), ==, 0);
  g_assert_cmpint (symlink (f->fake, link), ==, 0);
  node = json_from_string ("{\"command\": \"bin/engine\","
                           " \"args\": [\"--port\", \"{{PORT}}\", \"--dump-env\", \"{{STATE_DIR}}/env.txt\","
                           "            \"--count-file\", \"{{BUNDLE_DIR}}/count.txt\"],"
                           " \"env\": {\"ARW_SPEC_VAR\": \"{{STATE_DIR}}/cache\"},"
                           " \"health\": {\"url\": \"http://127.0.0.1:{{PORT}}/health\","
                           "              \"expect_body\": \"ok\"}}", &error);
  g_assert_no_error (error);
  spec = arw_process_spec_new_from_json (node, &error);
  g_assert_no_error (error);
  runtime = arw_supervisor_add_runtime (f->supervisor, "fake/payload", "Fake", spec, f->bundle_dir, &error);
  g_assert_no_error (error);

  g_setenv ("ARW_SECRET_TOKEN", "must-not-leak", TRUE);
  g_setenv ("LC_MESSAGES", "C", TRUE);
  g_assert_true (arw_runtime_restore (runtime, &options, &error));
  g_assert_no_error (error);
  g_unsetenv ("ARW_SECRET_TOKEN");
  assert_reaches (runtime, ARW_RUNTIME_STATE_READY, "Process healthy");
  g_assert_cmpuint (count_lines (count), ==, 1);

  g_assert_true (g_file_get_contents (env_file, &env_text, NULL, NULL));
  lines = g_strsplit (env_text, "\n", -1);
  g_assert_true (strv_has_prefix (lines, want_spec_var));
  g_assert_true (strv_has_prefix (lines, "CUDA_VISIBLE_DEVICES=GPU-1234"));
  g_assert_true (strv_has_prefix (lines, "LC_MESSAGES=C"));
  g_assert_true (strv_has_prefix (lines, "PATH=") == (g_getenv ("PATH") != NULL));
  g_assert_false (strv_has_prefix (lines, "ARW_SECRET_TOKEN="));
  g_assert_false (strv_has_prefix (lines, "G_TEST_SRCDIR="));
  g_assert_false (strv_has_prefix (lines, "ARW_STATE_DIR="));
  g_assert_true (g_str_has_prefix (arw_runtime_get_detail (runtime)[0], "HTTP 200 http://127.0.0.1:"));
  g_assert_cmpstr (json_object_get_string_member (last_event (f, "runtime.restore.requested"), "preset"),
                   ==, "balanced");
}

static gboolean
log_has_cuda_line (gpointer data)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (data, &text, NULL, NULL) && strstr (text, "CUDA error") != NULL;
}

static void
test_log_capture (Fixture *f, gconstpointer data)
{
  ArwRuntime *runtime = add_fake (f, "llama.cpp-preview/linux-x86_64-cuda", "gpu-fail", FALSE, 0);
  g_autofree char *want_path = g_build_filename (f->state_dir, "runtime", "logs",
                                                 "llama.cpp-preview__linux-x86_64-cuda__cf51e580.log", NULL);
  g_autofree char *log = NULL;
  g_auto(GStrv) tail = NULL;

  arw_runtime_set_auto_restart (runtime, FALSE);
  g_assert_cmpstr (arw_runtime_get_log_path (runtime), ==, want_path);
  restore_no_restart (f, "llama.cpp-preview/linux-x86_64-cuda");
  assert_reaches (runtime, ARW_RUNTIME_STATE_ERROR, "Runtime failed health check");
  g_assert_cmpstr (arw_runtime_get_detail (runtime)[0], ==, "process exited with status 1");
  g_assert_true (detail_contains (runtime, "Last output: ggml_cuda_init: CUDA error"));
  g_assert_true (wait_until (log_has_cuda_line, want_path));
  g_assert_true (g_file_get_contents (want_path, &log, NULL, NULL));
  g_assert_nonnull (strstr (log, "fake-runtime: started pid="));
  g_assert_nonnull (strstr (log, "fake-runtime: hello on stderr"));
  tail = arw_runtime_get_log_tail (runtime);
  g_assert_cmpuint (g_strv_length (tail), ==, 3);
}

static void
test_missing_command (Fixture *f, gconstpointer data)
{
  g_autoptr(ArwProcessSpec) spec = fake_spec (f, "ok", TRUE, 0);
  g_autoptr(GError) error = NULL;
  ArwRestoreOptions options = { .no_restart = TRUE };
  ArwRuntime *runtime;

  g_free (spec->command);
  spec->command = g_strdup ("bin/not-installed");
  runtime = arw_supervisor_add_runtime (f->supervisor, "fake/missing", NULL, spec, f->bundle_dir, &error);
  g_assert_no_error (error);
  g_assert_false (arw_runtime_restore (runtime, &options, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_cmpint (arw_runtime_get_state (runtime), ==, ARW_RUNTIME_STATE_ERROR);
  g_assert_cmpstr (arw_runtime_get_summary (runtime), ==, "Restore failed");
  g_assert_false (json_object_get_boolean_member (last_event (f, "runtime.restore.completed"), "ok"));
}

static void
test_shutdown_all (Fixture *f, gconstpointer data)
{
  ArwRuntime *a = add_fake (f, "fake/a", "ok", TRUE, 0);
  ArwRuntime *b = add_fake (f, "fake/b", "ignore-sigterm", FALSE, 0);
  ArwRuntime *c = add_fake (f, "fake/c", "exit-now", FALSE, 0);
  g_autoptr(GError) error = NULL;

  restore_no_restart (f, "fake/a");
  restore_no_restart (f, "fake/b");
  restore_no_restart (f, "fake/c");
  assert_reaches (b, ARW_RUNTIME_STATE_READY, "Process running");
  arw_supervisor_shutdown_all (f->supervisor);
  g_assert_false (arw_runtime_is_running (a));
  g_assert_false (arw_runtime_is_running (b));
  g_assert_false (arw_runtime_is_running (c));
  g_assert_cmpint (arw_runtime_get_state (a), ==, ARW_RUNTIME_STATE_OFFLINE);
  g_assert_cmpint (arw_runtime_get_state (c), ==, ARW_RUNTIME_STATE_OFFLINE);

  g_assert_true (arw_supervisor_remove_runtime (f->supervisor, "fake/a", &error));
  g_assert_no_error (error);
  g_assert_null (arw_supervisor_lookup (f->supervisor, "fake/a"));
  g_assert_false (arw_supervisor_remove_runtime (f->supervisor, "fake/a", &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
}

static void
test_add_installed (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->bundle_dir, "bundle.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(JsonNode) snapshot = NULL;
  ArwRuntime *runtime;

  g_assert_true (g_file_set_contents (path,
    "{\"bundle\": {\"id\": \"piper-preview/linux-x86_64-cpu\", \"name\": \"Piper\","
    " \"metadata\": {\"process\": {\"command\": \"bin/piper\", \"health_probe\": \"http://127.0.0.1:1/\"}}},"
    " \"installed_at\": \"2025-10-12T00:00:00.000Z\"}", -1, NULL));
  runtime = arw_supervisor_add_installed (f->supervisor, f->bundle_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (arw_runtime_get_id (runtime), ==, "piper-preview/linux-x86_64-cpu");
  g_assert_cmpstr (arw_runtime_get_name (runtime), ==, "Piper");
  g_assert_cmpstr (arw_runtime_get_source (runtime), ==, "bundle:piper-preview/linux-x86_64-cpu");
  g_assert_null (arw_supervisor_add_installed (f->supervisor, f->bundle_dir, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_ALREADY_EXISTS);

  list = arw_supervisor_list_runtimes (f->supervisor);
  g_assert_cmpuint (list->len, ==, 1);
  snapshot = arw_supervisor_snapshot (f->supervisor);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (snapshot), "runtimes")), ==, 1);
}

/* ---- the supervisor's own process dies --------------------------------- */

static void
host_ready_cb (ArwRuntime *runtime, ArwRuntimeStatus *status, gpointer user_data)
{
  const char *pid_file = user_data;
  g_autofree char *text = NULL;

  if (status->state != ARW_RUNTIME_STATE_READY || g_file_test (pid_file, G_FILE_TEST_EXISTS))
    return;
  text = g_strdup_printf ("%d\n", (int) arw_runtime_get_pid (runtime));
  g_file_set_contents (pid_file, text, -1, NULL);
}

/* test-supervisor --host-runtime DIR FAKE: supervise one fake runtime
 * until killed; write its pid to DIR/runtime.pid once it is ready. */
static int
host_runtime (const char *dir, const char *fake)
{
  g_autoptr(ArwSupervisor) supervisor = arw_supervisor_new (NULL, dir);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *pid_file = g_build_filename (dir, "runtime.pid", NULL);
  g_autoptr(ArwProcessSpec) spec = g_new0 (ArwProcessSpec, 1);
  ArwRestoreOptions options = { .no_restart = TRUE };
  g_autoptr(GError) error = NULL;
  ArwRuntime *runtime;

  spec->command = g_strdup (fake);
  spec->args = g_strsplit ("--port {{PORT}} --mode=ok", " ", -1);
  spec->env = g_new0 (char *, 1);
  runtime = arw_supervisor_add_runtime (supervisor, "host/fake", NULL, spec, NULL, &error);
  if (runtime == NULL)
    return 2;
  g_signal_connect (runtime, "status-changed", G_CALLBACK (host_ready_cb), pid_file);
  if (!arw_runtime_restore (runtime, &options, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  g_main_loop_run (loop);
  return 0;
}

/* reliability.md F41: SIGKILL the supervisor → no runtime survives. */
static void
test_host_killed (Fixture *f, gconstpointer data)
{
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *pid_file = g_build_filename (f->tmp, "runtime.pid", NULL);
  g_autofree char *text = NULL;
  const char *argv[] = { self_exe, "--host-runtime", f->tmp, f->fake, NULL };
  g_autoptr(GError) error = NULL;
  GPid host = 0;
  PidWait w;
  int status;

  g_assert_nonnull (self_exe);
  g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &host, &error);
  g_assert_no_error (error);
  g_assert_true (wait_until (file_exists, pid_file));
  g_assert_true (g_file_get_contents (pid_file, &text, NULL, NULL));
  w.pid = (pid_t) atoi (text);
  g_assert_cmpint (w.pid, >, 0);
  g_assert_cmpint (kill (w.pid, 0), ==, 0);

  g_assert_cmpint (kill (host, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (host, &status, 0), ==, host);
  g_assert_true (WIFSIGNALED (status));
  /* PR_SET_PDEATHSIG takes the runtime down with its supervisor. */
  g_assert_true (wait_until (pid_dead, &w));
}

/* ---- pure units: status, event bus, log --------------------------------- */

static void
test_status_labels (void)
{
  ArwRuntimeState state;
  ArwRuntimeSeverity severity;
  g_autoptr(ArwRuntimeStatus) status = arw_runtime_status_new (ARW_RUNTIME_STATE_OFFLINE,
                                                               ARW_RUNTIME_SEVERITY_INFO, NULL, NULL);
  g_autoptr(ArwRuntimeStatus) denied = arw_runtime_status_new_budget_exhausted (NULL, "Restart budget: 0/3 remaining");
  g_autoptr(ArwRuntimeStatus) requested = arw_runtime_status_new_restore_requested ("fast", FALSE, "h");
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *text = NULL;
  const char *const want_requested[] = { "Preset: fast", "Restart flag disabled", "h", NULL };

  g_assert_cmpstr (arw_runtime_state_to_slug (ARW_RUNTIME_STATE_DEGRADED), ==, "degraded");
  g_assert_cmpstr (arw_runtime_state_to_label (ARW_RUNTIME_STATE_OFFLINE), ==, "Offline");
  g_assert_cmpstr (arw_runtime_severity_to_label (ARW_RUNTIME_SEVERITY_WARN), ==, "Warn");
  g_assert_true (arw_runtime_state_from_slug ("ok", &state) && state == ARW_RUNTIME_STATE_READY);
  g_assert_true (arw_runtime_state_from_slug ("start", &state) && state == ARW_RUNTIME_STATE_STARTING);
  g_assert_true (arw_runtime_state_from_slug ("disabled", &state) && state == ARW_RUNTIME_STATE_OFFLINE);
  g_assert_true (arw_runtime_state_from_slug ("Error", &state) && state == ARW_RUNTIME_STATE_ERROR);
  g_assert_false (arw_runtime_state_from_slug ("restarting", &state));
  g_assert_true (arw_runtime_severity_from_slug ("warning", &severity) && severity == ARW_RUNTIME_SEVERITY_WARN);
  g_assert_false (arw_runtime_severity_from_slug ("fatal", &severity));

  g_assert_cmpstr (status->summary, ==, "state set to Offline");
  g_assert_cmpstr (denied->detail[0], ==, "Automatic restart denied: restart budget exhausted.");
  g_assert_cmpstr (denied->detail[2], ==,
                   "Adjust ARW_RUNTIME_RESTART_MAX or ARW_RUNTIME_RESTART_WINDOW_SEC to change the budget.");
  g_assert_true (g_strv_equal ((const char *const *) requested->detail, want_requested));

  status->updated_us = (gint64) 1735689600 * G_USEC_PER_SEC;
  json = arw_runtime_status_to_json (status, "x", NULL);
  text = json_to_string (json, FALSE);
  g_assert_cmpstr (text, ==,
                   "{\"id\":\"x\",\"state\":\"offline\",\"severity\":\"info\",\"summary\":\"state set to Offline\","
                   "\"detail\":[],\"updated\":\"2025-01-01T00:00:00+00:00\",\"state_label\":\"Offline\","
                   "\"severity_label\":\"Info\"}");
}

static void
count_cb (ArwEventBus *bus, ArwEvent *event, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_event_bus (void)
{
  g_autoptr(ArwEventBus) bus = arw_event_bus_new (256);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) recent = NULL;
  g_autoptr(JsonNode) envelope = NULL;
  JsonObject *object;
  guint state_events = 0;
  guint every_event = 0;

  g_signal_connect (bus, "event::runtime.state.changed", G_CALLBACK (count_cb), &state_events);
  g_signal_connect (bus, "event", G_CALLBACK (count_cb), &every_event);
  for (guint i = 0; i < 300; i++)
    {
      g_autoptr(JsonNode) payload = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (payload, json_object_new ());
      json_object_set_int_member (json_node_get_object (payload), "n", i);
      g_assert_cmpuint (arw_event_bus_publish (bus, i % 3 == 0 ? "runtime.state.changed" : "other.topic", payload),
                        ==, i + 1);
    }
  g_assert_cmpuint (state_events, ==, 100);
  g_assert_cmpuint (every_event, ==, 300);
  g_assert_cmpuint (arw_event_bus_get_last_id (bus), ==, 300);

  all = arw_event_bus_get_replay (bus, 0);
  g_assert_cmpuint (all->len, ==, 256);
  g_assert_cmpuint (arw_event_get_id (g_ptr_array_index (all, 0)), ==, 45);
  recent = arw_event_bus_get_replay (bus, 298);
  g_assert_cmpuint (recent->len, ==, 2);
  envelope = arw_event_to_json (g_ptr_array_index (recent, 1));
  object = json_node_get_object (envelope);
  g_assert_cmpint (json_object_get_int_member (object, "id"), ==, 300);
  g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "other.topic");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (object, "time"), "Z"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (object, "payload"), "n"), ==, 299);
}

static void
test_log_rotation (void)
{
  g_autofree char *tmp = arw_test_mkdtemp ();
  g_autofree char *path = g_build_filename (tmp, "logs", "r.log", NULL);
  g_autofree char *one = g_strconcat (path, ".1", NULL);
  g_autofree char *two = g_strconcat (path, ".2", NULL);
  g_autofree char *three = g_strconcat (path, ".3", NULL);
  g_autoptr(ArwRuntimeLog) log = arw_runtime_log_new (path, 100, 2);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tail = NULL;
  char line[41];
  GStatBuf st;

  memset (line, 'x', 39);
  line[39] = '\n';
  line[40] = '\0';
  g_assert_true (arw_runtime_log_open (log, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 10; i++)
    arw_runtime_log_write (log, line, 40);
  arw_runtime_log_write (log, "last line\npartial", 17);
  g_assert_true (g_file_test (one, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (two, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (three, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, <=, 100);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpstr (arw_runtime_log_get_last_line (log), ==, "last line");
  tail = arw_runtime_log_get_tail (log);
  g_assert_cmpuint (g_strv_length (tail), ==, 12);
  g_assert_cmpstr (tail[11], ==, "partial");

  /* Reopening a file already over the cap rotates it first. */
  arw_runtime_log_close (log);
  arw_runtime_log_set_limits (log, 10, 2);
  g_assert_true (arw_runtime_log_open (log, &error));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 0);
  arw_runtime_log_close (log);
  arw_test_rm_rf (tmp);
}

int
main (int argc, char **argv)
{
  if (argc == 4 && g_str_equal (argv[1], "--host-runtime"))
    return host_runtime (argv[2], argv[3]);

  g_setenv ("ARW_RUNTIME_HEALTH_INTERVAL_MS", "100", TRUE);
  g_setenv ("ARW_RUNTIME_BACKOFF_BASE_MS", "20", TRUE);
  g_setenv ("ARW_RUNTIME_STOP_TIMEOUT_MS", "400", TRUE);
  g_setenv ("ARW_RUNTIME_RESTART_MAX", "2", TRUE);
  g_setenv ("ARW_RUNTIME_RESTART_WINDOW_SEC", "600", TRUE);
  g_setenv ("ARW_RUNTIME_STARTUP_TIMEOUT_MS", "15000", TRUE);
  /* Orphaned grandchildren are reparented to us, so we can reap them. */
  prctl (PR_SET_CHILD_SUBREAPER, 1);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arw/supervisor/status-labels", test_status_labels);
  g_test_add_func ("/arw/supervisor/event-bus", test_event_bus);
  g_test_add_func ("/arw/supervisor/log-rotation", test_log_rotation);
#define ADD(path, fn) g_test_add ("/arw/supervisor/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("ok-ready", test_ok_ready);
  ADD ("crash-loop-budget", test_crash_loop_budget);
  ADD ("restart-after-crash", test_restart_after_crash);
  ADD ("hang-grace", test_hang_grace);
  ADD ("503-forever", test_503_forever);
  ADD ("slow-ready", test_slow_ready);
  ADD ("ignore-sigterm", test_ignore_sigterm);
  ADD ("grandchild-killed", test_grandchild_killed);
  ADD ("double-restore", test_double_restore);
  ADD ("payload-placeholders-env", test_payload_placeholders_env);
  ADD ("log-capture", test_log_capture);
  ADD ("missing-command", test_missing_command);
  ADD ("shutdown-all", test_shutdown_all);
  ADD ("add-installed", test_add_installed);
  ADD ("host-killed", test_host_killed);
#undef ADD
  return g_test_run ();
}
