#!/usr/bin/env bash
# xmptcp demo (`make demo`): the WiFi/3G experiment with xmptcp on both ends.
#
#   namespace C (client)           namespace R (router)           namespace S (server)
#   curl -> 127.0.0.1:8080         xnetem relays                  xmptcpd --server
#   xmptcpd --client       xd1c ==  WiFi 8 Mbit/s, 20 ms RTT  == xd1s  10.251.1.2:9000
#     =10.251.1.2:9000     xd2c ==  3G   2 Mbit/s, 150 ms RTT == xd2s  -> 127.0.0.1:8000
#                                                                python3 -m http.server
#
# Both applications are unmodified and speak plain TCP on loopback; between
# the two daemons the connection is MPTCP (RFC 8684). Both daemons run on
# both of their interfaces (--iface twice), fullmesh path manager: the
# client opens the initial subflow on WiFi, joins from its 3G address, and
# joins the server's second address (learnt from ADD_ADDR) from each of its
# addresses; a subflow leaves through the interface of its client address.
# The paths are shaped by tests/tools/xnetem (a userspace netem L2 relay:
# this kernel has no sch_netem): rate, one-way delay, FIFO limit, both ways.
#
# Every second a line shows each subflow's throughput (deltas of
# bytes_sent + bytes_rcvd from `xmptcp subflows -j` of the client daemon),
# per path and in total; then a summary (bytes, sha256 of what curl got vs
# the file, goodput vs the 10 Mbit/s sum, share per subflow and path) and a
# plot, $BUILD/demo/throughput.png, from $BUILD/demo/throughput.csv.
# Everything (namespaces, relays, daemons, XDP programs, pins) is removed on
# exit, Ctrl-C included. About 20 s (transfer ~13 s).
#
# Knobs: DEMO_BYTES (file size, default 15000000: ~12 s at 10 Mbit/s),
# DEMO_SCHED (xmptcpd --sched, default minrtt), DEMO_ARGS (more xmptcpd
# options for both daemons, e.g. "--no-reinject"), DEMO_OUT (output dir).
set -u
# shellcheck source=tests/lib/net.sh
source "$(dirname "$0")/../tests/lib/net.sh"
# paths through the relays: interfaces xd<ID>{c,ra,rb,s}, 10.251.<ID>.{1,2}
XN_PFX=xd XN_NET4=10.251 XN_NO_IPV6=1
# shellcheck source=tests/lib/netem.sh
source "$XB_ROOT/tests/lib/netem.sh"

SIZE=${DEMO_BYTES:-15000000}
SCHED=${DEMO_SCHED:-minrtt}
OUT=${DEMO_OUT:-$XB_BUILD/demo}
C="xdC$$" S="xdS$$" R="xdR$$"
# path ID: name, rate Mbit/s, one-way delay ms, relay FIFO limit in frames
# (about 150 ms / 300 ms of queue: enough to fill each path, not a bufferbloat)
P1=(WiFi 8 10 100)
P2=(3G 2 75 50)
SPID='' CPID='' MON_PID='' CURL_PID=''

die() {
	echo "demo: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, XDP, AF_XDP); try: sudo make demo"
for c in ip ss ping nsenter mountpoint ethtool python3 curl sha256sum gnuplot; do
	command -v "$c" >/dev/null 2>&1 ||
		die "missing command '$c': run 'make deps' (Debian: apt-get install iproute2 iputils-ping util-linux ethtool python3 curl coreutils gnuplot-nox)"
done
for b in "$XMPTCP" "$XMPTCPD" "$XNETEM"; do
	[ -x "$b" ] || die "$b is not built: run 'make' (or make demo, which builds first)"
done
ip netns add "xdprobe$$" 2>/dev/null || die "cannot create network namespaces here (a container without CAP_SYS_ADMIN?)"
ip netns del "xdprobe$$"
[ -d /sys/fs/bpf ] && mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf 2>/dev/null ||
	die "bpffs is not mounted at /sys/fs/bpf and cannot be: mount -t bpf bpf /sys/fs/bpf"

# shellcheck disable=SC2317 # run by the EXIT trap
demo_stop() {
	local p
	trap '' INT TERM
	[ -n "$CURL_PID" ] && kill "$CURL_PID" 2>/dev/null
	[ -n "$MON_PID" ] && kill "$MON_PID" 2>/dev/null
	# the daemons first, gracefully (DATA_FIN), so nothing is left half open
	for p in $CPID $SPID; do kill -TERM "$p" 2>/dev/null; done
	for _ in $(seq 30); do
		kill -0 $CPID $SPID 2>/dev/null || break # either may be unset
		sleep 0.1
	done
	for p in $CPID $SPID; do kill -KILL "$p" 2>/dev/null; done
	xb_cleanup
	echo "demo: testbed removed (namespaces $C $S $R, relays, daemons, XDP programs, pins)"
}
trap demo_stop EXIT
trap 'echo; echo "demo: interrupted"; exit 130' INT TERM

T0=$(date +%s)
cat <<MSG
=== xmptcp demo: MPTCP over WiFi + 3G, unmodified curl and http.server ======
 client ns $C: curl -> 127.0.0.1:8080 -> xmptcpd --client (MPTCP, fullmesh)
 server ns $S: xmptcpd --server 10.251.1.2:9000 -> python3 -m http.server
 router ns $R: tests/tools/xnetem shapes each path, both directions
MSG

# --- testbed ---------------------------------------------------------------
mkpath() { # ID NAME RATE DELAY LIMIT
	xn_path "$1" "$C" "$S" "$R" --rate "$3" --delay "$4" --limit "$5" ||
		die "cannot build path $1 ($2): namespaces, veth or the relay failed"
	printf ' path %d %-4s: %s (%s) <-> %s (%s)  %s Mbit/s, RTT %d ms, queue %s frames\n' "$1" "$2" \
		"$(xn_addr4 "$1" c)" "$(xn_if "$1" c)" "$(xn_addr4 "$1" s)" "$(xn_if "$1" s)" "$3" \
		$(($4 * 2)) "$5"
}
mkpath 1 "${P1[@]}"
mkpath 2 "${P2[@]}"
# a default route per path: a subflow leaves through its source address's
# interface, also towards the server's address on the other path
ip -n "$C" route add default via 10.251.1.2 dev xd1c metric 101 &&
	ip -n "$C" route add default via 10.251.2.2 dev xd2c metric 102 || die "cannot add the client's routes"
for i in 1 2; do
	xb_wait_ping "$C" "10.251.$i.2" ||
		die "path $i does not carry traffic: $(tail -n 2 "$(xn_netem_log $i)")"
done
xb_attach "$C" xd1c xd2c && xb_attach "$S" xd1s xd2s ||
	die "xmptcp attach failed: $(cat "$XB_TMP/attach.err")"
echo " XDP attached on both interfaces of both ends ($(xb_nsx "$C" "$XMPTCP" status -j |
	"$XN_PY" -c 'import json,sys; print(",".join(sorted({i["xdp_mode"] for i in json.load(sys.stdin)["interfaces"]})))' 2>/dev/null) XDP)"

# --- the unmodified server, the daemons -------------------------------------
WWW="$XB_TMP/www"
mkdir -p "$WWW" "$OUT" || die "cannot create $OUT"
head -c "$SIZE" /dev/urandom >"$WWW/demo.bin"
WANT=$(sha256sum <"$WWW/demo.bin" | cut -d' ' -f1)
ip netns exec "$S" "$XN_PY" -m http.server --bind 127.0.0.1 --directory "$WWW" 8000 \
	>"$XB_TMP/httpd.log" 2>&1 &
# nsenter execs xmptcpd: $! is the daemon's own pid
# shellcheck disable=SC2086 # DEMO_ARGS is a list of options
nsenter --net="/var/run/netns/$S" "$XMPTCPD" --iface xd1s --iface xd2s \
	--server 10.251.1.2:9000=127.0.0.1:8000 --sched "$SCHED" --ctl "$XB_TMP/s.ctl" \
	${DEMO_ARGS:-} >"$XB_TMP/s.out" 2>"$XB_TMP/s.err" &
SPID=$!
# shellcheck disable=SC2086
nsenter --net="/var/run/netns/$C" "$XMPTCPD" --iface xd1c --iface xd2c \
	--client 127.0.0.1:8080=10.251.1.2:9000 --sched "$SCHED" --ctl "$XB_TMP/c.ctl" \
	${DEMO_ARGS:-} >"$XB_TMP/c.out" 2>"$XB_TMP/c.err" &
CPID=$!
up() { xb_listens "$S" 8000 && xb_listens "$C" 8080 && [ -S "$XB_TMP/c.ctl" ]; }
xb_wait_until --pid "$SPID" 5 up && kill -0 "$CPID" 2>/dev/null ||
	die "the server or a daemon did not start: $(tail -n 3 "$XB_TMP/s.err" "$XB_TMP/c.err" "$XB_TMP/httpd.log")"
echo " xmptcpd: client pid $CPID, server pid $SPID, scheduler $SCHED${DEMO_ARGS:+, $DEMO_ARGS}"

# --- the transfer, watched every second -------------------------------------
echo
# the relays' counters (frames and bytes each way, tail drops) around the transfer
for i in 1 2; do xn_netem_stats $i >"$XB_TMP/relay$i.before" 2>/dev/null; done
echo "curl http://127.0.0.1:8080/demo.bin ($SIZE bytes) in $C; per second, Mbit/s:"
(
	# a stalled transfer (under 1 KB/s for 10 s) or one over 60 s is a failure
	ip netns exec "$C" curl -sS --max-time 60 --speed-limit 1000 --speed-time 10 -o "$XB_TMP/got.bin" \
		-w '%{size_download} %{time_total} %{time_starttransfer}\n' \
		http://127.0.0.1:8080/demo.bin >"$XB_TMP/curl.w" 2>"$XB_TMP/curl.err"
	echo $? >"$XB_TMP/curl.rc"
) &
CURL_PID=$!
nsenter --net="/var/run/netns/$C" "$XN_PY" "$XB_ROOT/scripts/demo_monitor.py" \
	--xmptcp "$XMPTCP" --ctl "$XB_TMP/c.ctl" --done "$XB_TMP/curl.rc" \
	--path xd1c="${P1[0]}" --path xd2c="${P2[0]}" --size "$SIZE" \
	--csv "$OUT/throughput.csv" --final "$XB_TMP/mon.json" --max-secs 70 &
MON_PID=$!
wait "$MON_PID"
MON_PID=
wait "$CURL_PID"
CURL_PID=
rc=$(cat "$XB_TMP/curl.rc" 2>/dev/null || echo 1)
for i in 1 2; do xn_netem_stats $i >"$XB_TMP/relay$i.after" 2>/dev/null; done

# --- summary ------------------------------------------------------------------
echo
echo "=== summary ================================================================="
GOT=$(sha256sum <"$XB_TMP/got.bin" 2>/dev/null | cut -d' ' -f1)
# each daemon prints its connection's JSON line when it completes (a
# moment after curl has its last byte; longer on a busy machine)
summaries() { grep -q '^{' "$XB_TMP/c.out" && grep -q '^{' "$XB_TMP/s.out"; }
xb_wait_until 15 summaries
"$XN_PY" "$XB_ROOT/scripts/demo_summary.py" --size "$SIZE" --curl "$XB_TMP/curl.w" \
	--conn "$XB_TMP/c.out" --sconn "$XB_TMP/s.out" --mon "$XB_TMP/mon.json" \
	--path xd1c="${P1[0]}:${P1[1]}:$XB_TMP/relay1" --path xd2c="${P2[0]}:${P2[1]}:$XB_TMP/relay2"
status=0
if [ "$rc" = 0 ] && [ "$GOT" = "$WANT" ]; then
	echo "sha256     : match, curl got exactly the served file ($WANT)"
else
	echo "sha256     : MISMATCH or failed transfer (curl exit $rc: $(head -c 300 "$XB_TMP/curl.err"))"
	echo "             got  ${GOT:-nothing}"
	echo "             want $WANT"
	echo "client daemon: $(tail -n 3 "$XB_TMP/c.err")"
	echo "server daemon: $(tail -n 3 "$XB_TMP/s.err")"
	status=1
fi

if gnuplot -e "csv='$OUT/throughput.csv'; png='$OUT/throughput.png'; npaths=2" \
	"$XB_ROOT/scripts/demo_plot.gp" 2>"$XB_TMP/gnuplot.err"; then
	echo "plot       : $OUT/throughput.png (data: $OUT/throughput.csv)"
else
	echo "plot       : gnuplot failed: $(head -n 3 "$XB_TMP/gnuplot.err")"
	status=1
fi
echo "demo: $(($(date +%s) - T0)) s so far; cleaning up"
exit $status
