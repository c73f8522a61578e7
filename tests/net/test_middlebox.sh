#!/usr/bin/env bash
# A middlebox that strips MPTCP options, and the fallback to TCP it forces
# (RFC 8684 3.7), with every byte still delivered.
# Topology (routed, two subnets):
#   C: xmc0 10.234.2.1 -- xmr1 10.234.2.254  R  xmr2 10.234.3.254 -- xms0 10.234.3.1: S
# C and S run `xmptcp attach` (so xmptcpd can take either role there) and
# the kernel's MPTCP (python3 IPPROTO_MPTCP, tests/lib/kpeer.py). The router
# R forwards, and at the clsact ingress of xmr1 (direction C->S) and xmr2
# (S->C) runs tests/lib/strip_mptcp.bpf.c, built here with clang: it
# rewrites MPTCP options (kind 30) into NOPs and fixes the TCP checksum,
# in one of these modes, or only observes (counts SYN/FIN/RST and MPTCP
# options per direction) where it does not strip:
#   syn     SYN and SYN-ACK: MP_CAPABLE never arrives; both ends plain TCP
#   post    every non-SYN segment: options vanish right after the handshake
#           (third ACK, MP_CAPABLE with data, DSS): fallback before any
#           DATA_ACK (3.7: "MUST fall back" when data is acked without one)
#   mid     every non-SYN segment after the first 200 of a direction:
#           options vanish mid-stream, after mappings and DATA_ACKs
#   and, one direction only: SYN-ACK stripped (s2c), post-handshake c2s,
#   post-handshake s2c;
#   copy    (c2s only) the segment holding byte COPY_DROP_AT is dropped
#           COPY_DROP_N times, so the client's data-level retransmission
#           timer fires while TCP recovers it; options vanish from the
#           first data-level copy on the (only) subflow. A receiver that
#           falls back there takes the copy for new data (Linux does): the
#           sender must put no copy on a subflow that may still fall back
#           (RFC 8684 3.7). Checked: no copy crossed, every byte arrived,
#           and our client's timer did fire (see check_copy).
# Pairs, client always in C: ours->kernel (ok: xmptcpd --connect, kernel
# MPTCP server), kernel->ours (ko: kernel MPTCP client, xmptcpd --listen),
# ours->ours (oo); kernel->kernel (kk) as a reference on demand.
# Each transfer: the client sends a 1000003-byte file, the server a
# 700001-byte one after the client's data ended. Checked: both ends
# finish, byte counts and sha256 both ways, the fallback really happened
# and how (our JSON: mp_capable false or mptcp.fallback true, and the
# counter naming the trigger; the kernel: MPTCP_INFO fallback, or
# EOPNOTSUPP once getsockopt passes through to TCP, and its nstat counter),
# the stripper rewrote options, no RST on the wire. The mid-stream case
# asserts integrity and termination instead (see check_mid). A control run
# per pair (observers only) must stay MPTCP: it proves the stripper is what
# causes the fallback.
# Knobs: XM_CASES (e.g. "control syn"), XM_PAIRS ("ok ko oo", add kk),
# XB_TMO (seconds per transfer, default 20), XM_PCAP=DIR (captures on R).
XB_TMO=${XB_TMO:-20}
source "$(dirname "$0")/../lib/net.sh"
source "$XB_LIBDIR/mbox.sh"

CSEND=1000003
SSEND=700001
MID_AFTER=200
COPY_DROP_AT=100000 COPY_DROP_N=4
CASES=${XM_CASES:-"control syn post mid synack_s2c post_c2s post_s2c copy"}
PAIRS=${XM_PAIRS:-"ok ko oo"}

xm_require_tools

C="xmmc$$" R="xmmr$$" S="xmms$$"
build_topology() {
	local x
	xb_ns_add "$C" "$R" "$S" || return 1
	xb_veth "$C" xmc0 10.234.2.1/24 "$R" xmr1 10.234.2.254/24 || return 1
	xb_veth "$R" xmr2 10.234.3.254/24 "$S" xms0 10.234.3.1/24 || return 1
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 || return 1
	ip -n "$C" route add default via 10.234.2.254 dev xmc0 || return 1
	ip -n "$S" route add default via 10.234.3.254 dev xms0 || return 1
	for x in "$C:xmc0" "$R:xmr1" "$R:xmr2" "$S:xms0"; do
		xb_tx_off "${x%%:*}" "${x#*:}"
	done
	return 0
}
build_topology || xb_skip_all "cannot build the routed topology"
xb_wait_ping "$C" 10.234.3.1 || xb_skip_all "no connectivity through the router"

OBJ_OBS=$(xm_bpf_obj 0) && OBJ_SYN=$(xm_bpf_obj 1) && OBJ_POST=$(xm_bpf_obj 2) &&
	OBJ_MID=$(xm_bpf_obj 3 $MID_AFTER) &&
	OBJ_COPY=$(xm_bpf_obj 4 0 $COPY_DROP_AT $COPY_DROP_N) ||
	xb_skip_all "cannot build the tc stripper: $(tail -1 "$XB_TMP/clang.err")"
xm_tc_setup stripper_loads "$R:xmr1:$OBJ_SYN"
xb_attach_ends attach_both_ends "$C:xmc0" "$S:xms0"

# What each side sends: files, so that any prefix of a stream can be hashed
# (the mid-stream case checks that whatever arrived is a prefix).
CFILE="$XB_TMP/c2s.bin" SFILE="$XB_TMP/s2c.bin"
head -c $CSEND /dev/urandom >"$CFILE" && head -c $SSEND /dev/urandom >"$SFILE" ||
	xb_skip_all "cannot write the payload files"

# case_cfg CASE: OBJ1 (C->S, at xmr1) and OBJ2 (S->C, at xmr2); STRIPS: the
# directions of which at least one must have rewritten options (a direction
# where the sender already fell back carries none left to strip); and what
# each end must report, by role:
#   OURS_C / OURS_S   counter of our JSON "mptcp" object that says how our
#                     client / server fell back (empty: any fallback)
#   KERN_C / KERN_S   nstat counter of the kernel as client / server that
#                     must have moved; "!NAME": must not have moved
case_cfg() {
	OBJ1=$OBJ_OBS OBJ2=$OBJ_OBS STRIPS="" OURS_C="" OURS_S="" KERN_C="" KERN_S=""
	case $1 in
	control)
		KERN_C=MPTcpExtMPCapableSYNACKRX KERN_S=MPTcpExtMPCapableACKRX ;;
	syn) # 3.7: a SYN without MP_CAPABLE is answered as plain TCP
		OBJ1=$OBJ_SYN OBJ2=$OBJ_SYN STRIPS="c2s"
		OURS_C=MPCapableFallbackSYNACK OURS_S=MPCapableFallbackSYN
		KERN_C=MPTcpExtMPCapableFallbackSYNACK KERN_S='!MPTcpExtMPCapableSYNRX' ;;
	synack_s2c) # the client falls back; its third ACK then lacks MP_CAPABLE
		OBJ2=$OBJ_SYN STRIPS="s2c"
		OURS_C=MPCapableFallbackSYNACK OURS_S=MPCapableFallbackACK
		KERN_C=MPTcpExtMPCapableFallbackSYNACK KERN_S=MPTcpExtMPCapableFallbackACK ;;
	post | post_c2s) # third ACK without MP_CAPABLE: the server is plain TCP,
		# the client gets data/ACKs without DSS before any DATA_ACK
		[ "$1" = post ] && OBJ2=$OBJ_POST
		OBJ1=$OBJ_POST STRIPS="c2s"
		OURS_C=DSSFallback OURS_S=MPCapableFallbackACK
		KERN_C=MPTcpExtMPCapableDataFallback KERN_S=MPTcpExtMPCapableFallbackACK ;;
	post_s2c) # the server's DSS never arrives: the client falls back, then the
		# server sees data without DSS
		OBJ2=$OBJ_POST STRIPS="s2c"
		OURS_C=DSSFallback OURS_S=DSSFallback
		KERN_C=MPTcpExtMPCapableDataFallback KERN_S=MPTcpExtDssFallback ;;
	mid) # after 200 segments each way: mappings and DATA_ACKs were exchanged
		OBJ1=$OBJ_MID OBJ2=$OBJ_MID STRIPS="c2s s2c" ;;
	copy) # strips only after a copy, which must not happen: STRIPS empty
		OBJ1=$OBJ_COPY ;;
	*) return 1 ;;
	esac
}

# Fallback as our JSON shows it: plain TCP from the handshake (mp_capable
# false) or an MPTCP connection that fell back (mptcp.fallback true).
OURS_FB='not d["mp_capable"] or d["mptcp"].get("fallback") is True'
OURS_HOW='{k: v for k, v in d["mptcp"].items() if "Fallback" in k or "Infinite" in k or "Reset" in k or k in ("sf_state", "fallback", "MPFailTx", "MPFailRx", "DSSNoAckIgnored")}'
# the kernel's counters shown for every case
KSHOW='MPTcpExtMPCapable[A-Za-z]*|MPTcpExtDssFallback|MPTcpExtInfiniteMap[RT]x|MPTcpExtDSSCorrupt[A-Za-z]*|MPTcpExtFallbackFailed|MPTcpExtMPRst[RT]x|MPTcpExtMPFail[RT]x|MPTcpExtDSSNoMatchTCP|MPTcpExtDSSNotMatching|MPTcpExtMPTCPRetrans|TcpOutRsts|TcpExtTCPAbortOn[A-Za-z]*'
# any of these moving is a kernel fallback (none may in the control run)
KFB="MPTcpExtMPCapableFallbackACK MPTcpExtMPCapableFallbackSYNACK MPTcpExtMPCapableDataFallback MPTcpExtDssFallback MPTcpExtInfiniteMapRx MPTcpExtDSSCorruptionFallback"

# check_mid NAME DIR CLIENT SERVER: options vanish after mappings and
# DATA_ACKs went both ways. RFC 8684 3.7 then allows no fallback signal
# that is sure to arrive: the subflow "SHOULD be treated as broken and
# closed with a RST" (with MP_TCPRST "middlebox interference"); falling
# back silently, as Linux does on a lone subflow (MPTcpExtDssFallback), is
# fine only when every byte still arrives in order. The kernel-to-kernel
# run of this case (XM_PAIRS=kk) stalls too (data-level retransmissions,
# no progress), so byte-exact completion is not required here; what is:
#  - never a wrong byte: each receiver got a prefix of what was sent;
#  - our daemon ends by itself: completed, or reset; not left waiting
#    until its --timeout (a stall).
# rst_clean DIR_STATS OTHER_STATS: no RST in one direction, or the one a
# TCP sends after it closed when the ACK of its FIN crossed its
# retransmission of that FIN: under load the receiver ACKs the FIN late (here
# the server's tail-loss probe 10 ms on), TIME-WAIT ACKs the copy again (RFC
# 9293 3.10.7.4) and that second ACK finds the sender closed. Allowed: one
# RST per FIN sent again, none the other way. A speed-independent verdict:
# anything else is still a failure.
rst_clean() {
	local rst fin
	rst=$(xm_stat "$1" rst) fin=$(xm_stat "$1" fin)
	[ "$rst" = 0 ] && return 0
	[ "$(xm_stat "$2" rst)" = 0 ] && [ "$fin" -ge 2 ] && [ "$rst" -le $((fin - 1)) ]
}

check_mid() {
	local name=$1 dir=$2 side who f
	xb_check_prefix "${name}_c2s_no_wrong_bytes" "$CFILE" "$dir/server"
	xb_check_prefix "${name}_s2c_no_wrong_bytes" "$SFILE" "$dir/client"
	for side in client server; do
		who=$3 f="$dir/$side"
		[ $side = server ] && who=$4
		[ "$who" = ours ] || continue
		echo "# $name: ours ($side) outcome: $(xb_json '"error=%s recv=%d" % (d["error"], d["recv"])' "$f")" \
			"$(xb_json "$OURS_HOW" "$f")"
		[ "$(xb_json 'd["error"] is None or d["error"] != "Connection timed out"' "$f")" = True ] &&
			ok "${name}_${side}_ours_completes_or_resets" ||
			not_ok "${name}_${side}_ours_completes_or_resets" "$(cat "$f")" "$(tail -3 "$f.err")"
	done
}

# check_copy NAME DIR CLIENT C2S_STATS: a loss held the client's data level
# up long enough for its data-level retransmission timer; the only subflow
# may still fall back, so no copy may go on it (TCP recovers the loss):
#  - the loss happened (DROP_N drops) and no copy crossed the router;
#  - our client's timer fired (else this run proved nothing);
#  - the transfer completed, every byte both ways (never a wrong one).
check_copy() {
	local name=$1 dir=$2 st=$4
	[ "$(xm_stat "$st" dropped)" = "$COPY_DROP_N" ] && ok "${name}_loss_injected" ||
		not_ok "${name}_loss_injected" "c->s: $st"
	[ "$(xm_stat "$st" copy)" = 0 ] && ok "${name}_no_copy_on_the_only_subflow" ||
		not_ok "${name}_no_copy_on_the_only_subflow" "c->s: $st"
	if [ "$3" = ours ]; then
		echo "# $name: ours (client): $(xb_json '{k: d["mptcp"].get(k) for k in ("data_rtx_timeouts", "copies_held", "reinjected", "fallback")}' "$dir/client")"
		[ "$(xb_json 'd["mptcp"]["data_rtx_timeouts"] >= 1' "$dir/client")" = True ] &&
			ok "${name}_client_data_rtx_timer_fired" ||
			not_ok "${name}_client_data_rtx_timer_fired" "$(cat "$dir/client")"
	fi
	xb_check_file "${name}_c2s_sha256" "$CFILE" "$dir/server"
	xb_check_file "${name}_s2c_sha256" "$SFILE" "$dir/client"
}

# run_case CASE PAIR PORT
run_case() {
	local cs=$1 pair=$2 port=$3 name="$2_$1" dir="$XB_TMP/$2_$1" rc=0 src=0
	local c2s s2c side cl sv k bad d
	mkdir -p "$dir"
	case_cfg "$cs" || { not_ok "$name" "unknown case"; return; }
	xm_tc_attach "$R" xmr1 "$OBJ1" && xm_tc_attach "$R" xmr2 "$OBJ2" ||
		{ not_ok "${name}_stripper" "cannot attach"; return; }
	case $pair in
	ok) cl=ours sv=kernel ;;
	ko) cl=kernel sv=ours ;;
	oo) cl=ours sv=ours ;;
	kk) cl=kernel sv=kernel ;;
	esac
	xb_kstat "$C" >"$dir/k.client.before"
	xb_kstat "$S" >"$dir/k.server.before"
	# XM_PCAP=DIR: headers as R sees them, for the evidence: on xmr1 C->S
	# before the stripper and S->C after it, on xmr2 the other way round
	local cap=""
	if [ -n "${XM_PCAP:-}" ]; then
		mkdir -p "$XM_PCAP"
		nsenter --net="/var/run/netns/$R" dumpcap -q -s 200 -i xmr1 -f "tcp port $port" \
			-i xmr2 -f "tcp port $port" -w "$XM_PCAP/$name.pcapng" >/dev/null 2>&1 &
		cap=$!
		# capturing once dumpcap wrote its file's header
		xb_wait_until --pid "$cap" 10 test -s "$XM_PCAP/$name.pcapng"
	fi
	if [ "$sv" = ours ]; then
		xb_ours_server "$S" xms0 "10.234.3.1:$port" "@$SFILE" 0 "$dir/server"
	else
		xb_kernel_server "$S" mptcp 10.234.3.1 "$port" "@$SFILE" 0 "$dir/server"
	fi || { not_ok "${name}_completed" "server did not start: $(cat "$dir/server.err")"; return; }
	local spid=$XB_PID
	if [ "$cl" = ours ]; then
		xb_ours_client "$C" xmc0 "10.234.3.1:$port" "@$CFILE" 0 "$dir/client" || rc=$?
	else
		xb_kernel_client "$C" mptcp 10.234.3.1 "$port" "@$CFILE" 0 "$dir/client" || rc=$?
	fi
	wait "$spid" || src=$?
	xb_kstat "$C" >"$dir/k.client.after"
	xb_kstat "$S" >"$dir/k.server.after"
	# every segment was seen before the ends finished; dumpcap writes what
	# it holds when it ends
	[ -n "$cap" ] && { kill -INT "$cap"; wait "$cap"; }
	c2s=$(xm_tc_stats "$R" xmr1) s2c=$(xm_tc_stats "$R" xmr2)
	echo "# $name: client($cl): $(cat "$dir/client")"
	echo "# $name: server($sv): $(cat "$dir/server")"
	echo "# $name: wire c->s: $c2s"
	echo "# $name: wire s->c: $s2c"
	for side in client server; do
		[ "$side" = client ] && [ "$cl" = ours ] && continue
		[ "$side" = server ] && [ "$sv" = ours ] && continue
		echo "# $name: kernel $side nstat: $(xb_deltas "$dir/k.$side.before" "$dir/k.$side.after" |
			tr ' ' '\n' | grep -E "^($KSHOW)=" | tr '\n' ' ')"
	done
	if [ "$cs" = mid ]; then
		check_mid "$name" "$dir" "$cl" "$sv"
	elif [ "$cs" = copy ]; then
		check_copy "$name" "$dir" "$cl" "$c2s"
	else
		xb_check_ran "${name}_completed" "$rc $src" "$dir/client" "$dir/server"
		xb_check_file "${name}_c2s_sha256" "$CFILE" "$dir/server"
		xb_check_file "${name}_s2c_sha256" "$SFILE" "$dir/client"
	fi

	# the middlebox did what the case says: options rewritten in one of the
	# STRIPS directions, none elsewhere, no helper failure; in the control
	# run MPTCP options crossed the router both ways
	bad=""
	for d in c2s s2c; do
		local st=$c2s
		[ $d = s2c ] && st=$s2c
		[ "$(xm_stat "$st" err)" = 0 ] || bad="$bad $d: helper errors;"
		[[ " $STRIPS " = *" $d "* ]] || [ "$(xm_stat "$st" stripped)" = 0 ] || bad="$bad $d: stripped;"
		[ -n "$STRIPS" ] || [ "$(xm_stat "$st" mptcp)" -ge 1 ] || bad="$bad $d: no MPTCP option seen;"
	done
	if [ -n "$STRIPS" ]; then
		k=0
		for d in $STRIPS; do
			[ $d = c2s ] && k=$((k + $(xm_stat "$c2s" stripped))) || k=$((k + $(xm_stat "$s2c" stripped)))
		done
		[ "$k" -ge 1 ] || bad="$bad nothing stripped ($STRIPS);"
	fi
	[ -z "$bad" ] && ok "${name}_middlebox_acted" || not_ok "${name}_middlebox_acted" "$bad" \
		"c->s: $c2s" "s->c: $s2c"
	[ "$cs" = mid ] && return # a reset is a valid outcome there
	if rst_clean "$c2s" "$s2c" && rst_clean "$s2c" "$c2s"; then
		ok "${name}_no_rst_on_the_wire"
		[ "$(xm_stat "$c2s" rst)$(xm_stat "$s2c" rst)" = 00 ] ||
			echo "# $name: a RST after a FIN sent again, the ACK of the FIN crossed it"
	else
		not_ok "${name}_no_rst_on_the_wire" "c->s: $c2s" "s->c: $s2c"
	fi
	[ "$cs" = copy ] && return # no fallback there: check_copy said what

	# MPTCP kept (control) or fallback, as each end reports it
	for side in client server; do
		local who=$cl f="$dir/$side" want=$OURS_C kwant=$KERN_C
		[ $side = server ] && who=$sv want=$OURS_S kwant=$KERN_S
		if [ "$who" = ours ]; then
			if [ "$cs" = control ]; then
				[ "$(xb_json 'd["mp_capable"] and d["mptcp"]["fallback"] is False and d["mptcp"]["data_fin_acked"] and d["mptcp"]["data_fin_rcvd"]' "$f")" = True ] &&
					ok "${name}_${side}_ours_stays_mptcp" ||
					not_ok "${name}_${side}_ours_stays_mptcp" "$(cat "$f")"
				continue
			fi
			echo "# $name: ours ($side) fallback: $(xb_json "$OURS_HOW" "$f")"
			[ "$(xb_json "($OURS_FB) and d['mptcp'].get('${want:-sf_state}', 0) != 0" "$f")" = True ] &&
				ok "${name}_${side}_ours_fell_back${want:+_$want}" ||
				not_ok "${name}_${side}_ours_fell_back${want:+_$want}" "$(cat "$f")"
			continue
		fi
		# the kernel: MPTCP_INFO (or its absence after fallback) ...
		k=$(xb_json 'd.get("fallback")' "$f")
		if [ "$cs" = control ]; then
			[ "$k" = False ] && ok "${name}_${side}_kernel_mptcp_info_no_fallback" ||
				not_ok "${name}_${side}_kernel_mptcp_info_no_fallback" "$(cat "$f")"
		else
			[ "$k" = True ] && ok "${name}_${side}_kernel_mptcp_info_fallback" ||
				not_ok "${name}_${side}_kernel_mptcp_info_fallback" "$(cat "$f")"
		fi
		# ... and its nstat counters
		local moved=0 c
		if [ -n "$kwant" ]; then
			c=${kwant#!}
			moved=$(xb_delta "$c" "$dir/k.$side.before" "$dir/k.$side.after")
			{ [ "$kwant" = "$c" ] && [ "$moved" -ge 1 ]; } || { [ "$kwant" != "$c" ] && [ "$moved" = 0 ]; } &&
				ok "${name}_${side}_kernel_nstat_${kwant/!/no_}" ||
				not_ok "${name}_${side}_kernel_nstat_${kwant/!/no_}" "$c moved by $moved" \
					"$(xb_deltas "$dir/k.$side.before" "$dir/k.$side.after")"
		fi
		moved=0
		for c in $KFB; do moved=$((moved + $(xb_delta "$c" "$dir/k.$side.before" "$dir/k.$side.after"))); done
		if [ "$cs" = control ]; then
			[ "$moved" = 0 ] && ok "${name}_${side}_kernel_nstat_no_fallback_counter" ||
				not_ok "${name}_${side}_kernel_nstat_no_fallback_counter" \
					"$(xb_deltas "$dir/k.$side.before" "$dir/k.$side.after")"
		fi
	done
}

port=7001
for cs in $CASES; do
	for pair in $PAIRS; do
		run_case "$cs" "$pair" $port
		port=$((port + 1))
	done
done

xb_finish
