#!/usr/bin/env bash
# Single-path goodput: xmptcpd (ours) next to the kernel's MPTCP and the
# kernel's TCP on one veth pair, each figure a ratio to kernel MPTCP
# measured in the same invocation.
#
# Topology: namespace C xgbc0 10.235.1.1/24 -- veth -- namespace S xgbs0
# 10.235.1.2/24, MTU 1500, one subflow (MPTCP limits 0 extra subflows, no
# endpoints). Data flows C -> S, N bytes per run. Rows:
#   ktcp       kernel TCP   -> kernel TCP     python3 sockets both ends
#   kmptcp     kernel MPTCP -> kernel MPTCP   IPPROTO_MPTCP (the reference)
#   ours2k     xmptcpd --connect -> kernel MPTCP server
#   k2ours     kernel MPTCP client -> xmptcpd --listen --sink
#   ours2ours  xmptcpd -> xmptcpd
#   kmptcp_xdp kernel MPTCP -> kernel MPTCP with xmptcp's XDP attached on
#              both ends, passing the kernel's frames: what XDP on a veth
#              costs by itself (context)
#   ktcp_def, kmptcp_def: the two kernel rows again with the veth's default
#              offloads (context)
# Offloads of every row but the *_def ones: `ethtool -K tx off` on both veth
# ends (AF_XDP frames carry no checksum offload state, and a veth drops TSO
# with it), as in tests/net/test_engine_kernel.sh. xmptcp's XDP programs are
# attached (native, copy-mode XSK) only on the namespaces where xmptcpd
# runs, for that row only: kernel rows but kmptcp_xdp see no XDP. A veth
# whose peer has an XDP program loses TSO (off with tx-off anyway); the
# sender's tso/gso state is in the CSV.
#
# Congestion control: CUBIC everywhere. xmptcpd's engine runs CUBIC; the
# kernel peers set TCP_CONGESTION=cubic on their sockets (an MPTCP socket
# hands it to its subflows), since this host's default may differ (bbr here)
# and a namespace may not change its default to one outside
# tcp_allowed_congestion_control. --cc NAME picks another for the kernel.
#
# Goodput = N payload bytes / seconds, measured the same way for every row:
# by the receiving end, from the connection's arrival to its last byte.
# Kernel receiver (bench/goodput_peer.py): CLOCK_MONOTONIC from accept()
# returning to the read that returns EOF. xmptcpd receiver: its own
# "seconds", from the SYN's arrival to its subflow's close (the last byte
# plus the DATA_FIN/FIN exchange: a few milliseconds at most). seconds_check in the CSV is the client's view of the same run
# (kernel: connect() to EOF from the server; xmptcpd: its "seconds", which
# start before its AF_XDP socket is set up, so they run long).
# CPU: user+system seconds of both endpoint processes (getrusage; wait4 for
# xmptcpd), per GB moved. On a veth the receiving end's stack runs in the
# softirq of whoever transmitted (xmptcpd's AF_XDP sendto() runs the kernel
# peer's TCP/MPTCP input), so only the sum of both ends means something;
# softirq work done in ksoftirqd or in other processes is not in it.
# Every run's bytes are checked: sender's SHA-256 == receiver's, byte
# counts == N, no fallback to TCP, no error; otherwise the run is FAILED.
#
# Usage: BUILD=build bench/goodput.sh [--bytes N[K|M|G]] [--reps R]
#        [--rows ktcp,kmptcp,...] [--csv PATH] [--timeout SECS] [--cc NAME]
# Exit 0 all runs ok, 1 some run failed, 4 cannot run here (root,
# namespaces, binaries).
set -u
cd "$(dirname "$0")/.." || exit 1
XB_TEST=goodput
source tests/lib/net.sh

XMPTCPD=${XMPTCPD:-$XB_BUILD/xmptcpd}
PEER="$XB_ROOT/bench/goodput_peer.py"
BYTES=256M
REPS=3
ROWS=ktcp,kmptcp,ours2k,k2ours,ours2ours,kmptcp_xdp,ktcp_def,kmptcp_def
CSV="$XB_BUILD/bench/goodput.csv"
TMO=300
CC=cubic

usage() {
	sed -n '/^# Usage:/,/^# Exit/p' "$0" | sed 's/^# \{0,1\}//'
	exit "$1"
}
while [ $# -gt 0 ]; do
	case $1 in
	--bytes) BYTES=${2:?}; shift 2 ;;
	--reps) REPS=${2:?}; shift 2 ;;
	--rows) ROWS=${2:?}; shift 2 ;;
	--csv) CSV=${2:?}; shift 2 ;;
	--timeout) TMO=${2:?}; shift 2 ;;
	--cc) CC=${2:?}; shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "goodput: unknown option '$1'" >&2; usage 2 ;;
	esac
done
[[ $BYTES =~ ^[0-9]+[kKmMgG]?$ && $REPS =~ ^[1-9][0-9]*$ && $TMO =~ ^[1-9][0-9]*$ ]] ||
	{ echo "goodput: --bytes N[K|M|G], --reps R >= 1, --timeout SECS >= 1" >&2; exit 2; }
case $BYTES in
*[kK]) N=$((${BYTES%?} << 10)) ;;
*[mM]) N=$((${BYTES%?} << 20)) ;;
*[gG]) N=$((${BYTES%?} << 30)) ;;
*) N=$((BYTES)) ;;
esac
[ "$N" -gt 0 ] || { echo "goodput: --bytes must be > 0" >&2; exit 2; }

xb_require_root
xb_require_cmds ip nsenter python3 ethtool timeout
case ",$ROWS," in
*ours* | *_xdp*) xb_require_xmptcp
	xb_require_bin "$XMPTCPD" ;;
esac
xb_require_netns

# row id -> "label|offloads|sender|receiver|proto|XDP on kernel ends"
declare -A ROW=(
	[ktcp]="kernel TCP -> kernel TCP|tx-off|kernel|kernel|tcp|"
	[kmptcp]="kernel MPTCP -> kernel MPTCP|tx-off|kernel|kernel|mptcp|"
	[ours2k]="ours -> kernel MPTCP|tx-off|ours|kernel|mptcp|"
	[k2ours]="kernel MPTCP -> ours|tx-off|kernel|ours|mptcp|"
	[ours2ours]="ours -> ours|tx-off|ours|ours|mptcp|"
	[kmptcp_xdp]="kernel MPTCP -> kernel MPTCP, XDP|tx-off|kernel|kernel|mptcp|xdp"
	[ktcp_def]="kernel TCP -> kernel TCP|default|kernel|kernel|tcp|"
	[kmptcp_def]="kernel MPTCP -> kernel MPTCP|default|kernel|kernel|mptcp|"
)
IFS=, read -r -a rows <<<"$ROWS"
for r in "${rows[@]}"; do
	[ -n "${ROW[$r]:-}" ] || { echo "goodput: unknown row '$r' (known: ${!ROW[*]})" >&2; exit 2; }
done

C="xgbc$$" S="xgbs$$"
CIF=xgbc0 SIF=xgbs0 CADDR=10.235.1.1 SADDR=10.235.1.2
xb_ns_add "$C" && xb_ns_add "$S" && xb_veth "$C" $CIF $CADDR/24 "$S" $SIF $SADDR/24 ||
	xb_skip_all "cannot build the veth topology"
for ns in "$C" "$S"; do
	ip -n "$ns" mptcp limits set subflows 0 add_addr_accepted 0 2>/dev/null
done
xb_wait_ping "$S" $CADDR

offloads() { # default|tx-off
	local v=on
	[ "$1" = tx-off ] && v=off
	ip netns exec "$C" ethtool -K $CIF tx $v >/dev/null 2>&1
	ip netns exec "$S" ethtool -K $SIF tx $v >/dev/null 2>&1
}
feature() { # NS IF NAME -> on|off
	ip netns exec "$1" ethtool -k "$2" 2>/dev/null | awk -v k="$3:" '$1 == k {print $2; exit}'
}
attach() { # NS IF -> prints the XDP mode
	if xb_nsx "$1" "$XMPTCP" -q attach "$2" --mode native >/dev/null 2>"$XB_TMP/attach.err"; then
		echo native
	elif xb_nsx "$1" "$XMPTCP" -q attach "$2" --mode generic >/dev/null 2>>"$XB_TMP/attach.err"; then
		echo generic
	else
		echo "goodput: xmptcp attach $2 failed: $(tail -1 "$XB_TMP/attach.err")" >&2
		return 1
	fi
}
detach() { xb_nsx "$1" "$XMPTCP" -q detach --all >/dev/null 2>&1; }

# run ROW REP PORT: one transfer; appends its record to $RESULTS
run_one() {
	local id=$1 rep=$2 port=$3 label off snd rcv proto kx d rpid xdp=none m
	IFS='|' read -r label off snd rcv proto kx <<<"${ROW[$id]}"
	d="$XB_TMP/$id.$rep"
	mkdir -p "$d"
	echo "$snd" >"$d/snd.kind"
	echo "$rcv" >"$d/rcv.kind"
	offloads "$off"
	if [ "$snd" = ours ] || [ -n "$kx" ]; then
		m=$(attach "$C" $CIF) || m=failed
		xdp="client:$m"
	fi
	if [ "$rcv" = ours ] || [ -n "$kx" ]; then
		m=$(attach "$S" $SIF) || m=failed
		if [ "$xdp" = none ]; then xdp="server:$m"; else xdp="both:$m"; fi
	fi
	printf '{"run":"%s","label":"%s","offloads":"%s","proto":"%s","xdp":"%s","snd_tso":"%s","snd_gso":"%s"}\n' \
		"$RUN" "$label" "$off" "$proto" "$xdp" \
		"$(feature "$C" $CIF tx-tcp-segmentation)" \
		"$(feature "$C" $CIF generic-segmentation-offload)" >"$d/meta.json"

	# receiver (server) in S
	if [ "$rcv" = kernel ]; then
		xb_nsx "$S" timeout $((TMO + 30)) python3 "$PEER" server $SADDR "$port" \
			--proto "$proto" --cc "$CC" --ready "$d/ready" >"$d/rcv.json" 2>"$d/rcv.err" &
		rpid=$!
		xb_wait_file "$d/ready" 10
	else
		xb_nsx "$S" timeout $((TMO + 30)) python3 "$PEER" rusage "$d/rcv.rusage" -- \
			"$XMPTCPD" --iface $SIF --listen $SADDR:"$port" --sink --timeout "$TMO" \
			>"$d/rcv.json" 2>"$d/rcv.err" &
		rpid=$!
		for _ in $(seq 200); do
			grep -q listening "$d/rcv.err" 2>/dev/null && break
			sleep 0.05
		done
	fi
	# sender (client) in C
	if [ "$snd" = kernel ]; then
		xb_nsx "$C" timeout $((TMO + 30)) python3 "$PEER" client $SADDR "$port" \
			--proto "$proto" --cc "$CC" --bytes "$N" --seed "$rep" >"$d/snd.json" 2>"$d/snd.err"
	else
		xb_nsx "$C" timeout $((TMO + 30)) python3 "$PEER" rusage "$d/snd.rusage" -- \
			"$XMPTCPD" --iface $CIF --connect $SADDR:"$port" --send-bytes "$N" \
			--seed "$rep" --timeout "$TMO" >"$d/snd.json" 2>"$d/snd.err"
	fi
	wait "$rpid"
	case $xdp in client:* | both:*) detach "$C" ;; esac
	case $xdp in server:* | both:*) detach "$S" ;; esac
	python3 "$PEER" judge "$id" "$rep" "$d" "$N" >>"$RESULTS" ||
		echo "{\"row\":\"$id\",\"rep\":$rep,\"label\":\"$label\",\"offloads\":\"$off\",\"status\":\"FAILED: no record\"}" >>"$RESULTS"
	tail -1 "$RESULTS" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
v = "%.0f Mbit/s" % r["mbps"] if r.get("mbps") else ""
print("# rep %s %-11s %-10s %s" % (r["rep"], r["row"], v, r["status"]))'
	case $(tail -1 "$RESULTS") in *'"status": "ok"'*) ;; *)
		for f in snd.err rcv.err; do
			[ -s "$d/$f" ] && tail -3 "$d/$f" | sed "s/^/#   $f: /"
		done
		fail=1 ;;
	esac
}

RUN=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS="$XB_TMP/results.jsonl"
: >"$RESULTS"
mkdir -p "$(dirname "$CSV")"
fail=0
echo "# goodput: $N bytes per run, $REPS reps, one veth pair (MTU 1500), 1 subflow, data C->S"
echo "# $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "# tx-off: ethtool -K tx off on both veth ends (TSO off with it); default: veth defaults"
echo "# congestion control: kernel $CC (TCP_CONGESTION), xmptcpd its built-in CUBIC"
port=5400
for ((rep = 1; rep <= REPS; rep++)); do
	for id in "${rows[@]}"; do
		run_one "$id" "$rep" "$port"
		port=$((port + 1))
	done
done
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
ref=kmptcp
case ",$ROWS," in *,kmptcp,*) ;; *) ref=${rows[0]} ;; esac
python3 "$PEER" report "$RESULTS" "$CSV" "$ref"
# the same as a PNG next to the CSV (a missing gnuplot costs the plot only)
python3 "$XB_ROOT/bench/goodput_plot.py" "$CSV" "${CSV%.csv}.png" "$ref" \
	"one unshaped veth path: goodput (ratio to kernel MPTCP) and CPU" ||
	echo "# no plot: gnuplot missing or failed (make deps installs it)"
exit $fail
