#!/usr/bin/env bash
# rakiza config lists every setting from the settings tables; the README's
# tables are its --markdown output (else the documentation has drifted from
# what the setters accept), and the setters take what it lists.
. "$(dirname "$0")/lib.sh"

"$RAKIZA" config --markdown >"$TEST_TMP/config.md"
sed -n '/<!-- rakiza config --markdown: begin -->/,/<!-- rakiza config --markdown: end -->/p' \
    "$RAKIZA_SOURCE/README.md" | sed '1d;$d' >"$TEST_TMP/readme.md"
check "README's settings tables equal 'rakiza config --markdown' (regenerate them)" \
    diff -u "$TEST_TMP/readme.md" "$TEST_TMP/config.md"

"$RAKIZA" config >"$TEST_TMP/config.txt"
for key in hash_bits char_ngrams norm.ta_marbuta train.folds train.kernel \
    rakiza.batch.size rakiza.dlq.max.bytes group.id; do
    check "rakiza config lists $key" grep -q "^$key " "$TEST_TMP/config.txt"
done
check_eq "rakiza config takes no argument" 2 "$(status_of "$RAKIZA" config extra)"

# Every vectoriser default is a value the setter accepts back: train with
# each key set to its listed default on a tiny data set reaches training.
data=$TEST_TMP/tiny.tsv
for i in 1 2 3 4 5 6; do
    printf 'prevention\tcriminalise the financing of terrorism %s\n' "$i"
    printf 'human_rights\tfair trial and due process for suspects %s\n' "$i"
done >"$data"
args=()
while IFS='|' read -r _ key _ def _; do
    key=$(echo "$key" | tr -d ' `'); def=$(echo "$def" | tr -d ' `')
    args+=(-V "$key=$def")
done < <(sed -n '/^Vectoriser/,/^$/p' "$TEST_TMP/config.md" | grep '^| `')
check_eq "train accepts every vectoriser default as listed" 0 \
    "$(status_of "$RAKIZA" train --data "$data" --out "$TEST_TMP/m.rkz" --folds 2 "${args[@]}")"
check_eq "a bad value for a training flag is a usage error" 2 \
    "$(status_of "$RAKIZA" train --data "$data" --out "$TEST_TMP/m.rkz" --folds 1)"
check "the message names the flag, the key and the allowed range" \
    grep -q -- "--folds: bad value '1' for 'train.folds' (allowed: 2..100)" "$TEST_TMP/err"
check_eq "an unknown rakiza.* key is a usage error" 2 \
    "$(status_of "$RAKIZA" run -b 127.0.0.1:1 -i a -o b --dlq none -X rakiza.colour=red)"
check "the message names the unknown key" grep -q "unknown setting 'rakiza.colour'" "$TEST_TMP/err"
test_done
