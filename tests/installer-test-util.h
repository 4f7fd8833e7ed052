/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Fixtures shared by test-installer.c and test-cli-store.c (installer, helper J). */

#include <gio/gio.h>

G_BEGIN_DECLS

/* A tar.gz of @n_files pseudo-random files of @file_size bytes each
 * ("data/file-NN.bin") plus an executable "bin/tool"; @seed varies it. */
GBytes *itu_make_tar_gz (guint32 seed, guint n_files, gsize file_size);
GBytes *itu_random_bytes (guint32 seed, gsize n);
char *itu_sha256 (GBytes *bytes);

typedef struct {
  const char *kind;
  const char *format; /* NULL: none */
  const char *url;    /* NULL: none */
  const char *sha256; /* NULL: none */
  gint64 size;        /* < 0: none */
} ItuArtifact;

/* Writes @dir/bundles.test.json: channel @channel (NULL: none) and one bundle @id. */
void itu_write_catalog (const char *dir, const char *channel, const char *id,
                        const ItuArtifact *artifacts, guint n_artifacts);

/* relpath -> sha256 of every regular file (directories map to "dir"),
 * optionally without history/; NULL when @dir does not exist. */
GHashTable *itu_snapshot_tree (const char *dir, gboolean skip_history);
/* Asserts equality; @what names the comparison in failures. */
void itu_assert_trees_equal (GHashTable *a, GHashTable *b, const char *what);
gboolean itu_trees_equal (GHashTable *a, GHashTable *b);
/* Number of entries in a directory (0 when it does not exist). */
guint itu_count_entries (const char *dir);

/* Signs bundle.json text with a vectors key ("key-a" …): pretty output. */
char *itu_sign_manifest (const char *text, const char *key_name, const char *key_id);
/* A bundle.json as a publisher would sign it: channel @channel, revision
 * @revision (< 0: none), artifacts as given. */
char *itu_manifest_text (const char *id, const char *channel, gint64 revision,
                         const ItuArtifact *artifacts, guint n_artifacts);

G_END_DECLS
