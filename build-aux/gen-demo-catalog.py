#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fills the demo catalog template with the tarball's sha256 and size.

usage: gen-demo-catalog.py TEMPLATE TARBALL URL ARCH OUTPUT
URL "--relative" means the tarball's file name (a catalog-relative url)."""
import hashlib
import json
import os
import sys


def main():
    template, tarball, url, arch, output = sys.argv[1:6]
    digest = hashlib.sha256()
    with open(tarball, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            digest.update(chunk)
    if url == "--relative":
        url = os.path.basename(tarball)
    with open(template, encoding='utf-8') as f:
        text = f.read()
    text = (text.replace('@URL@', url)
                .replace('@SHA256@', digest.hexdigest())
                .replace('@SIZE_BYTES@', str(os.path.getsize(tarball)))
                .replace('@ARCH@', arch))
    json.loads(text)  # fail the build on a broken template
    tmp = output + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
    os.replace(tmp, output)


if __name__ == '__main__':
    main()
