/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "arw-event-bus.h"
#include "arw-runtime.h"

G_BEGIN_DECLS

#define ARW_TYPE_SUPERVISOR (arw_supervisor_get_type ())
G_DECLARE_FINAL_TYPE (ArwSupervisor, arw_supervisor, ARW, SUPERVISOR, GObject)

/* The set of supervised runtimes of one helper. Signals: "runtime-added"
 * (ArwRuntime *), "runtime-removed" (ArwRuntime *) and
 * "runtime-status-changed" (ArwRuntime *, ArwRuntimeStatus *). Every
 * runtime publishes on the supervisor's event bus. */
ArwSupervisor *arw_supervisor_new (ArwEventBus *bus, const char *state_dir);

ArwEventBus *arw_supervisor_get_event_bus (ArwSupervisor *self);
const char *arw_supervisor_get_state_dir (ArwSupervisor *self);
/* Applied to existing and future runtimes. Defaults come from the
 * environment (arw_runtime_tuning_init_from_env). */
void arw_supervisor_set_tuning (ArwSupervisor *self, const ArwRuntimeTuning *tuning);
void arw_supervisor_get_tuning (ArwSupervisor *self, ArwRuntimeTuning *out);

/* Registers a runtime (state offline, "Runtime registered; awaiting
 * supervisor launch"). A duplicate id is ARW_ERROR_ALREADY_EXISTS. */
ArwRuntime *arw_supervisor_add_runtime (ArwSupervisor *self,
                                        const char *id,
                                        const char *name,
                                        const ArwProcessSpec *spec,
                                        const char *bundle_dir,
                                        GError **error);
/* Registers the runtime described by <bundle_dir>/bundle.json (bundle.id,
 * bundle.name, bundle.adapter, bundle.metadata.process). */
ArwRuntime *arw_supervisor_add_installed (ArwSupervisor *self,
                                          const char *bundle_dir,
                                          GError **error);
/* Stops the runtime's process (SIGKILL if it still runs) and forgets it. */
gboolean arw_supervisor_remove_runtime (ArwSupervisor *self, const char *id, GError **error);

ArwRuntime *arw_supervisor_lookup (ArwSupervisor *self, const char *id);
/* Runtimes sorted by id (the array holds references). */
GPtrArray *arw_supervisor_list_runtimes (ArwSupervisor *self);

gboolean arw_supervisor_restore (ArwSupervisor *self,
                                 const char *id,
                                 const ArwRestoreOptions *options,
                                 GError **error);
gboolean arw_supervisor_shutdown (ArwSupervisor *self, const char *id, GError **error);

/* For the helper's exit: SIGTERM to every runtime's process group, SIGKILL
 * after the stop timeout, and iterates the thread-default main context
 * until every process has been reaped (bounded). */
void arw_supervisor_shutdown_all (ArwSupervisor *self);
/* SIGKILL to every process group now, without waiting. */
void arw_supervisor_kill_all (ArwSupervisor *self);

/* {updated_at, runtimes: [runtime.state.changed payloads]} */
JsonNode *arw_supervisor_snapshot (ArwSupervisor *self);

G_END_DECLS
