#!/usr/bin/env bash
# Runs every libFuzzer target in $BUILD/fuzz (or those FUZZ_TARGETS names),
# seeded by its gen_corpus_* generator when there is one. Prints one
# TAP-like line per target with the executions it made and the seconds they
# took; a crash keeps its input in $BUILD/fuzz.
#
# How long each target runs:
#   FUZZ_RUNS unset   FUZZ_TIME seconds (default 60).
#   FUZZ_RUNS=N       until N executions (libFuzzer -runs=N, which counts
#                     the corpus inputs it loads too), with no time limit
#                     unless FUZZ_TIME is also given: then FUZZ_TIME is a
#                     deadline, and a target that reaches it short of N
#                     executions is a failure (the count asked for was not
#                     run), not a silent pass.
#   FUZZ_TARGETS=a,b  only these targets (pkt_input or fuzz_pkt_input);
#                     a name without a tests/fuzz/fuzz_NAME.c is a failure.
#   FUZZ_JOBS=J       J fuzzer processes per target (default 1), one per
#                     core: they share the corpus directory and take up
#                     each other's finds (libFuzzer's -reload). With
#                     FUZZ_RUNS=N each runs ceil(N/J) executions (its
#                     loading of the corpus included) and the line gives
#                     their sum, so N means N executions in all, never
#                     fewer; the first that fails stops the others. Logs:
#                     fuzz_NAME.log, or fuzz_NAME.J.log each.
# Empty values count as unset (the Makefile passes its variables empty).
#
# Every selected tests/fuzz/fuzz_X.c must have its binary (a target that was
# not built is a failure, not a silent skip), and a generator that fails (its
# seeds do not reach what they were written for) is a failure too. Known-bug
# inputs in tests/fuzz/crashes/X-* are replayed first: one that no longer
# crashes is a passing regression test, one that crashes again is a failure.
#
#   BUILD=build FUZZ_TIME=10 tests/fuzz/run.sh     (what `make test` runs)
#   make fuzz FUZZ_TIME=600                        (the same, longer)
#   make fuzz FUZZ_RUNS=10000000 FUZZ_TARGETS=pkt_input FUZZ_JOBS=2
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
FUZZ_RUNS=${FUZZ_RUNS:-}
FUZZ_TIME=${FUZZ_TIME:-}
FUZZ_TARGETS=${FUZZ_TARGETS:-}
FUZZ_JOBS=${FUZZ_JOBS:-1}
rc=0

is_count() { [[ $1 =~ ^[1-9][0-9]{0,9}$ ]] && [ "$1" -le 2147483647 ]; }
if [ -n "$FUZZ_RUNS" ] && ! is_count "$FUZZ_RUNS"; then
	# libFuzzer reads -runs as an int: 1..2^31-1.
	echo "not ok - FUZZ_RUNS=$FUZZ_RUNS: want executions, 1..2147483647"
	exit 1
fi
if [ -n "$FUZZ_TIME" ] && ! is_count "$FUZZ_TIME"; then
	echo "not ok - FUZZ_TIME=$FUZZ_TIME: want seconds, 1 or more"
	exit 1
fi
if ! is_count "$FUZZ_JOBS" || [ "$FUZZ_JOBS" -gt 64 ]; then
	echo "not ok - FUZZ_JOBS=$FUZZ_JOBS: want processes, 1..64"
	exit 1
fi
[ -z "$FUZZ_RUNS" ] && [ -z "$FUZZ_TIME" ] && FUZZ_TIME=60

# libFuzzer's stop conditions for one process of a target.
limits=()
[ -n "$FUZZ_RUNS" ] && limits+=("-runs=$(((FUZZ_RUNS + FUZZ_JOBS - 1) / FUZZ_JOBS))")
[ -n "$FUZZ_TIME" ] && limits+=("-max_total_time=$FUZZ_TIME")

# Target names (X of tests/fuzz/fuzz_X.c) to run: FUZZ_TARGETS or all.
names=()
if [ -n "$FUZZ_TARGETS" ]; then
	IFS=, read -ra wanted <<<"$FUZZ_TARGETS"
	for name in "${wanted[@]}"; do
		name=${name#fuzz_}
		[ -n "$name" ] || continue
		if [ ! -f "tests/fuzz/fuzz_$name.c" ]; then
			echo "not ok - FUZZ_TARGETS: no target $name (tests/fuzz/fuzz_$name.c)"
			rc=1
			continue
		fi
		names+=("$name")
	done
else
	for src in tests/fuzz/fuzz_*.c; do
		name=${src##*/fuzz_}
		names+=("${name%.c}")
	done
fi

# Largest input per target: a stream of frames needs room, an option area not.
max_len_of() {
	case "$1" in
	pkt_input) echo 12288 ;;
	*) echo 512 ;;
	esac
}

for name in "${names[@]}"; do
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

# FUZZ_JOBS fuzzer processes of target NAME on its corpus; their logs in
# logs[]. Returns the first failing one's status (the others then stopped),
# else 0.
fuzz_jobs() { # NAME
	local name=$1 j pid st=0 s
	local -A live=()
	logs=()
	for ((j = 0; j < FUZZ_JOBS; j++)); do
		logs+=("$BUILD/fuzz/fuzz_$name.log")
		[ "$FUZZ_JOBS" -gt 1 ] && logs[j]="$BUILD/fuzz/fuzz_$name.$j.log"
		# -timeout: one input running that long is a hang (a bug), not slowness.
		( cd "$BUILD/fuzz" && exec "./fuzz_$name" "${limits[@]}" \
			-max_len="$(max_len_of "$name")" -timeout=10 \
			-print_final_stats=1 "corpus_$name" ) >"${logs[j]}" 2>&1 &
		live[$!]=1
	done
	while [ ${#live[@]} -gt 0 ]; do
		wait -n -p pid "${!live[@]}"
		s=$?
		unset "live[$pid]"
		if [ "$s" -ne 0 ] && [ "$st" -eq 0 ]; then
			st=$s
			kill "${!live[@]}" 2>/dev/null
		fi
	done
	return "$st"
}

for name in "${names[@]}"; do
	[ -x "$BUILD/fuzz/fuzz_$name" ] || continue
	replay "$name"
	corpus="$BUILD/fuzz/corpus_$name"
	mkdir -p "$corpus"
	gen="$BUILD/fuzz/gen_corpus_$name"
	if [ -x "$gen" ] && ! "$gen" "$corpus" >"$BUILD/fuzz/gen_corpus_$name.log" 2>&1; then
		echo "not ok - gen_corpus_$name: seeds broken (log: $BUILD/fuzz/gen_corpus_$name.log)"
		tail -3 "$BUILD/fuzz/gen_corpus_$name.log" | sed 's/^/#   /'
		rc=1
	fi
	start=$(date +%s.%N)
	fuzz_jobs "$name"
	st=$?
	execs=$(cat "${logs[@]}" | awk '/^stat::number_of_executed_units:/ { n += $2; seen = 1 }
		END { if (seen) print n }')
	# Seconds the target actually ran and the rate over them (libFuzzer's
	# own rate is per whole second, 0 for a run under one).
	read -r secs rate < <(awk -v s="$start" -v e="$(date +%s.%N)" -v n="${execs:-0}" \
		'BEGIN { t = e - s; printf "%.1f %d\n", t, (t > 0 ? n / t : 0) }')
	# the widest coverage a process reached (they share what they find)
	cov=$(for l in "${logs[@]}"; do grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$l" | tail -1; done |
		sort -t' ' -k2,2n -k4,4n | tail -1)
	if [ "$st" -eq 0 ] && [ -n "$FUZZ_RUNS" ] && [ "${execs:-0}" -lt "$FUZZ_RUNS" ]; then
		echo "not ok - fuzz_$name: ${execs:-?} of $FUZZ_RUNS executions in ${secs}s, FUZZ_TIME=$FUZZ_TIME reached (${rate:-?}/s, no crash)"
		rc=1
	elif [ "$st" -eq 0 ]; then
		echo "ok - fuzz_$name: ${execs:-?} executions in ${secs}s (${rate:-?}/s, ${cov:-cov ?}), no crash"
	else
		echo "not ok - fuzz_$name: exit $st after ${execs:-?} executions (log: ${logs[*]})"
		cat "${logs[@]}" | grep -E 'ERROR|SUMMARY|Test unit written' | head -5 | sed 's/^/#   /'
		rc=1
	fi
done
exit $rc
