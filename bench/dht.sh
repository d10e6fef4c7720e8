#!/usr/bin/env bash
# One-shot `btx dht-get` on a private loopback DHT (Tests/Fixtures/private_dht.py,
# 8 python-libtorrent nodes): cold (no saved routing table) against warm
# (dht.state from the previous run), with hyperfine; then a signed (mutable)
# item put and read back, each a one-shot command.
#   bench/dht.sh      (RUNS=20)
# BENCH_OUT=DIR also writes hyperfine's JSON there.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-20}
btx=$(realpath "${BTX:-.build/release/btx}")
[ -x "$btx" ] || swift build -c release >/dev/null
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (make bench)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/btx-bench-dht.XXXXXX")
mkfifo "$work/commands"
/usr/bin/python3 Tests/Fixtures/private_dht.py 8 < "$work/commands" > "$work/answers" &
fixture=$!
exec 3> "$work/commands"
trap 'exec 3>&-; kill $fixture 2>/dev/null; wait $fixture 2>/dev/null || true; rm -rf "$work"' EXIT
until grep -q ports "$work/answers" 2>/dev/null; do sleep 0.05; done
bootstrap=$(/usr/bin/python3 -c 'import json,sys; print(" ".join("--bootstrap 127.0.0.1:%d" % p for p in json.load(open(sys.argv[1]))["ports"]))' "$work/answers")
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
common="--state-dir $work/state --listen 127.0.0.1:$port $bootstrap"
target=$("$btx" dht-put --json $common "benchmark value" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["target"])')

echo "# dht-get of an immutable item on a private DHT of 8 loopback nodes; $runs runs"
hyperfine -N --style basic --warmup 2 --runs "$runs" ${BENCH_OUT:+--export-json "$BENCH_OUT/dht-get.json"} \
    --prepare "rm -f $work/state/dht.state" -n "cold (no dht.state)" "$btx dht-get $common $target" \
    -n "warm (saved dht.state)" "$btx dht-get $common $target" 2>&1 | grep -v '^ *Range\|^ *$'

# dht-put --mutable looks up the item's seq first and puts seq + 1: each run
# is a real update that every node holding the item must accept. (It was
# kept out of make test's smoke run while one cold dht-get in forty came
# back empty on a loaded machine; a read-only dht-get fixed that.)
public_key=$("$btx" dht-put --json --mutable --salt bench $common "benchmark 0" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key"])')
echo "# a mutable item on the same DHT, warm; $runs runs"
hyperfine -N --style basic --warmup 1 --runs "$runs" ${BENCH_OUT:+--export-json "$BENCH_OUT/dht-mutable.json"} \
    -n "dht-put --mutable" "$btx dht-put --mutable --salt bench $common updated" \
    -n "dht-get of it" "$btx dht-get $public_key --salt bench $common" 2>&1 | grep -v '^ *Range\|^ *$'
