/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "arw-consent-ledger.h"
#include "arw-error.h"
#include "arw-sha256.h"
#include "arw-test-utils.h"

#define BUNDLE_A "whisper.cpp-preview/linux-x86_64-cpu"
#define BUNDLE_B "llava-preview/linux-x86_64-cuda"

static const char *const audio[] = { "audio", NULL };
static const char *const vision[] = { "vision", NULL };
static const char *const audio_vision[] = { "audio", "vision", NULL };
static const char *const audio_text[] = { "audio", "text", NULL };

typedef struct {
  char *tmp;
  char *dir;
  char *path;
  char *head;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->tmp = arw_test_mkdtemp ();
  f->dir = g_build_filename (f->tmp, "state", "consent", NULL);
  f->path = g_build_filename (f->dir, "ledger.jsonl", NULL);
  f->head = g_build_filename (f->dir, "ledger.head", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_autofree char *state = g_build_filename (f->tmp, "state", NULL);

  arw_test_rm_rf (f->dir);
  g_rmdir (state);
  arw_test_rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->dir);
  g_free (f->path);
  g_free (f->head);
}

static ArwConsentLedger *
open_ledger (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  ArwConsentLedger *ledger = arw_consent_ledger_new (f->dir);

  arw_consent_ledger_load (ledger, &error);
  g_assert_no_error (error);
  return ledger;
}

static void
do_grant (ArwConsentLedger *ledger, const char *bundle, const char *const *mods, ArwConsentScope scope)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (arw_consent_ledger_grant (ledger, bundle, mods, scope, "rev-20240501T120000.000Z", &error));
  g_assert_no_error (error);
}

static void
do_revoke (ArwConsentLedger *ledger, const char *bundle, const char *const *mods)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (arw_consent_ledger_revoke (ledger, bundle, mods, &error));
  g_assert_no_error (error);
}

/* Three records: A audio+vision always, B vision always, A vision revoked. */
static void
write_three (Fixture *f)
{
  g_autoptr(ArwConsentLedger) ledger = open_ledger (f);

  do_grant (ledger, BUNDLE_A, audio_vision, ARW_CONSENT_SCOPE_ALWAYS);
  do_grant (ledger, BUNDLE_B, vision, ARW_CONSENT_SCOPE_ALWAYS);
  do_revoke (ledger, BUNDLE_A, vision);
  g_assert_cmpuint (arw_consent_ledger_get_n_records (ledger), ==, 3);
}

static GStrv
read_lines (Fixture *f)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (f->path, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (text, "\n"));
  text[strlen (text) - 1] = '\0';
  return g_strsplit (text, "\n", -1);
}

static void
write_lines (Fixture *f, GStrv lines)
{
  g_autofree char *joined = g_strjoinv ("\n", lines);
  g_autofree char *text = g_strconcat (joined, "\n", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (f->path, text, -1, &error);
  g_assert_no_error (error);
}

/* A fresh loader must find the ledger tampered at record, granting nothing. */
static void
assert_tampered_at (Fixture *f, guint record)
{
  g_autoptr(ArwConsentLedger) ledger = open_ledger (f);
  g_autofree char *where = g_strdup_printf ("at record %u;", record);
  g_autoptr(JsonNode) json = arw_consent_ledger_to_json (ledger);
  const char *warning = arw_consent_ledger_get_warning (ledger);

  g_assert_true (arw_consent_ledger_is_tampered (ledger));
  g_assert_nonnull (warning);
  g_assert_nonnull (strstr (warning, f->path));
  g_assert_nonnull (strstr (warning, "was modified outside ARW Launcher"));
  g_assert_nonnull (strstr (warning, where));
  g_assert_nonnull (strstr (warning, "all consents are void until you grant them again"));
  g_assert_false (arw_consent_ledger_is_granted (ledger, BUNDLE_A, audio));
  g_assert_false (arw_consent_ledger_is_granted (ledger, BUNDLE_B, vision));
  g_assert_true (json_object_get_boolean_member (json_node_get_object (json), "tampered"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (json), "grants")), ==, 0);
}

static void
test_ledger_grant_revoke_regrant (Fixture *f, gconstpointer data)
{
  g_autoptr(ArwConsentLedger) ledger = open_ledger (f);
  g_autoptr(ArwConsentLedger) fresh = NULL;
  g_autoptr(JsonNode) json = NULL;
  JsonArray *grants;

  g_assert_false (arw_consent_ledger_is_granted (ledger, BUNDLE_A, audio));
  do_grant (ledger, BUNDLE_A, audio_vision, ARW_CONSENT_SCOPE_ALWAYS);
  g_assert_true (arw_consent_ledger_is_granted (ledger, BUNDLE_A, audio));
  g_assert_true (arw_consent_ledger_is_granted (ledger, BUNDLE_A, audio_vision));
  g_assert_false (arw_consent_ledger_is_granted (ledger, BUNDLE_A, audio_text));
  g_assert_false (arw_consent_ledger_is_granted (ledger, BUNDLE_B, audio));
  g_assert_false (arw_consent_ledger_is_granted (ledger, BUNDLE_A, NULL));

  do_revoke (ledger, BUNDLE_A, vision);
  g_assert_true (arw_consent_ledger_is_granted (ledger, BUNDLE_A, audio));
  g_assert_false (arw_consent_ledger_is_granted (ledger, BUNDLE_A, vision));
  g_assert_false (arw_consent_ledger_is_granted (ledger, BUNDLE_A, audio_vision));

  do_grant (ledger, BUNDLE_A, vision, ARW_CONSENT_SCOPE_ALWAYS);
  g_assert_true (arw_consent_ledger_is_granted (ledger, BUNDLE_A, audio_vision));
  g_assert_cmpuint (arw_consent_ledger_get_n_records (ledger), ==, 3);

  /* durable: a fresh loader sees the same */
  fresh = open_ledger (f);
  g_assert_false (arw_consent_ledger_is_tampered (fresh));
  g_assert_null (arw_consent_ledger_get_warning (fresh));
  g_assert_cmpuint (arw_consent_ledger_get_n_records (fresh), ==, 3);
  g_assert_true (arw_consent_ledger_is_granted (fresh, BUNDLE_A, audio_vision));

  json = arw_consent_ledger_to_json (fresh);
  grants = json_object_get_array_member (json_node_get_object (json), "grants");
  g_assert_cmpuint (json_array_get_length (grants), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (grants, 0), "modality"), ==, "audio");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (grants, 1), "modality"), ==, "vision");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (grants, 1), "seq"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (grants, 0), "scope"), ==, "always");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (grants, 0), "revision"), ==,
                   "rev-20240501T120000.000Z");
}

static void
test_ledger_revoke_all (Fixture *f, gconstpointer data)
{
  g_autoptr(ArwConsentLedger) ledger = open_ledger (f);
  g_autoptr(ArwConsentLedger) fresh = NULL;

  do_grant (ledger, BUNDLE_A, audio_vision, ARW_CONSENT_SCOPE_ALWAYS);
  do_grant (ledger, BUNDLE_B, audio, ARW_CONSENT_SCOPE_ALWAYS);
  do_revoke (ledger, BUNDLE_A, NULL);
  g_assert_false (arw_consent_ledger_is_granted (ledger, BUNDLE_A, audio));
  g_assert_false (arw_consent_ledger_is_granted (ledger, BUNDLE_A, vision));
  g_assert_true (arw_consent_ledger_is_granted (ledger, BUNDLE_B, audio));
  /* nothing left to revoke: no record */
  do_revoke (ledger, BUNDLE_A, NULL);
  g_assert_cmpuint (arw_consent_ledger_get_n_records (ledger), ==, 3);
  fresh = open_ledger (f);
  g_assert_false (arw_consent_ledger_is_granted (fresh, BUNDLE_A, audio));
  g_assert_true (arw_consent_ledger_is_granted (fresh, BUNDLE_B, audio));
}

/* "once" lives in this process only, until end_once() or a revoke. */
static void
test_ledger_once (Fixture *f, gconstpointer data)
{
  g_autoptr(ArwConsentLedger) ledger = open_ledger (f);
  g_autoptr(ArwConsentLedger) fresh = NULL;
  g_autoptr(JsonNode) json = NULL;

  do_grant (ledger, BUNDLE_A, audio, ARW_CONSENT_SCOPE_ONCE);
  do_grant (ledger, BUNDLE_B, audio, ARW_CONSENT_SCOPE_ONCE);
  g_assert_true (arw_consent_ledger_is_granted (ledger, BUNDLE_A, audio));
  json = arw_consent_ledger_to_json (ledger);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (json), "grants")), ==, 2);

  fresh = open_ledger (f);
  g_assert_cmpuint (arw_consent_ledger_get_n_records (fresh), ==, 2);
  g_assert_false (arw_consent_ledger_is_granted (fresh, BUNDLE_A, audio));

  arw_consent_ledger_end_once (ledger, BUNDLE_A);
  g_assert_false (arw_consent_ledger_is_granted (ledger, BUNDLE_A, audio));
  g_assert_true (arw_consent_ledger_is_granted (ledger, BUNDLE_B, audio));

  /* an "always" grant outlives end_once and the process */
  do_grant (ledger, BUNDLE_A, audio, ARW_CONSENT_SCOPE_ALWAYS);
  arw_consent_ledger_end_once (ledger, BUNDLE_A);
  g_assert_true (arw_consent_ledger_is_granted (ledger, BUNDLE_A, audio));
  do_revoke (ledger, BUNDLE_B, audio);
  g_assert_false (arw_consent_ledger_is_granted (ledger, BUNDLE_B, audio));
}

static void
test_ledger_format (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *first_hash = NULL;
  JsonObject *r1, *r2;

  write_three (f);
  lines = read_lines (f);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  json_parser_load_from_data (parser, lines[0], -1, &error);
  g_assert_no_error (error);
  r1 = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (r1, "seq"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (r1, "action"), ==, "grant");
  g_assert_cmpstr (json_object_get_string_member (r1, "bundle_id"), ==, BUNDLE_A);
  g_assert_cmpstr (json_object_get_string_member (r1, "scope"), ==, "always");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (r1, "modalities")), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (r1, "prev"), ==,
                   "0000000000000000000000000000000000000000000000000000000000000000");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (r1, "time"), "Z"));
  g_assert_cmpuint (strlen (json_object_get_string_member (r1, "hash")), ==, 64);

  /* prev of record 2 is the sha256 of line 1's bytes */
  first_hash = arw_sha256_hex (lines[0], strlen (lines[0]));
  json_parser_load_from_data (parser, lines[1], -1, &error);
  g_assert_no_error (error);
  r2 = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (r2, "prev"), ==, first_hash);
}

static void
test_ledger_permissions (Fixture *f, gconstpointer data)
{
  struct stat st;

  write_three (f);
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (f->head, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (f->dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  /* a loosened mode is tightened by the next append */
  g_assert_cmpint (g_chmod (f->path, 0644), ==, 0);
  {
    g_autoptr(ArwConsentLedger) ledger = open_ledger (f);
    do_grant (ledger, BUNDLE_B, audio, ARW_CONSENT_SCOPE_ALWAYS);
  }
  g_assert_cmpint (g_stat (f->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_ledger_tamper_edit_byte (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) lines = NULL;
  char *p;

  write_three (f);
  lines = read_lines (f);
  /* the second record grants B "vision": make it "visiom" */
  p = strstr (lines[1], "vision");
  g_assert_nonnull (p);
  p[5] = 'm';
  write_lines (f, lines);
  assert_tampered_at (f, 2);
}

static void
test_ledger_tamper_edit_last (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) lines = NULL;
  char *p;

  write_three (f);
  lines = read_lines (f);
  /* turn the final revoke into a grant: only its own hash can tell */
  p = strstr (lines[2], "\"revoke\"");
  g_assert_nonnull (p);
  memcpy (p, "\"grant\" ", 8);
  write_lines (f, lines);
  assert_tampered_at (f, 3);
}

static void
test_ledger_tamper_whitespace (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) lines = NULL;
  g_autofree char *spaced = NULL;

  write_three (f);
  lines = read_lines (f);
  spaced = g_strconcat (lines[2], " ", NULL);
  g_free (lines[2]);
  lines[2] = g_steal_pointer (&spaced);
  write_lines (f, lines);
  assert_tampered_at (f, 3);
}

static void
test_ledger_tamper_delete_line (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) lines = NULL;

  write_three (f);
  lines = read_lines (f);
  g_free (lines[1]);
  lines[1] = lines[2];
  lines[2] = NULL;
  write_lines (f, lines);
  assert_tampered_at (f, 2);
}

static void
test_ledger_tamper_delete_first (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) lines = NULL;
  g_autofree char *rest = NULL;

  write_three (f);
  lines = read_lines (f);
  rest = g_strconcat (lines[1], "\n", lines[2], "\n", NULL);
  g_file_set_contents (f->path, rest, -1, NULL);
  assert_tampered_at (f, 1);
}

static void
test_ledger_tamper_swap (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) lines = NULL;
  char *tmp;

  write_three (f);
  lines = read_lines (f);
  tmp = lines[0];
  lines[0] = lines[1];
  lines[1] = tmp;
  write_lines (f, lines);
  assert_tampered_at (f, 1);
}

/* Dropping the final revoke would revive the grant: the head catches it. */
static void
test_ledger_tamper_truncate_tail (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) lines = NULL;

  write_three (f);
  lines = read_lines (f);
  g_free (lines[2]);
  lines[2] = NULL;
  write_lines (f, lines);
  assert_tampered_at (f, 3);
}

static void
test_ledger_tamper_empty_file (Fixture *f, gconstpointer data)
{
  write_three (f);
  g_file_set_contents (f->path, "", 0, NULL);
  assert_tampered_at (f, 1);
}

static void
test_ledger_tamper_head (Fixture *f, gconstpointer data)
{
  write_three (f);
  g_file_set_contents (f->head, "{\"seq\":3,\"hash\":\"0000000000000000000000000000000000000000000000000000000000000001\"}",
                       -1, NULL);
  assert_tampered_at (f, 3);
}

/* After tampering, granting again starts a fresh chain; the old file is
 * kept beside it. */
static void
test_ledger_tamper_recovery (Fixture *f, gconstpointer data)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(ArwConsentLedger) ledger = NULL;
  g_autoptr(ArwConsentLedger) fresh = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  gboolean kept = FALSE;

  write_three (f);
  lines = read_lines (f);
  g_free (lines[1]);
  lines[1] = g_strdup ("{}");
  write_lines (f, lines);

  ledger = open_ledger (f);
  g_assert_true (arw_consent_ledger_is_tampered (ledger));
  do_grant (ledger, BUNDLE_A, audio, ARW_CONSENT_SCOPE_ALWAYS);
  g_assert_false (arw_consent_ledger_is_tampered (ledger));
  g_assert_true (arw_consent_ledger_is_granted (ledger, BUNDLE_A, audio));
  g_assert_cmpuint (arw_consent_ledger_get_n_records (ledger), ==, 1);

  fresh = open_ledger (f);
  g_assert_false (arw_consent_ledger_is_tampered (fresh));
  g_assert_true (arw_consent_ledger_is_granted (fresh, BUNDLE_A, audio));
  g_assert_false (arw_consent_ledger_is_granted (fresh, BUNDLE_B, vision));

  dir = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    kept |= g_str_has_prefix (name, "ledger.jsonl.tampered-");
  g_assert_true (kept);
}

/* A crash mid-append leaves a line without a newline: ignored, then cut. */
static void
test_ledger_torn_tail (Fixture *f, gconstpointer data)
{
  g_autofree char *text = NULL;
  g_autofree char *torn = NULL;
  g_autoptr(ArwConsentLedger) ledger = NULL;
  g_autoptr(ArwConsentLedger) fresh = NULL;
  g_auto(GStrv) lines = NULL;

  write_three (f);
  g_file_get_contents (f->path, &text, NULL, NULL);
  torn = g_strconcat (text, "{\"seq\":4,\"time\":\"2024-05-01T12:", NULL);
  g_file_set_contents (f->path, torn, -1, NULL);

  ledger = open_ledger (f);
  g_assert_false (arw_consent_ledger_is_tampered (ledger));
  g_assert_nonnull (strstr (arw_consent_ledger_get_warning (ledger), "incomplete record"));
  g_assert_cmpuint (arw_consent_ledger_get_n_records (ledger), ==, 3);
  g_assert_true (arw_consent_ledger_is_granted (ledger, BUNDLE_A, audio));
  g_assert_true (arw_consent_ledger_is_granted (ledger, BUNDLE_B, vision));
  g_assert_false (arw_consent_ledger_is_granted (ledger, BUNDLE_A, vision));

  do_grant (ledger, BUNDLE_A, vision, ARW_CONSENT_SCOPE_ALWAYS);
  fresh = open_ledger (f);
  g_assert_false (arw_consent_ledger_is_tampered (fresh));
  g_assert_null (arw_consent_ledger_get_warning (fresh));
  g_assert_cmpuint (arw_consent_ledger_get_n_records (fresh), ==, 4);
  g_assert_true (arw_consent_ledger_is_granted (fresh, BUNDLE_A, audio_vision));
  lines = read_lines (f);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
}

/* A crash between the ledger fsync and the head update: the head lags by
 * one record, which is accepted and repaired by the next append. */
static void
test_ledger_head_lag (Fixture *f, gconstpointer data)
{
  g_autofree char *old_head = NULL;
  g_autoptr(ArwConsentLedger) ledger = open_ledger (f);
  g_autoptr(ArwConsentLedger) fresh = NULL;
  g_autoptr(ArwConsentLedger) again = NULL;

  do_grant (ledger, BUNDLE_A, audio, ARW_CONSENT_SCOPE_ALWAYS);
  g_file_get_contents (f->head, &old_head, NULL, NULL);
  do_revoke (ledger, BUNDLE_A, audio);
  g_file_set_contents (f->head, old_head, -1, NULL);

  fresh = open_ledger (f);
  g_assert_false (arw_consent_ledger_is_tampered (fresh));
  g_assert_false (arw_consent_ledger_is_granted (fresh, BUNDLE_A, audio));
  do_grant (fresh, BUNDLE_B, vision, ARW_CONSENT_SCOPE_ALWAYS);

  again = open_ledger (f);
  g_assert_false (arw_consent_ledger_is_tampered (again));
  g_assert_cmpuint (arw_consent_ledger_get_n_records (again), ==, 3);

  /* no head but three records: more than one crash can explain */
  g_assert_cmpint (g_unlink (f->head), ==, 0);
  {
    g_autoptr(ArwConsentLedger) two_ahead = open_ledger (f);
    g_assert_true (arw_consent_ledger_is_tampered (two_ahead));
  }
}

/* Two objects (helper and CLI) appending in turn keep one chain. */
static void
test_ledger_two_writers (Fixture *f, gconstpointer data)
{
  g_autoptr(ArwConsentLedger) a = open_ledger (f);
  g_autoptr(ArwConsentLedger) b = open_ledger (f);
  g_autoptr(ArwConsentLedger) fresh = NULL;

  do_grant (a, BUNDLE_A, audio, ARW_CONSENT_SCOPE_ALWAYS);
  do_grant (b, BUNDLE_B, audio, ARW_CONSENT_SCOPE_ALWAYS);
  do_revoke (a, BUNDLE_A, audio);
  g_assert_true (arw_consent_ledger_is_granted (a, BUNDLE_B, audio));
  fresh = open_ledger (f);
  g_assert_false (arw_consent_ledger_is_tampered (fresh));
  g_assert_cmpuint (arw_consent_ledger_get_n_records (fresh), ==, 3);
  g_assert_false (arw_consent_ledger_is_granted (fresh, BUNDLE_A, audio));
  g_assert_true (arw_consent_ledger_is_granted (fresh, BUNDLE_B, audio));
}

static void
test_ledger_invalid (Fixture *f, gconstpointer data)
{
  g_autoptr(ArwConsentLedger) ledger = open_ledger (f);
  const char *const bad_mod[] = { "Audio", NULL };
  const char *const empty[] = { NULL };
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;
  g_autoptr(GError) e4 = NULL;

  g_assert_false (arw_consent_ledger_grant (ledger, "", audio, ARW_CONSENT_SCOPE_ALWAYS, NULL, &e1));
  g_assert_error (e1, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT);
  g_assert_false (arw_consent_ledger_grant (ledger, "a\nb", audio, ARW_CONSENT_SCOPE_ALWAYS, NULL, &e2));
  g_assert_error (e2, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT);
  g_assert_false (arw_consent_ledger_grant (ledger, BUNDLE_A, bad_mod, ARW_CONSENT_SCOPE_ALWAYS, NULL, &e3));
  g_assert_error (e3, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT);
  g_assert_false (arw_consent_ledger_grant (ledger, BUNDLE_A, empty, ARW_CONSENT_SCOPE_ALWAYS, NULL, &e4));
  g_assert_error (e4, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT);
  g_assert_false (g_file_test (f->path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (arw_consent_ledger_get_n_records (ledger), ==, 0);
}

/* Never loaded, or unreadable: nothing is granted. */
static void
test_ledger_fail_closed (Fixture *f, gconstpointer data)
{
  g_autoptr(ArwConsentLedger) ledger = NULL;
  g_autoptr(ArwConsentLedger) unloaded = arw_consent_ledger_new (f->dir);
  g_autoptr(GError) error = NULL;

  write_three (f);
  g_assert_false (arw_consent_ledger_is_granted (unloaded, BUNDLE_A, audio));
  /* a directory where the ledger should be */
  g_assert_cmpint (g_unlink (f->path), ==, 0);
  g_assert_cmpint (g_mkdir (f->path, 0700), ==, 0);
  ledger = arw_consent_ledger_new (f->dir);
  g_assert_false (arw_consent_ledger_load (ledger, &error));
  g_assert_nonnull (error);
  g_assert_false (arw_consent_ledger_is_granted (ledger, BUNDLE_A, audio));
  g_assert_cmpint (g_rmdir (f->path), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func) g_test_add ("/arw/consent-ledger/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("grant-revoke-regrant", test_ledger_grant_revoke_regrant);
  ADD ("revoke-all", test_ledger_revoke_all);
  ADD ("once", test_ledger_once);
  ADD ("format", test_ledger_format);
  ADD ("permissions", test_ledger_permissions);
  ADD ("tamper-edit-byte", test_ledger_tamper_edit_byte);
  ADD ("tamper-edit-last", test_ledger_tamper_edit_last);
  ADD ("tamper-whitespace", test_ledger_tamper_whitespace);
  ADD ("tamper-delete-line", test_ledger_tamper_delete_line);
  ADD ("tamper-delete-first", test_ledger_tamper_delete_first);
  ADD ("tamper-swap", test_ledger_tamper_swap);
  ADD ("tamper-truncate-tail", test_ledger_tamper_truncate_tail);
  ADD ("tamper-empty-file", test_ledger_tamper_empty_file);
  ADD ("tamper-head", test_ledger_tamper_head);
  ADD ("tamper-recovery", test_ledger_tamper_recovery);
  ADD ("torn-tail", test_ledger_torn_tail);
  ADD ("head-lag", test_ledger_head_lag);
  ADD ("two-writers", test_ledger_two_writers);
  ADD ("invalid", test_ledger_invalid);
  ADD ("fail-closed", test_ledger_fail_closed);
#undef ADD
  return g_test_run ();
}
