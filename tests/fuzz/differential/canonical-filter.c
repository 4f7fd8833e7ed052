/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Reads one hex-encoded JSON text per line and prints "OK <hex of canonical bytes>" or
 * "ERR <message>", the same protocol as serde-oracle (see serde-differential.sh). */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "arw-canonical-json.h"

int
main (void)
{
  char *line = NULL;
  size_t cap = 0;

  while (getline (&line, &cap, stdin) > 0)
    {
      g_autoptr(GError) error = NULL;
      g_autofree guchar *data = NULL;
      g_autofree char *canon = NULL;
      gsize len, out_len = 0;

      g_strstrip (line);
      len = strlen (line) / 2;
      data = g_malloc (len + 1);
      for (gsize i = 0; i < len; i++)
        data[i] = (guchar) (g_ascii_xdigit_value (line[2 * i]) << 4 | g_ascii_xdigit_value (line[2 * i + 1]));
      canon = arw_canonical_json_normalize ((const char *) data, (gssize) len, &out_len, &error);
      if (canon == NULL)
        {
          printf ("ERR %s\n", error->message);
          continue;
        }
      printf ("OK ");
      for (gsize i = 0; i < out_len; i++)
        printf ("%02x", (guchar) canon[i]);
      printf ("\n");
    }
  free (line);
  return 0;
}
