/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sys/types.h>

#include "arw-import-copy.h"

G_BEGIN_DECLS

/* Tests only: replaces read(2) for source files (verifying = FALSE) and for
 * re-reading copies (verifying = TRUE), for fault injection. NULL restores
 * read(2). */
typedef ssize_t (*ArwImportReadFunc) (int fd, void *buf, size_t len, gboolean verifying);
void _arw_import_copy_set_read_func (ArwImportReadFunc func);

G_END_DECLS
