/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "arw-client.h"

G_BEGIN_DECLS

typedef enum {
  ARW_HEALTH_EVENT_RUNTIME_ERROR,     /* crashed, failed, or restart budget used up */
  ARW_HEALTH_EVENT_RUNTIME_READY,
  ARW_HEALTH_EVENT_FALLBACK_ENGAGED,  /* runs on the CPU instead of the GPU */
  ARW_HEALTH_EVENT_INSTALL_COMPLETED,
  ARW_HEALTH_EVENT_INSTALL_FAILED,
} ArwHealthEvent;

#define ARW_TYPE_HEALTH_NOTIFIER (arw_health_notifier_get_type ())
G_DECLARE_FINAL_TYPE (ArwHealthNotifier, arw_health_notifier, ARW, HEALTH_NOTIFIER, GObject)

/* Turns runtime state changes and finished installs into words for the
 * person: an AdwToast in the focused window, or a libnotify desktop
 * notification with actions (Open, View logs, Try on CPU, Roll back) when
 * no window is focused, as the per-event GSettings keys
 * (notify-runtime-error, …: none / in-app / desktop) say. Actions are
 * app.* actions with the runtime or bundle id as target. */
ArwHealthNotifier *arw_health_notifier_new (GtkApplication *application, GSettings *settings);
void arw_health_notifier_set_client (ArwHealthNotifier *self, ArwClient *client);
/* The next stop of @runtime_id was asked for: not a crash. */
void arw_health_notifier_expect_stop (ArwHealthNotifier *self, const char *runtime_id);
/* The next finished install of @bundle_id is a dry run: do not announce it. */
void arw_health_notifier_quiet_next (ArwHealthNotifier *self, const char *bundle_id);
/* Sends one desktop notification regardless of the settings (used for the
 * "still running in the background" notice). */
void arw_health_notifier_notify_desktop (ArwHealthNotifier *self,
                                         const char *tag,
                                         const char *summary,
                                         const char *body,
                                         const char *const *actions,
                                         const char *target);

/* For tests: the last message shown in a window and the id of the last
 * desktop notification (0 when none). */
const char *arw_health_notifier_get_last_toast (ArwHealthNotifier *self);
guint arw_health_notifier_get_last_notification_id (ArwHealthNotifier *self);

G_END_DECLS
