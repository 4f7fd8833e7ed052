/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "arw-event-bus.h"

G_BEGIN_DECLS

/* Who may manage runtimes (arw-formats.md §7.2, done as the issue asks).
 *
 * Posture (ARW_SECURITY_POSTURE):
 *   relaxed   unsandboxed callers of the same user may manage; sandboxed
 *             callers other than our app (org.arw.Launcher) are denied.
 *             The default on a desktop session.
 *   standard  manage calls need a live "runtime:manage" lease, requested
 *             with the admin token. The default without a desktop session
 *             (ARW's default).
 *   strict    like standard; leases last at most one hour.
 *
 * Files under <state>/admin/ (0700): "token" (0600, 64 hex digits = 32
 * random bytes) and "leases.json" (0600, {"leases":[…]}), so the CLI and
 * the app see leases across helper restarts. Leases are global to the
 * node, like ARW's (subject "local"). */

#define ARW_CAPABILITY_RUNTIME_MANAGE "runtime:manage"
#define ARW_POLICY_OUR_APP_ID "org.arw.Launcher"
#define ARW_LEASE_DEFAULT_TTL_SECS 3600
#define ARW_LEASE_MAX_TTL_SECS 86400
#define ARW_LEASE_STRICT_MAX_TTL_SECS 3600

typedef enum {
  ARW_POSTURE_RELAXED,
  ARW_POSTURE_STANDARD,
  ARW_POSTURE_STRICT,
} ArwPosture;

const char *arw_posture_to_string (ArwPosture posture);
gboolean arw_posture_from_string (const char *text, ArwPosture *out_posture);
/* ARW_SECURITY_POSTURE when valid (a bad value gives standard and a
 * warning), else relaxed on a desktop session (XDG_CURRENT_DESKTOP,
 * WAYLAND_DISPLAY or DISPLAY set), else standard. */
ArwPosture arw_posture_from_env (void);

typedef struct {
  char *id;
  char *capability;
  gint64 created_us;   /* wall clock */
  gint64 ttl_until_us; /* wall clock */
} ArwLease;

void arw_lease_free (ArwLease *lease);
ArwLease *arw_lease_copy (const ArwLease *lease);
/* {id, subject:"local", capability, ttl_until, created} (RFC 3339, "Z") */
JsonNode *arw_lease_to_json (const ArwLease *lease);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwLease, arw_lease_free)

#define ARW_TYPE_POLICY (arw_policy_get_type ())
G_DECLARE_FINAL_TYPE (ArwPolicy, arw_policy, ARW, POLICY, GObject)

/* No I/O until a token or lease is asked for. bus (nullable) receives
 * policy.decision and leases.created events. */
ArwPolicy *arw_policy_new (const char *state_dir, ArwPosture posture, ArwEventBus *bus);

ArwPosture arw_policy_get_posture (ArwPolicy *self);
const char *arw_policy_get_admin_dir (ArwPolicy *self);

/* Returns the token in <state>/admin/token, creating it first if needed. */
char *arw_policy_persist_admin_token (ArwPolicy *self, GError **error);
/* Constant-time comparison with ARW_ADMIN_TOKEN (non-blank) and with the
 * persisted token. A blank token never matches. */
gboolean arw_policy_check_admin_token (ArwPolicy *self, const char *token);

/* A lease for capability; ttl_secs 0 means the default (3600), others are
 * clamped to 1…86400 (…3600 in strict). A wrong token is
 * ARW_ERROR_PERMISSION_DENIED. The lease is persisted before returning. */
ArwLease *arw_policy_request_lease (ArwPolicy *self,
                                    const char *capability,
                                    guint ttl_secs,
                                    const char *admin_token,
                                    GError **error);
/* Reads the persisted leases again (another helper or a restart may have
 * added some) and tells whether a live one grants capability. */
gboolean arw_policy_has_lease (ArwPolicy *self, const char *capability);
/* Live leases as a JSON array. */
JsonNode *arw_policy_leases_to_json (ArwPolicy *self);

/* Sandboxed callers other than our app are refused whatever the posture
 * ("Denied by policy"). */
gboolean arw_policy_check_caller (ArwPolicy *self,
                                  const char *action,
                                  gboolean caller_is_sandboxed,
                                  gboolean caller_is_our_app,
                                  GError **error);

/* The runtime:manage gate for action (runtime.supervisor.restore, …).
 * A denial is ARW_ERROR_PERMISSION_DENIED and publishes policy.decision
 * {action, allow:false, require_capability?, explain}. */
gboolean arw_policy_check_manage (ArwPolicy *self,
                                  const char *action,
                                  gboolean caller_is_sandboxed,
                                  gboolean caller_is_our_app,
                                  GError **error);

/* Publishes policy.decision {action, allow:false, require_capability?,
 * explain} (require_capability NULL: omitted). For other gates, e.g.
 * consent. */
void arw_policy_publish_denial (ArwPolicy *self,
                                const char *action,
                                const char *require_capability,
                                const char *explain);

G_END_DECLS
