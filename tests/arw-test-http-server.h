/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* A loopback HTTP/1.1 server for tests: a SoupServer on 127.0.0.1 (random
 * port) running in its own thread with its own GMainContext, so test code
 * can use synchronous clients (or its own main loop) without deadlocking.
 *
 * It serves in-memory GBytes per path with an ETag, handles Range and
 * If-Range itself (206 + Content-Range on a g_bytes_new_from_bytes slice,
 * no copy), and can inject faults per path. Every request is recorded
 * (path and all headers) so tests can assert on what the client sent.
 * Unknown paths answer 404.
 *
 * Link: it is part of the arw-test-utils static library (tests/meson.build),
 * so every test linking test_utils_dep can #include "arw-test-http-server.h".
 * Clients should not go through a proxy: call
 * g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE) first thing in main()
 * (this also keeps libproxy, which throws C++ exceptions, out of ASan runs). */

typedef enum {
  ARW_TEST_HTTP_FAULT_NONE,
  ARW_TEST_HTTP_FAULT_TRUNCATE,        /* send arg body bytes, then close (Content-Length promised more) */
  ARW_TEST_HTTP_FAULT_RESET,           /* send arg body bytes, then a TCP reset (SO_LINGER 0) */
  ARW_TEST_HTTP_FAULT_STALL,           /* send arg body bytes, then nothing; the connection stays open */
  ARW_TEST_HTTP_FAULT_LYING_LENGTH,    /* claim Content-Length: arg; bytes past it are never sent */
  ARW_TEST_HTTP_FAULT_ENDLESS,         /* chunked: the content, then junk forever */
  ARW_TEST_HTTP_FAULT_CHUNKED,         /* the content, chunked (no Content-Length) */
  ARW_TEST_HTTP_FAULT_IGNORE_RANGE,    /* always 200 with the whole content */
  ARW_TEST_HTTP_FAULT_IGNORE_IF_RANGE, /* honour Range even when If-Range does not match */
  ARW_TEST_HTTP_FAULT_STATUS,          /* answer with HTTP status arg */
} ArwTestHttpFault;

typedef struct _ArwTestHttpServer ArwTestHttpServer;

/* Starts listening before it returns; aborts the test on failure. */
ArwTestHttpServer *arw_test_http_server_new (void);
void arw_test_http_server_free (ArwTestHttpServer *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwTestHttpServer, arw_test_http_server_free)

guint16 arw_test_http_server_get_port (ArwTestHttpServer *self);
/* "http://127.0.0.1:<port>" + path (path starts with '/'). */
char *arw_test_http_server_url (ArwTestHttpServer *self, const char *path);

/* Serves @content at @path; each call gives a new strong ETag. */
void arw_test_http_server_set_content (ArwTestHttpServer *self, const char *path, GBytes *content);
char *arw_test_http_server_get_etag (ArwTestHttpServer *self, const char *path);
/* An extra response header for @path (e.g. Content-Encoding). */
void arw_test_http_server_set_header (ArwTestHttpServer *self, const char *path,
                                      const char *name, const char *value);
/* Applies @fault to the next @times requests for @path (-1 = all of them). */
void arw_test_http_server_set_fault (ArwTestHttpServer *self, const char *path,
                                     ArwTestHttpFault fault, guint64 arg, int times);
/* Answers the next @times requests for @path with 302 to @target (-1 = all). */
void arw_test_http_server_set_redirect (ArwTestHttpServer *self, const char *path,
                                        const char *target, int times);
/* A custom handler for @path, called in the server thread after recording. */
void arw_test_http_server_set_handler (ArwTestHttpServer *self, const char *path,
                                       SoupServerCallback callback, gpointer user_data);

guint arw_test_http_server_get_request_count (ArwTestHttpServer *self, const char *path);
/* Header @name of the @index-th (0-based) request for @path; NULL if absent. */
char *arw_test_http_server_get_request_header (ArwTestHttpServer *self, const char *path,
                                               guint index, const char *name);

G_END_DECLS
