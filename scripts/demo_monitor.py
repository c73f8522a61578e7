#!/usr/bin/env python3
"""Live per-subflow throughput of one xmptcpd (scripts/demo.sh).

Every second: `xmptcp subflows -j --ctl CTL` and `xmptcp conns -j --ctl CTL`;
a subflow's rate is the delta of its bytes_sent + bytes_rcvd (payload carried
at the subflow level, reinjections included) over the delta of time; a path's
rate is the sum of its subflows' (the path of a subflow is the interface it
leaves by, named with --path IFACE=NAME); "MB" is what the connection has
delivered at the data level (conns -j recv). A header line is printed again
whenever a subflow appears. Stops once the file --done exists (after one last
partial sample). Writes the samples as CSV (t_s,total,<path>...,<subflow>...)
and a JSON summary (--final) for demo_summary.py and the plot.
"""
import argparse, json, os, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--xmptcp", required=True)
ap.add_argument("--ctl", required=True)
ap.add_argument("--done", required=True)
ap.add_argument("--path", action="append", default=[], help="IFACE=NAME")
ap.add_argument("--size", type=int, default=0)
ap.add_argument("--csv", required=True)
ap.add_argument("--final", required=True)
ap.add_argument("--interval", type=float, default=1.0)
ap.add_argument("--max-secs", type=float, default=100.0)
a = ap.parse_args()
paths = dict(p.split("=", 1) for p in a.path)
pnames = list(dict.fromkeys(paths.values()))


def ctl(what):
    try:
        r = subprocess.run([a.xmptcp, what, "-j", "--ctl", a.ctl], capture_output=True,
                           text=True, timeout=5)
        return json.loads(r.stdout) if r.returncode == 0 else None
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def flat(d):
    """`subflows -j` as one list of subflows (per connection or flat)."""
    out = []
    for x in (d if isinstance(d, list) else (d or {}).get("conns") or (d or {}).get("subflows") or []):
        if isinstance(x, dict) and isinstance(x.get("subflows"), list):
            out.extend(x["subflows"])
        elif isinstance(x, dict):
            out.append(x)
    return out


def ip(ep):
    return ep.rsplit(":", 1)[0].strip("[]")


sfs = {}      # key -> {"n": sfN, "path", "iface", "local", "remote", "join", "bytes"}
order = []    # keys in order of appearance
samples = []  # (t, total, {path: rate}, {key: rate}, delivered)
t0 = time.monotonic()
last_t, last_b = t0, {}
recv = 0
shown = None


def header():
    cols = "".join("%10s" % ("sf%d:%s" % (sfs[k]["n"], sfs[k]["path"])) for k in order)
    pcols = "".join("%7s" % p for p in pnames)
    print("   time%s |%s |  total   MB" % (cols, pcols), flush=True)


def sample(final=False):
    global last_t, recv, shown
    subs, conns = ctl("subflows"), ctl("conns")
    now = time.monotonic()
    for s in flat(subs):
        key = (s.get("local"), s.get("remote"))
        if key not in sfs:
            iface = s.get("iface", "-")
            sfs[key] = {"n": len(order) + 1, "iface": iface, "path": paths.get(iface, iface),
                        "local": s.get("local"), "remote": s.get("remote"),
                        "join": bool(s.get("join")), "bytes": 0}
            order.append(key)
            f = sfs[key]
            print("  + sf%d %s -> %s via %s (%s), %s" % (f["n"], f["local"], f["remote"], iface,
                  f["path"], "MP_JOIN" if f["join"] else "initial, MP_CAPABLE"), flush=True)
        sfs[key]["bytes"] = max(sfs[key]["bytes"], (s.get("bytes_sent") or 0) + (s.get("bytes_rcvd") or 0))
    if conns:
        live = [c for c in (conns if isinstance(conns, list) else conns.get("conns", []))
                if isinstance(c, dict)]
        if live:
            recv = max(recv, max((c.get("recv") or 0) for c in live))
    dt = max(now - last_t, 1e-3)
    rates = {}
    for k in order:
        rates[k] = (sfs[k]["bytes"] - last_b.get(k, 0)) * 8 / dt / 1e6
        last_b[k] = sfs[k]["bytes"]
    last_t = now
    prates = {p: sum(r for k, r in rates.items() if sfs[k]["path"] == p) for p in pnames}
    total = sum(rates.values())
    t = now - t0
    if not order:
        return
    if shown != len(order):
        header()
        shown = len(order)
    samples.append((t, total, prates, rates, recv))
    print("%6.1fs%s |%s | %6.2f %5.1f%s" % (
        t, "".join("%10.2f" % rates[k] for k in order), "".join("%7.2f" % prates[p] for p in pnames),
        total, recv / 1e6, "  (last %.2f s)" % dt if final and dt < 0.95 * a.interval else ""),
        flush=True)


nxt = t0 + a.interval
while True:
    # wait for the next tick, or for the end of the transfer: the last
    # sample then covers the partial second up to it
    while not os.path.exists(a.done) and time.monotonic() < nxt:
        time.sleep(min(0.05, max(0.0, nxt - time.monotonic())))
    done = os.path.exists(a.done)
    nxt += a.interval
    sample(final=done)
    if done or time.monotonic() - t0 > a.max_secs:
        break

with open(a.csv, "w") as f:
    f.write("t_s,total_mbps,%s,%s\n" % (
        ",".join("%s_mbps" % p for p in pnames),
        ",".join("sf%d_%s_mbps" % (sfs[k]["n"], sfs[k]["path"]) for k in order)))
    f.write("0,0,%s,%s\n" % (",".join("0" for _ in pnames), ",".join("0" for _ in order)))
    for t, total, pr, r, _ in samples:
        f.write("%.2f,%.3f,%s,%s\n" % (t, total, ",".join("%.3f" % pr[p] for p in pnames),
                                       ",".join("%.3f" % r.get(k, 0) for k in order)))
json.dump({"paths": pnames,
           "subflows": [dict(sfs[k], key=list(k)) for k in order],
           "samples": [{"t": t, "total": tot, "paths": pr} for t, tot, pr, _, _ in samples]},
          open(a.final, "w"))
