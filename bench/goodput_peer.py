#!/usr/bin/env python3
"""Kernel-socket peers, a CPU-time wrapper and the report of bench/goodput.sh.

  goodput_peer.py server ADDR PORT --proto tcp|mptcp --ready FILE [--cc NAME]
  goodput_peer.py client ADDR PORT --proto tcp|mptcp --bytes N [--seed S] [--cc NAME]
  goodput_peer.py rusage OUT -- CMD...     run CMD, write its CPU time to OUT
  goodput_peer.py judge ROW REP DIR N      one run's record (JSON line) from
                                           the files its endpoints left in DIR
  goodput_peer.py report RESULTS.jsonl CSV [REF_ROW]   table + CSV

The client connects, sends N bytes, half-closes and reads to EOF; the
server reads to EOF (SHA-256 of what it got) and closes. Each prints one
JSON line with CLOCK_MONOTONIC timestamps: the namespaces share the host's
clock, so the client's connect and the server's last byte are comparable.

Why a sender of its own and not tests/lib/mptcp_sock.send_all: that one
draws every chunk from random.randbytes, about 3 Gbit/s on this machine,
slower than the kernel's veth path; here the stream is one seeded 4 MiB
block repeated, hashed as it is sent (SHA-256 runs at ~12 Gbit/s here).
The receiving side is mptcp_sock.recv_all (hashes inline, as xmptcpd's
sink does).
"""
import json, os, random, resource, socket, statistics, subprocess, sys, time, hashlib

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "lib"))
from mptcp_sock import IPPROTO_MPTCP, mptcp_info, recv_all  # noqa: E402

BLOCK = 4 << 20


def cpu_s():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def proto_num(name):
    return IPPROTO_MPTCP if name == "mptcp" else 0


def set_cc(s, cc):
    """TCP_CONGESTION on the socket (an MPTCP socket passes it to its
    subflows). Root may pick one outside tcp_allowed_congestion_control."""
    if cc:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())


def get_cc(s):
    try:
        return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).rstrip(b"\0").decode()
    except OSError:
        return None


def info(s, proto):
    if proto != "mptcp":
        return {"cc": get_cc(s)}
    try:
        sub, flags, token = mptcp_info(s)
    except (OSError, ValueError) as e:
        return {"info_error": str(e)}
    return {"fallback": bool(flags & 1), "token": "%08x" % token, "subflows": sub,
            "cc": get_cc(s)}


def opt(args, name, default=None):
    return args[args.index(name) + 1] if name in args else default


def server(addr, port, proto, ready, cc):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto_num(proto))
    set_cc(ls, cc)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(60)
    with open(ready, "w") as f:
        f.write("ready\n")
    s, _ = ls.accept()
    t_accept, c0 = time.monotonic(), cpu_s()
    set_cc(s, cc)
    s.settimeout(600)
    n, sha = recv_all(s)
    t_eof = time.monotonic()
    r = {"role": "server", "recv": n, "recv_sha256": sha, "t_accept": t_accept, "t_eof": t_eof}
    r.update(info(s, proto))
    s.close()
    r["cpu_s"] = cpu_s() - c0
    print(json.dumps(r), flush=True)


def client(addr, port, proto, nbytes, seed, cc):
    blk = random.Random(seed).randbytes(min(BLOCK, nbytes) or 1)
    view, h = memoryview(blk), hashlib.sha256()
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto_num(proto))
    set_cc(s, cc)
    s.settimeout(600)
    c0, t_connect = cpu_s(), time.monotonic()
    s.connect((addr, port))
    left = nbytes
    while left:
        k = min(left, len(blk))
        h.update(view[:k])  # hashed as sent, like xmptcpd's source
        s.sendall(view[:k])
        left -= k
    s.shutdown(socket.SHUT_WR)
    t_sent = time.monotonic()
    back, _ = recv_all(s)
    t_eof = time.monotonic()
    r = {"role": "client", "sent": nbytes, "sent_sha256": h.hexdigest(), "recv": back,
         "t_connect": t_connect, "t_sent": t_sent, "t_eof": t_eof}
    r.update(info(s, proto))
    s.close()
    r["cpu_s"] = cpu_s() - c0
    print(json.dumps(r), flush=True)


def run_rusage(out, cmd):
    """CMD's user+system CPU seconds (os.wait4), and its exit status."""
    p = subprocess.Popen(cmd)
    while True:
        try:
            _, status, ru = os.wait4(p.pid, 0)
            break
        except InterruptedError:
            continue
    rc = os.waitstatus_to_exitcode(status)
    with open(out, "w") as f:
        json.dump({"cpu_s": ru.ru_utime + ru.ru_stime, "rc": rc}, f)
    sys.exit(rc if rc >= 0 else 128 - rc)


# ---- judging one run ----------------------------------------------------

def load(path):
    try:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    return json.loads(line)
    except (OSError, ValueError):
        pass
    return None


def judge(row, rep, d, nbytes):
    """Combines the endpoints' files in D into one record. Files: snd.json /
    rcv.json (the sender's and receiver's JSON line), snd.kind / rcv.kind
    ("ours" = xmptcpd, "kernel" = this script), *.rusage, meta.json."""
    meta = load(os.path.join(d, "meta.json")) or {}
    rec = {"row": row, "rep": rep, "bytes": nbytes, "status": "ok", "seconds": None,
           "mbps": None, "seconds_check": None}
    rec.update(meta)
    sides = {}
    for side in ("snd", "rcv"):
        kind = open(os.path.join(d, side + ".kind")).read().strip()
        j = load(os.path.join(d, side + ".json"))
        ru = load(os.path.join(d, side + ".rusage"))
        sides[side] = (kind, j, ru)
    (sk, sj, sru), (rk, rj, rru) = sides["snd"], sides["rcv"]
    why = []
    if sj is None:
        why.append("sender printed no JSON")
    if rj is None:
        why.append("receiver printed no JSON")
    if not why:
        if sj.get("sent") != nbytes:
            why.append("sent %s bytes" % sj.get("sent"))
        if rj.get("recv") != nbytes:
            why.append("received %s bytes" % rj.get("recv"))
        if not sj.get("sent_sha256") or sj.get("sent_sha256") != rj.get("recv_sha256"):
            why.append("sha256 differs")
        for k, j in ((sk, sj), (rk, rj)):
            if k == "ours" and j.get("error"):
                why.append("xmptcpd: %s" % j["error"])
            if k == "ours" and meta.get("proto") == "mptcp" and not j.get("mp_capable"):
                why.append("xmptcpd fell back to TCP")
            if k == "kernel" and j.get("fallback"):
                why.append("kernel MPTCP fell back to TCP")
            if k == "kernel" and j.get("info_error"):
                why.append("MPTCP_INFO: %s" % j["info_error"])
    for k, ru in ((sk, sru), (rk, rru)):
        if ru and ru.get("rc"):
            why.append("%s exit %s" % ("xmptcpd" if k == "ours" else "peer", ru["rc"]))
    if why:
        rec["status"] = "FAILED: " + "; ".join(why)
        return rec
    # Goodput interval, measured by the receiver for every row: from the
    # connection's arrival (kernel: accept() returned; xmptcpd: the SYN came
    # in) to its last byte (kernel: the read returning EOF; xmptcpd: its
    # subflow closed, one DATA_FIN/FIN exchange after the last byte).
    # The check is the client's view: kernel connect() -> EOF from the peer,
    # xmptcpd's own seconds (which today also count its AF_XDP setup: the
    # client's start time is the loop's clock cached before the XSK opens).
    secs = rj["t_eof"] - rj["t_accept"] if rk == "kernel" else rj["seconds"]
    check = sj["t_eof"] - sj["t_connect"] if sk == "kernel" else sj["seconds"]
    rec["snd_cc"] = sj.get("cc") if sk == "kernel" else "cubic (xmptcpd)"
    rec["seconds"] = secs
    rec["seconds_check"] = check
    rec["mbps"] = nbytes * 8 / secs / 1e6 if secs and secs > 0 else None
    cs = [ru.get("cpu_s") if ru else j.get("cpu_s") for (_, j, ru) in (sides["snd"], sides["rcv"])]
    if None not in cs:
        rec["cpu_snd_s"], rec["cpu_rcv_s"] = cs
        rec["cpu_s_per_gb"] = (cs[0] + cs[1]) / (nbytes / 1e9)
    return rec


# ---- report --------------------------------------------------------------

CSV_COLS = ["run", "row", "label", "offloads", "rep", "bytes", "status", "seconds", "mbps",
            "ratio_same_rep", "seconds_check", "cpu_snd_s", "cpu_rcv_s", "cpu_s_per_gb", "snd_tso", "snd_gso",
            "snd_cc", "xdp"]


def report(results, csv_path, ref_row):
    recs = [json.loads(line) for line in open(results) if line.strip()]
    # ratio to the reference run of the same rep (measured minutes apart at most)
    refs = {r["rep"]: r["mbps"] for r in recs if r["row"] == ref_row and r.get("mbps")}
    for r in recs:
        if r.get("mbps") and refs.get(r["rep"]):
            r["ratio_same_rep"] = r["mbps"] / refs[r["rep"]]
    with open(csv_path, "w") as f:
        f.write(",".join(CSV_COLS) + "\n")
        for r in recs:
            vals = []
            for c in CSV_COLS:
                v = r.get(c)
                if isinstance(v, float):
                    v = "%.6g" % v
                v = "" if v is None else str(v)
                vals.append('"%s"' % v.replace('"', "'") if "," in v or " " in v else v)
            f.write(",".join(vals) + "\n")
    order, by = [], {}
    for r in recs:
        if r["row"] not in by:
            order.append(r["row"])
            by[r["row"]] = []
        by[r["row"]].append(r)

    def med(vals):
        return statistics.median(vals) if vals else None

    ref = med([r["mbps"] for r in by.get(ref_row, []) if r["status"] == "ok"])
    ref_label = by[ref_row][0]["label"].split(" -> ")[0] if ref_row in by else ref_row
    print("%-36s %-8s %8s  %-13s %-20s %s" % ("run (sender -> receiver)", "offloads",
                                             "median", "min..max", "ratio", "CPU s/GB"))
    for row in order:
        rs = by[row]
        ok = [r for r in rs if r["status"] == "ok"]
        bad = [r for r in rs if r["status"] != "ok"]
        m = med([r["mbps"] for r in ok])
        head = "%-36s %-8s" % (rs[0]["label"], rs[0]["offloads"])
        if m is None:
            print("%s %8s  %s" % (head, "FAILED", bad[0]["status"][len("FAILED: "):]))
            continue
        lo, hi = min(r["mbps"] for r in ok), max(r["mbps"] for r in ok)
        ratio = "x%.2f %s" % (m / ref, ref_label) if ref else "(no reference)"
        cpu = med([r["cpu_s_per_gb"] for r in ok if r.get("cpu_s_per_gb") is not None])
        line = "%s %8.0f  %-13s %-20s %s" % (head, m, "%.0f..%.0f" % (lo, hi), ratio,
                                            "%.2f" % cpu if cpu is not None else "-")
        if bad:
            line += "  (%d of %d FAILED: %s)" % (len(bad), len(rs), bad[0]["status"])
        print(line)
    print("Mbit/s: median of %d reps each; CPU: user+sys of both endpoint processes per GB"
          % max(len(v) for v in by.values()))
    print("csv: %s" % csv_path)


def main(a):
    if a[0] == "server":
        server(a[1], int(a[2]), opt(a, "--proto", "mptcp"), opt(a, "--ready"), opt(a, "--cc"))
    elif a[0] == "client":
        client(a[1], int(a[2]), opt(a, "--proto", "mptcp"), int(opt(a, "--bytes")),
               int(opt(a, "--seed", "1")), opt(a, "--cc"))
    elif a[0] == "rusage":
        run_rusage(a[1], a[a.index("--") + 1:])
    elif a[0] == "judge":
        print(json.dumps(judge(a[1], int(a[2]), a[3], int(a[4]))))
    elif a[0] == "report":
        report(a[1], a[2], a[3] if len(a) > 3 else "kmptcp")
    else:
        sys.exit("usage: see the header of " + sys.argv[0])


if __name__ == "__main__":
    main(sys.argv[1:])
