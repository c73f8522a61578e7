# The kernel's side of the namespace tests' transfers (test_engine_kernel,
# test_engine_lossy): an IPPROTO_MPTCP (or plain TCP) socket that sends
# seeded pseudo-random bytes and hashes what it reads, one JSON line per
# connection.
#   python3 kpeer.py server ADDR PORT NSEND READY_FILE   (reads to EOF, then sends)
#   python3 kpeer.py client ADDR PORT NSEND              (sends, then reads to EOF)
# Environment: KPEER_PROTO=mptcp|tcp (mptcp), KPEER_COUNT=N connections one
# after another (1), KPEER_TIMEOUT seconds per socket operation (60).
# Each line: recv, recv_sha256, sent, sent_sha256 and, for MPTCP, the
# MPTCP_INFO fallback flag and token read before close.
import json, os, socket, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mptcp_sock import IPPROTO_MPTCP, mptcp_info, recv_all, send_all

PROTO = IPPROTO_MPTCP if os.environ.get("KPEER_PROTO", "mptcp") == "mptcp" else 0
COUNT = int(os.environ.get("KPEER_COUNT", "1"))
TIMEOUT = float(os.environ.get("KPEER_TIMEOUT", "60"))


def info(s):
    if not PROTO:
        return {}
    try:
        _, flags, token = mptcp_info(s)
    except (OSError, ValueError) as e:
        return {"info_error": str(e)}
    return {"fallback": bool(flags & 1), "token": "%08x" % token}


def one(s, nsend, send_first):
    s.settimeout(TIMEOUT)
    if send_first:
        ssha = send_all(s, nsend, 7)
        rcvd, rsha = recv_all(s)
    else:
        rcvd, rsha = recv_all(s)
        ssha = send_all(s, nsend, 7)
    r = {"recv": rcvd, "recv_sha256": rsha, "sent": nsend, "sent_sha256": ssha}
    r.update(info(s))
    s.close()
    print(json.dumps(r), flush=True)


def main():
    role, addr, port, nsend = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    if role == "server":
        ls = socket.socket(fam, socket.SOCK_STREAM, PROTO)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(64)
        ls.settimeout(TIMEOUT)
        open(sys.argv[5], "w").write("ready\n")
        for _ in range(COUNT):
            one(ls.accept()[0], nsend, False)
    else:
        for _ in range(COUNT):
            s = socket.socket(fam, socket.SOCK_STREAM, PROTO)
            s.settimeout(TIMEOUT)
            s.connect((addr, port))
            one(s, nsend, True)


main()
