/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Manual benchmark (not a test): serves FILE from the loopback test server
 * and downloads it with ArwDownloader, printing one JSON line per run.
 *   bench-download FILE DEST_DIR [RESUME_AT_BYTES]
 * With RESUME_AT_BYTES, DEST_DIR/bench.bin.part is first filled with that
 * prefix so the run measures hashing the prefix plus a Range resume. */
#include "config.h"

#include <glib/gstdio.h>

#include "arw-download.h"
#include "arw-sha256.h"
#include "arw-test-http-server.h"

static gboolean
write_prefix (const char *part, GBytes *content, guint64 len, GError **error)
{
  return g_file_set_contents (part, g_bytes_get_data (content, NULL), (gssize) len, error);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(ArwTestHttpServer) server = NULL;
  g_autoptr(ArwDownloader) downloader = NULL;
  g_autofree char *url = NULL;
  g_autofree char *dest = NULL;
  g_autofree char *part = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *sha = NULL;
  guint64 resume_at = 0;
  ArwDownloadRequest req = { 0 };
  gint64 start, end;
  double secs;

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  if (argc < 3)
    {
      g_printerr ("usage: %s FILE DEST_DIR [RESUME_AT_BYTES]\n", argv[0]);
      return 2;
    }
  if (argc > 3)
    resume_at = g_ascii_strtoull (argv[3], NULL, 10);
  mapped = g_mapped_file_new (argv[1], FALSE, &error);
  if (mapped == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  content = g_mapped_file_get_bytes (mapped);
  server = arw_test_http_server_new ();
  arw_test_http_server_set_content (server, "/bench.bin", content);
  url = arw_test_http_server_url (server, "/bench.bin");
  dest = g_build_filename (argv[2], "bench.bin", NULL);
  part = g_strconcat (dest, ".part", NULL);
  g_unlink (dest);
  if (resume_at > 0 && !write_prefix (part, content, MIN (resume_at, g_bytes_get_size (content)), &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  downloader = arw_downloader_new ();
  req.url = url;
  req.size_bytes = g_bytes_get_size (content);
  /* A hash is needed to resume a .part without a stored validator. */
  sha = arw_sha256_hex (g_bytes_get_data (content, NULL), g_bytes_get_size (content));
  req.expected_sha256 = sha;
  start = g_get_monotonic_time ();
  hex = arw_download_file (downloader, &req, dest, NULL, NULL, &error);
  end = g_get_monotonic_time ();
  secs = (double) (end - start) / G_USEC_PER_SEC;
  if (hex == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_print ("{\"bytes\":%" G_GSIZE_FORMAT ",\"resume_at\":%" G_GUINT64_FORMAT ",\"seconds\":%.3f,\"mib_per_s\":%.0f}\n",
           g_bytes_get_size (content), resume_at, secs,
           (double) g_bytes_get_size (content) / (1024.0 * 1024.0) / secs);
  g_unlink (dest);
  g_unlink (part);
  return 0;
}
