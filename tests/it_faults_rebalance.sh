#!/usr/bin/env bash
# ctest-timeout: 600
# Fault injection: rebalances mid-stream. A second `rakiza run` joins the
# group while the first is working, so partitions are taken from it (its
# round is closed on revocation); then the first leaves with SIGTERM while
# it still has input, so the second takes every partition. Both exit 0.
# Every paragraph, summary and bad input is reconciled with the input: at
# least once in both modes, and at-least-once repeats only whole documents
# (a revoked process delivers and commits what is ready and drops the rest;
# a commit the group refuses during the rebalance makes the next owner read
# those documents again; under --exactly-once the mock cluster stores no
# transactional offsets, so the next owner starts over: see
# docs/RELIABILITY.md).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults/lib_faults.sh"

start_fault_broker alo eos
for mode in alo eos; do
    fault_mode "$mode"
    for w in w1 w2 w3 w4; do make_wave "$w" 30; done
    run_start r1
    feed_wave w1
    check "$MODE: the stream flows before the join" wait_for 120 at_least 60

    # Join: r2 enters the group while input flows.
    run_start r2
    feed_wave w2; feed_bad
    check "$MODE: the joining process gets partitions" wait_for 120 assigned r2
    check "$MODE: the first process gave partitions up" grep -q 'revoking' "$W/r1.log"
    feed_wave w3
    check "$MODE: all output after the join" wait_complete

    # Leave: r1 stops while it still has input to read.
    feed_wave w4
    check "$MODE: the leaving process drains, commits and exits 0" run_stop r1
    check "$MODE: the remaining process takes every partition" \
        wait_for 120 grep -q 'assigned 4 partition' "$W/r2.log"
    check "$MODE: all output after the leave" wait_complete
    check "$MODE: the remaining process stops cleanly" run_stop r2
    # At-least-once: a revoked process delivers and commits what is ready
    # and drops the rest, so a repeat is a whole document. (Under
    # --exactly-once the mock cluster shows aborted transactions' records,
    # which can be part of a document.)
    whole=()
    [ "$MODE" = alo ] && whole=(--whole)
    MODE=alo final_check "$MODE: every paragraph, summary and bad input at least once${whole:+, repeats only whole documents}" "${whole[@]}"
done
test_done
