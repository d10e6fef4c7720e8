#!/bin/sh
# Writes the seed inputs that btx itself makes (torrents, magnet links, resume
# files) into fuzz/corpus, so the fuzzers start from real, deep inputs. The
# hand-written seeds (control lines, argv, bencoded values, DHT packets) are
# checked in as they are. Usage: fuzz/seed-corpus.sh [path/to/btx]
# Offline: trackers are never contacted by create or info, and the adds
# listen on loopback with no DHT and trackers on 127.0.0.1.
set -eu
btx=$(realpath "${1:-.build/debug/btx}")
corpus=$(realpath "$(dirname "$0")")/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$corpus/metainfo" "$corpus/magnet" "$corpus/resume"
cd "$work"

# Content: small, so each torrent stays a few KiB.
mkdir -p album/disc1 many notes
head -c 32768 /dev/urandom > album/disc1/track01.flac  # ends on a piece boundary, for --only 0
head -c 9000 /dev/urandom > album/disc1/track02.flac
printf 'liner notes\n' > album/readme.txt
: > album/empty.txt
for i in $(seq 1 40); do printf 'file %s\n' "$i" > many/f$i.txt; done
mkdir -p "notes/$(printf '\346\227\245\346\234\254')"
printf 'caf\303\251\n' > "notes/caf$(printf '\303\251').txt"
printf 'memo\n' > "notes/$(printf '\346\227\245\346\234\254')/$(printf '\343\203\241\343\203\242').txt"
head -c 70000 /dev/urandom > single.bin

make_torrent() {  # NAME PATH OPTIONS...
    name=$1 path=$2
    shift 2
    "$btx" create "$path" -o "$name.torrent" --no-date --piece-size 16K -q "$@" >/dev/null
    cp "$name.torrent" "$corpus/metainfo/$name"
    "$btx" info "$name.torrent" --json | sed -n 's/.*"magnet_uri":"\([^"]*\)".*/\1/p' | tr -d '\n' > "$corpus/magnet/$name"
}
make_torrent v1-single single.bin -t http://tracker.example.org/announce -w http://seed.example.org/single.bin --comment "one file"
make_torrent v1-dir album -t udp://a.example.org:6969/announce,udp://b.example.org:6969/announce -t http://c.example.org/announce
make_torrent v2-dir album --v2 -t http://tracker.example.org/announce
make_torrent hybrid-dir album --hybrid -w http://seed.example.org/ --source TEST --creator fuzz
make_torrent private album --private --source PRIV -t http://127.0.0.1:9/announce
make_torrent v1-many many --comment "40 small files"
# btx edit splices .torrent files with the bencode parser: two whole ones for it too.
cp "$corpus/metainfo/v1-single" "$corpus/bencode/torrent-v1-single"
cp "$corpus/metainfo/hybrid-dir" "$corpus/bencode/torrent-hybrid-dir"
make_torrent hybrid-many many --hybrid
make_torrent unicode notes --v2 --comment "caf$(printf '\303\251')"

# Resume data as btx writes it: only recorded (--paused), complete after a
# check, partly wanted (--only), and a magnet without metadata.
add() {  # NAME SOURCE OPTIONS...
    name=$1 source=$2
    shift 2
    rm -rf state
    "$btx" add "$source" --state-dir state --no-dht --listen 127.0.0.1:0 -q "$@" >/dev/null
    cp state/resume/*.resume "$corpus/resume/$name"
}
add paused-v1 v1-single.torrent --paused -o "$work/dl"
add paused-hybrid hybrid-dir.torrent --paused -o "$work/dl" --sequential --max-down 1M
add complete-v1 v1-dir.torrent -o "$work"
add complete-v2 v2-dir.torrent -o "$work"
add complete-hybrid-many hybrid-many.torrent -o "$work"
add private-paused private.torrent --paused -o "$work"
rm -f album/disc1/track02.flac
add only-first v1-dir.torrent -o "$work" --only 0
add magnet-paused "$(cat "$corpus/magnet/v1-dir")" --paused -o "$work/dl"
