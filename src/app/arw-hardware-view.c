/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-json-access.h"

#include "arw-hardware-view.h"

guint64
arw_hardware_view_ram_total (JsonObject *hardware)
{
  JsonObject *mem = arw_json_object (hardware, "memory");

  return mem != NULL ? (guint64) MAX (0, json_object_get_int_member_with_default (mem, "total_bytes", 0)) : 0;
}

static const char *
backend_for (const char *accelerator)
{
  if (g_strcmp0 (accelerator, "gpu_cuda") == 0)
    return "cuda";
  if (g_strcmp0 (accelerator, "gpu_rocm") == 0)
    return "rocm";
  if (g_strcmp0 (accelerator, "gpu_vulkan") == 0)
    return "vulkan";
  return NULL;
}

static JsonArray *
gpus (JsonObject *hardware)
{
  return arw_json_array (hardware, "gpus");
}

JsonObject *
arw_hardware_view_gpu_for (JsonObject *hardware,
                           const char *accelerator)
{
  const char *backend = backend_for (accelerator);
  JsonArray *arr = gpus (hardware);

  if (backend == NULL || arr == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *gpu = json_array_get_object_element (arr, i);
      JsonObject *backends = arw_json_object (gpu, "backends");
      JsonObject *state = arw_json_object (backends, backend);

      if (state != NULL && json_object_get_boolean_member_with_default (state, "usable", FALSE))
        return gpu;
    }
  return NULL;
}

gboolean
arw_hardware_view_can_run (JsonObject *hardware,
                           const char *accelerator)
{
  if (accelerator == NULL || g_str_equal (accelerator, "cpu"))
    return TRUE;
  return arw_hardware_view_gpu_for (hardware, accelerator) != NULL;
}

const char *
arw_hardware_view_gpu_name (JsonObject *hardware,
                            const char *stable_id)
{
  JsonArray *arr = gpus (hardware);

  if (arr == NULL || stable_id == NULL || *stable_id == '\0')
    return NULL;
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonObject *gpu = json_array_get_object_element (arr, i);
      const char *sid = arw_json_string (gpu, "stable_id");
      const char *uuid = arw_json_string (gpu, "uuid");

      if (g_strcmp0 (sid, stable_id) == 0 || g_strcmp0 (uuid, stable_id) == 0)
        return arw_json_string (gpu, "name");
    }
  return NULL;
}

GPtrArray *
arw_hardware_view_list_gpus (JsonObject *hardware)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  JsonArray *arr = gpus (hardware);

  for (guint i = 0; arr != NULL && i < json_array_get_length (arr); i++)
    {
      JsonObject *gpu = json_array_get_object_element (arr, i);
      const char *sid = arw_json_string (gpu, "stable_id");
      const char *name = arw_json_string (gpu, "name");

      if (sid == NULL)
        continue;
      g_ptr_array_add (out, g_strdup (sid));
      g_ptr_array_add (out, g_strdup (name != NULL ? name : sid));
    }
  return out;
}

static ArwBundleVariant *
find_with_accelerator (ArwBundleFamily *family,
                       const char *accelerator,
                       gboolean want_installed)
{
  GPtrArray *variants = arw_bundle_family_get_variants (family);

  for (guint i = 0; i < variants->len; i++)
    {
      ArwBundleVariant *v = g_ptr_array_index (variants, i);
      const char *acc = v->accelerator != NULL ? v->accelerator : "cpu";

      if (g_strcmp0 (acc, accelerator) == 0 && (!want_installed || v->installation != NULL))
        return v;
    }
  return NULL;
}

ArwBundleVariant *
arw_hardware_view_pick_variant (JsonObject *hardware,
                                ArwBundleFamily *family,
                                const char *const *order,
                                gboolean installed_only)
{
  static const char *const default_order[] = { "gpu_cuda", "gpu_rocm", "gpu_vulkan", "cpu", NULL };
  GPtrArray *variants = arw_bundle_family_get_variants (family);

  if (order == NULL || order[0] == NULL)
    order = default_order;
  for (int pass = 0; pass < 2; pass++)
    {
      gboolean want_installed = pass == 0 || installed_only;

      for (guint i = 0; order[i] != NULL; i++)
        {
          ArwBundleVariant *v;

          if (!arw_hardware_view_can_run (hardware, order[i]))
            continue;
          v = find_with_accelerator (family, order[i], want_installed);
          if (v != NULL)
            return v;
        }
    }
  for (guint i = 0; i < variants->len; i++)
    {
      ArwBundleVariant *v = g_ptr_array_index (variants, i);
      if (!installed_only || v->installation != NULL)
        return v;
    }
  return NULL;
}
