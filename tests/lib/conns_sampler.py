"""Progress of a transfer as xmptcpd's own counters see it, sampled while it
runs (test_multipath.sh, bench/wifi3g.sh).

    conns_sampler.py NS XMPTCP CTL_SOCK OUT STOP_FILE [PERIOD]

Every PERIOD seconds (0.1), `xmptcp conns -j --ctl CTL_SOCK` in namespace
NS; one line "t_monotonic recv" (the largest recv of its connections) per
answer to OUT, until STOP_FILE exists or 300 s have passed. OUT.start gets
the first connection's start: the sample's time minus its age_ms, the SYN's
arrival at the daemon.
"""
import json, os, subprocess, sys, time

ns, xmptcp, sock, out, stop = sys.argv[1:6]
period = float(sys.argv[6]) if len(sys.argv) > 6 else 0.1
t_end, started = time.monotonic() + 300, False
with open(out, "w") as f:
    nxt = time.monotonic()
    while not os.path.exists(stop) and time.monotonic() < t_end:
        t = time.monotonic()
        try:
            r = subprocess.run(["nsenter", "--net=/var/run/netns/" + ns, xmptcp, "conns", "-j",
                                "--ctl", sock], capture_output=True, timeout=2)
            conns = json.loads(r.stdout) if r.returncode == 0 else None
        except (subprocess.TimeoutExpired, ValueError):
            conns = None
        if conns is not None:
            f.write("%.4f %d\n" % (t, max([c.get("recv", 0) for c in conns] or [0])))
            if conns and not started:
                started = True
                with open(out + ".start", "w") as g:
                    g.write("%.4f\n" % (t - max(c.get("age_ms", 0) for c in conns) / 1e3))
            f.flush()
        nxt += period
        time.sleep(max(0.0, nxt - time.monotonic()))
