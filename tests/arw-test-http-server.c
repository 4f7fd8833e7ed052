/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "arw-test-http-server.h"

#define ENDLESS_CHUNK_SIZE (64 * 1024)

typedef struct {
  GBytes *content;
  char *etag;
  GHashTable *headers; /* extra response headers */
  ArwTestHttpFault fault;
  guint64 fault_arg;
  int fault_times;
  char *redirect;
  int redirect_times;
  SoupServerCallback callback;
  gpointer callback_data;
} PathEntry;

typedef struct {
  char *path;
  GHashTable *headers; /* lower-case name -> value */
} RequestRecord;

struct _ArwTestHttpServer
{
  GMutex lock;
  GCond cond;
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  gboolean ready;
  guint16 port;
  char *start_error;

  GHashTable *paths; /* path -> PathEntry */
  GPtrArray *requests;
  guint etag_counter;
  GBytes *junk;
};

static void
path_entry_free (gpointer data)
{
  PathEntry *entry = data;

  g_clear_pointer (&entry->content, g_bytes_unref);
  g_free (entry->etag);
  g_hash_table_unref (entry->headers);
  g_free (entry->redirect);
  g_free (entry);
}

static void
request_record_free (gpointer data)
{
  RequestRecord *rec = data;

  g_free (rec->path);
  g_hash_table_unref (rec->headers);
  g_free (rec);
}

/* Called with the lock held. */
static PathEntry *
ensure_entry (ArwTestHttpServer *self, const char *path)
{
  PathEntry *entry = g_hash_table_lookup (self->paths, path);

  if (entry == NULL)
    {
      entry = g_new0 (PathEntry, 1);
      entry->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (self->paths, g_strdup (path), entry);
    }
  return entry;
}

static void
record_request (ArwTestHttpServer *self, SoupServerMessage *msg, const char *path)
{
  RequestRecord *rec = g_new0 (RequestRecord, 1);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  rec->path = g_strdup (path);
  rec->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  soup_message_headers_iter_init (&iter, soup_server_message_get_request_headers (msg));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_hash_table_insert (rec->headers, g_ascii_strdown (name, -1), g_strdup (value));
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->requests, rec);
  g_mutex_unlock (&self->lock);
}

static void
endless_wrote_chunk (SoupServerMessage *msg, gpointer user_data)
{
  ArwTestHttpServer *self = user_data;

  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), self->junk);
}

static void
set_linger_zero (SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  struct linger lg = { 1, 0 };

  if (socket != NULL)
    setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

/* Writes @body (the full content or a range of it) with @fault applied. */
static void
serve_body (ArwTestHttpServer *self, SoupServerMessage *msg, GBytes *body,
            ArwTestHttpFault fault, guint64 arg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *out = soup_server_message_get_response_body (msg);
  gsize len = g_bytes_get_size (body);
  g_autoptr(GBytes) prefix = g_bytes_new_from_bytes (body, 0, MIN (len, (gsize) arg));

  switch (fault)
    {
    case ARW_TEST_HTTP_FAULT_RESET:
      set_linger_zero (msg);
      G_GNUC_FALLTHROUGH;
    case ARW_TEST_HTTP_FAULT_TRUNCATE:
      soup_message_headers_set_content_length (headers, (goffset) len);
      soup_message_headers_replace (headers, "Connection", "close");
      soup_message_body_append_bytes (out, prefix);
      soup_message_body_complete (out);
      break;
    case ARW_TEST_HTTP_FAULT_STALL:
      soup_message_headers_set_content_length (headers, (goffset) len);
      soup_message_body_append_bytes (out, prefix);
      break;
    case ARW_TEST_HTTP_FAULT_LYING_LENGTH:
      soup_message_headers_set_content_length (headers, (goffset) arg);
      soup_message_body_append_bytes (out, body);
      soup_message_body_complete (out);
      break;
    case ARW_TEST_HTTP_FAULT_ENDLESS:
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_body_set_accumulate (out, FALSE);
      g_signal_connect (msg, "wrote-chunk", G_CALLBACK (endless_wrote_chunk), self);
      soup_message_body_append_bytes (out, body);
      break;
    case ARW_TEST_HTTP_FAULT_CHUNKED:
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      soup_message_body_append_bytes (out, body);
      soup_message_body_complete (out);
      break;
    case ARW_TEST_HTTP_FAULT_NONE:
    case ARW_TEST_HTTP_FAULT_IGNORE_RANGE:
    case ARW_TEST_HTTP_FAULT_IGNORE_IF_RANGE:
    case ARW_TEST_HTTP_FAULT_STATUS:
    default:
      soup_message_body_append_bytes (out, body);
      soup_message_body_complete (out);
      break;
    }
}

/* Picks the full content or a range; sets status and Content-Range.
 * Returns the body to send, or NULL after answering 416. */
static GBytes *
select_range (SoupServerMessage *msg, GBytes *content, const char *etag, ArwTestHttpFault fault)
{
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *resp = soup_server_message_get_response_headers (msg);
  const char *if_range = soup_message_headers_get_one (req, "If-Range");
  gsize total = g_bytes_get_size (content);
  SoupRange *ranges = NULL;
  int n_ranges = 0;
  gboolean want_range;
  GBytes *body;

  want_range = soup_message_headers_get_one (req, "Range") != NULL &&
               fault != ARW_TEST_HTTP_FAULT_IGNORE_RANGE &&
               (if_range == NULL || fault == ARW_TEST_HTTP_FAULT_IGNORE_IF_RANGE ||
                g_strcmp0 (if_range, etag) == 0);
  if (want_range && soup_message_headers_get_ranges (req, (goffset) total, &ranges, &n_ranges) &&
      n_ranges >= 1 && ranges[0].start < (goffset) total)
    {
      goffset start = ranges[0].start, end = MIN (ranges[0].end, (goffset) total - 1);

      soup_message_headers_free_ranges (req, ranges);
      soup_server_message_set_status (msg, SOUP_STATUS_PARTIAL_CONTENT, NULL);
      soup_message_headers_set_content_range (resp, start, end, (goffset) total);
      body = g_bytes_new_from_bytes (content, (gsize) start, (gsize) (end - start + 1));
    }
  else if (want_range)
    {
      g_autofree char *range = g_strdup_printf ("bytes */%" G_GSIZE_FORMAT, total);

      if (ranges != NULL)
        soup_message_headers_free_ranges (req, ranges);
      soup_server_message_set_status (msg, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE, NULL);
      soup_message_headers_replace (resp, "Content-Range", range);
      body = NULL;
    }
  else
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      body = g_bytes_ref (content);
    }
  /* Keep SoupServer's own (copying) Range handling out of the way. */
  soup_message_headers_remove (req, "Range");
  return body;
}

/* Takes one use of a fault with a count; called with the lock held. */
static gboolean
take_one (int *times)
{
  if (*times == 0)
    return FALSE;
  if (*times > 0)
    (*times)--;
  return TRUE;
}

static void
server_handler (SoupServer *server, SoupServerMessage *msg, const char *path,
                GHashTable *query, gpointer user_data)
{
  ArwTestHttpServer *self = user_data;
  SoupMessageHeaders *resp = soup_server_message_get_response_headers (msg);
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *redirect = NULL;
  g_autoptr(GHashTable) extra = NULL;
  ArwTestHttpFault fault = ARW_TEST_HTTP_FAULT_NONE;
  guint64 arg = 0;
  SoupServerCallback callback = NULL;
  gpointer callback_data = NULL;
  PathEntry *entry;
  GHashTableIter iter;
  gpointer key, value;

  record_request (self, msg, path);

  g_mutex_lock (&self->lock);
  entry = g_hash_table_lookup (self->paths, path);
  if (entry != NULL)
    {
      content = entry->content != NULL ? g_bytes_ref (entry->content) : NULL;
      etag = g_strdup (entry->etag);
      extra = g_hash_table_ref (entry->headers);
      callback = entry->callback;
      callback_data = entry->callback_data;
      if (entry->redirect != NULL && take_one (&entry->redirect_times))
        redirect = g_strdup (entry->redirect);
      else if (entry->fault != ARW_TEST_HTTP_FAULT_NONE && take_one (&entry->fault_times))
        {
          fault = entry->fault;
          arg = entry->fault_arg;
        }
    }
  g_mutex_unlock (&self->lock);

  if (callback != NULL)
    {
      callback (server, msg, path, query, callback_data);
      return;
    }
  if (redirect != NULL)
    {
      soup_server_message_set_redirect (msg, SOUP_STATUS_FOUND, redirect);
      return;
    }
  if (fault == ARW_TEST_HTTP_FAULT_STATUS)
    {
      soup_server_message_set_status (msg, (guint) arg, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "fault\n", 6);
      return;
    }
  if (content == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "not found\n", 10);
      return;
    }

  soup_message_headers_replace (resp, "Content-Type", "application/octet-stream");
  soup_message_headers_replace (resp, "Accept-Ranges", "bytes");
  soup_message_headers_replace (resp, "ETag", etag);
  g_hash_table_iter_init (&iter, extra);
  while (g_hash_table_iter_next (&iter, &key, &value))
    soup_message_headers_replace (resp, key, value);

  body = select_range (msg, content, etag, fault);
  if (body != NULL)
    serve_body (self, msg, body, fault, arg);
}

static gboolean
quit_loop_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gpointer
server_thread (gpointer data)
{
  ArwTestHttpServer *self = data;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (self->context);
  server = soup_server_new ("server-header", "arw-test-http-server", NULL);
  soup_server_add_handler (server, NULL, server_handler, self, NULL);
  if (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      uris = soup_server_get_uris (server);
      self->port = (guint16) g_uri_get_port (uris->data);
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
    }

  g_mutex_lock (&self->lock);
  self->ready = TRUE;
  if (error != NULL)
    self->start_error = g_strdup (error->message);
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  if (error == NULL)
    g_main_loop_run (self->loop);

  soup_server_disconnect (server);
  g_clear_object (&server);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

ArwTestHttpServer *
arw_test_http_server_new (void)
{
  ArwTestHttpServer *self = g_new0 (ArwTestHttpServer, 1);
  g_autofree guint8 *junk = g_malloc (ENDLESS_CHUNK_SIZE);

  memset (junk, 'x', ENDLESS_CHUNK_SIZE);
  self->junk = g_bytes_new_take (g_steal_pointer (&junk), ENDLESS_CHUNK_SIZE);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->paths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, path_entry_free);
  self->requests = g_ptr_array_new_with_free_func (request_record_free);
  self->thread = g_thread_new ("arw-test-http-server", server_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  if (self->start_error != NULL)
    g_error ("test http server failed to start: %s", self->start_error);
  return self;
}

void
arw_test_http_server_free (ArwTestHttpServer *self)
{
  if (self == NULL)
    return;
  g_main_context_invoke (self->context, quit_loop_cb, self->loop);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_hash_table_unref (self->paths);
  g_ptr_array_unref (self->requests);
  g_bytes_unref (self->junk);
  g_free (self->start_error);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

guint16
arw_test_http_server_get_port (ArwTestHttpServer *self)
{
  return self->port;
}

char *
arw_test_http_server_url (ArwTestHttpServer *self, const char *path)
{
  return g_strdup_printf ("http://127.0.0.1:%u%s", self->port, path);
}

void
arw_test_http_server_set_content (ArwTestHttpServer *self, const char *path, GBytes *content)
{
  PathEntry *entry;

  g_mutex_lock (&self->lock);
  entry = ensure_entry (self, path);
  g_clear_pointer (&entry->content, g_bytes_unref);
  entry->content = g_bytes_ref (content);
  g_free (entry->etag);
  entry->etag = g_strdup_printf ("\"arw-test-%u\"", ++self->etag_counter);
  g_mutex_unlock (&self->lock);
}

char *
arw_test_http_server_get_etag (ArwTestHttpServer *self, const char *path)
{
  PathEntry *entry;
  char *etag = NULL;

  g_mutex_lock (&self->lock);
  entry = g_hash_table_lookup (self->paths, path);
  if (entry != NULL)
    etag = g_strdup (entry->etag);
  g_mutex_unlock (&self->lock);
  return etag;
}

void
arw_test_http_server_set_header (ArwTestHttpServer *self, const char *path,
                                 const char *name, const char *value)
{
  g_mutex_lock (&self->lock);
  g_hash_table_replace (ensure_entry (self, path)->headers, g_strdup (name), g_strdup (value));
  g_mutex_unlock (&self->lock);
}

void
arw_test_http_server_set_fault (ArwTestHttpServer *self, const char *path,
                                ArwTestHttpFault fault, guint64 arg, int times)
{
  PathEntry *entry;

  g_mutex_lock (&self->lock);
  entry = ensure_entry (self, path);
  entry->fault = fault;
  entry->fault_arg = arg;
  entry->fault_times = times;
  g_mutex_unlock (&self->lock);
}

void
arw_test_http_server_set_redirect (ArwTestHttpServer *self, const char *path,
                                   const char *target, int times)
{
  PathEntry *entry;

  g_mutex_lock (&self->lock);
  entry = ensure_entry (self, path);
  g_free (entry->redirect);
  entry->redirect = g_strdup (target);
  entry->redirect_times = times;
  g_mutex_unlock (&self->lock);
}

void
arw_test_http_server_set_handler (ArwTestHttpServer *self, const char *path,
                                  SoupServerCallback callback, gpointer user_data)
{
  PathEntry *entry;

  g_mutex_lock (&self->lock);
  entry = ensure_entry (self, path);
  entry->callback = callback;
  entry->callback_data = user_data;
  g_mutex_unlock (&self->lock);
}

guint
arw_test_http_server_get_request_count (ArwTestHttpServer *self, const char *path)
{
  guint count = 0;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->requests->len; i++)
    {
      RequestRecord *rec = g_ptr_array_index (self->requests, i);

      if (g_str_equal (rec->path, path))
        count++;
    }
  g_mutex_unlock (&self->lock);
  return count;
}

char *
arw_test_http_server_get_request_header (ArwTestHttpServer *self, const char *path,
                                         guint index, const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);
  char *value = NULL;
  guint seen = 0;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->requests->len; i++)
    {
      RequestRecord *rec = g_ptr_array_index (self->requests, i);

      if (!g_str_equal (rec->path, path))
        continue;
      if (seen++ == index)
        {
          value = g_strdup (g_hash_table_lookup (rec->headers, lower));
          break;
        }
    }
  g_mutex_unlock (&self->lock);
  return value;
}
