/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "arw-signature-summary.h"

struct _ArwSignatureSummary {
  ArwSignatureCounts counts;
  gboolean require_trusted;
  gboolean enforced;
  GPtrArray *failed_ids; /* char *, NULL-terminated */
};

ArwSignatureSummary *
arw_signature_summary_new (gboolean require_trusted)
{
  ArwSignatureSummary *self = g_new0 (ArwSignatureSummary, 1);

  self->require_trusted = require_trusted;
  self->failed_ids = g_ptr_array_new_null_terminated (0, g_free, TRUE);
  return self;
}

void
arw_signature_summary_free (ArwSignatureSummary *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->failed_ids);
  g_free (self);
}

static void
add_failed (ArwSignatureSummary *self, const char *id)
{
  self->counts.failed++;
  g_ptr_array_add (self->failed_ids, g_strdup (id != NULL ? id : "(unknown)"));
}

void
arw_signature_summary_add (ArwSignatureSummary *self, const char *id,
                           const ArwManifestVerification *v)
{
  gboolean shortfall, verified;

  g_return_if_fail (self != NULL);

  self->counts.total++;
  if (v == NULL)
    {
      add_failed (self, id);
      self->counts.missing_signatures++;
      return;
    }

  self->counts.with_manifest++;
  self->counts.trusted += v->trusted_signatures;
  self->counts.rejected += v->rejected_signatures;
  shortfall = arw_manifest_verification_is_trust_shortfall (v);
  verified = v->ok || shortfall;
  if (self->require_trusted)
    verified = verified && v->trust_enforced && v->trusted_signatures > 0;
  if (shortfall)
    self->counts.trust_shortfall++;

  if (verified)
    {
      self->counts.verified++;
      if (v->warnings->len > 0 || shortfall)
        self->counts.warnings++;
    }
  else
    {
      add_failed (self, id);
      if (v->signatures->len == 0)
        self->counts.missing_signatures++;
    }
}

void
arw_signature_summary_set_enforced (ArwSignatureSummary *self, gboolean enforced)
{
  g_return_if_fail (self != NULL);
  self->enforced = enforced;
}

const ArwSignatureCounts *
arw_signature_summary_get_counts (ArwSignatureSummary *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->counts;
}

gboolean
arw_signature_summary_get_ok (ArwSignatureSummary *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->counts.failed == 0;
}

const char *const *
arw_signature_summary_get_failed_ids (ArwSignatureSummary *self)
{
  static const char *const empty[] = { NULL };

  g_return_val_if_fail (self != NULL, NULL);
  /* an empty null-terminated GPtrArray may not have allocated pdata yet */
  if (self->failed_ids->pdata == NULL)
    return empty;
  return (const char *const *) self->failed_ids->pdata;
}

JsonNode *
arw_signature_summary_to_json (ArwSignatureSummary *self)
{
  const ArwSignatureCounts *c;
  JsonObject *obj;
  JsonNode *node;

  g_return_val_if_fail (self != NULL, NULL);

  c = &self->counts;
  obj = json_object_new ();
  json_object_set_boolean_member (obj, "enforced", self->enforced);
  json_object_set_int_member (obj, "failed", c->failed);
  json_object_set_int_member (obj, "missing_signatures", c->missing_signatures);
  json_object_set_boolean_member (obj, "ok", c->failed == 0);
  json_object_set_int_member (obj, "rejected", c->rejected);
  json_object_set_int_member (obj, "total", c->total);
  json_object_set_int_member (obj, "trust_shortfall", c->trust_shortfall);
  json_object_set_int_member (obj, "trusted", c->trusted);
  json_object_set_int_member (obj, "verified", c->verified);
  json_object_set_int_member (obj, "warnings", c->warnings);
  json_object_set_int_member (obj, "with_manifest", c->with_manifest);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, obj);
  return node;
}
