/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arw-client.h"
#include "arw-health-notifier.h"

G_BEGIN_DECLS

#define ARW_TYPE_APPLICATION (arw_application_get_type ())
G_DECLARE_FINAL_TYPE (ArwApplication, arw_application, ARW, APPLICATION, AdwApplication)

/* The Launcher: connects to the helper (ArwClient, D-Bus activation),
 * owns the health notifier, and stays in the background (held) while
 * runtimes run after the last window closed, saying so once. */
ArwApplication *arw_application_new (void);
ArwClient *arw_application_get_client (ArwApplication *self);
ArwHealthNotifier *arw_application_get_notifier (ArwApplication *self);
GSettings *arw_application_get_settings (ArwApplication *self);
/* TRUE while it holds itself alive for running runtimes with no window. */
gboolean arw_application_get_held (ArwApplication *self);

G_END_DECLS
