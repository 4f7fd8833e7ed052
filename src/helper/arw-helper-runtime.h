/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "arw-dbus-generated.h"
#include "arw-launcher-service.h"

G_BEGIN_DECLS

#define ARW_HELPER_RUNTIME_PATH_PREFIX "/org/arw/Launcher/Helper/runtime/"

#define ARW_TYPE_HELPER_RUNTIME (arw_helper_runtime_get_type ())
G_DECLARE_FINAL_TYPE (ArwHelperRuntime, arw_helper_runtime, ARW, HELPER_RUNTIME, GObject)

/* The Runtime1 object of one ArwRuntime: its properties follow the
 * runtime's status and the service's facts (device, fallback, consent). */
ArwHelperRuntime *arw_helper_runtime_new (ArwLauncherService *service, ArwRuntime *runtime);

/* /org/arw/Launcher/Helper/runtime/<g_dbus_escape_object_path (id)> */
char *arw_helper_runtime_path_for_id (const char *id);

ArwRuntime *arw_helper_runtime_get_runtime (ArwHelperRuntime *self);
ArwDBusObjectSkeleton *arw_helper_runtime_get_object (ArwHelperRuntime *self);
const char *arw_helper_runtime_get_path (ArwHelperRuntime *self);
/* Copies every property again (after a service fact changed). */
void arw_helper_runtime_sync (ArwHelperRuntime *self);

G_END_DECLS
