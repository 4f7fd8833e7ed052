/* SPDX-License-Identifier: GPL-3.0-or-later */

/* ARW's manifest signatures cover the canonical serde_json serialisation of the manifest
 * (spec §4.1–§4.4). This is the one place the project hand-writes a JSON parser and
 * serialiser, because json-glib cannot reproduce those bytes:
 *  - it parses numbers with a correctly rounded strtod, while serde_json's default float
 *    parser is not correctly rounded (spec §4.3 gives inputs where the two differ);
 *  - it cannot hold integers above INT64_MAX, which serde keeps as exact u64;
 *  - it resolves duplicate object keys differently from serde's silent last-wins;
 *  - its generator's spacing, escaping and number layout differ from serde_json's.
 * A different byte anywhere changes the SHA-256 and breaks every signature, so the
 * parser below follows serde_json 1.0.145 (SliceRead, default features) step by step,
 * including its error messages and "at line L column C" positions. */

#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "arw-canonical-json.h"
#include "arw-error.h"

/* The float algorithm must round every multiply and divide to double exactly once:
 * no x87 excess precision and no fused multiply-add. The code below never writes an
 * a * b + c expression, so contraction has nothing to fuse even where the compiler
 * ignores this pragma (GCC does, and would warn about it). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0
#error "arw-canonical-json.c needs FLT_EVAL_METHOD == 0 (SSE2 double arithmetic)"
#endif

/* serde_json's recursion limit: the 128th nested array or object is rejected. */
#define ARW_JSON_MAX_DEPTH 128
#define ROOT_NOT_OBJECT "bundle manifest root must be a JSON object"

typedef struct {
  const guchar *data;
  gsize len;
  gsize pos;
  guint remaining_depth;
  gboolean raw_numbers; /* copy number tokens verbatim instead of re-formatting them */
  GString *scratch;
  GError **error;
} Parser;

/* ---------------------------------------------------------------------------------------
 * Errors: serde reports the position of a byte index as (line, bytes since line start).
 * error() uses the current index, peek_error() the index of the peeked byte plus one. */

static gboolean
parser_fail_at (Parser     *p,
                gsize       index,
                const char *what)
{
  gsize line = 1;
  gsize line_start = 0;

  index = MIN (index, p->len);
  for (gsize i = 0; i < index; i++)
    {
      if (p->data[i] == '\n')
        {
          line++;
          line_start = i + 1;
        }
    }
  g_set_error (p->error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
               "%s at line %" G_GSIZE_FORMAT " column %" G_GSIZE_FORMAT,
               what, line, index - line_start);
  return FALSE;
}

static gboolean
fail_here (Parser     *p,
           const char *what)
{
  return parser_fail_at (p, p->pos, what);
}

static gboolean
fail_peek (Parser     *p,
           const char *what)
{
  return parser_fail_at (p, p->pos + 1, what);
}

static inline gboolean
is_digit (guchar c)
{
  return c >= '0' && c <= '9';
}

static inline gboolean
peek_digit (Parser *p)
{
  return p->pos < p->len && is_digit (p->data[p->pos]);
}

static inline int
peek_or_null (Parser *p)
{
  return p->pos < p->len ? p->data[p->pos] : 0;
}

/* Skips JSON whitespace; returns the next byte or -1 at the end. */
static int
skip_whitespace (Parser *p)
{
  while (p->pos < p->len)
    {
      guchar c = p->data[p->pos];

      if (c != ' ' && c != '\n' && c != '\t' && c != '\r')
        return c;
      p->pos++;
    }
  return -1;
}

/* ---------------------------------------------------------------------------------------
 * Numbers (spec §4.3, serde_json de.rs without the float_roundtrip feature). */

static double pow10_table[309];

/* P[k] = correctly rounded 10^k; glibc's strtod is correctly rounded. */
static const double *
pow10_get (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint k = 0; k < G_N_ELEMENTS (pow10_table); k++)
        {
          char buf[16];

          g_snprintf (buf, sizeof buf, "1e%u", k);
          pow10_table[k] = g_ascii_strtod (buf, NULL);
        }
      g_once_init_leave (&initialized, 1);
    }
  return pow10_table;
}

/* serde's overflow!(a * 10 + b, u64::MAX) */
static inline gboolean
u64_mul10_add_overflows (guint64 a,
                         guint   digit)
{
  return a >= G_MAXUINT64 / 10 && (a > G_MAXUINT64 / 10 || digit > G_MAXUINT64 % 10);
}

static gint32
clamp_i32 (gint64 v)
{
  return (gint32) CLAMP (v, (gint64) G_MININT32, (gint64) G_MAXINT32);
}

static gboolean
f64_from_parts (Parser   *p,
                gboolean  positive,
                guint64   significand,
                gint32    exponent,
                double   *out)
{
  const double *pow10 = pow10_get ();
  double f = (double) significand;

  for (;;)
    {
      guint32 magnitude = exponent < 0 ? 0u - (guint32) exponent : (guint32) exponent;

      if (magnitude < G_N_ELEMENTS (pow10_table))
        {
          if (exponent >= 0)
            {
              f = f * pow10[magnitude];
              if (isinf (f))
                return fail_here (p, "number out of range");
            }
          else
            {
              f = f / pow10[magnitude];
            }
          break;
        }
      if (f == 0.0)
        break;
      if (exponent >= 0)
        return fail_here (p, "number out of range");
      f = f / pow10[308];
      exponent += 308;
    }
  *out = positive ? f : -f;
  return TRUE;
}

static gboolean
parse_exponent_overflow (Parser   *p,
                         gboolean  positive,
                         gboolean  zero_significand,
                         gboolean  positive_exp,
                         double   *out)
{
  /* An error instead of +/- infinity. */
  if (!zero_significand && positive_exp)
    return fail_here (p, "number out of range");
  while (peek_digit (p))
    p->pos++;
  *out = positive ? 0.0 : -0.0;
  return TRUE;
}

static gboolean
parse_exponent (Parser   *p,
                gboolean  positive,
                guint64   significand,
                gint32    starting_exp,
                double   *out)
{
  gboolean positive_exp = TRUE;
  gint32 exp;
  guchar c;

  p->pos++; /* 'e' or 'E' */
  if (peek_or_null (p) == '+')
    p->pos++;
  else if (peek_or_null (p) == '-')
    {
      p->pos++;
      positive_exp = FALSE;
    }
  if (p->pos >= p->len)
    return fail_here (p, "EOF while parsing a value");
  c = p->data[p->pos++];
  if (!is_digit (c))
    return fail_here (p, "invalid number");
  exp = c - '0';
  while (peek_digit (p))
    {
      guint digit = p->data[p->pos++] - '0';

      if (exp >= G_MAXINT32 / 10 && (exp > G_MAXINT32 / 10 || (gint32) digit > G_MAXINT32 % 10))
        return parse_exponent_overflow (p, positive, significand == 0, positive_exp, out);
      exp = exp * 10 + (gint32) digit;
    }
  /* saturating i32 arithmetic */
  return f64_from_parts (p, positive, significand,
                         clamp_i32 (positive_exp ? (gint64) starting_exp + exp
                                                 : (gint64) starting_exp - exp),
                         out);
}

static gboolean
parse_exponent_or_finish (Parser   *p,
                          gboolean  positive,
                          guint64   significand,
                          gint32    exponent,
                          double   *out)
{
  int c = peek_or_null (p);

  if (c == 'e' || c == 'E')
    return parse_exponent (p, positive, significand, exponent, out);
  return f64_from_parts (p, positive, significand, exponent, out);
}

static gboolean
parse_decimal (Parser   *p,
               gboolean  positive,
               guint64   significand,
               gint32    exponent_before_point,
               double   *out)
{
  gint64 exponent_after_point = 0;

  p->pos++; /* '.' */
  while (peek_digit (p))
    {
      guint digit = p->data[p->pos] - '0';

      if (u64_mul10_add_overflows (significand, digit))
        {
          /* Ignore this and all further fraction digits without changing the exponent. */
          while (peek_digit (p))
            p->pos++;
          return parse_exponent_or_finish (p, positive, significand,
                                           clamp_i32 (exponent_before_point + exponent_after_point),
                                           out);
        }
      p->pos++;
      significand = significand * 10 + digit;
      exponent_after_point--;
    }
  /* At least one digit must follow the decimal point. */
  if (exponent_after_point == 0)
    {
      if (p->pos < p->len)
        return fail_peek (p, "invalid number");
      return fail_peek (p, "EOF while parsing a value");
    }
  return parse_exponent_or_finish (p, positive, significand,
                                   clamp_i32 (exponent_before_point + exponent_after_point),
                                   out);
}

/* An integer part longer than a u64: the remaining digits only scale the exponent. */
static gboolean
parse_long_integer (Parser   *p,
                    gboolean  positive,
                    guint64   significand,
                    double   *out)
{
  gint64 exponent = 0;

  while (peek_digit (p))
    {
      p->pos++;
      exponent++;
    }
  if (peek_or_null (p) == '.')
    return parse_decimal (p, positive, significand, clamp_i32 (exponent), out);
  return parse_exponent_or_finish (p, positive, significand, clamp_i32 (exponent), out);
}

static void
append_double (GString *out,
               double   value)
{
  g_autofree char *text = arw_json_format_double (value);

  g_string_append (out, text);
}

/* After the integer digits: a fraction or exponent makes a float, else an integer. */
static gboolean
parse_number_tail (Parser   *p,
                   gboolean  positive,
                   guint64   significand,
                   GString  *out)
{
  int c = peek_or_null (p);
  double f;

  if (c == '.' || c == 'e' || c == 'E')
    {
      gboolean ok = c == '.' ? parse_decimal (p, positive, significand, 0, &f)
                             : parse_exponent (p, positive, significand, 0, &f);
      if (!ok)
        return FALSE;
      append_double (out, f);
    }
  else if (positive)
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, significand);
  else if (significand == 0 || significand > (guint64) G_MAXINT64 + 1)
    append_double (out, -(double) significand); /* -0 and below i64::MIN become floats */
  else
    g_string_append_printf (out, "-%" G_GUINT64_FORMAT, significand);
  return TRUE;
}

/* Called after an optional '-' has been consumed. */
static gboolean
parse_number (Parser   *p,
              gboolean  positive,
              GString  *out)
{
  guint64 significand;
  guchar c;

  if (p->pos >= p->len)
    return fail_here (p, "EOF while parsing a value");
  c = p->data[p->pos++];
  if (c == '0')
    {
      /* There can be only one leading '0'. */
      if (peek_digit (p))
        return fail_peek (p, "invalid number");
      return parse_number_tail (p, positive, 0, out);
    }
  if (!is_digit (c))
    return fail_here (p, "invalid number");

  significand = c - '0';
  while (peek_digit (p))
    {
      guint digit = p->data[p->pos] - '0';

      if (u64_mul10_add_overflows (significand, digit))
        {
          double f;

          if (!parse_long_integer (p, positive, significand, &f))
            return FALSE;
          append_double (out, f);
          return TRUE;
        }
      p->pos++;
      significand = significand * 10 + digit;
    }
  return parse_number_tail (p, positive, significand, out);
}

/* ---------------------------------------------------------------------------------------
 * Strings */

static int
hex_value (guchar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
decode_hex_escape (Parser  *p,
                   guint32 *out)
{
  guint32 n = 0;

  if (p->len - p->pos < 4)
    {
      p->pos = p->len;
      return fail_here (p, "EOF while parsing a string");
    }
  for (guint i = 0; i < 4; i++)
    {
      int v = hex_value (p->data[p->pos + i]);

      if (v < 0)
        {
          p->pos += 4;
          return fail_here (p, "invalid escape");
        }
      n = (n << 4) | (guint32) v;
    }
  p->pos += 4;
  *out = n;
  return TRUE;
}

static void
append_code_point (GString *dst,
                   guint32  cp)
{
  char buf[6];
  gint n = g_unichar_to_utf8 (cp, buf);

  g_string_append_len (dst, buf, n);
}

static gboolean
parse_unicode_escape (Parser  *p,
                      GString *dst)
{
  guint32 n1, n2;

  if (!decode_hex_escape (p, &n1))
    return FALSE;
  /* (serde's wording: a trailing surrogate on its own is reported as "leading") */
  if (n1 >= 0xDC00 && n1 <= 0xDFFF)
    return fail_here (p, "lone leading surrogate in hex escape");
  if (n1 < 0xD800 || n1 > 0xDBFF)
    {
      append_code_point (dst, n1);
      return TRUE;
    }
  /* A leading surrogate: a trailing surrogate escape must follow. */
  if (p->pos >= p->len)
    return fail_here (p, "EOF while parsing a string");
  if (p->data[p->pos++] != '\\')
    return fail_here (p, "unexpected end of hex escape");
  if (p->pos >= p->len)
    return fail_here (p, "EOF while parsing a string");
  if (p->data[p->pos++] != 'u')
    return fail_here (p, "unexpected end of hex escape");
  if (!decode_hex_escape (p, &n2))
    return FALSE;
  if (n2 < 0xDC00 || n2 > 0xDFFF)
    return fail_here (p, "lone leading surrogate in hex escape");
  append_code_point (dst, (((n1 - 0xD800) << 10) | (n2 - 0xDC00)) + 0x10000);
  return TRUE;
}

static gboolean
parse_escape (Parser  *p,
              GString *dst)
{
  guchar c;

  if (p->pos >= p->len)
    return fail_here (p, "EOF while parsing a string");
  c = p->data[p->pos++];
  switch (c)
    {
    case '"': g_string_append_c (dst, '"'); break;
    case '\\': g_string_append_c (dst, '\\'); break;
    case '/': g_string_append_c (dst, '/'); break;
    case 'b': g_string_append_c (dst, '\b'); break;
    case 'f': g_string_append_c (dst, '\f'); break;
    case 'n': g_string_append_c (dst, '\n'); break;
    case 'r': g_string_append_c (dst, '\r'); break;
    case 't': g_string_append_c (dst, '\t'); break;
    case 'u': return parse_unicode_escape (p, dst);
    default: return fail_here (p, "invalid escape");
    }
  return TRUE;
}

/* Decodes a string body (opening quote already consumed) into dst, which may then hold
 * NUL bytes from \u0000. Raw bytes must be UTF-8; serde checks that at the closing quote. */
static gboolean
parse_string (Parser  *p,
              GString *dst)
{
  gboolean bad_utf8 = FALSE;

  g_string_truncate (dst, 0);
  for (;;)
    {
      gsize start = p->pos;
      guchar c;

      while (p->pos < p->len && p->data[p->pos] != '"' && p->data[p->pos] != '\\' &&
             p->data[p->pos] >= 0x20)
        p->pos++;
      if (p->pos > start)
        {
          if (!g_utf8_validate_len ((const char *) p->data + start, p->pos - start, NULL))
            bad_utf8 = TRUE;
          g_string_append_len (dst, (const char *) p->data + start, p->pos - start);
        }
      if (p->pos >= p->len)
        return fail_here (p, "EOF while parsing a string");
      c = p->data[p->pos++];
      if (c == '"')
        return bad_utf8 ? fail_here (p, "invalid unicode code point") : TRUE;
      if (c != '\\')
        return fail_here (p, "control character (\\u0000-\\u001F) found while parsing a string");
      if (!parse_escape (p, dst))
        return FALSE;
    }
}

void
arw_json_append_string (GString    *out,
                        const char *utf8,
                        gssize      len)
{
  static const char hex[] = "0123456789abcdef";
  gsize n, run = 0;

  g_return_if_fail (out != NULL);
  g_return_if_fail (utf8 != NULL || len == 0);

  n = len < 0 ? strlen (utf8) : (gsize) len;
  g_string_append_c (out, '"');
  for (gsize i = 0; i < n; i++)
    {
      guchar c = (guchar) utf8[i];
      const char *esc = NULL;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (out, utf8 + run, i - run);
      run = i + 1;
      switch (c)
        {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default: break;
        }
      if (esc != NULL)
        g_string_append (out, esc);
      else
        g_string_append_printf (out, "\\u00%c%c", hex[c >> 4], hex[c & 0xf]);
    }
  g_string_append_len (out, utf8 + run, n - run);
  g_string_append_c (out, '"');
}

/* ---------------------------------------------------------------------------------------
 * Values, arrays, objects: each value is written canonically to `out`. */

static gboolean parse_value (Parser  *p,
                             GString *out);

static gboolean
enter_nesting (Parser *p)
{
  /* serde's check_recursion!, run before the bracket is consumed */
  if (--p->remaining_depth == 0)
    return fail_peek (p, "recursion limit exceeded (JSON nesting too deep, at most 127 levels)");
  p->pos++;
  return TRUE;
}

static gboolean
parse_array (Parser  *p,
             GString *out)
{
  gboolean first = TRUE;

  if (!enter_nesting (p))
    return FALSE;
  g_string_append_c (out, '[');
  for (;;)
    {
      int c = skip_whitespace (p);

      if (c < 0)
        return fail_peek (p, "EOF while parsing a list");
      if (c == ']')
        break;
      if (!first)
        {
          if (c != ',')
            return fail_peek (p, "expected `,` or `]`");
          p->pos++;
          c = skip_whitespace (p);
          if (c == ']')
            return fail_peek (p, "trailing comma");
          if (c < 0)
            return fail_peek (p, "EOF while parsing a value");
          g_string_append_c (out, ',');
        }
      first = FALSE;
      if (!parse_value (p, out))
        return FALSE;
    }
  p->pos++;
  p->remaining_depth++;
  g_string_append_c (out, ']');
  return TRUE;
}

typedef struct {
  gsize key_off;
  gsize key_len;
  gsize val_off;
  gsize val_len;
  guint index;
} Member;

static int
compare_keys (const char *a,
              gsize       a_len,
              const char *b,
              gsize       b_len)
{
  int r = memcmp (a, b, MIN (a_len, b_len));

  if (r != 0)
    return r;
  return a_len < b_len ? -1 : a_len > b_len ? 1 : 0;
}

static int
compare_members (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const Member *ma = a, *mb = b;
  const GString *keys = user_data;
  int r = compare_keys (keys->str + ma->key_off, ma->key_len, keys->str + mb->key_off, mb->key_len);

  if (r != 0)
    return r;
  return ma->index < mb->index ? -1 : ma->index > mb->index ? 1 : 0;
}

/* Rewrites out[start..] (the members' values in input order) as the canonical object:
 * keys sorted by UTF-8 bytes, the last of equal keys wins. */
static void
emit_object (GString *out,
             gsize    start,
             GArray  *members,
             GString *keys)
{
  g_autofree char *values = g_memdup2 (out->str + start, out->len - start + 1);
  gboolean first = TRUE;

  g_array_sort_with_data (members, compare_members, keys);
  g_string_truncate (out, start);
  g_string_append_c (out, '{');
  for (guint i = 0; i < members->len; i++)
    {
      const Member *m = &g_array_index (members, Member, i);

      if (i + 1 < members->len)
        {
          const Member *next = &g_array_index (members, Member, i + 1);

          if (compare_keys (keys->str + m->key_off, m->key_len,
                            keys->str + next->key_off, next->key_len) == 0)
            continue;
        }
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      arw_json_append_string (out, keys->str + m->key_off, m->key_len);
      g_string_append_c (out, ':');
      g_string_append_len (out, values + (m->val_off - start), m->val_len);
    }
  g_string_append_c (out, '}');
}

static int
fail_peek_int (Parser     *p,
               const char *what)
{
  fail_peek (p, what);
  return -1;
}

/* serde's MapAccess::has_next_key; returns 1 for a key, 0 at '}', -1 on error. */
static int
object_next_key (Parser   *p,
                 gboolean  first)
{
  int c = skip_whitespace (p);

  if (c < 0)
    return fail_peek_int (p, "EOF while parsing an object");
  if (c == '}')
    return 0;
  if (!first)
    {
      if (c != ',')
        return fail_peek_int (p, "expected `,` or `}`");
      p->pos++;
      c = skip_whitespace (p);
      if (c == '}')
        return fail_peek_int (p, "trailing comma");
      if (c < 0)
        return fail_peek_int (p, "EOF while parsing a value");
    }
  if (c != '"')
    return fail_peek_int (p, "key must be a string");
  p->pos++;
  return 1;
}

static gboolean
parse_object (Parser  *p,
              GString *out)
{
  g_autoptr(GArray) members = g_array_new (FALSE, FALSE, sizeof (Member));
  g_autoptr(GString) keys = g_string_new (NULL);
  gsize start = out->len;
  int more;

  if (!enter_nesting (p))
    return FALSE;
  while ((more = object_next_key (p, members->len == 0)) > 0)
    {
      Member m = { .key_off = keys->len, .index = members->len };
      int c;

      if (!parse_string (p, p->scratch))
        return FALSE;
      m.key_len = p->scratch->len;
      g_string_append_len (keys, p->scratch->str, p->scratch->len);
      c = skip_whitespace (p);
      if (c < 0)
        return fail_peek (p, "EOF while parsing an object");
      if (c != ':')
        return fail_peek (p, "expected `:`");
      p->pos++;
      m.val_off = out->len;
      if (!parse_value (p, out))
        return FALSE;
      m.val_len = out->len - m.val_off;
      g_array_append_val (members, m);
    }
  if (more < 0)
    return FALSE;
  p->pos++;
  p->remaining_depth++;
  emit_object (out, start, members, keys);
  return TRUE;
}

static gboolean
parse_ident (Parser     *p,
             const char *word,
             GString    *out)
{
  p->pos++;
  for (const char *rest = word + 1; *rest != '\0'; rest++)
    {
      if (p->pos >= p->len)
        return fail_here (p, "EOF while parsing a value");
      if (p->data[p->pos++] != (guchar) *rest)
        return fail_here (p, "expected ident");
    }
  g_string_append (out, word);
  return TRUE;
}

static gboolean
parse_number_token (Parser  *p,
                    GString *out)
{
  gsize token_start = p->pos;
  gsize out_start = out->len;
  gboolean positive = p->data[p->pos] != '-';

  if (!positive)
    p->pos++;
  if (!parse_number (p, positive, out))
    return FALSE;
  if (p->raw_numbers)
    {
      g_string_truncate (out, out_start);
      g_string_append_len (out, (const char *) p->data + token_start, p->pos - token_start);
    }
  return TRUE;
}

static gboolean
parse_value (Parser  *p,
             GString *out)
{
  int c = skip_whitespace (p);

  if (c < 0)
    return fail_peek (p, "EOF while parsing a value");
  switch (c)
    {
    case 'n': return parse_ident (p, "null", out);
    case 't': return parse_ident (p, "true", out);
    case 'f': return parse_ident (p, "false", out);
    case '-':
      return parse_number_token (p, out);
    case '"':
      p->pos++;
      if (!parse_string (p, p->scratch))
        return FALSE;
      arw_json_append_string (out, p->scratch->str, p->scratch->len);
      return TRUE;
    case '[': return parse_array (p, out);
    case '{': return parse_object (p, out);
    default:
      if (is_digit ((guchar) c))
        return parse_number_token (p, out);
      return fail_peek (p, "expected value");
    }
}

static char *
canonical_text (const char *data,
              gssize      len,
              gboolean    raw_numbers,
              gsize      *out_len,
              GError    **error)
{
  g_autoptr(GString) out = NULL;
  g_autoptr(GString) scratch = NULL;
  Parser p = { 0 };

  p.raw_numbers = raw_numbers;
  p.data = (const guchar *) (data != NULL ? data : "");
  p.len = len < 0 ? strlen (data) : (gsize) len;
  p.remaining_depth = ARW_JSON_MAX_DEPTH;
  p.error = error;
  p.scratch = scratch = g_string_new (NULL);
  out = g_string_sized_new (p.len + 1);

  if (!parse_value (&p, out))
    return NULL;
  if (skip_whitespace (&p) >= 0)
    {
      fail_peek (&p, "trailing characters");
      return NULL;
    }
  if (out_len != NULL)
    *out_len = out->len;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
arw_canonical_json_normalize (const char *data,
                              gssize      len,
                              gsize      *out_len,
                              GError    **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return canonical_text (data, len, FALSE, out_len, error);
}

/* ---------------------------------------------------------------------------------------
 * Scanning canonical compact text (no whitespace, no raw NUL bytes). */

/* s[i] == '"'; returns the index after the closing quote. */
static gsize
canon_skip_string (const char *s,
                   gsize       i)
{
  for (i++; s[i] != '\0'; i++)
    {
      if (s[i] == '\\')
        {
          if (s[i + 1] == '\0')
            return i + 1;
          i++;
        }
      else if (s[i] == '"')
        return i + 1;
    }
  return i;
}

/* Returns the index just after the value starting at s[i]. */
static gsize
canon_skip_value (const char *s,
                  gsize       i)
{
  guint depth = 0;

  do
    {
      char c = s[i];

      if (c == '\0')
        return i;
      if (c == '"')
        i = canon_skip_string (s, i);
      else if (c == '{' || c == '[')
        {
          depth++;
          i++;
        }
      else if (c == '}' || c == ']')
        {
          if (depth == 0)
            return i;
          depth--;
          i++;
        }
      else if (depth == 0)
        {
          /* a scalar: up to the next delimiter */
          while (s[i] != '\0' && strchr (",:]}", s[i]) == NULL)
            i++;
        }
      else
        i++;
    }
  while (depth > 0);
  return i;
}

/* Decodes the string literal s[i..end) (quotes included) into raw UTF-8 bytes. */
static void
canon_decode_string (const char *s,
                     gsize       i,
                     gsize       end,
                     GString    *dst)
{
  g_string_truncate (dst, 0);
  for (i++, end--; i < end; i++)
    {
      char c = s[i];
      guint32 cp = 0;

      if (c != '\\' || i + 1 >= end)
        {
          g_string_append_c (dst, c);
          continue;
        }
      c = s[++i];
      switch (c)
        {
        case 'b': g_string_append_c (dst, '\b'); break;
        case 'f': g_string_append_c (dst, '\f'); break;
        case 'n': g_string_append_c (dst, '\n'); break;
        case 'r': g_string_append_c (dst, '\r'); break;
        case 't': g_string_append_c (dst, '\t'); break;
        case 'u':
          for (guint k = 0; k < 4 && i + 1 < end && hex_value ((guchar) s[i + 1]) >= 0; k++)
            cp = (cp << 4) | (guint32) hex_value ((guchar) s[++i]);
          append_code_point (dst, cp);
          break;
        default: g_string_append_c (dst, c); break;
        }
    }
}

/* ---------------------------------------------------------------------------------------
 * ArwCanonicalObject */

typedef struct {
  char *key;
  gsize key_len;
  char *value;
} ObjectMember;

struct _ArwCanonicalObject {
  GPtrArray *members; /* of ObjectMember, sorted by key bytes, unique */
};

static void
object_member_free (gpointer data)
{
  ObjectMember *m = data;

  g_free (m->key);
  g_free (m->value);
  g_free (m);
}

static ObjectMember *
object_member_new (const char *key,
                   gsize       key_len,
                   const char *value,
                   gsize       value_len)
{
  ObjectMember *m = g_new0 (ObjectMember, 1);

  m->key = g_memdup2 (key, key_len + 1);
  m->key[key_len] = '\0';
  m->key_len = key_len;
  m->value = g_strndup (value, value_len);
  return m;
}

static ArwCanonicalObject *
canonical_object_new (void)
{
  ArwCanonicalObject *self = g_new0 (ArwCanonicalObject, 1);

  self->members = g_ptr_array_new_with_free_func (object_member_free);
  return self;
}

/* Binary search; returns TRUE and the index when found, else the insertion index. */
static gboolean
object_find (ArwCanonicalObject *self,
             const char         *key,
             gsize               key_len,
             guint              *index)
{
  guint lo = 0, hi = self->members->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const ObjectMember *m = g_ptr_array_index (self->members, mid);
      int r = compare_keys (m->key, m->key_len, key, key_len);

      if (r == 0)
        {
          *index = mid;
          return TRUE;
        }
      if (r < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  *index = lo;
  return FALSE;
}

ArwCanonicalObject *
arw_canonical_object_parse (const char *data,
                            gssize      len,
                            GError    **error)
{
  g_autoptr(ArwCanonicalObject) self = NULL;
  g_autoptr(GString) key = NULL;
  g_autofree char *canon = NULL;
  gsize i = 1;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  canon = arw_canonical_json_normalize (data, len, NULL, error);
  if (canon == NULL)
    return NULL;
  if (canon[0] != '{')
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, ROOT_NOT_OBJECT);
      return NULL;
    }

  self = canonical_object_new ();
  key = g_string_new (NULL);
  while (canon[i] == '"')
    {
      gsize key_end = canon_skip_string (canon, i);
      gsize value_end = canon_skip_value (canon, key_end + 1);

      canon_decode_string (canon, i, key_end, key);
      /* Keys come out of normalize sorted and unique. */
      g_ptr_array_add (self->members,
                       object_member_new (key->str, key->len, canon + key_end + 1,
                                          value_end - key_end - 1));
      i = canon[value_end] == ',' ? value_end + 1 : value_end;
    }
  return g_steal_pointer (&self);
}

const char *
arw_canonical_object_get (ArwCanonicalObject *self,
                          const char         *key)
{
  guint index;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (!object_find (self, key, strlen (key), &index))
    return NULL;
  return ((ObjectMember *) g_ptr_array_index (self->members, index))->value;
}

void
arw_canonical_object_set (ArwCanonicalObject *self,
                          const char         *key,
                          const char         *canonical_value)
{
  gsize key_len;
  guint index;

  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL);
  g_return_if_fail (canonical_value != NULL && *canonical_value != '\0');

  key_len = strlen (key);
  if (object_find (self, key, key_len, &index))
    {
      ObjectMember *m = g_ptr_array_index (self->members, index);

      g_free (m->value);
      m->value = g_strdup (canonical_value);
      return;
    }
  g_ptr_array_insert (self->members, (gint) index,
                      object_member_new (key, key_len, canonical_value, strlen (canonical_value)));
}

gboolean
arw_canonical_object_remove (ArwCanonicalObject *self,
                             const char         *key)
{
  guint index;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (!object_find (self, key, strlen (key), &index))
    return FALSE;
  g_ptr_array_remove_index (self->members, index);
  return TRUE;
}

char *
arw_canonical_object_to_string (ArwCanonicalObject *self,
                                gboolean            pretty)
{
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new ("{");
  for (guint i = 0; i < self->members->len; i++)
    {
      const ObjectMember *m = g_ptr_array_index (self->members, i);

      if (i > 0)
        g_string_append_c (out, ',');
      arw_json_append_string (out, m->key, m->key_len);
      g_string_append_c (out, ':');
      g_string_append (out, m->value);
    }
  g_string_append_c (out, '}');
  if (pretty)
    return arw_canonical_json_prettify (out->str);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
arw_canonical_object_free (ArwCanonicalObject *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->members);
  g_free (self);
}

GBytes *
arw_canonical_json_payload (const char *data,
                            gssize      len,
                            GError    **error)
{
  g_autoptr(ArwCanonicalObject) object = NULL;
  char *text;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  object = arw_canonical_object_parse (data, len, error);
  if (object == NULL)
    return NULL;
  /* Only the top-level key; nested "signatures" keys are signed like any other data. */
  arw_canonical_object_remove (object, "signatures");
  text = arw_canonical_object_to_string (object, FALSE);
  return g_bytes_new_take (text, strlen (text));
}

GPtrArray *
arw_canonical_json_array_elements (const char *canonical_array,
                                   GError    **error)
{
  g_autoptr(GPtrArray) elements = NULL;
  g_autofree char *canon = NULL;
  gsize i = 1;

  g_return_val_if_fail (canonical_array != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Validate and compact, but keep number tokens as written: serde's float parser is not
   * correctly rounded, so re-formatting could change an already canonical number. */
  canon = canonical_text (canonical_array, -1, TRUE, NULL, error);
  if (canon == NULL)
    return NULL;
  if (canon[0] != '[')
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                           "expected a JSON array");
      return NULL;
    }
  elements = g_ptr_array_new_with_free_func (g_free);
  while (canon[i] != ']' && canon[i] != '\0')
    {
      gsize end = canon_skip_value (canon, i);

      g_ptr_array_add (elements, g_strndup (canon + i, end - i));
      i = canon[end] == ',' ? end + 1 : end;
    }
  return g_steal_pointer (&elements);
}

/* ---------------------------------------------------------------------------------------
 * serde_json PrettyFormatter */

static void
newline_indent (GString *out,
                guint    indent)
{
  g_string_append_c (out, '\n');
  for (guint i = 0; i < indent; i++)
    g_string_append (out, "  ");
}

char *
arw_canonical_json_prettify (const char *canonical)
{
  g_autoptr(GString) out = NULL;
  guint indent = 0;
  gsize i = 0;

  g_return_val_if_fail (canonical != NULL, NULL);

  out = g_string_sized_new (strlen (canonical) * 2 + 1);
  while (canonical[i] != '\0')
    {
      char c = canonical[i];

      switch (c)
        {
        case '"':
          {
            gsize end = canon_skip_string (canonical, i);

            g_string_append_len (out, canonical + i, end - i);
            i = end;
            continue;
          }
        case '{':
        case '[':
          if (canonical[i + 1] == (c == '{' ? '}' : ']'))
            {
              g_string_append_len (out, canonical + i, 2);
              i += 2;
              continue;
            }
          g_string_append_c (out, c);
          newline_indent (out, ++indent);
          break;
        case '}':
        case ']':
          indent = indent > 0 ? indent - 1 : 0;
          newline_indent (out, indent);
          g_string_append_c (out, c);
          break;
        case ',':
          g_string_append_c (out, ',');
          newline_indent (out, indent);
          break;
        case ':':
          g_string_append (out, ": ");
          break;
        default:
          g_string_append_c (out, c);
          break;
        }
      i++;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---------------------------------------------------------------------------------------
 * Floats: Ryū's shortest round-trip digits, serde/ryu layout */

/* True when the decimal digits[0].digits[1..] × 10^exp10 reads back as exactly v. */
static gboolean
digits_round_trip (double      v,
                   const char *digits,
                   int         exp10)
{
  char buf[48];

  g_snprintf (buf, sizeof buf, "%c.%se%d", digits[0], digits + 1, exp10);
  return g_ascii_strtod (buf, NULL) == v;
}

/* Adds (+1) or subtracts (-1) one unit in the last digit; the length stays the same. */
static void
digits_step (char *digits,
             int  *exp10,
             int   direction)
{
  gsize n = strlen (digits);
  gssize i;

  if (direction > 0)
    {
      for (i = (gssize) n - 1; i >= 0 && digits[i] == '9'; i--)
        digits[i] = '0';
      if (i >= 0)
        digits[i]++;
      else
        {
          digits[0] = '1'; /* 99…9 + 1 = 10…0 at the next exponent */
          (*exp10)++;
        }
      return;
    }
  for (i = (gssize) n - 1; i >= 0 && digits[i] == '0'; i--)
    digits[i] = '9';
  digits[i]--;
  if (digits[0] == '0')
    {
      /* 10…0 − 1 = 9…9 one exponent lower (the grid below a power of ten is finer) */
      memset (digits, '9', n);
      (*exp10)--;
    }
}

/* Shortest digits that read back as v (> 0), closest to v among the shortest (Ryū). */
static void
shortest_digits (double  v,
                 char    digits[24],
                 int    *exp10)
{
  for (int precision = 1; precision <= 17; precision++)
    {
      char fmt[16], buf[48];
      char *e;
      gsize n = 0;

      /* printf's correctly rounded digits: the closest candidate of this length */
      g_snprintf (fmt, sizeof fmt, "%%.%de", precision - 1);
      g_ascii_formatd (buf, sizeof buf, fmt, v);
      e = strchr (buf, 'e');
      g_assert (e != NULL);
      for (char *c = buf; c < e; c++)
        if (is_digit ((guchar) *c))
          digits[n++] = *c;
      digits[n] = '\0';
      *exp10 = (int) g_ascii_strtoll (e + 1, NULL, 10);
      if (digits_round_trip (v, digits, *exp10) || precision == 17)
        return;

      /* At a power of two the rounding interval is asymmetric, so the closest
       * candidate may fall outside while its neighbour on the other side is inside. */
      for (int direction = -1; direction <= 1; direction += 2)
        {
          char alt[24];
          int alt_exp = *exp10;

          memcpy (alt, digits, n + 1);
          if (direction < 0 && n == 1 && alt[0] == '1')
            continue;
          digits_step (alt, &alt_exp, direction);
          if (digits_round_trip (v, alt, alt_exp))
            {
              memcpy (digits, alt, n + 1);
              *exp10 = alt_exp;
              return;
            }
        }
    }
}

static void
layout_digits (GString    *out,
               const char *digits,
               int         kk)
{
  int k = (int) strlen (digits);

  if (k <= kk && kk <= 16)
    {
      g_string_append (out, digits);
      for (int i = k; i < kk; i++)
        g_string_append_c (out, '0');
      g_string_append (out, ".0");
    }
  else if (0 < kk && kk <= 16)
    {
      g_string_append_len (out, digits, kk);
      g_string_append_c (out, '.');
      g_string_append (out, digits + kk);
    }
  else if (-5 < kk && kk <= 0)
    {
      g_string_append (out, "0.");
      for (int i = kk; i < 0; i++)
        g_string_append_c (out, '0');
      g_string_append (out, digits);
    }
  else
    {
      g_string_append_c (out, digits[0]);
      if (k > 1)
        {
          g_string_append_c (out, '.');
          g_string_append (out, digits + 1);
        }
      g_string_append_printf (out, "e%d", kk - 1);
    }
}

char *
arw_json_format_double (double value)
{
  g_autoptr(GString) out = NULL;
  char digits[24];
  int exp10;
  gsize n;

  /* serde_json writes non-finite floats as null; parsing never produces them */
  if (!isfinite (value))
    return g_strdup ("null");
  if (value == 0.0)
    return g_strdup (signbit (value) ? "-0.0" : "0.0");

  shortest_digits (fabs (value), digits, &exp10);
  for (n = strlen (digits); n > 1 && digits[n - 1] == '0'; n--)
    digits[n - 1] = '\0';

  out = g_string_new (value < 0 ? "-" : "");
  layout_digits (out, digits, exp10 + 1);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
