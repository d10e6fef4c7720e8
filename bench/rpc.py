#!/usr/bin/python3
"""The RPC listener at scale, side by side: btx daemon --rpc, transmission-daemon
and qbittorrent-nox, each holding the same N paused single-file torrents.

    bench/rpc.py [N]      (default 5000; RUNS=20)

Cases (hyperfine-shaped JSON in BENCH_OUT, one per case):
- rpc-torrent-get: Transmission's torrent-get of every torrent with the fields
  transmission-remote -l asks for (btx, transmission-daemon);
- rpc-torrent-get-all: the same with every field btx answers (files,
  trackers, peers, pieces and metainfo included);
- rpc-maindata: qBittorrent's sync/maindata when nothing changed, with the rid
  of the answer before (btx, qbittorrent-nox);
- rpc-add: a torrent-add of one more torrent (btx, transmission-daemon).
Each request is one HTTP exchange on a kept connection, timed here.
Everything listens on 127.0.0.1; DHT, LSD, UPnP, NAT-PMP and PEX are off."""
import base64, http.client, json, os, shutil, statistics, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clients import Btx, QBittorrentNox, Transmission, TransmissionDaemon, free_port, make_torrents, wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
RUNS = int(os.environ.get("RUNS", "20"))
BTX = os.path.realpath(os.environ.get("BTX", os.path.join(ROOT, ".build/release/btx")))
OUT = os.environ.get("BENCH_OUT")
# Every field btx answers (TransmissionFields.torrentFields), as clients that ask all of them do.
ALL_FIELDS = ["id", "hashString", "name", "status", "error", "errorString", "eta", "etaIdle", "percentDone", "percentComplete",
              "leftUntilDone", "sizeWhenDone", "totalSize", "haveValid", "haveUnchecked", "desiredAvailable", "downloadedEver",
              "uploadedEver", "corruptEver", "uploadRatio", "rateDownload", "rateUpload", "peersConnected", "peersSendingToUs",
              "peersGettingFromUs", "webseedsSendingToUs", "downloadDir", "addedDate", "doneDate", "activityDate", "startDate",
              "editDate", "queuePosition", "isFinished", "isStalled", "metadataPercentComplete", "recheckProgress",
              "downloadLimit", "downloadLimited", "uploadLimit", "uploadLimited", "honorsSessionLimits", "bandwidthPriority",
              "peer-limit", "maxConnectedPeers", "sequentialDownload", "seedRatioLimit", "seedRatioMode", "seedIdleLimit",
              "seedIdleMode", "pieceCount", "magnetLink", "labels", "group", "secondsDownloading", "secondsSeeding",
              "manualAnnounceTime", "files", "fileStats", "file-count", "priorities", "wanted", "primary-mime-type",
              "trackers", "trackerStats", "trackerList", "peers", "peersFrom", "comment", "creator", "isPrivate",
              "pieceSize", "dateCreated", "webseeds", "torrentFile", "pieces"]
LIST_FIELDS = ["error", "errorString", "eta", "id", "isFinished", "leftUntilDone", "name", "peersGettingFromUs",
               "peersSendingToUs", "rateDownload", "rateUpload", "sizeWhenDone", "status", "uploadRatio"]


def timed(runs, action):
    times = []
    action()  # warm-up
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def report(case, title, results):
    print("# " + title)
    for command, times in results:
        print("  %-40s median %8.1f ms  (min %.1f, max %.1f, %d runs)" % (
            command, statistics.median(times) * 1000, min(times) * 1000, max(times) * 1000, len(times)))
    if OUT:
        with open(os.path.join(OUT, case + ".json"), "w") as f:
            json.dump({"results": [{"command": c, "times": t} for c, t in results]}, f)


def main():
    work = tempfile.mkdtemp(prefix="btx-bench-rpc.")
    clients = []
    try:
        pool = 2 * (RUNS + 2)
        paths = make_torrents(work, N + pool)
        held, spare = paths[:N], paths[N:]
        btx_port = free_port()
        clients = [Btx(BTX, work + "/btx", work + "/data", rpc_port=btx_port), TransmissionDaemon(work + "/transmission", work + "/data"),
                   QBittorrentNox(work + "/qbt", work + "/data")]
        for client in clients:
            client.start()
            wait_until(client.name + " answering", client.answers)
            client.add(held)
            wait_until("%s holding %d torrents" % (client.name, N), lambda: client.loaded(N), seconds=300, step=0.2)
        trc, qb_web = clients[1].rpc, clients[2].web

        btx = Transmission(btx_port)
        get = {"fields": LIST_FIELDS}
        btx_count = len(btx.call("torrent-get", get)["torrents"])
        if btx_count != N:
            sys.exit("bench: btx lists %d of %d torrents" % (btx_count, N))
        report("rpc-torrent-get", "torrent-get of %d torrents, transmission-remote -l's fields" % N, [
            ("btx daemon --rpc", timed(RUNS, lambda: btx.call("torrent-get", get))),
            ("transmission-daemon", timed(RUNS, lambda: trc.call("torrent-get", get))),
        ])

        every = {"fields": ALL_FIELDS}
        report("rpc-torrent-get-all", "torrent-get of %d torrents, every field" % N, [
            ("btx daemon --rpc", timed(RUNS, lambda: btx.call("torrent-get", every))),
            ("transmission-daemon", timed(RUNS, lambda: trc.call("torrent-get", every))),
        ])

        def maindata(port):
            connection, rid = http.client.HTTPConnection("127.0.0.1", port, timeout=120), [0]

            def one():
                connection.request("GET", "/api/v2/sync/maindata?rid=%d" % rid[0])
                rid[0] = json.loads(connection.getresponse().read())["rid"]
            one()
            return one
        report("rpc-maindata", "sync/maindata of %d torrents, nothing changed" % N, [
            ("btx daemon --rpc", timed(RUNS, maindata(btx_port))),
            ("qbittorrent-nox", timed(RUNS, maindata(qb_web))),
        ])

        def adder(client, paths):
            queue = list(paths)
            return lambda: client.call("torrent-add", {"metainfo": base64.b64encode(open(queue.pop(), "rb").read()).decode(),
                                                       "paused": True})
        half = len(spare) // 2
        report("rpc-add", "torrent-add of one more torrent to %d" % N, [
            ("btx daemon --rpc", timed(RUNS, adder(btx, spare[:half]))),
            ("transmission-daemon", timed(RUNS, adder(trc, spare[half:]))),
        ])
    finally:
        for client in clients:
            client.kill()
        shutil.rmtree(work, ignore_errors=True)


main()
