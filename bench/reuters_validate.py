#!/usr/bin/env python3
"""reuters_validate.py — score topics.csv against Reuters-21578 TOPICS labels.

A document is predicted to carry topic T when the dictionary's count for
category T is >= k. Per topic: TP, FP, FN, precision, recall, F1, for each
k given. Documents are those of the JSONL (all of them count, including
those without any label).

Usage: reuters_validate.py DOCS.jsonl topics.csv [k ...]   (default k = 1 2 3)
"""
import csv
import json
import sys

TOPICS = ["earn", "acq", "money-fx", "grain", "crude", "trade", "interest", "ship"]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    ks = [int(k) for k in sys.argv[3:]] or [1, 2, 3]
    gold = {}
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            gold[d["id"]] = set(d["topics"])
    counts = {}
    with open(sys.argv[2], encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            counts[(row["doc_id"], row["topic"])] = int(row["count"])
    print("documents: %d" % len(gold))
    for k in ks:
        print("\nk = %d (predict T when count(T) >= %d)\n" % (k, k))
        print("| topic | gold | TP | FP | FN | precision | recall | F1 |")
        print("|---|---|---|---|---|---|---|---|")
        sp = sr = 0.0
        for t in TOPICS:
            tp = fp = fn = 0
            for doc, labels in gold.items():
                pred = counts.get((doc, t), 0) >= k
                if pred and t in labels:
                    tp += 1
                elif pred:
                    fp += 1
                elif t in labels:
                    fn += 1
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / (tp + fn) if tp + fn else 0.0
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            sp += p
            sr += r
            print("| %s | %d | %d | %d | %d | %.3f | %.3f | %.3f |"
                  % (t, tp + fn, tp, fp, fn, p, r, f1))
        print("| macro | | | | | %.3f | %.3f | |" % (sp / len(TOPICS), sr / len(TOPICS)))


if __name__ == "__main__":
    main()
