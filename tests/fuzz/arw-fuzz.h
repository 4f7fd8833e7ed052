/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Every fuzz target defines the libFuzzer entry point. fuzz-main.c calls it for each
 * corpus file when the target is built as an ordinary test. It must return 0 and
 * abort (g_assert) on any broken invariant. */
int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

G_END_DECLS
