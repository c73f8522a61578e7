#!/usr/bin/env python3
"""A CPU-time wrapper, the judge of one run and the report of
bench/goodput_mp.sh (the endpoints themselves: xmptcpd and
tests/lib/kpeer.py).

  goodput_mp.py rusage OUT -- CMD...     run CMD, write its CPU time to OUT
  goodput_mp.py judge ROW REP DIR N [MIN_SUBFLOWS]   one run's record (JSON
                                         line) from the files its endpoints
                                         left in DIR
  goodput_mp.py report RESULTS.jsonl CSV REF_ROW     table + CSV

judge: byte counts and SHA-256 of both ends, no fallback, no error, exit
status 0; goodput over the receiver's interval; CPU of both endpoint
processes; the subflows that carried data as the receiver counted them
(kernel: MPTCP_TCPINFO; xmptcpd: its summary's bytes_rcvd per subflow) and,
for an xmptcpd sender, its bytes_sent per subflow; the server-side veth rx
bytes of each path. A row that names MIN_SUBFLOWS (the kernel's two-path
reference) fails when fewer subflows received data.
"""
import json, os, statistics, subprocess, sys


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

def lines(path):
    try:
        return [json.loads(x) for x in open(path) if x.startswith("{")]
    except (OSError, ValueError):
        return []


def biggest(path):
    """xmptcpd prints one line per connection: the transfer's has the most
    bytes, so a stray line cannot stand in for it."""
    ls = sorted(lines(path), key=lambda d: (d.get("recv") or 0) + (d.get("sent") or 0))
    return ls[-1] if ls else None


def split(vals):
    """Shares of the bytes, e.g. "62/38", largest first."""
    t = sum(vals)
    if not t:
        return ""
    return "/".join("%.0f" % (100.0 * v / t) for v in sorted(vals, reverse=True) if v > 0)


def subflows(rec, side, vals):
    rec["sf_open_" + side] = len(vals)
    rec["sf_used_" + side] = sum(1 for v in vals if v > 0)
    rec["sf_split_" + side] = split(vals)


def problems(nbytes, meta, ends):
    """Why a run is not good, from ENDS: [(kind, json, rusage)] of the
    sender and the receiver."""
    (sk, sj, _), (rk, rj, _) = ends
    why = [w for w, j in (("sender printed no JSON", sj), ("receiver printed no JSON", rj))
           if j is None]
    if not why:
        if sj.get("sent") != nbytes:
            why.append("sent %s bytes" % sj.get("sent"))
        if rj.get("recv") != nbytes:
            why.append("received %s bytes" % rj.get("recv"))
        if not sj.get("sent_sha256") or sj.get("sent_sha256") != rj.get("recv_sha256"):
            why.append("sha256 differs")
        for k, j in ((sk, sj), (rk, rj)):
            if j.get("error"):
                why.append("%s: %s" % ("xmptcpd" if k == "ours" else "peer", j["error"]))
            if k == "ours" and meta.get("proto") == "mptcp" and not j.get("mp_capable"):
                why.append("xmptcpd fell back to TCP")
            if k == "kernel" and j.get("fallback"):
                why.append("kernel MPTCP fell back to TCP")
            if k == "kernel" and j.get("info_error"):
                why.append("MPTCP_INFO: %s" % j["info_error"])
    for k, _, ru in ends:
        if ru and ru.get("rc"):
            why.append("%s exit %s" % ("xmptcpd" if k == "ours" else "peer", ru["rc"]))
    return why


def path_bytes(rec, d):
    """Per-path veth counters, server side: "IF BYTES" lines before/after."""
    try:
        b = dict(x.split() for x in open(os.path.join(d, "paths.before")))
        a = dict(x.split() for x in open(os.path.join(d, "paths.after")))
        for i, ifc in enumerate(sorted(a), 1):
            rec["path%d_rx_mb" % i] = (int(a[ifc]) - int(b.get(ifc, 0))) / 1e6
    except (OSError, ValueError):
        pass


def judge(row, rep, d, nbytes, min_sf):
    """Combines the endpoints' files in D into one record. Files: snd.json /
    rcv.json (the sender's and receiver's JSON lines), snd.kind / rcv.kind
    ("ours" = xmptcpd, "kernel" = kpeer.py), *.rusage, meta.json, paths.*,
    timed_out."""
    meta = (lines(os.path.join(d, "meta.json")) or [{}])[0]
    rec = {"row": row, "rep": rep, "bytes": nbytes, "status": "ok", "seconds": None,
           "mbps": None, "seconds_check": None}
    rec.update(meta)
    ends = []
    for side in ("snd", "rcv"):
        kind = open(os.path.join(d, side + ".kind")).read().strip()
        path = os.path.join(d, side + ".json")
        j = biggest(path) if kind == "ours" else (lines(path) or [None])[0]
        ends.append((kind, j, (lines(os.path.join(d, side + ".rusage")) or [None])[0]))
    (sk, sj, _), (rk, rj, _) = ends
    why = problems(nbytes, meta, ends)
    if not why:
        # Goodput interval, measured by the receiver for every row: from the
        # connection's arrival (kernel: accept() returned; xmptcpd: the SYN
        # came in) to its last byte (kernel: the read returning EOF;
        # xmptcpd: its subflow closed, one DATA_FIN/FIN exchange later).
        # The check is the sender's view: kernel connect() -> EOF from the
        # peer, xmptcpd's own seconds (which also count its AF_XDP setup).
        secs = rj["t_eof"] - rj["t_accept"] if rk == "kernel" else rj["seconds"]
        rec["seconds"] = secs
        rec["seconds_check"] = sj["t_eof"] - sj["t_connect"] if sk == "kernel" else sj["seconds"]
        rec["mbps"] = nbytes * 8 / secs / 1e6 if secs and secs > 0 else None
        cs = [ru.get("cpu_s") if ru else j.get("cpu_s") for _, j, ru in ends]
        if None not in cs:
            rec["cpu_snd_s"], rec["cpu_rcv_s"] = cs
            rec["cpu_s_per_gb"] = (cs[0] + cs[1]) / (nbytes / 1e9)
        rec["snd_cc"] = sj.get("cc") if sk == "kernel" else "%s (xmptcpd)" % sj.get("cc")
    if rj is not None and meta.get("proto") == "mptcp":
        rv = [s.get("bytes_rcvd") or 0 for s in rj.get("subflows") or []] if rk == "ours" \
            else rj.get("sf_rcvd")
        if rv is None:
            why.append(rj.get("sf_error", "no per-subflow bytes"))
        else:
            subflows(rec, "rcv", rv)
    if sj is not None and sk == "ours":
        subflows(rec, "snd", [s.get("bytes_sent") or 0 for s in sj.get("subflows") or []])
        rec["sched"] = sj.get("sched")
    path_bytes(rec, d)
    if min_sf and not why and (rec.get("sf_used_rcv") or 0) < min_sf:
        why.append("%s subflows carried data, want >= %d" % (rec.get("sf_used_rcv"), min_sf))
    if why:
        rec["status"] = "FAILED: " + "; ".join(why)
        if os.path.exists(os.path.join(d, "timed_out")):
            tmo = open(os.path.join(d, "timed_out")).read().strip()
            rec["status"] = "FAILED: hit the %s s timeout; %s" % (tmo, "; ".join(why))
    return rec


# ---- report --------------------------------------------------------------

CSV_COLS = ["run", "row", "build", "label", "sched", "offloads", "rep", "bytes", "status",
            "seconds", "mbps", "ratio_same_rep", "seconds_check", "sf_used_rcv", "sf_open_rcv",
            "sf_split_rcv", "sf_used_snd", "sf_open_snd", "sf_split_snd", "path1_rx_mb",
            "path2_rx_mb", "cpu_snd_s", "cpu_rcv_s", "cpu_s_per_gb", "snd_tso", "snd_gso",
            "snd_cc", "xdp"]


def csv_write(path, cols, rows):
    with open(path, "w") as f:
        f.write(",".join(cols) + "\n")
        for r in rows:
            vals = []
            for c in cols:
                v = r.get(c)
                v = "%.6g" % v if isinstance(v, float) else ("" if v is None else str(v))
                vals.append('"%s"' % v.replace('"', "'") if ("," in v or " " in v) else v)
            f.write(",".join(vals) + "\n")


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def sfs(rs, side):
    """"used/open" of the median run (by goodput), e.g. "2/2"."""
    r = sorted(rs, key=lambda r: r["mbps"])[len(rs) // 2]
    if r.get("sf_used_" + side) is None:
        return "-"
    return "%d/%d" % (r["sf_used_" + side], r["sf_open_" + side])


def table(order, by, ref):
    print("%-22s %-42s %7s  %-11s %-6s %-6s %-6s %-9s %s" % (
        "row", "sender -> receiver", "Mbit/s", "min..max", "ratio", "sf rcv", "sf snd",
        "split rcv", "CPU s/GB"))
    for row in order:
        rs = by[row]
        ok = [r for r in rs if r["status"] == "ok"]
        bad = [r for r in rs if r["status"] != "ok"]
        head = "%-22s %-42s" % (row, rs[0]["label"])
        if not ok:
            print("%s %7s  %s" % (head, "FAILED", bad[0]["status"][len("FAILED: "):]))
            continue
        m = med([r["mbps"] for r in ok])
        lo, hi = min(r["mbps"] for r in ok), max(r["mbps"] for r in ok)
        mid = sorted(ok, key=lambda r: r["mbps"])[len(ok) // 2]
        cpu = med([r.get("cpu_s_per_gb") for r in ok])
        line = "%s %7.0f  %-11s %-6s %-6s %-6s %-9s %s" % (
            head, m, "%.0f..%.0f" % (lo, hi), "x%.2f" % (m / ref) if ref else "-",
            sfs(ok, "rcv"), sfs(ok, "snd"), mid.get("sf_split_rcv") or "-",
            "%.2f" % cpu if cpu is not None else "-")
        if bad:
            line += "  (%d of %d FAILED: %s)" % (len(bad), len(rs), bad[0]["status"])
        print(line)


def before_after(order, by):
    """Each row measured with the baseline build too (ROW and ROW@base,
    alternating in every rep): the medians side by side."""
    pairs = [(r, r + "@base") for r in order if r + "@base" in by]
    if not pairs:
        return
    print("baseline build (%s) against this one, same run, alternating reps:" %
          by[pairs[0][1]][0].get("build"))
    print("%-22s %21s %21s %9s %9s" % ("row", "Mbit/s base -> ours", "CPU s/GB base -> ours",
                                        "Mbit/s", "CPU"))
    for now, base in pairs:
        m = [med([r["mbps"] for r in by[x] if r["status"] == "ok"]) for x in (base, now)]
        c = [med([r.get("cpu_s_per_gb") for r in by[x] if r["status"] == "ok"]) for x in (base, now)]

        def two(v, f):
            return " -> ".join(f % x if x is not None else "-" for x in v)

        def ratio(v):
            return "x%.2f" % (v[1] / v[0]) if None not in v and v[0] else "-"
        print("%-22s %21s %21s %9s %9s" % (now, two(m, "%.0f"), two(c, "%.2f"), ratio(m), ratio(c)))
    print("ratios: ours / base (goodput higher is better, CPU s/GB lower is better)")


def report(results, csv_path, ref_row):
    recs = [json.loads(x) for x in open(results) if x.strip()]
    refs = {r["rep"]: r["mbps"] for r in recs if r["row"] == ref_row and r.get("mbps")
            and r["status"] == "ok"}
    for r in recs:
        if r.get("mbps") and refs.get(r["rep"]):
            r["ratio_same_rep"] = r["mbps"] / refs[r["rep"]]
    csv_write(csv_path, CSV_COLS, recs)
    order, by = [], {}
    for r in recs:
        if r["row"] not in by:
            order.append(r["row"])
            by[r["row"]] = []
        by[r["row"]].append(r)
    table(order, by, med([r["mbps"] for r in by.get(ref_row, []) if r["status"] == "ok"]))
    print("Mbit/s: median of %d reps; ratio: to %s's median in this run; sf: subflows that "
          "carried data / subflows opened, receiver's count (rcv) and an xmptcpd sender's (snd), "
          "of the median run; split rcv: %% of the bytes per subflow at the receiver; CPU: "
          "user+sys of both endpoint processes per GB" % (max(len(v) for v in by.values()), ref_row))
    before_after(order, by)
    print("csv: %s" % csv_path)


def main(a):
    if a[0] == "rusage":
        run_rusage(a[1], a[a.index("--") + 1:])
    elif a[0] == "judge":
        print(json.dumps(judge(a[1], int(a[2]), a[3], int(a[4]), int(a[5]) if len(a) > 5 else 0)))
    elif a[0] == "report":
        report(a[1], a[2], a[3])
    else:
        sys.exit("usage: see the header of " + sys.argv[0])


if __name__ == "__main__":
    main(sys.argv[1:])
