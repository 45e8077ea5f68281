#!/usr/bin/env python3
"""Benchmark our libzmq.so.1 (build/lib) against the reference libzmq 2.2.0
(build/ref/lib), alternating the two in one run.

    python3 bench/run.py [--rounds N] [--quick] [--out DIR]

The perf tools (perf/*.c, built into build/perf) are linked once against
our library; each run picks a library with LD_LIBRARY_PATH (both have the
SONAME libzmq.so.1).  Cases:

  thr     local_thr/remote_thr over tcp and ipc, inproc_thr; 1, 64, 1024
          and 65536-byte messages; msg/s, ratio ours/ref
  lat     local_lat/remote_lat over tcp and ipc, inproc_lat; 1 and 1024
          bytes; one-way latency in us, ratio ref/ours
  broker  build/examples/rrbroker + 2 rrworker processes, perf/broker_rt
          with 1 and 4 REQ clients; round trips/s, ratio ours/ref
  rss     perf/idle_conns: a ROUTER process holding 1000 idle tcp
          connections from a process with 1000 DEALER sockets; peak RSS
          (VmHWM) of each side, ratio ref/ours

Every ratio is "> 1 means ours is better".  Message counts are calibrated
by a pilot run on each library so a run takes about TARGET seconds.  Every
process runs under a timeout and in its own process group; a process that
hangs is killed and the hang is reported.  Medians go to stdout and to
bench/RESULTS.md, a bar chart of the ratios to bench/results.png.
Progress goes to stderr.  Python 3 standard library only.
"""
import argparse
import datetime
import os
import platform
import random
import re
import shlex
import signal
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PERF_SRC = os.path.join(ROOT, "perf")
PERF_BIN = os.path.join(ROOT, "build", "perf")
EXAMPLES = os.path.join(ROOT, "build", "examples")
LIBS = [("ours", os.path.join(ROOT, "build", "lib")),
        ("ref", os.path.join(ROOT, "build", "ref", "lib"))]
TOOLS = ["local_thr", "remote_thr", "local_lat", "remote_lat", "inproc_thr",
         "inproc_lat", "broker_rt", "idle_conns"]

THR_RE = re.compile(r"mean throughput: (\d+) \[msg/s\]")
LAT_RE = re.compile(r"average latency: ([0-9.]+) \[us\]")
RT_RE = re.compile(r"roundtrips per second: (\d+) \[rt/s\]")
RSS_RE = re.compile(r"client RSS: (-?\d+) \[kB\]")

LIVE = set()          # process groups we started and have not reaped yet


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


# --------------------------------------------------------------------------
# building the tools

def build_tools():
    os.makedirs(PERF_BIN, exist_ok=True)
    headers = [os.path.join(ROOT, "include", h) for h in ("zmq.h", "zmq_utils.h")]
    for name in TOOLS:
        src = os.path.join(PERF_SRC, name + ".c")
        out = os.path.join(PERF_BIN, name)
        if os.path.exists(out) and os.path.getmtime(out) >= max(
                [os.path.getmtime(src)] + [os.path.getmtime(h) for h in headers]):
            continue
        cmd = ["cc", "-Wall", "-Wextra", "-Werror", "-O2", "-Iinclude", "-o",
               os.path.relpath(out, ROOT), os.path.relpath(src, ROOT),
               "-Lbuild/lib", "-lzmq", "-lpthread"]
        log("build: " + " ".join(cmd))
        subprocess.run(cmd, cwd=ROOT, check=True)


# --------------------------------------------------------------------------
# processes

class Proc:
    """A child in its own session; stdout/stderr collected by threads."""

    def __init__(self, name, argv, lib, final_re=None):
        self.name = name
        self.argv = argv
        env = dict(os.environ)
        env["LD_LIBRARY_PATH"] = lib
        env.pop("LD_PRELOAD", None)
        self.p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  start_new_session=True)
        LIVE.add(self.p.pid)
        self.out = []
        self.err = []
        self.final_re = final_re
        self.final_at = None
        self.killed = False
        self._threads = [threading.Thread(target=self._pump, args=(self.p.stdout, self.out, True)),
                         threading.Thread(target=self._pump, args=(self.p.stderr, self.err, False))]
        for t in self._threads:
            t.daemon = True
            t.start()

    def _pump(self, stream, sink, is_out):
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace")
            sink.append(line)
            if is_out and self.final_re and self.final_at is None and self.final_re.search(line):
                self.final_at = time.monotonic()
        stream.close()

    def alive(self):
        return self.p.poll() is None

    def kill(self):
        if self.alive():
            self.killed = True
            try:
                os.killpg(self.p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.reap()

    def signal(self, sig):
        if self.alive():
            try:
                os.killpg(self.p.pid, sig)
            except ProcessLookupError:
                pass

    def reap(self, timeout=None):
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        for t in self._threads:
            t.join(2)
        LIVE.discard(self.p.pid)
        return True

    def text(self):
        return "".join(self.out)

    def errtext(self):
        return " ".join(l.strip() for l in self.err)[-300:]


def kill_all_live():
    for pid in list(LIVE):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def run_group(procs, result, timeout, grace):
    """Waits for the processes of one measurement.  `result` is the one
    that prints the figure.  Returns (output, notes, ok)."""
    start = time.monotonic()
    notes = []
    while True:
        now = time.monotonic()
        alive = [p for p in procs if p.alive()]
        if result.final_at is not None:
            if not alive:
                break
            if now - result.final_at > grace:
                for p in alive:
                    notes.append("%s hung at exit (still running %.0fs after the result; killed)"
                                 % (p.name, grace))
                    p.kill()
                break
        elif not result.alive():
            result.reap()
            notes.append("%s exited with status %s without a result%s"
                         % (result.name, result.p.returncode,
                            (": " + result.errtext()) if result.err else ""))
            for p in alive:
                p.kill()
            break
        if now - start > timeout:
            names = ", ".join(p.name for p in alive)
            notes.append("timeout after %.0fs with no result; still running: %s (killed)"
                         % (timeout, names))
            for p in alive:
                p.kill()
            break
        time.sleep(0.005)
    for p in procs:
        p.reap(5) or p.kill()
        if p is result and result.final_at is None:
            continue                         # already reported above
        if not p.killed and p.p.returncode not in (0, None):
            notes.append("%s exited with status %s%s" % (
                p.name, p.p.returncode, (": " + p.errtext()) if p.err else ""))
    for p in procs:
        if p.err and p.p.returncode == 0 and not p.killed:
            notes.append("%s stderr: %s" % (p.name, p.errtext()))
    return result.text(), notes, result.final_at is not None


# --------------------------------------------------------------------------
# endpoints

_used_ports = set()


def free_port():
    """A free loopback port outside the ephemeral range."""
    for _ in range(1000):
        port = random.randrange(20000, 32000)
        if port in _used_ports:
            continue
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            s.close()
        _used_ports.add(port)
        return port
    raise RuntimeError("no free port")


_ipc_seq = [0]


def endpoint(transport):
    if transport == "tcp":
        return "tcp://127.0.0.1:%d" % free_port()
    _ipc_seq[0] += 1
    path = "/tmp/zmqbench-%d-%d.ipc" % (os.getpid(), _ipc_seq[0])
    if os.path.exists(path):
        os.unlink(path)
    return "ipc://" + path


def cleanup_endpoint(ep):
    if ep.startswith("ipc://"):
        try:
            os.unlink(ep[len("ipc://"):])
        except OSError:
            pass


def listening(ep):
    if ep.startswith("ipc://"):
        return os.path.exists(ep[len("ipc://"):])
    port = int(ep.rsplit(":", 1)[1])
    want = ":%04X" % port
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    cols = line.split()
                    if cols[1].endswith(want) and cols[3] == "0A":
                        return True
        except OSError:
            pass
    return False


def wait_listening(eps, procs, limit=5.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if all(listening(e) for e in eps):
            return True
        if any(not p.alive() for p in procs):
            return False
        time.sleep(0.002)
    return False


# --------------------------------------------------------------------------
# one measurement per kind

def tool(name):
    return os.path.join(PERF_BIN, name)


def measure_thr(lib, transport, size, count, cfg):
    timeout = cfg.timeout
    if transport == "inproc":
        p = Proc("inproc_thr", [tool("inproc_thr"), str(size), str(count)], lib, THR_RE)
        out, notes, ok = run_group([p], p, timeout, cfg.grace)
    else:
        ep = endpoint(transport)
        srv = Proc("local_thr", [tool("local_thr"), ep, str(size), str(count)], lib, THR_RE)
        wait_listening([ep], [srv])
        cli = Proc("remote_thr", [tool("remote_thr"), ep, str(size), str(count)], lib)
        out, notes, ok = run_group([srv, cli], srv, timeout, cfg.grace)
        cleanup_endpoint(ep)
    m = THR_RE.search(out)
    return (float(m.group(1)) if ok and m else None), notes


def measure_lat(lib, transport, size, count, cfg):
    timeout = cfg.timeout
    if transport == "inproc":
        p = Proc("inproc_lat", [tool("inproc_lat"), str(size), str(count)], lib, LAT_RE)
        out, notes, ok = run_group([p], p, timeout, cfg.grace)
    else:
        ep = endpoint(transport)
        srv = Proc("local_lat", [tool("local_lat"), ep, str(size), str(count)], lib)
        wait_listening([ep], [srv])
        cli = Proc("remote_lat", [tool("remote_lat"), ep, str(size), str(count)], lib, LAT_RE)
        out, notes, ok = run_group([srv, cli], cli, timeout, cfg.grace)
        cleanup_endpoint(ep)
    m = LAT_RE.search(out)
    return (float(m.group(1)) if ok and m else None), notes


def measure_broker(lib, clients, count, cfg, workers=2, size=16):
    front, back = endpoint("tcp"), endpoint("tcp")
    broker = Proc("rrbroker", [os.path.join(EXAMPLES, "rrbroker"),
                               front.replace("127.0.0.1", "*"),
                               back.replace("127.0.0.1", "*")], lib)
    wait_listening([front, back], [broker])
    ws = [Proc("rrworker%d" % i, [os.path.join(EXAMPLES, "rrworker"), back, "w%d" % i], lib)
          for i in range(1, workers + 1)]
    cli = Proc("broker_rt", [tool("broker_rt"), front, str(size), str(count), str(clients)],
               lib, RT_RE)
    out, notes, ok = run_group([cli], cli, cfg.timeout, cfg.grace)
    # Workers first (their peer, the broker, is still up), then the broker.
    for group in (ws, [broker]):
        for p in group:
            p.signal(signal.SIGTERM)
        end = time.monotonic() + cfg.grace
        for p in group:
            if not p.reap(max(0.05, end - time.monotonic())):
                notes.append("%s did not exit within %.0fs of SIGTERM (killed)"
                             % (p.name, cfg.grace))
                p.kill()
            elif p.p.returncode != 0:
                notes.append("%s exited with status %s%s" % (
                    p.name, p.p.returncode, (": " + p.errtext()) if p.err else ""))
    m = RT_RE.search(out)
    return (float(m.group(1)) if ok and m else None), notes


def measure_rss(lib, conns, cfg):
    ep = endpoint("tcp")
    p = Proc("idle_conns", [tool("idle_conns"), ep, str(conns)], lib, RSS_RE)
    out, notes, ok = run_group([p], p, cfg.timeout + 30, cfg.grace)
    vals = {}
    for key in ("server peak RSS", "server RSS", "client peak RSS", "client RSS"):
        m = re.search(re.escape(key) + r": (-?\d+) \[kB\]", out)
        vals[key] = int(m.group(1)) if m else None
    m = re.search(r"setup time: ([0-9.]+) \[ms\]", out)
    vals["setup"] = float(m.group(1)) if m else None
    if not ok:
        return None, notes
    # VmHWM is synced lazily and can trail VmRSS slightly: report the larger.
    res = {"server": max(vals["server peak RSS"], vals["server RSS"]),
           "client": max(vals["client peak RSS"], vals["client RSS"]),
           "setup": vals["setup"]}
    return res, notes


# --------------------------------------------------------------------------
# cases

class Case:
    def __init__(self, key, label, unit, higher_better, kind, params):
        self.key = key
        self.label = label
        self.unit = unit
        self.higher_better = higher_better
        self.kind = kind
        self.params = params
        self.count = None
        self.values = {"ours": [], "ref": []}
        self.notes = {"ours": [], "ref": []}
        self.failures = {"ours": 0, "ref": 0}

    def median(self, lib):
        v = self.values[lib]
        return statistics.median(v) if v else None

    def ratio(self):
        o, r = self.median("ours"), self.median("ref")
        if not o or not r:
            return None
        return o / r if self.higher_better else r / o


THR_GUESS = {1: 2e6, 64: 2e6, 1024: 5e5, 65536: 2e4}      # msg/s, pilot only
MAX_BYTES_IN_FLIGHT = 2 << 30    # count * size cap (HWM is unbounded in 2.2)


def make_cases(cfg):
    cases = []
    for transport in ("tcp", "ipc", "inproc"):
        for size in (1, 64, 1024, 65536):
            cases.append(Case("thr-%s-%d" % (transport, size),
                              "thr %s %dB" % (transport, size), "msg/s", True,
                              "thr", (transport, size)))
    for transport in ("tcp", "ipc", "inproc"):
        for size in (1, 1024):
            cases.append(Case("lat-%s-%d" % (transport, size),
                              "lat %s %dB" % (transport, size), "us", False,
                              "lat", (transport, size)))
    for clients in (1, 4):
        cases.append(Case("broker-%d" % clients,
                          "broker tcp %d client%s" % (clients, "s" if clients > 1 else ""),
                          "rt/s", True, "broker", (clients,)))
    cases.append(Case("rss-server", "rss ROUTER %d conns" % cfg.conns, "kB", False,
                      "rss", ("server",)))
    cases.append(Case("rss-client", "rss %d DEALERs" % cfg.conns, "kB", False,
                      "rss", ("client",)))
    return cases


def run_once(case, lib, count, cfg):
    if case.kind == "thr":
        return measure_thr(lib, case.params[0], case.params[1], count, cfg)
    if case.kind == "lat":
        return measure_lat(lib, case.params[0], case.params[1], count, cfg)
    if case.kind == "broker":
        return measure_broker(lib, case.params[0], count, cfg)
    raise ValueError(case.kind)


def rate_of(case, value):
    """Operations per second implied by one result (for calibration)."""
    if case.kind == "lat":
        return 1e6 / (2 * value)              # round trips per second
    return value


def calibrate(case, cfg):
    if case.kind == "thr":
        size = case.params[1]
        pilot = max(200, int(THR_GUESS[size] * cfg.pilot))
        lo, hi = 1000, max(1000, MAX_BYTES_IN_FLIGHT // max(size, 1))
    elif case.kind == "lat":
        pilot = 1000 if not cfg.quick else 300
        lo, hi = 200, 10 ** 7
    else:
        pilot = 500 if not cfg.quick else 200
        lo, hi = 200, 10 ** 7
    pilot = min(pilot, hi)
    rates = []
    for name, lib in LIBS:
        v, notes = run_once(case, lib, pilot, cfg)
        if v is not None:
            rates.append(rate_of(case, v))
        else:
            case.notes[name].extend("pilot: " + n for n in notes)
    if not rates:
        return None
    # Geometric mean: each library's run stays within sqrt(ratio) of TARGET.
    rate = (rates[0] * rates[-1]) ** 0.5
    return int(min(hi, max(lo, rate * cfg.target)))


def fmt(v, unit):
    if v is None:
        return "-"
    if unit == "us":
        return "%.2f" % v
    if unit == "kB":
        return "%d" % v
    return "{:,}".format(int(round(v)))


# --------------------------------------------------------------------------
# PNG chart (no matplotlib): a 5x7 bitmap font, bars, zlib + struct

FONT = {
    "0": (14, 17, 19, 21, 25, 17, 14), "1": (4, 12, 4, 4, 4, 4, 14),
    "2": (14, 17, 1, 2, 4, 8, 31), "3": (31, 2, 4, 2, 1, 17, 14),
    "4": (2, 6, 10, 18, 31, 2, 2), "5": (31, 16, 30, 1, 1, 17, 14),
    "6": (6, 8, 16, 30, 17, 17, 14), "7": (31, 1, 2, 4, 8, 8, 8),
    "8": (14, 17, 17, 14, 17, 17, 14), "9": (14, 17, 17, 15, 1, 2, 12),
    "A": (14, 17, 17, 31, 17, 17, 17), "B": (30, 17, 17, 30, 17, 17, 30),
    "C": (14, 17, 16, 16, 16, 17, 14), "D": (28, 18, 17, 17, 17, 18, 28),
    "E": (31, 16, 16, 30, 16, 16, 31), "F": (31, 16, 16, 30, 16, 16, 16),
    "G": (14, 17, 16, 23, 17, 17, 15), "H": (17, 17, 17, 31, 17, 17, 17),
    "I": (14, 4, 4, 4, 4, 4, 14), "J": (7, 2, 2, 2, 2, 18, 12),
    "K": (17, 18, 20, 24, 20, 18, 17), "L": (16, 16, 16, 16, 16, 16, 31),
    "M": (17, 27, 21, 21, 17, 17, 17), "N": (17, 17, 25, 21, 19, 17, 17),
    "O": (14, 17, 17, 17, 17, 17, 14), "P": (30, 17, 17, 30, 16, 16, 16),
    "Q": (14, 17, 17, 17, 21, 18, 13), "R": (30, 17, 17, 30, 20, 18, 17),
    "S": (15, 16, 16, 14, 1, 1, 30), "T": (31, 4, 4, 4, 4, 4, 4),
    "U": (17, 17, 17, 17, 17, 17, 14), "V": (17, 17, 17, 17, 17, 10, 4),
    "W": (17, 17, 17, 21, 21, 21, 10), "X": (17, 17, 10, 4, 10, 17, 17),
    "Y": (17, 17, 17, 10, 4, 4, 4), "Z": (31, 1, 2, 4, 8, 16, 31),
    " ": (0,) * 7, ".": (0, 0, 0, 0, 0, 12, 12), ",": (0, 0, 0, 0, 12, 4, 8),
    ":": (0, 12, 12, 0, 12, 12, 0), "/": (0, 1, 2, 4, 8, 16, 0),
    "-": (0, 0, 0, 31, 0, 0, 0), "(": (2, 4, 8, 8, 8, 4, 2),
    ")": (8, 4, 2, 2, 2, 4, 8), "%": (24, 25, 2, 4, 8, 19, 3),
    "<": (2, 4, 8, 16, 8, 4, 2), ">": (8, 4, 2, 1, 2, 4, 8),
    "=": (0, 0, 31, 0, 31, 0, 0), "+": (0, 4, 4, 31, 4, 4, 0),
    "_": (0, 0, 0, 0, 0, 0, 31), "?": (14, 17, 1, 2, 4, 0, 4),
    "!": (4, 4, 4, 4, 4, 0, 4), "*": (0, 4, 21, 14, 21, 4, 0),
}


class Canvas:
    def __init__(self, w, h, bg=(255, 255, 255)):
        self.w, self.h = w, h
        self.px = bytearray(bytes(bg) * (w * h))

    def rect(self, x0, y0, x1, y1, rgb):
        x0, x1 = max(0, int(x0)), min(self.w, int(x1))
        y0, y1 = max(0, int(y0)), min(self.h, int(y1))
        if x1 <= x0:
            return
        row = bytes(rgb) * (x1 - x0)
        for y in range(y0, y1):
            i = (y * self.w + x0) * 3
            self.px[i:i + len(row)] = row

    def text(self, x, y, s, rgb=(0, 0, 0), scale=2):
        for ch in s.upper():
            glyph = FONT.get(ch, FONT["?"])
            for r, bits in enumerate(glyph):
                for c in range(5):
                    if bits & (16 >> c):
                        self.rect(x + c * scale, y + r * scale,
                                  x + (c + 1) * scale, y + (r + 1) * scale, rgb)
            x += 6 * scale
        return x

    def png(self):
        raw = bytearray()
        stride = self.w * 3
        for y in range(self.h):
            raw.append(0)
            raw += self.px[y * stride:(y + 1) * stride]

        def chunk(tag, data):
            return (struct.pack(">I", len(data)) + tag + data
                    + struct.pack(">I", zlib.crc32(tag + data) & 0xffffffff))
        return (b"\x89PNG\r\n\x1a\n"
                + chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
                + chunk(b"IEND", b""))


def chart(cases, rounds, path):
    rows = [(c.label, c.ratio()) for c in cases]
    finite = [r for _, r in rows if r]
    xmax = max(2.0, min(5.0, (int(max(finite + [1.0]) * 2) + 1) / 2.0))
    row_h, top, left, bar_w = 24, 64, 300, 560
    w, h = left + bar_w + 90, top + row_h * len(rows) + 40
    cv = Canvas(w, h)
    cv.text(10, 10, "Rust libzmq.so.1 vs libzmq 2.2.0: median ratio, > 1 = ours better")
    cv.text(10, 34, "thr, broker: ours/ref   lat, rss: ref/ours   (%d round%s)"
            % (rounds, "s" if rounds != 1 else ""), (80, 80, 80))
    scale = bar_w / xmax
    # grid every 0.5, a strong line at 1.0
    k = 0.0
    while k <= xmax + 1e-9:
        x = left + k * scale
        cv.rect(x, top - 4, x + 1, top + row_h * len(rows), (225, 225, 225))
        cv.text(x - 12, top + row_h * len(rows) + 8, "%.1f" % k, (90, 90, 90), 1)
        k += 0.5
    x1 = left + 1.0 * scale
    cv.rect(x1 - 1, top - 4, x1 + 1, top + row_h * len(rows), (0, 0, 0))
    for i, (label, ratio) in enumerate(rows):
        y = top + i * row_h
        cv.text(10, y + 5, label)
        if ratio is None:
            cv.text(left + 6, y + 5, "failed", (200, 0, 0))
            continue
        color = (46, 160, 67) if ratio >= 1.0 else (215, 58, 73)
        cv.rect(left, y + 3, left + min(ratio, xmax) * scale, y + row_h - 3, color)
        tag = ("%.2f" % ratio) + (" >" if ratio > xmax else "")
        cv.text(max(left + min(ratio, xmax) * scale, x1) + 6, y + 5, tag)
    with open(path, "wb") as f:
        f.write(cv.png())


# --------------------------------------------------------------------------
# report

def lib_stamp():
    """(path, mtime, size) of both libraries, to notice a rebuild mid-run."""
    out = []
    for name, lib in LIBS:
        f = os.path.realpath(os.path.join(lib, "libzmq.so.1"))
        try:
            st = os.stat(f)
            out.append((name, time.strftime("%H:%M:%S", time.localtime(st.st_mtime)), st.st_size))
        except OSError:
            out.append((name, None, None))
    return out


def machine_facts():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    mem = "%.1f GiB" % (int(line.split()[1]) / 1048576.0)
    except OSError:
        pass
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, timeout=10).stdout.strip()
    except Exception:
        head = "?"
    lib = os.path.join(LIBS[0][1], "libzmq.so.1")
    built = datetime.datetime.fromtimestamp(os.path.getmtime(lib)).strftime("%Y-%m-%d %H:%M:%S") \
        if os.path.exists(lib) else "?"
    return [("nproc", str(os.cpu_count())), ("CPU", model), ("memory", mem),
            ("kernel", platform.release()), ("git HEAD", head or "?"),
            ("ours", "%s/libzmq.so.1, built %s" % (os.path.relpath(LIBS[0][1], ROOT), built)),
            ("ref", "%s/libzmq.so.1" % os.path.relpath(LIBS[1][1], ROOT))]


def issues(c):
    """Short summary of the problems of one case, e.g. 'ours: 2 exit hangs'."""
    parts = []
    for lib in ("ours", "ref"):
        hangs = sum(1 for n in c.notes[lib] if "hung at exit" in n and not n.startswith("pilot"))
        other = sum(1 for n in c.notes[lib] if "hung at exit" not in n and not n.startswith("pilot"))
        bits = []
        if hangs:
            bits.append("%d exit hang%s" % (hangs, "s" if hangs > 1 else ""))
        if other:
            bits.append("%d other" % other)
        if bits:
            parts.append("%s: %s" % (lib, ", ".join(bits)))
    return "; ".join(parts)


def table(cases, rounds):
    head = ["case", "unit", "ours", "ref", "ratio", "runs ok ours/ref", "issues"]
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join(["---"] * 2 + ["---:"] * 4 + ["---"]) + "|"]
    for c in cases:
        r = c.ratio()
        lines.append("| %s | %s | %s | %s | %s | %d/%d | %s |" % (
            c.label, c.unit, fmt(c.median("ours"), c.unit), fmt(c.median("ref"), c.unit),
            ("%.2f" % r) if r else "-", len(c.values["ours"]), len(c.values["ref"]),
            issues(c)))
    return "\n".join(lines)


def text_table(cases):
    rows = [("case", "unit", "ours", "ref", "ratio", "ok", "issues")]
    for c in cases:
        r = c.ratio()
        rows.append((c.label, c.unit, fmt(c.median("ours"), c.unit),
                     fmt(c.median("ref"), c.unit), ("%.2f" % r) if r else "-",
                     "%d/%d" % (len(c.values["ours"]), len(c.values["ref"])), issues(c)))
    widths = [max(len(r[i]) for r in rows) for i in range(7)]
    out = []
    for n, r in enumerate(rows):
        out.append("  ".join(r[i].ljust(widths[i]) if i in (0, 1, 6) else r[i].rjust(widths[i])
                             for i in range(7)).rstrip())
        if n == 0:
            out.append("  ".join("-" * wd for wd in widths))
    return "\n".join(out)


def notes_text(cases):
    out = []
    for c in cases:
        for lib in ("ours", "ref"):
            seen = {}
            for n in c.notes[lib]:
                seen[n] = seen.get(n, 0) + 1
            for n, k in seen.items():
                out.append("- %s, %s: %s%s" % (c.label, lib, n, (" (x%d)" % k) if k > 1 else ""))
    return out


def write_report(cases, cfg, started, elapsed, out_dir, extra):
    facts = machine_facts()
    cmd = "python3 " + " ".join(shlex.quote(a) for a in
                                [os.path.relpath(os.path.abspath(sys.argv[0]), ROOT)] + sys.argv[1:])
    md = ["# libzmq.so.1 (Rust) vs libzmq 2.2.0 (reference): benchmark", "",
          "- date: %s (run took %.0f s)" % (started.strftime("%Y-%m-%d %H:%M:%S %Z").strip(), elapsed),
          "- command: `%s` (from the repository root)" % cmd,
          "- rounds: %d%s; each run ~%.2f s (message counts calibrated by a pilot run "
          "on each library); ours and ref alternate, order swapped every round"
          % (cfg.rounds, " (quick)" if cfg.quick else "", cfg.target)]
    md += ["- %s: %s" % kv for kv in facts]
    md += ["", "Medians.  ratio: throughput and broker ours/ref, latency and RSS ref/ours, "
           "so **> 1 means ours is better**.  Latency is one-way (half the round trip), "
           "as remote_lat prints it.  thr/lat: perf/local_thr+remote_thr, "
           "perf/local_lat+remote_lat (tcp 127.0.0.1, ipc /tmp), perf/inproc_thr, "
           "perf/inproc_lat.  broker: build/examples/rrbroker + 2 rrworker processes, "
           "perf/broker_rt (16-byte requests, N REQ clients in one process).  "
           "rss: perf/idle_conns, peak RSS (VmHWM) of the process with one ROUTER "
           "holding %d idle tcp connections, and of the process with %d connected "
           "DEALER sockets (4 contexts)." % (cfg.conns, cfg.conns), "",
           table(cases, cfg.rounds), "", "![ratios](results.png)", ""]
    md += ["## Problems seen", ""]
    notes = notes_text(cases)
    md += notes if notes else ["none"]
    md += ["", "## Raw values per run", ""]
    for c in cases:
        md.append("- %s (%s, count %s): ours %s; ref %s" % (
            c.label, c.unit, c.count if c.count else "-",
            [fmt(v, c.unit) for v in c.values["ours"]],
            [fmt(v, c.unit) for v in c.values["ref"]]))
    md += extra
    with open(os.path.join(out_dir, "RESULTS.md"), "w") as f:
        f.write("\n".join(md) + "\n")


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=None, help="rounds (default 3; 1 with --quick)")
    ap.add_argument("--quick", action="store_true", help="short smoke run")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench"),
                    help="directory for RESULTS.md and results.png")
    ap.add_argument("--conns", type=int, default=1000, help="idle connections for the RSS case")
    ap.add_argument("--only", default="", help="comma-separated case key prefixes (e.g. thr-tcp,lat)")
    ap.add_argument("--ours", default=LIBS[0][1], help="directory with our libzmq.so.1")
    ap.add_argument("--ref", default=LIBS[1][1], help="directory with the reference libzmq.so.1")
    cfg = ap.parse_args()
    LIBS[:] = [("ours", os.path.abspath(cfg.ours)), ("ref", os.path.abspath(cfg.ref))]
    cfg.rounds = cfg.rounds or (1 if cfg.quick else 3)
    cfg.target = 0.15 if cfg.quick else 0.6      # seconds per measured run
    cfg.pilot = 0.03 if cfg.quick else 0.05      # pilot length at the guessed rate
    cfg.timeout = 20.0 if cfg.quick else 40.0    # per run, seconds
    cfg.grace = 2.0 if cfg.quick else 3.0        # exit grace after the result

    for name, lib in LIBS:
        if not os.path.exists(os.path.join(lib, "libzmq.so.1")):
            sys.exit("bench: %s/libzmq.so.1 missing (make lib / make ref)" % lib)
    for ex in ("rrbroker", "rrworker"):
        if not os.path.exists(os.path.join(EXAMPLES, ex)):
            sys.exit("bench: build/examples/%s missing (make examples)" % ex)
    build_tools()
    stamp = lib_stamp()

    cases = make_cases(cfg)
    if cfg.only:
        keys = [k.strip() for k in cfg.only.split(",") if k.strip()]
        cases = [c for c in cases if any(c.key.startswith(k) for k in keys)]
    started = datetime.datetime.now().astimezone()
    t0 = time.monotonic()

    def on_signal(sig, frame):
        kill_all_live()
        sys.exit("bench: interrupted")
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    try:
        # Calibrate message counts (both libraries, one short pilot each).
        timed = [c for c in cases if c.kind != "rss"]
        for i, c in enumerate(timed, 1):
            c.count = calibrate(c, cfg)
            log("[calibrate %2d/%d] %-22s count %s" % (i, len(timed), c.label,
                                                     c.count if c.count else "FAILED (pilot)"))
        rss_cases = [c for c in cases if c.kind == "rss"]
        total = cfg.rounds * 2 * (len(timed) + (1 if rss_cases else 0))
        step = 0
        for rnd in range(cfg.rounds):
            order = LIBS if rnd % 2 == 0 else LIBS[::-1]
            for c in timed:
                if not c.count:
                    continue
                for name, lib in order:
                    step += 1
                    if c.failures[name] >= 2:
                        log("[%3d/%d] round %d %-22s %-4s skipped (failed twice)"
                            % (step, total, rnd + 1, c.label, name))
                        continue
                    t = time.monotonic()
                    v, notes = run_once(c, lib, c.count, cfg)
                    c.notes[name].extend(notes)
                    if v is None:
                        c.failures[name] += 1
                    else:
                        c.values[name].append(v)
                    log("[%3d/%d] round %d %-22s %-4s %12s %-5s %5.2fs%s"
                        % (step, total, rnd + 1, c.label, name, fmt(v, c.unit), c.unit,
                           time.monotonic() - t, ("  ! " + "; ".join(notes)) if notes else ""))
            if rss_cases:
                for name, lib in order:
                    step += 1
                    t = time.monotonic()
                    v, notes = measure_rss(lib, cfg.conns, cfg)
                    for c in rss_cases:
                        c.notes[name].extend(notes)
                        if v is not None:
                            c.values[name].append(v[c.params[0]])
                    log("[%3d/%d] round %d %-22s %-4s %s %5.2fs%s"
                        % (step, total, rnd + 1, "rss %d conns" % cfg.conns, name,
                           ("server %d kB, client %d kB, setup %.0f ms"
                            % (v["server"], v["client"], v["setup"] or 0)) if v else "FAILED",
                           time.monotonic() - t, ("  ! " + "; ".join(notes)) if notes else ""))
    finally:
        kill_all_live()

    elapsed = time.monotonic() - t0
    extra = []
    if lib_stamp() != stamp:
        warn = ("WARNING: a library file changed during the run (rebuilt by someone?): "
                "before %s, after %s; the figures may mix two builds." % (stamp, lib_stamp()))
        log("bench: " + warn)
        print(warn + "\n")
        extra = ["", "**" + warn + "**"]
    print(text_table(cases))
    print("\nratio > 1 means ours is better (thr/broker ours/ref, lat/rss ref/ours); "
          "%d round%s, %.0f s" % (cfg.rounds, "s" if cfg.rounds != 1 else "", elapsed))
    notes = notes_text(cases)
    if notes:
        print("\nproblems:")
        print("\n".join(notes))
    os.makedirs(cfg.out, exist_ok=True)
    chart(cases, cfg.rounds, os.path.join(cfg.out, "results.png"))
    write_report(cases, cfg, started, elapsed, cfg.out, extra)
    log("bench: wrote %s and %s" % (os.path.join(cfg.out, "RESULTS.md"),
                                    os.path.join(cfg.out, "results.png")))


if __name__ == "__main__":
    main()
