/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "arw-dbus-generated.h"

G_BEGIN_DECLS

#define ARW_TYPE_RUNTIME_ROW (arw_runtime_row_get_type ())
G_DECLARE_FINAL_TYPE (ArwRuntimeRow, arw_runtime_row, ARW, RUNTIME_ROW, GtkWidget)

/* One supervised runtime in the Runtimes panel: a status chip in words,
 * the restart budget, a device picker and Start / Stop / Restart / Logs. */
GtkWidget *arw_runtime_row_new (ArwDBusRuntime *runtime, JsonObject *hardware);
ArwDBusRuntime *arw_runtime_row_get_runtime (ArwRuntimeRow *self);
void arw_runtime_row_set_hardware (ArwRuntimeRow *self, JsonObject *hardware);
/* The status chip's text, for tests. */
const char *arw_runtime_row_get_status_text (ArwRuntimeRow *self);

/* The status chip words for @runtime ("Ready – GPU (NVIDIA …)"). */
char *arw_runtime_row_describe (ArwDBusRuntime *runtime, JsonObject *hardware);
/* TRUE for starting, ready and degraded. */
gboolean arw_runtime_state_is_running (const char *state);

G_END_DECLS
