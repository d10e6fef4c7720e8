#!/usr/bin/env bash
# Loopback download: btx against libtorrent's python binding (tuned and
# default), aria2c and transmission-cli, side by side in one run; then from
# four seeders at once, the same size in FILES files, a torrent of many small
# files and many torrents at once (download.py).
#   bench/download.sh [SIZE_MIB] [SMALL_FILES] [TORRENTS] [FILES]     (defaults 1024, 10000, 100, 1000; RUNS=3)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x "${BTX:-.build/release/btx}" ] || swift build -c release >/dev/null
for tool in aria2c transmission-cli; do
    command -v $tool >/dev/null || { echo "bench: $tool is missing (make deps)" >&2; exit 1; }
done
exec /usr/bin/python3 bench/download.py "$@"
