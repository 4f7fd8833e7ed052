/* SPDX-License-Identifier: GPL-3.0-or-later */

/* json-glib's JsonGenerator spaces, escapes and formats numbers differently from
 * serde_json, and keeps object members in insertion order; ARW's CLI output is
 * serde_json with sorted keys, so reports are written with this instead. */

#include "config.h"

#include <string.h>

#include "arw-canonical-json.h"
#include "arw-json-writer.h"

static void write_node (GString  *out,
                        JsonNode *node);

static int
compare_member_names (gconstpointer a,
                      gconstpointer b)
{
  /* strcmp compares as unsigned char: UTF-8 byte order is code point order */
  return strcmp (a, b);
}

static void
write_object (GString    *out,
              JsonObject *object)
{
  GList *names = g_list_sort (json_object_get_members (object), compare_member_names);

  g_string_append_c (out, '{');
  for (GList *l = names; l != NULL; l = l->next)
    {
      if (l != names)
        g_string_append_c (out, ',');
      arw_json_append_string (out, l->data, -1);
      g_string_append_c (out, ':');
      write_node (out, json_object_get_member (object, l->data));
    }
  g_string_append_c (out, '}');
  g_list_free (names);
}

static void
write_array (GString   *out,
             JsonArray *array)
{
  guint n = json_array_get_length (array);

  g_string_append_c (out, '[');
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      write_node (out, json_array_get_element (array, i));
    }
  g_string_append_c (out, ']');
}

static void
write_value (GString  *out,
             JsonNode *node)
{
  GType type = json_node_get_value_type (node);

  if (type == G_TYPE_INT64)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (type == G_TYPE_DOUBLE)
    {
      g_autofree char *text = arw_json_format_double (json_node_get_double (node));

      g_string_append (out, text);
    }
  else if (type == G_TYPE_BOOLEAN)
    g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
  else if (type == G_TYPE_STRING && json_node_get_string (node) != NULL)
    arw_json_append_string (out, json_node_get_string (node), -1);
  else
    g_string_append (out, "null");
}

static void
write_node (GString  *out,
            JsonNode *node)
{
  switch (node != NULL ? json_node_get_node_type (node) : JSON_NODE_NULL)
    {
    case JSON_NODE_OBJECT:
      write_object (out, json_node_get_object (node));
      break;
    case JSON_NODE_ARRAY:
      write_array (out, json_node_get_array (node));
      break;
    case JSON_NODE_VALUE:
      write_value (out, node);
      break;
    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

char *
arw_json_to_string (JsonNode *node,
                    gboolean  pretty)
{
  g_autoptr(GString) out = g_string_new (NULL);

  write_node (out, node);
  if (pretty)
    return arw_canonical_json_prettify (out->str);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
