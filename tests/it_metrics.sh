#!/usr/bin/env bash
# ctest-timeout: 600
# rakiza run --metrics-port, scraped while it works on the embedded broker:
# /healthz is 503 before the group assigns partitions (the broker frozen
# with SIGSTOP), 200 while consuming, 503 once the broker is gone; /metrics
# reconciles with what the test produced (messages, bytes, documents,
# paragraphs by `rakiza segment`, records and labels as read back from the
# output topic, dead letters by code), lag is seen and drains to 0, a
# SIGHUP reload is counted; under --exactly-once the written counts equal
# what read_committed sees; the log has one timestamped line per event, a
# throughput line, and no payload text above debug.
source "$(dirname "$0")/lib.sh"

start_broker --topics docs:4,out:4,dlq:1,idle:1,idleout:1
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT

# Documents: runs of six consecutive paragraphs of the seeds, as JSON
# envelopes keyed by id (as in it_run.sh).
for f in "$RAKIZA_SEEDS"/*.txt; do "$RAKIZA" segment "$f"; done >"$TEST_TMP/paras.jsonl"
NDOCS=200
python3 - "$TEST_TMP/paras.jsonl" "$NDOCS" "$TEST_TMP/docs.tsv" <<'PY'
import json, sys
paras = [json.loads(l)["text"] for l in open(sys.argv[1])]
with open(sys.argv[3], "w") as f:
    for d in range(int(sys.argv[2])):
        text = "\n\n".join(paras[(6 * d) % (len(paras) - 6):][:6])
        f.write(f"m-{d}\t{json.dumps({'id': f'm-{d}', 'text': text}, ensure_ascii=False)}\n")
PY
kcat -b "$BROKER" -P -t docs -K $'\t' -l "$TEST_TMP/docs.tsv"
# Bad input, a different number of each kind, so a miscount shows. The
# bad JSON quotes a marker right where the parser stops ("near '...'").
mkdir "$TEST_TMP/bad"
for i in 1 2 3; do printf '{"id": %d, "text": "t"}' "$i" >"$TEST_TMP/bad/bad_field.$i"; done
for i in 1 2; do printf '{"id": "j%d", "text": PAYLOADMARKER}' "$i" >"$TEST_TMP/bad/bad_json.$i"; done
printf 'bad \xff utf8' >"$TEST_TMP/bad/bad_utf8.1"
printf '  \n ' >"$TEST_TMP/bad/empty.1"
for f in "$TEST_TMP"/bad/*; do kcat -b "$BROKER" -P -t docs -k "$(basename "$f")" "$f"; done
NBAD=$(ls "$TEST_TMP/bad" | wc -l)
BYTES=$(python3 - "$TEST_TMP/docs.tsv" "$TEST_TMP/bad" <<'PY'
import os, sys
n = sum(len(l.rstrip("\n").split("\t", 1)[1].encode()) for l in open(sys.argv[1], encoding="utf-8"))
n += sum(os.path.getsize(os.path.join(sys.argv[2], f)) for f in os.listdir(sys.argv[2]))
print(n)
PY
)
PARAS=$(python3 - "$TEST_TMP/docs.tsv" <<'PY'
import json, os, subprocess, sys
total = 0
for line in open(sys.argv[1], encoding="utf-8"):
    doc = json.loads(line.split("\t", 1)[1])
    seg = subprocess.run([os.environ["RAKIZA"], "segment"], input=doc["text"].encode(),
                         capture_output=True, check=True)
    total += seg.stdout.count(b"\n")
print(total)
PY
)
WANT_RECORDS=$((PARAS + NDOCS))

http_code() { curl -s -o /dev/null -w '%{http_code}' "$URL$1" || true; }
healthz_is() { [ "$(http_code /healthz)" = "$1" ]; }
scrape() { curl -sf "$URL/metrics"; }
# metric 'name{labels}': its value in a fresh scrape (empty when absent).
metric() { scrape | awk -v k="$1" '$1 == k { print $2 }'; }

# The broker frozen: connections open, nothing answers, so the group
# cannot assign partitions.
kill -STOP "$BROKER_PID"
"$RAKIZA" run -b "$BROKER" -i docs -o out -g gm --dlq dlq --metrics-port "$PORT" \
    --threads 2 --log-level debug -X session.timeout.ms=6000 -X statistics.interval.ms=200 \
    -X rakiza.batch.size=5 -X rakiza.summary.interval.ms=1000 2>"$TEST_TMP/run.log" &
RUN_PID=$!; TEST_PIDS+=("$RUN_PID")
check "the metrics server answers while the broker is frozen" \
    wait_for 30 bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' $URL/metrics)\" = 200 ]"
sleep 2
check_eq "/healthz before any partition is assigned" 503 "$(http_code /healthz)"
check "/healthz says what it waits for" bash -c "curl -s $URL/healthz | grep -q 'unhealthy: waiting for a partition assignment'"
check_eq "nothing consumed yet" 0 "$(metric rakiza_messages_in_total)"
MODEL_ID=$("$RAKIZA" model info "$RAKIZA_SOURCE/models/default.rkz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
check_eq "the model in use is named" 1 "$(metric "rakiza_model_info{model=\"$MODEL_ID\"}")"
check "the model's load time is there" awk -v v="$(metric rakiza_model_load_seconds)" 'BEGIN { exit !(v > 0) }' 

kill -CONT "$BROKER_PID"
check "/healthz turns 200 once consuming" wait_for 60 healthz_is 200
check "every record arrives ($WANT_RECORDS)" \
    wait_for 300 bash -c "[ \$(kcat -b $BROKER -C -t out -e -q 2>/dev/null | wc -l) -ge $WANT_RECORDS ]"
check "the dead letters arrive ($NBAD)" \
    wait_for 60 bash -c "[ \$(kcat -b $BROKER -C -t dlq -e -q 2>/dev/null | wc -l) -ge $NBAD ]"
check "every assigned partition's lag drains to 0" wait_for 30 bash -c \
    "[ \"\$(curl -sf $URL/metrics | awk '/^rakiza_consumer_lag\\{/ { n++; s += \$2 } END { print n \" \" s }')\" = '4 0' ]"
scrape >"$TEST_TMP/metrics.txt"
kcat -b "$BROKER" -C -t out -e -q >"$TEST_TMP/out.jsonl"
kcat -b "$BROKER" -C -t dlq -e -q -f '%k\n' >"$TEST_TMP/dlq_keys"
check "metrics reconcile with what was produced and what the output topic holds" \
    python3 - "$TEST_TMP/metrics.txt" "$TEST_TMP/out.jsonl" "$TEST_TMP/dlq_keys" "$TEST_TMP/bad" \
        "$NDOCS" "$NBAD" "$BYTES" "$PARAS" <<'PY'
import collections, json, os, sys
metrics, out, dlq_keys, bad = sys.argv[1:5]
ndocs, nbad, nbytes, paras = map(int, sys.argv[5:9])
vals, types = {}, {}
for line in open(metrics):
    if line.startswith("# TYPE "):
        _, _, name, kind = line.split()
        types[name] = kind
    elif line.strip() and not line.startswith("#"):
        key, value = line.rsplit(" ", 1)
        vals[key] = float(value)
fails = []
def eq(what, want, got):
    if want != got:
        fails.append(f"{what}: want {want}, got {got}")
recs = [json.loads(l) for l in open(out, encoding="utf-8")]
para_recs = [r for r in recs if r["type"] == "paragraph"]
eq("messages in = every message produced", ndocs + nbad, vals["rakiza_messages_in_total"])
eq("bytes in = their payload bytes", nbytes, vals["rakiza_bytes_in_total"])
eq("documents = good messages", ndocs, vals["rakiza_documents_total"])
eq("paragraphs in = rakiza segment's count", paras, vals["rakiza_paragraphs_in_total"])
eq("paragraphs out = rakiza segment's count", paras, vals["rakiza_paragraphs_out_total"])
eq("paragraph records in the output topic", paras, len(para_recs))
eq("messages out = records in the output topic", len(recs), vals["rakiza_messages_out_total"])
labels = collections.Counter(r["label"] for r in para_recs)
for label, n in labels.items():
    key = "rakiza_paragraphs_abstained_total" if label is None else f'rakiza_paragraph_labels_total{{label="{label}"}}'
    eq(f"paragraphs labelled {label}", n, vals.get(key))
eq("label series = labels seen", len([l for l in labels if l]),
   len([k for k in vals if k.startswith("rakiza_paragraph_labels_total{")]))
codes = collections.Counter(f.split(".")[0] for f in os.listdir(bad))
for code, n in codes.items():
    eq(f"dead letters {code}", n, vals.get(f'rakiza_dlq_messages_total{{code="{code}"}}'))
eq("dead-letter series = codes produced", len(codes),
   len([k for k in vals if k.startswith("rakiza_dlq_messages_total{")]))
eq("dead letters in the DLQ topic", nbad, len(open(dlq_keys).read().split()))
eq("histogram count = documents classified", ndocs, vals["rakiza_classification_seconds_count"])
buckets = [v for k, v in vals.items() if k.startswith("rakiza_classification_seconds_bucket")]
eq("+Inf bucket = count", ndocs, buckets[-1])
eq("buckets are cumulative", sorted(buckets), buckets)
eq("partitions assigned", 4, vals["rakiza_assigned_partitions"])
eq("no delivery errors", 0, vals["rakiza_delivery_errors_total"])
eq("no reloads yet", 0, vals["rakiza_model_reloads_total"])
# Drift: the confidence histogram counts every paragraph; the window's
# shares are the labelled paragraphs' (all of them while under 1000); the
# training shares are the default model's label_counts.
eq("confidence histogram count = paragraphs", paras, vals["rakiza_top_label_confidence_count"])
top = [max(r["scores"].values()) for r in para_recs]
eq("confidence sum = the records' top scores", round(sum(top), 3),
   round(vals["rakiza_top_label_confidence_sum"], 3))
labelled = sum(n for l, n in labels.items() if l)
if labelled <= 1000:
    for label, n in labels.items():
        if label:
            eq(f"window share of {label}", round(n / labelled, 6),
               round(vals[f'rakiza_label_share{{label="{label}"}}'], 6))
info = json.loads(os.popen(os.environ["RAKIZA"] + " model info " + os.environ["RAKIZA_SOURCE"] +
                           "/models/default.rkz").read())
counts = info["training"]["label_counts"]
for label, n in counts.items():
    eq(f"training share of {label}", round(n / sum(counts.values()), 6),
       round(vals[f'rakiza_training_label_share{{label="{label}"}}'], 6))
if 100 <= labelled <= 1000:
    want = sum(abs(labels.get(l, 0) / labelled - counts.get(l, 0) / sum(counts.values()))
               for l in set(counts) | {l for l in labels if l}) / 2
    eq("drift = total variation distance", round(want, 6), round(vals["rakiza_label_share_drift"], 6))
for name, kind in [("rakiza_messages_in_total", "counter"), ("rakiza_consumer_lag", "gauge"),
                   ("rakiza_classification_seconds", "histogram"), ("rakiza_model_info", "gauge")]:
    eq(f"TYPE of {name}", kind, types.get(name))
if fails:
    print("\n".join(fails), file=sys.stderr)
    sys.exit(1)
PY

set +e; "$RAKIZA" run -b "$BROKER" -i docs -o out -g gm2 --dlq dlq --metrics-port "$PORT" 2>"$TEST_TMP/busy.log"; st=$?; set -e
check_eq "a metrics port in use: a runtime error" 1 "$st"
check "the error names the port" grep -q "port $PORT" "$TEST_TMP/busy.log"

# Lag: a backlog of heavy documents (seed 003 gzip'd, 430 KB of text each,
# a few seconds of classifying per round) keeps committed offsets behind the
# high watermark for seconds, while statistics come every 200 ms. A scraper
# started before they are produced must see the lag rise and fall to 0.
NHEAVY=30
python3 - "$URL/metrics" "$TEST_TMP/lag_seen" "$((NDOCS + NBAD + NHEAVY))" >"$TEST_TMP/lag_trace" <<'PY' &
import sys, time, urllib.request
url, out, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
most, last, start = 0, None, time.time()
while time.time() < start + 280:
    try:
        text = urllib.request.urlopen(url, timeout=5).read().decode()
    except OSError as e:
        print(f"{time.time() - start:.2f} scrape failed: {e}", flush=True)
        time.sleep(0.2)
        continue
    vals = {l.split()[0]: float(l.split()[1]) for l in text.splitlines() if l and l[0] != "#"}
    lags = {k: v for k, v in vals.items() if k.startswith("rakiza_consumer_lag{")}
    now = (vals.get("rakiza_messages_in_total"), sorted(lags.items()))
    if now != last:
        print(f"{time.time() - start:.2f} in={now[0]} lag={now[1]}", flush=True)
        last = now
    most = max(most, sum(lags.values()))
    if now[0] == total and len(lags) == 4 and sum(lags.values()) == 0 and most > 0:
        break
    time.sleep(0.02)
open(out, "w").write(f"{most:.0f}\n")
PY
WATCH_PID=$!; TEST_PIDS+=("$WATCH_PID")
gzip -c "$RAKIZA_SEEDS"/003_*.txt >"$TEST_TMP/heavy.gz"
for i in $(seq 1 $NHEAVY); do kcat -b "$BROKER" -P -t docs -k "h-$i" "$TEST_TMP/heavy.gz"; done
check "the heavy documents are consumed and every lag drains to 0" wait_for 300 bash -c \
    "[ \"\$(curl -sf $URL/metrics | awk '/^rakiza_consumer_lag\\{/ { n++; s += \$2 } /^rakiza_documents_total / { d = \$2 } END { print n \" \" s \" \" d }')\" = '4 0 $((NDOCS + NHEAVY))' ]"
wait "$WATCH_PID" || true
LAG_SEEN=$(cat "$TEST_TMP/lag_seen")
lag_plausible() { [ "$LAG_SEEN" -gt 0 ] && [ "$LAG_SEEN" -le "$NHEAVY" ]; }
lag_plausible || { echo "scrapes (seconds, messages in, lag per partition):"; cat "$TEST_TMP/lag_trace"; } >&2
check "lag was seen while the backlog drained, at most the $NHEAVY messages behind (saw $LAG_SEEN)" lag_plausible

kill -HUP "$RUN_PID"
check "SIGHUP: the reload is counted" wait_for 30 bash -c \
    "curl -sf $URL/metrics | grep -qx 'rakiza_model_reloads_total 1'"
check_eq "still healthy after the reload" 200 "$(http_code /healthz)"

# The broker gone: /healthz must say so.
kill -TERM "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null || true
check "/healthz turns 503 when no broker is reachable" wait_for 60 healthz_is 503
check "/healthz names the cause" bash -c "curl -s $URL/healthz | grep -q 'no broker reachable'"
check "/metrics still answers" bash -c "curl -sf $URL/metrics | grep -q '^rakiza_messages_in_total $((NDOCS + NBAD + NHEAVY))$'"
kill -TERM "$RUN_PID"
check "SIGTERM with the broker gone still exits" wait_for 60 bash -c "! kill -0 $RUN_PID 2>/dev/null"

LOG=$TEST_TMP/run.log
check "every log line is one timestamped event with a level" \
    bash -c "! grep -Evq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z (DEBUG|INFO|WARN|ERROR) ' $LOG"
check "a throughput line at info (messages/s, paragraphs/s, MB/s, dead letters, lag)" \
    grep -Eq ' INFO throughput [0-9.]+ msg/s, [0-9.]+ paragraphs/s, [0-9.]+ MB/s over [0-9.]+ s; [0-9]+ messages in, [0-9]+ paragraphs out, [0-9]+ dead letters, lag [0-9]+' "$LOG"
HEAVY_PARAS=$("$RAKIZA" segment "$RAKIZA_SEEDS"/003_*.txt | wc -l)
HEAVY_BYTES=$(wc -c <"$TEST_TMP/heavy.gz")
check "the final totals line counts everything" \
    grep -q "INFO totals after .*: $((NDOCS + NBAD + NHEAVY)) messages in ($((BYTES + NHEAVY * HEAVY_BYTES)) bytes), $((NDOCS + NHEAVY)) documents and $((PARAS + NHEAVY * HEAVY_PARAS)) paragraphs written in $((WANT_RECORDS + NHEAVY * (HEAVY_PARAS + 1))) records, $NBAD dead letters" "$LOG"
check "dead letters are logged at warn with their code" grep -q ' WARN dead letter docs \[[0-3]\] @[0-9]*: bad_json$' "$LOG"
check "above debug, no payload text (the bad JSON's marker, Arabic text)" \
    bash -c "! grep -v ' DEBUG ' $LOG | grep -Eq 'PAYLOADMARKER|وإذ|الإرهاب'"
check "at debug, the dead letter's full reason (so the check above can fail)" \
    bash -c "grep ' DEBUG ' $LOG | grep -q PAYLOADMARKER"

# Exactly-once: the written counts follow committed transactions, so they
# equal what a read_committed consumer sees; dead letters are counted with
# --dlq none too.
start_broker --topics eos:2,eosout:2,idle:1,idleout:1
head -n 20 "$TEST_TMP/docs.tsv" >"$TEST_TMP/eos.tsv"
kcat -b "$BROKER" -P -t eos -K $'\t' -l "$TEST_TMP/eos.tsv"
for f in bad_json.1 empty.1; do kcat -b "$BROKER" -P -t eos -k "$f" "$TEST_TMP/bad/$f"; done
EOS_PARAS=$(python3 - "$TEST_TMP/eos.tsv" <<'PY'
import json, os, subprocess, sys
print(sum(subprocess.run([os.environ["RAKIZA"], "segment"], input=json.loads(l.split("\t", 1)[1])["text"].encode(),
                         capture_output=True, check=True).stdout.count(b"\n") for l in open(sys.argv[1], encoding="utf-8")))
PY
)
"$RAKIZA" run -b "$BROKER" -i eos -o eosout -g ge --dlq none --exactly-once --metrics-port "$PORT" \
    -X session.timeout.ms=6000 -X statistics.interval.ms=200 2>"$TEST_TMP/eos.log" &
EOS_PID=$!; TEST_PIDS+=("$EOS_PID")
committed() { kcat -b "$BROKER" -C -t eosout -e -q -X isolation.level=read_committed 2>/dev/null | wc -l; }
check "exactly-once: the records are committed" wait_for 120 bash -c "[ \$(kcat -b $BROKER -C -t eosout -e -q -X isolation.level=read_committed 2>/dev/null | wc -l) -ge $((EOS_PARAS + 20)) ]"
check "exactly-once: the metrics have caught up" wait_for 30 bash -c "curl -sf $URL/metrics | grep -qx 'rakiza_messages_in_total 22'"
check_eq "exactly-once: records written = read_committed records" "$(committed)" "$(metric rakiza_messages_out_total)"
check_eq "exactly-once: paragraphs written" "$EOS_PARAS" "$(metric rakiza_paragraphs_out_total)"
check_eq "exactly-once: documents written" 20 "$(metric rakiza_documents_total)"
check_eq "--dlq none: bad_json still counted" 1 "$(metric 'rakiza_dlq_messages_total{code="bad_json"}')"
check_eq "--dlq none: empty still counted" 1 "$(metric 'rakiza_dlq_messages_total{code="empty"}')"
kill -TERM "$EOS_PID"
check "exactly-once run: clean exit" wait "$EOS_PID"

# --log-level warn: the info lines go.
"$RAKIZA" run -b "$BROKER" -i idle -o idleout --dlq none --log-level warn \
    -X rakiza.summary.interval.ms=200 2>"$TEST_TMP/warn.log" &
WARN_PID=$!; TEST_PIDS+=("$WARN_PID")
sleep 2; kill -TERM "$WARN_PID"
check "--log-level warn: clean exit" wait "$WARN_PID"
check "--log-level warn: no info lines" bash -c "! grep -q ' INFO ' $TEST_TMP/warn.log"
set +e; "$RAKIZA" run -b "$BROKER" -i idle -o idleout --dlq none --log-level loud 2>/dev/null; st=$?; set -e
check_eq "an unknown --log-level is a usage error" 2 "$st"
test_done
