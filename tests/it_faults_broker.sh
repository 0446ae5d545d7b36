#!/usr/bin/env bash
# ctest-timeout: 600
# Fault injection: each broker of a 3-broker cluster goes down and comes
# back while `rakiza run` works (the output leader and transaction
# coordinator, then the group coordinator and DLQ leader, then the input
# leader), and afterwards the group and transaction coordinators and an
# output partition's leadership move. After it all, at-least-once: every
# paragraph, summary and bad input arrived; exactly-once: each exactly once
# (on the mock cluster this holds as no transaction needs aborting; see
# docs/RELIABILITY-faults.md). The process keeps running throughout and
# stops cleanly.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults/lib_faults.sh"

# Outages (3 s each) stay well inside the group session, so no rebalance
# is expected: a rebalance is it_faults_rebalance's subject.
GROUP_OPTS=(-X session.timeout.ms=15000 -X heartbeat.interval.ms=1000)
start_fault_broker alo eos
for mode in alo eos; do
    fault_mode "$mode"
    make_wave w1 40; make_wave w2 40; make_wave w3 40; make_wave w4 30
    [ "$MODE" = eos ] && RUN_ARGS+=(-X transactional.id="$TXID")
    run_start r1
    feed_wave w1
    check "$MODE: the stream flows before any fault" wait_for 120 at_least 100

    # Waves go in while a broker is down, so rakiza has work in flight
    # across each outage. (No output dumps meanwhile: kcat would wait.)
    fault down 2
    feed_wave w2; feed_bad
    sleep 3
    fault up 2
    fault down 3
    feed_wave w3
    sleep 3
    fault up 3
    fault down 1
    sleep 3
    fault up 1
    check "$MODE: the service survived the outages" run_alive r1

    fault coordinator group "$GROUP" 1
    fault coordinator transaction "$TXID" 3
    fault leader "$OUT" 0 3
    feed_wave w4
    check "$MODE: all output arrives after outages and moves" wait_complete
    check "$MODE: SIGTERM drains, commits and exits 0" run_stop r1
    final_check "$MODE: every paragraph, summary and bad input accounted for"
done
test_done
