#!/usr/bin/env bash
# The embedded broker must behave as a real Kafka cluster for a real client
# (kcat): otherwise the demo and every streaming test prove nothing.
source "$(dirname "$0")/lib.sh"

start_broker --topics docs:3,out
check "broker prints its bootstrap address first on stdout" \
    grep -Eq '^127\.0\.0\.1:[0-9]+' "$TEST_TMP/broker.out"
check_eq "stdout line and --bootstrap-file agree" "$(head -n1 "$TEST_TMP/broker.out")" "$BROKER"

# Round trip: keyed Arabic and English lines from a seed, in, then out again.
awk 'NF && ++n <= 40' "$RAKIZA_SEEDS"/004_*.txt |
    awk '{ printf "doc%d\t%s\n", NR % 5, $0 }' >"$TEST_TMP/sent.tsv"
kcat -b "$BROKER" -P -t docs -K $'\t' -z snappy -l "$TEST_TMP/sent.tsv"
kcat -b "$BROKER" -C -t docs -e -q -f '%k\t%s\n' >"$TEST_TMP/got.tsv"
check_eq "every produced message comes back (count)" 40 "$(wc -l <"$TEST_TMP/got.tsv")"
check "the same messages come back byte for byte" \
    cmp -s <(sort "$TEST_TMP/sent.tsv") <(sort "$TEST_TMP/got.tsv")
# Same key, same partition: per-key order must hold.
for k in doc0 doc3; do
    check "order kept within key $k" cmp -s \
        <(grep "^$k	" "$TEST_TMP/sent.tsv") <(grep "^$k	" "$TEST_TMP/got.tsv")
done
check_eq "topic docs has the 3 partitions asked for" 3 \
    "$(kcat -b "$BROKER" -L -t docs | grep -c 'partition [0-9]')"

# Consumer group: consume, commit, stop; resume sees only what is new.
group="it-$RANDOM"
consume_group() {
    kcat -b "$BROKER" -G "$group" -e -q -f '%s\n' \
        -X enable.auto.commit=true -X auto.commit.interval.ms=100 \
        -X topic.auto.offset.reset=earliest \
        -X session.timeout.ms=6000 -X heartbeat.interval.ms=1000 docs 2>/dev/null
}
consume_group >"$TEST_TMP/first.txt"
check_eq "group member reads all 40 messages" 40 "$(wc -l <"$TEST_TMP/first.txt")"
printf 'after-%d\n' 1 2 3 4 5 6 | kcat -b "$BROKER" -P -t docs
consume_group >"$TEST_TMP/second.txt"
check_eq "resumed group member reads only the 6 new messages" 6 "$(wc -l <"$TEST_TMP/second.txt")"
check "resumed messages are the new ones" grep -q '^after-6$' "$TEST_TMP/second.txt"

# Clean shutdown on SIGTERM with exit status 0.
kill -TERM "$BROKER_PID"
status=0
wait "$BROKER_PID" || status=$?
check_eq "broker exits 0 on SIGTERM" 0 "$status"
TEST_PIDS=()
test_done
