/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Keeps runtimes' grandchildren from outliving a helper that is killed
 * with SIGKILL. PR_SET_PDEATHSIG takes each runtime down with the helper,
 * but it is not inherited across fork(), so a runtime's own children
 * would survive. The watchdog is a tiny separate process (the helper
 * executable started with --watchdog, in its own session) that learns the
 * runtimes' process groups over a pipe; when the pipe reaches end of file
 * (the helper exited or died) it sends SIGKILL to every group it still
 * knows and exits. Groups that escape with setsid() are out of reach. */
typedef struct _ArwGroupWatchdog ArwGroupWatchdog;

/* Starts `<executable> --watchdog`. */
ArwGroupWatchdog *arw_group_watchdog_new (const char *executable, GError **error);
void arw_group_watchdog_add (ArwGroupWatchdog *self, GPid pgid);
void arw_group_watchdog_remove (ArwGroupWatchdog *self, GPid pgid);
GPid arw_group_watchdog_get_pid (ArwGroupWatchdog *self);
/* Closes the pipe: the watchdog kills any group still listed and exits. */
void arw_group_watchdog_free (ArwGroupWatchdog *self);

/* The watchdog process: reads "+PGID\n" / "-PGID\n" from fd until end of
 * file. Returns the exit status. */
int arw_group_watchdog_main (int fd);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwGroupWatchdog, arw_group_watchdog_free)

G_END_DECLS
