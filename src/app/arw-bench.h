/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "arw-window.h"

G_BEGIN_DECLS

/* Benchmark mode (ARW_LAUNCHER_BENCH=1, used by build-aux/bench app):
 * prints the time from ARW_LAUNCHER_BENCH_T0 (unix µs, taken before the
 * process was spawned) to the first frame showing catalog rows, then types
 * ARW_LAUNCHER_BENCH_QUERY (default "llama") into the search entry one
 * character at a time and back, timing each keystroke to the painted,
 * updated list, prints RSS, and quits. Output: key=value lines on stdout. */
void arw_bench_attach (ArwWindow *window);
/* In benchmark mode prints "<label>_ms=<ms since T0>"; otherwise nothing. */
void arw_bench_mark (const char *label);

G_END_DECLS
