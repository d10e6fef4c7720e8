#!/usr/bin/env bash
# Start-up: `btx info` and `btx files` on a torrent of many small files
# against transmission-show (which prints both), and `btx --version`.
#   bench/startup.sh [FILES]     (default 10000; RUNS=20)
# BENCH_OUT=DIR also writes hyperfine's JSON per case there.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-10000}
runs=${RUNS:-20}
btx=$(realpath "${BTX:-.build/release/btx}")
[ -x "$btx" ] || swift build -c release >/dev/null
for tool in transmission-show hyperfine; do
    command -v $tool >/dev/null || { echo "bench: $tool is missing (make bench)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/btx-bench-startup.XXXXXX")
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 bench/small_files.py "$work/small" "$files"
torrent="$work/small.torrent"
"$btx" create "$work/small" -o "$torrent" -q --no-date >/dev/null

echo "# start-up: a torrent of $files files; $runs runs each"
bench() {  # case-id, then name/command pairs; the first is btx
    local id=$1; shift
    local args=()
    while [ $# -gt 0 ]; do args+=(-n "$1" "$2"); shift 2; done
    hyperfine -N --style basic --warmup 3 --runs "$runs" --output=pipe \
        ${BENCH_OUT:+--export-json "$BENCH_OUT/$id.json"} "${args[@]}" 2>&1 | grep -v '^ *Range\|^ *$'
}
bench startup-info "btx info" "$btx info $torrent" "transmission-show" "transmission-show $torrent"
bench startup-files "btx files" "$btx files $torrent" "transmission-show" "transmission-show $torrent"
bench startup-version "btx --version" "$btx --version" "transmission-show --version" "transmission-show --version"
