/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "arw-paths.h"

static char *
env_trimmed (const char *name)
{
  const char *value = g_getenv (name);
  g_autofree char *copy = NULL;

  if (value == NULL)
    return NULL;
  copy = g_strstrip (g_strdup (value));
  if (*copy == '\0')
    return NULL;
  return g_steal_pointer (&copy);
}

/* ARW_STATE_DIR, else $XDG_DATA_HOME/arw (ARW's Linux default
 * ~/.local/share/arw). */
char *
arw_paths_state_dir (void)
{
  char *dir = env_trimmed ("ARW_STATE_DIR");

  if (dir != NULL)
    return dir;
  return g_build_filename (g_get_user_data_dir (), "arw", NULL);
}

char *
arw_paths_bundle_root (void)
{
  g_autofree char *state = arw_paths_state_dir ();

  return g_build_filename (state, "runtime", "bundles", NULL);
}

/* True when the running binary lives in the build tree, so the source
 * tree's configs/ apply instead of the installed copy. */
gboolean
arw_paths_running_uninstalled (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *prefix = g_strconcat (ARW_BUILD_ROOT, G_DIR_SEPARATOR_S, NULL);

  return exe != NULL && g_str_has_prefix (exe, prefix);
}

/* Config search, after ARW's (§2.3): $ARW_CONFIG_DIR (the directory that
 * contains configs/) alone when set; otherwise the source tree when uninstalled, then the
 * installed $datadir/arw, then the current directory. */
char *
arw_paths_find_config_file (const char *relpath)
{
  g_autofree char *env_base = env_trimmed ("ARW_CONFIG_DIR");
  g_autofree char *cwd = g_get_current_dir ();
  const char *bases[4];
  guint n = 0;

  /* An explicit ARW_CONFIG_DIR is the whole answer: no fallback. */
  if (env_base != NULL)
    bases[n++] = env_base;
  else if (arw_paths_running_uninstalled ())
    bases[n++] = ARW_SOURCE_ROOT;
  if (env_base == NULL)
    {
      bases[n++] = ARW_INSTALLED_CONFIG_BASE;
      bases[n++] = cwd;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_build_filename (bases[i], "configs", relpath, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&path);
    }
  return NULL;
}

char *
arw_paths_default_catalog_dir (void)
{
  return arw_paths_find_config_file ("runtime");
}

/* ARW_RUNTIME_BUNDLE_DIR (';'-separated), else the default configs/runtime.
 * Uninstalled, without ARW_CONFIG_DIR, the build tree's demo catalog dir
 * (<build>/demo, generated at build time with the demo runtime's sha256)
 * follows; installed, the demo catalog sits in configs/runtime itself. */
GStrv
arw_paths_catalog_roots (void)
{
  g_autofree char *env = env_trimmed ("ARW_RUNTIME_BUNDLE_DIR");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (env != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (env, ";", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_strstrip (parts[i]);
          if (*parts[i] != '\0')
            g_strv_builder_add (builder, parts[i]);
        }
    }
  else
    {
      g_autofree char *dir = arw_paths_default_catalog_dir ();
      g_autofree char *config_env = env_trimmed ("ARW_CONFIG_DIR");

      if (dir != NULL)
        g_strv_builder_add (builder, dir);
      if (config_env == NULL && arw_paths_running_uninstalled () &&
          g_file_test (ARW_DEMO_CATALOG_BUILD_DIR, G_FILE_TEST_IS_DIR))
        g_strv_builder_add (builder, ARW_DEMO_CATALOG_BUILD_DIR);
    }
  return g_strv_builder_end (builder);
}
