/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-catalog-model.h"

char *
arw_catalog_model_family_id (const char *bundle_id)
{
  const char *slash;

  g_return_val_if_fail (bundle_id != NULL, NULL);

  slash = strchr (bundle_id, '/');
  if (slash == NULL || slash == bundle_id)
    return g_strdup (bundle_id);
  return g_strndup (bundle_id, slash - bundle_id);
}

static const char *
get_string (JsonObject *obj,
            const char *member)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
get_object (JsonObject *obj,
            const char *member)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
get_array (JsonObject *obj,
           const char *member)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static ArwBundleFamily *
family_for (GHashTable *families,
            GPtrArray *order,
            const char *bundle_id)
{
  g_autofree char *fid = arw_catalog_model_family_id (bundle_id);
  ArwBundleFamily *family = g_hash_table_lookup (families, fid);

  if (family == NULL)
    {
      family = arw_bundle_family_new (fid);
      g_hash_table_insert (families, g_strdup (fid), family);
      g_ptr_array_add (order, family);
    }
  return family;
}

static void
add_catalog_bundles (JsonObject *catalog,
                     GHashTable *families,
                     GPtrArray *order,
                     GHashTable *variants)
{
  JsonArray *bundles = get_array (catalog, "bundles");
  const char *channel = get_string (catalog, "channel");

  for (guint i = 0; bundles != NULL && i < json_array_get_length (bundles); i++)
    {
      JsonObject *b = json_array_get_object_element (bundles, i);
      const char *id = get_string (b, "id");
      ArwBundleVariant *v;

      if (id == NULL || g_hash_table_contains (variants, id))
        continue;   /* the first catalog that names an id wins, as in ARW */
      v = g_new0 (ArwBundleVariant, 1);
      v->id = g_strdup (id);
      v->name = g_strdup (get_string (b, "name") != NULL ? get_string (b, "name") : id);
      v->accelerator = g_strdup (get_string (b, "accelerator"));
      v->channel = g_strdup (channel);
      v->bundle = json_object_ref (b);
      g_hash_table_insert (variants, v->id, v);
      arw_bundle_family_add_variant (family_for (families, order, id), v);
    }
}

static void
add_installation (JsonObject *inst,
                  GHashTable *families,
                  GPtrArray *order,
                  GHashTable *variants)
{
  const char *id = get_string (inst, "id");
  ArwBundleVariant *v;

  if (id == NULL)
    return;
  v = g_hash_table_lookup (variants, id);
  if (v == NULL)
    {
      JsonObject *bundle = get_object (inst, "bundle");

      v = g_new0 (ArwBundleVariant, 1);
      v->id = g_strdup (id);
      v->name = g_strdup (get_string (inst, "name") != NULL ? get_string (inst, "name") : id);
      v->accelerator = g_strdup (get_string (inst, "accelerator"));
      v->bundle = bundle != NULL ? json_object_ref (bundle) : NULL;
      g_hash_table_insert (variants, v->id, v);
      arw_bundle_family_add_variant (family_for (families, order, id), v);
    }
  if (get_string (inst, "channel") != NULL)
    {
      g_free (v->channel);
      v->channel = g_strdup (get_string (inst, "channel"));
    }
  if (v->installation == NULL)
    v->installation = json_object_ref (inst);
}

static int
compare_families (gconstpointer a,
                  gconstpointer b)
{
  ArwBundleFamily *fa = *(ArwBundleFamily **) a;
  ArwBundleFamily *fb = *(ArwBundleFamily **) b;
  int r = g_ascii_strcasecmp (arw_bundle_family_get_name (fa), arw_bundle_family_get_name (fb));

  return r != 0 ? r : strcmp (arw_bundle_family_get_id (fa), arw_bundle_family_get_id (fb));
}

GListStore *
arw_catalog_model_build (JsonObject *inventory,
                         GHashTable *by_bundle_id)
{
  g_autoptr(GHashTable) families = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) variants = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_object_unref);
  GListStore *store = g_list_store_new (ARW_TYPE_BUNDLE_FAMILY);
  JsonArray *catalogs = get_array (inventory, "catalogs");
  JsonArray *installations = get_array (inventory, "installations");

  g_return_val_if_fail (inventory != NULL, store);

  for (guint i = 0; catalogs != NULL && i < json_array_get_length (catalogs); i++)
    add_catalog_bundles (json_array_get_object_element (catalogs, i), families, order, variants);
  for (guint i = 0; installations != NULL && i < json_array_get_length (installations); i++)
    add_installation (json_array_get_object_element (installations, i), families, order, variants);

  for (guint i = 0; i < order->len; i++)
    arw_bundle_family_finish (g_ptr_array_index (order, i));
  g_ptr_array_sort (order, compare_families);
  g_list_store_splice (store, 0, 0, order->pdata, order->len);

  if (by_bundle_id != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, variants);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          g_autofree char *fid = arw_catalog_model_family_id (key);
          g_hash_table_insert (by_bundle_id, g_strdup (key), g_hash_table_lookup (families, fid));
        }
    }
  return store;
}
