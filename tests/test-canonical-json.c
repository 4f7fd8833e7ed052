/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "arw-canonical-json.h"
#include "arw-error.h"
#include "arw-sha256.h"
#include "arw-test-utils.h"

#define ROOT_ERROR "bundle manifest root must be a JSON object"

static char *
normalize_ok (const char *json)
{
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  char *out = arw_canonical_json_normalize (json, -1, &len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (out);
  g_assert_cmpuint (strlen (out), ==, len);
  return out;
}

static void
assert_normalizes_to (const char *json,
                      const char *expected)
{
  g_autofree char *out = normalize_ok (json);

  g_assert_cmpstr (out, ==, expected);
}

static void
assert_rejected (const char *json,
                 gssize      len,
                 const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = arw_canonical_json_normalize (json, len, NULL, &error);

  g_assert_null (out);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  if (message != NULL)
    g_assert_cmpstr (error->message, ==, message);
}

/* Every manifests/<name>.json signs exactly canonical/<name>.payload.json. */
static void
test_vector_payloads (void)
{
  g_autofree char *dir_path = arw_test_vector_path ("manifests", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *entry;
  guint count = 0;

  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *name = NULL;
      g_autofree char *payload_name = NULL;
      g_autofree char *sha_name = NULL;
      g_autofree char *manifest = NULL;
      g_autofree char *want = NULL;
      g_autofree char *want_sha = NULL;
      g_autofree char *hex = NULL;
      g_autoptr(GBytes) payload = NULL;
      g_autoptr(GError) error = NULL;
      gsize manifest_len, want_len;

      if (!g_str_has_suffix (entry, ".json"))
        continue;
      name = g_strndup (entry, strlen (entry) - strlen (".json"));
      payload_name = g_strconcat (name, ".payload.json", NULL);
      sha_name = g_strconcat (name, ".payload.sha256", NULL);
      manifest = arw_test_vector_read (&manifest_len, "manifests", entry, NULL);
      want = arw_test_vector_read (&want_len, "canonical", payload_name, NULL);
      want_sha = g_strstrip (arw_test_vector_read (NULL, "canonical", sha_name, NULL));

      payload = arw_canonical_json_payload (manifest, (gssize) manifest_len, &error);
      g_assert_no_error (error);
      g_test_message ("vector %s", name);
      g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), want, want_len);
      hex = arw_sha256_hex (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload));
      g_assert_cmpstr (hex, ==, want_sha);
      count++;
    }
  g_assert_cmpuint (count, >=, 9);
}

/* canonical/float-parse-table.json: [{"input": …, "arw_canonical": …}, …]; an entry
 * without "arw_canonical" (none so far) must be rejected. */
static void
test_float_table (void)
{
  g_autofree char *path = arw_test_vector_path ("canonical", "float-parse-table.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *table;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  table = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (table), >=, 17);
  for (guint i = 0; i < json_array_get_length (table); i++)
    {
      JsonObject *entry = json_array_get_object_element (table, i);
      const char *input = json_object_get_string_member (entry, "input");

      g_test_message ("float %s", input);
      if (json_object_has_member (entry, "arw_canonical"))
        assert_normalizes_to (input, json_object_get_string_member (entry, "arw_canonical"));
      else
        assert_rejected (input, -1, NULL);
    }
}

/* The examples spelled out in spec §4.3. */
static void
test_float_parse_quirks (void)
{
  assert_normalizes_to ("4.0e-28", "4.0000000000000003e-28");
  assert_normalizes_to ("9007199254740993.0", "9007199254740994.0");
  assert_normalizes_to ("1e-400", "0.0");
  assert_normalizes_to ("-1e-400", "-0.0");
  assert_rejected ("1e400", -1, "number out of range at line 1 column 5");
  /* exponent digits overflowing i32 */
  assert_rejected ("1e99999999999", -1, "number out of range at line 1 column 12");
  assert_normalizes_to ("0e99999999999", "0.0");
  assert_normalizes_to ("-5e-99999999999", "-0.0");
  /* not idempotent: the shortest text of a double can read back as its neighbour */
  assert_normalizes_to ("3.619770504435770575752e-29", "3.61977050443577e-29");
  assert_normalizes_to ("3.61977050443577e-29", "3.6197705044357697e-29");
}

static void
test_integers (void)
{
  assert_normalizes_to ("0", "0");
  assert_normalizes_to ("-0", "-0.0");
  assert_normalizes_to ("-7", "-7");
  assert_normalizes_to ("18446744073709551615", "18446744073709551615");
  assert_normalizes_to ("18446744073709551616", "1.8446744073709552e19");
  assert_normalizes_to ("-9223372036854775808", "-9223372036854775808");
  assert_normalizes_to ("-9223372036854775809", "-9.223372036854776e18");
  assert_normalizes_to ("-18446744073709551615", "-1.8446744073709552e19");
  assert_normalizes_to ("123456789012345678901234567890", "1.2345678901234568e29");
  assert_normalizes_to ("123456789012345678901234567890.5e-10", "1.2345678901234567e19");
  /* serde 1.0.145 counts fraction digits on their own, even after an overflowing
   * integer part (1.0.87 wrongly rejected this one and accepted "…1616.") */
  assert_normalizes_to ("18446744073709551616.1", "1.8446744073709552e19");
  assert_rejected ("18446744073709551616.", -1, "EOF while parsing a value at line 1 column 21");
  assert_rejected ("01", -1, "invalid number at line 1 column 2");
  assert_rejected ("-", -1, "EOF while parsing a value at line 1 column 1");
  assert_rejected ("-x", -1, "invalid number at line 1 column 2");
  assert_rejected ("1.", -1, "EOF while parsing a value at line 1 column 2");
  assert_rejected ("1.e5", -1, "invalid number at line 1 column 3");
  assert_rejected ("1e", -1, "EOF while parsing a value at line 1 column 2");
  assert_rejected ("1e+x", -1, "invalid number at line 1 column 4");
  assert_rejected ("+1", -1, "expected value at line 1 column 1");
  assert_rejected (".5", -1, "expected value at line 1 column 1");
}

static void
test_format_double (void)
{
  static const struct {
    double value;
    const char *text;
  } cases[] = {
    { 1000.0, "1000.0" },
    { 3.141592653589793, "3.141592653589793" },
    { 0.00001, "0.00001" },
    { 1e16, "1e16" },
    { 1.5e-7, "1.5e-7" },
    { 5e-324, "5e-324" },
    { 0.0, "0.0" },
    { 1e15, "1000000000000000.0" },
    { 25000000000.0, "25000000000.0" },
    { 100.5, "100.5" },
    { 0.1, "0.1" },
    { 1e21, "1e21" },
    { 1e-6, "1e-6" },
    { 1.2345678901234568e29, "1.2345678901234568e29" },
    { -2.5, "-2.5" },
    { 1.7976931348623157e308, "1.7976931348623157e308" },
    { 2.2250738585072014e-308, "2.2250738585072014e-308" },
    { 9007199254740992.0, "9007199254740992.0" },
    { 123456789012345680.0, "1.2345678901234568e17" },
    /* powers of two, where the rounding interval is asymmetric */
    { 9.007199254740992e15, "9007199254740992.0" },
    { 1.8014398509481984e16, "1.8014398509481984e16" },
    { 2.9802322387695312e-8, "2.9802322387695312e-8" },
  };
  g_autofree char *negative_zero = arw_json_format_double (-0.0);
  g_autofree char *nan = arw_json_format_double (NAN);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = arw_json_format_double (cases[i].value);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
  g_assert_cmpstr (negative_zero, ==, "-0.0");
  g_assert_cmpstr (nan, ==, "null");
}

/* Shortest digits must round-trip through a correctly rounded reader. */
static void
test_format_double_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20251122);

  for (guint i = 0; i < 20000; i++)
    {
      guint64 bits = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
      g_autofree char *text = NULL;
      double value;

      memcpy (&value, &bits, sizeof value);
      if (!isfinite (value))
        continue;
      text = arw_json_format_double (value);
      g_assert_cmpfloat (g_ascii_strtod (text, NULL), ==, value);
      g_assert_null (strchr (text, '+'));
      g_assert_true (strchr (text, '.') != NULL || strchr (text, 'e') != NULL);
    }
}

static void
test_string_escaping (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  static const char raw[] = "\x01\b\t\n\x0b\f\r\x1f\"\\/\x7f\xc2\x80\xc2\x9f\xe2\x80\xa8\xe2\x80\xa9"
                            "\xef\xbb\xbf\xf0\x9f\x98\x80\xc3\xa9";

  arw_json_append_string (out, "a\0b", 3);
  g_assert_cmpstr (out->str, ==, "\"a\\u0000b\"");

  g_string_truncate (out, 0);
  arw_json_append_string (out, raw, -1);
  g_assert_cmpstr (out->str, ==,
                   "\"\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f\\\"\\\\/\x7f\xc2\x80\xc2\x9f\xe2\x80\xa8\xe2\x80\xa9"
                   "\xef\xbb\xbf\xf0\x9f\x98\x80\xc3\xa9\"");

  /* escapes are decoded, then written back the serde way */
  assert_normalizes_to ("\"\\u0000\\u0007\\b\\t\\n\\u000B\\f\\r\\u001F\\/\\u007f\\u2028\\u00e9\\ud83d\\ude00\"",
                        "\"\\u0000\\u0007\\b\\t\\n\\u000b\\f\\r\\u001f/\x7f\xe2\x80\xa8\xc3\xa9\xf0\x9f\x98\x80\"");
  assert_rejected ("\"a\x01\"", -1,
                   "control character (\\u0000-\\u001F) found while parsing a string at line 1 column 3");
  assert_rejected ("\"\\x\"", -1, "invalid escape at line 1 column 3");
  assert_rejected ("\"abc", -1, "EOF while parsing a string at line 1 column 4");
  assert_rejected ("\"\xff\"", -1, "invalid unicode code point at line 1 column 3");
  assert_rejected ("\"\xed\xa0\x80\"", -1, NULL); /* a UTF-8 encoded surrogate */
}

static void
test_bom_rejected (void)
{
  assert_rejected ("\xef\xbb\xbf{}", -1, "expected value at line 1 column 1");
  /* inside a string it is an ordinary character */
  assert_normalizes_to ("\"\xef\xbb\xbf\"", "\"\xef\xbb\xbf\"");
}

static void
test_lone_surrogates (void)
{
  assert_rejected ("\"\\ud800\"", -1, "unexpected end of hex escape at line 1 column 8");
  assert_rejected ("\"\\udc00\"", -1, "lone leading surrogate in hex escape at line 1 column 7");
  assert_rejected ("\"\\ud800\\u0041\"", -1, "lone leading surrogate in hex escape at line 1 column 13");
  assert_rejected ("\"\\ud800\\n\"", -1, "unexpected end of hex escape at line 1 column 9");
  assert_rejected ("\"\\ud83d", -1, "EOF while parsing a string at line 1 column 7");
  assert_rejected ("\"\\u12\"", -1, "EOF while parsing a string at line 1 column 6");
  assert_normalizes_to ("\"\\uD83D\\uDE00\"", "\"\xf0\x9f\x98\x80\"");
}

static void
test_duplicate_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwCanonicalObject) object = NULL;

  assert_normalizes_to ("{\"b\":1,\"a\":2,\"b\":3}", "{\"a\":2,\"b\":3}");
  assert_normalizes_to ("{\"x\":{\"k\":[1],\"k\":{\"z\":1,\"z\":null}}}", "{\"x\":{\"k\":{\"z\":null}}}");
  object = arw_canonical_object_parse ("{\"dup\":\"first\",\"dup\":\"last-wins\"}", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (arw_canonical_object_get (object, "dup"), ==, "\"last-wins\"");
}

static void
test_nesting_limit (void)
{
  g_autoptr(GString) ok = g_string_new (NULL);
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  /* serde_json accepts 127 levels and rejects the 128th */
  for (guint i = 0; i < 127; i++)
    g_string_append_c (ok, '[');
  for (guint i = 0; i < 127; i++)
    g_string_append_c (ok, ']');
  assert_normalizes_to (ok->str, ok->str);
  g_string_prepend_c (ok, '[');
  g_string_append_c (ok, ']');
  assert_rejected (ok->str, -1,
                   "recursion limit exceeded (JSON nesting too deep, at most 127 levels) at line 1 column 128");

  for (guint i = 0; i < 100000; i++)
    g_string_append (deep, "{\"a\":[");
  out = arw_canonical_json_normalize (deep->str, (gssize) deep->len, NULL, &error);
  g_assert_null (out);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "nesting too deep"));
}

/* UTF-8 byte order, not JCS's UTF-16 order: U+E000 sorts before U+1F600. */
static void
test_key_order (void)
{
  assert_normalizes_to ("{\"\xf0\x9f\x98\x80\":1,\"\xee\x80\x80\":2,\"b\":3,\"B\":4,\"\":5,\"b\\u0001\":6,\"bb\":7}",
                        "{\"\":5,\"B\":4,\"b\":3,\"b\\u0001\":6,\"bb\":7,\"\xee\x80\x80\":2,\"\xf0\x9f\x98\x80\":1}");
  /* keys with NUL bytes are distinct and sorted by bytes */
  assert_normalizes_to ("{\"a\\u0000b\":1,\"a\":2,\"a\\u0000\":3}",
                        "{\"a\":2,\"a\\u0000\":3,\"a\\u0000b\":1}");
}

static void
test_payload_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autofree char *array_root = arw_test_vector_read (NULL, "manifests-misc", "array-root.json", NULL);
  g_autoptr(ArwCanonicalObject) object = NULL;
  static const char manifest[] = " {\"signatures\":[{\"x\":1}],\"b\":{\"signatures\":\"nested\"},\"a\":1.50} \n";
  static const char want[] = "{\"a\":1.5,\"b\":{\"signatures\":\"nested\"}}";

  payload = arw_canonical_json_payload (manifest, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), want, strlen (want));
  g_clear_pointer (&payload, g_bytes_unref);

  payload = arw_canonical_json_payload (array_root, -1, &error);
  g_assert_null (payload);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, ROOT_ERROR);
  g_clear_error (&error);

  object = arw_canonical_object_parse ("\"text\"", -1, &error);
  g_assert_null (object);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, ROOT_ERROR);
  g_clear_error (&error);

  /* syntax errors win over the root check */
  payload = arw_canonical_json_payload ("[1,", -1, &error);
  g_assert_null (payload);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, "EOF while parsing a value at line 1 column 3");
}

static void
test_syntax_errors (void)
{
  assert_rejected ("", 0, "EOF while parsing a value at line 1 column 0");
  assert_rejected ("   ", -1, "EOF while parsing a value at line 1 column 3");
  assert_rejected ("{\n  \"a\" 1}", -1, "expected `:` at line 2 column 7");
  assert_rejected ("{\"a\":1,}", -1, "trailing comma at line 1 column 8");
  assert_rejected ("[1,]", -1, "trailing comma at line 1 column 4");
  assert_rejected ("[1 2]", -1, "expected `,` or `]` at line 1 column 4");
  assert_rejected ("{\"a\":1 \"b\":2}", -1, "expected `,` or `}` at line 1 column 8");
  assert_rejected ("{1:2}", -1, "key must be a string at line 1 column 2");
  assert_rejected ("{\"a\":1,2}", -1, "key must be a string at line 1 column 8");
  assert_rejected ("{\"a\"", -1, "EOF while parsing an object at line 1 column 4");
  assert_rejected ("[", -1, "EOF while parsing a list at line 1 column 1");
  assert_rejected ("[1,", -1, "EOF while parsing a value at line 1 column 3");
  assert_rejected ("tru", -1, "EOF while parsing a value at line 1 column 3");
  assert_rejected ("nul1", -1, "expected ident at line 1 column 4");
  assert_rejected ("{} {}", -1, "trailing characters at line 1 column 4");
  assert_rejected ("1 x", -1, "trailing characters at line 1 column 3");
  /* the explicit length is honoured: data after it is not read */
  assert_rejected ("[1]", 2, "EOF while parsing a list at line 1 column 2");
  assert_normalizes_to (" \t\r\n[ true , false , null ] \n", "[true,false,null]");
}

/* serde's PrettyFormatter: ARW writes manifests and bundle.json this way. */
static void
assert_prettify_matches (const char *first,
                         ...)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *canon = NULL;
  g_autofree char *pretty = NULL;
  va_list ap;

  va_start (ap, first);
  for (const char *p = first; p != NULL; p = va_arg (ap, const char *))
    g_ptr_array_add (parts, (gpointer) p);
  va_end (ap);
  g_ptr_array_add (parts, NULL);
  path = g_build_filenamev ((char **) parts->pdata);
  contents = arw_test_vector_read (NULL, path, NULL);

  g_test_message ("pretty %s", path);
  canon = normalize_ok (contents);
  pretty = arw_canonical_json_prettify (canon);
  if (g_str_has_suffix (path, ".stdout"))
    {
      /* CLI output ends with println's newline */
      g_assert_true (g_str_has_suffix (contents, "\n"));
      contents[strlen (contents) - 1] = '\0';
    }
  g_assert_cmpstr (pretty, ==, contents);
}

static void
test_prettify_vectors (void)
{
  static const char *const manifests[] = {
    "valid-trusted", "tampered-after-signing", "untrusted-signer", "two-signatures",
    "unsigned", "wrong-channel", "keyid-spoof",
  };
  g_autofree char *bundles = arw_test_vector_path ("state-good", "runtime", "bundles", NULL);
  g_autoptr(GDir) dir = g_dir_open (bundles, 0, NULL);
  const char *entry;
  guint count = 0;

  for (guint i = 0; i < G_N_ELEMENTS (manifests); i++)
    {
      g_autofree char *file = g_strconcat (manifests[i], ".json", NULL);

      assert_prettify_matches ("manifests", file, NULL);
    }
  g_assert_nonnull (dir);
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      assert_prettify_matches ("state-good", "runtime", "bundles", entry, "bundle.json", NULL);
      count++;
    }
  g_assert_cmpuint (count, ==, 3);
  assert_prettify_matches ("results", "list-install-state-json.stdout", NULL);
  assert_prettify_matches ("results", "rollback-list-json.stdout", NULL);
  assert_prettify_matches ("results", "audit-good", "reg.json-require-signed.stdout", NULL);
}

static void
test_prettify_shapes (void)
{
  g_autofree char *pretty = arw_canonical_json_prettify ("{\"a\":[],\"b\":{},\"c\":[1,{\"d\":\"x,y:[z]\"}],\"e\":\"\\\"{\"}");
  g_autofree char *scalar = arw_canonical_json_prettify ("1.5");
  g_autofree char *empty = arw_canonical_json_prettify ("{}");

  g_assert_cmpstr (pretty, ==,
                   "{\n"
                   "  \"a\": [],\n"
                   "  \"b\": {},\n"
                   "  \"c\": [\n"
                   "    1,\n"
                   "    {\n"
                   "      \"d\": \"x,y:[z]\"\n"
                   "    }\n"
                   "  ],\n"
                   "  \"e\": \"\\\"{\"\n"
                   "}");
  g_assert_cmpstr (scalar, ==, "1.5");
  g_assert_cmpstr (empty, ==, "{}");
}

static void
test_object_api (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwCanonicalObject) object = NULL;
  g_autofree char *compact = NULL;
  g_autofree char *pretty = NULL;
  g_autofree char *manifest = arw_test_vector_read (NULL, "manifests", "valid-trusted.json", NULL);
  g_autofree char *manifest_pretty = NULL;

  object = arw_canonical_object_parse ("{\"m\":1, \"a\":{\"z\":2,\"y\":[3.0]}, \"\\u0001\":null}", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (arw_canonical_object_get (object, "a"), ==, "{\"y\":[3.0],\"z\":2}");
  g_assert_cmpstr (arw_canonical_object_get (object, "\x01"), ==, "null");
  g_assert_null (arw_canonical_object_get (object, "missing"));

  arw_canonical_object_set (object, "b", "[true]");
  arw_canonical_object_set (object, "m", "\"replaced\"");
  arw_canonical_object_set (object, "\xf0\x9f\x98\x80", "0");
  g_assert_true (arw_canonical_object_remove (object, "a"));
  g_assert_false (arw_canonical_object_remove (object, "a"));
  compact = arw_canonical_object_to_string (object, FALSE);
  g_assert_cmpstr (compact, ==, "{\"\\u0001\":null,\"b\":[true],\"m\":\"replaced\",\"\xf0\x9f\x98\x80\":0}");
  pretty = arw_canonical_object_to_string (object, TRUE);
  g_assert_cmpstr (pretty, ==,
                   "{\n  \"\\u0001\": null,\n  \"b\": [\n    true\n  ],\n  \"m\": \"replaced\",\n"
                   "  \"\xf0\x9f\x98\x80\": 0\n}");
  g_clear_pointer (&object, arw_canonical_object_free);

  /* a serde-pretty manifest is reproduced byte for byte */
  object = arw_canonical_object_parse (manifest, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (arw_canonical_object_get (object, "signatures"));
  manifest_pretty = arw_canonical_object_to_string (object, TRUE);
  g_assert_cmpstr (manifest_pretty, ==, manifest);
}

static void
test_array_elements (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) elements = NULL;
  g_autoptr(GPtrArray) empty = NULL;
  g_autoptr(GPtrArray) none = NULL;

  elements = arw_canonical_json_array_elements ("[1,\"a,]b\",[2,[3]],{\"x\":[],\"y\":\"}\"},null,3.61977050443577e-29]", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (elements->len, ==, 6);
  g_assert_cmpstr (g_ptr_array_index (elements, 0), ==, "1");
  g_assert_cmpstr (g_ptr_array_index (elements, 1), ==, "\"a,]b\"");
  g_assert_cmpstr (g_ptr_array_index (elements, 2), ==, "[2,[3]]");
  g_assert_cmpstr (g_ptr_array_index (elements, 3), ==, "{\"x\":[],\"y\":\"}\"}");
  g_assert_cmpstr (g_ptr_array_index (elements, 4), ==, "null");
  /* already canonical numbers are kept as written, not re-parsed */
  g_assert_cmpstr (g_ptr_array_index (elements, 5), ==, "3.61977050443577e-29");

  empty = arw_canonical_json_array_elements ("[]", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (empty->len, ==, 0);

  none = arw_canonical_json_array_elements ("{\"a\":[1]}", &error);
  g_assert_null (none);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_clear_error (&error);
  none = arw_canonical_json_array_elements ("[1,", &error);
  g_assert_null (none);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/arw/canonical-json/vector-payloads", test_vector_payloads);
  g_test_add_func ("/arw/canonical-json/float-table", test_float_table);
  g_test_add_func ("/arw/canonical-json/float-parse-quirks", test_float_parse_quirks);
  g_test_add_func ("/arw/canonical-json/integers", test_integers);
  g_test_add_func ("/arw/canonical-json/format-double", test_format_double);
  g_test_add_func ("/arw/canonical-json/format-double-round-trip", test_format_double_round_trip);
  g_test_add_func ("/arw/canonical-json/string-escaping", test_string_escaping);
  g_test_add_func ("/arw/canonical-json/bom-rejected", test_bom_rejected);
  g_test_add_func ("/arw/canonical-json/lone-surrogates", test_lone_surrogates);
  g_test_add_func ("/arw/canonical-json/duplicate-keys", test_duplicate_keys);
  g_test_add_func ("/arw/canonical-json/nesting-limit", test_nesting_limit);
  g_test_add_func ("/arw/canonical-json/key-order", test_key_order);
  g_test_add_func ("/arw/canonical-json/payload-rules", test_payload_rules);
  g_test_add_func ("/arw/canonical-json/syntax-errors", test_syntax_errors);
  g_test_add_func ("/arw/canonical-json/prettify-vectors", test_prettify_vectors);
  g_test_add_func ("/arw/canonical-json/prettify-shapes", test_prettify_shapes);
  g_test_add_func ("/arw/canonical-json/object-api", test_object_api);
  g_test_add_func ("/arw/canonical-json/array-elements", test_array_elements);
  return g_test_run ();
}
