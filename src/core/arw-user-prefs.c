/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "arw-user-prefs.h"

#define ARW_SETTINGS_SCHEMA "org.arw.Launcher"

static GVariant *
user_value (GSettings *settings, const char *key)
{
  return settings != NULL ? g_settings_get_user_value (settings, key) : NULL;
}

static GSettings *
settings_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, ARW_SETTINGS_SCHEMA, TRUE);
  return schema != NULL ? g_settings_new_full (schema, NULL, NULL) : NULL;
}

void
arw_user_prefs_load (ArwUserPrefs *prefs)
{
  g_autoptr(GSettings) settings = settings_if_installed ();
  g_autoptr(GVariant) order = user_value (settings, "accelerator-order");
  g_autoptr(GVariant) require = user_value (settings, "require-signed-bundles");
  g_autoptr(GVariant) keep = user_value (settings, "revisions-to-keep");
  g_autoptr(GVariant) posture = user_value (settings, "security-posture");

  *prefs = (ArwUserPrefs) { 0 };
  if (order != NULL)
    prefs->accelerator_order = g_variant_dup_strv (order, NULL);
  if (require != NULL)
    {
      prefs->has_require_signed = TRUE;
      prefs->require_signed = g_variant_get_boolean (require);
    }
  if (keep != NULL)
    prefs->keep_revisions = g_variant_get_uint32 (keep);
  if (posture != NULL)
    prefs->has_posture = arw_posture_from_string (g_variant_get_string (posture, NULL), &prefs->posture);
}

void
arw_user_prefs_clear (ArwUserPrefs *prefs)
{
  g_clear_pointer (&prefs->accelerator_order, g_strfreev);
}

static gboolean
env_is_set (const char *name)
{
  const char *value = g_getenv (name);
  return value != NULL && *value != '\0';
}

ArwPosture
arw_user_prefs_posture (void)
{
  g_auto(ArwUserPrefs) prefs = { 0 };

  arw_user_prefs_load (&prefs);
  if (!env_is_set ("ARW_SECURITY_POSTURE") && prefs.has_posture)
    return prefs.posture;
  return arw_posture_from_env ();
}

gboolean
arw_user_prefs_require_signed (void)
{
  const char *env = g_getenv ("ARW_REQUIRE_SIGNED_BUNDLES");
  g_auto(ArwUserPrefs) prefs = { 0 };

  if (env != NULL && *env != '\0')
    return g_strv_contains ((const char *const[]){ "1", "true", "TRUE", "yes", "on", NULL }, env);
  arw_user_prefs_load (&prefs);
  return prefs.has_require_signed && prefs.require_signed;
}

guint
arw_user_prefs_keep_revisions (void)
{
  g_auto(ArwUserPrefs) prefs = { 0 };

  if (env_is_set ("ARW_RUNTIME_KEEP_REVISIONS"))
    return 0; /* the store reads the variable itself */
  arw_user_prefs_load (&prefs);
  return prefs.keep_revisions;
}

GStrv
arw_user_prefs_accelerator_order (void)
{
  const char *env = g_getenv ("ARW_ACCELERATOR_ORDER");
  g_auto(ArwUserPrefs) prefs = { 0 };

  if (env != NULL && *env != '\0')
    return g_strsplit_set (env, ",; ", -1);
  arw_user_prefs_load (&prefs);
  return g_steal_pointer (&prefs.accelerator_order);
}
