/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-json-access.h"

#include <glib/gi18n.h>

#include "arw-hardware-view.h"
#include "arw-runtime-row.h"
#include "arw-wording.h"

struct _ArwRuntimeRow
{
  GtkWidget parent_instance;

  ArwDBusRuntime *runtime;
  JsonObject *hardware;
  GPtrArray *devices;   /* stable ids, parallel to the picker after the first two entries */
  char *status_text;

  GtkLabel *name_label;
  GtkLabel *status_label;
  GtkLabel *budget_label;
  GtkDropDown *device_picker;
  GtkWidget *start_button;
  GtkWidget *stop_button;
  GtkWidget *restart_button;
  GtkWidget *logs_button;
};

G_DEFINE_FINAL_TYPE (ArwRuntimeRow, arw_runtime_row, GTK_TYPE_WIDGET)

gboolean
arw_runtime_state_is_running (const char *state)
{
  return g_strcmp0 (state, "starting") == 0 || g_strcmp0 (state, "ready") == 0 ||
         g_strcmp0 (state, "degraded") == 0;
}

char *
arw_runtime_row_describe (ArwDBusRuntime *runtime,
                          JsonObject *hardware)
{
  ArwRuntimeWordingInput in = { 0 };

  g_return_val_if_fail (ARW_DBUS_IS_RUNTIME (runtime), NULL);

  in.state = arw_dbus_runtime_get_state (runtime);
  in.summary = arw_dbus_runtime_get_summary (runtime);
  in.accelerator = arw_dbus_runtime_get_accelerator (runtime);
  in.device_name = arw_hardware_view_gpu_name (hardware, arw_dbus_runtime_get_device (runtime));
  in.fallback_reason = arw_dbus_runtime_get_fallback_reason (runtime);
  in.budget_used = arw_dbus_runtime_get_restart_budget_used (runtime);
  in.budget_max = arw_dbus_runtime_get_restart_budget_max (runtime);
  in.budget_reset_at = arw_dbus_runtime_get_restart_budget_reset_at (runtime);
  if (in.device_name == NULL && in.accelerator != NULL && g_str_has_prefix (in.accelerator, "gpu_"))
    {
      JsonObject *gpu = arw_hardware_view_gpu_for (hardware, in.accelerator);
      in.device_name = gpu != NULL ? arw_json_string (gpu, "name") : NULL;
    }
  return arw_wording_runtime_status (&in);
}

static const char *
severity_class (const char *state)
{
  if (g_strcmp0 (state, "ready") == 0)
    return "success";
  if (g_strcmp0 (state, "degraded") == 0 || g_strcmp0 (state, "starting") == 0)
    return "warning";
  if (g_strcmp0 (state, "error") == 0)
    return "error";
  return NULL;
}

static void
update_targets (ArwRuntimeRow *self)
{
  const char *id = arw_dbus_runtime_get_id (self->runtime);
  guint pos = gtk_drop_down_get_selected (self->device_picker);
  const char *accel = "auto";
  const char *device = "";

  if (pos == 1)
    accel = "cpu";
  else if (pos >= 2 && self->devices != NULL && pos - 2 < self->devices->len)
    {
      accel = "gpu";
      device = g_ptr_array_index (self->devices, pos - 2);
    }
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->start_button), "(sss)", id, accel, device);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->stop_button), "s", id);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->restart_button), "s", id);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->logs_button), "s", id);
}

static void
update (ArwRuntimeRow *self)
{
  const char *state = arw_dbus_runtime_get_state (self->runtime);
  const char *name = arw_dbus_runtime_get_name (self->runtime);
  const char *cls = severity_class (state);
  gboolean running = arw_runtime_state_is_running (state);
  g_autofree char *budget = NULL;
  g_autofree char *a11y = NULL;

  g_free (self->status_text);
  self->status_text = arw_runtime_row_describe (self->runtime, self->hardware);
  budget = arw_wording_restart_budget (arw_dbus_runtime_get_restart_budget_used (self->runtime),
                                       arw_dbus_runtime_get_restart_budget_max (self->runtime),
                                       arw_dbus_runtime_get_restart_budget_reset_at (self->runtime));
  gtk_label_set_label (self->name_label, name != NULL && *name != '\0' ? name : arw_dbus_runtime_get_id (self->runtime));
  gtk_label_set_label (self->status_label, self->status_text);
  gtk_label_set_label (self->budget_label, budget);
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  if (cls != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), cls);
  gtk_widget_set_visible (self->start_button, !running);
  gtk_widget_set_visible (self->stop_button, running);
  gtk_widget_set_sensitive (self->restart_button, running || g_strcmp0 (state, "error") == 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->device_picker), !running);
  a11y = g_strdup_printf ("%s: %s", gtk_label_get_label (self->name_label), self->status_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  update_targets (self);
}

static void
fill_devices (ArwRuntimeRow *self)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) gpus = arw_hardware_view_list_gpus (self->hardware);

  gtk_string_list_append (list, _("Automatic"));
  gtk_string_list_append (list, _("Processor only (CPU)"));
  g_clear_pointer (&self->devices, g_ptr_array_unref);
  self->devices = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i + 1 < gpus->len; i += 2)
    {
      g_ptr_array_add (self->devices, g_strdup (g_ptr_array_index (gpus, i)));
      gtk_string_list_append (list, g_ptr_array_index (gpus, i + 1));
    }
  gtk_drop_down_set_model (self->device_picker, G_LIST_MODEL (list));
}

static void
arw_runtime_row_dispose (GObject *object)
{
  ArwRuntimeRow *self = ARW_RUNTIME_ROW (object);

  if (self->runtime != NULL)
    g_signal_handlers_disconnect_by_data (self->runtime, self);
  g_clear_object (&self->runtime);
  g_clear_pointer (&self->hardware, json_object_unref);
  g_clear_pointer (&self->devices, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARW_TYPE_RUNTIME_ROW);
  {
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (arw_runtime_row_parent_class)->dispose (object);
}

static void
arw_runtime_row_finalize (GObject *object)
{
  ArwRuntimeRow *self = ARW_RUNTIME_ROW (object);

  g_free (self->status_text);

  G_OBJECT_CLASS (arw_runtime_row_parent_class)->finalize (object);
}

static void
arw_runtime_row_class_init (ArwRuntimeRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arw_runtime_row_dispose;
  object_class->finalize = arw_runtime_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/arw/Launcher/ui/arw-runtime-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ArwRuntimeRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, ArwRuntimeRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, ArwRuntimeRow, budget_label);
  gtk_widget_class_bind_template_child (widget_class, ArwRuntimeRow, device_picker);
  gtk_widget_class_bind_template_child (widget_class, ArwRuntimeRow, start_button);
  gtk_widget_class_bind_template_child (widget_class, ArwRuntimeRow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, ArwRuntimeRow, restart_button);
  gtk_widget_class_bind_template_child (widget_class, ArwRuntimeRow, logs_button);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
arw_runtime_row_init (ArwRuntimeRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->start_button), "(sss)", "", "auto", "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->start_button), "win.start-on");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->stop_button), "s", "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->stop_button), "win.stop");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->restart_button), "s", "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->restart_button), "win.restart");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->logs_button), "s", "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->logs_button), "win.view-logs");
  g_signal_connect_swapped (self->device_picker, "notify::selected", G_CALLBACK (update_targets), self);
}

GtkWidget *
arw_runtime_row_new (ArwDBusRuntime *runtime,
                     JsonObject *hardware)
{
  ArwRuntimeRow *self;

  g_return_val_if_fail (ARW_DBUS_IS_RUNTIME (runtime), NULL);

  self = g_object_new (ARW_TYPE_RUNTIME_ROW, NULL);
  self->runtime = g_object_ref (runtime);
  self->hardware = hardware != NULL ? json_object_ref (hardware) : NULL;
  fill_devices (self);
  g_signal_connect_swapped (runtime, "g-properties-changed", G_CALLBACK (update), self);
  update (self);
  return GTK_WIDGET (self);
}

ArwDBusRuntime *
arw_runtime_row_get_runtime (ArwRuntimeRow *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME_ROW (self), NULL);
  return self->runtime;
}

void
arw_runtime_row_set_hardware (ArwRuntimeRow *self,
                              JsonObject *hardware)
{
  g_return_if_fail (ARW_IS_RUNTIME_ROW (self));

  g_clear_pointer (&self->hardware, json_object_unref);
  self->hardware = hardware != NULL ? json_object_ref (hardware) : NULL;
  fill_devices (self);
  update (self);
}

const char *
arw_runtime_row_get_status_text (ArwRuntimeRow *self)
{
  g_return_val_if_fail (ARW_IS_RUNTIME_ROW (self), NULL);
  return self->status_text;
}
