/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Serialise a json-glib tree the way ARW's CLI prints JSON (serde_json, keys sorted by UTF-8
 * bytes): integers plain, doubles via arw_json_format_double(), strings via
 * arw_json_append_string(), compact or serde pretty (2-space indent, no trailing newline). */
char *arw_json_to_string (JsonNode *node,
                          gboolean  pretty);

G_END_DECLS
