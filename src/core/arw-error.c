/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "arw-error.h"

static const GDBusErrorEntry arw_error_entries[] = {
  { ARW_ERROR_FAILED, "org.arw.Launcher.Error.Failed" },
  { ARW_ERROR_INVALID_ARGUMENT, "org.arw.Launcher.Error.InvalidArgument" },
  { ARW_ERROR_NOT_FOUND, "org.arw.Launcher.Error.NotFound" },
  { ARW_ERROR_PERMISSION_DENIED, "org.arw.Launcher.Error.PermissionDenied" },
  { ARW_ERROR_BUSY, "org.arw.Launcher.Error.Busy" },
  { ARW_ERROR_CANCELLED, "org.arw.Launcher.Error.Cancelled" },
  { ARW_ERROR_INVALID_DATA, "org.arw.Launcher.Error.InvalidData" },
  { ARW_ERROR_SIGNATURE_INVALID, "org.arw.Launcher.Error.SignatureInvalid" },
  { ARW_ERROR_NETWORK, "org.arw.Launcher.Error.Network" },
  { ARW_ERROR_ALREADY_EXISTS, "org.arw.Launcher.Error.AlreadyExists" },
  { ARW_ERROR_NO_SPACE, "org.arw.Launcher.Error.NoSpace" },
  { ARW_ERROR_UNTRUSTED, "org.arw.Launcher.Error.Untrusted" },
  { ARW_ERROR_CONSENT_REQUIRED, "org.arw.Launcher.Error.ConsentRequired" },
  { ARW_ERROR_BUDGET_EXHAUSTED, "org.arw.Launcher.Error.BudgetExhausted" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (arw_error_entries) == ARW_ERROR_LAST);

GQuark
arw_error_quark (void)
{
  static gsize quark = 0;

  g_dbus_error_register_error_domain ("arw-error-quark", &quark,
                                      arw_error_entries,
                                      G_N_ELEMENTS (arw_error_entries));
  return (GQuark) quark;
}

/* Maps GLib/GIO errors onto ARW_ERROR at a process boundary (D-Bus reply,
 * CLI exit code). The message is kept. */
GError *
arw_error_convert (const GError *error)
{
  ArwError code = ARW_ERROR_FAILED;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain == ARW_ERROR)
    return g_error_copy (error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    code = ARW_ERROR_CANCELLED;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
           g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    code = ARW_ERROR_NOT_FOUND;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ||
           g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_ACCES))
    code = ARW_ERROR_PERMISSION_DENIED;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE) ||
           g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC))
    code = ARW_ERROR_NO_SPACE;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    code = ARW_ERROR_ALREADY_EXISTS;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    code = ARW_ERROR_INVALID_ARGUMENT;
  else if (error->domain == G_IO_ERROR &&
           (error->code == G_IO_ERROR_HOST_NOT_FOUND ||
            error->code == G_IO_ERROR_CONNECTION_REFUSED ||
            error->code == G_IO_ERROR_TIMED_OUT ||
            error->code == G_IO_ERROR_NETWORK_UNREACHABLE ||
            error->code == G_IO_ERROR_CONNECTION_CLOSED))
    code = ARW_ERROR_NETWORK;

  return g_error_new_literal (ARW_ERROR, code, error->message);
}
