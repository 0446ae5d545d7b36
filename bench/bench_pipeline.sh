#!/usr/bin/env bash
# Text pipeline throughput on one core over all seed text: MB/s of each
# cumulative stage (segment, +normalise, ...), from bench_pipeline's CPU-time
# measurements. BENCH_SECONDS sets how long each stage runs (default 3).
set -euo pipefail
"$RAKIZA_BUILD/bench/bench_pipeline" --seconds "${BENCH_SECONDS:-3}" \
    "$RAKIZA_SEEDS"/*.txt
