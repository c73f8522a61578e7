# shellcheck shell=bash
# Shared helpers of the namespace tests (tests/net/*.sh) and scripts/demo.sh:
# TAP-like results ("ok - x", "not ok - x", "ok - x # SKIP why"), exit codes
# 0 pass / 1 fail / 4 skipped (kernel selftests), namespaces and veth paths
# that are always removed on exit (trap), pins included, and a python3
# MPTCP transfer endpoint that checks every byte with sha256.
#
# Namespace commands that pin or read pins run through xb_nsx (nsenter
# --net): `ip netns exec` remounts /sys privately, so pins made inside it
# vanish with the command (DESIGN.md, known pitfalls).

XB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XB_BUILD=${BUILD:-build}
[[ "$XB_BUILD" = /* ]] || XB_BUILD="$XB_ROOT/$XB_BUILD"
XB_LIBDIR="$XB_ROOT/tests/lib"	# python3 helpers (mptcp_sock.py) the kernel peers import
XMPTCP=${XMPTCP:-$XB_BUILD/xmptcp}
XB_TEST=${XB_TEST:-$(basename "$0" .sh)}
XB_TMP=$(mktemp -d /tmp/xb.XXXXXX)
XB_NS=()
xb_npass=0 xb_nfail=0 xb_nskip=0

# XB_DAEMON_CPU=LIST (taskset -c syntax: 0, 0-1, ...): every xmptcpd a test
# or script starts through $XMPTCPD runs on those CPUs only, to check that
# verdicts hold when the daemons share one busy core. A wrapper that execs
# taskset, which execs the daemon: the pid a test waits for or signals is
# the daemon's still.
if [ -n "${XB_DAEMON_CPU:-}" ]; then
	command -v taskset >/dev/null || { echo "XB_DAEMON_CPU needs taskset" >&2; exit 1; }
	printf '#!/bin/sh\nexec taskset -c %q %q "$@"\n' "$XB_DAEMON_CPU" \
		"${XMPTCPD:-$XB_BUILD/xmptcpd}" >"$XB_TMP/xmptcpd"
	chmod +x "$XB_TMP/xmptcpd"
	XMPTCPD="$XB_TMP/xmptcpd"
fi

ok() { echo "ok - $1"; xb_npass=$((xb_npass + 1)); }
not_ok() {
	echo "not ok - $1"
	shift
	local l
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/#   /'; done
	xb_nfail=$((xb_nfail + 1))
}
skip() { echo "ok - $1 # SKIP $2"; xb_nskip=$((xb_nskip + 1)); }

# check NAME CMD...: ok when CMD succeeds; its output is shown on failure.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "command: $*" "$out"; fi
}

# The whole test cannot run here: one skip line, exit 4. In CI (CI=true) the
# machine is set up by `make deps` and must run everything, so a test that
# cannot run there fails instead of hiding behind a skip.
xb_skip_all() {
	if [ "${CI:-}" = true ]; then
		echo "not ok - $XB_TEST: cannot run in CI: $1"
		exit 1
	fi
	echo "ok - $XB_TEST # SKIP $1"
	exit 4
}

xb_finish() {
	[ "$xb_nfail" -gt 0 ] && exit 1
	[ "$xb_npass" -eq 0 ] && [ "$xb_nskip" -gt 0 ] && exit 4
	exit 0
}

xb_require_root() {
	[ "$(id -u)" -eq 0 ] || xb_skip_all "needs root"
}

# A missing command is a failure, not a skip: `make deps` installs every
# command the tests use (scripts/deps.sh), so its absence is a broken setup.
xb_require_cmds() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		echo "not ok - $XB_TEST: missing command $c (scripts/deps.sh installs it)"
		exit 1
	done
}

# xb_require_bin PATH...: every PATH is a built executable, else the whole
# test is skipped (a failure in CI, see xb_skip_all).
xb_require_bin() {
	local b
	for b in "$@"; do
		[ -x "$b" ] || xb_skip_all "$b not built (make BUILD=...)"
	done
}

xb_require_xmptcp() {
	xb_require_bin "$XMPTCP"
}

# Checks that namespaces work at all (containers may forbid them).
xb_require_netns() {
	local probe="xbprobe$$"
	ip netns add "$probe" 2>/dev/null || xb_skip_all "cannot create network namespaces"
	ip netns del "$probe"
}

xb_nsx() { # NS CMD...: run CMD in NS's network namespace, host mount namespace
	local ns=$1
	shift
	nsenter --net="/var/run/netns/$ns" "$@"
}

# Default pin dir of xmptcp in NS: /sys/fs/bpf/xmptcp/ns<netns inode>.
xb_pin_dir() {
	echo "/sys/fs/bpf/xmptcp/ns$(stat -L -c %i "/var/run/netns/$1")"
}

xb_cleanup() {
	local ns pin
	for ns in "${XB_NS[@]}"; do
		[ -e "/var/run/netns/$ns" ] || continue
		pin=$(xb_pin_dir "$ns")
		[ -x "$XMPTCP" ] && xb_nsx "$ns" "$XMPTCP" -q detach --all >/dev/null 2>&1
		# a crashed run may leave pins the CLI cannot parse: remove them too
		[ -d "$pin" ] && rm -rf "$pin"
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rmdir /sys/fs/bpf/xmptcp 2>/dev/null
	rm -rf "$XB_TMP"
}
trap xb_cleanup EXIT
trap 'exit 130' INT TERM

# xb_ns_add NAME: a fresh namespace, lo up, removed on exit.
xb_ns_add() {
	ip netns add "$1" || return 1
	XB_NS+=("$1")
	# Pins of a dead namespace whose inode this one reuses are left alone:
	# xmptcp tells them from ours (tests/net/test_netns_reuse.sh).
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	ip netns exec "$1" sysctl -qw net.mptcp.enabled=1 2>/dev/null
	return 0
}

# xb_veth NS1 IF1 ADDR1/LEN NS2 IF2 ADDR2/LEN: one path between two namespaces.
xb_veth() {
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4" || return 1
	ip -n "$1" addr add "$3" dev "$2" && ip -n "$4" addr add "$6" dev "$5" &&
		ip -n "$1" link set "$2" up && ip -n "$4" link set "$5" up
}

# xb_attach NS IFACE...: `xmptcp attach` in NS, native XDP else generic;
# on failure the reasons are in $XB_TMP/attach.err and it returns non-zero.
# With XMPTCP_NO_META=1 exported (tests/run.sh's [no-meta] runs) xmptcp
# attaches without XDP metadata; checked here, so such a run cannot pass
# with metadata on by mistake.
xb_attach() {
	local ns=$1
	shift
	xb_nsx "$ns" "$XMPTCP" -q attach "$@" --mode native 2>"$XB_TMP/attach.err" ||
		xb_nsx "$ns" "$XMPTCP" -q attach "$@" --mode generic 2>>"$XB_TMP/attach.err" ||
		return 1
	[ "${XMPTCP_NO_META:-0}" = 1 ] || return 0
	xb_nsx "$ns" "$XMPTCP" status -j | python3 -c 'import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d["programs"][0]["meta"] is False else 1)' && return 0
	echo "XMPTCP_NO_META=1 but the attached xdp_steer writes metadata" >>"$XB_TMP/attach.err"
	return 1
}

# xb_tx_off NS IFACE...: tx checksum offload off on veth ends in NS. AF_XDP
# and XDP_TX frames carry no offload state, so a peer that leaves the
# checksum to the NIC sends frames our engine sees with a bad checksum.
# Returns non-zero if ethtool failed on any of them.
xb_tx_off() {
	local ns=$1 ifc rc=0
	shift
	for ifc in "$@"; do
		ip netns exec "$ns" ethtool -K "$ifc" tx off >/dev/null 2>&1 || rc=1
	done
	return $rc
}

# xb_two_paths CLI SRV: client/server namespaces joined by two veth paths,
#   path 1: xbc1 10.231.1.1 <-> xbs1 10.231.1.2
#   path 2: xbc2 10.231.2.1 <-> xbs2 10.231.2.2
# and the kernel's MPTCP path manager set for two subflows: the client has a
# subflow endpoint on path 2 and a default route per path, so its join to
# the server's first address leaves through xbc2 (RFC 8684 3.2).
xb_two_paths() {
	local c=$1 s=$2 ns
	xb_ns_add "$c" && xb_ns_add "$s" || return 1
	xb_veth "$c" xbc1 10.231.1.1/24 "$s" xbs1 10.231.1.2/24 || return 1
	xb_veth "$c" xbc2 10.231.2.1/24 "$s" xbs2 10.231.2.2/24 || return 1
	ip -n "$c" route add default via 10.231.1.2 dev xbc1 metric 101 || return 1
	ip -n "$c" route add default via 10.231.2.2 dev xbc2 metric 102 || return 1
	for ns in "$c" "$s"; do
		ip -n "$ns" mptcp limits set subflows 2 add_addr_accepted 2 || return 1
	done
	ip -n "$c" mptcp endpoint add 10.231.2.1 dev xbc2 subflow
}

# xb_wait_until SECS CMD...: runs CMD every 0.1 s until it succeeds (0) or
# SECS of wall clock have passed (1). A test waits for the condition it
# needs, never for a fixed time (STYLE.md), and the deadline is time, not a
# count of tries, so a slow CMD does not stretch it.
xb_wait_until() {
	local end=$((${EPOCHREALTIME/./} + ${1%.*} * 1000000))
	shift
	until "$@"; do
		[ "${EPOCHREALTIME/./}" -lt "$end" ] || return 1
		sleep 0.1
	done
	return 0
}

# xb_wait_ping NS ADDR [SECS]: wait until a ping from NS to ADDR answers,
# up to SECS (10): a veth's carrier comes up through linkwatch, after the
# command that made it returned.
xb_wait_ping() {
	xb_wait_until "${3:-10}" ip netns exec "$1" ping -c1 -W1 "$2" >/dev/null 2>&1
}

# xb_json EXPR [FILE]: prints python EXPR over d, the first JSON value in
# FILE (or stdin): one document, or the first line of JSON lines. Prints
# nothing and fails when there is none or EXPR raises: the caller's check
# reports it. EXPR is pasted into print(...): `d["a"], d["b"]` prints "A B".
xb_json() {
	python3 -S -c "import json, sys
f = open(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin
d = json.JSONDecoder().raw_decode(f.read().lstrip())[0]
print($1)" "${@:2}" 2>/dev/null
}

# Wait until FILE exists (server ready), up to SECS.
xb_wait_file() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# The MPTCP transfer endpoint (both sides, one JSON line each; usage in it).
XB_XFER_PY="$XB_LIBDIR/xfer.py"

# xb_xfer CLI SRV C2S S2C OUTPREFIX [EXTRA_SUBFLOWS]: runs one MPTCP transfer
# from CLI to SRV's 10.231.1.2:5201 and leaves the JSON reports in
# OUTPREFIX.server / OUTPREFIX.client. Returns non-zero if either side failed.
xb_xfer() {
	local c=$1 s=$2 c2s=$3 s2c=$4 out=$5 want=${6:-0} py=$XB_XFER_PY spid rc=0
	rm -f "$out.ready"
	xb_nsx "$s" timeout 150 python3 "$py" server 10.231.1.2 5201 "$s2c" "$out.ready" \
		>"$out.server" 2>"$out.server.err" &
	spid=$!
	xb_wait_file "$out.ready" 10 || { kill "$spid" 2>/dev/null; return 1; }
	xb_nsx "$c" timeout 150 python3 "$py" client 10.231.1.2 5201 "$c2s" "$want" \
		>"$out.client" 2>"$out.client.err" || rc=1
	wait "$spid" || rc=1
	return $rc
}
