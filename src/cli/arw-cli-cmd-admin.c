/* SPDX-License-Identifier: GPL-3.0-or-later */
/* admin token persist, admin lease request: runtime:manage for the
 * standard and strict postures (arw-formats.md §7.2). */
#include "config.h"

#include <glib/gi18n.h>

#include "arw-cli.h"
#include "arw-cli-helper.h"

static int
cmd_admin_token_persist (int argc, char **argv)
{
  gboolean print_token = FALSE;
  const GOptionEntry entries[] = {
    { "print-token", 0, 0, G_OPTION_ARG_NONE, &print_token, N_("Print the token (alone, on stdout)"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwClient) client = NULL;
  g_autofree char *token = NULL;
  g_autofree char *state_dir = NULL;

  if (!arw_cli_parse ("admin token persist", "", _("Create (or reuse) the admin token stored in the state dir"),
                      entries, &argc, &argv, 0, 0))
    return ARW_CLI_EXIT_USAGE;
  client = arw_cli_helper_connect (&error);
  if (client == NULL)
    return arw_cli_fail (error);
  token = arw_client_persist_admin_token_sync (client, NULL, &error);
  if (token == NULL)
    return arw_cli_helper_fail (error, NULL);
  if (print_token)
    {
      g_print ("%s\n", token);
      return ARW_CLI_EXIT_OK;
    }
  state_dir = arw_dbus_manager_dup_state_dir (arw_client_get_manager (client));
  g_print (_("Admin token stored by the helper under %s.\n"
             "Pass it with --admin-token or ARW_ADMIN_TOKEN; show it with --print-token.\n"),
           state_dir != NULL && *state_dir != '\0' ? state_dir : _("its state dir"));
  return ARW_CLI_EXIT_OK;
}

static int
cmd_admin_lease_request (int argc, char **argv)
{
  ArwCliJsonOptions json = { FALSE, FALSE };
  g_autofree char *capability = NULL;
  g_autofree char *token = NULL;
  int ttl = 3600;
  const GOptionEntry entries[] = {
    { "lease-cap", 0, 0, G_OPTION_ARG_STRING, &capability, N_("Capability to lease (runtime:manage)"), "CAP" },
    { "ttl-secs", 0, 0, G_OPTION_ARG_INT, &ttl, N_("Lifetime in seconds (default 3600, at most 86400)"), "N" },
    { "admin-token", 0, 0, G_OPTION_ARG_STRING, &token, N_("Admin token (else ARW_ADMIN_TOKEN)"), "T" },
    ARW_CLI_JSON_OPTION_ENTRIES (json),
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwClient) client = NULL;
  g_autoptr(JsonNode) lease = NULL;
  g_autofree char *env_token = NULL;
  JsonObject *o;

  if (!arw_cli_parse ("admin lease request", "", _("Lease a capability (needs the admin token)"),
                      entries, &argc, &argv, 0, 0) ||
      !arw_cli_check_json_options ("admin lease request", &json))
    return ARW_CLI_EXIT_USAGE;
  if (capability == NULL || *capability == '\0')
    return arw_cli_usage_error ("admin lease request", _("--lease-cap is required (e.g. runtime:manage)"));
  if (ttl < 1 || ttl > 86400)
    return arw_cli_usage_error ("admin lease request", _("--ttl-secs must be between 1 and 86400"));
  /* ARW: a blank token is ignored. */
  if (token != NULL && *g_strstrip (token) == '\0')
    g_clear_pointer (&token, g_free);
  if (token == NULL && g_getenv ("ARW_ADMIN_TOKEN") != NULL)
    {
      env_token = g_strstrip (g_strdup (g_getenv ("ARW_ADMIN_TOKEN")));
      if (*env_token != '\0')
        token = g_steal_pointer (&env_token);
    }
  if (token == NULL)
    return arw_cli_fail_message (_("an admin token is required: pass --admin-token or set ARW_ADMIN_TOKEN "
                                   "(“arw-runtime admin token persist --print-token” shows it)"));

  client = arw_cli_helper_connect (&error);
  if (client == NULL)
    return arw_cli_fail (error);
  lease = arw_client_request_lease_sync (client, capability, (guint) ttl, token, NULL, &error);
  if (lease == NULL)
    return arw_cli_helper_fail (error, NULL);
  if (json.json)
    {
      arw_cli_print_json (lease, json.pretty);
      return ARW_CLI_EXIT_OK;
    }
  o = JSON_NODE_HOLDS_OBJECT (lease) ? json_node_get_object (lease) : NULL;
  g_print (_("Lease %s granted: %s until %s.\n"),
           arw_cli_json_string (o, "id") != NULL ? arw_cli_json_string (o, "id") : "?",
           arw_cli_json_string (o, "capability") != NULL ? arw_cli_json_string (o, "capability") : capability,
           arw_cli_json_string (o, "ttl_until") != NULL ? arw_cli_json_string (o, "ttl_until") : "?");
  return ARW_CLI_EXIT_OK;
}

const ArwCliCommand arw_cli_admin_commands[] = {
  { "admin token persist", N_("Create or show the admin token"), cmd_admin_token_persist },
  { "admin lease request", N_("Lease runtime:manage for the standard/strict postures"), cmd_admin_lease_request },
  { NULL, NULL, NULL }
};
