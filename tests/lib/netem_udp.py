"""Numbered UDP datagrams for the netem tests: loss, copies and order.

Receiver:  netem_udp.py recv ADDR PORT READY_FILE  (prints one JSON line)
Sender:    netem_udp.py send ADDR PORT COUNT GAP_US
"""
import json, socket, sys, time

def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET

def recv(addr, port, ready):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.bind((addr, port))
    open(ready, "w").write("ready\n")
    s.settimeout(10)
    seqs, top, late = [], -1, 0
    try:
        while True:
            n = int(s.recv(64))
            if n < 0:
                break
            if n < top:
                late += 1
            top = max(top, n)
            seqs.append(n)
            s.settimeout(0.5)
    except socket.timeout:
        pass
    print(json.dumps({"recv": len(seqs), "unique": len(set(seqs)),
                      "dups": len(seqs) - len(set(seqs)), "late": late, "seqs": seqs}))

def send(addr, port, count, gap_us):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    t = time.monotonic()
    for i in range(count):
        s.sendto(b"%d" % i, (addr, port))
        t += gap_us / 1e6
        while time.monotonic() < t:
            pass

if sys.argv[1] == "recv":
    recv(sys.argv[2], int(sys.argv[3]), sys.argv[4])
else:
    send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
