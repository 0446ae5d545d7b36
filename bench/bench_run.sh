#!/usr/bin/env bash
# `rakiza run` end to end on the embedded broker with a backlog, beside a
# plain kcat consume-then-produce of the same bytes and a Python peer
# (confluent-kafka + scikit-learn), in one run: documents/s, MB/s of input,
# CPU seconds, cores kept busy and peak RSS of each.
#
# Input: every paragraph of the four seed documents, seven consecutive
# paragraphs to a document, BENCH_RUN_COPIES times (default 16: about 4,100
# documents and 10.9 MB), one JSON envelope each, keyed by a distinct id.
# Each consumer runs BENCH_RUN_REPEATS times (default 3, interleaved; the
# run with the shortest span counts, with its own CPU and RSS), each time on
# its own input and output topics (8 and 16 partitions: the mock broker
# keeps only ~5 MB per partition) and consumer group:
#   kcat_pipe        kcat -G ... -C IN | kcat -P -t OUT (bytes as they are)
#   rakiza_threadsN  rakiza run --threads N (N = 1, 2)
#   python_peer      bench/bench_run_peer.py: TF-IDF word 1-2 + char_wb 3-5
#                    grams and a LinearSVC trained before the clock; one
#                    record per paragraph (split on blank lines); flush and
#                    commit per batch of 200 (skipped, with a note, when
#                    python3-confluent-kafka or python3-sklearn is missing)
# The whole input is on the broker before the consumer starts (a backlog).
# The clock is the same for all: from the moment the consumer's partitions
# are assigned (rakiza's log line, kcat's "assigned:" line, the peer's
# on_assign; each stamped on arrival) to the timestamp of the last output
# record (set by the producing client), so start-up, model loading and the
# group join are out and every fetch, decode, classify, produce and commit
# is in. CPU seconds are the consumer's over the same span (rakiza's and
# the peer's process from assignment to the end; both kcat processes
# whole). "cores" is CPU seconds / span; "wanted_cores" adds the time the
# consumer's threads were ready to run but waited for a core (run-queue
# time, /proc/PID/task/*/schedstat), i.e. what it would have used had the
# shared machine's other jobs left it the cores. Every output record is
# counted: a missing one fails the benchmark rather than flattering it.
set -euo pipefail
copies=${BENCH_RUN_COPIES:-16}
repeats=${BENCH_RUN_REPEATS:-3}
here=$(cd "$(dirname "$0")" && pwd)
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
[ -x /usr/bin/time ] || fail "needs /usr/bin/time (Debian's time; scripts/bootstrap installs it)"
RAKIZA=$(cd "$(dirname "$RAKIZA")" && pwd)/$(basename "$RAKIZA")
# The peer runs on the first Python that has Debian's python3-confluent-kafka
# and python3-sklearn (a python3 earlier in PATH may be another build).
peer=0
for py in python3 /usr/bin/python3; do
    if "$py" -c 'import confluent_kafka, sklearn' 2>/dev/null; then peer=1 peer_py=$py; break; fi
done
[ "$peer" = 1 ] ||
    echo "bench_run: no python3-confluent-kafka or python3-sklearn: the Python peer is skipped" >&2
names=(kcat_pipe rakiza_threads1 rakiza_threads2)
[ "$peer" = 1 ] && names+=(python_peer)
# BENCH_RUN_BASELINE=BINARY also measures another rakiza build (e.g. the
# one before a change) with --threads 2, as baseline_threads2.
if [ -n "${BENCH_RUN_BASELINE:-}" ]; then
    baseline=$(cd "$(dirname "$BENCH_RUN_BASELINE")" && pwd)/$(basename "$BENCH_RUN_BASELINE")
    names+=(baseline_threads2)
fi

topics=
for rep in $(seq 1 "$repeats"); do
    for name in "${names[@]}"; do topics+=${topics:+,}${name}_in$rep:8,${name}_out$rep:16; done
done
"$RAKIZA" broker --topics "$topics" --bootstrap-file "$tmp/b" >/dev/null 2>"$tmp/broker.err" &
bpid=$!
pids+=($bpid)
for _ in $(seq 1 100); do [ -s "$tmp/b" ] && break; sleep 0.1; done
[ -s "$tmp/b" ] || fail "the broker did not start: $(cat "$tmp/broker.err")"
b=$(head -1 "$tmp/b")

# The input (id<TAB>envelope lines), each document's text in docs/ (for
# rakiza segment), and what each consumer must write for it: rakiza one
# record per paragraph (by rakiza segment) plus one summary per document;
# the peer one record per blank-line-separated paragraph; kcat one each.
for s in "$RAKIZA_SEEDS"/*.txt; do "$RAKIZA" segment "$s"; done >"$tmp/paras.jsonl"
mkdir "$tmp/docs"
python3 - "$copies" "$tmp/paras.jsonl" "$tmp/docs.tsv" "$tmp/docs" >"$tmp/peer_records" <<'PY'
import json, re, sys
copies, paras_file, out, docs = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
paras = [json.loads(l)["text"] for l in open(paras_file, encoding="utf-8")]
peer = 0
with open(out, "w", encoding="utf-8") as f:
    for c in range(copies):
        for i in range(0, len(paras), 7):
            doc_id = f"d{c}-{i // 7}"
            text = "\n\n".join(paras[i:i + 7])
            f.write(f"{doc_id}\t{json.dumps({'id': doc_id, 'text': text}, ensure_ascii=False)}\n")
            open(f"{docs}/{doc_id}", "w", encoding="utf-8").write(text)
            peer += len([p for p in re.split(r"\n\s*\n", text) if p.strip()])
print(peer)
PY
ndocs=$(wc -l <"$tmp/docs.tsv")
bytes=$(cut -f2- "$tmp/docs.tsv" | tr -d '\n' | wc -c)
paras=$(cd "$tmp/docs" && "$RAKIZA" segment -- * | wc -l)
declare -A want=([kcat_pipe]=$ndocs [rakiza_threads1]=$((paras + ndocs))
                 [rakiza_threads2]=$((paras + ndocs)) [baseline_threads2]=$((paras + ndocs))
                 [python_peer]=$(cat "$tmp/peer_records"))
echo "input: $ndocs documents, $bytes bytes, $paras paragraphs; rakiza writes ${want[rakiza_threads1]} records" >&2

# Sum of the high watermarks of TOPIC's N partitions: messages in it.
count() { # TOPIC N
    local args=() p
    for p in $(seq 0 $(( $2 - 1 ))); do args+=(-t "$1:$p:-1"); done
    kcat -b "$b" -Q "${args[@]}" | awk '{ n += $NF } END { print n + 0 }'
}
# CPU seconds (user + system) process PID has used so far.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
# Seconds the threads of process PID have spent ready to run but waiting
# for a core (the scheduler's run-queue time, /proc/PID/task/*/schedstat):
# what other jobs on the machine took from it.
queued() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ w += $2 } END { printf "%.2f", w / 1e9 }'; }
# Peak RSS of process PID so far, in kB.
rss() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
# Each line of stdin with the time it arrived (seconds since the epoch).
stamp() { perl -MTime::HiRes=time -ne '$| = 1; printf "%.3f %s", time, $_'; }
# The arrival time of the first line of FILE matching PATTERN, waiting.
stamp_of() { # FILE PATTERN
    local i
    for i in $(seq 1 1200); do
        grep -q "$2" "$1" 2>/dev/null && { grep -m1 "$2" "$1" | cut -d' ' -f1; return 0; }
        sleep 0.05
    done
    fail "timed out waiting for '$2' in $1: $(tail -3 "$1")"
}
produce() { kcat -b "$b" -P -t "$1" -K $'\t' -l "$tmp/docs.tsv"; }
wait_output() { # TOPIC WANT PID WHAT
    local deadline=$(( $(date +%s) + 600 ))
    until [ "$(count "$1" 16)" -ge "$2" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || fail "$4: timed out"
        kill -0 "$3" 2>/dev/null || fail "$4 died"
        sleep 0.2
    done
}
# Sets SPAN: seconds from START to the last record of topic OUT, checking
# OUT holds exactly WANT records.
span() { # START OUT WANT
    kcat -b "$b" -C -t "$2" -e -q -f '%T\n' >"$tmp/out.ts"
    local got; got=$(wc -l <"$tmp/out.ts")
    [ "$got" -eq "$3" ] || fail "$2 holds $got records, not $3 (did the broker drop some?)"
    SPAN=$(sort -n "$tmp/out.ts" | tail -1 | awk -v s="$1" '{ printf "%.3f", $1 / 1000 - s }')
}

# Each measure_NAME REP sets SPAN, CPU (seconds), QUEUED (seconds waiting
# for a core; "-" where not measured: the kcat pipe) and RSS (kB).
measure_kcat_pipe() {
    local in=kcat_pipe_in$1 out=kcat_pipe_out$1
    produce "$in"
    { /usr/bin/time -o "$tmp/kc.time" -f '%U %S %M' kcat -b "$b" -G kgroup$1 \
          -X auto.offset.reset=earliest -c "$ndocs" -f '%k\t%s\n' "$in" 2> >(stamp >"$tmp/kcat.err") |
          /usr/bin/time -o "$tmp/kp.time" -f '%U %S %M' kcat -b "$b" -P -t "$out" -K $'\t'; } &
    local kpipe=$!
    pids+=($kpipe)
    local start; start=$(stamp_of "$tmp/kcat.err" "assigned:")
    wait "$kpipe" || fail "the kcat pipe failed: $(cat "$tmp/kcat.err")"
    span "$start" "$out" "${want[kcat_pipe]}"
    CPU=$(cat "$tmp/kc.time" "$tmp/kp.time" | awk '{ c += $1 + $2 } END { printf "%.2f", c }')
    RSS=$(cat "$tmp/kc.time" "$tmp/kp.time" | awk '{ m += $3 } END { print m }')
    QUEUED=-
}

measure_rakiza() { # REP THREADS [NAME BINARY]
    local name=${3:-rakiza_threads$2}
    local in=${name}_in$1 out=${name}_out$1 log=$tmp/$name.$1.log
    produce "$in"
    "${4:-$RAKIZA}" run -b "$b" -i "$in" -o "$out" -g "g_$name.$1" --dlq none --threads "$2" 2>"$log" &
    local rpid=$!
    pids+=($rpid)
    # rakiza's own log stamps the assignment (UTC, ms).
    local i line=
    for i in $(seq 1 1200); do
        line=$(grep -m1 "INFO assigned [1-9]" "$log" || true)
        [ -n "$line" ] && break
        kill -0 "$rpid" 2>/dev/null || fail "rakiza run died: $(tail -3 "$log")"
        sleep 0.05
    done
    [ -n "$line" ] || fail "$name was not assigned partitions"
    local cpu0 q0; cpu0=$(cpu "$rpid") q0=$(queued "$rpid")
    local start; start=$(date -u -d "$(echo "$line" | cut -d' ' -f1 | tr T ' ' | tr -d Z)" +%s.%N)
    wait_output "$out" "${want[$name]}" "$rpid" "$name"
    CPU=$(awk -v a="$cpu0" -v b="$(cpu "$rpid")" 'BEGIN { printf "%.2f", b - a }')
    QUEUED=$(awk -v a="$q0" -v b="$(queued "$rpid")" 'BEGIN { printf "%.2f", b - a }')
    RSS=$(rss "$rpid")
    kill -TERM "$rpid"
    wait "$rpid" || fail "$name exited with an error: $(tail -3 "$log")"
    span "$start" "$out" "${want[$name]}"
}
measure_rakiza_threads1() { measure_rakiza "$1" 1; }
measure_rakiza_threads2() { measure_rakiza "$1" 2; }
measure_baseline_threads2() { measure_rakiza "$1" 2 baseline_threads2 "$baseline"; }

measure_python_peer() {
    local in=python_peer_in$1 out=python_peer_out$1
    produce "$in"
    "$peer_py" "$here/bench_run_peer.py" --brokers "$b" --in "$in" --out "$out" --group pgroup$1 \
        --docs "$ndocs" --cache "$tmp/peer.model" --result "$tmp/peer.json" \
        "$here"/../models/data/*.jsonl 2>"$tmp/peer.err" &
    local ppid=$!
    pids+=($ppid)
    wait "$ppid" || fail "the Python peer failed: $(tail -5 "$tmp/peer.err")"
    local start; start=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["assigned"])' "$tmp/peer.json")
    span "$start" "$out" "${want[python_peer]}"
    CPU=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%.2f" % (r["cpu_end"] - r["cpu_assigned"]))' "$tmp/peer.json")
    RSS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["maxrss_kb"])' "$tmp/peer.json")
    QUEUED=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("%.2f" % (r["queued_end"] - r["queued_assigned"]))' "$tmp/peer.json")
}

# Each configuration BENCH_RUN_REPEATS times, interleaved so that a busy
# spell on the shared machine does not hit one of them only; the shortest
# span counts, with that run's CPU and RSS.
declare -A best_span best_cpu best_rss best_queued
for rep in $(seq 1 "$repeats"); do
    for name in "${names[@]}"; do
        "measure_$name" "$rep"
        echo "$name: ${SPAN} s, ${CPU} s CPU, ${QUEUED} s waiting for a core, ${RSS} kB peak RSS" >&2
        if [ -z "${best_span[$name]:-}" ] || awk -v a="${best_span[$name]}" -v b="$SPAN" 'BEGIN { exit !(b < a) }'; then
            best_span[$name]=$SPAN best_cpu[$name]=$CPU best_rss[$name]=$RSS best_queued[$name]=$QUEUED
        fi
    done
    echo "the broker: $(cpu "$bpid") s CPU so far" >&2
done
for name in "${names[@]}"; do
    awk -v name="$name" -v s="${best_span[$name]}" -v c="${best_cpu[$name]}" -v r="${best_rss[$name]}" \
        -v q="${best_queued[$name]}" -v b="$bytes" -v d="$ndocs" 'BEGIN {
        printf "run.%s_docs\t%.0f\tdocs/s\n", name, d / s
        printf "run.%s\t%.2f\tMB/s\n", name, b / 1e6 / s
        printf "run.%s_cpu\t%.2f\tCPU-s\n", name, c
        printf "run.%s_cores\t%.2f\tcores\n", name, c / s
        if (q != "-") printf "run.%s_wanted_cores\t%.2f\tcores\n", name, (c + q) / s
        printf "run.%s_rss\t%.1f\tMB\n", name, r / 1024 }'
done
# rakiza's throughput as a multiple of the kcat pipe's, the peer's and the
# baseline build's.
for t in 1 2; do
    r=rakiza_threads$t
    for other in kcat_pipe python_peer baseline_threads2; do
        [ -n "${best_span[$other]:-}" ] || continue
        awk -v name=$r -v o=$other -v a="${best_span[$other]}" -v b="${best_span[$r]}" \
            'BEGIN { printf "run.%s_vs_%s\t%.2f\tx\n", name, o, a / b }'
    done
done
