#!/usr/bin/env bash
# Baseline: how fast a plain client (kcat) moves the seed documents through
# the embedded broker, produce then consume. Later figures compare to it.
set -euo pipefail
tmp=$(mktemp -d)
"$RAKIZA" broker --topics bench:1 --bootstrap-file "$tmp/b" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 1 100); do [ -s "$tmp/b" ] && break; sleep 0.1; done
b=$(cat "$tmp/b")
# One message per non-blank line of all seeds, repeated to ~4 MB (under the
# mock broker's ~5 MB per-partition retention).
for _ in 1 2 3 4 5 6; do grep -hv '^[[:space:]]*$' "$RAKIZA_SEEDS"/*.txt; done >"$tmp/lines"
bytes=$(wc -c <"$tmp/lines"); n=$(wc -l <"$tmp/lines")
t0=$(date +%s.%N)
kcat -b "$b" -P -t bench -l "$tmp/lines"
t1=$(date +%s.%N)
got=$(kcat -b "$b" -C -t bench -e -q -f '%s\n' | wc -l)
t2=$(date +%s.%N)
[ "$got" -eq "$n" ] || { echo "bench_broker: consumed $got of $n" >&2; exit 1; }
awk -v b="$bytes" -v n="$n" -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
    printf "broker.kcat_produce\t%.1f\tMB/s\n", b / 1e6 / (t1 - t0)
    printf "broker.kcat_consume\t%.1f\tMB/s\n", b / 1e6 / (t2 - t1)
    printf "broker.kcat_consume_msgs\t%.0f\tmsg/s\n", n / (t2 - t1) }'
