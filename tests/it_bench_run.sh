#!/usr/bin/env bash
# The rakiza run benchmark (bench/bench_run.sh) still works end to end on a
# small input (one copy of the seeds' paragraphs, about 250 documents): the
# kcat pipe, rakiza run with one and two threads and, when Debian's
# python3-confluent-kafka and python3-sklearn are there, the Python peer
# each deliver every record (the script fails otherwise) and the table rows
# come out. Figures are not judged: they are measurements.
source "$(dirname "$0")/lib.sh"

status=0
BENCH_RUN_COPIES=1 BENCH_RUN_REPEATS=1 bash bench/bench_run.sh >"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
check_eq "bench_run.sh succeeds on one copy of the seeds" 0 "$status"
[ "$status" -eq 0 ] || cat "$TEST_TMP/err" >&2
# (CPU-seconds are counted in 10 ms ticks: on this small input the kcat
# pipe's may round to 0, and its cores with them.)
check "every line is name<TAB>number<TAB>unit, names under run., positive but CPU" \
    awk -F'\t' 'NF != 3 || $1 !~ /^run\./ || $3 == "" || !($2 >= 0) ||
                ($2 == 0 && $3 != "CPU-s" && $3 != "cores") {
                    print "bad line: " $0 > "/dev/stderr"; bad = 1 }
                END { exit bad || NR == 0 }' "$TEST_TMP/out"
names=(kcat_pipe rakiza_threads1 rakiza_threads2)
peer=0
for py in python3 /usr/bin/python3; do
    "$py" -c 'import confluent_kafka, sklearn' 2>/dev/null && { peer=1; break; }
done
if [ "$peer" = 1 ]; then
    names+=(python_peer)
else
    check "without the Python packages the peer is skipped, saying so" grep -q "Python peer is skipped" "$TEST_TMP/err"
fi
for name in "${names[@]}"; do
    check "$name: documents/s" grep -q "^run.${name}_docs"$'\t.*\t'"docs/s$" "$TEST_TMP/out"
    check "$name: MB/s" grep -q "^run.$name"$'\t.*\t'"MB/s$" "$TEST_TMP/out"
    check "$name: CPU seconds" grep -q "^run.${name}_cpu"$'\t.*\t'"CPU-s$" "$TEST_TMP/out"
    check "$name: cores busy" grep -q "^run.${name}_cores"$'\t.*\t'"cores$" "$TEST_TMP/out"
    check "$name: peak RSS" grep -q "^run.${name}_rss"$'\t.*\t'"MB$" "$TEST_TMP/out"
done
for name in rakiza_threads1 rakiza_threads2; do
    check "$name: cores wanted (CPU plus run-queue time)" \
        grep -q "^run.${name}_wanted_cores"$'\t.*\t'"cores$" "$TEST_TMP/out"
done
check "rakiza's throughput as a multiple of the kcat pipe's (and the peer's), per thread count" \
    test "$(grep -cE "^run.rakiza_threads[12]_vs_(kcat_pipe|python_peer)"$'\t.*\t'"x$" "$TEST_TMP/out")" -eq $((2 + 2 * peer))
npara=$(for f in "$RAKIZA_SEEDS"/*.txt; do "$RAKIZA" segment "$f"; done | wc -l)
check "the input was counted: every seed paragraph, seven to a document" \
    grep -q "input: $(( (npara + 6) / 7 )) documents, [0-9]* bytes, [0-9]* paragraphs" "$TEST_TMP/err"
check "no process is left behind" bash -c "! pgrep -f 'rakiza_threads[12]_in[0-9]+ -o ' >/dev/null && ! pgrep -f 'bench_run_pee[r].py' >/dev/null"
test_done
