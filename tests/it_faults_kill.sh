#!/usr/bin/env bash
# ctest-timeout: 600
# Fault injection: `rakiza run` is killed with SIGKILL in the middle of a
# round, twice (once while input flows, once while its replacement catches
# up), and restarted in the same group; input also arrives while no
# process runs. To be sure a round is in flight at the kill, broker 2 (half
# the output partitions, the transaction coordinator) is down at that
# moment, so the round's output cannot all be acknowledged. Afterwards
# every paragraph, summary and bad input is reconciled with the input: at
# least once (a killed round is redone), in both modes; exactly-once
# restarts cannot be checked on the mock cluster (docs/RELIABILITY-faults.md).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults/lib_faults.sh"

# kill_mid_round NAME WAVE: feeds WAVE while the output broker is down,
# kills NAME with SIGKILL while it is stuck delivering, brings the broker
# back.
kill_mid_round() {
    fault down 2
    feed_wave "$2"
    sleep 2
    check "$MODE: $1 is still running before the kill" run_alive "$1"
    run_kill9 "$1"
    fault up 2
}

start_fault_broker alo eos
for mode in alo eos; do
    fault_mode "$mode"
    for w in w1 w2 w3 w4 w5; do make_wave "$w" 25; done
    run_start r1
    feed_wave w1; feed_bad
    check "$MODE: the stream flows before the kill" wait_for 120 at_least 60
    kill_mid_round r1 w2
    check "$MODE: the kill left work undone" output_incomplete
    feed_wave w3 # nobody is running

    run_start r2
    check "$MODE: the restart rejoins the group" wait_for 120 assigned r2
    kill_mid_round r2 w4

    run_start r3
    feed_wave w5
    check "$MODE: after two kills, all output arrives" wait_complete
    check "$MODE: SIGTERM drains, commits and exits 0" run_stop r3
    MODE=alo final_check "$MODE: every paragraph, summary and bad input at least once"
done
test_done
