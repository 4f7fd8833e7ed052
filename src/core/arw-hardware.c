/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "arw-error.h"
#include "arw-hardware.h"

#define HW_READ_MAX (16 * 1024 * 1024)
#define HW_TOOL_TIMEOUT_MS_DEFAULT 5000

/* Per-probe state; the GPUs end up in info->gpus. */
typedef struct {
  char *root;
  GCancellable *cancellable;
  ArwHardwareInfo *info;
  guint tool_timeout_ms;
  gboolean vulkaninfo_listed; /* vulkaninfo ran and named at least one device */
} Probe;

static void
probe_clear (Probe *p)
{
  g_free (p->root);
  g_clear_object (&p->cancellable);
  g_clear_pointer (&p->info, arw_hardware_info_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Probe, probe_clear)

static void
gpu_free (ArwGpu *gpu)
{
  g_free (gpu->name);
  g_free (gpu->pci_slot);
  g_free (gpu->driver);
  g_free (gpu->uuid);
  g_free (gpu->stable_id);
  for (guint i = 0; i < ARW_GPU_BACKEND_LAST; i++)
    g_free (gpu->backends[i].reason);
  g_free (gpu);
}

static void
vulkan_icd_free (ArwVulkanIcd *icd)
{
  g_free (icd->path);
  g_free (icd->library_path);
  g_free (icd->api_version);
  g_free (icd);
}

void
arw_hardware_info_free (ArwHardwareInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->root);
  g_free (info->cpu_model);
  g_strfreev (info->cpu_flags);
  g_free (info->nvidia_driver_version);
  g_ptr_array_unref (info->gpus);
  g_ptr_array_unref (info->vulkan_icds);
  g_ptr_array_unref (info->warnings);
  g_free (info);
}

static ArwHardwareInfo *
hardware_info_new (const char *root)
{
  ArwHardwareInfo *info = g_new0 (ArwHardwareInfo, 1);

  info->root = g_strdup (root);
  info->cpu_flags = g_new0 (char *, 1);
  info->gpus = g_ptr_array_new_with_free_func ((GDestroyNotify) gpu_free);
  info->vulkan_icds = g_ptr_array_new_with_free_func ((GDestroyNotify) vulkan_icd_free);
  info->warnings = g_ptr_array_new_with_free_func (g_free);
  return info;
}

const char *
arw_gpu_vendor_to_string (ArwGpuVendor vendor)
{
  switch (vendor)
    {
    case ARW_GPU_VENDOR_NVIDIA:
      return "nvidia";
    case ARW_GPU_VENDOR_AMD:
      return "amd";
    case ARW_GPU_VENDOR_INTEL:
      return "intel";
    case ARW_GPU_VENDOR_UNKNOWN:
    default:
      return "unknown";
    }
}

const char *
arw_gpu_vendor_display_name (ArwGpuVendor vendor)
{
  switch (vendor)
    {
    case ARW_GPU_VENDOR_NVIDIA:
      return "NVIDIA";
    case ARW_GPU_VENDOR_AMD:
      return "AMD";
    case ARW_GPU_VENDOR_INTEL:
      return "Intel";
    case ARW_GPU_VENDOR_UNKNOWN:
    default:
      return "Unknown";
    }
}

const char *
arw_gpu_backend_to_string (ArwGpuBackend backend)
{
  switch (backend)
    {
    case ARW_GPU_BACKEND_CUDA:
      return "cuda";
    case ARW_GPU_BACKEND_ROCM:
      return "rocm";
    case ARW_GPU_BACKEND_VULKAN:
      return "vulkan";
    case ARW_GPU_BACKEND_LAST:
    default:
      return "unknown";
    }
}

static ArwGpuVendor
vendor_from_pci_id (guint16 id)
{
  switch (id)
    {
    case 0x10de:
      return ARW_GPU_VENDOR_NVIDIA;
    case 0x1002:
      return ARW_GPU_VENDOR_AMD;
    case 0x8086:
      return ARW_GPU_VENDOR_INTEL;
    default:
      return ARW_GPU_VENDOR_UNKNOWN;
    }
}

/* ---- file access below the probe root ---- */

static char *
hw_path (Probe *p, const char *rel)
{
  return g_build_filename (p->root, rel, NULL);
}

/* Contents of a regular file (sysfs/procfs report size 0, so read to EOF),
 * NULL when missing, unreadable, not a regular file or larger than max. */
static char *
read_file_capped (const char *path, gsize max)
{
  g_autoptr(GString) buf = NULL;
  struct stat st;
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return NULL;
    }
  buf = g_string_new (NULL);
  for (;;)
    {
      char chunk[8192];
      ssize_t n = read (fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0 || buf->len + (gsize) n > max)
        {
          close (fd);
          return n == 0 ? g_string_free (g_steal_pointer (&buf), FALSE) : NULL;
        }
      g_string_append_len (buf, chunk, n);
    }
}

static char *
read_rel (Probe *p, const char *rel)
{
  g_autofree char *path = hw_path (p, rel);
  return read_file_capped (path, HW_READ_MAX);
}

static char *
read_rel_trimmed (Probe *p, const char *rel)
{
  char *text = read_rel (p, rel);

  if (text == NULL)
    return NULL;
  g_strstrip (text);
  if (*text == '\0' || !g_utf8_validate (text, -1, NULL))
    {
      g_free (text);
      return NULL;
    }
  return text;
}

static gboolean
parse_u64 (const char *text, guint base, guint64 *out)
{
  g_autofree char *copy = NULL;

  if (text == NULL)
    return FALSE;
  copy = g_strstrip (g_strdup (text));
  if (base == 16 && (g_str_has_prefix (copy, "0x") || g_str_has_prefix (copy, "0X")))
    return g_ascii_string_to_unsigned (copy + 2, 16, 0, G_MAXUINT64, out, NULL);
  return g_ascii_string_to_unsigned (copy, base, 0, G_MAXUINT64, out, NULL);
}

static gboolean
read_rel_u64 (Probe *p, const char *rel, guint base, guint64 *out)
{
  g_autofree char *text = read_rel_trimmed (p, rel);
  return parse_u64 (text, base, out);
}

static gboolean
rel_exists (Probe *p, const char *rel)
{
  g_autofree char *path = hw_path (p, rel);
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Entry names of a directory below the root, sorted; empty when missing. */
static GPtrArray *
list_dir (Probe *p, const char *rel)
{
  g_autofree char *path = hw_path (p, rel);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  return names;
}

static void
probe_warn (Probe *p, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
probe_warn (Probe *p, const char *format, ...)
{
  va_list ap;

  va_start (ap, format);
  g_ptr_array_add (p->info->warnings, g_strdup_vprintf (format, ap));
  va_end (ap);
}

/* "0000:01:00.0" from "00000000:01:00.0", "01:00.0" or mixed case. */
static char *
normalize_pci_slot (const char *text)
{
  unsigned int domain = 0, bus, dev, fn;
  char tail;

  if (text == NULL)
    return NULL;
  if (sscanf (text, "%x:%x:%x.%x%c", &domain, &bus, &dev, &fn, &tail) != 4)
    {
      domain = 0;
      if (sscanf (text, "%x:%x.%x%c", &bus, &dev, &fn, &tail) != 3)
        return NULL;
    }
  if (domain > 0xffff || bus > 0xff || dev > 0x1f || fn > 7)
    return NULL;
  return g_strdup_printf ("%04x:%02x:%02x.%x", domain, bus, dev, fn);
}

/* ---- CPU and memory ---- */

static void
parse_cpuinfo_line (ArwHardwareInfo *info, GHashTable *flags, const char *line)
{
  const char *colon = strchr (line, ':');
  g_autofree char *key = NULL;
  const char *value;

  if (colon == NULL)
    return;
  key = g_strstrip (g_strndup (line, colon - line));
  value = colon + 1;
  while (g_ascii_isspace (*value))
    value++;
  if (g_str_equal (key, "processor"))
    info->logical_cores++;
  else if (info->cpu_model == NULL && *value != '\0' &&
           (g_str_equal (key, "model name") || g_str_equal (key, "Hardware") ||
            g_str_equal (key, "cpu model")))
    info->cpu_model = g_strdup (value);
  else if (g_str_equal (key, "flags") || g_str_equal (key, "Features"))
    {
      g_auto(GStrv) words = g_strsplit_set (value, " \t", -1);
      for (guint i = 0; words[i] != NULL; i++)
        if (*words[i] != '\0')
          g_hash_table_add (flags, g_strdup (words[i]));
    }
}

static void
probe_cpu (Probe *p)
{
  g_autofree char *text = read_rel (p, "proc/cpuinfo");
  g_autoptr(GHashTable) flags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree gpointer *keys = NULL;
  guint n_keys = 0;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    probe_warn (p, "cannot read %s/proc/cpuinfo", p->root);
  else
    {
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        parse_cpuinfo_line (p->info, flags, lines[i]);
    }
  keys = g_hash_table_get_keys_as_array (flags, &n_keys);
  g_strfreev (p->info->cpu_flags);
  p->info->cpu_flags = g_new0 (char *, n_keys + 1);
  for (guint i = 0; i < n_keys; i++)
    p->info->cpu_flags[i] = g_strdup (keys[i]);
  qsort (p->info->cpu_flags, n_keys, sizeof (char *), (int (*) (const void *, const void *)) g_strcmp0);
  if (p->info->logical_cores == 0 && g_str_equal (p->root, "/"))
    p->info->logical_cores = g_get_num_processors ();
}

static void
probe_memory (Probe *p)
{
  g_autofree char *text = read_rel (p, "proc/meminfo");
  g_auto(GStrv) lines = NULL;

  if (text == NULL)
    {
      probe_warn (p, "cannot read %s/proc/meminfo", p->root);
      return;
    }
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 kib = 0;
      guint64 *target = NULL;
      g_auto(GStrv) words = NULL;

      if (g_str_has_prefix (lines[i], "MemTotal:"))
        target = &p->info->ram_total_bytes;
      else if (g_str_has_prefix (lines[i], "MemAvailable:"))
        target = &p->info->ram_available_bytes;
      else
        continue;
      words = g_strsplit_set (strchr (lines[i], ':') + 1, " \t", -1);
      for (guint j = 0; words[j] != NULL; j++)
        if (*words[j] != '\0')
          {
            if (parse_u64 (words[j], 10, &kib) && kib <= G_MAXUINT64 / 1024)
              *target = kib * 1024;
            break;
          }
    }
}

/* ---- GPUs from PCI/DRM sysfs ---- */

static gint
gpu_compare_slot (gconstpointer a, gconstpointer b)
{
  const ArwGpu *ga = *(const ArwGpu *const *) a;
  const ArwGpu *gb = *(const ArwGpu *const *) b;

  /* GPUs without a slot (known only to nvidia-smi) go last, stable */
  if (ga->pci_slot == NULL || gb->pci_slot == NULL)
    return (ga->pci_slot == NULL) - (gb->pci_slot == NULL);
  return strcmp (ga->pci_slot, gb->pci_slot);
}

static ArwGpu *
gpu_find_slot (Probe *p, const char *slot)
{
  for (guint i = 0; slot != NULL && i < p->info->gpus->len; i++)
    {
      ArwGpu *gpu = g_ptr_array_index (p->info->gpus, i);
      if (g_strcmp0 (gpu->pci_slot, slot) == 0)
        return gpu;
    }
  return NULL;
}

static ArwGpu *
gpu_ensure (Probe *p, const char *slot)
{
  ArwGpu *gpu = gpu_find_slot (p, slot);

  if (gpu != NULL)
    return gpu;
  gpu = g_new0 (ArwGpu, 1);
  gpu->pci_slot = g_strdup (slot);
  for (guint i = 0; i < ARW_GPU_BACKEND_LAST; i++)
    gpu->backends[i].index = -1;
  g_ptr_array_add (p->info->gpus, gpu);
  return gpu;
}

static void
set_vendor (ArwGpu *gpu, guint16 pci_vendor)
{
  if (gpu->pci_vendor_id == 0)
    gpu->pci_vendor_id = pci_vendor;
  if (gpu->vendor == ARW_GPU_VENDOR_UNKNOWN)
    gpu->vendor = vendor_from_pci_id (pci_vendor);
}

/* "GPU-<16 hex>" from the amdgpu/KFD unique id, the form rocminfo prints. */
static char *
amd_uuid (guint64 unique_id)
{
  if (unique_id == 0)
    return NULL;
  return g_strdup_printf ("GPU-%016" G_GINT64_MODIFIER "x", unique_id);
}

static void
parse_uevent (const char *text, char **driver, char **slot)
{
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "DRIVER=") && *driver == NULL)
        *driver = g_strstrip (g_strdup (lines[i] + strlen ("DRIVER=")));
      else if (g_str_has_prefix (lines[i], "PCI_SLOT_NAME=") && *slot == NULL)
        *slot = normalize_pci_slot (g_strstrip (lines[i] + strlen ("PCI_SLOT_NAME=")));
    }
}

/* One PCI function directory (sys/bus/pci/devices/X or sys/class/drm/cardN/device). */
static void
probe_pci_device_dir (Probe *p, const char *rel, const char *name_hint, gboolean from_drm)
{
  g_autofree char *class_rel = g_build_filename (rel, "class", NULL);
  g_autofree char *vendor_rel = g_build_filename (rel, "vendor", NULL);
  g_autofree char *device_rel = g_build_filename (rel, "device", NULL);
  g_autofree char *uevent_rel = g_build_filename (rel, "uevent", NULL);
  g_autofree char *vram_rel = g_build_filename (rel, "mem_info_vram_total", NULL);
  g_autofree char *uid_rel = g_build_filename (rel, "unique_id", NULL);
  g_autofree char *uevent = read_rel (p, uevent_rel);
  g_autofree char *driver = NULL;
  g_autofree char *slot = NULL;
  guint64 pci_class = 0, vendor = 0, device = 0, vram = 0, uid = 0;
  ArwGpu *gpu;

  if (!read_rel_u64 (p, vendor_rel, 16, &vendor) || vendor == 0 || vendor > 0xffff)
    return;
  if (read_rel_u64 (p, class_rel, 16, &pci_class) ? (pci_class >> 16) != 0x03 : !from_drm)
    return;
  parse_uevent (uevent, &driver, &slot);
  if (slot == NULL)
    slot = normalize_pci_slot (name_hint);
  if (slot == NULL)
    {
      g_autofree char *path = hw_path (p, rel);
      g_autofree char *target = g_file_read_link (path, NULL);
      g_autofree char *base = target != NULL ? g_path_get_basename (target) : NULL;
      slot = normalize_pci_slot (base);
    }
  gpu = gpu_ensure (p, slot);
  set_vendor (gpu, (guint16) vendor);
  if (gpu->pci_device_id == 0 && read_rel_u64 (p, device_rel, 16, &device) && device <= 0xffff)
    gpu->pci_device_id = (guint16) device;
  if (gpu->driver == NULL && driver != NULL && *driver != '\0')
    gpu->driver = g_steal_pointer (&driver);
  if (gpu->vram_bytes == 0 && read_rel_u64 (p, vram_rel, 10, &vram))
    gpu->vram_bytes = vram;
  if (gpu->vendor == ARW_GPU_VENDOR_AMD && gpu->uuid == NULL && read_rel_u64 (p, uid_rel, 16, &uid))
    gpu->uuid = amd_uuid (uid);
}

static gboolean
is_drm_card_name (const char *name)
{
  if (!g_str_has_prefix (name, "card") || name[4] == '\0')
    return FALSE;
  for (const char *c = name + 4; *c != '\0'; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  return TRUE;
}

static void
probe_pci_gpus (Probe *p)
{
  g_autoptr(GPtrArray) pci = list_dir (p, "sys/bus/pci/devices");
  g_autoptr(GPtrArray) drm = list_dir (p, "sys/class/drm");

  for (guint i = 0; i < pci->len; i++)
    {
      const char *name = g_ptr_array_index (pci, i);
      g_autofree char *rel = g_build_filename ("sys/bus/pci/devices", name, NULL);
      probe_pci_device_dir (p, rel, name, FALSE);
    }
  for (guint i = 0; i < drm->len; i++)
    {
      const char *name = g_ptr_array_index (drm, i);
      g_autofree char *rel = NULL;

      if (!is_drm_card_name (name))
        continue;
      rel = g_build_filename ("sys/class/drm", name, "device", NULL);
      probe_pci_device_dir (p, rel, NULL, TRUE);
    }
}

/* ---- tools (argv, timeout, never a shell) ---- */

typedef struct {
  gboolean done;
  gboolean timed_out;
  char *out;
  GError *error;
  GSubprocess *proc;
  GCancellable *cancellable;
} ToolRun;

static void
tool_communicate_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ToolRun *run = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, NULL, &run->error);
  run->done = TRUE;
}

static gboolean
tool_timeout_cb (gpointer user_data)
{
  ToolRun *run = user_data;

  run->timed_out = TRUE;
  g_subprocess_force_exit (run->proc);
  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_REMOVE;
}

static void
tool_outer_cancelled_cb (GCancellable *outer, gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* Runs argv[0] (an absolute path) with LC_ALL=C and returns its stdout
 * when it exits 0 within p->tool_timeout_ms. */
static char *
run_tool (Probe *p, const char *const *argv, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GMainContext) ctx = g_main_context_new ();
  g_autoptr(GSource) timeout = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *base = g_path_get_basename (argv[0]);
  ToolRun run = { 0 };
  gulong handler = 0;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE |
                                        G_SUBPROCESS_FLAGS_STDIN_INHERIT);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  run.proc = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (run.proc == NULL)
    return NULL;
  run.cancellable = cancellable;
  if (p->cancellable != NULL)
    handler = g_cancellable_connect (p->cancellable, G_CALLBACK (tool_outer_cancelled_cb),
                                     g_object_ref (cancellable), g_object_unref);

  g_main_context_push_thread_default (ctx);
  timeout = g_timeout_source_new (p->tool_timeout_ms);
  g_source_set_callback (timeout, tool_timeout_cb, &run, NULL);
  g_source_attach (timeout, ctx);
  g_subprocess_communicate_utf8_async (run.proc, NULL, cancellable, tool_communicate_cb, &run);
  while (!run.done)
    g_main_context_iteration (ctx, TRUE);
  g_source_destroy (timeout);
  g_main_context_pop_thread_default (ctx);
  g_cancellable_disconnect (p->cancellable, handler);

  if (!run.timed_out && run.error == NULL && p->cancellable != NULL && g_cancellable_is_cancelled (p->cancellable))
    g_set_error (&run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "probe cancelled");
  if (run.timed_out)
    {
      g_clear_error (&run.error);
      g_set_error (&run.error, ARW_ERROR, ARW_ERROR_FAILED,
                   "%s did not answer within %u ms and was stopped", base, p->tool_timeout_ms);
    }
  else if (run.error == NULL && !(g_subprocess_get_if_exited (run.proc) && g_subprocess_get_exit_status (run.proc) == 0))
    g_set_error (&run.error, ARW_ERROR, ARW_ERROR_FAILED, "%s failed (%s %d)", base,
                 g_subprocess_get_if_exited (run.proc) ? "exit status" : "signal",
                 g_subprocess_get_if_exited (run.proc) ? g_subprocess_get_exit_status (run.proc)
                                                       : g_subprocess_get_term_sig (run.proc));
  g_object_unref (run.proc);
  if (run.error != NULL)
    {
      g_free (run.out);
      g_propagate_error (error, run.error);
      return NULL;
    }
  return run.out;
}

/* ---- NVIDIA ---- */

/* "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug ..." */
static char *
parse_nvidia_version (const char *text)
{
  g_auto(GStrv) words = g_strsplit_set (text, " \t\n", -1);

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *w = words[i];
      if (g_ascii_isdigit (w[0]) && strchr (w, '.') != NULL &&
          strspn (w, "0123456789.") == strlen (w))
        return g_strdup (w);
    }
  return NULL;
}

static char *
info_value (GStrv lines, const char *key)
{
  gsize key_len = strlen (key);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strncmp (lines[i], key, key_len) == 0 && lines[i][key_len] == ':')
      {
        char *value = g_strstrip (g_strdup (lines[i] + key_len + 1));
        if (*value != '\0')
          return value;
        g_free (value);
      }
  return NULL;
}

static void
probe_nvidia_proc_gpu (Probe *p, const char *name)
{
  g_autofree char *rel = g_build_filename ("proc/driver/nvidia/gpus", name, "information", NULL);
  g_autofree char *text = read_rel (p, rel);
  g_auto(GStrv) lines = NULL;
  g_autofree char *model = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *bus = NULL;
  g_autofree char *slot = NULL;
  ArwGpu *gpu;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);
  model = info_value (lines, "Model");
  uuid = info_value (lines, "GPU UUID");
  bus = info_value (lines, "Bus Location");
  slot = normalize_pci_slot (bus != NULL ? bus : name);
  gpu = gpu_ensure (p, slot);
  set_vendor (gpu, 0x10de);
  if (gpu->driver == NULL)
    gpu->driver = g_strdup ("nvidia");
  if (model != NULL && gpu->name == NULL)
    gpu->name = g_steal_pointer (&model);
  /* unprivileged readers may see "GPU-????????-…" */
  if (uuid != NULL && g_str_has_prefix (uuid, "GPU-") && strchr (uuid, '?') == NULL && gpu->uuid == NULL)
    gpu->uuid = g_steal_pointer (&uuid);
}

static void
probe_nvidia_proc (Probe *p)
{
  g_autofree char *version = read_rel (p, "proc/driver/nvidia/version");
  g_autoptr(GPtrArray) gpus = NULL;

  if (version == NULL)
    return;
  p->info->nvidia_driver_loaded = TRUE;
  p->info->nvidia_driver_version = parse_nvidia_version (version);
  gpus = list_dir (p, "proc/driver/nvidia/gpus");
  for (guint i = 0; i < gpus->len; i++)
    probe_nvidia_proc_gpu (p, g_ptr_array_index (gpus, i));
}

static ArwGpu *
nvidia_gpu_for_uuid (Probe *p, const char *uuid)
{
  /* by UUID first, else the first NVIDIA GPU (PCI order, as nvidia-smi
   * enumerates) that has none yet */
  for (guint i = 0; i < p->info->gpus->len; i++)
    {
      ArwGpu *gpu = g_ptr_array_index (p->info->gpus, i);
      if (g_strcmp0 (gpu->uuid, uuid) == 0)
        return gpu;
    }
  for (guint i = 0; i < p->info->gpus->len; i++)
    {
      ArwGpu *gpu = g_ptr_array_index (p->info->gpus, i);
      if (gpu->vendor == ARW_GPU_VENDOR_NVIDIA && gpu->uuid == NULL)
        return gpu;
    }
  return gpu_ensure (p, NULL);
}

/* "GPU-…, NVIDIA GeForce RTX 3090, 24576, 535.104.05" (MiB, no units) */
static void
parse_nvidia_smi_line (Probe *p, const char *line)
{
  g_auto(GStrv) cols = g_strsplit (line, ",", -1);
  guint n = g_strv_length (cols);
  g_autoptr(GString) name = g_string_new (NULL);
  guint64 mib = 0;
  ArwGpu *gpu;

  for (guint i = 0; i < n; i++)
    g_strstrip (cols[i]);
  if (n < 4 || !g_str_has_prefix (cols[0], "GPU-") || !g_utf8_validate (line, -1, NULL))
    return;
  /* a name with commas spans the middle columns */
  for (guint i = 1; i + 2 < n; i++)
    g_string_append_printf (name, "%s%s", i > 1 ? ", " : "", cols[i]);
  gpu = nvidia_gpu_for_uuid (p, cols[0]);
  set_vendor (gpu, 0x10de);
  if (gpu->uuid == NULL)
    gpu->uuid = g_strdup (cols[0]);
  if (gpu->driver == NULL)
    gpu->driver = g_strdup ("nvidia");
  if (name->len > 0)
    {
      g_free (gpu->name);
      gpu->name = g_strdup (name->str);
    }
  if (parse_u64 (cols[n - 2], 10, &mib) && mib <= G_MAXUINT64 / (1024 * 1024))
    gpu->vram_bytes = mib * 1024 * 1024;
  p->info->nvidia_driver_loaded = TRUE;
  if (p->info->nvidia_driver_version == NULL && *cols[n - 1] != '\0')
    p->info->nvidia_driver_version = g_strdup (cols[n - 1]);
}

static void
probe_nvidia_smi (Probe *p)
{
  g_autofree char *exe = g_find_program_in_path ("nvidia-smi");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  const char *argv[] = { NULL, "--query-gpu=uuid,name,memory.total,driver_version",
                         "--format=csv,noheader,nounits", NULL };

  if (exe == NULL)
    return;
  argv[0] = exe;
  out = run_tool (p, argv, &error);
  if (out == NULL)
    {
      probe_warn (p, "%s", error->message);
      return;
    }
  g_ptr_array_sort (p->info->gpus, gpu_compare_slot);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    parse_nvidia_smi_line (p, lines[i]);
}

/* ---- AMD ROCm (KFD) ---- */

static GHashTable *
parse_kfd_properties (const char *text)
{
  GHashTable *props = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit_set (g_strstrip (lines[i]), " \t", 2);
      guint64 value = 0;

      if (kv[0] != NULL && kv[1] != NULL && parse_u64 (kv[1], 10, &value))
        g_hash_table_insert (props, g_strdup (kv[0]), GSIZE_TO_POINTER ((gsize) value));
    }
  return props;
}

static guint64
kfd_prop (GHashTable *props, const char *key)
{
  return (guint64) GPOINTER_TO_SIZE (g_hash_table_lookup (props, key));
}

static gint
compare_numeric_names (gconstpointer a, gconstpointer b)
{
  guint64 na = g_ascii_strtoull (*(const char *const *) a, NULL, 10);
  guint64 nb = g_ascii_strtoull (*(const char *const *) b, NULL, 10);

  return na < nb ? -1 : na > nb;
}

/* One topology node; CPU nodes have simd_count 0. Returns TRUE for a GPU. */
static gboolean
probe_kfd_node (Probe *p, const char *node, int hip_index)
{
  g_autofree char *rel = g_build_filename ("sys/class/kfd/kfd/topology/nodes", node, "properties", NULL);
  g_autofree char *id_rel = g_build_filename ("sys/class/kfd/kfd/topology/nodes", node, "gpu_id", NULL);
  g_autofree char *text = read_rel (p, rel);
  guint64 gpu_id = 0;
  g_autoptr(GHashTable) props = NULL;
  g_autofree char *slot = NULL;
  guint64 location;
  ArwGpu *gpu;

  if (text == NULL)
    return FALSE;
  props = parse_kfd_properties (text);
  if (kfd_prop (props, "simd_count") == 0 && kfd_prop (props, "gfx_target_version") == 0)
    return FALSE;
  /* location_id is the PCI bus/device/function packed as bus<<8|dev<<3|fn */
  location = kfd_prop (props, "location_id");
  slot = g_strdup_printf ("%04x:%02x:%02x.%x", (guint) (kfd_prop (props, "domain") & 0xffff),
                          (guint) ((location >> 8) & 0xff), (guint) ((location >> 3) & 0x1f),
                          (guint) (location & 7));
  gpu = gpu_ensure (p, slot);
  set_vendor (gpu, kfd_prop (props, "vendor_id") != 0 ? (guint16) kfd_prop (props, "vendor_id") : 0x1002);
  if (gpu->pci_device_id == 0)
    gpu->pci_device_id = (guint16) kfd_prop (props, "device_id");
  if (gpu->uuid == NULL)
    gpu->uuid = amd_uuid (kfd_prop (props, "unique_id"));
  if (read_rel_u64 (p, id_rel, 10, &gpu_id) && gpu_id <= G_MAXUINT32)
    gpu->kfd_gpu_id = (guint32) gpu_id;
  gpu->backends[ARW_GPU_BACKEND_ROCM].index = hip_index;
  return TRUE;
}

static void
probe_amd_kfd (Probe *p)
{
  g_autoptr(GPtrArray) nodes = list_dir (p, "sys/class/kfd/kfd/topology/nodes");
  int hip_index = 0;

  p->info->rocm_kfd_present = rel_exists (p, "dev/kfd");
  g_ptr_array_sort (nodes, compare_numeric_names);
  for (guint i = 0; i < nodes->len; i++)
    if (probe_kfd_node (p, g_ptr_array_index (nodes, i), hip_index))
      hip_index++;
}

/* ---- Vulkan ---- */

static ArwGpuVendor
icd_vendor (const char *file, const char *library, gboolean *software)
{
  g_autofree char *hay = g_ascii_strdown (library != NULL ? library : "", -1);
  g_autofree char *fname = g_ascii_strdown (file, -1);
  g_autofree char *both = g_strconcat (fname, " ", hay, NULL);

  *software = strstr (both, "lvp") != NULL || strstr (both, "lavapipe") != NULL ||
              strstr (both, "swiftshader") != NULL;
  if (strstr (both, "nvidia") != NULL || strstr (both, "nouveau") != NULL)
    return ARW_GPU_VENDOR_NVIDIA;
  if (strstr (both, "radeon") != NULL || strstr (both, "amd") != NULL)
    return ARW_GPU_VENDOR_AMD;
  if (strstr (both, "intel") != NULL)
    return ARW_GPU_VENDOR_INTEL;
  return ARW_GPU_VENDOR_UNKNOWN;
}

static void
probe_vulkan_icd_file (Probe *p, const char *dir_rel, const char *name)
{
  g_autofree char *rel = g_build_filename (dir_rel, name, NULL);
  g_autofree char *text = read_rel (p, rel);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonObject *icd_obj = NULL;
  ArwVulkanIcd *icd;

  if (text == NULL)
    return;
  if (!json_parser_load_from_data (parser, text, -1, &error))
    {
      probe_warn (p, "ignoring Vulkan ICD /%s: %s", rel, error->message);
      return;
    }
  root = json_parser_get_root (parser);
  if (JSON_NODE_HOLDS_OBJECT (root))
    icd_obj = json_object_get_object_member (json_node_get_object (root), "ICD");
  if (icd_obj == NULL || !json_object_has_member (icd_obj, "library_path"))
    {
      probe_warn (p, "ignoring Vulkan ICD /%s: no ICD.library_path", rel);
      return;
    }
  icd = g_new0 (ArwVulkanIcd, 1);
  icd->path = g_strconcat ("/", rel, NULL);
  icd->library_path = g_strdup (json_object_get_string_member_with_default (icd_obj, "library_path", ""));
  icd->api_version = g_strdup (json_object_get_string_member_with_default (icd_obj, "api_version", NULL));
  icd->vendor = icd_vendor (name, icd->library_path, &icd->software);
  g_ptr_array_add (p->info->vulkan_icds, icd);
}

static void
probe_vulkan_icds (Probe *p)
{
  const char *dirs[] = { "etc/vulkan/icd.d", "usr/local/share/vulkan/icd.d", "usr/share/vulkan/icd.d" };

  for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
    {
      g_autoptr(GPtrArray) names = list_dir (p, dirs[d]);
      for (guint i = 0; i < names->len; i++)
        if (g_str_has_suffix (g_ptr_array_index (names, i), ".json"))
          probe_vulkan_icd_file (p, dirs[d], g_ptr_array_index (names, i));
    }
}

/* Pairs the "GPU<n>:" blocks of `vulkaninfo --summary` with PCI GPUs by
 * vendor and device id; n is the index GGML_VK_VISIBLE_DEVICES takes. */
static void
vulkaninfo_device (Probe *p, int index, guint64 vendor, guint64 device, const char *name)
{
  if (index < 0 || vendor == 0)
    return;
  p->vulkaninfo_listed = TRUE;
  for (guint i = 0; i < p->info->gpus->len; i++)
    {
      ArwGpu *gpu = g_ptr_array_index (p->info->gpus, i);
      if (gpu->pci_vendor_id == vendor && gpu->pci_device_id == device &&
          gpu->backends[ARW_GPU_BACKEND_VULKAN].index < 0)
        {
          gpu->backends[ARW_GPU_BACKEND_VULKAN].index = index;
          if (gpu->name == NULL && name != NULL)
            gpu->name = g_strdup (name);
          return;
        }
    }
}

static void
parse_vulkaninfo (Probe *p, const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  int index = -1;
  guint64 vendor = 0, device = 0;
  g_autofree char *name = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *eq = strchr (line, '=');
      g_autofree char *key = NULL;

      if (g_str_has_prefix (line, "GPU") && g_str_has_suffix (line, ":") && g_ascii_isdigit (line[3]))
        {
          vulkaninfo_device (p, index, vendor, device, name);
          index = (int) g_ascii_strtoll (line + 3, NULL, 10);
          vendor = device = 0;
          g_clear_pointer (&name, g_free);
          continue;
        }
      if (eq == NULL || index < 0)
        continue;
      key = g_strstrip (g_strndup (line, eq - line));
      if (g_str_equal (key, "vendorID"))
        parse_u64 (eq + 1, 16, &vendor);
      else if (g_str_equal (key, "deviceID"))
        parse_u64 (eq + 1, 16, &device);
      else if (g_str_equal (key, "deviceName") && name == NULL)
        name = g_strstrip (g_strdup (eq + 1));
    }
  vulkaninfo_device (p, index, vendor, device, name);
}

static void
probe_vulkaninfo (Probe *p)
{
  g_autofree char *exe = g_find_program_in_path ("vulkaninfo");
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *argv[] = { NULL, "--summary", NULL };

  if (exe == NULL)
    return;
  argv[0] = exe;
  out = run_tool (p, argv, &error);
  if (out == NULL)
    probe_warn (p, "%s", error->message);
  else
    parse_vulkaninfo (p, out);
}

/* ---- which backends each GPU can use, and why not ---- */

static void
backend_set (ArwGpu *gpu, ArwGpuBackend backend, const char *reason)
{
  ArwGpuBackendState *state = &gpu->backends[backend];

  g_clear_pointer (&state->reason, g_free);
  state->usable = reason == NULL;
  state->reason = g_strdup (reason);
  if (!state->usable)
    state->index = -1;
}

static void
eval_cuda (ArwHardwareInfo *info, ArwGpu *gpu)
{
  g_autofree char *bound = NULL;

  if (gpu->vendor != ARW_GPU_VENDOR_NVIDIA)
    backend_set (gpu, ARW_GPU_BACKEND_CUDA, "not an NVIDIA GPU");
  else if (!info->nvidia_driver_loaded)
    backend_set (gpu, ARW_GPU_BACKEND_CUDA, "no NVIDIA driver");
  else if (g_strcmp0 (gpu->driver, "nvidia") != 0)
    {
      bound = gpu->driver != NULL ? g_strdup_printf ("GPU is bound to %s, not the NVIDIA driver", gpu->driver)
                                  : g_strdup ("no NVIDIA driver bound to this GPU");
      backend_set (gpu, ARW_GPU_BACKEND_CUDA, bound);
    }
  else
    backend_set (gpu, ARW_GPU_BACKEND_CUDA, NULL);
}

static void
eval_rocm (ArwHardwareInfo *info, ArwGpu *gpu)
{
  g_autofree char *kfd = g_build_filename (info->root, "dev", "kfd", NULL);

  if (gpu->vendor != ARW_GPU_VENDOR_AMD)
    backend_set (gpu, ARW_GPU_BACKEND_ROCM, "not an AMD GPU");
  else if (!info->rocm_kfd_present)
    backend_set (gpu, ARW_GPU_BACKEND_ROCM, "/dev/kfd missing");
  else if (g_access (kfd, R_OK | W_OK) != 0)
    backend_set (gpu, ARW_GPU_BACKEND_ROCM, "no permission to use /dev/kfd (add your user to the render group)");
  else if (gpu->backends[ARW_GPU_BACKEND_ROCM].index < 0)
    backend_set (gpu, ARW_GPU_BACKEND_ROCM, "no ROCm (KFD) node for this GPU");
  else
    backend_set (gpu, ARW_GPU_BACKEND_ROCM, NULL);
}

static gboolean
have_icd_for (ArwHardwareInfo *info, ArwGpuVendor vendor, gboolean *any_hw)
{
  gboolean found = FALSE;

  *any_hw = FALSE;
  for (guint i = 0; i < info->vulkan_icds->len; i++)
    {
      ArwVulkanIcd *icd = g_ptr_array_index (info->vulkan_icds, i);
      if (icd->software)
        continue;
      *any_hw = TRUE;
      if (icd->vendor == vendor)
        found = TRUE;
    }
  return found;
}

static void
eval_vulkan (Probe *p, ArwGpu *gpu)
{
  ArwHardwareInfo *info = p->info;
  gboolean any_hw = FALSE;
  g_autofree char *why = NULL;

  if (gpu->backends[ARW_GPU_BACKEND_VULKAN].index >= 0)
    backend_set (gpu, ARW_GPU_BACKEND_VULKAN, NULL); /* vulkaninfo lists it */
  else if (p->vulkaninfo_listed)
    backend_set (gpu, ARW_GPU_BACKEND_VULKAN, "Vulkan does not list this GPU");
  else if (!have_icd_for (info, gpu->vendor, &any_hw))
    {
      why = any_hw ? g_strdup_printf ("no Vulkan ICD for %s GPUs", arw_gpu_vendor_display_name (gpu->vendor))
                   : g_strdup ("no Vulkan ICD");
      backend_set (gpu, ARW_GPU_BACKEND_VULKAN, why);
    }
  else if (gpu->vendor == ARW_GPU_VENDOR_NVIDIA && !info->nvidia_driver_loaded &&
           g_strcmp0 (gpu->driver, "nouveau") != 0)
    backend_set (gpu, ARW_GPU_BACKEND_VULKAN, "no NVIDIA driver");
  else if (gpu->driver == NULL)
    backend_set (gpu, ARW_GPU_BACKEND_VULKAN, "no kernel driver bound to this GPU");
  else
    backend_set (gpu, ARW_GPU_BACKEND_VULKAN, NULL);
}

/* CUDA and (without vulkaninfo) Vulkan indices follow PCI order, the order
 * CUDA_DEVICE_ORDER=PCI_BUS_ID and the Vulkan loader's sorting use. */
static void
assign_indices (Probe *p)
{
  int cuda = 0, vulkan = 0;

  for (guint i = 0; i < p->info->gpus->len; i++)
    {
      ArwGpu *gpu = g_ptr_array_index (p->info->gpus, i);
      if (gpu->backends[ARW_GPU_BACKEND_CUDA].usable)
        gpu->backends[ARW_GPU_BACKEND_CUDA].index = cuda++;
      if (gpu->backends[ARW_GPU_BACKEND_VULKAN].usable && !p->vulkaninfo_listed)
        gpu->backends[ARW_GPU_BACKEND_VULKAN].index = vulkan++;
    }
}

/* ---- names and ids ---- */

/* "<Vendor> <name>" from pci.ids, preferring the bracketed marketing name
 * ("GA102 [GeForce RTX 3090]" → "NVIDIA GeForce RTX 3090"). */
static char *
pci_ids_lookup (const char *db, guint16 vendor, guint16 device, ArwGpuVendor v)
{
  g_autofree char *vkey = g_strdup_printf ("\n%04x  ", vendor);
  g_autofree char *dkey = g_strdup_printf ("\n\t%04x  ", device);
  const char *sect = strstr (db, vkey);
  const char *end, *hit, *eol, *lb, *rb;
  g_autofree char *name = NULL;

  if (sect == NULL)
    return NULL;
  sect += strlen (vkey);
  for (end = strchr (sect, '\n'); end != NULL && (end[1] == '\t' || end[1] == '#'); end = strchr (end + 1, '\n'))
    ;
  hit = strstr (sect, dkey);
  if (hit == NULL || (end != NULL && hit > end))
    return NULL;
  hit += strlen (dkey);
  eol = strchr (hit, '\n');
  name = eol != NULL ? g_strndup (hit, eol - hit) : g_strdup (hit);
  lb = strchr (name, '[');
  rb = lb != NULL ? strrchr (lb, ']') : NULL;
  if (lb != NULL && rb != NULL && rb > lb + 1)
    return g_strdup_printf ("%s %.*s", arw_gpu_vendor_display_name (v), (int) (rb - lb - 1), lb + 1);
  return g_strdup_printf ("%s %s", arw_gpu_vendor_display_name (v), name);
}

static void
finish_names_and_ids (Probe *p)
{
  g_autofree char *db = NULL;

  for (guint i = 0; i < p->info->gpus->len; i++)
    {
      ArwGpu *gpu = g_ptr_array_index (p->info->gpus, i);

      if (gpu->name == NULL && gpu->pci_vendor_id != 0)
        {
          if (db == NULL)
            db = read_rel (p, "usr/share/hwdata/pci.ids");
          if (db == NULL)
            db = read_rel (p, "usr/share/misc/pci.ids");
          if (db != NULL && g_utf8_validate (db, -1, NULL))
            gpu->name = pci_ids_lookup (db, gpu->pci_vendor_id, gpu->pci_device_id, gpu->vendor);
        }
      if (gpu->name == NULL)
        gpu->name = g_strdup_printf ("%s GPU [%04x:%04x]", arw_gpu_vendor_display_name (gpu->vendor),
                                     gpu->pci_vendor_id, gpu->pci_device_id);
      if ((gpu->vendor == ARW_GPU_VENDOR_NVIDIA || gpu->vendor == ARW_GPU_VENDOR_AMD) && gpu->uuid != NULL)
        gpu->stable_id = g_strdup (gpu->uuid);
      else if (gpu->pci_slot != NULL)
        gpu->stable_id = g_strdup (gpu->pci_slot);
      else
        gpu->stable_id = g_strdup_printf ("gpu%u", i);
    }
}

/* ---- entry points ---- */

static guint
tool_timeout_ms (void)
{
  const char *env = g_getenv ("ARW_HW_TOOL_TIMEOUT_MS");
  guint64 ms = 0;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 50, 120000, &ms, NULL))
    return (guint) ms;
  return HW_TOOL_TIMEOUT_MS_DEFAULT;
}

ArwHardwareInfo *
arw_hardware_probe_at (const char *root, GCancellable *cancellable, GError **error)
{
  g_auto(Probe) p = { 0 };

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  p.root = g_strdup (root != NULL && *root != '\0' ? root : "/");
  if (!g_file_test (p.root, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND,
                   "hardware probe root %s is not a directory; unset ARW_HW_ROOT or point it at a tree", p.root);
      return NULL;
    }
  p.cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  p.info = hardware_info_new (p.root);
  p.tool_timeout_ms = tool_timeout_ms ();

  probe_cpu (&p);
  probe_memory (&p);
  probe_pci_gpus (&p);
  probe_nvidia_proc (&p);
  probe_nvidia_smi (&p);
  probe_amd_kfd (&p);
  probe_vulkan_icds (&p);
  g_ptr_array_sort (p.info->gpus, gpu_compare_slot);
  probe_vulkaninfo (&p);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  for (guint i = 0; i < p.info->gpus->len; i++)
    {
      ArwGpu *gpu = g_ptr_array_index (p.info->gpus, i);
      eval_cuda (p.info, gpu);
      eval_rocm (p.info, gpu);
      eval_vulkan (&p, gpu);
    }
  assign_indices (&p);
  finish_names_and_ids (&p);
  return g_steal_pointer (&p.info);
}

ArwHardwareInfo *
arw_hardware_probe (GError **error)
{
  return arw_hardware_probe_at (g_getenv ("ARW_HW_ROOT"), NULL, error);
}

static void
probe_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  ArwHardwareInfo *info = arw_hardware_probe_at (task_data, cancellable, &error);

  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, (GDestroyNotify) arw_hardware_info_free);
}

/* Runs the probe in a worker thread; ARW_HW_ROOT is read now, on the
 * calling thread. */
void
arw_hardware_probe_async (GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, arw_hardware_probe_async);
  g_task_set_task_data (task, g_strdup (g_getenv ("ARW_HW_ROOT")), g_free);
  g_task_run_in_thread (task, probe_thread);
}

ArwHardwareInfo *
arw_hardware_probe_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == arw_hardware_probe_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
arw_hardware_info_has_cpu_flag (const ArwHardwareInfo *info, const char *flag)
{
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (flag != NULL, FALSE);

  return g_strv_contains ((const char *const *) info->cpu_flags, flag);
}

const ArwGpu *
arw_hardware_info_find_gpu (const ArwHardwareInfo *info, const char *stable_id)
{
  g_return_val_if_fail (info != NULL, NULL);

  for (guint i = 0; stable_id != NULL && i < info->gpus->len; i++)
    {
      const ArwGpu *gpu = g_ptr_array_index (info->gpus, i);
      if (g_strcmp0 (gpu->stable_id, stable_id) == 0 || g_strcmp0 (gpu->pci_slot, stable_id) == 0)
        return gpu;
    }
  return NULL;
}

/* Why no GPU of this host can use the backend, NULL when one can. The
 * reason comes from the first GPU of the backend's vendor. */
char *
arw_hardware_info_backend_reason (const ArwHardwareInfo *info, ArwGpuBackend backend)
{
  ArwGpuVendor want = backend == ARW_GPU_BACKEND_CUDA ? ARW_GPU_VENDOR_NVIDIA
                    : backend == ARW_GPU_BACKEND_ROCM ? ARW_GPU_VENDOR_AMD
                                                      : ARW_GPU_VENDOR_UNKNOWN;
  const ArwGpu *first = NULL;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (backend < ARW_GPU_BACKEND_LAST, NULL);

  for (guint i = 0; i < info->gpus->len; i++)
    {
      const ArwGpu *gpu = g_ptr_array_index (info->gpus, i);
      if (gpu->backends[backend].usable)
        return NULL;
      if (first == NULL && (want == ARW_GPU_VENDOR_UNKNOWN || gpu->vendor == want))
        first = gpu;
    }
  if (first != NULL)
    return g_strdup (first->backends[backend].reason);
  if (want != ARW_GPU_VENDOR_UNKNOWN)
    return g_strdup_printf ("no %s GPU", arw_gpu_vendor_display_name (want));
  return g_strdup ("no GPU");
}

/* ---- JSON ---- */

/* The flags that decide which CPU build runs well; the full list stays in
 * ArwHardwareInfo.cpu_flags. */
static const char *const interesting_cpu_flags[] = {
  "sse4_1", "sse4_2", "ssse3", "avx", "avx2", "avx_vnni", "f16c", "fma",
  "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16",
  "amx_tile", "amx_int8", "amx_bf16", "asimd", "asimddp", "sve", "sve2", "i8mm", NULL
};

static void
add_cpu_json (JsonBuilder *b, const ArwHardwareInfo *info)
{
  json_builder_set_member_name (b, "cpu");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  if (info->cpu_model != NULL)
    json_builder_add_string_value (b, info->cpu_model);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "logical_cores");
  json_builder_add_int_value (b, info->logical_cores);
  json_builder_set_member_name (b, "flags");
  json_builder_begin_array (b);
  for (guint i = 0; interesting_cpu_flags[i] != NULL; i++)
    if (arw_hardware_info_has_cpu_flag (info, interesting_cpu_flags[i]))
      json_builder_add_string_value (b, interesting_cpu_flags[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "memory");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "total_bytes");
  json_builder_add_int_value (b, (gint64) MIN (info->ram_total_bytes, (guint64) G_MAXINT64));
  json_builder_set_member_name (b, "available_bytes");
  json_builder_add_int_value (b, (gint64) MIN (info->ram_available_bytes, (guint64) G_MAXINT64));
  json_builder_end_object (b);
}

static void
add_string_or_null (JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name (b, member);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_gpu_json (JsonBuilder *b, const ArwGpu *gpu)
{
  g_autofree char *pci_id = g_strdup_printf ("%04x:%04x", gpu->pci_vendor_id, gpu->pci_device_id);

  json_builder_begin_object (b);
  add_string_or_null (b, "stable_id", gpu->stable_id);
  add_string_or_null (b, "vendor", arw_gpu_vendor_to_string (gpu->vendor));
  add_string_or_null (b, "name", gpu->name);
  add_string_or_null (b, "pci_slot", gpu->pci_slot);
  add_string_or_null (b, "pci_id", pci_id);
  add_string_or_null (b, "driver", gpu->driver);
  add_string_or_null (b, "uuid", gpu->uuid);
  json_builder_set_member_name (b, "vram_bytes");
  json_builder_add_int_value (b, (gint64) MIN (gpu->vram_bytes, (guint64) G_MAXINT64));
  if (gpu->kfd_gpu_id != 0)
    {
      json_builder_set_member_name (b, "kfd_gpu_id");
      json_builder_add_int_value (b, gpu->kfd_gpu_id);
    }
  json_builder_set_member_name (b, "backends");
  json_builder_begin_object (b);
  for (guint k = 0; k < ARW_GPU_BACKEND_LAST; k++)
    {
      const ArwGpuBackendState *st = &gpu->backends[k];

      json_builder_set_member_name (b, arw_gpu_backend_to_string (k));
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "usable");
      json_builder_add_boolean_value (b, st->usable);
      if (st->usable && st->index >= 0)
        {
          json_builder_set_member_name (b, "index");
          json_builder_add_int_value (b, st->index);
        }
      if (st->reason != NULL)
        add_string_or_null (b, "reason", st->reason);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
}

static void
add_drivers_json (JsonBuilder *b, const ArwHardwareInfo *info)
{
  json_builder_set_member_name (b, "nvidia");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "driver_loaded");
  json_builder_add_boolean_value (b, info->nvidia_driver_loaded);
  add_string_or_null (b, "driver_version", info->nvidia_driver_version);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "rocm");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kfd_present");
  json_builder_add_boolean_value (b, info->rocm_kfd_present);
  json_builder_end_object (b);

  json_builder_set_member_name (b, "vulkan_icds");
  json_builder_begin_array (b);
  for (guint i = 0; i < info->vulkan_icds->len; i++)
    {
      const ArwVulkanIcd *icd = g_ptr_array_index (info->vulkan_icds, i);
      json_builder_begin_object (b);
      add_string_or_null (b, "path", icd->path);
      add_string_or_null (b, "library_path", icd->library_path);
      add_string_or_null (b, "api_version", icd->api_version);
      add_string_or_null (b, "vendor", arw_gpu_vendor_to_string (icd->vendor));
      json_builder_set_member_name (b, "software");
      json_builder_add_boolean_value (b, icd->software);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

JsonNode *
arw_hardware_info_to_json (const ArwHardwareInfo *info)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (info != NULL, NULL);

  json_builder_begin_object (b);
  add_cpu_json (b, info);
  json_builder_set_member_name (b, "gpus");
  json_builder_begin_array (b);
  for (guint i = 0; i < info->gpus->len; i++)
    add_gpu_json (b, g_ptr_array_index (info->gpus, i));
  json_builder_end_array (b);
  add_drivers_json (b, info);
  json_builder_set_member_name (b, "warnings");
  json_builder_begin_array (b);
  for (guint i = 0; i < info->warnings->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (info->warnings, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
