/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arw-base64.h"
#include "arw-error.h"
#include "arw-test-utils.h"

typedef struct {
  const char *input;
  gssize len;
  const char *decoded; /* NULL: must fail */
  const char *message;
} Case;

/* Expected messages are those of Rust's base64 0.22 STANDARD engine, which
 * ARW uses (spec §4.6). */
static const Case cases[] = {
  { "", -1, "", NULL },
  { "Zg==", -1, "f", NULL },
  { "Zm8=", -1, "fo", NULL },
  { "Zm9v", -1, "foo", NULL },
  { "Zm9vYg==", -1, "foob", NULL },
  { "Zm9vYmFy", -1, "foobar", NULL },
  { "Pz8/Pz8+", -1, "?" "?" "?" "?" "?>", NULL },
  /* padding is mandatory and canonical */
  { "Zg", -1, NULL, "Invalid padding" },
  { "Zg=", -1, NULL, "Invalid padding" },
  { "Zm8", -1, NULL, "Invalid padding" },
  { "Zm9vYg", -1, NULL, "Invalid padding" },
  { "Zm9vY", -1, NULL, "Invalid input length: 5" },
  { "Z===", -1, NULL, "Invalid symbol 61, offset 1." },
  { "=", -1, NULL, "Invalid symbol 61, offset 0." },
  { "Zg===", -1, NULL, "Invalid symbol 61, offset 2." },
  { "Zg==Zg==", -1, NULL, "Invalid symbol 61, offset 2." },
  { "Zg=a", -1, NULL, "Invalid symbol 61, offset 2." },
  { "Zm9v====", -1, NULL, "Invalid symbol 61, offset 4." },
  /* non-zero trailing bits */
  { "Zh==", -1, NULL, "Invalid last symbol 104, offset 1." },
  { "Zm9=", -1, NULL, "Invalid last symbol 57, offset 2." },
  /* URL-safe alphabet */
  { "_w==", -1, NULL, "Invalid symbol 95, offset 0." },
  { "-w==", -1, NULL, "Invalid symbol 45, offset 0." },
  { "Zm9v_-8=", -1, NULL, "Invalid symbol 95, offset 4." },
  /* whitespace is never skipped */
  { "Zm9v\n", -1, NULL, "Invalid symbol 10, offset 4." },
  { " Zm9v", -1, NULL, "Invalid symbol 32, offset 0." },
  { "Zm 9v", -1, NULL, "Invalid symbol 32, offset 2." },
  { "Zm9v ", -1, NULL, "Invalid symbol 32, offset 4." },
  { "Zm9v\r\n", -1, NULL, "Invalid symbol 13, offset 4." },
  /* embedded NUL with an explicit length */
  { "Zg\0=", 4, NULL, "Invalid symbol 0, offset 2." },
};

static void
test_base64_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = arw_base64_decode (c->input, c->len, &error);

      g_test_message ("case %u: \"%s\"", i, c->input);
      if (c->decoded != NULL)
        {
          g_assert_no_error (error);
          g_assert_nonnull (bytes);
          g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                           c->decoded, strlen (c->decoded));
        }
      else
        {
          g_assert_null (bytes);
          g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
          g_assert_cmpstr (error->message, ==, c->message);
        }
    }
}

static void
test_base64_roundtrip (void)
{
  guint8 data[70];

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 37 + 11);
  for (gsize len = 0; len <= sizeof data; len++)
    {
      g_autofree char *text = arw_base64_encode (data, len);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = arw_base64_decode (text, -1, &error);

      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), data, len);
    }
}

static void
test_base64_every_byte_rejected_outside_alphabet (void)
{
  for (guint b = 0; b < 256; b++)
    {
      char input[5] = { (char) b, 'A', 'A', 'A', '\0' };
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = arw_base64_decode (input, 4, &error);
      gboolean in_alphabet = g_ascii_isalnum (b) || b == '+' || b == '/';

      g_assert_true ((bytes != NULL) == in_alphabet);
      if (!in_alphabet)
        {
          g_autofree char *want = g_strdup_printf ("Invalid symbol %u, offset 0.", b);
          g_assert_cmpstr (error->message, ==, want);
        }
    }
}

static void
test_base64_exact (void)
{
  guint8 key[32];
  g_autoptr(GError) error = NULL;
  g_autofree char *pub = arw_test_vector_read (NULL, "keys", "key-a.pub", NULL);

  g_strstrip (pub);
  g_assert_true (arw_base64_decode_exact (pub, -1, key, sizeof key, &error));
  g_assert_no_error (error);
  g_assert_cmphex (key[0], ==, 0x92);

  g_assert_false (arw_base64_decode_exact ("Zm9v", -1, key, sizeof key, &error));
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, "decoded length 3 is not 32 bytes");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arw/base64/table", test_base64_table);
  g_test_add_func ("/arw/base64/roundtrip", test_base64_roundtrip);
  g_test_add_func ("/arw/base64/alphabet", test_base64_every_byte_rejected_outside_alphabet);
  g_test_add_func ("/arw/base64/exact", test_base64_exact);
  return g_test_run ();
}
