#!/usr/bin/env bash
# Unmodified applications through xmptcpd's proxies, and the control socket.
# Topology: namespace C (curl / python3 clients, xmptcpd with client
# proxies) -- veth xpc0 10.236.1.1 / xps0 10.236.1.2 and a second one xpc1
# 10.236.2.1 / xps1 10.236.2.2 -- namespace S (xmptcpd with server proxies,
# python3 servers on 127.0.0.1). Both daemons run on both interfaces
# (--iface twice): a connection takes the one its route or SYN came by. Between the
# two daemons every connection is MPTCP (ours <-> ours, RFC 8684);
# towards the apps it is kernel TCP on loopback.
#   C: curl 127.0.0.1:8080 -> xmptcpd --client 127.0.0.1:8080=10.236.1.2:9000
#   S: xmptcpd --server 10.236.1.2:9000=127.0.0.1:8000 -> http.server
# Checked: downloads and uploads byte-exact (sha256), 16 at once, the
# kernel's MPTCP as a peer of each proxy (mptcpize curl into the server
# proxy; the client proxy into a kernel MPTCP server), `xmptcp conns -j` /
# `stats -j` on both ends during and after transfers (tokens agree across
# the two daemons), an upload and a download with the app <-> proxy hops
# paced at 40 Mbit/s (tbf on lo), a forward that fails resets the app's connection and
# is counted, SIGTERM exits cleanly and removes the control socket.
source "$(dirname "$0")/../lib/net.sh"

xb_require_root
xb_require_cmds ip nsenter python3 ethtool timeout curl mptcpize
xb_require_xmptcp
xb_require_bin "$XMPTCPD"
xb_require_netns

C="xpc$$" S="xps$$"
xb_pair "$C" "$S" 10.236 xpc0:xps0 xpc1:xps1 || xb_skip_all "cannot build the veth topology"
xb_attach_ends attach_both_ends "$C:xpc0,xpc1" "$S:xps0,xps1"

# The unmodified servers in S: files over HTTP, and a sink that answers
# "<bytes> <sha256>" after the client's EOF.
WWW="$XB_TMP/www"
mkdir -p "$WWW"
head -c 20000000 /dev/urandom >"$WWW/big.bin"
head -c 1000000 /dev/urandom >"$WWW/small.bin"
cat >"$XB_TMP/sink.py" <<'EOF'
import hashlib, socket, sys, threading
def serve(c):
    h, n = hashlib.sha256(), 0
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        h.update(b)
        n += len(b)
    c.sendall(("%d %s\n" % (n, h.hexdigest())).encode())
    c.close()
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", int(sys.argv[1])))
ls.listen(64)
while True:
    threading.Thread(target=serve, args=(ls.accept()[0],), daemon=True).start()
EOF
cat >"$XB_TMP/upload.py" <<'EOF'
import hashlib, os, socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
data = os.urandom(n)
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(data)
s.shutdown(socket.SHUT_WR)
ans = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    ans += b
want = "%d %s" % (n, hashlib.sha256(data).hexdigest())
print("ok" if ans.decode().strip() == want else "want %s got %r" % (want, ans))
EOF
ip netns exec "$S" python3 -m http.server --bind 127.0.0.1 --directory "$WWW" 8000 \
	>/dev/null 2>&1 &
ip netns exec "$S" python3 "$XB_TMP/sink.py" 8001 >/dev/null 2>&1 &
# a kernel MPTCP server for the client proxy's kernel-peer case
ip netns exec "$S" mptcpize run python3 -m http.server --bind 10.236.1.2 --directory "$WWW" 9100 \
	>/dev/null 2>&1 &

# nsenter execs xmptcpd: $! is the daemon's pid
nsenter --net="/var/run/netns/$S" "$XMPTCPD" --iface xps0 --iface xps1 \
	--server 10.236.1.2:9000=127.0.0.1:8000 --server 10.236.1.2:9001=127.0.0.1:8001 \
	--server 10.236.1.2:9002=127.0.0.1:8999 --server 10.236.2.2:9003=127.0.0.1:8000 \
	>"$XB_TMP/s.out" 2>"$XB_TMP/s.err" &
SPID=$!
nsenter --net="/var/run/netns/$C" "$XMPTCPD" --iface xpc0 --iface xpc1 \
	--client 127.0.0.1:8080=10.236.1.2:9000 --client 127.0.0.1:8081=10.236.1.2:9001 \
	--client 127.0.0.1:8082=10.236.1.2:9100 --client 127.0.0.1:8083=10.236.1.2:9002 \
	--client 127.0.0.1:8084=10.236.2.2:9003 >"$XB_TMP/c.out" 2>"$XB_TMP/c.err" &
CPID=$!
ready() { xb_wait_until 5 xb_listens "$@"; } # NS PORT: something listens on PORT
if ready "$S" 8000 && ready "$S" 8001 && ready "$S" 9100 && ready "$C" 8080 && ready "$C" 8083; then
	ok "daemons_and_servers_up"
else
	not_ok "daemons_and_servers_up" "$(cat "$XB_TMP/s.err" "$XB_TMP/c.err")"
	xb_finish
fi
ctl() { xb_nsx "$1" "$XMPTCP" "${@:2}"; }

# 1. download through both proxies
sha_big=$(sha256sum <"$WWW/big.bin" | cut -d' ' -f1)
got=$(ip netns exec "$C" timeout 60 curl -sS --max-time 50 http://127.0.0.1:8080/big.bin | sha256sum | cut -d' ' -f1)
[ "$got" = "$sha_big" ] && ok "curl_download_20MB_through_proxies_sha256" ||
	not_ok "curl_download_20MB_through_proxies_sha256" "got $got want $sha_big" "$(tail -n 3 "$XB_TMP/c.err" "$XB_TMP/s.err")"

# 2. upload through both proxies
r=$(ip netns exec "$C" timeout 60 python3 "$XB_TMP/upload.py" 8081 8000000 2>&1)
[ "$r" = ok ] && ok "upload_8MB_through_proxies_sha256" || not_ok "upload_8MB_through_proxies_sha256" "$r"

# 3. the control socket during a transfer: both daemons list the
# connection, MPTCP, with each other's tokens
ip netns exec "$C" timeout 60 curl -sS --limit-rate 4M -o "$XB_TMP/slow.bin" \
	http://127.0.0.1:8080/big.bin 2>"$XB_TMP/slow.err" &
CURL=$!
# 20 MB at 4 MB/s: 5 s of transfer at any CPU speed; sample until both
# daemons list it with data moved (a loaded machine starts curl late)
conns_agree() {
	ctl "$C" conns -j >"$XB_TMP/conns_c.json" 2>"$XB_TMP/conns_c.err"
	ctl "$S" conns -j >"$XB_TMP/conns_s.json" 2>"$XB_TMP/conns_s.err"
	ctl "$C" conns >"$XB_TMP/conns_c.txt" 2>&1
	r=$(python3 - "$XB_TMP/conns_c.json" "$XB_TMP/conns_s.json" <<'EOF'
import json, sys
c = [x for x in json.load(open(sys.argv[1])) if x["state"] not in ("TIME_WAIT", "CLOSED")]
s = [x for x in json.load(open(sys.argv[2])) if x["state"] not in ("TIME_WAIT", "CLOSED")]
if len(c) != 1 or len(s) != 1:
    print("want one live connection each: %s / %s" % (c, s)); sys.exit()
c, s = c[0], s[0]
ok = (c["role"] == "client" and s["role"] == "server" and c["proxy"] and s["proxy"] and
      c["mp_capable"] and s["mp_capable"] and c["local_token"] == s["remote_token"] and
      c["remote_token"] == s["local_token"] and c["recv"] > 0 and s["sent"] > 0 and
      c["remote"] == s["local"])
print("ok" if ok else "mismatch: %s / %s" % (c, s))
EOF
)
	[ "$r" = ok ]
}
xb_wait_until 15 conns_agree
[ "$r" = ok ] && ok "conns_json_both_daemons_tokens_agree" ||
	not_ok "conns_json_both_daemons_tokens_agree" "$r" "$(cat "$XB_TMP/conns_c.err" "$XB_TMP/conns_s.err")"
grep -q "client proxy .* 10.236.1.2:9000 " "$XB_TMP/conns_c.txt" && head -1 "$XB_TMP/conns_c.txt" | grep -q "TOKEN" &&
	ok "conns_table" || not_ok "conns_table" "$(cat "$XB_TMP/conns_c.txt")"
rc=0
wait "$CURL" || rc=$?
[ "$(sha256sum <"$XB_TMP/slow.bin" | cut -d' ' -f1)" = "$sha_big" ] && ok "rate_limited_download_sha256" ||
	not_ok "rate_limited_download_sha256" "curl exit $rc: $(cat "$XB_TMP/slow.err")" "$(ls -l "$XB_TMP/slow.bin")" \
		"$(ctl "$C" conns -j)" "$(ctl "$S" conns -j)" "$(cmp "$XB_TMP/slow.bin" "$WWW/big.bin" 2>&1)" \
		"$(grep -v '"error":null' "$XB_TMP/c.out" "$XB_TMP/s.out" | head -5 | cut -c1-400)"

# 4. 16 at once
pids=()
for i in $(seq 16); do
	ip netns exec "$C" timeout 60 curl -sS --max-time 50 -o "$XB_TMP/par$i" \
		http://127.0.0.1:8080/small.bin 2>>"$XB_TMP/par.err" &
	pids+=($!)
done
wait_ok=0
for j in "${pids[@]}"; do wait "$j" || true; done
sha_small=$(sha256sum <"$WWW/small.bin" | cut -d' ' -f1)
for i in $(seq 16); do
	[ "$(sha256sum <"$XB_TMP/par$i" | cut -d' ' -f1)" = "$sha_small" ] && wait_ok=$((wait_ok + 1))
done
[ "$wait_ok" = 16 ] && ok "sixteen_parallel_downloads_sha256" ||
	not_ok "sixteen_parallel_downloads_sha256" "$wait_ok of 16 byte-exact" "$(cat "$XB_TMP/par.err")" \
		"$(grep -v '"error":null' "$XB_TMP/c.out" "$XB_TMP/s.out" | head -5 | cut -c1-400)"

# 5. the kernel's MPTCP as a peer of each proxy
kb=$(ip netns exec "$C" nstat -asz 2>/dev/null | awk '$1=="MPTcpExtMPCapableSYNACKRX"{print $2}')
got=$(ip netns exec "$C" timeout 60 mptcpize run curl -sS --max-time 50 http://10.236.1.2:9000/big.bin | sha256sum | cut -d' ' -f1)
ka=$(ip netns exec "$C" nstat -asz 2>/dev/null | awk '$1=="MPTcpExtMPCapableSYNACKRX"{print $2}')
[ "$got" = "$sha_big" ] && [ "$((${ka:-0} - ${kb:-0}))" -ge 1 ] &&
	ok "kernel_mptcp_client_into_server_proxy" ||
	not_ok "kernel_mptcp_client_into_server_proxy" "sha $got, MPCapableSYNACKRX +$((${ka:-0} - ${kb:-0}))"
kb=$(ip netns exec "$S" nstat -asz 2>/dev/null | awk '$1=="MPTcpExtMPCapableACKRX"{print $2}')
got=$(ip netns exec "$C" timeout 60 curl -sS --max-time 50 http://127.0.0.1:8082/big.bin | sha256sum | cut -d' ' -f1)
ka=$(ip netns exec "$S" nstat -asz 2>/dev/null | awk '$1=="MPTcpExtMPCapableACKRX"{print $2}')
[ "$got" = "$sha_big" ] && [ "$((${ka:-0} - ${kb:-0}))" -ge 1 ] &&
	ok "client_proxy_into_kernel_mptcp_server" ||
	not_ok "client_proxy_into_kernel_mptcp_server" "sha $got, MPCapableACKRX +$((${ka:-0} - ${kb:-0}))"

# 5b. the second interface: the route to 10.236.2.2 leaves through xpc1,
# and S answers the SYN that came in on xps1 through xps1
got=$(ip netns exec "$C" timeout 60 curl -sS --max-time 50 http://127.0.0.1:8084/small.bin | sha256sum | cut -d' ' -f1)
# the summary line comes once the connection closed: with several subflows
# that is a little after curl has its last byte
xb_wait_until 5 grep -q '10.236.2.2:9003' "$XB_TMP/c.out"
last=$(grep '10.236.2.2:9003' "$XB_TMP/c.out" | tail -1)
[ "$got" = "$sha_small" ] && grep -q '"local":"10.236.2.1:' <<<"$last" && grep -q '"mp_capable":true' <<<"$last" &&
	ok "second_iface_route_and_syn_port" ||
	not_ok "second_iface_route_and_syn_port" "sha $got" "$last" "$(tail -n 3 "$XB_TMP/c.err" "$XB_TMP/s.err")"

# 5c. the app goes away mid-transfer (curl killed with unread data: its
# kernel resets the proxy's socket): the MPTCP connection is closed with
# MP_FASTCLOSE (RFC 8684 3.5), taken by our server proxy and by the kernel
# The download runs at 1 MB/s (20 s, at any CPU speed); curl is killed
# once the client daemon's connection to REMOTE received data, and the
# test waits for the close to be taken: DONE_CMD, up to 10 s.
flowing_to() { # REMOTE
	ctl "$C" conns -j 2>/dev/null | python3 -c '
import json, sys
sys.exit(0 if any(c["remote"] == sys.argv[1] and c["recv"] > 0 and c["state"] not in ("TIME_WAIT", "CLOSED")
                  for c in json.load(sys.stdin)) else 1)' "$1" 2>/dev/null
}
kfc() { ip netns exec "$S" nstat -asz 2>/dev/null | awk '$1=="MPTcpExtMPFastcloseRx"{print $2}'; }
fastclose_case() { # PORT REMOTE DONE_CMD...
	local port=$1 remote=$2 pid
	shift 2
	ip netns exec "$C" curl -sS --limit-rate 1M -o /dev/null "http://127.0.0.1:$port/big.bin" 2>/dev/null &
	pid=$!
	xb_wait_until 15 flowing_to "$remote" || echo "# fastclose: no data from $remote after 15 s"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	xb_wait_until 10 "$@"
}
ours_fc_seen() {
	last=$(grep '"remote":"10.236.1.1:' "$XB_TMP/s.out" | grep '"local":"10.236.1.2:9000"' | tail -1)
	clast=$(grep '10.236.1.2:9000' "$XB_TMP/c.out" | tail -1)
	grep -q '"MPFastcloseRx":[1-9]' <<<"$last" && grep -q '"FastcloseOut":[1-9]' <<<"$clast"
}
kernel_fc_seen() { ka=$(kfc) && [ "$((${ka:-0} - ${kb:-0}))" -ge 1 ]; }
# (with both interfaces the connection has several subflows: the RST of
# each carries MP_FASTCLOSE, as Linux sends it, and any one ends it)
fastclose_case 8080 10.236.1.2:9000 ours_fc_seen
ours_fc_seen &&
	ok "app_gone_fastclose_taken_by_our_server_proxy" ||
	not_ok "app_gone_fastclose_taken_by_our_server_proxy" "client: $(cut -c1-500 <<<"$clast")" "server: $(cut -c1-500 <<<"$last")"
kb=$(kfc)
fastclose_case 8082 10.236.1.2:9100 kernel_fc_seen
kernel_fc_seen && ok "app_gone_fastclose_taken_by_the_kernel" ||
	not_ok "app_gone_fastclose_taken_by_the_kernel" "MPTcpExtMPFastcloseRx +$((ka - kb))" "$(grep 10.236.1.2:9100 "$XB_TMP/c.out" | tail -1 | cut -c1-500)"

# 6. nobody at the forward address: the app's connection is reset, counted
# (curl fails, but not by its own timeout: 28; timeout(1) would say 124)
rc=0
ip netns exec "$C" timeout 20 curl -sS --max-time 15 -o /dev/null http://127.0.0.1:8083/ 2>/dev/null || rc=$?
ff=$(ctl "$S" stats -j | xb_json 'd["proxy"]["forward_failed"]')
[ "$rc" -ne 0 ] && [ "$rc" -ne 28 ] && [ "$rc" -ne 124 ] && [ "${ff:-0}" -ge 1 ] &&
	ok "forward_refused_resets_app_and_counts" ||
	not_ok "forward_refused_resets_app_and_counts" "curl exit $rc (28: timed out), forward_failed=$ff"

# 6b. the app <-> proxy hops paced: lo in both namespaces at 40 Mbit/s
# (tbf), so each proxy's app socket fills and drains at the shaper's pace
# (EAGAIN, partial reads and writes, edge-triggered wakeups): an upload and
# a download of 4 MB (0.8 s per hop at that rate, whatever the CPU) end
# byte-exact within their deadline, and the shapers carried them.
# xb_shape_lo sizes tbf's bucket for lo's 64 KB segments: a smaller one
# stops any TCP connection on lo (a report of a proxy stall at ~256 KB).
head -c 4000000 /dev/urandom >"$WWW/shaped.bin"
sha_shaped=$(sha256sum <"$WWW/shaped.bin" | cut -d' ' -f1)
if xb_shape_lo "$C" 40mbit && xb_shape_lo "$S" 40mbit; then
	q0c=$(xb_qdisc_sent "$C" lo) q0s=$(xb_qdisc_sent "$S" lo)
	r=$(ip netns exec "$C" timeout 40 python3 "$XB_TMP/upload.py" 8081 4000000 2>&1)
	got=$(ip netns exec "$C" timeout 40 curl -sS --max-time 30 http://127.0.0.1:8080/shaped.bin |
		sha256sum | cut -d' ' -f1)
	q1c=$(xb_qdisc_sent "$C" lo) q1s=$(xb_qdisc_sent "$S" lo)
	ip netns exec "$C" tc qdisc del dev lo root
	ip netns exec "$S" tc qdisc del dev lo root
	# each lo carried the upload and the download once: 8 MB and headers
	[ "$r" = ok ] && [ "$got" = "$sha_shaped" ] && [ $((q1c - q0c)) -ge 8000000 ] &&
		[ $((q1s - q0s)) -ge 8000000 ] && ok "paced_app_hops_upload_download_4MB_sha256" ||
		not_ok "paced_app_hops_upload_download_4MB_sha256" "upload: $r" \
			"download sha $got want $sha_shaped" \
			"lo qdisc sent: C $((q1c - q0c)), S $((q1s - q0s)) (want >= 8000000 each)" \
			"$(ctl "$C" conns -j)" "$(ctl "$S" conns -j)" "$(tail -n 3 "$XB_TMP/c.err" "$XB_TMP/s.err")"
else
	ip netns exec "$C" tc qdisc del dev lo root 2>/dev/null
	skip "paced_app_hops_upload_download_4MB_sha256" "no tbf qdisc"
fi

# 7. stats after the transfers, once the last connections were counted
stats_agree() {
	ctl "$C" stats -j >"$XB_TMP/stats_c.json" 2>&1
	ctl "$S" stats -j >"$XB_TMP/stats_s.json" 2>&1
	r=$(python3 - "$XB_TMP/stats_c.json" "$XB_TMP/stats_s.json" <<'EOF'
import json, sys
c, s = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
# C: 1 + 1 + 1 + 16 + 1 (kernel server) + 1 (second iface) + 2 (apps gone)
# + 1 (refused fwd) proxied
bad = []
if c["proxy"]["accepted"] < 24: bad.append("C accepted %d" % c["proxy"]["accepted"])
if c["conns"]["ok"] < 21: bad.append("C ok %d" % c["conns"]["ok"])
if s["conns"]["ok"] < 21: bad.append("S ok %d" % s["conns"]["ok"])
if c["ifaces"] != ["xpc0", "xpc1"]: bad.append("C ifaces %s" % c["ifaces"])
if c["conns"]["failed"] != 3: bad.append("C failed %d (want 3: 2 apps gone, the refused forward)" % c["conns"]["failed"])
if s["conns"]["plain_tcp"] != 0 or c["conns"]["plain_tcp"] != 0: bad.append("plain TCP seen")
if c["frames"]["rx_bad"] or s["frames"]["rx_bad"]: bad.append("bad frames")
print("; ".join(bad) if bad else "ok")
EOF
)
	[ "$r" = ok ]
}
xb_wait_until 10 stats_agree
[ "$r" = ok ] && ok "stats_json_counts" || not_ok "stats_json_counts" "$r" "$(cat "$XB_TMP/stats_c.json" "$XB_TMP/stats_s.json")"
ctl "$C" stats | grep -q "^connections" && ok "stats_text" || not_ok "stats_text" "$(ctl "$C" stats 2>&1)"
# Each frame's options parsed once: where XDP's metadata located them when
# xdp_steer writes it (status: meta), else walked; no metadata was wrong.
if [ "$(ctl "$S" status -j | xb_json 'd["programs"][0]["meta"]')" = True ]; then
	name=rx_options_located_by_xdp want="f['rx_opts_walked'] == 0 < f['rx_opts_located']"
else
	name=rx_options_walked_without_meta want="f['rx_opts_located'] == 0 < f['rx_opts_walked']"
fi
opts_once() { [ "$(xb_json "(lambda f: f['rx_meta_bad'] == 0 and $want)(d['frames'])" "$1")" = True ]; }
opts_once "$XB_TMP/stats_c.json" && opts_once "$XB_TMP/stats_s.json" && ok "$name" ||
	not_ok "$name" "want $want" "$(cat "$XB_TMP/stats_c.json" "$XB_TMP/stats_s.json")"

# 8. CLI errors: one line, exit 1 (no daemon) or 2 (usage)
P="xpn$$"
xb_ns_add "$P"
rc=0
out=$(xb_nsx "$P" "$XMPTCP" conns -j 2>&1 >/dev/null) || rc=$?
[ "$rc" = 1 ] && [ "$(wc -l <<<"$out")" = 1 ] && ok "conns_without_daemon_one_line_exit_1" ||
	not_ok "conns_without_daemon_one_line_exit_1" "exit $rc: $out"
rc=0
out=$("$XMPTCP" stats --bogus 2>&1 >/dev/null) || rc=$?
[ "$rc" = 2 ] && ok "stats_bad_option_exit_2" || not_ok "stats_bad_option_exit_2" "exit $rc: $out"
rc=0
out=$("$XMPTCPD" --iface lo --client 127.0.0.1:80 2>&1 >/dev/null) || rc=$?
[ "$rc" = 2 ] && [ "$(wc -l <<<"$out")" = 1 ] && ok "xmptcpd_bad_client_spec_exit_2" ||
	not_ok "xmptcpd_bad_client_spec_exit_2" "exit $rc: $out"

# 9. SIGTERM: both exit 0 and take their control sockets with them
csock=/run/xmptcp/ns$(stat -L -c %i "/var/run/netns/$C").sock
kill -TERM "$CPID" "$SPID"
rc=0
wait "$CPID" || rc=$?
wait "$SPID" || rc=$((rc ? rc : $?))
[ "$rc" = 0 ] && [ ! -e "$csock" ] && ok "sigterm_clean_exit_ctl_socket_removed" ||
	not_ok "sigterm_clean_exit_ctl_socket_removed" "exit $rc, $(ls -l "$csock" 2>&1)" "$(tail -n 3 "$XB_TMP/c.err" "$XB_TMP/s.err")"

xb_finish
