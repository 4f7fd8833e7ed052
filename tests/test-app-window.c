/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The real Launcher window, driven in-process, against the real helper
 * (D-Bus activated from the build tree on the private bus that
 * dbus-run-session gives this test) and python3-dbusmock's notification
 * daemon (activated on first use). Needs an X display (xvfb-run in CI).
 *
 * The cases share one application, one helper and one window and run in
 * order: catalog, search, accessibility, consent, runtimes panel, health
 * toast, desktop notification and its action, install progress, narrow
 * width, preferences, and last the background hold when the window closes.
 * Screenshots go to $ARW_SCREENSHOT_DIR, else <build>/tests/screenshots. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "arw-application.h"
#include "arw-bundle.h"
#include "arw-bundle-details.h"
#include "arw-bundle-family.h"
#include "arw-bundle-row.h"
#include "arw-consent-dialog.h"
#include "arw-import-dialog.h"
#include "arw-log-view.h"
#include "arw-preferences-window.h"
#include "arw-runtime-row.h"
#include "arw-runtimes-page.h"
#include "arw-sha256.h"
#include "arw-test-http-server.h"
#include "arw-test-utils.h"
#include "arw-window.h"

#define WAIT_MS 30000
#define CONSENT_ID "consent.test/linux-x86_64-cpu"
#define CRASHY_ID "crashy.test/linux-x86_64-cpu"
#define LOOPBACK_ID "loopback.test/linux-x86_64-cpu"
#define NOTIFY_PATH "/org/freedesktop/Notifications"
#define NOTIFY_NAME "org.freedesktop.Notifications"
#define MOCK_IFACE "org.freedesktop.DBus.Mock"

static struct {
  char *tmp;
  char *state;
  GDBusConnection *bus;
  ArwApplication *app;
  ArwWindow *window;
  ArwTestHttpServer *http;
} ctx;

/* ---- waiting ------------------------------------------------------------ */

#define wait_until(pred, data) arw_test_wait_until ((pred), (data), WAIT_MS)

static gboolean
frames_cb (GtkWidget *widget,
           GdkFrameClock *clock,
           gpointer user_data)
{
  guint *frames = user_data;

  (*frames)++;
  return *frames < 3 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
three_frames (gpointer data)
{
  return *(guint *) data >= 3;
}

static void
wait_frames (GtkWidget *widget)
{
  guint frames = 0;

  gtk_widget_add_tick_callback (widget, frames_cb, &frames, NULL);
  gtk_widget_queue_draw (widget);
  g_assert_true (wait_until (three_frames, &frames));
}

/* ---- screenshots (testing.md §5, technique 2) --------------------------- */

static char *
screenshot_path (const char *name)
{
  const char *dir = g_getenv ("ARW_SCREENSHOT_DIR");
  g_autofree char *fallback = g_build_filename (g_getenv ("G_TEST_BUILDDIR") != NULL ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                                "screenshots", NULL);

  if (dir == NULL || *dir == '\0')
    dir = fallback;
  g_mkdir_with_parents (dir, 0755);
  return g_build_filename (dir, name, NULL);
}

/* Renders @window, and @dialog (may be NULL) centred over it behind a dim
 * layer, into one PNG. */
static void
screenshot (GtkWidget *window,
            GtkWidget *dialog,
            const char *name)
{
  g_autofree char *path = screenshot_path (name);
  int w, h;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  wait_frames (window);
  if (dialog != NULL)
    wait_frames (dialog);
  w = gtk_widget_get_width (window);
  h = gtk_widget_get_height (window);
  paintable = gtk_widget_paintable_new (window);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, h);
  if (dialog != NULL)
    {
      g_autoptr(GdkPaintable) dp = gtk_widget_paintable_new (dialog);
      int dw = gtk_widget_get_width (dialog), dh = gtk_widget_get_height (dialog);

      gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 0.35 }, &GRAPHENE_RECT_INIT (0, 0, w, h));
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((w - dw) / 2.0, MAX (0, (h - dh) / 2.0)));
      gdk_paintable_snapshot (dp, GDK_SNAPSHOT (snapshot), dw, dh);
      gtk_snapshot_restore (snapshot);
    }
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* ---- fixtures: bundles, catalogs, helper environment -------------------- */

static void
add_strings (JsonBuilder *b,
             const char *name,
             const char *const *values)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; values[i] != NULL; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
}

/* An installed bundle.json whose process is tests/fake-runtime. */
static void
install_fake_bundle (const char *id,
                     const char *name,
                     const char *const *modalities,
                     const char *const *consent)
{
  g_autofree char *dir_name = arw_bundle_dir_name (id);
  g_autofree char *dir = g_build_filename (ctx.state, "runtime", "bundles", dir_name, NULL);
  g_autofree char *path = g_build_filename (dir, "bundle.json", NULL);
  const char *args[] = { "--port", "{{PORT}}", "--mode", "ok", NULL };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bundle");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, "A stand-in engine (tests/fake-runtime) with a real HTTP health endpoint.");
  json_builder_set_member_name (b, "accelerator");
  json_builder_add_string_value (b, "cpu");
  add_strings (b, "modalities", modalities);
  json_builder_set_member_name (b, "metadata");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "process");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "command");
  json_builder_add_string_value (b, g_getenv ("ARW_FAKE_RUNTIME"));
  add_strings (b, "args", args);
  json_builder_set_member_name (b, "health");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, "http://127.0.0.1:{{PORT}}/health");
  json_builder_end_object (b);
  json_builder_end_object (b);
  if (consent != NULL)
    {
      json_builder_set_member_name (b, "consent");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "required");
      json_builder_add_boolean_value (b, TRUE);
      add_strings (b, "modalities", consent);
      json_builder_set_member_name (b, "note");
      json_builder_add_string_value (b, "It listens only while you hold the talk key.");
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "installed_at");
  json_builder_add_string_value (b, "2025-10-12T00:00:00.000Z");
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, TRUE);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

/* A catalog with one bundle whose single artifact is served over loopback;
 * the server sends the first 256 KiB and then stalls, so an install stays
 * in progress until it is cancelled. */
static void
write_loopback_catalog (void)
{
  gsize size = 2 * 1024 * 1024;
  g_autofree guint8 *data = g_malloc (size);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *url = NULL;
  g_autofree char *dir = g_build_filename (ctx.tmp, "catalogs", NULL);
  g_autofree char *path = g_build_filename (dir, "bundles.loopback.json", NULL);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 7 + 3);
  bytes = g_bytes_new (data, size);
  sha = arw_sha256_hex (data, size);
  ctx.http = arw_test_http_server_new ();
  arw_test_http_server_set_content (ctx.http, "/engine.bin", bytes);
  arw_test_http_server_set_fault (ctx.http, "/engine.bin", ARW_TEST_HTTP_FAULT_STALL, 256 * 1024, -1);
  url = arw_test_http_server_url (ctx.http, "/engine.bin");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, 1);
  json_builder_set_member_name (b, "channel");
  json_builder_add_string_value (b, "preview");
  json_builder_set_member_name (b, "bundles");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, LOOPBACK_ID);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, "Loopback engine (CPU)");
  json_builder_set_member_name (b, "description");
  json_builder_add_string_value (b, "Downloaded from a server on this computer.");
  json_builder_set_member_name (b, "accelerator");
  json_builder_add_string_value (b, "cpu");
  json_builder_set_member_name (b, "artifacts");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, "binary");
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "bin");
  json_builder_set_member_name (b, "url");
  json_builder_add_string_value (b, url);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, sha);
  json_builder_set_member_name (b, "size_bytes");
  json_builder_add_int_value (b, (gint64) size);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = json_to_string (root, TRUE);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
update_activation_env (const char *const *pairs)
{
  g_autoptr(GVariantBuilder) b = g_variant_builder_new (G_VARIANT_TYPE ("a{ss}"));
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *eq = strchr (pairs[i], '=');
      g_autofree char *key = g_strndup (pairs[i], eq - pairs[i]);
      g_variant_builder_add (b, "{ss}", key, eq + 1);
    }
  reply = g_dbus_connection_call_sync (ctx.bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "UpdateActivationEnvironment",
                                       g_variant_new ("(a{ss})", b), NULL, G_DBUS_CALL_FLAGS_NONE,
                                       -1, NULL, &error);
  g_assert_no_error (error);
}

static void
set_up_helper_env (void)
{
  g_autofree char *hw = g_build_filename (ctx.tmp, "hw", NULL);
  g_autofree char *state_env = g_strconcat ("ARW_STATE_DIR=", ctx.state, NULL);
  g_autofree char *hw_env = g_strconcat ("ARW_HW_ROOT=", hw, NULL);
  g_autofree char *catalog_env = g_strdup_printf ("ARW_RUNTIME_BUNDLE_DIR=%s/configs/runtime;%s/catalogs",
                                                  ARW_SOURCE_ROOT, ctx.tmp);
  const char *env[] = {
    state_env, hw_env, catalog_env, "PATH=/usr/bin:/bin",
    "ARW_HELPER_IDLE_TIMEOUT_MS=0", "ARW_SECURITY_POSTURE=relaxed",
    "ARW_RUNTIME_HEALTH_INTERVAL_MS=100", "ARW_RUNTIME_BACKOFF_BASE_MS=50",
    "ARW_RUNTIME_RESTART_MAX=5", "ARW_RUNTIME_STOP_TIMEOUT_MS=2000",
    "ARW_GPU_ONLY=0", "ARW_ACCELERATOR_ORDER=", "ARW_PREFERRED_DEVICE=", "ARW_ADMIN_TOKEN=",
    "GIO_USE_PROXY_RESOLVER=dummy", NULL
  };

  g_assert_cmpint (g_mkdir_with_parents (hw, 0755), ==, 0);
  update_activation_env (env);
}

/* ---- helpers over the app ------------------------------------------------ */

static GObject *
child (const char *name)
{
  GObject *obj = gtk_widget_get_template_child (GTK_WIDGET (ctx.window), ARW_TYPE_WINDOW, name);

  g_assert_nonnull (obj);
  return obj;
}

static ArwClient *
client (void)
{
  return arw_application_get_client (ctx.app);
}

static gboolean
catalog_loaded (gpointer data)
{
  return arw_window_is_catalog_loaded (ctx.window);
}

static ArwBundleFamily *
shown_family (const char *id)
{
  GListModel *model = arw_window_get_catalog_model (ctx.window);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ArwBundleFamily) f = g_list_model_get_item (model, i);
      if (g_str_equal (arw_bundle_family_get_id (f), id))
        return f;
    }
  return NULL;
}

static gboolean
runtime_known (gpointer data)
{
  return client () != NULL && arw_client_lookup_runtime (client (), data) != NULL;
}

static ArwDBusRuntime *
runtime (const char *id)
{
  g_assert_true (wait_until (runtime_known, (gpointer) id));
  return arw_client_lookup_runtime (client (), id);
}

typedef struct {
  const char *id;
  const char *state;
} StateQuery;

static gboolean
runtime_in_state (gpointer data)
{
  StateQuery *q = data;
  ArwDBusRuntime *rt = arw_client_lookup_runtime (client (), q->id);

  return rt != NULL && g_strcmp0 (arw_dbus_runtime_get_state (rt), q->state) == 0;
}

static void
wait_state (const char *id,
            const char *state)
{
  StateQuery q = { id, state };

  if (!wait_until (runtime_in_state, &q))
    g_error ("runtime %s is %s, not %s", id, arw_dbus_runtime_get_state (runtime (id)), state);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *tops = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (tops); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (tops, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

static gboolean
toplevel_shown (gpointer data)
{
  return find_toplevel (GPOINTER_TO_SIZE (data)) != NULL;
}

typedef struct {
  gboolean done;
  JsonNode *node;
  GError *error;
} CallResult;

static void
status_cb (GObject *object,
           GAsyncResult *result,
           gpointer user_data)
{
  CallResult *r = user_data;

  r->node = arw_client_get_status_finish (ARW_CLIENT (object), result, &r->error);
  r->done = TRUE;
}

static gboolean
call_done (gpointer data)
{
  return ((CallResult *) data)->done;
}

/* One round trip to the helper: everything it was asked before is handled. */
static void
helper_round_trip (void)
{
  CallResult r = { 0 };

  arw_client_get_status_async (client (), NULL, status_cb, &r);
  g_assert_true (wait_until (call_done, &r));
  g_assert_no_error (r.error);
  g_clear_pointer (&r.node, json_node_unref);
}

/* ---- the notification mock ---------------------------------------------- */

static GVariant *
mock_calls (void)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = g_dbus_connection_call_sync (ctx.bus, NOTIFY_NAME, NOTIFY_PATH, MOCK_IFACE, "GetMethodCalls",
                                                 g_variant_new ("(s)", "Notify"), G_VARIANT_TYPE ("(a(tav))"),
                                                 G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);

  g_assert_no_error (error);
  return reply;
}

/* The args (av) of the last Notify call whose summary contains @needle. */
static GVariant *
find_notify (const char *needle)
{
  g_autoptr(GVariant) reply = mock_calls ();
  g_autoptr(GVariant) calls = g_variant_get_child_value (reply, 0);
  GVariant *found = NULL;

  for (gsize i = 0; i < g_variant_n_children (calls); i++)
    {
      g_autoptr(GVariant) call = g_variant_get_child_value (calls, i);
      g_autoptr(GVariant) args = g_variant_get_child_value (call, 1);
      g_autoptr(GVariant) summary_v = g_variant_get_child_value (args, 3);
      g_autoptr(GVariant) summary = g_variant_get_variant (summary_v);

      if (strstr (g_variant_get_string (summary, NULL), needle) != NULL)
        {
          g_clear_pointer (&found, g_variant_unref);
          found = g_variant_ref (args);
        }
    }
  return found;
}

static gboolean
notify_seen (gpointer data)
{
  g_autoptr(GVariant) args = find_notify (data);

  return args != NULL;
}

static void
mock_clear (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (ctx.bus, NOTIFY_NAME, NOTIFY_PATH, MOCK_IFACE, "ClearCalls",
                                                           NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);

  g_assert_nonnull (reply);

  g_assert_no_error (error);
}

static char *
arg_string (GVariant *args,
            gsize index)
{
  g_autoptr(GVariant) v = g_variant_get_child_value (args, index);
  g_autoptr(GVariant) s = g_variant_get_variant (v);

  return g_variant_dup_string (s, NULL);
}

/* ---- the cases ------------------------------------------------------------- */

static void
test_catalog_rows (void)
{
  const char *families[] = { "llama.cpp-preview", "whisper.cpp-preview", "piper-preview", "llava.cpp-preview",
                             "consent.test", "crashy.test", NULL };
  ArwBundleDetails *details;
  guint rows = 0;

  g_assert_true (wait_until (catalog_loaded, NULL));
  for (guint i = 0; families[i] != NULL; i++)
    g_assert_nonnull (shown_family (families[i]));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (ctx.window)), ==, "ARW Launcher");
  g_assert_true (arw_bundle_family_get_installed (shown_family ("consent.test")));
  g_assert_false (arw_bundle_family_get_installed (shown_family ("whisper.cpp-preview")));

  /* the list view made row widgets for the families it shows */
  wait_frames (GTK_WIDGET (ctx.window));
  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (child ("catalog_view"))); w != NULL;
       w = gtk_widget_get_next_sibling (w))
    if (ARW_IS_BUNDLE_ROW (gtk_widget_get_first_child (w)))
      rows++;
  g_assert_cmpuint (rows, >=, 4);

  arw_window_show_bundle (ctx.window, "llama.cpp-preview");
  details = ARW_BUNDLE_DETAILS (child ("details"));
  g_assert_true (arw_bundle_details_get_family (details) == shown_family ("llama.cpp-preview"));
  g_assert_true (strstr (arw_bundle_details_get_consent_text (details), "Needs no access") != NULL);
  /* Signature enforcement is off by default (as ARW): say what is checked. */
  g_assert_true (strstr (arw_bundle_details_get_trust_text (details), "unsigned bundles are allowed with a warning") != NULL);
  g_assert_nonnull (arw_bundle_details_get_fit_text (details));
  screenshot (GTK_WIDGET (ctx.window), NULL, "catalog.png");

  arw_window_show_bundle (ctx.window, "whisper.cpp-preview");
  g_assert_true (strstr (arw_bundle_details_get_consent_text (details),
                         "This runtime can listen to your microphone while it runs") != NULL);
}

static gboolean
n_shown_is (gpointer data)
{
  return g_list_model_get_n_items (arw_window_get_catalog_model (ctx.window)) == GPOINTER_TO_UINT (data);
}

static void
type_search (const char *text)
{
  GtkEditable *entry = GTK_EDITABLE (arw_window_get_search_entry (ctx.window));

  gtk_editable_set_text (entry, text);
}

static void
test_search (void)
{
  guint all = g_list_model_get_n_items (arw_window_get_catalog_model (ctx.window));
  ArwBundleFamily *first;

  gtk_widget_activate_action (GTK_WIDGET (ctx.window), "win.search", NULL);
  g_assert_true (gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (child ("search_bar"))));
  type_search ("whisper");
  g_assert_true (wait_until (n_shown_is, GUINT_TO_POINTER (1)));
  first = g_list_model_get_item (arw_window_get_catalog_model (ctx.window), 0);
  g_assert_cmpstr (arw_bundle_family_get_id (first), ==, "whisper.cpp-preview");
  g_object_unref (first);
  screenshot (GTK_WIDGET (ctx.window), NULL, "search.png");

  type_search ("no such engine anywhere");
  g_assert_true (wait_until (n_shown_is, GUINT_TO_POINTER (0)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child ("list_stack"))), ==, "empty");

  type_search ("");
  g_assert_true (wait_until (n_shown_is, GUINT_TO_POINTER (all)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child ("list_stack"))), ==, "list");
  /* the "Audio" facet */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child ("modality_filter")), 2);
  g_assert_nonnull (shown_family ("whisper.cpp-preview"));
  g_assert_nonnull (shown_family ("consent.test"));
  g_assert_null (shown_family ("llama.cpp-preview"));
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (child ("filters_button"))), ==, "Filters (1)");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child ("modality_filter")), 0);
  g_assert_true (wait_until (n_shown_is, GUINT_TO_POINTER (all)));
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (child ("search_button")), FALSE);
}

static void
test_accessibility (void)
{
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (child ("catalog_view")), GTK_ACCESSIBLE_ROLE_LIST);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child ("catalog_view")), GTK_ACCESSIBLE_PROPERTY_LABEL, "Bundles");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child ("search_entry")), GTK_ACCESSIBLE_PROPERTY_LABEL, "Search bundles");
  /* icon-only buttons say what they do */
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (child ("search_button")), GTK_ACCESSIBLE_ROLE_BUTTON);
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child ("search_button")), GTK_ACCESSIBLE_PROPERTY_LABEL, "Search bundles");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child ("downloads_button")), GTK_ACCESSIBLE_PROPERTY_LABEL, "Installs in progress");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child ("menu_button")), GTK_ACCESSIBLE_PROPERTY_LABEL, "Main menu");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (child ("back_button")), GTK_ACCESSIBLE_PROPERTY_LABEL, "Back to the catalog");
}

static void
test_consent_before_start (void)
{
  ArwDBusRuntime *rt = runtime (CONSENT_ID);
  ArwConsentDialog *dialog;
  const char *heading;

  g_assert_cmpstr (arw_dbus_runtime_get_consent_state (rt), ==, "required");
  arw_window_show_bundle (ctx.window, "consent.test");
  gtk_widget_activate_action (GTK_WIDGET (ctx.window), "win.start", "s", CONSENT_ID);
  g_assert_true (wait_until (toplevel_shown, GSIZE_TO_POINTER (ARW_TYPE_CONSENT_DIALOG)));
  dialog = ARW_CONSENT_DIALOG (find_toplevel (ARW_TYPE_CONSENT_DIALOG));
  heading = adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog));
  g_assert_true (strstr (heading, "microphone") != NULL);
  g_assert_cmpstr (arw_consent_dialog_get_bundle_id (dialog), ==, CONSENT_ID);
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (dialog), GTK_ACCESSIBLE_ROLE_DIALOG);
  screenshot (GTK_WIDGET (ctx.window), GTK_WIDGET (dialog), "consent.png");

  /* nothing started while the question is open */
  helper_round_trip ();
  g_assert_cmpuint (arw_dbus_runtime_get_pid (rt), ==, 0);
  g_assert_false (arw_runtime_state_is_running (arw_dbus_runtime_get_state (rt)));

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "once");
  wait_state (CONSENT_ID, "ready");
  g_assert_cmpuint (arw_dbus_runtime_get_pid (rt), !=, 0);
  g_assert_cmpstr (arw_dbus_runtime_get_consent_state (rt), ==, "granted");
}

static gboolean
log_has_text (gpointer data)
{
  g_autofree char *text = arw_log_view_dup_text (ARW_LOG_VIEW (data));

  return strstr (text, "fake-runtime: started") != NULL;
}

static void
test_runtimes_panel (void)
{
  ArwRuntimesPage *page = ARW_RUNTIMES_PAGE (child ("runtimes_page"));
  ArwDBusRuntime *rt = runtime (CRASHY_ID);
  GtkWidget *row, *log;

  gtk_widget_activate_action (GTK_WIDGET (ctx.window), "win.start", "s", CRASHY_ID);
  wait_state (CRASHY_ID, "ready");
  arw_window_show_runtime (ctx.window, CRASHY_ID, TRUE);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (child ("view_stack"))), ==, "runtimes");
  row = arw_runtimes_page_find_row (page, CRASHY_ID);
  g_assert_nonnull (row);
  g_assert_cmpstr (arw_runtime_row_get_status_text (ARW_RUNTIME_ROW (row)), ==, "Ready – CPU");
  log = arw_runtimes_page_get_log_view (page);
  g_assert_cmpstr (arw_log_view_get_path (ARW_LOG_VIEW (log)), ==, arw_dbus_runtime_get_log_path (rt));
  g_assert_true (wait_until (log_has_text, log));
  screenshot (GTK_WIDGET (ctx.window), NULL, "runtimes.png");
}

static gboolean
toast_says (gpointer data)
{
  const char *toast = arw_health_notifier_get_last_toast (arw_application_get_notifier (ctx.app));

  return toast != NULL && strstr (toast, data) != NULL;
}

static gboolean
window_active (gpointer data)
{
  return gtk_window_is_active (GTK_WINDOW (ctx.window));
}

static void
crash (const char *id)
{
  ArwDBusRuntime *rt = runtime (id);
  guint32 pid = arw_dbus_runtime_get_pid (rt);

  g_assert_cmpuint (pid, !=, 0);
  g_assert_cmpint (kill ((pid_t) pid, SIGKILL), ==, 0);
}

static void
test_crash_toast_when_focused (void)
{
  g_autoptr(GVariant) desktop = NULL;

  gtk_window_present (GTK_WINDOW (ctx.window));
  if (!wait_until (window_active, NULL))
    {
      g_test_skip ("the window never got the keyboard focus on this display");
      return;
    }
  mock_clear ();
  crash (CRASHY_ID);
  g_assert_true (wait_until (toast_says, (gpointer) "stopped unexpectedly"));
  screenshot (GTK_WIDGET (ctx.window), NULL, "crash-toast.png");
  desktop = find_notify ("stopped unexpectedly");
  g_assert_null (desktop);   /* focused: a toast, no desktop notification */
  wait_state (CRASHY_ID, "ready");
}

static void
test_crash_notification_when_not_focused (void)
{
  g_autoptr(GVariant) args = NULL;
  g_autoptr(GVariant) actions_v = NULL, actions = NULL, hints_v = NULL, hints = NULL;
  g_autofree char *app_name = NULL, *summary = NULL, *body = NULL;
  const char **acts;
  guint8 urgency = 0;
  const char *entry = NULL;

  wait_state (CRASHY_ID, "ready");
  /* the window is closed to the background (hidden, so not focused) */
  gtk_widget_set_visible (GTK_WIDGET (ctx.window), FALSE);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (ctx.window)));
  mock_clear ();
  crash (CRASHY_ID);
  g_assert_true (wait_until (notify_seen, (gpointer) "stopped unexpectedly"));
  args = find_notify ("stopped unexpectedly");
  app_name = arg_string (args, 0);
  summary = arg_string (args, 3);
  body = arg_string (args, 4);
  g_assert_cmpstr (app_name, ==, "ARW Launcher");
  g_assert_cmpstr (summary, ==, "Chat test engine (CPU) stopped unexpectedly");
  g_assert_cmpstr (body, !=, "");
  actions_v = g_variant_get_child_value (args, 5);
  actions = g_variant_get_variant (actions_v);
  acts = g_variant_get_strv (actions, NULL);
  g_assert_cmpstr (acts[0], ==, "open");
  g_assert_cmpstr (acts[1], ==, "Open");
  g_assert_cmpstr (acts[2], ==, "logs");
  g_assert_cmpstr (acts[3], ==, "View Logs");
  g_assert_cmpstr (acts[4], ==, "cpu");
  g_assert_cmpstr (acts[5], ==, "Try on CPU");
  g_assert_cmpstr (acts[6], ==, "rollback");
  g_assert_cmpstr (acts[7], ==, "Roll Back");
  g_free (acts);
  hints_v = g_variant_get_child_value (args, 6);
  hints = g_variant_get_variant (hints_v);
  g_assert_true (g_variant_lookup (hints, "urgency", "y", &urgency));
  g_assert_cmpuint (urgency, ==, 2);
  g_assert_true (g_variant_lookup (hints, "desktop-entry", "&s", &entry));
  g_assert_cmpstr (entry, ==, "org.arw.Launcher");
  wait_state (CRASHY_ID, "ready");
}

static gboolean
logs_shown (gpointer data)
{
  ArwRuntimesPage *page = ARW_RUNTIMES_PAGE (child ("runtimes_page"));

  return gtk_widget_get_visible (GTK_WIDGET (ctx.window)) &&
         g_strcmp0 (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (child ("view_stack"))), "runtimes") == 0 &&
         g_strcmp0 (arw_log_view_get_path (ARW_LOG_VIEW (arw_runtimes_page_get_log_view (page))), data) == 0;
}

static void
test_notification_action_reaches_app (void)
{
  guint id = arw_health_notifier_get_last_notification_id (arw_application_get_notifier (ctx.app));
  g_autoptr(GVariantBuilder) args = g_variant_builder_new (G_VARIANT_TYPE ("av"));
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log_path = g_strdup (arw_dbus_runtime_get_log_path (runtime (CRASHY_ID)));

  g_assert_cmpuint (id, !=, 0);
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (child ("view_stack")), "catalog");
  arw_runtimes_page_show_log (ARW_RUNTIMES_PAGE (child ("runtimes_page")), NULL);
  g_variant_builder_add (args, "v", g_variant_new_uint32 (id));
  g_variant_builder_add (args, "v", g_variant_new_string ("logs"));
  reply = g_dbus_connection_call_sync (ctx.bus, NOTIFY_NAME, NOTIFY_PATH, MOCK_IFACE, "EmitSignal",
                                       g_variant_new ("(sssav)", NOTIFY_NAME, "ActionInvoked", "us", args),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  /* the click opens the window on the runtime's log */
  g_assert_true (wait_until (logs_shown, log_path));
}

static gboolean
family_progress_moved (gpointer data)
{
  ArwBundleFamily *f = shown_family ("loopback.test");
  const char *text = f != NULL ? arw_bundle_family_get_progress_text (f) : NULL;

  return text != NULL && strstr (text, "262.1\u00a0kB") != NULL;
}

/* The install that is downloading (the dry-run probe may still be listed). */
static ArwDBusTransaction *
running_install (void)
{
  GListModel *txs = arw_client_get_transactions (client ());

  for (guint i = 0; i < g_list_model_get_n_items (txs); i++)
    {
      g_autoptr(ArwDBusTransaction) tx = g_list_model_get_item (txs, i);
      if (g_strcmp0 (arw_dbus_transaction_get_state (tx), "running") == 0 &&
          arw_dbus_transaction_get_bytes_done (tx) > 0)
        return tx;   /* the model keeps it */
    }
  return NULL;
}

static gboolean
install_ended (gpointer data)
{
  ArwBundleFamily *f = shown_family ("loopback.test");

  return f != NULL && arw_bundle_family_get_progress (f) < 0 && running_install () == NULL;
}

static void
install_probe_cb (GObject *object,
                  GAsyncResult *result,
                  gpointer user_data)
{
  CallResult *r = user_data;
  g_autoptr(ArwDBusTransaction) tx = arw_client_install_finish (ARW_CLIENT (object), result, &r->error);

  g_assert_true ((tx != NULL) == (r->error == NULL));
  r->done = TRUE;
}

static void
test_install_progress (void)
{
  const char *ids[] = { LOOPBACK_ID, NULL };
  ArwClientInstallOptions dry = { .dry_run = TRUE };
  CallResult probe = { 0 };
  ArwDBusTransaction *tx;
  GtkWidget *downloads;

  arw_client_install_async (client (), ids, &dry, NULL, install_probe_cb, &probe);
  g_assert_true (wait_until (call_done, &probe));
  if (probe.error != NULL && strstr (probe.error->message, "not available in this build") != NULL)
    {
      g_test_skip ("the helper in this build cannot install yet");
      g_clear_error (&probe.error);
      return;
    }
  g_assert_no_error (probe.error);

  arw_window_show_bundle (ctx.window, "loopback.test");
  gtk_widget_activate_action (GTK_WIDGET (ctx.window), "win.install", "s", LOOPBACK_ID);
  g_assert_true (wait_until (family_progress_moved, NULL));
  g_assert_cmpfloat (arw_bundle_family_get_progress (shown_family ("loopback.test")), >, 0.0);
  tx = running_install ();
  g_assert_nonnull (tx);
  g_assert_cmpuint (arw_dbus_transaction_get_bytes_total (tx), ==, 2 * 1024 * 1024);
  downloads = GTK_WIDGET (child ("downloads_list"));
  g_assert_nonnull (gtk_list_box_get_row_at_index (GTK_LIST_BOX (downloads), 0));
  gtk_menu_button_popup (GTK_MENU_BUTTON (child ("downloads_button")));
  screenshot (GTK_WIDGET (ctx.window), NULL, "install-progress.png");
  gtk_menu_button_popdown (GTK_MENU_BUTTON (child ("downloads_button")));

  gtk_widget_activate_action (GTK_WIDGET (ctx.window), "win.cancel-transaction", "s",
                              g_dbus_proxy_get_object_path (G_DBUS_PROXY (tx)));
  g_assert_true (wait_until (install_ended, NULL));
}

static gboolean
narrow_ready (gpointer data)
{
  ArwWindow *win = data;
  GtkWidget *leaflet = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), ARW_TYPE_WINDOW, "leaflet"));

  return arw_window_is_catalog_loaded (win) && adw_leaflet_get_folded (ADW_LEAFLET (leaflet));
}

/* A second window, opened at 360 px: the list and the details fold into
 * one column with a back button. */
static void
test_narrow_width (void)
{
  ArwWindow *win = arw_window_new (ADW_APPLICATION (ctx.app));
  GtkWidget *leaflet = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), ARW_TYPE_WINDOW, "leaflet"));
  GtkWidget *details = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), ARW_TYPE_WINDOW, "details"));
  GtkWidget *back = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (win), ARW_TYPE_WINDOW, "back_button"));

  gtk_window_set_default_size (GTK_WINDOW (win), 360, 720);
  arw_window_set_client (win, client (), NULL);
  /* GTK 4.8 on X11 without a window manager warns about a transient
   * allocation while a window is first mapped at its minimum width (the
   * app resized to 360 px by xdotool in a real session does not): warnings
   * are not fatal while it maps, criticals still are. */
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (wait_until (narrow_ready, win));
  wait_frames (GTK_WIDGET (win));
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (win)), <=, 370);
  g_assert_false (gtk_widget_get_visible (back));
  screenshot (GTK_WIDGET (win), NULL, "narrow-list.png");
  arw_window_show_bundle (win, "whisper.cpp-preview");
  g_assert_true (adw_leaflet_get_visible_child (ADW_LEAFLET (leaflet)) == details);
  g_assert_true (gtk_widget_get_visible (back));
  screenshot (GTK_WIDGET (win), NULL, "narrow-details.png");
  gtk_widget_activate_action (GTK_WIDGET (win), "win.back", NULL);
  g_assert_true (adw_leaflet_get_visible_child (ADW_LEAFLET (leaflet)) != details);
  gtk_window_destroy (GTK_WINDOW (win));
}

static gboolean
consents_listed (gpointer data)
{
  return arw_preferences_window_get_n_consents (data) >= 1;
}

static void
test_preferences (void)
{
  ArwPreferencesWindow *prefs;
  GSettings *settings = arw_application_get_settings (ctx.app);

  g_action_group_activate_action (G_ACTION_GROUP (ctx.app), "preferences", NULL);
  g_assert_true (wait_until (toplevel_shown, GSIZE_TO_POINTER (ARW_TYPE_PREFERENCES_WINDOW)));
  prefs = ARW_PREFERENCES_WINDOW (find_toplevel (ARW_TYPE_PREFERENCES_WINDOW));
  /* the "Allow Once" given above is listed, and can be taken back */
  g_assert_true (wait_until (consents_listed, prefs));
  g_assert_cmpint (g_settings_get_enum (settings, "notify-runtime-error"), ==, 2);
  screenshot (GTK_WIDGET (prefs), NULL, "preferences.png");
  gtk_window_destroy (GTK_WINDOW (prefs));
}

static gboolean
import_ready (gpointer data)
{
  return arw_import_dialog_get_can_import (data);
}

static gboolean
imported (gpointer data)
{
  ArwBundleFamily *f = ctx.window != NULL ? shown_family ("import.test") : NULL;

  return f != NULL && arw_bundle_family_get_installed (f);
}

/* Offline import: a bundle.json and a folder, checked by a dry run in the
 * helper before Import is offered, then installed. */
static void
test_offline_import (void)
{
  g_autofree char *dir = g_build_filename (ctx.tmp, "usb", NULL);
  g_autofree char *files = g_build_filename (dir, "files", NULL);
  g_autofree char *manifest = g_build_filename (dir, "bundle.json", NULL);
  g_autofree char *payload = g_build_filename (files, "model.bin", NULL);
  g_autoptr(GFile) manifest_file = g_file_new_for_path (manifest);
  g_autoptr(GFile) folder_file = g_file_new_for_path (files);
  g_autoptr(GError) error = NULL;
  ArwImportDialog *dialog;

  g_assert_cmpint (g_mkdir_with_parents (files, 0755), ==, 0);
  g_file_set_contents (payload, "weights", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (manifest, "{\"bundle\": {\"id\": \"import.test/linux-x86_64-cpu\", "
                                 "\"name\": \"Imported engine (CPU)\", \"accelerator\": \"cpu\", "
                                 "\"modalities\": [\"text\"]}}", -1, &error);
  g_assert_no_error (error);

  dialog = arw_import_dialog_new (GTK_WINDOW (ctx.window), client ());
  gtk_window_present (GTK_WINDOW (dialog));
  arw_import_dialog_set_files (dialog, manifest_file, folder_file);
  g_assert_true (wait_until (import_ready, dialog));
  g_assert_true (strstr (arw_import_dialog_get_preview_text (dialog), "Imported engine (CPU)") != NULL);
  screenshot (GTK_WIDGET (dialog), NULL, "import.png");
  gtk_widget_activate (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (dialog), ARW_TYPE_IMPORT_DIALOG, "import_button")));
  g_assert_true (wait_until (imported, NULL));
}

static gboolean
held (gpointer data)
{
  return arw_application_get_held (ctx.app) == GPOINTER_TO_INT (data);
}

static void
test_background_when_closed (void)
{
  ArwDBusRuntime *rt = runtime (CRASHY_ID);

  g_assert_true (arw_runtime_state_is_running (arw_dbus_runtime_get_state (rt)));
  mock_clear ();
  gtk_window_close (GTK_WINDOW (ctx.window));
  ctx.window = NULL;
  g_assert_true (wait_until (held, GINT_TO_POINTER (TRUE)));
  g_assert_true (wait_until (notify_seen, (gpointer) "keeps running in the background"));
  /* once the runtimes stop, nothing keeps the app */
  arw_client_shutdown_async (client (), CRASHY_ID, NULL, NULL, NULL);
  arw_client_shutdown_async (client (), CONSENT_ID, NULL, NULL, NULL);
  g_assert_true (wait_until (held, GINT_TO_POINTER (FALSE)));
}

static gboolean
window_and_client (gpointer data)
{
  return client () != NULL && ctx.window != NULL;
}

int
main (int argc,
      char *argv[])
{
  const char *audio[] = { "audio", "text", NULL };
  const char *audio_only[] = { "audio", NULL };
  const char *text[] = { "text", NULL };
  g_autoptr(GError) error = NULL;
  int ret;

  if (g_getenv ("DISPLAY") == NULL || *g_getenv ("DISPLAY") == '\0')
    {
      if (g_strcmp0 (g_getenv ("ARW_REQUIRE_DISPLAY"), "1") == 0)
        {
          printf ("Bail out! no X display, and ARW_REQUIRE_DISPLAY=1\n");
          return 1;
        }
      printf ("1..0 # SKIP no X display (run under xvfb-run)\n");
      return 0;
    }
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL || g_getenv ("ARW_FAKE_RUNTIME") == NULL)
    {
      printf ("1..0 # SKIP needs the private session bus and ARW_FAKE_RUNTIME (run through meson test)\n");
      return 0;
    }
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  gtk_test_init (&argc, &argv, NULL);
  /* no transitions: every frame shows a settled layout */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  ctx.tmp = arw_test_mkdtemp ();
  ctx.state = g_build_filename (ctx.tmp, "state", NULL);
  ctx.bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  install_fake_bundle (CONSENT_ID, "Dictation test engine (CPU)", audio, audio_only);
  install_fake_bundle (CRASHY_ID, "Chat test engine (CPU)", text, NULL);
  write_loopback_catalog ();
  set_up_helper_env ();

  ctx.app = arw_application_new ();
  g_assert_true (g_application_register (G_APPLICATION (ctx.app), NULL, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (ctx.app));
  ctx.window = ARW_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (ctx.app)));
  g_assert_true (wait_until (window_and_client, NULL));
  gtk_window_set_default_size (GTK_WINDOW (ctx.window), 1024, 720);

  g_test_add_func ("/app/window/catalog-rows", test_catalog_rows);
  g_test_add_func ("/app/window/search", test_search);
  g_test_add_func ("/app/window/accessibility", test_accessibility);
  g_test_add_func ("/app/window/consent-before-start", test_consent_before_start);
  g_test_add_func ("/app/window/runtimes-panel", test_runtimes_panel);
  g_test_add_func ("/app/window/health-toast-when-focused", test_crash_toast_when_focused);
  g_test_add_func ("/app/window/health-notification-when-not-focused", test_crash_notification_when_not_focused);
  g_test_add_func ("/app/window/health-notification-action", test_notification_action_reaches_app);
  g_test_add_func ("/app/window/install-progress", test_install_progress);
  g_test_add_func ("/app/window/narrow-width", test_narrow_width);
  g_test_add_func ("/app/window/preferences", test_preferences);
  g_test_add_func ("/app/window/offline-import", test_offline_import);
  g_test_add_func ("/app/window/background-when-closed", test_background_when_closed);
  ret = g_test_run ();

  if (client () != NULL)
    {
      arw_client_shutdown_async (client (), CRASHY_ID, NULL, NULL, NULL);
      arw_client_shutdown_async (client (), CONSENT_ID, NULL, NULL, NULL);
      helper_round_trip ();
    }
  g_clear_pointer (&ctx.http, arw_test_http_server_free);
  g_clear_object (&ctx.app);
  g_clear_object (&ctx.bus);
  arw_test_rm_rf (ctx.tmp);
  g_free (ctx.tmp);
  g_free (ctx.state);
  return ret;
}
