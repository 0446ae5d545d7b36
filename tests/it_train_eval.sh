#!/usr/bin/env bash
# ctest-timeout: 600
# rakiza train / eval / model as a user runs them, on a third of the real
# labelled data (small settings keep it fast): deterministic bundles, the
# contract's eval JSON, metadata, and damaged bundles refused by name.
source "$(dirname "$0")/lib.sh"

awk 'NR % 3 == 0' models/data/hand.jsonl >"$TEST_TMP/train.jsonl"
awk 'NR % 3 == 1' models/data/hand.jsonl >"$TEST_TMP/test.jsonl"
train() {
    SOURCE_DATE_EPOCH=1700000000 "$RAKIZA" train --data "$TEST_TMP/train.jsonl" \
        --out "$1" --folds 3 --seed 7 -V hash_bits=14 -V char_ngrams=off 2>"$TEST_TMP/train.err"
}
check "train writes a bundle" train "$TEST_TMP/a.rkz"
check "train reports cross-validated macro-F1 on stderr" grep -q "3-fold CV macro-F1 0\.[0-9]" "$TEST_TMP/train.err"
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

"$RAKIZA" model export --libsvm "$TEST_TMP/a.svm" "$TEST_TMP/a.rkz"
check "export writes libsvm's own text format" grep -q "^svm_type c_svc" "$TEST_TMP/a.svm"
"$RAKIZA" features --model "$TEST_TMP/a.rkz" "$RAKIZA_SEEDS"/004_*.txt >"$TEST_TMP/feat.txt"
check_eq "features: one line per paragraph of seed 004" \
    "$("$RAKIZA" segment "$RAKIZA_SEEDS"/004_*.txt | wc -l)" "$(wc -l <"$TEST_TMP/feat.txt")"
check "libsvm's svm-predict loads the export and scores rakiza's features" \
    svm-predict -q -b 1 "$TEST_TMP/feat.txt" "$TEST_TMP/a.svm" "$TEST_TMP/pred.txt"

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
