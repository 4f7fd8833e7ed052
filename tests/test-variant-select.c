/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arw-error.h"
#include "arw-hardware.h"
#include "arw-test-utils.h"
#include "arw-variant-select.h"
#include "fixtures/hw/hw-fake-tree.h"

#define UUID_A "GPU-5d1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8"
#define UUID_B "GPU-0b0b0b0b-1111-2222-3333-444444444444"

static const ArwVariantCandidate llama[] = {
  { "llama.cpp-preview/linux-x86_64-cpu", "cpu" },
  { "llama.cpp-preview/linux-x86_64-vulkan", "gpu_vulkan" },
  { "llama.cpp-preview/linux-x86_64-rocm", "gpu_rocm" },
  { "llama.cpp-preview/linux-x86_64-cuda", "gpu_cuda" },
};

static const ArwVariantCandidate llama_cuda_cpu[] = {
  { "llama.cpp-preview/linux-x86_64-cuda", "gpu_cuda" },
  { "llama.cpp-preview/linux-x86_64-cpu", "cpu" },
};

/* Probes a fake tree built by fill(), then removes the tree. */
static ArwHardwareInfo *
probe_tree (void (*fill) (const char *root))
{
  g_autofree char *root = fake_tree_new ();
  ArwHardwareInfo *info;

  fill (root);
  info = fake_probe (root);
  arw_test_rm_rf (root);
  return info;
}

static void
fill_nvidia (const char *root)
{
  fake_nvidia_driver (root);
  fake_nvidia_gpu (root, "0000:01:00.0", UUID_A, "NVIDIA GeForce RTX 3090");
  fake_nvidia_smi (root, UUID_A ", NVIDIA GeForce RTX 3090, 24576, 535.104.05\n");
}

static void
fill_two_nvidia (const char *root)
{
  fake_nvidia_driver (root);
  fake_nvidia_gpu (root, "0000:01:00.0", UUID_A, "NVIDIA GeForce RTX 3090");
  fake_nvidia_gpu (root, "0000:02:00.0", UUID_B, "NVIDIA GeForce RTX 3060");
  fake_nvidia_smi (root, UUID_A ", NVIDIA GeForce RTX 3090, 24576, 535.104.05\n"
                         UUID_B ", NVIDIA GeForce RTX 3060, 12288, 535.104.05\n");
}

static void
fill_nvidia_no_driver (const char *root)
{
  fake_pci_device (root, "0000:01:00.0", "0x10de\n", "0x2204\n", NULL);
}

static void
fill_amd (const char *root)
{
  fake_amd_gpu (root, "0000:03:00.0", 1, 0x300, "12345678901234567", TRUE);
}

static void
fill_intel_vulkan (const char *root)
{
  fake_intel_gpu (root);
  fake_vulkan_icd (root, "intel_icd.x86_64.json", "libvulkan_intel.so");
}

static void
fill_nvidia_no_driver_intel (const char *root)
{
  fill_nvidia_no_driver (root);
  fill_intel_vulkan (root);
}

static void
fill_nothing (const char *root)
{
}

static ArwVariantChoice *
select_ok (const ArwVariantCandidate *cands, gsize n, const ArwHardwareInfo *hw, const ArwVariantPrefs *prefs)
{
  g_autoptr(GError) error = NULL;
  ArwVariantChoice *choice = arw_variant_select (cands, n, hw, prefs, &error);

  g_assert_no_error (error);
  g_assert_nonnull (choice);
  return choice;
}

static void
test_variant_family (void)
{
  g_autofree char *a = arw_variant_family ("llama.cpp-preview/linux-x86_64-cpu");
  g_autofree char *b = arw_variant_family ("plain");

  g_assert_cmpstr (a, ==, "llama.cpp-preview");
  g_assert_cmpstr (b, ==, "plain");
}

static void
test_variant_nvidia_cuda (void)
{
  g_autoptr(ArwHardwareInfo) hw = probe_tree (fill_nvidia);
  g_autoptr(ArwVariantChoice) c = select_ok (llama, G_N_ELEMENTS (llama), hw, NULL);
  g_autoptr(JsonNode) json = NULL;
  JsonObject *obj;

  g_assert_cmpstr (c->bundle_id, ==, "llama.cpp-preview/linux-x86_64-cuda");
  g_assert_cmpstr (c->accelerator, ==, "gpu_cuda");
  g_assert_cmpstr (c->family, ==, "llama.cpp-preview");
  g_assert_cmpstr (c->device_id, ==, UUID_A);
  g_assert_cmpstr (c->device_name, ==, "NVIDIA GeForce RTX 3090");
  g_assert_cmpstr (arw_variant_choice_get_env (c, "CUDA_VISIBLE_DEVICES"), ==, UUID_A);
  g_assert_cmpuint (g_strv_length (c->env), ==, 1);
  g_assert_null (c->fallback_reason);
  g_assert_null (c->fallback_from);

  json = arw_variant_choice_to_json (c);
  obj = json_node_get_object (json);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (obj, "env"),
                                                  "CUDA_VISIBLE_DEVICES"), ==, UUID_A);
  g_assert_true (json_object_get_null_member (obj, "fallback_reason"));
}

static void
test_variant_nvidia_no_driver (void)
{
  g_autoptr(ArwHardwareInfo) hw = probe_tree (fill_nvidia_no_driver);
  g_autoptr(ArwVariantChoice) c = select_ok (llama_cuda_cpu, G_N_ELEMENTS (llama_cuda_cpu), hw, NULL);

  g_assert_cmpstr (c->accelerator, ==, "cpu");
  g_assert_cmpstr (c->bundle_id, ==, "llama.cpp-preview/linux-x86_64-cpu");
  g_assert_null (c->device_id);
  g_assert_cmpuint (g_strv_length (c->env), ==, 0);
  g_assert_cmpstr (c->fallback_from, ==, "gpu_cuda");
  g_assert_cmpstr (c->fallback_reason, ==, "no NVIDIA driver");
}

static void
test_variant_amd_rocm (void)
{
  g_autoptr(ArwHardwareInfo) hw = probe_tree (fill_amd);
  g_autoptr(ArwVariantChoice) c = select_ok (llama, G_N_ELEMENTS (llama), hw, NULL);

  g_assert_cmpstr (c->accelerator, ==, "gpu_rocm");
  g_assert_cmpstr (arw_variant_choice_get_env (c, "HIP_VISIBLE_DEVICES"), ==, "0");
  g_assert_cmpstr (c->device_id, ==, "GPU-002bdc545d6b4b87");
  /* CUDA ranks higher, but without an NVIDIA card this is no fallback */
  g_assert_null (c->fallback_from);
  g_assert_null (c->fallback_reason);
}

static void
test_variant_intel_vulkan (void)
{
  g_autoptr(ArwHardwareInfo) hw = probe_tree (fill_intel_vulkan);
  const char *order[] = { "gpu_vulkan", "cpu", NULL };
  ArwVariantPrefs prefs = { .order = order };
  g_autoptr(ArwVariantChoice) c = select_ok (llama, G_N_ELEMENTS (llama), hw, &prefs);

  g_assert_cmpstr (c->accelerator, ==, "gpu_vulkan");
  g_assert_cmpstr (c->bundle_id, ==, "llama.cpp-preview/linux-x86_64-vulkan");
  g_assert_cmpstr (arw_variant_choice_get_env (c, "GGML_VK_VISIBLE_DEVICES"), ==, "0");
  g_assert_cmpstr (c->device_id, ==, "0000:00:02.0");
  g_assert_null (c->fallback_reason);
}

static void
test_variant_nothing_cpu (void)
{
  g_autoptr(ArwHardwareInfo) hw = probe_tree (fill_nothing);
  const ArwVariantCandidate only_cpu[] = { { "whisper.cpp-preview/linux-x86_64-cpu", NULL } };
  g_autoptr(ArwVariantChoice) c = select_ok (llama, G_N_ELEMENTS (llama), hw, NULL);
  g_autoptr(ArwVariantChoice) c2 = select_ok (only_cpu, 1, hw, NULL);

  g_assert_cmpstr (c->accelerator, ==, "cpu");
  g_assert_null (c->fallback_reason);
  /* no accelerator field counts as cpu; nothing better was installed */
  g_assert_cmpstr (c2->accelerator, ==, "cpu");
  g_assert_null (c2->fallback_reason);
}

static void
test_variant_gpu_only_error (void)
{
  g_autoptr(ArwHardwareInfo) hw = probe_tree (fill_nvidia_no_driver);
  g_autoptr(ArwHardwareInfo) none = probe_tree (fill_nothing);
  ArwVariantPrefs prefs = { .gpu_only = TRUE };
  ArwVariantPrefs force_gpu = { .force = ARW_VARIANT_FORCE_GPU };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  ArwVariantChoice *c;

  c = arw_variant_select (llama_cuda_cpu, G_N_ELEMENTS (llama_cuda_cpu), hw, &prefs, &error);
  g_assert_null (c);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no NVIDIA driver"));
  g_assert_nonnull (strstr (error->message, "llama.cpp-preview"));

  c = arw_variant_select (llama, G_N_ELEMENTS (llama), none, &force_gpu, &error2);
  g_assert_null (c);
  g_assert_error (error2, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error2->message, "no NVIDIA GPU"));
}

static void
test_variant_preferred_device (void)
{
  g_autoptr(ArwHardwareInfo) hw = probe_tree (fill_two_nvidia);
  ArwVariantPrefs prefs = { .device_id = UUID_B };
  ArwVariantPrefs by_slot = { .device_id = "0000:02:00.0" };
  ArwVariantPrefs missing = { .device_id = "GPU-gone" };
  g_autoptr(ArwVariantChoice) def = select_ok (llama, G_N_ELEMENTS (llama), hw, NULL);
  g_autoptr(ArwVariantChoice) c = select_ok (llama, G_N_ELEMENTS (llama), hw, &prefs);
  g_autoptr(ArwVariantChoice) c2 = select_ok (llama, G_N_ELEMENTS (llama), hw, &by_slot);
  g_autoptr(ArwVariantChoice) c3 = select_ok (llama, G_N_ELEMENTS (llama), hw, &missing);

  /* without a preference: the GPU with the most VRAM */
  g_assert_cmpstr (def->device_id, ==, UUID_A);
  g_assert_cmpstr (c->device_id, ==, UUID_B);
  g_assert_cmpstr (arw_variant_choice_get_env (c, "CUDA_VISIBLE_DEVICES"), ==, UUID_B);
  g_assert_cmpstr (c->device_name, ==, "NVIDIA GeForce RTX 3060");
  g_assert_null (c->fallback_reason);
  g_assert_cmpstr (c2->device_id, ==, UUID_B);
  g_assert_cmpstr (c3->device_id, ==, UUID_A);
  g_assert_cmpstr (c3->fallback_reason, ==, "preferred GPU GPU-gone not found");
}

static void
test_variant_force_cpu (void)
{
  g_autoptr(ArwHardwareInfo) hw = probe_tree (fill_nvidia);
  ArwVariantPrefs prefs = { .force = ARW_VARIANT_FORCE_CPU, .device_id = UUID_A };
  g_autoptr(ArwVariantChoice) c = select_ok (llama, G_N_ELEMENTS (llama), hw, &prefs);
  const ArwVariantCandidate gpu_only[] = { { "x/cuda", "gpu_cuda" } };
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (c->accelerator, ==, "cpu");
  g_assert_null (c->fallback_reason);
  g_assert_null (arw_variant_select (gpu_only, 1, hw, &prefs, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no installed CPU variant of x"));
}

/* Metal ranks first in this order but never runs on Linux. */
static void
test_variant_custom_order (void)
{
  g_autoptr(ArwHardwareInfo) hw = probe_tree (fill_nvidia);
  const char *order[] = { "gpu_metal", "gpu_cuda", "cpu", NULL };
  ArwVariantPrefs prefs = { .order = order };
  const ArwVariantCandidate cands[] = {
    { "f/metal", "gpu_metal" },
    { "f/cuda", "gpu_cuda" },
    { "f/cpu", "cpu" },
  };
  g_autoptr(ArwVariantChoice) c = select_ok (cands, G_N_ELEMENTS (cands), hw, &prefs);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (c->bundle_id, ==, "f/cuda");
  g_assert_null (c->fallback_from);
  g_assert_null (arw_variant_select (cands, 1, hw, &prefs, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "Metal needs macOS"));
}

/* CUDA cannot run on the NVIDIA card, so Vulkan on the Intel iGPU does. */
static void
test_variant_gpu_to_gpu (void)
{
  g_autoptr(ArwHardwareInfo) hw = probe_tree (fill_nvidia_no_driver_intel);
  g_autoptr(ArwVariantChoice) c = select_ok (llama, G_N_ELEMENTS (llama), hw, NULL);

  g_assert_cmpstr (c->accelerator, ==, "gpu_vulkan");
  g_assert_cmpstr (c->device_id, ==, "0000:00:02.0");
  g_assert_cmpstr (c->fallback_from, ==, "gpu_cuda");
  g_assert_cmpstr (c->fallback_reason, ==, "no NVIDIA driver");
}

static void
test_variant_bad_input (void)
{
  g_autoptr(ArwHardwareInfo) hw = probe_tree (fill_nothing);
  const ArwVariantCandidate mixed[] = { { "a/cpu", "cpu" }, { "b/cpu", "cpu" } };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;

  g_assert_null (arw_variant_select (mixed, 2, hw, NULL, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT);
  g_assert_null (arw_variant_select (mixed, 0, hw, NULL, &error2));
  g_assert_error (error2, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_unsetenv ("ARW_HW_ROOT");
  g_test_add_func ("/arw/variant-select/family", test_variant_family);
  g_test_add_func ("/arw/variant-select/nvidia-cuda", test_variant_nvidia_cuda);
  g_test_add_func ("/arw/variant-select/nvidia-no-driver", test_variant_nvidia_no_driver);
  g_test_add_func ("/arw/variant-select/amd-rocm", test_variant_amd_rocm);
  g_test_add_func ("/arw/variant-select/intel-vulkan", test_variant_intel_vulkan);
  g_test_add_func ("/arw/variant-select/nothing-cpu", test_variant_nothing_cpu);
  g_test_add_func ("/arw/variant-select/gpu-only-error", test_variant_gpu_only_error);
  g_test_add_func ("/arw/variant-select/preferred-device", test_variant_preferred_device);
  g_test_add_func ("/arw/variant-select/force-cpu", test_variant_force_cpu);
  g_test_add_func ("/arw/variant-select/custom-order", test_variant_custom_order);
  g_test_add_func ("/arw/variant-select/gpu-to-gpu", test_variant_gpu_to_gpu);
  g_test_add_func ("/arw/variant-select/bad-input", test_variant_bad_input);
  return g_test_run ();
}
