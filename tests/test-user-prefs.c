/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The helper applies what the person set in Preferences (GSettings, here
 * the memory backend with the build tree's compiled schema), and the
 * ARW_* environment variables still win. */
#include "config.h"

#include <gio/gio.h>

#include "arw-user-prefs.h"

static void
clear_env (void)
{
  g_unsetenv ("ARW_SECURITY_POSTURE");
  g_unsetenv ("ARW_REQUIRE_SIGNED_BUNDLES");
  g_unsetenv ("ARW_RUNTIME_KEEP_REVISIONS");
  g_unsetenv ("ARW_ACCELERATOR_ORDER");
  g_unsetenv ("XDG_CURRENT_DESKTOP");
  g_unsetenv ("WAYLAND_DISPLAY");
  g_unsetenv ("DISPLAY");
}

static void
test_defaults_do_not_count (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("org.arw.Launcher");
  g_auto(GStrv) order = NULL;

  clear_env ();
  g_settings_reset (settings, "security-posture");
  g_settings_reset (settings, "require-signed-bundles");
  g_settings_reset (settings, "revisions-to-keep");
  g_settings_reset (settings, "accelerator-order");
  /* No desktop session in this test: ARW's default posture. */
  g_assert_cmpint (arw_user_prefs_posture (), ==, ARW_POSTURE_STANDARD);
  g_assert_false (arw_user_prefs_require_signed ());
  g_assert_cmpuint (arw_user_prefs_keep_revisions (), ==, 0);
  order = arw_user_prefs_accelerator_order ();
  g_assert_null (order);
}

static void
test_user_choices_apply (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("org.arw.Launcher");
  const char *order_set[] = { "gpu_vulkan", "cpu", NULL };
  g_auto(GStrv) order = NULL;

  clear_env ();
  g_settings_set_string (settings, "security-posture", "strict");
  g_settings_set_boolean (settings, "require-signed-bundles", TRUE);
  g_settings_set_uint (settings, "revisions-to-keep", 2);
  g_settings_set_strv (settings, "accelerator-order", order_set);
  g_assert_cmpint (arw_user_prefs_posture (), ==, ARW_POSTURE_STRICT);
  g_assert_true (arw_user_prefs_require_signed ());
  g_assert_cmpuint (arw_user_prefs_keep_revisions (), ==, 2);
  order = arw_user_prefs_accelerator_order ();
  g_assert_cmpstrv (order, order_set);
}

static void
test_environment_wins (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("org.arw.Launcher");
  g_auto(GStrv) order = NULL;

  clear_env ();
  g_settings_set_string (settings, "security-posture", "strict");
  g_settings_set_boolean (settings, "require-signed-bundles", TRUE);
  g_settings_set_uint (settings, "revisions-to-keep", 2);
  g_setenv ("ARW_SECURITY_POSTURE", "relaxed", TRUE);
  g_setenv ("ARW_REQUIRE_SIGNED_BUNDLES", "0", TRUE);
  g_setenv ("ARW_RUNTIME_KEEP_REVISIONS", "9", TRUE);
  g_setenv ("ARW_ACCELERATOR_ORDER", "cpu,gpu_cuda", TRUE);
  g_assert_cmpint (arw_user_prefs_posture (), ==, ARW_POSTURE_RELAXED);
  g_assert_false (arw_user_prefs_require_signed ());
  g_assert_cmpuint (arw_user_prefs_keep_revisions (), ==, 0);
  order = arw_user_prefs_accelerator_order ();
  g_assert_cmpstrv (order, ((const char *const[]){ "cpu", "gpu_cuda", NULL }));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arw/user-prefs/defaults-do-not-count", test_defaults_do_not_count);
  g_test_add_func ("/arw/user-prefs/user-choices-apply", test_user_choices_apply);
  g_test_add_func ("/arw/user-prefs/environment-wins", test_environment_wins);
  return g_test_run ();
}
