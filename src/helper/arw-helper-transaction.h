/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "arw-dbus-generated.h"
#include "arw-event-bus.h"
#include "arw-progress.h"

G_BEGIN_DECLS

#define ARW_HELPER_TRANSACTION_PATH_PREFIX "/org/arw/Launcher/Helper/transaction/"

#define ARW_TYPE_HELPER_TRANSACTION (arw_helper_transaction_get_type ())
G_DECLARE_FINAL_TYPE (ArwHelperTransaction, arw_helper_transaction, ARW, HELPER_TRANSACTION, GObject)

/* One install or import in flight, as a Transaction1 object whose
 * properties follow progress (throttled by ArwProgress). It publishes
 * install.progress (at most every 250 ms, and on every phase change) and,
 * when finished, install.completed on bus. Cancel is accepted from the
 * caller that started it. */
ArwHelperTransaction *arw_helper_transaction_new (guint serial,
                                                  const char *kind,
                                                  const char *const *bundle_ids,
                                                  const char *owner,
                                                  ArwProgress *progress,
                                                  ArwEventBus *bus);

const char *arw_helper_transaction_get_path (ArwHelperTransaction *self);
ArwDBusObjectSkeleton *arw_helper_transaction_get_object (ArwHelperTransaction *self);
GCancellable *arw_helper_transaction_get_cancellable (ArwHelperTransaction *self);
/* error NULL = success; report (nullable) goes into install.completed. */
void arw_helper_transaction_finish (ArwHelperTransaction *self, const GError *error, JsonNode *report);

G_END_DECLS
