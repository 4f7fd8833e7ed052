/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define ARW_HELPER_BUS_NAME "org.arw.Launcher.Helper"
#define ARW_HELPER_OBJECT_PATH "/org/arw/Launcher/Helper"
#define ARW_HELPER_DEFAULT_IDLE_TIMEOUT_MS 60000

#define ARW_TYPE_HELPER_APPLICATION (arw_helper_application_get_type ())
G_DECLARE_FINAL_TYPE (ArwHelperApplication, arw_helper_application, ARW, HELPER_APPLICATION, GApplication)

/* The session service: owns org.arw.Launcher.Helper, exports Manager1 at
 * /org/arw/Launcher/Helper and one Runtime1 object per runtime below it
 * (ObjectManager), and exits after inactivity-timeout when no runtime is
 * active and no call is in flight (ARW_HELPER_IDLE_TIMEOUT_MS, default
 * 60000; 0 = never). SIGTERM, SIGINT and losing the name stop every
 * runtime before the process exits. */
ArwHelperApplication *arw_helper_application_new (void);

G_END_DECLS
