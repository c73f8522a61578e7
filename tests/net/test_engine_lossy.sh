#!/usr/bin/env bash
# xmptcpd over a lossy, reordering path (RFC 8684 over a bad network).
# Topology: namespace C -- router R running tests/tools/xnetem (a userspace
# netem: this kernel has no sch_netem) -- namespace S, one L2 segment,
# 10.237.1.1 / 10.237.1.2. The relay drops 5% and reorders 5% of the frames
# in each direction and delays them 5 ms (seeded: the same fates every
# run). xmptcp is attached in both C and S. Cases, each sha256-checked both
# ways and closed cleanly (DATA_FIN both ways, no error):
#   ours (C) -> kernel MPTCP server (S)       kernel MPTCP client (S) -> ours (C)
#   ours (C) <-> ours (S)
# and each asserts the relay really lost and reordered frames both ways and
# that the kernel did not fall back to TCP.
# Knobs: XL_SIZE (bytes each way, 4 MiB), XL_LOSS, XL_REORDER (percent).
XB_TMO=${XB_TMO:-100} # lossy transfers take time
source "$(dirname "$0")/../lib/net.sh"
XN_PFX=xl XN_NET4=10.237 XN_NET6=fd00:237 XN_NO_IPV6=1
source "$(dirname "$0")/../lib/netem.sh"

SIZE=${XL_SIZE:-4194304}
LOSS=${XL_LOSS:-5}
REORDER=${XL_REORDER:-5}

xb_require_root
xb_require_cmds ip nsenter python3 ethtool timeout
xb_require_xmptcp
xb_require_bin "$XMPTCPD" "$XNETEM"
xb_require_netns

C="xlc$$" S="xls$$" R="xlr$$"
xn_topology "$C" "$S" "$R" --delay 5 --loss "$LOSS" --reorder "$REORDER" --seed 7 ||
	xb_skip_all "cannot build the relayed topology: $(cat "$(xn_netem_log 1)" 2>/dev/null)"
xn_static_arp 1
CIF=$(xn_if 1 c) SIF=$(xn_if 1 s)
CA=$(xn_addr4 1 c) SA=$(xn_addr4 1 s)
xb_attach_ends relayed_topology_attached "$C:$CIF" "$S:$SIF"

# NAME A B: A's sent == B's recv (bytes, sha256), both ways
check_both_ways() {
	xb_check_bytes "${1}_forward_sha256" "$2" "$3" +1
	xb_check_bytes "${1}_reply_sha256" "$3" "$2" +1
}

# NAME FILE: xmptcpd's summary says MPTCP end to end, closed cleanly
check_ours_clean() {
	[ "$(xb_json 'd["error"] is None and d["mp_capable"] and not d["mptcp"]["fallback"] and d["mptcp"]["data_fin_acked"] and d["mptcp"]["data_fin_rcvd"]' "$2")" = True ] &&
		ok "${1}_mptcp_clean_close" || not_ok "${1}_mptcp_clean_close" "$(cut -c1-600 "$2")"
}

# NAME: the relay lost and reordered frames in both directions
check_relay() {
	local st
	st=$(xn_netem_stats 1)
	python3 - "$st" <<'EOF' && ok "${1}_relay_lost_and_reordered_both_ways" || not_ok "${1}_relay_lost_and_reordered_both_ways" "$st"
import json, sys
d = json.loads(sys.argv[1])
sys.exit(0 if all(d[k]["lost"] > 0 and d[k]["reordered"] > 0 for k in ("ab", "ba")) else 1)
EOF
}

port=6101
run_case() { # NAME: restarts the relay (fresh counters), runs one case
	local name=$1 dir="$XB_TMP/$1" rc=0
	mkdir -p "$dir"
	xn_netem_set 1 --delay 5 --loss "$LOSS" --reorder "$REORDER" --seed "$port"
	case $name in
	ours_to_kernel)
		xb_kernel_server "$S" mptcp "$SA" $port 1048576 7 "$dir/b" &&
			{ xb_ours_client "$C" "$CIF" "$SA:$port" "$SIZE" 1 "$dir/a" -q --ctl none || rc=$?; }
		;;
	kernel_to_ours)
		xb_ours_server "$C" "$CIF" "$CA:$port" 1048576 2 "$dir/a" --ctl none &&
			{ xb_kernel_client "$S" mptcp "$CA" $port "$SIZE" 7 "$dir/b" || rc=$?; }
		;;
	ours_to_ours)
		xb_ours_server "$S" "$SIF" "$SA:$port" 1048576 2 "$dir/b" --ctl none &&
			{ xb_ours_client "$C" "$CIF" "$SA:$port" "$SIZE" 1 "$dir/a" -q --ctl none || rc=$?; }
		;;
	esac || rc=100
	wait "$XB_PID" || rc=$((rc ? rc : 100))
	port=$((port + 1))
	xb_check_ran "${name}_completed" "$rc" "$dir/a" "$dir/b" || return
	echo "# $name: $(xb_json '"%.1f s, %s Mbit/s, retrans %s" % (d["seconds"], d["goodput_mbps"], d["subflow"].get("RetransSegs", 0))' "$dir/a")"
	check_both_ways "$name" "$dir/a" "$dir/b"
	check_ours_clean "$name" "$dir/a"
	if [ "$name" = ours_to_ours ]; then
		check_ours_clean "${name}_server" "$dir/b"
	else
		[ "$(xb_json 'd["fallback"]' "$dir/b")" = False ] && ok "${name}_kernel_no_fallback" ||
			not_ok "${name}_kernel_no_fallback" "$(cat "$dir/b")"
	fi
	check_relay "$name"
}

run_case ours_to_kernel
run_case kernel_to_ours
run_case ours_to_ours

xb_finish
