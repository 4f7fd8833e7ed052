/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-json-access.h"

#include <glib/gi18n.h>

#include "arw-hardware-view.h"
#include "arw-preferences-window.h"
#include "arw-wording.h"

struct _ArwPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  GSettings *settings;
  ArwClient *client;
  GCancellable *cancellable;
  GPtrArray *gpu_ids;       /* stable ids, parallel to gpu_row after "Best available" */
  guint n_consents;

  AdwComboRow *order_row;
  AdwComboRow *gpu_row;
  GtkSwitch *gpu_only_switch;
  GtkSwitch *signed_switch;
  AdwComboRow *posture_row;
  GtkSpinButton *revisions_spin;
  AdwPreferencesGroup *notify_group;
  GtkListBox *consents_list;
};

G_DEFINE_FINAL_TYPE (ArwPreferencesWindow, arw_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static const char *const order_gpu_first[] = { "gpu_cuda", "gpu_rocm", "gpu_vulkan", "cpu", NULL };
static const char *const order_vulkan_first[] = { "gpu_vulkan", "gpu_cuda", "gpu_rocm", "cpu", NULL };
static const char *const order_cpu_only[] = { "cpu", NULL };
static const char *const *const order_presets[] = { order_gpu_first, order_vulkan_first, order_cpu_only };

static const struct {
  const char *key;
  const char *title;
} notify_keys[] = {
  { "notify-runtime-error", N_("An Engine Fails") },
  { "notify-fallback-engaged", N_("An Engine Falls Back to the Processor") },
  { "notify-runtime-ready", N_("An Engine Is Ready") },
  { "notify-install-completed", N_("An Installation Completes") },
  { "notify-install-failed", N_("An Installation Fails") },
};

/* ---- processor preference ---- */

/* "NVIDIA CUDA, then AMD ROCm, then …" */
static void
update_order_subtitle (ArwPreferencesWindow *self)
{
  g_auto(GStrv) order = g_settings_get_strv (self->settings, "accelerator-order");
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; order[i] != NULL; i++)
    {
      if (i > 0)
        /* Translators: separates processor kinds in preference order */
        g_string_append (s, _(", then "));
      g_string_append (s, arw_wording_accelerator (order[i]));
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->order_row), s->str);
}

static void
order_selected_cb (ArwPreferencesWindow *self)
{
  guint pos = adw_combo_row_get_selected (self->order_row);

  if (pos < G_N_ELEMENTS (order_presets))
    g_settings_set_strv (self->settings, "accelerator-order", order_presets[pos]);
  update_order_subtitle (self);
}

static void
setup_order (ArwPreferencesWindow *self)
{
  const char *labels[] = { _("Graphics card first"), _("Vulkan first"),
                           _("Processor only"), _("Custom order"), NULL };
  g_auto(GStrv) current = g_settings_get_strv (self->settings, "accelerator-order");
  g_autoptr(GtkStringList) list = gtk_string_list_new (labels);
  guint selected = 3;

  for (guint i = 0; i < G_N_ELEMENTS (order_presets); i++)
    if (g_strv_equal ((const char *const *) current, order_presets[i]))
      selected = i;
  if (selected != 3)
    gtk_string_list_remove (list, 3);
  adw_combo_row_set_model (self->order_row, G_LIST_MODEL (list));
  adw_combo_row_set_selected (self->order_row, selected);
  g_signal_connect_swapped (self->order_row, "notify::selected", G_CALLBACK (order_selected_cb), self);
  update_order_subtitle (self);
}

static void
gpu_selected_cb (ArwPreferencesWindow *self)
{
  guint pos = adw_combo_row_get_selected (self->gpu_row);
  const char *id = "";

  if (pos >= 1 && self->gpu_ids != NULL && pos - 1 < self->gpu_ids->len)
    id = g_ptr_array_index (self->gpu_ids, pos - 1);
  g_settings_set_string (self->settings, "preferred-gpu", id);
}

static void
fill_gpus (ArwPreferencesWindow *self,
           JsonObject *hardware)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) gpus = arw_hardware_view_list_gpus (hardware);
  g_autofree char *preferred = g_settings_get_string (self->settings, "preferred-gpu");
  guint selected = 0;

  gtk_string_list_append (list, _("Best available"));
  g_clear_pointer (&self->gpu_ids, g_ptr_array_unref);
  self->gpu_ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i + 1 < gpus->len; i += 2)
    {
      g_ptr_array_add (self->gpu_ids, g_strdup (g_ptr_array_index (gpus, i)));
      gtk_string_list_append (list, g_ptr_array_index (gpus, i + 1));
      if (g_strcmp0 (preferred, g_ptr_array_index (gpus, i)) == 0)
        selected = self->gpu_ids->len;
    }
  if (*preferred != '\0' && selected == 0)
    {
      /* remembered but not present now: keep it, and say so */
      g_ptr_array_add (self->gpu_ids, g_strdup (preferred));
      gtk_string_list_append (list, _("A card that is not present"));
      selected = self->gpu_ids->len;
    }
  g_signal_handlers_block_by_func (self->gpu_row, gpu_selected_cb, self);
  adw_combo_row_set_model (self->gpu_row, G_LIST_MODEL (list));
  adw_combo_row_set_selected (self->gpu_row, selected);
  g_signal_handlers_unblock_by_func (self->gpu_row, gpu_selected_cb, self);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->gpu_row),
                               gpus->len == 0 ? _("No graphics card found") : "");
}

static void
hardware_cb (GObject *object,
             GAsyncResult *result,
             gpointer user_data)
{
  g_autoptr(ArwPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) hw = arw_client_get_hardware_finish (ARW_CLIENT (object), result, &error);

  if (hw != NULL && JSON_NODE_HOLDS_OBJECT (hw))
    fill_gpus (self, json_node_get_object (hw));
}

/* ---- enums as combo rows ---- */

static void
enum_selected_cb (AdwComboRow *row,
                  GParamSpec *pspec,
                  ArwPreferencesWindow *self)
{
  const char *key = g_object_get_data (G_OBJECT (row), "settings-key");

  g_settings_set_enum (self->settings, key, (int) adw_combo_row_get_selected (row));
}

static void
bind_enum_row (ArwPreferencesWindow *self,
               AdwComboRow *row,
               const char *key,
               const char *const *labels)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (labels);

  adw_combo_row_set_model (row, G_LIST_MODEL (list));
  adw_combo_row_set_selected (row, (guint) g_settings_get_enum (self->settings, key));
  g_object_set_data_full (G_OBJECT (row), "settings-key", g_strdup (key), g_free);
  g_signal_connect (row, "notify::selected", G_CALLBACK (enum_selected_cb), self);
}

static void
setup_notifications (ArwPreferencesWindow *self)
{
  const char *modes[] = { _("Off"), _("In the window"), _("On the desktop"), NULL };

  for (guint i = 0; i < G_N_ELEMENTS (notify_keys); i++)
    {
      GtkWidget *row = adw_combo_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(notify_keys[i].title));
      bind_enum_row (self, ADW_COMBO_ROW (row), notify_keys[i].key, modes);
      adw_preferences_group_add (self->notify_group, row);
    }
}

/* ---- consents ---- */

static void list_consents (ArwPreferencesWindow *self);

static void
revoke_cb (GObject *object,
           GAsyncResult *result,
           gpointer user_data)
{
  g_autoptr(ArwPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!arw_client_revoke_consent_finish (ARW_CLIENT (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error->message));
      return;
    }
  list_consents (self);
}

static void
revoke_clicked_cb (GtkButton *button,
                   ArwPreferencesWindow *self)
{
  const char *bundle = g_object_get_data (G_OBJECT (button), "bundle-id");
  const char *const *mods = g_object_get_data (G_OBJECT (button), "modalities");

  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
  arw_client_revoke_consent_async (self->client, bundle, mods, self->cancellable, revoke_cb, g_object_ref (self));
}

static GStrv
string_array (JsonObject *obj,
              const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *arr = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (arr); i++)
        {
          const char *s = json_array_get_string_element (arr, i);
          if (s != NULL)
            g_strv_builder_add (b, s);
        }
    }
  else if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    g_strv_builder_add (b, json_node_get_string (node));
  return g_strv_builder_end (b);
}

static void
add_consent_row (ArwPreferencesWindow *self,
                 JsonObject *grant)
{
  const char *bundle = arw_json_string (grant, "bundle_id");
  const char *scope = arw_json_string (grant, "scope") != NULL ? arw_json_string (grant, "scope") : "always";
  /* the ledger lists one grant per modality ("modality"); accept a list too */
  g_auto(GStrv) mods = json_object_has_member (grant, "modalities") ? string_array (grant, "modalities")
                                                                    : string_array (grant, "modality");
  g_autofree char *mods_text = arw_wording_modalities ((const char *const *) mods);
  g_autofree char *subtitle = NULL;
  g_autofree char *label = NULL;
  GtkWidget *row, *button;

  if (bundle == NULL)
    return;
  /* Translators: e.g. "Audio, until you take it back" */
  subtitle = g_strdup_printf (g_str_equal (scope, "once") ? _("%s, until the engine stops") : _("%s, until you take it back"),
                              mods_text);
  row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), bundle);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  button = gtk_button_new_with_mnemonic (_("_Take Back"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  /* Translators: accessible label; %s is a bundle id */
  label = g_strdup_printf (_("Take back the access of %s"), bundle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  g_object_set_data_full (G_OBJECT (button), "bundle-id", g_strdup (bundle), g_free);
  g_object_set_data_full (G_OBJECT (button), "modalities", g_steal_pointer (&mods), (GDestroyNotify) g_strfreev);
  g_signal_connect (button, "clicked", G_CALLBACK (revoke_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  gtk_list_box_append (self->consents_list, row);
  self->n_consents++;
}

static void
consents_cb (GObject *object,
             GAsyncResult *result,
             gpointer user_data)
{
  g_autoptr(ArwPreferencesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = arw_client_list_consents_finish (ARW_CLIENT (object), result, &error);
  JsonObject *root = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *grants = root != NULL ? json_object_get_member (root, "grants") : NULL;
  GtkWidget *child;

  if (node == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->consents_list))) != NULL)
    gtk_list_box_remove (self->consents_list, child);
  self->n_consents = 0;
  if (grants != NULL && JSON_NODE_HOLDS_ARRAY (grants))
    for (guint i = 0; i < json_array_get_length (json_node_get_array (grants)); i++)
      {
        JsonObject *g = json_array_get_object_element (json_node_get_array (grants), i);
        if (g != NULL)
          add_consent_row (self, g);
      }
  if (root != NULL && json_object_get_boolean_member_with_default (root, "tampered", FALSE))
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (gtk_widget_get_ancestor (GTK_WIDGET (self->consents_list), ADW_TYPE_PREFERENCES_GROUP)),
                                           _("The record of your choices was changed outside ARW Launcher, so no access is allowed until you allow it again."));
  if (self->n_consents == 0)
    {
      GtkWidget *row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     node == NULL ? _("Cannot read the consents") : _("No engine may use your microphone or camera"));
      if (error != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), error->message);
      gtk_list_box_append (self->consents_list, row);
    }
}

static void
list_consents (ArwPreferencesWindow *self)
{
  if (self->client != NULL)
    arw_client_list_consents_async (self->client, self->cancellable, consents_cb, g_object_ref (self));
}

static void
arw_preferences_window_dispose (GObject *object)
{
  ArwPreferencesWindow *self = ARW_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->client);
  g_clear_pointer (&self->gpu_ids, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARW_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (arw_preferences_window_parent_class)->dispose (object);
}

static void
arw_preferences_window_class_init (ArwPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arw_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/arw/Launcher/ui/arw-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ArwPreferencesWindow, order_row);
  gtk_widget_class_bind_template_child (widget_class, ArwPreferencesWindow, gpu_row);
  gtk_widget_class_bind_template_child (widget_class, ArwPreferencesWindow, gpu_only_switch);
  gtk_widget_class_bind_template_child (widget_class, ArwPreferencesWindow, signed_switch);
  gtk_widget_class_bind_template_child (widget_class, ArwPreferencesWindow, posture_row);
  gtk_widget_class_bind_template_child (widget_class, ArwPreferencesWindow, revisions_spin);
  gtk_widget_class_bind_template_child (widget_class, ArwPreferencesWindow, notify_group);
  gtk_widget_class_bind_template_child (widget_class, ArwPreferencesWindow, consents_list);
}

static void
arw_preferences_window_init (ArwPreferencesWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

ArwPreferencesWindow *
arw_preferences_window_new (GtkWindow *parent,
                            GSettings *settings,
                            ArwClient *client)
{
  ArwPreferencesWindow *self;
  const char *postures[] = { _("Relaxed"), _("Standard"), _("Strict"), NULL };

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (ARW_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
  self->settings = g_object_ref (settings);
  self->client = client != NULL ? g_object_ref (client) : NULL;
  setup_order (self);
  fill_gpus (self, NULL);
  g_signal_connect_swapped (self->gpu_row, "notify::selected", G_CALLBACK (gpu_selected_cb), self);
  g_settings_bind (settings, "gpu-only", self->gpu_only_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "require-signed-bundles", self->signed_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "revisions-to-keep", self->revisions_spin, "value", G_SETTINGS_BIND_DEFAULT);
  bind_enum_row (self, self->posture_row, "security-posture", postures);
  setup_notifications (self);
  if (client != NULL)
    arw_client_get_hardware_async (client, self->cancellable, hardware_cb, g_object_ref (self));
  list_consents (self);
  return self;
}

guint
arw_preferences_window_get_n_consents (ArwPreferencesWindow *self)
{
  g_return_val_if_fail (ARW_IS_PREFERENCES_WINDOW (self), 0);
  return self->n_consents;
}
