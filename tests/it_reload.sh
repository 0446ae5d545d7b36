#!/usr/bin/env bash
# ctest-timeout: 600
# Hot model reload in `rakiza run`: SIGHUP swaps the model between rounds
# while documents keep flowing (none lost, none split between two models,
# the old id before the new), a damaged bundle is refused and the old model
# keeps serving, and --watch picks up a replaced bundle file without a
# signal.
source "$(dirname "$0")/lib.sh"

start_broker --topics in:1,out:1,dlq:1,in2:1,out2:1
GROUP_OPTS=(-X session.timeout.ms=6000 -X heartbeat.interval.ms=1000)

# A second model, different from the shipped one: trained on four samples
# a label (a tiny, poor model; all this test needs is another valid id).
python3 - "$(dirname "$0")/../models/data/hand.jsonl" "$TEST_TMP/tiny.jsonl" <<'PY'
import json, sys
by = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    by.setdefault(r["label"], []).append(r)
with open(sys.argv[2], "w") as f:
    for label, rows in by.items():
        for r in rows[:4]:
            f.write(json.dumps({"text": r["text"], "label": label}, ensure_ascii=False) + "\n")
PY
"$RAKIZA" train --data "$TEST_TMP/tiny.jsonl" --out "$TEST_TMP/second.rkz" --folds 2 \
    -V hash_bits=12 2>/dev/null
default_id=$("$RAKIZA" model info "$(dirname "$0")/../models/default.rkz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
second_id=$("$RAKIZA" model info "$TEST_TMP/second.rkz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
check "two different model ids" test "$default_id" != "$second_id"

for f in "$RAKIZA_SEEDS"/*.txt; do "$RAKIZA" segment "$f"; done >"$TEST_TMP/paras.jsonl"
# produce_docs TOPIC PREFIX COUNT: documents of three seed paragraphs each.
produce_docs() {
    python3 - "$TEST_TMP/paras.jsonl" "$2" "$3" <<'PY' | kcat -b "$BROKER" -P -t "$1" -K $'\t' -l /dev/stdin
import json, sys
paras = [json.loads(l)["text"] for l in open(sys.argv[1])]
prefix, count = sys.argv[2], int(sys.argv[3])
for d in range(count):
    text = "\n\n".join(paras[(3 * d) % (len(paras) - 3):][:3])
    print(f"{prefix}-{d}\t" + json.dumps({"id": f"{prefix}-{d}", "text": text}, ensure_ascii=False))
PY
}
summaries() { kcat -b "$BROKER" -C -t "$1" -e -q 2>/dev/null | grep -c '"type":"document"' || true; }

cp "$(dirname "$0")/../models/default.rkz" "$TEST_TMP/model.rkz"
"$RAKIZA" run -b "$BROKER" -i in -o out --dlq dlq -g g1 --model "$TEST_TMP/model.rkz" \
    -X rakiza.batch.size=5 "${GROUP_OPTS[@]}" 2>"$TEST_TMP/run1.log" &
run1=$!; TEST_PIDS+=($run1)

produce_docs in a 40
check "first documents classified" wait_for 120 bash -c "[ \$(kcat -b $BROKER -C -t out -e -q 2>/dev/null | grep -c '\"type\":\"document\"') -ge 10 ]"
# Swap while documents are still arriving.
cp "$TEST_TMP/second.rkz" "$TEST_TMP/model.rkz.new" && mv "$TEST_TMP/model.rkz.new" "$TEST_TMP/model.rkz"
kill -HUP $run1
produce_docs in b 40
check "all 80 documents come out" wait_for 120 bash -c "[ \$(kcat -b $BROKER -C -t out -e -q 2>/dev/null | grep -c '\"type\":\"document\"') -ge 80 ]"

# A damaged bundle: refused, the second model keeps serving.
head -c 3000 "$TEST_TMP/second.rkz" >"$TEST_TMP/model.rkz.new" && mv "$TEST_TMP/model.rkz.new" "$TEST_TMP/model.rkz"
kill -HUP $run1
produce_docs in c 10
check "documents after a refused reload still come out" wait_for 120 bash -c "[ \$(kcat -b $BROKER -C -t out -e -q 2>/dev/null | grep -c '\"type\":\"document\"') -ge 90 ]"
sleep 1
kcat -b "$BROKER" -C -t out -e -q >"$TEST_TMP/out.jsonl"
check "no document lost or split between models; old id, then new; the refused bundle changed nothing" \
    python3 - "$TEST_TMP/out.jsonl" "$default_id" "$second_id" <<'PY'
import collections, json, sys
old, new = sys.argv[2], sys.argv[3]
recs = collections.defaultdict(list)
order = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["doc_id"] not in recs:
        order.append(r["doc_id"])
    recs[r["doc_id"]].append(r)
assert len(recs) == 90, len(recs)
ids = []
for d in order:
    rs = recs[d]
    models = {r["model"]["id"] for r in rs}
    assert len(models) == 1, (d, models)         # one model per document
    assert rs[-1]["type"] == "document" and rs[-1]["count"] == len(rs) - 1, d
    ids.append(models.pop())
switch = ids.index(new)
assert set(ids[:switch]) == {old} and set(ids[switch:]) == {new}, ids  # old, then new, never back
assert 10 <= switch <= 80, switch
assert all(i == new for d, i in zip(order, ids) if d.startswith(("b-", "c-")))
PY
check "the reload and the refusal are logged" bash -c "
    grep -q 'SIGHUP: model $second_id replaces $default_id' $TEST_TMP/run1.log &&
    grep -q 'SIGHUP: new model refused, still serving $second_id' $TEST_TMP/run1.log"
kill -TERM $run1
status=0; wait $run1 || status=$?
check_eq "run stops cleanly" 0 "$status"

# --watch: a replaced file is picked up without a signal.
cp "$(dirname "$0")/../models/default.rkz" "$TEST_TMP/watched.rkz"
"$RAKIZA" run -b "$BROKER" -i in2 -o out2 --dlq dlq -g g2 --model "$TEST_TMP/watched.rkz" --watch \
    "${GROUP_OPTS[@]}" 2>"$TEST_TMP/run2.log" &
run2=$!; TEST_PIDS+=($run2)
produce_docs in2 w 5
check "watch: first documents" wait_for 120 bash -c "[ \$(kcat -b $BROKER -C -t out2 -e -q 2>/dev/null | grep -c '\"type\":\"document\"') -ge 5 ]"
cp "$TEST_TMP/second.rkz" "$TEST_TMP/watched.rkz.new" && mv "$TEST_TMP/watched.rkz.new" "$TEST_TMP/watched.rkz"
check "watch: the change is noticed" wait_for 30 grep -q "model file changed" "$TEST_TMP/run2.log"
produce_docs in2 x 5
check "watch: later documents carry the new model id" wait_for 120 bash -c "
    [ \$(kcat -b $BROKER -C -t out2 -e -q 2>/dev/null | grep '\"type\":\"document\"' | grep -c '$second_id') -ge 5 ]"
kill -TERM $run2
status=0; wait $run2 || status=$?
check_eq "watching run stops cleanly" 0 "$status"
[ "$TEST_FAILS" -eq 0 ] || tail -n 20 "$TEST_TMP"/run*.log >&2
test_done
