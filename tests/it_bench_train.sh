#!/usr/bin/env bash
# The training benchmark still runs and prints the table format
# scripts/bench reads: a row per size, samples made up to the size asked
# when the data has fewer. If this fails, `scripts/bench train` reports
# nothing (or garbage) and a slower trainer goes unnoticed. Figures are
# measurements, not judged; small sizes and a 2^14 space keep it quick.
source "$(dirname "$0")/lib.sh"

status=0
BENCH_TRAIN_SIZES="150 all" BENCH_TRAIN_EXTRA=0 BENCH_TRAIN_FLAGS="-V hash_bits=14" \
    bash bench/bench_train.sh >"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
check_eq "bench/bench_train.sh succeeds" 0 "$status"
[ "$status" -eq 0 ] || cat "$TEST_TMP/err" >&2
check "every line is name<TAB>positive number<TAB>unit, names under train." \
    awk -F'\t' 'NF != 3 || $1 !~ /^train\./ || !($2 > 0) || $3 == "" { bad = 1 }
                END { exit bad || NR == 0 }' "$TEST_TMP/out"
check_eq "rows per size (wall clock and CPU), and the number of samples" \
    "train.seconds_n150 train.cpu_seconds_n150 train.samples_all train.seconds_all train.cpu_seconds_all" \
    "$(cut -f1 "$TEST_TMP/out" | xargs)"
check_eq "all the labelled samples are counted" \
    "$(cat models/data/*.jsonl | wc -l)" "$(awk -F'\t' '$1 == "train.samples_all" { print $2 }' "$TEST_TMP/out")"
more=$(($(cat models/data/*.jsonl | wc -l) + 30))
BENCH_TRAIN_SIZES="$more" BENCH_TRAIN_EXTRA=0 BENCH_TRAIN_FLAGS="-V hash_bits=14" \
    bash bench/bench_train.sh >"$TEST_TMP/more" 2>"$TEST_TMP/err" || true
check "asked for 30 more samples than there are, it says it made them" \
    grep -q "bench_train: n=$more: 30 samples made by joining two of one label" "$TEST_TMP/err"
check "and times the training on them" grep -q "^train.seconds_n$more"$'\t' "$TEST_TMP/more"
test_done
