"""Kernel TCP transfer for the netem tests: seeded bytes (sha256) or zeros.

Server:  netem_xfer.py server ADDR PORT READY_FILE [zero]
Client:  netem_xfer.py client ADDR PORT BYTES [zero]
"""
import hashlib, json, random, socket, sys, time

def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET

def server(addr, port, ready, zero):
    ls = socket.socket(family(addr), socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(30)
    open(ready, "w").write("ready\n")
    c, _ = ls.accept()
    c.settimeout(60)
    t0, n, h, buf = time.monotonic(), 0, hashlib.sha256(), bytearray(1 << 20)
    while True:
        k = c.recv_into(buf)
        if not k:
            break
        if not zero:
            h.update(memoryview(buf)[:k])
        n += k
    secs = time.monotonic() - t0
    print(json.dumps({"recv": n, "sha256": h.hexdigest(), "secs": secs,
                      "mbit": n * 8 / secs / 1e6 if secs else 0}), flush=True)

def client(addr, port, n, zero):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect((addr, port))
    h, rnd, left = hashlib.sha256(), random.Random(42), n
    zeros = memoryview(bytes(1 << 20))
    while left:
        k = min(left, 1 << 20)
        blk = zeros[:k] if zero else rnd.randbytes(k)
        if not zero:
            h.update(blk)
        s.sendall(blk)
        left -= k
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()
    print(json.dumps({"sent": n, "sha256": h.hexdigest()}), flush=True)

zero = sys.argv[-1] == "zero"
if sys.argv[1] == "server":
    server(sys.argv[2], int(sys.argv[3]), sys.argv[4], zero)
else:
    client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), zero)
