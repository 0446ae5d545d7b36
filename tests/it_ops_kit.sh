#!/usr/bin/env bash
# The operator kit in docs/ops/ works against what rakiza really exports:
# the alert rules pass `promtool check rules` (and a broken copy does not,
# so the check can fail), each alert fires on a synthetic series and stays
# quiet on a healthy one (`promtool test rules`); the dashboard is valid
# JSON, wired to the ${DS_PROMETHEUS} and instance variables, and every
# query in it is valid PromQL; every metric name the dashboard and the
# rules query exists in a live /metrics scrape of `rakiza run` on the
# embedded broker (after documents and a bad message went through, so the
# labelled series exist), and a misspelt name is caught.
source "$(dirname "$0")/lib.sh"

OPS=${RAKIZA_SOURCE:-$(pwd)}/docs/ops
RULES=$OPS/rakiza-alerts.yml
DASH=$OPS/rakiza-dashboard.json

# ---- (b) the dashboard: valid JSON, wired to its variables -------------------
check "the dashboard is valid JSON" bash -c "python3 -m json.tool '$DASH' >/dev/null"
check "the dashboard has the DS_PROMETHEUS datasource and instance variables, every query uses them" \
    python3 - "$DASH" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fails = []
if not 36 <= d.get("schemaVersion", 0) <= 41:
    fails.append(f"schemaVersion {d.get('schemaVersion')}")
var = {v["name"]: v for v in d.get("templating", {}).get("list", [])}
if var.get("DS_PROMETHEUS", {}).get("type") != "datasource" or var["DS_PROMETHEUS"].get("query") != "prometheus":
    fails.append("no Prometheus datasource variable DS_PROMETHEUS")
if var.get("instance", {}).get("type") != "query":
    fails.append("no instance query variable")
def panels(ps):
    for p in ps:
        yield p
        yield from panels(p.get("panels", []))
n = 0
for p in panels(d["panels"]):
    for t in p.get("targets", []):
        n += 1
        if t.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}":
            fails.append(f"panel {p['title']!r}: a target not on ${{DS_PROMETHEUS}}")
        if 'instance=~"$instance"' not in t["expr"]:
            fails.append(f"panel {p['title']!r}: {t['expr']!r} ignores $instance")
if n < 20:
    fails.append(f"only {n} queries")
if fails:
    print("\n".join(fails), file=sys.stderr)
sys.exit(1 if fails else 0)
PY

# ---- PromQL: metric names in the dashboard's and the rules' expressions -----
# promql.py exprs DASHBOARD RULES: prints "source<TAB>expr" per expression.
# promql.py names DASHBOARD RULES SCRAPE: checks every metric name against
# the scrape; prints the names used; exits 1 naming a missing one.
cat >"$TEST_TMP/promql.py" <<'PY'
import json, re, sys

# Series a rakiza scrape does not have: Prometheus's own, per target.
ALLOW = {"up"}
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
            "unless", "bool", "offset", "inf", "nan", "atan2"}

def dashboard_exprs(path):
    out = []
    def walk(node, where):
        if isinstance(node, dict):
            where = node.get("title") or node.get("name") or where
            for k, v in node.items():
                if k == "expr" and isinstance(v, str):
                    out.append((f"dashboard: {where}", v))
                elif k in ("query", "definition") and isinstance(v, str) and "(" in v:
                    # a variable's query: label_values(EXPR, label) or query_result(EXPR)
                    m = re.fullmatch(r"\s*label_values\(\s*(.+?)\s*,\s*\w+\s*\)\s*", v) or \
                        re.fullmatch(r"\s*query_result\(\s*(.+)\s*\)\s*", v)
                    if m:
                        out.append((f"dashboard: {where}", m.group(1)))
                else:
                    walk(v, where)
        elif isinstance(node, list):
            for v in node:
                walk(v, where)
    walk(json.load(open(path)), "")
    return out

def rules_exprs(path):
    """expr: values of a rules file, one-line or block scalars (| or >)."""
    out, lines, alert = [], open(path).read().splitlines(), ""
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)(?:- )?(alert|record):\s*(\S+)", lines[i])
        if m:
            alert = m.group(3)
        m = re.match(r"^(\s*)(?:- )?expr:\s*(.*)$", lines[i])
        if m:
            indent, value = len(m.group(1)), m.group(2).strip()
            if value[:1] in ("|", ">"):
                block = []
                while i + 1 < len(lines) and (not lines[i + 1].strip() or
                                              len(lines[i + 1]) - len(lines[i + 1].lstrip()) > indent):
                    i += 1
                    block.append(lines[i].strip())
                value = " ".join(block)
            elif value[:1] in ("'", '"'):
                value = value[1:-1]
            out.append((f"rule {alert}", value))
        i += 1
    return out

def names(expr):
    e = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)  # strings
    e = re.sub(r"\{[^}]*\}", "{}", e)            # label matchers
    e = re.sub(r"\[[^\]]*\]", "[]", e)           # ranges, subqueries, $__rate_interval
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)  # label lists
    e = re.sub(r"\$\{?\w+\}?", " ", e)           # a Grafana variable elsewhere
    found = set()
    # an identifier (not part of a number or a longer name) followed by {, [,
    # whitespace, an operator, ) or the end, but not by ( (a function).
    for m in re.finditer(r"(?<![\w:.])([A-Za-z_:][\w:]*)(?=\s*(?:[{\[)+\-*/%^=!<>,]|$))(?!\s*\()", e):
        n = m.group(1)
        if n.lower() not in KEYWORDS:
            found.add(n)
    return found

def scrape(path):
    samples, types = set(), {}
    for line in open(path):
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            types[name] = kind
        elif line.strip() and not line.startswith("#"):
            samples.add(re.match(r"[A-Za-z_:][\w:]*", line).group(0))
    return samples, types

mode, dash, rules = sys.argv[1:4]
exprs = dashboard_exprs(dash) + rules_exprs(rules)
if mode == "exprs":
    for where, e in exprs:
        print(f"{where}\t{e}")
    sys.exit(0)
samples, types = scrape(sys.argv[4])
fails, used = [], {}
for where, e in exprs:
    for n in names(e):
        used.setdefault(n, set()).add(where.split(":")[0].split(" ")[0])
        if n in ALLOW:
            continue
        if n in samples:
            continue
        if types.get(n) == "histogram":
            fails.append(f"{where}: {n} is a histogram; query {n}_bucket, {n}_sum or {n}_count")
        else:
            fails.append(f"{where}: {n} is not in the /metrics scrape")
by_source = {s: [n for n in used if s in used[n]] for s in ("dashboard", "rule")}
if len(by_source["dashboard"]) < 10 or len(by_source["rule"]) < 4:
    fails.append(f"too few metric names found (dashboard {len(by_source['dashboard'])}, "
                 f"rules {len(by_source['rule'])}): the extraction is broken")
def family(n):
    for suffix in ("_bucket", "_sum", "_count"):
        if n.endswith(suffix) and types.get(n[:-len(suffix)]) == "histogram":
            return n[:-len(suffix)] + " (histogram)"
    return n
for s in ("dashboard", "rule"):
    print(f"{s}: " + " ".join(sorted({family(n) for n in by_source[s]})))
if fails:
    print("\n".join(fails), file=sys.stderr)
sys.exit(1 if fails else 0)
PY

# ---- (a) the rules: promtool -------------------------------------------------
if ! command -v promtool >/dev/null; then
    echo "SKIP: promtool is missing, the rules are not checked by promtool (scripts/bootstrap installs the Debian package prometheus, which provides it)" >&2
else
    check "promtool check rules $RULES" promtool check rules "$RULES"
    sed 's/expr: up{job="rakiza"} == 0/expr: up{job="rakiza" == 0/' "$RULES" >"$TEST_TMP/broken.yml"
    check "the broken copy differs from the rules" bash -c "! cmp -s '$RULES' '$TEST_TMP/broken.yml'"
    check "promtool refuses a broken copy of the rules (so the check can fail)" \
        bash -c "! promtool check rules '$TEST_TMP/broken.yml' >/dev/null 2>&1"

    # Every dashboard query is valid PromQL: as recording rules, with the
    # Grafana variables given values.
    python3 "$TEST_TMP/promql.py" exprs "$DASH" "$RULES" | python3 -c '
import json, re, sys
subst = {"$__rate_interval": "5m", "$__range": "1h", "$__interval": "1m", "$instance": ".+"}
print("groups:\n  - name: dashboard\n    rules:")
for i, line in enumerate(sys.stdin):
    where, expr = line.rstrip("\n").split("\t", 1)
    if not where.startswith("dashboard"):
        continue
    for k, v in subst.items():
        expr = expr.replace(k, v)
    print(f"      - record: dashboard:expr_{i}\n        expr: {json.dumps(expr)}")
' >"$TEST_TMP/dash_rules.yml"
    check "every dashboard query is valid PromQL (promtool)" promtool check rules "$TEST_TMP/dash_rules.yml"

    # Each alert fires on a synthetic series and not on a healthy one. The
    # annotations are left out (promtool compares them whole; `check rules`
    # has parsed their templates).
    awk '/^ *annotations:$/ { ind = match($0, /[^ ]/); skip = 1; next }
         skip && (/^ *$/ || match($0, /[^ ]/) > ind) { next }
         { skip = 0; print }' "$RULES" >"$TEST_TMP/rules_noann.yml"
    check "the rules without annotations still have every alert" \
        bash -c "[ \$(grep -c '^ *- alert:' '$RULES') = \$(grep -c '^ *- alert:' '$TEST_TMP/rules_noann.yml') ] && ! grep -q 'summary:' '$TEST_TMP/rules_noann.yml'"
    cat >"$TEST_TMP/alerts_test.yml" <<EOF
rule_files:
  - $TEST_TMP/rules_noann.yml
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'up{job="rakiza",instance="a:1"}'
        values: '1 1 0x10'
      - series: 'up{job="rakiza",instance="b:1"}'
        values: '1x12'
    alert_rule_test:
      - eval_time: 3m
        alertname: RakizaDown
      - eval_time: 6m
        alertname: RakizaDown
        exp_alerts:
          - exp_labels: {severity: critical, job: rakiza, instance: "a:1"}
  - interval: 1m
    input_series:
      - series: 'up{job="other",instance="a:1"}'
        values: '1x20'
    alert_rule_test:
      - eval_time: 15m
        alertname: RakizaTargetMissing
        exp_alerts:
          - exp_labels: {severity: warning, job: rakiza}
  - interval: 1m
    input_series:
      - series: 'rakiza_start_time_seconds{job="rakiza",instance="a:1"}'
        values: '100 100 200 300 400 400'
      - series: 'rakiza_start_time_seconds{job="rakiza",instance="b:1"}'
        values: '100 100 200 200 200 200'
    alert_rule_test:
      - eval_time: 5m
        alertname: RakizaRestarting
        exp_alerts:
          - exp_labels: {severity: warning, job: rakiza, instance: "a:1"}
  - interval: 1m
    input_series:
      # growing lag over two partitions: 500 + 2 * 50/min
      - series: 'rakiza_consumer_lag{job="rakiza",instance="a:1",partition="0"}'
        values: '300+50x40'
      - series: 'rakiza_consumer_lag{job="rakiza",instance="b:1",partition="1"}'
        values: '200+50x40'
    alert_rule_test:
      - eval_time: 5m
        alertname: RakizaConsumerLagGrowing
      - eval_time: 25m
        alertname: RakizaConsumerLagGrowing
        exp_alerts:
          - exp_labels: {severity: warning, job: rakiza}
  - interval: 1m
    input_series:
      # a large lag that stays put (a backlog being worked off evenly) is fine
      - series: 'rakiza_consumer_lag{job="rakiza",instance="a:1",partition="0"}'
        values: '50000x40'
    alert_rule_test:
      - eval_time: 30m
        alertname: RakizaConsumerLagGrowing
  - interval: 1m
    input_series:
      # a:1 is stuck with lag, b:1 consumes
      - series: 'rakiza_messages_in_total{job="rakiza",instance="a:1"}'
        values: '100+10x5 150x30'
      - series: 'rakiza_consumer_lag{job="rakiza",instance="a:1",partition="0"}'
        values: '40x35'
      - series: 'rakiza_messages_in_total{job="rakiza",instance="b:1"}'
        values: '0+10x35'
      - series: 'rakiza_consumer_lag{job="rakiza",instance="b:1",partition="1"}'
        values: '40x35'
    alert_rule_test:
      - eval_time: 12m
        alertname: RakizaNoProgress
      - eval_time: 25m
        alertname: RakizaNoProgress
        exp_alerts:
          - exp_labels: {severity: critical, job: rakiza, instance: "a:1"}
  - interval: 1m
    input_series:
      # a:1 dead-letters 10%, b:1 1%
      - series: 'rakiza_messages_in_total{job="rakiza",instance="a:1"}'
        values: '0+100x30'
      - series: 'rakiza_dlq_messages_total{job="rakiza",instance="a:1",code="bad_json"}'
        values: '0+6x30'
      - series: 'rakiza_dlq_messages_total{job="rakiza",instance="a:1",code="empty"}'
        values: '0+4x30'
      - series: 'rakiza_messages_in_total{job="rakiza",instance="b:1"}'
        values: '0+100x30'
      - series: 'rakiza_dlq_messages_total{job="rakiza",instance="b:1",code="bad_json"}'
        values: '0+1x30'
    alert_rule_test:
      - eval_time: 5m
        alertname: RakizaDeadLetterRateHigh
      - eval_time: 20m
        alertname: RakizaDeadLetterRateHigh
        exp_alerts:
          - exp_labels: {severity: warning, job: rakiza, instance: "a:1"}
  - interval: 1m
    input_series:
      - series: 'rakiza_model_reload_failures_total{job="rakiza",instance="a:1"}'
        values: '0 0 0 1 1 1'
      - series: 'rakiza_model_reload_failures_total{job="rakiza",instance="b:1"}'
        values: '0x5'
    alert_rule_test:
      - eval_time: 5m
        alertname: RakizaModelReloadFailed
        exp_alerts:
          - exp_labels: {severity: warning, job: rakiza, instance: "a:1"}
  - interval: 1m
    input_series:
      # a:1's labels drift from the training data, b:1's stay close
      - series: 'rakiza_label_share_drift{job="rakiza",instance="a:1"}'
        values: '0.1x5 0.45x40'
      - series: 'rakiza_label_share_drift{job="rakiza",instance="b:1"}'
        values: '0.1x45'
    alert_rule_test:
      - eval_time: 20m
        alertname: RakizaLabelDrift
      - eval_time: 40m
        alertname: RakizaLabelDrift
        exp_alerts:
          - exp_labels: {severity: warning, job: rakiza, instance: "a:1"}
EOF
    check "promtool test rules: each alert fires when it should and only then" \
        promtool test rules "$TEST_TMP/alerts_test.yml"
    check "every alert in the rules has a unit test" bash -c "
        for a in \$(sed -n 's/^ *- alert: *//p' '$RULES'); do
            grep -q \"alertname: \$a\$\" '$TEST_TMP/alerts_test.yml' || { echo \"no test for \$a\" >&2; exit 1; }
        done"
fi

# ---- (c) a live scrape: every metric name exists -----------------------------
start_broker --topics docs:2,out:2,dlq:1
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT

# The sample documents (their first 4000 characters) as JSON envelopes,
# and one message without a text field (a dead letter, code bad_field).
python3 - "$TEST_TMP/docs.tsv" "$RAKIZA_SEEDS"/*.txt <<'PY'
import json, os, sys
with open(sys.argv[1], "w") as f:
    for path in sys.argv[2:]:
        doc = os.path.basename(path)[:-4]
        text = open(path, encoding="utf-8").read()[:4000]
        f.write(f"{doc}\t{json.dumps({'id': doc, 'text': text}, ensure_ascii=False)}\n")
PY
NDOCS=$(wc -l <"$TEST_TMP/docs.tsv")
kcat -b "$BROKER" -P -t docs -K $'\t' -l "$TEST_TMP/docs.tsv"
printf '{"id": "no-text"}' | kcat -b "$BROKER" -P -t docs -k no-text

"$RAKIZA" run -b "$BROKER" -i docs -o out -g ops --dlq dlq --metrics-port "$PORT" \
    -X statistics.interval.ms=200 2>"$TEST_TMP/run.log" &
RUN_PID=$!; TEST_PIDS+=("$RUN_PID")
check "the records of the $NDOCS documents are out" wait_for 120 bash -c \
    "[ \$(kcat -b $BROKER -C -t out -e -q 2>/dev/null | grep -c '\"type\"') -gt $NDOCS ]"
check "the dead letter is out" wait_for 60 bash -c \
    "[ \$(kcat -b $BROKER -C -t dlq -e -q 2>/dev/null | wc -l) -ge 1 ]"
# Counted once the round closed; lag once the statistics saw the commit.
all_series() {
    curl -sf "$URL/metrics" >"$TEST_TMP/metrics.txt" &&
        grep -q "^rakiza_documents_total $NDOCS\$" "$TEST_TMP/metrics.txt" &&
        grep -q '^rakiza_dlq_messages_total{code="bad_field"} 1$' "$TEST_TMP/metrics.txt" &&
        grep -q '^rakiza_paragraph_labels_total{' "$TEST_TMP/metrics.txt" &&
        grep -q '^rakiza_consumer_lag{partition=' "$TEST_TMP/metrics.txt"
}
check "the scrape has the documents, the dead letter, labels and lag" wait_for 60 all_series
check "every metric name in the dashboard and the rules is in the scrape" \
    python3 "$TEST_TMP/promql.py" names "$DASH" "$RULES" "$TEST_TMP/metrics.txt"

# The name check can fail: a misspelt name, and a histogram queried by its
# family name (not a series Prometheus stores).
sed 's/rakiza_bytes_in_total/rakiza_bytes_inn_total/' "$DASH" >"$TEST_TMP/typo.json"
sed '0,/rakiza_dlq_messages_total/s//rakiza_dead_letters_total/' "$RULES" >"$TEST_TMP/typo.yml"
sed 's/rakiza_classification_seconds_count/rakiza_classification_seconds/' "$DASH" >"$TEST_TMP/hist.json"
misses() { # misses NAME DASHBOARD RULES: the check fails naming NAME
    ! python3 "$TEST_TMP/promql.py" names "$2" "$3" "$TEST_TMP/metrics.txt" >/dev/null 2>"$TEST_TMP/miss.err" &&
        grep -q "$1" "$TEST_TMP/miss.err"
}
check "a misspelt name in the dashboard is named" misses 'rakiza_bytes_inn_total is not in' "$TEST_TMP/typo.json" "$RULES"
check "a misspelt name in the rules is named" misses 'rule RakizaDeadLetterRateHigh: rakiza_dead_letters_total is not in' "$DASH" "$TEST_TMP/typo.yml"
check "a histogram queried by its family name is named" misses 'rakiza_classification_seconds is a histogram' "$TEST_TMP/hist.json" "$RULES"

kill -TERM "$RUN_PID"
check "rakiza run exits cleanly" wait "$RUN_PID"
test_done
