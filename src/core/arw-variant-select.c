/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arw-error.h"
#include "arw-variant-select.h"

static const char *const default_order[] = { "gpu_cuda", "gpu_rocm", "gpu_vulkan", "cpu", "other", NULL };

typedef enum {
  ACCEL_CPU,   /* cpu, or no accelerator */
  ACCEL_OTHER, /* runs, but needs no device we manage */
  ACCEL_GPU,   /* needs a GPU usable with a backend */
  ACCEL_NEVER, /* cannot run on this OS */
} AccelKind;

typedef struct {
  const ArwVariantCandidate *candidates;
  gsize n_candidates;
  const ArwHardwareInfo *hw;
  const char *const *order;
  const char *device_id;
  gboolean gpu_only;
  ArwVariantForce force;
  const char *skipped_accel;   /* first better variant whose hardware is here but unusable */
  char *skipped_reason;
  char *first_reason;          /* first reason any variant could not run, for errors */
} Selection;

static void
selection_clear (Selection *s)
{
  g_free (s->skipped_reason);
  g_free (s->first_reason);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Selection, selection_clear)

void
arw_variant_choice_free (ArwVariantChoice *choice)
{
  if (choice == NULL)
    return;
  g_free (choice->bundle_id);
  g_free (choice->family);
  g_free (choice->accelerator);
  g_free (choice->device_id);
  g_free (choice->device_name);
  g_strfreev (choice->env);
  g_free (choice->fallback_from);
  g_free (choice->fallback_reason);
  g_free (choice);
}

char *
arw_variant_family (const char *bundle_id)
{
  const char *slash;

  g_return_val_if_fail (bundle_id != NULL, NULL);

  slash = strchr (bundle_id, '/');
  return slash != NULL ? g_strndup (bundle_id, slash - bundle_id) : g_strdup (bundle_id);
}

static const char *
normalise_accel (const char *accelerator)
{
  return accelerator != NULL && *accelerator != '\0' ? accelerator : "cpu";
}

static AccelKind
accel_kind (const char *accel, ArwGpuBackend *backend, const char **never_reason)
{
  *never_reason = NULL;
  *backend = ARW_GPU_BACKEND_LAST;
  if (g_str_equal (accel, "cpu"))
    return ACCEL_CPU;
  if (g_str_equal (accel, "other"))
    return ACCEL_OTHER;
  if (g_str_equal (accel, "gpu_cuda"))
    *backend = ARW_GPU_BACKEND_CUDA;
  else if (g_str_equal (accel, "gpu_rocm"))
    *backend = ARW_GPU_BACKEND_ROCM;
  else if (g_str_equal (accel, "gpu_vulkan"))
    *backend = ARW_GPU_BACKEND_VULKAN;
  if (*backend != ARW_GPU_BACKEND_LAST)
    return ACCEL_GPU;
  if (g_str_equal (accel, "gpu_metal"))
    *never_reason = "Metal needs macOS";
  else if (g_str_equal (accel, "npu_directml"))
    *never_reason = "DirectML needs Windows";
  else if (g_str_equal (accel, "npu_coreml"))
    *never_reason = "Core ML needs macOS";
  else if (g_str_equal (accel, "npu_other"))
    *never_reason = "no NPU support on this host";
  else
    *never_reason = "unknown accelerator";
  return ACCEL_NEVER;
}

static gboolean
force_allows (const Selection *s, AccelKind kind)
{
  if (s->force == ARW_VARIANT_FORCE_CPU)
    return kind == ACCEL_CPU;
  if (s->force == ARW_VARIANT_FORCE_GPU || s->gpu_only)
    return kind == ACCEL_GPU || kind == ACCEL_NEVER;
  return TRUE;
}

static const ArwVariantCandidate *
find_candidate (const Selection *s, const char *accel)
{
  for (gsize i = 0; i < s->n_candidates; i++)
    if (g_str_equal (normalise_accel (s->candidates[i].accelerator), accel))
      return &s->candidates[i];
  return NULL;
}

/* The preferred device when it can use the backend; without a preference
 * the usable GPU with the most VRAM (a discrete card over an integrated
 * one), the first in PCI order on a tie. */
static const ArwGpu *
pick_device (const Selection *s, ArwGpuBackend backend, const char *device_id)
{
  const ArwGpu *best = NULL;

  if (device_id != NULL)
    {
      const ArwGpu *gpu = arw_hardware_info_find_gpu (s->hw, device_id);
      return gpu != NULL && gpu->backends[backend].usable ? gpu : NULL;
    }
  for (guint i = 0; i < s->hw->gpus->len; i++)
    {
      const ArwGpu *gpu = g_ptr_array_index (s->hw->gpus, i);
      if (gpu->backends[backend].usable && (best == NULL || gpu->vram_bytes > best->vram_bytes))
        best = gpu;
    }
  return best;
}

/* CUDA by UUID (stable across reordering); HIP and ggml-vulkan by index. */
static GStrv
device_env (ArwGpuBackend backend, const ArwGpu *gpu)
{
  g_autofree char *index = g_strdup_printf ("%d", MAX (gpu->backends[backend].index, 0));
  GStrv env = g_new0 (char *, 1);

  switch (backend)
    {
    case ARW_GPU_BACKEND_CUDA:
      if (gpu->uuid == NULL)
        env = g_environ_setenv (env, "CUDA_DEVICE_ORDER", "PCI_BUS_ID", TRUE);
      env = g_environ_setenv (env, "CUDA_VISIBLE_DEVICES", gpu->uuid != NULL ? gpu->uuid : index, TRUE);
      break;
    case ARW_GPU_BACKEND_ROCM:
      env = g_environ_setenv (env, "HIP_VISIBLE_DEVICES", index, TRUE);
      break;
    case ARW_GPU_BACKEND_VULKAN:
      env = g_environ_setenv (env, "GGML_VK_VISIBLE_DEVICES", index, TRUE);
      break;
    case ARW_GPU_BACKEND_LAST:
    default:
      g_assert_not_reached ();
    }
  return env;
}

static ArwVariantChoice *
choice_new (const ArwVariantCandidate *cand, const char *accel, ArwGpuBackend backend, const ArwGpu *gpu)
{
  ArwVariantChoice *choice = g_new0 (ArwVariantChoice, 1);

  choice->bundle_id = g_strdup (cand->bundle_id);
  choice->family = arw_variant_family (cand->bundle_id);
  choice->accelerator = g_strdup (accel);
  if (gpu != NULL)
    {
      choice->device_id = g_strdup (gpu->stable_id);
      choice->device_name = g_strdup (gpu->name);
      choice->env = device_env (backend, gpu);
    }
  else
    choice->env = g_new0 (char *, 1);
  return choice;
}

/* Whether the host has a GPU the backend could drive with the right
 * software: only then is skipping its variant a fallback worth reporting
 * (a host without an NVIDIA card is not degraded for lacking CUDA). */
static gboolean
backend_hardware_present (const ArwHardwareInfo *hw, ArwGpuBackend backend)
{
  for (guint i = 0; i < hw->gpus->len; i++)
    {
      const ArwGpu *gpu = g_ptr_array_index (hw->gpus, i);
      if (backend == ARW_GPU_BACKEND_VULKAN ||
          (backend == ARW_GPU_BACKEND_CUDA && gpu->vendor == ARW_GPU_VENDOR_NVIDIA) ||
          (backend == ARW_GPU_BACKEND_ROCM && gpu->vendor == ARW_GPU_VENDOR_AMD))
        return TRUE;
    }
  return FALSE;
}

static void
note_skipped (Selection *s, const char *accel, const char *reason, gboolean hardware_present)
{
  if (s->first_reason == NULL)
    s->first_reason = g_strdup (reason);
  if (s->skipped_accel != NULL || !hardware_present)
    return;
  s->skipped_accel = accel;
  s->skipped_reason = g_strdup (reason);
}

/* One walk down the preference order. With only_device set, GPU variants
 * may use that device only and nothing is recorded as skipped. */
static ArwVariantChoice *
select_pass (Selection *s, const char *only_device, gboolean gpu_only_pass)
{
  for (guint i = 0; s->order[i] != NULL; i++)
    {
      const char *accel = s->order[i];
      ArwGpuBackend backend = ARW_GPU_BACKEND_LAST;
      const char *never = NULL;
      AccelKind kind = accel_kind (accel, &backend, &never);
      const ArwVariantCandidate *cand = find_candidate (s, accel);
      const ArwGpu *gpu;
      g_autofree char *reason = NULL;

      if (cand == NULL || !force_allows (s, kind) || (gpu_only_pass && kind != ACCEL_GPU))
        continue;
      if (kind == ACCEL_CPU || kind == ACCEL_OTHER)
        return choice_new (cand, accel, backend, NULL);
      if (kind == ACCEL_GPU && (gpu = pick_device (s, backend, only_device)) != NULL)
        return choice_new (cand, accel, backend, gpu);
      if (gpu_only_pass)
        continue;
      reason = kind == ACCEL_NEVER ? g_strdup (never) : arw_hardware_info_backend_reason (s->hw, backend);
      note_skipped (s, accel, reason != NULL ? reason : "GPU not usable",
                    kind == ACCEL_GPU && backend_hardware_present (s->hw, backend));
    }
  return NULL;
}

static gboolean
validate_candidates (const ArwVariantCandidate *candidates, gsize n, char **family_out, GError **error)
{
  g_autofree char *family = NULL;

  if (n == 0)
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT, "no installed variant to choose from");
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *f = NULL;

      if (candidates[i].bundle_id == NULL || *candidates[i].bundle_id == '\0')
        {
          g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT, "variant without a bundle id");
          return FALSE;
        }
      f = arw_variant_family (candidates[i].bundle_id);
      if (family == NULL)
        family = g_steal_pointer (&f);
      else if (!g_str_equal (family, f))
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT,
                       "variants of different families (%s, %s) cannot replace each other", family, f);
          return FALSE;
        }
    }
  *family_out = g_steal_pointer (&family);
  return TRUE;
}

static void
set_no_variant_error (Selection *s, const char *family, GError **error)
{
  gboolean gpu = s->gpu_only || s->force == ARW_VARIANT_FORCE_GPU;

  if (s->first_reason != NULL)
    g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND, "%s variant of %s can run here: %s%s",
                 gpu ? "no GPU" : "no", family, s->skipped_reason != NULL ? s->skipped_reason : s->first_reason,
                 gpu ? " (GPU only is set, so there is no CPU fallback)" : "");
  else
    g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND,
                 "no installed %svariant of %s matches the accelerator preferences; install one or change them",
                 gpu ? "GPU " : s->force == ARW_VARIANT_FORCE_CPU ? "CPU " : "", family);
}

ArwVariantChoice *
arw_variant_select (const ArwVariantCandidate *candidates,
                    gsize n_candidates,
                    const ArwHardwareInfo *hardware,
                    const ArwVariantPrefs *prefs,
                    GError **error)
{
  static const ArwVariantPrefs defaults = { 0 };
  g_auto(Selection) s = { 0 };
  g_autofree char *family = NULL;
  ArwVariantChoice *choice = NULL;

  g_return_val_if_fail (candidates != NULL || n_candidates == 0, NULL);
  g_return_val_if_fail (hardware != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (prefs == NULL)
    prefs = &defaults;
  if (!validate_candidates (candidates, n_candidates, &family, error))
    return NULL;
  s.candidates = candidates;
  s.n_candidates = n_candidates;
  s.hw = hardware;
  s.order = prefs->order != NULL ? prefs->order : default_order;
  s.device_id = prefs->device_id != NULL && *prefs->device_id != '\0' ? prefs->device_id : NULL;
  s.gpu_only = prefs->gpu_only;
  s.force = prefs->force;

  if (s.device_id != NULL && s.force != ARW_VARIANT_FORCE_CPU)
    choice = select_pass (&s, s.device_id, TRUE);
  if (choice == NULL)
    choice = select_pass (&s, NULL, FALSE);
  if (choice == NULL)
    {
      set_no_variant_error (&s, family, error);
      return NULL;
    }
  if (s.skipped_accel != NULL)
    {
      choice->fallback_from = g_strdup (s.skipped_accel);
      choice->fallback_reason = g_steal_pointer (&s.skipped_reason);
    }
  else if (s.device_id != NULL && g_strcmp0 (choice->device_id, s.device_id) != 0 &&
           s.force != ARW_VARIANT_FORCE_CPU)
    choice->fallback_reason = arw_hardware_info_find_gpu (hardware, s.device_id) == NULL
                                ? g_strdup_printf ("preferred GPU %s not found", s.device_id)
                                : g_strdup_printf ("preferred GPU %s cannot run any installed variant", s.device_id);
  return choice;
}

const char *
arw_variant_choice_get_env (const ArwVariantChoice *choice, const char *key)
{
  g_return_val_if_fail (choice != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_environ_getenv (choice->env, key);
}

JsonNode *
arw_variant_choice_to_json (const ArwVariantChoice *choice)
{
  g_autoptr(JsonBuilder) b = NULL;
  const char *members[] = { "bundle_id", "family", "accelerator", "device_id", "device_name",
                            "fallback_from", "fallback_reason" };
  const char *values[G_N_ELEMENTS (members)];

  g_return_val_if_fail (choice != NULL, NULL);

  values[0] = choice->bundle_id;
  values[1] = choice->family;
  values[2] = choice->accelerator;
  values[3] = choice->device_id;
  values[4] = choice->device_name;
  values[5] = choice->fallback_from;
  values[6] = choice->fallback_reason;
  b = json_builder_new ();

  json_builder_begin_object (b);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      json_builder_set_member_name (b, members[i]);
      if (values[i] != NULL)
        json_builder_add_string_value (b, values[i]);
      else
        json_builder_add_null_value (b);
    }
  json_builder_set_member_name (b, "env");
  json_builder_begin_object (b);
  for (guint i = 0; choice->env[i] != NULL; i++)
    {
      const char *eq = strchr (choice->env[i], '=');
      g_autofree char *key = g_strndup (choice->env[i], eq - choice->env[i]);
      json_builder_set_member_name (b, key);
      json_builder_add_string_value (b, eq + 1);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
