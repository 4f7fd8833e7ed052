/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-json-access.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "arw-bundle-details.h"
#include "arw-hardware-view.h"
#include "arw-runtime-row.h"
#include "arw-variant-row.h"
#include "arw-wording.h"

struct _ArwBundleDetails
{
  GtkWidget parent_instance;

  ArwBundleFamily *family;
  ArwClient *client;
  JsonObject *hardware;
  GSettings *settings;
  GCancellable *cancellable;   /* per family: revisions, disk space */
  guint64 disk_free;
  char *trust_text;
  char *consent_text;
  char *fit_text;

  GtkStack *stack;
  GtkImage *icon;
  GtkLabel *title_label;
  GtkLabel *facets_label;
  GtkLabel *description_label;
  GtkWidget *install_button;
  GtkWidget *start_button;
  GtkWidget *stop_button;
  GtkWidget *progress_box;
  GtkProgressBar *progress_bar;
  GtkLabel *progress_label;
  AdwActionRow *trust_row;
  GtkImage *trust_icon;
  AdwActionRow *consent_row;
  AdwActionRow *fit_row;
  GtkImage *fit_icon;
  GtkListBox *variants_list;
  GtkWidget *revisions_group;
  GtkListBox *revisions_list;
  GtkListBox *info_list;
};

G_DEFINE_FINAL_TYPE (ArwBundleDetails, arw_bundle_details, GTK_TYPE_WIDGET)

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static GtkWidget *
add_info_row (GtkListBox *list,
              const char *title,
              const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle != NULL ? subtitle : "");
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 8);
  gtk_list_box_append (list, row);
  return row;
}

static ArwBundleVariant *
pick_variant (ArwBundleDetails *self,
              gboolean installed_only)
{
  g_auto(GStrv) order = self->settings != NULL ? g_settings_get_strv (self->settings, "accelerator-order") : NULL;

  return arw_hardware_view_pick_variant (self->hardware, self->family, (const char *const *) order, installed_only);
}

/* Consent: what any variant may access, in words, and the bundle's note. */
static char *
describe_consent (ArwBundleFamily *family)
{
  GPtrArray *variants = arw_bundle_family_get_variants (family);
  g_autoptr(GString) s = g_string_new (NULL);
  const char *note = NULL;
  const char *const *mods = arw_bundle_family_get_modalities (family);
  gboolean asks = arw_bundle_family_get_consent_required (family);

  for (guint i = 0; i < variants->len && note == NULL; i++)
    {
      ArwBundleVariant *v = g_ptr_array_index (variants, i);
      note = arw_json_string (arw_json_object (arw_json_object (v->bundle, "metadata"), "consent"), "note");
    }
  if (asks)
    {
      g_string_append (s, _("Asks for your permission before it starts:"));
      for (guint i = 0; mods != NULL && mods[i] != NULL; i++)
        {
          g_autofree char *line = NULL;
          if (g_str_equal (mods[i], "text"))
            continue;
          line = arw_wording_consent_line (mods[i]);
          g_string_append_printf (s, "\n%s.", line);
        }
    }
  else
    g_string_append (s, _("Needs no access to your microphone or camera"));
  if (note != NULL && *note != '\0')
    /* Translators: %s is the publisher's note */
    g_string_append_printf (s, _("\nThe publisher says: “%s”"), note);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static char *
describe_trust (ArwBundleDetails *self,
                gboolean *out_trusted)
{
  ArwBundleVariant *v = pick_variant (self, TRUE);
  const char *channel = arw_bundle_family_get_channel (self->family);

  *out_trusted = FALSE;
  if (v != NULL && v->installation != NULL)
    {
      JsonObject *sig = arw_json_object (v->installation, "signature");
      return arw_wording_trust (sig, v->channel != NULL ? v->channel : channel, out_trusted);
    }
  if (self->settings != NULL && g_settings_get_boolean (self->settings, "require-signed-bundles"))
    {
      if (channel != NULL)
        /* Translators: %s is a catalog channel such as "preview" */
        return g_strdup_printf (_("Checked when installed: it must be signed by a publisher trusted for %s"), channel);
      return g_strdup (_("Checked when installed: it must be signed by a trusted publisher"));
    }
  return g_strdup (_("Checked when installed; unsigned bundles are allowed with a warning"));
}

static char *
describe_fit (ArwBundleDetails *self,
              gboolean *out_fits)
{
  ArwBundleVariant *v = pick_variant (self, FALSE);
  ArwFitWordingInput in = { 0 };
  JsonArray *artifacts = v != NULL ? arw_json_array (v->bundle, "artifacts") : NULL;
  JsonObject *gpu = NULL;

  for (guint i = 0; artifacts != NULL && i < json_array_get_length (artifacts); i++)
    {
      JsonObject *a = json_array_get_object_element (artifacts, i);
      JsonNode *size = a != NULL ? json_object_get_member (a, "size_bytes") : NULL;

      if (size != NULL && JSON_NODE_HOLDS_VALUE (size) && json_node_get_int (size) > 0)
        in.download_bytes += (guint64) json_node_get_int (size);
      else
        in.n_unknown_sizes++;
    }
  in.disk_free_bytes = self->disk_free;
  in.ram_total_bytes = arw_hardware_view_ram_total (self->hardware);
  in.gpu = v != NULL && v->accelerator != NULL && g_str_has_prefix (v->accelerator, "gpu_");
  if (in.gpu)
    gpu = arw_hardware_view_gpu_for (self->hardware, v->accelerator);
  if (gpu != NULL)
    in.vram_bytes = (guint64) MAX (0, json_object_get_int_member_with_default (gpu, "vram_bytes", 0));
  if (in.gpu && gpu != NULL && in.vram_bytes == 0)
    in.vram_bytes = in.ram_total_bytes;   /* integrated: shares system memory */
  return arw_wording_fit (&in, out_fits);
}

static void
update_safety (ArwBundleDetails *self)
{
  gboolean trusted = FALSE, fits = TRUE;

  g_free (self->trust_text);
  self->trust_text = describe_trust (self, &trusted);
  adw_action_row_set_subtitle (self->trust_row, self->trust_text);
  gtk_image_set_from_icon_name (self->trust_icon, trusted ? "security-high-symbolic" : "security-low-symbolic");

  g_free (self->consent_text);
  self->consent_text = describe_consent (self->family);
  adw_action_row_set_subtitle (self->consent_row, self->consent_text);

  g_free (self->fit_text);
  self->fit_text = describe_fit (self, &fits);
  adw_action_row_set_subtitle (self->fit_row, self->fit_text);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->fit_row),
                                 fits ? _("Fits This Computer") : _("May Not Fit This Computer"));
  gtk_image_set_from_icon_name (self->fit_icon, fits ? "emblem-ok-symbolic" : "dialog-warning-symbolic");
}

static void
fill_info (ArwBundleDetails *self)
{
  ArwBundleVariant *v = pick_variant (self, FALSE);
  JsonObject *b = v != NULL ? v->bundle : NULL;
  const char *license = arw_json_string (b, "license");
  JsonArray *platforms = arw_json_array (b, "platforms");
  JsonArray *notes = arw_json_array (b, "notes");
  JsonArray *artifacts = arw_json_array (b, "artifacts");
  g_autoptr(GString) s = g_string_new (NULL);

  clear_list (self->info_list);
  add_info_row (self->info_list, _("License"), license != NULL ? license : _("Not stated"));
  for (guint i = 0; platforms != NULL && i < json_array_get_length (platforms); i++)
    {
      JsonObject *p = json_array_get_object_element (platforms, i);
      const char *minv = arw_json_string (p, "min_version");
      g_string_append_printf (s, "%s%s %s%s%s%s", s->len > 0 ? "\n" : "",
                              arw_json_string (p, "os"), arw_json_string (p, "arch"),
                              minv != NULL ? " (" : "", minv != NULL ? minv : "", minv != NULL ? ")" : "");
    }
  add_info_row (self->info_list, _("Platforms"), s->len > 0 ? s->str : _("Not stated"));
  g_string_truncate (s, 0);
  for (guint i = 0; notes != NULL && i < json_array_get_length (notes); i++)
    g_string_append_printf (s, "%s%s", s->len > 0 ? "\n" : "", json_array_get_string_element (notes, i));
  if (s->len > 0)
    add_info_row (self->info_list, _("Notes"), s->str);
  for (guint i = 0; artifacts != NULL && i < json_array_get_length (artifacts); i++)
    {
      JsonObject *a = json_array_get_object_element (artifacts, i);
      JsonNode *size = json_object_get_member (a, "size_bytes");
      const char *fmt = arw_json_string (a, "format");
      const char *anotes = arw_json_string (a, "notes");
      g_autofree char *size_s = size != NULL && JSON_NODE_HOLDS_VALUE (size) && json_node_get_int (size) > 0
                                ? g_format_size ((guint64) json_node_get_int (size)) : g_strdup (_("size unknown"));
      g_autofree char *title = g_strdup_printf ("%s%s%s%s", arw_json_string (a, "kind"),
                                                fmt != NULL ? " (" : "", fmt != NULL ? fmt : "", fmt != NULL ? ")" : "");
      g_autofree char *sub = g_strdup_printf ("%s%s%s", size_s, anotes != NULL ? " · " : "", anotes != NULL ? anotes : "");
      /* Translators: title of an artifact row, e.g. "Download: archive (tar.zst)" */
      g_autofree char *full = g_strdup_printf (_("Download: %s"), title);

      add_info_row (self->info_list, full, sub);
    }
}

static const char *
runtime_state (ArwBundleDetails *self,
               const char *id)
{
  ArwDBusRuntime *rt = self->client != NULL ? arw_client_lookup_runtime (self->client, id) : NULL;

  return rt != NULL ? arw_dbus_runtime_get_state (rt) : NULL;
}

static void
update_buttons (ArwBundleDetails *self)
{
  GPtrArray *variants = arw_bundle_family_get_variants (self->family);
  ArwBundleVariant *to_install = pick_variant (self, FALSE);
  const char *running_id = NULL;
  gboolean any_installed = arw_bundle_family_get_installed (self->family);
  double progress = arw_bundle_family_get_progress (self->family);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->variants_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      const char *id, *state;
      g_autofree char *words = NULL;
      ArwDBusRuntime *rt;

      if (!ARW_IS_VARIANT_ROW (child))
        continue;
      id = arw_variant_row_get_bundle_id (ARW_VARIANT_ROW (child));
      state = runtime_state (self, id);
      rt = self->client != NULL ? arw_client_lookup_runtime (self->client, id) : NULL;
      if (rt != NULL && state != NULL && g_strcmp0 (state, "offline") != 0 && g_strcmp0 (state, "unknown") != 0)
        words = arw_runtime_row_describe (rt, self->hardware);
      arw_variant_row_update (ARW_VARIANT_ROW (child), state, words);
      if (arw_runtime_state_is_running (state))
        running_id = id;
    }
  (void) variants;

  gtk_widget_set_visible (self->install_button, !any_installed && to_install != NULL && progress < 0);
  if (to_install != NULL)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (self->install_button), "s", to_install->id);
  gtk_widget_set_visible (self->start_button, any_installed && running_id == NULL);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->start_button), "s", arw_bundle_family_get_id (self->family));
  gtk_widget_set_visible (self->stop_button, running_id != NULL);
  if (running_id != NULL)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (self->stop_button), "s", running_id);

  gtk_widget_set_visible (self->progress_box, progress >= 0);
  if (progress >= 0)
    {
      const char *text = arw_bundle_family_get_progress_text (self->family);
      gtk_progress_bar_set_fraction (self->progress_bar, progress);
      gtk_label_set_label (self->progress_label, text != NULL ? text : "");
    }
}

static void
revisions_cb (GObject *object,
              GAsyncResult *result,
              gpointer user_data)
{
  g_autoptr(ArwBundleDetails) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = arw_client_rollback_finish (ARW_CLIENT (object), result, &error);
  JsonObject *root = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonArray *history = arw_json_array (root, "history");
  const char *bundle = arw_json_string (root, "bundle");

  if (node == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("no revisions: %s", error->message);
      return;
    }
  for (guint i = 0; history != NULL && bundle != NULL && i < json_array_get_length (history); i++)
    {
      JsonObject *h = json_array_get_object_element (history, i);
      const char *rev = arw_json_string (h, "revision");
      const char *kind = arw_json_string (h, "kind");
      GtkWidget *row, *button;
      g_autofree char *sub = NULL;
      g_autofree char *label = NULL;

      if (rev == NULL)
        continue;
      /* Translators: subtitle of a revision: what made it, and when */
      sub = g_strdup_printf (_("Saved before %s on %s"), kind != NULL ? kind : "?",
                             arw_json_string (h, "saved_at") != NULL ? arw_json_string (h, "saved_at") : "?");
      row = add_info_row (self->revisions_list, rev, sub);
      button = gtk_button_new_with_mnemonic (_("_Roll Back"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.rollback");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "(ss)", bundle, rev);
      /* Translators: accessible label; %s is a revision id */
      label = g_strdup_printf (_("Roll back to %s"), rev);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_widget_set_visible (self->revisions_group, TRUE);
    }
}

static void
disk_cb (GObject *object,
         GAsyncResult *result,
         gpointer user_data)
{
  g_autoptr(ArwBundleDetails) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_filesystem_info_finish (G_FILE (object), result, &error);

  if (info == NULL)
    {
      g_autoptr(GFile) parent = NULL;

      /* the state dir may not exist yet: ask its nearest existing parent */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
          (parent = g_file_get_parent (G_FILE (object))) == NULL)
        return;
      g_file_query_filesystem_info_async (parent, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, G_PRIORITY_DEFAULT,
                                          self->cancellable, disk_cb, g_object_ref (self));
      return;
    }
  if (self->family == NULL)
    return;
  self->disk_free = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_FILESYSTEM_FREE);
  update_safety (self);
}

static void
start_queries (ArwBundleDetails *self)
{
  GPtrArray *variants = arw_bundle_family_get_variants (self->family);
  ArwDBusManager *manager;
  const char *state_dir;
  g_autoptr(GFile) dir = NULL;

  if (self->client == NULL)
    return;
  manager = arw_client_get_manager (self->client);
  state_dir = manager != NULL ? arw_dbus_manager_get_state_dir (manager) : NULL;
  dir = g_file_new_for_path (state_dir != NULL && *state_dir != '\0' ? state_dir : g_get_user_data_dir ());
  g_file_query_filesystem_info_async (dir, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, G_PRIORITY_DEFAULT,
                                      self->cancellable, disk_cb, g_object_ref (self));
  for (guint i = 0; i < variants->len; i++)
    {
      ArwBundleVariant *v = g_ptr_array_index (variants, i);
      ArwClientRollbackOptions opts = { .list = TRUE };

      if (v->installation != NULL)
        arw_client_rollback_async (self->client, v->id, &opts, self->cancellable, revisions_cb, g_object_ref (self));
    }
}

static void
family_notify_cb (ArwBundleDetails *self)
{
  update_buttons (self);
}

static void
fill (ArwBundleDetails *self)
{
  GPtrArray *variants;
  g_autofree char *mods = NULL;
  g_autofree char *facets = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  clear_list (self->variants_list);
  clear_list (self->revisions_list);
  gtk_widget_set_visible (self->revisions_group, FALSE);
  if (self->family == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  self->cancellable = g_cancellable_new ();
  variants = arw_bundle_family_get_variants (self->family);
  mods = arw_wording_modalities (arw_bundle_family_get_modalities (self->family));
  facets = *mods != '\0' ? g_strdup_printf ("%s · %s", mods, arw_bundle_family_get_accelerators_text (self->family))
                         : g_strdup (arw_bundle_family_get_accelerators_text (self->family));
  gtk_label_set_label (self->title_label, arw_bundle_family_get_name (self->family));
  gtk_label_set_label (self->facets_label, facets);
  gtk_label_set_label (self->description_label, arw_bundle_family_get_description (self->family));
  gtk_image_set_from_icon_name (self->icon, arw_bundle_family_has_modality (self->family, "audio") ? "audio-input-microphone-symbolic"
                                : arw_bundle_family_has_modality (self->family, "vision") ? "camera-photo-symbolic"
                                : "text-x-generic-symbolic");
  for (guint i = 0; i < variants->len; i++)
    gtk_list_box_append (self->variants_list, arw_variant_row_new (self->family, g_ptr_array_index (variants, i)));
  self->disk_free = 0;
  update_safety (self);
  fill_info (self);
  update_buttons (self);
  start_queries (self);
  gtk_stack_set_visible_child_name (self->stack, "details");
}

static void
arw_bundle_details_dispose (GObject *object)
{
  ArwBundleDetails *self = ARW_BUNDLE_DETAILS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->family != NULL)
    g_signal_handlers_disconnect_by_data (self->family, self);
  g_clear_object (&self->family);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->hardware, json_object_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARW_TYPE_BUNDLE_DETAILS);
  {
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (arw_bundle_details_parent_class)->dispose (object);
}

static void
arw_bundle_details_finalize (GObject *object)
{
  ArwBundleDetails *self = ARW_BUNDLE_DETAILS (object);

  g_free (self->trust_text);
  g_free (self->consent_text);
  g_free (self->fit_text);

  G_OBJECT_CLASS (arw_bundle_details_parent_class)->finalize (object);
}

static void
arw_bundle_details_class_init (ArwBundleDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arw_bundle_details_dispose;
  object_class->finalize = arw_bundle_details_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/arw/Launcher/ui/arw-bundle-details.ui");
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, stack);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, icon);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, title_label);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, facets_label);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, description_label);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, install_button);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, start_button);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, stop_button);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, progress_box);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, progress_label);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, trust_row);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, trust_icon);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, consent_row);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, fit_row);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, fit_icon);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, variants_list);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, revisions_group);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, revisions_list);
  gtk_widget_class_bind_template_child (widget_class, ArwBundleDetails, info_list);
}

static void
arw_bundle_details_init (ArwBundleDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->install_button), "s", "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->install_button), "win.install");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->start_button), "s", "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->start_button), "win.start");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->stop_button), "s", "");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->stop_button), "win.stop");
}

void
arw_bundle_details_set_context (ArwBundleDetails *self,
                                ArwClient *client,
                                JsonObject *hardware,
                                GSettings *settings)
{
  g_return_if_fail (ARW_IS_BUNDLE_DETAILS (self));

  g_set_object (&self->client, client);
  g_set_object (&self->settings, settings);
  if (hardware != self->hardware)
    {
      g_clear_pointer (&self->hardware, json_object_unref);
      self->hardware = hardware != NULL ? json_object_ref (hardware) : NULL;
    }
  if (self->family != NULL)
    {
      update_safety (self);
      update_buttons (self);
    }
}

void
arw_bundle_details_set_family (ArwBundleDetails *self,
                               ArwBundleFamily *family)
{
  g_return_if_fail (ARW_IS_BUNDLE_DETAILS (self));

  if (self->family != NULL)
    g_signal_handlers_disconnect_by_data (self->family, self);
  g_set_object (&self->family, family);
  if (family != NULL)
    {
      g_signal_connect_swapped (family, "notify::progress", G_CALLBACK (family_notify_cb), self);
      g_signal_connect_swapped (family, "notify::progress-text", G_CALLBACK (family_notify_cb), self);
      g_signal_connect_swapped (family, "notify::runtime-text", G_CALLBACK (family_notify_cb), self);
    }
  fill (self);
}

ArwBundleFamily *
arw_bundle_details_get_family (ArwBundleDetails *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_DETAILS (self), NULL);
  return self->family;
}

void
arw_bundle_details_refresh (ArwBundleDetails *self)
{
  g_return_if_fail (ARW_IS_BUNDLE_DETAILS (self));

  if (self->family != NULL)
    update_buttons (self);
}

const char *
arw_bundle_details_get_trust_text (ArwBundleDetails *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_DETAILS (self), NULL);
  return self->trust_text;
}

const char *
arw_bundle_details_get_consent_text (ArwBundleDetails *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_DETAILS (self), NULL);
  return self->consent_text;
}

const char *
arw_bundle_details_get_fit_text (ArwBundleDetails *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_DETAILS (self), NULL);
  return self->fit_text;
}
