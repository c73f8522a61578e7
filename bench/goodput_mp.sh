#!/usr/bin/env bash
# Goodput and CPU per GB of xmptcpd (ours) against and next to the kernel's
# MPTCP and TCP over one or two unshaped veth paths, every figure a ratio to
# a kernel reference measured in the same invocation; with --base, the same
# rows again with an older build of ours, in the same run.
#
# Topology (tests/lib/net.sh xb_pair / xb_two_paths): namespaces C
# xgmc<pid> and S xgms<pid>, MTU 1500, data C -> S, N bytes per run,
#   path 1: xbc1 10.231.1.1 <-> xbs1 10.231.1.2
#   path 2: xbc2 10.231.2.1 <-> xbs2 10.231.2.2   (--paths 2 only)
# Every connection goes to 10.231.1.2.
#
# --paths 1 (one subflow: MPTCP limits 0 both ends, no endpoint). Rows:
#   ktcp       kernel TCP   -> kernel TCP
#   kmptcp     kernel MPTCP -> kernel MPTCP   (the reference)
#   ours2k     xmptcpd --connect -> kernel MPTCP server
#   k2ours     kernel MPTCP client -> xmptcpd --listen --sink
#   ours2ours  xmptcpd -> xmptcpd
#   kmptcp_xdp kernel MPTCP -> kernel MPTCP with xmptcp's XDP attached on
#              both ends, passing the kernel's frames: what XDP on a veth
#              costs by itself (context)
#   ktcp_def, kmptcp_def: the two kernel rows again with the veth's default
#              offloads (context)
# --paths 2 (the kernel's path manager as xb_two_paths sets it: limits
# subflows 2 add_addr_accepted 2 both ends, a `subflow` endpoint 10.231.2.1
# dev xbc2 in C, unless a row says otherwise). Rows:
#   kmptcp2    kernel MPTCP -> kernel MPTCP, both paths (the reference: it
#              fails unless >= 2 subflows received data)
#   kmptcp1    kernel MPTCP -> kernel MPTCP, path 1 only (no endpoint,
#              limits 0 both ends): what one path gives (context)
#   ours2k     xmptcpd --iface xbc1 --iface xbc2 (fullmesh, minrtt) ->
#              kernel MPTCP server on 0.0.0.0 (S limits subflows 4
#              add_addr_accepted 4, so any join is taken)
#   k2ours     kernel MPTCP client -> xmptcpd --listen --sink on xbs1+xbs2
#              (fullmesh: it announces 10.231.2.2, the kernel may join it)
#   ours2ours-SCHED  xmptcpd -> xmptcpd, --sched SCHED on the sender, for
#              SCHED in minrtt rr redundant blest
# --base REV|DIR: the rows ours2k and ours2ours (ours2ours-minrtt with two
# paths), or those named ROW@base in --rows, again with xmptcp/xmptcpd of
# git revision REV (built once into $BUILD/bench/base-<commit>/ from a
# temporary worktree) or of the build directory DIR; ROW and ROW@base
# alternate which goes first from rep to rep, and the report puts their
# medians side by side: goodput and CPU s/GB before -> after.
#
# Offloads: `ethtool -K tx off` on every veth end for every row but the
# *_def ones (AF_XDP frames carry no checksum offload state, and a veth
# drops TSO with it); the sender's tso/gso state is in the CSV. xmptcp's XDP
# is attached (native, else generic) on the interfaces of a namespace only
# for the rows where xmptcpd runs there (kmptcp_xdp: both), detached after.
# Congestion control: CUBIC everywhere by default: kernel peers set
# TCP_CONGESTION (--cc; an MPTCP socket hands it to its subflows, which are
# not coupled in the kernel; this host's default may differ), xmptcpd gets
# --cc (--ours-cc lia|olia measures it coupled). --ours-args adds options
# to both xmptcpd ends (e.g. "--no-reinject").
#
# Goodput = N / seconds, measured by the receiver the same way for every
# row: kernel (tests/lib/kpeer.py): accept() returning to the read that
# returns EOF; xmptcpd: its summary's "seconds", the SYN's arrival to its
# close (the last byte plus the DATA_FIN/FIN exchange). seconds_check in
# the CSV is the sender's view of the same run. CPU: user+system seconds of
# both endpoint processes (getrusage; wait4 for xmptcpd), per GB moved. On a
# veth the receiving end's stack runs in the softirq of whoever transmitted
# (xmptcpd's AF_XDP sendto() runs the kernel peer's TCP/MPTCP input), so
# only the sum of both ends means something; softirq work done in
# ksoftirqd or in other processes is not in it. Subflows that carried data
# as the receiver counted them, and the server-side veth rx bytes of each
# path, are in the CSV too (bench/goodput_mp.py judge).
# Every run: sender's SHA-256 == receiver's, byte counts == N, no fallback,
# no error, exit 0; otherwise the run is FAILED. Each endpoint gives up
# after --timeout SECS (default 30, or N at 50 Mbit/s if longer); a row
# whose run hit it is not run again in later reps (its reps are FAILED), so
# one stuck row costs the run one timeout, not R.
#
# Usage: BUILD=build bench/goodput_mp.sh [--paths 1|2] [--bytes N[K|M|G]]
#        [--reps R] [--rows ROW,...] [--csv PATH] [--timeout SECS]
#        [--cc NAME] [--ours-cc NAME] [--ours-args "XMPTCPD OPTIONS"]
#        [--base REV|BUILD_DIR]
#        defaults: --paths 2; 256M (one path) or 128M (two), 3 reps, every
#        row of that topology, CSV $BUILD/bench/goodput.csv (one path) or
#        goodput_mp.csv (two) and a PNG beside it
# Exit 0 all runs ok, 1 some run failed, 4 cannot run here (root,
# namespaces, binaries).
set -u
cd "$(dirname "$0")/.." || exit 1
XB_TEST=goodput_mp
source tests/lib/net.sh

PEER="$XB_LIBDIR/kpeer.py"
GP="$XB_ROOT/bench/goodput_mp.py"
PATHS=2 BYTES= REPS=3 ROWS= CSV= TMO= CC=cubic OURS_CC=cubic OURS_ARGS= BASE=
SCHEDS="minrtt rr redundant blest"

xb_opts "--paths=PATHS --bytes=BYTES --reps=REPS --rows=ROWS --csv=CSV --timeout=TMO --cc=CC
	--ours-cc=OURS_CC --ours-args=OURS_ARGS --base=BASE" "$@"
[ ${#XB_ARGS[@]} -eq 0 ] || { echo "goodput_mp: unknown option '${XB_ARGS[0]}'" >&2; xb_usage 2; }

# The rows of both topologies: id, paths, then what run_one needs: label,
# offloads, sender, receiver, proto, XDP on the kernel's ends, the sender's
# scheduler, the kernel's path manager (pm below), the subflows that must
# carry data. ours2ours-SCHED is one row per scheduler.
rows_table() {
	cat <<'EOF'
ktcp            1 kernel TCP -> kernel TCP|tx-off|kernel|kernel|tcp|||one|0
kmptcp          1 kernel MPTCP -> kernel MPTCP|tx-off|kernel|kernel|mptcp|||one|0
ours2k          1 ours -> kernel MPTCP|tx-off|ours|kernel|mptcp|||one|0
k2ours          1 kernel MPTCP -> ours|tx-off|kernel|ours|mptcp|||one|0
ours2ours       1 ours -> ours|tx-off|ours|ours|mptcp|||one|0
kmptcp_xdp      1 kernel MPTCP -> kernel MPTCP, XDP both ends|tx-off|kernel|kernel|mptcp|xdp||one|0
ktcp_def        1 kernel TCP -> kernel TCP, default offloads|default|kernel|kernel|tcp|||one|0
kmptcp_def      1 kernel MPTCP -> kernel MPTCP, default offloads|default|kernel|kernel|mptcp|||one|0
kmptcp2         2 kernel MPTCP -> kernel MPTCP, 2 paths|tx-off|kernel|kernel|mptcp|||two|2
kmptcp1         2 kernel MPTCP -> kernel MPTCP, 1 path|tx-off|kernel|kernel|mptcp|||one|0
ours2k          2 ours (minrtt) -> kernel MPTCP|tx-off|ours|kernel|mptcp||minrtt|ours2k|0
k2ours          2 kernel MPTCP -> ours|tx-off|kernel|ours|mptcp|||two|0
ours2ours-SCHED 2 ours (SCHED) -> ours|tx-off|ours|ours|mptcp||SCHED|two|0
EOF
}
declare -A ROW
case $PATHS in
1)
	: "${BYTES:=256M}" "${CSV:=$XB_BUILD/bench/goodput.csv}"
	REF=kmptcp PORT=5400 BASE_ROWS="ours2k ours2ours"
	;;
2)
	: "${BYTES:=128M}" "${CSV:=$XB_BUILD/bench/goodput_mp.csv}"
	REF=kmptcp2 PORT=5600 BASE_ROWS="ours2k ours2ours-minrtt"
	;;
*) echo "goodput_mp: --paths 1 or 2" >&2; exit 2 ;;
esac
order=()
while read -r id p spec; do
	[ "$p" = "$PATHS" ] || continue
	for s in $([[ $id == *SCHED* ]] && echo "$SCHEDS" || echo -); do
		ROW[${id/SCHED/$s}]=${spec//SCHED/$s}
		order+=("${id/SCHED/$s}")
	done
done < <(rows_table)
: "${ROWS:=$(IFS=,; echo "${order[*]}")}"
N=$(xb_size "$BYTES") && [ "$N" -gt 0 ] && [[ $REPS =~ ^[1-9][0-9]*$ && ${TMO:-1} =~ ^[1-9][0-9]*$ ]] ||
	{ echo "goodput_mp: --bytes N[K|M|G] > 0, --reps R >= 1, --timeout SECS >= 1" >&2; exit 2; }
[ -n "$TMO" ] || TMO=$((N * 8 / 50000000 > 30 ? N * 8 / 50000000 : 30))
IFS=, read -r -a rows <<<"$ROWS"
if [ -n "$BASE" ] && [[ $ROWS != *@base* ]]; then
	for r in $BASE_ROWS; do # those of the default twins that are measured
		[[ ",$ROWS," == *",$r,"* ]] && rows+=("$r@base")
	done
fi
for r in "${rows[@]}"; do
	[ -n "${ROW[${r%@base}]:-}" ] ||
		{ echo "goodput_mp: unknown row '$r' (known: ${!ROW[*]}, each also as ROW@base)" >&2; exit 2; }
	[ "$r" = "${r%@base}" ] || [ -n "$BASE" ] || { echo "goodput_mp: $r needs --base" >&2; exit 2; }
done

xb_require_root
xb_require_cmds ip nsenter python3 ethtool timeout
[ -z "$BASE" ] || xb_require_cmds git make
case ",$ROWS," in
*ours* | *_xdp*) xb_require_xmptcp
	xb_require_bin "$XMPTCPD" ;;
esac
xb_require_netns

# base_build REV|DIR: the directory holding the baseline's xmptcp and
# xmptcpd; a revision is built once (cached by commit) from a temporary
# worktree of this repository, into its own build directory.
base_build() {
	local sha dir wt rc
	if [ -x "$1/xmptcpd" ]; then
		(cd "$1" && pwd)
		return
	fi
	sha=$(git -C "$XB_ROOT" rev-parse --verify -q "$1^{commit}") ||
		{ echo "goodput_mp: --base $1: neither a build directory nor a revision" >&2; return 1; }
	dir="$XB_BUILD/bench/base-${sha:0:12}"
	[ -x "$dir/xmptcpd" ] && [ -x "$dir/xmptcp" ] && { echo "$dir"; return; }
	mkdir -p "$dir"
	wt="$XB_TMP/base-src"
	echo "# building $1 ($sha) into $dir (log: $dir.log)" >&2
	git -C "$XB_ROOT" worktree add -q --detach "$wt" "$sha" >"$dir.log" 2>&1 &&
		make -C "$wt" -j"$(nproc)" BUILD="$dir" "$dir/xmptcp" "$dir/xmptcpd" >>"$dir.log" 2>&1
	rc=$?
	git -C "$XB_ROOT" worktree remove --force "$wt" >>"$dir.log" 2>&1
	[ "$rc" -eq 0 ] || { echo "goodput_mp: building $1 failed: $(tail -3 "$dir.log")" >&2; return 1; }
	echo "$dir"
}
BASE_DIR=
if [ -n "$BASE" ]; then
	BASE_DIR=$(base_build "$BASE") || exit 1
	BASE_NAME="base $BASE"
	[ -d "$BASE" ] || BASE_NAME="base $(git -C "$XB_ROOT" rev-parse --short "$BASE^{commit}")"
fi

C="xgmc$$" S="xgms$$"
if [ "$PATHS" = 1 ]; then
	xb_pair "$C" "$S" 10.231 xbc1:xbs1
else
	xb_two_paths "$C" "$S"
fi || xb_skip_all "cannot build the veth topology"
CIFS=(xbc1) SIFS=(xbs1)
[ "$PATHS" = 2 ] && CIFS+=(xbc2) SIFS+=(xbs2)

# pm one|two|ours2k: the kernel's path manager for the next row
pm() {
	local sf=2 ns
	ip -n "$C" mptcp endpoint flush 2>/dev/null
	case $1 in
	one) sf=0 ;;
	two | ours2k) ip -n "$C" mptcp endpoint add 10.231.2.1 dev xbc2 subflow ;;
	esac
	for ns in "$C" "$S"; do
		ip -n "$ns" mptcp limits set subflows $sf add_addr_accepted $sf
	done
	[ "$1" = ours2k ] && ip -n "$S" mptcp limits set subflows 4 add_addr_accepted 4
	return 0
}
offloads() { # tx-off|default
	local v=off
	[ "$1" = default ] && v=on
	xb_offload "$C" "tx $v" "${CIFS[@]}"
	xb_offload "$S" "tx $v" "${SIFS[@]}"
}
feature() { # NS IF NAME -> on|off
	ip netns exec "$1" ethtool -k "$2" 2>/dev/null | awk -v k="$3:" '$1 == k {print $2; exit}'
}
# attach SENDER RECEIVER KERNEL_XDP: xmptcp's XDP where this row needs it;
# XDP says where and in which mode, e.g. both:native
attach() {
	local snd=$1 rcv=$2 kx=$3 where=none
	if [ "$snd" = ours ] || [ -n "$kx" ]; then
		xb_attach "$C" "${CIFS[@]}" || echo "goodput_mp: attach: $(tail -1 "$XB_TMP/attach.err")" >&2
		where=client:$XB_ATTACH_MODE
	fi
	if [ "$rcv" = ours ] || [ -n "$kx" ]; then
		xb_attach "$S" "${SIFS[@]}" || echo "goodput_mp: attach: $(tail -1 "$XB_TMP/attach.err")" >&2
		[ "$where" = none ] && where=server:$XB_ATTACH_MODE || where=both:$XB_ATTACH_MODE
	fi
	XDP=$where
}

# receiver KIND PROTO D PORT: in S, in the background (RPID); returns once
# it listens
receiver() {
	local rcv=$1 proto=$2 d=$3 port=$4
	if [ "$rcv" = kernel ]; then
		rm -f "$d/ready"
		xb_nsx "$S" timeout $((TMO + 30)) python3 "$PEER" server 0.0.0.0 "$port" --ready "$d/ready" \
			--proto "$proto" --cc "$CC" --timeout "$TMO" >"$d/rcv.json" 2>"$d/rcv.err" &
		RPID=$!
		xb_wait_file "$d/ready" 10
		return
	fi
	# shellcheck disable=SC2086 # OURS_ARGS is a list of options
	xb_nsx "$S" timeout $((TMO + 30)) python3 "$GP" rusage "$d/rcv.rusage" -- \
		"$XMPTCPD" $(printf -- '--iface %s ' "${SIFS[@]}") --listen 10.231.1.2:"$port" --sink \
		--cc "$OURS_CC" --ctl none --timeout "$TMO" $OURS_ARGS >"$d/rcv.json" 2>"$d/rcv.err" &
	RPID=$!
	xb_wait_listening "$d/rcv.err" "$RPID"
}
# sender KIND PROTO SCHED D PORT REP: in C, in the foreground
sender() {
	local snd=$1 proto=$2 sched=$3 d=$4 port=$5 rep=$6 sa=()
	if [ "$snd" = kernel ]; then
		xb_nsx "$C" timeout $((TMO + 30)) python3 "$PEER" client 10.231.1.2 "$port" "$N" --block \
			--proto "$proto" --cc "$CC" --seed "$rep" --timeout "$TMO" >"$d/snd.json" 2>"$d/snd.err"
		return
	fi
	[ -n "$sched" ] && sa=(--sched "$sched")
	[ "$PATHS" = 2 ] && sa+=(--pm fullmesh)
	# shellcheck disable=SC2086 # OURS_ARGS is a list of options
	xb_nsx "$C" timeout $((TMO + 30)) python3 "$GP" rusage "$d/snd.rusage" -- \
		"$XMPTCPD" $(printf -- '--iface %s ' "${CIFS[@]}") --connect 10.231.1.2:"$port" \
		--send-bytes "$N" --seed "$rep" "${sa[@]}" --cc "$OURS_CC" --ctl none --timeout "$TMO" \
		$OURS_ARGS >"$d/snd.json" 2>"$d/snd.err"
}

# run_one ROW REP PORT: one transfer; appends its record to $RESULTS
run_one() {
	local id=$1 rep=$2 port=$3 label off snd rcv proto kx sched pmode minsf d t0 build=ours
	local XMPTCP=$XMPTCP XMPTCPD=$XMPTCPD
	IFS='|' read -r label off snd rcv proto kx sched pmode minsf <<<"${ROW[${id%@base}]}"
	if [ "$id" != "${id%@base}" ]; then
		XMPTCP=$BASE_DIR/xmptcp XMPTCPD=$BASE_DIR/xmptcpd build=$BASE_NAME
		label="$label [$BASE_NAME]"
	fi
	d="$XB_TMP/$id.$rep"
	mkdir -p "$d"
	echo "$snd" >"$d/snd.kind"
	echo "$rcv" >"$d/rcv.kind"
	if [ -n "${TIMED_OUT[$id]:-}" ]; then
		echo "{\"row\":\"$id\",\"rep\":$rep,\"label\":\"$label\",\"status\":\"FAILED: not run, rep ${TIMED_OUT[$id]} hit the ${TMO} s timeout\"}" >>"$RESULTS"
		echo "# rep $rep $id not run: rep ${TIMED_OUT[$id]} hit the $TMO s timeout"
		fail=1
		return
	fi
	pm "$pmode"
	offloads "$off"
	attach "$snd" "$rcv" "$kx"
	printf '{"run":"%s","build":"%s","label":"%s","offloads":"%s","proto":"%s","xdp":"%s","snd_tso":"%s","snd_gso":"%s"}\n' \
		"$RUN" "$build" "$label" "$off" "$proto" "$XDP" \
		"$(feature "$C" xbc1 tx-tcp-segmentation)" \
		"$(feature "$C" xbc1 generic-segmentation-offload)" >"$d/meta.json"
	xb_rx_bytes "$S" "${SIFS[@]}" >"$d/paths.before"
	t0=$SECONDS
	receiver "$rcv" "$proto" "$d" "$port"
	sender "$snd" "$proto" "$sched" "$d" "$port" "$rep"
	wait "$RPID"
	[ $((SECONDS - t0)) -ge "$TMO" ] && TIMED_OUT[$id]=$rep && echo "$TMO" >"$d/timed_out"
	xb_rx_bytes "$S" "${SIFS[@]}" >"$d/paths.after"
	case $XDP in client:* | both:*) xb_detach "$C" ;; esac
	case $XDP in server:* | both:*) xb_detach "$S" ;; esac
	python3 "$GP" judge "$id" "$rep" "$d" "$N" "$minsf" >>"$RESULTS" ||
		echo "{\"row\":\"$id\",\"rep\":$rep,\"label\":\"$label\",\"status\":\"FAILED: no record\"}" >>"$RESULTS"
	xb_json '"# rep %s %-22s %-11s %-16s %s" % (d["rep"], d["row"],
	    "%.0f Mbit/s" % d["mbps"] if d.get("mbps") else "",
	    "sf %s/%s (%s)" % (d["sf_used_rcv"], d["sf_open_rcv"], d.get("sf_split_rcv"))
	    if d.get("sf_used_rcv") is not None else "", d["status"])' < <(tail -1 "$RESULTS")
	case $(tail -1 "$RESULTS") in *'"status": "ok"'*) ;; *)
		for f in snd.err rcv.err; do
			[ -s "$d/$f" ] && tail -3 "$d/$f" | sed "s/^/#   $f: /"
		done
		fail=1 ;;
	esac
}

# rep_order REP: the rows of one rep; a row and its @base twin swap order
# from one rep to the next, so a drift of the machine's speed over the run
# favours neither build
rep_order() {
	local r
	for r in "${rows[@]}"; do
		[ "$r" != "${r%@base}" ] && continue
		if [[ " ${rows[*]} " == *" $r@base "* ]]; then
			[ $(($1 % 2)) -eq 1 ] && echo "$r $r@base" || echo "$r@base $r"
		else
			echo "$r"
		fi
	done
	for r in "${rows[@]}"; do # a twin whose row is not measured itself
		[ "$r" != "${r%@base}" ] && [[ " ${rows[*]} " != *" ${r%@base} "* ]] && echo "$r"
	done
}

declare -A TIMED_OUT=() # row -> the rep that hit the timeout: later reps are not run
RUN=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS="$XB_TMP/results.jsonl"
: >"$RESULTS"
mkdir -p "$(dirname "$CSV")"
fail=0
echo "# goodput_mp: $N bytes per run, $REPS reps, $PATHS unshaped veth path(s) (MTU 1500), data C->S"
echo "# $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "# tx-off: ethtool -K tx off on every veth end (TSO off with it); default: veth defaults"
echo "# congestion control: kernel $CC (TCP_CONGESTION), xmptcpd $OURS_CC"
[ -n "$OURS_ARGS" ] && echo "# xmptcpd options added: $OURS_ARGS"
[ -n "$BASE" ] && echo "# baseline: $BASE_NAME, binaries in $BASE_DIR"
port=$PORT
for ((rep = 1; rep <= REPS; rep++)); do
	for id in $(rep_order "$rep"); do
		run_one "$id" "$rep" "$port"
		port=$((port + 1))
	done
done
[ "$PATHS" = 2 ] && pm two
echo "# load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
[[ ",$ROWS," == *",$REF,"* ]] || REF=${rows[0]}
python3 "$GP" report "$RESULTS" "$CSV" "$REF"
# the same as a PNG next to the CSV (a missing gnuplot costs the plot only)
python3 "$XB_ROOT/bench/goodput_plot.py" "$CSV" "${CSV%.csv}.png" "$REF" \
	"$PATHS unshaped veth path(s): goodput (ratio to ${ROW[$REF]%%|*}) and CPU" ||
	echo "# no plot: gnuplot missing or failed (make deps installs it)"
exit $fail
