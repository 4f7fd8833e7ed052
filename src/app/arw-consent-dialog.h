/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ARW_TYPE_CONSENT_DIALOG (arw_consent_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ArwConsentDialog, arw_consent_dialog, ARW, CONSENT_DIALOG, AdwMessageDialog)

/* Asks, in plain words per modality, whether a runtime may use the
 * microphone, camera, …, with the bundle's own note. Responses: "deny"
 * (also Escape / close), "once" and "always". */
ArwConsentDialog *arw_consent_dialog_new (GtkWindow *parent,
                                          const char *bundle_id,
                                          const char *bundle_name,
                                          const char *const *modalities,
                                          const char *note);
const char *arw_consent_dialog_get_bundle_id (ArwConsentDialog *self);
const char *const *arw_consent_dialog_get_modalities (ArwConsentDialog *self);

G_END_DECLS
