/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Path of a file in ../shared/vectors/arw-interop (ARW_VECTORS_DIR). */
char *arw_test_vector_path (const char *first, ...) G_GNUC_NULL_TERMINATED;
/* Contents of a vector file; aborts the test when missing. */
char *arw_test_vector_read (gsize *len, const char *first, ...) G_GNUC_NULL_TERMINATED;
/* A fresh temporary directory removed by arw_test_rm_rf(). */
char *arw_test_mkdtemp (void);
void arw_test_rm_rf (const char *path);

typedef gboolean (*ArwTestCondition) (gpointer data);
/* Iterates the default main context until @condition holds or @timeout_ms
 * passed; a 10 ms tick re-checks conditions no source reports (files,
 * pids). Returns the condition's last value. */
gboolean arw_test_wait_until (ArwTestCondition condition, gpointer data, guint timeout_ms);

G_END_DECLS
