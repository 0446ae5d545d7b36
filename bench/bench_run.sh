#!/usr/bin/env bash
# `rakiza run` end to end on the embedded broker, beside a plain kcat
# consume-then-produce of the same bytes (kcat -C from the input topic piped
# into kcat -P to another topic): paragraphs per second and MB/s of input,
# and rakiza's throughput as a fraction of kcat's, in one run.
#
# Input: the four seed documents, each BENCH_RUN_COPIES times (default 12,
# about 8 MB), one JSON envelope per document, keyed by a distinct id. Each
# consumer (rakiza run with --threads 1, rakiza run with --threads 2, the
# kcat pipe) gets its own input and output topics and consumer group. It is
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

topics=kin:8,kout:16
for t in 1 2; do topics+=,r${t}in:8,r${t}out:16; done
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
# Seconds from the first message of topic IN to the last of topic OUT,
# checking OUT holds exactly WANT messages.
span() { # IN OUT WANT
    kcat -b "$b" -C -t "$1" -e -q -f '%T\n' >"$tmp/in.ts"
    kcat -b "$b" -C -t "$2" -e -q -f '%T\n' >"$tmp/out.ts"
    local got; got=$(wc -l <"$tmp/out.ts")
    [ "$got" -eq "$3" ] || fail "$2 holds $got messages, not $3 (did the broker drop some?)"
    [ "$(wc -l <"$tmp/in.ts")" -eq "$ndocs" ] || fail "$1 does not hold the $ndocs documents"
    awk 'NR == FNR { if (first == "" || $1 < first) first = $1; next }
         { if ($1 > last) last = $1 }
         END { printf "%.3f\n", (last - first) / 1000 }' "$tmp/in.ts" "$tmp/out.ts"
}
report() { # NAME SECONDS
    awk -v name="$1" -v s="$2" -v b="$bytes" -v p="$paras" 'BEGIN {
        printf "run.%s\t%.2f\tMB/s\n", name, b / 1e6 / s
        printf "run.%s_paragraphs\t%.0f\tparagraphs/s\n", name, p / s }'
    echo "$1: $bytes bytes, $paras paragraphs in $2 s" >&2
}

# The plain-client baseline: the same bytes consumed and produced as they are.
kcat -b "$b" -G kgroup -X auto.offset.reset=earliest -c "$ndocs" -f '%k\t%s\n' kin \
    2>"$tmp/kcat.err" | kcat -b "$b" -P -t kout -K $'\t' &
kpipe=$!
pids+=($kpipe)
wait_for_line "$tmp/kcat.err" "assigned:" 60
produce kin
wait "$kpipe" || fail "the kcat pipe failed: $(cat "$tmp/kcat.err")"
kcat_s=$(span kin kout "$ndocs")
report kcat_pipe "$kcat_s"

for t in 1 2; do
    "$RAKIZA" run -b "$b" -i r${t}in -o r${t}out -g rgroup$t --dlq none --threads $t \
        2>"$tmp/run$t.log" &
    rpid=$!
    pids+=($rpid)
    wait_for_line "$tmp/run$t.log" "assigned [1-9]" 60
    produce r${t}in
    deadline=$(( $(date +%s) + 600 ))
    until [ "$(count r${t}out 16)" -ge "$records" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "rakiza run --threads $t: timed out"
        kill -0 "$rpid" 2>/dev/null || fail "rakiza run died: $(tail -3 "$tmp/run$t.log")"
        sleep 0.2
    done
    echo "rakiza run --threads $t: $(cpu "$rpid") s CPU in all (model load and group join included);" \
         "the broker $(cpu "$bpid") s CPU so far" >&2
    kill -TERM "$rpid"
    wait "$rpid" || fail "rakiza run --threads $t exited with an error: $(tail -3 "$tmp/run$t.log")"
    s=$(span r${t}in r${t}out "$records")
    report rakiza_threads$t "$s"
    eval "rakiza${t}_s=$s"
done
awk -v k="$kcat_s" -v r1="$rakiza1_s" -v r2="$rakiza2_s" 'BEGIN {
    printf "run.rakiza_threads1_vs_kcat_pipe\t%.3f\tx\n", k / r1
    printf "run.rakiza_threads2_vs_kcat_pipe\t%.3f\tx\n", k / r2 }'
