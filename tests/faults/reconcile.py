#!/usr/bin/env python3
"""reconcile.py - checks what `rakiza run` wrote against the input the test
produced, for the fault-injection tests (tests/it_faults_*.sh).

  reconcile.py --mode alo|eos --expected EXP.tsv --bad BAD.tsv \
               --out OUT.tsv --dlq DLQ.tsv [--complete]

EXP.tsv    document id<TAB>paragraph count (by `rakiza segment`), one good
           document a line.
BAD.tsv    key<TAB>expected error code<TAB>payload size, one bad input a line.
OUT.tsv    the output topic as `kcat -f '%k\\t%p\\t%o\\t%s\\n'`.
DLQ.tsv    the dead-letter topic as `kcat -f '%k\\t%S\\t%h\\n'`.

alo: every paragraph record, every document summary and every bad input
(in the DLQ) at least once; with --whole, a document repeated is repeated
whole (each of its records as many times as its summary: what a rebalance
may cost, where a failed delivery or a kill may repeat part of one). eos: each exactly once. Both: nothing that the
input does not explain (unknown ids, indexes past the count, good documents
in the DLQ, wrong codes or payload sizes). --complete only answers whether
everything expected is present at least once (exit 0) and prints how much.
"""
import argparse
import collections
import json
import re
import sys


def load_expected(path):
    counts = {}
    for line in open(path, encoding="utf-8"):
        doc, n = line.rstrip("\n").split("\t")
        counts[doc] = int(n)
    return counts


def load_bad(path):
    bad = {}
    for line in open(path, encoding="utf-8"):
        key, code, size = line.rstrip("\n").split("\t")
        bad[key] = (code, int(size))
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["alo", "eos"], required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--bad", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--dlq", required=True)
    ap.add_argument("--complete", action="store_true")
    ap.add_argument("--whole", action="store_true")
    a = ap.parse_args()

    want = load_expected(a.expected)
    bad = load_bad(a.bad)
    problems = []

    paras = collections.Counter()    # (doc, index) -> copies
    summaries = collections.Counter()  # doc -> copies
    for n, line in enumerate(open(a.out, encoding="utf-8"), 1):
        key, _part, _off, val = line.rstrip("\n").split("\t", 3)
        try:
            r = json.loads(val)
        except ValueError:
            problems.append(f"out line {n}: not JSON")
            continue
        doc = r.get("doc_id")
        if doc != key:
            problems.append(f"out line {n}: key {key!r} is not doc_id {doc!r}")
        if doc not in want:
            problems.append(f"out line {n}: document {doc!r} was never produced")
            continue
        if r.get("count") != want[doc]:
            problems.append(f"out line {n}: {doc} count {r.get('count')}, "
                            f"the input has {want[doc]} paragraphs")
        if r.get("type") == "paragraph":
            if not 0 <= r.get("index", -1) < want[doc]:
                problems.append(f"out line {n}: {doc} index {r.get('index')}")
            paras[(doc, r["index"])] += 1
        elif r.get("type") == "document":
            summaries[doc] += 1
        else:
            problems.append(f"out line {n}: type {r.get('type')!r}")

    dlq = collections.Counter()
    for n, line in enumerate(open(a.dlq, "rb"), 1):
        key, size, hdrs = line.rstrip(b"\n").split(b"\t", 2)
        key = key.decode("utf-8", "replace")
        # kcat joins headers with ',' and the messages may hold commas too
        h = dict(re.findall(rb"(rakiza\.[a-z.]+)=(.*?)(?=,rakiza\.|$)", hdrs))
        dlq[key] += 1
        if key not in bad:
            problems.append(f"dlq line {n}: {key!r} is not a bad input")
            continue
        code, want_size = bad[key]
        got = h.get(b"rakiza.error", b"").decode()
        if got != code:
            problems.append(f"dlq line {n}: {key} has code {got!r}, not {code!r}")
        if int(size) != want_size:
            problems.append(f"dlq line {n}: {key} payload {int(size)} bytes, "
                            f"sent {want_size}")

    expected = [(d, i) for d in want for i in range(want[d])]
    missing_p = [k for k in expected if paras[k] == 0]
    missing_s = [d for d in want if summaries[d] == 0]
    missing_b = [k for k in bad if dlq[k] == 0]
    total = len(expected) + len(want) + len(bad)
    present = total - len(missing_p) - len(missing_s) - len(missing_b)
    dup_p = sum(c - 1 for c in paras.values() if c > 1)
    dup_s = sum(c - 1 for c in summaries.values() if c > 1)
    dup_b = sum(c - 1 for c in dlq.values() if c > 1)
    print(f"reconcile: {present}/{total} expected present ({len(expected)} "
          f"paragraphs of {len(want)} documents, {len(want)} summaries, "
          f"{len(bad)} bad inputs); duplicates: {dup_p} paragraphs, "
          f"{dup_s} summaries, {dup_b} dead letters")
    if a.complete:
        return 0 if present == total else 1

    if missing_p:
        problems.append(f"{len(missing_p)} paragraph records lost, e.g. "
                        f"{missing_p[:5]}")
    if missing_s:
        problems.append(f"{len(missing_s)} summaries lost, e.g. {missing_s[:5]}")
    if missing_b:
        problems.append(f"bad inputs missing from the DLQ: {missing_b}")
    if a.whole:
        part = [d for d in want
                if len({paras[(d, i)] for i in range(want[d])} | {summaries[d]}) > 1]
        if part:
            problems.append(f"{len(part)} documents repeated in part, e.g. "
                            + ", ".join(f"{d}: summary x{summaries[d]}, paragraphs x"
                                        f"{sorted({paras[(d, i)] for i in range(want[d])})}"
                                        for d in part[:3]))
    if a.mode == "eos":
        twice = sorted(k for k, c in paras.items() if c > 1)
        if twice:
            problems.append(f"exactly-once: {len(twice)} paragraph records "
                            f"more than once, e.g. {twice[:5]}")
        twice = sorted(k for k, c in summaries.items() if c > 1)
        if twice:
            problems.append(f"exactly-once: summaries more than once: {twice[:5]}")
        twice = sorted(k for k, c in dlq.items() if c > 1)
        if twice:
            problems.append(f"exactly-once: dead letters more than once: {twice}")
    for p in problems:
        print("reconcile: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
