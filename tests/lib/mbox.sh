# shellcheck shell=bash
# Helpers shared by tests/net/test_engine_ours.sh and tests/net/test_middlebox.sh
# (source tests/lib/net.sh first): the tc BPF wire program of
# tests/lib/strip_mptcp.bpf.c (an MPTCP option stripper, or an observer that
# counts SYN/FIN/RST where a capture cannot see AF_XDP frames), xmptcpd
# servers and clients in namespaces, a kernel MPTCP / TCP peer in python3,
# and JSON / nstat accessors.
#
# Why a BPF observer rather than a capture: frames sent through AF_XDP on a
# veth leave by a direct transmit that skips the packet taps, and frames an
# XDP program redirects to an XSK never reach them either, so dumpcap on
# either end of a veth between two xmptcpd instances sees nothing. A tc
# ingress program on a third namespace's interface sees every frame.

XMPTCPD=${XMPTCPD:-$XB_BUILD/xmptcpd}
XM_STRIP_SRC="$XB_LIBDIR/strip_mptcp.bpf.c"
# the kernel peer's and xmptcpd's per-step limit, seconds
XM_TMO=${XM_TMO:-30}

xm_require_tools() {
	xb_require_cmds clang tc bpftool python3 nstat ethtool timeout nsenter
	xb_require_bin "$XMPTCPD"
}

# xm_bpf_obj MODE [AFTER [DROP_AT DROP_N]]: builds the program once per
# mode, prints its path.
xm_bpf_obj() {
	local mode=$1 after=${2:-64} at=${3:-100000} n=${4:-4}
	local obj="$XB_TMP/strip_m$1_a${after}_d${at}x$n.o"
	if [ ! -s "$obj" ]; then
		clang -O2 -g -target bpf -Wall -Werror -DSTRIP_MODE="$mode" -DSTRIP_AFTER="$after" \
			-DDROP_AT="$at" -DDROP_N="$n" \
			-c "$XM_STRIP_SRC" -o "$obj" >"$XB_TMP/clang.err" 2>&1 || return 1
	fi
	echo "$obj"
}

# xm_tc_attach NS IFACE OBJ: OBJ at IFACE's clsact ingress (replacing any).
xm_tc_attach() {
	ip netns exec "$1" tc qdisc del dev "$2" clsact 2>/dev/null
	ip netns exec "$1" tc qdisc add dev "$2" clsact &&
		ip netns exec "$1" tc filter add dev "$2" ingress bpf da obj "$3" sec tc
}

xm_tc_detach() {
	ip netns exec "$1" tc qdisc del dev "$2" clsact 2>/dev/null
	return 0
}

# xm_tc_stats NS IFACE: the attached program's counters as "name=value ...",
# in enum order of strip_mptcp.bpf.c.
xm_tc_stats() {
	local id map
	id=$(ip netns exec "$1" tc filter show dev "$2" ingress | sed -n 's/.* id \([0-9]*\) .*/\1/p' | head -1)
	[ -n "$id" ] || return 1
	map=$(bpftool -j prog show id "$id" | python3 -S -c 'import json,sys; print(json.load(sys.stdin)["map_ids"][0])') ||
		return 1
	bpftool -j map dump id "$map" | python3 -S -c '
import json, sys
names = ["tcp", "data", "mptcp", "stripped", "opts", "err", "rst", "syn", "fin", "dropped", "copy"]
v = {}
for e in json.load(sys.stdin):
    k, val = e["key"], e["value"]
    k = k if isinstance(k, int) else int.from_bytes(bytes(int(x, 16) for x in k), "little")
    val = val if isinstance(val, int) else int.from_bytes(bytes(int(x, 16) for x in val), "little")
    v[k] = val
print(" ".join("%s=%d" % (n, v.get(i, 0)) for i, n in enumerate(names)))'
}

# xm_stat "STATS" NAME: one counter out of an xm_tc_stats line.
xm_stat() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1==k {print $2}'; }

# nstat absolute counters of a namespace, without touching nstat's history.
xm_kstat() { ip netns exec "$1" nstat -asz 2>/dev/null | awk '{print $1, $2}'; }
xm_delta() { # NAME BEFORE AFTER
	local b a
	b=$(awk -v k="$1" '$1==k {print $2}' "$2")
	a=$(awk -v k="$1" '$1==k {print $2}' "$3")
	echo $((${a:-0} - ${b:-0}))
}
# xm_deltas BEFORE AFTER: every counter that moved, "name=delta ..."
xm_deltas() {
	awk 'NR==FNR {b[$1]=$2; next} $2 != b[$1] {printf "%s=%d ", $1, $2 - b[$1]}' "$1" "$2"
}

# The kernel's endpoint: kpeer.py server|client ADDR PORT NSEND SEED [READY]
# with KPEER_PROTO=mptcp|tcp. Sends NSEND seeded bytes, or the bytes of
# file F when NSEND is @F (the server after the client's data ended), or
# seeded bytes for T seconds when NSEND is Ts, ending early once the file
# $KPEER_STOP exists (a test stops it when it saw what it waited for),
# half-closes, reads to EOF; prints one JSON line:
# bytes and sha256 each way and, for MPTCP, MPTCP_INFO read before close
# (flags bit 0: fallback; token).
xm_kpeer_py() {
	local f="$XB_TMP/kpeer.py"
	[ -f "$f" ] || {
		echo "import sys; sys.path.insert(0, '$XB_LIBDIR')"
		cat <<'EOF'
import errno, hashlib, json, os, socket, sys
from mptcp_sock import IPPROTO_MPTCP, mptcp_info, send_all, send_for

PROTO = IPPROTO_MPTCP if os.environ.get("KPEER_PROTO", "mptcp") == "mptcp" else 0
TMO = float(os.environ.get("KPEER_TMO", "30"))

def info(s):
    """MPTCP_INFO. Once an MPTCP socket has fallen back to TCP the kernel
    passes getsockopt() through to the TCP subflow (net/mptcp/sockopt.c),
    which does not know SOL_MPTCP: EOPNOTSUPP then means fallback, as the
    flags' bit 0 does while the msk still answers."""
    if not PROTO:
        return {}
    try:
        sub, flags, token = mptcp_info(s)
    except OSError as e:
        if e.errno == errno.EOPNOTSUPP:
            return {"fallback": True, "fallback_seen_as": "EOPNOTSUPP"}
        return {"info_error": str(e)}
    except ValueError as e:
        return {"info_error": str(e)}
    return {"fallback": bool(flags & 1), "token": "%08x" % token, "subflows": sub}

def send(s, what, seed):
    if not what.startswith("@") and what.endswith("s"):
        return send_for(s, float(what[:-1]), seed, os.environ.get("KPEER_STOP"))
    if not what.startswith("@"):
        return int(what), send_all(s, int(what), seed)
    h, n = hashlib.sha256(), 0
    with open(what[1:], "rb") as f:
        while True:
            b = f.read(1 << 16)
            if not b:
                break
            s.sendall(b)
            h.update(b)
            n += len(b)
    s.shutdown(socket.SHUT_WR)
    return n, h.hexdigest()

def drain(s):
    """Reads to EOF, keeping the count and hash of what came so far in
    GOT, so a reset still reports the prefix that arrived."""
    while True:
        b = s.recv(1 << 18)
        if not b:
            return
        GOT["h"].update(b)
        GOT["n"] += len(b)

GOT = {"n": 0, "h": hashlib.sha256()}
role, addr, port, what, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
try:
    if role == "server":
        ls = socket.socket(fam, socket.SOCK_STREAM, PROTO)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(1)
        ls.settimeout(TMO)
        open(sys.argv[6], "w").write("ready\n")
        s, _ = ls.accept()
        s.settimeout(TMO)
        drain(s)
        nsend, ssha = send(s, what, seed)
    else:
        s = socket.socket(fam, socket.SOCK_STREAM, PROTO)
        s.settimeout(TMO)
        s.connect((addr, port))
        nsend, ssha = send(s, what, seed)
        drain(s)
except OSError as e:
    print(json.dumps({"error": str(e), "recv": GOT["n"], "recv_sha256": GOT["h"].hexdigest()}),
          flush=True)
    sys.exit(1)
r = {"recv": GOT["n"], "recv_sha256": GOT["h"].hexdigest(), "sent": nsend, "sent_sha256": ssha,
     "error": None}
r.update(info(s))
s.close()
print(json.dumps(r), flush=True)
EOF
	} >"$f"
	echo "$f"
}

# xmptcpd's source: N bytes of its pattern with seed SEED, file F for @F,
# or the pattern for T seconds for Ts (--send-time: a transfer sized by time,
# the same length on a fast or a slow machine).
xm_src() {
	case $1 in
	@*) echo "--send-file ${1#@}" ;;
	*s) echo "--send-time ${1%s} --seed $2" ;;
	*) echo "--send-bytes $1 --seed $2" ;;
	esac
}

# xm_ours_server NS IFACE ADDR:PORT SEND SEED OUT [ARGS...]: xmptcpd --listen
# --sink in the background (pid in XM_PID, JSON in OUT, stderr in OUT.err);
# returns once it listens. nsenter execs xmptcpd itself, so XM_PID is the
# daemon's pid.
xm_ours_server() {
	local ns=$1 ifc=$2 ep=$3 send=$4 seed=$5 out=$6
	shift 6
	nsenter --net="/var/run/netns/$ns" timeout "$((XM_TMO + 10))" "$XMPTCPD" --iface "$ifc" \
		--listen "$ep" --sink $(xm_src "$send" "$seed") --timeout "$XM_TMO" "$@" \
		>"$out" 2>"$out.err" &
	XM_PID=$!
	for _ in $(seq 100); do
		grep -q "listening" "$out.err" 2>/dev/null && return 0
		kill -0 "$XM_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# xm_ours_client NS IFACE ADDR:PORT SEND SEED OUT [ARGS...]: foreground.
xm_ours_client() {
	local ns=$1 ifc=$2 ep=$3 send=$4 seed=$5 out=$6
	shift 6
	nsenter --net="/var/run/netns/$ns" timeout "$((XM_TMO + 10))" "$XMPTCPD" --iface "$ifc" \
		--connect "$ep" $(xm_src "$send" "$seed") --timeout "$XM_TMO" "$@" \
		>"$out" 2>"$out.err"
}

# xm_kernel_server NS PROTO ADDR PORT SEND SEED OUT: background (XM_PID),
# returns once it listens.
xm_kernel_server() {
	local py
	py=$(xm_kpeer_py)
	rm -f "$7.ready"
	KPEER_PROTO=$2 KPEER_TMO=$XM_TMO nsenter --net="/var/run/netns/$1" \
		timeout "$((XM_TMO + 10))" python3 "$py" server "$3" "$4" "$5" "$6" "$7.ready" \
		>"$7" 2>"$7.err" &
	XM_PID=$!
	xb_wait_file "$7.ready" 10
}

# xm_kernel_client NS PROTO ADDR PORT SEND SEED OUT: foreground.
xm_kernel_client() {
	local py
	py=$(xm_kpeer_py)
	KPEER_PROTO=$2 KPEER_TMO=$XM_TMO nsenter --net="/var/run/netns/$1" \
		timeout "$((XM_TMO + 10))" python3 "$py" client "$3" "$4" "$5" "$6" >"$7" 2>"$7.err"
}

# xm_check_bytes NAME SENDER_JSON RECEIVER_JSON SIZE: the receiver got
# exactly what the sender sent (count and sha256), and that is SIZE bytes,
# or at least MIN bytes for a SIZE of +MIN (a transfer sized by time).
xm_check_bytes() {
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

# xm_check_file NAME FILE RECEIVER_JSON: the receiver got exactly FILE.
xm_check_file() {
	local got want
	got=$(xb_json 'd["recv"], d["recv_sha256"]' "$3")
	want="$(stat -c %s "$2") $(sha256sum "$2" | cut -d' ' -f1)"
	[ "$got" = "$want" ] && ok "$1" || not_ok "$1" "received: $got" "sent:     $want"
}

# xm_check_prefix NAME FILE RECEIVER_JSON: what the receiver got is a prefix
# of FILE (possibly all of it, possibly nothing): never a wrong byte.
xm_check_prefix() {
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

# xm_attach NS IFACE: xmptcp attach, native XDP first.
xm_attach() {
	xb_nsx "$1" "$XMPTCP" -q attach "$2" --mode native 2>"$XB_TMP/attach.err" ||
		xb_nsx "$1" "$XMPTCP" -q attach "$2" --mode generic 2>>"$XB_TMP/attach.err"
}
