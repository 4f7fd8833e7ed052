/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Host probe for accelerator selection.
 *
 * Every file is read below $ARW_HW_ROOT when it is set (tests point it at a
 * fake tree with sys/, proc/, dev/, usr/, etc/), else below "/". The
 * optional tools nvidia-smi and vulkaninfo are looked up on PATH and run
 * with an argv (never a shell) and a timeout; their absence is normal. */

typedef enum {
  ARW_GPU_VENDOR_UNKNOWN,
  ARW_GPU_VENDOR_NVIDIA,
  ARW_GPU_VENDOR_AMD,
  ARW_GPU_VENDOR_INTEL,
} ArwGpuVendor;

typedef enum {
  ARW_GPU_BACKEND_CUDA,
  ARW_GPU_BACKEND_ROCM,
  ARW_GPU_BACKEND_VULKAN,
  ARW_GPU_BACKEND_LAST /*< skip >*/
} ArwGpuBackend;

typedef struct {
  gboolean usable;
  char *reason; /* why not usable ("no NVIDIA driver"), NULL when usable */
  int index;    /* device index for the backend's *_VISIBLE_DEVICES, -1 if unknown */
} ArwGpuBackendState;

typedef struct {
  ArwGpuVendor vendor;
  guint16 pci_vendor_id;
  guint16 pci_device_id;
  char *name;      /* marketing name when known, else "<Vendor> GPU [vvvv:dddd]" */
  char *pci_slot;  /* "0000:01:00.0", NULL when unknown */
  char *driver;    /* bound kernel driver ("nvidia", "amdgpu", "i915"), NULL if none */
  char *uuid;      /* NVIDIA "GPU-…" or ROCm "GPU-<unique_id hex>", NULL if unknown */
  char *stable_id; /* NVIDIA: GPU UUID; AMD: ROCm unique id, else PCI slot; others: PCI slot */
  guint64 vram_bytes; /* 0 when unknown (integrated GPUs) */
  guint32 kfd_gpu_id; /* ROCm KFD topology gpu_id, 0 when none */
  ArwGpuBackendState backends[ARW_GPU_BACKEND_LAST];
} ArwGpu;

typedef struct {
  char *path;         /* manifest path as seen on the host (below the probe root) */
  char *library_path;
  char *api_version;
  ArwGpuVendor vendor; /* inferred from the file or library name */
  gboolean software;   /* lavapipe/swiftshader: a CPU rasteriser, not a GPU */
} ArwVulkanIcd;

typedef struct {
  char *root;                 /* probe root ("/" on a real host) */
  char *cpu_model;
  GStrv cpu_flags;            /* every flag from /proc/cpuinfo, sorted */
  guint logical_cores;
  guint64 ram_total_bytes;
  guint64 ram_available_bytes;
  gboolean nvidia_driver_loaded;
  char *nvidia_driver_version;
  gboolean rocm_kfd_present;
  GPtrArray *gpus;            /* element-type ArwGpu, in PCI slot order */
  GPtrArray *vulkan_icds;     /* element-type ArwVulkanIcd */
  GPtrArray *warnings;        /* element-type utf8: probe problems worth logging */
} ArwHardwareInfo;

ArwHardwareInfo *arw_hardware_probe (GError **error);
ArwHardwareInfo *arw_hardware_probe_at (const char *root, GCancellable *cancellable, GError **error);
void arw_hardware_probe_async (GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
ArwHardwareInfo *arw_hardware_probe_finish (GAsyncResult *result, GError **error);

void arw_hardware_info_free (ArwHardwareInfo *info);
JsonNode *arw_hardware_info_to_json (const ArwHardwareInfo *info);
gboolean arw_hardware_info_has_cpu_flag (const ArwHardwareInfo *info, const char *flag);
const ArwGpu *arw_hardware_info_find_gpu (const ArwHardwareInfo *info, const char *stable_id);
char *arw_hardware_info_backend_reason (const ArwHardwareInfo *info, ArwGpuBackend backend);

const char *arw_gpu_vendor_to_string (ArwGpuVendor vendor);
const char *arw_gpu_vendor_display_name (ArwGpuVendor vendor);
const char *arw_gpu_backend_to_string (ArwGpuBackend backend);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwHardwareInfo, arw_hardware_info_free)

G_END_DECLS
