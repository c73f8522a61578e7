#!/usr/bin/env python3
"""Traffic of scripts/soak.sh: back-to-back, partly concurrent connections,
both directions at once, every byte checked by the receiver as it arrives.

  soak_peer.py server --addr A --port P --proto tcp|mptcp --out FILE --ready FILE
  soak_peer.py client --addr A --port P --duration S --parallel N --out FILE
                      [--seed N] [--stuck S] [--once C2S,S2C]

Each connection starts with a 32-byte header from the client (magic, id,
client->server bytes, server->client bytes, seed); then both sides send their
share of a seeded pseudo-random stream at the same time, and read the
other's share. The receiver compares every chunk with the bytes it expects at
that offset, so a lost, duplicated or reordered byte is caught at the first
wrong offset. The server, once it read the client's share to EOF, ends its
own with a 10-byte trailer ("OK" or "NO", then the count it received) and
half-closes: the client succeeds only when its data arrived whole at the far
end too. Without the trailer a proxy in between could lose the end of the
client's data after the client had closed, unseen.
Server and client each print one JSON line per connection to --out: id,
bytes each way, "ok" (our receiving direction was byte-exact and complete),
the first bad offset and the error if any. The client also flags a
connection "stuck" when neither direction moved for --stuck seconds (it is
then reset so the soak can go on and report it).

The client starts connections until --duration has passed, --parallel at a
time, and then lets the open ones finish (or turn stuck). --once C2S,S2C runs
one connection of those sizes (the soak's warm-up) and exits.
"""
import argparse, json, os, random, socket, struct, sys, threading, time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kpeer import IPPROTO_MPTCP, mptcp_state  # noqa: E402

MAGIC = 0x534f414b  # "SOAK"
HDR = struct.Struct("!IIQQQ")  # magic, id, c2s, s2c, seed: 32 bytes
TRAILER = struct.Struct("!2sQ")  # server's verdict on the client's data
BLOCK = 1 << 16


class Pattern:
    """The seeded stream of one direction, produced in BLOCK-sized pieces."""

    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.buf = b""
        self.pos = 0

    def take(self, n):
        out = []
        while n:
            if self.pos == len(self.buf):
                self.buf, self.pos = self.rnd.randbytes(BLOCK), 0
            k = min(n, len(self.buf) - self.pos)
            out.append(self.buf[self.pos:self.pos + k])
            self.pos += k
            n -= k
        return b"".join(out)


def stream_seed(seed, direction):
    # the two directions of a connection must differ: a loopback or echo
    # bug would otherwise pass the check
    return seed * 2 + direction


class Conn:
    """Counters of one connection shared between its threads and the
    client's stuck monitor."""

    def __init__(self, cid, c2s, s2c, seed):
        self.id, self.c2s, self.s2c, self.seed = cid, c2s, s2c, seed
        self.sent = self.recv = 0
        self.bad_at = None
        self.err = None
        self.eof = False
        self.t0 = self.last = time.monotonic()
        self.stuck = False

    def progress(self):
        self.last = time.monotonic()


def send_stream(s, c, n, seed, shut=True):
    try:
        p = Pattern(seed)
        while c.sent < n:
            b = p.take(min(BLOCK, n - c.sent))
            s.sendall(b)
            c.sent += len(b)
            c.progress()
        if shut:
            s.shutdown(socket.SHUT_WR)
    except OSError as e:
        c.err = c.err or "send: %s" % e


def recv_stream(s, c, n, seed, tail=0):
    """Reads to EOF, checking every byte against the stream; the TAIL bytes
    after the n of the stream go to c.tail, more are an error (bad_at)."""
    p = Pattern(seed)
    c.tail = b""
    try:
        while True:
            b = s.recv(BLOCK)
            if not b:
                c.eof = True
                return
            c.progress()
            k = min(len(b), max(0, n - c.recv))
            if c.bad_at is None:
                want = p.take(k)
                if want != b[:k]:
                    i = next(i for i in range(k) if want[i] != b[i])
                    c.bad_at = c.recv + i
            c.recv += k
            if len(b) > k:
                c.tail += b[k:]
                if len(c.tail) > tail and c.bad_at is None:
                    c.bad_at = n + tail
    except OSError as e:
        c.err = c.err or "recv: %s" % e


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        k = s.recv(n - len(b))
        if not k:
            raise OSError("EOF in header")
        b += k
    return b


def report(f, lock, rec):
    with lock:
        f.write(json.dumps(rec) + "\n")
        f.flush()


def serve_one(s, out, lock, proto):
    c = None
    try:
        s.settimeout(600)
        magic, cid, c2s, s2c, seed = HDR.unpack(recv_exact(s, HDR.size))
        if magic != MAGIC:
            raise OSError("bad magic %#x" % magic)
        c = Conn(cid, c2s, s2c, seed)
        t = threading.Thread(target=send_stream, args=(s, c, s2c, stream_seed(seed, 1), False))
        t.start()
        recv_stream(s, c, c2s, stream_seed(seed, 0))
        t.join()
        fb = mptcp_state(s).get("fallback") if proto == "mptcp" else None
        ok = c.eof and c.bad_at is None and c.recv == c2s and c.err is None
        try:
            s.sendall(TRAILER.pack(b"OK" if ok else b"NO", c.recv))
            s.shutdown(socket.SHUT_WR)
            s.recv(1)  # the client's close: the trailer is through
        except OSError as e:
            c.err = c.err or "trailer: %s" % e
        report(out, lock, {"id": cid, "c2s": c2s, "s2c": s2c, "recv": c.recv, "sent": c.sent,
                           "ok": ok, "bad_at": c.bad_at, "error": c.err, "fallback": fb,
                           "secs": round(time.monotonic() - c.t0, 3)})
    except OSError as e:
        report(out, lock, {"id": c.id if c else None, "ok": False, "error": "server: %s" % e})
    finally:
        s.close()


def server(a):
    proto = IPPROTO_MPTCP if a.proto == "mptcp" else 0
    fam = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM, proto)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.addr, a.port))
    ls.listen(128)
    out, lock = open(a.out, "a"), threading.Lock()
    open(a.ready, "w").write("ready\n")
    while True:  # until soak.sh kills it
        s, _ = ls.accept()
        threading.Thread(target=serve_one, args=(s, out, lock, a.proto), daemon=True).start()


def run_one(a, cid, c2s, s2c, seed, live, out, lock):
    c = Conn(cid, c2s, s2c, seed)
    s = socket.socket(socket.AF_INET6 if ":" in a.addr else socket.AF_INET, socket.SOCK_STREAM)
    c.sock = s
    with lock:
        live[cid] = c
    try:
        s.settimeout(a.stuck + 30)  # the monitor decides "stuck" before this fires
        s.connect((a.addr, a.port))
        s.sendall(HDR.pack(MAGIC, cid, c2s, s2c, seed))
        t = threading.Thread(target=send_stream, args=(s, c, c2s, stream_seed(seed, 0)))
        t.start()
        recv_stream(s, c, s2c, stream_seed(seed, 1), TRAILER.size)
        t.join()
    except OSError as e:
        c.err = c.err or "connect: %s" % e
    finally:
        s.close()
        with lock:
            live.pop(cid, None)
    want = TRAILER.pack(b"OK", c2s)
    if c.err is None and not c.stuck and getattr(c, "tail", b"") != want:
        c.err = "server's trailer %r, want %r" % (getattr(c, "tail", b""), want)
    ok = c.eof and c.bad_at is None and c.recv == s2c and c.err is None and not c.stuck
    report(out, lock, {"id": cid, "c2s": c2s, "s2c": s2c, "recv": c.recv, "sent": c.sent, "ok": ok,
                       "bad_at": c.bad_at, "error": c.err, "stuck": c.stuck,
                       "secs": round(time.monotonic() - c.t0, 3),
                       "end": round(time.time(), 3)})
    return ok


def sizes(rnd):
    """A third small (a connection's setup and teardown dominate), the rest
    0.25-3 MiB: connections keep opening and closing throughout."""
    if rnd.random() < 0.33:
        return rnd.randint(1, 64 << 10)
    return rnd.randint(256 << 10, 3 << 20)


def monitor(a, live, lock, stop):
    """Marks a connection stuck after --stuck s without progress and resets
    it (SO_LINGER 0 close would race its threads; shutdown wakes them)."""
    while not stop.is_set():
        now = time.monotonic()
        with lock:
            cs = list(live.values())
        for c in cs:
            if not c.stuck and now - c.last > a.stuck:
                c.stuck = True
                c.err = c.err or "stuck: no progress for %d s (sent %d/%d, recv %d/%d)" % (
                    a.stuck, c.sent, c.c2s, c.recv, c.s2c)
                try:
                    c.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        stop.wait(1)


def client(a):
    out, lock = open(a.out, "a"), threading.Lock()
    live, stop = {}, threading.Event()
    threading.Thread(target=monitor, args=(a, live, lock, stop), daemon=True).start()
    if a.once:
        c2s, s2c = (int(x) for x in a.once.split(","))
        ok = run_one(a, 0, c2s, s2c, a.seed, live, out, lock)
        stop.set()
        sys.exit(0 if ok else 1)
    end = time.monotonic() + a.duration
    ids = iter(range(1, 1 << 31))

    def worker(w):
        rnd = random.Random(a.seed * 1000 + w)
        while time.monotonic() < end:
            cid = next(ids)  # under the GIL: unique
            run_one(a, cid, sizes(rnd), sizes(rnd), rnd.getrandbits(48), live, out, lock)

    ws = [threading.Thread(target=worker, args=(w,)) for w in range(a.parallel)]
    for w in ws:
        w.start()
    for w in ws:
        w.join()
    stop.set()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("role", choices=("server", "client"))
    ap.add_argument("--addr", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--proto", choices=("tcp", "mptcp"), default="tcp")
    ap.add_argument("--ready")
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stuck", type=float, default=60)
    ap.add_argument("--once")
    a = ap.parse_args()
    if a.role == "server":
        if not a.ready:
            ap.error("server needs --ready")
        server(a)
    else:
        client(a)


if __name__ == "__main__":
    main()
