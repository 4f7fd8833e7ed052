/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Plain-language, translated wording for what the helper reports: status
 * chips, consent, trust, "will it fit" and install progress. Pure
 * functions of their arguments, so they are unit-tested without a display. */

const char *arw_wording_accelerator (const char *slug);
const char *arw_wording_modality (const char *slug);
char *arw_wording_modalities (const char *const *slugs);
char *arw_wording_consent_line (const char *modality);

/* A runtime's status chip text, e.g. "Ready – GPU (NVIDIA RTX 4090)",
 * "Degraded – CPU fallback: no NVIDIA driver" or
 * "Error – restart budget exhausted, resets 14:05". @device_name is the
 * GPU's name from the hardware probe or NULL. */
typedef struct {
  const char *state;           /* ARW slug: ready, starting, degraded, error, offline, unknown */
  const char *summary;
  const char *accelerator;     /* bundle accelerator slug */
  const char *device_name;     /* NULL when unknown or on CPU */
  const char *fallback_reason; /* NULL or empty when none */
  guint budget_used;
  guint budget_max;
  gint64 budget_reset_at;      /* unix seconds, 0 when none */
} ArwRuntimeWordingInput;

char *arw_wording_runtime_status (const ArwRuntimeWordingInput *in);
char *arw_wording_restart_budget (guint used, guint max, gint64 reset_at);

/* "Signed by bundle-ci@arw — trusted for preview", "Signed by … — not
 * trusted by this computer", "Not signed by a trusted publisher".
 * @verification is a ManifestVerification object or NULL. */
char *arw_wording_trust (JsonObject *verification, const char *channel, gboolean *out_trusted);

/* "Will it fit": download size against free disk, memory against RAM or
 * VRAM. Sizes of 0 are unknown. */
typedef struct {
  guint64 download_bytes;
  guint n_unknown_sizes;  /* artifacts without size_bytes */
  guint64 disk_free_bytes;
  guint64 ram_total_bytes;
  guint64 vram_bytes;     /* of the GPU it would run on; 0 on CPU */
  gboolean gpu;
} ArwFitWordingInput;

char *arw_wording_fit (const ArwFitWordingInput *in, gboolean *out_fits);

const char *arw_wording_phase (const char *phase);
/* "Downloading – 1.2 MB of 4.0 MB · 3.1 MB/s · about 2 seconds left" */
char *arw_wording_progress (const char *phase,
                            guint64 done,
                            guint64 total,
                            double rate,
                            gint64 eta);

G_END_DECLS
