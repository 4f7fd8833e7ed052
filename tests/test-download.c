/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>

#include "arw-download.h"
#include "arw-error.h"
#include "arw-sha256.h"
#include "arw-test-http-server.h"
#include "arw-test-utils.h"

#define MIB (1024 * 1024)

typedef struct {
  ArwTestHttpServer *server;
  ArwDownloader *downloader;
  ArwProgress *progress;
  GPtrArray *messages;
  char *dir;
  char *dest;
  char *part;
  GBytes *content;
  char *sha;
  char *url;
} Fixture;

static GBytes *
make_content (gsize size, guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  guint32 *data = g_malloc (size + sizeof (guint32));

  for (gsize i = 0; i < size / sizeof (guint32) + 1; i++)
    data[i] = g_rand_int (rand);
  return g_bytes_new_take (data, size);
}

static char *
bytes_sha (GBytes *bytes)
{
  gsize len;
  const void *data = g_bytes_get_data (bytes, &len);

  return arw_sha256_hex (data, len);
}

static void
on_message (ArwProgress *progress, const char *message, gpointer user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->messages, g_strdup (message));
}

static gboolean
has_message (Fixture *f, const char *needle)
{
  for (guint i = 0; i < f->messages->len; i++)
    if (strstr (g_ptr_array_index (f->messages, i), needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->server = arw_test_http_server_new ();
  f->downloader = arw_downloader_new ();
  arw_downloader_set_stall_timeout_ms (f->downloader, 10 * 1000);
  arw_downloader_set_max_retries (f->downloader, 3);
  arw_downloader_set_backoff (f->downloader, 1, 10);
  f->progress = arw_progress_new ();
  f->messages = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->progress, "message", G_CALLBACK (on_message), f);
  f->dir = arw_test_mkdtemp ();
  f->dest = g_build_filename (f->dir, "artifact.bin", NULL);
  f->part = g_strconcat (f->dest, ".part", NULL);
  f->content = make_content (3 * MIB + 4321, 7);
  f->sha = bytes_sha (f->content);
  arw_test_http_server_set_content (f->server, "/artifact.bin", f->content);
  f->url = arw_test_http_server_url (f->server, "/artifact.bin");
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  arw_test_http_server_free (f->server);
  g_object_unref (f->downloader);
  g_object_unref (f->progress);
  g_ptr_array_unref (f->messages);
  arw_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->dest);
  g_free (f->part);
  g_bytes_unref (f->content);
  g_free (f->sha);
  g_free (f->url);
}

static void
assert_file_equals (const char *path, GBytes *want)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (data, len, g_bytes_get_data (want, NULL), g_bytes_get_size (want));
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (guint64) st.st_size;
}

static char *
fetch (Fixture *f, const char *url, const char *sha, guint64 size, GError **error)
{
  ArwDownloadRequest req = { .url = url, .expected_sha256 = sha, .size_bytes = size };

  return arw_download_file (f->downloader, &req, f->dest, f->progress, NULL, error);
}

static void
assert_success (Fixture *f, char *hex, GError *error, GBytes *want)
{
  g_autofree char *owned = hex;
  g_autofree char *want_sha = bytes_sha (want);
  g_autofree char *meta = g_strconcat (f->dest, ".part.meta", NULL);

  g_assert_no_error (error);
  g_assert_cmpstr (owned, ==, want_sha);
  assert_file_equals (f->dest, want);
  g_assert_false (g_file_test (f->part, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (meta, G_FILE_TEST_EXISTS));
}

static void
assert_nothing_left (Fixture *f)
{
  g_assert_false (g_file_test (f->dest, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (f->part, G_FILE_TEST_EXISTS));
}

static char *
request_header (Fixture *f, const char *path, guint index, const char *name)
{
  return arw_test_http_server_get_request_header (f->server, path, index, name);
}

static void
test_download_basic (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwProgressSnapshot) snap = NULL;
  g_autofree char *accept_encoding = NULL;
  g_autofree char *user_agent = NULL;
  g_autofree char *range = NULL;
  char *hex = fetch (f, f->url, f->sha, g_bytes_get_size (f->content), &error);

  assert_success (f, hex, error, f->content);
  g_assert_cmpuint (arw_test_http_server_get_request_count (f->server, "/artifact.bin"), ==, 1);
  accept_encoding = request_header (f, "/artifact.bin", 0, "Accept-Encoding");
  user_agent = request_header (f, "/artifact.bin", 0, "User-Agent");
  range = request_header (f, "/artifact.bin", 0, "Range");
  g_assert_null (accept_encoding);
  g_assert_null (range);
  g_assert_cmpstr (user_agent, ==, "arw-runtime/" PACKAGE_VERSION);

  snap = arw_progress_get_snapshot (f->progress);
  g_assert_cmpuint (snap->bytes_done, ==, g_bytes_get_size (f->content));
  g_assert_cmpuint (snap->bytes_total, ==, g_bytes_get_size (f->content));
  g_assert_cmpstr (snap->item, ==, "artifact.bin");
  g_assert_cmpint (snap->phase, ==, ARW_PROGRESS_PHASE_VERIFYING);
}

/* The catalog hash is compared case-insensitively after trimming; no hash
 * and no size still downloads (the caller warns). */
static void
test_download_sha_case (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *upper = g_ascii_strup (f->sha, -1);
  g_autofree char *padded = g_strdup_printf ("  %s\n", upper);
  char *hex = fetch (f, f->url, padded, 0, &error);

  assert_success (f, hex, error, f->content);
  hex = fetch (f, f->url, NULL, 0, &error);
  assert_success (f, hex, error, f->content);
}

/* Payloads are hashed as raw bytes: no decoding even when the server
 * labels them gzip. */
static void
test_download_content_encoding_raw (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  char *hex;

  arw_test_http_server_set_header (f->server, "/artifact.bin", "Content-Encoding", "gzip");
  hex = fetch (f, f->url, f->sha, g_bytes_get_size (f->content), &error);
  assert_success (f, hex, error, f->content);
}

static void
test_download_file_url (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *src_dir = g_build_filename (f->dir, "catalog dir", NULL);
  g_autofree char *src = g_build_filename (src_dir, "my file.bin", NULL);
  g_autofree char *url = NULL;
  char *hex;

  g_assert_cmpint (g_mkdir (src_dir, 0755), ==, 0);
  g_file_set_contents (src, g_bytes_get_data (f->content, NULL), (gssize) g_bytes_get_size (f->content), &error);
  g_assert_no_error (error);
  url = arw_download_resolve_url (src_dir, "my%20file.bin", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (url, "file:///"));
  hex = fetch (f, url, f->sha, g_bytes_get_size (f->content), &error);
  assert_success (f, hex, error, f->content);

  /* A wrong size is caught before copying. */
  hex = fetch (f, url, NULL, 12, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_null (hex);
}

static void
test_download_resolve_url (void)
{
  struct {
    const char *base;
    const char *url;
    const char *want;
  } cases[] = {
    { NULL, "https://example.org/a.bin", "https://example.org/a.bin" },
    { "/x", "http://example.org/a.bin", "http://example.org/a.bin" },
    { "https://h.example/cat/catalog.json", "a.tar.zst", "https://h.example/cat/a.tar.zst" },
    { "https://h.example/cat/", "../b/a.bin", "https://h.example/b/a.bin" },
    { "https://h.example/cat/catalog.json", "/top.bin", "file:///top.bin" },
    { "/srv/catalogs", "artifacts/a.bin", "file:///srv/catalogs/artifacts/a.bin" },
    { "/srv/catalogs/", "./a%20b.bin", "file:///srv/catalogs/a%20b.bin" },
    { NULL, "file:///srv/a.bin", "file:///srv/a.bin" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *got = arw_download_resolve_url (cases[i].base, cases[i].url, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (got, ==, cases[i].want);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autofree char *got = arw_download_resolve_url (NULL, "a.bin", &error);

    g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT);
    g_assert_null (got);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *got = arw_download_resolve_url (NULL, "ftp://example.org/a.bin", &error);

    g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT);
    g_assert_null (got);
  }
}

static void
test_download_backoff (void)
{
  guint want[] = { 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000 };

  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    g_assert_cmpuint (arw_download_backoff_ms (1000, 60000, i + 1), ==, want[i]);
  g_assert_cmpuint (arw_download_backoff_ms (1000, 60000, 0), ==, 1000);
  g_assert_cmpuint (arw_download_backoff_ms (1000, 60000, G_MAXUINT), ==, 60000);
  g_assert_cmpuint (arw_download_backoff_ms (3, 10, 3), ==, 10);
  g_assert_cmpuint (arw_download_backoff_ms (0, 10, 5), ==, 0);
}

static void
test_download_free_space (void)
{
  g_autofree char *dir = arw_test_mkdtemp ();
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autofree char *prefix = g_strdup_printf ("not enough free space in %s: need ", dir);
  g_autoptr(GError) error = NULL;

  g_assert_true (arw_download_check_free_space (dir, 1, &error));
  g_assert_no_error (error);
  g_assert_false (arw_download_check_free_space (dir, G_MAXUINT64, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NO_SPACE);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_nonnull (strstr (error->message, ", have "));
  g_clear_error (&error);
  g_assert_false (arw_download_check_free_space (missing, 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  arw_test_rm_rf (dir);
}

static void
test_download_sha_equal (void)
{
  g_assert_true (arw_download_sha256_equal (" ABCdef\n", "abcDEF"));
  g_assert_false (arw_download_sha256_equal ("abc", "abd"));
  g_assert_false (arw_download_sha256_equal ("  ", ""));
  g_assert_false (arw_download_sha256_equal (NULL, "abc"));
}

static void
test_download_hash_mismatch (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) other = make_content (100, 1);
  g_autofree char *wrong = bytes_sha (other);
  g_autofree char *want = g_strdup_printf ("artifact hash mismatch for %s: expected %s, got %s; "
                                           "the download was discarded", f->url, wrong, f->sha);
  char *hex = fetch (f, f->url, wrong, 0, &error);

  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, want);
  g_assert_null (hex);
  assert_nothing_left (f);
}

static void
test_download_require_sha (Fixture *f, gconstpointer data)
{
  ArwDownloadRequest req = { .url = f->url, .require_sha256 = TRUE };
  g_autoptr(GError) error = NULL;
  char *hex = arw_download_file (f->downloader, &req, f->dest, NULL, NULL, &error);

  g_assert_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED);
  g_assert_null (hex);
  g_clear_error (&error);
  hex = fetch (f, f->url, "not-a-hash", 0, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_null (hex);
  g_assert_cmpuint (arw_test_http_server_get_request_count (f->server, "/artifact.bin"), ==, 0);
  assert_nothing_left (f);
}

static void
test_download_truncate_resume (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *range = NULL;
  g_autofree char *if_range = NULL;
  g_autofree char *etag = arw_test_http_server_get_etag (f->server, "/artifact.bin");
  char *hex;

  arw_test_http_server_set_fault (f->server, "/artifact.bin", ARW_TEST_HTTP_FAULT_TRUNCATE, MIB + 123, 1);
  hex = fetch (f, f->url, f->sha, g_bytes_get_size (f->content), &error);
  assert_success (f, hex, error, f->content);
  g_assert_cmpuint (arw_test_http_server_get_request_count (f->server, "/artifact.bin"), ==, 2);
  range = request_header (f, "/artifact.bin", 1, "Range");
  if_range = request_header (f, "/artifact.bin", 1, "If-Range");
  g_assert_cmpstr (range, ==, "bytes=1048699-");
  g_assert_cmpstr (if_range, ==, etag);
  g_assert_true (has_message (f, "retrying in"));
}

static void
test_download_reset_resume (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  char *hex;

  arw_test_http_server_set_fault (f->server, "/artifact.bin", ARW_TEST_HTTP_FAULT_RESET, MIB, 2);
  hex = fetch (f, f->url, f->sha, g_bytes_get_size (f->content), &error);
  assert_success (f, hex, error, f->content);
  g_assert_cmpuint (arw_test_http_server_get_request_count (f->server, "/artifact.bin"), ==, 3);
}

static void
test_download_stall_retry (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *range = NULL;
  char *hex;

  arw_downloader_set_stall_timeout_ms (f->downloader, 300);
  arw_test_http_server_set_fault (f->server, "/artifact.bin", ARW_TEST_HTTP_FAULT_STALL, 512 * 1024, 1);
  hex = fetch (f, f->url, f->sha, g_bytes_get_size (f->content), &error);
  assert_success (f, hex, error, f->content);
  range = request_header (f, "/artifact.bin", 1, "Range");
  g_assert_cmpstr (range, ==, "bytes=524288-");
  g_assert_true (has_message (f, "download stalled: no data for 0.3 s, retrying in"));
}

static void
test_download_stall_gives_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  char *hex;

  arw_downloader_set_stall_timeout_ms (f->downloader, 200);
  arw_downloader_set_max_retries (f->downloader, 1);
  arw_test_http_server_set_fault (f->server, "/artifact.bin", ARW_TEST_HTTP_FAULT_STALL, 1000, -1);
  hex = fetch (f, f->url, f->sha, g_bytes_get_size (f->content), &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NETWORK);
  g_assert_cmpstr (error->message, ==, "download stalled: no data for 0.2 s; gave up after 2 attempts");
  g_assert_null (hex);
  /* Each attempt resumed and added 1000 bytes; kept for a later resume. */
  g_assert_cmpuint (file_size (f->part), ==, 2000);
  g_assert_false (g_file_test (f->dest, G_FILE_TEST_EXISTS));
}

static void
never_answer (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
              gpointer user_data)
{
  soup_server_message_pause (msg);
}

/* No response headers at all also counts as a stall. */
static void
test_download_stall_before_headers (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = arw_test_http_server_url (f->server, "/silent");
  char *hex;

  arw_downloader_set_stall_timeout_ms (f->downloader, 200);
  arw_downloader_set_max_retries (f->downloader, 0);
  arw_test_http_server_set_handler (f->server, "/silent", never_answer, NULL);
  hex = fetch (f, url, NULL, 0, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NETWORK);
  g_assert_cmpstr (error->message, ==, "download stalled: no data for 0.2 s; gave up after 1 attempt");
  g_assert_null (hex);
  g_assert_cmpuint (arw_test_http_server_get_request_count (f->server, "/silent"), ==, 1);
  assert_nothing_left (f);
}

/* First run dies after 1 MiB and leaves the .part; the caller runs again. */
static void
interrupt_first_run (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  char *hex;

  arw_downloader_set_max_retries (f->downloader, 0);
  arw_test_http_server_set_fault (f->server, "/artifact.bin", ARW_TEST_HTTP_FAULT_TRUNCATE, MIB, 1);
  hex = fetch (f, f->url, f->sha, 0, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "gave up after 1 attempt"));
  g_assert_null (hex);
  g_assert_cmpuint (file_size (f->part), ==, MIB);
}

/* The file changed on the server: If-Range makes it answer 200, and the
 * download restarts from 0. */
static void
test_download_if_range_changed (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) changed = make_content (2 * MIB + 10, 99);
  g_autofree char *changed_sha = bytes_sha (changed);
  g_autofree char *old_etag = arw_test_http_server_get_etag (f->server, "/artifact.bin");
  g_autofree char *range = NULL;
  g_autofree char *if_range = NULL;
  char *hex;

  interrupt_first_run (f);
  arw_test_http_server_set_content (f->server, "/artifact.bin", changed);
  hex = arw_download_file (f->downloader,
                           &(ArwDownloadRequest) { .url = f->url, .expected_sha256 = changed_sha },
                           f->dest, f->progress, NULL, &error);
  assert_success (f, hex, error, changed);
  g_assert_cmpuint (arw_test_http_server_get_request_count (f->server, "/artifact.bin"), ==, 2);
  range = request_header (f, "/artifact.bin", 1, "Range");
  if_range = request_header (f, "/artifact.bin", 1, "If-Range");
  g_assert_cmpstr (range, ==, "bytes=1048576-");
  g_assert_cmpstr (if_range, ==, old_etag);
  g_assert_true (has_message (f, "resuming at"));
  g_assert_true (has_message (f, "restarting from the start"));
}

/* A server that ignores Range (always 200): restart from 0 correctly. */
static void
test_download_ignore_range (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *range = NULL;
  char *hex;

  interrupt_first_run (f);
  arw_test_http_server_set_fault (f->server, "/artifact.bin", ARW_TEST_HTTP_FAULT_IGNORE_RANGE, 0, -1);
  hex = fetch (f, f->url, f->sha, 0, &error);
  assert_success (f, hex, error, f->content);
  range = request_header (f, "/artifact.bin", 1, "Range");
  g_assert_cmpstr (range, ==, "bytes=1048576-");
}

/* The file changed and the server ignores If-Range (bad 206): the hash
 * mismatch discards the .part, and one clean retry succeeds. */
static void
test_download_bad_206 (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) changed = make_content (g_bytes_get_size (f->content), 5);
  g_autofree char *changed_sha = bytes_sha (changed);
  g_autofree char *range = NULL;
  char *hex;

  interrupt_first_run (f);
  arw_test_http_server_set_content (f->server, "/artifact.bin", changed);
  arw_test_http_server_set_fault (f->server, "/artifact.bin", ARW_TEST_HTTP_FAULT_IGNORE_IF_RANGE, 0, -1);
  hex = fetch (f, f->url, changed_sha, 0, &error);
  assert_success (f, hex, error, changed);
  g_assert_cmpuint (arw_test_http_server_get_request_count (f->server, "/artifact.bin"), ==, 3);
  range = request_header (f, "/artifact.bin", 2, "Range");
  g_assert_null (range);
  g_assert_true (has_message (f, "hash mismatch after resuming"));
}

/* With resume off, a retry starts from 0 without Range. */
static void
test_download_resume_disabled (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *range = NULL;
  char *hex;

  arw_downloader_set_resume (f->downloader, FALSE);
  arw_test_http_server_set_fault (f->server, "/artifact.bin", ARW_TEST_HTTP_FAULT_TRUNCATE, MIB, 1);
  hex = fetch (f, f->url, f->sha, 0, &error);
  assert_success (f, hex, error, f->content);
  range = request_header (f, "/artifact.bin", 1, "Range");
  g_assert_null (range);
}

static void
test_download_size_cap (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *want = g_strdup_printf ("artifact %s is larger than the catalog's size_bytes %" G_GSIZE_FORMAT
                                           "; the download was discarded",
                                           f->url, g_bytes_get_size (f->content));
  char *hex;

  arw_test_http_server_set_fault (f->server, "/artifact.bin", ARW_TEST_HTTP_FAULT_ENDLESS, 0, -1);
  hex = fetch (f, f->url, NULL, g_bytes_get_size (f->content), &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, want);
  g_assert_null (hex);
  assert_nothing_left (f);
  g_assert_cmpuint (arw_test_http_server_get_request_count (f->server, "/artifact.bin"), ==, 1);
}

static void
test_download_length_mismatch (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwProgressSnapshot) snap = NULL;
  gsize len = g_bytes_get_size (f->content);
  char *hex;

  hex = fetch (f, f->url, NULL, len + 10, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "but the catalog's size_bytes is"));
  g_assert_null (hex);
  assert_nothing_left (f);
  snap = arw_progress_get_snapshot (f->progress);
  g_assert_cmpuint (snap->bytes_done, ==, 0);
  g_clear_error (&error);

  /* A lying Content-Length (shorter than the file) vs size_bytes. */
  arw_test_http_server_set_fault (f->server, "/artifact.bin", ARW_TEST_HTTP_FAULT_LYING_LENGTH, len - 100, -1);
  hex = fetch (f, f->url, NULL, len, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_null (hex);
  assert_nothing_left (f);
  g_clear_error (&error);

  /* Without a size only the hash catches it. */
  hex = fetch (f, f->url, f->sha, 0, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_true (g_str_has_prefix (error->message, "artifact hash mismatch for"));
  g_assert_null (hex);
  assert_nothing_left (f);
}

static void
test_download_short_body (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  char *hex;

  arw_test_http_server_set_fault (f->server, "/artifact.bin", ARW_TEST_HTTP_FAULT_CHUNKED, 0, -1);
  hex = fetch (f, f->url, NULL, g_bytes_get_size (f->content) + 10, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "is smaller than the catalog's size_bytes"));
  g_assert_null (hex);
  assert_nothing_left (f);

  /* Chunked and the right size is fine. */
  g_clear_error (&error);
  hex = fetch (f, f->url, f->sha, g_bytes_get_size (f->content), &error);
  assert_success (f, hex, error, f->content);
}

static void
test_download_redirect_follow (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *start = arw_test_http_server_url (f->server, "/start");
  char *hex;

  arw_test_http_server_set_redirect (f->server, "/start", "/hop", -1);
  arw_test_http_server_set_redirect (f->server, "/hop", f->url, -1);
  hex = fetch (f, start, f->sha, 0, &error);
  assert_success (f, hex, error, f->content);
  g_assert_cmpuint (arw_test_http_server_get_request_count (f->server, "/hop"), ==, 1);
  g_assert_cmpuint (arw_test_http_server_get_request_count (f->server, "/artifact.bin"), ==, 1);
}

static void
test_download_redirect_refused (Fixture *f, gconstpointer data)
{
  const char *targets[] = { "file:///etc/passwd", "ftp://127.0.0.1/a.bin" };
  g_autofree char *start = arw_test_http_server_url (f->server, "/start");

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr(GError) error = NULL;
      char *hex;

      arw_test_http_server_set_redirect (f->server, "/start", targets[i], -1);
      hex = fetch (f, start, NULL, 0, &error);
      g_assert_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED);
      g_assert_nonnull (strstr (error->message, targets[i]));
      g_assert_null (hex);
      assert_nothing_left (f);
    }
}

static void
test_download_redirect_policy (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (arw_download_check_redirect ("http://a/x", "http://b/y", NULL));
  g_assert_true (arw_download_check_redirect ("http://a/x", "https://b/y", NULL));
  g_assert_true (arw_download_check_redirect ("https://a/x", "https://b/y", NULL));
  g_assert_false (arw_download_check_redirect ("https://a/x", "http://a/x", &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED);
  g_assert_nonnull (strstr (error->message, "https to plain http"));
  g_clear_error (&error);
  g_assert_false (arw_download_check_redirect ("https://a/x", "file:///etc/passwd", &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_UNTRUSTED);
}

static void
test_download_redirect_loop (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *loop = arw_test_http_server_url (f->server, "/loop");
  char *hex;

  arw_test_http_server_set_redirect (f->server, "/loop", "/loop", -1);
  hex = fetch (f, loop, NULL, 0, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, "too many redirects"));
  g_assert_null (hex);
  g_assert_cmpuint (arw_test_http_server_get_request_count (f->server, "/loop"), ==, 11);
}

static void
test_download_http_404 (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = arw_test_http_server_url (f->server, "/missing.bin");
  g_autofree char *want = g_strdup_printf ("server returned HTTP 404 (Not Found) for %s", url);
  char *hex = fetch (f, url, NULL, 0, &error);

  g_assert_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, want);
  g_assert_null (hex);
  g_assert_cmpuint (arw_test_http_server_get_request_count (f->server, "/missing.bin"), ==, 1);
  assert_nothing_left (f);
}

static void
test_download_http_500 (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *want = g_strdup_printf ("server returned HTTP 500 (Internal Server Error) for %s; "
                                           "gave up after 3 attempts", f->url);
  char *hex;

  arw_downloader_set_max_retries (f->downloader, 2);
  arw_test_http_server_set_fault (f->server, "/artifact.bin", ARW_TEST_HTTP_FAULT_STATUS, 500, -1);
  hex = fetch (f, f->url, NULL, 0, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NETWORK);
  g_assert_cmpstr (error->message, ==, want);
  g_assert_null (hex);
  g_assert_cmpuint (arw_test_http_server_get_request_count (f->server, "/artifact.bin"), ==, 3);
  g_assert_false (g_file_test (f->dest, G_FILE_TEST_EXISTS));

  /* Transient: one 503, then fine. */
  g_clear_error (&error);
  arw_test_http_server_set_fault (f->server, "/artifact.bin", ARW_TEST_HTTP_FAULT_STATUS, 503, 1);
  hex = fetch (f, f->url, f->sha, 0, &error);
  assert_success (f, hex, error, f->content);
  g_assert_cmpuint (arw_test_http_server_get_request_count (f->server, "/artifact.bin"), ==, 5);
}

static void
test_download_connection_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  char *hex;

  /* A port nobody listens on any more. */
  {
    g_autoptr(ArwTestHttpServer) gone = arw_test_http_server_new ();

    url = arw_test_http_server_url (gone, "/a.bin");
  }
  arw_downloader_set_max_retries (f->downloader, 1);
  hex = fetch (f, url, NULL, 0, &error);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_NETWORK);
  g_assert_nonnull (strstr (error->message, url));
  g_assert_nonnull (strstr (error->message, "gave up after 2 attempts"));
  g_assert_null (hex);
}

static void
cancel_after_1mib (ArwProgress *progress, gpointer user_data)
{
  g_autoptr(ArwProgressSnapshot) snap = arw_progress_get_snapshot (progress);

  if (snap->bytes_done >= MIB)
    g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static void
test_download_cancel_resume (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  ArwDownloadRequest req = { .url = f->url, .expected_sha256 = f->sha };
  g_autofree char *want_range = NULL;
  g_autofree char *range = NULL;
  guint64 part_size;
  gulong handler;
  char *hex;

  arw_progress_set_min_interval (f->progress, 0);
  handler = g_signal_connect (f->progress, "changed", G_CALLBACK (cancel_after_1mib), cancellable);
  hex = arw_download_file (f->downloader, &req, f->dest, f->progress, cancellable, &error);
  g_signal_handler_disconnect (f->progress, handler);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (hex);
  g_assert_false (g_file_test (f->dest, G_FILE_TEST_EXISTS));
  part_size = file_size (f->part);
  g_assert_cmpuint (part_size, >=, MIB);
  g_assert_cmpuint (part_size, <, g_bytes_get_size (f->content));

  g_clear_error (&error);
  hex = arw_download_file (f->downloader, &req, f->dest, f->progress, NULL, &error);
  assert_success (f, hex, error, f->content);
  want_range = g_strdup_printf ("bytes=%" G_GUINT64_FORMAT "-", part_size);
  range = request_header (f, "/artifact.bin", 1, "Range");
  g_assert_cmpstr (range, ==, want_range);
}

static void
test_download_cancel_during_backoff (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  ArwDownloadRequest req = { .url = f->url };
  char *hex;

  g_cancellable_cancel (cancellable);
  hex = arw_download_file (f->downloader, &req, f->dest, f->progress, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (hex);
}

typedef struct {
  GMainLoop *loop;
  char *hex;
  GError *error;
  guint changed;
  gboolean changed_off_thread;
  GThread *main_thread;
} AsyncData;

static void
async_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncData *ad = user_data;

  ad->hex = arw_download_file_finish (ARW_DOWNLOADER (source), result, &ad->error);
  g_main_loop_quit (ad->loop);
}

static void
async_changed (ArwProgress *progress, gpointer user_data)
{
  AsyncData *ad = user_data;

  ad->changed++;
  if (g_thread_self () != ad->main_thread)
    ad->changed_off_thread = TRUE;
}

/* ---- the sink ---- */

/* Records what a sink receives: the bytes at each offset, the restarts. */
typedef struct {
  GByteArray *bytes;   /* the stream as the sink rebuilt it */
  guint restarts;      /* calls at offset 0 after data */
  gboolean gap;        /* an offset neither 0 nor the next byte */
  guint calls;
  guint slow_call;     /* 1-based call that blocks for slow_ms; 0 = none */
  guint slow_ms;
} SinkLog;

static void
log_sink (guint64 offset, const guint8 *data, gsize len, gpointer user_data)
{
  SinkLog *log = user_data;

  log->calls++;
  if (offset == 0 && log->bytes->len > 0)
    {
      log->restarts++;
      g_byte_array_set_size (log->bytes, 0);
    }
  else if (offset != log->bytes->len)
    log->gap = TRUE;
  g_byte_array_append (log->bytes, data, (guint) len);
  /* A slow consumer (an extraction catching up), not synchronisation. */
  if (log->calls == log->slow_call)
    g_usleep (log->slow_ms * 1000);
}

static char *
fetch_with_sink (Fixture *f, SinkLog *log, GError **error)
{
  ArwDownloadRequest req = { .url = f->url, .expected_sha256 = f->sha,
                             .size_bytes = g_bytes_get_size (f->content),
                             .sink = log_sink, .sink_data = log };

  return arw_download_file (f->downloader, &req, f->dest, f->progress, NULL, error);
}

static void
assert_sink_saw_content (SinkLog *log, GBytes *want)
{
  g_assert_false (log->gap);
  g_assert_cmpmem (log->bytes->data, log->bytes->len, g_bytes_get_data (want, NULL), g_bytes_get_size (want));
}

static void
test_download_sink_basic (Fixture *f, gconstpointer data)
{
  SinkLog log = { g_byte_array_new () };
  g_autoptr(GError) error = NULL;
  char *hex = fetch_with_sink (f, &log, &error);

  assert_success (f, hex, error, f->content);
  assert_sink_saw_content (&log, f->content);
  g_assert_cmpuint (log.restarts, ==, 0);
  g_byte_array_unref (log.bytes);
}

/* A resumed download feeds the .part prefix (read back from the file)
 * first, then the new bytes: one contiguous stream. */
static void
test_download_sink_resume (Fixture *f, gconstpointer data)
{
  SinkLog log = { g_byte_array_new () };
  g_autoptr(GError) error = NULL;
  g_autofree char *range = NULL;
  char *hex;

  interrupt_first_run (f);
  hex = fetch_with_sink (f, &log, &error);
  assert_success (f, hex, error, f->content);
  range = request_header (f, "/artifact.bin", 1, "Range");
  g_assert_cmpstr (range, ==, "bytes=1048576-");
  assert_sink_saw_content (&log, f->content);
  g_assert_cmpuint (log.restarts, ==, 0);
  g_byte_array_unref (log.bytes);
}

/* A server that ignores Range restarts the file: the sink sees offset 0
 * again and, rebuilding from there, still ends with the exact file. */
static void
test_download_sink_restart (Fixture *f, gconstpointer data)
{
  SinkLog log = { g_byte_array_new () };
  g_autoptr(GError) error = NULL;
  char *hex;

  interrupt_first_run (f);
  arw_test_http_server_set_fault (f->server, "/artifact.bin", ARW_TEST_HTTP_FAULT_IGNORE_RANGE, 0, -1);
  hex = fetch_with_sink (f, &log, &error);
  assert_success (f, hex, error, f->content);
  g_assert_cmpuint (log.restarts, ==, 1);
  assert_sink_saw_content (&log, f->content);
  g_byte_array_unref (log.bytes);
}

/* Time spent in the sink is not a stall: a sink slower than the stall
 * timeout does not make the downloader retry. */
static void
test_download_sink_slow (Fixture *f, gconstpointer data)
{
  SinkLog log = { g_byte_array_new (), .slow_call = 2, .slow_ms = 600 };
  g_autoptr(GError) error = NULL;
  char *hex;

  arw_downloader_set_stall_timeout_ms (f->downloader, 200);
  arw_downloader_set_max_retries (f->downloader, 0);
  hex = fetch_with_sink (f, &log, &error);
  assert_success (f, hex, error, f->content);
  g_assert_cmpuint (arw_test_http_server_get_request_count (f->server, "/artifact.bin"), ==, 1);
  g_assert_cmpuint (log.calls, >=, 2);
  assert_sink_saw_content (&log, f->content);
  g_byte_array_unref (log.bytes);
}

static void
test_download_async (Fixture *f, gconstpointer data)
{
  AsyncData ad = { 0 };
  ArwDownloadRequest req = { .url = f->url, .expected_sha256 = f->sha };

  ad.loop = g_main_loop_new (NULL, FALSE);
  ad.main_thread = g_thread_self ();
  g_signal_connect (f->progress, "changed", G_CALLBACK (async_changed), &ad);
  arw_download_file_async (f->downloader, &req, f->dest, f->progress, NULL, async_done, &ad);
  g_main_loop_run (ad.loop);
  assert_success (f, ad.hex, ad.error, f->content);
  g_assert_cmpuint (ad.changed, >, 0);
  g_assert_false (ad.changed_off_thread);
  g_clear_error (&ad.error);
  g_main_loop_unref (ad.loop);
}

int
main (int argc, char **argv)
{
  /* Loopback only: never route test requests through a proxy. The dummy
   * resolver also keeps libproxy (C++, throws) out of ASan runs. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_unsetenv ("http_proxy");
  g_unsetenv ("https_proxy");
  g_unsetenv ("HTTP_PROXY");
  g_unsetenv ("HTTPS_PROXY");
  g_unsetenv ("all_proxy");
  g_unsetenv ("ALL_PROXY");
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) g_test_add ("/arw/download/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  g_test_add_func ("/arw/download/resolve-url", test_download_resolve_url);
  g_test_add_func ("/arw/download/backoff", test_download_backoff);
  g_test_add_func ("/arw/download/free-space", test_download_free_space);
  g_test_add_func ("/arw/download/sha-equal", test_download_sha_equal);
  g_test_add_func ("/arw/download/redirect-policy", test_download_redirect_policy);
  ADD ("basic", test_download_basic);
  ADD ("sha-case", test_download_sha_case);
  ADD ("content-encoding-raw", test_download_content_encoding_raw);
  ADD ("file-url", test_download_file_url);
  ADD ("hash-mismatch", test_download_hash_mismatch);
  ADD ("require-sha", test_download_require_sha);
  ADD ("truncate-resume", test_download_truncate_resume);
  ADD ("reset-resume", test_download_reset_resume);
  ADD ("stall-retry", test_download_stall_retry);
  ADD ("stall-gives-up", test_download_stall_gives_up);
  ADD ("stall-before-headers", test_download_stall_before_headers);
  ADD ("if-range-changed", test_download_if_range_changed);
  ADD ("ignore-range", test_download_ignore_range);
  ADD ("bad-206", test_download_bad_206);
  ADD ("resume-disabled", test_download_resume_disabled);
  ADD ("size-cap", test_download_size_cap);
  ADD ("length-mismatch", test_download_length_mismatch);
  ADD ("short-body", test_download_short_body);
  ADD ("redirect-follow", test_download_redirect_follow);
  ADD ("redirect-refused", test_download_redirect_refused);
  ADD ("redirect-loop", test_download_redirect_loop);
  ADD ("http-404", test_download_http_404);
  ADD ("http-500", test_download_http_500);
  ADD ("connection-refused", test_download_connection_refused);
  ADD ("cancel-resume", test_download_cancel_resume);
  ADD ("cancel-before-start", test_download_cancel_during_backoff);
  ADD ("async", test_download_async);
  ADD ("sink/basic", test_download_sink_basic);
  ADD ("sink/resume", test_download_sink_resume);
  ADD ("sink/restart", test_download_sink_restart);
  ADD ("sink/slow", test_download_sink_slow);
#undef ADD

  return g_test_run ();
}
