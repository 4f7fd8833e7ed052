/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "arw-bundle-family.h"

G_BEGIN_DECLS

/* Read-only questions about GetHardware's JSON (arw_hardware_info_to_json
 * shape). @hardware may be NULL (not known yet): answers are then
 * "unknown" (0, NULL) and every accelerator but cpu counts as unusable. */

guint64 arw_hardware_view_ram_total (JsonObject *hardware);
/* The first GPU whose backend for @accelerator (gpu_cuda → cuda,
 * gpu_rocm → rocm, gpu_vulkan → vulkan) is usable, or NULL. */
JsonObject *arw_hardware_view_gpu_for (JsonObject *hardware, const char *accelerator);
gboolean arw_hardware_view_can_run (JsonObject *hardware, const char *accelerator);
/* The GPU's name for a stable id ("GPU-…" or a PCI slot), or NULL. */
const char *arw_hardware_view_gpu_name (JsonObject *hardware, const char *stable_id);
/* All GPUs as (stable id, name) pairs, NULL-terminated, for the device picker. */
GPtrArray *arw_hardware_view_list_gpus (JsonObject *hardware);

/* The variant to install or start for this host: the first accelerator of
 * @order the host can run that the family has, installed variants first;
 * else the first variant. */
ArwBundleVariant *arw_hardware_view_pick_variant (JsonObject *hardware,
                                                  ArwBundleFamily *family,
                                                  const char *const *order,
                                                  gboolean installed_only);

G_END_DECLS
