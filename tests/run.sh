#!/usr/bin/env bash
# Runs every test of the tree and ends with "N passed, N failed, N skipped".
# Each test program prints TAP-like lines ("ok - x", "not ok - x",
# "ok - x # SKIP why"); a program that dies without reporting counts as one
# failure. Exit codes follow the kernel selftests: 0 pass, 1 fail, 4 skip.
#   tests/run.sh [--unit] [FILTER]   FILTER: run only tests whose path matches
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
only_unit=0
[ "${1:-}" = --unit ] && { only_unit=1; shift; }
filter=${1:-}

pass=0 fail=0 skip=0
failed_names=()

run_one() { # NAME TIMEOUT CMD...
	local name=$1 tmo=$2; shift 2
	[ -n "$filter" ] && [[ "$name" != *"$filter"* ]] && return
	echo "# $name"
	local out rc
	out=$(timeout -k 5 "$tmo" "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/  /'
	local p f s
	p=$(grep -cE '^ok - ' <<<"$out" | tr -d ' ')
	s=$(grep -cE '^ok - .*# SKIP' <<<"$out" | tr -d ' ')
	f=$(grep -cE '^not ok - ' <<<"$out" | tr -d ' ')
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$f" -eq 0 ]; then
		[ "$rc" -eq 124 ] && echo "  not ok - $name: timed out after ${tmo}s" ||
			echo "  not ok - $name: exited $rc without reporting a failure"
		f=1
	fi
	if [ "$rc" -eq 4 ] && [ $((p + s + f)) -eq 0 ]; then
		s=1
	fi
	[ "$f" -gt 0 ] && failed_names+=("$name")
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
}

for t in "$BUILD"/tests/unit/*; do
	[ -x "$t" ] && run_one "unit/${t##*/}" 300 "$t"
done
# Checks of the tree itself (no build needed): tests/unit/*.sh
for t in tests/unit/*.sh; do
	[ -f "$t" ] && run_one "unit/$(basename "$t" .sh)" 60 bash "$t"
done
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in "$BUILD"/tests/asan/*; do
	[ -x "$t" ] && run_one "asan/${t##*/}" 600 "$t"
done
if [ "$only_unit" -eq 0 ]; then
	for t in "$BUILD"/tests/bpf/*; do
		[ -x "$t" ] && run_one "bpf/${t##*/}" 300 "$t"
	done
	# A short fuzz run per target; `make fuzz` runs them longer.
	[ -n "$(ls "$BUILD"/fuzz/fuzz_* 2>/dev/null)" ] &&
		run_one "fuzz/short" 300 env BUILD="$BUILD" FUZZ_TIME="${FUZZ_TIME:-10}" \
			FUZZ_RUNS= FUZZ_TARGETS= tests/fuzz/run.sh
	for t in tests/net/*.sh; do
		[ -f "$t" ] && run_one "net/$(basename "$t" .sh)" 900 bash "$t"
	done
	# Again without XDP metadata (what kernels that refuse bpf_xdp_adjust_meta
	# get): xmptcp attach reads XMPTCP_NO_META, userspace parses every frame.
	for t in test_engine_kernel test_proxy test_accept; do
		[ -f "tests/net/$t.sh" ] && run_one "net/$t[no-meta]" 900 \
			env XMPTCP_NO_META=1 XB_TEST="$t[no-meta]" bash "tests/net/$t.sh"
	done
fi

[ ${#failed_names[@]} -gt 0 ] && echo "# failed: ${failed_names[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
