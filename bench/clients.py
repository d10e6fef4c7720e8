"""The clients the side-by-side suites drive, each through its own interface:
btx's daemon (its control socket), transmission-daemon (Transmission RPC) and
qbittorrent-nox (Web API v2). Every one listens on 127.0.0.1 only, with DHT,
LSD, UPnP, NAT-PMP and PEX off, and keeps its state in a folder of its own so
that it can be stopped and started again over the same torrents."""
import base64, glob, fcntl, http.client, json, os, pty, socket, struct, subprocess, sys, termios, time

import libtorrent as lt


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, seconds=30):
    """Returns once something listens on 127.0.0.1:PORT, polling every 10 ms
    (a download's time runs while its client is waited for)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.01)
    raise RuntimeError("nothing listens on %d" % port)


def make_torrents(work, count, size=2048):
    """COUNT single-file v1 torrents (transmission 3.00 reads no v2) of SIZE
    random bytes each, data in WORK/data."""
    os.makedirs(work + "/data", exist_ok=True)
    os.makedirs(work + "/torrents", exist_ok=True)
    paths = []
    for i in range(count):
        name = "item-%06d.bin" % i
        with open(os.path.join(work, "data", name), "wb") as f:
            f.write(os.urandom(size))
        fs = lt.file_storage()
        lt.add_files(fs, os.path.join(work, "data", name))
        t = lt.create_torrent(fs, 16384, flags=lt.create_torrent.v1_only)
        lt.set_piece_hashes(t, work + "/data")
        path = os.path.join(work, "torrents", name + ".torrent")
        with open(path, "wb") as f:
            f.write(lt.bencode(t.generate()))
        paths.append(path)
    subprocess.run(["sync"])  # no measurement competes with writing these back
    return paths


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """CPU time of every thread of pid, to the nanosecond (schedstat): the
    clock ticks of /proc/PID/stat count 10 ms at a time, and an idle
    daemon spends about that in 12 s, so a tick either way read as 0.1%."""
    total = 0
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            total += int(open("/proc/%d/task/%s/schedstat" % (pid, task)).read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass  # a thread that ended meanwhile
    return total / 1e9


class Transmission:
    """A Transmission RPC client on one kept connection, session id handled."""

    def __init__(self, port, timeout=300):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.sid = ""

    def call(self, method, arguments, raw=False):
        """The reply's arguments; with RAW, the reply's bytes, unread (a
        listing is timed to its last byte, not to a parse)."""
        body = json.dumps({"method": method, "arguments": arguments})
        for _ in range(3):
            try:
                self.conn.request("POST", "/transmission/rpc", body, {"X-Transmission-Session-Id": self.sid})
                response = self.conn.getresponse()
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                # The server let the kept connection go while it sat idle (btx after 30 s): a new one, as clients do.
                self.conn.close()
                continue
            data = response.read()
            if response.status == 409:
                self.sid = response.getheader("X-Transmission-Session-Id")
                continue
            if raw and response.status == 200:
                return data
            reply = json.loads(data)
            if reply.get("result") != "success":
                sys.exit("bench: %s: %s" % (method, reply.get("result")))
            return reply["arguments"]
        sys.exit("bench: no session id")


class Client:
    """One client's process over a state folder that outlives it. start()
    returns at once; answers() and loaded() each make one request and fail
    quietly while the client cannot answer yet; list_all() returns the bytes
    of a listing of every torrent, count() how many it names."""
    name = ""
    process = None

    def answers(self):
        try:
            return self._ask_version()
        except (OSError, http.client.HTTPException, ValueError):
            return False

    def loaded(self, count):
        try:
            return self._loaded(count)
        except (OSError, http.client.HTTPException, ValueError):
            return False

    @property
    def pid(self):
        return self.process.pid

    def stop(self):
        """A clean stop (its state saved), returning once the process is gone."""
        self.process.terminate()
        self.process.wait(timeout=600)

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class Btx(Client):
    name = "btx"

    def __init__(self, btx, home, data, rpc_port=None):
        self.btx, self.state, self.data, self.rpc_port = btx, home, data, rpc_port
        os.makedirs(home, exist_ok=True)
        with open(home + "/config", "w") as f:
            f.write("dht = off\nlsd = off\nupnp = off\nnatpmp = off\n")

    def start(self):
        rpc = ["--rpc", str(self.rpc_port)] if self.rpc_port else []
        self.process = subprocess.Popen([self.btx, "daemon", "--foreground", "-q", "--state-dir", self.state,
                                         "--listen", "127.0.0.1:0", "--no-dht"] + rpc,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _control(self, request):
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(600)
            s.connect(self.state + "/run/control.sock")
            s.sendall(json.dumps(request).encode() + b"\n")
            return json.loads(s.makefile("rb").readline())

    def _ask_version(self):
        return "result" in self._control({"method": "ping"})

    def _loaded(self, count):
        return "loading" not in self._control({"method": "ping"})["result"]

    def add(self, paths):
        for start in range(0, len(paths), 500):
            subprocess.run([self.btx, "add", "--detach", "--paused", "-q", "--state-dir", self.state, "-o", self.data]
                           + paths[start:start + 500], check=True, stdout=subprocess.DEVNULL)

    def list_all(self):
        """What `btx status --json` prints."""
        return subprocess.run([self.btx, "status", "--json", "--state-dir", self.state], check=True,
                              stdout=subprocess.PIPE).stdout

    def count(self, listing):
        return len(json.loads(listing)["torrents"])

    def table(self, terminal):
        """Seconds until `btx status` printed its first row and its last,
        into a pipe or onto a terminal (a pty read as fast as it writes)."""
        reader, writer = pty.openpty() if terminal else os.pipe()
        if terminal:
            fcntl.ioctl(writer, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
        begin = time.perf_counter()
        process = subprocess.Popen([self.btx, "status", "--state-dir", self.state], stdout=writer)
        os.close(writer)
        seen, first = b"", None
        try:
            while True:
                try:
                    piece = os.read(reader, 1 << 16)
                except OSError:  # a pty's reader gets EIO once the writer is gone
                    break
                if not piece:
                    break
                if first is None:
                    seen += piece
                    if seen.count(b"\n") >= (2 if terminal else 1):
                        first = time.perf_counter() - begin
        finally:
            os.close(reader)
            process.wait()
        return first, time.perf_counter() - begin

    def stop(self):
        subprocess.run([self.btx, "daemon", "--stop", "--state-dir", self.state], check=True, stdout=subprocess.DEVNULL)
        self.process.wait(timeout=600)


class TransmissionDaemon(Client):
    name = "transmission-daemon"

    def __init__(self, home, data):
        self.home, self.port = home, free_port()
        os.makedirs(home, exist_ok=True)
        with open(home + "/settings.json", "w") as f:
            json.dump({"dht-enabled": False, "lpd-enabled": False, "pex-enabled": False, "port-forwarding-enabled": False,
                       "utp-enabled": False, "bind-address-ipv4": "127.0.0.1", "bind-address-ipv6": "::1",
                       "peer-port": free_port(), "rpc-bind-address": "127.0.0.1", "rpc-port": self.port,
                       "rpc-authentication-required": False, "rpc-whitelist": "127.0.0.1", "download-dir": data,
                       "message-level": 0, "start-added-torrents": False}, f)

    def start(self):
        self.process = subprocess.Popen(["/usr/bin/transmission-daemon", "-f", "-g", self.home],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.rpc = None

    def _client(self):
        if self.rpc is None:
            self.rpc = Transmission(self.port)
        return self.rpc

    def _ask_version(self):
        self.rpc = None  # a fresh connection: the one before may have been refused
        return "version" in self._client().call("session-get", {"fields": ["version"]})

    def _loaded(self, count):
        return len(self._client().call("torrent-get", {"fields": ["id"]})["torrents"]) >= count

    def add(self, paths):
        for path in paths:
            self._client().call("torrent-add", {"metainfo": base64.b64encode(open(path, "rb").read()).decode(),
                                                "paused": True})

    # The fields transmission-remote -l asks for.
    listed_fields = ["error", "errorString", "eta", "id", "isFinished", "leftUntilDone", "name", "peersGettingFromUs",
                     "peersSendingToUs", "rateDownload", "rateUpload", "sizeWhenDone", "status", "uploadRatio"]

    def list_all(self):
        return self._client().call("torrent-get", {"fields": self.listed_fields}, raw=True)

    def count(self, listing):
        return len(json.loads(listing)["arguments"]["torrents"])


class QBittorrentNox(Client):
    name = "qbittorrent-nox"

    def __init__(self, home, data):
        self.home, self.web = home, free_port()
        conf = home + "/profile/qBittorrent/config"
        os.makedirs(conf, exist_ok=True)
        with open(conf + "/qBittorrent.conf", "w") as f:
            f.write("[LegalNotice]\nAccepted=true\n[BitTorrent]\nSession\\DHTEnabled=false\nSession\\LSDEnabled=false\n"
                    "Session\\PeXEnabled=false\nSession\\Port=%d\nSession\\InterfaceAddress=127.0.0.1\n"
                    "Session\\QueueingSystemEnabled=false\nSession\\DefaultSavePath=%s\n[Network]\nPortForwardingEnabled=false\n"
                    "[Preferences]\nConnection\\ResolvePeerCountries=false\nConnection\\UPnP=false\nWebUI\\Address=127.0.0.1\n"
                    "WebUI\\Port=%d\nWebUI\\LocalHostAuth=false\nWebUI\\CSRFProtection=false\nWebUI\\HostHeaderValidation=false\n"
                    % (free_port(), data, self.web))

    def start(self):
        self.process = subprocess.Popen(["/usr/bin/qbittorrent-nox", "--profile=" + self.home + "/profile",
                                         "--webui-port=%d" % self.web], env=dict(os.environ, HOME=self.home),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def request(self, method, path, body=None, headers={}):
        connection = http.client.HTTPConnection("127.0.0.1", self.web, timeout=600)
        try:
            connection.request(method, "/api/v2/" + path, body, headers)
            response = connection.getresponse()
            data = response.read()
            if response.status != 200:
                raise http.client.HTTPException("HTTP %d" % response.status)
            return data
        finally:
            connection.close()

    def _ask_version(self):
        return bool(self.request("GET", "app/version"))

    def _loaded(self, count):
        torrents = json.loads(self.request("GET", "torrents/info"))
        return len(torrents) >= count and not any(t["state"] in ("checkingResumeData", "unknown") for t in torrents)

    def add(self, paths):
        for start in range(0, len(paths), 200):
            boundary = "btxbench%d" % start
            body = b""
            for p in paths[start:start + 200]:
                body += ("--%s\r\nContent-Disposition: form-data; name=\"torrents\"; filename=\"%s\"\r\n"
                         "Content-Type: application/x-bittorrent\r\n\r\n" % (boundary, os.path.basename(p))).encode()
                body += open(p, "rb").read() + b"\r\n"
            for name in ("paused", "stopped"):
                body += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\ntrue\r\n" % (boundary, name)).encode()
            body += ("--%s--\r\n" % boundary).encode()
            self.request("POST", "torrents/add", body, {"Content-Type": "multipart/form-data; boundary=" + boundary})

    def list_all(self):
        return self.request("GET", "torrents/info")

    def settle(self, count):
        """qBittorrent writes each torrent's .fastresume after it lists it:
        stopped before, it comes back without some and never lists them all."""
        wait_until("qbittorrent-nox saving %d torrents" % count, lambda: len(glob.glob(
            self.home + "/profile/**/BT_backup/*.fastresume", recursive=True)) >= count, seconds=600, step=0.2)

    def count(self, listing):
        return len(json.loads(listing))


def wait_until(what, predicate, seconds=900, step=0.01):
    end = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > end:
            sys.exit("bench: %s: not within %d s" % (what, seconds))
        time.sleep(step)
