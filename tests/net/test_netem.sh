#!/usr/bin/env bash
# tests/tools/xnetem, the userspace netem of the namespace tests, through
# tests/lib/netem.sh's topology: client --veth-- router (xnetem) --veth--
# server, 10.233.1.0/24 + fd00:233:1::/64. Asserts what reaches the other
# end: pass-through (ARP, IPv4, IPv6, 802.1Q tags), delay and jitter in the
# ping RTT, a loss rate that matches the relay's counters, same seed = same
# fate (on a second relayed path), duplicates seen by ping, reordering
# measured by the receiver, kernel TCP byte-exact (sha256) through 5% loss
# + 5% reorder + 10 ms (IPv4 and IPv6), the goodput of --rate 8, checksum
# completion and oversize drops (setup errors), link flaps, stats on
# SIGUSR1, exit 0 on SIGTERM, kernel MPTCP over two lossy reordering
# relayed paths, bad arguments (exit 2), and that a topology leaves nothing
# behind. Prints the relay's unimpaired TCP throughput as a comment line.
XB_TMO=${XB_TMO:-80} # seconds per transfer: 250 MB through a relay
source "$(dirname "$0")/../lib/net.sh"
source "$(dirname "$0")/../lib/netem.sh"

# --- bad arguments: no root needed --------------------------------------------
xb_require_bin "$XNETEM"
bad=""
for args in "" "--a x" "--a x --b x" "--a x --b y --loss 101" "--a x --b y --delay abc" \
	"--a x --b y --ab-rate -1" "--a x --b y --limit 0" "--a x --b y --limit 2.5" \
	"--a x --b y --bogus 1" "--a x --b y --jitter" "--a x --b y stray" \
	"--a x --b y --seed 12x" "--a x --b y --rt 0" "--a xnnosuch0 --b xnnosuch1"; do
	# shellcheck disable=SC2086
	"$XNETEM" $args >"$XB_TMP/out" 2>"$XB_TMP/err"
	rc=$?
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$XB_TMP/err")" -eq 1 ] && [ ! -s "$XB_TMP/out" ] ||
		bad+="'$args' -> rc $rc: $(head -c 200 "$XB_TMP/err"); "
done
[ -z "$bad" ] && ok "bad_args_exit_2_one_line" || not_ok "bad_args_exit_2_one_line" "$bad"
"$XNETEM" --help >"$XB_TMP/out" 2>&1 && grep -q -- "--reorder PCT" "$XB_TMP/out" &&
	ok "help_exit_0" || not_ok "help_exit_0" "$(cat "$XB_TMP/out")"

xb_require_root
xb_require_cmds ip nsenter python3 ethtool ping
xb_require_netns

C="xnc$$" S="xns$$" R="xnr$$"
xn_topology "$C" "$S" "$R" 2>"$XB_TMP/topo.err" ||
	{ not_ok "topology" "$(cat "$XB_TMP/topo.err")"; xb_finish; }
A4=$(xn_addr4 1 s) A6=$(xn_addr6 1 s)
IFC=$(xn_if 1 c) IFA=$(xn_if 1 ra)
PING() { ip netns exec "$C" ping "$@"; }
# J EXPR: python expression over the relay's fresh stats d
J() {
	xn_netem_stats 1 >"$XB_TMP/st.json" && xb_json "$1" "$XB_TMP/st.json"
}
# pyc EXPR: a python expression, printed
pyc() { "$XN_PY" -c "print($1)"; }
# tcp_xfer ADDR BYTES OUT [KPEER_OPTION...]: kernel TCP from C to S's ADDR
# (net.sh xb_xfer), nothing back
tcp_xfer() { xb_xfer "$C" "$S" "$1" 5301 "$2" 0 "$3" --proto tcp "${@:4}"; }
# goodput SERVER_JSON DIGITS: Mbit/s the receiver saw, accept() to EOF
goodput() { xb_json "'%.${2}f' % (d['recv'] * 8 / (d['t_eof'] - d['t_accept']) / 1e6)" "$1"; }

# --- pass-through: ARP + IPv4, IPv6 (ND) --------------------------------------
check "pass_ipv4_arp" PING -c 3 -i 0.1 -W 2 "$A4"
check "pass_ipv6_nd" PING -c 3 -i 0.1 -W 2 "$A6"
[ "$(J 'd["ab"]["rx"] == d["ab"]["tx"] and d["ab"]["rx"] >= 6 and d["ba"]["tx"] >= 6 and d["ab"]["oversize"] + d["ab"]["csum_not_ready"] == 0')" = True ] &&
	ok "pass_counters_rx_eq_tx" || not_ok "pass_counters_rx_eq_tx" "$(cat "$XB_TMP/st.json")"

# RTTS: the ping times of the output on stdin, one per line
rtts() { sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p'; }
# pystat EXPR < values: python over the list r of numbers read
pystat() { "$XN_PY" -c "import sys, statistics as st; r=[float(x) for x in sys.stdin.read().split()]; print($1)"; }

# --- delay: 20 ms each way -> RTT >= 40, median < 60 --------------------------
xn_netem_set 1 --delay 20
PING -c 3 -i 0.05 -W 2 "$A4" >/dev/null 2>&1	# no ARP in what is measured
out=$(PING -c 10 -i 0.05 -W 2 "$A4" 2>&1)
res=$(rtts <<<"$out" | pystat 'len(r) == 10 and min(r) >= 40 and st.median(r) < 60, round(st.median(r), 2)')
[ "${res%% *}" = True ] && ok "delay_20ms_rtt_40_60 # median ${res##* } ms" ||
	not_ok "delay_20ms_rtt_40_60" "$out"

# --- jitter: 20 +- 5 ms each way -> RTTs spread, 90% in [30, 51] -------------
# (a loaded host may deliver a timer late now and then: not the relay's rule)
xn_netem_set 1 --delay 20 --jitter 5 --seed 3
out=$(PING -c 30 -i 0.03 -W 2 "$A4" 2>&1)
res=$(rtts <<<"$out" | pystat 'len(r) == 30 and min(r) >= 30 and sum(30 <= x <= 51 for x in r) >= 27 and st.pstdev(r) >= 2, round(st.pstdev(r), 2)')
[ "${res%% *}" = True ] && ok "jitter_spreads_rtt # stdev ${res##* } ms" ||
	not_ok "jitter_spreads_rtt" "$out"

# No ARP from here on: the relay's counters and the datagrams match exactly.
xn_static_arp 1
# --- loss: 10% client->server over 2000 datagrams -----------------------------
xn_netem_set 1 --ab-loss 10 --seed 11
xn_udp_probe "$C" "$S" "$A4" 2000 200 "$XB_TMP/loss"
got=$(xb_json 'd["unique"]' "$XB_TMP/loss")
rate=$(pyc "round(100.0 * (2000 - ${got:-0}) / 2000, 2)")
[ "$(pyc "6 <= $rate <= 14")" = True ] && ok "loss_10pct_rate_in_6_14 # $rate%" ||
	not_ok "loss_10pct_rate_in_6_14" "received $got of 2000" "$(cat "$XB_TMP/loss.err")"
# The relay lost every missing datagram, and at most the few other frames
# (IPv6 ND of the endpoints) that crossed it besides.
res=$(J "d['ab']['lost'] - (2000 - $got), d['ab']['rx'] - 2000, d['ba']['lost'] + d['ab']['rx_sock_drops']")
read -r extra others zero <<<"${res//[(),]/ }"
[ "$extra" -ge 0 ] && [ "$extra" -le "$others" ] && [ "$zero" -eq 0 ] &&
	ok "loss_matches_relay_counters # $((2000 - got)) + $extra other frames" ||
	not_ok "loss_matches_relay_counters" "datagrams lost $((2000 - got)), relay: extra $extra, other frames $others" "$(cat "$XB_TMP/st.json")"

# --- same seed, same fate: the runs lose the same datagrams -------------------
# On a second path (second relay in the same router namespace), IPv4 only
# with permanent neighbours: no ND, MLD or ARP frame can shift the stream.
XN_NO_IPV6=1 xn_path 2 "$C" "$S" "$R" 2>"$XB_TMP/topo2.err" && xn_static_arp 2 ||
	not_ok "second_path" "$(cat "$XB_TMP/topo2.err")"
for run in 5a 5b 6c; do # not in $(...): the relay must be restarted by this shell
	xn_netem_set 2 --ab-loss 30 --seed "${run%?}"
	xn_udp_probe "$C" "$S" "$(xn_addr4 2 s)" 300 200 "$XB_TMP/seed.$run"
done
s1=$(xb_json 'd["seqs"]' "$XB_TMP/seed.5a") s2=$(xb_json 'd["seqs"]' "$XB_TMP/seed.5b") s3=$(xb_json 'd["seqs"]' "$XB_TMP/seed.6c")
[ "${#s1}" -gt 100 ] && [ "$s1" = "$s2" ] && [ "$s1" != "$s3" ] && ok "seed_reproduces_losses" ||
	not_ok "seed_reproduces_losses" "seed 5: $s1" "seed 5: $s2" "seed 6: $s3"
xn_netem_stop 2
# path 1 still relays on its own
check "first_path_unaffected" PING -c 2 -i 0.1 -W 2 "$A4"

# --- duplication: ping reports DUP!, as many as the relay made ----------------
xn_netem_set 1 --ab-dup 20 --seed 2
out=$(PING -c 100 -i 0.005 -W 1 "$A4" 2>&1)
ndup=$(grep -c 'DUP!' <<<"$out")
# every DUP! is a copy the relay made; it may also have copied one of the
# few other frames (IPv6 ND) that crossed it
res=$(J 'd["ab"]["duplicated"], d["ab"]["rx"] - 100')
read -r rdup others <<<"${res//[(),]/ }"
[ "$ndup" -ge 5 ] && [ "$rdup" -ge "$ndup" ] && [ "$rdup" -le $((ndup + others)) ] &&
	ok "dup_seen_by_ping # $ndup DUP!" ||
	not_ok "dup_seen_by_ping" "ping DUP! $ndup, relay ab.duplicated $rdup, other frames $others" "$(tail -n 3 <<<"$out")"

# --- reorder without delay: held back 5 ms, overtaken -----------------------
# 300 datagrams 0.5 ms apart: those that arrive after a higher number are
# exactly the relay's out_of_order.
xn_netem_set 1 --ab-reorder 20 --ab-reorder-gap 5 --seed 4
xn_udp_probe "$C" "$S" "$A4" 300 500 "$XB_TMP/ro"
ulate=$(xb_json 'd["late"]' "$XB_TMP/ro") useen=$(xb_json 'd["unique"]' "$XB_TMP/ro")
rooo=$(J 'd["ab"]["out_of_order"]')
[ "$useen" -eq 300 ] && [ "$ulate" -gt 10 ] && [ "$ulate" -eq "$rooo" ] &&
	[ "$(xb_json 'd["ab"]["reordered"] > 30' "$XB_TMP/st.json")" = True ] &&
	ok "reorder_gap_overtaken # $ulate of 300 late" ||
	not_ok "reorder_gap_overtaken" "received $useen, late $ulate, relay out_of_order $rooo" "$(cat "$XB_TMP/st.json")"

# --- TCP through 5% loss + 5% reorder + 10 ms delay: byte-exact ---------------
xn_netem_set 1 --delay 10 --loss 5 --reorder 5 --seed 9
tcp_xfer "$A4" 3000000 "$XB_TMP/lr"
xb_check_bytes tcp_loss5_reorder5_sha256_exact "$XB_TMP/lr.client" "$XB_TMP/lr.server" 3000000
[ "$(J 'd["ab"]["lost"] > 0 and d["ab"]["reordered"] > 0 and d["ab"]["out_of_order"] > 0 and d["ba"]["lost"] > 0 and d["ab"]["delayed"] > 0')" = True ] &&
	ok "tcp_loss_reorder_counted" || not_ok "tcp_loss_reorder_counted" "$(cat "$XB_TMP/st.json")"

# --- same over IPv6 ---------------------------------------------------------
tcp_xfer "$A6" 1000000 "$XB_TMP/l6"
xb_check_bytes tcp6_loss5_reorder5_sha256_exact "$XB_TMP/l6.client" "$XB_TMP/l6.server" 1000000

# --- rate: 8 Mbit/s -> TCP goodput 70..105% of it ------------------------------
xn_netem_set 1 --rate 8 --limit 100 --delay 5
if tcp_xfer "$A4" 2000000 "$XB_TMP/rt"; then
	mbit=$(goodput "$XB_TMP/rt.server" 2)
	[ "$(pyc "5.6 <= $mbit <= 8.4")" = True ] && ok "rate_8mbit_goodput # $mbit Mbit/s" ||
		not_ok "rate_8mbit_goodput" "goodput $mbit Mbit/s" "$(cat "$XB_TMP/rt.server")"
else
	not_ok "rate_8mbit_goodput" "$(cat "$XB_TMP/rt.server.err" "$XB_TMP/rt.client.err")"
fi
[ "$(J 'd["ab"]["held_max"] > 1 and d["ab"]["held_max"] <= 100 + 5 and d["ab"]["delayed"] > 1000')" = True ] &&
	ok "rate_queues_frames" || not_ok "rate_queues_frames" "$(cat "$XB_TMP/st.json")"

# --- unimpaired throughput -----------------------------------------------------
# Judged against a plain veth between the same namespaces measured in the
# same run (the same CPU, the same load), not in Mbit/s: a faster or slower
# or busier machine moves both. The bar is low: the relay copies every
# frame through userspace, the veth does not.
xn_netem_set 1
dmbit=0
if xb_veth "$C" xnd$$c 192.0.2.1/24 "$S" xnd$$s 192.0.2.2/24 &&
	tcp_xfer 192.0.2.2 250000000 "$XB_TMP/direct" --nohash; then
	dmbit=$(goodput "$XB_TMP/direct.server" 0)
fi
ip -n "$C" link del "xnd$$c" 2>/dev/null
if tcp_xfer "$A4" 250000000 "$XB_TMP/tp" --nohash; then
	mbit=$(goodput "$XB_TMP/tp.server" 0)
	secs=$(xb_json 'd["t_eof"] - d["t_accept"]' "$XB_TMP/tp.server")
	# the relay's CPU includes the server's TCP receive work: veth delivers
	# in the softirq of the relay's sendmmsg
	res=$(J "round(d['ab']['rx'] / $secs), round(d['cpu_user_s'] + d['cpu_sys_s'], 2), round(d['ab']['tx_bytes'] * 8 / 1e9 / (d['cpu_user_s'] + d['cpu_sys_s']), 2)")
	read -r pps cpu gbps <<<"${res//[(),]/ }"
	echo "# relay throughput: TCP goodput $mbit Mbit/s, ${pps} client->server frames/s;" \
		"relay CPU ${cpu} s for ${secs%.*} s: ${gbps} Gbit per relay CPU second;" \
		"plain veth in the same run: $dmbit Mbit/s"
	[ "$dmbit" -gt 0 ] && [ "$((mbit * 100 / dmbit))" -ge 3 ] &&
		[ "$(J 'd["ab"]["rx"] == d["ab"]["tx"] and d["ab"]["oversize"] == 0')" = True ] &&
		ok "unimpaired_throughput_3pct_of_plain_veth # $mbit of $dmbit Mbit/s" ||
		not_ok "unimpaired_throughput_3pct_of_plain_veth" "$mbit Mbit/s, plain veth $dmbit Mbit/s (want >= 3%)" \
			"$(cat "$XB_TMP/st.json")" "$(cat "$XB_TMP/direct.server.err" 2>/dev/null)"
else
	not_ok "unimpaired_throughput_3pct_of_plain_veth" "$(cat "$XB_TMP/tp.server.err" "$XB_TMP/tp.client.err")"
fi

# --- tx checksum offload left on: counted, warned once, completed -------------
ip netns exec "$C" ethtool -K "$IFC" tx on >/dev/null 2>&1
ip netns exec "$C" ethtool -K "$IFC" tso off gso off >/dev/null 2>&1
xn_netem_set 1
if tcp_xfer "$A4" 1000000 "$XB_TMP/cs" &&
	[ "$(xb_json 'd["sent_sha256"]' "$XB_TMP/cs.client")" = "$(xb_json 'd["recv_sha256"]' "$XB_TMP/cs.server")" ] &&
	[ "$(J 'd["ab"]["csum_not_ready"] > 100 and d["ab"]["csum_fixed"] == d["ab"]["csum_not_ready"]')" = True ] &&
	[ "$(grep -c 'unfinished checksum' "$(xn_netem_log 1)")" -eq 1 ]; then
	ok "csum_partial_counted_and_completed"
else
	not_ok "csum_partial_counted_and_completed" "$(cat "$XB_TMP/st.json")" "$(tail -n 3 "$(xn_netem_log 1)")"
fi
xn_offloads_off "$C" "$IFC"

# --- oversize: frames over the egress MTU are dropped and counted -------------
ip -n "$C" link set "$IFC" mtu 4000 && ip -n "$R" link set "$IFA" mtu 4000
xn_netem_set 1
PING -c 3 -i 0.1 -W 1 -s 3000 -M dont "$A4" >/dev/null 2>&1
[ "$(J 'd["ab"]["oversize"]')" -ge 3 ] && [ "$(grep -c 'over the MTU' "$(xn_netem_log 1)")" -eq 1 ] &&
	ok "oversize_dropped_counted" || not_ok "oversize_dropped_counted" "$(cat "$XB_TMP/st.json")"
ip -n "$C" link set "$IFC" mtu 1500 && ip -n "$R" link set "$IFA" mtu 1500
xn_netem_set 1

# --- 802.1Q: the tag the kernel moves into metadata is put back -------------
# A tagged frame (VID 10, PCP 5, ethertype 0x88b5) sent raw from the client
# must reach the server's interface with the same tag (which its kernel in
# turn reports in PACKET_AUXDATA).
rm -f "$XB_TMP/vlan.ready"
ip netns exec "$S" "$XN_PY" "$XB_LIBDIR/netem_vlan.py" recv "$(xn_if 1 s)" "$XB_TMP/vlan.ready" >"$XB_TMP/vlan.out" 2>&1 &
vpid=$!
xb_wait_file "$XB_TMP/vlan.ready" 5 && ip netns exec "$C" "$XN_PY" "$XB_LIBDIR/netem_vlan.py" send "$IFC"
wait "$vpid"
vout=$(cat "$XB_TMP/vlan.out")
[[ "$vout" == "vlan_valid=1 tci=40970"* || "$vout" == "inline tci=40970" ]] &&
	ok "vlan_tag_preserved" || not_ok "vlan_tag_preserved" "$vout"

# --- link flap: the relay survives and forwards again -------------------------
# (carrier comes back through linkwatch: wait for the path, 10 s bound)
xn_link_flap 1 0.3
check "link_flap_survived" xb_wait_until 10 PING -c 1 -W 1 "$A4"

# --- stats on SIGUSR1 (dump counter moves), exit 0 on SIGTERM -----------------
d1=$(J 'd["dumps"]') d2=$(J 'd["dumps"]')
[ "$d2" -gt "$d1" ] && ok "sigusr1_dumps_stats" || not_ok "sigusr1_dumps_stats" "dumps $d1 then $d2"
pid=$(xn_netem_pid 1)
xn_netem_stop 1
rc=$?
[ "$rc" -eq 0 ] && ! kill -0 "$pid" 2>/dev/null && ok "sigterm_exit_0" || not_ok "sigterm_exit_0" "rc $rc"

# --- kernel MPTCP over two relayed paths, 5% loss + 5% reorder each ---------
# The acceptance setup of the MPTCP engine, with the kernel on both ends:
# both relays must carry data and every byte must arrive, both ways.
M1="xnm1c$$" M2="xnm1s$$" MR="xnm1r$$"
if XN_NET4=10.234 xn_two_paths 3 4 "$M1" "$M2" "$MR" 2>"$XB_TMP/two.err" &&
	xn_netem_set 3 --delay 10 --loss 5 --reorder 5 --seed 31 &&
	xn_netem_set 4 --delay 20 --loss 5 --reorder 5 --seed 41; then
	xb_xfer "$M1" "$M2" "$(xn_addr4 3 s)" 5203 2000000 1000000 "$XB_TMP/mp" --subflows 1
	xb_check_bytes mptcp_two_paths_loss5_reorder5_sha256_exact "$XB_TMP/mp.client" "$XB_TMP/mp.server" 2000000
	xb_check_bytes mptcp_two_paths_loss5_reorder5_reply_sha256_exact "$XB_TMP/mp.server" "$XB_TMP/mp.client" 1000000
	xn_netem_stats 3 >"$XB_TMP/m3.json"
	xn_netem_stats 4 >"$XB_TMP/m4.json"
	both=$(xb_json 'd["ab"]["rx"] > 100 and d["ab"]["lost"] > 0' "$XB_TMP/m3.json")$(xb_json 'd["ab"]["rx"] > 100 and d["ab"]["lost"] > 0' "$XB_TMP/m4.json")
	sub=$(xb_json 'd["subflows"] or 0' "$XB_TMP/mp.client")
	[ "${sub:-0}" -ge 1 ] && [ "$both" = TrueTrue ] && ok "mptcp_two_paths_both_relays_used_and_lossy" ||
		not_ok "mptcp_two_paths_both_relays_used_and_lossy" "extra subflows: $sub, both paths used+lossy: $both" \
			"$(cat "$XB_TMP/mp.client" "$XB_TMP/mp.server" "$XB_TMP/mp.client.err" "$XB_TMP/mp.server.err")"
else
	not_ok "mptcp_two_paths_loss5_reorder5_topology" "$(cat "$XB_TMP/two.err")"
fi

# --- cleanup: a script that builds a topology leaves nothing behind ------------
q="xnq$$"
BUILD="$XB_BUILD" bash -c '
	source "$1/tests/lib/net.sh"; source "$1/tests/lib/netem.sh"
	xn_topology "$2c" "$2s" "$2r" --delay 5 || exit 1
	xn_netem_pid 1 >"$3"
	ip netns exec "$2c" ping -c 1 -W 2 "$(xn_addr4 1 s)" >/dev/null' _ "$XB_ROOT" "$q" "$XB_TMP/qpid"
rc=$?
qpid=$(cat "$XB_TMP/qpid" 2>/dev/null)
# the relay gets SIGTERM as its namespace goes
xb_wait_until 10 eval "[ -z '$qpid' ] || ! kill -0 '$qpid' 2>/dev/null"
left=$(ip netns list | grep -c "^$q")
if [ "$rc" -eq 0 ] && [ -n "$qpid" ] && [ "$left" -eq 0 ] && ! kill -0 "$qpid" 2>/dev/null; then
	ok "topology_cleanup_leaves_nothing"
else
	not_ok "topology_cleanup_leaves_nothing" "rc $rc, relay pid '$qpid', namespaces left: $left"
fi

xb_finish
