#!/usr/bin/env bash
# Training time (wall clock and CPU): `rakiza train` - grouped 5-fold
# cross-validation, the paragraph-level folds beside it and the final model,
# at the default settings - on n samples of every labelled file in
# models/data/, for n = 500, 1000, 2000 and all of them; then all of them
# on one thread (the scaling with cores) and with --grid (as
# scripts/train-default trains).
#
# Samples are taken deterministically: ordered by a hash of their text and
# the first n kept. When the data has fewer than n, the rest are made by
# joining two samples of the same label (each such paragraph in the group
# of its first half), so the size still measures the cost of n paragraphs;
# stderr says how many were made.
#
# Environment: BENCH_TRAIN_SIZES (default "500 1000 2000 all"),
# BENCH_TRAIN_EXTRA=0 skips the one-thread and --grid runs, BENCH_TRAIN_FLAGS
# adds flags to every run (e.g. "-V hash_bits=14").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat "$root"/models/data/*.jsonl >"$tmp/all.jsonl"
total=$(wc -l <"$tmp/all.jsonl")

# sample N: writes $tmp/nN.jsonl
sample() {
    python3 - "$tmp/all.jsonl" "$1" "$tmp/n$1.jsonl" <<'PY'
import hashlib, json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
n = int(sys.argv[2])
key = lambda r: hashlib.sha256(r["text"].encode()).hexdigest()
recs.sort(key=key)
out = recs[:n]
made = 0
by_label, pos = {}, []
for r in recs:
    pos.append(len(by_label.setdefault(r["label"], [])))
    by_label[r["label"]].append(r)
i = 0
while len(out) < n:  # join two samples of one label
    a = recs[i % len(recs)]
    same = by_label[a["label"]]
    b = same[(pos[i % len(recs)] + 1 + i // len(recs)) % len(same)]
    out.append({"text": a["text"] + " " + b["text"], "label": a["label"],
                "lang": a["lang"], "group": a.get("group") or a["source"].split("@")[0],
                "source": "joined:%d" % i})
    made += 1
    i += 1
if made:
    print("bench_train: n=%d: %d samples made by joining two of one label" % (n, made),
          file=sys.stderr)
with open(sys.argv[3], "w", encoding="utf-8") as f:
    for r in out:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
PY
}

# run NAME FILE FLAGS...: one timed training; rows train.seconds_NAME
# (wall clock) and train.cpu_seconds_NAME (user + system: what it cost
# whatever else the machine was doing)
run() {
    local name=$1 file=$2 TIMEFORMAT='%R %U %S' t
    shift 2
    # shellcheck disable=SC2086 # BENCH_TRAIN_FLAGS is words on purpose
    t=$( { time "$RAKIZA" train --data "$file" --out "$tmp/m.rkz" --folds 5 \
        --seed 1 ${BENCH_TRAIN_FLAGS:-} "$@" 2>"$tmp/train.err"; } 2>&1) || {
        cat "$tmp/train.err" >&2
        exit 1
    }
    read -r wall user sys <<<"$t"
    printf 'train.seconds_%s\t%.2f\ts\n' "$name" "$wall"
    printf 'train.cpu_seconds_%s\t%.2f\ts\n' "$name" "$(echo "$user + $sys" | bc)"
}

for n in ${BENCH_TRAIN_SIZES:-500 1000 2000 all}; do
    if [ "$n" = all ]; then
        printf 'train.samples_all\t%d\tsamples\n' "$total"
        run all "$tmp/all.jsonl"
    else
        sample "$n"
        run "n$n" "$tmp/n$n.jsonl"
    fi
done
if [ "${BENCH_TRAIN_EXTRA:-1}" != 0 ]; then
    run all_1thread "$tmp/all.jsonl" --threads 1
    run all_grid "$tmp/all.jsonl" --grid
fi
