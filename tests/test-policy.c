/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "arw-error.h"
#include "arw-policy.h"
#include "arw-test-utils.h"

static guint n_decisions;
static char *last_decision_capability;

static void
event_cb (ArwEventBus *bus, ArwEvent *event, gpointer user_data)
{
  JsonObject *payload;

  if (!g_str_equal (arw_event_get_topic (event), "policy.decision"))
    return;
  payload = json_node_get_object (arw_event_get_payload (event));
  n_decisions++;
  g_free (last_decision_capability);
  last_decision_capability = g_strdup (json_object_get_string_member_with_default (payload, "require_capability",
                                                                                   NULL));
}

static void
test_posture_parse (void)
{
  ArwPosture p;

  g_assert_true (arw_posture_from_string (" Strict ", &p) && p == ARW_POSTURE_STRICT);
  g_assert_true (arw_posture_from_string ("relaxed", &p) && p == ARW_POSTURE_RELAXED);
  g_assert_false (arw_posture_from_string ("lax", &p));
  g_setenv ("ARW_SECURITY_POSTURE", "standard", TRUE);
  g_assert_cmpint (arw_posture_from_env (), ==, ARW_POSTURE_STANDARD);
  g_setenv ("ARW_SECURITY_POSTURE", "", TRUE);
  g_setenv ("XDG_CURRENT_DESKTOP", "GNOME", TRUE);
  g_assert_cmpint (arw_posture_from_env (), ==, ARW_POSTURE_RELAXED);
  g_unsetenv ("XDG_CURRENT_DESKTOP");
  g_unsetenv ("WAYLAND_DISPLAY");
  g_unsetenv ("DISPLAY");
  g_assert_cmpint (arw_posture_from_env (), ==, ARW_POSTURE_STANDARD);
  g_unsetenv ("ARW_SECURITY_POSTURE");
}

static void
test_token_and_leases (void)
{
  g_autofree char *state = arw_test_mkdtemp ();
  g_autoptr(ArwEventBus) bus = arw_event_bus_new (16);
  g_autoptr(ArwPolicy) policy = arw_policy_new (state, ARW_POSTURE_STANDARD, bus);
  g_autoptr(ArwPolicy) other = arw_policy_new (state, ARW_POSTURE_STANDARD, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *again = NULL;
  g_autofree char *path = g_build_filename (state, "admin", "token", NULL);
  g_autoptr(ArwLease) lease = NULL;
  GStatBuf st;

  g_signal_connect (bus, "event", G_CALLBACK (event_cb), NULL);
  g_unsetenv ("ARW_ADMIN_TOKEN");
  token = arw_policy_persist_admin_token (policy, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (token), ==, 64);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  again = arw_policy_persist_admin_token (other, &error);
  g_assert_cmpstr (again, ==, token);
  g_assert_true (arw_policy_check_admin_token (policy, token));
  g_assert_false (arw_policy_check_admin_token (policy, "x"));
  g_assert_false (arw_policy_check_admin_token (policy, ""));
  g_setenv ("ARW_ADMIN_TOKEN", "from-env", TRUE);
  g_assert_true (arw_policy_check_admin_token (policy, "from-env"));
  g_unsetenv ("ARW_ADMIN_TOKEN");

  /* standard: denied without a lease, with a decision event */
  n_decisions = 0;
  g_assert_false (arw_policy_check_manage (policy, "runtime.supervisor.restore", FALSE, FALSE, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_PERMISSION_DENIED);
  g_assert_true (g_str_has_prefix (error->message, "runtime:manage lease required"));
  g_clear_error (&error);
  g_assert_cmpuint (n_decisions, ==, 1);
  g_assert_cmpstr (last_decision_capability, ==, "runtime:manage");

  g_assert_null (arw_policy_request_lease (policy, ARW_CAPABILITY_RUNTIME_MANAGE, 60, "bad", &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  lease = arw_policy_request_lease (policy, ARW_CAPABILITY_RUNTIME_MANAGE, 999999, token, &error);
  g_assert_no_error (error);
  /* clamped to a day */
  g_assert_cmpint (lease->ttl_until_us - lease->created_us, ==, (gint64) 86400 * G_USEC_PER_SEC);
  g_assert_true (arw_policy_check_manage (policy, "runtime.supervisor.restore", FALSE, FALSE, &error));
  g_assert_no_error (error);
  /* persisted: another instance (the CLI, a restarted helper) sees it */
  g_assert_true (arw_policy_has_lease (other, ARW_CAPABILITY_RUNTIME_MANAGE));
  g_assert_false (arw_policy_has_lease (other, "runtime:other"));
  /* a sandboxed caller other than our app is denied anyway */
  g_assert_false (arw_policy_check_manage (policy, "runtime.supervisor.restore", TRUE, FALSE, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_PERMISSION_DENIED);
  g_clear_error (&error);
  g_assert_true (arw_policy_check_manage (policy, "runtime.supervisor.restore", TRUE, TRUE, &error));
  arw_test_rm_rf (state);
}

static void
test_relaxed (void)
{
  g_autofree char *state = arw_test_mkdtemp ();
  g_autoptr(ArwPolicy) policy = arw_policy_new (state, ARW_POSTURE_RELAXED, NULL);
  g_autoptr(ArwLease) lease = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (arw_policy_check_manage (policy, "runtime.supervisor.restore", FALSE, FALSE, &error));
  g_assert_true (arw_policy_check_manage (policy, "runtime.supervisor.restore", TRUE, TRUE, &error));
  g_assert_false (arw_policy_check_manage (policy, "runtime.supervisor.restore", TRUE, FALSE, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "sandboxed"));
  g_clear_error (&error);
  /* ttl 0 = default, 1 is the minimum */
  g_setenv ("ARW_ADMIN_TOKEN", "t", TRUE);
  lease = arw_policy_request_lease (policy, ARW_CAPABILITY_RUNTIME_MANAGE, 0, "t", &error);
  g_assert_no_error (error);
  g_assert_cmpint (lease->ttl_until_us - lease->created_us, ==, (gint64) 3600 * G_USEC_PER_SEC);
  g_unsetenv ("ARW_ADMIN_TOKEN");
  arw_test_rm_rf (state);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/policy/posture", test_posture_parse);
  g_test_add_func ("/policy/token-and-leases", test_token_and_leases);
  g_test_add_func ("/policy/relaxed", test_relaxed);
  return g_test_run ();
}
