#!/usr/bin/env bash
# xmptcp demo (`make demo`): a two-path testbed where xmptcp OBSERVES the
# Linux kernel's own MPTCP. Client and server namespaces are joined by two
# shaped veth paths (8 Mbit/s, 20 ms RTT and 2 Mbit/s, 150 ms RTT); xmptcp is
# attached in observe mode to the client's two interfaces, where XDP sees
# what each path delivered (the server's TC egress would also count what
# the shapers then drop); an unmodified
# HTTP server and client (python3 -m http.server, curl) are made MPTCP by
# `mptcpize run`; every second a line per subflow shows its throughput as
# xmptcp's XDP/TC programs measured it (`xmptcp flows -j`); a summary
# follows. Everything is removed on exit and on Ctrl-C. Runs in ~30 s.
set -u
source "$(dirname "$0")/../tests/lib/net.sh"

SIZE=${DEMO_BYTES:-$((10 << 20))}
CLI="xbdemoC$$" SRV="xbdemoS$$"
MON_PID=

die() { echo "demo: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, XDP); try sudo make demo"
for c in ip tc nsenter python3 curl mptcpize; do
	command -v "$c" >/dev/null || die "missing $c (make deps; apt-get install mptcpd curl)"
done
[ -x "$XMPTCP" ] || die "$XMPTCP not built; run make first"

demo_stop() {
	[ -n "$MON_PID" ] && kill "$MON_PID" 2>/dev/null
	xb_cleanup
	echo "demo: testbed removed (namespaces, XDP/TC programs, pins)"
}
trap demo_stop EXIT

cat <<MSG
=== xmptcp demo ==============================================================
 xmptcp here OBSERVES the Linux kernel's own MPTCP: its XDP (ingress) and TC
 (egress) programs parse every MPTCP option on the client's two interfaces
 and account subflows, tokens and data-level bytes. The userspace MPTCP
 engine of xmptcp lands later; the transfer below is kernel MPTCP, made
 from unmodified python3 http.server and curl with 'mptcpize run'.
==============================================================================
MSG

xb_two_paths "$CLI" "$SRV" || die "cannot build the namespaces/veth paths (kernel MPTCP?)"
# Path shaping, both directions. netem (delay + rate) when the kernel has
# it; otherwise tbf, whose queue bound (latency) stands in for the delay:
# the paths then differ in rate and in queueing delay only.
SHAPER=netem
shape() { # NS IFACE RATE ONE_WAY_DELAY RTT
	ip netns exec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null 2>&1
	if [ "$SHAPER" = netem ] &&
		ip netns exec "$1" tc qdisc add dev "$2" root netem delay "$4" rate "$3" limit 200 2>/dev/null; then
		return 0
	fi
	SHAPER=tbf
	ip netns exec "$1" tc qdisc add dev "$2" root tbf rate "$3" burst 5kb latency "$5"
}
shape "$CLI" xbc1 8mbit 10ms 20ms && shape "$SRV" xbs1 8mbit 10ms 20ms &&
	shape "$CLI" xbc2 2mbit 75ms 150ms && shape "$SRV" xbs2 2mbit 75ms 150ms ||
	die "tc shaping failed"
if [ "$SHAPER" = tbf ]; then
	echo "note: no netem in this kernel; paths shaped with tbf (rate + queueing bound), no added delay"
fi
if [ "$SHAPER" = netem ]; then d1="RTT 20 ms" d2="RTT 150 ms"; else d1="queue <= 20 ms" d2="queue <= 150 ms"; fi
echo "path 1: client 10.231.1.1 (xbc1) <-> server 10.231.1.2 (xbs1)  8 Mbit/s, $d1"
echo "path 2: client 10.231.2.1 (xbc2) <-> server 10.231.2.2 (xbs2)  2 Mbit/s, $d2"

xb_nsx "$CLI" "$XMPTCP" attach xbc1 xbc2 || die "xmptcp attach failed"
xb_nsx "$CLI" "$XMPTCP" status | sed -n '1,9p'

www="$XB_TMP/www"
mkdir -p "$www"
head -c "$SIZE" /dev/urandom >"$www/blob"
want_sha=$(sha256sum <"$www/blob" | cut -d' ' -f1)
xb_nsx "$SRV" mptcpize run python3 -m http.server 8080 --bind 10.231.1.2 --directory "$www" \
	>"$XB_TMP/httpd.log" 2>&1 &
for ((i = 0; i < 50; i++)); do
	ip netns exec "$SRV" ss -Hltn 'sport = :8080' | grep -q . && break
	sleep 0.1
done

echo
echo "downloading $((SIZE >> 20)) MiB: mptcpize run curl http://10.231.1.2:8080/blob"
start=$(date +%s.%N)
(
	xb_nsx "$CLI" mptcpize run curl -s --max-time 90 -o "$XB_TMP/got" http://10.231.1.2:8080/blob
	echo $? >"$XB_TMP/curl.rc"
) &

# live view: per-subflow rates from successive `xmptcp flows -j` snapshots
python3 - "$XMPTCP" "$CLI" "$XB_TMP/curl.rc" <<'PY' &
import json, subprocess, sys, time
xmptcp, ns, done = sys.argv[1:4]
prev, t0, pdata = {}, time.time(), (0, time.time())
def snap():
    r = subprocess.run(["nsenter", "--net=/var/run/netns/" + ns, xmptcp, "flows", "-j"],
                       capture_output=True, text=True)
    return json.loads(r.stdout) if r.returncode == 0 else None
import os
while True:
    time.sleep(1)
    f = snap()
    now = time.time()
    if f and f["connections"]:
        c = f["connections"][-1]
        parts, total = [], 0.0
        for i, s in enumerate(c["subflows"]):
            key = (s["saddr"], s["sport"], s["daddr"], s["dport"])
            b = s["bytes_c2s"] + s["bytes_s2c"]
            pb, pt = prev.get(key, (0, now - 1))
            rate = (b - pb) * 8 / max(now - pt, 1e-3) / 1e6
            prev[key] = (b, now)
            total += rate
            parts.append("sf%d %-10s %-10s %5.2f Mbit/s" % (i + 1, s["kind"], s["saddr"], rate))
        drate = (c["data_bytes_s2c"] - pdata[0]) * 8 / max(now - pdata[1], 1e-3) / 1e6
        pdata = (c["data_bytes_s2c"], now)
        print("t=%3.0fs  %s | subflows %5.2f, data level %5.2f Mbit/s, %4.1f MiB" % (now - t0,
              " | ".join(parts), total, drate, c["data_bytes_s2c"] / 2**20), flush=True)
    if os.path.exists(done):
        break
PY
MON_PID=$!
wait "$MON_PID" 2>/dev/null
MON_PID=
end=$(date +%s.%N)
rc=$(cat "$XB_TMP/curl.rc" 2>/dev/null || echo 1)
got_sha=$(sha256sum <"$XB_TMP/got" 2>/dev/null | cut -d' ' -f1)

echo
echo "=== summary =================================================================="
xb_nsx "$CLI" "$XMPTCP" flows
xb_nsx "$CLI" "$XMPTCP" flows -j | python3 -c '
import json, sys
size, secs = int(sys.argv[1]), float(sys.argv[2])
f = json.load(sys.stdin)
c = f["connections"][-1] if f["connections"] else None
if not c:
    print("no MPTCP connection observed"); sys.exit(0)
print("connection tokens: client 0x%08x server 0x%08x" % (c["client_token"] or 0, c["server_token"] or 0))
tot = sum(s["bytes_s2c"] for s in c["subflows"]) or 1
for i, s in enumerate(c["subflows"]):
    print("  sf%d %-10s %s:%d -> %s:%d  %6.2f MiB down (%4.1f%%)  %5.2f Mbit/s avg" % (i + 1,
          s["kind"], s["saddr"], s["sport"], s["daddr"], s["dport"], s["bytes_s2c"] / 2**20,
          100.0 * s["bytes_s2c"] / tot, s["bytes_s2c"] * 8 / secs / 1e6))
print("data level: %d bytes server->client (file %d + HTTP header; a DATA_FIN takes 1); %.1f s, %.2f Mbit/s"
      % (c["data_bytes_s2c"], size, secs, c["data_bytes_s2c"] * 8 / secs / 1e6))
' "$SIZE" "$(python3 -c "print($end - $start)")"
if [ "$rc" = 0 ] && [ "$got_sha" = "$want_sha" ]; then
	echo "transfer: OK, sha256 of the download matches ($want_sha)"
else
	echo "transfer: FAILED (curl rc $rc, sha256 ${got_sha:-none} vs $want_sha)"
	exit 1
fi
