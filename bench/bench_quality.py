#!/usr/bin/env python3
"""bench_quality.py - rakiza, scikit-learn and fastText on the same folds.

Reads the labelled samples (--data, in the order they were given to
`rakiza train`) and the grouped cross-validation `rakiza train --cv-out`
wrote for them: one line per sample, index<TAB>group<TAB>fold<TAB>lang
<TAB>true label<TAB>rakiza's held-out prediction (empty: abstained). For
each fold, scikit-learn and fastText are trained on the other folds'
samples and predict the fold's; rakiza's predictions are the file's. All
three are scored the same way, as rakiza scores itself (models/evaluate.h):
macro-F1 over the labels present in the true labels of the samples scored,
`none` excluded; an abstention is wrong unless the truth is `none`.
Overall, per language (ar, en) and per class.

The peers, as the issue states them:
  scikit-learn  TF-IDF of word 1-2-grams and char_wb 3-5-grams (sublinear
                tf, two vectorisers side by side, fitted on the training
                part only) and LinearSVC (one-vs-rest, C = 1, balanced
                class weights as rakiza's default), random_state 1;
  fastText      `fasttext supervised -wordNgrams 2 -minn 3 -maxn 5 -dim 50`
                with -epoch 25 -lr 0.5 -bucket 200000 (bench/
                fasttext_compare.py's choices) -thread 1 -seed 1, on the
                text with white space collapsed; skipped, with a message,
                when fasttext is not installed.
Neither is tuned per fold; rakiza picks C by its grid when asked (--grid).

Prints scripts/bench rows (name<TAB>value<TAB>unit) on stdout and a
Markdown table on stderr (and to --table FILE when given).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

LANGS = ("ar", "en")
FASTTEXT = ["-wordNgrams", "2", "-minn", "3", "-maxn", "5", "-dim", "50",
            "-epoch", "25", "-lr", "0.5", "-bucket", "200000",
            "-thread", "1", "-seed", "1", "-verbose", "0"]


def read_samples(paths):
    texts = []
    for path in paths:
        for line in open(path, encoding="utf-8"):
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts


def read_cv(path):
    rows = []
    for n, line in enumerate(open(path, encoding="utf-8")):
        f = line.rstrip("\n").split("\t")
        if len(f) != 6 or int(f[0]) != n:
            sys.exit(f"bench_quality: {path}:{n + 1}: not index<TAB>group<TAB>"
                     "fold<TAB>lang<TAB>label<TAB>prediction in order")
        rows.append({"group": f[1], "fold": int(f[2]), "lang": f[3],
                     "truth": f[4], "rakiza": f[5] or None})
    return rows


def f1_of(pairs, label):
    tp = sum(t == label and p == label for t, p in pairs)
    fp = sum(t != label and p == label for t, p in pairs)
    fn = sum(t == label and p != label for t, p in pairs)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def macro_f1(pairs):
    """rakiza's macro-F1: labels present in the truth, `none` excluded; a
    None prediction (abstained) is wrong unless the truth is none."""
    pairs = [(t, p if p is not None else ("none" if t == "none" else None))
             for t, p in pairs]
    labels = sorted({t for t, _ in pairs} - {"none"})
    return sum(f1_of(pairs, c) for c in labels) / len(labels) if labels else 0.0


def run_sklearn(texts, rows, folds):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion
    from sklearn.svm import LinearSVC
    pred = [None] * len(rows)
    for k in range(folds):
        tr = [i for i, r in enumerate(rows) if r["fold"] != k]
        te = [i for i, r in enumerate(rows) if r["fold"] == k]
        vec = FeatureUnion([
            ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2),
                                     sublinear_tf=True)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                                     sublinear_tf=True))])
        X = vec.fit_transform([texts[i] for i in tr])
        clf = LinearSVC(C=1.0, class_weight="balanced", random_state=1)
        clf.fit(X, [rows[i]["truth"] for i in tr])
        for i, p in zip(te, clf.predict(vec.transform([texts[i] for i in te]))):
            pred[i] = str(p)
    return pred


def run_fasttext(texts, rows, folds, tmp):
    pred = [None] * len(rows)
    flat = [" ".join(t.split()) for t in texts]
    for k in range(folds):
        tr = [i for i, r in enumerate(rows) if r["fold"] != k]
        te = [i for i, r in enumerate(rows) if r["fold"] == k]
        with open(f"{tmp}/train.txt", "w", encoding="utf-8") as f:
            f.writelines(f"__label__{rows[i]['truth']} {flat[i]}\n" for i in tr)
        with open(f"{tmp}/test.txt", "w", encoding="utf-8") as f:
            f.writelines(flat[i] + "\n" for i in te)
        subprocess.run(["fasttext", "supervised", "-input", f"{tmp}/train.txt",
                        "-output", f"{tmp}/model"] + FASTTEXT, check=True)
        got = subprocess.run(["fasttext", "predict", f"{tmp}/model.bin",
                              f"{tmp}/test.txt"], capture_output=True,
                             check=True, text=True).stdout.splitlines()
        if len(got) != len(te):
            sys.exit(f"bench_quality: fasttext gave {len(got)} predictions "
                     f"for {len(te)} samples")
        for i, p in zip(te, got):
            pred[i] = p.strip().removeprefix("__label__") or None
    return pred


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", action="append", required=True)
    ap.add_argument("--cv", required=True, help="rakiza train --cv-out's file")
    ap.add_argument("--tmp", required=True)
    ap.add_argument("--table", help="also write the Markdown table here")
    args = ap.parse_args()
    texts = read_samples(args.data)
    rows = read_cv(args.cv)
    if len(texts) != len(rows):
        sys.exit(f"bench_quality: {len(texts)} samples but {len(rows)} lines "
                 f"in {args.cv}")
    folds = max(r["fold"] for r in rows) + 1
    systems = {"rakiza": [r["rakiza"] for r in rows]}
    try:
        systems["scikit-learn"] = run_sklearn(texts, rows, folds)
    except ImportError as e:
        print(f"bench_quality: scikit-learn skipped: {e} (Debian: python3-sklearn)",
              file=sys.stderr)
    if shutil.which("fasttext"):
        systems["fastText"] = run_fasttext(texts, rows, folds, args.tmp)
    else:
        print("bench_quality: fastText skipped: fasttext is not installed "
              "(Debian: fasttext)", file=sys.stderr)

    labels = sorted({r["truth"] for r in rows})
    cols = ["macro-F1", "ar", "en"] + [f"F1 {c}" for c in labels]
    table = {}
    for name, pred in systems.items():
        key = name.lower().replace("-", "")
        pairs = [(r["truth"], p) for r, p in zip(rows, pred)]
        vals = [macro_f1(pairs)]
        print(f"quality.{key}_macro_f1\t{vals[0]:.3f}\tmacro-F1")
        for lang in LANGS:
            sub = [pr for pr, r in zip(pairs, rows) if r["lang"] == lang]
            v = macro_f1(sub) if sub else float("nan")
            vals.append(v)
            if sub:
                print(f"quality.{key}_macro_f1_{lang}\t{v:.3f}\tmacro-F1")
        scored = [(t, p if p is not None else ("none" if t == "none" else None))
                  for t, p in pairs]
        for c in labels:
            v = f1_of(scored, c)
            vals.append(v)
            print(f"quality.{key}_f1_{c}\t{v:.3f}\tF1")
        acc = sum(t == p for t, p in scored) / len(scored)
        print(f"quality.{key}_accuracy\t{acc:.3f}\taccuracy")
        table[name] = vals

    n_lang = {lang: sum(r["lang"] == lang for r in rows) for lang in LANGS}
    n_label = {c: sum(r["truth"] == c for r in rows) for c in labels}
    groups = len({r["group"] for r in rows})
    head = (["system", "macro-F1", f"ar (n {n_lang['ar']})", f"en (n {n_lang['en']})"]
            + [f"{c} (n {n_label[c]})" for c in labels])
    lines = [f"{len(rows)} samples, {groups} groups, grouped {folds}-fold CV "
             "(the folds of `rakiza train --cv-out`); F1 per class, `none` "
             "not in macro-F1", "",
             "| " + " | ".join(head) + " |",
             "|" + "---|" * len(head)]
    for name, vals in table.items():
        lines.append("| " + " | ".join([name] + [f"{v:.3f}" for v in vals]) + " |")
    text = "\n".join(lines) + "\n"
    sys.stderr.write(text)
    if args.table:
        with open(args.table, "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
