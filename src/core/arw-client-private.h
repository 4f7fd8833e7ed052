/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "arw-client.h"

G_BEGIN_DECLS

/* The client's context is private (arw_client_new_sync): finalize drains
 * it so GDBus's deferred clean-up runs. */
void arw_client_set_owns_context (ArwClient *self);

G_END_DECLS
