/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arw-variant-row.h"
#include "arw-wording.h"

struct _ArwVariantRow
{
  AdwActionRow parent_instance;

  ArwBundleFamily *family;
  ArwBundleVariant *variant;   /* owned by family */

  GtkWidget *install_button;
  GtkWidget *start_button;
  GtkWidget *stop_button;
  GtkWidget *remove_button;
};

G_DEFINE_FINAL_TYPE (ArwVariantRow, arw_variant_row, ADW_TYPE_ACTION_ROW)

static void
arw_variant_row_dispose (GObject *object)
{
  ArwVariantRow *self = ARW_VARIANT_ROW (object);

  self->variant = NULL;
  g_clear_object (&self->family);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARW_TYPE_VARIANT_ROW);

  G_OBJECT_CLASS (arw_variant_row_parent_class)->dispose (object);
}

static void
arw_variant_row_class_init (ArwVariantRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arw_variant_row_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/arw/Launcher/ui/arw-variant-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ArwVariantRow, install_button);
  gtk_widget_class_bind_template_child (widget_class, ArwVariantRow, start_button);
  gtk_widget_class_bind_template_child (widget_class, ArwVariantRow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, ArwVariantRow, remove_button);
}

static void
arw_variant_row_init (ArwVariantRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
label_button (GtkWidget *button,
              const char *verb,
              const char *name)
{
  /* Translators: accessible label of an icon button, e.g. "Install llama.cpp server (CPU)" */
  g_autofree char *label = g_strdup_printf (C_("variant action", "%s %s"), verb, name);

  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

GtkWidget *
arw_variant_row_new (ArwBundleFamily *family,
                     ArwBundleVariant *variant)
{
  ArwVariantRow *self;
  GVariant *target;

  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (family), NULL);
  g_return_val_if_fail (variant != NULL, NULL);

  self = g_object_new (ARW_TYPE_VARIANT_ROW, NULL);
  self->family = g_object_ref (family);
  self->variant = variant;
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), variant->name);
  target = g_variant_ref_sink (g_variant_new_string (variant->id));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->install_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->start_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->stop_button), target);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->remove_button), target);
  g_variant_unref (target);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->install_button), "win.install");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->start_button), "win.start");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->stop_button), "win.stop");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->remove_button), "win.remove");
  label_button (self->install_button, _("Install"), variant->name);
  label_button (self->start_button, _("Start"), variant->name);
  label_button (self->stop_button, _("Stop"), variant->name);
  label_button (self->remove_button, _("Remove"), variant->name);
  arw_variant_row_update (self, NULL, NULL);
  return GTK_WIDGET (self);
}

const char *
arw_variant_row_get_bundle_id (ArwVariantRow *self)
{
  g_return_val_if_fail (ARW_IS_VARIANT_ROW (self), NULL);
  return self->variant != NULL ? self->variant->id : NULL;
}

static gboolean
state_is_running (const char *state)
{
  return g_strcmp0 (state, "starting") == 0 || g_strcmp0 (state, "ready") == 0 ||
         g_strcmp0 (state, "degraded") == 0;
}

void
arw_variant_row_update (ArwVariantRow *self,
                        const char *runtime_state,
                        const char *status)
{
  gboolean installed, running;
  g_autoptr(GString) subtitle = NULL;

  g_return_if_fail (ARW_IS_VARIANT_ROW (self));
  if (self->variant == NULL)
    return;

  installed = self->variant->installation != NULL;
  running = state_is_running (runtime_state);
  subtitle = g_string_new (arw_wording_accelerator (self->variant->accelerator));
  g_string_append (subtitle, " · ");
  g_string_append (subtitle, installed ? _("Installed") : _("Not installed"));
  if (status != NULL && *status != '\0')
    g_string_append_printf (subtitle, "\n%s", status);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle->str);

  gtk_widget_set_visible (self->install_button, !installed);
  gtk_widget_set_visible (self->start_button, installed && !running);
  gtk_widget_set_visible (self->stop_button, installed && running);
  gtk_widget_set_visible (self->remove_button, installed && !running);
}
