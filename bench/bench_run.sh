#!/usr/bin/env bash
# `rakiza run` end to end on the embedded broker, beside a plain kcat
# consume-then-produce of the same bytes (kcat -C from the input topic piped
# into kcat -P to another topic): paragraphs per second and MB/s of input,
# MB of input per CPU second, and rakiza's throughput as a fraction of
# kcat's, in one run. On a shared machine the wall-clock figures depend on
# what else runs; the per-CPU ones much less.
#
# Input: the four seed documents, each BENCH_RUN_COPIES times (default 12,
# about 8 MB), one JSON envelope per document, keyed by a distinct id. Each
# consumer (rakiza run with --threads 1, rakiza run with --threads 2, the
# kcat pipe) runs BENCH_RUN_REPEATS times (default 3; the best run counts),
# each time with its own input and output topics and consumer group. It is
# started first and joins its group on the empty input; then kcat -P
# produces the input. The time measured is from the first input message's
# timestamp to the last output message's (both set by the producing client,
# in ms, on this machine's clock), so it counts neither start-up nor group
# join, and includes everything between: fetch, decode, classify, produce.
# Every record is counted; the mock broker keeps only ~5 MB per partition,
# so the topics have 8 input and 16 output partitions (about 1 MB each) and
# a missing record fails the benchmark rather than inflating it.
set -euo pipefail
copies=${BENCH_RUN_COPIES:-12}
repeats=${BENCH_RUN_REPEATS:-3}
tmp=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "bench_run: $*" >&2; exit 1; }

topics=
for rep in $(seq 1 "$repeats"); do
    topics+=${topics:+,}kin$rep:8,kout$rep:16
    for t in 1 2; do topics+=,r${t}in$rep:8,r${t}out$rep:16; done
done
"$RAKIZA" broker --topics "$topics" --bootstrap-file "$tmp/b" >/dev/null 2>"$tmp/broker.err" &
bpid=$!
pids+=($bpid)
for _ in $(seq 1 100); do [ -s "$tmp/b" ] && break; sleep 0.1; done
[ -s "$tmp/b" ] || fail "the broker did not start: $(cat "$tmp/broker.err")"
b=$(head -1 "$tmp/b")

# The input (id<TAB>envelope lines), its payload bytes, and what rakiza
# must write for it: one record per paragraph plus one summary per document.
python3 - "$copies" "$tmp/docs.tsv" "$RAKIZA_SEEDS"/*.txt <<'PY'
import json, os, sys
copies, out, seeds = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
with open(out, "w", encoding="utf-8") as f:
    for c in range(copies):
        for s in seeds:
            doc_id = f"{os.path.basename(s)}#{c}"
            text = open(s, encoding="utf-8").read()
            f.write(f"{doc_id}\t{json.dumps({'id': doc_id, 'text': text}, ensure_ascii=False)}\n")
PY
ndocs=$(wc -l <"$tmp/docs.tsv")
bytes=$(cut -f2- "$tmp/docs.tsv" | tr -d '\n' | wc -c)
paras=0
for s in "$RAKIZA_SEEDS"/*.txt; do
    paras=$(( paras + copies * $("$RAKIZA" segment "$s" | wc -l) ))
done
records=$(( paras + ndocs ))
echo "input: $ndocs documents, $bytes bytes, $paras paragraphs; rakiza writes $records records" >&2

# Sum of the high watermarks of TOPIC's N partitions: messages in it.
count() { # TOPIC N
    local args=() p
    for p in $(seq 0 $(( $2 - 1 ))); do args+=(-t "$1:$p:-1"); done
    kcat -b "$b" -Q "${args[@]}" | awk '{ n += $NF } END { print n + 0 }'
}
# CPU seconds (user + system) process PID has used so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
wait_for_line() { # FILE PATTERN SECONDS
    local i
    for i in $(seq 1 $(( $3 * 10 ))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    fail "timed out waiting for '$2' in $1: $(tail -3 "$1")"
}
produce() { kcat -b "$b" -P -t "$1" -K $'\t' -l "$tmp/docs.tsv"; }
# Sets SPAN: seconds from the first message of topic IN to the last of
# topic OUT, checking OUT holds exactly WANT messages.
span() { # IN OUT WANT
    kcat -b "$b" -C -t "$1" -e -q -f '%T\n' >"$tmp/in.ts"
    kcat -b "$b" -C -t "$2" -e -q -f '%T\n' >"$tmp/out.ts"
    local got; got=$(wc -l <"$tmp/out.ts")
    [ "$got" -eq "$3" ] || fail "$2 holds $got messages, not $3 (did the broker drop some?)"
    [ "$(wc -l <"$tmp/in.ts")" -eq "$ndocs" ] || fail "$1 does not hold the $ndocs documents"
    SPAN=$(awk 'NR == FNR { if (first == "" || $1 < first) first = $1; next }
                { if ($1 > last) last = $1 }
                END { printf "%.3f\n", (last - first) / 1000 }' "$tmp/in.ts" "$tmp/out.ts")
}
# The plain-client baseline: the same bytes consumed and produced as they
# are. Sets SPAN and CPU (both kcat processes, start-up included). No
# subshell: the processes it starts must be in pids.
measure_kcat() { # REP
    local in=kin$1 out=kout$1
    { TIMEFORMAT='%U %S'; time kcat -b "$b" -G kgroup$1 -X auto.offset.reset=earliest \
          -c "$ndocs" -f '%k\t%s\n' "$in" 2>"$tmp/kcat.err" |
          kcat -b "$b" -P -t "$out" -K $'\t'; } 2>"$tmp/kcat.time" &
    local kpipe=$!
    pids+=($kpipe)
    wait_for_line "$tmp/kcat.err" "assigned:" 60
    produce "$in"
    wait "$kpipe" || fail "the kcat pipe failed: $(cat "$tmp/kcat.err")"
    span "$in" "$out" "$ndocs"
    CPU=$(awk '{ printf "%.2f", $1 + $2 }' "$tmp/kcat.time")
}

# rakiza run on its own topics. Sets SPAN and CPU (the process's CPU time
# from joining its group to the last record: model load and start-up are
# left out).
measure_rakiza() { # REP THREADS
    local in=r$2in$1 out=r$2out$1 log=$tmp/run$2.$1.log
    "$RAKIZA" run -b "$b" -i "$in" -o "$out" -g rgroup$2.$1 --dlq none --threads "$2" 2>"$log" &
    local rpid=$!
    pids+=($rpid)
    wait_for_line "$log" "assigned [1-9]" 60
    local cpu0; cpu0=$(cpu "$rpid")
    produce "$in"
    local deadline=$(( $(date +%s) + 600 ))
    until [ "$(count "$out" 16)" -ge "$records" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "rakiza run --threads $2: timed out"
        kill -0 "$rpid" 2>/dev/null || fail "rakiza run died: $(tail -3 "$log")"
        sleep 0.5
    done
    CPU=$(awk -v a="$cpu0" -v b="$(cpu "$rpid")" 'BEGIN { printf "%.2f", b - a }')
    kill -TERM "$rpid"
    wait "$rpid" || fail "rakiza run --threads $2 exited with an error: $(tail -3 "$log")"
    span "$in" "$out" "$records"
}

# Each configuration BENCH_RUN_REPEATS times, interleaved so that a busy
# spell on the shared machine does not hit one of them only; the best
# (shortest) span and the least CPU of each count.
declare -A best_span best_cpu
keep_best() { # NAME
    echo "$1: ${SPAN} s, ${CPU} s CPU" >&2
    best_span[$1]=$(awk -v a="${best_span[$1]:-}" -v b="$SPAN" 'BEGIN { print (a == "" || b < a) ? b : a }')
    best_cpu[$1]=$(awk -v a="${best_cpu[$1]:-}" -v b="$CPU" 'BEGIN { print (a == "" || b < a) ? b : a }')
}
for rep in $(seq 1 "$repeats"); do
    measure_kcat "$rep"
    keep_best kcat_pipe
    for t in 1 2; do
        measure_rakiza "$rep" "$t"
        keep_best rakiza_threads$t
    done
    echo "the broker: $(cpu "$bpid") s CPU so far" >&2
done
for name in kcat_pipe rakiza_threads1 rakiza_threads2; do
    awk -v name="$name" -v s="${best_span[$name]}" -v c="${best_cpu[$name]}" \
        -v b="$bytes" -v p="$paras" 'BEGIN {
        printf "run.%s\t%.2f\tMB/s\n", name, b / 1e6 / s
        printf "run.%s_paragraphs\t%.0f\tparagraphs/s\n", name, p / s
        if (c > 0) printf "run.%s_per_cpu\t%.2f\tMB/CPU-s\n", name, b / 1e6 / c }'
done
# rakiza's throughput as a fraction of the kcat pipe's: in wall time, and
# per CPU second.
for t in 1 2; do
    r=rakiza_threads$t
    awk -v name=$r -v k="${best_span[kcat_pipe]}" -v r="${best_span[$r]}" \
        -v kc="${best_cpu[kcat_pipe]}" -v rc="${best_cpu[$r]}" 'BEGIN {
        printf "run.%s_vs_kcat_pipe\t%.3f\tx\n", name, k / r
        if (kc > 0 && rc > 0) printf "run.%s_vs_kcat_pipe_per_cpu\t%.3f\tx\n", name, kc / rc }'
done
