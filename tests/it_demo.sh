#!/usr/bin/env bash
# ctest-timeout: 600
# scripts/demo is one of the README's two commands: it must succeed (exit 0)
# and show what it promises — the per-document table, a few classified
# paragraphs, the dead letter, and the HTML report and records it writes.
. "$(dirname "$0")/lib.sh"
cd "$RAKIZA_SOURCE"

status=0
scripts/demo >"$TEST_TMP/out" 2>"$TEST_TMP/err" || status=$?
check_eq "scripts/demo exits 0" 0 "$status"
[ "$status" = 0 ] || { tail -20 "$TEST_TMP/out" "$TEST_TMP/err" >&2; }
for doc in samples/*.txt; do
    id=$(basename "$doc" .txt)
    check "the table has a row for $id" grep -q "^$id " "$TEST_TMP/out"
done
check "it shows classified paragraphs" grep -q "A few classified paragraphs" "$TEST_TMP/out"
check "the malformed message is in the dead-letter topic" \
    grep -q "key broken: rakiza.error=bad_json" "$TEST_TMP/out"
check "it says where the report is" grep -q "build/demo/report/index.html" "$TEST_TMP/out"
check "the report has one page per document" \
    test "$(find build/demo/report -name '*.html' ! -name index.html | wc -l)" -eq 4
want=$(for f in samples/*.txt; do "$RAKIZA" segment "$f"; done | wc -l)
check_eq "the records are every paragraph plus one summary per document" \
    "$((want + 4))" "$(wc -l <build/demo/records.jsonl)"
test_done
