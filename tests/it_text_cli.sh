#!/usr/bin/env bash
# rakiza segment and rakiza normalize as a user runs them: JSON Lines whose
# offsets point into the input, the contract's exit statuses, and errors
# that name the offset. Otherwise scripts built on these commands break.
source "$(dirname "$0")/lib.sh"

seed=$(ls "$RAKIZA_SEEDS"/002_*.txt)
"$RAKIZA" segment "$seed" >"$TEST_TMP/seg.jsonl"
check "segment output is JSON Lines with the contract's fields, offsets into the input" \
    python3 - "$seed" "$TEST_TMP/seg.jsonl" <<'PY'
import json, sys
doc = open(sys.argv[1], 'rb').read()
n = 0
for i, line in enumerate(open(sys.argv[2], encoding='utf-8')):
    o = json.loads(line)
    assert set(o) >= {"index", "start", "end", "kind", "lang", "text"}, o
    assert o["index"] == i and o["kind"] in ("paragraph", "heading", "list_item", "footnote")
    piece = doc[o["start"]:o["end"]].decode()
    assert " ".join(piece.split()) == " ".join(o["text"].split()), (i, o["text"][:40])
    n += 1
assert n > 300, n
PY
check "stdin is one document" cmp -s "$TEST_TMP/seg.jsonl" <("$RAKIZA" segment - <"$seed")

printf 'ok\n\xff bad\n' >"$TEST_TMP/bad.txt"
status=0; "$RAKIZA" segment "$TEST_TMP/bad.txt" >/dev/null 2>"$TEST_TMP/err" || status=$?
check_eq "invalid UTF-8 is a data error (exit 1)" 1 "$status"
check "the message names the file and byte offset" grep -q "bad.txt: invalid UTF-8 at byte offset 3" "$TEST_TMP/err"
status=0; "$RAKIZA" segment --bogus >/dev/null 2>&1 || status=$?
check_eq "an unknown option is a usage error (exit 2)" 2 "$status"

check_eq "normalize: diacritics, alef, ta marbuta, digits, case" \
    "الامم المتحده 2016 the un" \
    "$(printf 'الأُمَمِ المُتَّحِدَة ٢٠١٦  The UN\n' | "$RAKIZA" normalize)"
"$RAKIZA" normalize "$seed" >"$TEST_TMP/n1"
"$RAKIZA" normalize "$TEST_TMP/n1" >"$TEST_TMP/n2"
check "normalize is idempotent on a whole seed" cmp -s "$TEST_TMP/n1" "$TEST_TMP/n2"
check_eq "one output line per input line" "$(awk 'END { print NR }' "$seed")" "$(wc -l <"$TEST_TMP/n1")"
status=0; "$RAKIZA" normalize "$TEST_TMP/bad.txt" >/dev/null 2>"$TEST_TMP/err" || status=$?
check_eq "normalize refuses invalid UTF-8 (exit 1)" 1 "$status"
check "and names the offset" grep -q "byte offset" "$TEST_TMP/err"
check_eq "--replace-invalid replaces instead" "ok|� bad" \
    "$("$RAKIZA" normalize --replace-invalid "$TEST_TMP/bad.txt" | paste -sd'|')"
test_done
