/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-bundle-family.h"
#include "arw-catalog-filter.h"

struct _ArwCatalogFilter
{
  GtkFilter parent_instance;

  char *search;    /* as given */
  GStrv words;     /* casefolded, non-empty */
  char *modality;
  char *accelerator;
  char *channel;
  gboolean installed_only;
};

G_DEFINE_FINAL_TYPE (ArwCatalogFilter, arw_catalog_filter, GTK_TYPE_FILTER)

static gboolean
arw_catalog_filter_match (GtkFilter *filter,
                          gpointer item)
{
  ArwCatalogFilter *self = ARW_CATALOG_FILTER (filter);
  ArwBundleFamily *family = item;
  const char *key;

  if (self->installed_only && !arw_bundle_family_get_installed (family))
    return FALSE;
  if (self->modality != NULL && !arw_bundle_family_has_modality (family, self->modality))
    return FALSE;
  if (self->accelerator != NULL && !arw_bundle_family_has_accelerator (family, self->accelerator))
    return FALSE;
  if (self->channel != NULL && g_strcmp0 (arw_bundle_family_get_channel (family), self->channel) != 0)
    return FALSE;
  if (self->words == NULL)
    return TRUE;
  key = arw_bundle_family_get_search_key (family);
  for (guint i = 0; self->words[i] != NULL; i++)
    if (strstr (key, self->words[i]) == NULL)
      return FALSE;
  return TRUE;
}

static GtkFilterMatch
arw_catalog_filter_get_strictness (GtkFilter *filter)
{
  ArwCatalogFilter *self = ARW_CATALOG_FILTER (filter);

  if (!arw_catalog_filter_is_active (self))
    return GTK_FILTER_MATCH_ALL;
  return GTK_FILTER_MATCH_SOME;
}

static void
arw_catalog_filter_finalize (GObject *object)
{
  ArwCatalogFilter *self = ARW_CATALOG_FILTER (object);

  g_free (self->search);
  g_strfreev (self->words);
  g_free (self->modality);
  g_free (self->accelerator);
  g_free (self->channel);

  G_OBJECT_CLASS (arw_catalog_filter_parent_class)->finalize (object);
}

static void
arw_catalog_filter_class_init (ArwCatalogFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkFilterClass *filter_class = GTK_FILTER_CLASS (klass);

  object_class->finalize = arw_catalog_filter_finalize;
  filter_class->match = arw_catalog_filter_match;
  filter_class->get_strictness = arw_catalog_filter_get_strictness;
}

static void
arw_catalog_filter_init (ArwCatalogFilter *self)
{
}

ArwCatalogFilter *
arw_catalog_filter_new (void)
{
  return g_object_new (ARW_TYPE_CATALOG_FILTER, NULL);
}

static GStrv
split_words (const char *text)
{
  g_autofree char *folded = arw_bundle_family_fold (text);
  g_auto(GStrv) parts = g_strsplit_set (folded, " \t\n", -1);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      {
        g_strv_builder_add (b, parts[i]);
        n++;
      }
  if (n == 0)
    return NULL;
  return g_strv_builder_end (b);
}

/* Every old word is a substring of some new word, and no word was
 * dropped: the new search can only match fewer items. */
static gboolean
is_narrower (GStrv old_words,
             GStrv new_words)
{
  if (old_words == NULL)
    return TRUE;
  if (new_words == NULL)
    return FALSE;
  for (guint i = 0; old_words[i] != NULL; i++)
    {
      gboolean found = FALSE;
      for (guint j = 0; new_words[j] != NULL && !found; j++)
        found = strstr (new_words[j], old_words[i]) != NULL;
      if (!found)
        return FALSE;
    }
  return TRUE;
}

void
arw_catalog_filter_set_search (ArwCatalogFilter *self,
                               const char *text)
{
  g_auto(GStrv) words = NULL;
  GtkFilterChange change;

  g_return_if_fail (ARW_IS_CATALOG_FILTER (self));

  if (g_strcmp0 (self->search, text) == 0)
    return;
  words = split_words (text);
  g_free (self->search);
  self->search = g_strdup (text);
  if (words == NULL && self->words == NULL)
    return;
  if (words != NULL && self->words != NULL &&
      g_strv_equal ((const char *const *) words, (const char *const *) self->words))
    return;
  if (is_narrower (self->words, words))
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (is_narrower (words, self->words))
    change = GTK_FILTER_CHANGE_LESS_STRICT;
  else
    change = GTK_FILTER_CHANGE_DIFFERENT;
  g_strfreev (self->words);
  self->words = g_steal_pointer (&words);
  gtk_filter_changed (GTK_FILTER (self), change);
}

const char *
arw_catalog_filter_get_search (ArwCatalogFilter *self)
{
  g_return_val_if_fail (ARW_IS_CATALOG_FILTER (self), NULL);
  return self->search;
}

static void
set_facet (ArwCatalogFilter *self,
           char **field,
           const char *value)
{
  const char *v = value != NULL && *value != '\0' ? value : NULL;
  GtkFilterChange change;

  if (g_strcmp0 (*field, v) == 0)
    return;
  change = *field == NULL ? GTK_FILTER_CHANGE_MORE_STRICT
           : v == NULL ? GTK_FILTER_CHANGE_LESS_STRICT : GTK_FILTER_CHANGE_DIFFERENT;
  g_free (*field);
  *field = g_strdup (v);
  gtk_filter_changed (GTK_FILTER (self), change);
}

void
arw_catalog_filter_set_modality (ArwCatalogFilter *self,
                                 const char *modality)
{
  g_return_if_fail (ARW_IS_CATALOG_FILTER (self));
  set_facet (self, &self->modality, modality);
}

void
arw_catalog_filter_set_accelerator (ArwCatalogFilter *self,
                                    const char *accelerator)
{
  g_return_if_fail (ARW_IS_CATALOG_FILTER (self));
  set_facet (self, &self->accelerator, accelerator);
}

void
arw_catalog_filter_set_channel (ArwCatalogFilter *self,
                                const char *channel)
{
  g_return_if_fail (ARW_IS_CATALOG_FILTER (self));
  set_facet (self, &self->channel, channel);
}

void
arw_catalog_filter_set_installed_only (ArwCatalogFilter *self,
                                       gboolean installed_only)
{
  g_return_if_fail (ARW_IS_CATALOG_FILTER (self));

  installed_only = !!installed_only;
  if (self->installed_only == installed_only)
    return;
  self->installed_only = installed_only;
  gtk_filter_changed (GTK_FILTER (self), installed_only ? GTK_FILTER_CHANGE_MORE_STRICT
                                                        : GTK_FILTER_CHANGE_LESS_STRICT);
}

gboolean
arw_catalog_filter_is_active (ArwCatalogFilter *self)
{
  g_return_val_if_fail (ARW_IS_CATALOG_FILTER (self), FALSE);
  return self->words != NULL || self->modality != NULL || self->accelerator != NULL ||
         self->channel != NULL || self->installed_only;
}
