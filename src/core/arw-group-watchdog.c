/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "arw-group-watchdog.h"

struct _ArwGroupWatchdog {
  GPid pid;
  int fd; /* write end */
};

static void
watchdog_child_setup (gpointer user_data)
{
  /* Out of the helper's session and group: a terminal's SIGINT or a
   * group kill aimed at the helper must not take the watchdog first. */
  setsid ();
}

static void
watchdog_exited_cb (GPid pid, gint wait_status, gpointer user_data)
{
  g_spawn_close_pid (pid);
}

ArwGroupWatchdog *
arw_group_watchdog_new (const char *executable, GError **error)
{
  const char *argv[] = { executable, "--watchdog", NULL };
  g_autofree ArwGroupWatchdog *self = g_new0 (ArwGroupWatchdog, 1);
  int in_fd = -1;

  g_return_val_if_fail (executable != NULL, NULL);

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                 watchdog_child_setup, NULL, &self->pid, &in_fd, NULL, NULL, error))
    return NULL;
  g_child_watch_add (self->pid, watchdog_exited_cb, NULL);
  if (!g_unix_set_fd_nonblocking (in_fd, FALSE, NULL) || fcntl (in_fd, F_SETFD, FD_CLOEXEC) != 0)
    g_debug ("cannot adjust the watchdog pipe flags");
  self->fd = in_fd;
  return g_steal_pointer (&self);
}

static void
send_line (ArwGroupWatchdog *self, char op, GPid pgid)
{
  char line[32];
  int len;

  if (self->fd < 0 || pgid <= 0)
    return;
  len = g_snprintf (line, sizeof line, "%c%d\n", op, (int) pgid);
  while (write (self->fd, line, (size_t) len) < 0)
    if (errno != EINTR)
      {
        g_warning ("process group watchdog is gone: %s", g_strerror (errno));
        close (self->fd);
        self->fd = -1;
        return;
      }
}

void
arw_group_watchdog_add (ArwGroupWatchdog *self, GPid pgid)
{
  g_return_if_fail (self != NULL);
  send_line (self, '+', pgid);
}

void
arw_group_watchdog_remove (ArwGroupWatchdog *self, GPid pgid)
{
  g_return_if_fail (self != NULL);
  send_line (self, '-', pgid);
}

GPid
arw_group_watchdog_get_pid (ArwGroupWatchdog *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->pid;
}

void
arw_group_watchdog_free (ArwGroupWatchdog *self)
{
  if (self == NULL)
    return;
  if (self->fd >= 0)
    close (self->fd);
  g_free (self);
}

/* ---- the watchdog process -------------------------------------------- */

static void
apply_line (GArray *groups, const char *line)
{
  gint64 value = g_ascii_strtoll (line + 1, NULL, 10);

  if (value <= 1 || value > G_MAXINT)
    return;
  if (line[0] == '+')
    g_array_append_val (groups, value);
  else if (line[0] == '-')
    for (guint i = 0; i < groups->len; i++)
      if (g_array_index (groups, gint64, i) == value)
        {
          g_array_remove_index_fast (groups, i);
          break;
        }
}

int
arw_group_watchdog_main (int fd)
{
  g_autoptr(GArray) groups = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GString) pending = g_string_new (NULL);
  char buf[512];

  signal (SIGINT, SIG_IGN);
  signal (SIGPIPE, SIG_IGN);
  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);
      char *nl;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_string_append_len (pending, buf, n);
      while ((nl = memchr (pending->str, '\n', pending->len)) != NULL)
        {
          *nl = '\0';
          apply_line (groups, pending->str);
          g_string_erase (pending, 0, nl - pending->str + 1);
        }
    }
  for (guint i = 0; i < groups->len; i++)
    kill (-(pid_t) g_array_index (groups, gint64, i), SIGKILL);
  return 0;
}
