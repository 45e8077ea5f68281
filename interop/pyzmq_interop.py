#!/usr/bin/env python3
"""Interoperability of our libzmq 2.2 (ZMTP/1.0) with libzmq 4.x via pyzmq.

Each case runs interop/peer.c (built against our library) in a subprocess
with LD_LIBRARY_PATH set to our library, and drives pyzmq sockets (the
libzmq 4.x bundled with pyzmq, which falls back to ZMTP/1.0 for 2.x peers)
in this process:

  REQ/REP, DEALER/ROUTER with and without identities, PUSH/PULL with sizes
  0..1 MiB, PUB/SUB (and XPUB/XSUB) with filters, PAIR multipart -- each
  with our side in either role and binding or connecting, over tcp and ipc;
  a 4.x SUB whose subscription frames our PUB must read and ignore, and
  whose disconnect our PUB must notice; peers restarted mid-stream.

  pyzmq_interop.py --peer BUILD/interop/peer --lib OURLIBDIR --work DIR
                   [--filter SUBSTRING] [--budget SECONDS] [--list]

Prints "ok   NAME" or "FAIL NAME (reason)" plus indented details per case;
exits 1 if any case failed.  Only the standard library and pyzmq are used;
--list works without pyzmq.
"""

import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import time
import traceback

WAIT = 10.0            # seconds for any single wait
PEER_TIMEOUT_MS = "10000"
SIZES = [0, 1, 253, 254, 255, 256, 65536, 1048576]
TOPICS = ["wx.eu", "nw", "wx.us", "sp"]
FILTERS = ["wx.", "sp"]

zmq = None             # imported in main() unless --list
ARGS = None
LIVE = []              # running peer processes (killed on exit)
IPC_N = 0


class PortInUse(Exception):
    pass


class CaseFailure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise CaseFailure(what)


_BASE = bytes(range(251)) * (1048576 // 251 + 3)


def pattern(index, size):
    """Byte j is (j + index * 17 + size) % 251, as in peer.c."""
    off = (index * 17 + size) % 251
    if size + off > len(_BASE):
        return bytes((j + off) % 251 for j in range(size))
    return _BASE[off:off + size]


def free_port():
    for _ in range(200):
        p = random.randrange(20000, 32000)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p))
            return p
        except OSError:
            pass
        finally:
            s.close()
    raise CaseFailure("no free port")


class Peer:
    """Our peer program in a subprocess, output to a log file."""

    def __init__(self, case, role, ep, mode, *args):
        self.name = "%s-%s" % (role, mode)
        self.logpath = os.path.join(case.dir, "peer-%d-%s.log" % (len(case.peers), self.name))
        self.log = open(self.logpath, "wb")
        env = dict(os.environ)
        env["LD_LIBRARY_PATH"] = ARGS.lib
        env["PEER_EXPECT_LIBDIR"] = ARGS.lib
        env["PEER_TIMEOUT_MS"] = PEER_TIMEOUT_MS
        self.argv = [ARGS.peer, role, ep, mode] + [str(a) for a in args]
        self.proc = subprocess.Popen(self.argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env)
        LIVE.append(self.proc)
        case.peers.append(self)

    @property
    def pid(self):
        return self.proc.pid

    def output(self):
        try:
            with open(self.logpath, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_line(self, text, timeout=WAIT):
        """Waits until the peer printed the line TEXT."""
        deadline = time.monotonic() + timeout
        while True:
            if text in self.output().splitlines():
                return
            rc = self.proc.poll()
            if rc is not None:
                if text in self.output().splitlines():
                    return
                if rc == 3:
                    raise PortInUse()
                raise CaseFailure("our peer exited with %d before printing %r" % (rc, text))
            if time.monotonic() > deadline:
                raise CaseFailure("our peer did not print %r within %.0f s" % (text, timeout))
            time.sleep(0.01)

    def ready(self):
        self.wait_line("ready")
        return self

    def finish(self, timeout=WAIT + 10):
        """Waits for the peer to exit; fails unless it exits 0."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise CaseFailure("our peer (%s) did not exit within %.0f s" % (self.name, timeout))
        if rc == 3:
            raise PortInUse()
        check(rc == 0, "our peer (%s) exited with %d" % (self.name, rc))

    def terminate(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass

    def close(self):
        self.kill()
        self.log.close()
        if self.proc in LIVE:
            LIVE.remove(self.proc)


class Case:
    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(ARGS.work, name.replace("/", "_"))
        os.makedirs(self.dir, exist_ok=True)
        self.peers = []
        self.ctxs = []
        self.ctx = self.new_ctx()

    def new_ctx(self):
        ctx = zmq.Context()
        self.ctxs.append(ctx)
        return ctx

    def ep(self, tr):
        if tr == "tcp":
            return "tcp://127.0.0.1:%d" % free_port()
        global IPC_N
        IPC_N += 1
        d = os.path.join(ARGS.work, "ipc")
        os.makedirs(d, exist_ok=True)
        return "ipc://%s/%d.sock" % (d, IPC_N)

    def peer(self, role, ep, mode, *args):
        return Peer(self, role, ep, mode, *args)

    def sock(self, kind, ctx=None, identity=None):
        s = (ctx or self.ctx).socket(kind)
        s.setsockopt(zmq.RCVTIMEO, int(WAIT * 1000))
        s.setsockopt(zmq.SNDTIMEO, int(WAIT * 1000))
        s.setsockopt(zmq.LINGER, 2000)
        if identity is not None:
            s.setsockopt(zmq.ROUTING_ID, identity)
        return s

    def attach(self, s, ep, mode):
        """Binds or connects a pyzmq socket (MODE is what the pyzmq side does)."""
        if mode == "bind":
            try:
                s.bind(ep)
            except zmq.ZMQError as e:
                if e.errno == zmq.EADDRINUSE:
                    raise PortInUse()
                raise
        else:
            s.connect(ep)
        return s

    def close(self):
        for p in self.peers:
            p.close()
        for ctx in self.ctxs:
            try:
                ctx.destroy(linger=0)
            except Exception:
                pass


def other(mode):
    return "connect" if mode == "bind" else "bind"


def recv(s, what):
    try:
        return s.recv_multipart()
    except zmq.Again:
        raise CaseFailure("pyzmq side timed out (%.0f s) waiting to %s" % (WAIT, what))


def send(s, parts, what):
    try:
        s.send_multipart(parts)
    except zmq.Again:
        raise CaseFailure("pyzmq side timed out (%.0f s) trying to %s" % (WAIT, what))


def describe(parts):
    out = []
    for p in parts[:6]:
        out.append(repr(p[:40]) + ("...(%d bytes)" % len(p) if len(p) > 40 else ""))
    return "[" + ", ".join(out) + (", ..." if len(parts) > 6 else "") + "]"


# ------------------------------------------------------------------ cases

def push_pull(c, tr, ours, ours_mode):
    """ours = 'push' or 'pull'; the pyzmq side plays the other role."""
    ep, ack = c.ep(tr), c.ep(tr)
    pm = other(ours_mode)
    if ours == "pull":
        peer = c.peer("pull", ep, ours_mode, ack, *SIZES)
        if ours_mode == "bind":
            peer.ready()
        push = c.attach(c.sock(zmq.PUSH), ep, pm)
        ackin = c.attach(c.sock(zmq.PULL), ack, pm)
        if ours_mode != "bind":
            peer.ready()
        for i, size in enumerate(SIZES):
            send(push, [pattern(i, size)], "send message %d (%d bytes)" % (i, size))
        check(recv(ackin, "receive the acknowledgement") == [b"done"], "bad acknowledgement")
    else:
        peer = c.peer("push", ep, ours_mode, ack, *SIZES)
        if ours_mode == "bind":
            peer.ready()
        pull = c.attach(c.sock(zmq.PULL), ep, pm)
        ackout = c.attach(c.sock(zmq.PUSH), ack, pm)
        for i, size in enumerate(SIZES):
            parts = recv(pull, "receive message %d (%d bytes)" % (i, size))
            check(len(parts) == 1, "message %d has %d parts" % (i, len(parts)))
            check(len(parts[0]) == size, "message %d has %d bytes, expected %d" % (i, len(parts[0]), size))
            check(parts[0] == pattern(i, size), "message %d (%d bytes): content differs" % (i, size))
        send(ackout, [b"done"], "send the acknowledgement")
    peer.finish()


def req_rep(c, tr, ours, ours_mode, count=10):
    ep = c.ep(tr)
    pm = other(ours_mode)
    peer = c.peer(ours, ep, ours_mode, count)
    if ours_mode == "bind":
        peer.ready()
    if ours == "req":
        rep = c.attach(c.sock(zmq.REP), ep, pm)
        for i in range(count):
            parts = recv(rep, "receive request %d" % i)
            check(parts == [b"hello", b"%d" % i, pattern(i, 300)],
                  "request %d: got %s" % (i, describe(parts)))
            send(rep, [b"world", b"%d" % i, pattern(i, 300)], "send reply %d" % i)
    else:
        req = c.attach(c.sock(zmq.REQ), ep, pm)
        for i in range(count):
            send(req, [b"hello", b"%d" % i, pattern(i, 300)], "send request %d" % i)
            parts = recv(req, "receive reply %d" % i)
            check(parts == [b"world", b"%d" % i, pattern(i, 300)],
                  "reply %d: got %s" % (i, describe(parts)))
    peer.finish()


def dealer_router(c, tr, ours, ours_mode, identity, count=8):
    """identity: bytes or None (anonymous) -- of the DEALER, whichever side."""
    ep = c.ep(tr)
    pm = other(ours_mode)
    if ours == "dealer":
        peer = c.peer("dealer", ep, ours_mode, identity.decode() if identity else "-", count)
        if ours_mode == "bind":
            peer.ready()
        router = c.attach(c.sock(zmq.ROUTER), ep, pm)
        for i in range(count):
            parts = recv(router, "receive message %d" % i)
            check(len(parts) == 4, "message %d: got %s" % (i, describe(parts)))
            rid = parts[0]
            if identity:
                check(rid == identity, "4.x ROUTER saw identity %r, expected %r" % (rid, identity))
            else:
                # an anonymous 1.0 peer gets a 4.x-generated id 00 xx xx xx xx
                check(len(rid) > 0 and rid[0] == 0,
                      "4.x ROUTER saw identity %r for our anonymous DEALER" % rid)
            check(parts[1:] == [b"dealer", b"%d" % i, pattern(i, 256)],
                  "message %d: got %s" % (i, describe(parts)))
            send(router, [rid, b"router", b"%d" % i, pattern(i, 256)], "send reply %d" % i)
    else:
        expect = "=" + identity.decode() if identity else "anon"
        peer = c.peer("router", ep, ours_mode, expect, count)
        if ours_mode == "bind":
            peer.ready()
        dealer = c.attach(c.sock(zmq.DEALER, identity=identity), ep, pm)
        for i in range(count):
            send(dealer, [b"dealer", b"%d" % i, pattern(i, 256)], "send message %d" % i)
            parts = recv(dealer, "receive reply %d" % i)
            check(parts == [b"router", b"%d" % i, pattern(i, 256)],
                  "reply %d: got %s" % (i, describe(parts)))
    peer.finish()


class SubChecker:
    """Checks publications [TOPIC:seq, blob(seq, 64)] against filters."""

    def __init__(self, filters):
        self.filters = [f.encode() for f in filters]
        self.got = {f: 0 for f in self.filters}
        self.last = {}

    def add(self, parts):
        check(len(parts) == 2, "publication with %d parts: %s" % (len(parts), describe(parts)))
        head = parts[0]
        matched = [f for f in self.filters if head.startswith(f)]
        check(matched, "publication %r matches no filter %r" % (head, self.filters))
        for f in matched:
            self.got[f] += 1
        topic, _, seq = head.partition(b":")
        seq = int(seq)
        check(parts[1] == pattern(seq, 64), "publication %r: body differs" % head)
        check(seq > self.last.get(topic, -1),
              "topic %r out of order: %d after %d" % (topic, seq, self.last.get(topic, -1)))
        self.last[topic] = seq

    def done(self, count):
        return all(n >= count for n in self.got.values())


def receive_publications(sub, filters, count, what):
    chk = SubChecker(filters)
    deadline = time.monotonic() + WAIT
    while not chk.done(count):
        check(time.monotonic() < deadline, "timed out %s: %r" % (what, chk.got))
        chk.add(recv(sub, what))
    return chk


def publish_until_ack(pub, ackin, topics):
    deadline = time.monotonic() + WAIT
    seq = 0
    while True:
        for t in topics:
            pub.send_multipart([b"%s:%d" % (t.encode(), seq), pattern(seq, 64)])
        seq += 1
        if ackin.poll(2):
            check(recv(ackin, "receive the acknowledgement") == [b"done"], "bad acknowledgement")
            return seq
        check(time.monotonic() < deadline, "no acknowledgement from our SUB after %d rounds" % seq)


def pub_sub(c, tr, ours, ours_mode, filters=FILTERS, x=False):
    """ours = 'pub' or 'sub' (x: XPUB/XSUB on both sides)."""
    ep, ack = c.ep(tr), c.ep(tr)
    pm = other(ours_mode)
    if ours == "sub":
        peer = c.peer("xsub" if x else "sub", ep, ours_mode, ack, 20, *filters)
        if ours_mode == "bind":
            peer.ready()
        pub = c.attach(c.sock(zmq.XPUB if x else zmq.PUB), ep, pm)
        ackin = c.attach(c.sock(zmq.PULL), ack, pm)
        publish_until_ack(pub, ackin, TOPICS)
    else:
        peer = c.peer("xpub" if x else "pub", ep, ours_mode, ack, *TOPICS)
        if ours_mode == "bind":
            peer.ready()
        sub = c.sock(zmq.XSUB if x else zmq.SUB)
        if not x:
            for f in filters:
                sub.setsockopt(zmq.SUBSCRIBE, f.encode())
        c.attach(sub, ep, pm)
        if x:   # XSUB subscriptions are messages sent upstream
            for f in filters:
                sub.send(b"\x01" + f.encode())
        # A 4.x XSUB sends its subscriptions upstream (our 2.x XPUB must read
        # and ignore them) but does not filter locally: everything arrives.
        receive_publications(sub, [""] if x else filters, 20, "receiving publications")
        ackout = c.attach(c.sock(zmq.PUSH), ack, pm)
        send(ackout, [b"done"], "send the acknowledgement")
    peer.finish()


def peer_connections(pid, ep):
    """Number of our peer's fds that are accepted connections on EP."""
    try:
        inodes = set()
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    except OSError:
        return None
    conns = set()
    if ep.startswith("tcp://"):
        port = "%04X" % int(ep.rsplit(":", 1)[1])
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(table) as f:
                    next(f)
                    for line in f:
                        fields = line.split()
                        local, state, inode = fields[1], fields[3], fields[9]
                        if local.endswith(":" + port) and state != "0A":
                            conns.add(inode)
            except OSError:
                pass
    else:
        path = ep[len("ipc://"):]
        with open("/proc/net/unix") as f:
            next(f)
            for line in f:
                fields = line.split()
                if len(fields) >= 8 and fields[7] == path and int(fields[3], 16) & 0x10000 == 0:
                    conns.add(fields[6])
    return len(conns & inodes)


def wait_connections(pid, ep, n, what, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        k = peer_connections(pid, ep)
        if k == n:
            return
        if time.monotonic() > deadline:
            raise CaseFailure("%s: our peer holds %s connection(s) on %s, expected %d after %.0f s"
                              % (what, k, ep, n, timeout))
        time.sleep(0.02)


def pub_resubscribe(c, tr):
    """Our PUB (bound) with 4.x SUBs: the subscription frames they send must be
    read and ignored without stalling, a closed SUB's connection must be
    noticed (our side closes it), and a later SUB must still receive."""
    ep, ack = c.ep(tr), c.ep(tr)
    peer = c.peer("pub", ep, "bind", ack, *TOPICS).ready()
    ackout = c.attach(c.sock(zmq.PUSH), ack, "connect")
    wait_connections(peer.pid, ep, 0, "before any SUB")
    ctx1 = c.new_ctx()
    sub1 = c.sock(zmq.SUB, ctx=ctx1)
    sub1.setsockopt(zmq.SUBSCRIBE, b"wx.")
    c.attach(sub1, ep, "connect")
    receive_publications(sub1, ["wx."], 20, "receiving 'wx.' publications (first SUB)")
    # Many subscription frames, short and long (long frames have the 0xFF
    # header), while publications keep coming.
    for k in range(50):
        sub1.setsockopt(zmq.SUBSCRIBE, b"zz%d" % k + b"x" * (300 if k % 2 else 3))
    sub1.setsockopt(zmq.SUBSCRIBE, b"sp")
    sub1.setsockopt(zmq.UNSUBSCRIBE, b"wx.")
    for k in range(50):
        sub1.setsockopt(zmq.UNSUBSCRIBE, b"zz%d" % k + b"x" * (300 if k % 2 else 3))
    # Messages queued before the unsubscribe may still be 'wx.' ones: skip
    # until an 'sp' one, then only 'sp' may come (4.x filters locally).
    deadline = time.monotonic() + WAIT
    while True:
        parts = recv(sub1, "receive after resubscribing")
        if parts[0].startswith(b"sp"):
            break
        check(time.monotonic() < deadline, "no 'sp' publication after resubscribing")
    receive_publications(sub1, ["sp"], 200, "receiving 'sp' publications after 100 subscription frames")
    wait_connections(peer.pid, ep, 1, "while the first SUB is connected")
    sub1.close(linger=0)
    ctx1.term()
    wait_connections(peer.pid, ep, 0,
                     "after the 4.x SUB closed (our PUB did not notice the disconnect)")
    ctx2 = c.new_ctx()
    sub2 = c.sock(zmq.SUB, ctx=ctx2)
    sub2.setsockopt(zmq.SUBSCRIBE, b"nw")
    c.attach(sub2, ep, "connect")
    receive_publications(sub2, ["nw"], 20, "receiving 'nw' publications (second SUB)")
    send(ackout, [b"done"], "send the acknowledgement")
    peer.finish()


PAIR_SIZES = [0, 1, 5, 253, 254, 255, 256, 3000, 0]


def pair(c, tr, ours, ours_mode, count=12):
    """ours = 'ping' or 'pong'; message i has 1 + i % 9 parts (as peer.c)."""
    ep = c.ep(tr)
    peer = c.peer("pair", ep, ours_mode, ours, count)
    if ours_mode == "bind":
        peer.ready()
    s = c.attach(c.sock(zmq.PAIR), ep, other(ours_mode))
    for i in range(count):
        nblobs = i % len(PAIR_SIZES)
        msg = [b"%d" % i] + [pattern(i + k, PAIR_SIZES[k]) for k in range(nblobs)]
        if ours == "pong":
            send(s, msg, "send message %d" % i)
        parts = recv(s, "receive message %d" % i)
        check(parts == msg, "message %d: got %s, expected %s" % (i, describe(parts), describe(msg)))
        if ours == "ping":
            send(s, parts, "echo message %d" % i)
    peer.finish()


RESTART_SIZES = [0, 1, 254, 255, 256, 1000, 65536, 3, 300, 70000]


def restart_push(c, tr, identity):
    """Our PULL (bound); a pyzmq PUSH sends, is closed, a new pyzmq PUSH
    (same identity if given: a durable session on the 2.x side) sends more.
    Our PULL checks all messages, in order."""
    ep, ack = c.ep(tr), c.ep(tr)
    sizes = RESTART_SIZES * 2
    m = len(RESTART_SIZES)
    peer = c.peer("pull", ep, "bind", ack, *sizes).ready()
    ackin = c.attach(c.sock(zmq.PULL), ack, "connect")
    for phase in range(2):
        ctx = c.new_ctx()
        push = c.attach(c.sock(zmq.PUSH, ctx=ctx, identity=identity), ep, "connect")
        for i in range(phase * m, phase * m + m):
            send(push, [pattern(i, sizes[i])], "send message %d" % i)
        # Restart only once our side has everything from this sender.
        peer.wait_line("pull: message %d: %d bytes ok" % (phase * m + m - 1, sizes[phase * m + m - 1]))
        push.close()
        ctx.term()
        # The next sender connects once our side has dropped this connection
        # (else a durable identity would be refused as a duplicate).
        wait_connections(peer.pid, ep, 0, "after the pyzmq PUSH closed")
    check(recv(ackin, "receive the acknowledgement") == [b"done"], "bad acknowledgement")
    peer.finish()


def restart_pull(c, tr):
    """Our PUSH (connected, streaming "seq:N") to a pyzmq PULL that is closed
    and re-bound on the same endpoint: messages keep flowing, in order."""
    ep = c.ep(tr)
    ctx1 = c.new_ctx()
    pull1 = c.attach(c.sock(zmq.PULL, ctx=ctx1), ep, "bind")
    peer = c.peer("stream", ep, "connect", 1000).ready()

    def take(pull, n, last, what):
        for _ in range(n):
            parts = recv(pull, what)
            check(len(parts) == 1 and parts[0].startswith(b"seq:"), "%s: got %s" % (what, describe(parts)))
            seq = int(parts[0][4:])
            check(seq > last, "%s: seq %d after %d" % (what, seq, last))
            last = seq
        return last

    last = take(pull1, 30, -1, "receive from our PUSH (first PULL)")
    pull1.close(linger=0)
    ctx1.term()
    ctx2 = c.new_ctx()
    pull2 = c.sock(zmq.PULL, ctx=ctx2)
    deadline = time.monotonic() + WAIT
    while True:
        try:
            pull2.bind(ep)
            break
        except zmq.ZMQError as e:
            check(e.errno == zmq.EADDRINUSE and time.monotonic() < deadline,
                  "cannot re-bind %s: %s" % (ep, e))
            time.sleep(0.05)
    last = take(pull2, 30, last, "receive from our PUSH after the PULL restarted")
    peer.terminate()
    peer.finish()


def build_cases():
    cases = []

    def add(name, fn, *args):
        cases.append((name, fn, args))

    for tr in ("tcp", "ipc"):
        for mode in ("bind", "connect"):
            for ours in ("push", "pull"):
                add("py.%s.push-pull.ours=%s.%s" % (tr, ours, mode), push_pull, tr, ours, mode)
            for ours in ("req", "rep"):
                add("py.%s.req-rep.ours=%s.%s" % (tr, ours, mode), req_rep, tr, ours, mode)
            for ours in ("dealer", "router"):
                for ident in (b"ID-" + ours.encode(), None):
                    add("py.%s.dealer-router.ours=%s.%s.%s" % (tr, ours, mode, "identity" if ident else "anonymous"),
                        dealer_router, tr, ours, mode, ident)
            for ours in ("pub", "sub"):
                add("py.%s.pub-sub.ours=%s.%s" % (tr, ours, mode), pub_sub, tr, ours, mode)
            for ours in ("ping", "pong"):
                add("py.%s.pair.ours=%s.%s" % (tr, ours, mode), pair, tr, ours, mode)
        add("py.%s.pub-sub.ours=sub.bind.filter-all" % tr, pub_sub, tr, "sub", "bind", [""])
        add("py.%s.xpub-xsub.ours=xsub.bind" % tr, pub_sub, tr, "sub", "bind", FILTERS, True)
        add("py.%s.xpub-xsub.ours=xpub.connect" % tr, pub_sub, tr, "pub", "connect", FILTERS, True)
        add("py.%s.pub-resubscribe-disconnect.ours=pub.bind" % tr, pub_resubscribe, tr)
        add("py.%s.restart-push.ours=pull.bind.anonymous" % tr, restart_push, tr, None)
        add("py.%s.restart-push.ours=pull.bind.identity" % tr, restart_push, tr, b"PY-PUSH")
        add("py.%s.restart-pull.ours=push.connect" % tr, restart_pull, tr)
    return cases


def tail(text, n=12):
    lines = text.rstrip("\n").splitlines()
    return lines[-n:]


def run_case(name, fn, args):
    reason = None
    details = []
    for attempt in range(4):
        c = Case(name if attempt == 0 else "%s.retry%d" % (name, attempt))
        try:
            fn(c, *args)
            reason = None
        except PortInUse:
            c.close()
            reason = "address in use"
            continue
        except CaseFailure as e:
            reason = str(e)
        except Exception as e:
            reason = "%s: %s" % (type(e).__name__, e)
            details += ["    | " + l for l in tail(traceback.format_exc(), 6)]
        if reason:
            for p in c.peers:
                if p.proc.poll() is None:
                    details.append("    --- our peer %s (still running, killed)" % " ".join(p.argv[1:4]))
                else:
                    details.append("    --- our peer %s (exit %s)" % (" ".join(p.argv[1:4]), p.proc.returncode))
                details += ["    | " + l for l in tail(p.output())]
        c.close()
        break
    if reason is None:
        print("ok   %s" % name, flush=True)
        return True
    print("FAIL %s (%s)" % (name, reason), flush=True)
    for l in details:
        print(l, flush=True)
    return False


def on_term(signum, frame):
    for p in list(LIVE):
        try:
            p.kill()
        except OSError:
            pass
    sys.exit(128 + signum)


def main():
    global ARGS, zmq
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--peer", help="the peer program (built against our library)")
    ap.add_argument("--lib", help="directory of our libzmq.so.1")
    ap.add_argument("--work", help="scratch directory (logs, ipc sockets)")
    ap.add_argument("--filter", default="", help="only cases whose name contains this")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("--budget", type=float, default=120,
                    help="seconds; cases that would start later fail (not run)")
    ARGS = ap.parse_args()
    cases = [cs for cs in build_cases() if ARGS.filter in cs[0]]
    if ARGS.list:
        for name, _, _ in cases:
            print(name)
        return 0
    if not (ARGS.peer and ARGS.lib and ARGS.work):
        ap.error("--peer, --lib and --work are required")
    ARGS.peer = os.path.abspath(ARGS.peer)
    ARGS.lib = os.path.realpath(ARGS.lib)
    os.makedirs(ARGS.work, exist_ok=True)
    ARGS.work = os.path.abspath(ARGS.work)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    import zmq as zmq_module
    zmq = zmq_module
    print("pyzmq %s, libzmq %s" % (zmq.__version__, zmq.zmq_version()), flush=True)
    failed = 0
    start = time.monotonic()
    try:
        for name, fn, args in cases:
            if time.monotonic() - start > ARGS.budget:
                print("FAIL %s (not run: time budget of %.0f s exhausted)" % (name, ARGS.budget), flush=True)
                failed += 1
            elif not run_case(name, fn, args):
                failed += 1
    finally:
        for p in list(LIVE):
            try:
                p.kill()
            except OSError:
                pass
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
