#!/usr/bin/env bash
# Runs every benchmark: each executable in $BUILD/bench/ (built from
# bench/*.c), then each bench/*.sh but
# this one: goodput.sh (single-path goodput of xmptcpd, kernel MPTCP and
# kernel TCP on one veth pair; GOODPUT_ARGS passes it options, e.g.
# "--bytes 64M --reps 1"), goodput_mp.sh (two paths, per scheduler;
# GOODPUT_MP_ARGS) and wifi3g.sh (the shaped WiFi/3G experiment, about 5
# minutes; WIFI3G_ARGS). Benchmarks print one line per figure, with the
# ratio to the reference measured in the same run; exit 4 means skipped.
#   BUILD=build bench/run.sh
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root (BPF_PROG_TEST_RUN, namespaces); run as root" >&2
	exit 4
fi
if [ ! -d "$BUILD/bench" ]; then
	echo "bench: no $BUILD/bench; build first: make BUILD=$BUILD" >&2
	exit 1
fi

rc=0
# NAME STATUS: 0 ok, 4 skipped (cannot run here), else failed
result() {
	case $2 in
	0) ;;
	4) echo "bench: $1 skipped" >&2 ;;
	*) echo "bench: $1 failed (exit $2)" >&2; rc=1 ;;
	esac
}
for b in "$BUILD"/bench/*; do
	[ -f "$b" ] && [ -x "$b" ] || continue
	echo "# ${b##*/}"
	"$b"
	result "${b##*/}" $?
done
for s in bench/*.sh; do
	[ -f "$s" ] || continue
	[ "$(basename "$s")" = run.sh ] && continue
	echo "# $(basename "$s" .sh)"
	if [ "$(basename "$s")" = goodput.sh ]; then
		# shellcheck disable=SC2086 # GOODPUT_ARGS is a list of options
		BUILD=$BUILD bash "$s" ${GOODPUT_ARGS:-}
	else
		BUILD=$BUILD bash "$s"
	fi
	result "$(basename "$s" .sh)" $?
done
exit $rc
