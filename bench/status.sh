#!/usr/bin/env bash
# Latency of `btx status --json`: against a live session (btx daemon) holding
# 500 torrents, and from saved state with 1,000 saved torrents.
#   bench/status.sh [LIVE] [SAVED]     (defaults 500 and 1000; RUNS=30)
# BENCH_OUT=DIR also writes hyperfine's JSON there.
set -euo pipefail
cd "$(dirname "$0")/.."
live=${1:-500}
saved=${2:-1000}
runs=${RUNS:-30}
btx=$(realpath "${BTX:-.build/release/btx}")
[ -x "$btx" ] || swift build -c release >/dev/null
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (make bench)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/btx-bench-status.XXXXXX")
trap '"$btx" daemon --stop --state-dir "$work/live" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
/usr/bin/python3 - "$work" "$saved" <<'PY'
import os, sys, libtorrent as lt
work, count = sys.argv[1], int(sys.argv[2])
os.makedirs(work + "/data"); os.makedirs(work + "/torrents")
for i in range(count):
    name = "item-%04d.bin" % i
    with open(os.path.join(work, "data", name), "wb") as f:
        f.write(os.urandom(4096))
    fs = lt.file_storage(); lt.add_files(fs, os.path.join(work, "data", name))
    t = lt.create_torrent(fs, 16384)
    lt.set_piece_hashes(t, work + "/data")
    with open(os.path.join(work, "torrents", name + ".torrent"), "wb") as f:
        f.write(lt.bencode(t.generate()))
PY
for dir in live saved; do
    mkdir -p "$work/$dir"
    printf 'dht = off\nlsd = off\nupnp = off\nnatpmp = off\n' > "$work/$dir/config"
done
session="--listen 127.0.0.1:0 --no-dht"
"$btx" add -q --paused --state-dir "$work/saved" $session -o "$work/data" "$work"/torrents/*.torrent >/dev/null
"$btx" daemon --state-dir "$work/live" $session >/dev/null
torrents=("$work"/torrents/*.torrent)
"$btx" add --detach -q --state-dir "$work/live" -o "$work/data" "${torrents[@]:0:$live}" >/dev/null

echo "# btx status --json; $live torrents in a live daemon, $saved saved with no session; $runs runs"
hyperfine -N --style basic --warmup 3 --runs "$runs" ${BENCH_OUT:+--export-json "$BENCH_OUT/scale-status.json"} \
    -n "live session, $live torrents" "$btx status --json --state-dir $work/live" \
    -n "saved state, $saved torrents" "$btx status --json --state-dir $work/saved" 2>&1 | grep -v '^ *Range\|^ *$'
