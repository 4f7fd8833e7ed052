/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parse JSON text with serde_json 1.0.145's rules (spec §4.3: no BOM, duplicate keys last-wins,
 * lone surrogate escapes rejected, numbers by serde's non-correctly-rounded float algorithm) and
 * return the canonical compact serialisation (§4.4, keys sorted by UTF-8 bytes).
 * Error: ARW_ERROR_INVALID_DATA with a message like serde's, including "at line L column C". */
char *arw_canonical_json_normalize (const char *data,
                                    gssize      len,
                                    gsize      *out_len,
                                    GError    **error);

/* The signature payload (§4.1): root must be an object (else the error message is exactly
 * "bundle manifest root must be a JSON object"); top-level "signatures" removed; canonical
 * compact bytes. */
GBytes *arw_canonical_json_payload (const char *data,
                                    gssize      len,
                                    GError    **error);

/* A parsed top-level object: members sorted, each value kept as canonical compact text. */
typedef struct _ArwCanonicalObject ArwCanonicalObject;

/* Non-object root: same error as arw_canonical_json_payload(). */
ArwCanonicalObject *arw_canonical_object_parse (const char *data,
                                                gssize      len,
                                                GError    **error);
/* Canonical text of the value, or NULL when absent. */
const char *arw_canonical_object_get (ArwCanonicalObject *self,
                                      const char         *key);
/* Add or replace; canonical_value must already be canonical compact JSON. */
void arw_canonical_object_set (ArwCanonicalObject *self,
                               const char         *key,
                               const char         *canonical_value);
gboolean arw_canonical_object_remove (ArwCanonicalObject *self,
                                      const char         *key);
/* Compact, or serde_json's PrettyFormatter layout. */
char *arw_canonical_object_to_string (ArwCanonicalObject *self,
                                      gboolean            pretty);
void arw_canonical_object_free (ArwCanonicalObject *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ArwCanonicalObject, arw_canonical_object_free)

/* Split a canonical array text into its elements' canonical texts (NULL + error if not an array). */
GPtrArray *arw_canonical_json_array_elements (const char *canonical_array,
                                              GError    **error);

/* serde_json PrettyFormatter re-indentation of canonical compact text: 2-space indent,
 * "key": value, empty {} and [], no trailing newline. */
char *arw_canonical_json_prettify (const char *canonical);

/* serde/ryu float layout (§4.4 Floats): 1000.0, 3.141592653589793, 0.00001, 1e16, 1.5e-7,
 * 5e-324, 0.0, -0.0 */
char *arw_json_format_double (double value);

/* Append a JSON string literal escaped exactly like serde_json (§4.4 Strings). */
void arw_json_append_string (GString    *out,
                             const char *utf8,
                             gssize      len);

G_END_DECLS
