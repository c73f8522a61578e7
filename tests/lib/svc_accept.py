#!/usr/bin/env python3
"""An unmodified plain TCP service for tests/net/test_accept.sh: listens on
every address (IPv4 and IPv6, one dual-stack socket) on each PORT, reads
each connection to EOF, answers REPLY random bytes, closes, and prints one
JSON line per connection: peer (getpeername, v4-mapped shown as IPv4),
local port, sent/recv byte counts and sha256 (kpeer.py's field names, so
the same checks compare both ends).

  svc_accept.py REPLY PORT... [--proxy]

--proxy: the connection must start with a PROXY protocol v2 header
(HAProxy's proxy-protocol.txt, 2.2), parsed here independently of
xmptcpd's writer: "proxy" gets {"src": ADDR:PORT, "dst": ADDR:PORT}; a
connection without a valid one gets an "error". The header is not counted
in recv.
"""
import hashlib, ipaddress, json, os, select, socket, struct, sys, threading

SIG = b"\r\n\r\n\x00\r\nQUIT\n"
lock = threading.Lock()


def addr_str(host, port):
    ip = ipaddress.ip_address(host.split("%")[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ("%s:%d" if ip.version == 4 else "[%s]:%d") % (ip, port)


def recv_exact(c, n):
    b = b""
    while len(b) < n:
        x = c.recv(n - len(b))
        if not x:
            raise ValueError("EOF inside the PROXY header (%d of %d bytes)" % (len(b), n))
        b += x
    return b


def proxy_header(c):
    hdr = recv_exact(c, 16)
    if hdr[:12] != SIG:
        raise ValueError("no PROXY v2 signature: %r" % hdr)
    ver_cmd, fam, length = hdr[12], hdr[13], struct.unpack("!H", hdr[14:16])[0]
    if ver_cmd != 0x21:
        raise ValueError("version/command 0x%02x, want 0x21" % ver_cmd)
    body = recv_exact(c, length)
    if fam == 0x11 and length >= 12:
        alen, af = 4, socket.AF_INET
    elif fam == 0x21 and length >= 36:
        alen, af = 16, socket.AF_INET6
    else:
        raise ValueError("family 0x%02x with length %d" % (fam, length))
    src = socket.inet_ntop(af, body[:alen])
    dst = socket.inet_ntop(af, body[alen:2 * alen])
    sport, dport = struct.unpack("!HH", body[2 * alen:2 * alen + 4])
    return {"family": fam, "len": length, "src": addr_str(src, sport), "dst": addr_str(dst, dport)}


def serve(c, port, reply, want_proxy):
    rec = {"port": port, "peer": addr_str(*c.getpeername()[:2]), "proxy": None, "error": None}
    h, n = hashlib.sha256(), 0
    try:
        if want_proxy:
            rec["proxy"] = proxy_header(c)
        for b in iter(lambda: c.recv(1 << 16), b""):  # to EOF
            h.update(b)
            n += len(b)
        data = os.urandom(reply)
        c.sendall(data)
        rec["sent"], rec["sent_sha256"] = reply, hashlib.sha256(data).hexdigest()
    except (OSError, ValueError) as e:
        rec["error"] = str(e)
    rec["recv"], rec["recv_sha256"] = n, h.hexdigest()
    c.close()
    with lock:
        print(json.dumps(rec), flush=True)


def main():
    args = [a for a in sys.argv[1:] if a != "--proxy"]
    want_proxy = "--proxy" in sys.argv[1:]
    reply, ports = int(args[0]), [int(p) for p in args[1:]]
    socks = {}
    for p in ports:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", p))
        s.listen(16)
        socks[s] = p
    while True:
        for s in select.select(list(socks), [], [])[0]:
            c = s.accept()[0]
            threading.Thread(target=serve, args=(c, socks[s], reply, want_proxy), daemon=True).start()


main()
