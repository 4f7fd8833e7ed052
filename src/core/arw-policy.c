/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "arw-error.h"
#include "arw-policy.h"
#include "arw-runtime-status.h"
#include "arw-sha256.h"

#define TOKEN_BYTES 32
#define MAX_TOKEN_FILE 4096
#define MAX_LEASES_FILE (1024 * 1024)

struct _ArwPolicy {
  GObject parent_instance;

  ArwPosture posture;
  char *admin_dir;
  char *token_path;
  char *leases_path;
  ArwEventBus *bus;       /* nullable */
  GPtrArray *leases;      /* ArwLease, live and expired, as last read */
};

G_DEFINE_FINAL_TYPE (ArwPolicy, arw_policy, G_TYPE_OBJECT)

/* ---- posture -------------------------------------------------------- */

const char *
arw_posture_to_string (ArwPosture posture)
{
  switch (posture)
    {
    case ARW_POSTURE_RELAXED: return "relaxed";
    case ARW_POSTURE_STRICT: return "strict";
    case ARW_POSTURE_STANDARD:
    default: return "standard";
    }
}

gboolean
arw_posture_from_string (const char *text, ArwPosture *out_posture)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (out_posture != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  value = g_ascii_strdown (text, -1);
  g_strstrip (value);
  if (g_str_equal (value, "relaxed"))
    *out_posture = ARW_POSTURE_RELAXED;
  else if (g_str_equal (value, "standard"))
    *out_posture = ARW_POSTURE_STANDARD;
  else if (g_str_equal (value, "strict"))
    *out_posture = ARW_POSTURE_STRICT;
  else
    return FALSE;
  return TRUE;
}

static gboolean
env_set (const char *name)
{
  const char *value = g_getenv (name);
  return value != NULL && *value != '\0';
}

ArwPosture
arw_posture_from_env (void)
{
  const char *value = g_getenv ("ARW_SECURITY_POSTURE");
  ArwPosture posture;

  if (value != NULL && *value != '\0')
    {
      if (arw_posture_from_string (value, &posture))
        return posture;
      g_warning ("ignoring ARW_SECURITY_POSTURE=%s: expected relaxed, standard or strict; using standard", value);
      return ARW_POSTURE_STANDARD;
    }
  if (env_set ("XDG_CURRENT_DESKTOP") || env_set ("WAYLAND_DISPLAY") || env_set ("DISPLAY"))
    return ARW_POSTURE_RELAXED;
  return ARW_POSTURE_STANDARD;
}

/* ---- leases --------------------------------------------------------- */

void
arw_lease_free (ArwLease *lease)
{
  if (lease == NULL)
    return;
  g_free (lease->id);
  g_free (lease->capability);
  g_free (lease);
}

ArwLease *
arw_lease_copy (const ArwLease *lease)
{
  ArwLease *copy;

  g_return_val_if_fail (lease != NULL, NULL);

  copy = g_new0 (ArwLease, 1);
  copy->id = g_strdup (lease->id);
  copy->capability = g_strdup (lease->capability);
  copy->created_us = lease->created_us;
  copy->ttl_until_us = lease->ttl_until_us;
  return copy;
}

JsonNode *
arw_lease_to_json (const ArwLease *lease)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *created = NULL;
  g_autofree char *until = NULL;

  g_return_val_if_fail (lease != NULL, NULL);

  created = arw_runtime_status_format_time (lease->created_us, TRUE);
  until = arw_runtime_status_format_time (lease->ttl_until_us, TRUE);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "capability");
  json_builder_add_string_value (b, lease->capability);
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, created);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, lease->id);
  json_builder_set_member_name (b, "subject");
  json_builder_add_string_value (b, "local");
  json_builder_set_member_name (b, "ttl_until");
  json_builder_add_string_value (b, until);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static gboolean
parse_time (JsonObject *object, const char *member, gint64 *out_us)
{
  const char *text = json_object_get_string_member_with_default (object, member, NULL);
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL)
    return FALSE;
  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return FALSE;
  *out_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

static ArwLease *
lease_from_json (JsonNode *node)
{
  g_autoptr(ArwLease) lease = g_new0 (ArwLease, 1);
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  lease->id = g_strdup (json_object_get_string_member_with_default (object, "id", NULL));
  lease->capability = g_strdup (json_object_get_string_member_with_default (object, "capability", NULL));
  if (lease->id == NULL || lease->capability == NULL ||
      !parse_time (object, "created", &lease->created_us) ||
      !parse_time (object, "ttl_until", &lease->ttl_until_us))
    return NULL;
  return g_steal_pointer (&lease);
}

/* Missing file: no leases. A broken file is ignored with a warning (fail
 * closed: no lease is live). */
static void
load_leases (ArwPolicy *self)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  JsonNode *root;
  JsonNode *list;

  g_ptr_array_set_size (self->leases, 0);
  if (!g_file_get_contents (self->leases_path, &data, &len, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning ("cannot read leases %s: %s", self->leases_path, error->message);
      return;
    }
  if (len > MAX_LEASES_FILE || !json_parser_load_from_data (parser, data, (gssize) len, &error))
    {
      g_warning ("ignoring unreadable leases file %s", self->leases_path);
      return;
    }
  root = json_parser_get_root (parser);
  list = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
           ? json_object_get_member (json_node_get_object (root), "leases") : NULL;
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      ArwLease *lease = lease_from_json (json_array_get_element (json_node_get_array (list), i));
      if (lease != NULL)
        g_ptr_array_add (self->leases, lease);
    }
}

static gboolean
ensure_admin_dir (ArwPolicy *self, GError **error)
{
  if (g_mkdir_with_parents (self->admin_dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create %s: %s", self->admin_dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* Writes the live leases (expired ones are dropped) atomically, 0600. */
static gboolean
save_leases (ArwPolicy *self, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gint64 now = g_get_real_time ();

  if (!ensure_admin_dir (self, error))
    return FALSE;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "leases");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->leases->len; i++)
    {
      const ArwLease *lease = g_ptr_array_index (self->leases, i);
      if (lease->ttl_until_us > now)
        json_builder_add_value (b, arw_lease_to_json (lease));
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  return g_file_set_contents_full (self->leases_path, text, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                   0600, error);
}

/* ---- admin token ---------------------------------------------------- */

static char *
read_token_file (ArwPolicy *self)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (self->token_path, &data, &len, NULL) || len > MAX_TOKEN_FILE)
    return NULL;
  g_strstrip (data);
  if (*data == '\0')
    return NULL;
  return g_steal_pointer (&data);
}

char *
arw_policy_persist_admin_token (ArwPolicy *self, GError **error)
{
  guint8 raw[TOKEN_BYTES];
  char hex[TOKEN_BYTES * 2 + 1];
  g_autofree char *token = NULL;

  g_return_val_if_fail (ARW_IS_POLICY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  token = read_token_file (self);
  if (token != NULL)
    return g_steal_pointer (&token);
  if (!ensure_admin_dir (self, error))
    return NULL;
  randombytes_buf (raw, sizeof raw);
  arw_hex_encode (raw, sizeof raw, hex);
  hex[TOKEN_BYTES * 2] = '\0';
  token = g_strdup (hex);
  sodium_memzero (raw, sizeof raw);
  sodium_memzero (hex, sizeof hex);
  if (!g_file_set_contents_full (self->token_path, token, -1,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, error))
    {
      g_prefix_error (error, "cannot store the admin token: ");
      return NULL;
    }
  return g_steal_pointer (&token);
}

/* Constant time whatever the lengths: compares SHA-256 digests. */
static gboolean
token_equal (const char *a, const char *b)
{
  g_autofree char *ha = NULL;
  g_autofree char *hb = NULL;

  if (a == NULL || b == NULL || *a == '\0' || *b == '\0')
    return FALSE;
  ha = arw_sha256_hex (a, strlen (a));
  hb = arw_sha256_hex (b, strlen (b));
  return sodium_memcmp (ha, hb, strlen (ha)) == 0;
}

gboolean
arw_policy_check_admin_token (ArwPolicy *self, const char *token)
{
  g_autofree char *env = NULL;
  g_autofree char *stored = NULL;
  gboolean env_ok;
  gboolean file_ok;

  g_return_val_if_fail (ARW_IS_POLICY (self), FALSE);

  if (token == NULL)
    return FALSE;
  env = g_strstrip (g_strdup (g_getenv ("ARW_ADMIN_TOKEN") != NULL ? g_getenv ("ARW_ADMIN_TOKEN") : ""));
  stored = read_token_file (self);
  /* Both comparisons always run. */
  env_ok = token_equal (token, env);
  file_ok = token_equal (token, stored);
  return env_ok || file_ok;
}

/* ---- checks --------------------------------------------------------- */

ArwLease *
arw_policy_request_lease (ArwPolicy *self, const char *capability, guint ttl_secs,
                          const char *admin_token, GError **error)
{
  guint max = self->posture == ARW_POSTURE_STRICT ? ARW_LEASE_STRICT_MAX_TTL_SECS : ARW_LEASE_MAX_TTL_SECS;
  g_autoptr(ArwLease) lease = NULL;
  g_autofree char *uuid = NULL;

  g_return_val_if_fail (ARW_IS_POLICY (self), NULL);
  g_return_val_if_fail (capability != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!arw_policy_check_admin_token (self, admin_token))
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_PERMISSION_DENIED,
                           "admin token missing or wrong: pass --admin-token or set ARW_ADMIN_TOKEN "
                           "(create one with `arw-runtime admin token persist`)");
      return NULL;
    }
  if (ttl_secs == 0)
    ttl_secs = ARW_LEASE_DEFAULT_TTL_SECS;
  ttl_secs = CLAMP (ttl_secs, 1, max);
  uuid = g_uuid_string_random ();
  lease = g_new0 (ArwLease, 1);
  lease->id = g_steal_pointer (&uuid);
  lease->capability = g_strdup (capability);
  lease->created_us = g_get_real_time ();
  lease->ttl_until_us = lease->created_us + (gint64) ttl_secs * G_USEC_PER_SEC;
  load_leases (self);
  g_ptr_array_add (self->leases, arw_lease_copy (lease));
  if (!save_leases (self, error))
    return NULL;
  if (self->bus != NULL)
    arw_event_bus_publish_take (self->bus, "leases.created", arw_lease_to_json (lease));
  return g_steal_pointer (&lease);
}

gboolean
arw_policy_has_lease (ArwPolicy *self, const char *capability)
{
  gint64 now = g_get_real_time ();

  g_return_val_if_fail (ARW_IS_POLICY (self), FALSE);
  g_return_val_if_fail (capability != NULL, FALSE);

  load_leases (self);
  for (guint i = 0; i < self->leases->len; i++)
    {
      const ArwLease *lease = g_ptr_array_index (self->leases, i);
      if (g_str_equal (lease->capability, capability) && lease->created_us <= now + G_USEC_PER_SEC &&
          lease->ttl_until_us > now)
        return TRUE;
    }
  return FALSE;
}

JsonNode *
arw_policy_leases_to_json (ArwPolicy *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  gint64 now = g_get_real_time ();

  g_return_val_if_fail (ARW_IS_POLICY (self), NULL);

  load_leases (self);
  json_builder_begin_array (b);
  for (guint i = 0; i < self->leases->len; i++)
    {
      const ArwLease *lease = g_ptr_array_index (self->leases, i);
      if (lease->ttl_until_us > now)
        json_builder_add_value (b, arw_lease_to_json (lease));
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

void
arw_policy_publish_denial (ArwPolicy *self, const char *action, const char *require_capability,
                           const char *explain)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_if_fail (ARW_IS_POLICY (self));
  g_return_if_fail (action != NULL);

  if (self->bus == NULL)
    return;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "action");
  json_builder_add_string_value (b, action);
  json_builder_set_member_name (b, "allow");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "explain");
  json_builder_add_string_value (b, explain);
  json_builder_set_member_name (b, "posture");
  json_builder_add_string_value (b, arw_posture_to_string (self->posture));
  if (require_capability != NULL)
    {
      json_builder_set_member_name (b, "require_capability");
      json_builder_add_string_value (b, require_capability);
    }
  json_builder_end_object (b);
  arw_event_bus_publish_take (self->bus, "policy.decision", json_builder_get_root (b));
}

gboolean
arw_policy_check_caller (ArwPolicy *self, const char *action, gboolean caller_is_sandboxed,
                         gboolean caller_is_our_app, GError **error)
{
  g_return_val_if_fail (ARW_IS_POLICY (self), FALSE);
  g_return_val_if_fail (action != NULL, FALSE);

  if (!caller_is_sandboxed || caller_is_our_app)
    return TRUE;
  arw_policy_publish_denial (self, action, NULL,
                             "sandboxed callers other than " ARW_POLICY_OUR_APP_ID " may not manage runtimes");
  g_set_error (error, ARW_ERROR, ARW_ERROR_PERMISSION_DENIED,
               "denied by policy: sandboxed applications may not call %s", action);
  return FALSE;
}

gboolean
arw_policy_check_manage (ArwPolicy *self, const char *action, gboolean caller_is_sandboxed,
                         gboolean caller_is_our_app, GError **error)
{
  g_return_val_if_fail (ARW_IS_POLICY (self), FALSE);
  g_return_val_if_fail (action != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!arw_policy_check_caller (self, action, caller_is_sandboxed, caller_is_our_app, error))
    return FALSE;
  if (self->posture == ARW_POSTURE_RELAXED || arw_policy_has_lease (self, ARW_CAPABILITY_RUNTIME_MANAGE))
    return TRUE;
  arw_policy_publish_denial (self, action, ARW_CAPABILITY_RUNTIME_MANAGE,
                             "posture requires a live runtime:manage lease for runtime.* actions");
  g_set_error_literal (error, ARW_ERROR, ARW_ERROR_PERMISSION_DENIED,
                       "runtime:manage lease required: request one with "
                       "`arw-runtime admin lease request --lease-cap runtime:manage`");
  return FALSE;
}

/* ---- GObject -------------------------------------------------------- */

static void
arw_policy_finalize (GObject *object)
{
  ArwPolicy *self = ARW_POLICY (object);

  g_free (self->admin_dir);
  g_free (self->token_path);
  g_free (self->leases_path);
  g_clear_object (&self->bus);
  g_clear_pointer (&self->leases, g_ptr_array_unref);

  G_OBJECT_CLASS (arw_policy_parent_class)->finalize (object);
}

static void
arw_policy_class_init (ArwPolicyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = arw_policy_finalize;
}

static void
arw_policy_init (ArwPolicy *self)
{
  self->leases = g_ptr_array_new_with_free_func ((GDestroyNotify) arw_lease_free);
}

ArwPolicy *
arw_policy_new (const char *state_dir, ArwPosture posture, ArwEventBus *bus)
{
  ArwPolicy *self;

  g_return_val_if_fail (state_dir != NULL, NULL);
  g_return_val_if_fail (bus == NULL || ARW_IS_EVENT_BUS (bus), NULL);

  if (sodium_init () < 0)
    g_warning ("libsodium failed to initialise");
  self = g_object_new (ARW_TYPE_POLICY, NULL);
  self->posture = posture;
  self->admin_dir = g_build_filename (state_dir, "admin", NULL);
  self->token_path = g_build_filename (self->admin_dir, "token", NULL);
  self->leases_path = g_build_filename (self->admin_dir, "leases.json", NULL);
  self->bus = bus != NULL ? g_object_ref (bus) : NULL;
  return self;
}

ArwPosture
arw_policy_get_posture (ArwPolicy *self)
{
  g_return_val_if_fail (ARW_IS_POLICY (self), ARW_POSTURE_STANDARD);
  return self->posture;
}

const char *
arw_policy_get_admin_dir (ArwPolicy *self)
{
  g_return_val_if_fail (ARW_IS_POLICY (self), NULL);
  return self->admin_dir;
}
