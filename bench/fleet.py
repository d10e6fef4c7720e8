#!/usr/bin/python3
"""Many torrents in one daemon, side by side: btx, transmission-daemon and
qbittorrent-nox each take the same N paused single-file torrents through
their own interface, are stopped and started again, and are measured:

- answer: from the start until its interface answers;
- loaded: from the start until it lists every torrent, none still loading;
- list: listing every torrent as its users do (btx status --json,
  transmission-remote -l's torrent-get, qBittorrent's torrents/info), until
  the last byte of it is read, median of RUNS;
- rss: resident memory once loaded and listed, then once idle for
  IDLE_SECONDS (btx gives the heap its replies used back every 10 s), and
  per torrent, once idle, above the same client holding none;
- idle: CPU while nothing happens, over IDLE_SECONDS;
- table (btx): `btx status` into a pipe and onto a terminal, until its
  first row and its last are read, median of RUNS;
- stop: a clean stop until the process is gone.

btx alone, after the idle figures (issue 31's other targets): the status of
one torrent by hash and by name, `add --detach` of one more, and its RPC's
torrent-get of every torrent (transmission-remote -l's fields: the first one,
which fills the RPC's mirror, and the median of RUNS after it), with RSS
once the mirror is full and the daemon idle again.

    bench/fleet.py [--clients btx,transmission-daemon,...] [--btx-only N,...] N [N ...]
                                                  (RUNS=5, IDLE_SECONDS=12)

Sizes after --btx-only are measured for btx alone, to show that its cost per
torrent stays flat as N grows. Writes BENCH_OUT/fleet.json."""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clients import Btx, QBittorrentNox, Transmission, TransmissionDaemon, cpu_seconds, free_port, make_torrents, rss_kib, wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BTX = os.path.realpath(os.environ.get("BTX", os.path.join(ROOT, ".build/release/btx")))
RUNS = int(os.environ.get("RUNS", "5"))
IDLE_SECONDS = float(os.environ.get("IDLE_SECONDS", "12"))


def empty_rss(client):
    """What the client holds with no torrents, once it answers."""
    client.start()
    try:
        wait_until(client.name + " answering", client.answers)
        time.sleep(1)  # its start-up work done
        return rss_kib(client.pid)
    finally:
        client.stop()


def timed(action):
    begin = time.perf_counter()
    action()
    return time.perf_counter() - begin


def btx_extras(client, listing, more):
    """Issue 31's targets besides the ones every client is measured on."""
    torrents = json.loads(listing)["torrents"]
    middle = torrents[len(torrents) // 2]
    one = lambda query: subprocess.run([client.btx, "status", query, "--json", "--state-dir", client.state], check=True,
                                       stdout=subprocess.DEVNULL)
    rpc = Transmission(client.rpc_port)
    rpc_list = lambda: rpc.call("torrent-get", {"fields": TransmissionDaemon.listed_fields}, raw=True)
    figures = {"one_seconds": [timed(lambda: one(middle["info_hash"])) for _ in range(RUNS)],
               "one_by_name_seconds": [timed(lambda: one(middle["name"])) for _ in range(RUNS)],
               "add_one_seconds": [timed(lambda: client.add([path])) for path in more],
               "rpc_first_seconds": timed(rpc_list),
               "rpc_list_seconds": [timed(rpc_list) for _ in range(RUNS)]}
    listed = json.loads(rpc_list())["arguments"]["torrents"]
    if len(listed) != len(torrents) + len(more):
        sys.exit("bench: btx's RPC lists %d torrents" % len(listed))
    time.sleep(IDLE_SECONDS)  # past the daemon's trim of what the listings used
    figures["rpc_rss_kib"] = rss_kib(client.pid)
    return figures


def print_extras(figures):
    print("  %-20s status of one %5.1f ms (by name %5.1f ms)  add one more %5.1f ms  RPC torrent-get of all %6.1f ms "
          "(first %6.1f ms; RSS then %5.0f MiB)" % ("", statistics.median(figures["one_seconds"]) * 1000,
                                                 statistics.median(figures["one_by_name_seconds"]) * 1000,
                                                 statistics.median(figures["add_one_seconds"]) * 1000,
                                                 statistics.median(figures["rpc_list_seconds"]) * 1000,
                                                 figures["rpc_first_seconds"] * 1000, figures["rpc_rss_kib"] / 1024), flush=True)


def measure(client, paths, base_kib, more=()):
    count = len(paths)
    client.start()
    try:
        wait_until(client.name + " answering", client.answers)
        started = time.monotonic()
        client.add(paths)
        wait_until("%s holding %d torrents" % (client.name, count), lambda: client.loaded(count), step=0.2)
        added = time.monotonic() - started
        if hasattr(client, "settle"):
            client.settle(count)
        client.stop()

        started = time.monotonic()
        client.start()
        wait_until(client.name + " answering again", client.answers, step=0.005)
        answer = time.monotonic() - started
        wait_until("%s loading %d torrents" % (client.name, count), lambda: client.loaded(count), step=0.02)
        loaded = time.monotonic() - started

        listed = client.count(client.list_all())
        if listed != count:
            sys.exit("bench: %s lists %d of %d torrents" % (client.name, listed, count))
        lists = []
        for _ in range(RUNS):
            begin = time.perf_counter()
            client.list_all()
            lists.append(time.perf_counter() - begin)
        listed_kib = rss_kib(client.pid)
        # btx's table: the first row should come long before the last.
        tables = {kind: [client.table(kind == "terminal") for _ in range(RUNS)]
                  for kind in ("pipe", "terminal")} if hasattr(client, "table") else {}
        before = cpu_seconds(client.pid)
        time.sleep(IDLE_SECONDS)
        idle = (cpu_seconds(client.pid) - before) / IDLE_SECONDS * 100
        rss = rss_kib(client.pid)
        extras = btx_extras(client, client.list_all(), more) if client.name == "btx" else {}

        started = time.monotonic()
        client.stop()
        stop = time.monotonic() - started
    finally:
        client.kill()
    figures = {"torrents": count, "add_seconds": added, "answer_seconds": answer, "loaded_seconds": loaded,
               "list_seconds": lists, "rss_kib": rss, "listed_rss_kib": listed_kib, "empty_kib": base_kib,
               "bytes_per_torrent": (rss - base_kib) * 1024 / count, "idle_cpu_percent": idle, "stop_seconds": stop,
               "table_seconds": tables, **extras}
    print("  %-20s answer %6.2f s  loaded %6.2f s  list %7.1f ms  RSS %5.0f MiB (%5.1f KiB a torrent; %5.0f MiB just listed)  "
          "idle %5.2f%%  stop %5.2f s  (adding took %.0f s)"
          % (client.name, answer, loaded, statistics.median(lists) * 1000, rss / 1024, figures["bytes_per_torrent"] / 1024,
             listed_kib / 1024, idle, stop, added), flush=True)
    if extras:
        print_extras(extras)
    for kind, times in tables.items():
        print("  %-20s table on a %-8s first row %6.0f ms  all %6.0f ms" % (
            "", kind, statistics.median(t[0] for t in times) * 1000, statistics.median(t[1] for t in times) * 1000), flush=True)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--btx-only", type=lambda s: [int(n) for n in s.split(",")], default=[])
    parser.add_argument("--clients", type=lambda s: s.split(","), default=["btx", "transmission-daemon", "qbittorrent-nox"],
                        help="which clients to measure side by side (btx always)")
    parser.add_argument("sizes", type=int, nargs="+")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="btx-bench-fleet.")
    results = []
    try:
        paths = make_torrents(work, max(args.sizes + args.btx_only) + RUNS)
        more, paths = paths[-RUNS:], paths[:-RUNS]
        makers = [lambda home: Btx(BTX, home, work + "/data", rpc_port=free_port())]
        if "transmission-daemon" in args.clients:
            makers.append(lambda home: TransmissionDaemon(home, work + "/data"))
        if "qbittorrent-nox" in args.clients:
            makers.append(lambda home: QBittorrentNox(home, work + "/data"))
        bases = {}
        for make in makers:
            client = make(work + "/empty")
            bases[client.name] = empty_rss(client)
            shutil.rmtree(work + "/empty")
        for count in sorted(set(args.sizes + args.btx_only)):
            print("# %d paused single-file torrents, restarted" % count, flush=True)
            for make in makers if count in args.sizes else makers[:1]:
                home = work + "/state"
                client = make(home)
                results.append(dict(measure(client, paths[:count], bases[client.name], more), client=client.name))
                shutil.rmtree(home)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if os.environ.get("BENCH_OUT"):
        with open(os.path.join(os.environ["BENCH_OUT"], "fleet.json"), "w") as f:
            json.dump(results, f)


main()
