#!/usr/bin/env bash
# ctest-timeout: 600
# rakiza classify on real seed documents with the shipped default model:
# the contract's records, in order, accounted for, with explanations; and
# libsvm's own svm-predict agreeing label for label on rakiza's features.
source "$(dirname "$0")/lib.sh"

seed=$(ls "$RAKIZA_SEEDS"/004_*.txt)
"$RAKIZA" classify --explain 3 "$seed" >"$TEST_TMP/out.jsonl"
"$RAKIZA" segment "$seed" >"$TEST_TMP/seg.jsonl"
check "one paragraph record per segment, in order, then one document summary" \
    python3 - "$TEST_TMP/out.jsonl" "$TEST_TMP/seg.jsonl" <<'PY'
import json, math, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
segs = [json.loads(l) for l in open(sys.argv[2])]
paras, doc = recs[:-1], recs[-1]
assert len(paras) == len(segs) and doc["type"] == "document"
model_labels = set(paras[0]["scores"])
counts = {}
for i, (p, s) in enumerate(zip(paras, segs)):
    assert p["type"] == "paragraph" and p["index"] == i and p["count"] == len(segs)
    assert (p["start"], p["end"], p["kind"], p["lang"], p["text"]) == (s["start"], s["end"], s["kind"], s["lang"], s["text"])
    assert abs(sum(p["scores"].values()) - 1) < 1e-6, "scores sum to 1"
    top = max(p["scores"], key=p["scores"].get)
    assert p["label"] in (top, None)
    assert all(p["scores"][l] >= 0 for l in p["labels"])
    if p["label"] is not None:
        assert p["label"] in p["labels"]
        counts[p["label"]] = counts.get(p["label"], 0) + 1
        assert 1 <= len(p["explanation"]) <= 3 and all(e["weight"] > 0 and e["term"] for e in p["explanation"])
    assert set(p["model"]) == {"id", "created"} and "source" not in p
assert doc["count"] == len(segs) and sum(doc["label_counts"].values()) + doc["abstained"] == len(segs)
assert all(doc["label_counts"][l] == c for l, c in counts.items())
assert set(doc["labels"]) == set(counts)
PY
check "an operative paragraph on terrorist financing is prevention" \
    python3 -c "
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r['type'] == 'paragraph' and r['text'].startswith('٣ - يهيب بالدول أن تتبادل'):
        sys.exit(0 if r['label'] == 'prevention' else 1)
sys.exit(1)" "$TEST_TMP/out.jsonl"

# svm-predict on the exported model and rakiza's own features.
"$RAKIZA" model export --libsvm "$TEST_TMP/m.svm" "$RAKIZA_SOURCE/models/default.rkz"
"$RAKIZA" features "$seed" >"$TEST_TMP/feat.txt"
svm-predict -q -b 1 "$TEST_TMP/feat.txt" "$TEST_TMP/m.svm" "$TEST_TMP/pred.txt"
check "svm-predict gives rakiza's top label for every paragraph" \
    python3 - "$TEST_TMP/pred.txt" "$TEST_TMP/out.jsonl" "$TEST_TMP/m.svm" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().split("\n")  # "labels ...", then "pred p..." per line
recs = [json.loads(l) for l in open(sys.argv[2])][:-1]
names = sorted(recs[0]["scores"])  # libsvm label i is the i-th label, sorted
preds = [int(float(x.split()[0])) for x in lines[1:] if x]
assert len(preds) == len(recs), (len(preds), len(recs))
for p, r in zip(preds, recs):
    top = max(r["scores"], key=r["scores"].get)
    assert names[p] == top, (names[p], top, r["index"])
PY

"$RAKIZA" classify --format table "$seed" >"$TEST_TMP/table.txt"
check "table output: a header, a row per paragraph, the summary" \
    grep -q "^$seed: $(wc -l <"$TEST_TMP/seg.jsonl") paragraphs;" "$TEST_TMP/table.txt"
check_eq "stdin is one document" "$(($(wc -l <"$TEST_TMP/seg.jsonl") + 1))" \
    "$("$RAKIZA" classify - <"$seed" | wc -l)"
printf 'ok\n\xc3\x28\n' >"$TEST_TMP/bad.txt"
status=0; "$RAKIZA" classify "$TEST_TMP/bad.txt" >/dev/null 2>"$TEST_TMP/err" || status=$?
check_eq "invalid UTF-8 is a data error" 1 "$status"
check "naming file, code and offset" grep -q "bad.txt: bad_utf8: payload: invalid UTF-8 at byte 3" "$TEST_TMP/err"
test_done
