/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "arw-catalog.h"
#include "arw-error.h"
#include "arw-inventory.h"

struct _ArwInventory {
  GStrv roots;
  GPtrArray *installations; /* ArwInstallation */
  GPtrArray *diagnostics;   /* ArwDiagnostic */
};

void
arw_inventory_free (ArwInventory *self)
{
  if (self == NULL)
    return;
  g_strfreev (self->roots);
  g_ptr_array_unref (self->installations);
  g_ptr_array_unref (self->diagnostics);
  g_free (self);
}

/* By id, then root, then directory (ARW sorts by id and root only; the
 * directory makes the order deterministic). */
static int
compare_installations (gconstpointer a, gconstpointer b)
{
  ArwInstallation *x = *(ArwInstallation *const *) a;
  ArwInstallation *y = *(ArwInstallation *const *) b;
  int cmp;

  cmp = strcmp (arw_installation_get_id (x), arw_installation_get_id (y));
  if (cmp == 0)
    cmp = strcmp (arw_installation_get_root (x), arw_installation_get_root (y));
  if (cmp == 0)
    cmp = strcmp (arw_installation_get_dir (x), arw_installation_get_dir (y));
  return cmp;
}

static gboolean
scan_root (ArwInventory *self, const char *root, ArwInventoryVisitFunc visit, gpointer user_data, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GDir) dir = g_dir_open (root, 0, &local_error);
  const char *name;

  if (dir == NULL)
    {
      /* A root that does not exist yet simply has no installations. */
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, ARW_ERROR, ARW_ERROR_FAILED,
                   "install root %s could not be read: %s", root, local_error->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (root, name, NULL);
      ArwInstallation *installation;
      GStatBuf st;

      /* Immediate sub-directories only; symlinks are not followed. */
      if (g_lstat (path, &st) != 0 || !S_ISDIR (st.st_mode))
        continue;
      installation = arw_installation_load (root, name, self->diagnostics);
      if (installation == NULL)
        continue;
      if (visit != NULL)
        visit (installation, user_data);
      g_ptr_array_add (self->installations, installation);
    }
  return TRUE;
}

/**
 * arw_inventory_scan:
 * @roots: install roots, e.g. <state_dir>/runtime/bundles
 *
 * Loads every installation directly under each root, sorted by id and
 * then root. A root that does not exist contributes nothing.
 * Unparsable bundle.json files become warnings in the diagnostics.
 *
 * Returns: (transfer full): the inventory, or %NULL with @error set when a
 *   root exists but cannot be read
 */
ArwInventory *
arw_inventory_scan (const char *const *roots, GError **error)
{
  return arw_inventory_scan_with (roots, NULL, NULL, error);
}

ArwInventory *
arw_inventory_scan_with (const char *const *roots,
                         ArwInventoryVisitFunc visit,
                         gpointer user_data,
                         GError **error)
{
  g_autoptr(ArwInventory) self = NULL;

  g_return_val_if_fail (roots != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (ArwInventory, 1);
  self->roots = g_strdupv ((GStrv) roots);
  self->installations = g_ptr_array_new_with_free_func ((GDestroyNotify) arw_installation_unref);
  self->diagnostics = arw_diagnostics_new ();
  for (guint i = 0; roots[i] != NULL; i++)
    if (!scan_root (self, roots[i], visit, user_data, error))
      return NULL;
  g_ptr_array_sort (self->installations, compare_installations);
  return g_steal_pointer (&self);
}

const char *const *
arw_inventory_get_roots (ArwInventory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char *const *) self->roots;
}

/* Returns: (transfer none) (element-type ArwInstallation) */
GPtrArray *
arw_inventory_get_installations (ArwInventory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->installations;
}

/* Returns: (transfer none) (element-type ArwDiagnostic) */
GPtrArray *
arw_inventory_get_diagnostics (ArwInventory *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->diagnostics;
}

/* Returns: (transfer none) (nullable): the first installation with @id */
ArwInstallation *
arw_inventory_find (ArwInventory *self, const char *id)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < self->installations->len; i++)
    if (g_str_equal (arw_installation_get_id (self->installations->pdata[i]), id))
      return self->installations->pdata[i];
  return NULL;
}
