/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-json-access.h"

#include <glib/gi18n.h>

#include "arw-wording.h"

const char *
arw_wording_accelerator (const char *slug)
{
  if (slug == NULL || *slug == '\0')
    return _("Any processor");
  if (g_str_equal (slug, "cpu"))
    /* Translators: the processor (CPU) an engine runs on */
    return _("CPU");
  if (g_str_equal (slug, "gpu_cuda"))
    return _("NVIDIA CUDA");
  if (g_str_equal (slug, "gpu_rocm"))
    return _("AMD ROCm");
  if (g_str_equal (slug, "gpu_vulkan"))
    return _("Vulkan");
  if (g_str_equal (slug, "gpu_metal"))
    return _("Apple Metal");
  if (g_str_has_prefix (slug, "npu_"))
    /* Translators: a neural processing unit */
    return _("NPU");
  return _("Other");
}

const char *
arw_wording_modality (const char *slug)
{
  if (g_strcmp0 (slug, "text") == 0)
    return _("Text");
  if (g_strcmp0 (slug, "audio") == 0)
    return _("Audio");
  if (g_strcmp0 (slug, "vision") == 0)
    return _("Vision");
  return slug != NULL ? slug : "";
}

char *
arw_wording_modalities (const char *const *slugs)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; slugs != NULL && slugs[i] != NULL; i++)
    {
      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append (s, arw_wording_modality (slugs[i]));
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

char *
arw_wording_consent_line (const char *modality)
{
  if (g_strcmp0 (modality, "audio") == 0)
    return g_strdup (_("This runtime can listen to your microphone while it runs"));
  if (g_strcmp0 (modality, "vision") == 0)
    return g_strdup (_("This runtime can see your camera and the images you send it while it runs"));
  if (g_strcmp0 (modality, "text") == 0)
    return g_strdup (_("This runtime can read the text you send it while it runs"));
  /* Translators: %s is a kind of input such as "pointer" */
  return g_strdup_printf (_("This runtime can use your %s while it runs"), modality);
}

static char *
format_clock (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (unix_seconds);

  if (dt == NULL)
    return g_strdup ("?");
  return g_date_time_format (dt, "%H:%M");
}

static char *
gpu_words (const ArwRuntimeWordingInput *in)
{
  const char *acc = in->accelerator;

  if (acc == NULL || g_str_equal (acc, "cpu") || *acc == '\0')
    return g_strdup (_("CPU"));
  if (in->device_name != NULL && *in->device_name != '\0')
    /* Translators: %s is a graphics card name, e.g. "NVIDIA RTX 4090" */
    return g_strdup_printf (_("GPU (%s)"), in->device_name);
  return g_strdup_printf (_("GPU (%s)"), arw_wording_accelerator (acc));
}

static gboolean
has_text (const char *s)
{
  return s != NULL && *s != '\0';
}

char *
arw_wording_runtime_status (const ArwRuntimeWordingInput *in)
{
  const char *state = in->state != NULL ? in->state : "unknown";

  if (g_str_equal (state, "ready"))
    {
      g_autofree char *where = NULL;

      if (has_text (in->fallback_reason))
        /* Translators: status chip; %s says why the GPU could not be used */
        return g_strdup_printf (_("Ready – CPU fallback: %s"), in->fallback_reason);
      where = gpu_words (in);
      /* Translators: status chip; %s is "CPU" or "GPU (NVIDIA …)" */
      return g_strdup_printf (_("Ready – %s"), where);
    }
  if (g_str_equal (state, "degraded"))
    {
      if (has_text (in->fallback_reason))
        return g_strdup_printf (_("Degraded – CPU fallback: %s"), in->fallback_reason);
      if (has_text (in->summary))
        return g_strdup_printf (_("Degraded – %s"), in->summary);
      return g_strdup (_("Degraded"));
    }
  if (g_str_equal (state, "error"))
    {
      if (in->budget_max > 0 && in->budget_used >= in->budget_max)
        {
          g_autofree char *clock = NULL;

          if (in->budget_reset_at <= 0)
            return g_strdup (_("Error – restart budget exhausted"));
          clock = format_clock (in->budget_reset_at);
          /* Translators: status chip; %s is a time of day such as 14:05 */
          return g_strdup_printf (_("Error – restart budget exhausted, resets %s"), clock);
        }
      if (has_text (in->summary))
        return g_strdup_printf (_("Error – %s"), in->summary);
      return g_strdup (_("Error"));
    }
  if (g_str_equal (state, "starting"))
    return g_strdup (_("Starting…"));
  return g_strdup (_("Stopped"));
}

char *
arw_wording_restart_budget (guint used,
                            guint max,
                            gint64 reset_at)
{
  guint left = used >= max ? 0 : max - used;
  g_autofree char *clock = NULL;

  if (max == 0)
    return g_strdup (_("No automatic restarts"));
  if (reset_at <= 0 || used == 0)
    /* Translators: automatic restarts still allowed, e.g. "3 of 3 restarts left" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u restart left",
                                         "%u of %u restarts left", max), left, max);
  clock = format_clock (reset_at);
  /* Translators: e.g. "1 of 3 restarts left, resets 14:05" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u restart left, resets %s",
                                       "%u of %u restarts left, resets %s", max),
                          left, max, clock);
}

static JsonObject *
first_signature (JsonObject *verification,
                 gboolean want_trusted)
{
  JsonArray *sigs;

  sigs = arw_json_array (verification, "signatures");
  for (guint i = 0; sigs != NULL && i < json_array_get_length (sigs); i++)
    {
      JsonObject *sig = json_array_get_object_element (sigs, i);

      if (sig == NULL)
        continue;
      if (!want_trusted)
        return sig;
      if (json_object_get_boolean_member_with_default (sig, "trusted", FALSE) &&
          json_object_get_boolean_member_with_default (sig, "signature_valid", FALSE) &&
          !json_object_get_boolean_member_with_default (sig, "rejected", FALSE))
        return sig;
    }
  return NULL;
}

static const char *
signer_name (JsonObject *sig)
{
  const char *issuer = arw_json_string (sig, "issuer");
  const char *key_id = arw_json_string (sig, "key_id");

  if (has_text (issuer))
    return issuer;
  return has_text (key_id) ? key_id : _("an unknown key");
}

char *
arw_wording_trust (JsonObject *verification,
                   const char *channel,
                   gboolean *out_trusted)
{
  JsonObject *sig = first_signature (verification, TRUE);

  if (out_trusted != NULL)
    *out_trusted = sig != NULL;
  if (sig != NULL)
    {
      if (has_text (channel))
        /* Translators: first %s is the publisher, second the catalog channel ("preview") */
        return g_strdup_printf (_("Signed by %s — trusted for %s"), signer_name (sig), channel);
      return g_strdup_printf (_("Signed by %s — trusted"), signer_name (sig));
    }
  sig = first_signature (verification, FALSE);
  if (sig != NULL && json_object_get_boolean_member_with_default (sig, "signature_valid", FALSE))
    return g_strdup_printf (_("Signed by %s, but not by a trusted publisher"), signer_name (sig));
  if (sig != NULL)
    return g_strdup (_("The signature does not match: do not run this bundle"));
  return g_strdup (_("Not signed by a trusted publisher"));
}

char *
arw_wording_fit (const ArwFitWordingInput *in,
                 gboolean *out_fits)
{
  g_autoptr(GString) s = g_string_new (NULL);
  gboolean fits = TRUE;

  if (in->download_bytes > 0)
    {
      g_autofree char *need = g_format_size (in->download_bytes);

      if (in->disk_free_bytes > 0 && in->download_bytes * 2 > in->disk_free_bytes)
        {
          g_autofree char *free_s = g_format_size (in->disk_free_bytes);
          fits = FALSE;
          /* Translators: download size, then free disk space; the install needs room for both the download and its unpacked copy */
          g_string_append_printf (s, _("Needs %s, only %s free on disk"), need, free_s);
        }
      else if (in->disk_free_bytes > 0)
        {
          g_autofree char *free_s = g_format_size (in->disk_free_bytes);
          g_string_append_printf (s, _("%s download, %s free on disk"), need, free_s);
        }
      else
        g_string_append_printf (s, _("%s download"), need);
      if (in->n_unknown_sizes > 0)
        g_string_append (s, _(" (plus files of unknown size)"));
    }
  else
    g_string_append (s, _("Download size unknown"));

  g_string_append (s, " · ");
  if (in->gpu && in->vram_bytes > 0)
    {
      g_autofree char *vram = g_format_size (in->vram_bytes);
      /* Translators: %s is the graphics memory size */
      g_string_append_printf (s, _("%s graphics memory"), vram);
    }
  else if (in->gpu)
    g_string_append (s, _("no usable graphics card found"));
  else if (in->ram_total_bytes > 0)
    {
      g_autofree char *ram = g_format_size (in->ram_total_bytes);
      g_string_append_printf (s, _("%s memory"), ram);
    }
  else
    g_string_append (s, _("memory size unknown"));

  if (out_fits != NULL)
    *out_fits = fits && (!in->gpu || in->vram_bytes > 0);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

const char *
arw_wording_phase (const char *phase)
{
  if (g_strcmp0 (phase, "resolving") == 0)
    return _("Preparing");
  if (g_strcmp0 (phase, "downloading") == 0)
    return _("Downloading");
  if (g_strcmp0 (phase, "verifying") == 0)
    return _("Verifying");
  if (g_strcmp0 (phase, "extracting") == 0)
    return _("Unpacking");
  if (g_strcmp0 (phase, "committing") == 0)
    return _("Finishing");
  if (g_strcmp0 (phase, "done") == 0)
    return _("Done");
  return _("Waiting");
}

static char *
format_eta (gint64 eta)
{
  if (eta < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "about %d second left",
                                         "about %d seconds left", (gulong) eta), (int) eta);
  if (eta < 3600)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "about %d minute left",
                                         "about %d minutes left", (gulong) (eta / 60)),
                            (int) (eta / 60));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "about %d hour left",
                                       "about %d hours left", (gulong) (eta / 3600)),
                          (int) (eta / 3600));
}

char *
arw_wording_progress (const char *phase,
                      guint64 done,
                      guint64 total,
                      double rate,
                      gint64 eta)
{
  g_autoptr(GString) s = g_string_new (arw_wording_phase (phase));
  g_autofree char *done_s = g_format_size (done);

  g_string_append (s, " – ");
  if (total > 0)
    {
      g_autofree char *total_s = g_format_size (total);
      /* Translators: bytes done of bytes total, e.g. "1.2 MB of 4.0 MB" */
      g_string_append_printf (s, _("%s of %s"), done_s, total_s);
    }
  else
    g_string_append (s, done_s);
  if (rate > 0)
    {
      g_autofree char *rate_s = g_format_size ((guint64) rate);
      /* Translators: a transfer rate, e.g. "3.1 MB/s" */
      g_string_append_printf (s, _(" · %s/s"), rate_s);
    }
  if (eta >= 0 && total > 0 && done < total)
    {
      g_autofree char *eta_s = format_eta (eta);
      g_string_append_printf (s, " · %s", eta_s);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}
