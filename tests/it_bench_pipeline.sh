#!/usr/bin/env bash
# The pipeline benchmark still runs on every seed and prints the table format
# scripts/bench reads. If this fails, `scripts/bench` reports nothing (or
# garbage) for the text pipeline and nobody notices a throughput regression.
source "$(dirname "$0")/lib.sh"

bench=$RAKIZA_BUILD/bench/bench_pipeline
check "the benchmark program is built" test -x "$bench"
# --seconds 0: one pass of each stage, enough to check it works.
status=0
"$bench" --seconds 0 "$RAKIZA_SEEDS"/*.txt >"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
check_eq "one pass over all seeds succeeds" 0 "$status"
check "every line is name<TAB>positive number<TAB>unit, names under pipeline." \
    awk -F'\t' 'NF != 3 || $1 !~ /^pipeline\./ || !($2 > 0) || $3 == "" { bad = 1 }
                END { exit bad || NR == 0 }' "$TEST_TMP/out"
check "each stage reports MB/s" test "$(grep -c $'\tMB/s$' "$TEST_TMP/out")" -ge 2

"$bench" --seconds 0 --stage vectorize --settings hash_bits=14,stem=false --name _shipped \
    "$RAKIZA_SEEDS"/*.txt >"$TEST_TMP/shipped" 2>/dev/null || status=$?
check_eq "the shipped model's settings run too" 0 "$status"
check "under their own name" grep -q $'^pipeline.vectorize_shipped\t' "$TEST_TMP/shipped"
check_eq "a setting that does not exist is an error" 1 \
    "$(status_of "$bench" --seconds 0 --settings no_such_key=1 "$RAKIZA_SEEDS"/*.txt)"

envelope=$RAKIZA_BUILD/bench/bench_envelope
"$envelope" --passes 1 "$RAKIZA_SEEDS"/*.txt >"$TEST_TMP/envelope" 2>/dev/null || status=$?
check_eq "the envelope benchmark runs on every seed" 0 "$status"
check "it times the scanner and jansson's tree, in MB/s" \
    awk -F'\t' '$3 == "MB/s" && $2 > 0 { n[$1]++ } END { exit !(n["pipeline.envelope_scan"] && n["pipeline.envelope_tree"]) }' \
    "$TEST_TMP/envelope"
check_eq "an unreadable input is an error, not a zero figure" 1 "$(status_of "$bench" --seconds 0 "$TEST_TMP/missing.txt")"
check "naming the file" grep -q "missing.txt" "$TEST_TMP/err"
printf 'ok\n\xff bad\n' >"$TEST_TMP/bad.txt"
check_eq "invalid UTF-8 stops the benchmark with an error" 1 "$(status_of "$bench" --seconds 0 "$TEST_TMP/bad.txt")"
test_done
