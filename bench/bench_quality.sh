#!/usr/bin/env bash
# Quality beside peers: rakiza, scikit-learn and fastText trained and scored
# on the same grouped folds (bench/bench_quality.py says how each is set
# up and scored). `rakiza train --cv-out` writes the folds and rakiza's own
# held-out predictions; the script trains the peers on each fold's training
# part. Rows quality.<system>_macro_f1[_ar|_en], _f1_<label>, _accuracy;
# the Markdown table goes to stderr and to bench/results/quality.md.
#
# Environment: BENCH_QUALITY_DATA (default every models/data/*.jsonl, as
# scripts/train-default), BENCH_QUALITY_FLAGS (default the default model's
# settings: "--folds 5 --seed 1 --grid -V hash_bits=14 -V stem=false"),
# BENCH_QUALITY_TABLE (default bench/results/quality.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
: "${RAKIZA:=$root/build/rakiza}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2206 # file names and flags are words on purpose
files=(${BENCH_QUALITY_DATA:-$root/models/data/*.jsonl})
data=()
for f in "${files[@]}"; do data+=(--data "$f"); done
# scikit-learn is Debian's python3-sklearn: the first python3 that has it
py=python3
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import sklearn' 2>/dev/null; then py=$p; break; fi
done
# shellcheck disable=SC2086 # BENCH_QUALITY_FLAGS is words on purpose
"$RAKIZA" train "${data[@]}" --out "$tmp/m.rkz" --cv-out "$tmp/cv.tsv" \
    ${BENCH_QUALITY_FLAGS:---folds 5 --seed 1 --grid -V hash_bits=14 -V stem=false} \
    2>"$tmp/train.err" || { cat "$tmp/train.err" >&2; exit 1; }
sed -n 1,4p "$tmp/train.err" >&2
[ -z "${BENCH_QUALITY_CV:-}" ] || cp "$tmp/cv.tsv" "$BENCH_QUALITY_CV"
table=${BENCH_QUALITY_TABLE:-$root/bench/results/quality.md}
mkdir -p "$(dirname "$table")"
"$py" "$root/bench/bench_quality.py" "${data[@]}" --cv "$tmp/cv.tsv" \
    --tmp "$tmp" --table "$table"
