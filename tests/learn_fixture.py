#!/usr/bin/env python3
"""learn_fixture.py HAND_JSONL OUT_DIR - the small data the `rakiza learn`
tests share, cut from the hand-labelled paragraphs with a fixed seed:
  base.jsonl    40 paragraphs a label, with their source (the trusted set)
  good.tsv      50 more a label as labels-topic messages (KEY<TAB>JSON)
  poison.tsv    120 prevention paragraphs relabelled conditions
  unpoison.tsv  the poison's keys with empty values (tombstones with kcat -Z)
  counts.json   how many of each ({"base", "good", "poison"})
Paragraphs whose text appears twice in the data are left out, so no
streamed label overrides a base sample by accident.
"""
import json
import random
import sys

rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
seen = {}
for r in rows:
    seen[r["text"]] = seen.get(r["text"], 0) + 1
rows = [r for r in rows if seen[r["text"]] == 1]
out = sys.argv[2]
random.Random(7).shuffle(rows)
by = {}
for r in rows:
    by.setdefault(r["label"], []).append(r)
base, good = [], []
for label, rs in sorted(by.items()):
    base += rs[:40]
    good += rs[40:90]


def key(i, r):
    return "%s:%d" % (r["source"].split("@")[0], i)


def value(text, label):
    return json.dumps({"text": text, "label": label, "annotator": "it"}, ensure_ascii=False)


with open(out + "/base.jsonl", "w", encoding="utf-8") as f:
    for r in base:
        f.write(json.dumps({"text": r["text"], "label": r["label"], "source": r["source"]},
                           ensure_ascii=False) + "\n")
with open(out + "/good.tsv", "w", encoding="utf-8") as f:
    for i, r in enumerate(good):
        f.write(key(i, r) + "\t" + value(r["text"], r["label"]) + "\n")
prev = by["prevention"][40:160]
with open(out + "/poison.tsv", "w", encoding="utf-8") as f, \
        open(out + "/unpoison.tsv", "w", encoding="utf-8") as g:
    for i, r in enumerate(prev):
        f.write("p" + key(i, r) + "\t" + value(r["text"], "conditions") + "\n")
        g.write("p" + key(i, r) + "\t\n")
with open(out + "/counts.json", "w") as f:
    json.dump({"base": len(base), "good": len(good), "poison": len(prev)}, f)
