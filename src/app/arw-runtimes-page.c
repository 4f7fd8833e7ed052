/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "arw-log-view.h"
#include "arw-runtime-row.h"
#include "arw-runtimes-page.h"

struct _ArwRuntimesPage
{
  GtkWidget parent_instance;

  GListModel *runtimes;
  JsonObject *hardware;
  ArwDBusRuntime *log_runtime;

  GtkStack *stack;
  GtkListBox *list_box;
  GtkRevealer *log_revealer;
  GtkLabel *log_title;
  GtkWidget *log_close_button;
  ArwLogView *log_view;
};

G_DEFINE_FINAL_TYPE (ArwRuntimesPage, arw_runtimes_page, GTK_TYPE_WIDGET)

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  ArwRuntimesPage *self = user_data;

  return arw_runtime_row_new (ARW_DBUS_RUNTIME (item), self->hardware);
}

static void
update_stack (ArwRuntimesPage *self)
{
  gboolean empty = self->runtimes == NULL || g_list_model_get_n_items (self->runtimes) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

static void
log_runtime_changed_cb (ArwRuntimesPage *self)
{
  const char *path = arw_dbus_runtime_get_log_path (self->log_runtime);

  arw_log_view_set_path (self->log_view, path);
}

static void
close_log_cb (ArwRuntimesPage *self)
{
  arw_runtimes_page_show_log (self, NULL);
}

static void
arw_runtimes_page_dispose (GObject *object)
{
  ArwRuntimesPage *self = ARW_RUNTIMES_PAGE (object);

  if (self->log_runtime != NULL)
    g_signal_handlers_disconnect_by_data (self->log_runtime, self);
  g_clear_object (&self->log_runtime);
  if (self->runtimes != NULL)
    g_signal_handlers_disconnect_by_data (self->runtimes, self);
  g_clear_object (&self->runtimes);
  g_clear_pointer (&self->hardware, json_object_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARW_TYPE_RUNTIMES_PAGE);
  {
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (arw_runtimes_page_parent_class)->dispose (object);
}

static void
arw_runtimes_page_class_init (ArwRuntimesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arw_runtimes_page_dispose;

  g_type_ensure (ARW_TYPE_LOG_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/arw/Launcher/ui/arw-runtimes-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ArwRuntimesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ArwRuntimesPage, list_box);
  gtk_widget_class_bind_template_child (widget_class, ArwRuntimesPage, log_revealer);
  gtk_widget_class_bind_template_child (widget_class, ArwRuntimesPage, log_title);
  gtk_widget_class_bind_template_child (widget_class, ArwRuntimesPage, log_close_button);
  gtk_widget_class_bind_template_child (widget_class, ArwRuntimesPage, log_view);
}

static void
arw_runtimes_page_init (ArwRuntimesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->log_close_button, "clicked", G_CALLBACK (close_log_cb), self);
  update_stack (self);
}

void
arw_runtimes_page_set_model (ArwRuntimesPage *self,
                             GListModel *runtimes)
{
  g_return_if_fail (ARW_IS_RUNTIMES_PAGE (self));
  g_return_if_fail (runtimes == NULL || G_IS_LIST_MODEL (runtimes));

  if (self->runtimes != NULL)
    g_signal_handlers_disconnect_by_data (self->runtimes, self);
  g_set_object (&self->runtimes, runtimes);
  gtk_list_box_bind_model (self->list_box, runtimes, create_row, self, NULL);
  if (runtimes != NULL)
    g_signal_connect_swapped (runtimes, "items-changed", G_CALLBACK (update_stack), self);
  update_stack (self);
}

void
arw_runtimes_page_set_hardware (ArwRuntimesPage *self,
                                JsonObject *hardware)
{
  g_return_if_fail (ARW_IS_RUNTIMES_PAGE (self));

  g_clear_pointer (&self->hardware, json_object_unref);
  self->hardware = hardware != NULL ? json_object_ref (hardware) : NULL;
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (child));
      if (ARW_IS_RUNTIME_ROW (row))
        arw_runtime_row_set_hardware (ARW_RUNTIME_ROW (row), hardware);
    }
}

void
arw_runtimes_page_show_log (ArwRuntimesPage *self,
                            ArwDBusRuntime *runtime)
{
  g_return_if_fail (ARW_IS_RUNTIMES_PAGE (self));

  if (self->log_runtime != NULL)
    g_signal_handlers_disconnect_by_data (self->log_runtime, self);
  g_set_object (&self->log_runtime, runtime);
  gtk_revealer_set_reveal_child (self->log_revealer, runtime != NULL);
  if (runtime == NULL)
    {
      arw_log_view_set_path (self->log_view, NULL);
      return;
    }
  {
    const char *name = arw_dbus_runtime_get_name (runtime);
    /* Translators: title of the log pane; %s is a runtime name */
    g_autofree char *title = g_strdup_printf (_("Log of %s"), name != NULL && *name != '\0' ? name : arw_dbus_runtime_get_id (runtime));
    gtk_label_set_label (self->log_title, title);
  }
  g_signal_connect_swapped (runtime, "notify::log-path", G_CALLBACK (log_runtime_changed_cb), self);
  log_runtime_changed_cb (self);
}

GtkWidget *
arw_runtimes_page_get_log_view (ArwRuntimesPage *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIMES_PAGE (self), NULL);
  return GTK_WIDGET (self->log_view);
}

GtkWidget *
arw_runtimes_page_find_row (ArwRuntimesPage *self,
                            const char *runtime_id)
{
  g_return_val_if_fail (ARW_IS_RUNTIMES_PAGE (self), NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row;

      if (!GTK_IS_LIST_BOX_ROW (child))
        continue;
      row = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (child));
      if (ARW_IS_RUNTIME_ROW (row) &&
          g_strcmp0 (arw_dbus_runtime_get_id (arw_runtime_row_get_runtime (ARW_RUNTIME_ROW (row))), runtime_id) == 0)
        return row;
    }
  return NULL;
}
