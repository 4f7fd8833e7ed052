#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# usage: pack-demo-runtime.sh BINARY STAGEDIR OUTPUT
# A reproducible tar.gz with the layout bin/arw-demo-runtime.
set -eu
bin=$1 stage=$2 out=$3
rm -rf "$stage"
mkdir -p "$stage/bin"
cp "$bin" "$stage/bin/arw-demo-runtime"
chmod 0755 "$stage/bin/arw-demo-runtime"
tar --owner=0 --group=0 --numeric-owner --mtime=@0 --sort=name --format=gnu \
    -C "$stage" -cf - bin | gzip -n -9 > "$out.tmp"
mv "$out.tmp" "$out"
