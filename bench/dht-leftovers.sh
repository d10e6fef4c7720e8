#!/usr/bin/env bash
# One-shot DHT commands on a private loopback DHT (Tests/Fixtures/private_dht.py,
# 6 python-libtorrent nodes) after earlier one-shot runs: each earlier run is
# a new node (its own state dir and port) that joins and then dies. A full
# node would leave a dead entry in the others' routing tables for every run,
# and a later mutable lookup waits on each; a BEP 43 read-only node leaves none.
#   bench/dht-leftovers.sh            (LEFTOVERS=4 RUNS=3, BTX=path/to/btx)
set -euo pipefail
cd "$(dirname "$0")/.."
leftovers=${LEFTOVERS:-4}
runs=${RUNS:-3}
btx=$(realpath "${BTX:-.build/release/btx}")
[ -x "$btx" ] || swift build -c release >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/btx-bench-dht-left.XXXXXX")
mkfifo "$work/commands"
/usr/bin/python3 Tests/Fixtures/private_dht.py 6 < "$work/commands" > "$work/answers" &
fixture=$!
exec 3> "$work/commands"
trap 'exec 3>&-; kill $fixture 2>/dev/null; wait $fixture 2>/dev/null || true; rm -rf "$work"' EXIT
until grep -q ports "$work/answers" 2>/dev/null; do sleep 0.05; done
bootstrap=$(/usr/bin/python3 -c 'import json,sys; print(" ".join("--bootstrap 127.0.0.1:%d" % p for p in json.load(open(sys.argv[1]))["ports"]))' "$work/answers")
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s%N; }

key=$("$btx" dht-keygen --state-dir "$work/key" --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key"])')
run() {  # run NAME ARGS...: a one-shot node of its own; prints its milliseconds
    local state="$work/$1"; shift
    local start; start=$(now)
    "$btx" "$@" --state-dir "$state" --listen "127.0.0.1:$(free_port)" $bootstrap --timeout 60 >/dev/null
    local end; end=$(now)
    echo "$(( (end - start) / 1000000 ))"
}

echo "# private DHT of 6 loopback nodes; $leftovers one-shot puts first (each a new node that then dies)"
for i in $(seq 1 "$leftovers"); do
    printf 'leftover put %d: %d ms\n' "$i" "$(run "left$i" dht-put --mutable --key "$work/key/dht.key" "value $i")"
done
for r in $(seq 1 "$runs"); do
    put=$(run "put$r" dht-put --mutable --key "$work/key/dht.key" "round $r")
    get=$(run "get$r" dht-get "$key")
    printf 'mutable put then get, round %d: put %d ms, get %d ms\n' "$r" "$put" "$get"
done
