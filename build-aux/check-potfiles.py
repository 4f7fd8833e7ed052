#!/usr/bin/env python3
"""Fails when a source file marks strings for translation but is missing
from po/POTFILES.in, or when POTFILES.in names a file that does not exist."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
listed = {l.strip() for l in (root / 'po' / 'POTFILES.in').read_text().splitlines()
          if l.strip() and not l.startswith('#')}
marked = set()
for path in list((root / 'src').rglob('*.c')) + list((root / 'src').rglob('*.ui')):
    text = path.read_text(errors='replace')
    if re.search(r'\b(_|N_|C_|ngettext)\s*\(|translatable="yes"', text):
        marked.add(str(path.relative_to(root)))
missing = sorted(marked - listed)
stale = sorted(f for f in listed if not (root / f).exists())
for f in missing:
    print(f'po/POTFILES.in lacks {f} (it has translatable strings)')
for f in stale:
    print(f'po/POTFILES.in lists {f}, which does not exist')
sys.exit(1 if missing or stale else 0)
