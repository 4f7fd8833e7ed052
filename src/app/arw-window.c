/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "arw-bench.h"
#include "arw-bundle-row.h"
#include "arw-catalog-model.h"
#include "arw-runtime-row.h"
#include "arw-transaction-row.h"
#include "arw-window-private.h"

G_DEFINE_FINAL_TYPE (ArwWindow, arw_window, ADW_TYPE_APPLICATION_WINDOW)

/* Filter choices: display strings and the values they stand for. */
static const char *const modality_values[] = { NULL, "text", "audio", "vision" };
static const char *const accelerator_values[] = { NULL, "cpu", "gpu", "gpu_cuda", "gpu_rocm", "gpu_vulkan" };

static void
update_list_state (ArwWindow *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->families));

  if (!self->catalog_loaded)
    return;
  if (shown > 0)
    {
      gtk_stack_set_visible_child_name (self->list_stack, "list");
      return;
    }
  if (total == 0)
    {
      adw_status_page_set_title (self->empty_page, _("No Bundles Yet"));
      adw_status_page_set_description (self->empty_page,
                                       _("No catalog was found. Import a bundle from the main menu, or add a catalog and reload"));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("No Matching Bundles"));
      adw_status_page_set_description (self->empty_page, _("Try other words or clear the filters"));
    }
  gtk_stack_set_visible_child_name (self->list_stack, "empty");
}

static void
update_filters_button (ArwWindow *self)
{
  guint n = (gtk_drop_down_get_selected (self->modality_filter) > 0) +
            (gtk_drop_down_get_selected (self->accelerator_filter) > 0) +
            (gtk_drop_down_get_selected (self->channel_filter) > 0 &&
             gtk_drop_down_get_selected (self->channel_filter) != GTK_INVALID_LIST_POSITION) +
            gtk_check_button_get_active (self->installed_filter);
  g_autofree char *label = NULL;

  if (n == 0)
    {
      gtk_menu_button_set_label (self->filters_button, _("Filters"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->filters_button), "accent");
      return;
    }
  /* Translators: the filters button when %u filters are in use */
  label = g_strdup_printf (_("Filters (%u)"), n);
  gtk_menu_button_set_label (self->filters_button, label);
  gtk_widget_add_css_class (GTK_WIDGET (self->filters_button), "accent");
}

static void
search_changed_cb (ArwWindow *self)
{
  arw_catalog_filter_set_search (self->filter, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
stop_search_cb (ArwWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_toggle_button_set_active (self->search_button, FALSE);
}

static void
modality_changed_cb (ArwWindow *self)
{
  guint pos = gtk_drop_down_get_selected (self->modality_filter);

  arw_catalog_filter_set_modality (self->filter, pos < G_N_ELEMENTS (modality_values) ? modality_values[pos] : NULL);
  update_filters_button (self);
}

static void
accelerator_changed_cb (ArwWindow *self)
{
  guint pos = gtk_drop_down_get_selected (self->accelerator_filter);

  arw_catalog_filter_set_accelerator (self->filter, pos < G_N_ELEMENTS (accelerator_values) ? accelerator_values[pos] : NULL);
  update_filters_button (self);
}

static void
channel_changed_cb (ArwWindow *self)
{
  guint pos = gtk_drop_down_get_selected (self->channel_filter);
  GListModel *model = gtk_drop_down_get_model (self->channel_filter);
  const char *channel = NULL;

  if (pos != GTK_INVALID_LIST_POSITION && pos > 0 && model != NULL)
    channel = gtk_string_list_get_string (GTK_STRING_LIST (model), pos);
  arw_catalog_filter_set_channel (self->filter, channel);
  update_filters_button (self);
}

static void
installed_toggled_cb (ArwWindow *self)
{
  arw_catalog_filter_set_installed_only (self->filter, gtk_check_button_get_active (self->installed_filter));
  update_filters_button (self);
}

static void
update_back_button (ArwWindow *self)
{
  gboolean folded = adw_leaflet_get_folded (self->leaflet);
  gboolean on_details = adw_leaflet_get_visible_child (self->leaflet) == GTK_WIDGET (self->details);
  gboolean on_catalog = g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "catalog") == 0;

  gtk_widget_set_visible (self->back_button, folded && on_details && on_catalog);
}

static void
show_family (ArwWindow *self,
             ArwBundleFamily *family)
{
  arw_bundle_details_set_family (self->details, family);
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->details));
  update_back_button (self);
}

static void
catalog_activate_cb (ArwWindow *self,
                     guint position)
{
  g_autoptr(ArwBundleFamily) family = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);

  if (family != NULL)
    show_family (self, family);
}

static void
selection_changed_cb (ArwWindow *self)
{
  ArwBundleFamily *family = gtk_single_selection_get_selected_item (self->selection);

  /* unfolded: selecting is showing; folded: wait for activation */
  if (family != NULL && !adw_leaflet_get_folded (self->leaflet) &&
      family != arw_bundle_details_get_family (self->details))
    arw_bundle_details_set_family (self->details, family);
}

/* The channel drop-down lists the channels of the loaded catalogs. */
static void
fill_channels (ArwWindow *self)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->families));

  gtk_string_list_append (list, _("Any channel"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ArwBundleFamily) f = g_list_model_get_item (G_LIST_MODEL (self->families), i);
      const char *channel = arw_bundle_family_get_channel (f);

      if (channel != NULL && g_hash_table_add (seen, (gpointer) channel))
        gtk_string_list_append (list, channel);
    }
  g_signal_handlers_block_by_func (self->channel_filter, channel_changed_cb, self);
  gtk_drop_down_set_model (self->channel_filter, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (self->channel_filter, 0);
  g_signal_handlers_unblock_by_func (self->channel_filter, channel_changed_cb, self);
  arw_catalog_filter_set_channel (self->filter, NULL);
}

static void update_runtime_texts (ArwWindow *self);
static void update_transactions (ArwWindow *self);

static void
apply_inventory (ArwWindow *self,
                 JsonNode *inventory)
{
  g_autofree char *keep = NULL;
  g_autoptr(GListStore) store = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  ArwBundleFamily *current = arw_bundle_details_get_family (self->details);
  guint n;

  if (current != NULL)
    keep = g_strdup (arw_bundle_family_get_id (current));
  g_clear_pointer (&self->inventory, json_node_unref);
  self->inventory = json_node_ref (inventory);
  g_hash_table_remove_all (self->family_by_bundle);
  store = arw_catalog_model_build (json_node_get_object (inventory), self->family_by_bundle);
  n = g_list_model_get_n_items (G_LIST_MODEL (store));
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (store), i));
  /* one splice: the filter model and the list view update once */
  g_list_store_splice (self->families, 0, g_list_model_get_n_items (G_LIST_MODEL (self->families)),
                       items->pdata, items->len);
  self->catalog_loaded = TRUE;
  arw_bench_mark ("model_built");
  fill_channels (self);
  gtk_stack_set_visible_child_name (self->catalog_stack, "content");
  update_runtime_texts (self);
  update_transactions (self);
  if (keep != NULL)
    arw_window_show_bundle (self, keep);
  else
    arw_bundle_details_set_family (self->details, NULL);
  update_list_state (self);
}

static void
inventory_cb (GObject *object,
              GAsyncResult *result,
              gpointer user_data)
{
  g_autoptr(ArwWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) inventory = arw_client_get_inventory_finish (ARW_CLIENT (object), result, &error);

  arw_bench_mark ("inventory_parsed");

  if (inventory == NULL || !JSON_NODE_HOLDS_OBJECT (inventory))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_status_page_set_description (self->error_page, error != NULL ? error->message : _("The helper sent no catalog"));
      adw_status_page_set_title (self->error_page, _("Cannot Load the Catalog"));
      gtk_stack_set_visible_child_name (self->catalog_stack, "error");
      return;
    }
  apply_inventory (self, inventory);
}

void
_arw_window_reload_inventory (ArwWindow *self)
{
  if (self->client == NULL)
    return;
  if (!self->catalog_loaded)
    gtk_stack_set_visible_child_name (self->catalog_stack, "loading");
  arw_bench_mark ("inventory_requested");
  arw_client_get_inventory_async (self->client, self->cancellable, inventory_cb, g_object_ref (self));
}

static gboolean
reload_timeout_cb (gpointer user_data)
{
  ArwWindow *self = user_data;

  self->reload_source = 0;
  _arw_window_reload_inventory (self);
  return G_SOURCE_REMOVE;
}

/* bundles.changed and friends come in bursts: reload once after 200 ms */
static void
queue_reload (ArwWindow *self)
{
  if (self->reload_source == 0)
    self->reload_source = g_timeout_add (200, reload_timeout_cb, self);
}

static void
hardware_cb (GObject *object,
             GAsyncResult *result,
             gpointer user_data)
{
  g_autoptr(ArwWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) hw = arw_client_get_hardware_finish (ARW_CLIENT (object), result, &error);

  if (hw == NULL || !JSON_NODE_HOLDS_OBJECT (hw))
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("no hardware probe: %s", error->message);
      return;
    }
  g_clear_pointer (&self->hardware, json_node_unref);
  self->hardware = g_steal_pointer (&hw);
  arw_bundle_details_set_context (self->details, self->client, json_node_get_object (self->hardware), self->settings);
  arw_runtimes_page_set_hardware (self->runtimes_page, json_node_get_object (self->hardware));
  update_runtime_texts (self);
}

static JsonObject *
hardware_object (ArwWindow *self)
{
  return self->hardware != NULL ? json_node_get_object (self->hardware) : NULL;
}

static void
update_runtime_texts (ArwWindow *self)
{
  GListModel *runtimes;
  g_autoptr(GHashTable) texts = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (self->client == NULL || !self->catalog_loaded)
    return;
  runtimes = arw_client_get_runtimes (self->client);
  texts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  for (guint i = 0; i < g_list_model_get_n_items (runtimes); i++)
    {
      g_autoptr(ArwDBusRuntime) rt = g_list_model_get_item (runtimes, i);
      const char *state = arw_dbus_runtime_get_state (rt);
      ArwBundleFamily *family = g_hash_table_lookup (self->family_by_bundle, arw_dbus_runtime_get_id (rt));

      if (family == NULL || g_hash_table_contains (texts, family))
        continue;
      if (arw_runtime_state_is_running (state) || g_strcmp0 (state, "error") == 0)
        g_hash_table_insert (texts, family, arw_runtime_row_describe (rt, hardware_object (self)));
    }
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->families)); i++)
    {
      g_autoptr(ArwBundleFamily) f = g_list_model_get_item (G_LIST_MODEL (self->families), i);
      if (arw_bundle_family_get_runtime_text (f) != NULL && !g_hash_table_contains (texts, f))
        arw_bundle_family_set_runtime_text (f, NULL);
    }
  g_hash_table_iter_init (&iter, texts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    arw_bundle_family_set_runtime_text (key, value);
  arw_bundle_details_refresh (self->details);
}

static void
runtimes_changed_cb (ArwWindow *self,
                     guint position,
                     guint removed,
                     guint added,
                     GListModel *model)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GObject) rt = g_list_model_get_item (model, i);
      g_signal_connect_object (rt, "g-properties-changed", G_CALLBACK (update_runtime_texts), self, G_CONNECT_SWAPPED);
    }
  update_runtime_texts (self);
}

static void
update_transactions (ArwWindow *self)
{
  GListModel *txs;
  g_autoptr(GHashTable) busy = NULL;
  guint n;

  if (self->client == NULL)
    return;
  txs = arw_client_get_transactions (self->client);
  n = g_list_model_get_n_items (txs);
  busy = g_hash_table_new (g_direct_hash, g_direct_equal);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ArwDBusTransaction) tx = g_list_model_get_item (txs, i);
      const char *const *ids = arw_dbus_transaction_get_bundle_ids (tx);
      const char *state = arw_dbus_transaction_get_state (tx);
      g_autofree char *text = NULL;
      double fraction;

      if (state != NULL && *state != '\0' && !g_str_equal (state, "running"))
        continue;
      text = arw_transaction_describe (tx);
      fraction = arw_transaction_fraction (tx);
      for (guint j = 0; ids != NULL && ids[j] != NULL; j++)
        {
          ArwBundleFamily *family = g_hash_table_lookup (self->family_by_bundle, ids[j]);
          if (family == NULL)
            continue;
          arw_bundle_family_set_progress (family, MAX (fraction, 0.0), text);
          g_hash_table_add (busy, family);
        }
    }
  /* families whose install ended */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->families)); i++)
    {
      g_autoptr(ArwBundleFamily) f = g_list_model_get_item (G_LIST_MODEL (self->families), i);
      if (arw_bundle_family_get_progress (f) >= 0 && !g_hash_table_contains (busy, f))
        arw_bundle_family_set_progress (f, -1, NULL);
    }
  gtk_stack_set_visible_child_name (self->downloads_stack, n > 0 ? "list" : "none");
  if (n > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->downloads_button), "accent");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->downloads_button), "accent");
}

static void
transaction_changed_cb (ArwWindow *self,
                        GVariant *changed,
                        const char *const *invalidated,
                        ArwDBusTransaction *tx)
{
  const char *state = arw_dbus_transaction_get_state (tx);

  update_transactions (self);
  if (g_strcmp0 (state, "succeeded") == 0)
    queue_reload (self);
}

static void
transactions_changed_cb (ArwWindow *self,
                         guint position,
                         guint removed,
                         guint added,
                         GListModel *model)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GObject) tx = g_list_model_get_item (model, i);
      g_signal_connect_object (tx, "g-properties-changed", G_CALLBACK (transaction_changed_cb), self, G_CONNECT_SWAPPED);
    }
  update_transactions (self);
}

static GtkWidget *
create_transaction_row (gpointer item,
                        gpointer user_data)
{
  return arw_transaction_row_new (ARW_DBUS_TRANSACTION (item));
}

static void
event_cb (ArwWindow *self,
          const char *topic,
          JsonNode *payload,
          guint64 id)
{
  if (g_str_equal (topic, "bundles.changed") || g_str_equal (topic, "install.completed"))
    queue_reload (self);
}

void
arw_window_set_client (ArwWindow *self,
                       ArwClient *client,
                       const GError *error)
{
  GListModel *runtimes, *transactions;

  g_return_if_fail (ARW_IS_WINDOW (self));

  if (client == NULL)
    {
      adw_status_page_set_title (self->error_page, _("Cannot Reach the Helper"));
      adw_status_page_set_description (self->error_page, error != NULL ? error->message : NULL);
      gtk_stack_set_visible_child_name (self->catalog_stack, "error");
      return;
    }
  if (self->client == client)
    return;
  g_return_if_fail (self->client == NULL);
  self->client = g_object_ref (client);

  g_signal_connect_object (client, "event", G_CALLBACK (event_cb), self, G_CONNECT_SWAPPED);
  runtimes = arw_client_get_runtimes (client);
  transactions = arw_client_get_transactions (client);
  arw_runtimes_page_set_model (self->runtimes_page, runtimes);
  g_signal_connect_object (runtimes, "items-changed", G_CALLBACK (runtimes_changed_cb), self, G_CONNECT_SWAPPED);
  runtimes_changed_cb (self, 0, 0, g_list_model_get_n_items (runtimes), runtimes);
  gtk_list_box_bind_model (self->downloads_list, transactions, create_transaction_row, NULL, NULL);
  g_signal_connect_object (transactions, "items-changed", G_CALLBACK (transactions_changed_cb), self, G_CONNECT_SWAPPED);
  transactions_changed_cb (self, 0, 0, g_list_model_get_n_items (transactions), transactions);
  arw_bundle_details_set_context (self->details, client, NULL, self->settings);

  _arw_window_reload_inventory (self);
  arw_client_get_hardware_async (client, self->cancellable, hardware_cb, g_object_ref (self));
}

ArwClient *
arw_window_get_client (ArwWindow *self)
{
  g_return_val_if_fail (ARW_IS_WINDOW (self), NULL);
  return self->client;
}

static void
setup_filters (ArwWindow *self)
{
  const char *modalities[] = { _("Any input"), _("Text"), _("Audio"), _("Vision"), NULL };
  const char *accelerators[] = { _("Any processor"), _("CPU"), _("Any GPU"), _("NVIDIA CUDA"), _("AMD ROCm"), _("Vulkan"), NULL };
  g_autoptr(GtkStringList) m = gtk_string_list_new (modalities);
  g_autoptr(GtkStringList) a = gtk_string_list_new (accelerators);

  gtk_drop_down_set_model (self->modality_filter, G_LIST_MODEL (m));
  gtk_drop_down_set_model (self->accelerator_filter, G_LIST_MODEL (a));
  fill_channels (self);
  g_signal_connect_swapped (self->modality_filter, "notify::selected", G_CALLBACK (modality_changed_cb), self);
  g_signal_connect_swapped (self->accelerator_filter, "notify::selected", G_CALLBACK (accelerator_changed_cb), self);
  g_signal_connect_swapped (self->channel_filter, "notify::selected", G_CALLBACK (channel_changed_cb), self);
  g_signal_connect_swapped (self->installed_filter, "toggled", G_CALLBACK (installed_toggled_cb), self);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self);
  g_signal_connect_swapped (self->search_entry, "stop-search", G_CALLBACK (stop_search_cb), self);
}

static void
arw_window_dispose (GObject *object)
{
  ArwWindow *self = ARW_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), ARW_TYPE_WINDOW);
  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->families);
  g_clear_pointer (&self->family_by_bundle, g_hash_table_unref);
  g_clear_pointer (&self->hardware, json_node_unref);
  g_clear_pointer (&self->inventory, json_node_unref);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (arw_window_parent_class)->dispose (object);
}

static void
arw_window_class_init (ArwWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = arw_window_dispose;

  g_type_ensure (ARW_TYPE_BUNDLE_ROW);
  g_type_ensure (ARW_TYPE_BUNDLE_DETAILS);
  g_type_ensure (ARW_TYPE_RUNTIMES_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/arw/Launcher/ui/arw-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, modality_filter);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, accelerator_filter);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, channel_filter);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, installed_filter);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, filters_button);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, downloads_button);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, downloads_stack);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, downloads_list);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, catalog_stack);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, catalog_view);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, details);
  gtk_widget_class_bind_template_child (widget_class, ArwWindow, runtimes_page);

  _arw_window_class_init_actions (widget_class);
}

static void
arw_window_init (ArwWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->settings = g_settings_new (APP_ID);
  self->family_by_bundle = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->families = g_list_store_new (ARW_TYPE_BUNDLE_FAMILY);
  self->filter = arw_catalog_filter_new ();
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->families)),
                                              GTK_FILTER (g_object_ref (self->filter)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->filtered)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_list_view_set_model (self->catalog_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (self->catalog_view, "activate", G_CALLBACK (catalog_activate_cb), self);
  g_signal_connect_swapped (self->selection, "notify::selected-item", G_CALLBACK (selection_changed_cb), self);
  g_signal_connect_swapped (self->filtered, "items-changed", G_CALLBACK (update_list_state), self);
  g_signal_connect_swapped (self->leaflet, "notify::folded", G_CALLBACK (update_back_button), self);
  g_signal_connect_swapped (self->leaflet, "notify::visible-child", G_CALLBACK (update_back_button), self);
  g_signal_connect_swapped (self->view_stack, "notify::visible-child", G_CALLBACK (update_back_button), self);
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  setup_filters (self);

  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
}

ArwWindow *
arw_window_new (AdwApplication *application)
{
  return g_object_new (ARW_TYPE_WINDOW, "application", application, NULL);
}

void
arw_window_add_toast (ArwWindow *self,
                      AdwToast *toast)
{
  g_return_if_fail (ARW_IS_WINDOW (self));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
arw_window_show_bundle (ArwWindow *self,
                        const char *id)
{
  ArwBundleFamily *family;

  g_return_if_fail (ARW_IS_WINDOW (self));
  g_return_if_fail (id != NULL);

  family = g_hash_table_lookup (self->family_by_bundle, id);
  if (family == NULL)
    {
      /* a family id: find a variant of it */
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, self->family_by_bundle);
      while (family == NULL && g_hash_table_iter_next (&iter, &key, &value))
        if (g_strcmp0 (arw_bundle_family_get_id (value), id) == 0)
          family = value;
    }
  if (family == NULL)
    return;
  adw_view_stack_set_visible_child_name (self->view_stack, "catalog");
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->filtered)); i++)
    {
      g_autoptr(ArwBundleFamily) f = g_list_model_get_item (G_LIST_MODEL (self->filtered), i);
      if (f == family)
        {
          gtk_single_selection_set_selected (self->selection, i);
          break;
        }
    }
  show_family (self, family);
}

void
arw_window_show_runtime (ArwWindow *self,
                         const char *runtime_id,
                         gboolean show_log)
{
  g_return_if_fail (ARW_IS_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->view_stack, "runtimes");
  if (show_log && runtime_id != NULL && self->client != NULL)
    {
      ArwDBusRuntime *rt = arw_client_lookup_runtime (self->client, runtime_id);
      if (rt != NULL)
        arw_runtimes_page_show_log (self->runtimes_page, rt);
    }
}

GListModel *
arw_window_get_catalog_model (ArwWindow *self)
{
  g_return_val_if_fail (ARW_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

GtkSearchEntry *
arw_window_get_search_entry (ArwWindow *self)
{
  g_return_val_if_fail (ARW_IS_WINDOW (self), NULL);
  return self->search_entry;
}

gboolean
arw_window_is_catalog_loaded (ArwWindow *self)
{
  g_return_val_if_fail (ARW_IS_WINDOW (self), FALSE);
  return self->catalog_loaded;
}
