#!/usr/bin/env bash
# xmptcp CLI in a namespace: attach (generic, native, fallback), status -j,
# typed pinned maps through bpftool, second attach reusing the maps, errors,
# and detach --all leaving nothing attached or pinned; probed features,
# attach without XDP metadata (--no-meta, XMPTCP_NO_META=1) and through
# netlink. Then the bad-input matrix: every error is one line on stderr and
# a non-zero exit, no crash.
# Topology: namespace A (xbv0, bridge xbbr0 without native XDP) -- veth --
# namespace B (xbv1), 10.231.9.0/24.
source "$(dirname "$0")/../lib/net.sh"

xb_require_root
xb_require_cmds ip nsenter python3 bpftool tc stat unshare setpriv
xb_require_xmptcp
xb_require_netns
# both metadata modes are tested explicitly below, whatever the caller exported
unset XMPTCP_NO_META

A="xbcliA$$" B="xbcliB$$"
xb_ns_add "$A" "$B" &&
	xb_veth "$A" xbv0 10.231.9.1/24 "$B" xbv1 10.231.9.2/24 &&
	ip -n "$A" link add xbbr0 type bridge && ip -n "$A" link set xbbr0 up ||
	xb_skip_all "cannot build the veth/bridge topology"
PIN=$(xb_pin_dir "$A")
X() { xb_nsx "$A" "$XMPTCP" "$@"; }

# --- attach generic ----------------------------------------------------------
if X attach --mode generic xbv0 2>"$XB_TMP/err"; then
	ok "attach_generic"
else
	not_ok "attach_generic" "$(cat "$XB_TMP/err")"
	xb_finish
fi

st=$(X status -j)
if [ "$(xb_json 'd["attached"] and d["interfaces"][0]["name"]=="xbv0" and d["interfaces"][0]["xdp_mode"]=="generic" and d["interfaces"][0]["tc_attached"] and all(p["id"]>0 for p in d["programs"])' <<<"$st")" = True ]; then
	ok "status_json_attached_generic"
else
	not_ok "status_json_attached_generic" "$st"
fi
f_meta=$(xb_json 'd["features"]["xdp_meta"]' <<<"$st")
if [ "$(xb_json '(lambda f, i: f["probed"] and f["xdp_link"] is True and isinstance(f["xdp_meta"], bool) and isinstance(f["xdp_frags"], bool) and i["xdp_attach"]=="link" and i["meta"]==f["xdp_meta"] and d["programs"][0]["meta"]==f["xdp_meta"])(d["features"], d["interfaces"][0])' <<<"$st")" = True ]; then
	ok "status_json_features_and_meta_mode"
else
	not_ok "status_json_features_and_meta_mode" "$st"
fi
txt=$(X status)
grep -q "^features    xdp_meta \(yes\|no\), xdp_link yes, xdp_frags \(yes\|no\)" <<<"$txt" &&
	grep -Eq "^xbv0 +[0-9]+ +generic +[0-9]+ +[0-9]+ +link +(yes|no) " <<<"$txt" &&
	ok "status_text_features_and_meta_mode" || not_ok "status_text_features_and_meta_mode" "$txt"
xdp_id=$(xb_json 'd["interfaces"][0]["xdp_prog_id"]' <<<"$st")
[ "$(xb_json 'd["pin_dir"]' <<<"$st")" = "$PIN" ] && ok "status_pin_dir_per_netns" ||
	not_ok "status_pin_dir_per_netns" "expected $PIN" "$st"

link=$(ip -n "$A" -d link show xbv0)
grep -q "xdpgeneric" <<<"$link" && grep -q "prog/xdp id $xdp_id\|xdp id $xdp_id\|id $xdp_id" <<<"$link" &&
	ok "ip_link_shows_generic_xdp_prog" || not_ok "ip_link_shows_generic_xdp_prog" "$link"
tcf=$(ip netns exec "$A" tc filter show dev xbv0 egress)
grep -q "tc_egress" <<<"$tcf" && ok "tc_egress_filter_installed" ||
	not_ok "tc_egress_filter_installed" "$tcf"

# --- typed pinned maps ---------------------------------------------------------
cfgd=$(bpftool map dump pinned "$PIN/xmp_config" 2>&1)
grep -q '"flags": 3' <<<"$cfgd" && ok "bpftool_dump_config_named_fields" ||
	not_ok "bpftool_dump_config_named_fields" "$cfgd"
ip netns exec "$B" ping -c 3 -i 0.2 -W 1 10.231.9.1 >/dev/null 2>&1
stats=$(bpftool map dump pinned "$PIN/xmp_stats" 2>&1)
grep -q '"cpu"' <<<"$stats" && grep -q '"value"' <<<"$stats" &&
	ok "bpftool_dump_stats_per_cpu" || not_ok "bpftool_dump_stats_per_cpu" "$stats"
rx=$(X status -j | xb_json 'd["counters"]["rx_packets"]')
[ "${rx:-0}" -ge 3 ] && ok "status_counts_rx_packets" || not_ok "status_counts_rx_packets" "rx_packets=$rx"

# one short MPTCP exchange B -> A so xmp_observe holds a typed record
ip -n "$A" mptcp limits set subflows 2 add_addr_accepted 2
ip -n "$B" mptcp limits set subflows 2 add_addr_accepted 2
xb_xfer "$B" "$A" 10.231.9.1 5202 2000 1000 "$XB_TMP/x"
obs=$(bpftool map dump pinned "$PIN/xmp_observe" 2>&1)
grep -q '"join_token"' <<<"$obs" && grep -q '"dsn_end"' <<<"$obs" && grep -q '"saddr"' <<<"$obs" &&
	ok "bpftool_dump_observe_named_fields" || not_ok "bpftool_dump_observe_named_fields" "$obs"
st=$(X status -j)
if [ "$f_meta" = True ]; then
	[ "$(xb_json '(lambda c: c["meta_written"]>0 and c["meta_written"]<=c["rx_tcp"] and c["meta_refused"]==0)(d["counters"])' <<<"$st")" = True ] &&
		ok "meta_written_counted" || not_ok "meta_written_counted" "$st"
else
	skip "meta_written_counted" "kernel refuses bpf_xdp_adjust_meta"
fi

# --- flows grouping on injected observe entries --------------------------------
# Entries written straight into the pinned xmp_observe (no traffic): an
# MP_CAPABLE subflow whose first 1000 c2s bytes rode in the MP_CAPABLE ACK
# (no DSN seen for them), a client-opened join, a server-opened join (its
# token is the client's, directions swapped) and a join naming no known
# token. Expected grouping, tokens (SHA-256 of the keys, RFC 8684 3.1) and
# data-level bytes are computed independently in python.
inj=$(python3 "$XB_LIBDIR/cli_flows_inject.py" "$PIN/xmp_observe" "$XMPTCP" "/var/run/netns/$A")
[ "$inj" = grouped ] && ok "flows_groups_injected_subflows" || not_ok "flows_groups_injected_subflows" "$inj"

# --- already attached, fallback, second interface -------------------------------
X attach xbv0 >"$XB_TMP/out" 2>"$XB_TMP/err"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -lt 128 ] && [ "$(wc -l <"$XB_TMP/err")" -eq 1 ] &&
	grep -q "already attached" "$XB_TMP/err" && ok "attach_twice_same_iface_fails" ||
	not_ok "attach_twice_same_iface_fails" "rc=$rc" "$(cat "$XB_TMP/err")"

X attach --mode native xbbr0 2>"$XB_TMP/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "native XDP unsupported on xbbr0, try --mode generic" "$XB_TMP/err" &&
	ok "explicit_native_unsupported_errors" ||
	not_ok "explicit_native_unsupported_errors" "rc=$rc" "$(cat "$XB_TMP/err")"

obs_id=$(bpftool -j map show pinned "$PIN/xmp_observe" | xb_json 'd["id"]')
if X attach xbbr0 2>"$XB_TMP/err"; then
	grep -q "using generic mode" "$XB_TMP/err" && ok "default_mode_falls_back_to_generic" ||
		not_ok "default_mode_falls_back_to_generic" "$(cat "$XB_TMP/err")"
else
	not_ok "default_mode_falls_back_to_generic" "$(cat "$XB_TMP/err")"
fi
st=$(X status -j)
[ "$(xb_json 'sorted(i["name"] for i in d["interfaces"])==["xbbr0","xbv0"] and len(set(i["xdp_prog_id"] for i in d["interfaces"]))==1 and [i["xdp_mode"] for i in d["interfaces"] if i["name"]=="xbbr0"]==["generic"]' <<<"$st")" = True ] &&
	[ "$(bpftool -j map show pinned "$PIN/xmp_observe" | xb_json 'd["id"]')" = "$obs_id" ] &&
	ok "second_attach_reuses_pinned_maps_and_progs" ||
	not_ok "second_attach_reuses_pinned_maps_and_progs" "observe id was $obs_id" "$st"

X detach xbbr0 2>/dev/null
st=$(X status -j)
[ "$(xb_json '[i["name"] for i in d["interfaces"]]==["xbv0"]' <<<"$st")" = True ] &&
	! ip -n "$A" -d link show xbbr0 | grep -q xdp &&
	! ip netns exec "$A" tc qdisc show dev xbbr0 | grep -q clsact &&
	ok "detach_one_iface_keeps_the_other" || not_ok "detach_one_iface_keeps_the_other" "$st"

# --- detach --all, then native ----------------------------------------------------
nothing_left() { # NAME
	local l q f
	l=$(ip -n "$A" -d link show)
	q=$(ip netns exec "$A" tc qdisc show)
	f=$(ip netns exec "$A" tc filter show dev xbv0 egress)
	if ! grep -q "xdp" <<<"$l" && ! grep -q clsact <<<"$q" && [ -z "$f" ] && [ ! -e "$PIN" ] &&
		[ "$(X status -j | xb_json 'd["attached"]')" = False ]; then
		ok "$1"
	else
		not_ok "$1" "$l" "$q" "$f" "$(ls -R "$PIN" 2>&1)"
	fi
}
check "detach_all" X detach --all
nothing_left "detach_all_leaves_nothing_attached_or_pinned"

# xbv0 attaches natively, then xbbr0 refuses native: the call must undo xbv0
X attach --mode native xbv0 xbbr0 2>"$XB_TMP/err"
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$XB_TMP/err")" -eq 1 ] && ok "attach_failing_midway_fails_once" ||
	not_ok "attach_failing_midway_fails_once" "rc=$rc" "$(cat "$XB_TMP/err")"
nothing_left "attach_is_all_or_nothing"

if X attach xbv0 2>"$XB_TMP/err"; then
	st=$(X status -j)
	[ "$(xb_json 'd["interfaces"][0]["xdp_mode"]' <<<"$st")" = native ] &&
		ip -n "$A" -d link show xbv0 | grep -q "xdp id\|prog/xdp id" &&
		! ip -n "$A" -d link show xbv0 | grep -q xdpgeneric &&
		ok "attach_native_default_on_veth" || not_ok "attach_native_default_on_veth" "$st"
else
	not_ok "attach_native_default_on_veth" "$(cat "$XB_TMP/err")"
fi
check "detach_named_last_iface" X detach xbv0
nothing_left "detach_last_iface_removes_pins"

# --- bpffs missing: attach mounts it -------------------------------------------------
{
	out=$(unshare -m --propagation private bash -c "
		umount /sys/fs/bpf 2>/dev/null
		nsenter --net=/var/run/netns/$A $XMPTCP attach --mode generic xbv0 2>&1 || exit 1
		nsenter --net=/var/run/netns/$A $XMPTCP status -j | grep -q '\"attached\":true' || exit 2
		nsenter --net=/var/run/netns/$A $XMPTCP detach --all || exit 3" 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] && grep -q "mounted bpffs" <<<"$out" && ok "attach_mounts_missing_bpffs" ||
		not_ok "attach_mounts_missing_bpffs" "rc=$rc" "$out"
	nothing_left "private_bpffs_run_leaves_nothing"
}

# --- JSON escaping: an interface name with a quote and a backslash -------------------
odd='xb"j\k'
if ip -n "$A" link add "$odd" type veth peer name xbjp 2>/dev/null; then
	ip -n "$A" link set "$odd" up
	st=$(X attach --mode generic "$odd" 2>&1 && X status -j)
	if [ "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1].splitlines()[-1]); print([i["name"] for i in d["interfaces"]] == [sys.argv[2]])' "$st" "$odd" 2>&1)" = True ]; then
		ok "status_json_escapes_iface_name"
	else
		not_ok "status_json_escapes_iface_name" "$st"
	fi
	X detach --all >/dev/null 2>&1
	ip -n "$A" link del "$odd"
else
	skip "status_json_escapes_iface_name" "kernel refused the name"
fi

# --- without XDP metadata: --no-meta, XMPTCP_NO_META=1, the pinned mode --------------
# meta_off NAME: the attached xdp_steer writes none, counted TCP frames got none
meta_off() {
	local st
	xb_nsx "$B" timeout 2 bash -c 'echo >/dev/tcp/10.231.9.1/5999' 2>/dev/null # SYN, RST back
	st=$(X status -j)
	if [ "$(xb_json '(lambda i, c: d["programs"][0]["meta"] is False and i["meta"] is False and c["rx_tcp"]>0 and c["meta_written"]==0 and c["meta_refused"]==0)(d["interfaces"][0], d["counters"])' <<<"$st")" = True ] &&
		X status | grep -q "^program     xdp_steer  id [0-9]*, metadata no"; then
		ok "$1"
	else
		not_ok "$1" "$st"
	fi
}
if X attach --no-meta --mode generic xbv0 2>"$XB_TMP/err"; then
	grep -q "no metadata" "$XB_TMP/err" && meta_off "attach_no_meta_flag" ||
		not_ok "attach_no_meta_flag" "$(cat "$XB_TMP/err")"
	X attach --mode generic xbbr0 2>"$XB_TMP/err"
	rc=$?
	[ "$rc" -eq 0 ] && grep -q "runs without XDP metadata; reusing it" "$XB_TMP/err" &&
		[ "$(X status -j | xb_json 'all(i["meta"] is False for i in d["interfaces"])')" = True ] &&
		ok "default_attach_reuses_pinned_no_meta" ||
		not_ok "default_attach_reuses_pinned_no_meta" "rc=$rc" "$(cat "$XB_TMP/err")"
else
	not_ok "attach_no_meta_flag" "$(cat "$XB_TMP/err")"
fi
X detach --all >/dev/null 2>&1
if xb_nsx "$A" env XMPTCP_NO_META=1 "$XMPTCP" attach --mode generic xbv0 2>"$XB_TMP/err"; then
	meta_off "attach_no_meta_env"
else
	not_ok "attach_no_meta_env" "$(cat "$XB_TMP/err")"
fi
X detach --all >/dev/null 2>&1
if [ "$f_meta" = True ] && X attach --mode generic xbv0 2>"$XB_TMP/err"; then
	xb_nsx "$A" env XMPTCP_NO_META=1 "$XMPTCP" attach --mode generic xbbr0 >"$XB_TMP/out" 2>"$XB_TMP/err"
	rc=$?
	[ "$rc" -eq 1 ] && [ "$(wc -l <"$XB_TMP/err")" -eq 1 ] &&
		grep -q "writes XDP metadata but --no-meta/XMPTCP_NO_META=1 asks for none; run 'xmptcp detach --all' first" "$XB_TMP/err" &&
		[ "$(X status -j | xb_json '[i["name"] for i in d["interfaces"]]')" = "['xbv0']" ] &&
		ok "no_meta_against_pinned_meta_says_what_to_do" ||
		not_ok "no_meta_against_pinned_meta_says_what_to_do" "rc=$rc" "$(cat "$XB_TMP/err")"
else
	skip "no_meta_against_pinned_meta_says_what_to_do" "no metadata here ($f_meta)"
fi
X detach --all >/dev/null 2>&1
nothing_left "no_meta_attaches_leave_nothing"

# --- XDP through netlink (what attach falls back to where links are refused) ----------
if X attach --xdp-attach netlink --mode generic xbv0 2>"$XB_TMP/err"; then
	st=$(X status -j)
	[ "$(xb_json '(lambda i: i["xdp_attach"]=="netlink" and i["xdp_link_id"]==0 and i["xdp_prog_id"]==d["programs"][0]["id"] and i["xdp_mode"]=="generic")(d["interfaces"][0])' <<<"$st")" = True ] &&
		[ ! -e "$PIN/links/xdp_xbv0" ] && ip -n "$A" -d link show xbv0 | grep -q xdpgeneric &&
		ok "attach_through_netlink" || not_ok "attach_through_netlink" "$st"
	check "detach_netlink_attach" X detach xbv0
	nothing_left "netlink_detach_leaves_nothing"
else
	not_ok "attach_through_netlink" "$(cat "$XB_TMP/err")"
fi

# --- bad input matrix ------------------------------------------------------------------
# bad NAME EXPECT_REGEX ARGS...: one stderr line matching, rc in 1..127, no stdout
bad() {
	local name=$1 re=$2 rc lines
	shift 2
	"$@" >"$XB_TMP/out" 2>"$XB_TMP/err"
	rc=$?
	lines=$(wc -l <"$XB_TMP/err")
	if [ "$rc" -ge 1 ] && [ "$rc" -lt 128 ] && [ "$lines" -eq 1 ] && [ ! -s "$XB_TMP/out" ] &&
		grep -Eq -- "$re" "$XB_TMP/err"; then
		ok "bad_input_$name"
	else
		not_ok "bad_input_$name" "rc=$rc stderr lines=$lines" "$(cat "$XB_TMP/err" "$XB_TMP/out")"
	fi
}
mkdir -p "$XB_TMP/notbpf"
bad no_command "missing COMMAND" X
bad unknown_command "unknown command 'frob'.*--help" X frob
bad unknown_global_option "unknown option '--frob'" X --frob status
bad unknown_option "unknown option '--frob'.*attach --help" X attach --frob xbv0
bad missing_iface "missing IFACE" X attach
bad unknown_iface "unknown interface 'xbnosuch0'" X attach xbnosuch0
bad bad_mode_value "invalid --mode 'turbo' \(expected native\|generic\|auto\)" X attach --mode turbo xbv0
bad bad_xdp_attach_value "invalid --xdp-attach 'ioctl' \(expected auto\|link\|netlink\)" \
	X attach --xdp-attach ioctl xbv0
bad bad_no_meta_env "invalid XMPTCP_NO_META='maybe' \(expected 1 .*, or 0\)" \
	xb_nsx "$A" env XMPTCP_NO_META=maybe "$XMPTCP" attach xbv0
bad no_meta_with_value "takes no value" X attach --no-meta=1 xbv0
bad mode_without_value "--mode needs a value" X attach xbv0 --mode
bad long_iface_name "not a valid interface name" X attach xbaaaaaaaaaaaaaaaaaaaaaa
bad pin_dir_not_bpffs "not on a bpffs mount" X attach --pin-dir "$XB_TMP/notbpf" xbv0
bad pin_dir_relative "absolute path" X status --pin-dir relative/dir
bad status_pin_dir_not_bpffs "not on a bpffs mount" X status --pin-dir "$XB_TMP/notbpf"
bad flows_not_attached "not attached.*attach IFACE" X flows
bad flows_json_not_attached "not attached" X flows -j
bad detach_not_attached "xbv0 is not attached" X detach xbv0
bad detach_nothing_given "IFACE\.\.\. or --all" X detach
bad detach_all_and_iface "not both" X detach --all xbv0
bad flag_with_value "takes no value" X status --json=yes
bad stray_argument "unexpected argument 'extra'" X status extra
bad not_root "needs root" xb_nsx "$A" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$XMPTCP" attach xbv0
out=$(X status 2>&1)
rc=$?
[ "$rc" -eq 0 ] && grep -q "^not attached" <<<"$out" && ok "status_not_attached_exit_0" ||
	not_ok "status_not_attached_exit_0" "rc=$rc" "$out"
if out=$(X detach --all 2>&1); then
	ok "detach_all_when_nothing_attached_is_ok"
else
	not_ok "detach_all_when_nothing_attached_is_ok" "$out"
fi
for c in "" attach detach status flows; do
	X $c --help >"$XB_TMP/out" 2>&1 && grep -q "^Usage: xmptcp" "$XB_TMP/out" ||
		{ not_ok "help_${c:-global}" "$(cat "$XB_TMP/out")"; continue; }
	ok "help_${c:-global}"
done
nothing_left "bad_input_left_nothing_behind"
xb_finish
