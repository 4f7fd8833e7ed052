#!/usr/bin/env bash
# Differential check of arw_canonical_json_normalize() against real serde_json (manual, not run by
# CI). Needs Debian's packaged crates (apt-get install librust-serde-json-dev) and cargo.
# Debian 12 ships serde_json 1.0.87, older than ARW's 1.0.145; two known differences are ignored:
#  - error column of an invalid \u escape (1.0.145 reports it 4 bytes on, after the whole escape);
#  - 1.0.87 accepts "<more than 20 digits>." with no fraction digit (1.0.145 rejects it).
# Usage: tests/fuzz/differential/serde-differential.sh BUILD_DIR [COUNT] [SEED]
set -euo pipefail
build=$(realpath "$1"); count=${2:-200000}; seed=${3:-1}
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/oracle/src" "$work/oracle/.cargo"
cat > "$work/oracle/.cargo/config.toml" <<'TOML'
[source.crates-io]
replace-with = "debian"
[source.debian]
directory = "/usr/share/cargo/registry"
[net]
offline = true
TOML
cat > "$work/oracle/Cargo.toml" <<'TOML'
[package]
name = "serde-oracle"
version = "0.1.0"
edition = "2021"
[dependencies]
serde_json = "1"
TOML
cat > "$work/oracle/src/main.rs" <<'RS'
use std::io::{BufRead, Write};
fn main() {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let hex = line.trim();
        let bytes: Vec<u8> = (0..hex.len()).step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
        match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(v) => {
                let s = serde_json::to_string(&v).unwrap();
                let h: String = s.bytes().map(|b| format!("{:02x}", b)).collect();
                writeln!(out, "OK {}", h).unwrap();
            }
            Err(e) => writeln!(out, "ERR {}", e).unwrap(),
        }
    }
}
RS
(cd "$work/oracle" && cargo build --release -q)
python3 "$here/gen-inputs.py" "$count" "$seed" > "$work/in.hex"
"$work/oracle/target/release/serde-oracle" < "$work/in.hex" > "$work/serde.out"
"$build/tests/fuzz/canonical-filter" < "$work/in.hex" > "$work/ours.out"
python3 - "$work" <<'PY'
import re, sys
w = sys.argv[1]
ins = open(w + '/in.hex').read().split()
serde = open(w + '/serde.out').read().split('\n')
ours = open(w + '/ours.out').read().split('\n')
bad = 0
known = 0
for i, (h, s, o) in enumerate(zip(ins, serde, ours)):
    if s == o:
        continue
    strip = lambda m: re.sub(r' at line \d+ column \d+$', '', m)
    data = bytes.fromhex(h)
    if strip(s) == strip(o) == 'ERR invalid escape' or re.search(rb'\d{20,}\.(?!\d)', data):
        known += 1
        continue
    bad += 1
    if bad <= 20:
        print(data[:200], '\n  serde:', s[:160], '\n  ours: ', o[:160])
ok = sum(1 for s in serde if s.startswith('OK'))
print(f'{len(ins)} inputs, {ok} accepted by serde, {known} known version differences, {bad} mismatches')
sys.exit(1 if bad else 0)
PY
