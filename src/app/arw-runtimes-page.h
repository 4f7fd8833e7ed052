/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

#include "arw-dbus-generated.h"

G_BEGIN_DECLS

#define ARW_TYPE_RUNTIMES_PAGE (arw_runtimes_page_get_type ())
G_DECLARE_FINAL_TYPE (ArwRuntimesPage, arw_runtimes_page, ARW, RUNTIMES_PAGE, GtkWidget)

/* The Runtimes panel: one ArwRuntimeRow per helper runtime (a GListModel
 * of ArwDBusRuntime proxies) and a log view that follows the chosen
 * runtime's log. */
void arw_runtimes_page_set_model (ArwRuntimesPage *self, GListModel *runtimes);
void arw_runtimes_page_set_hardware (ArwRuntimesPage *self, JsonObject *hardware);
/* Opens the log view on @runtime (NULL closes it). */
void arw_runtimes_page_show_log (ArwRuntimesPage *self, ArwDBusRuntime *runtime);
GtkWidget *arw_runtimes_page_get_log_view (ArwRuntimesPage *self);
/* The row of @runtime_id, or NULL (for tests). */
GtkWidget *arw_runtimes_page_find_row (ArwRuntimesPage *self, const char *runtime_id);

G_END_DECLS
