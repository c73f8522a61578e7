#!/usr/bin/env python3
"""Summary of one scripts/demo.sh run: what curl measured (curl -w
'%{size_download} %{time_total} %{time_starttransfer}'), the daemons' JSON
lines of the connection (the client's per subflow bytes are the final word
on shares; the server, the sender, counts reinjections and penalties), the
live monitor's samples (demo_monitor.py --final) and each path's relay
counters before and after the transfer (tests/tools/xnetem --stats-json; "ba" is
server -> client): wire bytes, so the payload share of the links' rate,
which counts Ethernet, IP, TCP and MPTCP headers, and tail drops."""
import argparse, json

ap = argparse.ArgumentParser()
ap.add_argument("--size", type=int, required=True)
ap.add_argument("--curl", required=True)
ap.add_argument("--conn", required=True)
ap.add_argument("--sconn", required=True)
ap.add_argument("--mon", required=True)
ap.add_argument("--path", action="append", default=[], help="IFACE=NAME:MBIT:RELAY_STATS_PREFIX")
a = ap.parse_args()
paths, relay = {}, {}
for p in a.path:
    iface, rest = p.split("=", 1)
    name, mbit, pre = rest.split(":", 2)
    paths[iface] = (name, float(mbit))
    relay[name] = pre
cap = sum(m for _, m in paths.values())
best_name, best = max(paths.values(), key=lambda x: x[1]) if paths else ("-", 0)


def load_json(f):
    try:
        return json.load(open(f))
    except (OSError, ValueError):
        return None


try:
    got, secs, ttfb = open(a.curl).read().split()[:3]
    got, secs, ttfb = int(got), float(secs), float(ttfb)
except (OSError, ValueError):
    got, secs, ttfb = 0, 0.0, 0.0
print("transfer   : %d of %d bytes in %.2f s (curl: request to last byte; first byte after %.0f ms)"
      % (got, a.size, secs, ttfb * 1e3))
if secs > 0 and got:
    gp = got * 8 / secs / 1e6
    print("goodput    : %.2f Mbit/s = %.0f%% of the %g Mbit/s sum of both paths, x%.2f the best single"
          " path (%s, %g Mbit/s)" % (gp, 100 * gp / cap, cap, gp / best, best_name, best))

mon = load_json(a.mon) or {}
smp = mon.get("samples", [])
full = [s for s in smp[:-1]] or smp  # the last sample may be a partial second
steady = [s["total"] for s in full if s["t"] >= 3.0]
if steady:
    print("throughput : %.2f Mbit/s mean of the subflows' 1 s samples from 3 s on (after slow start),"
          " peak %.2f" % (sum(steady) / len(steady), max(s["total"] for s in full)))

def conn_line(f):
    """The daemon's line of the demo's connection: the one that moved most."""
    try:
        lines = [json.loads(l) for l in open(f) if l.startswith("{")]
    except (OSError, ValueError):
        return None
    return max(lines, key=lambda d: (d.get("recv") or 0) + (d.get("sent") or 0)) if lines else None


conn, sconn = conn_line(a.conn), conn_line(a.sconn)
subs = (conn or {}).get("subflows") or []
src = "client daemon's connection summary"
if not subs:  # no summary line: the monitor's last view
    subs = [{"local": s["local"], "remote": s["remote"], "iface": s["iface"], "join": s["join"],
             "bytes_rcvd": s["bytes"], "bytes_sent": 0} for s in mon.get("subflows", [])]
    src = "last live sample"
tot = sum((s.get("bytes_rcvd") or 0) + (s.get("bytes_sent") or 0) for s in subs) or 1
if conn:
    m = conn.get("mptcp") or {}
    print("connection : %s, tokens client %s server %s, scheduler %s, cc %s, %d subflows" % (
        "MPTCP" if conn.get("mp_capable") and not m.get("fallback") else "NOT MPTCP (fallback to TCP)",
        m.get("local_token", "?"), m.get("remote_token", "?"), conn.get("sched", "?"),
        conn.get("cc", "?"), len(subs)))
if sconn:
    m = sconn.get("mptcp") or {}
    print("sender     : server daemon reinjected %s bytes, penalised a slow subflow %s times,"
          " %s data-level retransmission timeouts" % (m.get("reinjected", "?"), m.get("penalties", "?"),
                                                      m.get("data_rtx_timeouts", "?")))
print("subflows   : bytes each carried (received + sent, reinjections included; %s):" % src)
per_path = {}
for i, s in enumerate(subs):
    b = (s.get("bytes_rcvd") or 0) + (s.get("bytes_sent") or 0)
    name = paths.get(s.get("iface"), (s.get("iface", "?"), 0))[0]
    per_path[name] = per_path.get(name, 0) + b
    print("  sf%d %-4s %-21s -> %-17s %-8s %-7s %9d bytes %5.1f%%%s" % (
        i + 1, name, s.get("local"), s.get("remote"), s.get("iface"),
        "join" if s.get("join") else "initial", b, 100.0 * b / tot,
        ", reinjected %d" % s["reinjected"] if s.get("reinjected") else ""))
print("paths      : %s (their capacity: %s)" % (
    ", ".join("%s %.1f%%" % (p, 100.0 * b / tot) for p, b in per_path.items()),
    ", ".join("%s %.0f%%" % (n, 100 * m / cap) for n, m in paths.values())))


def relay_delta(pre):
    try:
        b, e = json.load(open(pre + ".before")), json.load(open(pre + ".after"))
        return {d: {k: e[d][k] - b[d].get(k, 0) for k in e[d] if isinstance(e[d][k], int)}
                for d in ("ab", "ba")}
    except (OSError, ValueError, KeyError):
        return None


wire, parts = 0, []
for name, pre in relay.items():
    d = relay_delta(pre)
    if not d:
        continue
    wire += d["ba"]["tx_bytes"]
    parts.append("%-4s %5.1f MB to the client in %5d frames, %3d dropped at the bottleneck queue"
                 " (%d towards the server)" % (name, d["ba"]["tx_bytes"] / 1e6, d["ba"]["tx"],
                                               d["ba"]["limit_drops"], d["ab"]["limit_drops"]))
if parts:
    print("links      : " + "\n             ".join(parts))
if wire and got and secs > 0:
    eff = got / wire
    print("             the links' rates count whole frames: the file was %.1f%% of the bytes they carried"
          " to the client\n             (the rest: Ethernet/IP/TCP/MPTCP headers, retransmissions,"
          " reinjections), so %g Mbit/s carry ~%.2f Mbit/s\n             of file at most here;"
          " goodput reached %.0f%% of that" % (100 * eff, cap, cap * eff,
                                                100 * got * 8 / secs / 1e6 / (cap * eff)))
