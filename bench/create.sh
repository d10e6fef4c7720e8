#!/usr/bin/env bash
# Times `btx create` against mktorrent (2 threads) and transmission-create on
# the same warm inputs, side by side in one run, and prints medians and ratios.
#   bench/create.sh [SIZE_MIB] [SMALL_FILES]     (defaults: 1024 and 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-1024}
small_files=${2:-5000}
runs=${RUNS:-5}
btx=${BTX:-.build/release/btx}
[ -x "$btx" ] || swift build -c release >/dev/null
for tool in mktorrent transmission-create hyperfine; do
    command -v $tool >/dev/null || { echo "bench: $tool is missing (make deps)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/btx-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
out="$work/out.torrent"

echo "# inputs: one ${size_mib} MiB file; ${small_files} files of 1-8 KiB; $(nproc) cores; $runs runs each"
head -c "${size_mib}M" /dev/urandom > "$work/big.bin"
mkdir "$work/small"
/usr/bin/python3 - "$work/small" "$small_files" <<'PY'
import os, random, sys
random.seed(1)
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "d%02d" % (i % 50))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d.txt" % i), "wb") as f:
        f.write(os.urandom(random.randint(1024, 8192)))
PY
cat "$work/big.bin" > /dev/null   # warm the page cache

bench() {  # name input piece_exponent
    local name=$1 input=$2 exp=$3 piece=$((1 << $3))
    hyperfine --style none --warmup 1 --runs "$runs" --export-json "$work/$name.json" \
        -n "btx v1" "$btx create $input -o $out --force --piece-size $piece -q" \
        -n "mktorrent -t2" "rm -f $out; mktorrent -t 2 -l $exp -o $out $input >/dev/null" \
        -n "transmission-create" "rm -f $out; transmission-create -s $((piece / 1024)) -o $out $input >/dev/null" \
        -n "btx hybrid" "$btx create $input -o $out --force --hybrid -q" >/dev/null
    /usr/bin/python3 - "$name" "$work/$name.json" <<'PY'
import json, statistics, sys
results = json.load(open(sys.argv[2]))["results"]
med = {r["command"]: statistics.median(r["times"]) for r in results}
base = med["btx v1"]
print(f"\n## {sys.argv[1]}")
print(f"{'tool':<22}{'median s':>10}{'vs btx v1':>12}")
for name, t in med.items():
    print(f"{name:<22}{t:>10.3f}{t / base:>11.2f}x")
PY
}

bench "${size_mib} MiB file, 1 MiB pieces" "$work/big.bin" 20
bench "${small_files} small files, 64 KiB pieces" "$work/small" 16
