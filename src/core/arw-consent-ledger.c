/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "arw-consent-ledger.h"
#include "arw-error.h"
#include "arw-paths.h"
#include "arw-sha256.h"

#define LEDGER_NAME "ledger.jsonl"
#define HEAD_NAME "ledger.head"
#define LOCK_NAME "ledger.lock"
#define GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define LEDGER_MAX_BYTES (64 * 1024 * 1024)
#define BUNDLE_ID_MAX 512

/* One parsed record. */
typedef struct {
  gint64 seq;
  char *time;
  char *action;
  char *bundle_id;
  GStrv modalities;
  char *scope;
  char *revision;
  char *prev;
  char *hash;
} Record;

static void
record_clear (Record *r)
{
  g_free (r->time);
  g_free (r->action);
  g_free (r->bundle_id);
  g_strfreev (r->modalities);
  g_free (r->scope);
  g_free (r->revision);
  g_free (r->prev);
  g_free (r->hash);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Record, record_clear)

/* Latest record for one (bundle, modality). */
typedef struct {
  gboolean granted;
  ArwConsentScope scope;
  gint64 seq;
  char *time;
  char *revision;
} Entry;

static void
entry_free (Entry *e)
{
  g_free (e->time);
  g_free (e->revision);
  g_free (e);
}

struct _ArwConsentLedger {
  GObject parent_instance;

  char *dir;
  char *path;
  char *head_path;
  gboolean loaded;
  gboolean tampered;
  char *warning;
  gint64 n_records;
  gint64 head_seq;                     /* seq in ledger.head at the last load */
  char last_hash[ARW_SHA256_HEX_SIZE]; /* sha256 of the last complete line */
  char prev_hash[ARW_SHA256_HEX_SIZE]; /* … and of the one before */
  goffset valid_length;                /* bytes of complete lines */
  GHashTable *entries;                 /* "bundle\nmodality" → Entry */
  GHashTable *once;                    /* "bundle\nmodality" → seq of this process's once grant */
};

G_DEFINE_FINAL_TYPE (ArwConsentLedger, arw_consent_ledger, G_TYPE_OBJECT)

static void
arw_consent_ledger_finalize (GObject *object)
{
  ArwConsentLedger *self = ARW_CONSENT_LEDGER (object);

  g_free (self->dir);
  g_free (self->path);
  g_free (self->head_path);
  g_free (self->warning);
  g_hash_table_unref (self->entries);
  g_hash_table_unref (self->once);
  G_OBJECT_CLASS (arw_consent_ledger_parent_class)->finalize (object);
}

static void
arw_consent_ledger_class_init (ArwConsentLedgerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = arw_consent_ledger_finalize;
}

static void
arw_consent_ledger_init (ArwConsentLedger *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) entry_free);
  self->once = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_strlcpy (self->last_hash, GENESIS_HASH, sizeof self->last_hash);
  g_strlcpy (self->prev_hash, GENESIS_HASH, sizeof self->prev_hash);
}

const char *
arw_consent_scope_to_string (ArwConsentScope scope)
{
  return scope == ARW_CONSENT_SCOPE_ALWAYS ? "always" : "once";
}

/* <state>/consent */
char *
arw_consent_ledger_default_dir (void)
{
  g_autofree char *state = arw_paths_state_dir ();
  return g_build_filename (state, "consent", NULL);
}

/* No I/O: call arw_consent_ledger_load() before asking anything. */
ArwConsentLedger *
arw_consent_ledger_new (const char *dir)
{
  ArwConsentLedger *self;

  g_return_val_if_fail (dir != NULL && *dir != '\0', NULL);

  self = g_object_new (ARW_TYPE_CONSENT_LEDGER, NULL);
  self->dir = g_strdup (dir);
  self->path = g_build_filename (dir, LEDGER_NAME, NULL);
  self->head_path = g_build_filename (dir, HEAD_NAME, NULL);
  return self;
}

/* ---- validation ---- */

static gboolean
valid_text (const char *s, gsize max)
{
  if (s == NULL || *s == '\0' || strlen (s) > max || !g_utf8_validate (s, -1, NULL))
    return FALSE;
  for (const char *c = s; *c != '\0'; c++)
    if ((guchar) *c < 0x20 || *c == 0x7f)
      return FALSE;
  return TRUE;
}

static gboolean
valid_modality (const char *m)
{
  gsize len = m != NULL ? strlen (m) : 0;

  if (len == 0 || len > 32)
    return FALSE;
  return strspn (m, "abcdefghijklmnopqrstuvwxyz0123456789_-") == len;
}

static gboolean
valid_hex64 (const char *s)
{
  return s != NULL && strlen (s) == 64 && strspn (s, "0123456789abcdef") == 64;
}

static char *
entry_key (const char *bundle_id, const char *modality)
{
  return g_strconcat (bundle_id, "\n", modality, NULL);
}

/* ---- canonical form ---- */

static char *
record_serialise (const Record *r, gboolean with_hash)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *obj = json_object_new ();
  JsonArray *mods = json_array_new ();

  json_node_take_object (node, obj);
  json_object_set_int_member (obj, "seq", r->seq);
  json_object_set_string_member (obj, "time", r->time);
  json_object_set_string_member (obj, "action", r->action);
  json_object_set_string_member (obj, "bundle_id", r->bundle_id);
  for (guint i = 0; r->modalities[i] != NULL; i++)
    json_array_add_string_element (mods, r->modalities[i]);
  json_object_set_array_member (obj, "modalities", mods);
  json_object_set_string_member (obj, "scope", r->scope);
  if (r->revision != NULL)
    json_object_set_string_member (obj, "revision", r->revision);
  json_object_set_string_member (obj, "prev", r->prev);
  if (with_hash)
    json_object_set_string_member (obj, "hash", r->hash);
  return json_to_string (node, FALSE);
}

static char *
record_compute_hash (const Record *r)
{
  g_autofree char *body = record_serialise (r, FALSE);
  return arw_sha256_hex (body, strlen (body));
}

static char *
string_member (JsonObject *obj, const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

static GStrv
modalities_member (JsonObject *obj)
{
  JsonNode *node = json_object_get_member (obj, "modalities");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *arr;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  arr = json_node_get_array (node);
  if (json_array_get_length (arr) == 0)
    return NULL;
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *el = json_array_get_element (arr, i);
      if (!JSON_NODE_HOLDS_VALUE (el) || json_node_get_value_type (el) != G_TYPE_STRING ||
          !valid_modality (json_node_get_string (el)))
        return NULL;
      g_strv_builder_add (builder, json_node_get_string (el));
    }
  return g_strv_builder_end (builder);
}

/* Parses one line strictly: the exact members, valid values, and the line
 * must be byte-for-byte what we would have written. */
static gboolean
record_parse (const char *line, Record *r)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *hash = NULL;
  g_autofree char *again = NULL;
  JsonObject *obj;
  JsonNode *seq;

  if (!g_utf8_validate (line, -1, NULL) || !json_parser_load_from_data (parser, line, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  obj = json_node_get_object (json_parser_get_root (parser));
  seq = json_object_get_member (obj, "seq");
  if (seq == NULL || !JSON_NODE_HOLDS_VALUE (seq) || json_node_get_value_type (seq) != G_TYPE_INT64)
    return FALSE;
  r->seq = json_node_get_int (seq);
  r->time = string_member (obj, "time");
  r->action = string_member (obj, "action");
  r->bundle_id = string_member (obj, "bundle_id");
  r->modalities = modalities_member (obj);
  r->scope = string_member (obj, "scope");
  r->revision = string_member (obj, "revision");
  r->prev = string_member (obj, "prev");
  r->hash = string_member (obj, "hash");
  if (r->time == NULL || r->modalities == NULL || !valid_text (r->bundle_id, BUNDLE_ID_MAX) ||
      (g_strcmp0 (r->action, "grant") != 0 && g_strcmp0 (r->action, "revoke") != 0) ||
      (g_strcmp0 (r->scope, "once") != 0 && g_strcmp0 (r->scope, "always") != 0) ||
      (json_object_has_member (obj, "revision") && !valid_text (r->revision, BUNDLE_ID_MAX)) ||
      !valid_hex64 (r->prev) || !valid_hex64 (r->hash))
    return FALSE;
  hash = record_compute_hash (r);
  again = record_serialise (r, TRUE);
  return g_str_equal (hash, r->hash) && g_str_equal (again, line);
}

/* ---- in-memory state ---- */

static void
apply_record (ArwConsentLedger *self, const Record *r)
{
  for (guint i = 0; r->modalities[i] != NULL; i++)
    {
      Entry *e = g_new0 (Entry, 1);

      e->granted = g_str_equal (r->action, "grant");
      e->scope = g_str_equal (r->scope, "always") ? ARW_CONSENT_SCOPE_ALWAYS : ARW_CONSENT_SCOPE_ONCE;
      e->seq = r->seq;
      e->time = g_strdup (r->time);
      e->revision = g_strdup (r->revision);
      g_hash_table_replace (self->entries, entry_key (r->bundle_id, r->modalities[i]), e);
    }
}

static void
reset_state (ArwConsentLedger *self)
{
  g_hash_table_remove_all (self->entries);
  self->loaded = FALSE;
  self->tampered = FALSE;
  g_clear_pointer (&self->warning, g_free);
  self->n_records = 0;
  self->head_seq = 0;
  self->valid_length = 0;
  g_strlcpy (self->last_hash, GENESIS_HASH, sizeof self->last_hash);
  g_strlcpy (self->prev_hash, GENESIS_HASH, sizeof self->prev_hash);
}

static void
mark_tampered (ArwConsentLedger *self, gint64 at_record)
{
  g_hash_table_remove_all (self->entries);
  g_hash_table_remove_all (self->once);
  self->tampered = TRUE;
  g_free (self->warning);
  self->warning = g_strdup_printf ("consent ledger %s was modified outside ARW Launcher at record %" G_GINT64_FORMAT
                                   "; all consents are void until you grant them again",
                                   self->path, at_record);
}

/* ---- file helpers ---- */

static void
fd_close (int fd)
{
  if (fd >= 0)
    close (fd);
}

typedef int LedgerFd;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (LedgerFd, fd_close, -1)

static gboolean
set_errno_error (GError **error, int saved_errno, const char *what, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "cannot %s consent ledger file %s: %s",
               what, path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
fsync_dir (const char *dir, GError **error)
{
  g_auto(LedgerFd) fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || fsync (fd) != 0)
    return set_errno_error (error, errno, "sync the directory of", dir);
  return TRUE;
}

/* Whole file, not following a symlink; *contents NULL when it does not exist. */
static gboolean
read_small_file (const char *path, char **contents, gsize *length, GError **error)
{
  g_auto(LedgerFd) fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
  g_autoptr(GString) buf = NULL;
  struct stat st;

  *contents = NULL;
  *length = 0;
  if (fd < 0 && errno == ENOENT)
    return TRUE;
  if (fd < 0)
    return set_errno_error (error, errno, "open", path);
  if (fstat (fd, &st) != 0)
    return set_errno_error (error, errno, "inspect", path);
  if (!S_ISREG (st.st_mode) || st.st_size > LEDGER_MAX_BYTES)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "consent ledger file %s is not a regular file of at most %d bytes; move it away", path,
                   LEDGER_MAX_BYTES);
      return FALSE;
    }
  buf = g_string_sized_new ((gsize) st.st_size + 1);
  for (;;)
    {
      char chunk[16384];
      ssize_t n = read (fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return set_errno_error (error, errno, "read", path);
      if (n == 0)
        break;
      g_string_append_len (buf, chunk, n);
    }
  *length = buf->len;
  *contents = g_string_free (g_steal_pointer (&buf), FALSE);
  return TRUE;
}

/* ---- load and verify ---- */

typedef struct {
  gboolean valid;
  gint64 seq;
  char *hash;
} Head;

static void
head_clear (Head *h)
{
  g_free (h->hash);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Head, head_clear)

/* {"seq":N,"hash":"<hex>"}; a missing head is seq 0 at the genesis hash. */
static gboolean
read_head (ArwConsentLedger *self, Head *head, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  JsonObject *obj;
  JsonNode *seq;

  if (!read_small_file (self->head_path, &text, &len, error))
    return FALSE;
  if (text == NULL)
    {
      head->valid = TRUE;
      head->hash = g_strdup (GENESIS_HASH);
      return TRUE;
    }
  if (memchr (text, '\0', len) != NULL || !json_parser_load_from_data (parser, text, len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return TRUE;
  obj = json_node_get_object (json_parser_get_root (parser));
  seq = json_object_get_member (obj, "seq");
  head->hash = string_member (obj, "hash");
  if (seq == NULL || !JSON_NODE_HOLDS_VALUE (seq) || json_node_get_value_type (seq) != G_TYPE_INT64 ||
      json_node_get_int (seq) < 0 || !valid_hex64 (head->hash))
    return TRUE;
  head->seq = json_node_get_int (seq);
  head->valid = TRUE;
  return TRUE;
}

/* Walks complete lines; returns FALSE (and marks the ledger) at the first
 * record that does not continue the chain. */
static gboolean
verify_lines (ArwConsentLedger *self, const char *data, gsize len)
{
  gsize pos = 0;

  while (pos < len)
    {
      const char *start = data + pos;
      const char *nl = memchr (start, '\n', len - pos);
      g_auto(Record) r = { 0 };
      g_autofree char *line = NULL;
      g_autofree char *line_hash = NULL;

      if (nl == NULL)
        {
          self->warning = g_strdup_printf ("consent ledger %s ends with an incomplete record (an interrupted "
                                           "write); it was ignored",
                                           self->path);
          break;
        }
      line = g_strndup (start, nl - start);
      if (memchr (start, '\0', nl - start) != NULL || !record_parse (line, &r) || r.seq != self->n_records + 1 ||
          !g_str_equal (r.prev, self->last_hash))
        {
          mark_tampered (self, self->n_records + 1);
          return FALSE;
        }
      line_hash = arw_sha256_hex (line, nl - start);
      g_strlcpy (self->prev_hash, self->last_hash, sizeof self->prev_hash);
      g_strlcpy (self->last_hash, line_hash, sizeof self->last_hash);
      apply_record (self, &r);
      self->n_records = r.seq;
      pos = (gsize) (nl - data) + 1;
      self->valid_length = (goffset) pos;
    }
  return TRUE;
}

/* The head may lag the ledger by one record (a crash between the two
 * writes), never more, and never lead it. */
static void
check_head (ArwConsentLedger *self, const Head *head)
{
  if (!head->valid)
    mark_tampered (self, self->n_records + 1);
  else if (head->seq > self->n_records)
    mark_tampered (self, self->n_records + 1);
  else if (head->seq == self->n_records && !g_str_equal (head->hash, self->last_hash))
    mark_tampered (self, self->n_records);
  else if (head->seq == self->n_records - 1 && !g_str_equal (head->hash, self->prev_hash))
    mark_tampered (self, self->n_records - 1);
  else if (head->seq < self->n_records - 1)
    mark_tampered (self, head->seq + 2);
}

/* Reads and verifies the ledger. Returns FALSE only when it cannot be read
 * (then nothing is granted); a tampered ledger loads, see is_tampered(). */
gboolean
arw_consent_ledger_load (ArwConsentLedger *self, GError **error)
{
  g_auto(Head) head = { 0 };
  g_autofree char *data = NULL;
  gsize len = 0;

  g_return_val_if_fail (ARW_IS_CONSENT_LEDGER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  reset_state (self);
  /* head before ledger: a concurrent append writes them the other way round */
  if (!read_head (self, &head, error) || !read_small_file (self->path, &data, &len, error))
    return FALSE;
  if (data == NULL || verify_lines (self, data, len))
    check_head (self, &head);
  self->head_seq = head.seq;
  self->loaded = TRUE;
  return TRUE;
}

/* ---- append ---- */

static char *
now_rfc3339 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

/* Keeps a tampered ledger for inspection and starts a new chain. */
static gboolean
quarantine (ArwConsentLedger *self, GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  g_autofree char *dest = g_strdup_printf ("%s.tampered-%s", self->path, stamp);

  for (guint i = 1; g_file_test (dest, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK); i++)
    {
      g_free (dest);
      dest = g_strdup_printf ("%s.tampered-%s-%u", self->path, stamp, i);
    }
  if (g_rename (self->path, dest) != 0 && errno != ENOENT)
    return set_errno_error (error, errno, "set aside", self->path);
  if (g_unlink (self->head_path) != 0 && errno != ENOENT)
    return set_errno_error (error, errno, "remove", self->head_path);
  if (!fsync_dir (self->dir, error))
    return FALSE;
  reset_state (self);
  g_hash_table_remove_all (self->once);
  self->loaded = TRUE;
  return TRUE;
}

static gboolean
write_head (ArwConsentLedger *self, gint64 seq, const char *hash, GError **error)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *obj = json_object_new ();
  g_autofree char *text = NULL;

  json_node_take_object (node, obj);
  json_object_set_int_member (obj, "seq", seq);
  json_object_set_string_member (obj, "hash", hash);
  text = json_to_string (node, FALSE);
  if (!g_file_set_contents_full (self->head_path, text, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600, error))
    return FALSE;
  return fsync_dir (self->dir, error);
}

/* Writes line at the end of the complete records (cutting off a torn
 * tail), fsyncs the file and then the directory. */
static gboolean
write_line (ArwConsentLedger *self, const char *line, GError **error)
{
  g_auto(LedgerFd) fd = open (self->path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
  gsize len = strlen (line), done = 0;
  struct stat st;

  if (fd < 0)
    return set_errno_error (error, errno, "open", self->path);
  if (fchmod (fd, 0600) != 0 || fstat (fd, &st) != 0)
    return set_errno_error (error, errno, "prepare", self->path);
  if (st.st_size != self->valid_length && ftruncate (fd, self->valid_length) != 0)
    return set_errno_error (error, errno, "repair", self->path);
  while (done < len)
    {
      ssize_t n = pwrite (fd, line + done, len - done, self->valid_length + (off_t) done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          if (ftruncate (fd, self->valid_length) != 0)
            { /* the next load sees a torn tail, which is tolerated */ }
          return set_errno_error (error, saved, "write", self->path);
        }
      done += (gsize) n;
    }
  if (fsync (fd) != 0)
    return set_errno_error (error, errno, "sync", self->path);
  return fsync_dir (self->dir, error);
}

static gboolean
lock_ledger (ArwConsentLedger *self, int *fd_out, GError **error)
{
  g_autofree char *lock_path = g_build_filename (self->dir, LOCK_NAME, NULL);
  int fd;

  if (g_mkdir_with_parents (self->dir, 0700) != 0)
    return set_errno_error (error, errno, "create the directory of", self->dir);
  fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
  if (fd < 0)
    return set_errno_error (error, errno, "open", lock_path);
  while (flock (fd, LOCK_EX) != 0)
    if (errno != EINTR)
      {
        int saved = errno;
        close (fd);
        return set_errno_error (error, saved, "lock", lock_path);
      }
  *fd_out = fd;
  return TRUE;
}

/* Takes the lock and reloads (another process may have appended), starts
 * a new chain if the old one is broken, and brings a lagging head up to
 * date. The caller appends and then closes *lock. */
static gboolean
lock_and_reload (ArwConsentLedger *self, int *lock, GError **error)
{
  if (!lock_ledger (self, lock, error) || !arw_consent_ledger_load (self, error))
    return FALSE;
  if (self->tampered && !quarantine (self, error))
    return FALSE;
  if (self->head_seq != self->n_records && !write_head (self, self->n_records, self->last_hash, error))
    return FALSE;
  self->head_seq = self->n_records;
  return TRUE;
}

/* With the lock held: the record, then the head, each durable. */
static gboolean
append_locked (ArwConsentLedger *self, Record *r, GError **error)
{
  g_autofree char *line = NULL;
  g_autofree char *line_nl = NULL;
  g_autofree char *line_hash = NULL;

  r->seq = self->n_records + 1;
  r->time = now_rfc3339 ();
  r->prev = g_strdup (self->last_hash);
  r->hash = record_compute_hash (r);
  line = record_serialise (r, TRUE);
  line_nl = g_strconcat (line, "\n", NULL);
  line_hash = arw_sha256_hex (line, strlen (line));
  if (!write_line (self, line_nl, error))
    return FALSE;
  self->valid_length += (goffset) strlen (line_nl);
  self->n_records = r->seq;
  g_strlcpy (self->prev_hash, self->last_hash, sizeof self->prev_hash);
  g_strlcpy (self->last_hash, line_hash, sizeof self->last_hash);
  apply_record (self, r);
  g_clear_pointer (&self->warning, g_free);
  if (!write_head (self, r->seq, line_hash, error))
    return FALSE;
  self->head_seq = r->seq;
  return TRUE;
}

/* modalities may be NULL only when null_modalities_ok (revoke all). */
static gboolean
validate_request (const char *bundle_id,
                  const char *const *modalities,
                  gboolean null_modalities_ok,
                  const char *revision,
                  GError **error)
{
  if (!valid_text (bundle_id, BUNDLE_ID_MAX))
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT,
                           "bundle id must be 1-512 bytes of printable UTF-8");
      return FALSE;
    }
  if (revision != NULL && !valid_text (revision, BUNDLE_ID_MAX))
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT,
                           "revision must be 1-512 bytes of printable UTF-8");
      return FALSE;
    }
  if (modalities == NULL && null_modalities_ok)
    return TRUE;
  if (modalities == NULL || modalities[0] == NULL)
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT, "consent needs at least one modality");
      return FALSE;
    }
  for (guint i = 0; modalities[i] != NULL; i++)
    if (!valid_modality (modalities[i]))
      {
        g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT,
                     "modality must be 1-32 characters of a-z, 0-9, '_' or '-'");
        return FALSE;
      }
  return TRUE;
}

static GStrv
dedup_modalities (const char *const *modalities)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new ();

  for (guint i = 0; modalities[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (seen, modalities[i], g_str_equal, NULL))
      {
        g_ptr_array_add (seen, (gpointer) modalities[i]);
        g_strv_builder_add (builder, modalities[i]);
      }
  return g_strv_builder_end (builder);
}

/* Records consent, durably, before returning. A once grant also becomes
 * live in this object's memory only. */
gboolean
arw_consent_ledger_grant (ArwConsentLedger *self,
                          const char *bundle_id,
                          const char *const *modalities,
                          ArwConsentScope scope,
                          const char *revision,
                          GError **error)
{
  g_auto(Record) r = { 0 };
  g_auto(LedgerFd) lock = -1;

  g_return_val_if_fail (ARW_IS_CONSENT_LEDGER (self), FALSE);
  g_return_val_if_fail (scope == ARW_CONSENT_SCOPE_ONCE || scope == ARW_CONSENT_SCOPE_ALWAYS, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate_request (bundle_id, modalities, FALSE, revision, error))
    return FALSE;
  r.action = g_strdup ("grant");
  r.bundle_id = g_strdup (bundle_id);
  r.modalities = dedup_modalities (modalities);
  r.scope = g_strdup (arw_consent_scope_to_string (scope));
  r.revision = g_strdup (revision);
  if (!lock_and_reload (self, &lock, error) || !append_locked (self, &r, error))
    return FALSE;
  for (guint i = 0; scope == ARW_CONSENT_SCOPE_ONCE && r.modalities[i] != NULL; i++)
    g_hash_table_replace (self->once, entry_key (bundle_id, r.modalities[i]), GSIZE_TO_POINTER ((gsize) r.seq));
  return TRUE;
}

/* Modalities with a grant recorded for the bundle (live or not). */
static GStrv
granted_modalities (ArwConsentLedger *self, const char *bundle_id)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *prefix = g_strconcat (bundle_id, "\n", NULL);
  g_autoptr(GList) keys = g_hash_table_get_keys (self->entries);

  keys = g_list_sort (keys, (GCompareFunc) strcmp);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      Entry *e = g_hash_table_lookup (self->entries, l->data);
      if (g_str_has_prefix (l->data, prefix) && e->granted)
        g_strv_builder_add (builder, (const char *) l->data + strlen (prefix));
    }
  return g_strv_builder_end (builder);
}

/* Records a revocation durably. modalities NULL revokes every modality
 * granted to the bundle (nothing is written when there is none). */
gboolean
arw_consent_ledger_revoke (ArwConsentLedger *self,
                           const char *bundle_id,
                           const char *const *modalities,
                           GError **error)
{
  g_auto(Record) r = { 0 };
  g_auto(LedgerFd) lock = -1;
  g_auto(GStrv) all = NULL;

  g_return_val_if_fail (ARW_IS_CONSENT_LEDGER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate_request (bundle_id, modalities, TRUE, NULL, error) || !lock_and_reload (self, &lock, error))
    return FALSE;
  if (modalities == NULL)
    {
      /* computed under the lock, from the chain as it is now */
      all = granted_modalities (self, bundle_id);
      if (all[0] == NULL)
        return TRUE;
      modalities = (const char *const *) all;
    }
  r.action = g_strdup ("revoke");
  r.bundle_id = g_strdup (bundle_id);
  r.modalities = dedup_modalities (modalities);
  r.scope = g_strdup ("always");
  if (!append_locked (self, &r, error))
    return FALSE;
  for (guint i = 0; r.modalities[i] != NULL; i++)
    {
      g_autofree char *key = entry_key (bundle_id, r.modalities[i]);
      g_hash_table_remove (self->once, key);
    }
  return TRUE;
}

static gboolean
entry_is_live (ArwConsentLedger *self, const char *key)
{
  Entry *e = g_hash_table_lookup (self->entries, key);
  gpointer once_seq = NULL;

  if (e == NULL || !e->granted)
    return FALSE;
  if (e->scope == ARW_CONSENT_SCOPE_ALWAYS)
    return TRUE;
  return g_hash_table_lookup_extended (self->once, key, NULL, &once_seq) &&
         (gint64) GPOINTER_TO_SIZE (once_seq) == e->seq;
}

/* TRUE only when the ledger loaded, is intact, and every requested
 * modality has a live grant. NULL or empty modalities: FALSE. */
gboolean
arw_consent_ledger_is_granted (ArwConsentLedger *self, const char *bundle_id, const char *const *modalities)
{
  g_return_val_if_fail (ARW_IS_CONSENT_LEDGER (self), FALSE);

  if (!self->loaded || self->tampered || bundle_id == NULL || modalities == NULL || modalities[0] == NULL)
    return FALSE;
  for (guint i = 0; modalities[i] != NULL; i++)
    {
      g_autofree char *key = entry_key (bundle_id, modalities[i]);
      if (!entry_is_live (self, key))
        return FALSE;
    }
  return TRUE;
}

/* Ends this process's "once" grants for the bundle (its run is over). */
void
arw_consent_ledger_end_once (ArwConsentLedger *self, const char *bundle_id)
{
  g_autofree char *prefix = NULL;
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (ARW_IS_CONSENT_LEDGER (self));
  g_return_if_fail (bundle_id != NULL);

  prefix = g_strconcat (bundle_id, "\n", NULL);
  g_hash_table_iter_init (&iter, self->once);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (g_str_has_prefix (key, prefix) && strchr ((const char *) key + strlen (prefix), '\n') == NULL)
      g_hash_table_iter_remove (&iter);
}

gboolean
arw_consent_ledger_is_tampered (ArwConsentLedger *self)
{
  g_return_val_if_fail (ARW_IS_CONSENT_LEDGER (self), TRUE);
  return self->tampered;
}

/* The tamper or torn-tail message of the last load, NULL when clean. */
const char *
arw_consent_ledger_get_warning (ArwConsentLedger *self)
{
  g_return_val_if_fail (ARW_IS_CONSENT_LEDGER (self), NULL);
  return self->warning;
}

const char *
arw_consent_ledger_get_path (ArwConsentLedger *self)
{
  g_return_val_if_fail (ARW_IS_CONSENT_LEDGER (self), NULL);
  return self->path;
}

guint64
arw_consent_ledger_get_n_records (ArwConsentLedger *self)
{
  g_return_val_if_fail (ARW_IS_CONSENT_LEDGER (self), 0);
  return (guint64) self->n_records;
}

static void
add_grant_json (ArwConsentLedger *self, JsonBuilder *b, const char *key)
{
  Entry *e = g_hash_table_lookup (self->entries, key);
  const char *nl = strchr (key, '\n');
  g_autofree char *bundle = g_strndup (key, nl - key);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bundle_id");
  json_builder_add_string_value (b, bundle);
  json_builder_set_member_name (b, "modality");
  json_builder_add_string_value (b, nl + 1);
  json_builder_set_member_name (b, "scope");
  json_builder_add_string_value (b, arw_consent_scope_to_string (e->scope));
  json_builder_set_member_name (b, "granted_at");
  json_builder_add_string_value (b, e->time);
  json_builder_set_member_name (b, "seq");
  json_builder_add_int_value (b, e->seq);
  json_builder_set_member_name (b, "revision");
  if (e->revision != NULL)
    json_builder_add_string_value (b, e->revision);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
}

/* {path, tampered, warning, records, grants: [{bundle_id, modality, scope,
 * granted_at, seq, revision}]}, live grants only, sorted. */
JsonNode *
arw_consent_ledger_to_json (ArwConsentLedger *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GList) keys = NULL;

  g_return_val_if_fail (ARW_IS_CONSENT_LEDGER (self), NULL);

  keys = g_list_sort (g_hash_table_get_keys (self->entries), (GCompareFunc) strcmp);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, self->path);
  json_builder_set_member_name (b, "tampered");
  json_builder_add_boolean_value (b, self->tampered);
  json_builder_set_member_name (b, "warning");
  if (self->warning != NULL)
    json_builder_add_string_value (b, self->warning);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "records");
  json_builder_add_int_value (b, self->n_records);
  json_builder_set_member_name (b, "grants");
  json_builder_begin_array (b);
  for (GList *l = keys; l != NULL && self->loaded && !self->tampered; l = l->next)
    if (entry_is_live (self, l->data))
      add_grant_json (self, b, l->data);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
