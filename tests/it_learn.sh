#!/usr/bin/env bash
# ctest-timeout: 400
# `rakiza learn` on the embedded broker, with a small base set (40
# hand-labelled paragraphs a label) and a small vectoriser so each decision
# takes seconds: a poisoned batch (over 100 prevention paragraphs relabelled
# conditions) is kept out (exit 3) and bad messages are dead-lettered once;
# once it is withdrawn (tombstones), 50 more correct labels a label are
# promoted (exit 0): --out written, the bundle published to the model topic in chunks, and a
# restart reading the same topic finds no new labels; a learner killed with
# -9 mid-training and restarted reaches the same decision; a running learner
# decides on SIGHUP and serves /metrics and /healthz.
source "$(dirname "$0")/lib.sh"

start_broker --topics labels:2,dlq:1,models:1
D=$TEST_TMP
python3 "$(dirname "$0")/learn_fixture.py" "$(dirname "$0")/../models/data/hand.jsonl" "$D"
count() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$D/counts.json" "$1"; }
NBASE=$(count base) NGOOD=$(count good) NPOISON=$(count poison)
"$RAKIZA" train --data "$D/base.jsonl" --out "$D/m0.rkz" --folds 3 -V hash_bits=12 \
    -V char_ngrams=off 2>/dev/null
m0=$("$RAKIZA" model info "$D/m0.rkz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
produce() { kcat -b "$BROKER" -P -t labels -K $'\t' "$@"; }
learn() { "$RAKIZA" learn -b "$BROKER" -l labels --data "$D/base.jsonl" --model "$D/m0.rkz" "$@"; }
field() { python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(eval("d" + sys.argv[2]))' "$@"; }
dlq_count() { kcat -b "$BROKER" -C -t dlq -e -q 2>/dev/null | wc -l; }

# 0. Usage errors (exit 2) name what is wrong; an empty labels topic has
# nothing new (exit 3).
check_eq "no --out: usage error" 2 "$(status_of "$RAKIZA" learn -b "$BROKER" -l labels --data "$D/base.jsonl" --model "$D/m0.rkz")"
check_eq "a bad -X property: usage error" 2 "$(status_of learn --out "$D/x.rkz" --once -X no.such.property=1)"
check "the error names the property" grep -q 'no.such.property' "$TEST_TMP/err"
check_eq "--every 0: usage error" 2 "$(status_of learn --out "$D/x.rkz" --every 0)"
check_eq "--tolerance 2: usage error" 2 "$(status_of learn --out "$D/x.rkz" --tolerance 2)"
status=0
"$RAKIZA" learn -b "$BROKER" -l dlq --data "$D/base.jsonl" --model "$D/m0.rkz" --out "$D/x.rkz" \
    --once >"$D/dec0.json" 2>/dev/null || status=$?
check_eq "an empty labels topic: kept (exit 3)" 3 "$status"
check "an empty labels topic: no new labels, nothing trained" grep -q '"new_labels":0,.*"reason":"no new labels' "$D/dec0.json"
check "--help lists the exit statuses" bash -c "'$RAKIZA' learn --help | grep -q '3 (--once) the candidate was kept out'"

# 1. A poisoned batch and two bad messages: kept out, dead letters sent.
produce -l "$D/poison.tsv"
printf 'bad:1\tnot json\nbad:2\t{"text":"x","label":"terrorism"}\n' | produce
status=0
learn --out "$D/m1.rkz" --dlq dlq --once --model-topic models >"$D/dec1.json" 2>"$D/learn1.log" || status=$?
check_eq "a poisoned batch is kept out (exit 3)" 3 "$status"
check_eq "the decision says not promoted" False "$(field "$D/dec1.json" '["promoted"]')"
check_eq "all $NPOISON poisoned labels were new" "$NPOISON" "$(field "$D/dec1.json" '["new_labels"]')"
check "the decision names the fall" grep -q '"reason":"[^"]*\(macro-F1\|F1 of\)' "$D/dec1.json"
check "nothing written for a refused candidate" test ! -e "$D/m1.rkz"
check "nothing published for a refused candidate" test "$(kcat -b "$BROKER" -C -t models -e -q 2>/dev/null | wc -c)" -eq 0
check_eq "two dead letters" 2 "$(dlq_count)"
kcat -b "$BROKER" -C -t dlq -e -q -f '%k|%h\n' >"$D/dlq.txt"
check "dead letters carry the contract's headers" bash -c "
    grep -q '^bad:1|rakiza.error=bad_json,rakiza.error.message=.*,rakiza.source.topic=labels,rakiza.source.partition=[01],rakiza.source.offset=[0-9]*$' $D/dlq.txt &&
    grep -q '^bad:2|rakiza.error=bad_label,' $D/dlq.txt"

# 2. The poison withdrawn (tombstones), correct labels sent: promoted.
produce -Z -l "$D/unpoison.tsv"
produce -l "$D/good.tsv"
status=0
learn --out "$D/m1.rkz" --dlq dlq --once --model-topic models >"$D/dec2.json" 2>"$D/learn2.log" || status=$?
check_eq "correct labels are promoted (exit 0)" 0 "$status"
check_eq "promoted" True "$(field "$D/dec2.json" '["promoted"]')"
check_eq "$NGOOD new labels (the withdrawn poison not counted)" "$NGOOD" "$(field "$D/dec2.json" '["new_labels"]')"
check_eq "judged on the $NBASE base samples" "$NBASE" "$(field "$D/dec2.json" '["n"]')"
check_eq "the current side is M" "$m0" "$(field "$D/dec2.json" '["current"]["id"]')"
cand=$(field "$D/dec2.json" '["candidate"]["id"]')
check_eq "--out holds the candidate" "$cand" \
    "$("$RAKIZA" model info "$D/m1.rkz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
check_eq "bad messages are not dead-lettered again by the same learner" 2 "$(dlq_count)"
kcat -b "$BROKER" -C -t models -e -q -f '%k|%h|%S\n' >"$D/models.txt"
check "the bundle is on the model topic: key and headers" python3 - "$D/models.txt" "$cand" "$D/m1.rkz" <<'PY'
import hashlib, sys
lines = open(sys.argv[1]).read().split("\n")[:-1]
cand, data = sys.argv[2], open(sys.argv[3], "rb").read()
sha = hashlib.sha256(data).hexdigest()
assert len(lines) == 1 + len(data) // 900000, lines
for i, l in enumerate(lines):
    k, h, size = l.split("|")
    assert k == cand, k
    assert h == f"rakiza.model.id={cand},rakiza.chunk.index={i},rakiza.chunk.count={len(lines)},rakiza.model.sha256={sha}", h
PY
status=0
learn --out "$D/m1.rkz" --dlq dlq --once >"$D/dec3.json" 2>"$D/learn3.log" || status=$?
check_eq "a restart finds the promoted model current and nothing new (exit 3)" 3 "$status"
check_eq "no new labels" 0 "$(field "$D/dec3.json" '["new_labels"]')"
check_eq "the promoted model is current" "$cand" "$(field "$D/dec3.json" '["current"]["id"]')"

# 3. Killed with -9 mid-training, restarted: the same decision. A model
# with the grid and a larger feature space makes training last seconds.
"$RAKIZA" train --data "$D/base.jsonl" --out "$D/big.rkz" --folds 5 --grid -V hash_bits=16 2>/dev/null
big() { "$RAKIZA" learn -b "$BROKER" -l labels --data "$D/base.jsonl" --model "$D/big.rkz" --dlq none --once "$@"; }
status=0
big --out "$D/ref.rkz" >"$D/ref.json" 2>/dev/null || status=$?
check_eq "an uninterrupted learner promotes" 0 "$status"
"$RAKIZA" learn -b "$BROKER" -l labels --data "$D/base.jsonl" --model "$D/big.rkz" --dlq none --once \
    --out "$D/k.rkz" >/dev/null 2>"$D/kill.log" &
pid=$!; TEST_PIDS+=($pid)
check "the learner starts training" wait_for 60 grep -q "deciding on" "$D/kill.log"
sleep 1
check "still training a second later" kill -0 $pid
kill -9 $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
check "killed before it finished" test ! -e "$D/k.rkz"
status=0
big --out "$D/k.rkz" >"$D/dec4.json" 2>"$D/learn4.log" || status=$?
check_eq "the restarted learner promotes" 0 "$status"
check_eq "the same candidate" "$(field "$D/ref.json" '["candidate"]["id"]')" "$(field "$D/dec4.json" '["candidate"]["id"]')"
check_eq "the same score" "$(field "$D/ref.json" '["candidate"]["macro_f1"]')" \
    "$(field "$D/dec4.json" '["candidate"]["macro_f1"]')"
info() { "$RAKIZA" model info "$1" | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("created"); print(json.dumps(d, sort_keys=True))'; }
check "the same model (all but its creation time)" cmp -s <(info "$D/ref.rkz") <(info "$D/k.rkz")
echo "it_learn: a decision took $(field "$D/dec2.json" '["seconds"]') s, with the grid $(field "$D/ref.json" '["seconds"]') s" >&2

# 4. A running learner: /healthz, a decision on SIGHUP, /metrics.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$RAKIZA" learn -b "$BROKER" -l labels --data "$D/base.jsonl" --model "$D/m0.rkz" \
    --out "$D/h.rkz" --dlq dlq --every 100000 --metrics-port "$port" >"$D/dec5.json" 2>"$D/learn5.log" &
pid=$!; TEST_PIDS+=($pid)
check "healthz answers" wait_for 30 curl -sf "http://127.0.0.1:$port/healthz" -o /dev/null
check "caught up" wait_for 30 grep -q "caught up" "$D/learn5.log"
check "no decision before N new labels" test ! -s "$D/dec5.json"
kill -HUP $pid
check "SIGHUP brings a decision" wait_for 120 test -s "$D/dec5.json"
curl -sf "http://127.0.0.1:$port/metrics" >"$D/metrics.txt" || true
check "metrics: labels read, dead letters, candidates, promotions, training time, model" bash -c "
    grep -q '^rakiza_learn_labels_read_total [1-9]' $D/metrics.txt &&
    grep -q '^rakiza_learn_dead_letters_total{code=\"bad_json\"} 1' $D/metrics.txt &&
    grep -q '^rakiza_learn_candidates_total 1' $D/metrics.txt &&
    grep -q '^rakiza_learn_promotions_total 1' $D/metrics.txt &&
    grep -q '^rakiza_learn_refusals_total 0' $D/metrics.txt &&
    grep -q '^rakiza_learn_training_seconds_count 1' $D/metrics.txt &&
    grep -q '^rakiza_learn_model_info{model=\"$cand\"} 1' $D/metrics.txt"
kill -TERM $pid
status=0; wait $pid || status=$?
check_eq "a running learner stops cleanly" 0 "$status"
# Every decision line holds to docs/schema/learn-decision.schema.json.
check "every decision validates against the schema" /usr/bin/python3 - \
    "$(dirname "$0")/../docs/schema/learn-decision.schema.json" "$D"/dec*.json "$D/ref.json" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
n = 0
for path in sys.argv[2:]:
    for line in open(path):
        if line.strip():
            jsonschema.validate(json.loads(line), schema)
            n += 1
assert n >= 6, n
PY
[ "$TEST_FAILS" -eq 0 ] || tail -n 5 "$D"/learn*.log "$D"/kill.log >&2
test_done
