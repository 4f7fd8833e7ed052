/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arw-error.h"
#include "arw-fs-util.h"
#include "arw-sha256.h"
#include "arw-store-journal.h"
#include "arw-bundle.h"
#include "arw-store.h"

#define NAME_MAX_BYTES 255
#define LOCK_POLL_US (50 * 1000)
#define LOW_SPACE_WARNING "low disk space: pruned history to 1 revision"

struct _ArwStore
{
  GObject parent_instance;

  char *root;
  int root_fd;
  guint keep_revisions;
  guint lock_timeout_ms;
};

struct _ArwStoreTransaction
{
  ArwStore *store;
  char *bundle_id;
  char *dir;
  ArwStoreKind kind;
  int lock_fd;
  char *staging_name;
  char *staging_path;
  int staging_fd;
  gboolean low_space;
  gboolean finished;
  char *snapshot;
  GPtrArray *warnings;
};

G_DEFINE_FINAL_TYPE (ArwStore, arw_store, G_TYPE_OBJECT)

static const char * const kind_names[] = { "install", "import", "rollback" };

const char *
arw_store_kind_to_string (ArwStoreKind kind)
{
  g_return_val_if_fail (kind <= ARW_STORE_KIND_ROLLBACK, NULL);
  return kind_names[kind];
}

/* ---- records ---- */

void
arw_store_revision_free (ArwStoreRevision *revision)
{
  if (revision == NULL)
    return;
  g_free (revision->name);
  g_free (revision->saved_at);
  g_free (revision->kind);
  g_free (revision->path);
  g_clear_pointer (&revision->summary, json_node_unref);
  g_clear_pointer (&revision->info, json_node_unref);
  g_free (revision);
}

void
arw_store_rollback_result_free (ArwStoreRollbackResult *result)
{
  if (result == NULL)
    return;
  g_free (result->bundle);
  g_free (result->restored_revision);
  g_strfreev (result->restored_components);
  g_strfreev (result->missing_components);
  g_free (result->snapshot_created);
  g_strfreev (result->warnings);
  g_free (result);
}


static gboolean
check_bundle_id (const char *bundle_id, char **out_dir, GError **error)
{
  g_autofree char *dir = NULL;

  if (bundle_id == NULL || *bundle_id == '\0')
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT,
                           "bundle id is empty; pass the id of a catalog bundle");
      return FALSE;
    }
  dir = arw_bundle_dir_name (bundle_id);
  if (strlen (dir) > NAME_MAX_BYTES)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT,
                   "bundle id is too long (%" G_GSIZE_FORMAT " bytes); use a shorter id",
                   strlen (bundle_id));
      return FALSE;
    }
  *out_dir = g_steal_pointer (&dir);
  return TRUE;
}

/* ---- summaries and info.json ---- */

static void
copy_string_member (JsonObject *to, const char *to_name, JsonObject *from, const char *name)
{
  JsonNode *node = from != NULL ? json_object_get_member (from, name) : NULL;

  if (node != NULL && json_node_get_value_type (node) == G_TYPE_STRING)
    json_object_set_string_member (to, to_name, json_node_get_string (node));
}

static void
copy_string_array (JsonObject *to, JsonObject *from, const char *name)
{
  JsonNode *node = from != NULL ? json_object_get_member (from, name) : NULL;
  JsonArray *out;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;
  out = json_array_new ();
  for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonNode *el = json_array_get_element (json_node_get_array (node), i);

      if (json_node_get_value_type (el) == G_TYPE_STRING)
        json_array_add_string_element (out, json_node_get_string (el));
    }
  if (json_array_get_length (out) > 0)
    json_object_set_array_member (to, name, out);
  else
    json_array_unref (out);
}

static JsonObject *
get_object_member (JsonObject *obj, const char *name)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonNode *
arw_store_summarize_bundle_json (JsonNode *bundle_json, const char *fallback_id)
{
  JsonObject *root = NULL;
  JsonObject *bundle;
  g_autoptr(JsonObject) summary = json_object_new ();
  JsonNode *out = json_node_new (JSON_NODE_OBJECT);

  if (bundle_json != NULL && JSON_NODE_HOLDS_OBJECT (bundle_json))
    root = json_node_get_object (bundle_json);
  bundle = get_object_member (root, "bundle");
  copy_string_member (summary, "id", bundle, "id");
  if (!json_object_has_member (summary, "id") && fallback_id != NULL)
    json_object_set_string_member (summary, "id", fallback_id);
  copy_string_member (summary, "name", bundle, "name");
  copy_string_member (summary, "adapter", bundle, "adapter");
  copy_string_member (summary, "channel", get_object_member (root, "catalog"), "channel");
  copy_string_member (summary, "source_kind", get_object_member (root, "source"), "kind");
  copy_string_array (summary, bundle, "modalities");
  copy_string_array (summary, bundle, "profiles");
  json_node_set_object (out, summary);
  return out;
}

static JsonNode *
read_json_at (int dirfd, const char *name)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  gsize len = 0;

  text = arw_fs_read_file_at (dirfd, name, ARW_STORE_JSON_MAX, &len, NULL);
  if (text == NULL || !json_parser_load_from_data (parser, text, (gssize) len, NULL))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

static JsonNode *
build_info (int live_fd, const char *bundle_id, ArwStoreKind kind, const char *revision)
{
  g_autoptr(JsonNode) bundle_json = read_json_at (live_fd, "bundle.json");
  JsonObject *info = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (info, "bundle", bundle_id);
  json_object_set_string_member (info, "kind", arw_store_kind_to_string (kind));
  json_object_set_string_member (info, "saved_at", revision + strlen ("rev-"));
  json_object_set_member (info, "summary", arw_store_summarize_bundle_json (bundle_json, bundle_id));
  json_node_take_object (node, info);
  return node;
}

/* ---- history helpers ---- */

/* Sorted oldest first; only real directories named rev-*. */
static GPtrArray *
list_revision_names (int hist_fd, GError **error)
{
  g_autoptr(GPtrArray) all = arw_fs_list_dir (hist_fd, error);
  g_autoptr(GPtrArray) revs = g_ptr_array_new_with_free_func (g_free);

  if (all == NULL)
    return NULL;
  for (guint i = 0; i < all->len; i++)
    {
      const char *name = g_ptr_array_index (all, i);

      if (g_str_has_prefix (name, "rev-") && arw_fs_is_dir_at (hist_fd, name))
        g_ptr_array_add (revs, g_strdup (name));
    }
  return g_steal_pointer (&revs);
}

static int
open_history (ArwStore *self, const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, ARW_STORE_HISTORY_DIR, NULL);

  return arw_fs_open_dir_at (self->root_fd, path, FALSE, error);
}

/* A new revision name that sorts after every existing one, so "newest
 * first" stays true even when the clock went backwards. */
static char *
new_revision_name (ArwStore *self, const char *dir)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *ts = _arw_store_timestamp_compact (now);
  g_autofree char *name = g_strconcat ("rev-", ts, NULL);
  g_autoptr(GPtrArray) names = NULL;
  arw_autofd hist_fd = open_history (self, dir, NULL);
  const char *newest;
  g_autoptr(GDateTime) last = NULL;

  if (hist_fd < 0 || (names = list_revision_names (hist_fd, NULL)) == NULL || names->len == 0)
    return g_steal_pointer (&name);
  newest = g_ptr_array_index (names, names->len - 1);
  if (strcmp (name, newest) > 0)
    return g_steal_pointer (&name);
  last = _arw_store_timestamp_parse_compact (newest + strlen ("rev-"));
  if (last != NULL)
    {
      g_autoptr(GDateTime) next = g_date_time_add (last, 1000);
      g_autofree char *next_ts = _arw_store_timestamp_compact (next);

      return g_strconcat ("rev-", next_ts, NULL);
    }
  /* An unparsable foreign name sorts last: append to ours. */
  return g_strconcat (newest, "-1", NULL);
}

/* Deletes the oldest revisions beyond @keep (0 = keep all), never @exclude.
 * Each goes to staging first, so no reader sees half a revision. */
static gboolean
prune_history (ArwStore *self, const char *dir, guint keep, const char *exclude,
               guint *out_pruned, GError **error)
{
  g_autoptr(GPtrArray) names = NULL;
  arw_autofd hist_fd = -1;
  arw_autofd staging_fd = -1;
  guint pruned = 0;

  *out_pruned = 0;
  if (keep == 0)
    return TRUE;
  hist_fd = open_history (self, dir, NULL);
  if (hist_fd < 0 || (names = list_revision_names (hist_fd, error)) == NULL)
    return hist_fd < 0;
  staging_fd = arw_fs_open_dir_at (self->root_fd, ARW_STORE_STAGING_DIR, TRUE, error);
  if (staging_fd < 0)
    return FALSE;
  for (guint i = 0; i < names->len && names->len - pruned > keep; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *trash = g_strdup_printf ("prune-%s-%s", dir, name);

      if (g_strcmp0 (name, exclude) == 0)
        continue;
      if (!arw_fs_rm_rf_at (staging_fd, trash, error) ||
          !arw_fs_rename_at (hist_fd, name, staging_fd, trash, TRUE, error) ||
          !arw_fs_fsync_fd (hist_fd, ARW_STORE_HISTORY_DIR, error) ||
          !arw_fs_rm_rf_at (staging_fd, trash, error))
        return FALSE;
      pruned++;
    }
  *out_pruned = pruned;
  return TRUE;
}

/* ---- lock ---- */

static int
lock_open (ArwStore *self, GError **error)
{
  int fd = openat (self->root_fd, ARW_STORE_LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);

  if (fd < 0)
    arw_fs_set_error_from_errno (error, errno, "failed to open the store lock %s/%s", self->root,
                                 ARW_STORE_LOCK_FILE);
  return fd;
}

static void
lock_busy_error (int fd, GError **error)
{
  char buf[32] = { 0 };
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);
  gint64 pid = n > 0 ? g_ascii_strtoll (buf, NULL, 10) : 0;

  if (pid > 0)
    g_set_error (error, ARW_ERROR, ARW_ERROR_BUSY,
                 "another install is running (pid %" G_GINT64_FORMAT "); wait for it to finish and try again",
                 pid);
  else
    g_set_error_literal (error, ARW_ERROR, ARW_ERROR_BUSY,
                         "another install is running; wait for it to finish and try again");
}

/* Returns the locked fd, or -1. */
static int
lock_acquire (ArwStore *self, guint timeout_ms, GCancellable *cancellable, GError **error)
{
  arw_autofd fd = lock_open (self, error);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  char pid[32];

  if (fd < 0)
    return -1;
  while (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      gint64 now = g_get_monotonic_time ();

      if (errno == EINTR)
        continue;
      if (errno != EWOULDBLOCK)
        {
          arw_fs_set_error_from_errno (error, errno, "failed to lock the store %s", self->root);
          return -1;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return -1;
      if (now >= deadline)
        {
          lock_busy_error (fd, error);
          return -1;
        }
      g_usleep (MIN (LOCK_POLL_US, deadline - now));
    }
  g_snprintf (pid, sizeof pid, "%d\n", (int) getpid ());
  if (ftruncate (fd, 0) == 0 && pwrite (fd, pid, strlen (pid), 0) < 0)
    g_debug ("failed to record the lock holder: %s", g_strerror (errno));
  return g_steal_fd (&fd);
}

/* ---- recovery ---- */

static gboolean
replay_journal (ArwStore *self, int journal_fd, const char *name, GError **error)
{
  g_autoptr(ArwStoreJournal) journal = NULL;

  if (name[0] == '.' && g_str_has_suffix (name, ".tmp"))
    return arw_fs_rm_rf_at (journal_fd, name, error);
  if (!g_str_has_suffix (name, ".json"))
    return TRUE;
  journal = _arw_store_journal_load (self->root_fd, name, error);
  if (journal == NULL)
    return FALSE;
  g_debug ("completing interrupted %s of %s", journal->op, journal->bundle);
  if (!_arw_store_journal_apply (self->root_fd, journal, error))
    {
      g_prefix_error (error, "failed to complete the interrupted %s of bundle %s: ", journal->op,
                      journal->bundle);
      return FALSE;
    }
  return _arw_store_journal_delete (self->root_fd, journal, error);
}

/* Caller holds the lock. */
static gboolean
recover_locked (ArwStore *self, GError **error)
{
  g_autoptr(GPtrArray) names = NULL;
  arw_autofd journal_fd = -1;
  arw_autofd staging_fd = -1;

  journal_fd = arw_fs_open_dir_at (self->root_fd, ARW_STORE_JOURNAL_DIR, TRUE, error);
  if (journal_fd < 0 || (names = arw_fs_list_dir (journal_fd, error)) == NULL)
    return FALSE;
  for (guint i = 0; i < names->len; i++)
    if (!replay_journal (self, journal_fd, g_ptr_array_index (names, i), error))
      return FALSE;
  /* Every journal is done, so no staging dir is referenced any more. */
  staging_fd = arw_fs_open_dir_at (self->root_fd, ARW_STORE_STAGING_DIR, TRUE, error);
  return staging_fd >= 0 && arw_fs_empty_dir (staging_fd, error);
}

gboolean
arw_store_recover (ArwStore *self, GError **error)
{
  arw_autofd lock_fd = -1;

  g_return_val_if_fail (ARW_IS_STORE (self), FALSE);
  lock_fd = lock_acquire (self, self->lock_timeout_ms, NULL, error);
  return lock_fd >= 0 && recover_locked (self, error);
}

/* ---- object ---- */

static void
arw_store_finalize (GObject *object)
{
  ArwStore *self = ARW_STORE (object);

  if (self->root_fd >= 0)
    close (self->root_fd);
  g_free (self->root);
  G_OBJECT_CLASS (arw_store_parent_class)->finalize (object);
}

static void
arw_store_class_init (ArwStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = arw_store_finalize;
}

static void
arw_store_init (ArwStore *self)
{
  const char *env = g_getenv ("ARW_RUNTIME_KEEP_REVISIONS");
  guint64 keep = ARW_STORE_DEFAULT_KEEP_REVISIONS;

  if (env != NULL && *env != '\0' && !g_ascii_string_to_unsigned (env, 10, 0, G_MAXUINT, &keep, NULL))
    {
      g_warning ("ignoring ARW_RUNTIME_KEEP_REVISIONS=%s: not a number", env);
      keep = ARW_STORE_DEFAULT_KEEP_REVISIONS;
    }
  self->keep_revisions = (guint) keep;
  self->root_fd = -1;
}

ArwStore *
arw_store_open (const char *root, GError **error)
{
  g_autoptr(ArwStore) self = NULL;
  arw_autofd lock_fd = -1;

  g_return_val_if_fail (root != NULL && *root != '\0', NULL);

  if (g_mkdir_with_parents (root, 0755) < 0 && errno != EEXIST && !g_file_test (root, G_FILE_TEST_IS_DIR))
    {
      arw_fs_set_error_from_errno (error, errno, "failed to create the bundle root %s", root);
      return NULL;
    }
  self = g_object_new (ARW_TYPE_STORE, NULL);
  self->root = g_strdup (root);
  self->root_fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (self->root_fd < 0)
    {
      arw_fs_set_error_from_errno (error, errno, "failed to open the bundle root %s", root);
      return NULL;
    }
  /* Opportunistic recovery: skipped when the root is read-only or another
   * writer holds the lock (it recovers before it changes anything). */
  lock_fd = openat (self->root_fd, ARW_STORE_LOCK_FILE, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (lock_fd >= 0 && flock (lock_fd, LOCK_EX | LOCK_NB) == 0 && !recover_locked (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
arw_store_get_root (ArwStore *self)
{
  g_return_val_if_fail (ARW_IS_STORE (self), NULL);
  return self->root;
}

char *
arw_store_get_bundle_dir (ArwStore *self, const char *bundle_id)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (ARW_IS_STORE (self), NULL);
  g_return_val_if_fail (bundle_id != NULL, NULL);
  dir = arw_bundle_dir_name (bundle_id);
  return g_build_filename (self->root, dir, NULL);
}

void
arw_store_set_keep_revisions (ArwStore *self, guint keep)
{
  g_return_if_fail (ARW_IS_STORE (self));
  self->keep_revisions = keep;
}

guint
arw_store_get_keep_revisions (ArwStore *self)
{
  g_return_val_if_fail (ARW_IS_STORE (self), 0);
  return self->keep_revisions;
}

void
arw_store_set_lock_timeout (ArwStore *self, guint timeout_ms)
{
  g_return_if_fail (ARW_IS_STORE (self));
  self->lock_timeout_ms = timeout_ms;
}

gboolean
arw_store_has_live_state (ArwStore *self, const char *bundle_id)
{
  g_autofree char *dir = NULL;
  arw_autofd live_fd = -1;

  g_return_val_if_fail (ARW_IS_STORE (self), FALSE);
  g_return_val_if_fail (bundle_id != NULL, FALSE);
  dir = arw_bundle_dir_name (bundle_id);
  live_fd = arw_fs_open_dir_at (self->root_fd, dir, FALSE, NULL);
  return live_fd >= 0 && (_arw_store_components_present (live_fd) & ARW_STORE_ARW_COMPONENTS) != 0;
}

gboolean
arw_store_get_live_revision_number (ArwStore *self, const char *bundle_id, gint64 *out_revision,
                                    GError **error)
{
  g_autofree char *dir = NULL;
  g_autoptr(JsonNode) root = NULL;
  arw_autofd live_fd = -1;
  JsonObject *bundle;
  JsonNode *rev;

  g_return_val_if_fail (ARW_IS_STORE (self), FALSE);
  g_return_val_if_fail (bundle_id != NULL && out_revision != NULL, FALSE);
  dir = arw_bundle_dir_name (bundle_id);
  live_fd = arw_fs_open_dir_at (self->root_fd, dir, FALSE, NULL);
  if (live_fd < 0 || !arw_fs_exists_at (live_fd, "bundle.json"))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND, "bundle %s is not installed", bundle_id);
      return FALSE;
    }
  root = read_json_at (live_fd, "bundle.json");
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "installed bundle.json of %s does not parse; reinstall the bundle", bundle_id);
      return FALSE;
    }
  bundle = get_object_member (json_node_get_object (root), "bundle");
  rev = bundle != NULL ? json_object_get_member (bundle, "revision") : NULL;
  *out_revision = rev != NULL && json_node_get_value_type (rev) == G_TYPE_INT64 ? json_node_get_int (rev) : -1;
  return TRUE;
}

/* ---- transactions ---- */

static gboolean
make_staging_dir (ArwStoreTransaction *tx, GError **error)
{
  arw_autofd staging_root = arw_fs_open_dir_at (tx->store->root_fd, ARW_STORE_STAGING_DIR, TRUE, error);

  if (staging_root < 0)
    return FALSE;
  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autofree char *name = g_strdup_printf ("tx-%08x%08x", g_random_int (), g_random_int ());
      g_autoptr(GError) local_error = NULL;

      if (!arw_fs_mkdir_at (staging_root, name, 0755, FALSE, &local_error))
        {
          if (g_error_matches (local_error, ARW_ERROR, ARW_ERROR_ALREADY_EXISTS))
            continue;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      tx->staging_fd = arw_fs_open_dir_at (staging_root, name, FALSE, error);
      if (tx->staging_fd < 0)
        return FALSE;
      tx->staging_path = g_build_filename (tx->store->root, ARW_STORE_STAGING_DIR, name, NULL);
      tx->staging_name = g_steal_pointer (&name);
      return TRUE;
    }
  g_set_error_literal (error, ARW_ERROR, ARW_ERROR_FAILED, "failed to create a staging directory");
  return FALSE;
}

static void
transaction_finish (ArwStoreTransaction *tx, gboolean remove_staging)
{
  if (tx->finished)
    return;
  tx->finished = TRUE;
  if (tx->staging_fd >= 0)
    close (tx->staging_fd);
  tx->staging_fd = -1;
  if (remove_staging && tx->staging_name != NULL)
    {
      g_autofree char *rel = g_build_filename (ARW_STORE_STAGING_DIR, tx->staging_name, NULL);
      g_autoptr(GError) local_error = NULL;

      if (!arw_fs_rm_rf_at (tx->store->root_fd, rel, &local_error))
        g_warning ("failed to remove staging directory %s: %s", tx->staging_path, local_error->message);
    }
  if (tx->lock_fd >= 0)
    close (tx->lock_fd);
  tx->lock_fd = -1;
}

void
arw_store_transaction_free (ArwStoreTransaction *tx)
{
  if (tx == NULL)
    return;
  transaction_finish (tx, TRUE);
  g_clear_object (&tx->store);
  g_free (tx->bundle_id);
  g_free (tx->dir);
  g_free (tx->staging_name);
  g_free (tx->staging_path);
  g_free (tx->snapshot);
  g_ptr_array_unref (tx->warnings);
  g_free (tx);
}

ArwStoreTransaction *
arw_store_begin (ArwStore *self, const char *bundle_id, ArwStoreKind kind,
                 GCancellable *cancellable, GError **error)
{
  g_autoptr(ArwStoreTransaction) tx = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (ARW_IS_STORE (self), NULL);
  g_return_val_if_fail (kind == ARW_STORE_KIND_INSTALL || kind == ARW_STORE_KIND_IMPORT, NULL);

  if (!check_bundle_id (bundle_id, &dir, error))
    return NULL;
  tx = g_new0 (ArwStoreTransaction, 1);
  tx->store = g_object_ref (self);
  tx->bundle_id = g_strdup (bundle_id);
  tx->dir = g_steal_pointer (&dir);
  tx->kind = kind;
  tx->staging_fd = -1;
  tx->warnings = g_ptr_array_new_with_free_func (g_free);
  tx->lock_fd = lock_acquire (self, self->lock_timeout_ms, cancellable, error);
  if (tx->lock_fd < 0)
    {
      tx->finished = TRUE;
      return NULL;
    }
  if (!recover_locked (self, error) || !make_staging_dir (tx, error))
    return NULL;
  return g_steal_pointer (&tx);
}

const char *
arw_store_transaction_get_staging_dir (ArwStoreTransaction *tx)
{
  g_return_val_if_fail (tx != NULL, NULL);
  return tx->staging_path;
}

int
arw_store_transaction_get_staging_fd (ArwStoreTransaction *tx)
{
  g_return_val_if_fail (tx != NULL, -1);
  return tx->staging_fd;
}

const char *
arw_store_transaction_get_snapshot (ArwStoreTransaction *tx)
{
  g_return_val_if_fail (tx != NULL, NULL);
  return tx->snapshot;
}

GPtrArray *
arw_store_transaction_get_warnings (ArwStoreTransaction *tx)
{
  g_return_val_if_fail (tx != NULL, NULL);
  return tx->warnings;
}

static void
add_warning_once (GPtrArray *warnings, const char *message)
{
  for (guint i = 0; i < warnings->len; i++)
    if (g_str_equal (g_ptr_array_index (warnings, i), message))
      return;
  g_ptr_array_add (warnings, g_strdup (message));
}

/* Low space: keep only the newest revision (never @exclude). */
static gboolean
prune_for_space (ArwStore *self, const char *dir, const char *exclude, GPtrArray *warnings,
                 GError **error)
{
  guint pruned = 0;

  if (!prune_history (self, dir, 1, exclude, &pruned, error))
    return FALSE;
  if (pruned > 0)
    add_warning_once (warnings, LOW_SPACE_WARNING);
  return TRUE;
}

gboolean
arw_store_transaction_reserve (ArwStoreTransaction *tx, guint64 bytes, GError **error)
{
  guint64 need = bytes + bytes / 20;
  guint64 free_bytes = 0;
  g_autofree char *need_str = NULL;
  g_autofree char *free_str = NULL;

  g_return_val_if_fail (tx != NULL && !tx->finished, FALSE);

  if (!arw_fs_free_space (tx->store->root_fd, &free_bytes, error))
    return FALSE;
  if (free_bytes >= need)
    return TRUE;
  tx->low_space = TRUE;
  if (!prune_for_space (tx->store, tx->dir, NULL, tx->warnings, error) ||
      !arw_fs_free_space (tx->store->root_fd, &free_bytes, error))
    return FALSE;
  if (free_bytes >= need)
    return TRUE;
  need_str = g_format_size (need);
  free_str = g_format_size (free_bytes);
  g_set_error (error, ARW_ERROR, ARW_ERROR_NO_SPACE,
               "not enough disk space in %s: %s needed, %s free; free some space and try again",
               tx->store->root, need_str, free_str);
  return FALSE;
}

/* Runs @journal: record it, roll it forward, delete it. A full disk while
 * recording or applying prunes history to one revision and retries once
 * (applying is idempotent). Sets *journal_written once the intent is
 * durable. */
static gboolean
run_journal (ArwStore *self, ArwStoreJournal *journal, const char *exclude, GPtrArray *warnings,
             gboolean *journal_written, GError **error)
{
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      if (*journal_written || _arw_store_journal_write (self->root_fd, journal, &local_error))
        {
          *journal_written = TRUE;
          if (_arw_store_journal_apply (self->root_fd, journal, &local_error) &&
              _arw_store_journal_delete (self->root_fd, journal, &local_error))
            return TRUE;
        }
      if (attempt > 0 || !g_error_matches (local_error, ARW_ERROR, ARW_ERROR_NO_SPACE) ||
          !prune_for_space (self, journal->dir, exclude, warnings, NULL))
        {
          if (*journal_written)
            g_prefix_error (&local_error, "failed to complete the change (it will be finished by "
                                          "the next install, rollback or store start): ");
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
}

static gboolean
prune_after (ArwStore *self, const char *dir, gboolean low_space, GPtrArray *warnings)
{
  g_autoptr(GError) local_error = NULL;
  guint pruned = 0;

  if (!prune_history (self, dir, low_space ? 1 : self->keep_revisions, NULL, &pruned, &local_error))
    {
      g_ptr_array_add (warnings, g_strdup_printf ("failed to prune old revisions: %s", local_error->message));
      return FALSE;
    }
  if (low_space && pruned > 0)
    add_warning_once (warnings, LOW_SPACE_WARNING);
  return TRUE;
}

static gboolean
commit_locked (ArwStoreTransaction *tx, gboolean *journal_written, GError **error)
{
  ArwStore *self = tx->store;
  g_autoptr(ArwStoreJournal) journal = g_new0 (ArwStoreJournal, 1);
  arw_autofd staging_root = -1;
  arw_autofd live_fd = -1;

  staging_root = arw_fs_open_dir_at (self->root_fd, ARW_STORE_STAGING_DIR, FALSE, error);
  if (staging_root < 0 || !arw_fs_fsync_tree_at (staging_root, tx->staging_name, error) ||
      !arw_fs_fsync_fd (staging_root, ARW_STORE_STAGING_DIR, error))
    return FALSE;
  journal->op = g_strdup (arw_store_kind_to_string (tx->kind));
  journal->bundle = g_strdup (tx->bundle_id);
  journal->dir = g_strdup (tx->dir);
  journal->source = g_build_filename (ARW_STORE_STAGING_DIR, tx->staging_name, NULL);
  journal->components = _arw_store_components_present (tx->staging_fd);
  if ((journal->components & ARW_STORE_ARW_COMPONENTS) == 0)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_ARGUMENT,
                   "nothing was staged for bundle %s; stage bundle.json, artifacts or payload",
                   tx->bundle_id);
      return FALSE;
    }
  live_fd = arw_fs_open_dir_at (self->root_fd, tx->dir, FALSE, NULL);
  if (live_fd >= 0 && _arw_store_components_present (live_fd) != 0)
    {
      journal->revision = new_revision_name (self, tx->dir);
      journal->info = build_info (live_fd, tx->bundle_id, tx->kind, journal->revision);
    }
  if (!run_journal (self, journal, NULL, tx->warnings, journal_written, error))
    return FALSE;
  tx->snapshot = g_strdup (journal->revision);
  prune_after (self, tx->dir, tx->low_space, tx->warnings);
  return TRUE;
}

gboolean
arw_store_transaction_commit (ArwStoreTransaction *tx, GError **error)
{
  gboolean journal_written = FALSE;
  gboolean ok;

  g_return_val_if_fail (tx != NULL, FALSE);
  g_return_val_if_fail (!tx->finished, FALSE);

  ok = commit_locked (tx, &journal_written, error);
  /* After the journal is durable the staging dir belongs to it. */
  transaction_finish (tx, !journal_written);
  return ok;
}

void
arw_store_transaction_abort (ArwStoreTransaction *tx)
{
  g_return_if_fail (tx != NULL);
  transaction_finish (tx, TRUE);
}

/* ---- listing ---- */

static char *
dup_info_string (JsonNode *info, const char *member)
{
  JsonObject *obj = info != NULL && JSON_NODE_HOLDS_OBJECT (info) ? json_node_get_object (info) : NULL;
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;

  return node != NULL && json_node_get_value_type (node) == G_TYPE_STRING
           ? g_strdup (json_node_get_string (node)) : NULL;
}

static ArwStoreRevision *
load_revision (ArwStore *self, const char *dir, int hist_fd, const char *name)
{
  ArwStoreRevision *rev = g_new0 (ArwStoreRevision, 1);
  arw_autofd rev_fd = arw_fs_open_dir_at (hist_fd, name, FALSE, NULL);
  JsonNode *summary;

  rev->name = g_strdup (name);
  rev->path = g_build_filename (self->root, dir, ARW_STORE_HISTORY_DIR, name, NULL);
  rev->info = rev_fd >= 0 ? read_json_at (rev_fd, ARW_STORE_INFO_FILE) : NULL;
  rev->saved_at = dup_info_string (rev->info, "saved_at");
  if (rev->saved_at == NULL)
    rev->saved_at = g_strdup (name + strlen ("rev-"));
  rev->kind = dup_info_string (rev->info, "kind");
  if (rev->info != NULL && JSON_NODE_HOLDS_OBJECT (rev->info) &&
      (summary = json_object_get_member (json_node_get_object (rev->info), "summary")) != NULL)
    rev->summary = json_node_copy (summary);
  return rev;
}

static gboolean
require_bundle_dir (ArwStore *self, const char *bundle_id, const char *dir, GError **error)
{
  g_autofree char *path = NULL;

  if (arw_fs_is_dir_at (self->root_fd, dir))
    return TRUE;
  path = g_build_filename (self->root, dir, NULL);
  g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND, "bundle %s not staged at %s", bundle_id, path);
  return FALSE;
}

GPtrArray *
arw_store_list_revisions (ArwStore *self, const char *bundle_id, GError **error)
{
  g_autoptr(GPtrArray) revisions = g_ptr_array_new_with_free_func ((GDestroyNotify) arw_store_revision_free);
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *dir = NULL;
  arw_autofd hist_fd = -1;

  g_return_val_if_fail (ARW_IS_STORE (self), NULL);

  if (!check_bundle_id (bundle_id, &dir, error) || !require_bundle_dir (self, bundle_id, dir, error))
    return NULL;
  hist_fd = open_history (self, dir, NULL);
  if (hist_fd < 0)
    return g_steal_pointer (&revisions);
  names = list_revision_names (hist_fd, error);
  if (names == NULL)
    return NULL;
  for (guint i = names->len; i > 0; i--)
    g_ptr_array_add (revisions, load_revision (self, dir, hist_fd, g_ptr_array_index (names, i - 1)));
  return g_steal_pointer (&revisions);
}

/* ---- rollback ---- */

static char *
resolve_revision (ArwStore *self, const char *bundle_id, const char *dir, const char *revision,
                  GError **error)
{
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *want = NULL;
  arw_autofd hist_fd = open_history (self, dir, NULL);

  if (hist_fd >= 0)
    names = list_revision_names (hist_fd, NULL);
  if (names == NULL || names->len == 0)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND,
                   "no history revisions available for bundle %s", bundle_id);
      return NULL;
    }
  if (revision == NULL)
    return g_strdup (g_ptr_array_index (names, names->len - 1));
  want = g_str_has_prefix (revision, "rev-") ? g_strdup (revision) : g_strconcat ("rev-", revision, NULL);
  for (guint i = 0; i < names->len; i++)
    if (g_str_equal (g_ptr_array_index (names, i), want))
      return g_steal_pointer (&want);
  g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND, "revision %s not found for bundle %s", want,
               bundle_id);
  return NULL;
}

/* Components of the revision to restore; refuses symlinks and hollow
 * revisions. */
static gboolean
inspect_revision (ArwStore *self, const char *dir, const char *revision, guint *out_components,
                  GError **error)
{
  g_autofree char *rel = g_build_filename (dir, ARW_STORE_HISTORY_DIR, revision, NULL);
  arw_autofd rev_fd = arw_fs_open_dir_at (self->root_fd, rel, FALSE, error);
  guint components = 0;

  if (rev_fd < 0)
    return FALSE;
  for (guint i = 0; i < ARW_STORE_N_COMPONENTS; i++)
    {
      const char *name = _arw_store_component_name (i);
      struct stat st;

      if (fstatat (rev_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (S_ISLNK (st.st_mode))
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                       "revision %s has a symlink %s; refusing to restore it", revision, name);
          return FALSE;
        }
      components |= 1u << i;
    }
  if ((components & ARW_STORE_ARW_COMPONENTS) == 0)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "revision %s holds no bundle.json, artifacts or payload; pick another revision",
                   revision);
      return FALSE;
    }
  *out_components = components;
  return TRUE;
}

static ArwStoreRollbackResult *
rollback_result_new (const char *bundle_id, const char *revision, guint components)
{
  ArwStoreRollbackResult *result = g_new0 (ArwStoreRollbackResult, 1);
  g_autoptr(GStrvBuilder) restored = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) missing = g_strv_builder_new ();

  result->bundle = g_strdup (bundle_id);
  result->restored_revision = g_strdup (revision);
  for (guint i = 0; i < ARW_STORE_N_ARW_COMPONENTS; i++)
    g_strv_builder_add ((components & (1u << i)) ? restored : missing, _arw_store_component_name (i));
  result->restored_components = g_strv_builder_end (restored);
  result->missing_components = g_strv_builder_end (missing);
  return result;
}

static ArwStoreJournal *
rollback_journal_new (ArwStore *self, const char *bundle_id, const char *dir, const char *revision,
                      guint components)
{
  ArwStoreJournal *journal = g_new0 (ArwStoreJournal, 1);
  arw_autofd live_fd = arw_fs_open_dir_at (self->root_fd, dir, FALSE, NULL);

  journal->op = g_strdup ("rollback");
  journal->bundle = g_strdup (bundle_id);
  journal->dir = g_strdup (dir);
  journal->source = g_build_filename (dir, ARW_STORE_HISTORY_DIR, revision, NULL);
  journal->components = components;
  if (live_fd >= 0 && _arw_store_components_present (live_fd) != 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *restored_at = _arw_store_timestamp_rfc3339 (now);
      JsonObject *info;

      journal->revision = new_revision_name (self, dir);
      journal->info = build_info (live_fd, bundle_id, ARW_STORE_KIND_ROLLBACK, journal->revision);
      info = json_node_get_object (journal->info);
      json_object_set_string_member (info, "restored_revision", revision);
      json_object_set_string_member (info, "restored_at", restored_at);
    }
  return journal;
}

static gboolean
rollback_locked (ArwStore *self, const char *bundle_id, const char *dir, const char *revision,
                 gboolean dry_run, ArwStoreRollbackResult **out_result, GError **error)
{
  g_autoptr(ArwStoreRollbackResult) result = NULL;
  g_autoptr(ArwStoreJournal) journal = NULL;
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *target = NULL;
  guint components = 0;
  gboolean journal_written = FALSE;

  if (!require_bundle_dir (self, bundle_id, dir, error))
    return FALSE;
  target = resolve_revision (self, bundle_id, dir, revision, error);
  if (target == NULL || !inspect_revision (self, dir, target, &components, error))
    return FALSE;
  result = rollback_result_new (bundle_id, target, components);
  result->dry_run = dry_run;
  if (!dry_run)
    {
      journal = rollback_journal_new (self, bundle_id, dir, target, components);
      if (!run_journal (self, journal, target, warnings, &journal_written, error))
        return FALSE;
      result->snapshot_created = g_strdup (journal->revision);
      prune_after (self, dir, FALSE, warnings);
    }
  g_ptr_array_add (warnings, NULL);
  result->warnings = (GStrv) g_ptr_array_steal (warnings, NULL);
  if (out_result != NULL)
    *out_result = g_steal_pointer (&result);
  return TRUE;
}

gboolean
arw_store_rollback (ArwStore *self, const char *bundle_id, const char *revision, gboolean dry_run,
                    ArwStoreRollbackResult **out_result, GError **error)
{
  g_autofree char *dir = NULL;
  arw_autofd lock_fd = -1;

  g_return_val_if_fail (ARW_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_result == NULL || *out_result == NULL, FALSE);

  if (!check_bundle_id (bundle_id, &dir, error))
    return FALSE;
  lock_fd = lock_acquire (self, self->lock_timeout_ms, NULL, error);
  if (lock_fd < 0 || !recover_locked (self, error))
    return FALSE;
  return rollback_locked (self, bundle_id, dir, revision, dry_run, out_result, error);
}

/* ---- remove ---- */

gboolean
arw_store_remove (ArwStore *self, const char *bundle_id, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *trash = NULL;
  g_autofree char *path = NULL;
  arw_autofd lock_fd = -1;
  arw_autofd staging_fd = -1;

  g_return_val_if_fail (ARW_IS_STORE (self), FALSE);

  if (!check_bundle_id (bundle_id, &dir, error))
    return FALSE;
  lock_fd = lock_acquire (self, self->lock_timeout_ms, NULL, error);
  if (lock_fd < 0 || !recover_locked (self, error))
    return FALSE;
  if (!arw_fs_is_dir_at (self->root_fd, dir))
    {
      path = g_build_filename (self->root, dir, NULL);
      g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND, "bundle %s is not installed at %s",
                   bundle_id, path);
      return FALSE;
    }
  staging_fd = arw_fs_open_dir_at (self->root_fd, ARW_STORE_STAGING_DIR, TRUE, error);
  if (staging_fd < 0)
    return FALSE;
  trash = g_strdup_printf ("remove-%s", dir);
  /* Readers see the bundle either whole or gone; a crash before the delete
   * leaves only staging, which the next start clears. */
  return arw_fs_rm_rf_at (staging_fd, trash, error) &&
         arw_fs_rename_at (self->root_fd, dir, staging_fd, trash, TRUE, error) &&
         arw_fs_fsync_fd (self->root_fd, "bundle root", error) &&
         arw_fs_rm_rf_at (staging_fd, trash, error);
}

/* ---- JSON shapes ---- */

JsonNode *
arw_store_history_to_json (const char *bundle_id, GPtrArray *revisions)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (bundle_id != NULL && revisions != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bundle");
  json_builder_add_string_value (b, bundle_id);
  json_builder_set_member_name (b, "history");
  json_builder_begin_array (b);
  for (guint i = 0; i < revisions->len; i++)
    {
      ArwStoreRevision *rev = g_ptr_array_index (revisions, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "revision");
      json_builder_add_string_value (b, rev->name);
      json_builder_set_member_name (b, "saved_at");
      json_builder_add_string_value (b, rev->saved_at);
      json_builder_set_member_name (b, "kind");
      if (rev->kind != NULL)
        json_builder_add_string_value (b, rev->kind);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, rev->path);
      json_builder_set_member_name (b, "summary");
      if (rev->summary != NULL)
        json_builder_add_value (b, json_node_copy (rev->summary));
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
add_strv (JsonBuilder *b, const char *member, GStrv values)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
}

JsonNode *
arw_store_rollback_result_to_json (const ArwStoreRollbackResult *result)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (result != NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "bundle");
  json_builder_add_string_value (b, result->bundle);
  if (result->dry_run)
    {
      json_builder_set_member_name (b, "dry_run");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "revision");
      json_builder_add_string_value (b, result->restored_revision);
    }
  else
    {
      json_builder_set_member_name (b, "restored_revision");
      json_builder_add_string_value (b, result->restored_revision);
      add_strv (b, "restored_components", result->restored_components);
      add_strv (b, "missing_components", result->missing_components);
      json_builder_set_member_name (b, "snapshot_created");
      if (result->snapshot_created != NULL)
        json_builder_add_string_value (b, result->snapshot_created);
      else
        json_builder_add_null_value (b);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
