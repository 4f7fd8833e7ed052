/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arw-bundle-row.h"
#include "arw-wording.h"

struct _ArwBundleRow
{
  GtkWidget parent_instance;

  ArwBundleFamily *family;
  GSignalGroup *family_signals;

  GtkImage *icon;
  GtkLabel *name_label;
  GtkLabel *state_label;
  GtkLabel *description_label;
  GtkLabel *facets_label;
  GtkWidget *progress_box;
  GtkProgressBar *progress_bar;
  GtkLabel *progress_label;
};

G_DEFINE_FINAL_TYPE (ArwBundleRow, arw_bundle_row, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_FAMILY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
icon_for (ArwBundleFamily *family)
{
  if (arw_bundle_family_has_modality (family, "audio"))
    return "audio-input-microphone-symbolic";
  if (arw_bundle_family_has_modality (family, "vision"))
    return "camera-photo-symbolic";
  return "text-x-generic-symbolic";
}

static void
update_state (ArwBundleRow *self)
{
  const char *runtime = arw_bundle_family_get_runtime_text (self->family);
  double progress = arw_bundle_family_get_progress (self->family);
  const char *state = NULL;

  if (runtime != NULL && *runtime != '\0')
    state = runtime;
  else if (arw_bundle_family_get_installed (self->family))
    state = _("Installed");
  gtk_label_set_label (self->state_label, state != NULL ? state : "");
  gtk_widget_set_visible (GTK_WIDGET (self->state_label), state != NULL);

  gtk_widget_set_visible (self->progress_box, progress >= 0);
  if (progress >= 0)
    {
      const char *text = arw_bundle_family_get_progress_text (self->family);

      gtk_progress_bar_set_fraction (self->progress_bar, progress);
      gtk_label_set_label (self->progress_label, text != NULL ? text : "");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                      GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, text != NULL ? text : "",
                                      -1);
    }
}

static void
update_all (ArwBundleRow *self)
{
  g_autofree char *mods = NULL;
  g_autofree char *facets = NULL;

  if (self->family == NULL)
    return;
  mods = arw_wording_modalities (arw_bundle_family_get_modalities (self->family));
  facets = *mods != '\0' ? g_strdup_printf ("%s · %s", mods, arw_bundle_family_get_accelerators_text (self->family))
                         : g_strdup (arw_bundle_family_get_accelerators_text (self->family));
  gtk_image_set_from_icon_name (self->icon, icon_for (self->family));
  gtk_label_set_label (self->name_label, arw_bundle_family_get_name (self->family));
  gtk_label_set_label (self->description_label, arw_bundle_family_get_description (self->family));
  gtk_label_set_label (self->facets_label, facets);
  update_state (self);
}

static void
family_notify_cb (ArwBundleRow *self)
{
  update_state (self);
}

static void
arw_bundle_row_dispose (GObject *object)
{
  ArwBundleRow *self = ARW_BUNDLE_ROW (object);

  if (self->family_signals != NULL)
    g_signal_group_set_target (self->family_signals, NULL);
  g_clear_object (&self->family_signals);
  g_clear_object (&self->family);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARW_TYPE_BUNDLE_ROW);
  {
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (arw_bundle_row_parent_class)->dispose (object);
}

static void
arw_bundle_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ArwBundleRow *self = ARW_BUNDLE_ROW (object);

  switch (prop_id)
    {
    case PROP_FAMILY:
      g_value_set_object (value, self->family);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arw_bundle_row_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ArwBundleRow *self = ARW_BUNDLE_ROW (object);

  switch (prop_id)
    {
    case PROP_FAMILY:
      arw_bundle_row_set_family (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arw_bundle_row_class_init (ArwBundleRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arw_bundle_row_dispose;
  object_class->get_property = arw_bundle_row_get_property;
  object_class->set_property = arw_bundle_row_set_property;

  properties[PROP_FAMILY] =
    g_param_spec_object ("family", NULL, NULL, ARW_TYPE_BUNDLE_FAMILY,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/arw/Launcher/ui/arw-bundle-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ArwBundleRow, icon);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleRow, state_label);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleRow, description_label);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleRow, facets_label);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleRow, progress_box);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleRow, progress_label);
  gtk_widget_class_set_css_name (widget_class, "bundlerow");
}

static void
arw_bundle_row_init (ArwBundleRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->family_signals = g_signal_group_new (ARW_TYPE_BUNDLE_FAMILY);
  g_signal_group_connect_swapped (self->family_signals, "notify::progress", G_CALLBACK (family_notify_cb), self);
  g_signal_group_connect_swapped (self->family_signals, "notify::progress-text", G_CALLBACK (family_notify_cb), self);
  g_signal_group_connect_swapped (self->family_signals, "notify::runtime-text", G_CALLBACK (family_notify_cb), self);
  g_signal_group_connect_swapped (self->family_signals, "notify::installed", G_CALLBACK (family_notify_cb), self);
}

GtkWidget *
arw_bundle_row_new (void)
{
  return g_object_new (ARW_TYPE_BUNDLE_ROW, NULL);
}

ArwBundleFamily *
arw_bundle_row_get_family (ArwBundleRow *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_ROW (self), NULL);
  return self->family;
}

void
arw_bundle_row_set_family (ArwBundleRow *self,
                           ArwBundleFamily *family)
{
  g_return_if_fail (ARW_IS_BUNDLE_ROW (self));
  g_return_if_fail (family == NULL || ARW_IS_BUNDLE_FAMILY (family));

  if (!g_set_object (&self->family, family))
    return;
  g_signal_group_set_target (self->family_signals, family);
  update_all (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAMILY]);
}
