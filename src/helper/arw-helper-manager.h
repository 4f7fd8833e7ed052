/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "arw-dbus-generated.h"
#include "arw-launcher-service.h"

G_BEGIN_DECLS

#define ARW_HELPER_MANAGER_VERSION 1
/* Ids and other strings from callers: bytes, printable UTF-8. */
#define ARW_HELPER_MAX_ID_BYTES 256
#define ARW_HELPER_MAX_STRING_BYTES 4096

#define ARW_TYPE_HELPER_MANAGER (arw_helper_manager_get_type ())
G_DECLARE_FINAL_TYPE (ArwHelperManager, arw_helper_manager, ARW, HELPER_MANAGER, ArwDBusManagerSkeleton)

/* The org.arw.Launcher.Manager1 object. app (unowned) is held while
 * asynchronous calls are in flight; every call restarts its idle timer.
 * objects (unowned) holds the Runtime1/Transaction1 objects. */
ArwHelperManager *arw_helper_manager_new (ArwLauncherService *service,
                                          GApplication *app,
                                          GDBusObjectManagerServer *objects);

/* Validation used by every handler; exposed for tests and the CLI. */
gboolean arw_helper_validate_id (const char *what, const char *id, GError **error);
gboolean arw_helper_validate_string (const char *what, const char *value, gsize max_bytes, GError **error);

/* Checks that options only has keys from keys[] with the matching
 * types[] (GVariant type strings). Errors are G_DBUS_ERROR_INVALID_ARGS
 * naming the key. */
gboolean arw_helper_check_options (GVariant *options,
                                   const char *const *keys,
                                   const char *const *types,
                                   GError **error);

G_END_DECLS
