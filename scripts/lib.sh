# lib.sh - shell helpers shared by the scripts, the demo and the tests
# (sourced, not run).

# rk_start_broker RAKIZA DIR [broker options...]: starts `RAKIZA broker` in
# the background (its stdout in DIR/broker.out, its log in DIR/broker.err),
# waits until it has written its
# bootstrap address, and sets RK_BROKER (the address) and RK_BROKER_PID.
# Returns non-zero, printing the broker's log, when it does not come up in
# 10 s. The caller stops it (kill "$RK_BROKER_PID").
rk_start_broker() {
    local rakiza=$1 dir=$2 i
    shift 2
    local file=$dir/bootstrap.$$.$RANDOM
    "$rakiza" broker --bootstrap-file "$file" "$@" >"$dir/broker.out" 2>"$dir/broker.err" &
    RK_BROKER_PID=$!
    for i in $(seq 1 100); do
        [ -s "$file" ] && break
        kill -0 "$RK_BROKER_PID" 2>/dev/null || break
        sleep 0.1
    done
    RK_BROKER=$(head -n1 "$file" 2>/dev/null || true)
    if [ -z "$RK_BROKER" ]; then
        echo "rakiza broker did not start:" >&2
        cat "$dir/broker.err" >&2
        return 1
    fi
}

# rk_wait_for SECONDS COMMAND...: polls COMMAND every 0.2 s until it
# succeeds; non-zero when SECONDS pass first.
rk_wait_for() {
    local deadline=$(($(date +%s) + $1))
    shift
    until "$@"; do
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.2
    done
}

# rk_topic_count BROKER TOPIC: the number of messages on TOPIC now.
rk_topic_count() {
    kcat -b "$1" -C -t "$2" -e -q 2>/dev/null | wc -l
}
