#!/usr/bin/env bash
# Prediction throughput on one core over every paragraph of the seeds, with
# the shipped model (models/default.rkz): the fast linear path against
# libsvm's svm_predict_probability, prediction only and end to end (see
# bench_predict.c); then, when `fasttext` is installed, fastText's
# predict-prob and `rakiza classify` on the same paragraphs, timed the same
# way, with each one's peak memory (see fasttext_compare.py).
# BENCH_SECONDS sets how long each measurement runs (default 3).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$RAKIZA_BUILD/bench/bench_predict" --seconds "${BENCH_SECONDS:-3}" \
    --model "$root/models/default.rkz" --paragraphs "$tmp/paragraphs.txt" \
    "$RAKIZA_SEEDS"/*.txt | tee "$tmp/rows"
# The model's own cross-validated scores (measured when it was trained):
# grouped (the headline), and paragraph-level - like for like with
# fastText's stratified folds below.
"$RAKIZA" model info "$root/models/default.rkz" | python3 -c '
import json, sys
m = json.load(sys.stdin)
cv, para = m["cv"], m.get("cv_paragraph") or m["cv"]
print("predict.rakiza_cv_macro_f1\t%.3f\tmacro-F1" % cv["macro_f1"])
print("predict.rakiza_cv_accuracy\t%.3f\taccuracy" % cv["accuracy"])
print("predict.rakiza_cv_paragraph_macro_f1\t%.3f\tmacro-F1" % para["macro_f1"])
print("predict.rakiza_cv_paragraph_accuracy\t%.3f\taccuracy" % para["accuracy"])'
if ! command -v fasttext >/dev/null; then
    echo "bench_predict: fasttext is not installed; no fastText comparison" \
         "(apt-get install fasttext)" >&2
    exit 0
fi
data=()
for f in "$root"/models/data/*.jsonl; do data+=(--data "$f"); done  # as the default model
python3 "$root/bench/fasttext_compare.py" --paragraphs "$tmp/paragraphs.txt" \
    "${data[@]}" \
    --seconds "${BENCH_SECONDS:-3}" --tmp "$tmp" \
    --rakiza "$RAKIZA" --model "$root/models/default.rkz" \
    --rakiza-e2e-rate "$(awk -F'\t' '$1 == "predict.e2e_fast_paragraphs" { print $2 }' "$tmp/rows")"
