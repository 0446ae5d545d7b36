#!/usr/bin/env bash
# Text pipeline throughput on one core over all seed text: MB/s of each
# cumulative stage (segment, +normalise, ...), from bench_pipeline's CPU-time
# measurements, with the vectoriser's defaults; then text to vectors with
# the shipped model's settings (scripts/train-default: a 2^14 space, no
# stemming) as pipeline.vectorize_shipped; then messages to documents
# (bench_envelope). BENCH_SECONDS sets how long each stage runs (default 3).
set -euo pipefail
"$RAKIZA_BUILD/bench/bench_pipeline" --seconds "${BENCH_SECONDS:-3}" \
    "$RAKIZA_SEEDS"/*.txt
"$RAKIZA_BUILD/bench/bench_pipeline" --seconds "${BENCH_SECONDS:-3}" \
    --stage vectorize --settings hash_bits=14,stem=false --name _shipped \
    "$RAKIZA_SEEDS"/*.txt
"$RAKIZA_BUILD/bench/bench_envelope" --seconds "${BENCH_SECONDS:-3}" "$RAKIZA_SEEDS"/*.txt
