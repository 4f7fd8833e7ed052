/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Crash safety of the store with real processes and real SIGKILLs:
 * - every crash point of a commit and of a rollback (ARW_STORE_CRASH_AT=N
 *   for N = 0..total mutations), each followed by a recovery that may itself
 *   be killed once;
 * - random external SIGKILLs;
 * - ENOSPC on a 2 MiB tmpfs inside `unshare -Urm`.
 * After each crash the store is recovered and the bundle must be exactly the
 * old tree or exactly the new one, history complete, staging and journal
 * empty. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "arw-store.h"
#include "arw-test-utils.h"
#include "store-test-tree.h"

#define ID "vendor/tool"
#define RANDOM_KILLS 60

typedef enum { SCENARIO_COMMIT, SCENARIO_ROLLBACK } Scenario;

typedef struct {
  guint crashed;
  guint completed;
  guint old_state;
  guint new_state;
} Counts;

static char *
child_path (void)
{
  return g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "store-crash-child", NULL);
}

static void
commit_in_process (ArwStore *store, const StoreTestFile *files)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwStoreTransaction) tx = arw_store_begin (store, ID, ARW_STORE_KIND_INSTALL, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (store_test_tree_write (arw_store_transaction_get_staging_dir (tx), files, &error));
  g_assert_true (arw_store_transaction_commit (tx, &error));
  g_assert_no_error (error);
}

/* Fresh root holding A (commit) or B over A (rollback). */
static char *
setup_root (const char *tmp, Scenario scenario)
{
  g_autofree char *root = g_build_filename (tmp, "bundles", NULL);
  g_autoptr(ArwStore) store = NULL;
  g_autoptr(GError) error = NULL;

  arw_test_rm_rf (root);
  store = arw_store_open (root, &error);
  g_assert_no_error (error);
  commit_in_process (store, store_test_tree_a);
  if (scenario == SCENARIO_ROLLBACK)
    commit_in_process (store, store_test_tree_b);
  return g_steal_pointer (&root);
}

static GSubprocess *
spawn_child (const char *mode, const char *root, gint64 crash_at, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autofree char *child = child_path ();

  if (crash_at >= 0)
    {
      g_autofree char *n = g_strdup_printf ("%" G_GINT64_FORMAT, crash_at);

      g_subprocess_launcher_setenv (launcher, "ARW_STORE_CRASH_AT", n, TRUE);
    }
  else
    g_subprocess_launcher_unsetenv (launcher, "ARW_STORE_CRASH_AT");
  return g_subprocess_launcher_spawn (launcher, error, child, mode, root, NULL);
}

/* Runs the child; returns TRUE if it was SIGKILLed, FALSE if it finished
 * (and then *out_mutations holds its count). */
static gboolean
run_child (const char *mode, const char *root, gint64 crash_at, guint64 *out_mutations)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = spawn_child (mode, root, crash_at, &error);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  if (g_subprocess_get_if_signaled (proc))
    {
      g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGKILL);
      return TRUE;
    }
  if (g_subprocess_get_exit_status (proc) != 0)
    g_error ("child %s failed: %s", mode, err);
  g_assert_true (g_str_has_prefix (out, "mutations "));
  if (out_mutations != NULL)
    *out_mutations = g_ascii_strtoull (out + strlen ("mutations "), NULL, 10);
  return FALSE;
}

static GPtrArray *
revision_dirs (const char *live)
{
  g_autofree char *history = g_build_filename (live, "history", NULL);
  g_autoptr(GDir) dir = g_dir_open (history, 0, NULL);
  GPtrArray *revs = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (revs, g_build_filename (history, name, NULL));
  return revs;
}

static void
assert_revision (const char *rev, const StoreTestFile *files, const char *kind)
{
  g_autofree char *info_path = g_build_filename (rev, "info.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *info;

  g_assert_true (store_test_tree_is (rev, "info.json", files));
  g_assert_true (json_parser_load_from_file (parser, info_path, &error));
  g_assert_no_error (error);
  info = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (info, "kind"), ==, kind);
  g_assert_cmpstr (json_object_get_string_member (info, "bundle"), ==, ID);
}

/* Recovers the store in-process and checks the all-or-nothing invariant.
 * Returns TRUE when the new state won. */
static gboolean
recover_and_check (const char *root, Scenario scenario)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwStore) store = arw_store_open (root, &error);
  g_autofree char *live = NULL;
  g_autofree char *staging = g_build_filename (root, ".arw-staging", NULL);
  g_autofree char *journal = g_build_filename (root, ".arw-journal", NULL);
  g_autoptr(GPtrArray) revs = NULL;
  const StoreTestFile *old_tree = scenario == SCENARIO_COMMIT ? store_test_tree_a : store_test_tree_b;
  const StoreTestFile *new_tree = scenario == SCENARIO_COMMIT ? store_test_tree_b : store_test_tree_a;
  gboolean is_new;

  g_assert_no_error (error);
  live = arw_store_get_bundle_dir (store, ID);
  g_assert_cmpuint (store_test_count_entries (staging), ==, 0);
  g_assert_cmpuint (store_test_count_entries (journal), ==, 0);
  revs = revision_dirs (live);
  is_new = store_test_tree_is (live, "history", new_tree);
  if (!is_new)
    g_assert_true (store_test_tree_is (live, "history", old_tree));

  if (scenario == SCENARIO_COMMIT && !is_new)
    g_assert_cmpuint (revs->len, ==, 0);
  else if (scenario == SCENARIO_COMMIT)
    {
      g_assert_cmpuint (revs->len, ==, 1);
      assert_revision (g_ptr_array_index (revs, 0), store_test_tree_a, "install");
    }
  else
    {
      /* Rollback swaps: history always holds exactly the other tree. */
      g_assert_cmpuint (revs->len, ==, 1);
      assert_revision (g_ptr_array_index (revs, 0), is_new ? store_test_tree_b : store_test_tree_a,
                       is_new ? "rollback" : "install");
    }
  return is_new;
}

static void
tally (Counts *c, gboolean crashed, gboolean is_new)
{
  if (crashed)
    c->crashed++;
  else
    c->completed++;
  if (is_new)
    c->new_state++;
  else
    c->old_state++;
}

static void
enumerate_crash_points (Scenario scenario)
{
  const char *mode = scenario == SCENARIO_COMMIT ? "commit" : "rollback";
  g_autofree char *tmp = arw_test_mkdtemp ();
  g_autofree char *root = setup_root (tmp, scenario);
  guint64 total = 0;
  guint nested_kills = 0;
  Counts c = { 0 };

  /* A clean run counts the mutations. */
  g_assert_false (run_child (mode, root, -1, &total));
  g_assert_true (recover_and_check (root, scenario));
  g_assert_cmpuint (total, >, 10);

  for (guint64 n = 0; n <= total; n++)
    {
      gboolean crashed;

      g_free (root);
      root = setup_root (tmp, scenario);
      crashed = run_child (mode, root, (gint64) n, NULL);
      g_assert_true (crashed);
      /* Kill every other recovery at an early step, then recover for real:
       * recovery itself must be safe to repeat. */
      if (n % 2 == 1 && run_child ("recover", root, (gint64) (n / 2) % 4, NULL))
        nested_kills++;
      tally (&c, crashed, recover_and_check (root, scenario));
    }
  g_test_message ("%s: %" G_GUINT64_FORMAT " crash points (0..%" G_GUINT64_FORMAT "), %u recoveries killed too; "
                  "recovered to old state %u times, new state %u times",
                  mode, total + 1, total, nested_kills, c.old_state, c.new_state);
  g_assert_cmpuint (c.crashed, ==, total + 1);
  g_assert_cmpuint (c.old_state, >, 0);
  g_assert_cmpuint (c.new_state, >, 0);
  g_assert_cmpuint (nested_kills, >, 0);
  arw_test_rm_rf (tmp);
}

static void
test_crash_points_commit (void)
{
  enumerate_crash_points (SCENARIO_COMMIT);
}

static void
test_crash_points_rollback (void)
{
  enumerate_crash_points (SCENARIO_ROLLBACK);
}

/* Real SIGKILLs from outside at random times within a clean run's span. */
static void
random_kills (Scenario scenario)
{
  const char *mode = scenario == SCENARIO_COMMIT ? "commit" : "rollback";
  g_autofree char *tmp = arw_test_mkdtemp ();
  g_autofree char *root = NULL;
  guint32 seed = g_random_int ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gint64 span = 0;
  Counts c = { 0 };

  for (guint i = 0; i < 3; i++)
    {
      gint64 start;

      g_free (root);
      root = setup_root (tmp, scenario);
      start = g_get_monotonic_time ();
      g_assert_false (run_child (mode, root, -1, NULL));
      span = MAX (span, g_get_monotonic_time () - start);
    }
  g_test_message ("seed %u, clean %s run %" G_GINT64_FORMAT " us", seed, mode, span);

  for (guint i = 0; i < RANDOM_KILLS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) proc = NULL;
      gboolean crashed;

      g_free (root);
      root = setup_root (tmp, scenario);
      proc = spawn_child (mode, root, -1, &error);
      g_assert_no_error (error);
      /* Fault timing, not synchronisation: the child may be anywhere. */
      g_usleep ((gulong) g_rand_int_range (rand, 0, (gint32) MIN (span, G_MAXINT32)));
      g_subprocess_send_signal (proc, SIGKILL);
      g_assert_true (g_subprocess_wait (proc, NULL, &error));
      crashed = g_subprocess_get_if_signaled (proc);
      g_assert_true (crashed || g_subprocess_get_exit_status (proc) == 0);
      tally (&c, crashed, recover_and_check (root, scenario));
    }
  g_test_message ("%s: %u random kills, %u landed before the child finished; old state %u, new state %u",
                  mode, RANDOM_KILLS, c.crashed, c.old_state, c.new_state);
  g_assert_cmpuint (c.crashed + c.completed, ==, RANDOM_KILLS);
  g_assert_cmpuint (c.crashed, >, 0);
  arw_test_rm_rf (tmp);
}

static void
test_random_kills_commit (void)
{
  random_kills (SCENARIO_COMMIT);
}

static void
test_random_kills_rollback (void)
{
  random_kills (SCENARIO_ROLLBACK);
}

/* ---- ENOSPC in a user+mount namespace ---- */

static gboolean
unshare_works (char **out_reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                                  &error, "unshare", "-Urm", "true", NULL);
  g_autofree char *err = NULL;

  if (proc == NULL)
    {
      *out_reason = g_strdup_printf ("cannot run unshare: %s", error->message);
      return FALSE;
    }
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, NULL);
  if (!g_subprocess_get_successful (proc))
    {
      *out_reason = g_strdup_printf ("unshare -Urm is not permitted here: %s", err != NULL ? g_strstrip (err) : "");
      return FALSE;
    }
  return TRUE;
}

static void
run_in_small_tmpfs (const char *mode, const char *expect)
{
  g_autofree char *reason = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *child = child_path ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;

  if (!unshare_works (&reason))
    {
      g_test_skip (reason);
      return;
    }
  tmp = arw_test_mkdtemp ();
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           "unshare", "-Urm", "sh", "-c",
                           "mount -t tmpfs -o size=2m tmpfs \"$1\" && exec \"$2\" \"$3\" \"$1/bundles\"",
                           "sh", tmp, child, mode, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_test_message ("%s: %s%s", mode, out, err);
  g_assert_true (g_subprocess_get_successful (proc));
  g_assert_nonnull (strstr (out, expect));
  arw_test_rm_rf (tmp);
}

static void
test_enospc_write (void)
{
  run_in_small_tmpfs ("enospc-write", "ok enospc-write code=NO_SPACE");
}

static void
test_enospc_reserve (void)
{
  run_in_small_tmpfs ("enospc-reserve", "ok enospc-reserve");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arw/store-crash/crash-points-commit", test_crash_points_commit);
  g_test_add_func ("/arw/store-crash/crash-points-rollback", test_crash_points_rollback);
  g_test_add_func ("/arw/store-crash/random-kills-commit", test_random_kills_commit);
  g_test_add_func ("/arw/store-crash/random-kills-rollback", test_random_kills_rollback);
  g_test_add_func ("/arw/store-crash/enospc-write", test_enospc_write);
  g_test_add_func ("/arw/store-crash/enospc-reserve", test_enospc_reserve);
  return g_test_run ();
}
