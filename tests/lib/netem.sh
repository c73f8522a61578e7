# shellcheck shell=bash
# Emulated paths for the namespace tests: CLIENT --veth-- ROUTER --veth--
# SERVER, one L2 segment through tests/tools/xnetem (a userspace netem: this kernel
# has no sch_netem) running in ROUTER. Source after tests/lib/net.sh: the
# namespaces go into net.sh's XB_NS, so its EXIT trap (xb_cleanup) kills the
# relays (every process of those namespaces) and removes the namespaces.
#
# Paths are numbered (ID 1..254); several paths may share namespaces (two
# relays in one router namespace) or use their own. Call xn_path and
# xn_netem_set from the test's own shell, not in $(...): the path tables are
# shell variables (pids are kept in files as well).
#
#   xn_path ID CLI SRV RTR [XNETEM_OPTION...]
#       Builds path ID and starts its relay with the options (see
#       `xnetem --help`: --delay, --jitter, --loss, --dup, --reorder, --rate,
#       --limit, each also as --ab-X / --ba-X; a->b is client->server).
#       Missing namespaces are created with xb_ns_add. XN_RT=PRIO runs the
#       relays SCHED_FIFO (accurate release times on a loaded host). Interfaces
#       (XN_PFX, default "xn", keeps names clear of other tests'):
#         CLI: ${XN_PFX}${ID}c   10.233.ID.1/24  fd00:233:ID::1/64
#         RTR: ${XN_PFX}${ID}ra (to CLI), ${XN_PFX}${ID}rb (to SRV), no address
#         SRV: ${XN_PFX}${ID}s   10.233.ID.2/24  fd00:233:ID::2/64
#       The prefixes come from XN_NET4 (10.233) and XN_NET6 (fd00:233);
#       XN_NO_IPV6=1 builds an IPv4-only path (IPv6 off before link up: no
#       ND/MLD frames at all, for frame-exact experiments). GRO,
#       GSO, TSO and tx checksumming are off on all four ends: the relay
#       forwards frames as they come, so super-frames or unfinished
#       checksums would reach the other end as they are.
#   xn_topology CLI SRV RTR [XNETEM_OPTION...]      xn_path 1 ...
#   xn_two_paths ID1 ID2 CLI SRV RTR
#       Two paths (relays unimpaired: xn_netem_set each) plus the kernel's
#       MPTCP routes, limits and a subflow endpoint on ID2, as net.sh's
#       xb_two_paths. With XN_NET4=10.231 and IDs 1 2 its addresses are
#       xb_two_paths' and xb_xfer (server 10.231.1.2) runs over the relays.
#   xn_netem_set ID [XNETEM_OPTION...]
#       Restarts path ID's relay with new options (counters start at 0;
#       frames held at that moment are lost, as in a link flap).
#   xn_netem_stats ID   prints a fresh stats JSON of the running relay
#                       (SIGUSR1); after xn_netem_stop, its final one.
#   xn_netem_stop ID    SIGTERM, waits; returns the relay's exit code.
#   xn_netem_pid ID     the relay's pid.
#   xn_netem_log ID     path of the relay's stderr (this run's: emptied at start).
#   xn_if ID c|ra|rb|s  an interface name;  xn_addr4/xn_addr6 ID c|s  an address.
#   xn_ns_of ID c|s|r      the namespace of that end of path ID.
#   xn_static_arp ID       permanent IPv4 neighbours on both ends: no ARP
#                          frames cross the relay (frame-exact runs).
#   xn_link_flap ID SECS   router side to the client down for SECS, then up.
#   xn_udp_probe CLI SRV ADDR COUNT GAP_US OUT
#       COUNT numbered UDP datagrams, GAP_US apart, from CLI to SRV's ADDR;
#       OUT gets one JSON object: "recv" (datagrams, copies included),
#       "unique", "dups", "late" (arrived after a higher number) and "seqs"
#       (numbers received, in arrival order). The receiver stops 0.5 s after
#       the last datagram. Frame-exact with xn_static_arp and XN_NO_IPV6.
#
# The relays are children of the shell that started them: a bare `wait`
# there would wait for them too; wait for specific pids.

XNETEM=${XNETEM:-$XB_BUILD/tests/tools/xnetem}
XN_PFX=${XN_PFX:-xn}
XN_NET4=${XN_NET4:-10.233}
XN_NET6=${XN_NET6:-fd00:233}
declare -A XN_RTR XN_CLI XN_SRV XN_PID XN_N4 XN_N6
# The interpreter itself, not a version-manager shim that costs a process
# tree per call (the helpers call python often).
XN_PY=${XN_PY:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || echo python3)}

xn_if() { # ID ROLE
	echo "${XN_PFX}${1}${2}"
}

# A path keeps the prefixes it was built with (XN_N4/XN_N6).
xn_addr4() { # ID c|s
	local n=${XN_N4[$1]:-$XN_NET4}
	[ "$2" = c ] && echo "$n.$1.1" || echo "$n.$1.2"
}

xn_addr6() { # ID c|s
	local n=${XN_N6[$1]:-$XN_NET6}
	[ "$2" = c ] && echo "$n:$1::1" || echo "$n:$1::2"
}

xn_netem_log() { echo "$XB_TMP/xnetem.$1.log"; }
xn_netem_pid() { cat "$XB_TMP/xnetem.$1.pid" 2>/dev/null; }
xn_stats_file() { echo "$XB_TMP/xnetem.$1.json"; }

# ns_ensure NS: create NS (registered for cleanup) unless it exists.
xn_ns_ensure() {
	[ -e "/var/run/netns/$1" ] || xb_ns_add "$1"
}

# Offloads off on one end: a GRO/GSO super-frame or a CHECKSUM_PARTIAL frame
# would cross the relay unchanged and be dropped by the other end.
xn_offloads_off() { # NS IF
	ip netns exec "$1" ethtool -K "$2" gro off gso off tso off tx off >/dev/null 2>&1 ||
		{
			echo "netem: cannot turn offloads off on $2 in $1" >&2
			return 1
		}
}

xn_path() {
	local id=$1 c=$2 s=$3 r=$4 ifc ifa ifb ifs ns
	shift 4
	[ -x "$XNETEM" ] || { echo "netem: $XNETEM not built" >&2; return 1; }
	ifc=$(xn_if "$id" c) ifa=$(xn_if "$id" ra) ifb=$(xn_if "$id" rb) ifs=$(xn_if "$id" s)
	XN_N4[$id]=$XN_NET4 XN_N6[$id]=$XN_NET6
	for ns in "$c" "$s" "$r"; do
		xn_ns_ensure "$ns" || return 1
	done
	ip link add "$ifc" netns "$c" type veth peer name "$ifa" netns "$r" || return 1
	ip link add "$ifs" netns "$s" type veth peer name "$ifb" netns "$r" || return 1
	xn_offloads_off "$c" "$ifc" && xn_offloads_off "$r" "$ifa" &&
		xn_offloads_off "$r" "$ifb" && xn_offloads_off "$s" "$ifs" || return 1
	# the router only relays: no IPv6 of its own on the segment
	ip netns exec "$r" sysctl -qw "net.ipv6.conf.$ifa.disable_ipv6=1" \
		"net.ipv6.conf.$ifb.disable_ipv6=1" || return 1
	ip -n "$c" addr add "$(xn_addr4 "$id" c)/24" dev "$ifc" &&
		ip -n "$s" addr add "$(xn_addr4 "$id" s)/24" dev "$ifs" || return 1
	if [ "${XN_NO_IPV6:-0}" = 1 ]; then
		ip netns exec "$c" sysctl -qw "net.ipv6.conf.$ifc.disable_ipv6=1" &&
			ip netns exec "$s" sysctl -qw "net.ipv6.conf.$ifs.disable_ipv6=1" || return 1
	else
		ip -n "$c" addr add "$(xn_addr6 "$id" c)/64" dev "$ifc" nodad &&
			ip -n "$s" addr add "$(xn_addr6 "$id" s)/64" dev "$ifs" nodad || return 1
	fi
	ip -n "$r" link set "$ifa" up && ip -n "$r" link set "$ifb" up &&
		ip -n "$c" link set "$ifc" up && ip -n "$s" link set "$ifs" up || return 1
	XN_RTR[$id]=$r XN_CLI[$id]=$c XN_SRV[$id]=$s
	xn_netem_start "$id" "$@"
}

xn_topology() {
	xn_path 1 "$@"
}

# Two relayed paths between the same client and server (relays in one
# router namespace, no impairment yet: xn_netem_set each) and the kernel's
# MPTCP set up as xb_two_paths does: a default route per path, the client's
# path-ID2 address a subflow endpoint, limits for two subflows. With
# XN_NET4=10.231 and IDs 1 2 the addresses are xb_two_paths' (10.231.1.2 is
# the server), so net.sh's xb_xfer runs over the relays unchanged.
xn_two_paths() { # ID1 ID2 CLI SRV RTR
	local i1=$1 i2=$2 c=$3 s=$4 r=$5 ns
	xn_path "$i1" "$c" "$s" "$r" && xn_path "$i2" "$c" "$s" "$r" || return 1
	ip -n "$c" route add default via "$(xn_addr4 "$i1" s)" dev "$(xn_if "$i1" c)" metric 101 &&
		ip -n "$c" route add default via "$(xn_addr4 "$i2" s)" dev "$(xn_if "$i2" c)" metric 102 ||
		return 1
	for ns in "$c" "$s"; do
		ip -n "$ns" mptcp limits set subflows 2 add_addr_accepted 2 || return 1
	done
	ip -n "$c" mptcp endpoint add "$(xn_addr4 "$i2" c)" dev "$(xn_if "$i2" c)" subflow
}

# Starts path ID's relay and waits for its first stats file: it is written
# once the sockets are bound, so frames sent from then on are relayed. The
# pid goes to a file too, so a relay started in a subshell ($(...)) is
# still found and stopped by the parent.
xn_netem_start() {
	local id=$1 r=${XN_RTR[$1]} f log i
	shift
	f=$(xn_stats_file "$id") log=$(xn_netem_log "$id")
	[ -n "$r" ] || { echo "netem: no path $id" >&2; return 1; }
	rm -f "$f"
	: >"$log"
	# nsenter execs the relay: $! is the relay's own pid
	nsenter --net="/var/run/netns/$r" "$XNETEM" --a "$(xn_if "$id" ra)" --b "$(xn_if "$id" rb)" \
		--stats-json "$f" ${XN_RT:+--rt "$XN_RT"} "$@" >/dev/null 2>>"$log" &
	XN_PID[$id]=$!
	echo "$!" >"$XB_TMP/xnetem.$id.pid"
	for ((i = 0; i < 50; i++)); do
		[ -s "$f" ] && return 0
		kill -0 "${XN_PID[$id]}" 2>/dev/null || break
		sleep 0.1
	done
	echo "netem: relay of path $id did not start: $(tail -n 1 "$log")" >&2
	return 1
}

xn_netem_stop() {
	local id=$1 pid rc i
	pid=$(xn_netem_pid "$id")
	[ -n "$pid" ] || return 0
	rm -f "$XB_TMP/xnetem.$id.pid"
	XN_PID[$id]=
	kill -TERM "$pid" 2>/dev/null || return 0
	wait "$pid" 2>/dev/null
	rc=$?
	[ "$rc" -ne 127 ] && return $rc
	# not our child (started in a subshell): wait for it to go
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	return 1
}

xn_netem_set() {
	local id=$1
	shift
	xn_netem_stop "$id"
	xn_netem_start "$id" "$@"
}

xn_netem_stats() {
	local id=$1 pid f i
	pid=$(xn_netem_pid "$id") f=$(xn_stats_file "$id")
	if [ -n "$pid" ]; then
		rm -f "$f"
		kill -USR1 "$pid" || return 1
		for ((i = 0; i < 50; i++)); do
			[ -s "$f" ] && break
			sleep 0.05
		done
	fi
	cat "$f"
}

# Permanent IPv4 neighbours between the two ends of path ID: no ARP frame
# crosses the relay any more (frame-exact experiments, loss without ARP).
xn_static_arp() {
	local id=$1 c s ifc ifs mc ms
	c=$(xn_ns_of "$id" c) s=$(xn_ns_of "$id" s) ifc=$(xn_if "$id" c) ifs=$(xn_if "$id" s)
	mc=$(ip -n "$c" -br link show "$ifc" | awk '{print $3}')
	ms=$(ip -n "$s" -br link show "$ifs" | awk '{print $3}')
	ip -n "$c" neigh replace "$(xn_addr4 "$id" s)" lladdr "$ms" dev "$ifc" nud permanent &&
		ip -n "$s" neigh replace "$(xn_addr4 "$id" c)" lladdr "$mc" dev "$ifs" nud permanent
}

xn_ns_of() { # ID c|s|r: the namespace of that end of path ID
	case $2 in
	c) echo "${XN_CLI[$1]}" ;;
	s) echo "${XN_SRV[$1]}" ;;
	*) echo "${XN_RTR[$1]}" ;;
	esac
}

xn_link_flap() { # ID SECS
	local r=${XN_RTR[$1]} ifa
	ifa=$(xn_if "$1" ra)
	ip -n "$r" link set "$ifa" down && sleep "$2" && ip -n "$r" link set "$ifa" up
}

# numbered UDP datagrams (usage in the file)
XN_UDP_PY="$XB_LIBDIR/netem_udp.py"

xn_udp_probe() { # CLI SRV ADDR COUNT GAP_US OUT
	local c=$1 s=$2 addr=$3 n=$4 gap=$5 out=$6 py rpid rc=0
	py=$XN_UDP_PY
	rm -f "$out.ready"
	ip netns exec "$s" timeout 60 "$XN_PY" "$py" recv "$addr" 5302 "$out.ready" >"$out" 2>"$out.err" &
	rpid=$!
	xb_wait_file "$out.ready" 10 || { kill "$rpid" 2>/dev/null; return 1; }
	ip netns exec "$c" timeout 60 "$XN_PY" "$py" send "$addr" 5302 "$n" "$gap" 2>>"$out.err" || rc=1
	wait "$rpid" || rc=1
	return $rc
}
