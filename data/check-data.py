#!/usr/bin/env python3
# Checks for the desktop platform data (meson test suite "data").
# Each subcommand exits 0 on success, 1 on failure and 77 (skip) when a tool
# it needs is missing.  Standard library only.

import argparse
import configparser
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SKIP = 77
SVG_NS = '{http://www.w3.org/2000/svg}'
XML_LANG = '{http://www.w3.org/XML/1998/namespace}lang'


def fail(msg):
    print('FAIL: ' + msg, file=sys.stderr)
    return 1


def read_keyfile(path):
    parser = configparser.ConfigParser(interpolation=None, strict=True,
                                       delimiters=('=',),
                                       comment_prefixes=('#',))
    parser.optionxform = str
    with open(path, encoding='utf-8') as f:
        parser.read_file(f)
    return parser


def cmd_keyfile(args):
    """GROUP KEY=VALUE asserts a value, !KEY asserts the key is absent."""
    with open(args.file, encoding='utf-8') as f:
        text = f.read()
    if '@' in text:
        return fail(f'{args.file}: unsubstituted @placeholder@ left')
    kf = read_keyfile(args.file)
    if not kf.has_section(args.group):
        return fail(f'{args.file}: no [{args.group}] group')
    group = kf[args.group]
    errors = 0
    for spec in args.expect:
        if spec.startswith('!'):
            if spec[1:] in group:
                errors += fail(f'{spec[1:]}= must not be set, is "{group[spec[1:]]}"')
            continue
        key, want = spec.split('=', 1)
        have = group.get(key)
        if have != want:
            errors += fail(f'{key}= is {have!r}, want {want!r}')
        else:
            print(f'ok {key}={want}')
    return 1 if errors else 0


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    if head[:8] != b'\x89PNG\r\n\x1a\n':
        return None
    return struct.unpack('>II', head[16:24])


def cmd_icon(args):
    """Parse the SVG, check its canvas, and render it when rsvg-convert exists."""
    root = ET.parse(args.file).getroot()
    if root.tag != SVG_NS + 'svg':
        return fail(f'root element is {root.tag}, want svg in the SVG namespace')
    size = str(args.size)
    if root.get('width') != size or root.get('height') != size:
        return fail(f'canvas is {root.get("width")}x{root.get("height")}, want {size}x{size}')
    if root.get('viewBox') != f'0 0 {size} {size}':
        return fail(f'viewBox is {root.get("viewBox")!r}, want "0 0 {size} {size}"')
    for bad in ('image', 'text', 'script'):
        if any(True for _ in root.iter(SVG_NS + bad)):
            return fail(f'icons must not contain <{bad}>')
    print(f'ok parsed {args.file} ({size}x{size})')
    rsvg = shutil.which('rsvg-convert')
    if rsvg is None:
        print('rsvg-convert not found: parsed only')
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'icon.png')
        proc = subprocess.run([rsvg, '-o', out, args.file],
                              capture_output=True, text=True)
        if proc.returncode != 0 or proc.stderr:
            return fail(f'rsvg-convert rc {proc.returncode}: {proc.stderr}')
        if png_size(out) != (args.size, args.size):
            return fail(f'rendered size {png_size(out)}, want {args.size}x{args.size}')
    print('ok rendered with rsvg-convert')
    return 0


def cmd_systemd_verify(args):
    """systemd-analyze verify, failing on any diagnostic (unknown keys only warn)."""
    analyze = shutil.which('systemd-analyze')
    if analyze is None:
        print('systemd-analyze not found')
        return SKIP
    with open(args.file, encoding='utf-8') as f:
        lines = f.read().splitlines()
    with tempfile.TemporaryDirectory() as tmp:
        unit = os.path.join(tmp, os.path.basename(args.file))
        with open(unit, 'w', encoding='utf-8') as f:
            for line in lines:
                # The helper is not installed: point at a binary that exists.
                if line.startswith('ExecStart='):
                    line = 'ExecStart=' + (shutil.which('true') or '/bin/true')
                f.write(line + '\n')
        proc = subprocess.run([analyze, 'verify', unit],
                              capture_output=True, text=True)
    output = (proc.stdout + proc.stderr).strip()
    if 'Failed to initialize manager' in output or 'Failed to lookup' in output:
        print('systemd-analyze cannot run here: ' + output)
        return SKIP
    if proc.returncode != 0 or output:
        return fail(f'systemd-analyze verify rc {proc.returncode}:\n{output}')
    print('ok systemd-analyze verify')
    return 0


def cmd_gsettings(args):
    """KEY=VALUE, VALUE as `gsettings get` prints it, from the compiled schema."""
    gsettings = shutil.which('gsettings')
    if gsettings is None:
        print('gsettings not found')
        return SKIP
    env = dict(os.environ, GSETTINGS_BACKEND='memory')
    errors = 0
    for spec in args.expect:
        key, want = spec.split('=', 1)
        proc = subprocess.run([gsettings, '--schemadir', args.schemadir, 'get',
                               args.schema, key],
                              capture_output=True, text=True, env=env)
        have = proc.stdout.strip()
        if proc.returncode != 0 or have != want:
            errors += fail(f'{key}: got {have!r} (rc {proc.returncode}: '
                           f'{proc.stderr.strip()}), want {want!r}')
        else:
            print(f'ok {key} = {have}')
    return 1 if errors else 0


def cmd_metainfo_lang(args):
    """The merged metainfo carries LANG for the summary and every caption."""
    root = ET.parse(args.file).getroot()
    errors = 0
    checks = [('summary', root.findall('summary'))]
    for i, shot in enumerate(root.iter('screenshot')):
        checks.append((f'screenshot {i + 1} caption', shot.findall('caption')))
    for what, elems in checks:
        langs = {e.get(XML_LANG) for e in elems}
        if None not in langs:
            errors += fail(f'{what}: untranslated original missing')
        if args.lang not in langs:
            errors += fail(f'{what}: no xml:lang="{args.lang}" translation')
        else:
            print(f'ok {what} has {args.lang}')
    return 1 if errors else 0


def cmd_po_coverage(args):
    """Every string in the given data files has a real translation in PO."""
    xgettext = shutil.which('xgettext')
    msgcmp = shutil.which('msgcmp')
    if xgettext is None or msgcmp is None:
        print('gettext tools not found')
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'data.pot')
        proc = subprocess.run([xgettext, '--from-code=UTF-8', '-o', pot]
                              + args.sources, capture_output=True, text=True)
        if proc.returncode != 0:
            return fail('xgettext: ' + proc.stderr)
        # Untranslated and fuzzy entries in PO count as missing.
        proc = subprocess.run([msgcmp, args.po, pot], capture_output=True, text=True)
    if proc.returncode != 0:
        return fail(f'{args.po} does not translate every data string:\n{proc.stderr}')
    print(f'ok {args.po} covers {len(args.sources)} data files')
    return 0


def cmd_flatpak_manifest(args):
    """Parse the manifest as JSON and check what meson cannot see."""
    with open(args.file, encoding='utf-8') as f:
        manifest = json.load(f)
    errors = 0
    if manifest.get('id') != args.app_id:
        errors += fail(f'id is {manifest.get("id")!r}, want {args.app_id!r}')
    modules = {m.get('name'): m for m in manifest.get('modules', [])}
    app = modules.get(args.module)
    if app is None:
        return fail(f'no module named {args.module!r}')
    if '-Dsystemd=false' not in app.get('config-opts', []):
        errors += fail('the app module must build with -Dsystemd=false')
    for src in app.get('sources', []):
        if src.get('type') == 'dir':
            path = os.path.join(os.path.dirname(os.path.abspath(args.file)), src['path'])
            if not os.path.isfile(os.path.join(path, 'meson.build')):
                errors += fail(f'dir source {src["path"]!r} is not the project root')
    for m in manifest.get('modules', []):
        for src in m.get('sources', []):
            if src.get('type') in ('archive', 'file') and len(src.get('sha256', '')) != 64:
                errors += fail(f'module {m.get("name")}: source without a sha256')
    if not errors:
        print(f'ok {args.file}')
    return 1 if errors else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest='cmd', required=True)

    p = sub.add_parser('keyfile')
    p.add_argument('file')
    p.add_argument('group')
    p.add_argument('expect', nargs='+')
    p.set_defaults(func=cmd_keyfile)

    p = sub.add_parser('icon')
    p.add_argument('file')
    p.add_argument('size', type=int)
    p.set_defaults(func=cmd_icon)

    p = sub.add_parser('systemd-verify')
    p.add_argument('file')
    p.set_defaults(func=cmd_systemd_verify)

    p = sub.add_parser('gsettings')
    p.add_argument('schemadir')
    p.add_argument('schema')
    p.add_argument('expect', nargs='+')
    p.set_defaults(func=cmd_gsettings)

    p = sub.add_parser('metainfo-lang')
    p.add_argument('file')
    p.add_argument('lang')
    p.set_defaults(func=cmd_metainfo_lang)

    p = sub.add_parser('po-coverage')
    p.add_argument('po')
    p.add_argument('sources', nargs='+')
    p.set_defaults(func=cmd_po_coverage)

    p = sub.add_parser('flatpak-manifest')
    p.add_argument('file')
    p.add_argument('app_id')
    p.add_argument('module')
    p.set_defaults(func=cmd_flatpak_manifest)

    args = ap.parse_args()
    return args.func(args)


if __name__ == '__main__':
    sys.exit(main())
