#!/usr/bin/env bash
# xmptcpd against xmptcpd: our MPTCP engine on both ends of the wire.
# Topology: namespace C (xmptcp attach xmc0 + xmptcpd --connect) -- veth --
# namespace W (bridge xmbr, the wire) -- veth -- namespace S (xmptcp attach
# xms0 + xmptcpd --listen --sink), one IPv4 subnet 10.234.1.0/24 and one
# IPv6 subnet fd00:234::/64. TX checksum offload off on every veth.
#
# Why a bridge and not one veth pair: AF_XDP frames skip the packet taps of
# the veth that sends them and of the veth whose XDP takes them, so neither
# a capture nor a tc program on the two ends sees the conversation. W's
# ports run tests/lib/strip_mptcp.bpf.c in observe mode (-DSTRIP_MODE=0):
# it counts SYN/FIN/RST and MPTCP options per direction, on the wire.
#
# Per transfer (client sends CSEND bytes of seed 11 and its DATA_FIN; the
# server, after the client's DATA_FIN, sends SSEND bytes of seed 22): both
# exit 0; byte counts and sha256 equal across the two JSON summaries both
# ways; both MP_CAPABLE (RFC 8684 3.1), the client's local token is the
# server's remote token and vice versa; DATA_FIN sent, acked and received
# on both (3.3.3), no fallback (3.7) and no error; no RST on the wire and
# none sent or received by either engine; SYN and FIN seen both ways; one
# copy per payload byte between the data-level buffers and the frames, each
# way (the byte counters of the summary lines, tests/lib/copies.py).
# Sizes: 64 KB, 4 MB, 64 MB each way, an asymmetric odd case, IPv6, and
# DSS checksums when xmptcpd can ask for them.
# Knobs: XO_SIZES (bytes per direction, symmetric cases), XO_MAX_SECS (wall
# time limit of the largest case, default 30), XO_V6=0, XB_TMO (xmptcpd
# --timeout, default 30).
source "$(dirname "$0")/../lib/net.sh"
source "$XB_LIBDIR/mbox.sh"

SIZES=${XO_SIZES:-"65536 4194304 67108864"}
MAX_SECS=${XO_MAX_SECS:-30}

xm_require_tools

C="xmoc$$" W="xmow$$" S="xmos$$"
build_topology() {
	local ns
	xb_ns_add "$C" "$W" "$S" || return 1
	ip link add xmc0 netns "$C" type veth peer name xmwc netns "$W" || return 1
	ip link add xms0 netns "$S" type veth peer name xmws netns "$W" || return 1
	ip -n "$W" link add xmbr type bridge || return 1
	ip -n "$W" link set xmwc master xmbr && ip -n "$W" link set xmws master xmbr || return 1
	ip -n "$C" addr add 10.234.1.1/24 dev xmc0 && ip -n "$S" addr add 10.234.1.2/24 dev xms0 &&
		ip -n "$C" addr add fd00:234::1/64 dev xmc0 nodad &&
		ip -n "$S" addr add fd00:234::2/64 dev xms0 nodad || return 1
	for ns in "$C:xmc0" "$W:xmwc" "$W:xmws" "$S:xms0"; do
		xb_tx_off "${ns%%:*}" "${ns#*:}"
		ip -n "${ns%%:*}" link set "${ns#*:}" up || return 1
	done
	ip -n "$W" link set xmbr up
}
build_topology || xb_skip_all "cannot build the bridged veth topology"
xb_wait_ping "$C" 10.234.1.2 || xb_skip_all "no IPv4 connectivity across the bridge"

OBS=$(xm_bpf_obj 0) || xb_skip_all "cannot build the tc observer: $(tail -1 "$XB_TMP/clang.err")"
xm_tc_setup wire_observer_attached "$W:xmwc:$OBS" "$W:xmws:$OBS"
xb_attach_ends attach_both_ends "$C:xmc0" "$S:xms0"

# run_ours NAME CSEND SSEND PORT FAMILY [XMPTCPD ARGS...]: one transfer.
run_ours() {
	local name=$1 csend=$2 ssend=$3 port=$4 fam=$5 dir="$XB_TMP/$1" srv rc=0 src=0 t0 t1
	local c2s s2c bad secs
	shift 5
	mkdir -p "$dir"
	[ "$fam" = 6 ] && srv="[fd00:234::2]:$port" || srv="10.234.1.2:$port"
	# fresh observer maps: the counters are this transfer's
	xm_tc_attach "$W" xmwc "$OBS" && xm_tc_attach "$W" xmws "$OBS" || {
		not_ok "${name}_observer" "cannot reattach the tc observer"
		return
	}
	if ! xb_ours_server "$S" xms0 "$srv" "$ssend" 22 "$dir/server" "$@"; then
		not_ok "${name}_completed" "server did not listen" "$(cat "$dir/server.err")"
		return
	fi
	t0=$(date +%s.%N)
	xb_ours_client "$C" xmc0 "$srv" "$csend" 11 "$dir/client" "$@" || rc=$?
	wait "$XB_PID" || src=$?
	t1=$(date +%s.%N)
	c2s=$(xm_tc_stats "$W" xmwc) s2c=$(xm_tc_stats "$W" xmws)
	xb_check_ran "${name}_completed" "$rc $src" "$dir/client" "$dir/server" -- \
		"wire c->s: $c2s" "wire s->c: $s2c" || return
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	echo "# $name: $secs s wall," \
		"client $(xb_json 'd["seconds"], "s", d["goodput_mbps"], "Mb/s"' "$dir/client")," \
		"server $(xb_json 'd["seconds"], "s", d["goodput_mbps"], "Mb/s"' "$dir/server")"
	echo "# wire c->s: $c2s"
	echo "# wire s->c: $s2c"
	xb_check_bytes "${name}_c2s_sha256_${csend}_bytes" "$dir/client" "$dir/server" "$csend"
	xb_check_bytes "${name}_s2c_sha256_${ssend}_bytes" "$dir/server" "$dir/client" "$ssend"
	# issue 13.4: each payload byte is copied once between the data-level
	# buffers and the frames, both ways (the wire loses nothing here)
	local copies crc
	for side in client server; do
		copies=$(python3 "$XB_LIBDIR/copies.py" "$dir/$side" --max-tx 1.05 --max-rx 1.05)
		crc=$?
		echo "# $name $side: $copies"
		if [ "$crc" = 0 ]; then
			ok "${name}_${side}_one_copy_per_byte"
		elif [ "$crc" != 4 ]; then
			not_ok "${name}_${side}_one_copy_per_byte" "$copies"
		fi
	done

	# 3.1 / 3.3.3 / 3.7, each side's own view
	local want='d["mp_capable"] and d["error"] is None and d["recv_eof"] and
m["fallback"] is False and m["data_fin_sent"] and m["data_fin_acked"] and m["data_fin_rcvd"] and
m["msk_state"] in ("TIME_WAIT", "CLOSED") and
not any(k in m for k in ("MPCapableFallbackSYN", "MPCapableFallbackSYNACK", "MPCapableFallbackACK",
  "DSSFallback", "DSSNoMatchReset", "MapInvalidReset", "InfiniteMapTx", "InfiniteMapRx",
  "MPFailTx", "MPFailRx", "DataCsumErr", "Fallback"))'
	for side in client server; do
		[ "$(xb_json "(lambda m: $want)(d['mptcp'])" "$dir/$side")" = True ] &&
			ok "${name}_${side}_mptcp_data_fin_both_ways_no_fallback" ||
			not_ok "${name}_${side}_mptcp_data_fin_both_ways_no_fallback" "$(cat "$dir/$side")"
	done
	# 3.1: token = 32 most significant bits of SHA-256(key); each end derives
	# the other's from the key it received
	local ct cr st sr
	ct=$(xb_json 'd["mptcp"]["local_token"]' "$dir/client")
	cr=$(xb_json 'd["mptcp"]["remote_token"]' "$dir/client")
	st=$(xb_json 'd["mptcp"]["local_token"]' "$dir/server")
	sr=$(xb_json 'd["mptcp"]["remote_token"]' "$dir/server")
	[ -n "$ct" ] && [ "$ct" = "$sr" ] && [ -n "$st" ] && [ "$st" = "$cr" ] && [ "$ct" != "$st" ] &&
		ok "${name}_tokens_consistent" ||
		not_ok "${name}_tokens_consistent" "client local $ct remote $cr" "server local $st remote $sr"
	# no RST: on the wire (observer), and in both engines' counters
	bad=""
	[ "$(xm_stat "$c2s" rst)" = 0 ] && [ "$(xm_stat "$s2c" rst)" = 0 ] || bad="RST on the wire"
	for side in client server; do
		[ "$(xb_json '"RstSent" in d["subflow"] or "RstRcvd" in d["subflow"]' "$dir/$side")" = False ] ||
			bad="$bad; $side: $(xb_json 'd["subflow"]' "$dir/$side")"
	done
	[ -z "$bad" ] && ok "${name}_no_rst" || not_ok "${name}_no_rst" "$bad" "c->s: $c2s" "s->c: $s2c"
	# the observer saw this conversation: handshake, MPTCP options, FINs
	[ "$(xm_stat "$c2s" syn)" -ge 1 ] && [ "$(xm_stat "$s2c" syn)" -ge 1 ] &&
		[ "$(xm_stat "$c2s" fin)" -ge 1 ] && [ "$(xm_stat "$s2c" fin)" -ge 1 ] &&
		[ "$(xm_stat "$c2s" mptcp)" -ge 1 ] && [ "$(xm_stat "$s2c" mptcp)" -ge 1 ] &&
		ok "${name}_wire_syn_fin_mptcp_both_ways" ||
		not_ok "${name}_wire_syn_fin_mptcp_both_ways" "c->s: $c2s" "s->c: $s2c"
	if [ "$csend" -ge 67108864 ] || [ "$ssend" -ge 67108864 ]; then
		awk -v s="$secs" -v m="$MAX_SECS" 'BEGIN { exit !(s < m) }' &&
			ok "${name}_under_${MAX_SECS}s" ||
			not_ok "${name}_under_${MAX_SECS}s" "took $secs s"
	fi
}

# The observer can see a RST at all: a SYN to a port nobody listens on in
# S is answered by S's kernel with one (the port is not ours: no guard).
refused_rst() {
	local dir="$XB_TMP/refused" rc=0 s2c
	mkdir -p "$dir"
	xm_tc_attach "$W" xmws "$OBS"
	xb_ours_client "$C" xmc0 10.234.1.2:6999 1000 11 "$dir/client" || rc=$?
	s2c=$(xm_tc_stats "$W" xmws)
	[ "$rc" = 1 ] && [ "$(xm_stat "$s2c" rst)" -ge 1 ] &&
		[ "$(xb_json 'd["error"]' "$dir/client")" = "Connection refused" ] &&
		ok "wire_observer_sees_rst_of_refused_connect" ||
		not_ok "wire_observer_sees_rst_of_refused_connect" "exit $rc" "wire s->c: $s2c" \
			"$(cat "$dir/client" "$dir/client.err")"
}
refused_rst

port=6001
for size in $SIZES; do
	run_ours "ours_ours_v4_$size" "$size" "$size" $port 4
	port=$((port + 1))
done
# Asymmetric and odd: a length no MSS divides, and a server that sends no
# data at all (its DATA_FIN alone closes its direction).
run_ours "ours_ours_v4_odd_1000003_0" 1000003 0 $port 4
port=$((port + 1))

if [ "${XO_V6:-1}" != 0 ]; then
	if xb_wait_ping "$C" fd00:234::2; then
		run_ours "ours_ours_v6_4194304" 4194304 4194304 $port 6
	else
		not_ok "ours_ours_v6_4194304_completed" "no IPv6 connectivity across the bridge"
	fi
	port=$((port + 1))
fi

# DSS checksums (3.3.1): only if xmptcpd has a flag to ask for them (the A
# flag of MP_CAPABLE); the kernel tests cover checksums the kernel asks for.
csum_flag=$("$XMPTCPD" --help 2>&1 | grep -oE -- '--(dss-csum|csum|checksum)\b' | head -1)
if [ -n "$csum_flag" ]; then
	run_ours "ours_ours_v4_csum_4194304" 4194304 4194304 $port 4 "$csum_flag"
	for side in client server; do
		[ "$(xb_json 'd["mptcp"]["csum"]' "$XB_TMP/ours_ours_v4_csum_4194304/$side" 2>/dev/null)" = True ] &&
			ok "ours_ours_v4_csum_4194304_${side}_negotiated" ||
			not_ok "ours_ours_v4_csum_4194304_${side}_negotiated" "checksums not in use"
	done
else
	skip "ours_ours_v4_csum" "xmptcpd has no option to ask for DSS checksums"
fi

xb_finish
