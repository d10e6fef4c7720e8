#!/usr/bin/python3
"""Downloads one torrent over loopback from a btx seeder with btx (libtorrent's
mmap disk I/O, btx's default, and its posix one), libtorrent (python binding:
tuned like btx, and with defaults), aria2c and transmission-cli, side by side
in one run; then from four btx seeders at once, the same size in FILES files,
a torrent of many small files and many small torrents at once (btx both ways against libtorrent tuned).
Prints medians of seconds, MB/s, CPU seconds and peak RSS, and each tool's
time relative to btx (BENCH_OUT=DIR also writes every run's figures to
DIR/download*.json).

    bench/download.py [SIZE_MIB] [SMALL_FILES] [TORRENTS] [FILES]     (defaults 1024, 10000, 100, 1000; RUNS=3)

Everything listens on 127.0.0.1; no DHT, LSD, UPnP, NAT-PMP or PEX."""
import json, os, queue, shutil, signal, statistics, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clients import free_port, wait_port

size_mib = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
small_files = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
many_torrents = int(sys.argv[3]) if len(sys.argv) > 3 else 100
split_files = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
MANY_MIB = 4
runs = int(os.environ.get("RUNS", "3"))
btx = os.path.abspath(os.environ.get("BTX", ".build/release/btx"))
work = tempfile.mkdtemp(prefix="btx-bench-dl.")
CONFIG = "dht = off\nlsd = off\nupnp = off\nnatpmp = off\n"


def state_dir(name, extra=""):
    path = os.path.join(work, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    with open(os.path.join(path, "config"), "w") as f:
        f.write(CONFIG + extra)
    return path


# A run that takes longer has hung (a peer that never connects): it fails
# with its output, instead of holding make test until CI gives up.
RUN_SECONDS = float(os.environ.get("DOWNLOAD_RUN_SECONDS", "600"))


def tail(path, lines=20):
    with open(path, errors="replace") as f:
        return "".join(f.readlines()[-lines:])


def measure(argv, done=None, cwd=None):
    """Runs argv; `done` (a path) ends the run when it appears (for clients
    that seed on). Returns wall seconds, CPU seconds and peak RSS in MiB."""
    log = os.path.join(work, "run.log")
    start = time.monotonic()
    with open(log, "w") as output:
        child = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=output, stderr=output,
                                 start_new_session=True)
    # A timer, not polling: a run's end is seen the moment it exits.
    timed_out = threading.Event()
    timer = threading.Timer(RUN_SECONDS, lambda: (timed_out.set(), kill_group(child.pid)))
    timer.start()
    wall = None
    try:
        while done and not os.path.exists(done) and not timed_out.is_set():
            if os.wait4(child.pid, os.WNOHANG)[0]:
                raise RuntimeError("%s exited early; its output ends:\n%s" % (argv[0], tail(log)))
            time.sleep(0.01)
        if done and not timed_out.is_set():
            wall = time.monotonic() - start
            kill_group(child.pid, signal.SIGTERM)
        _, status, usage = os.wait4(child.pid, 0)
    except BaseException:
        kill_group(child.pid)
        raise
    finally:
        timer.cancel()
    if timed_out.is_set():
        raise RuntimeError("%s did not finish within %.0f s; its output ends:\n%s" % (argv[0], RUN_SECONDS, tail(log)))
    if wall is None:
        wall = time.monotonic() - start
        if status != 0:
            raise RuntimeError("%s exited with %d; its output ends:\n%s" % (argv[0], status, tail(log)))
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def kill_group(pid, sig=signal.SIGKILL):
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


class Seeder:
    """A btx seeder of one or more torrents, restarted per run when it must
    dial the leecher. It listens on a port of its own choosing and says
    which: a port picked free beforehand can be taken by the time it binds."""

    def __init__(self, torrents, name="seeder-state", data=work):
        self.state = state_dir(name)
        self.data = data
        self.port = None
        self.process = None
        self.torrents = torrents
        self.torrent = torrents[0]

    def start(self, dial=None):
        self.stop()
        argv = [btx, "add", "--json", "--seed", "--state-dir", self.state, "--listen", "127.0.0.1:0",
                "--no-dht", "-o", self.data] + self.torrents
        if dial:
            argv += ["--peer", "127.0.0.1:%d" % dial]
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        # Its events are read on a thread to the end: in a full pipe the
        # seeder would block, and never get to its SIGINT.
        events = queue.Queue()
        threading.Thread(target=read_events, args=(self.process.stdout, events), daemon=True).start()
        self.port, finished, end = None, 0, time.monotonic() + RUN_SECONDS
        while self.port is None or finished < len(self.torrents):
            try:
                event = events.get(timeout=max(0, end - time.monotonic()))
            except queue.Empty:
                raise RuntimeError("the seeder did not listen and finish checking within %.0f s" % RUN_SECONDS)
            if event is None:
                raise RuntimeError("the seeder stopped")
            if event["type"] == "listening":
                self.port = event["data"]["port"]
            elif event["type"] == "finished":
                finished += 1

    def stop(self):
        if self.process:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


def read_events(stream, events):
    for line in stream:
        events.put(json.loads(line))
    events.put(None)


PYTHON_LEECHER = r"""
import sys, libtorrent as lt
tuned = sys.argv[4] in ("tuned", "paced")
# Every seeder is 127.0.0.1: by default libtorrent keeps one peer per
# address, so the four-seeder case would have fetched from one (btx allows
# several on loopback).
settings = {"listen_interfaces": "127.0.0.1:0", "enable_dht": False, "enable_lsd": False, "enable_upnp": False,
            "enable_natpmp": False, "enable_outgoing_utp": False, "enable_incoming_utp": False,
            "allow_multiple_connections_per_ip": True}
if tuned:
    settings.update({"send_buffer_watermark": 4 << 20, "send_buffer_low_watermark": 1 << 20,
                     "send_buffer_watermark_factor": 150, "max_out_request_queue": 1500,
                     "max_queued_disk_bytes": 16 << 20, "aio_threads": 4, "hashing_threads": 2})
if sys.argv[4] == "paced":
    # btx's dial pace: the first dial at once, 50 a second.
    settings.update({"tick_interval": 100, "connection_speed": 50})
settings["alert_mask"] = lt.alert.category_t.status_notification
s = lt.session(settings)
torrents = sys.argv[1].split(",")
for path in torrents:
    p = lt.add_torrent_params(); p.ti = lt.torrent_info(path); p.save_path = sys.argv[2]
    # The seeders go in with the torrent, as btx's --peer puts them: connect_peer
    # would flag each as supporting encryption, and the btx seeder (which
    # prefers RC4) would then encrypt every byte, doubling this anchor's time.
    p.peers = [("127.0.0.1", int(port)) for port in sys.argv[3].split(",")]
    if tuned:
        # Out of libtorrent's queue and started, as btx adds them: by
        # default only 3 download at once, and 100 small torrents took 7
        # times as long.
        p.flags &= ~(lt.torrent_flags.auto_managed | lt.torrent_flags.paused)
    s.async_add_torrent(p)
# Woken by libtorrent's own finished alerts: polling status() costs the
# network thread a call per torrent per poll (with no flags it also asks
# for every piece and peer, which once slowed this anchor to half speed).
finished = set()
while len(finished) < len(torrents):
    s.wait_for_alert(1000)
    for a in s.pop_alerts():
        if isinstance(a, lt.torrent_finished_alert):
            finished.add(a.torrent_name)
"""


def measure_tools(title, size, tools):
    """Runs each tool RUNS times, interleaved so drift hits every tool alike."""
    results = {name: [] for name, _ in tools}
    for round in range(runs):
        for name, run in tools:
            # transmission-cli takes 15 times as long as the rest: one run of it keeps
            # the whole suite under ten minutes.
            if name != "transmission-cli" or round == 0:
                results[name].append(run())
    base = statistics.median(r[0] for r in results[tools[0][0]])
    print("\n## %s" % title)
    print("%-30s %8s %8s %9s %9s %10s" % ("tool", "seconds", "MB/s", "CPU s", "RSS MiB", "vs btx"))
    for name, _ in tools:
        wall = statistics.median(r[0] for r in results[name])
        cpu = statistics.median(r[1] for r in results[name])
        rss = statistics.median(r[2] for r in results[name])
        print("%-30s %8.2f %8.0f %9.2f %9.0f %9.2fx" % (name, wall, size / wall / 1e6, cpu, rss, wall / base))
    # Each run, in order, to tell a slow round from a slow tool.
    for name, _ in tools:
        print("  %s: %s" % (name, ", ".join("%.2f s (CPU %.2f)" % r[:2] for r in results[name])))
    return {"title": title, "size_mib": size / (1 << 20),
            "tools": {name: {"wall": [r[0] for r in results[name]], "cpu": [r[1] for r in results[name]],
                             "rss_mib": [r[2] for r in results[name]]} for name, _ in tools}}


def main():
    data = os.path.join(work, "payload.bin")
    print("# %d MiB over loopback from btx seeders; %d small files; %d cores; %d runs each; medians"
          % (size_mib, small_files, os.cpu_count(), runs))
    subprocess.run(["head", "-c", "%dM" % size_mib, "/dev/urandom"], stdout=open(data, "wb"), check=True)
    torrent = os.path.join(work, "payload.torrent")
    subprocess.run([btx, "create", data, "-o", torrent, "-q"], check=True, stdout=subprocess.DEVNULL)
    # The big payload again, cut into FILES files of one torrent.
    split = os.path.join(work, "split")
    os.makedirs(split)
    with open(data, "rb") as whole:
        part = (size_mib << 20) // split_files
        for i in range(split_files):
            with open(os.path.join(split, "part-%04d.bin" % i), "wb") as f:
                f.write(whole.read(part if i < split_files - 1 else -1))
    split_torrent = os.path.join(work, "split.torrent")
    subprocess.run([btx, "create", split, "-o", split_torrent, "-q"], check=True, stdout=subprocess.DEVNULL)
    small = os.path.join(work, "small")
    subprocess.run(["/usr/bin/python3", os.path.join(os.path.dirname(os.path.abspath(__file__)), "small_files.py"),
                    small, str(small_files)], check=True)
    small_torrent = os.path.join(work, "small.torrent")
    subprocess.run([btx, "create", small, "-o", small_torrent, "-q"], check=True, stdout=subprocess.DEVNULL)
    small_size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(small) for f in fs)
    many = os.path.join(work, "many")
    os.makedirs(many)
    many_torrents_paths = []
    for i in range(many_torrents):
        payload = os.path.join(many, "part-%03d.bin" % i)
        with open(payload, "wb") as f:
            f.write(os.urandom(MANY_MIB << 20))
        many_torrents_paths.append(payload + ".torrent")
        subprocess.run([btx, "create", payload, "-o", many_torrents_paths[-1], "-q"], check=True,
                       stdout=subprocess.DEVNULL)
    dst = os.path.join(work, "dst")
    seeders = []

    def fresh_dst():
        shutil.rmtree(dst, ignore_errors=True)
        os.makedirs(dst)
        # No run starts while the kernel still writes back what an earlier
        # step wrote (the payloads, a seeder's state): one GiB of it behind
        # the first run made that run 30% slower and its CPU 40% higher.
        os.sync()
        return dst

    def start(group):
        for seeder in group:
            seeder.start()
        return ",".join(str(seeder.port) for seeder in group)

    def run_btx(group, disk_io="mmap"):
        def run():
            ports = start(group)
            argv = [btx, "add", "-q", "--state-dir", state_dir("leecher-state", "disk-io = %s\n" % disk_io),
                    "--listen", "127.0.0.1:0", "--no-dht", "-o", fresh_dst()]
            for port in ports.split(","):
                argv += ["--peer", "127.0.0.1:" + port]
            return measure(argv + group[0].torrents)
        return run

    def run_python(group, mode):
        def run():
            ports = start(group)
            return measure(["/usr/bin/python3", "-c", PYTHON_LEECHER, ",".join(group[0].torrents), fresh_dst(), ports,
                            mode])
        return run

    def run_aria2(seeder):
        def run():
            port = free_port()
            argv = ["aria2c", "-q", "--seed-time=0", "--enable-dht=false", "--enable-dht6=false",
                    "--bt-enable-lpd=false", "--enable-peer-exchange=false", "--listen-port=%d" % port,
                    "--file-allocation=falloc", "--check-integrity=false", "-d", fresh_dst(), seeder.torrent]
            return measure_later(seeder, argv, port)
        return run

    def measure_later(seeder, argv, port, done=None):
        # These clients cannot dial a peer, so the seeder dials them once they listen.
        result = {}
        thread = threading.Thread(target=lambda: result.update(r=measure(argv, done=done)))
        thread.start()
        wait_port(port)
        seeder.start(dial=port)
        thread.join()
        return result["r"]

    def run_transmission(seeder):
        def run():
            port = free_port()
            config = os.path.join(work, "transmission")
            shutil.rmtree(config, ignore_errors=True)
            os.makedirs(config)
            with open(os.path.join(config, "settings.json"), "w") as f:
                json.dump({"dht-enabled": False, "lpd-enabled": False, "pex-enabled": False, "utp-enabled": False,
                           "port-forwarding-enabled": False, "bind-address-ipv4": "127.0.0.1",
                           "bind-address-ipv6": "::1", "peer-port-random-on-start": False}, f)
            marker = os.path.join(work, "transmission-done")
            if os.path.exists(marker):
                os.unlink(marker)
            script = os.path.join(work, "done.sh")
            with open(script, "w") as f:
                f.write("#!/bin/sh\ntouch '%s'\n" % marker)
            os.chmod(script, 0o755)
            argv = ["transmission-cli", "-g", config, "-w", fresh_dst(), "-p", str(port), "-M", "-f", script,
                    seeder.torrent]
            return measure_later(seeder, argv, port, done=marker)
        return run

    # For a smoke run: transmission-cli needs about 15 s and aria2c 3 s whatever the size.
    skip = set(filter(None, os.environ.get("DOWNLOAD_SKIP", "").split(",")))
    reports = {}
    try:
        one = [Seeder([torrent])]
        four = one + [Seeder([torrent], "seeder-state-%d" % i) for i in range(3)]
        split_seeder = [Seeder([split_torrent], "seeder-split")]
        files = [Seeder([small_torrent], "seeder-small")]
        many_seeder = [Seeder(many_torrents_paths, "seeder-many", many)]
        seeders.extend(four + split_seeder + files + many_seeder)
        tools = [("btx", run_btx(one)), ("btx, posix disk I/O", run_btx(one, "posix")),
                 ("libtorrent tuned (python)", run_python(one, "tuned")),
                 ("libtorrent defaults (python)", run_python(one, "defaults")), ("aria2c", run_aria2(one[0])),
                 ("transmission-cli", run_transmission(one[0]))]
        reports["download"] = lambda: measure_tools("%d MiB from one seeder" % size_mib, size_mib << 20,
                                                    [(n, r) for n, r in tools if n not in skip])
        reports["download-4-seeders"] = lambda: measure_tools(
            "%d MiB from four seeders at once" % size_mib, size_mib << 20,
            [("btx", run_btx(four)), ("btx, posix disk I/O", run_btx(four, "posix")),
             ("libtorrent tuned (python)", run_python(four, "tuned"))])
        reports["download-split"] = lambda: measure_tools(
            "%d MiB in %d files from one seeder" % (size_mib, split_files), size_mib << 20,
            [("btx", run_btx(split_seeder)), ("btx, posix disk I/O", run_btx(split_seeder, "posix")),
             ("libtorrent tuned (python)", run_python(split_seeder, "tuned"))])
        reports["download-small-files"] = lambda: measure_tools(
            "%d small files (%.0f MiB) from one seeder" % (small_files, small_size / (1 << 20)), small_size,
            [("btx", run_btx(files)), ("btx, posix disk I/O", run_btx(files, "posix")),
             ("libtorrent tuned (python)", run_python(files, "tuned"))])
        reports["download-many-torrents"] = lambda: measure_tools(
            "%d torrents of %d MiB at once from one seeder" % (many_torrents, MANY_MIB), many_torrents * MANY_MIB << 20,
            [("btx", run_btx(many_seeder)), ("btx, posix disk I/O", run_btx(many_seeder, "posix")),
             ("libtorrent tuned (python)", run_python(many_seeder, "tuned")),
             # Not a target: libtorrent at btx's dial pace, to tell btx's own
             # CPU from what 100 torrents at once cost libtorrent.
             ("libtorrent tuned, btx's dial pace (python)", run_python(many_seeder, "paced"))])
        # DOWNLOAD_ONLY=download-split,... runs those cases alone.
        only = set(filter(None, os.environ.get("DOWNLOAD_ONLY", "").split(",")))
        reports = {name: case() for name, case in reports.items() if not only or name in only}
    finally:
        for seeder in seeders:
            seeder.stop()
        shutil.rmtree(work, ignore_errors=True)
    if os.environ.get("BENCH_OUT"):
        for name, report in reports.items():
            with open(os.path.join(os.environ["BENCH_OUT"], name + ".json"), "w") as f:
                json.dump(report, f)


main()
