# lib.sh - shell helpers for the integration tests (sourced, not run).
# Every process a test starts is registered and killed on exit, so a failing
# test never leaves a broker behind.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"

: "${RAKIZA:?RAKIZA must name the rakiza binary}"
: "${RAKIZA_SEEDS:=$(pwd)/samples}"
TEST_NAME=$(basename "$0" .sh)
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/rakiza-$TEST_NAME.XXXXXX")
TEST_PIDS=()
TEST_CHECKS=0
TEST_FAILS=0

test_cleanup() {
    local pid
    for pid in "${TEST_PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    for pid in "${TEST_PIDS[@]:-}"; do
        [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
    done
    rm -rf "$TEST_TMP"
}
trap test_cleanup EXIT

# check DESCRIPTION COMMAND...: runs COMMAND; a non-zero status is a failure
# described by DESCRIPTION (say what would be wrong).
check() {
    local what=$1; shift
    TEST_CHECKS=$((TEST_CHECKS + 1))
    if "$@"; then :; else
        TEST_FAILS=$((TEST_FAILS + 1))
        echo "FAIL: $what" >&2
    fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
    TEST_CHECKS=$((TEST_CHECKS + 1))
    if [ "$2" != "$3" ]; then
        TEST_FAILS=$((TEST_FAILS + 1))
        echo "FAIL: $1: expected [$2], got [$3]" >&2
    fi
}

# test_done: prints the closing line and exits with the result.
test_done() {
    echo "$TEST_NAME: $((TEST_CHECKS - TEST_FAILS)) passed, $TEST_FAILS failed"
    [ "$TEST_FAILS" -eq 0 ]
}

# start_broker [--topics SPEC] [...]: starts `rakiza broker` (registered
# for cleanup) and sets BROKER (address) and BROKER_PID.
start_broker() {
    rk_start_broker "$RAKIZA" "$TEST_TMP" "$@" || return 1
    BROKER=$RK_BROKER
    BROKER_PID=$RK_BROKER_PID
    TEST_PIDS+=("$BROKER_PID")
}

# status_of COMMAND...: runs COMMAND with its stdout discarded and its
# stderr in $TEST_TMP/err, and prints its exit status (for check_eq).
status_of() {
    local status=0
    "$@" >/dev/null 2>"$TEST_TMP/err" || status=$?
    echo "$status"
}

# wait_for SECONDS COMMAND...: polls COMMAND every 0.2 s until it succeeds.
wait_for() { rk_wait_for "$@"; }
