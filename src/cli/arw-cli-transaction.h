/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "arw-client.h"

G_BEGIN_DECLS

/* Shows the progress of a helper Transaction1 with the CLI's progress
 * renderer until it finishes; Ctrl+C cancels it (the helper keeps partial
 * downloads, so running the command again resumes). Returns an exit code. */
int arw_cli_follow_transaction (ArwClient *client, ArwDBusTransaction *transaction, gboolean json,
                                const char *what);

G_END_DECLS
