"""test_scale.sh's verdict after the thousand connections.

    scale_check.py STATS_C STATS_S CONNS_C CONNS_S N

STATS_*: `xmptcp stats -j` of the client and server daemons, CONNS_*:
their `conns -j` after the run. Prints "ok" when each daemon opened and
completed N MPTCP connections with none active, failed or plain TCP, no bad
or SYN-limited frames, no proxy refusal or forward failure, the client's
proxy accepted N, and no connection is still live; else what was wrong.
"""
import json, sys
c, s = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
live = lambda f: [x for x in json.load(open(f)) if x["state"] not in ("TIME_WAIT", "CLOSED")]
n, bad = int(sys.argv[5]), []
for name, st in (("client", c), ("server", s)):
    k = st["conns"]
    if k["active"] or k["opened"] != n or k["ok"] != n or k["failed"] or k["plain_tcp"]:
        bad.append("%s conns %s" % (name, k))
    if st["frames"]["rx_bad"] or st["frames"]["rx_syn_limit"]:
        bad.append("%s frames %s" % (name, st["frames"]))
    if st["proxy"]["refused"] or st["proxy"]["forward_failed"]:
        bad.append("%s proxy %s" % (name, st["proxy"]))
if c["proxy"]["accepted"] != n:
    bad.append("client proxy accepted %d" % c["proxy"]["accepted"])
for f in sys.argv[3:5]:
    if live(f):
        bad.append("%s still live in %s" % (len(live(f)), f))
print("; ".join(bad) if bad else "ok")
