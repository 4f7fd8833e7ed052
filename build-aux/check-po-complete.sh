#!/bin/bash
# Fails unless po/de.po translates every message of the current sources.
#
# Usage: check-po-complete.sh SOURCE_ROOT [LANG]
#
# Extracts a fresh template from the files in po/POTFILES.in with the same
# xgettext arguments as meson's 'glib' preset, merges the translation with it
# into a temporary file and fails if anything is untranslated or fuzzy. It
# also fails when xgettext cuts a msgid short because of a macro inside a
# format string (G_GINT64_FORMAT and friends): such a message can never be
# found at run time, whatever the .po file says.
# Nothing in the source tree is written. Exits 77 (skipped) without gettext.
set -euo pipefail

srcroot=${1:?usage: check-po-complete.sh SOURCE_ROOT [LANG]}
lang=${2:-de}
po="$srcroot/po/$lang.po"
export LC_ALL=C

for tool in xgettext msgmerge msgfmt msgattrib; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool not found"
    exit 77
  fi
done

tmp=$(mktemp -d)
cleanup () {
  rm -rf "$tmp"
}
trap cleanup EXIT

xgettext --package-name=arw-launcher --output="$tmp/template.pot" \
  --directory="$srcroot" --files-from="$srcroot/po/POTFILES.in" \
  --from-code=UTF-8 --add-comments \
  --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --keyword=ngettext:1,2 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
  --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
  --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format \
  2>"$tmp/xgettext.log"

status=0
if grep -q 'not a valid C format string' "$tmp/xgettext.log"; then
  echo "FAIL: xgettext cut these msgids short; use a plain conversion such as %lld with a cast" \
       "instead of a G_*_FORMAT macro inside a translatable string:"
  grep -B1 'not a valid C format string' "$tmp/xgettext.log" || true
  status=1
fi

msgmerge --quiet --no-wrap --output-file="$tmp/merged.po" "$po" "$tmp/template.pot"
if ! stats=$(msgfmt --check --statistics --output-file=/dev/null "$tmp/merged.po" 2>&1); then
  echo "FAIL: msgfmt --check rejects po/$lang.po:"
  echo "$stats"
  exit 1
fi
echo "po/$lang.po against the current sources: $stats"

if [[ $stats == *untranslated* || $stats == *fuzzy* ]]; then
  echo "FAIL: po/$lang.po is incomplete; run 'ninja -C _build arw-launcher-pot arw-launcher-update-po'" \
       "and translate these messages:"
  # Every entry but the header, without the translator comments.
  for which in --untranslated --only-fuzzy; do
    msgattrib "$which" --no-obsolete "$tmp/merged.po" | awk 'BEGIN { RS = ""; ORS = "\n\n" } NR > 1' | grep -v '^#\.' || true
  done
  status=1
fi

exit $status
