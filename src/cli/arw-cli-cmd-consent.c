/* SPDX-License-Identifier: GPL-3.0-or-later */
/* consent grant|revoke|list: the helper's consent ledger. */
#include "config.h"

#include <glib/gi18n.h>

#include "arw-cli.h"
#include "arw-cli-helper.h"

static const char *const known_modalities[] = { "text", "audio", "vision", NULL };

static int
check_modalities (const char *path, char **modalities)
{
  for (guint i = 0; modalities != NULL && modalities[i] != NULL; i++)
    if (!g_strv_contains (known_modalities, modalities[i]))
      return arw_cli_usage_error (path, _("unknown modality “%s” (expected text, audio or vision)"),
                                  modalities[i]);
  return ARW_CLI_EXIT_OK;
}

static int
cmd_consent_grant (int argc, char **argv)
{
  g_auto(GStrv) modalities = NULL;
  gboolean once = FALSE;
  const GOptionEntry entries[] = {
    { "modality", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &modalities, N_("Consent for this modality (repeatable): audio, vision, text"), "M" },
    { "once", 0, 0, G_OPTION_ARG_NONE, &once, N_("Only until the helper exits (not written to the ledger)"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwClient) client = NULL;
  g_autofree char *joined = NULL;

  if (!arw_cli_parse ("consent grant", "ID", _("Allow a runtime to use audio or vision"),
                      entries, &argc, &argv, 1, 1))
    return ARW_CLI_EXIT_USAGE;
  if (modalities == NULL || modalities[0] == NULL)
    return arw_cli_usage_error ("consent grant", _("name at least one --modality"));
  if (check_modalities ("consent grant", modalities) != ARW_CLI_EXIT_OK)
    return ARW_CLI_EXIT_USAGE;
  client = arw_cli_helper_connect (&error);
  if (client == NULL)
    return arw_cli_fail (error);
  if (!arw_client_grant_consent_sync (client, argv[1], (const char *const *) modalities,
                                      once ? "once" : "always", NULL, &error))
    return arw_cli_helper_fail (error, argv[1]);
  joined = g_strjoinv (", ", modalities);
  g_print (_("Consent granted for %s: %s (%s).\n"), argv[1], joined,
           once ? _("until the helper exits") : _("recorded in the ledger"));
  return ARW_CLI_EXIT_OK;
}

static int
cmd_consent_revoke (int argc, char **argv)
{
  g_auto(GStrv) modalities = NULL;
  const GOptionEntry entries[] = {
    { "modality", 'm', 0, G_OPTION_ARG_STRING_ARRAY, &modalities, N_("Revoke this modality (repeatable); none revokes all"), "M" },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwClient) client = NULL;
  g_autofree char *joined = NULL;

  if (!arw_cli_parse ("consent revoke", "ID", _("Withdraw consent; a running runtime that needs it stops"),
                      entries, &argc, &argv, 1, 1))
    return ARW_CLI_EXIT_USAGE;
  if (check_modalities ("consent revoke", modalities) != ARW_CLI_EXIT_OK)
    return ARW_CLI_EXIT_USAGE;
  client = arw_cli_helper_connect (&error);
  if (client == NULL)
    return arw_cli_fail (error);
  if (!arw_client_revoke_consent_sync (client, argv[1], (const char *const *) modalities, NULL, &error))
    return arw_cli_helper_fail (error, argv[1]);
  joined = modalities != NULL ? g_strjoinv (", ", modalities) : g_strdup (_("all modalities"));
  g_print (_("Consent revoked for %s: %s.\n"), argv[1], joined);
  return ARW_CLI_EXIT_OK;
}

static char *
join_string_array (JsonArray *array)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *n = json_array_get_element (array, i);
      if (JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
        g_string_append_printf (out, "%s%s", out->len > 0 ? ", " : "", json_node_get_string (n));
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
print_consents_text (JsonNode *node)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonArray *grants = arw_cli_json_array (o, "grants");
  JsonNode *tampered = o != NULL ? json_object_get_member (o, "tampered") : NULL;
  const char *warning = arw_cli_json_string (o, "warning");

  if (tampered != NULL && JSON_NODE_HOLDS_VALUE (tampered) && json_node_get_boolean (tampered))
    arw_cli_warn (_("the consent ledger failed verification, so no consent is in force: %s"),
                  warning != NULL ? warning : _("no details"));
  else if (warning != NULL)
    arw_cli_warn ("%s", warning);
  if (grants == NULL || json_array_get_length (grants) == 0)
    {
      g_print (_("No consent granted.\n"));
      return;
    }
  g_print (_("Consent granted:\n"));
  for (guint i = 0; i < json_array_get_length (grants); i++)
    {
      JsonNode *n = json_array_get_element (grants, i);
      JsonObject *g;
      const char *id, *scope, *when;
      g_autofree char *mods = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        continue;
      g = json_node_get_object (n);
      id = arw_cli_json_string (g, "bundle_id");
      if (id == NULL)
        id = arw_cli_json_string (g, "bundle");
      if (id == NULL)
        id = arw_cli_json_string (g, "id");
      scope = arw_cli_json_string (g, "scope");
      when = arw_cli_json_string (g, "granted_at");
      if (when == NULL)
        when = arw_cli_json_string (g, "time");
      mods = join_string_array (arw_cli_json_array (g, "modalities"));
      if (*mods == '\0' && arw_cli_json_string (g, "modality") != NULL)
        {
          g_free (mods);
          mods = g_strdup (arw_cli_json_string (g, "modality"));
        }
      g_print ("- %s: %s", id != NULL ? id : "?", *mods != '\0' ? mods : _("(none)"));
      if (scope != NULL)
        g_print (" (%s)", scope);
      if (when != NULL)
        g_print (_(" since %s"), when);
      g_print ("\n");
    }
}

static int
cmd_consent_list (int argc, char **argv)
{
  ArwCliJsonOptions json = { FALSE, FALSE };
  const GOptionEntry entries[] = { ARW_CLI_JSON_OPTION_ENTRIES (json), { NULL } };
  g_autoptr(GError) error = NULL;
  g_autoptr(ArwClient) client = NULL;
  g_autoptr(JsonNode) consents = NULL;

  if (!arw_cli_parse ("consent list", "", _("Show the consent in force"), entries, &argc, &argv, 0, 0) ||
      !arw_cli_check_json_options ("consent list", &json))
    return ARW_CLI_EXIT_USAGE;
  client = arw_cli_helper_connect (&error);
  if (client == NULL)
    return arw_cli_fail (error);
  consents = arw_client_list_consents_sync (client, NULL, &error);
  if (consents == NULL)
    return arw_cli_helper_fail (error, NULL);
  if (json.json)
    arw_cli_print_json (consents, json.pretty);
  else
    print_consents_text (consents);
  return ARW_CLI_EXIT_OK;
}

const ArwCliCommand arw_cli_consent_commands[] = {
  { "consent grant", N_("Allow a runtime to use audio/vision"), cmd_consent_grant },
  { "consent revoke", N_("Withdraw consent (stops a runtime that needs it)"), cmd_consent_revoke },
  { "consent list", N_("Show the consent in force"), cmd_consent_list },
  { NULL, NULL, NULL }
};
