/* SPDX-License-Identifier: GPL-3.0-or-later */

/* libFuzzer target for the canonical JSON parser and serialiser (spec §4.1–§4.4).
 * serde's float parser is not correctly rounded, so normalize is NOT idempotent for every
 * float (a canonical "3.61977050443577e-29" reads back as another double); the invariants
 * below hold anyway. On every input that parses:
 *  - the canonical text has no raw NUL byte and prettify only changes whitespace: splitting
 *    "[" prettify (canon) "]" (which keeps number tokens verbatim) gives back canon, and
 *    normalize (prettify (canon)) behaves exactly like normalize (canon);
 *  - an object root round-trips through ArwCanonicalObject, and the payload equals the
 *    object without its top-level "signatures";
 *  - an array root splits into elements that join back to the same text;
 *  - any other root is refused by the payload with the exact ARW message.
 * Inputs that do not parse must fail with an error, for every entry point. */

#include "config.h"

#include <string.h>

#include "arw-canonical-json.h"
#include "arw-error.h"
#include "arw-fuzz.h"

#define ROOT_ERROR "bundle manifest root must be a JSON object"

static void
check_object (const char *data,
              size_t      size,
              const char *canon)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwCanonicalObject) object = arw_canonical_object_parse (data, size, &error);
  g_autoptr(GBytes) payload = NULL;
  g_autofree char *compact = NULL;
  g_autofree char *pretty = NULL;
  g_autofree char *pretty_expected = arw_canonical_json_prettify (canon);
  g_autofree char *without = NULL;

  g_assert_no_error (error);
  compact = arw_canonical_object_to_string (object, FALSE);
  g_assert_cmpstr (compact, ==, canon);
  pretty = arw_canonical_object_to_string (object, TRUE);
  g_assert_cmpstr (pretty, ==, pretty_expected);

  payload = arw_canonical_json_payload (data, size, &error);
  g_assert_no_error (error);
  arw_canonical_object_remove (object, "signatures");
  g_assert_null (arw_canonical_object_get (object, "signatures"));
  without = arw_canonical_object_to_string (object, FALSE);
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload),
                   without, strlen (without));
}

static void
check_array (const char *canon)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) elements = arw_canonical_json_array_elements (canon, &error);
  g_autoptr(GString) joined = g_string_new ("[");

  g_assert_no_error (error);
  for (guint i = 0; i < elements->len; i++)
    {
      if (i > 0)
        g_string_append_c (joined, ',');
      g_string_append (joined, g_ptr_array_index (elements, i));
    }
  g_string_append_c (joined, ']');
  g_assert_cmpstr (joined->str, ==, canon);
}

/* prettify must only add whitespace. */
static void
check_pretty (const char *canon)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error_pretty = NULL;
  g_autofree char *pretty = arw_canonical_json_prettify (canon);
  g_autofree char *wrapped = g_strconcat ("[", pretty, "]", NULL);
  g_autoptr(GPtrArray) elements = arw_canonical_json_array_elements (wrapped, &error);
  g_autofree char *again = NULL;
  g_autofree char *again_pretty = NULL;

  if (elements != NULL)
    {
      g_assert_cmpuint (elements->len, ==, 1);
      g_assert_cmpstr (g_ptr_array_index (elements, 0), ==, canon);
    }
  else
    {
      /* canon is already 127 levels deep: the extra brackets exceed the limit */
      g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, "recursion limit exceeded"));
      g_clear_error (&error);
    }

  again = arw_canonical_json_normalize (canon, -1, NULL, &error);
  again_pretty = arw_canonical_json_normalize (pretty, -1, NULL, &error_pretty);
  g_assert_cmpstr (again, ==, again_pretty);
  g_assert_true ((error == NULL) == (error_pretty == NULL));
}

static void
check_rejected (const char *data,
                size_t      size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = arw_canonical_json_payload (data, size, &error);
  g_autoptr(ArwCanonicalObject) object = NULL;

  g_assert_null (payload);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, " at line "));
  g_clear_error (&error);
  object = arw_canonical_object_parse (data, size, &error);
  g_assert_null (object);
  g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char *text = (const char *) data;
  g_autoptr(GError) error = NULL;
  g_autofree char *canon = NULL;
  gsize len = 0;

  canon = arw_canonical_json_normalize (text, (gssize) size, &len, &error);
  if (canon == NULL)
    {
      g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
      g_assert_nonnull (strstr (error->message, " at line "));
      check_rejected (text, size);
      return 0;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (canon), ==, len);
  check_pretty (canon);

  if (canon[0] == '{')
    check_object (text, size, canon);
  else
    {
      g_autoptr(GBytes) payload = arw_canonical_json_payload (text, (gssize) size, &error);

      g_assert_null (payload);
      g_assert_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, ROOT_ERROR);
      if (canon[0] == '[')
        check_array (canon);
    }
  return 0;
}
