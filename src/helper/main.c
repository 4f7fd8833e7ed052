/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>

#include "arw-group-watchdog.h"
#include "arw-helper-application.h"

int
main (int argc, char *argv[])
{
  g_autoptr(ArwHelperApplication) app = NULL;

  /* The process-group watchdog (see arw-group-watchdog.h): stdin is the pipe. */
  if (argc == 2 && g_strcmp0 (argv[1], "--watchdog") == 0)
    return arw_group_watchdog_main (0);

  setlocale (LC_ALL, "");
  g_set_prgname ("arw-launcher-helper");
  app = arw_helper_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
