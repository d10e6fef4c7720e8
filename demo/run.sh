#!/usr/bin/env bash
# btx's main job on this machine alone (make demo): a sample folder becomes a
# torrent, a btx seeder shares it, a btx daemon downloads it over 127.0.0.1
# (found through a local opentracker when one is installed, else by --peer),
# and the bytes are compared. Nothing leaves 127.0.0.1 (no DHT, LSD, UPnP or
# NAT-PMP), the user's own btx state is never touched (XDG_* point into a
# temporary directory), and every process and file it made is gone at the
# end, Ctrl-C included. BTX names the binary (default .build/debug/btx).
set -euo pipefail

btx_binary=$(realpath "${BTX:-.build/debug/btx}")
[ -x "$btx_binary" ] || { echo "demo: no btx at $btx_binary (make build)" >&2; exit 1; }
PATH="$(dirname "$btx_binary"):$PATH"

demo=$(mktemp -d "${TMPDIR:-/tmp}/btx-demo.XXXXXX")
cd "$demo"
export XDG_STATE_HOME=$demo/state XDG_DATA_HOME=$demo/share XDG_CONFIG_HOME=$demo/config XDG_RUNTIME_DIR=$demo/run
unset BTX_STATE_DIR BTX_DHT_BOOTSTRAP BTX_PROXY
mkdir -m 700 "$XDG_RUNTIME_DIR"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then bold=$'\e[1m' dim=$'\e[2m' plain=$'\e[0m'; else bold='' dim='' plain=''; fi
tracker_pid='' seeder_pid='' watch_pid='' daemon_started=''
ran=()

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    set +e
    [ -n "$watch_pid" ] && kill -INT "$watch_pid" 2>/dev/null
    [ -n "$daemon_started" ] && btx daemon --stop >/dev/null 2>&1
    [ -n "$seeder_pid" ] && kill -TERM "$seeder_pid" 2>/dev/null
    [ -n "$tracker_pid" ] && kill -TERM "$tracker_pid" 2>/dev/null
    # Reaped before the folder goes: a seeder saves its resume data there on the way out.
    wait 2>/dev/null
    # What a Ctrl-C caught half-started (a daemon before its socket answered)
    # is found by the folder in its environment: only this demo's processes have it.
    local leftover deadline=$((SECONDS + 10))
    # The search runs without the variable, tr and cut included: they are
    # children of this shell, would carry it, and were found (and killed)
    # in turn, a new pid every round, for as long as the loop lasted (30 s
    # and more after a Ctrl-C). grep exits 2 when a process ends between the
    # glob and its read, which pipefail would take for "none left"; -z ends
    # each name with a NUL.
    while leftover=$(env -u XDG_STATE_HOME sh -c '{ grep -lsz "^XDG_STATE_HOME=$1\$" /proc/[0-9]*/environ || true; } \
                                                  | tr "\0" "\n" | cut -d/ -f3' sh "$demo/state") && [ -n "$leftover" ]; do
        # shellcheck disable=SC2086
        if [ $SECONDS -lt $deadline ]; then kill -TERM $leftover; else kill -KILL $leftover; fi 2>/dev/null
        sleep 0.1
    done
    cd /
    rm -rf "$demo"
    [ "$status" = 0 ] || echo "demo: stopped (exit $status); removed $demo" >&2
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
note() { printf '%s%s%s\n' "$dim" "$*" "$plain"; }
# Shows a command as the user would type it, runs it, and keeps it for the recap.
run() {
    printf '%s$ %s%s\n' "$bold" "$*" "$plain"
    ran+=("$*")
    "$@"
}
# The same for a command line with redirections or a trailing &. `quiet`
# hides the stderr of what the demo cuts short; `apart` also keeps a Ctrl-C
# from reaching it (opentracker aborts on SIGINT), the cleanup stops it.
shell() {
    printf '%s$ %s%s\n' "$bold" "$1" "$plain"
    ran+=("$1")
    case ${2:-} in
        quiet) eval "${1%&} 2>/dev/null ${1##*[!&]}" ;;
        apart) eval "setsid ${1%&} 2>/dev/null ${1##*[!&]}" ;;
        *) eval "$1" ;;
    esac
}
fail() { echo "demo: $*" >&2; exit 1; }

# Polls `condition` (a command) every 0.1 s for up to `seconds`.
wait_for() {
    local what=$1 seconds=$2; shift 2
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        [ $SECONDS -lt $deadline ] || fail "timed out after ${seconds}s waiting for $what"
        sleep 0.1
    done
}
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
alive() { kill -0 "$1" 2>/dev/null; }
progress() { btx status sample --json | grep -o '"progress":[0-9.e+-]*' | cut -d: -f2; }
at_least() { awk -v p="$(progress)" -v want="$1" 'BEGIN { exit !(p >= want) }'; }
seeding() { btx status sample --json | grep -q '"state":"seeding"'; }

echo "${bold}btx demo${plain}: a download from one btx to another, on 127.0.0.1 only, in $demo"
note "Its own state: XDG_STATE_HOME, XDG_DATA_HOME, XDG_CONFIG_HOME and XDG_RUNTIME_DIR point in there."

step "A sample folder"
run mkdir -p sample/photos
shell 'head -c 48M /dev/urandom > sample/video.bin'
shell 'head -c 300K /dev/urandom > sample/photos/beach.jpg'
shell "echo 'made by make demo' > sample/notes.txt"

tracker_args=() peer_args=()
if command -v opentracker >/dev/null; then
    # A free port: nothing answers on it now, and opentracker keeps running once bound.
    for _ in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 40000))
        listening "$port" || break
    done
    tracker_args=(-t "http://127.0.0.1:$port/announce")
fi

step "A torrent of it"
run btx create sample "${tracker_args[@]}" -o sample.torrent
info_hash=$(btx info sample.torrent --json | grep -o '"info_hash":"[0-9a-f]*"' | cut -d'"' -f4)

if [ ${#tracker_args[@]} -gt 0 ]; then
    step "A tracker on 127.0.0.1 (Debian's opentracker serves only the info-hashes it is given)"
    mkdir tracker
    echo "$info_hash" > tracker/whitelist
    shell "opentracker -i 127.0.0.1 -p $port -d tracker -w whitelist &" apart
    tracker_pid=$!
    wait_for "opentracker to listen on port $port" 10 listening "$port"
else
    note "(no opentracker here: the daemon will be told where the seeder is with --peer)"
fi

step "A seeder: btx add --seed, in the background with its own state directory"
shell 'btx add sample.torrent -o . --seed --listen 127.0.0.1:0 --no-dht --state-dir seeder --json > seeder.log &' quiet
seeder_pid=$!
seeder_ready() {
    alive "$seeder_pid" || fail "the seeder stopped: $(cat seeder.log)"
    grep -q '"type":"finished"' seeder.log && grep -q '"type":"listening"' seeder.log &&
        { [ ${#tracker_args[@]} = 0 ] || grep -q '"type":"tracker_reply"' seeder.log; }
}
wait_for "the seeder to check its files and announce" 30 seeder_ready
seeder_port=$(grep -o '"type":"listening","data":{"port":[0-9]*' seeder.log | head -n 1 | grep -o '[0-9]*$')
note "seeding on 127.0.0.1:$seeder_port"
[ ${#tracker_args[@]} -gt 0 ] || peer_args=(--peer "127.0.0.1:$seeder_port")

step "The leecher: a btx daemon, given the torrent (--max-down keeps it slow enough to watch)"
daemon_started=1
run btx daemon --listen 127.0.0.1:0 --no-dht
run btx add sample.torrent -o downloads --detach --max-down 12M "${peer_args[@]}"

step "Watching it (btx status --watch redraws until Ctrl-C; here it stops halfway)"
shell 'btx status --watch=0.5 &' quiet
watch_pid=$!
wait_for "half of the download" 60 at_least 0.5
kill -INT "$watch_pid"
wait "$watch_pid" || true
watch_pid=''
echo
run btx peers sample
run btx files sample

step "Streaming: btx serve hands a file out over HTTP while the rest downloads"
note 'mpv "$(btx serve sample video.bin --print-url)" would play the video the same way.'
shell 'url=$(btx serve sample notes.txt --print-url --idle 5)'
run curl -s "$url"

step "Waiting for the rest, then checking the bytes"
wait_for "the download to complete" 60 seeding
run btx status
run diff -r sample downloads/sample
echo "the 3 files arrived byte for byte ($(du -sh downloads/sample | cut -f1))"
run btx daemon --stop
daemon_started=''

step "To do it again by hand"
note "Set the same XDG_* variables first (or leave them out to use your own btx state), then:"
for command in "${ran[@]}"; do echo "  $command"; done
echo
echo "Done in ${SECONDS}s; every process is stopped and $demo is removed."
