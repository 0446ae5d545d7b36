#!/usr/bin/env python3
"""fasttext_compare.py - fastText beside rakiza, for bench/bench_predict.sh.

Trains a fastText supervised model on the labelled samples rakiza's default
model is trained on, times `fasttext predict-prob` over the same paragraphs
rakiza was timed on (one per line, as bench_predict --paragraphs writes
them), times `rakiza classify` over the same file the same way, and scores
fastText by stratified 5-fold cross-validation on the samples. Prints
scripts/bench rows (name<TAB>value<TAB>unit); commentary goes to stderr.

fastText (0.9.2) settings: -wordNgrams 2 -minn 3 -maxn 5 -dim 50 -thread 1
(word bigrams and character 3-5-grams, as rakiza's features; 50
dimensions), with -epoch 25 -lr 0.5 -seed 1 for training, on the text as
written (fastText splits on white space). -bucket is fastText's default
(2,000,000): the model file is about 400 MB.

Timing is CPU time (user + system) of the one process, one thread, in the
same spirit as bench_predict's per-thread CPU time: the paragraph file is
repeated until a run takes at least --seconds, and the cost of starting and
loading the model (a run over one line, the best of three) is subtracted.
fastText reads the repeats as one file; rakiza classify reads them as that
many files (documents), each paragraph a line of its own, and writes its
records (text included) where fastText writes its probabilities: to
/dev/null. The peak resident memory of each is the largest of its runs
(ru_maxrss of that process alone).
"""
import argparse
import collections
import json
import os
import random
import subprocess
import sys

SETTINGS = ["-wordNgrams", "2", "-minn", "3", "-maxn", "5", "-dim", "50",
            "-thread", "1", "-epoch", "25", "-lr", "0.5", "-seed", "1",
            "-verbose", "0"]
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
    """CPU seconds (user + system) and peak resident KB of one child command."""
    with open(os.devnull, "wb") as null:
        child = subprocess.Popen(cmd, stdout=null)
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"fasttext_compare: {cmd[0]} {cmd[1]} failed ({child.returncode})")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def time_runs(name, command, lines, seconds, tmp):
    """Paragraphs/s and MB/s of command(paths) over the paragraph lines,
    repeated until a run takes `seconds` of CPU after start-up, and the
    peak resident MB. command(one_path, repeat) gives the command line for
    the file holding the lines `repeat` times (fastText) or for that many
    copies of the file (rakiza)."""
    text_bytes = sum(len(l) - 1 for l in lines)
    with open(f"{tmp}/one.txt", "wb") as f:
        f.write(lines[0])
    with open(f"{tmp}/all.txt", "wb") as f:
        f.writelines(lines)
    startup, peak = min(cpu_of(command(f"{tmp}/one.txt", 1, 1)) for _ in range(3))
    repeat = 1
    while True:
        t, rss = cpu_of(command(f"{tmp}/all.txt", repeat, len(lines)))
        t -= startup
        peak = max(peak, rss)
        if t > 0 and (t >= seconds or repeat >= MAX_REPEAT):
            break
        if repeat >= MAX_REPEAT:
            sys.exit(f"fasttext_compare: cannot time {name} ({t:.3f} s after start-up)")
        # Grow at most tenfold a step: a short run's time is mostly noise.
        guess = repeat * 1.2 * seconds / t if t > 0 else repeat * 10
        repeat = min(MAX_REPEAT, max(repeat * 2, min(repeat * 10, int(guess) + 1)))
    print(f"{name}: {repeat} x {len(lines)} paragraphs in {t:.2f} s CPU "
          f"after {startup:.2f} s to start and load the model; "
          f"peak {peak / 1024:.0f} MB resident", file=sys.stderr)
    return repeat * len(lines) / t, repeat * text_bytes / 1e6 / t, peak / 1024


def fasttext_command(model, tmp):
    def command(path, repeat, _):
        if repeat > 1:  # one file holding the lines `repeat` times
            with open(f"{tmp}/many.txt", "wb") as out, open(path, "rb") as f:
                data = f.read()
                for _ in range(repeat):
                    out.write(data)
            path = f"{tmp}/many.txt"
        return ["fasttext", "predict-prob", model, path, "-1"]
    return command


def rakiza_command(rakiza, model):
    def command(path, repeat, _):
        return [rakiza, "classify", "--model", model] + [path] * repeat
    return command


def check_rakiza_reads_lines(rakiza, model, tmp, n):
    """rakiza classify must see each line as one paragraph, or the two
    would not be timed on the same units."""
    out = subprocess.run([rakiza, "classify", "--model", model, f"{tmp}/all.txt"],
                         capture_output=True, check=True, text=True).stdout
    got = sum(1 for l in out.splitlines() if l.startswith('{"type":"paragraph"'))
    if got != n:
        sys.exit(f"fasttext_compare: rakiza classify found {got} paragraphs "
                 f"in {n} lines")


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
    ap.add_argument("--rakiza", required=True, help="the rakiza binary")
    ap.add_argument("--model", required=True, help="rakiza's model")
    ap.add_argument("--tmp", required=True)
    args = ap.parse_args()
    samples = read_samples(args.data)
    model = train(samples, args.tmp, "all")
    lines = open(args.paragraphs, "rb").read().splitlines(keepends=True)
    rate, mbs, ft_rss = time_runs("fasttext predict-prob",
                                  fasttext_command(model, args.tmp), lines,
                                  args.seconds, args.tmp)
    check_rakiza_reads_lines(args.rakiza, args.model, args.tmp, len(lines))
    c_rate, c_mbs, c_rss = time_runs("rakiza classify",
                                     rakiza_command(args.rakiza, args.model),
                                     lines, args.seconds, args.tmp)
    print(f"predict.fasttext\t{mbs:.2f}\tMB/s")
    print(f"predict.fasttext_paragraphs\t{rate:.0f}\tparagraphs/s")
    print(f"predict.fasttext_peak_rss\t{ft_rss:.0f}\tMB")
    print(f"predict.classify\t{c_mbs:.2f}\tMB/s")
    print(f"predict.classify_paragraphs\t{c_rate:.0f}\tparagraphs/s")
    print(f"predict.classify_peak_rss\t{c_rss:.0f}\tMB")
    print(f"predict.classify_vs_fasttext\t{c_rate / rate:.2f}\tx")
    print(f"predict.e2e_fast_vs_fasttext\t{args.rakiza_e2e_rate / rate:.2f}\tx")
    accuracy, f1 = cross_validate(samples, args.tmp)
    print(f"predict.fasttext_cv_macro_f1\t{f1:.3f}\tmacro-F1")
    print(f"predict.fasttext_cv_accuracy\t{accuracy:.3f}\taccuracy")


if __name__ == "__main__":
    main()
