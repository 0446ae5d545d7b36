#!/usr/bin/env bash
# ctest-timeout: 300
# The quality benchmark still runs and compares on shared folds: on 300
# labelled samples (a temporary JSONL, 3 grouped folds, a 2^12 space) it
# prints rows for rakiza, scikit-learn and fastText (each peer when
# installed) and a table with their three rows, and `rakiza train
# --cv-out` writes one line per sample, in input order, with folds 0..2
# and no group in two folds. If this fails, `scripts/bench quality`
# compares nothing, or compares systems on different splits. Figures are
# measurements, not judged; rakiza's must be those train reports.
source "$(dirname "$0")/lib.sh"

python3 - models/data/*.jsonl >"$TEST_TMP/s.jsonl" <<'PY'
import hashlib, sys
lines = [l for f in sys.argv[1:] for l in open(f, encoding="utf-8") if l.strip()]
lines.sort(key=lambda l: hashlib.sha256(l.encode()).hexdigest())
sys.stdout.write("".join(lines[:300]))
PY
have_sklearn=0
for p in python3 /usr/bin/python3; do
    "$p" -c 'import sklearn' 2>/dev/null && have_sklearn=1 && break
done
status=0
BENCH_QUALITY_DATA=$TEST_TMP/s.jsonl BENCH_QUALITY_FLAGS="--folds 3 --seed 1 -V hash_bits=12" \
    BENCH_QUALITY_TABLE=$TEST_TMP/table.md BENCH_QUALITY_CV=$TEST_TMP/cv.tsv \
    bash bench/bench_quality.sh >"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
check_eq "bench/bench_quality.sh succeeds" 0 "$status"
[ "$status" -eq 0 ] || cat "$TEST_TMP/err" >&2
check "every line is name<TAB>number<TAB>unit, names under quality." \
    awk -F'\t' 'NF != 3 || $1 !~ /^quality\./ || $2 !~ /^[0-9.]+$/ || $3 == "" { bad = 1 }
                END { exit bad || NR == 0 }' "$TEST_TMP/out"

systems="rakiza"
[ "$have_sklearn" = 1 ] && systems="$systems scikit-learn" ||
    echo "it_bench_quality: scikit-learn not installed: its rows are not checked" >&2
command -v fasttext >/dev/null && systems="$systems fastText" ||
    echo "it_bench_quality: fasttext not installed: its rows are not checked" >&2
for s in $systems; do
    key=$(echo "$s" | tr 'A-Z' 'a-z' | tr -d -)
    check "$s has its overall, ar and en macro-F1 rows" \
        test "$(grep -cE "^quality\.${key}_macro_f1(_ar|_en)?"$'\t' "$TEST_TMP/out")" = 3
    check "$s has a row per class" grep -q "^quality\.${key}_f1_none"$'\t' "$TEST_TMP/out"
    check "the table has a row for $s" grep -q "^| $s | " "$TEST_TMP/table.md"
done
check_eq "the table has one row per system" \
    "$(echo "$systems" | wc -w)" "$(grep -c '^| [a-zA-Z-]* | [0-9]' "$TEST_TMP/table.md")"

check_eq "the fold file has one line per sample" 300 "$(wc -l <"$TEST_TMP/cv.tsv")"
check "... in input order: index 0..299, the samples' labels, 6 fields" \
    python3 - "$TEST_TMP/s.jsonl" "$TEST_TMP/cv.tsv" <<'PY'
import json, sys
labels = [json.loads(l)["label"] for l in open(sys.argv[1], encoding="utf-8")]
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[2], encoding="utf-8")]
sys.exit(not all(len(r) == 6 and r[0] == str(i) and r[4] == labels[i]
                 for i, r in enumerate(rows)))
PY
check_eq "the folds are 0..K-1" "0 1 2" "$(cut -f3 "$TEST_TMP/cv.tsv" | sort -u | xargs)"
check_eq "no group is in two folds" "" \
    "$(cut -f2,3 "$TEST_TMP/cv.tsv" | sort -u | cut -f1 | uniq -d)"
check "rakiza's macro-F1 from the file is the one train reports" \
    grep -q "grouped 3-fold CV macro-F1 $(awk -F'\t' '$1 == "quality.rakiza_macro_f1" { print $2 }' "$TEST_TMP/out") " "$TEST_TMP/err"
test_done
