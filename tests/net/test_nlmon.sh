#!/usr/bin/env bash
# The rtnetlink pieces of the path manager (user/io/route.c sourced lookups,
# ifaddr.c, nlmon.c) against the kernel, through build/tests/tools/nl_probe.
# Topology: namespace A (ours) -- two veth paths -- namespace B:
#   path 1: xnla1 10.77.1.1 fd77:1::1 <-> xnlb1 10.77.1.2 fd77:1::2
#   path 2: xnla2 10.77.2.1           <-> xnlb2 10.77.2.2
# plus, on xnla1, a deprecated address (preferred_lft 0) that must never
# be listed or reported, and the kernel's own fe80:: link-local address.
# Checks: `addrs` lists exactly the usable global addresses; a sourced
# route (from 10.77.2.1 oif xnla2 to path 1's peer) leaves through xnla2
# as `ip route get ... from ... oif ...` says and resolves the MAC there;
# the route cache keeps plain and sourced answers apart; `monitor` reports
# address add/del (IPv6 once, after DAD) and link down/up transitions;
# a monitor overrun (ENOBUFS) is reported as one resync and survived.
source "$(dirname "$0")/../lib/net.sh"

xb_require_root
xb_require_cmds ip nsenter python3 timeout
xb_require_netns
PROBE="$XB_BUILD/tests/tools/nl_probe"
xb_require_bin "$PROBE"

A="xnlA$$" B="xnlB$$"
xb_ns_add "$A" "$B" &&
	xb_veth "$A" xnla1 10.77.1.1/24 "$B" xnlb1 10.77.1.2/24 &&
	xb_veth "$A" xnla2 10.77.2.1/24 "$B" xnlb2 10.77.2.2/24 &&
	ip -n "$A" addr add fd77:1::1/64 dev xnla1 nodad &&
	ip -n "$B" addr add fd77:1::2/64 dev xnlb1 nodad &&
	ip -n "$A" addr add fd77:1::99/64 dev xnla1 nodad preferred_lft 0 ||
	xb_skip_all "cannot build the two-path topology"

P() { xb_nsx "$A" "$PROBE" "$@"; }
ifindex() { ip -n "$1" -j link show dev "$2" | xb_json 'd[0]["ifindex"]'; }
mac() { ip -n "$1" -j link show dev "$2" | xb_json 'd[0]["address"]'; }
IDX1=$(ifindex "$A" xnla1) IDX2=$(ifindex "$A" xnla2)

# The link-local addresses must exist and be past DAD, or the "no
# link-local" check below proves nothing (and IPv6 ND needs them).
ll_ready() {
	local i
	for ((i = 0; i < 50; i++)); do
		ip -n "$A" -6 addr show dev xnla1 scope link -tentative | grep -q fe80 &&
			ip -n "$B" -6 addr show dev xnlb1 scope link -tentative | grep -q fe80 &&
			return 0
		sleep 0.1
	done
	return 1
}
check "link_local_past_dad" ll_ready
depr=$(ip -n "$A" -6 addr show dev xnla1)
grep -q "fd77:1::99/64 .*deprecated" <<<"$depr" && ok "deprecated_addr_configured" ||
	not_ok "deprecated_addr_configured" "$depr"

# --- addrs ---------------------------------------------------------------------
# same_set JSON WORD...: the JSON array holds exactly these strings
same_set() {
	local json=$1
	shift
	python3 -c 'import json,sys; sys.exit(sorted(json.loads(sys.argv[1])) != sorted(sys.argv[2:]))' \
		"$json" "$@"
}
out=$(P addrs xnla1 2>&1)
same_set "$out" 10.77.1.1 fd77:1::1 && ok "addrs_path1_global_only" ||
	not_ok "addrs_path1_global_only" "want [10.77.1.1, fd77:1::1]" "$out" \
		"$(ip -n "$A" addr show dev xnla1)"
out=$(P addrs xnla2 2>&1)
same_set "$out" 10.77.2.1 && ok "addrs_path2" || not_ok "addrs_path2" "want [10.77.2.1]" "$out"

# An address under DAD is not usable yet: not listed while tentative.
ip -n "$A" addr add fd77:1::7/64 dev xnla1
out=$(P addrs xnla1 2>&1)
st=$(ip -n "$A" -6 addr show dev xnla1)
if ! grep -q "fd77:1::7/64 scope global tentative" <<<"$st"; then
	skip "addrs_skip_tentative" "DAD finished before the check"
else
	same_set "$out" 10.77.1.1 fd77:1::1 && ok "addrs_skip_tentative" ||
		not_ok "addrs_skip_tentative" "$out" "$st"
fi
ip -n "$A" addr del fd77:1::7/64 dev xnla1
out=$(P addrs nosuchif0 2>&1) && not_ok "addrs_unknown_ifname_fails" "$out" ||
	ok "addrs_unknown_ifname_fails"

# --- route -----------------------------------------------------------------------
# route_is JSON 'python condition over d': the probe's answer satisfies it
route_is() { [ "$(xb_json "$2" <<<"$1" 2>/dev/null)" = True ]; }
MACB1=$(mac "$B" xnlb1) MACB2=$(mac "$B" xnlb2)

kr=$(ip -n "$A" -j route get 10.77.1.2 from 10.77.2.1 oif xnla2)
kdev=$(xb_json 'd[0]["dev"]' <<<"$kr")
out=$(P route 10.77.1.2 10.77.2.1 xnla2 2>&1)
route_is "$out" "d['ifindex'] == $(ifindex "$A" "$kdev") == $IDX2 and d['src'] == '10.77.2.1'" &&
	ok "route_from_oif_matches_kernel" ||
	not_ok "route_from_oif_matches_kernel" "kernel: $kr" "ours: $out" "xnla2 is $IDX2"
route_is "$out" "d['nexthop'] == '10.77.1.2' and not d['gateway'] and d['dst_mac'] == '$MACB2'" &&
	ok "route_from_oif_resolves_on_oif" ||
	not_ok "route_from_oif_resolves_on_oif" "want nexthop 10.77.1.2 mac $MACB2 (xnlb2)" "$out"

kr=$(ip -n "$A" -j route get 10.77.1.2)
out=$(P route 10.77.1.2 2>&1)
route_is "$out" "d['ifindex'] == $IDX1 and d['src'] == '$(xb_json 'd[0]["prefsrc"]' <<<"$kr")' == '10.77.1.1' and d['dst_mac'] == '$MACB1' and d['mtu'] == 1500" &&
	ok "route_plain_unchanged" || not_ok "route_plain_unchanged" "kernel: $kr" "ours: $out"

out=$(P routes 10.77.1.2 10.77.2.1 xnla2 2>&1)
route_is "$out" "[(r['ifindex'], r['src']) for r in d] == [($IDX1, '10.77.1.1'), ($IDX2, '10.77.2.1')] * 2" &&
	ok "route_cache_keys_src_oif" || not_ok "route_cache_keys_src_oif" "$out"

out=$(P route fd77:1::2 2>&1)
route_is "$out" "d['ifindex'] == $IDX1 and d['src'] == 'fd77:1::1' and d['dst_mac'] == '$MACB1'" &&
	ok "route_ipv6" || not_ok "route_ipv6" "$out"
out=$(P route fd77:1::2 fd77:1::1 xnla1 2>&1)
route_is "$out" "d['ifindex'] == $IDX1 and d['src'] == 'fd77:1::1'" &&
	ok "route_ipv6_from_oif" || not_ok "route_ipv6_from_oif" "$out"

out=$(P route 10.77.1.2 10.77.9.9 xnla2 2>&1) && not_ok "route_from_foreign_src_fails" "$out" ||
	ok "route_from_foreign_src_fails"
out=$(P route 10.77.1.2 fd77:1::1 xnla1 2>&1) && not_ok "route_family_mismatch_fails" "$out" ||
	ok "route_family_mismatch_fails"

# --- monitor -----------------------------------------------------------------------
mon="$XB_TMP/monitor.out"
# the monitor runs until the test saw what it waits for (@stop), not for
# a window of seconds that a slow machine might overrun
P monitor "@$XB_TMP/mon.stop" >"$mon" 2>"$mon.err" &
mpid=$!
xb_wait_until 10 grep -q '"ready"' "$mon"
if ! grep -q '"ready"' "$mon"; then
	not_ok "monitor_ready" "$(cat "$mon" "$mon.err")"
	xb_finish
fi
ok "monitor_ready"
# IPv6 first: its DAD (random delay up to 1 s, then 1 s) must end in the window
ip -n "$A" addr add fd77:1::5/64 dev xnla1
ip -n "$A" addr add fd77:1::98/64 dev xnla1 nodad preferred_lft 0
ip -n "$A" addr add 10.77.1.7/24 dev xnla1
ip -n "$A" addr del 10.77.1.7/24 dev xnla1
ip -n "$A" link set xnla2 down
ip -n "$A" link set xnla2 up

# mon_has 'python condition over ev (list of events)'
mon_has() {
	python3 - "$mon" "$1" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.endswith("\n")]
def idx(cond):
    return [i for i, e in enumerate(ev) if cond(e)]
def find(kind, ifindex=None, addr=None):
    return idx(lambda e: e["event"] == kind and (ifindex is None or e.get("ifindex") == ifindex)
               and (addr is None or e.get("addr") == addr))
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}
mcheck() { # NAME CONDITION
	mon_has "$2" && ok "$1" || not_ok "$1" "condition: $2" "$(cat "$mon")"
}
# the last events the test waits for: the IPv6 address after DAD (up to
# 2 s) and the link back up; then the monitor stops and prints its stats
xb_wait_until 15 mon_has "find('addr_new', $IDX1, 'fd77:1::5') and find('link_up', $IDX2)"
touch "$XB_TMP/mon.stop"
wait "$mpid"
mrc=$?
[ "$mrc" -eq 0 ] && ok "monitor_exit_0" || not_ok "monitor_exit_0" "rc $mrc" "$(cat "$mon.err")"
mcheck "monitor_addr_new_v4" "len(find('addr_new', $IDX1, '10.77.1.7')) == 1"
mcheck "monitor_addr_del_v4_after_new" \
	"find('addr_del', $IDX1, '10.77.1.7') and find('addr_del', $IDX1, '10.77.1.7')[0] > find('addr_new', $IDX1, '10.77.1.7')[0]"
mcheck "monitor_addr_new_v6_once_after_dad" "len(find('addr_new', $IDX1, 'fd77:1::5')) == 1"
mcheck "monitor_no_deprecated_addr" "not find('addr_new', None, 'fd77:1::98')"
mcheck "monitor_no_link_local" "not idx(lambda e: e.get('addr', '').startswith('fe80'))"
mcheck "monitor_link_down" "len(find('link_down', $IDX2)) == 1"
mcheck "monitor_link_up_after_down" \
	"len(find('link_up', $IDX2)) == 1 and find('link_up', $IDX2)[0] > find('link_down', $IDX2)[0]"
mcheck "monitor_route_events" "find('route')"
mcheck "monitor_no_resync_no_bad" "not find('resync') and find('stats') and ev[find('stats')[0]]['bad'] == 0"

# Overrun: a monitor that does not read while thousands of notifications
# arrive (4096 addresses and their local routes, several MiB against a
# 1 MiB socket buffer) must report one resync and count the overrun, then
# keep working: the link change after it is still reported.
# It reads nothing until the whole batch is in (@go), however long that
# takes, and runs until the link change after the resync was seen (@stop).
mon="$XB_TMP/overrun.out"
P monitor "@$XB_TMP/ovr.stop" "@$XB_TMP/ovr.go" >"$mon" 2>"$mon.err" &
mpid=$!
xb_wait_until 10 grep -q '"ready"' "$mon"
for ((i = 0; i < 4096; i++)); do
	echo "addr add 10.77.$((100 + i / 256)).$((i % 256))/32 dev xnla2"
done >"$XB_TMP/batch"
ip -n "$A" -batch "$XB_TMP/batch" || not_ok "overrun_batch_add" "ip -batch failed"
touch "$XB_TMP/ovr.go"
# A link change while the socket buffer is still full is lost as well (one
# more resync): flap the link until the monitor, having drained the queue,
# reports one after the resync.
flap_seen() {
	ip -n "$A" link set xnla2 down
	mon_has "find('resync') and find('link_down', $IDX2) and find('link_down', $IDX2)[-1] > find('resync')[0]" &&
		return 0
	ip -n "$A" link set xnla2 up
	return 1
}
xb_wait_until 15 flap_seen
touch "$XB_TMP/ovr.stop"
wait "$mpid"
mcheck "overrun_resync_reported" \
	"len(find('resync')) >= 1 and ev[find('stats')[0]]['overruns'] >= 1 and ev[find('stats')[0]]['bad'] == 0"
mcheck "overrun_then_events_again" "find('link_down', $IDX2) and find('link_down', $IDX2)[-1] > find('resync')[0]"

xb_finish
