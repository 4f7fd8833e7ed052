/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "arw-catalog.h"
#include "arw-error.h"

struct _ArwCatalog {
  gatomicrefcount ref_count;
  char *path;
  guint32 version;
  char *channel;
  char *notes;
  GPtrArray *bundles; /* ArwBundle */
};

struct _ArwCatalogSet {
  GStrv roots;
  GPtrArray *catalogs;    /* ArwCatalog */
  GPtrArray *diagnostics; /* ArwDiagnostic */
};

G_DEFINE_BOXED_TYPE (ArwCatalog, arw_catalog, arw_catalog_ref, arw_catalog_unref)

static const char *const catalog_fields[] = { "version", "channel", "notes", "bundles", NULL };

/* ---- diagnostics ------------------------------------------------------ */

/**
 * arw_diagnostic_new:
 * @message: a complete sentence that already names the file (and the
 *   line and bundle when known); it is what a front end prints
 */
ArwDiagnostic *
arw_diagnostic_new (ArwDiagnosticSeverity severity, const char *path, guint line,
                    guint column, const char *bundle_id, const char *message)
{
  ArwDiagnostic *diagnostic = g_new0 (ArwDiagnostic, 1);

  g_return_val_if_fail (message != NULL, NULL);

  diagnostic->severity = severity;
  diagnostic->path = g_strdup (path);
  diagnostic->line = line;
  diagnostic->column = column;
  diagnostic->bundle_id = g_strdup (bundle_id);
  diagnostic->message = g_strdup (message);
  return diagnostic;
}

void
arw_diagnostic_free (ArwDiagnostic *diagnostic)
{
  if (diagnostic == NULL)
    return;
  g_free (diagnostic->path);
  g_free (diagnostic->bundle_id);
  g_free (diagnostic->message);
  g_free (diagnostic);
}

/* "warning: <message>" or "error: <message>". */
char *
arw_diagnostic_to_string (const ArwDiagnostic *diagnostic)
{
  g_return_val_if_fail (diagnostic != NULL, NULL);
  return g_strdup_printf ("%s: %s",
                          diagnostic->severity == ARW_DIAGNOSTIC_ERROR ? "error" : "warning",
                          diagnostic->message);
}

/* Returns: (transfer full) (element-type ArwDiagnostic): an empty list */
GPtrArray *
arw_diagnostics_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) arw_diagnostic_free);
}

/* ---- strict JSON syntax check ----------------------------------------- */

typedef struct {
  const char *data;
  gsize len;
  gsize pos;
  char *message;
  GArray *bundle_offsets; /* gsize: start of each element of top-level "bundles" */
} Scanner;

static gboolean G_GNUC_PRINTF (2, 3)
scan_fail (Scanner *s, const char *format, ...)
{
  va_list args;

  if (s->message == NULL)
    {
      va_start (args, format);
      s->message = g_strdup_vprintf (format, args);
      va_end (args);
    }
  return FALSE;
}

/* Line and column (1-based, in characters) of @offset. @cursor, when
 * given, remembers the last answer so that increasing offsets cost one
 * pass over the data in total. */
typedef struct {
  gsize offset;
  guint line;
  guint column;
} Position;

static void
advance_position (const char *data, gsize offset, Position *cursor, guint *line, guint *column)
{
  Position start = { 0, 1, 1 };
  guint l;
  guint c;

  if (cursor != NULL && cursor->line > 0 && cursor->offset <= offset)
    start = *cursor;
  l = start.line;
  c = start.column;
  for (gsize i = start.offset; i < offset; i++)
    {
      if (data[i] == '\n')
        {
          l++;
          c = 1;
        }
      else if (((guchar) data[i] & 0xC0) != 0x80)
        c++;
    }
  *line = l;
  *column = c;
  if (cursor != NULL)
    *cursor = (Position) { offset, l, c };
}

static void
offset_to_position (const char *data, gsize offset, guint *line, guint *column)
{
  advance_position (data, offset, NULL, line, column);
}

static void
scan_ws (Scanner *s)
{
  while (s->pos < s->len &&
         (s->data[s->pos] == ' ' || s->data[s->pos] == '\t' ||
          s->data[s->pos] == '\n' || s->data[s->pos] == '\r'))
    s->pos++;
}

static const char *
describe_here (Scanner *s)
{
  if (s->pos >= s->len)
    return "end of input";
  return NULL;
}

static gboolean
scan_expected (Scanner *s, const char *what)
{
  const char *here = describe_here (s);

  if (here != NULL)
    return scan_fail (s, "expected %s, found %s", what, here);
  if ((guchar) s->data[s->pos] < 0x20 || (guchar) s->data[s->pos] >= 0x7F)
    return scan_fail (s, "expected %s, found byte 0x%02x", what, (guchar) s->data[s->pos]);
  return scan_fail (s, "expected %s, found '%c'", what, s->data[s->pos]);
}

static int
hex4 (const char *p)
{
  int value = 0;

  for (int i = 0; i < 4; i++)
    {
      if (!g_ascii_isxdigit (p[i]))
        return -1;
      value = value * 16 + g_ascii_xdigit_value (p[i]);
    }
  return value;
}

static gboolean
scan_escape_u (Scanner *s)
{
  int unit;
  int low;

  if (s->pos + 5 > s->len || (unit = hex4 (s->data + s->pos + 1)) < 0)
    return scan_fail (s, "\\u must be followed by 4 hex digits");
  if (unit == 0)
    return scan_fail (s, "strings containing \\u0000 are not supported");
  if (unit >= 0xDC00 && unit <= 0xDFFF)
    return scan_fail (s, "lone low surrogate \\u%04x in string", (guint) unit);
  s->pos += 5;
  if (unit < 0xD800 || unit > 0xDBFF)
    return TRUE;
  if (s->pos + 6 > s->len || s->data[s->pos] != '\\' || s->data[s->pos + 1] != 'u' ||
      (low = hex4 (s->data + s->pos + 2)) < 0xDC00 || low > 0xDFFF)
    return scan_fail (s, "lone high surrogate \\u%04x in string", (guint) unit);
  s->pos += 6;
  return TRUE;
}

/* On success *start and *end delimit the raw contents between the quotes. */
static gboolean
scan_string (Scanner *s, gsize *start, gsize *end)
{
  gsize escape;

  if (s->pos >= s->len || s->data[s->pos] != '"')
    return scan_expected (s, "a string");
  s->pos++;
  *start = s->pos;
  while (s->pos < s->len)
    {
      guchar c = (guchar) s->data[s->pos];

      if (c == '"')
        {
          *end = s->pos++;
          return TRUE;
        }
      if (c < 0x20)
        return scan_fail (s, "control character 0x%02x in string; escape it", c);
      if (c != '\\')
        {
          s->pos++;
          continue;
        }
      escape = s->pos++;
      if (s->pos >= s->len)
        break;
      if (s->data[s->pos] == 'u')
        {
          if (scan_escape_u (s))
            continue;
          s->pos = escape;
          return FALSE;
        }
      if (strchr ("\"\\/bfnrt", s->data[s->pos]) == NULL || s->data[s->pos] == '\0')
        {
          s->pos = escape;
          return scan_fail (s, "invalid escape sequence in string");
        }
      s->pos++;
    }
  return scan_fail (s, "unterminated string");
}

static gboolean
scan_digits (Scanner *s)
{
  gsize start = s->pos;

  while (s->pos < s->len && g_ascii_isdigit (s->data[s->pos]))
    s->pos++;
  return s->pos > start;
}

static gboolean
scan_number (Scanner *s)
{
  gsize start = s->pos;
  gboolean is_float = FALSE;
  g_autofree char *text = NULL;

  if (s->data[s->pos] == '-')
    s->pos++;
  if (s->pos < s->len && s->data[s->pos] == '0')
    s->pos++;
  else if (!scan_digits (s))
    return scan_expected (s, "a digit");
  if (s->pos < s->len && s->data[s->pos] == '.')
    {
      s->pos++;
      is_float = TRUE;
      if (!scan_digits (s))
        return scan_expected (s, "a digit after the decimal point");
    }
  if (s->pos < s->len && (s->data[s->pos] == 'e' || s->data[s->pos] == 'E'))
    {
      s->pos++;
      is_float = TRUE;
      if (s->pos < s->len && (s->data[s->pos] == '+' || s->data[s->pos] == '-'))
        s->pos++;
      if (!scan_digits (s))
        return scan_expected (s, "a digit in the exponent");
    }
  text = g_strndup (s->data + start, s->pos - start);
  errno = 0;
  if (is_float)
    {
      if (isinf (g_ascii_strtod (text, NULL)))
        {
          s->pos = start;
          return scan_fail (s, "number %s is out of range", text);
        }
    }
  else
    {
      g_ascii_strtoll (text, NULL, 10);
      if (errno == ERANGE)
        {
          s->pos = start;
          return scan_fail (s, "integer %s is outside the supported range "
                            "(-9223372036854775808 to 9223372036854775807)", text);
        }
    }
  return TRUE;
}

static gboolean
scan_literal (Scanner *s, const char *word)
{
  gsize n = strlen (word);

  if (s->len - s->pos < n || memcmp (s->data + s->pos, word, n) != 0)
    return scan_expected (s, "a JSON value");
  s->pos += n;
  return TRUE;
}

static gboolean scan_value (Scanner *s, guint depth, gboolean record);

static gboolean
scan_array (Scanner *s, guint depth, gboolean record)
{
  s->pos++;
  scan_ws (s);
  if (s->pos < s->len && s->data[s->pos] == ']')
    {
      s->pos++;
      return TRUE;
    }
  for (;;)
    {
      scan_ws (s);
      if (record)
        g_array_append_val (s->bundle_offsets, s->pos);
      if (!scan_value (s, depth, FALSE))
        return FALSE;
      scan_ws (s);
      if (s->pos < s->len && s->data[s->pos] == ',')
        {
          s->pos++;
          continue;
        }
      if (s->pos < s->len && s->data[s->pos] == ']')
        {
          s->pos++;
          return TRUE;
        }
      return scan_expected (s, "',' or ']' after an array element");
    }
}

static gboolean
scan_object (Scanner *s, guint depth)
{
  s->pos++;
  scan_ws (s);
  if (s->pos < s->len && s->data[s->pos] == '}')
    {
      s->pos++;
      return TRUE;
    }
  for (;;)
    {
      gsize key_start = 0;
      gsize key_end = 0;
      gboolean record;

      scan_ws (s);
      if (s->pos < s->len && s->data[s->pos] != '"')
        return scan_expected (s, "a member name in double quotes");
      if (!scan_string (s, &key_start, &key_end))
        return FALSE;
      scan_ws (s);
      if (s->pos >= s->len || s->data[s->pos] != ':')
        return scan_expected (s, "':' after a member name");
      s->pos++;
      scan_ws (s);
      /* Duplicate keys: the last one wins, so its offsets replace any
       * recorded before. */
      record = depth == 1 && key_end - key_start == 7 &&
               memcmp (s->data + key_start, "bundles", 7) == 0 &&
               s->pos < s->len && s->data[s->pos] == '[';
      if (record && s->bundle_offsets != NULL)
        g_array_set_size (s->bundle_offsets, 0);
      if (!scan_value (s, depth, record && s->bundle_offsets != NULL))
        return FALSE;
      scan_ws (s);
      if (s->pos < s->len && s->data[s->pos] == ',')
        {
          s->pos++;
          continue;
        }
      if (s->pos < s->len && s->data[s->pos] == '}')
        {
          s->pos++;
          return TRUE;
        }
      return scan_expected (s, "',' or '}' after an object member");
    }
}

static gboolean
scan_value (Scanner *s, guint depth, gboolean record)
{
  gsize start;
  gsize end;
  char c;

  if (s->pos >= s->len)
    return scan_expected (s, "a JSON value");
  c = s->data[s->pos];
  if (c == '{' || c == '[')
    {
      if (depth + 1 > ARW_CATALOG_MAX_DEPTH)
        return scan_fail (s, "nesting is deeper than %d levels", ARW_CATALOG_MAX_DEPTH);
      return c == '{' ? scan_object (s, depth + 1) : scan_array (s, depth + 1, record);
    }
  if (c == '"')
    return scan_string (s, &start, &end);
  if (c == '-' || g_ascii_isdigit (c))
    return scan_number (s);
  if (c == 't')
    return scan_literal (s, "true");
  if (c == 'f')
    return scan_literal (s, "false");
  if (c == 'n')
    return scan_literal (s, "null");
  return scan_expected (s, "a JSON value");
}

static gboolean
scan_document (Scanner *s)
{
  const char *bad = NULL;

  if (!g_utf8_validate_len (s->data, s->len, &bad))
    {
      s->pos = bad - s->data;
      return scan_fail (s, bad < s->data + s->len && *bad == '\0'
                           ? "NUL byte in input" : "invalid UTF-8");
    }
  if (s->len >= 3 && memcmp (s->data, "\xEF\xBB\xBF", 3) == 0)
    return scan_fail (s, "a UTF-8 byte order mark is not allowed; save the file "
                      "as UTF-8 without a BOM");
  scan_ws (s);
  if (!scan_value (s, 0, FALSE))
    return FALSE;
  scan_ws (s);
  if (s->pos < s->len)
    return scan_expected (s, "end of input after the JSON value");
  return TRUE;
}

static JsonNode *
parse_json_scanned (const char *data, gsize len, GArray *bundle_offsets,
                    guint *line, guint *column, GError **error)
{
  Scanner s = { data, len, 0, NULL, bundle_offsets };
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  guint l = 0;
  guint c = 0;

  if (!scan_document (&s))
    {
      offset_to_position (data, MIN (s.pos, len), &l, &c);
      if (line != NULL)
        *line = l;
      if (column != NULL)
        *column = c;
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "line %u, column %u: %s", l, c, s.message);
      g_free (s.message);
      return NULL;
    }
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error) ||
      json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "%s",
                   local_error != NULL ? local_error->message : "no JSON value");
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

/**
 * arw_catalog_parse_json:
 * @line: (out) (optional): line of a syntax error, 1-based
 * @column: (out) (optional): column (in characters) of a syntax error
 *
 * Returns: (transfer full): the root node, or %NULL with @error set
 */
JsonNode *
arw_catalog_parse_json (const char *data, gsize len, guint *line, guint *column,
                        GError **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (line != NULL)
    *line = 0;
  if (column != NULL)
    *column = 0;
  return parse_json_scanned (data != NULL ? data : "", len, NULL, line, column, error);
}

/* ---- catalog parsing -------------------------------------------------- */

typedef struct {
  const char *path;
  gboolean strict;
  GPtrArray *diagnostics;
  const char *data;
  ArwDiagnostic *last; /* borrowed */
  Position cursor;
} ParseCtx;

/* Records a problem; returns TRUE when loading must stop (strict mode or
 * an error that makes the whole file unusable). */
static gboolean G_GNUC_PRINTF (6, 7)
report (ParseCtx *ctx, ArwDiagnosticSeverity severity, guint line, guint column,
        const char *bundle_id, const char *format, ...)
{
  g_autofree char *message = NULL;
  ArwDiagnostic *diagnostic;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  diagnostic = arw_diagnostic_new (severity, ctx->path, line, column, bundle_id, message);
  g_ptr_array_add (ctx->diagnostics, diagnostic);
  ctx->last = diagnostic;
  return ctx->strict;
}

static void
fail_from_last (ParseCtx *ctx, GError **error)
{
  g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, ctx->last->message);
}

static ArwCatalog *
arw_catalog_alloc (const char *path)
{
  ArwCatalog *self = g_new0 (ArwCatalog, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->path = g_strdup (path);
  self->bundles = g_ptr_array_new_with_free_func ((GDestroyNotify) arw_bundle_unref);
  return self;
}

ArwCatalog *
arw_catalog_ref (ArwCatalog *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
arw_catalog_unref (ArwCatalog *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->path);
  g_free (self->channel);
  g_free (self->notes);
  g_ptr_array_unref (self->bundles);
  g_free (self);
}

static const char *
kind_of (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    return "an object";
  if (JSON_NODE_HOLDS_ARRAY (node))
    return "an array";
  if (JSON_NODE_HOLDS_NULL (node))
    return "null";
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return "a string";
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return "a boolean";
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node) < 0 ? "a negative integer" : "an integer too large for 32 bits";
  return "a number with a fraction or exponent";
}

static gboolean
read_version (ParseCtx *ctx, JsonObject *root, ArwCatalog *self)
{
  JsonNode *node = json_object_get_member (root, "version");

  if (node == NULL)
    {
      report (ctx, ARW_DIAGNOSTIC_ERROR, 0, 0, NULL,
              "catalog %s has no \"version\" field; add \"version\": 1", ctx->path);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < 0 || json_node_get_int (node) > G_MAXUINT32)
    {
      report (ctx, ARW_DIAGNOSTIC_ERROR, 0, 0, NULL,
              "catalog %s: \"version\" must be an unsigned 32-bit integer, found %s",
              ctx->path, kind_of (node));
      return FALSE;
    }
  self->version = (guint32) json_node_get_int (node);
  return TRUE;
}

static gboolean
read_header_string (ParseCtx *ctx, JsonObject *root, const char *key, char **out)
{
  JsonNode *node = json_object_get_member (root, key);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      report (ctx, ARW_DIAGNOSTIC_ERROR, 0, 0, NULL,
              "catalog %s: \"%s\" must be a string, found %s", ctx->path, key, kind_of (node));
      return FALSE;
    }
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static const char *
bundle_node_id (JsonNode *node)
{
  JsonNode *id;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  id = json_object_get_member (json_node_get_object (node), "id");
  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (id);
}

static char *
bundle_where (ParseCtx *ctx, guint index, guint line, guint column, const char *id)
{
  g_autofree char *pos = NULL;

  pos = line > 0 ? g_strdup_printf (", line %u, column %u", line, column) : g_strdup ("");
  if (id != NULL)
    return g_strdup_printf ("catalog %s%s: bundle \"%s\"", ctx->path, pos, id);
  return g_strdup_printf ("catalog %s%s: bundle #%u", ctx->path, pos, index + 1);
}

/* Returns FALSE when loading must stop (strict mode). */
static gboolean
parse_bundle_entry (ParseCtx *ctx, ArwCatalog *self, JsonNode *node, guint index,
                    GArray *offsets)
{
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ArwBundle) bundle = NULL;
  g_autofree char *where = NULL;
  const char *id = bundle_node_id (node);
  guint line = 0;
  guint column = 0;

  if (offsets != NULL && index < offsets->len)
    advance_position (ctx->data, g_array_index (offsets, gsize, index), &ctx->cursor,
                      &line, &column);
  where = bundle_where (ctx, index, line, column, id);
  bundle = arw_bundle_new_from_json (node, warnings, &local_error);
  if (bundle == NULL)
    return !report (ctx, ARW_DIAGNOSTIC_ERROR, line, column, id,
                    "%s skipped: %s", where, local_error->message);
  for (guint i = 0; i < warnings->len; i++)
    if (report (ctx, ARW_DIAGNOSTIC_WARNING, line, column, id,
                "%s: %s", where, (const char *) warnings->pdata[i]))
      return FALSE;
  g_ptr_array_add (self->bundles, g_steal_pointer (&bundle));
  return TRUE;
}

static gboolean
parse_bundles (ParseCtx *ctx, JsonObject *root, ArwCatalog *self, GArray *offsets)
{
  JsonNode *node = json_object_get_member (root, "bundles");
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      report (ctx, ARW_DIAGNOSTIC_ERROR, 0, 0, NULL,
              "catalog %s: \"bundles\" must be an array, found %s", ctx->path, kind_of (node));
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (!parse_bundle_entry (ctx, self, json_array_get_element (array, i), i, offsets))
      return FALSE;
  return TRUE;
}

static gboolean
warn_unknown_catalog_fields (ParseCtx *ctx, JsonObject *root)
{
  g_autoptr(GList) members = json_object_get_members (root);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (catalog_fields, l->data) &&
        report (ctx, ARW_DIAGNOSTIC_WARNING, 0, 0, NULL,
                "catalog %s: unknown field \"%s\" is ignored", ctx->path,
                (const char *) l->data))
      return FALSE;
  return TRUE;
}

static JsonNode *
parse_catalog_root (ParseCtx *ctx, gsize len, GArray *offsets)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  guint line = 0;
  guint column = 0;

  if (len > ARW_CATALOG_MAX_BYTES)
    {
      report (ctx, ARW_DIAGNOSTIC_ERROR, 0, 0, NULL,
              "catalog %s is %" G_GSIZE_FORMAT " bytes; the limit is 16 MiB", ctx->path, len);
      return NULL;
    }
  if (len >= 3 && memcmp (ctx->data, "\xEF\xBB\xBF", 3) == 0)
    {
      report (ctx, ARW_DIAGNOSTIC_ERROR, 1, 1, NULL,
              "catalog %s starts with a UTF-8 byte order mark (BOM), which ARW rejects; "
              "save it as UTF-8 without a BOM", ctx->path);
      return NULL;
    }
  root = parse_json_scanned (ctx->data, len, offsets, &line, &column, &local_error);
  if (root == NULL)
    {
      report (ctx, ARW_DIAGNOSTIC_ERROR, line, column, NULL,
              "catalog %s is not valid JSON: %s", ctx->path, local_error->message);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      report (ctx, ARW_DIAGNOSTIC_ERROR, 1, 1, NULL,
              "catalog %s: the top level must be a JSON object, found %s",
              ctx->path, kind_of (root));
      json_node_unref (root);
      return NULL;
    }
  return root;
}

/**
 * arw_catalog_parse_data:
 * @path: the name used in messages and in the catalog's "path"
 * @data: (array length=len): file contents, need not be NUL-terminated
 * @strict: make the first problem of any severity fatal
 * @diagnostics: (nullable) (element-type ArwDiagnostic): receives every
 *   problem, including the one that makes the call fail
 * @error: set iff %NULL is returned
 *
 * Parses one catalog file. A bundle with missing or wrongly typed
 * fields is skipped with an error diagnostic; an unknown modality or
 * accelerator value is dropped with a warning. The file fails as a whole
 * when it is too large, nests too deeply, is not JSON, or its top level
 * is malformed. Safe to call on arbitrary bytes (fuzzing entry point).
 *
 * Returns: (transfer full): the catalog, or %NULL with @error set
 */
ArwCatalog *
arw_catalog_parse_data (const char *path, const char *data, gsize len, gboolean strict,
                        GPtrArray *diagnostics, GError **error)
{
  g_autoptr(GPtrArray) own_diagnostics = diagnostics == NULL ? arw_diagnostics_new () : NULL;
  ParseCtx ctx = { path, strict, diagnostics != NULL ? diagnostics : own_diagnostics,
                   data != NULL ? data : "", NULL, { 0, 0, 0 } };
  g_autoptr(ArwCatalog) self = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GArray) offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
  JsonObject *root;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = arw_catalog_alloc (path);
  node = parse_catalog_root (&ctx, len, offsets);
  if (node == NULL)
    goto fail;
  root = json_node_get_object (node);
  if (!read_version (&ctx, root, self) ||
      !read_header_string (&ctx, root, "channel", &self->channel) ||
      !read_header_string (&ctx, root, "notes", &self->notes) ||
      !warn_unknown_catalog_fields (&ctx, root) ||
      !parse_bundles (&ctx, root, self, offsets))
    goto fail;
  return g_steal_pointer (&self);

fail:
  fail_from_last (&ctx, error);
  return NULL;
}

static char *
read_bounded (const char *path, gsize *len_out, GError **error)
{
  g_autofree char *buf = NULL;
  struct stat st;
  gsize len = 0;
  int fd;

  /* O_NONBLOCK: opening a FIFO must not hang; fstat() rejects it next. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int saved = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "catalog %s could not be read: %s", path, g_strerror (saved));
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE,
                   "catalog %s is not a regular file", path);
      return NULL;
    }
  if ((guint64) st.st_size > ARW_CATALOG_MAX_BYTES)
    {
      close (fd);
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "catalog %s is %" G_GUINT64_FORMAT " bytes; the limit is 16 MiB",
                   path, (guint64) st.st_size);
      return NULL;
    }
  /* One byte more than the limit, in case the file grew since fstat(). */
  buf = g_malloc ((gsize) st.st_size + 2);
  while (len < (gsize) st.st_size + 1)
    {
      gssize n = read (fd, buf + len, (gsize) st.st_size + 1 - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close (fd);
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "catalog %s could not be read: %s", path, g_strerror (saved));
          return NULL;
        }
      if (n == 0)
        break;
      len += (gsize) n;
    }
  close (fd);
  buf[len] = '\0';
  *len_out = len;
  return g_steal_pointer (&buf);
}

/**
 * arw_catalog_load_file:
 *
 * Reads @path (at most 16 MiB) and parses it with
 * arw_catalog_parse_data(). A read failure is also recorded in
 * @diagnostics.
 *
 * Returns: (transfer full): the catalog, or %NULL with @error set
 */
ArwCatalog *
arw_catalog_load_file (const char *path, gboolean strict, GPtrArray *diagnostics,
                       GError **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = read_bounded (path, &len, &local_error);
  if (data == NULL)
    {
      if (diagnostics != NULL)
        g_ptr_array_add (diagnostics, arw_diagnostic_new (ARW_DIAGNOSTIC_ERROR, path, 0, 0,
                                                          NULL, local_error->message));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return arw_catalog_parse_data (path, data, len, strict, diagnostics, error);
}

const char *
arw_catalog_get_path (ArwCatalog *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

guint32
arw_catalog_get_version (ArwCatalog *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->version;
}

const char *
arw_catalog_get_channel (ArwCatalog *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->channel;
}

const char *
arw_catalog_get_notes (ArwCatalog *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->notes;
}

/* Returns: (transfer none) (element-type ArwBundle) */
GPtrArray *
arw_catalog_get_bundles (ArwCatalog *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->bundles;
}

/* Returns: (transfer none) (nullable): the first bundle with @id */
ArwBundle *
arw_catalog_find_bundle (ArwCatalog *self, const char *id)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < self->bundles->len; i++)
    if (g_str_equal (arw_bundle_get_id (self->bundles->pdata[i]), id))
      return self->bundles->pdata[i];
  return NULL;
}

/* {bundles, channel|null, notes|null, path, version} as `bundles list
 * --json` prints it (§5.4). Returns: (transfer full) */
JsonNode *
arw_catalog_to_json (ArwCatalog *self)
{
  JsonObject *obj;
  JsonArray *bundles;

  g_return_val_if_fail (self != NULL, NULL);

  obj = json_object_new ();
  bundles = json_array_new ();
  for (guint i = 0; i < self->bundles->len; i++)
    json_array_add_element (bundles, arw_bundle_to_json (self->bundles->pdata[i]));
  json_object_set_array_member (obj, "bundles", bundles);
  if (self->channel != NULL)
    json_object_set_string_member (obj, "channel", self->channel);
  else
    json_object_set_null_member (obj, "channel");
  if (self->notes != NULL)
    json_object_set_string_member (obj, "notes", self->notes);
  else
    json_object_set_null_member (obj, "notes");
  json_object_set_string_member (obj, "path", self->path);
  json_object_set_int_member (obj, "version", self->version);
  {
    JsonNode *node = json_node_new (JSON_NODE_OBJECT);
    json_node_take_object (node, obj);
    return node;
  }
}

/* ---- catalog sets ----------------------------------------------------- */

void
arw_catalog_set_free (ArwCatalogSet *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->roots);
  g_ptr_array_unref (self->catalogs);
  g_ptr_array_unref (self->diagnostics);
  g_free (self);
}

static gboolean
is_catalog_name (const char *name)
{
  return g_str_has_prefix (name, "bundles") && g_str_has_suffix (name, ".json") &&
         g_utf8_validate (name, -1, NULL);
}

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Regular files named bundles*.json directly in @root (symlinks are not
 * followed, as in ARW), sorted by full path. */
static GPtrArray *
list_catalog_files (const char *root, GError **error)
{
  g_autoptr(GDir) dir = g_dir_open (root, 0, error);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;

      if (!is_catalog_name (name))
        continue;
      path = g_build_filename (root, name, NULL);
      if (g_lstat (path, &st) == 0 && S_ISREG (st.st_mode))
        g_ptr_array_add (paths, g_steal_pointer (&path));
    }
  g_ptr_array_sort (paths, compare_paths);
  return g_steal_pointer (&paths);
}

static gboolean
load_root (ArwCatalogSet *self, const char *root, ArwCatalogLoadFlags flags, GError **error)
{
  gboolean strict = (flags & ARW_CATALOG_LOAD_STRICT) != 0;
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_test (root, G_FILE_TEST_EXISTS))
    {
      if (flags & ARW_CATALOG_LOAD_ALLOW_MISSING_ROOTS)
        return TRUE;
      g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND,
                   "bundle directory %s does not exist", root);
      return FALSE;
    }
  paths = list_catalog_files (root, &local_error);
  if (paths == NULL)
    {
      g_autofree char *message = g_strdup_printf ("bundle directory %s could not be read: %s",
                                                  root, local_error->message);
      g_ptr_array_add (self->diagnostics,
                       arw_diagnostic_new (ARW_DIAGNOSTIC_ERROR, root, 0, 0, NULL, message));
      if (strict)
        g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, message);
      return !strict;
    }
  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(GError) file_error = NULL;
      ArwCatalog *catalog = arw_catalog_load_file (paths->pdata[i], strict,
                                                   self->diagnostics, &file_error);
      if (catalog != NULL)
        g_ptr_array_add (self->catalogs, catalog);
      else if (strict)
        {
          g_propagate_error (error, g_steal_pointer (&file_error));
          return FALSE;
        }
    }
  return TRUE;
}

/* Warns about ids defined more than once; lookups use the first. */
static gboolean
check_duplicates (ArwCatalogSet *self, gboolean strict, GError **error)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < self->catalogs->len; i++)
    {
      ArwCatalog *catalog = self->catalogs->pdata[i];

      for (guint j = 0; j < catalog->bundles->len; j++)
        {
          const char *id = arw_bundle_get_id (catalog->bundles->pdata[j]);
          const char *first = g_hash_table_lookup (seen, id);
          g_autofree char *message = NULL;

          if (first == NULL)
            {
              g_hash_table_insert (seen, (gpointer) id, catalog->path);
              continue;
            }
          message = g_strdup_printf ("catalog %s: bundle \"%s\" is also defined in %s; "
                                     "the definition in %s is used",
                                     catalog->path, id, first, first);
          g_ptr_array_add (self->diagnostics,
                           arw_diagnostic_new (ARW_DIAGNOSTIC_WARNING, catalog->path,
                                               0, 0, id, message));
          if (strict)
            {
              g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, message);
              return FALSE;
            }
        }
    }
  return TRUE;
}

/**
 * arw_catalog_set_load:
 * @roots: directories to scan, in order
 * @flags: #ArwCatalogLoadFlags
 *
 * Loads every regular file named bundles*.json directly in each root
 * (sorted by full path). Unlike ARW, a bad file or bundle is skipped and
 * recorded as a diagnostic; the others still load. With
 * %ARW_CATALOG_LOAD_STRICT the first problem fails the load.
 *
 * Returns: (transfer full): the set, or %NULL with @error set (a missing
 *   root, or any problem in strict mode)
 */
ArwCatalogSet *
arw_catalog_set_load (const char *const *roots, ArwCatalogLoadFlags flags, GError **error)
{
  g_autoptr(ArwCatalogSet) self = NULL;

  g_return_val_if_fail (roots != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (ArwCatalogSet, 1);
  self->roots = g_strdupv ((GStrv) roots);
  self->catalogs = g_ptr_array_new_with_free_func ((GDestroyNotify) arw_catalog_unref);
  self->diagnostics = arw_diagnostics_new ();
  for (guint i = 0; roots[i] != NULL; i++)
    if (!load_root (self, roots[i], flags, error))
      return NULL;
  if (!check_duplicates (self, (flags & ARW_CATALOG_LOAD_STRICT) != 0, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *const *
arw_catalog_set_get_roots (ArwCatalogSet *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char *const *) self->roots;
}

/* Returns: (transfer none) (element-type ArwCatalog) */
GPtrArray *
arw_catalog_set_get_catalogs (ArwCatalogSet *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->catalogs;
}

/* Returns: (transfer none) (element-type ArwDiagnostic) */
GPtrArray *
arw_catalog_set_get_diagnostics (ArwCatalogSet *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->diagnostics;
}

/**
 * arw_catalog_set_find_bundle:
 * @out_catalog: (out) (optional) (transfer none): the catalog it came from
 *
 * The first bundle with @id, catalogs taken in load order (what
 * `install` uses, §5.6).
 *
 * Returns: (transfer none) (nullable)
 */
ArwBundle *
arw_catalog_set_find_bundle (ArwCatalogSet *self, const char *id, ArwCatalog **out_catalog)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (out_catalog != NULL)
    *out_catalog = NULL;
  for (guint i = 0; i < self->catalogs->len; i++)
    {
      ArwBundle *bundle = arw_catalog_find_bundle (self->catalogs->pdata[i], id);
      if (bundle != NULL)
        {
          if (out_catalog != NULL)
            *out_catalog = self->catalogs->pdata[i];
          return bundle;
        }
    }
  return NULL;
}

/* The "catalogs" array of `bundles list --json`. Returns: (transfer full) */
JsonNode *
arw_catalog_set_to_json (ArwCatalogSet *self)
{
  JsonArray *array;

  g_return_val_if_fail (self != NULL, NULL);

  array = json_array_new ();
  for (guint i = 0; i < self->catalogs->len; i++)
    json_array_add_element (array, arw_catalog_to_json (self->catalogs->pdata[i]));
  {
    JsonNode *node = json_node_new (JSON_NODE_ARRAY);
    json_node_take_array (node, array);
    return node;
  }
}
