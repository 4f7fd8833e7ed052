/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <locale.h>

#include "arw-helper-application.h"

int
main (int argc, char *argv[])
{
  g_autoptr(ArwHelperApplication) app = NULL;

  setlocale (LC_ALL, "");
  g_set_prgname ("arw-launcher-helper");
  app = arw_helper_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
