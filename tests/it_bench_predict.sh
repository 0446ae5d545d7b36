#!/usr/bin/env bash
# ctest-timeout: 600
# The prediction benchmark still runs on every seed paragraph and prints the
# table format scripts/bench reads: both paths timed, prediction only and end
# to end, their ratio, and fastText beside them when it is installed. If this
# fails, `scripts/bench predict` reports nothing (or garbage) and a slower
# fast path goes unnoticed. Figures are not judged: they are measurements.
source "$(dirname "$0")/lib.sh"

bench=$RAKIZA_BUILD/bench/bench_predict
check "the benchmark program is built" test -x "$bench"
rows() { awk -F'\t' 'NF != 3 || $1 !~ /^predict\./ || !($2 > 0) || $3 == "" { bad = 1 }
                     END { exit bad || NR == 0 }' "$1"; }

npara=$(for f in "$RAKIZA_SEEDS"/*.txt; do "$RAKIZA" segment "$f"; done | wc -l)
# One stage (--seconds 0: one pass) and the paragraphs it read; the whole
# script below runs every stage.
status=0
"$bench" --seconds 0 --stage fast --paragraphs "$TEST_TMP/paras.txt" "$RAKIZA_SEEDS"/*.txt \
    >"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
check_eq "one pass over all seeds succeeds" 0 "$status"
check_eq "--stage runs that stage only: MB/s and paragraphs/s" \
    "predict.fast predict.fast_paragraphs" "$(cut -f1 "$TEST_TMP/out" | xargs)"
check "both paths agreed on every paragraph before timing" grep -q "both paths agree on all $npara paragraphs" "$TEST_TMP/err"
check_eq "--paragraphs writes every paragraph rakiza segment finds, one per line" \
    "$npara" "$(wc -l <"$TEST_TMP/paras.txt")"
check_eq "... the segmenter's texts, as they are" \
    "$(for f in "$RAKIZA_SEEDS"/*.txt; do "$RAKIZA" segment "$f"; done |
       python3 -c 'import json,sys; print(sum(len(json.loads(l)["text"].encode()) + 1 for l in sys.stdin))')" \
    "$(wc -c <"$TEST_TMP/paras.txt")"

check_eq "an unknown stage is a usage error" 2 "$(status_of "$bench" --seconds 0 --stage nope "$RAKIZA_SEEDS"/*.txt)"
check_eq "an unreadable input is an error, not a zero figure" 1 "$(status_of "$bench" --seconds 0 "$TEST_TMP/missing.txt")"
check "naming the file" grep -q "missing.txt" "$TEST_TMP/err"
printf 'ok\n\xff bad\n' >"$TEST_TMP/bad.txt"
check_eq "invalid UTF-8 stops the benchmark with an error" 1 "$(status_of "$bench" --seconds 0 "$TEST_TMP/bad.txt")"
check_eq "a missing model is an error" 1 "$(status_of "$bench" --seconds 0 --model "$TEST_TMP/missing.rkz" "$RAKIZA_SEEDS"/*.txt)"

# The whole script, fastText included when it is installed.
status=0
BENCH_SECONDS=0 bash bench/bench_predict.sh >"$TEST_TMP/script" 2>"$TEST_TMP/script.err" || status=$?
check_eq "bench/bench_predict.sh succeeds" 0 "$status"
[ "$status" -eq 0 ] || cat "$TEST_TMP/script.err" >&2
check "its lines are all table rows" rows "$TEST_TMP/script"
for name in fast libsvm e2e_fast e2e_libsvm; do
    check "$name: MB/s" grep -q "^predict.$name"$'\t.*\t'"MB/s$" "$TEST_TMP/script"
    check "$name: paragraphs/s" grep -q "^predict.${name}_paragraphs"$'\t.*\t'"paragraphs/s$" "$TEST_TMP/script"
done
check "the fast/libsvm ratios are reported" \
    test "$(grep -c $'speedup_fast_vs_libsvm\t.*\tx$' "$TEST_TMP/script")" -eq 2
check "it reports the model's CV macro-F1" grep -q $'^predict.rakiza_cv_macro_f1\t0\\.[0-9]*\tmacro-F1$' "$TEST_TMP/script"
if command -v fasttext >/dev/null; then
    for name in fasttext fasttext_paragraphs fasttext_peak_rss e2e_fast_vs_fasttext \
                fasttext_cv_macro_f1 fasttext_cv_accuracy; do
        check "fastText row predict.$name" grep -q "^predict.$name"$'\t' "$TEST_TMP/script"
    done
    # rakiza classify timed beside it, on the same lines, with its memory.
    for name in classify classify_paragraphs classify_peak_rss classify_vs_fasttext; do
        check "classify row predict.$name" grep -q "^predict.$name"$'\t' "$TEST_TMP/script"
    done
    check "classify's peak memory is in MB and plausible" \
        awk -F'\t' '$1 == "predict.classify_peak_rss" { ok = $3 == "MB" && $2 > 1 && $2 < 1000 }
                    END { exit !ok }' "$TEST_TMP/script"
fi
test_done
