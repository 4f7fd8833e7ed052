/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define ARW_ERROR (arw_error_quark ())

/* Codes describe what went wrong for the caller. They are ABI on the bus
 * (org.arw.Launcher.Error.*): append only. */
typedef enum {
  ARW_ERROR_FAILED,
  ARW_ERROR_INVALID_ARGUMENT,
  ARW_ERROR_NOT_FOUND,
  ARW_ERROR_PERMISSION_DENIED,
  ARW_ERROR_BUSY,
  ARW_ERROR_CANCELLED,
  ARW_ERROR_INVALID_DATA,
  ARW_ERROR_SIGNATURE_INVALID,
  ARW_ERROR_NETWORK,
  ARW_ERROR_ALREADY_EXISTS,
  ARW_ERROR_NO_SPACE,
  ARW_ERROR_UNTRUSTED,
  ARW_ERROR_CONSENT_REQUIRED,
  ARW_ERROR_BUDGET_EXHAUSTED,
  ARW_ERROR_LAST /*< skip >*/
} ArwError;

GQuark arw_error_quark (void);
GError *arw_error_convert (const GError *error);

G_END_DECLS
