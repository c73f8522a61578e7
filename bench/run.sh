#!/usr/bin/env bash
# Runs every benchmark: each executable in $BUILD/bench/ (built from
# bench/*.c), then bench/goodput_mp.sh over one veth path (goodput of
# xmptcpd, kernel MPTCP and kernel TCP; GOODPUT_ARGS passes it options, e.g.
# "--bytes 64M --reps 1") and over two (per scheduler; GOODPUT_MP_ARGS),
# then bench/wifi3g.sh (the shaped WiFi/3G experiment, about 5 minutes;
# WIFI3G_ARGS, e.g. "--quick"). With BENCH_BASE=REV both goodput runs also
# measure the rows of ours with git revision REV built aside (goodput_mp.sh
# --base), before -> after in the same run. Benchmarks print one line per
# figure, with the ratio to the reference measured in the same run; exit 4
# means skipped.
#   BUILD=build [BENCH_BASE=REV] bench/run.sh
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
# run NAME CMD...: 0 ok, 4 skipped (cannot run here), else failed
run() {
	local name=$1 st
	shift
	echo "# $name"
	"$@"
	st=$?
	case $st in
	0) ;;
	4) echo "bench: $name skipped" >&2 ;;
	*) echo "bench: $name failed (exit $st)" >&2; rc=1 ;;
	esac
}
for b in "$BUILD"/bench/*; do
	[ -f "$b" ] && [ -x "$b" ] && run "${b##*/}" "$b"
done
base=()
[ -n "${BENCH_BASE:-}" ] && base=(--base "$BENCH_BASE")
export BUILD
# shellcheck disable=SC2086 # *_ARGS are lists of options
{
	run goodput bash bench/goodput_mp.sh --paths 1 "${base[@]}" ${GOODPUT_ARGS:-}
	run goodput_mp bash bench/goodput_mp.sh --paths 2 "${base[@]}" ${GOODPUT_MP_ARGS:-}
	run wifi3g bash bench/wifi3g.sh ${WIFI3G_ARGS:-}
}
exit $rc
