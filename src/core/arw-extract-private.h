/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sys/types.h>

#include "arw-extract.h"

G_BEGIN_DECLS

/* Tests only: use the O_NOFOLLOW component walk instead of openat2, as on
 * kernels older than 5.6. */
void _arw_extract_set_force_walk (gboolean force_walk);

/* openat2 (dirfd, relpath, flags | O_NOFOLLOW | O_CLOEXEC, mode) with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, or the
 * equivalent walk; -1 with errno set on failure (ELOOP for a symlink on the
 * way, EXDEV for `..` or an absolute path). */
int _arw_extract_open_beneath (int         dirfd,
                               const char *relpath,
                               int         flags,
                               mode_t      mode);

G_END_DECLS
