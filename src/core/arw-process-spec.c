/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "arw-error.h"
#include "arw-process-spec.h"

G_DEFINE_BOXED_TYPE (ArwProcessSpec, arw_process_spec, arw_process_spec_copy, arw_process_spec_free)

static void
health_spec_free (ArwHealthSpec *health)
{
  if (health == NULL)
    return;
  g_free (health->url);
  g_free (health->method);
  g_free (health->expect_body);
  g_free (health);
}

static ArwHealthSpec *
health_spec_copy (const ArwHealthSpec *health)
{
  ArwHealthSpec *copy;

  if (health == NULL)
    return NULL;
  copy = g_memdup2 (health, sizeof *health);
  copy->url = g_strdup (health->url);
  copy->method = g_strdup (health->method);
  copy->expect_body = g_strdup (health->expect_body);
  return copy;
}

void
arw_process_spec_free (ArwProcessSpec *self)
{
  if (self == NULL)
    return;
  g_free (self->command);
  g_strfreev (self->args);
  g_strfreev (self->env);
  g_free (self->workdir);
  health_spec_free (self->health);
  g_free (self);
}

ArwProcessSpec *
arw_process_spec_copy (const ArwProcessSpec *self)
{
  ArwProcessSpec *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (ArwProcessSpec, 1);
  copy->command = g_strdup (self->command);
  copy->args = g_strdupv (self->args);
  copy->env = g_strdupv (self->env);
  copy->workdir = g_strdup (self->workdir);
  copy->health = health_spec_copy (self->health);
  return copy;
}

/* The string value of member name, or NULL when absent or not a string. */
static const char *
member_string (JsonObject *object, const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Reads an unsigned integer member into out; absent leaves out alone.
 * Present but not an integer in [min, max] is an error. */
static gboolean
member_uint (JsonObject *object, const char *name, guint64 min, guint64 max,
             guint *out, GError **error)
{
  JsonNode *node = json_object_get_member (object, name);
  gint64 value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "metadata.process.health.%s must be an integer", name);
      return FALSE;
    }
  value = json_node_get_int (node);
  if (value < 0 || (guint64) value < min || (guint64) value > max)
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "metadata.process.health.%s is out of range (%" G_GUINT64_FORMAT "–%" G_GUINT64_FORMAT ")",
                   name, min, max);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

static ArwHealthSpec *
health_spec_new (const char *url)
{
  ArwHealthSpec *health = g_new0 (ArwHealthSpec, 1);

  health->url = g_strdup (url);
  health->method = g_strdup ("GET");
  health->expect_status = 200;
  health->timeout_ms = ARW_HEALTH_DEFAULT_TIMEOUT_MS;
  return health;
}

/* health {url, method, expect_status, expect_body, timeout_ms,
 * startup_timeout_ms}. Without a url there is no probe (ARW requires it). */
static gboolean
parse_health (JsonObject *process, ArwHealthSpec **out, GError **error)
{
  JsonNode *node = json_object_get_member (process, "health");
  const char *probe = member_string (process, "health_probe");
  g_autoptr(GError) local_error = NULL;
  ArwHealthSpec *health;
  JsonObject *object;
  const char *method;
  const char *url;

  *out = NULL;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      if (probe != NULL && *probe != '\0')
        *out = health_spec_new (probe);
      return TRUE;
    }
  object = json_node_get_object (node);
  url = member_string (object, "url");
  if (url == NULL || *url == '\0')
    {
      if (probe != NULL && *probe != '\0')
        *out = health_spec_new (probe);
      return TRUE;
    }
  health = health_spec_new (url);
  method = member_string (object, "method");
  if (method != NULL)
    {
      g_free (health->method);
      health->method = g_strdup (method);
    }
  health->expect_body = g_strdup (member_string (object, "expect_body"));
  if (!member_uint (object, "expect_status", 100, 999, &health->expect_status, &local_error) ||
      !member_uint (object, "timeout_ms", 1, G_MAXUINT, &health->timeout_ms, &local_error) ||
      !member_uint (object, "startup_timeout_ms", 0, G_MAXUINT, &health->startup_timeout_ms, &local_error))
    {
      health_spec_free (health);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  *out = health;
  return TRUE;
}

static GStrv
parse_args (JsonObject *process)
{
  JsonNode *node = json_object_get_member (process, "args");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (item));
        }
    }
  return g_strv_builder_end (builder);
}

static GStrv
parse_env (JsonObject *process)
{
  JsonNode *node = json_object_get_member (process, "env");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *env = json_node_get_object (node);
      g_autoptr(GList) names = json_object_get_members (env);
      for (GList *l = names; l != NULL; l = l->next)
        {
          const char *name = l->data;
          const char *value = member_string (env, name);
          if (value == NULL)
            continue;
          if (*name == '\0' || strchr (name, '=') != NULL)
            {
              g_warning ("dropping invalid environment variable name '%s' in metadata.process.env", name);
              continue;
            }
          {
            g_autofree char *entry = g_strconcat (name, "=", value, NULL);
            g_strv_builder_add (builder, entry);
          }
        }
    }
  return g_strv_builder_end (builder);
}

ArwProcessSpec *
arw_process_spec_new_from_json (JsonNode *process, GError **error)
{
  g_autoptr(ArwProcessSpec) self = NULL;
  JsonObject *object;
  const char *command;

  g_return_val_if_fail (process != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (process))
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                           "metadata.process must be a JSON object");
      return NULL;
    }
  object = json_node_get_object (process);
  command = member_string (object, "command");
  if (command == NULL || *command == '\0')
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                           "metadata.process has no command: add a \"command\" string to launch the runtime");
      return NULL;
    }
  self = g_new0 (ArwProcessSpec, 1);
  self->command = g_strdup (command);
  self->args = parse_args (object);
  self->env = parse_env (object);
  self->workdir = g_strdup (member_string (object, "workdir"));
  if (!parse_health (object, &self->health, error))
    return NULL;
  return g_steal_pointer (&self);
}

ArwProcessSpec *
arw_process_spec_new_from_bundle (JsonNode *bundle, GError **error)
{
  JsonObject *object;
  JsonNode *metadata;
  JsonNode *process;

  g_return_val_if_fail (bundle != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (bundle))
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_INVALID_DATA, "bundle must be a JSON object");
      return NULL;
    }
  object = json_node_get_object (bundle);
  metadata = json_object_get_member (object, "metadata");
  process = metadata != NULL && JSON_NODE_HOLDS_OBJECT (metadata)
              ? json_object_get_member (json_node_get_object (metadata), "process")
              : NULL;
  if (process == NULL || JSON_NODE_HOLDS_NULL (process))
    {
      g_set_error_literal (error, ARW_ERROR, ARW_ERROR_NOT_FOUND,
                           "bundle has no metadata.process: it cannot be launched");
      return NULL;
    }
  return arw_process_spec_new_from_json (process, error);
}

static gboolean
string_uses_port (const char *text)
{
  return text != NULL && strstr (text, "{{PORT}}") != NULL;
}

gboolean
arw_process_spec_uses_port (const ArwProcessSpec *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (string_uses_port (self->command) || string_uses_port (self->workdir))
    return TRUE;
  for (guint i = 0; self->args[i] != NULL; i++)
    if (string_uses_port (self->args[i]))
      return TRUE;
  for (guint i = 0; self->env[i] != NULL; i++)
    if (string_uses_port (self->env[i]))
      return TRUE;
  return self->health != NULL &&
         (string_uses_port (self->health->url) || string_uses_port (self->health->expect_body));
}

/* The value for placeholder name, or NULL when it has none. port_buf holds
 * the decimal port. */
static const char *
placeholder_value (const char *name, const ArwPlaceholders *values, char port_buf[16])
{
  if (g_str_equal (name, "STATE_DIR"))
    return values->state_dir;
  if (g_str_equal (name, "BUNDLE_DIR"))
    return values->bundle_dir;
  if (g_str_equal (name, "PORT"))
    {
      if (values->port == 0)
        return NULL;
      g_snprintf (port_buf, 16, "%u", values->port);
      return port_buf;
    }
  return NULL;
}

char *
arw_process_spec_expand_string (const char *text, const ArwPlaceholders *values, GError **error)
{
  g_autoptr(GString) out = NULL;
  const char *p;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (values != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  out = g_string_sized_new (strlen (text) + 32);
  p = text;
  for (const char *open = strstr (p, "{{"); open != NULL; open = strstr (p, "{{"))
    {
      const char *close = strstr (open + 2, "}}");
      g_autofree char *name = NULL;
      const char *value;
      char port_buf[16];

      if (close == NULL)
        break;
      name = g_strndup (open + 2, close - open - 2);
      value = placeholder_value (name, values, port_buf);
      if (value == NULL)
        {
          g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                       "cannot expand placeholder {{%s}} in \"%s\": it is unknown or has no value here",
                       name, text);
          return NULL;
        }
      g_string_append_len (out, p, open - p);
      g_string_append (out, value);
      p = close + 2;
    }
  g_string_append (out, p);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
expand_in_place (char **field, const ArwPlaceholders *values, GError **error)
{
  char *expanded;

  if (*field == NULL)
    return TRUE;
  expanded = arw_process_spec_expand_string (*field, values, error);
  if (expanded == NULL)
    return FALSE;
  g_free (*field);
  *field = expanded;
  return TRUE;
}

ArwProcessSpec *
arw_process_spec_expand (const ArwProcessSpec *self, const ArwPlaceholders *values, GError **error)
{
  g_autoptr(ArwProcessSpec) copy = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (values != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  copy = arw_process_spec_copy (self);
  if (!expand_in_place (&copy->command, values, error) ||
      !expand_in_place (&copy->workdir, values, error))
    return NULL;
  for (guint i = 0; copy->args[i] != NULL; i++)
    if (!expand_in_place (&copy->args[i], values, error))
      return NULL;
  for (guint i = 0; copy->env[i] != NULL; i++)
    if (!expand_in_place (&copy->env[i], values, error))
      return NULL;
  if (copy->health != NULL &&
      (!expand_in_place (&copy->health->url, values, error) ||
       !expand_in_place (&copy->health->expect_body, values, error)))
    return NULL;
  return g_steal_pointer (&copy);
}

static gboolean
has_dotdot (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    if (g_str_equal (parts[i], ".."))
      return TRUE;
  return FALSE;
}

static gboolean
is_executable_file (const char *path)
{
  return g_file_test (path, G_FILE_TEST_IS_REGULAR) && g_file_test (path, G_FILE_TEST_IS_EXECUTABLE);
}

char *
arw_process_spec_resolve_command (const ArwProcessSpec *self, const char *bundle_dir, GError **error)
{
  const char *command;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  command = self->command;
  if (g_path_is_absolute (command))
    {
      if (is_executable_file (command))
        return g_strdup (command);
      g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND,
                   "runtime command %s is not an executable file", command);
      return NULL;
    }
  if (has_dotdot (command))
    {
      g_set_error (error, ARW_ERROR, ARW_ERROR_INVALID_DATA,
                   "runtime command %s must not contain '..'", command);
      return NULL;
    }
  if (bundle_dir != NULL)
    {
      g_autofree char *candidate = g_build_filename (bundle_dir, "payload", command, NULL);
      if (is_executable_file (candidate))
        return g_steal_pointer (&candidate);
    }
  if (strchr (command, '/') == NULL)
    {
      g_autofree char *found = g_find_program_in_path (command);
      if (found != NULL && g_path_is_absolute (found))
        return g_steal_pointer (&found);
    }
  g_set_error (error, ARW_ERROR, ARW_ERROR_NOT_FOUND,
               "runtime command %s was not found in the bundle payload%s: install or import the bundle again",
               command, strchr (command, '/') == NULL ? " or PATH" : "");
  return NULL;
}

const char *
arw_health_spec_get_method (const ArwHealthSpec *health)
{
  const char *method;

  g_return_val_if_fail (health != NULL, "GET");

  method = health->method;
  if (method == NULL || *method == '\0')
    return "GET";
  /* RFC 9110 token characters. */
  for (const char *c = method; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && strchr ("!#$%&'*+-.^_`|~", *c) == NULL)
      return "GET";
  return method;
}
