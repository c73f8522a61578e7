#!/usr/bin/env python3
"""The kernel's endpoint of every namespace test, benchmark and script: an
IPPROTO_MPTCP (or plain TCP) socket that sends seeded bytes, hashes what it
reads, and prints one JSON line per connection.

  kpeer.py server ADDR PORT [SEND] --ready FILE [OPTIONS]
      accepts --count connections one after another; each is read to EOF,
      then gets SEND, then is closed
  kpeer.py client ADDR PORT [SEND] [OPTIONS]
      --count connections one after another; each sends SEND, half-closes
      and reads to EOF

SEND (default 0): N bytes of a seeded pseudo-random stream; @FILE, the
bytes of FILE; Ts, the stream for T seconds or until --stop FILE exists (a
transfer sized by time: as long on a fast machine as on a slow one).
OPTIONS:
  --proto mptcp|tcp    (mptcp)        --timeout S  per socket operation (60)
  --seed S             the stream's seed (client 1, server 2: the two
                       directions differ, so an echo cannot pass for data)
  --block              the stream is one seeded 4 MiB block repeated, hashed
                       as sent: ~4x faster than fresh random bytes, for
                       benchmarks where the sender must outrun the path
  --nohash             send zeros and hash nothing (relay throughput)
  --cc NAME            TCP_CONGESTION on the socket (an MPTCP socket hands
                       it to its subflows; root may pick one outside
                       tcp_allowed_congestion_control)
  --rcvbuf N           SO_RCVBUF on the listener before listen() (accepted
                       sockets and their subflows inherit it; no autotuning)
  --progress FILE      server: "t_monotonic bytes" every 250 ms while the
                       first connection runs; FILE.start gets its t_accept
  --subflows N         client: wait up to 5 s for N additional subflows
                       before sending, so every path carries some data
  --stop FILE          ends a Ts send early once FILE exists

Each line: role, proto, sent, sent_sha256, recv, recv_sha256, error (None,
or the error after which the line reports the prefix that arrived), the
CLOCK_MONOTONIC points t_accept (server) or t_connect (client), t_first
(first byte in), t_sent (half-close), t_eof (EOF read) - namespaces share
the host's clock, so both ends' points compare - cpu_s (this process's
user+system seconds during the connection), cc, and for MPTCP the
MPTCP_INFO read before close (fallback, token, subflows) and sf_rcvd, the
payload bytes each subflow received (MPTCP_TCPINFO, read once the peer's
data ended, before this end's); so_rcvbuf with
--rcvbuf (the kernel reports twice what was asked, socket(7)).
Exit 0, or 1 after a line with an error.
"""
import argparse, ctypes, errno, hashlib, json, os, random, resource, socket, struct, sys, threading, time

IPPROTO_MPTCP, SOL_MPTCP, MPTCP_INFO, MPTCP_TCPINFO = 262, 284, 1, 2
CHUNK, BLOCK = 1 << 16, 4 << 20


def mptcp_info(s):
    """(subflows, flags, token) from struct mptcp_info (include/uapi/linux/
    mptcp.h): u8 subflows at 0, u32 flags at 8 (bit 0: fallback), u32 token
    at 12. Raises OSError when the kernel refuses, ValueError when short."""
    b = s.getsockopt(SOL_MPTCP, MPTCP_INFO, 64)
    if len(b) < 16:
        raise ValueError("short")
    flags, token = struct.unpack_from("=II", b, 8)
    return b[0], flags, token


def mptcp_state(s):
    """MPTCP_INFO as a dict. Once an MPTCP socket has fallen back to TCP the
    kernel passes getsockopt() through to the TCP subflow (net/mptcp/
    sockopt.c), which does not know SOL_MPTCP: EOPNOTSUPP then means
    fallback, as the flags' bit 0 does while the msk still answers."""
    try:
        sub, flags, token = mptcp_info(s)
    except OSError as e:
        if e.errno == errno.EOPNOTSUPP:
            return {"fallback": True, "fallback_seen_as": "EOPNOTSUPP"}
        return {"info_error": str(e)}
    except ValueError as e:
        return {"info_error": str(e)}
    return {"fallback": bool(flags & 1), "token": "%08x" % token, "subflows": sub}


_SFD = struct.Struct("=IIII")  # size_subflow_data, num_subflows, size_kernel, size_user
_TI_SIZE, _TI_BYTES_RECEIVED, _MAX_SF = 232, 128, 16  # struct tcp_info to tcpi_snd_wnd (5.19+)


def subflow_bytes(s):
    """Payload bytes each subflow received: getsockopt(SOL_MPTCP,
    MPTCP_TCPINFO) fills a struct tcp_info per subflow after a struct
    mptcp_subflow_data header the caller fills in, which Python's
    getsockopt() cannot pass: hence ctypes. Raises OSError."""
    n = _SFD.size + _MAX_SF * _TI_SIZE
    buf = ctypes.create_string_buffer(n)
    _SFD.pack_into(buf, 0, _SFD.size, 0, 0, _TI_SIZE)
    ln = ctypes.c_uint32(n)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.getsockopt(s.fileno(), SOL_MPTCP, MPTCP_TCPINFO, buf, ctypes.byref(ln)) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    _, num, _, size_user = _SFD.unpack_from(buf, 0)
    return [struct.unpack_from("=Q", buf, _SFD.size + i * size_user + _TI_BYTES_RECEIVED)[0]
            for i in range(min(num, _MAX_SF))]


def cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def get_cc(s):
    try:
        return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).rstrip(b"\0").decode()
    except OSError:
        return None


class Stream:
    """What one side sends, per the SEND argument and --block/--nohash/--stop."""

    def __init__(self, what, seed, a):
        self.what, self.seed, self.a = what, seed, a

    def chunks(self):
        w, a = self.what, self.a
        if w.startswith("@"):
            with open(w[1:], "rb") as f:
                yield from iter(lambda: f.read(CHUNK), b"")
            return
        timed = w.endswith("s")
        end = time.monotonic() + float(w[:-1]) if timed else None
        left = None if timed else int(w)
        rnd = random.Random(self.seed)
        block = None
        if a.nohash:
            block = memoryview(bytes(CHUNK))
        elif a.block:
            block = memoryview(rnd.randbytes(BLOCK))
        while left is None or left > 0:
            if timed and (time.monotonic() >= end or (a.stop and os.path.exists(a.stop))):
                return
            k = len(block) if block is not None else CHUNK
            k = k if left is None else min(k, left)
            yield block[:k] if block is not None else rnd.randbytes(k)
            if left is not None:
                left -= k

    def send(self, s, rec):
        h, n = None if self.a.nohash else hashlib.sha256(), 0
        for b in self.chunks():
            s.sendall(b)
            if h:
                h.update(b)
            n += len(b)
            rec["sent"] = n
        s.shutdown(socket.SHUT_WR)
        rec["sent_sha256"] = h.hexdigest() if h else None
        rec["t_sent"] = time.monotonic()


def drain(s, rec, h):
    """Reads to EOF: the count, first byte and EOF times into REC, the bytes
    into hash H; after a reset both still hold the prefix that arrived."""
    buf = bytearray(1 << 18)
    mv = memoryview(buf)
    while True:
        k = s.recv_into(buf)
        if not k:
            break
        if rec["t_first"] is None:
            rec["t_first"] = time.monotonic()
        if h:
            h.update(mv[:k])
        rec["recv"] += k
    rec["t_eof"] = time.monotonic()


def sampler(path, rec, t_accept, done):
    """--progress: the first connection's byte count every 250 ms."""
    with open(path + ".start", "w") as f:
        f.write("%.4f\n" % t_accept)
    with open(path, "w") as f:
        nxt = time.monotonic()
        while not done.is_set():
            f.write("%.4f %d\n" % (time.monotonic(), rec["recv"]))
            f.flush()
            nxt += 0.25
            done.wait(max(0.0, nxt - time.monotonic()))


def observe(s, rec, a):
    """Counters read once every byte came in and before this end shuts its
    side: after a DATA_FIN both ways the kernel closes the subflows, whose
    counters then read 0."""
    rec["cc"] = get_cc(s)
    if a.rcvbuf:
        rec["so_rcvbuf"] = s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    if a.proto == "mptcp":
        try:
            rec["sf_rcvd"] = subflow_bytes(s)
        except OSError as e:
            rec["sf_error"] = "MPTCP_TCPINFO: %s" % e


def one(s, a, role, t0, progress=None):
    """One connection, S connected at T0: the server reads then sends, the
    client sends then reads. Prints its line; False after an error."""
    rec = {"role": role, "proto": a.proto, "sent": 0, "sent_sha256": None, "recv": 0,
           "recv_sha256": None, "error": None, "t_first": None, "t_sent": None, "t_eof": None,
           ("t_accept" if role == "server" else "t_connect"): t0}
    c0, th, done = cpu_s(), None, threading.Event()
    h = None if a.nohash else hashlib.sha256()
    stream = Stream(a.send, a.seed if a.seed is not None else (2 if role == "server" else 1), a)
    try:
        s.settimeout(a.timeout)
        if role == "client":
            if a.subflows and a.proto == "mptcp":
                wait_subflows(s, a.subflows)
            stream.send(s, rec)
        elif progress:
            th = threading.Thread(target=sampler, args=(progress, rec, t0, done), daemon=True)
            th.start()
        drain(s, rec, h)
        observe(s, rec, a)
        if role == "server":
            stream.send(s, rec)
    except OSError as e:
        rec["error"] = str(e)
    rec["recv_sha256"] = h.hexdigest() if h else None
    done.set()
    if th:
        th.join()
    if "cc" not in rec:
        observe(s, rec, a)
    if a.proto == "mptcp":  # last: a fallback may come with this end's data
        rec.update(mptcp_state(s))
    rec["cpu_s"] = cpu_s() - c0
    s.close()
    print(json.dumps(rec), flush=True)
    return rec["error"] is None


def wait_subflows(s, want):
    """Lets the path manager open the extra subflows before the data flows."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if mptcp_info(s)[0] >= want:
                return
        except (OSError, ValueError):
            return
        time.sleep(0.02)


def sock(a):
    s = socket.socket(socket.AF_INET6 if ":" in a.addr else socket.AF_INET, socket.SOCK_STREAM,
                      IPPROTO_MPTCP if a.proto == "mptcp" else 0)
    if a.cc:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, a.cc.encode())
    return s


def server(a):
    ls = sock(a)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.rcvbuf:
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
    ls.bind((a.addr, a.port))
    ls.listen(64)
    ls.settimeout(a.timeout)
    with open(a.ready, "w") as f:
        f.write("ready\n")
    for i in range(a.count):
        s, _ = ls.accept()
        t0 = time.monotonic()
        if a.rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
        if not one(s, a, "server", t0, a.progress if i == 0 else None):
            return 1
    return 0


def client(a):
    for _ in range(a.count):
        s = sock(a)
        s.settimeout(a.timeout)
        t0 = time.monotonic()
        try:
            s.connect((a.addr, a.port))
        except OSError as e:
            print(json.dumps({"role": "client", "error": "connect: %s" % e, "sent": 0,
                              "recv": 0}), flush=True)
            return 1
        if not one(s, a, "client", t0):
            return 1
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("role", choices=("server", "client"))
    p.add_argument("addr")
    p.add_argument("port", type=int)
    p.add_argument("send", nargs="?", default="0")
    p.add_argument("--ready")
    p.add_argument("--proto", choices=("mptcp", "tcp"), default="mptcp")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--seed", type=int)
    p.add_argument("--block", action="store_true")
    p.add_argument("--nohash", action="store_true")
    p.add_argument("--cc")
    p.add_argument("--rcvbuf", type=int, default=0)
    p.add_argument("--progress")
    p.add_argument("--subflows", type=int, default=0)
    p.add_argument("--stop")
    a = p.parse_args()
    if a.role == "server" and not a.ready:
        p.error("server needs --ready FILE")
    sys.exit(server(a) if a.role == "server" else client(a))


if __name__ == "__main__":
    main()
