#!/usr/bin/env python3
"""fasttext_compare.py - fastText beside rakiza, for bench/bench_predict.sh.

Trains a fastText supervised model on the labelled samples rakiza's default
model is trained on, times `fasttext predict-prob` over the same paragraphs
rakiza was timed on (one per line, as bench_predict --paragraphs writes
them), and scores fastText by stratified 5-fold cross-validation on the
samples. Prints scripts/bench rows (name<TAB>value<TAB>unit); commentary goes
to stderr.

Settings (fastText 0.9.2): -wordNgrams 2 -epoch 25 -lr 0.5 -dim 100
-bucket 200000 -thread 1 -seed 1, on the text as written (fastText splits
on white space). -bucket is a tenth of the default 2,000,000: the model is
84 MB instead of 804 MB, with the same cross-validated macro-F1 (0.619 both)
and faster prediction (with the default the n-gram table misses the cache
and predict-prob took about 1.5x the CPU time) - a choice in fastText's
favour.

Timing is CPU time (user + system) of the fasttext process, one thread, in
the same spirit as bench_predict's per-thread CPU time: the paragraph file
is repeated until a run takes at least --seconds, and the cost of starting
and loading the model (a run over one line, the best of three) is
subtracted. Output goes to /dev/null.
"""
import argparse
import collections
import json
import os
import random
import resource
import subprocess
import sys

SETTINGS = ["-wordNgrams", "2", "-epoch", "25", "-lr", "0.5", "-dim", "100",
            "-bucket", "200000", "-thread", "1", "-seed", "1", "-verbose", "0"]
MAX_REPEAT = 256  # copies of the paragraph file: 170 MB for the seeds


def read_samples(paths):
    samples = []
    for path in paths:
        for line in open(path, encoding="utf-8"):
            d = json.loads(line)
            samples.append((d["label"], " ".join(d["text"].split())))
    return samples


def write_training(samples, path):
    with open(path, "w", encoding="utf-8") as f:
        for label, text in samples:
            f.write(f"__label__{label} {text}\n")


def train(samples, tmp, name):
    write_training(samples, f"{tmp}/{name}.txt")
    subprocess.run(["fasttext", "supervised", "-input", f"{tmp}/{name}.txt",
                    "-output", f"{tmp}/{name}"] + SETTINGS, check=True)
    return f"{tmp}/{name}.bin"


def cpu_of(cmd):
    """CPU seconds (user + system) a child command takes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(os.devnull, "wb") as null:
        subprocess.run(cmd, stdout=null, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def time_predict(model, paragraphs, seconds, tmp):
    lines = open(paragraphs, "rb").read().splitlines(keepends=True)
    text_bytes = sum(len(l) - 1 for l in lines)
    with open(f"{tmp}/one.txt", "wb") as f:
        f.write(lines[0])
    startup = min(cpu_of(["fasttext", "predict-prob", model, f"{tmp}/one.txt", "-1"])
                  for _ in range(3))
    repeat = 1
    while True:
        with open(f"{tmp}/many.txt", "wb") as f:
            for _ in range(repeat):
                f.writelines(lines)
        t = cpu_of(["fasttext", "predict-prob", model, f"{tmp}/many.txt", "-1"]) - startup
        if t > 0 and (t >= seconds or repeat >= MAX_REPEAT):
            break
        if repeat >= MAX_REPEAT:
            sys.exit("fasttext_compare: cannot time fasttext predict-prob "
                     f"({t:.3f} s after start-up)")
        # Grow at most tenfold a step: a short run's time is mostly noise.
        guess = repeat * 1.2 * seconds / t if t > 0 else repeat * 10
        repeat = min(MAX_REPEAT, max(repeat * 2, min(repeat * 10, int(guess) + 1)))
    print(f"fasttext predict-prob: {repeat} x {len(lines)} paragraphs in {t:.2f} s CPU "
          f"after {startup:.2f} s to start and load the model", file=sys.stderr)
    return repeat * len(lines) / t, repeat * text_bytes / 1e6 / t


def macro_f1(pairs):
    """The contract's macro-F1: over the labels present, `none` excluded."""
    labels = sorted({t for t, _ in pairs} - {"none"})
    f1s = []
    for c in labels:
        tp = sum(t == c and p == c for t, p in pairs)
        fp = sum(t != c and p == c for t, p in pairs)
        fn = sum(t == c and p != c for t, p in pairs)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1s) / len(f1s)


def cross_validate(samples, tmp, folds=5):
    """Stratified K-fold, out-of-fold predictions pooled (as rakiza's CV)."""
    rng = random.Random(1)
    by_label = collections.defaultdict(list)
    for i, (label, _) in enumerate(samples):
        by_label[label].append(i)
    fold_of = [0] * len(samples)
    for label in sorted(by_label):
        idx = by_label[label]
        rng.shuffle(idx)
        for k, i in enumerate(idx):
            fold_of[i] = k % folds
    pred = [None] * len(samples)
    for f in range(folds):
        model = train([s for i, s in enumerate(samples) if fold_of[i] != f], tmp, "fold")
        held = [i for i in range(len(samples)) if fold_of[i] == f]
        with open(f"{tmp}/held.txt", "w", encoding="utf-8") as out:
            out.writelines(samples[i][1] + "\n" for i in held)
        got = subprocess.run(["fasttext", "predict", model, f"{tmp}/held.txt"],
                             capture_output=True, check=True, text=True).stdout.split()
        assert len(got) == len(held), "one prediction per held-out sample"
        for i, p in zip(held, got):
            pred[i] = p.removeprefix("__label__")
    pairs = [(label, p) for (label, _), p in zip(samples, pred)]
    accuracy = sum(t == p for t, p in pairs) / len(pairs)
    return accuracy, macro_f1(pairs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--paragraphs", required=True)
    ap.add_argument("--data", action="append", required=True)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--rakiza-e2e-rate", type=float, required=True,
                    help="rakiza's end-to-end paragraphs/s on the fast path")
    ap.add_argument("--tmp", required=True)
    args = ap.parse_args()
    samples = read_samples(args.data)
    model = train(samples, args.tmp, "all")
    rate, mbs = time_predict(model, args.paragraphs, args.seconds, args.tmp)
    print(f"predict.fasttext\t{mbs:.2f}\tMB/s")
    print(f"predict.fasttext_paragraphs\t{rate:.0f}\tparagraphs/s")
    print(f"predict.e2e_fast_vs_fasttext\t{args.rakiza_e2e_rate / rate:.2f}\tx")
    accuracy, f1 = cross_validate(samples, args.tmp)
    print(f"predict.fasttext_cv_macro_f1\t{f1:.3f}\tmacro-F1")
    print(f"predict.fasttext_cv_accuracy\t{accuracy:.3f}\taccuracy")


if __name__ == "__main__":
    main()
