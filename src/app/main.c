/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "arw-application.h"
#include "arw-bench.h"

int
main (int argc,
      char *argv[])
{
  g_autoptr(ArwApplication) app = NULL;

  arw_bench_mark ("main");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_application_name (_("ARW Launcher"));

  app = arw_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
