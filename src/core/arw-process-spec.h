/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define ARW_TYPE_PROCESS_SPEC (arw_process_spec_get_type ())

#define ARW_HEALTH_DEFAULT_TIMEOUT_MS 5000
#define ARW_HEALTH_DEFAULT_STARTUP_TIMEOUT_MS 120000

/* metadata.process.health (arw-formats.md §1.3, §6.5). */
typedef struct {
  char *url;
  char *method;            /* as written; an invalid method is probed as GET */
  guint expect_status;     /* default 200 */
  char *expect_body;       /* substring, or NULL */
  guint timeout_ms;        /* per request, default 5000 */
  guint startup_timeout_ms; /* ours: grace period; 0 = not set (caller default) */
} ArwHealthSpec;

/* metadata.process: how to launch a runtime. */
typedef struct {
  char *command;
  GStrv args;          /* never NULL */
  GStrv env;           /* "KEY=VALUE" in document order, never NULL */
  char *workdir;       /* or NULL */
  ArwHealthSpec *health; /* or NULL when there is no probe */
} ArwProcessSpec;

/* Values for {{STATE_DIR}}, {{BUNDLE_DIR}} and {{PORT}}. */
typedef struct {
  const char *state_dir;
  const char *bundle_dir;
  guint port;
} ArwPlaceholders;

GType arw_process_spec_get_type (void);

/* Parses a metadata.process object. Like ARW, non-string args items and
 * non-string env values are dropped; "health_probe": "<url>" stands for
 * GET <url> expecting 200. A missing command is ARW_ERROR_INVALID_DATA. */
ArwProcessSpec *arw_process_spec_new_from_json (JsonNode *process, GError **error);
/* Reads metadata.process from a catalog/bundle.json bundle object; a bundle
 * without one is ARW_ERROR_NOT_FOUND (ARW does not register it). */
ArwProcessSpec *arw_process_spec_new_from_bundle (JsonNode *bundle, GError **error);
ArwProcessSpec *arw_process_spec_copy (const ArwProcessSpec *self);
void arw_process_spec_free (ArwProcessSpec *self);

/* TRUE when any field mentions {{PORT}} (the caller then picks a port). */
gboolean arw_process_spec_uses_port (const ArwProcessSpec *self);

/* Replaces {{STATE_DIR}}, {{BUNDLE_DIR}} and {{PORT}}. Any other {{NAME}},
 * or a placeholder without a value, is ARW_ERROR_INVALID_DATA. */
char *arw_process_spec_expand_string (const char *text,
                                      const ArwPlaceholders *values,
                                      GError **error);
/* A copy with every string field expanded. */
ArwProcessSpec *arw_process_spec_expand (const ArwProcessSpec *self,
                                         const ArwPlaceholders *values,
                                         GError **error);

/* Absolute path of the executable: an absolute command as is; a relative
 * one in <bundle_dir>/payload/ first, then (bare names only) in PATH.
 * Commands with ".." components are refused. */
char *arw_process_spec_resolve_command (const ArwProcessSpec *self,
                                        const char *bundle_dir,
                                        GError **error);

/* The method to send: the spec's when it is a valid HTTP token, else GET. */
const char *arw_health_spec_get_method (const ArwHealthSpec *health);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwProcessSpec, arw_process_spec_free)

G_END_DECLS
