#!/usr/bin/env bash
# The WiFi/3G experiment of issue 5 (the deployable-MPTCP evaluation):
# xmptcpd next to the kernel's MPTCP and to the best single path on the same
# emulated links, in the same invocation, every figure also a ratio to kernel
# MPTCP measured in this run.
#
# Topology: namespaces xwc<pid> (client, sender) and xws<pid> (server,
# receiver) joined by two paths through a router namespace xwr<pid>
# (tests/lib/netem.sh xn_two_paths, XN_NET4=10.241, XN_PFX=xw, IPv4 only):
#   WiFi: xw1c 10.241.1.1 -- [xw1ra xnetem xw1rb] -- xw1s 10.241.1.2
#   3G:   xw2c 10.241.2.1 -- [xw2ra xnetem xw2rb] -- xw2s 10.241.2.2
# Shaping: tests/tools/xnetem, the userspace netem L2 relay (--rate: a FIFO
# serialiser that counts the Ethernet header, like tbf on the egress of an
# Ethernet device; --limit: its queue in packets, tail drop; --delay one way,
# so RTT/2 each direction; --loss, --jitter), in both directions. Why not
# tbf+netem as the issue says: this kernel has no sch_netem (and xnetem's
# serialiser does tbf's job), so the relay is the only way to get delay
# here; the relays run SCHED_FIFO (XN_RT, --rt) so that release times stay
# accurate on this 2-core host. Defaults: WiFi 8 Mbit/s 20 ms RTT, 3G
# 2 Mbit/s 150 ms RTT, 50-packet queues (75 ms at 8 Mbit/s, 300 ms at 2).
# Note that 10 Mbit/s of Ethernet frames carry at most 10*1448/1514 = 9.56
# Mbit/s of TCP payload (1500 MTU, timestamps), less with DSS options.
#
# Kernel MPTCP: xn_two_paths' setup (limits subflows 2 add_addr_accepted 2,
# a `subflow` endpoint 10.241.2.1 dev xw2c in the client): 2 subflows, one
# per path. xmptcpd: --iface on both interfaces, fullmesh, and the client
# has --max-add-addr 0 (default --ours-args) so it does not join the
# server's announced 10.241.2.2 either: the same 2 subflows, one per path
# (drop it with --ours-args "" for 4). xmptcp's XDP stays attached on both
# ends for the whole run (kernel flows are XDP_PASSed: no cost at 10 Mbit/s).
# Congestion control: kernel peers set TCP_CONGESTION cubic (--cc; this
# host's default is bbr; the kernel's MPTCP subflows are not coupled);
# xmptcpd its default lia (coupled, RFC 6356; --ours-cc). Data flows C -> S.
#
# Experiments (each row run back to back with the others at each point):
# (a) rcvbuf: goodput of a --bytes transfer vs the receiver's buffer, for
#     tcp     kernel TCP over WiFi alone (the best single path),
#     kmptcp  kernel MPTCP over both paths,
#     ours    xmptcpd (reinjection + penalisation, the default),
#     ours-noreinj  xmptcpd --no-reinject (both ends).
#     Buffer: kernel: setsockopt(SO_RCVBUF, N) on the receiving socket (the
#     listener before listen(), again on the accepted one; the kernel
#     doubles it for its skb overhead, socket(7), and it turns autotuning
#     off; the CSV keeps the value it reads back); xmptcpd: --rcvbuf N on
#     the receiver (the window it offers). Goodput = bytes / receiver's
#     seconds: kernel accept() to EOF; xmptcpd its summary's "recv_seconds"
#     (SYN arrival to the DATA_FIN in order: the same span, without the
#     close; its "seconds" run until every subflow closed).
#     Also "steady": the receiving application's byte counter sampled every
#     250 ms (as in (b)), from 2 s after the connection's start to the last
#     sample before the end: the same window for every row, without the
#     handshake, first slow start, joins and close (with large buffers it
#     can exceed the payload ceiling: bytes held out of order at the window's
#     start are delivered inside it).
# (b) outage: a --outage-bytes transfer (receive buffer 1M both), WiFi link
#     down (router side, as xn_link_flap) --outage-at s after the receiver
#     saw the connection start (kernel: accept(); xmptcpd: SYN arrival, from
#     its age_ms), for --outage-len s, then up; received bytes sampled every
#     250 ms (kernel: the receiving peer's counter; xmptcpd: `xmptcp conns
#     -j --ctl SOCK` "recv"); time 0 of the plot: that connection start.
# (c) short: --short-count sequential connections of each --short-sizes
#     size per xmptcpd scheduler (--scheds) and for kernel MPTCP; FCT:
#     xmptcpd the client's summary "recv_seconds" (SYN sent to the server's
#     DATA_FIN in order), kernel the client's connect() to the server's
#     close seen; receive buffer 1M both.
# Every transfer is checked: byte count and SHA-256 of sender == receiver,
# MPTCP not fallen back, exit status 0; otherwise the run is FAILED.
# Output: tables on stdout, CSVs and PNGs (gnuplot, bench/wifi3g_plot.gp)
# in $BUILD/bench/: wifi3g_rcvbuf.csv/.png, wifi3g_outage.csv/.png,
# wifi3g_outage_summary.csv, wifi3g_short.csv/.png (--out DIR elsewhere).
#
# Usage: BUILD=build bench/wifi3g.sh [--exp rcvbuf,outage,short]
#        [--wifi-rate MBIT] [--wifi-rtt MS] [--wifi-loss PCT] [--wifi-jitter MS]
#        [--3g-rate MBIT] [--3g-rtt MS] [--3g-loss PCT] [--3g-jitter MS]
#        [--queue PKTS] [--wifi-queue PKTS] [--3g-queue PKTS]
#        [--bytes N] [--bufs "50K 100K ..."] [--rows tcp,kmptcp,ours,ours-noreinj]
#        [--outage-bytes N] [--outage-at S] [--outage-len S]
#        [--short-sizes "10K 100K 1M"] [--short-count K] [--scheds "minrtt rr ..."]
#        [--cc NAME] [--ours-cc NAME] [--ours-args "XMPTCPD OPTIONS"]
#        [--no-rt] [--no-plot] [--out DIR] [--quick]
#        (--quick: 4M, buffers 100K 200K 1M, outage 6M, sizes 10K 1M, 1
#        connection each; `make bench` passes $WIFI3G_ARGS)
# Exit 0 all runs ok, 1 some run failed, 4 cannot run here (root,
# namespaces, binaries).
set -u
cd "$(dirname "$0")/.." || exit 1
XB_TEST=wifi3g
source tests/lib/net.sh
XN_NET4=10.241 XN_PFX=xw XN_NO_IPV6=1
source tests/lib/netem.sh

W3="$XB_ROOT/bench/wifi3g.py"
PLOT="$XB_ROOT/bench/wifi3g_plot.gp"
EXPS=rcvbuf,outage,short
W_RATE=8 W_RTT=20 W_LOSS=0 W_JIT=0 W_Q=50
G_RATE=2 G_RTT=150 G_LOSS=0 G_JIT=0 G_Q=50
BYTES=8M
BUFS="50K 100K 200K 500K 2M"
ROWS=tcp,kmptcp,ours,ours-noreinj
O_BYTES=12M O_AT=3 O_LEN=5
S_SIZES="10K 100K 1M" S_COUNT=3
SCHEDS="minrtt rr redundant blest"
CC=cubic OURS_CC=lia
OURS_ARGS="--max-add-addr 0"
RT=20 DOPLOT=1
OUT="$XB_BUILD/bench"
TARGET_BUF=200K

# --quick sets defaults that the other options may still override
case " $* " in *" --quick "*) BYTES=4M BUFS="100K 200K 1M" O_BYTES=6M S_SIZES="10K 1M" S_COUNT=1 ;; esac
xb_opts "--exp=EXPS --wifi-rate=W_RATE --wifi-rtt=W_RTT --wifi-loss=W_LOSS --wifi-jitter=W_JIT
	--wifi-queue=W_Q --3g-rate=G_RATE --3g-rtt=G_RTT --3g-loss=G_LOSS --3g-jitter=G_JIT
	--3g-queue=G_Q --bytes=BYTES --bufs=BUFS --rows=ROWS --outage-bytes=O_BYTES --outage-at=O_AT
	--outage-len=O_LEN --short-sizes=S_SIZES --short-count=S_COUNT --scheds=SCHEDS --cc=CC
	--ours-cc=OURS_CC --ours-args=OURS_ARGS --out=OUT" "$@"
set -- "${XB_ARGS[@]}"
while [ $# -gt 0 ]; do
	case $1 in
	--queue) W_Q=${2:?} G_Q=${2:?}; shift 2 ;;
	--no-rt) RT=; shift ;;
	--no-plot) DOPLOT=0; shift ;;
	--quick) shift ;;
	*) echo "wifi3g: unknown option '$1'" >&2; xb_usage 2 ;;
	esac
done

bytes() { xb_size "$1"; }
num='^[0-9]+([.][0-9]+)?$'
for v in "$W_RATE" "$W_RTT" "$W_LOSS" "$W_JIT" "$G_RATE" "$G_RTT" "$G_LOSS" "$G_JIT" "$O_AT" "$O_LEN"; do
	[[ $v =~ $num ]] || { echo "wifi3g: '$v' is not a number" >&2; exit 2; }
done
for v in $BYTES $BUFS $O_BYTES $S_SIZES; do
	bytes "$v" >/dev/null || { echo "wifi3g: '$v' is not a size (N[K|M|G])" >&2; exit 2; }
done
[[ $W_Q =~ ^[1-9][0-9]*$ && $G_Q =~ ^[1-9][0-9]*$ && $S_COUNT =~ ^[1-9][0-9]*$ ]] ||
	{ echo "wifi3g: queues and --short-count are integers >= 1" >&2; exit 2; }
N=$(bytes "$BYTES") ON=$(bytes "$O_BYTES")
IFS=, read -r -a rows <<<"$ROWS"
for r in "${rows[@]}"; do
	case $r in tcp | kmptcp | ours | ours-noreinj) ;; *)
		echo "wifi3g: unknown row '$r' (tcp kmptcp ours ours-noreinj)" >&2; exit 2 ;;
	esac
done

xb_require_root
xb_require_cmds ip nsenter python3 ethtool timeout
xb_require_xmptcp
xb_require_bin "$XMPTCPD" "$XNETEM"
xb_require_netns

C="xwc$$" S="xws$$" R="xwr$$"
XN_RT=$RT
xn_two_paths 1 2 "$C" "$S" "$R" || xb_skip_all "cannot build the two-path topology"
half() { python3 -c "print($1 / 2)"; }
WIFI_OPTS=(--rate "$W_RATE" --delay "$(half "$W_RTT")" --limit "$W_Q")
G3_OPTS=(--rate "$G_RATE" --delay "$(half "$G_RTT")" --limit "$G_Q")
[ "$W_LOSS" != 0 ] && WIFI_OPTS+=(--loss "$W_LOSS")
[ "$W_JIT" != 0 ] && WIFI_OPTS+=(--jitter "$W_JIT")
[ "$G_LOSS" != 0 ] && G3_OPTS+=(--loss "$G_LOSS")
[ "$G_JIT" != 0 ] && G3_OPTS+=(--jitter "$G_JIT")
if ! xn_netem_set 1 "${WIFI_OPTS[@]}" || ! xn_netem_set 2 "${G3_OPTS[@]}"; then
	xb_skip_all "cannot start the xnetem relays"
fi
xb_wait_ping "$C" 10.241.1.2
xb_wait_ping "$C" 10.241.2.2
if ! xb_attach "$C" xw1c xw2c || ! xb_attach "$S" xw1s xw2s; then
	xb_skip_all "xmptcp attach failed: $(tail -1 "$XB_TMP/attach.err")"
fi
SAMPLER="$XB_LIBDIR/conns_sampler.py"

RUN=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT" || exit 1
for f in rcvbuf.jsonl outage.jsonl short.jsonl; do : >"$OUT/$f"; done
rm -f "$OUT"/wifi3g_*.csv "$OUT"/wifi3g_*.png "$OUT"/outage_*.dat "$OUT"/outage_*.samples "$OUT"/outage_times.gp "$OUT"/rcvbuf.dat "$OUT"/short.dat
cat >"$OUT/meta.json" <<EOF
{"run": "$RUN", "wifi": "$W_RATE Mbit/s $W_RTT ms RTT loss $W_LOSS% jitter $W_JIT ms queue $W_Q",
 "g3": "$G_RATE Mbit/s $G_RTT ms RTT loss $G_LOSS% jitter $G_JIT ms queue $G_Q",
 "sum_mbit": $(python3 -c "print($W_RATE + $G_RATE)"), "target_buf": $(bytes $TARGET_BUF)}
EOF
fail=0
port=6000
tmo_for() { echo $(($1 * 8 / 2000000 > 30 ? $1 * 8 / 2000000 : 30)); } # at >= 2 Mbit/s

paths() { xb_rx_bytes "$S" xw1s xw2s; } # server-side rx bytes of WiFi and 3G

# start_rcv D ROW PORT RCVBUF COUNT [CTL|PROGRESS]: the receiver in S, in the
# background (RPID); returns once it listens.
start_rcv() {
	local d=$1 row=$2 p=$3 buf=$4 cnt=$5 extra=${6:-} tmo
	tmo=$((TMO + 15))
	case $row in
	tcp | kmptcp)
		local proto=mptcp
		[ "$row" = tcp ] && proto=tcp
		xb_nsx "$S" timeout "$tmo" python3 "$XB_KPEER" server 10.241.1.2 "$p" --proto $proto \
			--cc "$CC" --rcvbuf "$buf" --count "$cnt" --ready "$d/ready" --timeout "$TMO" \
			${extra:+--progress "$extra"} >"$d/rcv.json" 2>"$d/rcv.err" &
		RPID=$!
		xb_wait_file "$d/ready" 10
		;;
	*)
		local na=()
		[ "$row" = ours-noreinj ] && na=(--no-reinject)
		# shellcheck disable=SC2086 # OURS_ARGS is a list of options
		xb_nsx "$S" timeout "$tmo" "$XMPTCPD" --iface xw1s --iface xw2s \
			--listen 10.241.1.2:"$p" --sink --count "$cnt" --rcvbuf "$buf" --cc "$OURS_CC" \
			"${na[@]}" --ctl "${extra:-none}" --timeout "$TMO" >"$d/rcv.json" 2>"$d/rcv.err" &
		RPID=$!
		xb_wait_listening "$d/rcv.err" "$RPID"
		;;
	esac
}
# run_snd D ROW PORT BYTES COUNT [SCHED]: the sender in C, foreground.
run_snd() {
	local d=$1 row=$2 p=$3 n=$4 cnt=$5 sched=${6:-} tmo rc=0
	tmo=$((TMO + 15))
	case $row in
	tcp | kmptcp)
		local proto=mptcp
		[ "$row" = tcp ] && proto=tcp
		xb_nsx "$C" timeout "$tmo" python3 "$XB_KPEER" client 10.241.1.2 "$p" "$n" --block \
			--proto $proto --cc "$CC" --count "$cnt" --timeout "$TMO" >"$d/snd.json" \
			2>"$d/snd.err" || rc=$?
		;;
	*)
		local na=()
		[ "$row" = ours-noreinj ] && na=(--no-reinject)
		[ -n "$sched" ] && na+=(--sched "$sched")
		# shellcheck disable=SC2086 # OURS_ARGS is a list of options
		xb_nsx "$C" timeout "$tmo" "$XMPTCPD" --iface xw1c --iface xw2c \
			--connect 10.241.1.2:"$p" --send-bytes "$n" --count "$cnt" --cc "$OURS_CC" \
			"${na[@]}" $OURS_ARGS --ctl none --timeout "$TMO" >"$d/snd.json" 2>"$d/snd.err" || rc=$?
		;;
	esac
	echo "$rc" >"$d/snd.rc"
}
# finish D: waits for the receiver (killed 10 s after the sender ended)
finish() {
	local d=$1 rc=0
	xb_wait_until 10 eval "! kill -0 $RPID 2>/dev/null"
	kill "$RPID" 2>/dev/null
	wait "$RPID" || rc=$?
	echo "$rc" >"$d/rcv.rc"
}
kind_of() { case $1 in tcp | kmptcp) echo kernel ;; *) echo ours ;; esac; }
label_of() {
	case $1 in
	tcp) echo "TCP WiFi only (kernel, $CC)" ;;
	kmptcp) echo "kernel MPTCP ($CC)" ;;
	ours) echo "xmptcp ($OURS_CC, reinj+pen)" ;;
	ours-noreinj) echo "xmptcp --no-reinject" ;;
	ours-*) echo "xmptcp ${1#ours-}" ;;
	esac
}
# show LINE: one progress line on stderr-free stdout
show() {
	python3 -c '
import json, sys
r = json.loads(sys.argv[1])
v = "%.2f Mbit/s" % r["mbps"] if r.get("mbps") else ""
extra = ""
if r.get("reinjected") is not None:
    extra = "reinj %s pen %s drto %s wblk %s" % (r["reinjected"], r["penalties"],
        r["data_rtx_timeouts"], r["wnd_blocked"])
print("# %-7s %-13s %6s %-13s WiFi/3G %s/%s MB %s %s" % (r["experiment"], r["row"], r.get("buf", ""),
    v, "%.1f" % r["wifi_mb"] if r.get("wifi_mb") is not None else "-",
    "%.1f" % r["g3_mb"] if r.get("g3_mb") is not None else "-", extra,
    "" if r["status"] == "ok" else r["status"]))' "$1"
}

# record FILE LINE DIR: a judged run appended to FILE and shown; a failed
# one fails the whole run and shows the end of its endpoints' stderr
record() {
	echo "$2" >>"$1"
	show "$2"
	case $2 in *'"status": "ok"'*) ;; *)
		fail=1
		tail -n 3 "$3/snd.err" "$3/rcv.err" 2>/dev/null | sed 's/^/#   /' ;;
	esac
}

# ---- (a) goodput vs receive buffer ----------------------------------------
exp_rcvbuf() {
	local b bn row d line spid
	TMO=$(tmo_for "$N")
	echo "# (a) rcvbuf: $N bytes per run, buffers $BUFS, rows $ROWS"
	for b in $BUFS; do
		bn=$(bytes "$b")
		for row in "${rows[@]}"; do
			d="$XB_TMP/a.$row.$b"
			mkdir -p "$d"
			kind_of "$row" >"$d/kind"
			paths >"$d/paths.before"
			rm -f "$d/stop"
			spid=
			if [ "$(kind_of "$row")" = kernel ]; then
				start_rcv "$d" "$row" "$port" "$bn" 1 "$d/samples"
			else
				start_rcv "$d" "$row" "$port" "$bn" 1 "$d/s.ctl" &&
					{ python3 "$SAMPLER" "$S" "$XMPTCP" "$d/s.ctl" "$d/samples" "$d/stop" 0.25 &
					  spid=$!; }
			fi || echo "# $row $b: receiver did not start"
			run_snd "$d" "$row" "$port" "$N" 1
			finish "$d"
			touch "$d/stop"
			[ -n "$spid" ] && wait "$spid"
			paths >"$d/paths.after"
			port=$((port + 1))
			line=$(python3 "$W3" judge-bulk "$d" "$N" experiment=rcvbuf "run=$RUN" "row=$row" \
				"label=$(label_of "$row")" "rcvbuf=$bn" "buf=$b")
			record "$OUT/rcvbuf.jsonl" "$line" "$d"
		done
	done
}

# ---- (b) goodput vs time across a WiFi outage -----------------------------
exp_outage() {
	local row d t0 line fpid spid ctl prog
	TMO=$(tmo_for "$ON")
	echo "# (b) outage: $ON bytes, WiFi down at ${O_AT} s for ${O_LEN} s"
	for row in kmptcp ours; do
		d="$XB_TMP/b.$row"
		mkdir -p "$d"
		kind_of "$row" >"$d/kind"
		rm -f "$d/stop"
		prog="$d/samples"
		if [ "$row" = ours ]; then
			ctl="$d/s.ctl"
			start_rcv "$d" "$row" "$port" 1048576 1 "$ctl"
			python3 "$SAMPLER" "$S" "$XMPTCP" "$ctl" "$prog" "$d/stop" 0.25 &
			spid=$!
		else
			start_rcv "$d" "$row" "$port" 1048576 1 "$prog"
			spid=
		fi
		paths >"$d/paths.before"
		rm -f "$prog.start"
		# the WiFi link's router side down and up again, as xn_link_flap
		# does, --outage-at s after the receiver saw the connection start
		# (the samples' clock; $prog.start), so a slow start of a sender
		# process does not move the outage
		python3 "$W3" flap "$R" "$(xn_if 1 ra)" "$prog.start" "$O_AT" "$O_LEN" "$d/flap" &
		fpid=$!
		run_snd "$d" "$row" "$port" "$ON" 1
		finish "$d"
		wait "$fpid"
		touch "$d/stop"
		[ -n "$spid" ] && wait "$spid"
		t0=$(cat "$prog.start" 2>/dev/null || echo 0)
		paths >"$d/paths.after"
		port=$((port + 1))
		line=$(python3 "$W3" judge-bulk "$d" "$ON" experiment=outage "run=$RUN" "row=$row" \
			"label=$(label_of "$row")" "t0=$t0" "t_down=$(cut -d' ' -f1 "$d/flap")" \
			"t_up=$(cut -d' ' -f2 "$d/flap")" "samples=$OUT/outage_$row.samples")
		cp "$prog" "$OUT/outage_$row.samples" 2>/dev/null
		# total seconds: sender start to the first sample with every byte
		line=$(python3 -c '
import json, sys
r = json.loads(sys.argv[1])
n = r["bytes"]
try:
    s = [tuple(map(float, x.split())) for x in open(sys.argv[2]) if x.strip()]
    done = [t for t, b in s if b >= n]
    if r.get("t_eof"):
        done = [r["t_eof"]]
    r["secs"] = done[0] - r["t0"] if done else None
except OSError:
    r["secs"] = None
print(json.dumps(r))' "$line" "$OUT/outage_$row.samples")
		record "$OUT/outage.jsonl" "$line" "$d"
		# let the WiFi subflow's link settle before the next row
		sleep 1
	done
}

# ---- (c) short flows per scheduler ------------------------------------------
exp_short() {
	local row s z zn d nz sched
	nz=$(wc -w <<<"$S_SIZES")
	TMO=$(tmo_for $((nz * S_COUNT * (1 << 20))))
	echo "# (c) short flows: sizes $S_SIZES, $S_COUNT connections each, schedulers $SCHEDS"
	# shellcheck disable=SC2086 # one row per scheduler
	for row in kmptcp $(printf 'ours-%s ' $SCHEDS); do
		sched=
		case $row in ours-*) sched=${row#ours-} ;; esac
		d="$XB_TMP/c.$row"
		mkdir -p "$d"
		kind_of "$row" >"$d/kind"
		for z in $S_SIZES; do
			zn=$(bytes "$z")
			mkdir -p "$d/$z"
			kind_of "$row" >"$d/$z/kind"
			start_rcv "$d/$z" "$row" "$port" 1048576 "$S_COUNT" ||
				echo "# $row $z: receiver did not start"
			run_snd "$d/$z" "$row" "$port" "$zn" "$S_COUNT" "$sched"
			finish "$d/$z"
			port=$((port + 1))
			python3 "$W3" judge-short "$d/$z" "$zn" "$S_COUNT" "run=$RUN" "row=$row" \
				"label=$(label_of "$row")" >"$d/$z/recs"
			cat "$d/$z/recs" >>"$OUT/short.jsonl"
			python3 -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
print("# short   %-16s %5s FCT ms %s %s" % (rs[0]["row"], sys.argv[2],
    " ".join("%.0f" % (r["fct_s"] * 1e3) if r.get("fct_s") else "-" for r in rs),
    "; ".join(sorted({r["status"] for r in rs if r["status"] != "ok"}))))' "$d/$z/recs" "$z"
			grep -q FAILED "$d/$z/recs" && {
				fail=1
				tail -n 3 "$d/$z/snd.err" "$d/$z/rcv.err" 2>/dev/null | sed 's/^/#   /'
			}
		done
	done
}

echo "# wifi3g: WiFi ${W_RATE} Mbit/s ${W_RTT} ms RTT (loss ${W_LOSS}%, jitter ${W_JIT} ms, queue $W_Q)," \
	"3G ${G_RATE} Mbit/s ${G_RTT} ms RTT (loss ${G_LOSS}%, jitter ${G_JIT} ms, queue $G_Q); xnetem relays${RT:+ SCHED_FIFO $RT}"
echo "# $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at start;" \
	"cc: kernel $CC, xmptcpd $OURS_CC; xmptcpd client options: ${OURS_ARGS:-none}"
t_start=$SECONDS
case ",$EXPS," in *,rcvbuf,*) exp_rcvbuf ;; esac
case ",$EXPS," in *,outage,*) exp_outage ;; esac
case ",$EXPS," in *,short,*) exp_short ;; esac
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) at end; $((SECONDS - t_start)) s"

python3 "$W3" report "$OUT" || fail=1
if [ "$DOPLOT" = 1 ]; then
	if command -v gnuplot >/dev/null 2>&1; then
		gnuplot -e "dir='$OUT'" "$PLOT" 2>"$XB_TMP/gnuplot.err" ||
			{ echo "wifi3g: gnuplot failed: $(tail -2 "$XB_TMP/gnuplot.err")" >&2; }
		for f in wifi3g_rcvbuf wifi3g_outage wifi3g_short; do
			[ -s "$OUT/$f.png" ] && echo "plot: $OUT/$f.png"
		done
	else
		echo "# no gnuplot: no plots (scripts/deps.sh installs gnuplot-nox)"
	fi
fi
echo "csv: $OUT/wifi3g_rcvbuf.csv $OUT/wifi3g_outage.csv $OUT/wifi3g_outage_summary.csv $OUT/wifi3g_short.csv"
exit $fail
