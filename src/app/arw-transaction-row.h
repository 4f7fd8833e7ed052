/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "arw-dbus-generated.h"

G_BEGIN_DECLS

#define ARW_TYPE_TRANSACTION_ROW (arw_transaction_row_get_type ())
G_DECLARE_FINAL_TYPE (ArwTransactionRow, arw_transaction_row, ARW, TRANSACTION_ROW, GtkWidget)

/* An install or import in the downloads popover: phase, bytes, rate and
 * ETA in words, the helper's latest notice (stalls, retries) and Cancel. */
GtkWidget *arw_transaction_row_new (ArwDBusTransaction *transaction);
ArwDBusTransaction *arw_transaction_row_get_transaction (ArwTransactionRow *self);

/* The progress words for @transaction (shared with the catalog rows). */
char *arw_transaction_describe (ArwDBusTransaction *transaction);
/* 0…1, or -1 when the total is unknown. */
double arw_transaction_fraction (ArwDBusTransaction *transaction);

G_END_DECLS
