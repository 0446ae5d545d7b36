#!/usr/bin/env bash
# Bundles already out there keep working: tests/data/models/ovo-default-a996a4d.rkz
# is the default model shipped before one-vs-rest training (a libsvm
# one-vs-one model with 626 support vectors and libsvm's own probability
# estimates), copied before it was retrained. Its records on the sample
# documents were written by the rakiza of that time (ovo-default-a996a4d.004.jsonl,
# and the digest of all four below); if this fails, a model someone
# trained and deployed classifies differently (or not at all) after an
# upgrade.
source "$(dirname "$0")/lib.sh"

fixture=tests/data/models/ovo-default-a996a4d
# sha256 of `classify --explain 3 --no-text` over samples/0*.txt, one
# document after the other, by the rakiza that trained the fixture.
all_digest=9244e116aeaa743be31a86e00c73a04dca6e0498b94c4c050b2648d838c178c5

"$RAKIZA" model info "$fixture.rkz" >"$TEST_TMP/info.json"
check "the old bundle loads and keeps its id" \
    grep -q '"id": "9a8cdcb11a41c322"' "$TEST_TMP/info.json"
"$RAKIZA" classify --model "$fixture.rkz" --explain 3 --no-text samples/004_*.txt >"$TEST_TMP/004.jsonl"
check "seed 004: the same records byte for byte (labels, scores, explanations)" \
    cmp -s "$fixture.004.jsonl" "$TEST_TMP/004.jsonl"
digest=$(for s in samples/0*.txt; do
    "$RAKIZA" classify --model "$fixture.rkz" --explain 3 --no-text "$s"
done | sha256sum | cut -d' ' -f1)
check_eq "all four seeds: the same records byte for byte" "$all_digest" "$digest"
"$RAKIZA" model export --libsvm "$TEST_TMP/old.svm" "$fixture.rkz" >"$TEST_TMP/written"
check "an old bundle still exports one libsvm model file" grep -q "^nr_class 5" "$TEST_TMP/old.svm"
check_eq "... and names it" "$TEST_TMP/old.svm" "$(cat "$TEST_TMP/written")"
test_done
