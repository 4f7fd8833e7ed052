/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arw-consent-dialog.h"
#include "arw-wording.h"

struct _ArwConsentDialog
{
  AdwMessageDialog parent_instance;

  char *bundle_id;
  GStrv modalities;

  GtkLabel *access_label;
  GtkLabel *note_label;
};

G_DEFINE_FINAL_TYPE (ArwConsentDialog, arw_consent_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
arw_consent_dialog_finalize (GObject *object)
{
  ArwConsentDialog *self = ARW_CONSENT_DIALOG (object);

  g_free (self->bundle_id);
  g_strfreev (self->modalities);

  G_OBJECT_CLASS (arw_consent_dialog_parent_class)->finalize (object);
}

static void
arw_consent_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), ARW_TYPE_CONSENT_DIALOG);

  G_OBJECT_CLASS (arw_consent_dialog_parent_class)->dispose (object);
}

static void
arw_consent_dialog_class_init (ArwConsentDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arw_consent_dialog_dispose;
  object_class->finalize = arw_consent_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/arw/Launcher/ui/arw-consent-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ArwConsentDialog, access_label);
  gtk_widget_class_bind_template_child (widget_class, ArwConsentDialog, note_label);
}

static void
arw_consent_dialog_init (ArwConsentDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static const char *
device_words (const char *const *modalities)
{
  gboolean audio = modalities != NULL && g_strv_contains (modalities, "audio");
  gboolean vision = modalities != NULL && g_strv_contains (modalities, "vision");

  if (audio && vision)
    return _("your microphone and camera");
  if (audio)
    return _("your microphone");
  if (vision)
    return _("your camera");
  return _("what you send it");
}

ArwConsentDialog *
arw_consent_dialog_new (GtkWindow *parent,
                        const char *bundle_id,
                        const char *bundle_name,
                        const char *const *modalities,
                        const char *note)
{
  ArwConsentDialog *self;
  g_autofree char *heading = NULL;
  g_autoptr(GString) access = g_string_new (NULL);

  g_return_val_if_fail (bundle_id != NULL, NULL);

  self = g_object_new (ARW_TYPE_CONSENT_DIALOG, "transient-for", parent, NULL);
  self->bundle_id = g_strdup (bundle_id);
  self->modalities = g_strdupv ((char **) modalities);

  /* Translators: first %s is an engine name, second e.g. "your microphone" */
  heading = g_strdup_printf (_("Allow %s to use %s?"),
                             bundle_name != NULL ? bundle_name : bundle_id,
                             device_words (modalities));
  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);
  for (guint i = 0; modalities != NULL && modalities[i] != NULL; i++)
    {
      g_autofree char *line = arw_wording_consent_line (modalities[i]);
      g_string_append_printf (access, "%s%s.", access->len > 0 ? "\n" : "", line);
    }
  gtk_label_set_label (self->access_label, access->str);
  if (note != NULL && *note != '\0')
    {
      /* Translators: %s is the publisher's note about what the engine accesses */
      g_autofree char *text = g_strdup_printf (_("The publisher says: “%s”"), note);
      gtk_label_set_label (self->note_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->note_label), TRUE);
    }
  return self;
}

const char *
arw_consent_dialog_get_bundle_id (ArwConsentDialog *self)
{
  g_return_val_if_fail (ARW_IS_CONSENT_DIALOG (self), NULL);
  return self->bundle_id;
}

const char *const *
arw_consent_dialog_get_modalities (ArwConsentDialog *self)
{
  g_return_val_if_fail (ARW_IS_CONSENT_DIALOG (self), NULL);
  return (const char *const *) self->modalities;
}
