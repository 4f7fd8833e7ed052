/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "arw-error.h"
#include "arw-runtime.h"
#include "arw-paths.h"
#include "arw-runtime-log.h"
#include "arw-sha256.h"

#define PIPE_READ_CHUNK 16384
#define PIPE_READS_PER_DISPATCH 8

typedef enum {
  PHASE_IDLE,     /* no process, nothing scheduled */
  PHASE_RUNNING,  /* process alive (starting or ready) */
  PHASE_FAILING,  /* health failed: process being stopped, then restarted */
  PHASE_STOPPING, /* shutdown requested: process being stopped */
  PHASE_BACKOFF,  /* waiting to restart automatically */
} Phase;

typedef struct _Launch Launch;
typedef struct _Probe Probe;

/* One spawned process. Owned by its wait callback, which always runs once;
 * the runtime only borrows it and detaches (runtime = NULL) on dispose. */
struct _Launch {
  ArwRuntime *runtime;
  GPid pid;
  int pipe_fd;
  guint pipe_source;
  ArwProcessSpec *expanded;
  char *failure; /* set when the supervisor decided the launch failed */
};

/* One health request. Owned by its completion callback. */
struct _Probe {
  ArwRuntime *runtime;
  GCancellable *cancellable;
  guint timeout_source;
  gboolean timed_out;
  guint timeout_ms;
  char *url;
  SoupMessage *msg;
};

struct _ArwRuntime {
  GObject parent_instance;

  char *id;
  char *name;
  char *adapter;
  char *source;
  char *bundle_dir;
  char *state_dir;
  ArwProcessSpec *spec;
  ArwEventBus *bus;
  ArwRuntimeTuning tuning;
  ArwRestartBudget *budget;
  ArwRuntimeStatus *status;
  ArwRuntimeLog *log;
  gboolean auto_restart;

  Phase phase;
  Launch *launch;
  Probe *probe;
  SoupSession *session;
  guint port;
  guint probe_source;
  guint backoff_source;
  guint kill_source;
  gint64 started_mono_us;
  gint64 grace_deadline_mono_us;
  gboolean ever_ready;
  char *last_probe_error;
  guint consecutive_failures;

  /* Remembered from the last user restore for automatic restarts. */
  char *preset;
  GStrv extra_env;
  gboolean job_pending;
  char *job_id;

  GList *shutdown_tasks; /* GTask */

  /* Set by the owner (e.g. CPU fallback): a ready runtime is shown as
   * degraded/warn with this summary. */
  char *degraded_summary;
  gboolean timing; /* ARW_RUNTIME_TIMING: monotonic timestamps in the log */
  guint startup_probes; /* failed probes before the first ready */
};

G_DEFINE_FINAL_TYPE (ArwRuntime, arw_runtime, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_ADAPTER,
  PROP_SOURCE,
  PROP_BUNDLE_DIR,
  PROP_STATE_DIR,
  PROP_SPEC,
  PROP_EVENT_BUS,
  PROP_AUTO_RESTART,
  PROP_STATE,
  PROP_SEVERITY,
  PROP_SUMMARY,
  PROP_DETAIL,
  PROP_STATUS,
  PROP_PID,
  PROP_PORT,
  PROP_LOG_PATH,
  PROP_ACTIVE,
  PROP_DEGRADED_SUMMARY,
  N_PROPS
};

enum { SIGNAL_STATUS_CHANGED, SIGNAL_EXITED, N_SIGNALS };

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void schedule_probe (ArwRuntime *self, guint delay_ms);
static void handle_failure (ArwRuntime *self, const char *reason);

/* Every phase change goes through here so "active" can be watched (the
 * helper holds itself while a runtime runs or waits to restart). */
static void
set_phase (ArwRuntime *self, Phase phase)
{
  gboolean was_active = self->phase != PHASE_IDLE;

  self->phase = phase;
  if (was_active != (phase != PHASE_IDLE))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

/* ---- environment and tuning ------------------------------------------ */

static guint
env_uint (const char *name, guint fallback, guint min)
{
  const char *value = g_getenv (name);
  guint64 parsed = 0;

  if (value == NULL || *value == '\0')
    return fallback;
  if (!g_ascii_string_to_unsigned (value, 10, min, G_MAXUINT, &parsed, NULL))
    {
      g_warning ("ignoring %s=%s: expected an integer of at least %u", name, value, min);
      return fallback;
    }
  return (guint) parsed;
}

void
arw_runtime_tuning_init_from_env (ArwRuntimeTuning *tuning)
{
  g_return_if_fail (tuning != NULL);

  tuning->health_interval_ms = env_uint ("ARW_RUNTIME_HEALTH_INTERVAL_MS",
                                         ARW_RUNTIME_DEFAULT_HEALTH_INTERVAL_MS,
                                         ARW_RUNTIME_MIN_HEALTH_INTERVAL_MS);
  tuning->startup_timeout_ms = env_uint ("ARW_RUNTIME_STARTUP_TIMEOUT_MS",
                                         ARW_RUNTIME_DEFAULT_STARTUP_TIMEOUT_MS, 0);
  tuning->stop_timeout_ms = env_uint ("ARW_RUNTIME_STOP_TIMEOUT_MS",
                                      ARW_RUNTIME_DEFAULT_STOP_TIMEOUT_MS, 1);
  tuning->backoff_base_ms = arw_restart_backoff_base_ms_from_env ();
  tuning->backoff_cap_ms = ARW_RESTART_BACKOFF_DEFAULT_CAP_MS;
  tuning->log_max_bytes = env_uint ("ARW_RUNTIME_LOG_MAX_BYTES", ARW_RUNTIME_DEFAULT_LOG_MAX_BYTES, 0);
  tuning->log_keep = ARW_RUNTIME_DEFAULT_LOG_KEEP;
}

/* Variables a runtime inherits from us; everything else is dropped
 * (LD_PRELOAD, LD_LIBRARY_PATH, tokens, proxies…). */
static gboolean
env_name_kept (const char *entry)
{
  static const char *const kept[] = { "PATH=", "HOME=", "LANG=", "XDG_RUNTIME_DIR=" };

  if (g_str_has_prefix (entry, "LC_") && strchr (entry, '=') != NULL)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    if (g_str_has_prefix (entry, kept[i]))
      return TRUE;
  return FALSE;
}

static char **
environ_set_entry (char **envp, const char *entry)
{
  const char *eq = strchr (entry, '=');
  g_autofree char *name = NULL;

  if (eq == NULL || eq == entry)
    return envp;
  name = g_strndup (entry, eq - entry);
  return g_environ_setenv (envp, name, eq + 1, TRUE);
}

static GStrv
build_environment (const ArwProcessSpec *spec, const char *const *extra_env)
{
  g_auto(GStrv) parent = g_get_environ ();
  char **envp = g_new0 (char *, 1);

  for (guint i = 0; parent[i] != NULL; i++)
    if (env_name_kept (parent[i]))
      envp = environ_set_entry (envp, parent[i]);
  for (guint i = 0; spec->env[i] != NULL; i++)
    envp = environ_set_entry (envp, spec->env[i]);
  for (guint i = 0; extra_env != NULL && extra_env[i] != NULL; i++)
    envp = environ_set_entry (envp, extra_env[i]);
  return envp;
}

/* ARW's installed directory name (§3.2): the id with unsafe characters
 * replaced, "__", and 8 hex digits of SHA-256(id). */
static char *
dir_name_for_id (const char *id)
{
  g_autoptr(GString) name = g_string_new (NULL);
  g_autofree char *hex = arw_sha256_hex (id, strlen (id));

  for (const char *p = id; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (c < 0x80 && (g_ascii_isalnum ((char) c) || strchr ("-_.", (char) c) != NULL))
        g_string_append_c (name, (char) c);
      else if (c == '/' || c == '\\')
        g_string_append (name, "__");
      else
        g_string_append_c (name, '_');
    }
  if (name->len == 0)
    g_string_append (name, "bundle");
  g_string_append_printf (name, "__%.8s", hex);
  return g_string_free (g_steal_pointer (&name), FALSE);
}

/* A free loopback port: bind 127.0.0.1:0, read it, close. */
static guint
pick_free_port (GError **error)
{
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  guint port = 0;

  if (fd < 0)
    goto fail;
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) != 0 ||
      getsockname (fd, (struct sockaddr *) &addr, &len) != 0)
    goto fail;
  port = ntohs (addr.sin_port);
  close (fd);
  return port;

fail:
  {
    int saved = errno;
    if (fd >= 0)
      close (fd);
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 "cannot pick a free loopback port: %s", g_strerror (saved));
    return 0;
  }
}

/* ---- status and events ----------------------------------------------- */

static char *
budget_hint (ArwRuntime *self)
{
  return arw_restart_budget_hint (self->budget);
}

static void
publish (ArwRuntime *self, const char *topic, JsonNode *payload)
{
  if (self->bus != NULL)
    arw_event_bus_publish_take (self->bus, topic, payload);
  else
    json_node_unref (payload);
}

static void
apply_status (ArwRuntime *self, ArwRuntimeStatus *status)
{
  g_autoptr(ArwRuntimeStatus) old = self->status;
  GObject *object = G_OBJECT (self);

  if (arw_runtime_status_equal (old, status))
    {
      old->updated_us = status->updated_us;
      arw_runtime_status_free (status);
      self->status = g_steal_pointer (&old);
      return;
    }
  self->status = status;
  g_object_freeze_notify (object);
  if (old->state != status->state)
    g_object_notify_by_pspec (object, properties[PROP_STATE]);
  if (old->severity != status->severity)
    g_object_notify_by_pspec (object, properties[PROP_SEVERITY]);
  if (g_strcmp0 (old->summary, status->summary) != 0)
    g_object_notify_by_pspec (object, properties[PROP_SUMMARY]);
  if (!g_strv_equal ((const char *const *) old->detail, (const char *const *) status->detail))
    g_object_notify_by_pspec (object, properties[PROP_DETAIL]);
  g_object_notify_by_pspec (object, properties[PROP_STATUS]);
  g_object_thaw_notify (object);
  g_debug ("runtime %s: %s — %s", self->id, arw_runtime_state_to_slug (status->state), status->summary);
  g_signal_emit (self, signals[SIGNAL_STATUS_CHANGED], 0, self->status);
  publish (self, "runtime.state.changed", arw_runtime_to_json (self));
}

static void
publish_restore_requested (ArwRuntime *self, gboolean restart)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "runtime");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "restart");
  json_builder_add_boolean_value (builder, restart);
  json_builder_set_member_name (builder, "preset");
  if (self->preset != NULL)
    json_builder_add_string_value (builder, self->preset);
  else
    json_builder_add_null_value (builder);
  if (self->job_id != NULL)
    {
      json_builder_set_member_name (builder, "job_id");
      json_builder_add_string_value (builder, self->job_id);
    }
  json_builder_end_object (builder);
  publish (self, "runtime.restore.requested", json_builder_get_root (builder));
}

/* Publishes runtime.restore.completed once per restore: error NULL = ok. */
static void
complete_job (ArwRuntime *self, const char *error_text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (!self->job_pending)
    return;
  self->job_pending = FALSE;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "runtime");
  json_builder_add_string_value (builder, self->id);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, error_text == NULL);
  if (error_text != NULL)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, error_text);
    }
  if (self->job_id != NULL)
    {
      json_builder_set_member_name (builder, "job_id");
      json_builder_add_string_value (builder, self->job_id);
    }
  json_builder_end_object (builder);
  publish (self, "runtime.restore.completed", json_builder_get_root (builder));
}

/* ---- process group signalling ----------------------------------------- */

static void
signal_group (GPid pgid, int signum)
{
  if (pgid <= 0)
    return;
  if (kill (-pgid, signum) != 0 && errno != ESRCH)
    g_debug ("cannot send signal %d to process group %d: %s", signum, pgid, g_strerror (errno));
}

static gboolean
kill_timeout_cb (gpointer user_data)
{
  ArwRuntime *self = user_data;

  self->kill_source = 0;
  if (self->launch != NULL)
    {
      arw_runtime_log_note (self->log, "process group %d ignored SIGTERM for %u ms: sending SIGKILL",
                            self->launch->pid, self->tuning.stop_timeout_ms);
      signal_group (self->launch->pid, SIGKILL);
    }
  return G_SOURCE_REMOVE;
}

/* SIGTERM now, SIGKILL after the stop timeout. */
static void
terminate_launch (ArwRuntime *self)
{
  if (self->launch == NULL)
    return;
  signal_group (self->launch->pid, SIGTERM);
  if (self->kill_source == 0)
    self->kill_source = g_timeout_add (self->tuning.stop_timeout_ms, kill_timeout_cb, self);
}

/* ---- output pipe -------------------------------------------------------- */

/* Reads what is available; FALSE at end of file or on error. */
static gboolean
drain_pipe (Launch *launch, guint max_reads)
{
  char buf[PIPE_READ_CHUNK];

  for (guint i = 0; i < max_reads; i++)
    {
      gssize n = read (launch->pipe_fd, buf, sizeof buf);
      if (n > 0)
        {
          if (launch->runtime != NULL)
            arw_runtime_log_write (launch->runtime->log, buf, (gsize) n);
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
  return TRUE;
}

static gboolean
pipe_readable_cb (int fd, GIOCondition condition, gpointer user_data)
{
  Launch *launch = user_data;

  if (drain_pipe (launch, PIPE_READS_PER_DISPATCH))
    return G_SOURCE_CONTINUE;
  launch->pipe_source = 0;
  return G_SOURCE_REMOVE;
}

static void
launch_stop_reading (Launch *launch)
{
  if (launch->pipe_source != 0)
    {
      drain_pipe (launch, G_MAXUINT);
      g_source_remove (launch->pipe_source);
      launch->pipe_source = 0;
    }
}

static void
launch_free (Launch *launch)
{
  if (launch->pipe_source != 0)
    g_source_remove (launch->pipe_source);
  if (launch->pipe_fd >= 0)
    g_close (launch->pipe_fd, NULL);
  g_spawn_close_pid (launch->pid);
  g_clear_pointer (&launch->expanded, arw_process_spec_free);
  g_free (launch->failure);
  g_free (launch);
}

/* ---- health probing ------------------------------------------------------ */

static void
probe_free (Probe *probe)
{
  g_clear_handle_id (&probe->timeout_source, g_source_remove);
  g_clear_object (&probe->cancellable);
  g_clear_object (&probe->msg);
  g_free (probe->url);
  g_free (probe);
}

static void
detach_probe (ArwRuntime *self)
{
  g_clear_handle_id (&self->probe_source, g_source_remove);
  if (self->probe != NULL)
    {
      self->probe->runtime = NULL;
      g_cancellable_cancel (self->probe->cancellable);
      self->probe = NULL;
    }
}

/* A ready status turned into degraded/warn "<degraded_summary>" with the
 * original summary as the first detail line. */
static ArwRuntimeStatus *
degrade_status (ArwRuntime *self, ArwRuntimeStatus *status)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) detail = NULL;
  ArwRuntimeStatus *degraded;

  if (self->degraded_summary == NULL)
    return status;
  g_strv_builder_add (builder, status->summary);
  g_strv_builder_addv (builder, (const char **) status->detail);
  detail = g_strv_builder_end (builder);
  degraded = arw_runtime_status_new (ARW_RUNTIME_STATE_DEGRADED, ARW_RUNTIME_SEVERITY_WARN,
                                     self->degraded_summary, (const char *const *) detail);
  arw_runtime_status_free (status);
  return degraded;
}

static void
mark_ready (ArwRuntime *self, ArwRuntimeStatus *status)
{
  apply_status (self, degrade_status (self, status));
  if (!self->ever_ready)
    {
      self->ever_ready = TRUE;
      self->consecutive_failures = 0;
      g_clear_pointer (&self->last_probe_error, g_free);
      arw_runtime_log_note (self->log, "runtime ready: %s", self->status->summary);
    }
  complete_job (self, NULL);
}

static void
probe_failed (ArwRuntime *self, const char *message)
{
  if (!self->ever_ready && g_get_monotonic_time () < self->grace_deadline_mono_us)
    {
      /* Start-up grace period: a slow model load is not a failure yet.
       * Probe again soon (25 ms, doubling up to the interval) so that
       * "ready" is not reported a whole interval late. */
      guint delay = MIN (self->tuning.health_interval_ms, 25u << MIN (self->startup_probes, 10u));
      self->startup_probes++;
      g_free (self->last_probe_error);
      self->last_probe_error = g_strdup (message);
      schedule_probe (self, delay);
      return;
    }
  if (!self->ever_ready)
    {
      g_autofree char *reason = g_strdup_printf ("runtime not ready after %u ms start-up grace: %s",
                                                 (guint) ((self->grace_deadline_mono_us - self->started_mono_us) / 1000),
                                                 message);
      handle_failure (self, reason);
      return;
    }
  handle_failure (self, message);
}

static gboolean
body_contains (GBytes *body, const char *needle)
{
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;

  if (needle == NULL || *needle == '\0')
    return TRUE;
  return data != NULL && memmem (data, len, needle, strlen (needle)) != NULL;
}

static void
probe_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Probe *probe = user_data;
  ArwRuntime *self = probe->runtime;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  const ArwHealthSpec *health;
  guint status;

  if (self == NULL)
    {
      probe_free (probe);
      return;
    }
  self->probe = NULL;
  health = self->launch != NULL ? self->launch->expanded->health : NULL;
  if (health == NULL || self->phase != PHASE_RUNNING)
    {
      probe_free (probe);
      return;
    }
  if (body == NULL)
    {
      g_autofree char *message = probe->timed_out
        ? g_strdup_printf ("health request error: no answer from %s within %u ms", probe->url, probe->timeout_ms)
        : g_strdup_printf ("health request error: %s", error->message);
      probe_free (probe);
      probe_failed (self, message);
      return;
    }
  status = soup_message_get_status (probe->msg);
  if (status == health->expect_status && body_contains (body, health->expect_body))
    {
      mark_ready (self, arw_runtime_status_new_healthy (status, probe->url));
      probe_free (probe);
      schedule_probe (self, self->tuning.health_interval_ms);
      return;
    }
  {
    g_autofree char *message = g_strdup_printf ("health check failed: %u %s (body len %" G_GSIZE_FORMAT ")",
                                                status, probe->url, g_bytes_get_size (body));
    probe_free (probe);
    probe_failed (self, message);
  }
}

static gboolean
probe_timeout_cb (gpointer user_data)
{
  Probe *probe = user_data;

  probe->timeout_source = 0;
  probe->timed_out = TRUE;
  g_cancellable_cancel (probe->cancellable);
  return G_SOURCE_REMOVE;
}

static void
start_probe (ArwRuntime *self, const ArwHealthSpec *health)
{
  g_autoptr(SoupMessage) msg = soup_message_new (arw_health_spec_get_method (health), health->url);
  Probe *probe;

  if (msg == NULL)
    {
      g_autofree char *message = g_strdup_printf ("health request error: invalid health URL %s", health->url);
      handle_failure (self, message);
      return;
    }
  if (self->session == NULL)
    {
      self->session = soup_session_new ();
      /* Health URLs are local: never route them through a proxy. */
      soup_session_set_proxy_resolver (self->session, NULL);
    }
  probe = g_new0 (Probe, 1);
  probe->runtime = self;
  probe->cancellable = g_cancellable_new ();
  probe->url = g_strdup (health->url);
  probe->timeout_ms = health->timeout_ms;
  probe->msg = g_object_ref (msg);
  probe->timeout_source = g_timeout_add (health->timeout_ms, probe_timeout_cb, probe);
  self->probe = probe;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, probe->cancellable,
                                    probe_done_cb, probe);
}

static gboolean
probe_tick_cb (gpointer user_data)
{
  ArwRuntime *self = user_data;
  const ArwHealthSpec *health;

  self->probe_source = 0;
  if (self->phase != PHASE_RUNNING || self->launch == NULL)
    return G_SOURCE_REMOVE;
  health = self->launch->expanded->health;
  if (health == NULL)
    {
      guint64 uptime = (guint64) (g_get_monotonic_time () - self->started_mono_us) / G_USEC_PER_SEC;
      mark_ready (self, arw_runtime_status_new_running (uptime));
      schedule_probe (self, self->tuning.health_interval_ms);
      return G_SOURCE_REMOVE;
    }
  start_probe (self, health);
  return G_SOURCE_REMOVE;
}

static void
schedule_probe (ArwRuntime *self, guint delay_ms)
{
  g_clear_handle_id (&self->probe_source, g_source_remove);
  self->probe_source = g_timeout_add (delay_ms, probe_tick_cb, self);
}

/* ---- exit, failure and automatic restart ------------------------------ */

static char *
describe_exit (int wait_status)
{
  if (WIFEXITED (wait_status))
    return g_strdup_printf ("process exited with status %d", WEXITSTATUS (wait_status));
  if (WIFSIGNALED (wait_status))
    {
      int sig = WTERMSIG (wait_status);
      return g_strdup_printf ("process exited with signal %d (%s)", sig, g_strsignal (sig));
    }
  return g_strdup ("process exited");
}

static void
finish_shutdown_tasks (ArwRuntime *self)
{
  GList *tasks = g_steal_pointer (&self->shutdown_tasks);

  for (GList *l = tasks; l != NULL; l = l->next)
    {
      g_task_return_boolean (l->data, TRUE);
      g_object_unref (l->data);
    }
  g_list_free (tasks);
}

/* Detail lines of a failure: the reason, the process's last output line
 * (a CUDA error, say) and extra, then the budget hint. */
static GStrv
failure_detail (ArwRuntime *self, const char *reason, const char *extra)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *last = arw_runtime_log_get_last_line (self->log);
  g_autofree char *last_line = last != NULL ? g_strdup_printf ("Last output: %s", last) : NULL;
  g_autofree char *hint = budget_hint (self);

  g_strv_builder_add (builder, reason);
  if (last_line != NULL)
    g_strv_builder_add (builder, last_line);
  if (extra != NULL)
    g_strv_builder_add (builder, extra);
  g_strv_builder_add (builder, hint);
  return g_strv_builder_end (builder);
}

static gboolean begin_restore (ArwRuntime *self, gboolean restart, GError **error);

static void schedule_restart_or_fail (ArwRuntime *self, const char *reason);

static gboolean
backoff_done_cb (gpointer user_data)
{
  ArwRuntime *self = user_data;
  g_autoptr(GError) error = NULL;

  self->backoff_source = 0;
  set_phase (self, PHASE_IDLE);
  g_clear_pointer (&self->job_id, g_free);
  if (!begin_restore (self, TRUE, &error))
    schedule_restart_or_fail (self, error->message);
  return G_SOURCE_REMOVE;
}

/* Every automatic restart counts against the budget (unlike ARW), and waits
 * base·2^(n-1) ms (capped) after the n-th consecutive failure. */
static void
schedule_restart_or_fail (ArwRuntime *self, const char *reason)
{
  g_auto(GStrv) detail = NULL;
  g_autofree char *extra = NULL;
  guint delay_ms;

  set_phase (self, PHASE_IDLE);
  if (!self->auto_restart)
    {
      detail = failure_detail (self, reason, NULL);
      apply_status (self, arw_runtime_status_new_health_failed ((const char *const *) detail));
      return;
    }
  self->consecutive_failures++;
  if (!arw_restart_budget_try_consume (self->budget))
    {
      g_autofree char *hint = budget_hint (self);
      arw_runtime_log_note (self->log, "restart budget exhausted: %s", hint);
      apply_status (self, arw_runtime_status_new_budget_exhausted (reason, hint));
      return;
    }
  delay_ms = arw_restart_backoff_delay_ms (self->consecutive_failures,
                                           self->tuning.backoff_base_ms,
                                           self->tuning.backoff_cap_ms);
  extra = g_strdup_printf ("Automatic restart in %u.%01u s (attempt %u)",
                           delay_ms / 1000, (delay_ms % 1000) / 100, self->consecutive_failures);
  arw_runtime_log_note (self->log, "%s", extra);
  set_phase (self, PHASE_BACKOFF);
  self->backoff_source = g_timeout_add (delay_ms, backoff_done_cb, self);
  if (self->timing)
    arw_runtime_log_note (self->log, "timing: restart scheduled delay_ms=%u mono_us=%" G_GINT64_FORMAT,
                          delay_ms, g_get_monotonic_time ());
  detail = failure_detail (self, reason, extra);
  apply_status (self, arw_runtime_status_new_health_failed ((const char *const *) detail));
}

/* The process is gone (seen through its child watch, not by polling). */
static void
launch_exited (ArwRuntime *self, Launch *launch, int wait_status)
{
  g_autofree char *exit_text = describe_exit (wait_status);
  g_autofree char *reason = NULL;
  Phase phase = self->phase;

  if (self->timing)
    arw_runtime_log_note (self->log, "timing: exit seen pid=%d mono_us=%" G_GINT64_FORMAT,
                          launch->pid, g_get_monotonic_time ());
  launch_stop_reading (launch);
  /* Whatever is left of the group (grandchildren) goes too. */
  signal_group (launch->pid, SIGKILL);
  g_clear_handle_id (&self->kill_source, g_source_remove);
  detach_probe (self);
  self->launch = NULL;
  arw_runtime_log_note (self->log, "pid %d: %s", launch->pid, exit_text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PID]);

  if (phase == PHASE_STOPPING)
    {
      set_phase (self, PHASE_IDLE);
      complete_job (self, "Restore monitoring ended");
      apply_status (self, arw_runtime_status_new_stopped ());
      g_signal_emit (self, signals[SIGNAL_EXITED], 0, wait_status, exit_text);
      finish_shutdown_tasks (self);
      return;
    }
  reason = g_strdup (launch->failure != NULL ? launch->failure : exit_text);
  complete_job (self, reason);
  schedule_restart_or_fail (self, reason);
  g_signal_emit (self, signals[SIGNAL_EXITED], 0, wait_status, reason);
}

/* GLib reaps the child only when this runs on our context, so the pid (and
 * process group id) cannot be reused while the launch is current. */
static void
child_watch_cb (GPid pid, int wait_status, gpointer user_data)
{
  Launch *launch = user_data;
  g_autoptr(ArwRuntime) self = NULL;

  if (launch->runtime != NULL)
    {
      self = g_object_ref (launch->runtime);
      launch_exited (self, launch, wait_status);
    }
  launch_free (launch);
}

/* A failed health check (or start-up grace expiry): stop the process; its
 * exit then schedules the restart. */
static void
handle_failure (ArwRuntime *self, const char *reason)
{
  g_auto(GStrv) detail = NULL;

  if (self->launch == NULL || self->phase != PHASE_RUNNING)
    return;
  set_phase (self, PHASE_FAILING);
  detach_probe (self);
  g_free (self->launch->failure);
  self->launch->failure = g_strdup (reason);
  arw_runtime_log_note (self->log, "health failure: %s; stopping the process", reason);
  detail = failure_detail (self, reason, NULL);
  apply_status (self, arw_runtime_status_new_health_failed ((const char *const *) detail));
  complete_job (self, reason);
  terminate_launch (self);
}

/* ---- launching --------------------------------------------------------- */

/* Between fork and exec: async-signal-safe calls only. */
static void
child_setup_cb (gpointer user_data)
{
  pid_t parent = (pid_t) GPOINTER_TO_INT (user_data);
  static const int reset[] = { SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT };
  sigset_t none;

  /* Own process group, so shutdown reaches grandchildren. */
  setpgid (0, 0);
  /* Die with the supervisor; if it is already gone, do not start. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (127);
  /* Ignored signals and a blocked mask would survive exec. */
  for (guint i = 0; i < G_N_ELEMENTS (reset); i++)
    signal (reset[i], SIG_DFL);
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

static GStrv
build_argv (const char *command, const ArwProcessSpec *spec)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add (builder, command);
  g_strv_builder_addv (builder, (const char **) spec->args);
  return g_strv_builder_end (builder);
}

/* Spawns argv (no shell) with stdout and stderr on one pipe whose read
 * end is returned in out_fd. The child is not reaped until our child
 * watch runs. */
static gboolean
spawn (const char *const *argv, const char *const *envp, const char *cwd,
       GPid *out_pid, int *out_fd, GError **error)
{
  int fds[2];
  gboolean ok;

  if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
    return FALSE;
  ok = g_spawn_async_with_pipes_and_fds (cwd, argv, envp,
                                         G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL,
                                         child_setup_cb, GINT_TO_POINTER ((int) getpid ()),
                                         -1, fds[1], fds[1], NULL, NULL, 0,
                                         out_pid, NULL, NULL, NULL, error);
  g_close (fds[1], NULL);
  if (!ok)
    {
      g_close (fds[0], NULL);
      return FALSE;
    }
  *out_fd = fds[0];
  return TRUE;
}

static void
watch_launch (ArwRuntime *self, Launch *launch)
{
  if (g_unix_set_fd_nonblocking (launch->pipe_fd, TRUE, NULL))
    launch->pipe_source = g_unix_fd_add (launch->pipe_fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                         pipe_readable_cb, launch);
  g_child_watch_add (launch->pid, child_watch_cb, launch);
}

static gboolean
launch_process (ArwRuntime *self, GError **error)
{
  ArwPlaceholders values = { self->state_dir, self->bundle_dir, 0 };
  g_autoptr(ArwProcessSpec) expanded = NULL;
  GPid pid = 0;
  int pipe_fd = -1;
  g_autofree char *command = NULL;
  g_autofree char *hint = NULL;
  g_autofree char *argv_text = NULL;
  g_auto(GStrv) argv = NULL;
  g_auto(GStrv) envp = NULL;
  const ArwHealthSpec *health;
  const char *cwd;
  Launch *launch;

  if (arw_process_spec_uses_port (self->spec) && (values.port = pick_free_port (error)) == 0)
    return FALSE;
  expanded = arw_process_spec_expand (self->spec, &values, error);
  if (expanded == NULL)
    return FALSE;
  command = arw_process_spec_resolve_command (expanded, self->bundle_dir, error);
  if (command == NULL)
    return FALSE;
  if (!arw_runtime_log_open (self->log, error))
    return FALSE;
  argv = build_argv (command, expanded);
  envp = build_environment (expanded, (const char *const *) self->extra_env);
  cwd = expanded->workdir != NULL ? expanded->workdir : self->bundle_dir;

  hint = budget_hint (self);
  apply_status (self, arw_runtime_status_new_launch (self->adapter, self->source, hint));
  arw_runtime_log_clear_tail (self->log);
  argv_text = g_strjoinv (" ", argv);
  arw_runtime_log_note (self->log, "starting %s", argv_text);
  if (!spawn ((const char *const *) argv, (const char *const *) envp, cwd, &pid, &pipe_fd, error))
    {
      g_prefix_error (error, "cannot start runtime %s: ", self->id);
      return FALSE;
    }

  launch = g_new0 (Launch, 1);
  launch->runtime = self;
  launch->pid = pid;
  launch->pipe_fd = pipe_fd;
  launch->expanded = g_steal_pointer (&expanded);
  /* Also from the parent, so signals cannot race the child's setpgid(). */
  if (setpgid (launch->pid, launch->pid) != 0 && errno != EACCES && errno != ESRCH)
    g_debug ("setpgid(%d) failed: %s", launch->pid, g_strerror (errno));
  arw_runtime_log_note (self->log, "started pid %d (port %u)", launch->pid, values.port);

  health = launch->expanded->health;
  self->launch = launch;
  self->port = values.port;
  set_phase (self, PHASE_RUNNING);
  self->ever_ready = FALSE;
  self->startup_probes = 0;
  self->started_mono_us = g_get_monotonic_time ();
  self->grace_deadline_mono_us = self->started_mono_us + (gint64) 1000 *
    (health != NULL && health->startup_timeout_ms > 0 ? health->startup_timeout_ms
                                                      : self->tuning.startup_timeout_ms);
  g_clear_pointer (&self->last_probe_error, g_free);
  watch_launch (self, launch);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PID]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  schedule_probe (self, 0);
  return TRUE;
}

static gboolean
begin_restore (ArwRuntime *self, gboolean restart, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *hint = budget_hint (self);

  self->job_pending = TRUE;
  publish_restore_requested (self, restart);
  apply_status (self, arw_runtime_status_new_restore_requested (self->preset, restart, hint));
  if (launch_process (self, &local_error))
    return TRUE;

  g_clear_pointer (&hint, g_free);
  hint = budget_hint (self);
  apply_status (self, arw_runtime_status_new_restore_failed (local_error->message, hint));
  complete_job (self, local_error->message);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* ---- GObject ----------------------------------------------------------- */

static void
arw_runtime_dispose (GObject *object)
{
  ArwRuntime *self = ARW_RUNTIME (object);

  detach_probe (self);
  g_clear_handle_id (&self->backoff_source, g_source_remove);
  g_clear_handle_id (&self->kill_source, g_source_remove);
  if (self->launch != NULL)
    {
      /* No runtime may outlive its supervisor object. The wait callback
       * still runs (the child is reaped) and frees the detached launch. */
      signal_group (self->launch->pid, SIGKILL);
      self->launch->runtime = NULL;
      g_clear_handle_id (&self->launch->pipe_source, g_source_remove);
      self->launch = NULL;
      self->phase = PHASE_IDLE;
    }
  finish_shutdown_tasks (self);
  g_clear_object (&self->session);
  g_clear_object (&self->bus);

  G_OBJECT_CLASS (arw_runtime_parent_class)->dispose (object);
}

static void
arw_runtime_finalize (GObject *object)
{
  ArwRuntime *self = ARW_RUNTIME (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->adapter);
  g_free (self->source);
  g_free (self->bundle_dir);
  g_free (self->state_dir);
  g_free (self->preset);
  g_free (self->job_id);
  g_free (self->last_probe_error);
  g_free (self->degraded_summary);
  g_strfreev (self->extra_env);
  g_clear_pointer (&self->spec, arw_process_spec_free);
  g_clear_pointer (&self->budget, arw_restart_budget_free);
  g_clear_pointer (&self->status, arw_runtime_status_free);
  g_clear_pointer (&self->log, arw_runtime_log_free);

  G_OBJECT_CLASS (arw_runtime_parent_class)->finalize (object);
}

static void
arw_runtime_constructed (GObject *object)
{
  ArwRuntime *self = ARW_RUNTIME (object);
  g_autofree char *dir_name = NULL;
  g_autofree char *log_path = NULL;

  G_OBJECT_CLASS (arw_runtime_parent_class)->constructed (object);

  g_assert (self->id != NULL);
  if (self->name == NULL)
    self->name = g_strdup (self->id);
  if (self->adapter == NULL)
    self->adapter = g_strdup ("process");
  if (self->source == NULL)
    self->source = g_strdup_printf ("bundle:%s", self->id);
  if (self->spec == NULL)
    {
      self->spec = g_new0 (ArwProcessSpec, 1);
      self->spec->command = g_strdup ("false");
      self->spec->args = g_new0 (char *, 1);
      self->spec->env = g_new0 (char *, 1);
    }
  dir_name = dir_name_for_id (self->id);
  log_path = g_strdup_printf ("%s/runtime/logs/%s.log", self->state_dir, dir_name);
  self->log = arw_runtime_log_new (log_path, self->tuning.log_max_bytes, self->tuning.log_keep);
}

static void
arw_runtime_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ArwRuntime *self = ARW_RUNTIME (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_NAME: g_value_set_string (value, self->name); break;
    case PROP_ADAPTER: g_value_set_string (value, self->adapter); break;
    case PROP_SOURCE: g_value_set_string (value, self->source); break;
    case PROP_BUNDLE_DIR: g_value_set_string (value, self->bundle_dir); break;
    case PROP_STATE_DIR: g_value_set_string (value, self->state_dir); break;
    case PROP_SPEC: g_value_set_boxed (value, self->spec); break;
    case PROP_EVENT_BUS: g_value_set_object (value, self->bus); break;
    case PROP_AUTO_RESTART: g_value_set_boolean (value, self->auto_restart); break;
    case PROP_STATE: g_value_set_enum (value, self->status->state); break;
    case PROP_SEVERITY: g_value_set_enum (value, self->status->severity); break;
    case PROP_SUMMARY: g_value_set_string (value, self->status->summary); break;
    case PROP_DETAIL: g_value_set_boxed (value, self->status->detail); break;
    case PROP_STATUS: g_value_set_boxed (value, self->status); break;
    case PROP_PID: g_value_set_int (value, arw_runtime_get_pid (self)); break;
    case PROP_PORT: g_value_set_uint (value, self->port); break;
    case PROP_LOG_PATH: g_value_set_string (value, arw_runtime_log_get_path (self->log)); break;
    case PROP_ACTIVE: g_value_set_boolean (value, self->phase != PHASE_IDLE); break;
    case PROP_DEGRADED_SUMMARY: g_value_set_string (value, self->degraded_summary); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arw_runtime_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ArwRuntime *self = ARW_RUNTIME (object);

  switch (prop_id)
    {
    case PROP_ID: self->id = g_value_dup_string (value); break;
    case PROP_NAME: self->name = g_value_dup_string (value); break;
    case PROP_ADAPTER: self->adapter = g_value_dup_string (value); break;
    case PROP_SOURCE: arw_runtime_set_source (self, g_value_get_string (value)); break;
    case PROP_BUNDLE_DIR: self->bundle_dir = g_value_dup_string (value); break;
    case PROP_STATE_DIR:
      if (g_value_get_string (value) != NULL)
        {
          g_free (self->state_dir);
          self->state_dir = g_value_dup_string (value);
        }
      break;
    case PROP_SPEC: self->spec = g_value_dup_boxed (value); break;
    case PROP_EVENT_BUS: self->bus = g_value_dup_object (value); break;
    case PROP_AUTO_RESTART: arw_runtime_set_auto_restart (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arw_runtime_class_init (ArwRuntimeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags readable = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags writable = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = arw_runtime_dispose;
  object_class->finalize = arw_runtime_finalize;
  object_class->constructed = arw_runtime_constructed;
  object_class->get_property = arw_runtime_get_property;
  object_class->set_property = arw_runtime_set_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, construct);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, construct);
  properties[PROP_ADAPTER] = g_param_spec_string ("adapter", NULL, NULL, NULL, construct);
  properties[PROP_SOURCE] = g_param_spec_string ("source", NULL, NULL, NULL, writable);
  properties[PROP_BUNDLE_DIR] = g_param_spec_string ("bundle-dir", NULL, NULL, NULL, construct);
  properties[PROP_STATE_DIR] = g_param_spec_string ("state-dir", NULL, NULL, NULL, construct);
  properties[PROP_SPEC] = g_param_spec_boxed ("spec", NULL, NULL, ARW_TYPE_PROCESS_SPEC, construct);
  properties[PROP_EVENT_BUS] = g_param_spec_object ("event-bus", NULL, NULL, ARW_TYPE_EVENT_BUS, construct);
  properties[PROP_AUTO_RESTART] = g_param_spec_boolean ("auto-restart", NULL, NULL, TRUE, writable);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, ARW_TYPE_RUNTIME_STATE,
                                              ARW_RUNTIME_STATE_OFFLINE, readable);
  properties[PROP_SEVERITY] = g_param_spec_enum ("severity", NULL, NULL, ARW_TYPE_RUNTIME_SEVERITY,
                                                 ARW_RUNTIME_SEVERITY_INFO, readable);
  properties[PROP_SUMMARY] = g_param_spec_string ("summary", NULL, NULL, NULL, readable);
  properties[PROP_DETAIL] = g_param_spec_boxed ("detail", NULL, NULL, G_TYPE_STRV, readable);
  properties[PROP_STATUS] = g_param_spec_boxed ("status", NULL, NULL, ARW_TYPE_RUNTIME_STATUS, readable);
  properties[PROP_PID] = g_param_spec_int ("pid", NULL, NULL, 0, G_MAXINT, 0, readable);
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0, readable);
  properties[PROP_LOG_PATH] = g_param_spec_string ("log-path", NULL, NULL, NULL, readable);
  properties[PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, FALSE, readable);
  properties[PROP_DEGRADED_SUMMARY] = g_param_spec_string ("degraded-summary", NULL, NULL, NULL, readable);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_STATUS_CHANGED] =
    g_signal_new ("status-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                  ARW_TYPE_RUNTIME_STATUS | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_EXITED] =
    g_signal_new ("exited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
}

static void
arw_runtime_init (ArwRuntime *self)
{
  self->auto_restart = TRUE;
  self->phase = PHASE_IDLE;
  self->state_dir = arw_paths_state_dir ();
  self->budget = arw_restart_budget_new_from_env ();
  self->status = arw_runtime_status_new_registered ();
  arw_runtime_tuning_init_from_env (&self->tuning);
  self->timing = g_strcmp0 (g_getenv ("ARW_RUNTIME_TIMING"), "1") == 0;
}

/* ---- public API --------------------------------------------------------- */

ArwRuntime *
arw_runtime_new (const char *id,
                 const char *name,
                 const ArwProcessSpec *spec,
                 const char *bundle_dir,
                 const char *state_dir,
                 ArwEventBus *bus)
{
  g_return_val_if_fail (id != NULL && *id != '\0', NULL);
  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (bus == NULL || ARW_IS_EVENT_BUS (bus), NULL);

  return g_object_new (ARW_TYPE_RUNTIME,
                       "id", id,
                       "name", name,
                       "spec", spec,
                       "bundle-dir", bundle_dir,
                       "state-dir", state_dir,
                       "event-bus", bus,
                       NULL);
}

const char *
arw_runtime_get_id (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), NULL);
  return self->id;
}

const char *
arw_runtime_get_name (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), NULL);
  return self->name;
}

const char *
arw_runtime_get_adapter (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), NULL);
  return self->adapter;
}

const char *
arw_runtime_get_bundle_dir (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), NULL);
  return self->bundle_dir;
}

const ArwProcessSpec *
arw_runtime_get_spec (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), NULL);
  return self->spec;
}

const ArwRuntimeStatus *
arw_runtime_get_status (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), NULL);
  return self->status;
}

ArwRuntimeState
arw_runtime_get_state (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), ARW_RUNTIME_STATE_UNKNOWN);
  return self->status->state;
}

ArwRuntimeSeverity
arw_runtime_get_severity (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), ARW_RUNTIME_SEVERITY_INFO);
  return self->status->severity;
}

const char *
arw_runtime_get_summary (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), NULL);
  return self->status->summary;
}

const char *const *
arw_runtime_get_detail (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), NULL);
  return (const char *const *) self->status->detail;
}

GPid
arw_runtime_get_pid (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), 0);
  return self->launch != NULL ? self->launch->pid : 0;
}

guint
arw_runtime_get_port (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), 0);
  return self->port;
}

const char *
arw_runtime_get_log_path (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), NULL);
  return arw_runtime_log_get_path (self->log);
}

GStrv
arw_runtime_get_log_tail (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), NULL);
  return arw_runtime_log_get_tail (self->log);
}

ArwRestartBudget *
arw_runtime_get_restart_budget (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), NULL);
  return self->budget;
}

gboolean
arw_runtime_is_running (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), FALSE);
  return self->launch != NULL;
}

const char *
arw_runtime_get_source (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), NULL);
  return self->source;
}

void
arw_runtime_set_source (ArwRuntime *self, const char *source)
{
  g_return_if_fail (ARW_IS_RUNTIME (self));

  if (g_strcmp0 (self->source, source) == 0)
    return;
  g_free (self->source);
  self->source = g_strdup (source);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}

gboolean
arw_runtime_is_active (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), FALSE);
  return self->phase != PHASE_IDLE;
}

const char *
arw_runtime_get_degraded_summary (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), NULL);
  return self->degraded_summary;
}

void
arw_runtime_set_degraded_summary (ArwRuntime *self, const char *summary)
{
  g_return_if_fail (ARW_IS_RUNTIME (self));

  if (g_strcmp0 (self->degraded_summary, summary) == 0)
    return;
  g_free (self->degraded_summary);
  self->degraded_summary = g_strdup (summary);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEGRADED_SUMMARY]);
}

gboolean
arw_runtime_get_auto_restart (ArwRuntime *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), FALSE);
  return self->auto_restart;
}

void
arw_runtime_set_auto_restart (ArwRuntime *self, gboolean auto_restart)
{
  g_return_if_fail (ARW_IS_RUNTIME (self));

  auto_restart = !!auto_restart;
  if (self->auto_restart == auto_restart)
    return;
  self->auto_restart = auto_restart;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTO_RESTART]);
}

void
arw_runtime_get_tuning (ArwRuntime *self, ArwRuntimeTuning *out)
{
  g_return_if_fail (ARW_IS_RUNTIME (self));
  g_return_if_fail (out != NULL);
  *out = self->tuning;
}

void
arw_runtime_set_tuning (ArwRuntime *self, const ArwRuntimeTuning *tuning)
{
  g_return_if_fail (ARW_IS_RUNTIME (self));
  g_return_if_fail (tuning != NULL);

  self->tuning = *tuning;
  self->tuning.health_interval_ms = MAX (self->tuning.health_interval_ms, ARW_RUNTIME_MIN_HEALTH_INTERVAL_MS);
  self->tuning.stop_timeout_ms = MAX (self->tuning.stop_timeout_ms, 1);
  self->tuning.backoff_base_ms = MAX (self->tuning.backoff_base_ms, 1);
  self->tuning.backoff_cap_ms = MAX (self->tuning.backoff_cap_ms, self->tuning.backoff_base_ms);
  arw_runtime_log_set_limits (self->log, self->tuning.log_max_bytes, self->tuning.log_keep);
}

gboolean
arw_runtime_restore (ArwRuntime *self, const ArwRestoreOptions *options, GError **error)
{
  static const ArwRestoreOptions defaults = { 0 };
  gboolean restart;

  g_return_val_if_fail (ARW_IS_RUNTIME (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (options == NULL)
    options = &defaults;
  switch (self->phase)
    {
    case PHASE_RUNNING:
      /* ARW starts a second process here and orphans the first. */
      g_debug ("runtime %s already runs as pid %d", self->id, self->launch->pid);
      return TRUE;
    case PHASE_FAILING:
    case PHASE_STOPPING:
      g_set_error (error, ARW_ERROR, ARW_ERROR_BUSY,
                   "runtime %s is stopping: try again once it has stopped", self->id);
      return FALSE;
    case PHASE_BACKOFF:
      g_clear_handle_id (&self->backoff_source, g_source_remove);
      set_phase (self, PHASE_IDLE);
      break;
    case PHASE_IDLE:
    default:
      break;
    }

  restart = !options->no_restart;
  if (restart && !arw_restart_budget_try_consume (self->budget))
    {
      g_autofree char *hint = budget_hint (self);
      apply_status (self, arw_runtime_status_new_budget_exhausted (NULL, hint));
      g_set_error (error, ARW_ERROR, ARW_ERROR_BUDGET_EXHAUSTED,
                   "restart budget exhausted for %s (%s): restore with no-restart or wait for the reset",
                   self->id, hint);
      return FALSE;
    }
  g_free (self->preset);
  self->preset = options->preset != NULL && *options->preset != '\0' ? g_strdup (options->preset) : NULL;
  g_free (self->job_id);
  self->job_id = g_strdup (options->job_id);
  g_strfreev (self->extra_env);
  self->extra_env = options->extra_env != NULL ? g_strdupv ((char **) options->extra_env) : NULL;
  self->consecutive_failures = 0;
  return begin_restore (self, restart, error);
}

/* TRUE when the runtime is already stopped. */
static gboolean
begin_shutdown (ArwRuntime *self)
{
  switch (self->phase)
    {
    case PHASE_RUNNING:
    case PHASE_FAILING:
      set_phase (self, PHASE_STOPPING);
      detach_probe (self);
      arw_runtime_log_note (self->log, "shutdown requested: SIGTERM to process group %d", self->launch->pid);
      terminate_launch (self);
      return FALSE;
    case PHASE_STOPPING:
      return FALSE;
    case PHASE_BACKOFF:
      g_clear_handle_id (&self->backoff_source, g_source_remove);
      set_phase (self, PHASE_IDLE);
      break;
    case PHASE_IDLE:
    default:
      break;
    }
  complete_job (self, "Restore monitoring ended");
  apply_status (self, arw_runtime_status_new_stopped ());
  return TRUE;
}

void
arw_runtime_shutdown (ArwRuntime *self)
{
  g_return_if_fail (ARW_IS_RUNTIME (self));
  begin_shutdown (self);
}

void
arw_runtime_shutdown_async (ArwRuntime *self,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (ARW_IS_RUNTIME (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, arw_runtime_shutdown_async);
  if (begin_shutdown (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  self->shutdown_tasks = g_list_append (self->shutdown_tasks, g_steal_pointer (&task));
}

gboolean
arw_runtime_shutdown_finish (ArwRuntime *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (ARW_IS_RUNTIME (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
arw_runtime_kill (ArwRuntime *self)
{
  g_return_if_fail (ARW_IS_RUNTIME (self));

  if (self->launch == NULL)
    {
      begin_shutdown (self);
      return;
    }
  set_phase (self, PHASE_STOPPING);
  detach_probe (self);
  signal_group (self->launch->pid, SIGKILL);
}

JsonNode *
arw_runtime_to_json (ArwRuntime *self)
{
  g_autoptr(JsonNode) budget = NULL;

  g_return_val_if_fail (ARW_IS_RUNTIME (self), NULL);

  budget = arw_restart_budget_to_json (self->budget);
  return arw_runtime_status_to_json (self->status, self->id, budget);
}
