/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "arw-policy.h"

G_BEGIN_DECLS

/* What the person chose in the Launcher's Preferences (GSettings
 * org.arw.Launcher), as the helper applies it. Only values the person has
 * set count (schema defaults do not), and the ARW_* environment variables
 * win over them. Without the schema installed everything is unset. */
typedef struct {
  GStrv accelerator_order;   /* NULL: unset */
  gboolean has_require_signed;
  gboolean require_signed;
  guint keep_revisions;      /* 0: unset */
  gboolean has_posture;
  ArwPosture posture;
} ArwUserPrefs;

void arw_user_prefs_load (ArwUserPrefs *prefs);
void arw_user_prefs_clear (ArwUserPrefs *prefs);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ArwUserPrefs, arw_user_prefs_clear)

/* The effective values: environment first, then the person's choice, then
 * ARW's defaults. */
ArwPosture arw_user_prefs_posture (void);
gboolean arw_user_prefs_require_signed (void);
guint arw_user_prefs_keep_revisions (void);
GStrv arw_user_prefs_accelerator_order (void);

G_END_DECLS
