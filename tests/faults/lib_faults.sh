# lib_faults.sh - shell helpers for the fault-injection tests
# (tests/it_faults_*.sh); sourced after tests/lib.sh.
#
# A test starts tests/faults/fault_broker (a 3-broker mock cluster that
# takes fault commands), writes real documents built from the seeds, and
# the bad-input corpus, to the input topic in waves, runs `rakiza run`,
# injects faults while the stream flows, waits until the output is
# complete and reconciles the output and dead-letter topics against what
# it wrote (tests/faults/reconcile.py).
#
# Each mode (alo: at-least-once, eos: --exactly-once) has its own topics
# and group on the one cluster: fault_mode MODE switches to them and sets
# IN, OUT, DLQ, GROUP, TXID, W (its work directory) and RUN_ARGS.
#
# Layout: the input topic is led by broker 1, the output topic by brokers 2
# (partitions 0, 1) and 3 (2, 3), the DLQ by 3; the group coordinator is
# broker 3 and the transaction coordinator broker 2. So an error pushed
# onto broker 2's Produce stack or broker 1's Fetch stack can only be used
# by rakiza, never by the test's own kcat, and `fault_drained` shows that
# rakiza did meet it.

: "${RAKIZA_FAULT_BROKER:?RAKIZA_FAULT_BROKER must name tests/faults/fault_broker}"
FAULTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Seconds the stream may take to finish after a fault. Generous: the suite
# also runs under ASan+UBSan, about three times slower.
FAULT_WAIT=${FAULT_WAIT:-240}
GROUP_OPTS=(-X session.timeout.ms=6000 -X heartbeat.interval.ms=1000)
KCAT_P=(-X enable.idempotence=true) # a dropped connection duplicates no input
declare -A RUN_PID=()

# start_fault_broker MODE...: starts the mock cluster with each mode's
# topics; sets BROKER.
start_fault_broker() {
    local spec="" m
    for m in "$@"; do spec+="${spec:+,}docs_$m:4,out_$m:4,dlq_$m:1"; done
    mkfifo "$TEST_TMP/fault.in"
    "$RAKIZA_FAULT_BROKER" --brokers 3 --topics "$spec" <"$TEST_TMP/fault.in" \
        >"$TEST_TMP/fault.out" 2>"$TEST_TMP/fault.err" &
    TEST_PIDS+=($!)
    exec {FAULT_FD}>"$TEST_TMP/fault.in"
    FAULT_ANSWERS=1
    wait_for 20 test -s "$TEST_TMP/fault.out" || { cat "$TEST_TMP/fault.err" >&2; exit 1; }
    BROKER=$(head -n1 "$TEST_TMP/fault.out")
}

# fault COMMAND...: sends one command (see fault_broker.c) and waits for
# its answer, left in FAULT_ANSWER; a refused command ends the test (the
# test would be broken, not rakiza).
fault() {
    echo "$*" >&"$FAULT_FD"
    FAULT_ANSWERS=$((FAULT_ANSWERS + 1))
    wait_for 20 bash -c "[ \$(wc -l <'$TEST_TMP/fault.out') -ge $FAULT_ANSWERS ]" ||
        { echo "fault_broker did not answer '$*'" >&2; exit 1; }
    FAULT_ANSWER=$(sed -n "${FAULT_ANSWERS}p" "$TEST_TMP/fault.out")
    case $FAULT_ANSWER in
    ok*) echo "$(date +%T) fault: $*" ;;
    *) echo "fault_broker refused: $FAULT_ANSWER" >&2; exit 1 ;;
    esac
}

# fault_drained BROKER API: true once every error pushed with @BROKER for
# API has been returned to a client (to rakiza, given the layout).
fault_drained() {
    fault pending "$1" "$2" >/dev/null
    [ "${FAULT_ANSWER##* = }" = 0 ]
}

# fault_mode alo|eos: switches to that mode's topics, group and work
# directory, and lays the topics and coordinators out as described above.
fault_mode() {
    MODE=$1 W=$TEST_TMP/$1 IN=docs_$1 OUT=out_$1 DLQ=dlq_$1 GROUP=g_$1
    TXID=rakiza-faults-$1
    RUN_ARGS=()
    [ "$MODE" = eos ] && RUN_ARGS=(--exactly-once)
    mkdir -p "$W"
    local p
    for p in 0 1 2 3; do fault leader "$IN" "$p" 1; done
    fault leader "$OUT" 0 2; fault leader "$OUT" 1 2
    fault leader "$OUT" 2 3; fault leader "$OUT" 3 3
    fault leader "$DLQ" 0 3
    fault coordinator group "$GROUP" 3
    fault coordinator transaction "$TXID" 2
    make_bad
}

# ---- input -----------------------------------------------------------------

# make_wave NAME COUNT: COUNT documents of six consecutive seed paragraphs
# (JSON envelopes keyed by id "NAME-i") in $W/NAME.tsv; each text also goes
# to $W/docs/NAME/<id>, for counting its paragraphs when it is fed.
make_wave() {
    [ -s "$TEST_TMP/paras.jsonl" ] ||
        for f in "$RAKIZA_SEEDS"/*.txt; do "$RAKIZA" segment "$f"; done >"$TEST_TMP/paras.jsonl"
    mkdir -p "$W/docs/$1"
    python3 - "$TEST_TMP/paras.jsonl" "$1" "$2" "$W" <<'PY'
import json, sys, zlib
paras = [json.loads(l)["text"] for l in open(sys.argv[1])]
name, count, w = sys.argv[2], int(sys.argv[3]), sys.argv[4]
start = zlib.crc32(name.encode()) % (len(paras) - 6)  # each wave its own text
with open(f"{w}/{name}.tsv", "w") as f:
    for d in range(count):
        i = (start + 6 * d) % (len(paras) - 6)
        text = "\n\n".join(paras[i:i + 6])
        doc = {"id": f"{name}-{d}", "text": text}
        f.write(f"{name}-{d}\t{json.dumps(doc, ensure_ascii=False)}\n")
        open(f"{w}/docs/{name}/{name}-{d}", "w").write(text)
PY
}

# make_bad: the bad-input corpus (tests/bad_input/corpus: every case the
# envelope must refuse, each named by its contract code), a message over
# the 200 KB limit the tests set (too_large), and a good gzip-compressed
# raw-text document (good-gz), as one file of key/payload records for
# feed_bad; $W/bad.tsv will list each bad key with its code and size.
make_bad() {
    mkdir -p "$W/docs/bad"
    cp "$RAKIZA_SEEDS"/004_*.txt "$W/docs/bad/good-gz"
    : >"$W/bad.tsv"
    : >"$W/expected.tsv"
    python3 - "$FAULTS_DIR/../bad_input/corpus" "$W" <<'PY'
import gzip, sys
KEY_END, MSG_END = b"\x1d\x1c", b"\x1e\x1f\x1e"  # see feed_bad
corpus, w = sys.argv[1], sys.argv[2]
cases = []
for line in open(f"{corpus}/expected.tsv"):
    name, code, _ = line.rstrip("\n").split("\t")
    if code != "ok":
        cases.append((name, code, open(f"{corpus}/{name}", "rb").read()))
cases.append(("too_large", "too_large", b"x" * 300000))
good = gzip.compress(open(f"{w}/docs/bad/good-gz", "rb").read(), mtime=0)
with open(f"{w}/bad.bin", "wb") as f, open(f"{w}/bad.list", "w") as l:
    for name, code, data in cases + [("good-gz", "ok", good)]:
        assert KEY_END not in data and MSG_END not in data, name
        f.write(name.encode() + KEY_END + data + MSG_END)
        if code != "ok":
            l.write(f"{name}\t{code}\t{len(data)}\n")
PY
}

# expect_docs DIR: adds the paragraph count of every document in DIR, by
# `rakiza segment` (the unit rakiza run classifies), to what the output
# must hold ($W/expected.tsv: id, count).
expect_docs() {
    (cd "$1" && "$RAKIZA" segment -- * /dev/null) | python3 -c '
import collections, json, sys
n = collections.Counter(json.loads(l)["file"] for l in sys.stdin)
for f, c in sorted(n.items()):
    print(f"{f}\t{c}")' >>"$W/expected.tsv"
}

# feed_wave NAME: writes the wave to the input topic (returns when acked)
# and expects its documents.
feed_wave() {
    kcat -b "$BROKER" "${KCAT_P[@]}" -P -t "$IN" -K $'\t' -l "$W/$1.tsv"
    expect_docs "$W/docs/$1"
}

# feed_bad: writes the bad inputs and the gzip document, keyed by name,
# in one kcat call (multi-byte delimiters: the payloads hold any byte),
# and expects them in the DLQ and the output.
feed_bad() {
    kcat -b "$BROKER" "${KCAT_P[@]}" -P -t "$IN" -D $'\x1e\x1f\x1e' -K $'\x1d\x1c' \
        -l "$W/bad.bin"
    cat "$W/bad.list" >>"$W/bad.tsv"
    expect_docs "$W/docs/bad"
}

# ---- rakiza run ------------------------------------------------------------

# run_start NAME ARGS...: starts `rakiza run` in the current mode with
# small rounds (more commits and transactions for faults to hit); its log
# is $W/NAME.log.
run_start() {
    local name=$1; shift
    "$RAKIZA" run -b "$BROKER" -i "$IN" -o "$OUT" --dlq "$DLQ" -g "$GROUP" \
        -X rakiza.max.message.bytes=200000 -X rakiza.batch.size=10 \
        "${GROUP_OPTS[@]}" "${RUN_ARGS[@]}" "$@" 2>>"$W/$name.log" &
    RUN_PID[$name]=$!
    TEST_PIDS+=($!)
}

# run_stop NAME: SIGTERM and its exit status (0: drained and committed).
run_stop() {
    local pid=${RUN_PID[$1]} status=0
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || status=$?
    unset "RUN_PID[$1]"
    [ "$status" -eq 0 ] || { echo "rakiza run ($1) exited $status:" >&2; tail -n 20 "$W/$1.log" >&2; }
    return "$status"
}

# run_wait NAME: waits for it to exit by itself; its exit status.
run_wait() {
    local status=0
    wait "${RUN_PID[$1]}" || status=$?
    unset "RUN_PID[$1]"
    return "$status"
}

run_kill9() {
    kill -KILL "${RUN_PID[$1]}"
    wait "${RUN_PID[$1]}" 2>/dev/null || true
    unset "RUN_PID[$1]"
}

run_alive() { kill -0 "${RUN_PID[$1]}" 2>/dev/null; }

# assigned NAME: the process has been given partitions at least once.
assigned() { grep -q 'assigned [1-9][0-9]* partition' "$W/$1.log"; }

# ---- output ----------------------------------------------------------------

# dump_topics: the output and dead-letter topics, whole, into $W/out.tsv and
# $W/dlq.tsv. (kcat -e waits for every partition's leader, so not while one
# is down: hence the time limit.)
dump_topics() {
    timeout 30 kcat -b "$BROKER" -C -t "$OUT" -e -q -f '%k\t%p\t%o\t%s\n' >"$W/out.tsv" &&
        timeout 30 kcat -b "$BROKER" -C -t "$DLQ" -e -q -f '%k\t%S\t%h\n' >"$W/dlq.tsv"
}

# reconcile alo|eos [--complete|--whole]: see tests/faults/reconcile.py.
reconcile() {
    python3 "$FAULTS_DIR/reconcile.py" --mode "$1" "${@:2}" \
        --expected "$W/expected.tsv" --bad "$W/bad.tsv" \
        --out "$W/out.tsv" --dlq "$W/dlq.tsv"
}

# present: how many expected records (paragraphs, summaries, dead letters)
# are in the topics now, each counted once.
present() {
    dump_topics
    reconcile alo --complete | sed -n 's|^reconcile: \([0-9]*\)/.*|\1|p'
}

at_least() { [ "$(present)" -ge "$1" ]; }
output_complete() { dump_topics && reconcile alo --complete >/dev/null; }
output_incomplete() { ! output_complete; }
# wait_complete: until everything expected has arrived at least once.
wait_complete() { wait_for "$FAULT_WAIT" output_complete; }

# final_check DESCRIPTION [reconcile options]: dumps the topics and
# reconciles them in the current mode (at-least-once or exactly-once).
final_check() {
    dump_topics
    check "$1" reconcile_or_show "${@:2}"
}
reconcile_or_show() { reconcile "$MODE" "$@" || { show_logs; return 1; }; }

# show_logs: what the current mode's rakiza processes said, minus the
# connection noise of the outages, for the reader of a failure.
show_logs() {
    local f
    for f in "$W"/*.log; do
        echo "---- $f" >&2
        grep -v 'Connect to\|Disconnected\|brokers are down\|CONFWARN' "$f" | tail -n 40 >&2
    done
}

# FAULT_KEEP=DIR keeps the work files (logs, dumps) of a run in DIR, for
# looking into a failure.
if [ -n "${FAULT_KEEP:-}" ]; then
    trap 'rm -rf "$FAULT_KEEP"; cp -r "$TEST_TMP" "$FAULT_KEEP"; test_cleanup' EXIT
fi
