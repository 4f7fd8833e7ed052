/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "arw-client.h"

G_BEGIN_DECLS

#define ARW_TYPE_PREFERENCES_WINDOW (arw_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (ArwPreferencesWindow, arw_preferences_window, ARW, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* Preferences bound to GSettings org.arw.Launcher: processor preference,
 * preferred GPU (by stable id, from the hardware probe), GPU only,
 * notifications per event, signature enforcement, revisions to keep,
 * security posture; and the consents given, each revocable. @client may
 * be NULL (then GPUs and consents are not listed). */
ArwPreferencesWindow *arw_preferences_window_new (GtkWindow *parent,
                                                  GSettings *settings,
                                                  ArwClient *client);
/* For tests: how many consent rows are listed. */
guint arw_preferences_window_get_n_consents (ArwPreferencesWindow *self);

G_END_DECLS
