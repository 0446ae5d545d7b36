#!/usr/bin/env bash
# The JSON Schemas in docs/schema/ hold for what rakiza writes and reads:
# every record of `rakiza classify` (plain, --explain, --no-text) and of
# `rakiza run` on the embedded broker (records with `source`, keyed by the
# document id), and every labelled sample in models/data/*.jsonl; and they
# bite: records with a wrong type, an unknown field, a score over 1 or a
# missing required field are rejected. A failure names the first failing
# record and the validator's message.
source "$(dirname "$0")/lib.sh"

SCHEMAS=${RAKIZA_SOURCE:-$(pwd)}/docs/schema
# scripts/bootstrap installs python3-jsonschema for the system python; a
# python3 earlier on PATH may lack it.
PY=""
for p in python3 /usr/bin/python3; do
    if "$p" -c 'import jsonschema' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
    echo "FAIL: no python3 with the jsonschema module (scripts/bootstrap installs python3-jsonschema)" >&2
    exit 1
fi

# validate.py MODE FILE...
#   records:       each line is a paragraph or document record (by "type")
#   samples:       each line is a labelled sample
#   reject-records, reject-samples: each line, "CASE<TAB>JSON", must be refused
# Blank lines are skipped; a FILE without records fails (nothing checked).
cat >"$TEST_TMP/validate.py" <<'PY'
import json, os, sys
import jsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

schemas = os.environ["SCHEMAS"]
def load(name):
    with open(os.path.join(schemas, name)) as f:
        s = json.load(f)
    Draft202012Validator.check_schema(s)
    return Draft202012Validator(s)  # no format_checker: formats not asserted

mode, files = sys.argv[1], sys.argv[2:]
reject = mode.startswith("reject-")
if mode.endswith("records"):
    by_type = {"paragraph": load("paragraph.schema.json"),
               "document": load("document.schema.json")}
    def pick(r):
        t = r.get("type") if isinstance(r, dict) else None
        return by_type.get(t) or by_type["paragraph"]
else:
    v = load("labelled-sample.schema.json")
    def pick(r):
        return v

def short(line):
    return line if len(line) <= 300 else line[:300] + "..."

for path in files:
    n = 0
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            n += 1
            case = ""
            if reject:
                case, line = line.split("\t", 1)
                case = f" ({case})"
            try:
                rec = json.loads(line)
            except ValueError as e:
                print(f"{path}:{no}: not JSON ({e}): {short(line)}", file=sys.stderr)
                sys.exit(1)
            err = best_match(pick(rec).iter_errors(rec))
            if reject and err is None:
                print(f"{path}:{no}{case}: accepted, but the schema should refuse it: {short(line)}",
                      file=sys.stderr)
                sys.exit(1)
            if not reject and err is not None:
                where = "/".join(str(p) for p in err.absolute_path) or "(record)"
                print(f"{path}:{no}: invalid at {where}: {err.message}\n  record: {short(line)}",
                      file=sys.stderr)
                sys.exit(1)
    if n == 0:
        print(f"{path}: no records to check", file=sys.stderr)
        sys.exit(1)
PY
validate() { SCHEMAS="$SCHEMAS" "$PY" "$TEST_TMP/validate.py" "$@"; }

check "the three schemas are valid JSON Schema (draft 2020-12) with \$id, title, description" \
    "$PY" - "$SCHEMAS" <<'PY'
import json, sys
from jsonschema import Draft202012Validator
for name in ("paragraph", "document", "labelled-sample"):
    s = json.load(open(f"{sys.argv[1]}/{name}.schema.json"))
    Draft202012Validator.check_schema(s)
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema", name
    assert s.get("$id") and s.get("title") and s.get("description"), name
PY

# (a) rakiza classify on the four samples: plain, --explain 5, --no-text.
seeds=("$RAKIZA_SEEDS"/*.txt)
check_eq "four sample documents" 4 "${#seeds[@]}"
"$RAKIZA" classify "${seeds[@]}" >"$TEST_TMP/classify.jsonl"
"$RAKIZA" classify --explain 5 "${seeds[@]}" >"$TEST_TMP/classify_explain.jsonl"
"$RAKIZA" classify --no-text "${seeds[@]}" >"$TEST_TMP/classify_notext.jsonl"
check "classify: every record valid" validate records "$TEST_TMP/classify.jsonl"
check "classify --explain 5: every record valid" validate records "$TEST_TMP/classify_explain.jsonl"
check "classify --no-text: every record valid" validate records "$TEST_TMP/classify_notext.jsonl"
check "classify: the variants hold what they should (text, explanation, 4 documents, no source)" \
    "$PY" - "$TEST_TMP" <<'PY'
import json, sys
def recs(name):
    return [json.loads(l) for l in open(f"{sys.argv[1]}/{name}.jsonl")]
for name, text, expl in (("classify", True, False), ("classify_explain", True, True),
                         ("classify_notext", False, False)):
    rs = recs(name)
    paras = [r for r in rs if r["type"] == "paragraph"]
    assert sum(r["type"] == "document" for r in rs) == 4, name
    assert all(("text" in p) == text for p in paras), f"{name}: text"
    assert all(("explanation" in p) == expl for p in paras), f"{name}: explanation"
    assert all(len(p.get("explanation", [])) <= 5 for p in paras), name
    assert not any("source" in r for r in rs), f"{name}: source outside the stream"
assert any(p["explanation"] for p in recs("classify_explain") if p["type"] == "paragraph")
PY

# (b) rakiza run on the embedded broker: a JSON envelope with meta, raw
# text with a key, raw text without one, and gzip-compressed raw text.
start_broker --topics in:1,out:1,dlq:1
s004=$(ls "$RAKIZA_SEEDS"/004_*.txt) s000=$(ls "$RAKIZA_SEEDS"/000_*.txt)
"$PY" - "$s004" >"$TEST_TMP/envelope.json" <<'PY'
import json, sys
text = "\n\n".join(l.strip() for l in open(sys.argv[1], encoding="utf-8") if l.strip())
text = "\n\n".join(text.split("\n\n")[:12])
print(json.dumps({"id": "env-1", "text": text, "lang": "en",
                  "meta": {"origin": "it_schema", "n": 1}}, ensure_ascii=False))
PY
head -n 40 "$s000" >"$TEST_TMP/raw.txt"
head -n 20 "$s004" >"$TEST_TMP/raw_nokey.txt"
gzip -c "$s004" >"$TEST_TMP/doc.gz"
kcat -b "$BROKER" -P -t in -k env-1 "$TEST_TMP/envelope.json"
kcat -b "$BROKER" -P -t in -k raw-1 "$TEST_TMP/raw.txt"
kcat -b "$BROKER" -P -t in "$TEST_TMP/raw_nokey.txt"
kcat -b "$BROKER" -P -t in -k gz-1 "$TEST_TMP/doc.gz"

"$RAKIZA" run -b "$BROKER" -i in -o out -g schema --dlq dlq \
    -X session.timeout.ms=6000 -X heartbeat.interval.ms=1000 2>"$TEST_TMP/run.log" &
RUN_PID=$!
TEST_PIDS+=("$RUN_PID")
docs_out() { [ "$(kcat -b "$BROKER" -C -t out -e -q 2>/dev/null | grep -c '"type":"document"')" -ge 4 ]; }
check "run: the four documents' records arrive" wait_for 120 docs_out
kill -TERM "$RUN_PID"
check "run stops cleanly on SIGTERM" wait "$RUN_PID"
kcat -b "$BROKER" -C -t out -e -q -f '%k\t%s\n' >"$TEST_TMP/out.tsv"
cut -f2- "$TEST_TMP/out.tsv" >"$TEST_TMP/out.jsonl"
check "run: every record valid" validate records "$TEST_TMP/out.jsonl"
check "run: keyed by doc_id, every record has source, the four documents" \
    "$PY" - "$TEST_TMP/out.tsv" <<'PY'
import json, sys
ids = set()
for line in open(sys.argv[1], encoding="utf-8"):
    key, val = line.rstrip("\n").split("\t", 1)
    r = json.loads(val)
    assert r["doc_id"] == key, (key, r["doc_id"])
    assert r["source"]["topic"] == "in" and r["source"]["partition"] == 0, r["source"]
    ids.add(key)
assert ids == {"env-1", "raw-1", "in/0/2", "gz-1"}, ids
PY
check_eq "run: no dead letters" 0 "$(kcat -b "$BROKER" -C -t dlq -e -q 2>/dev/null | wc -l)"
[ "$TEST_FAILS" -eq 0 ] || tail -n 20 "$TEST_TMP/run.log" >&2

# (c) the labelled data.
for f in models/data/*.jsonl; do
    check "labelled samples: every line of $f valid" validate samples "$f"
done

# (d) the schemas bite: valid records, each changed in one way, are refused.
"$PY" - "$TEST_TMP" models/data/hand.jsonl <<'PY'
import json, sys
tmp = sys.argv[1]
rs = [json.loads(l) for l in open(f"{tmp}/classify_explain.jsonl")]
para = next(r for r in rs if r["type"] == "paragraph")
doc = next(r for r in rs if r["type"] == "document")
run = [json.loads(l) for l in open(f"{tmp}/out.jsonl")]
rpara = next(r for r in run if r["type"] == "paragraph")
sample = json.loads(open(sys.argv[2]).readline())
def changed(rec, f):
    r = json.loads(json.dumps(rec))
    f(r)
    return json.dumps(r, ensure_ascii=False)
first = lambda r: sorted(r["scores"])[0]
bad_records = [
    ("paragraph: string index", changed(para, lambda r: r.update(index=str(r["index"])))),
    ("paragraph: unknown field", changed(para, lambda r: r.update(confidence=0.9))),
    ("paragraph: score 1.5", changed(para, lambda r: r["scores"].update({first(r): 1.5}))),
    ("document: no count", changed(doc, lambda r: r.pop("count"))),
    ("paragraph: kind not in the enum", changed(para, lambda r: r.update(kind="sentence"))),
    ("paragraph: wrong type", changed(para, lambda r: r.update(type="para"))),
    ("paragraph: labels not an array", changed(para, lambda r: r.update(labels="none"))),
    ("paragraph: term without weight", changed(para, lambda r: r["explanation"][0].pop("weight"))),
    ("paragraph: no model", changed(para, lambda r: r.pop("model"))),
    ("paragraph: empty doc_id", changed(para, lambda r: r.update(doc_id=""))),
    ("paragraph: negative source offset", changed(rpara, lambda r: r["source"].update(offset=-1))),
    ("document: abstained not an integer", changed(doc, lambda r: r.update(abstained=1.5))),
]
bad_samples = [
    ("sample: no label", changed(sample, lambda r: r.pop("label"))),
    ("sample: null label", changed(sample, lambda r: r.update(label=None))),
    ("sample: string index", changed(sample, lambda r: r.update(index="3"))),
]
with open(f"{tmp}/good_records.jsonl", "w") as f:
    for r in (para, doc, rpara):
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
with open(f"{tmp}/good_samples.jsonl", "w") as f:
    f.write(json.dumps(sample, ensure_ascii=False) + "\n")
    f.write(changed(sample, lambda r: r.update(annotator="x", unknown={"kept": True}, predicted=None)) + "\n")
for name, lines in (("bad_records", bad_records), ("bad_samples", bad_samples)):
    with open(f"{tmp}/{name}.jsonl", "w") as f:
        f.writelines(f"{case}\t{l}\n" for case, l in lines)
PY
check "negative: the unchanged base records are valid" validate records "$TEST_TMP/good_records.jsonl"
check "negative: base sample, and one with extra fields, valid" validate samples "$TEST_TMP/good_samples.jsonl"
check "negative: string index, unknown field, score 1.5, document without count, ... all refused" \
    validate reject-records "$TEST_TMP/bad_records.jsonl"
check "negative: a labelled sample without label (or with a null label, a string index) refused" \
    validate reject-samples "$TEST_TMP/bad_samples.jsonl"
test_done
