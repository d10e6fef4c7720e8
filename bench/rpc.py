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
import base64, http.client, json, os, shutil, socket, statistics, subprocess, sys, tempfile, time

import libtorrent as lt

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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    sys.exit("bench: nothing listens on %d" % port)


def make_torrents(work, count):
    os.makedirs(work + "/data")
    os.makedirs(work + "/torrents")
    paths = []
    for i in range(count):
        name = "item-%05d.bin" % i
        with open(os.path.join(work, "data", name), "wb") as f:
            f.write(os.urandom(2048))
        fs = lt.file_storage()
        lt.add_files(fs, os.path.join(work, "data", name))
        # v1 only: transmission 3.00 reads no v2 metadata.
        t = lt.create_torrent(fs, 16384, flags=lt.create_torrent.v1_only)
        lt.set_piece_hashes(t, work + "/data")
        path = os.path.join(work, "torrents", name + ".torrent")
        with open(path, "wb") as f:
            f.write(lt.bencode(t.generate()))
        paths.append(path)
    return paths


class Transmission:
    """A Transmission RPC client on one kept connection, session id handled."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.sid = ""

    def call(self, method, arguments):
        body = json.dumps({"method": method, "arguments": arguments})
        for _ in range(2):
            self.conn.request("POST", "/transmission/rpc", body, {"X-Transmission-Session-Id": self.sid})
            response = self.conn.getresponse()
            data = response.read()
            if response.status == 409:
                self.sid = response.getheader("X-Transmission-Session-Id")
                continue
            reply = json.loads(data)
            if reply.get("result") != "success":
                sys.exit("bench: %s: %s" % (method, reply.get("result")))
            return reply["arguments"]
        sys.exit("bench: no session id")


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
    processes = []
    try:
        pool = 2 * (RUNS + 2)
        paths = make_torrents(work, N + pool)
        held, spare = paths[:N], paths[N:]
        subprocess.run(["sync"])

        # btx
        state = work + "/btx"
        os.makedirs(state)
        with open(state + "/config", "w") as f:
            f.write("dht = off\nlsd = off\nupnp = off\nnatpmp = off\n")
        btx_port = free_port()
        subprocess.run([BTX, "daemon", "-q", "--state-dir", state, "--listen", "127.0.0.1:0", "--no-dht", "--rpc", str(btx_port)],
                       check=True, stdout=subprocess.DEVNULL)
        processes.append(lambda: subprocess.run([BTX, "daemon", "--stop", "--state-dir", state], stdout=subprocess.DEVNULL))
        for start in range(0, N, 500):
            subprocess.run([BTX, "add", "--detach", "--paused", "-q", "--state-dir", state, "-o", work + "/data"]
                           + held[start:start + 500], check=True, stdout=subprocess.DEVNULL)

        # transmission-daemon
        tr_dir = work + "/transmission"
        os.makedirs(tr_dir)
        tr_port = free_port()
        with open(tr_dir + "/settings.json", "w") as f:
            json.dump({"dht-enabled": False, "lpd-enabled": False, "pex-enabled": False, "port-forwarding-enabled": False,
                       "utp-enabled": False, "bind-address-ipv4": "127.0.0.1", "bind-address-ipv6": "::1",
                       "peer-port": free_port(), "rpc-bind-address": "127.0.0.1", "rpc-port": tr_port,
                       "rpc-authentication-required": False, "rpc-whitelist": "127.0.0.1", "download-dir": work + "/data",
                       "message-level": 0, "start-added-torrents": False}, f)
        tr = subprocess.Popen(["/usr/bin/transmission-daemon", "-f", "-g", tr_dir], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        processes.append(lambda: (tr.terminate(), tr.wait()))
        wait_port(tr_port)
        trc = Transmission(tr_port)
        for path in held:
            trc.call("torrent-add", {"metainfo": base64.b64encode(open(path, "rb").read()).decode(), "paused": True})

        # qbittorrent-nox
        qb_home = work + "/qbt"
        qb_web = free_port()
        conf = qb_home + "/profile/qBittorrent/config"
        os.makedirs(conf)
        with open(conf + "/qBittorrent.conf", "w") as f:
            f.write("[LegalNotice]\nAccepted=true\n[BitTorrent]\nSession\\DHTEnabled=false\nSession\\LSDEnabled=false\n"
                    "Session\\PeXEnabled=false\nSession\\Port=%d\nSession\\InterfaceAddress=127.0.0.1\n"
                    "Session\\QueueingSystemEnabled=false\nSession\\DefaultSavePath=%s\n[Network]\nPortForwardingEnabled=false\n"
                    "[Preferences]\nConnection\\ResolvePeerCountries=false\nConnection\\UPnP=false\nWebUI\\Address=127.0.0.1\n"
                    "WebUI\\Port=%d\nWebUI\\LocalHostAuth=false\nWebUI\\CSRFProtection=false\nWebUI\\HostHeaderValidation=false\n"
                    % (free_port(), work + "/data", qb_web))
        qb = subprocess.Popen(["/usr/bin/qbittorrent-nox", "--profile=" + qb_home + "/profile", "--webui-port=%d" % qb_web],
                              env=dict(os.environ, HOME=qb_home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(lambda: (qb.terminate(), qb.wait()))
        wait_port(qb_web)
        qbc = http.client.HTTPConnection("127.0.0.1", qb_web, timeout=300)
        for start in range(0, N, 200):
            boundary = "btxbench%d" % start
            body = b""
            for p in held[start:start + 200]:
                body += ("--%s\r\nContent-Disposition: form-data; name=\"torrents\"; filename=\"%s\"\r\n"
                         "Content-Type: application/x-bittorrent\r\n\r\n" % (boundary, os.path.basename(p))).encode()
                body += open(p, "rb").read() + b"\r\n"
            for name in ("paused", "stopped"):
                body += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\ntrue\r\n" % (boundary, name)).encode()
            body += ("--%s--\r\n" % boundary).encode()
            qbc.request("POST", "/api/v2/torrents/add", body, {"Content-Type": "multipart/form-data; boundary=" + boundary})
            response = qbc.getresponse()
            response.read()
            if response.status != 200:
                sys.exit("bench: qbittorrent-nox add: HTTP %d" % response.status)
        end = time.monotonic() + 300
        while True:
            qbc.request("GET", "/api/v2/torrents/info")
            if len(json.loads(qbc.getresponse().read())) >= N:
                break
            if time.monotonic() > end:
                sys.exit("bench: qbittorrent-nox did not take %d torrents" % N)
            time.sleep(0.5)

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
        for stop in reversed(processes):
            stop()
        shutil.rmtree(work, ignore_errors=True)


main()
