/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "arw-cli.h"
#include "arw-error.h"
#include "arw-json-writer.h"

static const ArwCliCommand *const command_groups[] = {
  arw_cli_bundles_commands,
  arw_cli_store_commands,
  arw_cli_manifest_commands,
  arw_cli_keys_commands,
  /* helper clients (helper L) */
  arw_cli_runtime_commands,
  arw_cli_events_commands,
  arw_cli_consent_commands,
  arw_cli_admin_commands,
};

gboolean
arw_cli_use_color (void)
{
  static int use = -1;

  if (use < 0)
    use = isatty (STDOUT_FILENO) && g_getenv ("NO_COLOR") == NULL &&
          g_strcmp0 (g_getenv ("TERM"), "dumb") != 0;
  return use;
}

const char *
arw_cli_color (const char *name)
{
  static const struct { const char *name; const char *seq; } colors[] = {
    { "bold", "\033[1m" }, { "green", "\033[32m" }, { "yellow", "\033[33m" },
    { "red", "\033[31m" }, { "dim", "\033[2m" }, { "reset", "\033[0m" },
  };

  if (!arw_cli_use_color ())
    return "";
  for (guint i = 0; i < G_N_ELEMENTS (colors); i++)
    if (g_str_equal (colors[i].name, name))
      return colors[i].seq;
  return "";
}

int
arw_cli_usage_error (const char *command_path, const char *format, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_printerr ("%s: %s\n", _("error"), msg);
  g_printerr (_("Run “arw-runtime %s --help” for usage.\n"), command_path);
  return ARW_CLI_EXIT_USAGE;
}

int
arw_cli_fail_message (const char *format, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_printerr ("%s: %s\n", _("error"), msg);
  return ARW_CLI_EXIT_FAILURE;
}

int
arw_cli_fail (const GError *error)
{
  return arw_cli_fail_message ("%s", error->message);
}

void
arw_cli_warn (const char *format, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_printerr ("%s: %s\n", _("warning"), msg);
}

void
arw_cli_print_json (JsonNode *node, gboolean pretty)
{
  g_autofree char *text = arw_json_to_string (node, pretty);

  g_print ("%s\n", text);
}

gboolean
arw_cli_parse (const char *command_path,
               const char *parameter_string,
               const char *summary,
               const GOptionEntry *entries,
               int *argc,
               char ***argv,
               int min_args,
               int max_args)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new (parameter_string);
  g_autoptr(GError) error = NULL;
  int n_args;

  g_option_context_set_summary (ctx, summary);
  g_option_context_set_translation_domain (ctx, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      arw_cli_usage_error (command_path, "%s", error->message);
      return FALSE;
    }
  n_args = *argc - 1;
  if (n_args < min_args)
    {
      arw_cli_usage_error (command_path, _("missing argument: %s"), parameter_string);
      return FALSE;
    }
  if (max_args >= 0 && n_args > max_args)
    {
      arw_cli_usage_error (command_path, _("unexpected argument “%s”"), (*argv)[1 + max_args]);
      return FALSE;
    }
  return TRUE;
}

gboolean
arw_cli_check_json_options (const char *command_path, const ArwCliJsonOptions *opts)
{
  if (opts->pretty && !opts->json)
    {
      arw_cli_usage_error (command_path, _("--pretty needs --json"));
      return FALSE;
    }
  return TRUE;
}

static void
print_help (void)
{
  g_print (_("Usage: arw-runtime COMMAND [OPTIONS…]\n\n"
             "Install, verify and inspect ARW runtime bundles.\n\n"
             "Commands:\n"));
  for (guint g = 0; g < G_N_ELEMENTS (command_groups); g++)
    for (const ArwCliCommand *c = command_groups[g]; c->path != NULL; c++)
      g_print ("  %-28s %s\n", c->path, _(c->summary));
  g_print (_("\nOptions:\n  --help      Show this help\n  --version   Show the version\n\n"
             "Exit status: 0 success, 1 failure, 2 usage error.\n"));
}

/* Number of leading words of argv[1..] that spell @path, or 0. */
static int
match_command (const char *path, int argc, char **argv)
{
  g_auto(GStrv) words = g_strsplit (path, " ", -1);
  int n = g_strv_length (words);

  if (argc - 1 < n)
    return 0;
  for (int i = 0; i < n; i++)
    if (g_strcmp0 (argv[1 + i], words[i]) != 0)
      return 0;
  return n;
}

static const ArwCliCommand *
find_command (int argc, char **argv, int *n_words)
{
  const ArwCliCommand *best = NULL;

  *n_words = 0;
  for (guint g = 0; g < G_N_ELEMENTS (command_groups); g++)
    for (const ArwCliCommand *c = command_groups[g]; c->path != NULL; c++)
      {
        int n = match_command (c->path, argc, argv);
        if (n > *n_words)
          {
            *n_words = n;
            best = c;
          }
      }
  return best;
}

int
arw_cli_run (int argc, char **argv)
{
  const ArwCliCommand *cmd;
  int n_words = 0;
  g_autofree char *prog = NULL;
  g_autoptr(GPtrArray) sub_argv = g_ptr_array_new_with_free_func (g_free);

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_help ();
      return argc < 2 ? ARW_CLI_EXIT_USAGE : ARW_CLI_EXIT_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("arw-runtime %s\n", PACKAGE_VERSION);
      return ARW_CLI_EXIT_OK;
    }

  cmd = find_command (argc, argv, &n_words);
  if (cmd == NULL)
    {
      g_printerr (_("error: unknown command “%s”\n"), argv[1]);
      g_printerr (_("Run “arw-runtime --help” for the list of commands.\n"));
      return ARW_CLI_EXIT_USAGE;
    }

  /* argv[0] becomes "arw-runtime <path>" so GOption's help shows it. */
  prog = g_strdup_printf ("arw-runtime %s", cmd->path);
  g_set_prgname (prog);
  g_ptr_array_add (sub_argv, g_strdup (prog));
  for (int i = 1 + n_words; i < argc; i++)
    g_ptr_array_add (sub_argv, g_strdup (argv[i]));
  g_ptr_array_add (sub_argv, NULL);
  {
    /* GOption drops parsed options from the vector without freeing them:
     * free the strings through a shallow copy taken before. */
    int sub_argc = sub_argv->len - 1;
    g_autofree char **owned = g_memdup2 (sub_argv->pdata, sub_argv->len * sizeof (char *));
    g_autofree char **sub = (char **) g_ptr_array_steal (sub_argv, NULL);
    int rc = cmd->func (sub_argc, sub);
    for (int i = 0; owned[i] != NULL; i++)
      g_free (owned[i]);
    return rc;
  }
}
