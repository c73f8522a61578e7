#!/usr/bin/env python3
"""The 2-path additions of bench/goodput_mp.sh to bench/goodput_peer.py.

  goodput_mp_peer.py server ADDR PORT --ready FILE [--cc NAME]
  goodput_mp_peer.py judge ROW REP DIR N [MIN_SUBFLOWS]
  goodput_mp_peer.py report RESULTS.jsonl CSV [REF_ROW]

server: goodput_peer.py's kernel MPTCP receiver (same clock points, same
hashing), plus, read after the last byte and before close(), the bytes each
subflow received: getsockopt(SOL_MPTCP, MPTCP_TCPINFO) returns a struct
tcp_info per subflow (include/uapi/linux/mptcp.h, struct mptcp_subflow_data
first), tcpi_bytes_received is payload bytes. Python's getsockopt() cannot
pass the input header that call needs, hence ctypes.

judge: goodput_peer.judge (byte counts, SHA-256, fallback, exit status,
goodput, CPU), then the subflows that carried data, as the receiver counted
them (kernel: MPTCP_TCPINFO; xmptcpd: its summary's bytes_rcvd per subflow)
and, for an xmptcpd sender, its bytes_sent per subflow; the veth counters of
both paths (server side, rx bytes). A row that names MIN_SUBFLOWS (the
kernel reference) fails when fewer subflows received data.

The client is goodput_peer.py's, unchanged.
"""
import ctypes, json, os, socket, statistics, struct, sys, time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import goodput_peer as gp  # noqa: E402

SOL_MPTCP, MPTCP_TCPINFO = 284, 2
SFD = struct.Struct("=IIII")  # size_subflow_data, num_subflows, size_kernel, size_user
TI_SIZE = 232                 # struct tcp_info up to tcpi_snd_wnd (Linux 5.19+)
TI_BYTES_ACKED, TI_BYTES_RECEIVED, TI_BYTES_SENT = 120, 128, 200
MAX_SF = 16

_libc = ctypes.CDLL(None, use_errno=True)


def subflow_bytes(s):
    """[(bytes_received, bytes_sent), ...] per subflow, or raises OSError."""
    n = SFD.size + MAX_SF * TI_SIZE
    buf = ctypes.create_string_buffer(n)
    SFD.pack_into(buf, 0, SFD.size, 0, 0, TI_SIZE)
    ln = ctypes.c_uint32(n)
    if _libc.getsockopt(s.fileno(), SOL_MPTCP, MPTCP_TCPINFO, buf, ctypes.byref(ln)) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    _, num, _, size_user = SFD.unpack_from(buf, 0)
    out = []
    for i in range(min(num, MAX_SF)):
        off = SFD.size + i * size_user
        rcvd, = struct.unpack_from("=Q", buf, off + TI_BYTES_RECEIVED)
        sent, = struct.unpack_from("=Q", buf, off + TI_BYTES_SENT) if size_user >= 208 else (0,)
        out.append((rcvd, sent))
    return out


def server(addr, port, ready, cc):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM, gp.IPPROTO_MPTCP)
    gp.set_cc(ls, cc)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(60)
    with open(ready, "w") as f:
        f.write("ready\n")
    s, _ = ls.accept()
    t_accept, c0 = time.monotonic(), gp.cpu_s()
    gp.set_cc(s, cc)
    s.settimeout(600)
    n, sha = gp.recv_all(s)
    t_eof = time.monotonic()
    r = {"role": "server", "recv": n, "recv_sha256": sha, "t_accept": t_accept, "t_eof": t_eof}
    r.update(gp.info(s, "mptcp"))
    try:
        r["sf_rcvd"] = [b for b, _ in subflow_bytes(s)]
    except OSError as e:
        r["sf_error"] = "MPTCP_TCPINFO: %s" % e
    s.close()
    r["cpu_s"] = gp.cpu_s() - c0
    print(json.dumps(r), flush=True)


# ---- judging one run ----------------------------------------------------

def biggest_line(path):
    """xmptcpd prints one line per connection: keep the transfer's (most
    bytes), so a stray line cannot stand in for it."""
    try:
        ls = [json.loads(x) for x in open(path) if x.startswith("{")]
    except (OSError, ValueError):
        return None
    if len(ls) > 1:
        ls.sort(key=lambda d: (d.get("recv") or 0) + (d.get("sent") or 0))
        with open(path, "w") as f:
            f.write(json.dumps(ls[-1]) + "\n")
    return ls[-1] if ls else None


def split(vals):
    """Shares of the bytes, e.g. "62/38", largest first."""
    t = sum(vals)
    if not t:
        return ""
    return "/".join("%.0f" % (100.0 * v / t) for v in sorted(vals, reverse=True) if v > 0)


def judge(row, rep, d, nbytes, min_sf):
    kinds = {}
    for side in ("snd", "rcv"):
        kinds[side] = open(os.path.join(d, side + ".kind")).read().strip()
        if kinds[side] == "ours":
            biggest_line(os.path.join(d, side + ".json"))
    rec = gp.judge(row, rep, d, nbytes)
    sj, rj = gp.load(os.path.join(d, "snd.json")), gp.load(os.path.join(d, "rcv.json"))
    why = []
    rv = None
    if rj is not None:
        if kinds["rcv"] == "ours":
            rv = [s.get("bytes_rcvd") or 0 for s in rj.get("subflows") or []]
        else:
            rv = rj.get("sf_rcvd")
            if rv is None:
                why.append(rj.get("sf_error", "no per-subflow bytes"))
    if rv is not None:
        rec["sf_open_rcv"] = len(rv)
        rec["sf_used_rcv"] = sum(1 for v in rv if v > 0)
        rec["sf_split_rcv"] = split(rv)
    if sj is not None and kinds["snd"] == "ours":
        sv = [s.get("bytes_sent") or 0 for s in sj.get("subflows") or []]
        rec["sf_open_snd"] = len(sv)
        rec["sf_used_snd"] = sum(1 for v in sv if v > 0)
        rec["sf_split_snd"] = split(sv)
        rec["sched"] = sj.get("sched")
        rec["snd_cc"] = "%s (xmptcpd)" % sj.get("cc")
    # per-path veth counters, server side: "IF BYTES" lines before/after
    try:
        b = dict(x.split() for x in open(os.path.join(d, "paths.before")))
        a = dict(x.split() for x in open(os.path.join(d, "paths.after")))
        for i, ifc in enumerate(sorted(a), 1):
            rec["path%d_rx_mb" % i] = (int(a[ifc]) - int(b.get(ifc, 0))) / 1e6
    except (OSError, ValueError):
        pass
    if min_sf and rec["status"] == "ok" and (rec.get("sf_used_rcv") or 0) < min_sf:
        why.append("%s subflows carried data, want >= %d" % (rec.get("sf_used_rcv"), min_sf))
    if why and rec["status"] == "ok":
        rec["status"] = "FAILED: " + "; ".join(why)
    if rec["status"] != "ok" and os.path.exists(os.path.join(d, "timed_out")):
        tmo = open(os.path.join(d, "timed_out")).read().strip()
        rec["status"] = "FAILED: hit the %s s timeout; %s" % (tmo, rec["status"][len("FAILED: "):])
    return rec


# ---- report --------------------------------------------------------------

CSV_COLS = ["run", "row", "label", "sched", "rep", "bytes", "status", "seconds", "mbps",
            "ratio_same_rep", "seconds_check", "sf_used_rcv", "sf_open_rcv", "sf_split_rcv",
            "sf_used_snd", "sf_open_snd", "sf_split_snd", "path1_rx_mb", "path2_rx_mb",
            "cpu_snd_s", "cpu_rcv_s", "cpu_s_per_gb", "snd_cc", "offloads", "xdp"]


def report(results, csv_path, ref_row):
    recs = [json.loads(x) for x in open(results) if x.strip()]
    refs = {r["rep"]: r["mbps"] for r in recs if r["row"] == ref_row and r.get("mbps")
            and r["status"] == "ok"}
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
        vals = [v for v in vals if v is not None]
        return statistics.median(vals) if vals else None

    def sfs(rs, side):
        """"used/open" of the median run (by goodput), e.g. "2/2"."""
        rs = sorted(rs, key=lambda r: r["mbps"])
        r = rs[len(rs) // 2]
        if r.get("sf_used_" + side) is None:
            return "-"
        return "%d/%d" % (r["sf_used_" + side], r["sf_open_" + side])

    ref = med([r["mbps"] for r in by.get(ref_row, []) if r["status"] == "ok"])
    print("%-19s %-38s %7s  %-11s %-8s %-7s %-7s %-9s %s" % (
        "row", "sender -> receiver", "Mbit/s", "min..max", "ratio", "sf rcv", "sf snd",
        "split rcv", "CPU s/GB"))
    for row in order:
        rs = by[row]
        ok = [r for r in rs if r["status"] == "ok"]
        bad = [r for r in rs if r["status"] != "ok"]
        head = "%-19s %-38s" % (row, rs[0]["label"])
        if not ok:
            print("%s %7s  %s" % (head, "FAILED", bad[0]["status"][len("FAILED: "):]))
            continue
        m = med([r["mbps"] for r in ok])
        lo, hi = min(r["mbps"] for r in ok), max(r["mbps"] for r in ok)
        ratio = "x%.2f" % (m / ref) if ref else "-"
        mid = sorted(ok, key=lambda r: r["mbps"])[len(ok) // 2]
        cpu = med([r.get("cpu_s_per_gb") for r in ok])
        line = "%s %7.0f  %-11s %-8s %-7s %-7s %-9s %s" % (
            head, m, "%.0f..%.0f" % (lo, hi), ratio, sfs(ok, "rcv"), sfs(ok, "snd"),
            mid.get("sf_split_rcv") or "-", "%.2f" % cpu if cpu is not None else "-")
        if bad:
            line += "  (%d of %d FAILED: %s)" % (len(bad), len(rs), bad[0]["status"])
        print(line)
    print("Mbit/s: median of %d reps; ratio: to %s's median in this run; sf: subflows that "
          "carried data / subflows opened, receiver's count (rcv) and an xmptcpd sender's (snd), "
          "of the median run; split rcv: %% of the bytes per subflow at the receiver; CPU: "
          "user+sys of both endpoint processes per GB" % (max(len(v) for v in by.values()), ref_row))
    print("csv: %s" % csv_path)


def main(a):
    if a[0] == "server":
        server(a[1], int(a[2]), gp.opt(a, "--ready"), gp.opt(a, "--cc"))
    elif a[0] == "judge":
        print(json.dumps(judge(a[1], int(a[2]), a[3], int(a[4]), int(a[5]) if len(a) > 5 else 0)))
    elif a[0] == "report":
        report(a[1], a[2], a[3] if len(a) > 3 else "kmptcp2")
    else:
        sys.exit("usage: see the header of " + sys.argv[0])


if __name__ == "__main__":
    main(sys.argv[1:])
