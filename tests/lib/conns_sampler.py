"""test_multipath.sh's progress sampler.

    conns_sampler.py NS XMPTCP CTL_SOCK OUT STOP_FILE

Every 100 ms, `xmptcp conns -j --ctl CTL_SOCK` in namespace NS; one line
"t_seconds recv" (the largest recv of its connections) per sample to OUT,
until STOP_FILE exists or 120 s have passed.
"""
import json, os, subprocess, sys, time
ns, xmptcp, sock, out, stop = sys.argv[1:6]
t0 = time.time()
with open(out, "w") as f:
    while not os.path.exists(stop) and time.time() - t0 < 120:
        try:
            r = subprocess.run(["nsenter", "--net=/var/run/netns/" + ns, xmptcp, "conns", "-j",
                                "--ctl", sock], capture_output=True, timeout=2)
            conns = json.loads(r.stdout) if r.returncode == 0 else None
        except (subprocess.TimeoutExpired, ValueError):
            conns = None
        if conns:
            f.write("%.3f %d\n" % (time.time() - t0, max(c.get("recv", 0) for c in conns)))
            f.flush()
        time.sleep(max(0.0, 0.1 - (time.time() - t0) % 0.1))
