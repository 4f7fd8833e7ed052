/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arw-error.h"
#include "arw-hardware.h"
#include "arw-test-utils.h"
#include "fixtures/hw/hw-fake-tree.h"

#define UUID_A "GPU-5d1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8"

static gboolean
has_warning (const ArwHardwareInfo *info, const char *needle)
{
  for (guint i = 0; i < info->warnings->len; i++)
    if (strstr (g_ptr_array_index (info->warnings, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_hardware_cpu_memory (void)
{
  g_autofree char *root = fake_tree_new ();
  g_autoptr(ArwHardwareInfo) info = NULL;
  GString *cpuinfo = g_string_new (NULL);

  for (guint i = 0; i < 4; i++)
    g_string_append_printf (cpuinfo,
                            "processor\t: %u\nvendor_id\t: GenuineIntel\n"
                            "model name\t: Intel(R) Core(TM) i7-1185G7 @ 3.00GHz\n"
                            "flags\t\t: fpu sse4_2 avx avx2 fma f16c avx512f\n\n", i);
  fake_write (root, "proc/cpuinfo", cpuinfo->str);
  g_string_free (cpuinfo, TRUE);
  fake_write (root, "proc/meminfo", "MemTotal:       16212340 kB\nMemFree:  1 kB\nMemAvailable:    9000000 kB\n");

  info = fake_probe (root);
  g_assert_cmpstr (info->cpu_model, ==, "Intel(R) Core(TM) i7-1185G7 @ 3.00GHz");
  g_assert_cmpuint (info->logical_cores, ==, 4);
  g_assert_true (arw_hardware_info_has_cpu_flag (info, "avx2"));
  g_assert_true (arw_hardware_info_has_cpu_flag (info, "avx512f"));
  g_assert_true (arw_hardware_info_has_cpu_flag (info, "f16c"));
  g_assert_false (arw_hardware_info_has_cpu_flag (info, "amx_tile"));
  g_assert_cmpuint (info->ram_total_bytes, ==, G_GUINT64_CONSTANT (16212340) * 1024);
  g_assert_cmpuint (info->ram_available_bytes, ==, G_GUINT64_CONSTANT (9000000) * 1024);
  g_assert_cmpuint (info->gpus->len, ==, 0);
  arw_test_rm_rf (root);
}

static void
test_hardware_nvidia_present (void)
{
  g_autofree char *root = fake_tree_new ();
  g_autoptr(ArwHardwareInfo) info = NULL;
  g_autoptr(JsonNode) json = NULL;
  JsonObject *gpu_obj;
  const ArwGpu *gpu;

  fake_nvidia_driver (root);
  fake_nvidia_gpu (root, "0000:01:00.0", UUID_A, "NVIDIA GeForce RTX 3090");
  fake_nvidia_smi (root, UUID_A ", NVIDIA GeForce RTX 3090, 24576, 535.104.05\n");

  info = fake_probe (root);
  g_assert_true (info->nvidia_driver_loaded);
  g_assert_cmpstr (info->nvidia_driver_version, ==, "535.104.05");
  g_assert_cmpuint (info->gpus->len, ==, 1);
  gpu = fake_gpu (info, 0);
  g_assert_cmpint (gpu->vendor, ==, ARW_GPU_VENDOR_NVIDIA);
  g_assert_cmpstr (gpu->name, ==, "NVIDIA GeForce RTX 3090");
  g_assert_cmpstr (gpu->pci_slot, ==, "0000:01:00.0");
  g_assert_cmpstr (gpu->driver, ==, "nvidia");
  g_assert_cmpstr (gpu->stable_id, ==, UUID_A);
  g_assert_cmpuint (gpu->vram_bytes, ==, G_GUINT64_CONSTANT (24576) * 1024 * 1024);
  g_assert_true (gpu->backends[ARW_GPU_BACKEND_CUDA].usable);
  g_assert_cmpint (gpu->backends[ARW_GPU_BACKEND_CUDA].index, ==, 0);
  g_assert_cmpstr (gpu->backends[ARW_GPU_BACKEND_ROCM].reason, ==, "not an AMD GPU");
  g_assert_cmpstr (gpu->backends[ARW_GPU_BACKEND_VULKAN].reason, ==, "no Vulkan ICD");
  g_assert_null (arw_hardware_info_backend_reason (info, ARW_GPU_BACKEND_CUDA));
  g_assert_true (arw_hardware_info_find_gpu (info, UUID_A) == gpu);
  g_assert_true (arw_hardware_info_find_gpu (info, "0000:01:00.0") == gpu);

  json = arw_hardware_info_to_json (info);
  gpu_obj = json_array_get_object_element (json_object_get_array_member (json_node_get_object (json), "gpus"), 0);
  g_assert_cmpstr (json_object_get_string_member (gpu_obj, "stable_id"), ==, UUID_A);
  g_assert_cmpstr (json_object_get_string_member (gpu_obj, "vendor"), ==, "nvidia");
  g_assert_true (json_object_get_boolean_member (
    json_object_get_object_member (json_object_get_object_member (gpu_obj, "backends"), "cuda"), "usable"));
  arw_test_rm_rf (root);
}

/* nvidia-smi alone (no sysfs, no procfs) is enough to know the GPU. */
static void
test_hardware_nvidia_smi_only (void)
{
  g_autofree char *root = fake_tree_new ();
  g_autoptr(ArwHardwareInfo) info = NULL;
  const ArwGpu *gpu;

  fake_nvidia_smi (root, UUID_A ", NVIDIA A100-SXM4-40GB, 40960, 550.54.15\n"
                         "GPU-ffffffff-0000-1111-2222-333333333333, NVIDIA T4, 15360, 550.54.15\n");
  info = fake_probe (root);
  g_assert_cmpuint (info->gpus->len, ==, 2);
  gpu = fake_gpu (info, 0);
  g_assert_cmpstr (gpu->stable_id, ==, UUID_A);
  g_assert_cmpstr (gpu->name, ==, "NVIDIA A100-SXM4-40GB");
  g_assert_true (gpu->backends[ARW_GPU_BACKEND_CUDA].usable);
  g_assert_cmpstr (fake_gpu (info, 1)->stable_id, ==, "GPU-ffffffff-0000-1111-2222-333333333333");
  g_assert_cmpint (fake_gpu (info, 1)->backends[ARW_GPU_BACKEND_CUDA].index, ==, 1);
  g_assert_cmpstr (info->nvidia_driver_version, ==, "550.54.15");
  arw_test_rm_rf (root);
}

static void
test_hardware_nvidia_no_driver (void)
{
  g_autofree char *root = fake_tree_new ();
  g_autoptr(ArwHardwareInfo) info = NULL;
  g_autofree char *reason = NULL;
  const ArwGpu *gpu;

  fake_pci_device (root, "0000:01:00.0", "0x10de\n", "0x2204\n", NULL);
  info = fake_probe (root);
  g_assert_false (info->nvidia_driver_loaded);
  g_assert_cmpuint (info->gpus->len, ==, 1);
  gpu = fake_gpu (info, 0);
  g_assert_cmpint (gpu->vendor, ==, ARW_GPU_VENDOR_NVIDIA);
  g_assert_cmpstr (gpu->stable_id, ==, "0000:01:00.0");
  g_assert_null (gpu->driver);
  g_assert_false (gpu->backends[ARW_GPU_BACKEND_CUDA].usable);
  g_assert_cmpstr (gpu->backends[ARW_GPU_BACKEND_CUDA].reason, ==, "no NVIDIA driver");
  reason = arw_hardware_info_backend_reason (info, ARW_GPU_BACKEND_CUDA);
  g_assert_cmpstr (reason, ==, "no NVIDIA driver");
  arw_test_rm_rf (root);
}

static void
test_hardware_nvidia_nouveau (void)
{
  g_autofree char *root = fake_tree_new ();
  g_autoptr(ArwHardwareInfo) info = NULL;
  const ArwGpu *gpu;

  fake_nvidia_driver (root);
  fake_pci_device (root, "0000:01:00.0", "0x10de\n", "0x2204\n", "vfio-pci");
  info = fake_probe (root);
  gpu = fake_gpu (info, 0);
  g_assert_false (gpu->backends[ARW_GPU_BACKEND_CUDA].usable);
  g_assert_cmpstr (gpu->backends[ARW_GPU_BACKEND_CUDA].reason, ==, "GPU is bound to vfio-pci, not the NVIDIA driver");
  arw_test_rm_rf (root);
}

static void
test_hardware_nvidia_smi_fails (void)
{
  g_autofree char *root = fake_tree_new ();
  g_autoptr(ArwHardwareInfo) info = NULL;

  fake_pci_device (root, "0000:01:00.0", "0x10de\n", "0x2204\n", NULL);
  fake_script (root, "nvidia-smi",
               "printf 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.\\n'\nexit 9\n");
  info = fake_probe (root);
  g_assert_false (info->nvidia_driver_loaded);
  g_assert_true (has_warning (info, "nvidia-smi failed (exit status 9)"));
  g_assert_cmpstr (fake_gpu (info, 0)->backends[ARW_GPU_BACKEND_CUDA].reason, ==, "no NVIDIA driver");
  arw_test_rm_rf (root);
}

static void
test_hardware_tool_timeout (void)
{
  g_autofree char *root = fake_tree_new ();
  g_autoptr(ArwHardwareInfo) info = NULL;

  if (!g_file_test ("/bin/sleep", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no /bin/sleep");
      return;
    }
  fake_script (root, "nvidia-smi", "exec /bin/sleep 600\n");
  info = fake_probe (root);
  g_assert_true (has_warning (info, "nvidia-smi did not answer within"));
  g_assert_false (info->nvidia_driver_loaded);
  g_assert_cmpuint (info->gpus->len, ==, 0);
  arw_test_rm_rf (root);
}

static void
test_hardware_amd_kfd (void)
{
  g_autofree char *root = fake_tree_new ();
  g_autoptr(ArwHardwareInfo) info = NULL;
  const ArwGpu *gpu;

  /* location_id 0x300 = bus 03, device 00, function 0 */
  fake_amd_gpu (root, "0000:03:00.0", 1, 0x300, "12345678901234567", TRUE);
  info = fake_probe (root);
  g_assert_true (info->rocm_kfd_present);
  g_assert_cmpuint (info->gpus->len, ==, 1);
  gpu = fake_gpu (info, 0);
  g_assert_cmpint (gpu->vendor, ==, ARW_GPU_VENDOR_AMD);
  g_assert_cmpstr (gpu->driver, ==, "amdgpu");
  g_assert_cmpuint (gpu->vram_bytes, ==, G_GUINT64_CONSTANT (17163091968));
  g_assert_cmpstr (gpu->stable_id, ==, "GPU-002bdc545d6b4b87");
  g_assert_true (gpu->backends[ARW_GPU_BACKEND_ROCM].usable);
  g_assert_cmpint (gpu->backends[ARW_GPU_BACKEND_ROCM].index, ==, 0);
  g_assert_cmpuint (gpu->kfd_gpu_id, ==, 52437);
  g_assert_cmpstr (gpu->backends[ARW_GPU_BACKEND_CUDA].reason, ==, "not an NVIDIA GPU");
  arw_test_rm_rf (root);
}

static void
test_hardware_amd_no_kfd (void)
{
  g_autofree char *root = fake_tree_new ();
  g_autoptr(ArwHardwareInfo) info = NULL;
  g_autofree char *reason = NULL;

  fake_amd_gpu (root, "0000:03:00.0", 1, 0x300, "12345678901234567", FALSE);
  info = fake_probe (root);
  g_assert_false (info->rocm_kfd_present);
  g_assert_cmpstr (fake_gpu (info, 0)->backends[ARW_GPU_BACKEND_ROCM].reason, ==, "/dev/kfd missing");
  reason = arw_hardware_info_backend_reason (info, ARW_GPU_BACKEND_ROCM);
  g_assert_cmpstr (reason, ==, "/dev/kfd missing");
  arw_test_rm_rf (root);
}

static void
test_hardware_intel_vulkan (void)
{
  g_autofree char *root = fake_tree_new ();
  g_autoptr(ArwHardwareInfo) info = NULL;
  const ArwGpu *gpu;
  const ArwVulkanIcd *icd;

  fake_intel_gpu (root);
  fake_vulkan_icd (root, "intel_icd.x86_64.json", "/usr/lib/x86_64-linux-gnu/libvulkan_intel.so");
  fake_vulkan_icd (root, "lvp_icd.x86_64.json", "/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so");
  fake_write (root, "usr/share/misc/pci.ids",
              "# pci.ids\n10de  NVIDIA Corporation\n\t2204  GA102 [GeForce RTX 3090]\n"
              "8086  Intel Corporation\n\t9a40  Other\n\t9a49  TigerLake-LP GT2 [Iris Xe Graphics]\n"
              "\t\t1028 0a1f  Sub\n8087  Intel Corporation\n");
  info = fake_probe (root);
  g_assert_cmpuint (info->gpus->len, ==, 1);
  gpu = fake_gpu (info, 0);
  g_assert_cmpint (gpu->vendor, ==, ARW_GPU_VENDOR_INTEL);
  g_assert_cmpstr (gpu->pci_slot, ==, "0000:00:02.0");
  g_assert_cmpstr (gpu->stable_id, ==, "0000:00:02.0");
  g_assert_cmpstr (gpu->name, ==, "Intel Iris Xe Graphics");
  g_assert_true (gpu->backends[ARW_GPU_BACKEND_VULKAN].usable);
  g_assert_cmpint (gpu->backends[ARW_GPU_BACKEND_VULKAN].index, ==, 0);
  g_assert_cmpuint (info->vulkan_icds->len, ==, 2);
  icd = g_ptr_array_index (info->vulkan_icds, 0);
  g_assert_cmpstr (icd->path, ==, "/usr/share/vulkan/icd.d/intel_icd.x86_64.json");
  g_assert_cmpstr (icd->api_version, ==, "1.3.246");
  g_assert_cmpint (icd->vendor, ==, ARW_GPU_VENDOR_INTEL);
  g_assert_true (((const ArwVulkanIcd *) g_ptr_array_index (info->vulkan_icds, 1))->software);
  arw_test_rm_rf (root);
}

static void
test_hardware_intel_no_icd (void)
{
  g_autofree char *root = fake_tree_new ();
  g_autoptr(ArwHardwareInfo) info = NULL;

  fake_intel_gpu (root);
  fake_vulkan_icd (root, "lvp_icd.x86_64.json", "libvulkan_lvp.so"); /* software only */
  fake_write (root, "usr/share/vulkan/icd.d/broken.json", "{not json");
  info = fake_probe (root);
  g_assert_cmpstr (fake_gpu (info, 0)->backends[ARW_GPU_BACKEND_VULKAN].reason, ==, "no Vulkan ICD");
  g_assert_cmpstr (fake_gpu (info, 0)->name, ==, "Intel GPU [8086:9a49]");
  g_assert_true (has_warning (info, "broken.json"));
  arw_test_rm_rf (root);
}

/* vulkaninfo decides the Vulkan indices: AMD is GPU0, Intel GPU1. */
static void
test_hardware_vulkaninfo_order (void)
{
  g_autofree char *root = fake_tree_new ();
  g_autoptr(ArwHardwareInfo) info = NULL;

  fake_intel_gpu (root);
  fake_amd_gpu (root, "0000:03:00.0", 1, 0x300, "0", FALSE);
  fake_script (root, "vulkaninfo",
               "[ \"$1\" = \"--summary\" ] || exit 3\n"
               "printf 'Devices:\\n========\\nGPU0:\\n\\tapiVersion = 1.3.246\\n\\tvendorID = 0x1002\\n"
               "\\tdeviceID = 0x73bf\\n\\tdeviceType = PHYSICAL_DEVICE_TYPE_DISCRETE_GPU\\n"
               "\\tdeviceName = AMD Radeon RX 6900 XT (RADV NAVI21)\\n"
               "GPU1:\\n\\tvendorID = 0x8086\\n\\tdeviceID = 0x9a49\\n\\tdeviceName = Intel(R) Xe Graphics\\n"
               "GPU2:\\n\\tvendorID = 0x10005\\n\\tdeviceID = 0x0000\\n\\tdeviceName = llvmpipe\\n'\n");
  info = fake_probe (root);
  g_assert_cmpuint (info->gpus->len, ==, 2);
  /* PCI order: Intel 00:02.0 first, AMD 03:00.0 second */
  g_assert_cmpint (fake_gpu (info, 0)->vendor, ==, ARW_GPU_VENDOR_INTEL);
  g_assert_cmpint (fake_gpu (info, 0)->backends[ARW_GPU_BACKEND_VULKAN].index, ==, 1);
  g_assert_cmpstr (fake_gpu (info, 0)->name, ==, "Intel(R) Xe Graphics");
  g_assert_cmpint (fake_gpu (info, 1)->backends[ARW_GPU_BACKEND_VULKAN].index, ==, 0);
  g_assert_cmpstr (fake_gpu (info, 1)->name, ==, "AMD Radeon RX 6900 XT (RADV NAVI21)");
  /* unique_id 0: no ROCm id, the PCI slot is the stable id */
  g_assert_cmpstr (fake_gpu (info, 1)->stable_id, ==, "0000:03:00.0");
  arw_test_rm_rf (root);
}

/* An empty ARW_HW_ROOT: nothing found, nothing crashes. */
static void
test_hardware_empty_root (void)
{
  g_autofree char *root = fake_tree_new ();
  g_autofree char *bin = g_build_filename (root, "bin", NULL);
  g_autoptr(ArwHardwareInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *reason = NULL;

  g_setenv ("PATH", bin, TRUE);
  g_setenv ("ARW_HW_ROOT", root, TRUE);
  info = arw_hardware_probe (&error);
  g_unsetenv ("ARW_HW_ROOT");
  g_assert_no_error (error);
  g_assert_cmpstr (info->root, ==, root);
  g_assert_cmpuint (info->gpus->len, ==, 0);
  g_assert_cmpuint (info->logical_cores, ==, 0);
  g_assert_null (info->cpu_model);
  g_assert_false (info->nvidia_driver_loaded);
  g_assert_false (info->rocm_kfd_present);
  g_assert_true (has_warning (info, "proc/cpuinfo"));
  reason = arw_hardware_info_backend_reason (info, ARW_GPU_BACKEND_VULKAN);
  g_assert_cmpstr (reason, ==, "no GPU");
  json = arw_hardware_info_to_json (info);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (json), "gpus")), ==, 0);
  arw_test_rm_rf (root);
}

/* Junk where numbers and JSON should be never crashes the probe. */
static void
test_hardware_garbage (void)
{
  g_autofree char *root = fake_tree_new ();
  g_autofree char *version_dir = g_build_filename (root, "proc/driver/nvidia/version", NULL);
  g_autoptr(ArwHardwareInfo) info = NULL;

  fake_write (root, "proc/cpuinfo", "\xff\xfe garbage");
  fake_write (root, "proc/meminfo", "MemTotal: lots kB\nMemAvailable:\n");
  fake_write (root, "sys/bus/pci/devices/zz/vendor", "0xZZZZ");
  fake_write (root, "sys/bus/pci/devices/0000:05:00.0/vendor", "0x10de");
  fake_write (root, "sys/bus/pci/devices/0000:05:00.0/class", "0x040300"); /* HDMI audio */
  fake_write (root, "sys/class/kfd/kfd/topology/nodes/1/properties", "simd_count\nlocation_id x\n");
  fake_write (root, "proc/driver/nvidia/gpus/0000:01:00.0/information", "Model\n");
  /* a directory where the version file should be */
  g_assert_cmpint (g_mkdir_with_parents (version_dir, 0755), ==, 0);
  info = fake_probe (root);
  g_assert_cmpuint (info->ram_total_bytes, ==, 0);
  g_assert_false (info->nvidia_driver_loaded);
  g_assert_cmpuint (info->gpus->len, ==, 0);
  arw_test_rm_rf (root);
}

static void
test_hardware_bad_root (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwHardwareInfo) info = arw_hardware_probe_at ("/nonexistent/arw-hw-root", NULL, &error);

  g_assert_null (info);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "ARW_HW_ROOT"));
}

static void
probe_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ArwHardwareInfo **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = arw_hardware_probe_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_hardware_async (void)
{
  g_autofree char *root = fake_tree_new ();
  g_autoptr(ArwHardwareInfo) info = NULL;
  g_autofree char *bin = g_build_filename (root, "bin", NULL);

  fake_nvidia_driver (root);
  fake_nvidia_gpu (root, "0000:01:00.0", UUID_A, "NVIDIA GeForce RTX 3090");
  fake_nvidia_smi (root, UUID_A ", NVIDIA GeForce RTX 3090, 24576, 535.104.05\n");
  g_setenv ("PATH", bin, TRUE);
  g_setenv ("ARW_HW_ROOT", root, TRUE);
  arw_hardware_probe_async (NULL, probe_done_cb, &info);
  g_unsetenv ("ARW_HW_ROOT");
  while (info == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (fake_gpu (info, 0)->stable_id, ==, UUID_A);
  g_assert_true (fake_gpu (info, 0)->backends[ARW_GPU_BACKEND_CUDA].usable);
  arw_test_rm_rf (root);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("ARW_HW_TOOL_TIMEOUT_MS", "1500", TRUE);
  g_unsetenv ("ARW_HW_ROOT");
  g_test_add_func ("/arw/hardware/cpu-memory", test_hardware_cpu_memory);
  g_test_add_func ("/arw/hardware/nvidia-present", test_hardware_nvidia_present);
  g_test_add_func ("/arw/hardware/nvidia-smi-only", test_hardware_nvidia_smi_only);
  g_test_add_func ("/arw/hardware/nvidia-no-driver", test_hardware_nvidia_no_driver);
  g_test_add_func ("/arw/hardware/nvidia-other-driver", test_hardware_nvidia_nouveau);
  g_test_add_func ("/arw/hardware/nvidia-smi-fails", test_hardware_nvidia_smi_fails);
  g_test_add_func ("/arw/hardware/tool-timeout", test_hardware_tool_timeout);
  g_test_add_func ("/arw/hardware/amd-kfd", test_hardware_amd_kfd);
  g_test_add_func ("/arw/hardware/amd-no-kfd", test_hardware_amd_no_kfd);
  g_test_add_func ("/arw/hardware/intel-vulkan", test_hardware_intel_vulkan);
  g_test_add_func ("/arw/hardware/intel-no-icd", test_hardware_intel_no_icd);
  g_test_add_func ("/arw/hardware/vulkaninfo-order", test_hardware_vulkaninfo_order);
  g_test_add_func ("/arw/hardware/empty-root", test_hardware_empty_root);
  g_test_add_func ("/arw/hardware/garbage", test_hardware_garbage);
  g_test_add_func ("/arw/hardware/bad-root", test_hardware_bad_root);
  g_test_add_func ("/arw/hardware/async", test_hardware_async);
  return g_test_run ();
}
