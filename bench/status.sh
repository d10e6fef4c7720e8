#!/usr/bin/env bash
# One session at scale: `btx status --json` against a live daemon holding
# LIVE torrents and from saved state with SAVED torrents; `btx add --detach`
# of one more torrent to that daemon (a different one each run); and the
# daemon's resident memory, empty and loaded, per torrent.
#   bench/status.sh [LIVE] [SAVED]     (defaults 5000 and 1000; RUNS=30)
# BENCH_OUT=DIR also writes hyperfine's JSON there, and scale-rss.json.
set -euo pipefail
cd "$(dirname "$0")/.."
live=${1:-5000}
saved=${2:-1000}
runs=${RUNS:-30}
warmup=3
btx=$(realpath "${BTX:-.build/release/btx}")
[ -x "$btx" ] || swift build -c release >/dev/null
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (make bench)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/btx-bench-status.XXXXXX")
trap '"$btx" daemon --stop --state-dir "$work/live" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
# The live torrents (the saved case takes the first SAVED), then a pool of
# fresh ones for the add runs, one each.
pool=$((runs + warmup))
total=$(((live > saved ? live : saved) + pool))
/usr/bin/python3 - "$work" "$total" <<'PY'
import os, sys, libtorrent as lt
work, count = sys.argv[1], int(sys.argv[2])
os.makedirs(work + "/data"); os.makedirs(work + "/torrents")
for i in range(count):
    name = "item-%05d.bin" % i
    with open(os.path.join(work, "data", name), "wb") as f:
        f.write(os.urandom(4096))
    fs = lt.file_storage(); lt.add_files(fs, os.path.join(work, "data", name))
    t = lt.create_torrent(fs, 16384)
    lt.set_piece_hashes(t, work + "/data")
    with open(os.path.join(work, "torrents", name + ".torrent"), "wb") as f:
        f.write(lt.bencode(t.generate()))
PY
sync   # no measurement competes with writing these back
torrents=("$work"/torrents/*.torrent)
mkdir "$work/pool"
mv "${torrents[@]:$((total - pool))}" "$work/pool/"
for dir in live saved; do
    mkdir -p "$work/$dir"
    printf 'dht = off\nlsd = off\nupnp = off\nnatpmp = off\n' > "$work/$dir/config"
done
session="--listen 127.0.0.1:0 --no-dht"
"$btx" add -q --paused --state-dir "$work/saved" $session -o "$work/data" "${torrents[@]:0:$saved}" >/dev/null

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
pid=$("$btx" daemon --json --state-dir "$work/live" $session | /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["pid"])')
empty_rss=$(rss_kib "$pid")
started=$(date +%s%N)
"$btx" add --detach -q --state-dir "$work/live" -o "$work/data" "${torrents[@]:0:$live}" >/dev/null
# Loaded: every torrent past checking its files (each is complete on disk).
/usr/bin/python3 - "$btx" "$work/live" "$live" <<'PY'
import json, subprocess, sys, time
btx, state, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
deadline = time.monotonic() + 600
while True:
    torrents = json.loads(subprocess.run([btx, "status", "--json", "--state-dir", state], check=True,
                                         stdout=subprocess.PIPE).stdout)["torrents"]
    busy = sum(t["state"] in ("checking", "resuming", "metadata") for t in torrents)
    if len(torrents) == count and busy == 0:
        break
    if time.monotonic() > deadline:
        sys.exit("bench: %d of %d torrents loaded, %d still checking after 600 s" % (len(torrents), count, busy))
    time.sleep(0.5)
PY
loaded=$(date +%s%N)
loaded_rss=$(rss_kib "$pid")
per_torrent=$(( (loaded_rss - empty_rss) * 1024 / live ))
# Idle: what the loaded daemon costs while nothing happens (its own ticks and
# libtorrent's), over a window of a few seconds.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# A smoke run (RUNS=1) only checks that the figure is taken.
window=$(( runs > 1 ? 5 : 1 ))
idle_before=$(cpu_ticks "$pid")
sleep "$window"
idle_ms=$(( ($(cpu_ticks "$pid") - idle_before) * 1000 / $(getconf CLK_TCK) ))
printf '{"torrents": %d, "empty_kib": %d, "loaded_kib": %d, "bytes_per_torrent": %d, "load_seconds": %.1f, "idle_cpu_percent": %.1f}\n' \
    "$live" "$empty_rss" "$loaded_rss" "$per_torrent" "$(( (loaded - started) / 1000000 ))e-3" \
    "$(( idle_ms / window ))e-1" > "$work/rss.json"

echo "# btx status --json; $live torrents in a live daemon, $saved saved with no session; $runs runs"
hyperfine -N --style basic --warmup "$warmup" --runs "$runs" ${BENCH_OUT:+--export-json "$BENCH_OUT/scale-status.json"} \
    -n "live session, $live torrents" "$btx status --json --state-dir $work/live" \
    -n "saved state, $saved torrents" "$btx status --json --state-dir $work/saved" 2>&1 | grep -v '^ *Range\|^ *$'

# Not a target: the table a person reads, parsed from the same reply.
echo "# btx status (a table); $live torrents in a live daemon; $runs runs"
hyperfine -N --style basic --warmup "$warmup" --runs "$runs" ${BENCH_OUT:+--export-json "$BENCH_OUT/scale-table.json"} \
    -n "live session, $live torrents" "$btx status --state-dir $work/live" 2>&1 | grep -v '^ *Range\|^ *$'

# Each run adds a torrent the daemon has not seen: --prepare moves the next
# one from the pool into place.
echo "# btx add --detach of one more torrent to the daemon of $live; $runs runs"
hyperfine -N --style basic --warmup "$warmup" --runs "$runs" ${BENCH_OUT:+--export-json "$BENCH_OUT/scale-add.json"} \
    --prepare "sh -c 'next=\$(ls $work/pool | head -n 1); mv $work/pool/\$next $work/next.torrent'" \
    -n "add one more to $live torrents" "$btx add --detach -q --state-dir $work/live -o $work/data $work/next.torrent" \
    2>&1 | grep -v '^ *Range\|^ *$'

# A restart of the daemon with all of them saved: how long the stop takes,
# then how soon the new daemon answers (it loads the torrents behind) and
# when every one is in.
ms_now() { echo $(( $(date +%s%N) / 1000000 )); }
stop_started=$(ms_now)
"$btx" daemon --stop --state-dir "$work/live" >/dev/null
stop_ms=$(( $(ms_now) - stop_started ))
restart_started=$(ms_now)
"$btx" daemon -q --state-dir "$work/live" $session >/dev/null
answer_ms=$(( $(ms_now) - restart_started ))
/usr/bin/python3 - "$work/live" <<'PY'
import json, socket, sys, time
path, deadline = sys.argv[1] + "/run/control.sock", time.monotonic() + 600
while time.monotonic() < deadline:
    s = socket.socket(socket.AF_UNIX); s.connect(path); s.sendall(b'{"method":"ping"}\n')
    if "loading" not in json.loads(s.makefile().readline())["result"]: break
    s.close(); time.sleep(0.02)
PY
loaded_ms=$(( $(ms_now) - restart_started ))
/usr/bin/python3 - "$work/rss.json" "$stop_ms" "$answer_ms" "$loaded_ms" <<'PY'
import json, sys
path, stop, answer, loaded = sys.argv[1], *map(int, sys.argv[2:])
figures = json.load(open(path))
figures.update(stop_seconds=stop / 1000, restart_answer_seconds=answer / 1000, restart_loaded_seconds=loaded / 1000)
json.dump(figures, open(path, "w"))
PY

echo; echo "## daemon RSS, KiB: empty, then with $live torrents loaded; restart times"; cat "$work/rss.json"
[ -n "${BENCH_OUT:-}" ] && cp "$work/rss.json" "$BENCH_OUT/scale-rss.json"
exit 0
