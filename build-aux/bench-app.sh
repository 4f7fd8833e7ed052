#!/usr/bin/env bash
# build-aux/bench app: the Launcher's start-up and search figures.
#   RUNS (default 5) runs per scenario; each on a fresh private session bus
#   (tests/test-session.conf), so the helper is D-Bus activated cold as well.
#   Scenarios: the bundled catalogs (configs/runtime + the demo catalog), and
#   a generated catalog of 10,000 bundles (5,000 families x 2 variants).
#   Goals (issue 5): cold start <= 400 ms bundled, <= 800 ms with 10,000
#   bundles; search keystroke to painted list <= 16 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD_DIR:-_build}
RUNS=${RUNS:-5}
APP="$PWD/$BUILD/src/app/arw-launcher"
CONF="$PWD/$BUILD/tests/test-session.conf"
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"

if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" "$0" "$@"
fi

work=$(mktemp -d /tmp/arw-bench-app.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/big" "$work/state-bundled" "$work/state-big"

/usr/bin/python3 - "$work/big/bundles.bench.json" <<'PY'
import json, sys
bundles = []
for i in range(5000):
    for acc, label in (("cpu", "CPU"), ("gpu_cuda", "NVIDIA CUDA")):
        bundles.append({
            "id": f"bench-engine-{i:05d}/linux-x86_64-{acc}",
            "name": f"Bench engine {i:05d} ({label})",
            "description": f"Generated engine number {i} for the start-up benchmark.",
            "adapter": "process", "modalities": ["text"] if i % 3 else ["audio", "text"],
            "accelerator": acc, "profiles": ["balanced"],
            "platforms": [{"os": "linux", "arch": "x86_64"}],
            "artifacts": [{"kind": "archive", "format": "tar.zst", "size_bytes": 1000000 + i}],
            "license": "MIT", "notes": ["generated"],
        })
json.dump({"version": 1, "channel": "preview", "bundles": bundles}, open(sys.argv[1], "w"))
PY

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# run_once NAME CATALOG_DIRS QUERY -> key=value lines on stdout
run_once() {
  local state=$1 dirs=$2 query=$3
  rm -rf "$state"; mkdir -p "$state"
  ARW_STATE_DIR="$state" ARW_RUNTIME_BUNDLE_DIR="$dirs" ARW_SECURITY_POSTURE=relaxed \
  ARW_HELPER_IDLE_TIMEOUT_MS=0 GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$PWD/$BUILD/data" \
  GTK_A11Y=none NO_AT_BRIDGE=1 GDK_BACKEND=x11 \
    dbus-run-session --config-file "$CONF" -- sh -c '
      ARW_LAUNCHER_BENCH=1 ARW_LAUNCHER_BENCH_QUERY="$2" ARW_LAUNCHER_BENCH_T0=$(date +%s%6N) \
        timeout 120 "$1" 2>/dev/null' sh "$APP" "$query" 2>/dev/null
}

scenario() {
  local name=$1 dirs=$2 query=$3
  local starts=() keys=() keymax=() works=() workmax=() rss=() rows=""
  for r in $(seq 1 "$RUNS"); do
    local out; out=$(run_once "$work/state-$name" "$dirs" "$query")
    starts+=("$(sed -n 's/^cold_start_ms=//p' <<<"$out")")
    keys+=("$(sed -n 's/^keystroke_ms_median=//p' <<<"$out")")
    keymax+=("$(sed -n 's/^keystroke_ms_max=//p' <<<"$out")")
    works+=("$(sed -n 's/^keystroke_work_ms_median=//p' <<<"$out")")
    workmax+=("$(sed -n 's/^keystroke_work_ms_max=//p' <<<"$out")")
    rss+=("$(sed -n 's/^rss_kib=//p' <<<"$out")")
    rows=$(sed -n 's/^rows=//p' <<<"$out")
  done
  printf '%-8s rows=%-5s cold start median %6.1f ms (runs: %s)\n' \
    "$name" "$rows" "$(printf '%s\n' "${starts[@]}" | median)" "$(echo "${starts[@]}" | tr ' ' ',')"
  printf '         keystroke to painted list: median %5.2f ms, worst %6.2f ms (includes waiting for the 60 Hz frame tick)\n' \
    "$(printf '%s\n' "${keys[@]}" | median)" "$(printf '%s\n' "${keymax[@]}" | sort -n | tail -1)"
  printf '         keystroke work (filter + list update + layout + paint): median %5.2f ms, worst %6.2f ms | RSS %5.1f MB\n' \
    "$(printf '%s\n' "${works[@]}" | median)" "$(printf '%s\n' "${workmax[@]}" | sort -n | tail -1)" \
    "$(printf '%s\n' "${rss[@]}" | median | awk '{print $1/1024}')"
}

for renderer in ${RENDERERS:-gl cairo}; do
  export GSK_RENDERER=$renderer
  echo "bench app: $RUNS runs per scenario; display $DISPLAY; GSK_RENDERER=$renderer"
  scenario bundled "$PWD/configs/runtime" "whisper"
  scenario 10000 "$PWD/configs/runtime;$work/big" "engine 0123"
done
echo "goals: cold start <= 400 ms (bundled), <= 800 ms (10,000 bundles); keystroke <= 16 ms"
