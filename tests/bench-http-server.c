/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Manual benchmark helper (not a test), used by `build-aux/bench install`:
 *   bench-http-server serve FILE   serve FILE (mmapped, Range handled) at
 *                                  /<basename> on 127.0.0.1, print the port
 *                                  on stdout, run until killed;
 *   bench-http-server sha256 FILE  hash FILE in 1 MiB blocks as the
 *                                  downloader does (nettle) and print the
 *                                  digest and the rate in GB/s. */
#include "config.h"

#include <stdio.h>

#include "arw-sha256.h"
#include "arw-test-http-server.h"

#define BLOCK (1024 * 1024)

static int
serve (GBytes *content, const char *file)
{
  g_autoptr(ArwTestHttpServer) server = arw_test_http_server_new ();
  g_autofree char *base = g_path_get_basename (file);
  g_autofree char *path = g_strconcat ("/", base, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  arw_test_http_server_set_content (server, path, content);
  printf ("%u\n", arw_test_http_server_get_port (server));
  fflush (stdout);
  g_main_loop_run (loop);
  return 0;
}

static int
hash (GBytes *content)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (content, &len);
  char hex[ARW_SHA256_HEX_SIZE];
  ArwSha256 sha;
  gint64 start;
  double secs;

  /* Touch every page first so the timing measures hashing, not reading. */
  for (gsize i = 0; i < len; i += 4096)
    (void) *(volatile const guint8 *) (data + i);
  start = g_get_monotonic_time ();
  arw_sha256_init (&sha);
  for (gsize off = 0; off < len; off += BLOCK)
    arw_sha256_update (&sha, data + off, MIN (BLOCK, len - off));
  arw_sha256_finish_hex (&sha, hex);
  secs = (g_get_monotonic_time () - start) / 1e6;
  printf ("%s %.3f\n", hex, len / secs / 1e9);
  return 0;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) content = NULL;

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  if (argc != 3 || (g_strcmp0 (argv[1], "serve") != 0 && g_strcmp0 (argv[1], "sha256") != 0))
    {
      g_printerr ("usage: bench-http-server serve|sha256 FILE\n");
      return 2;
    }
  mapped = g_mapped_file_new (argv[2], FALSE, &error);
  if (mapped == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  content = g_mapped_file_get_bytes (mapped);
  return g_str_equal (argv[1], "serve") ? serve (content, argv[2]) : hash (content);
}
