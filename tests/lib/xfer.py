"""MPTCP transfer endpoint of the namespace tests (tests/lib/net.sh xb_xfer).

Server:  xfer.py server ADDR PORT SEND_BYTES READY_FILE
Client:  xfer.py client ADDR PORT SEND_BYTES [MIN_EXTRA_SUBFLOWS]

Each side sends SEND_BYTES of seeded pseudo-random data, half-closes,
reads the peer's data until EOF and prints one JSON line: bytes and
sha256 of what it sent and received, and the kernel's MPTCP_INFO (token,
additional subflows) read before closing.
"""
import json, socket, sys, time
from mptcp_sock import IPPROTO_MPTCP, mptcp_info as _info, send_all, recv_all

def mptcp_info(s):
    try:
        sub, _, tok = _info(s)
    except (OSError, ValueError):
        return None, None
    return sub, tok

def report(s, role, sent, sent_sha, rcvd, rcvd_sha):
    sub, tok = mptcp_info(s)
    print(json.dumps({"role": role, "sent": sent, "sent_sha": sent_sha, "recv": rcvd,
                      "recv_sha": rcvd_sha, "token": tok, "subflows": sub}), flush=True)

def server(addr, port, nsend, ready):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(60)
    open(ready, "w").write("ready\n")
    c, _ = ls.accept()
    c.settimeout(120)
    rcvd, rsha = recv_all(c)
    ssha = send_all(c, nsend, 2)
    report(c, "server", nsend, ssha, rcvd, rsha)
    c.close()

def client(addr, port, nsend, want_sub):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_MPTCP)
    s.settimeout(120)
    s.connect((addr, port))
    # let the path manager open the extra subflows before the data flows,
    # so every path carries some of it
    deadline = time.time() + 5
    while want_sub and time.time() < deadline:
        sub, _ = mptcp_info(s)
        if sub is not None and sub >= want_sub:
            break
        time.sleep(0.02)
    ssha = send_all(s, nsend, 1)
    rcvd, rsha = recv_all(s)
    report(s, "client", nsend, ssha, rcvd, rsha)
    s.close()

if sys.argv[1] == "server":
    server(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
else:
    client(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
           int(sys.argv[5]) if len(sys.argv) > 5 else 0)
