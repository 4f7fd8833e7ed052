/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The app's model and wording without a display: catalog rows from an
 * inventory, the search/facet filter (also over 10,000 families), variant
 * choice against a hardware probe, and the plain-language strings. */
#include "config.h"

#include <gtk/gtk.h>

#include "arw-bundle-family.h"
#include "arw-catalog-filter.h"
#include "arw-catalog-model.h"
#include "arw-hardware-view.h"
#include "arw-wording.h"

/* g_format_size() puts a no-break space between number and unit */

static JsonNode *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* An inventory made of the bundled configs/runtime catalogs and one
 * installation (with a trusted signature) of the llama.cpp CPU variant. */
static JsonNode *
bundled_inventory (void)
{
  g_autofree char *dir = g_build_filename (ARW_SOURCE_ROOT, "configs", "runtime", NULL);
  const char *names[] = { "bundles.audio.json", "bundles.llama.json", "bundles.vision.json", NULL };
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "catalogs");
  json_builder_begin_array (b);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *text = NULL;

      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      json_builder_add_value (b, parse (text));
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "installations");
  json_builder_add_value (b, parse ("[{\"id\":\"llama.cpp-preview/linux-x86_64-cpu\",\"name\":\"llama.cpp server (CPU)\","
                                    "\"accelerator\":\"cpu\",\"channel\":\"preview\",\"bundle\":null,"
                                    "\"signature\":{\"signatures\":[{\"issuer\":\"bundle-ci@arw\",\"trusted\":true,"
                                    "\"signature_valid\":true,\"rejected\":false}]}},"
                                    "{\"id\":\"imported-only/x\",\"name\":\"Imported thing\",\"bundle\":null}]"));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static ArwBundleFamily *
find_family (GListModel *model,
             const char *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ArwBundleFamily) f = g_list_model_get_item (model, i);
      if (g_str_equal (arw_bundle_family_get_id (f), id))
        return f;
    }
  return NULL;
}

static void
test_model_groups_variants (void)
{
  g_autoptr(JsonNode) inv = bundled_inventory ();
  g_autoptr(GHashTable) by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GListStore) store = arw_catalog_model_build (json_node_get_object (inv), by_id);
  ArwBundleFamily *llama, *whisper, *imported;

  /* 8 catalog bundles in 4 families, plus the installation-only one */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (store)), ==, 5);
  g_assert_cmpuint (g_hash_table_size (by_id), ==, 9);
  llama = find_family (G_LIST_MODEL (store), "llama.cpp-preview");
  g_assert_nonnull (llama);
  g_assert_cmpuint (arw_bundle_family_get_variants (llama)->len, ==, 4);
  g_assert_cmpstr (arw_bundle_family_get_name (llama), ==, "llama.cpp server");
  g_assert_true (arw_bundle_family_get_installed (llama));
  g_assert_false (arw_bundle_family_get_consent_required (llama));
  g_assert_cmpstr (arw_bundle_family_get_accelerators_text (llama), ==, "CPU · NVIDIA CUDA · AMD ROCm · Vulkan");
  g_assert_true (g_hash_table_lookup (by_id, "llama.cpp-preview/linux-x86_64-rocm") == llama);
  whisper = find_family (G_LIST_MODEL (store), "whisper.cpp-preview");
  g_assert_nonnull (whisper);
  g_assert_true (arw_bundle_family_get_consent_required (whisper));
  g_assert_false (arw_bundle_family_get_installed (whisper));
  g_assert_true (arw_bundle_family_has_modality (whisper, "audio"));
  imported = find_family (G_LIST_MODEL (store), "imported-only");
  g_assert_nonnull (imported);
  g_assert_true (arw_bundle_family_get_installed (imported));
}

static guint
count_matches (GListModel *model,
               GtkFilter *filter)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      n += gtk_filter_match (filter, item);
    }
  return n;
}

static void
changed_cb (GtkFilter *filter,
            GtkFilterChange change,
            GtkFilterChange *out)
{
  *out = change;
}

static void
test_filter_facets (void)
{
  g_autoptr(JsonNode) inv = bundled_inventory ();
  g_autoptr(GListStore) store = arw_catalog_model_build (json_node_get_object (inv), NULL);
  g_autoptr(ArwCatalogFilter) filter = arw_catalog_filter_new ();
  GListModel *model = G_LIST_MODEL (store);
  GtkFilterChange change = -1;

  g_signal_connect (filter, "changed", G_CALLBACK (changed_cb), &change);
  g_assert_false (arw_catalog_filter_is_active (filter));
  g_assert_cmpuint (count_matches (model, GTK_FILTER (filter)), ==, 5);

  arw_catalog_filter_set_search (filter, "whis");
  g_assert_cmpint (change, ==, GTK_FILTER_CHANGE_MORE_STRICT);
  g_assert_cmpuint (count_matches (model, GTK_FILTER (filter)), ==, 1);
  arw_catalog_filter_set_search (filter, "whisper");
  g_assert_cmpint (change, ==, GTK_FILTER_CHANGE_MORE_STRICT);
  arw_catalog_filter_set_search (filter, "whi");
  g_assert_cmpint (change, ==, GTK_FILTER_CHANGE_LESS_STRICT);
  arw_catalog_filter_set_search (filter, "llama");
  g_assert_cmpint (change, ==, GTK_FILTER_CHANGE_DIFFERENT);
  /* case, words in any order, and accelerator labels are searchable */
  arw_catalog_filter_set_search (filter, "  CUDA   LLAMA ");
  g_assert_cmpuint (count_matches (model, GTK_FILTER (filter)), ==, 1);
  arw_catalog_filter_set_search (filter, "nothing-like-this");
  g_assert_cmpuint (count_matches (model, GTK_FILTER (filter)), ==, 0);
  arw_catalog_filter_set_search (filter, "");
  g_assert_false (arw_catalog_filter_is_active (filter));

  arw_catalog_filter_set_modality (filter, "vision");
  g_assert_cmpuint (count_matches (model, GTK_FILTER (filter)), ==, 1);
  arw_catalog_filter_set_modality (filter, NULL);
  arw_catalog_filter_set_accelerator (filter, "gpu");
  g_assert_cmpuint (count_matches (model, GTK_FILTER (filter)), ==, 2);   /* llama, llava */
  arw_catalog_filter_set_accelerator (filter, "gpu_rocm");
  g_assert_cmpuint (count_matches (model, GTK_FILTER (filter)), ==, 1);
  arw_catalog_filter_set_accelerator (filter, "");
  arw_catalog_filter_set_installed_only (filter, TRUE);
  g_assert_cmpint (change, ==, GTK_FILTER_CHANGE_MORE_STRICT);
  g_assert_cmpuint (count_matches (model, GTK_FILTER (filter)), ==, 2);   /* llama, imported */
  arw_catalog_filter_set_installed_only (filter, FALSE);
  arw_catalog_filter_set_channel (filter, "preview");
  g_assert_cmpuint (count_matches (model, GTK_FILTER (filter)), ==, 4);
  arw_catalog_filter_set_channel (filter, "stable");
  g_assert_cmpuint (count_matches (model, GTK_FILTER (filter)), ==, 0);
}

/* 10,000 families through a GtkFilterListModel, narrowing and widening
 * the search as keystrokes do. */
static void
test_filter_ten_thousand (void)
{
  g_autoptr(GListStore) store = g_list_store_new (ARW_TYPE_BUNDLE_FAMILY);
  g_autoptr(ArwCatalogFilter) filter = arw_catalog_filter_new ();
  g_autoptr(GtkFilterListModel) filtered = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *fid = g_strdup_printf ("engine-%05u", i);
      ArwBundleFamily *f = arw_bundle_family_new (fid);
      ArwBundleVariant *v = g_new0 (ArwBundleVariant, 1);

      v->id = g_strdup_printf ("%s/linux-x86_64-%s", fid, i % 2 ? "cpu" : "cuda");
      v->name = g_strdup_printf ("Engine %05u (%s)", i, i % 2 ? "CPU" : "CUDA");
      v->accelerator = g_strdup (i % 2 ? "cpu" : "gpu_cuda");
      v->channel = g_strdup ("preview");
      {
        g_autoptr(JsonNode) node = parse ("{\"modalities\":[\"text\"],\"description\":\"generated\"}");
        v->bundle = json_object_ref (json_node_get_object (node));
      }
      arw_bundle_family_add_variant (f, v);
      arw_bundle_family_finish (f);
      g_ptr_array_add (items, f);
    }
  g_list_store_splice (store, 0, 0, items->pdata, items->len);
  filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (store)), GTK_FILTER (g_object_ref (filter)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filtered)), ==, 10000);
  arw_catalog_filter_set_search (filter, "engine 0");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filtered)), ==, 10000);
  /* "0123" is in 00123 and 01230…01239 */
  arw_catalog_filter_set_search (filter, "engine 0123");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filtered)), ==, 11);
  arw_catalog_filter_set_search (filter, "engine 01234");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filtered)), ==, 1);
  /* even numbers are the CUDA builds */
  arw_catalog_filter_set_search (filter, "engine 0123 cuda");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filtered)), ==, 5);
  arw_catalog_filter_set_search (filter, "");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filtered)), ==, 10000);
}

static void
test_pick_variant (void)
{
  g_autoptr(JsonNode) inv = bundled_inventory ();
  g_autoptr(GListStore) store = arw_catalog_model_build (json_node_get_object (inv), NULL);
  ArwBundleFamily *llama = find_family (G_LIST_MODEL (store), "llama.cpp-preview");
  g_autoptr(JsonNode) hw = parse ("{\"memory\":{\"total_bytes\":17179869184},\"gpus\":[{\"stable_id\":\"GPU-1\","
                                  "\"name\":\"NVIDIA RTX 4090\",\"vram_bytes\":25769803776,\"backends\":{"
                                  "\"cuda\":{\"usable\":true},\"rocm\":{\"usable\":false},\"vulkan\":{\"usable\":true}}}]}");
  const char *cpu_only[] = { "cpu", NULL };
  ArwBundleVariant *v;

  /* no probe yet: only the CPU counts as runnable */
  v = arw_hardware_view_pick_variant (NULL, llama, NULL, FALSE);
  g_assert_cmpstr (v->accelerator, ==, "cpu");
  /* installed first: the CPU build is installed, CUDA is not */
  v = arw_hardware_view_pick_variant (json_node_get_object (hw), llama, NULL, FALSE);
  g_assert_cmpstr (v->accelerator, ==, "cpu");
  g_clear_pointer (&((ArwBundleVariant *) g_ptr_array_index (arw_bundle_family_get_variants (llama), 0))->installation,
                   json_object_unref);
  v = arw_hardware_view_pick_variant (json_node_get_object (hw), llama, NULL, FALSE);
  g_assert_cmpstr (v->accelerator, ==, "gpu_cuda");
  v = arw_hardware_view_pick_variant (json_node_get_object (hw), llama, cpu_only, FALSE);
  g_assert_cmpstr (v->accelerator, ==, "cpu");
  g_assert_cmpstr (arw_hardware_view_gpu_name (json_node_get_object (hw), "GPU-1"), ==, "NVIDIA RTX 4090");
  g_assert_cmpuint (arw_hardware_view_ram_total (json_node_get_object (hw)), ==, 17179869184);
  g_assert_false (arw_hardware_view_can_run (json_node_get_object (hw), "gpu_rocm"));
}

static void
test_wording_status (void)
{
  ArwRuntimeWordingInput in = { 0 };
  g_autofree char *ready = NULL, *cpu = NULL, *degraded = NULL, *budget = NULL, *stopped = NULL, *left = NULL;
  g_autoptr(GDateTime) reset = g_date_time_new_local (2026, 1, 2, 14, 5, 0);

  in.state = "ready";
  in.accelerator = "gpu_cuda";
  in.device_name = "NVIDIA RTX 4090";
  ready = arw_wording_runtime_status (&in);
  g_assert_cmpstr (ready, ==, "Ready – GPU (NVIDIA RTX 4090)");
  in.accelerator = "cpu";
  cpu = arw_wording_runtime_status (&in);
  g_assert_cmpstr (cpu, ==, "Ready – CPU");
  in.state = "degraded";
  in.fallback_reason = "no NVIDIA driver";
  degraded = arw_wording_runtime_status (&in);
  g_assert_cmpstr (degraded, ==, "Degraded – CPU fallback: no NVIDIA driver");
  in.state = "error";
  in.fallback_reason = NULL;
  in.budget_used = 3;
  in.budget_max = 3;
  in.budget_reset_at = g_date_time_to_unix (reset);
  budget = arw_wording_runtime_status (&in);
  g_assert_cmpstr (budget, ==, "Error – restart budget exhausted, resets 14:05");
  in.state = "offline";
  stopped = arw_wording_runtime_status (&in);
  g_assert_cmpstr (stopped, ==, "Stopped");
  left = arw_wording_restart_budget (1, 3, g_date_time_to_unix (reset));
  g_assert_cmpstr (left, ==, "2 of 3 restarts left, resets 14:05");
}

static void
test_wording_consent_trust_fit (void)
{
  gboolean is_trusted = FALSE;
  g_autofree char *mic = arw_wording_consent_line ("audio");
  g_autofree char *cam = arw_wording_consent_line ("vision");
  g_autoptr(JsonNode) trusted = parse ("{\"signatures\":[{\"issuer\":\"bundle-ci@arw\",\"trusted\":true,"
                                       "\"signature_valid\":true,\"rejected\":false}]}");
  g_autoptr(JsonNode) untrusted = parse ("{\"signatures\":[{\"key_id\":\"someone\",\"trusted\":false,"
                                         "\"signature_valid\":true,\"rejected\":false}]}");
  g_autoptr(JsonNode) broken = parse ("{\"signatures\":[{\"key_id\":\"x\",\"signature_valid\":false}]}");
  g_autofree char *t1 = arw_wording_trust (json_node_get_object (trusted), "preview", &is_trusted);
  g_autofree char *t2 = arw_wording_trust (json_node_get_object (untrusted), "preview", NULL);
  g_autofree char *t3 = arw_wording_trust (NULL, "preview", NULL);
  g_autofree char *t4 = arw_wording_trust (json_node_get_object (broken), NULL, NULL);
  ArwFitWordingInput fit = { 0 };
  g_autofree char *f1 = NULL, *f2 = NULL, *p = NULL;
  gboolean fits = FALSE;

  g_assert_cmpstr (mic, ==, "This runtime can listen to your microphone while it runs");
  g_assert_true (g_str_has_prefix (cam, "This runtime can see your camera"));
  g_assert_cmpstr (t1, ==, "Signed by bundle-ci@arw — trusted for preview");
  g_assert_true (is_trusted);
  g_assert_cmpstr (t2, ==, "Signed by someone, but not by a trusted publisher");
  g_assert_cmpstr (t3, ==, "Not signed by a trusted publisher");
  g_assert_true (strstr (t4, "does not match") != NULL);

  fit.download_bytes = 4000000000;
  fit.disk_free_bytes = 100000000000;
  fit.ram_total_bytes = 16000000000;
  f1 = arw_wording_fit (&fit, &fits);
  g_assert_true (fits);
  g_assert_cmpstr (f1, ==, "4.0\u00a0GB download, 100.0\u00a0GB free on disk · 16.0\u00a0GB memory");
  fit.disk_free_bytes = 5000000000;
  f2 = arw_wording_fit (&fit, &fits);
  g_assert_false (fits);
  g_assert_true (g_str_has_prefix (f2, "Needs 4.0\u00a0GB, only 5.0\u00a0GB free on disk"));

  p = arw_wording_progress ("downloading", 1200000, 4000000, 3100000, 2);
  g_assert_cmpstr (p, ==, "Downloading – 1.2\u00a0MB of 4.0\u00a0MB · 3.1\u00a0MB/s · about 2 seconds left");
}

int
main (int argc,
      char *argv[])
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/model/groups-variants", test_model_groups_variants);
  g_test_add_func ("/app/filter/facets", test_filter_facets);
  g_test_add_func ("/app/filter/ten-thousand", test_filter_ten_thousand);
  g_test_add_func ("/app/hardware/pick-variant", test_pick_variant);
  g_test_add_func ("/app/wording/status", test_wording_status);
  g_test_add_func ("/app/wording/consent-trust-fit", test_wording_consent_trust_fit);
  return g_test_run ();
}
