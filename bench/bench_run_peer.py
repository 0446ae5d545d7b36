#!/usr/bin/env python3
"""The Python peer of bench/bench_run.sh: what a team would write first with
confluent-kafka and scikit-learn, to set rakiza run's throughput beside it.

Trains TF-IDF (word 1-2 grams + char_wb 3-5 grams, sublinear tf) and a
LinearSVC once on the labelled samples (models/data/*.jsonl), before the
clock; caches the fitted pipeline in --cache so repeats skip training. Then,
as a member of consumer group --group, reads JSON envelopes from --in in
batches of up to --batch messages; for each document splits the text on
blank lines, classifies the paragraphs in one call, produces one JSON
record per paragraph (keyed by the document id, with label and scores) to
--out; after each batch flushes the producer and commits the offsets
synchronously. Stops after --docs documents and writes one JSON object to
--result: when its partitions were assigned (time.time()), its CPU time
then and at the end (time.process_time(): this process, all threads), the
time its threads waited for a core (run-queue time) then and at the end, its
peak RSS and what it read and wrote.
"""
import argparse
import json
import os
import pickle
import re
import resource
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.svm import LinearSVC

BLANK = re.compile(r"\n\s*\n")


def train(files):
    texts, labels = [], []
    for path in files:
        for line in open(path, encoding="utf-8"):
            r = json.loads(line)
            texts.append(r["text"])
            labels.append(r["label"])
    features = FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)),
    ])
    model = make_pipeline(features, LinearSVC(C=1.0))
    model.fit(texts, labels)
    return model


def load_model(files, cache):
    if cache and os.path.exists(cache):
        with open(cache, "rb") as f:
            return pickle.load(f)
    model = train(files)
    if cache:
        with open(cache, "wb") as f:
            pickle.dump(model, f)
    return model


def queued():
    """Seconds this process's threads waited for a core (run-queue time)."""
    total = 0
    for t in os.listdir("/proc/self/task"):
        try:
            total += int(open(f"/proc/self/task/{t}/schedstat").read().split()[1])
        except (OSError, IndexError, ValueError):
            pass
    return total / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brokers", required=True)
    ap.add_argument("--in", dest="in_topic", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--docs", type=int, required=True)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--cache")
    ap.add_argument("--result", required=True)
    ap.add_argument("train", nargs="+")
    a = ap.parse_args()

    model = load_model(a.train, a.cache)
    classes = [str(c) for c in model.classes_]
    state = {"assigned": None, "cpu_assigned": None, "queued_assigned": None}

    def on_assign(consumer, parts):
        if parts and state["assigned"] is None:
            state["assigned"] = time.time()
            state["cpu_assigned"] = time.process_time()
            state["queued_assigned"] = queued()
        print(f"assigned {len(parts)} partition(s)", file=sys.stderr, flush=True)

    consumer = Consumer({"bootstrap.servers": a.brokers, "group.id": a.group,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    producer = Producer({"bootstrap.servers": a.brokers, "linger.ms": 5,
                         "enable.idempotence": True})
    consumer.subscribe([a.in_topic], on_assign=on_assign)
    docs = records = 0
    while docs < a.docs:
        msgs = consumer.consume(num_messages=a.batch, timeout=0.1)
        for m in msgs:
            if m.error():
                raise KafkaException(m.error())
            doc = json.loads(m.value())
            paras = [p for p in BLANK.split(doc["text"]) if p.strip()]
            if paras:
                scores = model.decision_function(paras)
                for i, (p, row) in enumerate(zip(paras, scores)):
                    best = int(row.argmax())
                    rec = {"type": "paragraph", "doc_id": doc["id"], "index": i,
                           "count": len(paras), "label": classes[best],
                           "scores": dict(zip(classes, map(float, row))), "text": p,
                           "source": {"topic": m.topic(), "partition": m.partition(),
                                      "offset": m.offset()}}
                    while True:
                        try:
                            producer.produce(a.out, key=doc["id"],
                                             value=json.dumps(rec, ensure_ascii=False))
                            break
                        except BufferError:
                            producer.poll(0.1)
                    records += 1
                producer.poll(0)
            docs += 1
        if msgs:
            if producer.flush(60) != 0:
                sys.exit("bench_run_peer: output not delivered")
            consumer.commit(asynchronous=False)
    cpu_end, queued_end = time.process_time(), queued()
    consumer.close()
    result = {"assigned": state["assigned"], "cpu_assigned": state["cpu_assigned"],
              "cpu_end": cpu_end, "queued_assigned": state["queued_assigned"],
              "queued_end": queued_end, "docs": docs, "records": records,
              "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}
    with open(a.result, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
