/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "arw-hardware.h"

G_BEGIN_DECLS

/* Choosing which variant of a bundle family to start, and on which device.
 *
 * Bundles of one family (the id before the first '/', e.g.
 * "llama.cpp-preview") are variants of each other that differ in their
 * catalog `accelerator` (cpu, gpu_cuda, gpu_rocm, gpu_vulkan, …, §1.3).
 * A candidate without an accelerator counts as cpu. gpu_metal and npu_*
 * never run on Linux; "other" runs without a device. */

typedef enum {
  ARW_VARIANT_FORCE_AUTO, /* best variant the host can run */
  ARW_VARIANT_FORCE_CPU,  /* only cpu variants */
  ARW_VARIANT_FORCE_GPU,  /* only GPU variants; like gpu_only */
} ArwVariantForce;

typedef struct {
  const char *bundle_id;
  const char *accelerator; /* catalog string, NULL when absent */
} ArwVariantCandidate;

typedef struct {
  /* accelerators best first; NULL = gpu_cuda, gpu_rocm, gpu_vulkan, cpu, other.
   * Accelerators missing from the list are never chosen. */
  const char *const *order;
  const char *device_id;   /* preferred GPU stable id (ArwGpu.stable_id or PCI slot), or NULL */
  gboolean gpu_only;       /* fail instead of falling back to the CPU */
  ArwVariantForce force;
} ArwVariantPrefs;

typedef struct {
  char *bundle_id;
  char *family;
  char *accelerator;     /* normalised: "cpu" for a candidate without one */
  char *device_id;       /* stable id of the chosen GPU, NULL for cpu/other */
  char *device_name;     /* "NVIDIA GeForce RTX 3090", NULL for cpu/other */
  GStrv env;             /* "KEY=VALUE" device variables to set, never NULL */
  /* Set when a better-ranked variant is installed and the host has the
   * GPU it needs, but it cannot run here, e.g. fallback_from "gpu_cuda",
   * fallback_reason "no NVIDIA driver"; the caller reports "Degraded – CPU
   * fallback: <reason>". A host without an NVIDIA card is not degraded for
   * lacking CUDA. Also set (without fallback_from) when the preferred
   * device is absent or cannot run any installed variant. */
  char *fallback_from;
  char *fallback_reason;
} ArwVariantChoice;

char *arw_variant_family (const char *bundle_id);

ArwVariantChoice *arw_variant_select (const ArwVariantCandidate *candidates,
                                      gsize n_candidates,
                                      const ArwHardwareInfo *hardware,
                                      const ArwVariantPrefs *prefs,
                                      GError **error);

void arw_variant_choice_free (ArwVariantChoice *choice);
const char *arw_variant_choice_get_env (const ArwVariantChoice *choice, const char *key);
JsonNode *arw_variant_choice_to_json (const ArwVariantChoice *choice);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwVariantChoice, arw_variant_choice_free)

G_END_DECLS
