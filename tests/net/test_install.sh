#!/usr/bin/env bash
# make install / make uninstall, and xmptcp run from what they installed.
# 1. `make install DESTDIR=D PREFIX=/usr`: exactly the files of the list
#    below, binaries executable; the man pages render without a warning
#    (groff -ww, man --warnings); the bash completion parses and completes a
#    command and an option; a scheduler policy builds from the installed
#    headers and example source; `make uninstall` with the same DESTDIR and
#    PREFIX leaves no file.
# 2. `make install PREFIX=P` (no DESTDIR: the unit then names real paths):
#    `systemd-analyze verify` of the installed unit is clean, its man pages
#    included (skipped only without systemd-analyze). Then the unit's own
#    commands run in a namespace, its variables from an env file as
#    systemd would: ExecStartPre (installed xmptcp attach), ExecStart
#    (installed xmptcpd, a built-in server with the installed example
#    policy as its scheduler) under a NOTIFY_SOCKET the test reads; the
#    kernel's MPTCP client in another namespace sends and receives, bytes
#    exact both ways, the kernel counts MP_CAPABLE and no fallback; the
#    installed CLI reads the daemon's stats; SIGTERM: STOPPING=1 and exit
#    0; ExecStopPost (installed xmptcp detach) removes the pins.
#    `make uninstall PREFIX=P` leaves no file.
source "$(dirname "$0")/../lib/net.sh"

xb_require_root
xb_require_cmds ip nsenter python3 nstat ethtool timeout make groff man install
xb_require_bin "$XB_BUILD/xmptcp" "$XB_BUILD/xmptcpd"
xb_require_netns

# The files an install must put under its root, relative to PREFIX.
WANT="include/xmptcp/mib.h
include/xmptcp/sched.h
include/xmptcp/types.h
lib/systemd/system/xmptcpd.service
lib/xmptcp/sched/example_policy.so
sbin/xmptcp
sbin/xmptcpd
share/bash-completion/completions/xmptcp
share/bash-completion/completions/xmptcpd
share/doc/xmptcp/example_policy.c
share/doc/xmptcp/xmptcpd.env.example
share/man/man8/xmptcp.8
share/man/man8/xmptcpd.8"

# mk TARGET VAR=VALUE...: make in the tree, this test's build dir; its
# output in $XB_TMP/make.out.
mk() {
	make -C "$XB_ROOT" -s BUILD="$XB_BUILD" "$@" >"$XB_TMP/make.out" 2>&1
}

# files ROOT: every file under ROOT, relative, sorted.
files() { (cd "$1" && find . -type f | sed 's|^\./||' | LC_ALL=C sort); }

# check_files NAME ROOT: exactly WANT under ROOT, binaries executable.
check_files() {
	local got
	got=$(files "$2")
	if [ "$got" = "$WANT" ] && [ -x "$2/sbin/xmptcp" ] && [ -x "$2/sbin/xmptcpd" ]; then
		ok "$1"
	else
		not_ok "$1" "missing: $(comm -13 <(echo "$got") <(echo "$WANT") | tr '\n' ' ')" \
			"unexpected: $(comm -23 <(echo "$got") <(echo "$WANT") | tr '\n' ' ')"
	fi
}

# check_uninstalled NAME DIR VAR=VALUE...: make uninstall leaves no file in DIR.
check_uninstalled() {
	local name=$1 dir=$2
	shift 2
	mk uninstall "$@" || { not_ok "$name" "$(cat "$XB_TMP/make.out")"; return; }
	[ -z "$(find "$dir" -type f)" ] && ok "$name" || not_ok "$name" "left: $(find "$dir" -type f)"
}

# man_clean PAGE: renders, and neither groff nor man warns.
man_clean() {
	local w
	w=$(groff -man -ww -z "$1" 2>&1; MANROFFSEQ='' man --warnings -l "$1" 2>&1 >/dev/null)
	[ -z "$w" ] && [ -n "$(MANWIDTH=80 man -l "$1" 2>/dev/null | grep -- --help)" ] ||
		{ echo "$w"; return 1; }
}

# completes SCRIPT FUNC WANT WORD...: FUNC of SCRIPT offers WANT for the
# last WORD.
completes() {
	bash -c 'source "$1"; f=$2 want=$3; shift 3; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		"$f"; [[ " ${COMPREPLY[*]} " == *" $want "* ]] || { echo "got: ${COMPREPLY[*]}"; exit 1; }' \
		_ "$@"
}

# ---- 1. DESTDIR -------------------------------------------------------------
D="$XB_TMP/dest"
if mk install DESTDIR="$D" PREFIX=/usr; then ok destdir_install; else
	not_ok destdir_install "$(cat "$XB_TMP/make.out")"
	xb_finish
fi
check_files destdir_every_file "$D/usr"
for p in xmptcp xmptcpd; do
	check "man_${p}_renders_clean" man_clean "$D/usr/share/man/man8/$p.8"
	check "completion_${p}_parses" bash -n "$D/usr/share/bash-completion/completions/$p"
done
check completion_xmptcp_command completes "$D/usr/share/bash-completion/completions/xmptcp" \
	_xmptcp attach xmptcp att
check completion_xmptcp_mode completes "$D/usr/share/bash-completion/completions/xmptcp" \
	_xmptcp generic xmptcp attach --mode g
check completion_xmptcpd_option completes "$D/usr/share/bash-completion/completions/xmptcpd" \
	_xmptcpd --sched-load xmptcpd --sched-l
check policy_builds_from_installed_headers "${CC:-gcc}" -fPIC -shared -Werror -I"$D/usr/include" \
	"$D/usr/share/doc/xmptcp/example_policy.c" -o "$XB_TMP/policy.so"
check destdir_binary_runs "$D/usr/sbin/xmptcp" --version
check_uninstalled destdir_uninstall_leaves_no_file "$D" DESTDIR="$D" PREFIX=/usr

# ---- 2. PREFIX: the unit and the installed binaries at work ----------------
P="$XB_TMP/prefix"
if mk install PREFIX="$P"; then ok prefix_install; else
	not_ok prefix_install "$(cat "$XB_TMP/make.out")"
	xb_finish
fi
check_files prefix_every_file "$P"
UNIT="$P/lib/systemd/system/xmptcpd.service"
if command -v systemd-analyze >/dev/null; then
	# MANPATH: Documentation=man:xmptcpd(8) must find the installed pages
	check unit_verify_clean env MANPATH="$P/share/man" systemd-analyze verify "$UNIT"
else
	skip unit_verify_clean "systemd-analyze is not installed (package systemd)"
fi

# unit_cmd KEY: the unit's KEY= command line in CMD, systemd's '-' prefix
# dropped, its $VARS from the env file split into words as systemd does.
unit_cmd() {
	local line
	line=$(sed -n "s/^$1=-\{0,1\}//p" "$UNIT")
	[ -n "$line" ] && eval "CMD=($line)"
}

C="xic$$" S="xis$$"
PORT=7443 SIZE=1048576 REPLY=65536
xb_pair "$C" "$S" 10.239 xic0:xis0 || xb_skip_all "cannot build the veth topology"
cat >"$XB_TMP/xmptcpd.env" <<EOF
XMPTCP_IFACES="xic0"
XMPTCPD_ARGS="--iface xic0 --listen 10.239.1.1:$PORT --send-bytes $REPLY --count 0 \
--sched-load $P/lib/xmptcp/sched/example_policy.so --sched maxroom"
EOF
# shellcheck disable=SC1091 # written just above
source "$XB_TMP/xmptcpd.env"
XMPTCP="$P/sbin/xmptcp" # what xb_* helpers run from here on (cleanup included)

unit_cmd ExecStartPre && [[ ${CMD[0]} == "$P/sbin/xmptcp" ]] &&
	xb_nsx "$C" "${CMD[@]}" 2>"$XB_TMP/attach.err" &&
	xb_nsx "$C" "$XMPTCP" status -j | grep -q '"xic0"' && ok unit_start_pre_attaches ||
	not_ok unit_start_pre_attaches "ExecStartPre: ${CMD[*]}" "$(cat "$XB_TMP/attach.err")"

# The notify socket: every datagram a line of $XB_TMP/notify.
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as f:
    while True:
        f.write(s.recv(4096).decode() + "\n")
        f.flush()' "$XB_TMP/notify.sock" "$XB_TMP/notify" &
NPID=$!
xb_wait_until --pid "$NPID" 10 test -S "$XB_TMP/notify.sock" || not_ok notify_socket_bound

out="$XB_TMP/ours"
unit_cmd ExecStart && [[ ${CMD[0]} == "$P/sbin/xmptcpd" ]] || not_ok unit_exec_start "${CMD[*]}"
nsenter --net="/var/run/netns/$C" env NOTIFY_SOCKET="$XB_TMP/notify.sock" \
	timeout "$((XB_TMO + 10))" "${CMD[@]}" >"$out" 2>"$out.err" &
DPID=$!
if xb_wait_until --pid "$DPID" 10 grep -qx READY=1 "$XB_TMP/notify"; then
	ok ready_notified
else
	not_ok ready_notified "notify: $(cat "$XB_TMP/notify")" "$(tail -5 "$out.err")"
fi

xb_kstat "$S" >"$XB_TMP/before"
xb_kernel_client "$S" mptcp 10.239.1.1 "$PORT" "$SIZE" 7 "$XB_TMP/kernel" && ok kernel_client_ran ||
	not_ok kernel_client_ran "$(tail -3 "$XB_TMP/kernel.err")" "$(tail -5 "$out.err")"
xb_kstat "$S" >"$XB_TMP/after"
syn=$(xb_delta MPTcpExtMPCapableSYNACKRX "$XB_TMP/before" "$XB_TMP/after")
fb=$(xb_delta MPTcpExtMPCapableFallbackSYNACK "$XB_TMP/before" "$XB_TMP/after")
[ "$syn" -ge 1 ] && [ "$fb" -eq 0 ] && [ "$(xb_json 'd.get("fallback")' "$XB_TMP/kernel")" = False ] &&
	ok kernel_mp_capable_no_fallback ||
	not_ok kernel_mp_capable_no_fallback "MPCapableSYNACKRX=$syn fallback=$fb" "$(cat "$XB_TMP/kernel")"
xb_nsx "$C" "$XMPTCP" stats -j >"$XB_TMP/stats" 2>&1 && [ -n "$(xb_json 'type(d).__name__' "$XB_TMP/stats")" ] &&
	ok installed_cli_reads_daemon_stats || not_ok installed_cli_reads_daemon_stats "$(cat "$XB_TMP/stats")"

kill -TERM "$DPID" 2>/dev/null
wait "$DPID"
rc=$?
xb_wait_until 5 grep -qx STOPPING=1 "$XB_TMP/notify" && [ "$rc" -eq 0 ] && ok sigterm_stopping_exit_0 ||
	not_ok sigterm_stopping_exit_0 "exit $rc" "notify: $(cat "$XB_TMP/notify")" "$(tail -5 "$out.err")"
kill "$NPID" 2>/dev/null
xb_check_bytes kernel_to_installed_xmptcpd_bytes "$XB_TMP/kernel" "$out" "$SIZE"
xb_check_bytes installed_xmptcpd_to_kernel_bytes "$out" "$XB_TMP/kernel" "$REPLY"
grep -q 'loaded policy "maxroom"' "$out.err" && ok installed_policy_loaded ||
	not_ok installed_policy_loaded "$(head -5 "$out.err")"

unit_cmd ExecStopPost && [[ ${CMD[0]} == "$P/sbin/xmptcp" ]] && xb_nsx "$C" "${CMD[@]}" &&
	[ ! -e "$(xb_pin_dir "$C")" ] && ok unit_stop_post_detaches ||
	not_ok unit_stop_post_detaches "ExecStopPost: ${CMD[*]}" "pins: $(ls "$(xb_pin_dir "$C")" 2>&1)"

XMPTCP="$XB_BUILD/xmptcp" # the installed one goes now; cleanup detaches with this
check_uninstalled prefix_uninstall_leaves_no_file "$P" PREFIX="$P"
xb_finish
