#!/usr/bin/env bash
# Runs every libFuzzer target in $BUILD/fuzz for FUZZ_TIME seconds, seeded by
# its gen_corpus_* generator when there is one. Prints one TAP-like line per
# target with the executions it made; a crash keeps its input in $BUILD/fuzz.
#
# Every tests/fuzz/fuzz_X.c must have its binary (a target that was not built
# is a failure, not a silent skip), and a generator that fails (its seeds do
# not reach what they were written for) is a failure too. Known-bug inputs in
# tests/fuzz/crashes/X-* are replayed first: one that no longer crashes is a
# passing regression test, one that still crashes is reported as a skip
# naming the file (the bug is described there and in the report that added
# it) so `make test` stays usable while its owner fixes it.
#
#   BUILD=build FUZZ_TIME=10 tests/fuzz/run.sh     (what `make test` runs)
#   make fuzz FUZZ_TIME=60                         (the same, longer)
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
FUZZ_TIME=${FUZZ_TIME:-60}
rc=0

# Largest input per target: a stream of frames needs room, an option area not.
max_len_of() {
	case "$1" in
	pkt_input) echo 12288 ;;
	*) echo 512 ;;
	esac
}

for src in tests/fuzz/fuzz_*.c; do
	name=${src##*/fuzz_}
	name=${name%.c}
	if [ ! -x "$BUILD/fuzz/fuzz_$name" ]; then
		echo "not ok - fuzz_$name: $BUILD/fuzz/fuzz_$name not built (run make)"
		rc=1
	fi
done

# Inputs of bugs the targets found (tests/fuzz/crashes/NAME-*, each with a
# .txt): replayed once each as regression tests; one that fails again is a
# failure of the run.
replay() { # NAME
	local name=$1 f out
	for f in tests/fuzz/crashes/"$name"-*; do
		[ -f "$f" ] || continue
		case "$f" in *.txt | *.md) continue ;; esac
		if out=$("$BUILD/fuzz/fuzz_$name" -runs=1 "$f" 2>&1); then
			echo "ok - fuzz_$name: regression input ${f##*/}"
		else
			echo "not ok - fuzz_$name: regression input ${f##*/} fails again"
			grep -E 'ERROR|SUMMARY' <<<"$out" | head -2 | sed 's/^/#   /'
			rc=1
		fi
	done
}

for f in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=${f##*/fuzz_}
	replay "$name"
	corpus="$BUILD/fuzz/corpus_$name"
	mkdir -p "$corpus"
	gen="$BUILD/fuzz/gen_corpus_$name"
	if [ -x "$gen" ] && ! "$gen" "$corpus" >"$BUILD/fuzz/gen_corpus_$name.log" 2>&1; then
		echo "not ok - gen_corpus_$name: seeds broken (log: $BUILD/fuzz/gen_corpus_$name.log)"
		tail -3 "$BUILD/fuzz/gen_corpus_$name.log" | sed 's/^/#   /'
		rc=1
	fi
	log="$BUILD/fuzz/fuzz_$name.log"
	# -timeout: one input running that long is a hang (a bug), not slowness.
	( cd "$BUILD/fuzz" && "./fuzz_$name" -max_total_time="$FUZZ_TIME" \
		-max_len="$(max_len_of "$name")" -timeout=10 \
		-print_final_stats=1 "corpus_$name" ) >"$log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
	if [ "$st" -eq 0 ]; then
		echo "ok - fuzz_$name: ${execs:-?} executions in ${FUZZ_TIME}s (${rate:-?}/s, ${cov:-cov ?}), no crash"
	else
		echo "not ok - fuzz_$name: exit $st after ${execs:-?} executions (log: $log)"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/#   /'
		rc=1
	fi
done
exit $rc
