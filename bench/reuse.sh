#!/usr/bin/env bash
# A second hybrid torrent that shares a big file with one btx holds: how long
# `btx add` takes to complete it when the file is taken from the copy on disk
# (the v2 root index; a reflink where the filesystem clones, else a copy; or a
# hard link), against downloading it from a loopback seeder (--reuse off), with
# cp of the file as the floor. Either way libtorrent hash-checks the file. No
# anchor client reuses files: the download is the anchor.
#   bench/reuse.sh [SIZE_MIB]     (default 1024; RUNS=5)
# BENCH_OUT=DIR also writes hyperfine's JSON there.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
runs=${RUNS:-5}
btx=$(realpath "${BTX:-.build/release/btx}")
[ -x "$btx" ] || swift build -c release >/dev/null
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (make bench)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/btx-bench-reuse.XXXXXX")
seeder_state="$work/seeder"
cleanup() { "$btx" daemon --stop --state-dir "$seeder_state" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/src/first" "$work/src/second" "$work/got" "$seeder_state" "$work/leecher"
head -c "${size_mib}M" /dev/urandom > "$work/src/first/shared.bin"
cp "$work/src/first/shared.bin" "$work/src/second/common.bin"
head -c 1M /dev/urandom > "$work/src/first/only-first.bin"
head -c 1M /dev/urandom > "$work/src/second/only-second.bin"
for t in first second; do "$btx" create "$work/src/$t" -o "$work/$t.torrent" --hybrid -q >/dev/null; done
for s in "$seeder_state" "$work/leecher"; do printf 'dht = off\nlsd = off\nupnp = off\nnatpmp = off\n' > "$s/config"; done

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$btx" daemon -q --state-dir "$seeder_state" --listen "127.0.0.1:$port" --no-dht >/dev/null
"$btx" add -q --detach --seed --state-dir "$seeder_state" "$work/second.torrent" -o "$work/src" >/dev/null
# The leecher holds the first torrent, complete: its files are in the index.
cp -r "$work/src/first" "$work/got/first"
"$btx" add -q --state-dir "$work/leecher" --listen 127.0.0.1:0 --no-dht "$work/first.torrent" -o "$work/got" >/dev/null
sync

leech="$btx add -q --state-dir $work/leecher --listen 127.0.0.1:0 --no-dht -o $work/got --peer 127.0.0.1:$port $work/second.torrent"
forget="$btx remove second --delete --state-dir $work/leecher >/dev/null 2>&1; rm -rf $work/got/second $work/copy.bin; sync"
echo "# ${size_mib} MiB shared file + 1 MiB of its own, hybrid; $(nproc) cores; $runs runs"
hyperfine -N --style basic --warmup 1 --runs "$runs" --prepare "bash -c '$forget'" ${BENCH_OUT:+--export-json "$BENCH_OUT/reuse.json"} \
    -n "btx add, shared file from the copy held" "$leech" \
    -n "btx add --reuse link" "$leech --reuse link" \
    -n "btx add --reuse off (downloads it)" "$leech --reuse off" \
    -n "cp of the shared file" "cp $work/got/first/shared.bin $work/copy.bin" 2>&1 | grep -v '^ *Range\|^ *$'
