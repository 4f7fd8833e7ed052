/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-json-access.h"

#include "arw-bundle-family.h"
#include "arw-wording.h"

struct _ArwBundleFamily
{
  GObject parent_instance;

  char *id;
  char *name;
  char *description;
  char *channel;
  GStrv modalities;
  char *accelerators_text;
  char *search_key;
  GPtrArray *variants;       /* element-type ArwBundleVariant */
  gboolean installed;
  gboolean consent_required;
  double progress;
  char *progress_text;
  char *runtime_text;
};

G_DEFINE_FINAL_TYPE (ArwBundleFamily, arw_bundle_family, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_DESCRIPTION,
  PROP_ACCELERATORS_TEXT,
  PROP_INSTALLED,
  PROP_PROGRESS,
  PROP_PROGRESS_TEXT,
  PROP_RUNTIME_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

void
arw_bundle_variant_free (ArwBundleVariant *variant)
{
  if (variant == NULL)
    return;
  g_free (variant->id);
  g_free (variant->name);
  g_free (variant->accelerator);
  g_free (variant->channel);
  g_clear_pointer (&variant->bundle, json_object_unref);
  g_clear_pointer (&variant->installation, json_object_unref);
  g_free (variant);
}

char *
arw_bundle_family_fold (const char *text)
{
  g_autofree char *norm = NULL;

  if (text == NULL)
    return g_strdup ("");
  norm = g_utf8_normalize (text, -1, G_NORMALIZE_ALL);
  if (norm == NULL)
    return g_strdup ("");
  return g_utf8_casefold (norm, -1);
}

static void
arw_bundle_family_finalize (GObject *object)
{
  ArwBundleFamily *self = ARW_BUNDLE_FAMILY (object);

  g_free (self->id);
  g_free (self->name);
  g_free (self->description);
  g_free (self->channel);
  g_strfreev (self->modalities);
  g_free (self->accelerators_text);
  g_free (self->search_key);
  g_ptr_array_unref (self->variants);
  g_free (self->progress_text);
  g_free (self->runtime_text);

  G_OBJECT_CLASS (arw_bundle_family_parent_class)->finalize (object);
}

static void
arw_bundle_family_get_property (GObject *object,
                                guint prop_id,
                                GValue *value,
                                GParamSpec *pspec)
{
  ArwBundleFamily *self = ARW_BUNDLE_FAMILY (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_ACCELERATORS_TEXT:
      g_value_set_string (value, self->accelerators_text);
      break;
    case PROP_INSTALLED:
      g_value_set_boolean (value, self->installed);
      break;
    case PROP_PROGRESS:
      g_value_set_double (value, self->progress);
      break;
    case PROP_PROGRESS_TEXT:
      g_value_set_string (value, self->progress_text);
      break;
    case PROP_RUNTIME_TEXT:
      g_value_set_string (value, self->runtime_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
arw_bundle_family_class_init (ArwBundleFamilyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = arw_bundle_family_finalize;
  object_class->get_property = arw_bundle_family_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, ro);
  properties[PROP_ACCELERATORS_TEXT] = g_param_spec_string ("accelerators-text", NULL, NULL, NULL, ro);
  properties[PROP_INSTALLED] = g_param_spec_boolean ("installed", NULL, NULL, FALSE, ro);
  properties[PROP_PROGRESS] = g_param_spec_double ("progress", NULL, NULL, -1, 1, -1, ro);
  properties[PROP_PROGRESS_TEXT] = g_param_spec_string ("progress-text", NULL, NULL, NULL, ro);
  properties[PROP_RUNTIME_TEXT] = g_param_spec_string ("runtime-text", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
arw_bundle_family_init (ArwBundleFamily *self)
{
  self->variants = g_ptr_array_new_with_free_func ((GDestroyNotify) arw_bundle_variant_free);
  self->progress = -1;
}

ArwBundleFamily *
arw_bundle_family_new (const char *family_id)
{
  ArwBundleFamily *self;

  g_return_val_if_fail (family_id != NULL, NULL);

  self = g_object_new (ARW_TYPE_BUNDLE_FAMILY, NULL);
  self->id = g_strdup (family_id);
  return self;
}

void
arw_bundle_family_add_variant (ArwBundleFamily *self,
                               ArwBundleVariant *variant)
{
  g_return_if_fail (ARW_IS_BUNDLE_FAMILY (self));
  g_return_if_fail (variant != NULL);

  g_ptr_array_add (self->variants, variant);
}

/* "llama.cpp server (NVIDIA CUDA)" → "llama.cpp server" */
static char *
strip_variant_suffix (const char *name)
{
  const char *paren = strrchr (name, '(');
  gsize len = strlen (name);

  if (paren == NULL || paren == name || len == 0 || name[len - 1] != ')')
    return g_strdup (name);
  return g_strchomp (g_strndup (name, paren - name));
}

static gboolean
variant_needs_consent (ArwBundleVariant *v)
{
  JsonObject *meta, *consent;
  JsonNode *req;

  if (v->bundle == NULL)
    return FALSE;
  {
      JsonArray *mods = arw_json_array (v->bundle, "modalities");
      for (guint i = 0; mods != NULL && i < json_array_get_length (mods); i++)
        {
          const char *m = json_array_get_string_element (mods, i);
          if (g_strcmp0 (m, "audio") == 0 || g_strcmp0 (m, "vision") == 0)
            return TRUE;
        }
    }
  meta = arw_json_object (v->bundle, "metadata");
  consent = arw_json_object (meta, "consent");
  req = consent != NULL ? json_object_get_member (consent, "required") : NULL;
  if (req == NULL || !JSON_NODE_HOLDS_VALUE (req))
    return FALSE;
  if (json_node_get_value_type (req) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (req);
  return json_node_get_value_type (req) == G_TYPE_STRING && *json_node_get_string (req) != '\0';
}

static void
collect_modalities (ArwBundleFamily *self,
                    GPtrArray *mods)
{
  for (guint i = 0; i < self->variants->len; i++)
    {
      ArwBundleVariant *v = g_ptr_array_index (self->variants, i);
      JsonArray *arr;

      arr = arw_json_array (v->bundle, "modalities");
      for (guint j = 0; arr != NULL && j < json_array_get_length (arr); j++)
        {
          const char *m = json_array_get_string_element (arr, j);
          if (m != NULL && !g_ptr_array_find_with_equal_func (mods, m, g_str_equal, NULL))
            g_ptr_array_add (mods, g_strdup (m));
        }
    }
}

static const char *
first_description (ArwBundleFamily *self)
{
  for (guint i = 0; i < self->variants->len; i++)
    {
      ArwBundleVariant *v = g_ptr_array_index (self->variants, i);
      const char *d = arw_json_string (v->bundle, "description");
      if (d != NULL && *d != '\0')
        return d;
    }
  return "";
}

void
arw_bundle_family_finish (ArwBundleFamily *self)
{
  g_autoptr(GPtrArray) mods = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) accs = g_string_new (NULL);
  g_autoptr(GString) key = g_string_new (NULL);
  ArwBundleVariant *first;

  g_return_if_fail (ARW_IS_BUNDLE_FAMILY (self));
  g_return_if_fail (self->variants->len > 0);

  first = g_ptr_array_index (self->variants, 0);
  g_free (self->name);
  self->name = strip_variant_suffix (first->name != NULL ? first->name : self->id);
  g_free (self->description);
  self->description = g_strdup (first_description (self));
  g_free (self->channel);
  self->channel = g_strdup (first->channel);

  collect_modalities (self, mods);
  g_ptr_array_add (mods, NULL);
  g_strfreev (self->modalities);
  self->modalities = (GStrv) g_ptr_array_steal (mods, NULL);

  g_string_append_printf (key, "%s\n%s\n%s", self->name, self->id, self->description);
  for (guint i = 0; i < self->variants->len; i++)
    {
      ArwBundleVariant *v = g_ptr_array_index (self->variants, i);
      const char *label = arw_wording_accelerator (v->accelerator);

      if (v->installation != NULL)
        self->installed = TRUE;
      if (variant_needs_consent (v))
        self->consent_required = TRUE;
      if (strstr (accs->str, label) == NULL)
        g_string_append_printf (accs, "%s%s", accs->len > 0 ? " · " : "", label);
      g_string_append_printf (key, "\n%s\n%s", v->id, label);
    }
  for (guint i = 0; self->modalities[i] != NULL; i++)
    g_string_append_printf (key, "\n%s", arw_wording_modality (self->modalities[i]));
  g_free (self->accelerators_text);
  self->accelerators_text = g_string_free (g_steal_pointer (&accs), FALSE);
  g_free (self->search_key);
  self->search_key = arw_bundle_family_fold (key->str);
}

const char *
arw_bundle_family_get_id (ArwBundleFamily *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), NULL);
  return self->id;
}

const char *
arw_bundle_family_get_name (ArwBundleFamily *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), NULL);
  return self->name;
}

const char *
arw_bundle_family_get_description (ArwBundleFamily *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), NULL);
  return self->description;
}

const char *
arw_bundle_family_get_channel (ArwBundleFamily *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), NULL);
  return self->channel;
}

const char *const *
arw_bundle_family_get_modalities (ArwBundleFamily *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), NULL);
  return (const char *const *) self->modalities;
}

const char *
arw_bundle_family_get_accelerators_text (ArwBundleFamily *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), NULL);
  return self->accelerators_text;
}

gboolean
arw_bundle_family_has_modality (ArwBundleFamily *self,
                                const char *modality)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), FALSE);
  return self->modalities != NULL && g_strv_contains ((const char *const *) self->modalities, modality);
}

gboolean
arw_bundle_family_has_accelerator (ArwBundleFamily *self,
                                   const char *accelerator)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), FALSE);

  for (guint i = 0; i < self->variants->len; i++)
    {
      ArwBundleVariant *v = g_ptr_array_index (self->variants, i);

      /* "gpu" matches every GPU kind */
      if (g_strcmp0 (v->accelerator, accelerator) == 0 ||
          (g_strcmp0 (accelerator, "gpu") == 0 && v->accelerator != NULL &&
           g_str_has_prefix (v->accelerator, "gpu_")))
        return TRUE;
    }
  return FALSE;
}

gboolean
arw_bundle_family_get_installed (ArwBundleFamily *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), FALSE);
  return self->installed;
}

gboolean
arw_bundle_family_get_consent_required (ArwBundleFamily *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), FALSE);
  return self->consent_required;
}

const char *
arw_bundle_family_get_search_key (ArwBundleFamily *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), NULL);
  return self->search_key;
}

GPtrArray *
arw_bundle_family_get_variants (ArwBundleFamily *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), NULL);
  return self->variants;
}

ArwBundleVariant *
arw_bundle_family_find_variant (ArwBundleFamily *self,
                                const char *bundle_id)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), NULL);

  for (guint i = 0; i < self->variants->len; i++)
    {
      ArwBundleVariant *v = g_ptr_array_index (self->variants, i);
      if (g_strcmp0 (v->id, bundle_id) == 0)
        return v;
    }
  return NULL;
}

void
arw_bundle_family_set_progress (ArwBundleFamily *self,
                                double fraction,
                                const char *text)
{
  g_return_if_fail (ARW_IS_BUNDLE_FAMILY (self));

  fraction = fraction < 0 ? -1 : MIN (fraction, 1.0);
  if (self->progress != fraction)
    {
      self->progress = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS]);
    }
  if (g_strcmp0 (self->progress_text, text) != 0)
    {
      g_free (self->progress_text);
      self->progress_text = g_strdup (text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROGRESS_TEXT]);
    }
}

double
arw_bundle_family_get_progress (ArwBundleFamily *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), -1);
  return self->progress;
}

const char *
arw_bundle_family_get_progress_text (ArwBundleFamily *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), NULL);
  return self->progress_text;
}

void
arw_bundle_family_set_runtime_text (ArwBundleFamily *self,
                                    const char *text)
{
  g_return_if_fail (ARW_IS_BUNDLE_FAMILY (self));

  if (g_strcmp0 (self->runtime_text, text) == 0)
    return;
  g_free (self->runtime_text);
  self->runtime_text = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNTIME_TEXT]);
}

const char *
arw_bundle_family_get_runtime_text (ArwBundleFamily *self)
{
  g_return_val_if_fail (ARW_IS_BUNDLE_FAMILY (self), NULL);
  return self->runtime_text;
}
