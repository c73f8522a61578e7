#!/usr/bin/env python3
"""The judge and the report of bench/wifi3g.sh, and its link flap (the
endpoints: xmptcpd and tests/lib/kpeer.py; the sampler of xmptcpd's
progress: tests/lib/conns_sampler.py).

  wifi3g.py flap NS IFACE START AT LEN OUT   IFACE down AT s after the time
                 in file START (once it exists), up LEN s later; OUT gets
                 "t_down t_up" (monotonic)
  wifi3g.py judge-bulk DIR N [key=value...]  one bulk transfer: a JSON line
  wifi3g.py judge-short DIR SIZE COUNT [key=value...]  a line per connection
  wifi3g.py report DIR          tables (stdout) and CSVs from DIR/*.jsonl
"""
import json, os, statistics, subprocess, sys, time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goodput_mp import biggest, csv_write, lines  # noqa: E402


# ---- judging one run --------------------------------------------------------

def path_mb(d):
    """Server-side rx MB of the WiFi and the 3G path (veth counters, wire
    bytes): "IF BYTES" lines before/after, WiFi's interface first."""
    try:
        b, a = ([int(x.split()[1]) for x in open(os.path.join(d, f))]
                for f in ("paths.before", "paths.after"))
        return (a[0] - b[0]) / 1e6, (a[1] - b[1]) / 1e6
    except (OSError, ValueError, IndexError):
        return None, None


def rc_of(d, side):
    try:
        return int(open(os.path.join(d, side + ".rc")).read())
    except (OSError, ValueError):
        return None


def judge_bulk(d, n):
    """One bulk transfer of N bytes C -> S: status, receiver seconds, goodput, and for
    an xmptcpd sender its diagnostics."""
    kind = open(os.path.join(d, "kind")).read().strip()
    r = {"bytes": n, "status": "ok"}
    why = []
    for side in ("snd", "rcv"):
        if rc_of(d, side) not in (0, None):
            why.append("%s exit %s" % (side, rc_of(d, side)))
    if kind == "kernel":
        s, v = (lines(os.path.join(d, "snd.json")) or [None])[-1], \
            (lines(os.path.join(d, "rcv.json")) or [None])[-1]
        if s and v:
            if v.get("t_eof") and v.get("t_accept"):
                r["seconds"] = v["t_eof"] - v["t_accept"]
            if v["recv_sha256"] != s["sent_sha256"]:
                why.append("sha256 differs")
            if v.get("fallback"):
                why.append("fell back to TCP")
            r["so_rcvbuf"] = v.get("so_rcvbuf")
            r["sf_used"] = sum(1 for x in v.get("sf_rcvd") or [] if x > 0) or None
            r["recv"] = v["recv"]
            r["t_eof"] = v.get("t_eof")
    else:
        s, v = biggest(os.path.join(d, "snd.json")), biggest(os.path.join(d, "rcv.json"))
        if s and v:
            r["seconds"] = v.get("recv_seconds") or v.get("seconds")
            if v.get("recv_sha256") != s.get("sent_sha256"):
                why.append("sha256 differs")
            for x in (s, v):
                if x.get("error"):
                    why.append("%s: %s" % (x.get("role"), x["error"]))
            if not v.get("mp_capable") or (v.get("mptcp") or {}).get("fallback"):
                why.append("not MPTCP")
            m = s.get("mptcp") or {}
            for k in ("reinjected", "penalties", "data_rtx_timeouts", "wnd_blocked", "sched_waits"):
                r[k] = m.get(k)
            r["rtx_segs"] = sum(x.get("RetransSegs") or 0 for x in s.get("subflows") or [])
            r["sf_used"] = sum(1 for x in v.get("subflows") or [] if (x.get("bytes_rcvd") or 0) > 0)
            r["sf_split"] = ["%s:%d" % (x.get("iface"), x.get("bytes_rcvd") or 0)
                             for x in v.get("subflows") or []]
            r["cc"] = s.get("cc")
            r["recv"] = v.get("recv")
    if not (s and v):
        why.append("no summary (snd %s, rcv %s)" % (bool(s), bool(v)))
    elif r.get("recv") != n:
        why.append("received %s of %d bytes" % (r.get("recv"), n))
    if r.get("seconds"):
        r["mbps"] = n * 8 / r["seconds"] / 1e6
    r["wifi_mb"], r["g3_mb"] = path_mb(d)
    r["steady_mbps"] = steady(os.path.join(d, "samples"), n)
    if why:
        r["status"] = "FAILED: " + "; ".join(why)
        r.pop("mbps", None)
    return r


def steady(path, n, skip=2.0):
    """Goodput between SKIP s after the connection's start (PATH.start) and the
    last sample before every byte arrived: the receiving application's
    counter sampled during the transfer, the same for every row, without
    the handshake, the first slow start, the joins and the close."""
    try:
        t0 = float(open(path + ".start").read())
        s = [tuple(map(float, x.split())) for x in open(path) if x.strip()]
    except (OSError, ValueError):
        return None
    mid = [(t, b) for t, b in s if t >= t0 + skip and 0 < b < n]
    if len(mid) < 2 or mid[-1][0] - mid[0][0] < 1.0:
        return None
    return (mid[-1][1] - mid[0][1]) * 8 / (mid[-1][0] - mid[0][0]) / 1e6


def judge_short(d, size, count):
    """COUNT sequential connections of SIZE bytes: one record per connection."""
    kind = open(os.path.join(d, "kind")).read().strip()
    cl, sv = lines(os.path.join(d, "snd.json")), lines(os.path.join(d, "rcv.json"))
    out = []
    for i in range(count):
        r = {"size": size, "i": i, "status": "ok"}
        c = cl[i] if i < len(cl) else None
        if c is None:
            r["status"] = "FAILED: no client line (exit %s)" % rc_of(d, "snd")
        elif kind == "kernel":
            r["fct_s"] = c["t_eof"] - c["t_connect"]
        else:
            r["fct_s"] = c.get("recv_seconds") or c.get("seconds")
            r["subflows"] = c.get("subflows_opened")
            if c.get("error") or c.get("sent") != size:
                r["status"] = "FAILED: %s, sent %s" % (c.get("error"), c.get("sent"))
        out.append(r)
    # the receiver: COUNT lines with SIZE bytes, each hash one the sender sent
    shas = {c.get("sent_sha256") for c in cl}
    good = [x for x in sv if x.get("recv") == size and x.get("recv_sha256") in shas]
    if len(good) < count:
        for r in out[len(good):]:
            if r["status"] == "ok":
                r["status"] = "FAILED: receiver has %d good of %d" % (len(good), count)
    for r in out:
        if r["status"] == "ok" and r.get("fct_s"):
            r["mbps"] = size * 8 / r["fct_s"] / 1e6
        else:
            r.pop("fct_s", None) if r["status"] != "ok" else None
    return out


# ---- report ---------------------------------------------------------------

def fmt(v, f="%.2f"):
    return "-" if v is None else f % v


def ratio(v, ref):
    return "x%.2f" % (v / ref) if v and ref else "-"


def report_rcvbuf(d, meta):
    recs = lines(os.path.join(d, "rcvbuf.jsonl"))
    if not recs:
        return
    ratios = {}
    for r in recs:
        if r["row"] == "kmptcp" and r.get("mbps"):
            ratios[r["rcvbuf"]] = r["mbps"]
    for r in recs:
        ref = ratios.get(r["rcvbuf"])
        r["ratio_kmptcp"] = r["mbps"] / ref if r.get("mbps") and ref else None
        r["pct_of_sum"] = 100.0 * r["mbps"] / meta["sum_mbit"] if r.get("mbps") else None
    cols = ["run", "experiment", "row", "label", "rcvbuf", "bytes", "status", "seconds", "mbps",
            "ratio_kmptcp", "pct_of_sum", "steady_mbps", "so_rcvbuf", "wifi_mb", "g3_mb", "sf_used", "reinjected",
            "penalties", "data_rtx_timeouts", "wnd_blocked", "sched_waits", "rtx_segs", "cc"]
    csv_write(os.path.join(d, "wifi3g_rcvbuf.csv"), cols, recs)
    rows = []
    for r in recs:
        if r["row"] not in rows:
            rows.append(r["row"])
    bufs = sorted({r["rcvbuf"] for r in recs})
    by = {(r["row"], r["rcvbuf"]): r for r in recs}
    labels = {r["row"]: r["label"] for r in recs}
    with open(os.path.join(d, "rcvbuf.dat"), "w") as f:  # for gnuplot: KB then a column per row
        f.write("rcvbuf_kb " + " ".join('"%s"' % labels[row] for row in rows) + "\n")
        for b in bufs:
            f.write("%g %s\n" % (b / 1024, " ".join(
                "%.4f" % by[row, b]["mbps"] if by.get((row, b), {}).get("mbps") else "NaN"
                for row in rows)))
    print("\n## (a) goodput vs receive buffer, Mbit/s (ratio to kernel MPTCP at the same buffer)")
    print("%-34s" % "row \\ rcvbuf" + "".join("%17s" % human(b) for b in bufs))
    for row in rows:
        line = "%-34s" % labels[row]
        for b in bufs:
            r = by.get((row, b))
            if not r:
                line += "%17s" % "-"
            elif r["status"] != "ok":
                line += "%17s" % "FAILED"
            else:
                line += "%17s" % ("%.2f %s" % (r["mbps"], ratio(r["mbps"], ratios.get(b))))
        print(line)
    print("%-34s" % "% of the 10 Mbit/s link sum" if meta["sum_mbit"] == 10 else
          "%-34s" % ("%% of the %g Mbit/s link sum" % meta["sum_mbit"]))
    for row in rows:
        line = "%-34s" % ("  " + row)
        for b in bufs:
            r = by.get((row, b))
            line += "%17s" % (fmt(r.get("pct_of_sum"), "%.1f%%") if r else "-")
        print(line)
    print("steady-state goodput (receiver's counter, 2 s after the start to the last sample "
          "before the end), Mbit/s (ratio to kernel MPTCP)")
    sref = {r["rcvbuf"]: r.get("steady_mbps") for r in recs if r["row"] == "kmptcp"}
    for row in rows:
        line = "%-34s" % ("  " + row)
        for b in bufs:
            r = by.get((row, b)) or {}
            v = r.get("steady_mbps") if r.get("status") == "ok" else None
            line += "%17s" % ("%.2f %s" % (v, ratio(v, sref.get(b))) if v else "-")
        print(line)
    print("xmptcp diagnostics (sender JSON: reinjected bytes / penalties / data_rtx_timeouts / "
          "wnd_blocked; receiver: MB on WiFi/3G):")
    for row in rows:
        if not row.startswith("ours"):
            continue
        for b in bufs:
            r = by.get((row, b))
            if r:
                print("  %-12s %6s: reinj %s B, pen %s, drto %s, wnd_blocked %s, sched_waits %s, "
                      "rtx segs %s, WiFi/3G %s/%s MB, subflows used %s" % (
                          row, human(b), r.get("reinjected"), r.get("penalties"),
                          r.get("data_rtx_timeouts"), r.get("wnd_blocked"), r.get("sched_waits"),
                          r.get("rtx_segs"), fmt(r.get("wifi_mb")), fmt(r.get("g3_mb")),
                          r.get("sf_used")))
    for r in recs:
        if r["row"] == "kmptcp" and r["status"] == "ok":
            print("  kmptcp       %6s: SO_RCVBUF reads back %s, WiFi/3G %s/%s MB" % (
                human(r["rcvbuf"]), r.get("so_rcvbuf"), fmt(r.get("wifi_mb")), fmt(r.get("g3_mb"))))
    # the acceptance
    t = meta.get("target_buf")
    ok_rows = [r for r in recs if r["row"] == "ours" and r["status"] == "ok"]
    tcp = {r["rcvbuf"]: r["mbps"] for r in recs if r["row"] == "tcp" and r.get("mbps")}
    at = by.get(("ours", t))
    if at and at.get("mbps"):
        print("target at %s: xmptcp %.2f Mbit/s = %.1f%% of %g Mbit/s (want >= 95%%), best single "
              "path %s, kernel MPTCP %s -> %s" % (
                  human(t), at["mbps"], at["pct_of_sum"], meta["sum_mbit"], fmt(tcp.get(t)),
                  fmt(ratios.get(t)), "REACHED" if at["pct_of_sum"] >= 95 else "NOT reached"))
    below = ["%s (%.2f < %.2f)" % (human(r["rcvbuf"]), r["mbps"], tcp[r["rcvbuf"]])
             for r in ok_rows if r["rcvbuf"] in tcp and r["mbps"] < tcp[r["rcvbuf"]]]
    if ok_rows and tcp:
        print("xmptcp below the best single path at: %s" % (", ".join(below) or "none"))


def human(b):
    b = int(b)
    if b >= 1 << 20 and b % (1 << 20) == 0:
        return "%dM" % (b >> 20)
    if b % 1024 == 0:
        return "%dK" % (b >> 10)
    return str(b)


def series(path, t0):
    """(t - t0, Mbit/s over the interval ending at t) from "t bytes" samples."""
    try:
        s = [tuple(map(float, x.split())) for x in open(path) if x.strip()]
    except OSError:
        return []
    out, pt, pb = [], None, None
    for t, b in s:
        if pt is not None and t > pt:
            out.append((t - t0, (b - pb) * 8 / (t - pt) / 1e6, b))
        pt, pb = t, b
    return out


def report_outage(d, meta):
    recs = lines(os.path.join(d, "outage.jsonl"))
    if not recs:
        return
    rows = []
    t_down, t_up = None, None
    with open(os.path.join(d, "wifi3g_outage.csv"), "w") as f:
        f.write("run,row,t_s,mbps,bytes\n")
        for r in recs:
            s = series(r["samples"], r["t0"])
            r["series"] = s
            for t, m, b in s:
                f.write("%s,%s,%.3f,%.4f,%d\n" % (meta["run"], r["row"], t, m, b))
            # a gnuplot-friendly copy: t, Mbit/s, MB received
            with open(os.path.join(d, "outage_%s.dat" % r["row"]), "w") as g:
                for t, m, b in s:
                    g.write("%.3f %.4f %.4f\n" % (t, m, b / 1e6))
    for r in recs:
        down, up = r["t_down"] - r["t0"], r["t_up"] - r["t0"]
        s = r["series"]

        def mean(a, b):
            v = [m for t, m, _ in s if a < t <= b]
            return statistics.mean(v) if v else None
        r["pre"] = mean(max(0.5, down - 2.5), down)
        r["during"] = mean(down + 0.25, up)
        r["after"] = mean(up + 1.0, up + 4.0)
        # first sample after link up from which 4 consecutive ones reach 80% of "pre"
        rec = None
        if r["pre"]:
            for i, (t, m, _) in enumerate(s):
                if t > up and all(x[1] >= 0.8 * r["pre"] for x in s[i:i + 4]) and len(s[i:i + 4]) == 4:
                    rec = t - up
                    break
        r["recover_s"] = rec
        stalls, cur = 0.0, 0.0
        for t, m, _ in s:
            if down < t <= up + 4 and m < 0.05:
                cur += 0.25
                stalls = max(stalls, cur)
            else:
                cur = 0.0
        r["max_stall_s"] = stalls
        t_down, t_up = down, up
    with open(os.path.join(d, "outage_times.gp"), "w") as f:
        f.write("t_down = %.3f\nt_up = %.3f\n" % (t_down, t_up))
    ref = next((r for r in recs if r["row"] == "kmptcp"), None)
    print("\n## (b) WiFi outage: WiFi down at %.1f s for %.1f s (goodput sampled every 250 ms)" % (
        t_down, t_up - t_down))
    print("%-28s %-8s %9s %8s %8s %8s %9s %9s %8s" % (
        "row", "status", "total s", "pre", "during", "after", "recover", "stall", "ratio"))
    for r in recs:
        rt = ratio(ref["secs"], r["secs"]) if ref and r.get("secs") and ref.get("secs") else "-"
        print("%-28s %-8s %9s %8s %8s %8s %9s %9s %8s" % (
            r["label"], r["status"][:8], fmt(r.get("secs")), fmt(r["pre"]), fmt(r["during"]),
            fmt(r["after"]), fmt(r["recover_s"]), fmt(r["max_stall_s"]), rt))
    for r in recs:
        if ref and r is not ref:
            print("%-28s %-8s %9s %8s %8s %8s" % (
                "  %s / kernel MPTCP" % r["row"], "", ratio(ref.get("secs"), r.get("secs")),
                *[ratio(r.get(k), ref.get(k)) for k in ("pre", "during", "after")]))
    print("pre/during/after: mean Mbit/s over the 2.5 s before the outage / the outage / 1-4 s "
          "after link up; recover: s after link up until 4 samples in a row reach 80% of pre; "
          "stall: longest run of samples with < 0.05 Mbit/s; total s: connection start at the receiver to last "
          "byte; ratio: kernel MPTCP's total time / this row's (> 1: faster)")
    cols = ["run", "row", "label", "status", "bytes", "secs", "pre", "during", "after", "recover_s",
            "max_stall_s", "reinjected", "penalties", "data_rtx_timeouts", "wnd_blocked"]
    for r in recs:
        r["run"] = meta["run"]
    csv_write(os.path.join(d, "wifi3g_outage_summary.csv"), cols, recs)


def report_short(d, meta):
    recs = lines(os.path.join(d, "short.jsonl"))
    if not recs:
        return
    csv_write(os.path.join(d, "wifi3g_short.csv"),
              ["run", "row", "label", "size", "i", "status", "fct_s", "mbps", "subflows"], recs)
    rows, sizes = [], sorted({r["size"] for r in recs})
    for r in recs:
        if r["row"] not in rows:
            rows.append(r["row"])
    labels = {r["row"]: r["label"] for r in recs}
    med = {}
    for row in rows:
        for z in sizes:
            v = [r["fct_s"] for r in recs if r["row"] == row and r["size"] == z and r["status"] == "ok"]
            n = len([r for r in recs if r["row"] == row and r["size"] == z])
            med[row, z] = (statistics.median(v) if v else None, len(v), n)
    print("\n## (c) short flows: median flow completion time in ms (goodput Mbit/s; FCT ratio to "
          "kernel MPTCP, < 1 is faster)")
    print("%-22s" % "row \\ size" + "".join("%28s" % human(z) for z in sizes))
    for row in rows:
        line = "%-22s" % labels[row]
        for z in sizes:
            m, k, n = med[row, z]
            ref = med.get(("kmptcp", z), (None,))[0]
            if m is None:
                line += "%28s" % "FAILED"
            else:
                cell = "%.0f (%.2f) %s" % (m * 1e3, z * 8 / m / 1e6, ratio(m, ref))
                if k < n:
                    cell += " %d/%dok" % (k, n)
                line += "%28s" % cell
        print(line)
    with open(os.path.join(d, "short.dat"), "w") as f:  # for gnuplot: a line per row
        f.write("label " + " ".join(human(z) for z in sizes) + "\n")
        for row in rows:
            f.write('"%s" %s\n' % (labels[row], " ".join(
                "%.3f" % (med[row, z][0] * 1e3) if med[row, z][0] else "NaN" for z in sizes)))
    print("FCT: xmptcp: the client's summary \"recv_seconds\" (SYN sent to the server's DATA_FIN); kernel: "
          "the client's connect() to the server's close seen (EOF); median of the connections "
          "of each size; goodput = size / FCT")
    for r in recs:
        r["run"] = meta["run"]


def report(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    print("# wifi3g results (run %s): WiFi %s, 3G %s" % (meta["run"], meta["wifi"], meta["g3"]))
    report_rcvbuf(d, meta)
    report_outage(d, meta)
    report_short(d, meta)


def kv(a):
    out = {}
    for x in a:
        k, v = x.split("=", 1)
        try:
            v = json.loads(v)
        except ValueError:
            pass
        out[k] = v
    return out


def main(a):
    if a[0] == "flap":  # NS IFACE STARTFILE AT LEN OUT
        ns, ifc, sf, at, ln, out = a[1], a[2], a[3], float(a[4]), float(a[5]), a[6]
        ip = ["ip", "-n", ns, "link", "set", ifc]
        t_end = time.monotonic() + 60
        while not os.path.exists(sf) and time.monotonic() < t_end:
            time.sleep(0.01)
        time.sleep(0.05)
        t0 = float(open(sf).read())
        time.sleep(max(0.0, t0 + at - time.monotonic()))
        subprocess.run(ip + ["down"], check=True)
        t_down = time.monotonic()
        time.sleep(max(0.0, t_down + ln - time.monotonic()))
        subprocess.run(ip + ["up"], check=True)
        with open(out, "w") as f:
            f.write("%.4f %.4f\n" % (t_down, time.monotonic()))
    elif a[0] == "judge-bulk":  # DIR N [key=value...]: one JSON line
        r = judge_bulk(a[1], int(a[2]))
        r.update(kv(a[3:]))
        print(json.dumps(r))
    elif a[0] == "judge-short":  # DIR SIZE COUNT [key=value...]: a line per connection
        for r in judge_short(a[1], int(a[2]), int(a[3])):
            r.update(kv(a[4:]))
            print(json.dumps(r))
    elif a[0] == "report":
        report(a[1])
    else:
        sys.exit("usage: see the header of " + sys.argv[0])


if __name__ == "__main__":
    main(sys.argv[1:])
