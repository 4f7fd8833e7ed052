/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "arw-client.h"

G_BEGIN_DECLS

/* Connects to (and activates) the helper. The error already reads "the ARW
 * Launcher helper is not running and could not be started: …". */
ArwClient *arw_cli_helper_connect (GError **error);

/* TRUE when the helper can be reached and manages the default state dir
 * (arw_paths_state_dir), so store commands should go through it. FALSE
 * when ARW_CLI_NO_HELPER is set. The connected client is kept for
 * arw_cli_helper_take_client(). */
gboolean arw_cli_helper_available (void);
/* The client connected by arw_cli_helper_available(), or NULL. */
ArwClient *arw_cli_helper_take_client (void);

/* Prints @error like arw_cli_fail() plus a hint for consent and lease
 * errors; returns ARW_CLI_EXIT_FAILURE. @id may be NULL. */
int arw_cli_helper_fail (const GError *error, const char *id);

/* Catches SIGINT/SIGTERM from now on (for --watch/--follow/--wait): call
 * it before printing anything a caller may react to. */
void arw_cli_helper_catch_interrupts (ArwClient *client);
/* Runs @loop (on the client's context) until it quits or SIGINT/SIGTERM
 * arrives (also before the call); returns TRUE when a signal stopped it. */
gboolean arw_cli_helper_run_loop (ArwClient *client, GMainLoop *loop);

/* Lenient JSON accessors: NULL / @fallback when missing or of another type. */
const char *arw_cli_json_string (JsonObject *object, const char *member);
gint64 arw_cli_json_int (JsonObject *object, const char *member, gint64 fallback);
JsonObject *arw_cli_json_object (JsonObject *object, const char *member);
JsonArray *arw_cli_json_array (JsonObject *object, const char *member);

/* RFC 3339 → local "%Y-%m-%d %H:%M %Z" (ARW's CLI); a copy of the input if
 * it does not parse. */
char *arw_cli_format_local_time (const char *rfc3339);
char *arw_cli_format_unix_local (gint64 unix_secs);

G_END_DECLS
