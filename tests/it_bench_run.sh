#!/usr/bin/env bash
# The rakiza run benchmark (bench/bench_run.sh) still works end to end on a
# small input (one copy of each seed): the kcat pipe and rakiza run with one
# and two threads each deliver every record (the script fails otherwise) and
# the table rows come out. Figures are not judged: they are measurements.
source "$(dirname "$0")/lib.sh"

status=0
BENCH_RUN_COPIES=1 BENCH_RUN_REPEATS=1 bash bench/bench_run.sh >"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
check_eq "bench_run.sh succeeds on one copy of the seeds" 0 "$status"
[ "$status" -eq 0 ] || cat "$TEST_TMP/err" >&2
check "every line is name<TAB>positive number<TAB>unit, names under run." \
    awk -F'\t' 'NF != 3 || $1 !~ /^run\./ || !($2 > 0) || $3 == "" { bad = 1 }
                END { exit bad || NR == 0 }' "$TEST_TMP/out"
for name in kcat_pipe rakiza_threads1 rakiza_threads2; do
    check "$name: MB/s" grep -q "^run.$name"$'\t.*\t'"MB/s$" "$TEST_TMP/out"
    check "$name: paragraphs/s" grep -q "^run.${name}_paragraphs"$'\t.*\t'"paragraphs/s$" "$TEST_TMP/out"
    check "$name: MB per CPU second" grep -q "^run.${name}_per_cpu"$'\t.*\t'"MB/CPU-s$" "$TEST_TMP/out"
done
check "the ratios to the kcat pipe are reported, wall and CPU" \
    test "$(grep -cE "_vs_kcat_pipe(_per_cpu)?"$'\t.*\t'"x$" "$TEST_TMP/out")" -eq 4
check "the input was counted: 4 documents, every paragraph" \
    grep -q "input: 4 documents, [0-9]* bytes, $(for f in "$RAKIZA_SEEDS"/*.txt; do "$RAKIZA" segment "$f"; done | wc -l) paragraphs" "$TEST_TMP/err"
check "no process is left behind" bash -c "! pgrep -f 'r[12]in[0-9]+ -o r[12]out' >/dev/null"
test_done
