/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arw-transaction-row.h"
#include "arw-wording.h"

struct _ArwTransactionRow
{
  GtkWidget parent_instance;

  ArwDBusTransaction *transaction;

  GtkLabel *title_label;
  GtkProgressBar *progress_bar;
  GtkLabel *progress_label;
  GtkLabel *message_label;
  GtkWidget *cancel_button;
};

G_DEFINE_FINAL_TYPE (ArwTransactionRow, arw_transaction_row, GTK_TYPE_WIDGET)

double
arw_transaction_fraction (ArwDBusTransaction *transaction)
{
  guint64 total = arw_dbus_transaction_get_bytes_total (transaction);
  guint64 done = arw_dbus_transaction_get_bytes_done (transaction);

  if (g_strcmp0 (arw_dbus_transaction_get_phase (transaction), "done") == 0)
    return 1.0;
  if (total == 0)
    return -1;
  return MIN (1.0, (double) done / (double) total);
}

char *
arw_transaction_describe (ArwDBusTransaction *transaction)
{
  const char *state = arw_dbus_transaction_get_state (transaction);

  g_return_val_if_fail (ARW_DBUS_IS_TRANSACTION (transaction), NULL);

  if (g_strcmp0 (state, "failed") == 0)
    {
      const char *err = arw_dbus_transaction_get_error (transaction);
      /* Translators: %s is the helper's error message */
      return g_strdup_printf (_("Failed: %s"), err != NULL && *err != '\0' ? err : _("unknown error"));
    }
  if (g_strcmp0 (state, "cancelled") == 0)
    return g_strdup (_("Cancelled; the next install resumes the download"));
  if (g_strcmp0 (state, "succeeded") == 0)
    return g_strdup (_("Installed"));
  return arw_wording_progress (arw_dbus_transaction_get_phase (transaction),
                               arw_dbus_transaction_get_bytes_done (transaction),
                               arw_dbus_transaction_get_bytes_total (transaction),
                               arw_dbus_transaction_get_rate (transaction),
                               arw_dbus_transaction_get_eta (transaction));
}

static void
update (ArwTransactionRow *self)
{
  const char *const *ids = arw_dbus_transaction_get_bundle_ids (self->transaction);
  const char *message = arw_dbus_transaction_get_last_message (self->transaction);
  const char *state = arw_dbus_transaction_get_state (self->transaction);
  g_autofree char *title = ids != NULL ? g_strjoinv (", ", (char **) ids) : g_strdup ("");
  g_autofree char *text = arw_transaction_describe (self->transaction);
  double fraction = arw_transaction_fraction (self->transaction);
  g_autofree char *cancel_label = NULL;

  gtk_label_set_label (self->title_label, title);
  gtk_label_set_label (self->progress_label, text);
  if (fraction >= 0)
    gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  else
    gtk_progress_bar_pulse (self->progress_bar);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text, -1);
  gtk_label_set_label (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL && *message != '\0');
  gtk_widget_set_sensitive (self->cancel_button, g_strcmp0 (state, "running") == 0 || state == NULL || *state == '\0');
  /* Translators: accessible label of the cancel button; %s names the bundles */
  cancel_label = g_strdup_printf (_("Cancel installing %s"), title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cancel_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, cancel_label, -1);
}

static void
arw_transaction_row_dispose (GObject *object)
{
  ArwTransactionRow *self = ARW_TRANSACTION_ROW (object);

  if (self->transaction != NULL)
    g_signal_handlers_disconnect_by_data (self->transaction, self);
  g_clear_object (&self->transaction);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARW_TYPE_TRANSACTION_ROW);
  {
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (arw_transaction_row_parent_class)->dispose (object);
}

static void
arw_transaction_row_class_init (ArwTransactionRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arw_transaction_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/arw/Launcher/ui/arw-transaction-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ArwTransactionRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, ArwTransactionRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ArwTransactionRow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, ArwTransactionRow, message_label);
  gtk_widget_class_bind_template_child (widget_class, ArwTransactionRow, cancel_button);
}

static void
arw_transaction_row_init (ArwTransactionRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
arw_transaction_row_new (ArwDBusTransaction *transaction)
{
  ArwTransactionRow *self;

  g_return_val_if_fail (ARW_DBUS_IS_TRANSACTION (transaction), NULL);

  self = g_object_new (ARW_TYPE_TRANSACTION_ROW, NULL);
  self->transaction = g_object_ref (transaction);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->cancel_button), "s",
                                    g_dbus_proxy_get_object_path (G_DBUS_PROXY (transaction)));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->cancel_button), "win.cancel-transaction");
  g_signal_connect_swapped (transaction, "g-properties-changed", G_CALLBACK (update), self);
  update (self);
  return GTK_WIDGET (self);
}

ArwDBusTransaction *
arw_transaction_row_get_transaction (ArwTransactionRow *self)
{
  g_return_val_if_fail (ARW_IS_TRANSACTION_ROW (self), NULL);
  return self->transaction;
}
