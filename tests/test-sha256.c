/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arw-sha256.h"
#include "arw-test-utils.h"

static void
test_sha256_known (void)
{
  g_autofree char *empty = arw_sha256_hex ("", 0);
  g_autofree char *abc = arw_sha256_hex ("abc", 3);

  g_assert_cmpstr (empty, ==, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  g_assert_cmpstr (abc, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
test_sha256_vector_payload (void)
{
  gsize len = 0;
  g_autofree char *payload = arw_test_vector_read (&len, "canonical", "valid-trusted.payload.json", NULL);
  g_autofree char *want = arw_test_vector_read (NULL, "canonical", "valid-trusted.payload.sha256", NULL);
  g_autofree char *hex = arw_sha256_hex (payload, len);

  g_strstrip (want);
  g_assert_cmpstr (hex, ==, want);
}

static void
test_sha256_incremental (void)
{
  ArwSha256 sha;
  char hex[ARW_SHA256_HEX_SIZE];
  g_autofree char *whole = arw_sha256_hex ("hello world", 11);

  arw_sha256_init (&sha);
  arw_sha256_update (&sha, "hello", 5);
  arw_sha256_update (&sha, " world", 6);
  arw_sha256_finish_hex (&sha, hex);
  g_assert_cmpstr (hex, ==, whole);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arw/sha256/known", test_sha256_known);
  g_test_add_func ("/arw/sha256/vector-payload", test_sha256_vector_payload);
  g_test_add_func ("/arw/sha256/incremental", test_sha256_incremental);
  return g_test_run ();
}
