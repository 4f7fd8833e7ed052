/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Exit codes: 0 ok, 1 the command failed, 2 usage error (as ARW's clap). */
enum {
  ARW_CLI_EXIT_OK = 0,
  ARW_CLI_EXIT_FAILURE = 1,
  ARW_CLI_EXIT_USAGE = 2,
};

typedef int (*ArwCliCommandFunc) (int argc, char **argv);

typedef struct {
  const char *path;    /* words after the program name, e.g. "bundles list" */
  const char *summary; /* one line, translatable (N_) */
  ArwCliCommandFunc func;
} ArwCliCommand;

/* Output options shared by the commands that print JSON. */
typedef struct {
  gboolean json;
  gboolean pretty;
} ArwCliJsonOptions;

#define ARW_CLI_JSON_OPTION_ENTRIES(opts)                                                          \
  { "json", 0, 0, G_OPTION_ARG_NONE, &(opts).json, N_("Print JSON (keys sorted, as ARW)"), NULL }, \
  { "pretty", 0, 0, G_OPTION_ARG_NONE, &(opts).pretty, N_("Pretty-print the JSON (needs --json)"), NULL }

/* Parses options for a command; prints a usage error and returns FALSE on
 * failure. @min_args/@max_args bound the positional arguments left
 * (max -1 = unbounded). */
gboolean arw_cli_parse (const char *command_path,
                        const char *parameter_string,
                        const char *summary,
                        const GOptionEntry *entries,
                        int *argc,
                        char ***argv,
                        int min_args,
                        int max_args);
gboolean arw_cli_check_json_options (const char *command_path, const ArwCliJsonOptions *opts);

int arw_cli_usage_error (const char *command_path, const char *format, ...) G_GNUC_PRINTF (2, 3);
int arw_cli_fail (const GError *error);
int arw_cli_fail_message (const char *format, ...) G_GNUC_PRINTF (1, 2);
void arw_cli_warn (const char *format, ...) G_GNUC_PRINTF (1, 2);
void arw_cli_print_json (JsonNode *node, gboolean pretty);

gboolean arw_cli_use_color (void);
const char *arw_cli_color (const char *name); /* "bold", "green", "yellow", "red", "dim", "reset" */

int arw_cli_run (int argc, char **argv);

/* Command groups (arw-cli-cmd-*.c) */
extern const ArwCliCommand arw_cli_bundles_commands[];
extern const ArwCliCommand arw_cli_manifest_commands[];
extern const ArwCliCommand arw_cli_keys_commands[];
extern const ArwCliCommand arw_cli_store_commands[];
/* helper clients (helper L) */
extern const ArwCliCommand arw_cli_runtime_commands[];
extern const ArwCliCommand arw_cli_events_commands[];
extern const ArwCliCommand arw_cli_consent_commands[];
extern const ArwCliCommand arw_cli_admin_commands[];

G_END_DECLS
