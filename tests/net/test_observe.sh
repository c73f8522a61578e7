#!/usr/bin/env bash
# Observe mode against the kernel's own MPTCP: client and server namespaces
# joined by two veth paths, the kernel's path manager opening a second
# subflow (MP_JOIN, RFC 8684 3.2) from the client's second address, xmptcp
# attached to both server interfaces. A python3 IPPROTO_MPTCP transfer of
# 16 MB client->server and 4 MB back (sha256-checked) must show up in
# `xmptcp flows -j` as one connection with its tokens, an MP_CAPABLE and an
# MP_JOIN subflow that both carried payload, and data-level bytes within 1%
# of what was sent; the tokens must equal the kernel's (MPTCP_INFO).
source "$(dirname "$0")/../lib/net.sh"

xb_require_root
xb_require_cmds ip nsenter python3 stat timeout
xb_require_xmptcp
xb_require_netns

C2S=$((16 << 20)) S2C=$((4 << 20))
CLI="xbobsC$$" SRV="xbobsS$$"
xb_two_paths "$CLI" "$SRV" || xb_skip_all "cannot build the two-path topology (kernel MPTCP?)"
X() { xb_nsx "$SRV" "$XMPTCP" "$@"; }

if X attach xbs1 xbs2 2>"$XB_TMP/err"; then
	ok "attach_server_two_ifaces"
else
	not_ok "attach_server_two_ifaces" "$(cat "$XB_TMP/err")"
	xb_finish
fi

out="$XB_TMP/x"
if xb_xfer "$CLI" "$SRV" 10.231.1.2 5201 "$C2S" "$S2C" "$out" --subflows 1; then
	ok "kernel_mptcp_transfer_ran"
else
	not_ok "kernel_mptcp_transfer_ran" "$(cat "$out".* 2>/dev/null)"
fi

# sha256 and byte counts on both ends
python3 - "$out.client" "$out.server" "$C2S" "$S2C" <<'PY' && ok "transfer_bytes_sha256_match" || not_ok "transfer_bytes_sha256_match" "$(cat "$out.client" "$out.server")"
import json, sys
c, s = (json.load(open(p)) for p in sys.argv[1:3])
c2s, s2c = int(sys.argv[3]), int(sys.argv[4])
assert s["recv"] == c2s and s["recv_sha256"] == c["sent_sha256"], "client->server"
assert c["recv"] == s2c and c["recv_sha256"] == s["sent_sha256"], "server->client"
PY

sed "s/^/# /" "$out.client" "$out.server"
X flows -j >"$XB_TMP/flows.json" 2>"$XB_TMP/err" || not_ok "flows_json" "$(cat "$XB_TMP/err")"
X flows >"$XB_TMP/flows.txt" 2>&1
sed 's/^/# /' "$XB_TMP/flows.txt"

# check NAME PYTHON-EXPR over f (flows), conn (the single connection),
# cl/sv (the endpoints' reports), c2s/s2c (bytes sent)
pycheck() {
	local name=$1 expr=$2 msg
	if msg=$(python3 "$XB_LIBDIR/observe_check.py" "$XB_TMP/flows.json" "$out.client" "$out.server" \
		"$C2S" "$S2C" "$expr" 2>&1); then ok "$name"; else not_ok "$name" "$expr" "$msg"; fi
}

pycheck "one_connection" 'len(conns) == 1 and not f["unmatched"]'
pycheck "tokens_present" 'conn["client_token"] is not None and conn["server_token"] is not None and conn["client_key"] and conn["server_key"]'
pycheck "two_subflows_one_mpc_one_join" 'len(subs) == 2 and len(mpc) == 1 and len(join) == 1'
pycheck "join_names_server_token" 'join[0]["join_token"] == conn["server_token"] and join[0]["initiator"] == "client" and join[0]["saddr"] == "10.231.2.1"'
pycheck "both_subflows_carried_payload" 'len(subs) == 2 and all(s["bytes_c2s"] > 0 for s in subs) and all(s["bytes_c2s"] + s["bytes_s2c"] > 0 for s in subs)'
# every byte crossed some subflow at least once; retransmissions and the
# kernel's reinjections on the other subflow may add more (not a 1% bound)
pycheck "subflow_payload_covers_sent" 'c2s <= sum(s["bytes_c2s"] for s in subs) <= 2 * c2s and s2c <= sum(s["bytes_s2c"] for s in subs) <= 2 * s2c'
pycheck "data_bytes_c2s_within_1pct" 'abs(conn["data_bytes_c2s"] - c2s) <= c2s * 0.01'
pycheck "data_bytes_s2c_within_1pct" 'abs(conn["data_bytes_s2c"] - s2c) <= s2c * 0.01'
pycheck "data_fin_seen" '"data_fin" in conn["flags"] and "fallback" not in conn["flags"]'
if python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])).get("token") is not None else 1)' "$out.server" 2>/dev/null; then
	pycheck "server_token_equals_kernel_mptcp_info" 'conn["server_token"] == int(sv["token"], 16)'
	pycheck "client_token_equals_kernel_mptcp_info" 'conn["client_token"] == int(cl["token"], 16)'
else
	skip "tokens_equal_kernel_mptcp_info" "kernel offers no MPTCP_INFO"
fi

st=$(X status -j)
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); c=d["counters"]; sys.exit(0 if c["rx_mptcp"] > 0 and c["tx_mptcp"] > 0 and c["observe_new"] >= 2 else 1)' "$st" &&
	ok "status_counters_saw_mptcp_both_directions" || not_ok "status_counters_saw_mptcp_both_directions" "$st"

check "detach_all" X detach --all
pin=$(xb_pin_dir "$SRV")
if [ ! -e "$pin" ] && ! ip -n "$SRV" -d link show | grep -q xdp &&
	! ip netns exec "$SRV" tc qdisc show | grep -q clsact; then
	ok "detach_all_leaves_nothing"
else
	not_ok "detach_all_leaves_nothing" "$(ip -n "$SRV" -d link show; ls -R "$pin" 2>&1)"
fi
xb_finish
