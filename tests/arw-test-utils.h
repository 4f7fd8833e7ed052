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

G_END_DECLS
