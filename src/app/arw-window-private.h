/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "arw-bundle-details.h"
#include "arw-bundle-family.h"
#include "arw-catalog-filter.h"
#include "arw-runtimes-page.h"
#include "arw-window.h"

G_BEGIN_DECLS

struct _ArwWindow
{
  AdwApplicationWindow parent_instance;

  ArwClient *client;
  GCancellable *cancellable;
  GSettings *settings;

  GListStore *families;          /* ArwBundleFamily, all of them */
  GHashTable *family_by_bundle;  /* bundle id → ArwBundleFamily (borrowed from families) */
  ArwCatalogFilter *filter;
  GtkFilterListModel *filtered;
  GtkSingleSelection *selection;
  JsonNode *hardware;
  JsonNode *inventory;
  gboolean catalog_loaded;
  guint reload_source;

  /* template children */
  AdwToastOverlay *toast_overlay;
  GtkWidget *back_button;
  GtkToggleButton *search_button;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkDropDown *modality_filter;
  GtkDropDown *accelerator_filter;
  GtkDropDown *channel_filter;
  GtkCheckButton *installed_filter;
  GtkMenuButton *filters_button;
  GtkMenuButton *downloads_button;
  GtkMenuButton *menu_button;
  GtkStack *downloads_stack;
  GtkListBox *downloads_list;
  AdwViewStack *view_stack;
  GtkStack *catalog_stack;
  AdwStatusPage *error_page;
  AdwLeaflet *leaflet;
  GtkStack *list_stack;
  GtkListView *catalog_view;
  AdwStatusPage *empty_page;
  ArwBundleDetails *details;
  ArwRuntimesPage *runtimes_page;
};

/* arw-window-actions.c */
void _arw_window_class_init_actions (GtkWidgetClass *widget_class);
void _arw_window_start (ArwWindow *self, const char *id, const char *accelerator);
void _arw_window_show_error (ArwWindow *self, const char *what, const GError *error);
void _arw_window_reload_inventory (ArwWindow *self);

G_END_DECLS
