#!/usr/bin/env bash
# Times `btx create` against mktorrent (2 threads), transmission-create and
# libtorrent's own C++ create_torrent with 2 hashing threads (lt_create.cpp,
# compiled here with g++) on the same warm inputs, side by side in one run;
# prints medians and ratios, and each tool's peak RSS on the big file.
#   bench/create.sh [SIZE_MIB] [SMALL_FILES]     (defaults: 1024 and 10000; RUNS=3)
# BENCH_OUT=DIR also writes hyperfine's JSON per case and rss.json there.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
small_files=${2:-10000}
runs=${RUNS:-3}
btx=$(realpath "${BTX:-.build/release/btx}")
[ -x "$btx" ] || swift build -c release >/dev/null
for tool in mktorrent transmission-create hyperfine g++ pkg-config; do
    command -v $tool >/dev/null || { echo "bench: $tool is missing (make bench)" >&2; exit 1; }
done

# The C++ anchor, rebuilt when its source changes (about 10 s with libtorrent's headers).
anchor=.build/bench/lt_create
if [ ! -x $anchor ] || [ bench/lt_create.cpp -nt $anchor ]; then
    mkdir -p .build/bench
    g++ -O2 -std=c++17 -o $anchor bench/lt_create.cpp $(pkg-config --cflags --libs libtorrent-rasterbar)
fi
anchor=$(realpath $anchor)

work=$(mktemp -d "${TMPDIR:-/tmp}/btx-bench-create.XXXXXX")
trap 'rm -rf "$work"' EXIT
out="$work/out.torrent"

echo "# create: one ${size_mib} MiB file; ${small_files} files of 1-8 KiB; $(nproc) cores; $runs runs each"
head -c "${size_mib}M" /dev/urandom > "$work/big.bin"
/usr/bin/python3 bench/small_files.py "$work/small" "$small_files"
cat "$work/big.bin" > /dev/null   # warm the page cache
sync   # and write it back: no run competes with the flusher

bench() {  # case-id title, then name/command pairs; the first is btx
    local id=$1 title=$2; shift 2
    local args=()
    while [ $# -gt 0 ]; do args+=(-n "$1" "$2"); shift 2; done
    hyperfine -N --style none --warmup 1 --runs "$runs" --prepare "rm -f $out" \
        --export-json "$work/$id.json" "${args[@]}" >/dev/null
    [ -n "${BENCH_OUT:-}" ] && cp "$work/$id.json" "$BENCH_OUT/$id.json"
    /usr/bin/python3 - "$title" "$work/$id.json" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[2]))["results"]
base = statistics.median(results[0]["times"])
print(f"\n## {sys.argv[1]}")
print(f"{'tool':<40}{'median s':>10}{'vs btx':>10}")
for r in results:
    t = statistics.median(r["times"])
    print(f"{r['command']:<40}{t:>10.3f}{t / base:>9.2f}x")
PY
}

big="$work/big.bin" small="$work/small"
bench create-v1-big "create v1, one ${size_mib} MiB file, 1 MiB pieces" \
    "btx create --v1" "$btx create $big -o $out --force -q --piece-size 1M" \
    "mktorrent -t2" "mktorrent -t 2 -l 20 -o $out $big" \
    "transmission-create" "transmission-create -s 1024 -o $out $big"
bench create-v1-small "create v1, ${small_files} small files, 64 KiB pieces" \
    "btx create --v1" "$btx create $small -o $out --force -q --piece-size 64K" \
    "mktorrent -t2" "mktorrent -t 2 -l 16 -o $out $small" \
    "transmission-create" "transmission-create -s 64 -o $out $small"
bench create-hybrid-big "create hybrid, one ${size_mib} MiB file, 1 MiB pieces" \
    "btx create --hybrid" "$btx create $big -o $out --force -q --hybrid --piece-size 1M" \
    "libtorrent C++, 2 hashing threads" "$anchor $big 1048576 hybrid 2 $out"
bench create-hybrid-small "create hybrid, ${small_files} small files (btx: automatic pieces; libtorrent: 1 MiB)" \
    "btx create --hybrid" "$btx create $small -o $out --force -q --hybrid" \
    "libtorrent C++, 2 hashing threads" "$anchor $small 1048576 hybrid 2 $out"

# Peak RSS (KiB) of one run each on the big file: mapped file pages count.
rss() { rm -f "$out"; /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
{
    printf '{"btx create --v1": %s, ' "$(rss "$btx" create "$big" -o "$out" --force -q --piece-size 1M)"
    printf '"btx create --hybrid": %s, ' "$(rss "$btx" create "$big" -o "$out" --force -q --hybrid --piece-size 1M)"
    printf '"mktorrent -t2": %s, ' "$(rss mktorrent -t 2 -l 20 -o "$out" "$big")"
    printf '"libtorrent C++ hybrid": %s}\n' "$(rss "$anchor" "$big" 1048576 hybrid 2 "$out")"
} > "$work/rss.json"
[ -n "${BENCH_OUT:-}" ] && cp "$work/rss.json" "$BENCH_OUT/create-rss.json"
echo; echo "## peak RSS, KiB, ${size_mib} MiB file"; cat "$work/rss.json"
