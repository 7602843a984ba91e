#!/usr/bin/env python3
"""wordfreq_table.py — the bytes of wordfreq's final counter, computed from
its output CSV the way counter.c lays a paired counter out: 16-byte slots,
capacity the power of two >= 64 keeping load <= 0.7, one 8-aligned arena
record per key (count, document count, key, NUL), and the 4-byte per-slot
stamp of the document rounds. Used by wordfreq_bench.sh and
wordfreq_vocab_bench.sh.
    python3 bench/wordfreq_table.py OUT/wordfreq.csv   # prints bytes
"""
import csv
import sys

keys = [r[0] for r in csv.reader(open(sys.argv[1], encoding="utf-8"))][1:]
cap = 64
while len(keys) > cap * 7 // 10:
    cap *= 2
arena = sum((16 + len(k.encode()) + 1 + 7) // 8 * 8 for k in keys)
print(cap * 16 + arena + cap * 4)
