#!/usr/bin/env bash
# ctest-timeout: 600
# rakiza train / eval / model as a user runs them, on a third of the real
# labelled data (small settings keep it fast): deterministic bundles, grouped
# and paragraph-level cross-validation in the metadata, the contract's eval
# JSON (with coverage and risk-coverage beside its fields), libsvm's own
# svm-predict reproducing rakiza's scores from the export (one model, or one
# per label for one-vs-rest), and damaged bundles refused by name.
source "$(dirname "$0")/lib.sh"

awk 'NR % 3 == 0' models/data/hand.jsonl >"$TEST_TMP/train.jsonl"
awk 'NR % 3 == 1' models/data/hand.jsonl >"$TEST_TMP/test.jsonl"
train() {
    SOURCE_DATE_EPOCH=1700000000 "$RAKIZA" train --data "$TEST_TMP/train.jsonl" \
        --out "$1" --folds 3 --seed 7 -V hash_bits=14 -V char_ngrams=off 2>"$TEST_TMP/train.err"
}
check "train writes a bundle" train "$TEST_TMP/a.rkz"
check "train reports grouped cross-validated macro-F1 on stderr" grep -q "grouped 3-fold CV macro-F1 0\.[0-9]" "$TEST_TMP/train.err"
check "... the paragraph-level figure beside it" grep -q "paragraph-level 3-fold CV macro-F1 0\.[0-9]" "$TEST_TMP/train.err"
check "... the threshold and what it abstains on" grep -q "threshold 0\.[0-9]*: abstains on [0-9.]*% in CV" "$TEST_TMP/train.err"
check "... and a risk-coverage table" grep -Eq "^ +70% +0\.[0-9]+ +0\.[0-9]+$" "$TEST_TMP/train.err"
check "... and says English sits in few groups (seed 002's is one document)" \
    grep -q "note: en sits in few groups" "$TEST_TMP/train.err"
train "$TEST_TMP/b.rkz"
check "same data, seed and time: byte-identical bundles" cmp -s "$TEST_TMP/a.rkz" "$TEST_TMP/b.rkz"

"$RAKIZA" model info "$TEST_TMP/a.rkz" >"$TEST_TMP/info.json"
check "model info: id, labels from the data, threshold, settings, CV scores" \
    python3 - "$TEST_TMP/info.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert len(m["id"]) == 16 and m["created"] == "2023-11-14T22:13:20Z", m["created"]
assert m["labels"] == sorted(["capacity", "conditions", "human_rights", "none", "prevention"]), m["labels"]
assert 0 <= m["threshold"] < 1 and m["vectorizer"]["hash_bits"] == "14"
assert 0 < m["cv"]["macro_f1"] <= 1 and m["cv"]["folds"] == 3 and "ar" in m["cv"]["per_lang"]
assert m["training"]["n"] > 150 and m["training"]["digest"].startswith("fnv1a64:")
cv, para = m["cv"], m["cv_paragraph"]
assert cv["kind"] == "grouped" and para["kind"] == "paragraph" and para["n"] == cv["n"]
assert cv["groups"]["n"] >= 10 and cv["groups"]["per_lang"]["en"]["largest"]["group"].startswith("002_")
assert [r["coverage"] for r in cv["risk_coverage"]] == [1.0, 0.95, 0.9, 0.8, 0.7]
assert 1 - cv["coverage"]["rate"] <= cv["max_abstain"] == 0.1
assert m["scheme"] in ("ovo", "ovr") and m["format"] == {"ovo": 1, "ovr": 2}[m["scheme"]]
PY

"$RAKIZA" eval --model "$TEST_TMP/a.rkz" --data "$TEST_TMP/test.jsonl" --json >"$TEST_TMP/eval.json"
check "eval --json has exactly the contract's fields, consistent counts" \
    python3 - "$TEST_TMP/eval.json" "$TEST_TMP/test.jsonl" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
n = sum(1 for _ in open(sys.argv[2]))
# the contract's fields, and coverage and risk-coverage beside them
assert set(r) == {"accuracy", "macro_f1", "per_class", "confusion", "per_lang", "n",
                  "coverage", "risk_coverage"}, set(r)
assert 0 < r["coverage"]["rate"] <= 1 and r["coverage"]["n"] <= n
assert [x["n"] for x in r["risk_coverage"]] == [round(c * n) for c in (1, 0.95, 0.9, 0.8, 0.7)]
assert r["risk_coverage"][0]["min_score"] <= r["risk_coverage"][-1]["min_score"]
assert r["n"] == n
assert sum(v["support"] for v in r["per_class"].values()) == n
assert sum(sum(row.values()) for row in r["confusion"].values()) == n
assert sum(v["n"] for v in r["per_lang"].values()) == n
assert 0.3 < r["macro_f1"] <= 1, r["macro_f1"]
PY
"$RAKIZA" eval --model "$TEST_TMP/a.rkz" --data "$TEST_TMP/test.jsonl" >"$TEST_TMP/eval.txt"
check "eval prints a readable table with the confusion matrix" \
    grep -q "^macro-F1 0\.[0-9]*   accuracy" "$TEST_TMP/eval.txt"

"$RAKIZA" features --model "$TEST_TMP/a.rkz" "$RAKIZA_SEEDS"/004_*.txt >"$TEST_TMP/feat.txt"
check_eq "features: one line per paragraph of seed 004" \
    "$("$RAKIZA" segment "$RAKIZA_SEEDS"/004_*.txt | wc -l)" "$(wc -l <"$TEST_TMP/feat.txt")"

# svm-predict -b 1 on the export reproduces rakiza's scores and labels:
# agree MODEL SCHEME compares, paragraph by paragraph of seed 004.
agree() {
    local model=$1 scheme=$2
    "$RAKIZA" classify --model "$model" --no-text "$RAKIZA_SEEDS"/004_*.txt >"$TEST_TMP/cls.jsonl"
    "$RAKIZA" features --model "$model" "$RAKIZA_SEEDS"/004_*.txt >"$TEST_TMP/f.txt"
    "$RAKIZA" model export --libsvm "$TEST_TMP/x.svm" "$model" >"$TEST_TMP/written"
    local labels
    labels=$(python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["labels"]))' \
        < <("$RAKIZA" model info "$model"))
    if [ "$scheme" = ovo ]; then
        svm-predict -q -b 1 "$TEST_TMP/f.txt" "$TEST_TMP/x.svm" "$TEST_TMP/p.ovo" || return 1
    else
        for l in $labels; do
            svm-predict -q -b 1 "$TEST_TMP/f.txt" "$TEST_TMP/x.svm.$l" "$TEST_TMP/p.$l" || return 1
        done
    fi
    python3 - "$TEST_TMP" "$scheme" $labels <<'PY'
import json, sys
tmp, scheme, labels = sys.argv[1], sys.argv[2], sys.argv[3:]
recs = [json.loads(l) for l in open(tmp + "/cls.jsonl")]
paras = [r for r in recs if r["type"] == "paragraph"]
def table(path):  # svm-predict -b 1 output: "labels L..." then "pred p..."
    lines = open(path).read().split("\n")
    head = [int(x) for x in lines[0].split()[1:]]
    return [dict(zip(head, map(float, l.split()[1:]))) for l in lines[1:] if l]
if scheme == "ovo":  # libsvm label i is rakiza's label i
    rows = [{labels[i]: p for i, p in t.items()} for t in table(tmp + "/p.ovo")]
else:  # p(label) from each label's model, then divided by their sum
    per = {l: [t[1] for t in table(tmp + "/p." + l)] for l in labels}
    rows = []
    for i in range(len(paras)):
        s = sum(per[l][i] for l in labels)
        rows.append({l: per[l][i] / s for l in labels})
assert len(rows) == len(paras), (len(rows), len(paras))
worst = max(abs(r[l] - p["scores"][l]) for r, p in zip(rows, paras) for l in labels)
# svm-predict prints 6 decimals
assert worst < 2e-6, worst
same = sum(max(r, key=r.get) == max(p["scores"], key=p["scores"].get) for r, p in zip(rows, paras))
assert same == len(paras), (same, len(paras))
PY
}
scheme=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["scheme"])' <"$TEST_TMP/info.json")
other=$([ "$scheme" = ovo ] && echo ovr || echo ovo)
check "svm-predict -b 1 on the $scheme export gives rakiza's scores and labels" agree "$TEST_TMP/a.rkz" "$scheme"
SOURCE_DATE_EPOCH=1700000000 "$RAKIZA" train --data "$TEST_TMP/train.jsonl" --out "$TEST_TMP/o.rkz" \
    --folds 3 --seed 7 -V hash_bits=14 -V char_ngrams=off --scheme "$other" 2>/dev/null
check "... and on the $other export (--scheme $other)" agree "$TEST_TMP/o.rkz" "$other"
ovr=$([ "$scheme" = ovr ] && echo "$TEST_TMP/a.rkz" || echo "$TEST_TMP/o.rkz")
"$RAKIZA" model export --libsvm "$TEST_TMP/r.svm" "$ovr" >"$TEST_TMP/written"
check_eq "a one-vs-rest export is a file per label and a README, listed on stdout" \
    "$(for l in capacity conditions human_rights none prevention; do echo "$TEST_TMP/r.svm.$l"; done; echo "$TEST_TMP/r.svm.README")" \
    "$(cat "$TEST_TMP/written")"
check "each a binary libsvm model with its sigmoid" grep -q "^probA " "$TEST_TMP/r.svm.capacity"
check "the README says how the scores are combined" grep -q "divided by the sum" "$TEST_TMP/r.svm.README"

# Damaged bundles: a clear message naming the file, exit 1, never a crash.
size=$(wc -c <"$TEST_TMP/a.rkz")
head -c $((size / 2)) "$TEST_TMP/a.rkz" >"$TEST_TMP/half.rkz"
status=0; "$RAKIZA" model info "$TEST_TMP/half.rkz" >/dev/null 2>"$TEST_TMP/err" || status=$?
check_eq "a truncated bundle is a data error" 1 "$status"
check "and the message names the file and the damage" grep -q "half.rkz: not a valid rakiza model bundle: truncated" "$TEST_TMP/err"
python3 -c "
import sys; b = bytearray(open(sys.argv[1], 'rb').read()); b[len(b) // 2] ^= 0x10
open(sys.argv[2], 'wb').write(b)" "$TEST_TMP/a.rkz" "$TEST_TMP/flip.rkz"
status=0; "$RAKIZA" eval --model "$TEST_TMP/flip.rkz" --data "$TEST_TMP/test.jsonl" >/dev/null 2>"$TEST_TMP/err" || status=$?
check_eq "a corrupted bundle is refused" 1 "$status"
check "as corrupted" grep -Eq "flip.rkz: .*(checksum|corrupted)" "$TEST_TMP/err"
status=0; "$RAKIZA" train --data "$TEST_TMP/train.jsonl" >/dev/null 2>&1 || status=$?
check_eq "train without --out is a usage error" 2 "$status"
test_done
