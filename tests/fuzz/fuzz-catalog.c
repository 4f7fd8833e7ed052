/* SPDX-License-Identifier: GPL-3.0-or-later */

/* libFuzzer target for the catalog loader (spec §1). On every input, in
 * lenient and strict mode: no crash; a catalog comes back or an error is
 * set, never both; strict never accepts what lenient reported a problem
 * for; every diagnostic names the file; every loaded bundle has an id and
 * a name, and re-serialises to an object that parses again as a bundle. */

#include "config.h"

#include "arw-catalog.h"
#include "arw-fuzz.h"

static void
check_bundles (ArwCatalog *catalog)
{
  GPtrArray *bundles = arw_catalog_get_bundles (catalog);

  for (guint i = 0; i < bundles->len; i++)
    {
      ArwBundle *bundle = g_ptr_array_index (bundles, i);
      g_autoptr(JsonNode) node = arw_bundle_to_json (bundle);
      g_autoptr(ArwBundle) again = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_nonnull (arw_bundle_get_id (bundle));
      g_assert_nonnull (arw_bundle_get_name (bundle));
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      again = arw_bundle_new_from_json (node, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (arw_bundle_get_id (again), ==, arw_bundle_get_id (bundle));
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GPtrArray) diagnostics = arw_diagnostics_new ();
  g_autoptr(GPtrArray) strict_diagnostics = arw_diagnostics_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) strict_error = NULL;
  g_autoptr(ArwCatalog) lenient = NULL;
  g_autoptr(ArwCatalog) strict = NULL;

  lenient = arw_catalog_parse_data ("fuzz/bundles.json", (const char *) data, size, FALSE, diagnostics, &error);
  g_assert_true ((lenient == NULL) == (error != NULL));
  for (guint i = 0; i < diagnostics->len; i++)
    {
      const ArwDiagnostic *d = g_ptr_array_index (diagnostics, i);
      g_assert_cmpstr (d->path, ==, "fuzz/bundles.json");
      g_assert_nonnull (d->message);
    }
  if (lenient != NULL)
    check_bundles (lenient);

  strict = arw_catalog_parse_data ("fuzz/bundles.json", (const char *) data, size, TRUE, strict_diagnostics, &strict_error);
  g_assert_true ((strict == NULL) == (strict_error != NULL));
  if (strict != NULL)
    g_assert_nonnull (lenient);
  if (lenient == NULL || diagnostics->len > 0)
    g_assert_null (strict);
  return 0;
}
