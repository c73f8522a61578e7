# shellcheck shell=bash
# The tc BPF wire program of tests/lib/strip_mptcp.bpf.c for the namespace
# tests (source tests/lib/net.sh first): an MPTCP option stripper on a
# router (test_middlebox.sh), or an observer that counts SYN/FIN/RST where a
# capture cannot see AF_XDP frames (test_engine_ours.sh, test_middlebox.sh).
#
# Why a BPF observer rather than a capture: frames sent through AF_XDP on a
# veth leave by a direct transmit that skips the packet taps, and frames an
# XDP program redirects to an XSK never reach them either, so dumpcap on
# either end of a veth between two xmptcpd instances sees nothing. A tc
# ingress program on a third namespace's interface sees every frame.

XM_STRIP_SRC="$XB_LIBDIR/strip_mptcp.bpf.c"

# xm_require_tools: what a test with the tc program and xmptcpd needs.
xm_require_tools() {
	xb_require_root
	xb_require_cmds ip clang tc bpftool python3 nstat ethtool timeout nsenter
	xb_require_xmptcp
	xb_require_bin "$XMPTCPD"
	xb_require_netns
}

# xm_bpf_obj MODE [AFTER [DROP_AT DROP_N]]: builds the program once per
# mode, prints its path.
xm_bpf_obj() {
	local mode=$1 after=${2:-64} at=${3:-100000} n=${4:-4}
	local obj="$XB_TMP/strip_m$1_a${after}_d${at}x$n.o"
	if [ ! -s "$obj" ]; then
		clang -O2 -g -target bpf -Wall -Werror -DSTRIP_MODE="$mode" -DSTRIP_AFTER="$after" \
			-DDROP_AT="$at" -DDROP_N="$n" \
			-c "$XM_STRIP_SRC" -o "$obj" >"$XB_TMP/clang.err" 2>&1 || return 1
	fi
	echo "$obj"
}

# xm_tc_attach NS IFACE OBJ: OBJ at IFACE's clsact ingress (replacing any).
xm_tc_attach() {
	ip netns exec "$1" tc qdisc del dev "$2" clsact 2>/dev/null
	ip netns exec "$1" tc qdisc add dev "$2" clsact &&
		ip netns exec "$1" tc filter add dev "$2" ingress bpf da obj "$3" sec tc
}

# xm_tc_setup NAME NS:IFACE:OBJ...: each OBJ at its interface; one
# "ok - NAME", or the whole test skipped with tc's error (the tests need
# the program to judge anything).
xm_tc_setup() {
	local name=$1 e ns ifc
	shift
	: >"$XB_TMP/tc.err"
	for e in "$@"; do
		ns=${e%%:*} ifc=${e#*:}
		xm_tc_attach "$ns" "${ifc%%:*}" "${ifc#*:}" >>"$XB_TMP/tc.err" 2>&1 ||
			xb_skip_all "$name: cannot attach $e: $(tail -1 "$XB_TMP/tc.err")"
	done
	ok "$name"
}

xm_tc_detach() {
	ip netns exec "$1" tc qdisc del dev "$2" clsact 2>/dev/null
	return 0
}

# xm_tc_stats NS IFACE: the attached program's counters as "name=value ...",
# in enum order of strip_mptcp.bpf.c.
xm_tc_stats() {
	local id map
	id=$(ip netns exec "$1" tc filter show dev "$2" ingress | sed -n 's/.* id \([0-9]*\) .*/\1/p' | head -1)
	[ -n "$id" ] || return 1
	map=$(bpftool -j prog show id "$id" | python3 -S -c 'import json,sys; print(json.load(sys.stdin)["map_ids"][0])') ||
		return 1
	bpftool -j map dump id "$map" | python3 -S -c '
import json, sys
names = ["tcp", "data", "mptcp", "stripped", "opts", "err", "rst", "syn", "fin", "dropped", "copy"]
v = {}
for e in json.load(sys.stdin):
    k, val = e["key"], e["value"]
    k = k if isinstance(k, int) else int.from_bytes(bytes(int(x, 16) for x in k), "little")
    val = val if isinstance(val, int) else int.from_bytes(bytes(int(x, 16) for x in val), "little")
    v[k] = val
print(" ".join("%s=%d" % (n, v.get(i, 0)) for i, n in enumerate(names)))'
}

# xm_stat "STATS" NAME: one counter out of an xm_tc_stats line.
xm_stat() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1==k {print $2}'; }

