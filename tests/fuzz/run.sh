#!/usr/bin/env bash
# Runs every libFuzzer target in $BUILD/fuzz for FUZZ_TIME seconds, seeded by
# its gen_corpus_* generator when there is one. Prints one TAP-like line per
# target with the executions it made; a crash keeps its input in $BUILD/fuzz.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
FUZZ_TIME=${FUZZ_TIME:-60}
rc=0
for f in "$BUILD"/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=${f##*/fuzz_}
	corpus="$BUILD/fuzz/corpus_$name"
	mkdir -p "$corpus"
	gen="$BUILD/fuzz/gen_corpus_$name"
	[ -x "$gen" ] && "$gen" "$corpus" >/dev/null
	log="$BUILD/fuzz/fuzz_$name.log"
	( cd "$BUILD/fuzz" && "./fuzz_$name" -max_total_time="$FUZZ_TIME" -max_len=512 \
		-print_final_stats=1 "corpus_$name" ) >"$log" 2>&1
	st=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$st" -eq 0 ]; then
		echo "ok - fuzz_$name: ${execs:-?} executions in ${FUZZ_TIME}s, no crash"
	else
		echo "not ok - fuzz_$name: exit $st after ${execs:-?} executions (log: $log)"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/#   /'
		rc=1
	fi
done
exit $rc
