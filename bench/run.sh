#!/usr/bin/env bash
# Runs every benchmark: each executable in $BUILD/bench/ (built from
# bench/*.c), then each bench/*.sh but this one. Benchmarks print one line
# per figure, with the ratio to the reference measured in the same run.
#   BUILD=build bench/run.sh
set -u
cd "$(dirname "$0")/.."
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
for b in "$BUILD"/bench/*; do
	[ -f "$b" ] && [ -x "$b" ] || continue
	echo "# ${b##*/}"
	"$b" || { echo "bench: ${b##*/} failed" >&2; rc=1; }
done
for s in bench/*.sh; do
	[ -f "$s" ] || continue
	[ "$(basename "$s")" = run.sh ] && continue
	echo "# $(basename "$s" .sh)"
	BUILD=$BUILD bash "$s" || { echo "bench: $(basename "$s") failed" >&2; rc=1; }
done
exit $rc
