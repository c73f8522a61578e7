#!/usr/bin/env bash
# Transparent acceptance (xmptcpd --accept PORT): a kernel MPTCP client
# reaches an unmodified plain TCP service with no proxy address anywhere.
# Topology: namespace C (kpeer.py clients: the kernel's MPTCP, and plain
# TCP) -- veth xac0 10.235.1.1, fd00:235::1 / xas0 10.235.1.2, fd00:235::2
# -- namespace S (tests/lib/svc_accept.py: a dual-stack plain TCP service
# on 9443 and 9444 that reads to EOF and answers; xmptcpd --accept).
# Checked, with the service untouched between the cases:
#   - MPTCP clients (IPv4, IPv6, both ports) go through xmptcpd: bytes
#     exact both ways, MP_CAPABLE (the kernel's MPTCP_INFO says no
#     fallback, nstat counts the MP_CAPABLE SYN-ACK), and the service's
#     getpeername() shows the address the client connected to (our
#     forwarding socket's, as the README says);
#   - a plain TCP client to the same port reaches the service directly:
#     its getpeername() shows the client, xmptcpd opened no connection;
#   - with --proxy-protocol the service reads a PROXY v2 header naming the
#     client's real address and port (those xmptcpd reports) and the
#     address it connected to, then the exact bytes (IPv4 and IPv6);
#   - bad --accept values are refused at once (exit 2).
source "$(dirname "$0")/../lib/net.sh"

xb_require_root
xb_require_cmds ip nsenter python3 ethtool timeout nstat ss ping
xb_require_xmptcp
xb_require_bin "$XMPTCPD"
xb_require_netns

C="xac$$" S="xas$$"
UP=2000000 DOWN=3000000
xb_pair "$C" "$S" 10.235 xac0:xas0 || xb_skip_all "cannot build the veth topology"
ip -n "$C" addr add fd00:235::1/64 dev xac0 nodad &&
	ip -n "$S" addr add fd00:235::2/64 dev xas0 nodad &&
	xb_wait_until 10 ip netns exec "$C" ping -6 -c1 -W1 fd00:235::2 >/dev/null 2>&1 ||
	xb_skip_all "no IPv6 path between the namespaces"
xb_attach_ends attach_server_side "$S:xas0"

SVC="$XB_LIBDIR/svc_accept.py"
# svc_start OUT [--proxy]: the service on 9443 and 9444 (SVC_PID), up.
svc_start() {
	ip netns exec "$S" python3 "$SVC" "$DOWN" 9443 9444 "${@:2}" >"$1" 2>"$1.err" &
	SVC_PID=$!
	xb_wait_until --pid "$SVC_PID" 10 svc_listens
}
svc_listens() { xb_listens "$S" 9443 && xb_listens "$S" 9444; }
svc_stop() { kill "$SVC_PID" 2>/dev/null; wait "$SVC_PID" 2>/dev/null; }
# svc_line OUT N FILE: the service's Nth connection line into FILE, once it is there.
svc_line() {
	xb_wait_until 10 has_lines "$1" "$2" || return 1
	sed -n "${2}p" "$1" >"$3"
}
has_lines() { [ "$(wc -l <"$1")" -ge "$2" ]; } # FILE N
# FILE N PATTERN: N lines of FILE match PATTERN
has_matches() { local c; c=$(grep -cs "$3" "$1"); [ "${c:-0}" -ge "$2" ]; }
# daemon_start OUT NPORTS ARGS...: xmptcpd in S (DPID), once each of its
# NPORTS --accept listeners is published.
daemon_start() {
	local out=$1 n=$2
	shift 2
	nsenter --net="/var/run/netns/$S" "$XMPTCPD" --iface xas0 "$@" >"$out" 2>"$out.err" &
	DPID=$!
	xb_wait_until --pid "$DPID" 10 has_matches "$out.err" "$n" 'listening for MPTCP'
}
daemon_stop() { # NAME: SIGTERM, exit 0
	local rc=0
	kill -TERM "$DPID"
	wait "$DPID" || rc=$?
	[ "$rc" = 0 ] && ok "$1" || not_ok "$1" "exit $rc" "$(tail -n 5 "$XB_TMP/d$2.out.err")"
}
opened() { xb_nsx "$S" "$XMPTCP" stats -j | xb_json 'd["conns"]["opened"]'; }
kcap() { xb_kstat "$C" >"$1"; }
field() { xb_json "d[\"$1\"]" "$2"; } # NAME FILE: one field of a JSON line

# ---- 1. --accept 9443,9444, no PROXY header --------------------------------
svc_start "$XB_TMP/svc1" || xb_skip_all "the plain TCP service did not start: $(cat "$XB_TMP/svc1.err")"
if daemon_start "$XB_TMP/d1.out" 2 --accept 9443,9444; then
	ok "daemon_accepts_two_ports"
else
	not_ok "daemon_accepts_two_ports" "$(cat "$XB_TMP/d1.out.err")"
	xb_finish
fi

# mptcp_case NAME ADDR PORT N PEER_PREFIX: a kernel MPTCP client to ADDR:PORT,
# the service's Nth connection: bytes both ways, MP_CAPABLE, getpeername.
mptcp_case() {
	local name=$1 addr=$2 port=$3 n=$4 peer=$5 c="$XB_TMP/$1.client" s="$XB_TMP/$1.svc" got d
	kcap "$XB_TMP/$name.k0"
	xb_kernel_client "$C" mptcp "$addr" "$port" "$UP" 1 "$c"
	kcap "$XB_TMP/$name.k1"
	svc_line "$XB_TMP/svc$SVC_RUN" "$n" "$s" || { not_ok "${name}_ran" "no line $n from the service"; return; }
	xb_check_bytes "${name}_client_to_service_bytes" "$c" "$s" "$UP"
	xb_check_bytes "${name}_service_to_client_bytes" "$s" "$c" "$DOWN"
	d=$(xb_delta MPTcpExtMPCapableSYNACKRX "$XB_TMP/$name.k0" "$XB_TMP/$name.k1")
	[ "$(field fallback "$c")" = False ] && [ "$d" -ge 1 ] && ok "${name}_mp_capable_no_fallback" ||
		not_ok "${name}_mp_capable_no_fallback" "client: $(cat "$c")" "MPCapableSYNACKRX +$d"
	got=$(field peer "$s")
	[[ "$got" == "$peer"* ]] && ok "${name}_service_sees_$6" ||
		not_ok "${name}_service_sees_$6" "getpeername $got, want $peer..." "$(cat "$s")"
}
SVC_RUN=1
mptcp_case v4_mptcp 10.235.1.2 9443 1 "10.235.1.2:" local_address
mptcp_case v4_mptcp_second_port 10.235.1.2 9444 2 "10.235.1.2:" local_address
mptcp_case v6_mptcp fd00:235::2 9443 3 "[fd00:235::2]:" local_address

# a plain TCP client: the kernel's service answers it, not us
o0=$(opened)
xb_kernel_client "$C" tcp 10.235.1.2 9443 "$UP" 1 "$XB_TMP/plain.client"
svc_line "$XB_TMP/svc1" 4 "$XB_TMP/plain.svc" || not_ok "plain_tcp_ran" "no line 4 from the service"
xb_check_bytes plain_tcp_client_to_service_bytes "$XB_TMP/plain.client" "$XB_TMP/plain.svc" "$UP"
xb_check_bytes plain_tcp_service_to_client_bytes "$XB_TMP/plain.svc" "$XB_TMP/plain.client" "$DOWN"
o1=$(opened)
got=$(field peer "$XB_TMP/plain.svc")
[[ "$got" == 10.235.1.1:* ]] && [ -n "$o0" ] && [ "$o0" = "$o1" ] &&
	ok "plain_tcp_reaches_service_directly" ||
	not_ok "plain_tcp_reaches_service_directly" "service's getpeername $got (want 10.235.1.1:...)" \
		"xmptcpd connections opened $o0 -> $o1 (want no change)"
[ "$(grep -c '"mp_capable":true' "$XB_TMP/d1.out")" = 3 ] && ok "daemon_reports_three_mptcp_connections" ||
	not_ok "daemon_reports_three_mptcp_connections" "$(cut -c1-300 "$XB_TMP/d1.out")"
daemon_stop daemon_sigterm_exit_0 1
svc_stop

# ---- 2. --proxy-protocol: the service reads the client's address -----------
svc_start "$XB_TMP/svc2" --proxy || not_ok "proxy_service_up" "$(cat "$XB_TMP/svc2.err")"
daemon_start "$XB_TMP/d2.out" 1 --accept 9443 --proxy-protocol ||
	not_ok "proxy_daemon_up" "$(cat "$XB_TMP/d2.out.err")"
SVC_RUN=2
# proxy_case NAME N CLIENT_PREFIX DST: the header of the service's Nth
# connection names the client as xmptcpd saw it (its summary's remote) and DST.
proxy_case() {
	local name=$1 s="$XB_TMP/$1.svc" src dst remote
	src=$(xb_json 'd["proxy"]["src"]' "$s")
	dst=$(xb_json 'd["proxy"]["dst"]' "$s")
	xb_wait_until 10 grep -qF "\"local\":\"$4\"" "$XB_TMP/d2.out"
	remote=$(grep -F "\"local\":\"$4\"" "$XB_TMP/d2.out" | tail -1 | xb_json 'd["remote"]')
	[[ "$src" == "$3"* ]] && [ "$src" = "$remote" ] && [ "$dst" = "$4" ] &&
		ok "${name}_proxy_header_names_real_client" ||
		not_ok "${name}_proxy_header_names_real_client" "header src $src dst $dst" \
			"want src $3... = xmptcpd's remote $remote, dst $4" "$(cat "$s")"
}
mptcp_case v4_proxy 10.235.1.2 9443 1 "10.235.1.2:" local_address
proxy_case v4_proxy 1 "10.235.1.1:" "10.235.1.2:9443"
mptcp_case v6_proxy fd00:235::2 9443 2 "[fd00:235::2]:" local_address
proxy_case v6_proxy 2 "[fd00:235::1]:" "[fd00:235::2]:9443"
daemon_stop proxy_daemon_sigterm_exit_0 2
svc_stop

# ---- 3. bad values: one line, exit 2 ---------------------------------------
for bad in "--accept 0" "--accept 80,,443" "--accept 443 --accept 443" \
	"--accept 9000 --server 10.235.1.2:9000=127.0.0.1:9001" "--proxy-protocol --listen 10.235.1.2:1"; do
	rc=0
	# shellcheck disable=SC2086 # the words of one bad command line
	out=$("$XMPTCPD" --no-config --iface lo $bad 2>&1 >/dev/null) || rc=$?
	[ "$rc" = 2 ] && [ "$(wc -l <<<"$out")" = 1 ] && ok "refused: $bad" ||
		not_ok "refused: $bad" "exit $rc: $out"
done

xb_finish
