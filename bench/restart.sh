#!/usr/bin/env bash
# How long `btx add` takes on a torrent that is already complete: resume data
# only (the everyday restart) against a full recheck (no resume data), with
# libtorrent's python binding doing the same as the anchor.
#   bench/restart.sh [SIZE_MIB]     (default 2048; RUNS=10)
# BENCH_OUT=DIR also writes hyperfine's JSON there.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-2048}
runs=${RUNS:-10}
btx=$(realpath "${BTX:-.build/release/btx}")
[ -x "$btx" ] || swift build -c release >/dev/null
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (make bench)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/btx-bench-restart.XXXXXX")
trap 'rm -rf "$work"' EXIT
head -c "${size_mib}M" /dev/urandom > "$work/payload.bin"
"$btx" create "$work/payload.bin" -o "$work/payload.torrent" -q >/dev/null
mkdir "$work/state"
printf 'dht = off\nlsd = off\nupnp = off\nnatpmp = off\n' > "$work/state/config"
add="$btx add -q --state-dir $work/state --listen 127.0.0.1:0 --no-dht -o $work $work/payload.torrent"
$add >/dev/null   # checks the file once and saves resume data
sync   # no run competes with writing back the payload

cat > "$work/python_restart.py" <<'PY'
import sys, time, libtorrent as lt
s = lt.session({"listen_interfaces": "127.0.0.1:0", "enable_dht": False, "enable_lsd": False,
                "enable_upnp": False, "enable_natpmp": False})
with open(sys.argv[1], "rb") as f:
    p = lt.read_resume_data(f.read())
h = s.add_torrent(p)
while not h.status().is_seeding:
    time.sleep(0.001)
PY
/usr/bin/python3 - "$work" <<'PY'
import sys, time, libtorrent as lt
work = sys.argv[1]
s = lt.session({"listen_interfaces": "127.0.0.1:0", "enable_dht": False, "enable_lsd": False,
                "enable_upnp": False, "enable_natpmp": False})
p = lt.add_torrent_params(); p.ti = lt.torrent_info(work + "/payload.torrent"); p.save_path = work
h = s.add_torrent(p)
while not h.status().is_seeding:
    time.sleep(0.01)
h.save_resume_data(lt.torrent_handle.save_info_dict)
while True:
    a = s.wait_for_alert(5000)
    alerts = s.pop_alerts()
    done = [x for x in alerts if isinstance(x, lt.save_resume_data_alert)]
    if done:
        open(work + "/python.resume", "wb").write(lt.write_resume_data_buf(done[0].params))
        break
PY

echo "# ${size_mib} MiB torrent, already complete on disk; $(nproc) cores; $runs runs"
hyperfine -N --style basic --warmup 1 --runs "$runs" ${BENCH_OUT:+--export-json "$BENCH_OUT/restart.json"} \
    -n "btx add (resume data)" "$add" \
    -n "python-libtorrent (resume data)" "/usr/bin/python3 $work/python_restart.py $work/python.resume" \
    -n "btx add (full recheck)" "bash -c 'rm -f $work/state/resume/*.resume; exec $add'" 2>&1 | grep -v '^ *Range\|^ *$'
