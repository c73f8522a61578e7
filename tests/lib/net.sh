# shellcheck shell=bash
# Shared helpers of the namespace tests (tests/net/*.sh), the benchmarks
# (bench/*.sh) and the scripts (scripts/demo.sh, soak.sh): TAP-like results
# ("ok - x", "not ok - x", "ok - x # SKIP why"), exit codes 0 pass / 1 fail
# / 4 skipped (kernel selftests), namespaces and veth paths that are always
# removed on exit (trap), pins included, `xmptcp attach`, xmptcpd and the
# kernel's endpoint (tests/lib/kpeer.py) started in a namespace and waited
# for, byte-exact checks of what they report (sha256), waits with a
# deadline, nstat counters and JSON reads.
#
# Namespace commands that pin or read pins run through xb_nsx (nsenter
# --net): `ip netns exec` remounts /sys privately, so pins made inside it
# vanish with the command (DESIGN.md, known pitfalls).

XB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XB_BUILD=${BUILD:-build}
[[ "$XB_BUILD" = /* ]] || XB_BUILD="$XB_ROOT/$XB_BUILD"
XB_LIBDIR="$XB_ROOT/tests/lib"	# python3 helpers: kpeer.py, the kernel's endpoint, and the checks
XMPTCP=${XMPTCP:-$XB_BUILD/xmptcp}
XMPTCPD=${XMPTCPD:-$XB_BUILD/xmptcpd}
XB_KPEER="$XB_LIBDIR/kpeer.py"
XB_TMO=${XB_TMO:-30} # per-transfer limit of the endpoints below, seconds
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
	printf '#!/bin/sh\nexec taskset -c %q %q "$@"\n' "$XB_DAEMON_CPU" "$XMPTCPD" \
		>"$XB_TMP/xmptcpd"
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

# xb_require_pymod MODULE: sets XB_PY to a python3 that imports MODULE:
# python3 on PATH, else the system's /usr/bin/python3, where Debian's
# python3-* packages install (a pyenv python3 first on PATH does not see
# them; scripts/deps.sh checks the same two). Missing: a failure, as a
# missing command is.
xb_require_pymod() {
	local py
	for py in python3 /usr/bin/python3; do
		command -v "$py" >/dev/null 2>&1 && "$py" -c "import $1" >/dev/null 2>&1 &&
			{ XB_PY=$(command -v "$py"); return 0; }
	done
	echo "not ok - $XB_TEST: missing python3 module $1 (scripts/deps.sh installs it)"
	exit 1
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

# xb_detach NS: every attachment of xmptcp in NS removed, pins included.
xb_detach() {
	xb_nsx "$1" "$XMPTCP" -q detach --all >/dev/null 2>&1
}

xb_cleanup() {
	local ns pin
	for ns in "${XB_NS[@]}"; do
		[ -e "/var/run/netns/$ns" ] || continue
		pin=$(xb_pin_dir "$ns")
		[ -x "$XMPTCP" ] && xb_detach "$ns"
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

# xb_ns_add NAME...: fresh namespaces, lo up, removed on exit.
xb_ns_add() {
	local ns
	for ns in "$@"; do
		ip netns add "$ns" || return 1
		XB_NS+=("$ns")
		# Pins of a dead namespace whose inode this one reuses are left
		# alone: xmptcp tells them from ours (test_netns_reuse.sh).
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0
		ip netns exec "$ns" sysctl -qw net.mptcp.enabled=1 2>/dev/null
	done
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
# with metadata on by mistake. XB_ATTACH_MODE says which mode took.
xb_attach() {
	local ns=$1
	shift
	XB_ATTACH_MODE=native
	xb_nsx "$ns" "$XMPTCP" -q attach "$@" --mode native 2>"$XB_TMP/attach.err" >&2 || {
		XB_ATTACH_MODE=generic
		xb_nsx "$ns" "$XMPTCP" -q attach "$@" --mode generic 2>>"$XB_TMP/attach.err" >&2
	} || { XB_ATTACH_MODE=failed; return 1; }
	[ "${XMPTCP_NO_META:-0}" = 1 ] || return 0
	xb_nsx "$ns" "$XMPTCP" status -j | python3 -c 'import json, sys
d = json.load(sys.stdin)
sys.exit(0 if d["programs"][0]["meta"] is False else 1)' && return 0
	echo "XMPTCP_NO_META=1 but the attached xdp_steer writes metadata" >>"$XB_TMP/attach.err"
	return 1
}

# xb_attach_ends NAME NS:IFACE[,IFACE...]...: xb_attach at every end, one
# "ok - NAME"; the first that fails ends the test with "not ok - NAME" and
# the reasons (nothing after it could run).
xb_attach_ends() {
	local name=$1 e
	shift
	for e in "$@"; do
		# shellcheck disable=SC2086 # the interfaces, comma-separated
		xb_attach "${e%%:*}" $(tr , ' ' <<<"${e#*:}") && continue
		not_ok "$name" "$(cat "$XB_TMP/attach.err")"
		xb_finish
	done
	ok "$name"
}

# xb_offload NS "FEATURE on|off..." IFACE...: ethtool -K FEATURES on each
# interface in NS; non-zero if ethtool failed on any of them.
xb_offload() {
	local ns=$1 f=$2 ifc rc=0
	shift 2
	for ifc in "$@"; do
		# shellcheck disable=SC2086 # FEATURES is a list of words
		ip netns exec "$ns" ethtool -K "$ifc" $f >/dev/null 2>&1 || rc=1
	done
	return $rc
}

# xb_tx_off NS IFACE...: tx checksum offload off on veth ends in NS. AF_XDP
# and XDP_TX frames carry no offload state, so a peer that leaves the
# checksum to the NIC sends frames our engine sees with a bad checksum.
xb_tx_off() {
	local ns=$1
	shift
	xb_offload "$ns" "tx off" "$@"
}

# xb_pair C S NET CIF:SIF...: namespaces C and S (made unless they exist)
# joined by one veth path per CIF:SIF, numbered from 1: path i is
# CIF NET.i.1/24 <-> SIF NET.i.2/24. tx checksum offload goes off on every
# end (xb_tx_off: what our engine's peers need); returns once a ping from C
# crosses every path.
xb_pair() {
	local c=$1 s=$2 net=$3 i=0 p ns
	shift 3
	for ns in "$c" "$s"; do
		[ -e "/var/run/netns/$ns" ] || xb_ns_add "$ns" || return 1
	done
	for p in "$@"; do
		i=$((i + 1))
		xb_veth "$c" "${p%%:*}" "$net.$i.1/24" "$s" "${p#*:}" "$net.$i.2/24" || return 1
		xb_tx_off "$c" "${p%%:*}"
		xb_tx_off "$s" "${p#*:}"
	done
	for ((p = 1; p <= i; p++)); do
		xb_wait_ping "$c" "$net.$p.2" || return 1
	done
}

# xb_two_paths CLI SRV: client/server namespaces joined by two veth paths
# (xb_pair),
#   path 1: xbc1 10.231.1.1 <-> xbs1 10.231.1.2
#   path 2: xbc2 10.231.2.1 <-> xbs2 10.231.2.2
# and the kernel's MPTCP path manager set for two subflows: the client has a
# subflow endpoint on path 2 and a default route per path, so its join to
# the server's first address leaves through xbc2 (RFC 8684 3.2).
xb_two_paths() {
	local c=$1 s=$2 ns
	xb_pair "$c" "$s" 10.231 xbc1:xbs1 xbc2:xbs2 || return 1
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
# With --pid PID first, it also gives up (1) as soon as process PID is gone:
# a daemon that died will not get ready.
xb_wait_until() {
	local pid=
	[ "$1" = --pid ] && { pid=$2; shift 2; }
	local end=$((${EPOCHREALTIME/./} + ${1%.*} * 1000000))
	shift
	until "$@"; do
		[ "${EPOCHREALTIME/./}" -lt "$end" ] || return 1
		[ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 0
}

# xb_wait_listening ERRFILE PID [SECS]: wait until the xmptcpd started in
# the background as PID says on stderr (ERRFILE) that it listens, up to SECS
# (10); fails at once if it exited.
xb_wait_listening() {
	xb_wait_until --pid "$2" "${3:-10}" grep -qs listening "$1"
}

# xb_wait_ping NS ADDR [SECS]: wait until a ping from NS to ADDR answers,
# up to SECS (10): a veth's carrier comes up through linkwatch, after the
# command that made it returned.
xb_wait_ping() {
	xb_wait_until "${3:-10}" ip netns exec "$1" ping -c1 -W1 "$2" >/dev/null 2>&1
}

# xb_listens NS PORT: a kernel socket listens on PORT in NS (a proxy's
# listener, an application's server).
xb_listens() {
	[ -n "$(ip netns exec "$1" ss -Htln "sport = :$2")" ]
}

# xb_rx_bytes NS IFACE...: "IFACE BYTES" lines, the interfaces' rx byte
# counters (a check of which path carried what, independent of the endpoints).
xb_rx_bytes() {
	local ns=$1 ifc
	shift
	for ifc in "$@"; do
		echo "$ifc $(ip netns exec "$ns" cat "/sys/class/net/$ifc/statistics/rx_bytes")"
	done
}

# xb_shape_lo NS RATE: lo in NS paced to RATE (tc syntax: 40mbit) by tbf,
# e.g. the hop between an app and a proxy. The bucket holds two of lo's
# largest frames: tbf drops every packet (every GSO segment) larger than
# its bucket, and TCP on lo sends segments of up to its 64 KB MTU, which a
# local drop never makes smaller, so with a bucket below that (the 16kb of
# a veth's tbf) any TCP connection on lo stops for ever after its first
# small segments: kernel to kernel as much as through a proxy. Non-zero if
# tc failed (no tbf).
xb_shape_lo() {
	local mtu
	mtu=$(ip netns exec "$1" cat /sys/class/net/lo/mtu) || return 1
	ip netns exec "$1" tc qdisc replace dev lo root tbf rate "$2" \
		burst $((2 * (mtu + 14))) latency 100ms
}

# xb_qdisc_sent NS IFACE: the bytes IFACE's root qdisc in NS has sent.
xb_qdisc_sent() {
	ip netns exec "$1" tc -s qdisc show dev "$2" root | awk '$1 == "Sent" { print $2; exit }'
}

# xb_size N[K|M|G]: the size in bytes; fails on anything else.
xb_size() {
	[[ $1 =~ ^[0-9]+[kKmMgG]?$ ]] || return 1
	case $1 in
	*[kK]) echo $((${1%?} << 10)) ;;
	*[mM]) echo $((${1%?} << 20)) ;;
	*[gG]) echo $((${1%?} << 30)) ;;
	*) echo $(($1)) ;;
	esac
}

# xb_usage STATUS: prints the script's header from "# Usage:" to "# Exit"
# (its usage and exit codes), exits STATUS.
xb_usage() {
	sed -n '/^# Usage:/,/^# Exit/p' "$0" | sed 's/^# \{0,1\}//'
	exit "$1"
}

# xb_opts "OPTION=VAR ..." ARGS...: a script's options from a table: each
# "OPTION VALUE" in ARGS sets VAR to VALUE; -h or --help prints the usage
# (xb_usage 0); what the table does not name is left in order in XB_ARGS
# for the caller (flags, options that set more than one variable).
xb_opts() {
	local -A var=()
	local e
	for e in $1; do
		var[${e%%=*}]=${e#*=}
	done
	shift
	XB_ARGS=()
	while [ $# -gt 0 ]; do
		case $1 in -h | --help) xb_usage 0 ;; esac
		if [ -z "${var[$1]:-}" ]; then
			XB_ARGS+=("$1")
			shift
			continue
		fi
		[ $# -ge 2 ] || { echo "$XB_TEST: $1 needs a value" >&2; xb_usage 2; }
		printf -v "${var[$1]}" %s "$2"
		shift 2
	done
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

# xb_wait_file FILE SECS: wait until FILE has something in it (a server's
# ready file), up to SECS.
xb_wait_file() {
	xb_wait_until "$2" test -s "$1"
}

# ---- kernel counters ----------------------------------------------------
# xb_kstat NS: nstat absolute counters of a namespace, "NAME VALUE" lines,
# without touching nstat's history.
xb_kstat() { ip netns exec "$1" nstat -asz 2>/dev/null | awk '{print $1, $2}'; }
xb_delta() { # NAME BEFORE AFTER
	local b a
	b=$(awk -v k="$1" '$1==k {print $2}' "$2")
	a=$(awk -v k="$1" '$1==k {print $2}' "$3")
	echo $((${a:-0} - ${b:-0}))
}
# xb_deltas BEFORE AFTER: every counter that moved, "name=delta ..."
xb_deltas() {
	awk 'NR==FNR {b[$1]=$2; next} $2 != b[$1] {printf "%s=%d ", $1, $2 - b[$1]}' "$1" "$2"
}

# ---- endpoints ----------------------------------------------------------
# SEND, what an endpoint sends: N bytes of a seeded pattern (SEED), the file
# F for @F, or the pattern for T seconds for Ts (a transfer sized by time,
# as long on a fast machine as on a slow one). Each leaves its JSON summary
# in OUT and its stderr in OUT.err, and gives up after XB_TMO seconds.

# xb_src SEND SEED: xmptcpd's source options for SEND.
xb_src() {
	case $1 in
	@*) echo "--send-file ${1#@}" ;;
	*s) echo "--send-time ${1%s} --seed $2" ;;
	*) echo "--send-bytes $1 --seed $2" ;;
	esac
}

# xb_ours_server NS IFACE ADDR:PORT SEND SEED OUT [ARGS...]: xmptcpd --listen
# --sink in the background (pid in XB_PID); returns once it listens.
xb_ours_server() {
	local ns=$1 ifc=$2 ep=$3 send=$4 seed=$5 out=$6
	shift 6
	# nsenter, not xb_nsx: a function in the background would be a subshell
	# whose pid is not the one that takes a signal
	# shellcheck disable=SC2046 # xb_src prints options
	nsenter --net="/var/run/netns/$ns" timeout "$((XB_TMO + 10))" "$XMPTCPD" --iface "$ifc" \
		--listen "$ep" --sink $(xb_src "$send" "$seed") --timeout "$XB_TMO" "$@" \
		>"$out" 2>"$out.err" &
	XB_PID=$!
	xb_wait_listening "$out.err" "$XB_PID" || xb_stop "$XB_PID"
}

# xb_ours_client NS IFACE ADDR:PORT SEND SEED OUT [ARGS...]: xmptcpd
# --connect, in the foreground.
xb_ours_client() {
	local ns=$1 ifc=$2 ep=$3 send=$4 seed=$5 out=$6
	shift 6
	# shellcheck disable=SC2046 # xb_src prints options
	xb_nsx "$ns" timeout "$((XB_TMO + 10))" "$XMPTCPD" --iface "$ifc" --connect "$ep" \
		$(xb_src "$send" "$seed") --timeout "$XB_TMO" "$@" >"$out" 2>"$out.err"
}

# xb_kernel_server NS mptcp|tcp ADDR PORT SEND SEED OUT [KPEER_OPTION...]:
# the kernel's endpoint (kpeer.py: reads to EOF, then sends SEND) in the
# background (XB_PID); returns once it listens.
xb_kernel_server() {
	rm -f "$7.ready"
	nsenter --net="/var/run/netns/$1" timeout "$((XB_TMO + 10))" python3 "$XB_KPEER" server \
		"$3" "$4" "$5" --seed "$6" --proto "$2" --timeout "$XB_TMO" --ready "$7.ready" "${@:8}" \
		>"$7" 2>"$7.err" &
	XB_PID=$!
	xb_wait_until --pid "$XB_PID" 10 test -s "$7.ready" || xb_stop "$XB_PID"
}

# xb_stop PID: a server that did not get ready is ended, not left holding
# its port or AF_XDP socket for the next case; returns 1.
xb_stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 1
}

# xb_kernel_client NS mptcp|tcp ADDR PORT SEND SEED OUT [KPEER_OPTION...]:
# kpeer.py sends SEND, then reads to EOF; in the foreground.
xb_kernel_client() {
	xb_nsx "$1" timeout "$((XB_TMO + 10))" python3 "$XB_KPEER" client "$3" "$4" "$5" --seed "$6" \
		--proto "$2" --timeout "$XB_TMO" "${@:8}" >"$7" 2>"$7.err"
}

# xb_xfer CLI SRV ADDR PORT C2S S2C OUT [KPEER_OPTION...]: one transfer
# between two kernel endpoints (MPTCP unless --proto tcp), C2S bytes from
# CLI to SRV's ADDR:PORT, then S2C back; the summaries in OUT.client and
# OUT.server. Non-zero if either side failed.
xb_xfer() {
	local c=$1 s=$2 addr=$3 port=$4 c2s=$5 s2c=$6 out=$7 rc=0
	shift 7
	xb_kernel_server "$s" mptcp "$addr" "$port" "$s2c" 2 "$out.server" "$@" || return 1
	xb_kernel_client "$c" mptcp "$addr" "$port" "$c2s" 1 "$out.client" "$@" || rc=1
	wait "$XB_PID" || rc=1
	return $rc
}

# xb_check_bytes NAME SENDER_JSON RECEIVER_JSON SIZE: the receiver got
# exactly what the sender sent (count and sha256), and that is SIZE bytes,
# or at least MIN bytes for a SIZE of +MIN (a transfer sized by time).
xb_check_bytes() {
	local name=$1 s r n
	s=$(xb_json 'd["sent"], d["sent_sha256"]' "$2")
	r=$(xb_json 'd["recv"], d["recv_sha256"]' "$3")
	n=${s%% *}
	if [ -n "$s" ] && [ "$s" = "$r" ] &&
		{ [ "$n" = "$4" ] || { [ "${4#+}" != "$4" ] && [ "$n" -ge "${4#+}" ]; }; }; then
		ok "$name"
	else
		not_ok "$name" "sent:     $s" "received: $r" "want ${4/#+/at least } bytes"
	fi
}

# xb_check_ran NAME "STATUS..." SUMMARY... [-- DIAG...]: "ok - NAME" when
# every exit STATUS is 0 and every endpoint SUMMARY file has something in
# it; else "not ok - NAME" with the statuses, each summary (its end) and
# the end of its stderr (SUMMARY.err), then DIAG; returns 1.
xb_check_ran() {
	local name=$1 st=$2 bad= f s files=() d=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		files+=("$1")
		shift
	done
	for s in $st; do [ "$s" = 0 ] || bad=1; done
	for f in "${files[@]}"; do [ -s "$f" ] || bad=1; done
	[ -z "$bad" ] && { ok "$name"; return 0; }
	for f in "${files[@]}"; do
		d+=("${f##*/}: $(tail -c 800 "$f" 2>/dev/null)"
			"${f##*/} stderr: $(tail -n 5 "$f.err" 2>/dev/null)")
	done
	not_ok "$name" "exit statuses: $st" "${d[@]}" "${@:2}"
	return 1
}

# xb_check_file NAME FILE RECEIVER_JSON: the receiver got exactly FILE.
xb_check_file() {
	local got want
	got=$(xb_json 'd["recv"], d["recv_sha256"]' "$3")
	want="$(stat -c %s "$2") $(sha256sum "$2" | cut -d' ' -f1)"
	[ "$got" = "$want" ] && ok "$1" || not_ok "$1" "received: $got" "sent:     $want"
}

# xb_check_prefix NAME FILE RECEIVER_JSON: what the receiver got is a prefix
# of FILE (possibly all of it, possibly nothing): never a wrong byte.
xb_check_prefix() {
	local n got want
	n=$(xb_json 'd["recv"]' "$3")
	got=$(xb_json 'd["recv_sha256"]' "$3")
	if [ -z "$n" ]; then
		not_ok "$1" "no summary from the receiver"
		return
	fi
	want=$(head -c "$n" "$2" | sha256sum | cut -d' ' -f1)
	[ "$n" -le "$(stat -c %s "$2")" ] && [ "$got" = "$want" ] && ok "$1" ||
		not_ok "$1" "received $n bytes, sha256 $got" \
			"first $n bytes sent: $want (of $(stat -c %s "$2"))"
}

