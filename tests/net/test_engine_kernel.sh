#!/usr/bin/env bash
# The userspace engine (xmptcpd on AF_XDP) against the Linux kernel.
# Topology: namespace C (ours: xmptcp attach + xmptcpd) -- veth xgc0
# 10.232.1.1 / xgs0 10.232.1.2 -- namespace S (the kernel). TX checksum
# offload off on both ends (AF_XDP frames carry no offload state).
#
# ours -> kernel MPTCP: xmptcpd --connect sends N bytes of its pattern and a
# DATA_FIN; a python3 IPPROTO_MPTCP server in S reads to EOF, hashes, sends
# REPLY bytes back, half-closes, and closes. kernel MPTCP -> ours: the same
# with the roles swapped (xmptcpd --listen --sink). Checked per transfer:
# SHA-256 and byte count equal in both directions; the kernel saw
# MP_CAPABLE (nstat MPTcpExtMPCapable*) and did not fall back (MPTCP_INFO
# fallback flag clear, no fallback/DSS/reset counters moved); the kernel's
# token is the one xmptcpd derived from the kernel's key (RFC 8684 3.1);
# the close was clean: DATA_FIN acked both ways, no RST sent by the kernel,
# xmptcpd's subflow ended in TIME-WAIT/CLOSED without a reset.
# Plain kernel TCP in both roles: xmptcpd falls back to TCP (3.7) and the
# transfer is still byte-exact. DSS checksums asked by the kernel, both
# roles. SIGTERM mid-transfer: graceful DATA_FIN, byte-exact prefix.
# With 2% loss of the data frames xmptcpd sends (tc BPF drop, as netem is
# missing here): byte-exact in both roles, no fallback.
# Many short connections: 1000 sequential ones each way (ours as client
# with --count, the kernel's client against ours with --count), every one
# hashed on both ends and MP_CAPABLE per the kernel's counters.
# IPv6 both roles (4 MB one way, 64 KB back) over fd00:232::/64.
# Knobs: XG_SIZES (bytes per transfer), XG_REPLY, XG_REVERSE=0, XG_PLAIN=0,
# XG_LOSS=0, XG_LOSS_PER_MILLE, XG_MANY (connections, 0 = skip).
XB_TMO=${XB_TMO:-60} # seconds per transfer (endpoints' --timeout)
source "$(dirname "$0")/../lib/net.sh"

SIZES=${XG_SIZES:-"65536 4194304 67108864"}
# bytes sent back after the other side's DATA_FIN (request/response)
REPLY=${XG_REPLY:-65536}

xb_require_root
xb_require_cmds ip nsenter python3 nstat ethtool timeout
xb_require_xmptcp
xb_require_bin "$XMPTCPD"
xb_require_netns

C="xgc$$" S="xgs$$"
xb_pair "$C" "$S" 10.232 xgc0:xgs0 || xb_skip_all "cannot build the veth topology"
ip -n "$C" addr add fd00:232::1/64 dev xgc0 nodad
ip -n "$S" addr add fd00:232::2/64 dev xgs0 nodad
xb_attach_ends attach_client_ns "$C:xgc0"

# The kernel's endpoint is tests/lib/kpeer.py (net.sh xb_kernel_*): one
# JSON line per connection, bytes and sha256 each way and, for MPTCP,
# MPTCP_INFO (fallback flag, token) read before close.
kstat() { xb_kstat "$S"; }
delta() { xb_delta "$@"; }
# check_transfer NAME DIR SENDER RECEIVER SIZE: bytes and hashes agree
check_transfer() { xb_check_bytes "${1}_sha256_${5}_bytes" "$2/$3" "$2/$4" "$5"; }

# NAME DIR KERNEL_LISTENED(1/0): MP_CAPABLE seen, no fallback, no resets.
check_kernel_mptcp() {
	local name=$1 dir=$2 b=$2/before a=$2/after syn ack fb bad c
	if [ "$3" = 1 ]; then
		syn=$(delta MPTcpExtMPCapableSYNRX "$b" "$a")
		ack=$(delta MPTcpExtMPCapableACKRX "$b" "$a")
		fb=$(($(delta MPTcpExtMPCapableFallbackACK "$b" "$a") + $(delta MPTcpExtMPCapableFallbackSYNACK "$b" "$a")))
		[ "$syn" -ge 1 ] && [ "$ack" -ge 1 ] && [ "$fb" -eq 0 ] &&
			ok "${name}_kernel_mpcapable" ||
			not_ok "${name}_kernel_mpcapable" "MPCapableSYNRX=$syn ACKRX=$ack fallback=$fb"
	else
		syn=$(delta MPTcpExtMPCapableSYNACKRX "$b" "$a")
		fb=$(delta MPTcpExtMPCapableFallbackSYNACK "$b" "$a")
		[ "$syn" -ge 1 ] && [ "$fb" -eq 0 ] && ok "${name}_kernel_mpcapable" ||
			not_ok "${name}_kernel_mpcapable" "MPCapableSYNACKRX=$syn fallback=$fb"
	fi
	bad=""
	for c in MPTcpExtDSSNotMatching MPTcpExtInfiniteMapRx MPTcpExtMPFallbackTokenInit \
		MPTcpExtDSSNoMatchTCP MPTcpExtDataCsumErr MPTcpExtMPRstRx MPTcpExtMPFastcloseRx \
		MPTcpExtDSSFallback MPTcpExtDssFallback MPTcpExtFallbackFailed; do
		grep -q "^$c " "$a" || continue
		[ "$(delta "$c" "$b" "$a")" -eq 0 ] || bad="$bad $c=$(delta "$c" "$b" "$a")"
	done
	[ -z "$bad" ] && ok "${name}_kernel_no_fallback_counters" ||
		not_ok "${name}_kernel_no_fallback_counters" "moved:$bad"
	[ "$(xb_json 'd.get("fallback")' "$dir/kernel")" = False ] &&
		ok "${name}_kernel_mptcp_info_not_fallback" ||
		not_ok "${name}_kernel_mptcp_info_not_fallback" "$(cat "$dir/kernel")"
	[ "$(xb_json 'd["mptcp"]["remote_token"]' "$dir/ours")" = "$(xb_json 'd.get("token")' "$dir/kernel")" ] &&
		ok "${name}_token_matches_kernel" ||
		not_ok "${name}_token_matches_kernel" "ours: $(cat "$dir/ours")" "kernel: $(cat "$dir/kernel")"
	[ "$(xb_json 'd["mp_capable"] and d["mptcp"]["msk_state"] in ("TIME_WAIT", "CLOSED") and d["mptcp"]["data_fin_acked"] and d["mptcp"]["data_fin_rcvd"] and not d["mptcp"]["fallback"]' "$dir/ours")" = True ] &&
		ok "${name}_ours_mptcp_data_fin_both_ways" ||
		not_ok "${name}_ours_mptcp_data_fin_both_ways" "$(cat "$dir/ours")"
}

# NAME DIR: no RST from the kernel, none received by xmptcpd.
check_clean_close() {
	local name=$1 dir=$2 rst
	rst=$(($(delta TcpOutRsts "$dir/before" "$dir/after") + $(delta TcpExtTCPAbortOnData "$dir/before" "$dir/after")))
	[ "$rst" -eq 0 ] && [ "$(xb_json 'd["error"] is None and "RstRcvd" not in d["subflow"] and d["subflow"]["state"] in ("TIME-WAIT", "CLOSED")' "$dir/ours")" = True ] &&
		ok "${name}_clean_close_no_rst" ||
		not_ok "${name}_clean_close_no_rst" "kernel TcpOutRsts+AbortOnData=$rst" "ours: $(cat "$dir/ours")"
}

# start_pair ROLE PROTO DIR ADDR PORT SIZE REPLY [ARGS...] [-- KPEER_OPTS...]:
# the server at ADDR:PORT, the client connecting in the foreground: ROLE
# c2k, the kernel serves (in S) and ours connects (C); k2c, ours listens and
# the kernel connects. The client sends SIZE, the server REPLY; ARGS go to
# xmptcpd, KPEER_OPTS to kpeer.py. Summaries in DIR/ours and DIR/kernel; the
# client's exit status in rc, the server's pid in XB_PID. Fails when the
# server did not start.
start_pair() {
	local role=$1 proto=$2 dir=$3 addr=$4 port=$5 size=$6 reply=$7 ep=$4:$5 a=() k=()
	shift 7
	[[ $addr == *:* ]] && ep="[$addr]:$port"
	while [ $# -gt 0 ] && [ "$1" != -- ]; do a+=("$1"); shift; done
	[ $# -gt 0 ] && k=("${@:2}")
	rc=0
	if [ "$role" = c2k ]; then
		xb_kernel_server "$S" "$proto" "$addr" "$port" "$reply" 7 "$dir/kernel" "${k[@]}" || return 1
		xb_ours_client "$C" xgc0 "$ep" "$size" 1 "$dir/ours" "${a[@]}" || rc=$?
	else
		xb_ours_server "$C" xgc0 "$ep" "$reply" 2 "$dir/ours" "${a[@]}" || return 1
		xb_kernel_client "$S" "$proto" "$addr" "$port" "$size" 7 "$dir/kernel" "${k[@]}" || rc=$?
	fi
}

# run_pair ROLE PROTO SIZE PORT [TAG]: ROLE c2k = ours connects, k2c =
# kernel connects; PROTO mptcp or tcp (the kernel's socket).
run_pair() {
	local role=$1 proto=$2 size=$3 port=$4 tag=${5:+_$5} name dir rc=0 snd rcv srv
	if [ "$role" = c2k ]; then
		name="ours_to_kernel_${proto}_$size$tag" snd=ours rcv=kernel srv=10.232.1.2
	else
		name="kernel_${proto}_to_ours_$size$tag" snd=kernel rcv=ours srv=10.232.1.1
	fi
	dir="$XB_TMP/$name"
	mkdir -p "$dir"
	kstat >"$dir/before"
	if ! start_pair "$role" "$proto" "$dir" "$srv" "$port" "$size" "$REPLY"; then
		not_ok "${name}_completed" "the server did not start: $(tail -3 "$dir"/*.err)"
		return
	fi
	wait "$XB_PID" || rc=$((rc ? rc : 100))
	kstat >"$dir/after"
	xb_check_ran "${name}_completed" "$rc" "$dir/ours" "$dir/kernel" || return
	echo "# ours:   $(cat "$dir/ours")"
	echo "# kernel: $(cat "$dir/kernel")"
	check_transfer "$name" "$dir" "$snd" "$rcv" "$size"
	check_transfer "${name}_reply" "$dir" "$rcv" "$snd" "$REPLY"
	if [ "$proto" = mptcp ]; then
		check_kernel_mptcp "$name" "$dir" "$([ "$role" = c2k ] && echo 1 || echo 0)"
	else
		# 3.7: no MP_CAPABLE in the kernel's SYN/SYN-ACK -> plain TCP
		[ "$(xb_json 'not d["mp_capable"] and "MPCapableFallback" in str(d["mptcp"])' "$dir/ours")" = True ] &&
			ok "${name}_ours_fell_back_to_tcp" ||
			not_ok "${name}_ours_fell_back_to_tcp" "$(cat "$dir/ours")"
	fi
	check_clean_close "$name" "$dir"
	if [ "$tag" = _loss ]; then
		# the drops happened: our engine retransmitted
		local ours kern
		ours=$(xb_json 'd["subflow"].get("RetransSegs", 0)' "$dir/ours")
		kern=$(delta TcpRetransSegs "$dir/before" "$dir/after")
		[ "$ours" -gt 0 ] && ok "${name}_ours_retransmitted" ||
			not_ok "${name}_ours_retransmitted" "ours=$ours kernel=$kern"
		echo "# retransmitted segments: ours $ours, kernel $kern"
	fi
}

port=5301
for role in c2k k2c; do
	[ "$role" = k2c ] && [ "${XG_REVERSE:-1}" = 0 ] && continue
	for size in $SIZES; do
		run_pair $role mptcp "$size" $port
		port=$((port + 1))
	done
	if [ "${XG_PLAIN:-1}" != 0 ]; then
		run_pair $role tcp 1048576 $port
		port=$((port + 1))
	fi
done

# DSS checksums (RFC 8684 3.3.1): the kernel asks for them (A flag), every
# mapping xmptcpd sends carries one and every mapping it gets is verified.
if [ "${XG_CSUM:-1}" != 0 ] &&
	ip netns exec "$S" sysctl -qw net.mptcp.checksum_enabled=1 2>/dev/null; then
	for role in c2k k2c; do
		[ "$role" = k2c ] && [ "${XG_REVERSE:-1}" = 0 ] && continue
		run_pair $role mptcp 1048576 $port csum
		port=$((port + 1))
		name=ours_to_kernel_mptcp_1048576_csum
		[ $role = k2c ] && name=kernel_mptcp_to_ours_1048576_csum
		[ "$(xb_json 'd["mptcp"]["csum"]' "$XB_TMP/$name/ours" 2>/dev/null)" = True ] &&
			ok "${name}_negotiated" || not_ok "${name}_negotiated" "checksums not in use"
	done
	ip netns exec "$S" sysctl -qw net.mptcp.checksum_enabled=0
fi

# Loss (no netem here): a tc BPF program at the ingress of the kernel's
# veth drops 2% of the frames that carry data (longer than 200 bytes), so
# xmptcpd's engine retransmits (RTO, fast retransmit, SACK), re-mapping
# segments it may cut differently the second time, and the kernel reorders.
# xmptcpd sends 4 MB in both roles (as client, and as server replying).
# Not covered: loss of the kernel's data towards us (a drop at the kernel's
# own egress is a local xmit failure, resent without loss semantics).
loss_on() {
	local obj="$XB_TMP/drop.o"
	command -v clang >/dev/null 2>&1 || return 1
	cat >"$XB_TMP/drop.c" <<'EOF'
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int drop_data(struct __sk_buff *skb)
{
	if (skb->len > 200 && bpf_get_prandom_u32() % 1000 < DROP_PER_MILLE)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
EOF
	clang -O2 -target bpf -DDROP_PER_MILLE="${XG_LOSS_PER_MILLE:-20}" -c "$XB_TMP/drop.c" \
		-o "$obj" &&
		ip netns exec "$S" tc qdisc add dev xgs0 clsact &&
		ip netns exec "$S" tc filter add dev xgs0 ingress bpf da obj "$obj" sec tc
}
if [ "${XG_LOSS:-1}" != 0 ]; then
	if loss_on 2>"$XB_TMP/drop.err"; then
		run_pair c2k mptcp 4194304 $port loss
		port=$((port + 1))
		if [ "${XG_REVERSE:-1}" != 0 ]; then
			REPLY=4194304 run_pair k2c mptcp 65536 $port loss
			port=$((port + 1))
		fi
		ip netns exec "$S" tc qdisc del dev xgs0 clsact
	else
		skip "loss_2pct" "cannot build/attach the tc drop program: $(tail -1 "$XB_TMP/drop.err")"
	fi
fi

# SIGTERM closes gracefully: the source stops, DATA_FIN follows what was
# queued, the kernel reads exactly the bytes xmptcpd reports as sent.
sigterm_close() {
	local dir="$XB_TMP/sigterm" pid spid rc=0
	mkdir -p "$dir"
	kstat >"$dir/before"
	xb_kernel_server "$S" mptcp 10.232.1.2 "$port" 1000 7 "$dir/kernel" ||
		{ not_ok "sigterm_graceful_close" "no kernel server"; return; }
	spid=$XB_PID
	# nsenter execs xmptcpd itself: $! is the daemon's pid
	nsenter --net="/var/run/netns/$C" "$XMPTCPD" --iface xgc0 --connect "10.232.1.2:$port" \
		--send-bytes 100G --timeout 30 >"$dir/ours" 2>"$dir/ours.err" &
	pid=$!
	# signal once data flows (handlers are installed before the connect):
	# the kernel's side of the subflow received some
	flowing() {
		ip netns exec "$S" ss -Htin state established "sport = :$port" | grep -q 'bytes_received:[1-9]'
	}
	xb_wait_until 10 flowing || echo "# sigterm: no data at the kernel after 10 s"
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	wait "$spid" || rc=$((rc ? rc : 100))
	kstat >"$dir/after"
	if [ "$rc" -eq 0 ] && [ -s "$dir/ours" ] && [ -s "$dir/kernel" ] &&
		[ "$(xb_json 'd["sent"] > 0 and d["mptcp"]["data_fin_acked"] and d["mptcp"]["data_fin_rcvd"] and d["error"] is None' "$dir/ours")" = True ]; then
		ok "sigterm_graceful_close"
		echo "# ours:   $(cat "$dir/ours")"
		check_transfer sigterm "$dir" ours kernel "$(xb_json 'd["sent"]' "$dir/ours")"
		check_clean_close sigterm "$dir"
	else
		not_ok "sigterm_graceful_close" "exit $rc" "ours: $(cat "$dir/ours" "$dir/ours.err")" \
			"kernel: $(cat "$dir/kernel" "$dir/kernel.err")"
	fi
	port=$((port + 1))
}
sigterm_close

# IPv6 both roles: the same transfer over fd00:232::/64 (IPv6 header build,
# checksums over the pseudo-header, route and neighbour lookup).
v6_pair() { # c2k|k2c
	local role=$1 dir="$XB_TMP/v6_$1" rc=0 name="ipv6_$1" srv=fd00:232::2
	mkdir -p "$dir"
	[ "$role" = k2c ] && srv=fd00:232::1
	start_pair "$role" mptcp "$dir" "$srv" "$port" 4194304 65536 --ctl none && wait "$XB_PID" ||
		rc=$((rc ? rc : 100))
	port=$((port + 1))
	xb_check_ran "${name}_completed" "$rc" "$dir/ours" "$dir/kernel" || return
	if [ "$role" = c2k ]; then
		check_transfer "$name" "$dir" ours kernel 4194304
		check_transfer "${name}_reply" "$dir" kernel ours 65536
	else
		check_transfer "$name" "$dir" kernel ours 4194304
		check_transfer "${name}_reply" "$dir" ours kernel 65536
	fi
	[ "$(xb_json 'd["mp_capable"] and d["error"] is None and d["remote"].startswith("[fd00:232::")' "$dir/ours")" = True ] &&
		[ "$(xb_json 'd.get("fallback")' "$dir/kernel")" = False ] &&
		ok "${name}_mptcp_both_ends" || not_ok "${name}_mptcp_both_ends" "$(cat "$dir/ours" "$dir/kernel")"
}
v6_pair c2k
v6_pair k2c

# --send-file: the kernel receives the file, byte for byte (sha256sum).
file_send() {
	local dir="$XB_TMP/file" rc=0 want got
	mkdir -p "$dir"
	head -c 300001 /dev/urandom >"$dir/src.bin"
	want="300001 $(sha256sum "$dir/src.bin" | cut -d' ' -f1)"
	start_pair c2k mptcp "$dir" 10.232.1.2 "$port" "@$dir/src.bin" 0 && wait "$XB_PID" ||
		rc=$((rc ? rc : 100))
	got=$(xb_json 'd["recv"], d["recv_sha256"]' "$dir/kernel" 2>/dev/null)
	[ "$rc" -eq 0 ] && [ "$got" = "$want" ] && ok "send_file_sha256_matches_file" ||
		not_ok "send_file_sha256_matches_file" "exit $rc" "file: $want" "kernel: $got" \
			"$(cat "$dir/ours.err" "$dir/kernel.err")"
	port=$((port + 1))
}
file_send

# Many sequential connections: kpeer.py --count N, each connection 1000
# bytes each way (the kernel's server reads first, then answers).
MANY=${XG_MANY:-1000}

# NAME N OURS KERNEL: N lines each side, every connection clean and
# byte-exact (all carry the same pattern, so the hashes must all agree).
check_many() {
	local name=$1 n=$2 ours=$3 kern=$4 r
	r=$(python3 "$XB_LIBDIR/many_check.py" "$n" "$ours" "$kern")
	[ "$r" = ok ] && ok "${name}_all_byte_exact_and_clean" || not_ok "${name}_all_byte_exact_and_clean" "$r"
}

many_conns() { # ROLE: c2k ours connects N times, k2c the kernel does
	local role=$1 name dir srv rc=0 t0 syn ack fb rst
	name="many_${role}_$MANY"
	dir="$XB_TMP/$name"
	mkdir -p "$dir"
	kstat >"$dir/before"
	t0=$(date +%s)
	srv=10.232.1.2
	[ "$role" = k2c ] && srv=10.232.1.1
	# -q on the client only: quiet, the server would not say it listens
	XB_TMO=120 start_pair "$role" mptcp "$dir" "$srv" "$port" 1000 1000 --count "$MANY" \
		$([ "$role" = c2k ] && echo -q) -- --count "$MANY" && wait "$XB_PID" || rc=$((rc ? rc : 100))
	kstat >"$dir/after"
	echo "# $name: $(($(date +%s) - t0)) s, exit $rc"
	[ "$rc" -eq 0 ] && ok "${name}_completed" ||
		not_ok "${name}_completed" "exit $rc" "$(tail -3 "$dir/ours.err")" "$(tail -3 "$dir/kernel.err")"
	check_many "$name" "$MANY" "$dir/ours" "$dir/kernel"
	if [ "$role" = c2k ]; then
		syn=$(delta MPTcpExtMPCapableSYNRX "$dir/before" "$dir/after")
		ack=$(delta MPTcpExtMPCapableACKRX "$dir/before" "$dir/after")
	else
		syn=$(delta MPTcpExtMPCapableSYNACKRX "$dir/before" "$dir/after")
		ack=$syn
	fi
	fb=$(($(delta MPTcpExtMPCapableFallbackACK "$dir/before" "$dir/after") + $(delta MPTcpExtMPCapableFallbackSYNACK "$dir/before" "$dir/after")))
	rst=$(delta TcpOutRsts "$dir/before" "$dir/after")
	[ "$syn" -eq "$MANY" ] && [ "$ack" -eq "$MANY" ] && [ "$fb" -eq 0 ] && [ "$rst" -eq 0 ] &&
		ok "${name}_kernel_mpcapable_every_one_no_rst" ||
		not_ok "${name}_kernel_mpcapable_every_one_no_rst" "MPCapable SYN=$syn ACK=$ack fallback=$fb TcpOutRsts=$rst"
	port=$((port + 1))
}
if [ "$MANY" -gt 0 ]; then
	many_conns c2k
	[ "${XG_REVERSE:-1}" = 0 ] || many_conns k2c
fi

# Errors: one line on stderr and exit 2 (usage) or 1 (runtime), never a hang.
check_err() { # NAME WANT_RC CMD...
	local name=$1 want=$2 out rc=0
	shift 2
	out=$(timeout 20 "$@" 2>&1 >/dev/null) || rc=$?
	[ "$rc" = "$want" ] && [ -n "$out" ] && [ "$(wc -l <<<"$out")" -eq 1 ] && ok "$name" ||
		not_ok "$name" "exit $rc (want $want)" "$out"
}
check_err err_usage_no_iface 2 "$XMPTCPD" --connect 10.232.1.2:1
check_err err_usage_bad_endpoint 2 "$XMPTCPD" --iface xgc0 --connect 10.232.1.2
check_err err_usage_bad_size 2 "$XMPTCPD" --iface xgc0 --connect 10.232.1.2:1 --send-bytes 12Q
check_err err_no_such_iface 1 nsenter --net="/var/run/netns/$C" "$XMPTCPD" --iface xgnope --connect 10.232.1.2:1
check_err err_not_attached 1 nsenter --net="/var/run/netns/$S" "$XMPTCPD" --iface xgs0 --connect 10.232.1.1:1
# nobody listens: the kernel's RST ends the SYN-SENT subflow at once (the
# error says so; a daemon that ignored the RST would report a time-out
# after --timeout, so no seconds are measured here)
t0=$(date +%s)
rc=0
xb_nsx "$C" timeout 30 "$XMPTCPD" --iface xgc0 --connect 10.232.1.2:5399 --send-bytes 1000 \
	--timeout 20 >"$XB_TMP/refused" 2>"$XB_TMP/refused.err" || rc=$?
echo "# refused: exit $rc after $(($(date +%s) - t0)) s"
[ "$rc" = 1 ] && [ "$(xb_json 'd["error"]' "$XB_TMP/refused")" = "Connection refused" ] &&
	ok "err_connection_refused_by_kernel_rst" ||
	not_ok "err_connection_refused_by_kernel_rst" "exit $rc" "$(cat "$XB_TMP/refused" "$XB_TMP/refused.err")"

xb_finish
