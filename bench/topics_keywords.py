#!/usr/bin/env python3
"""topics_keywords.py — the keyword-tally peer in Python: tokenise each
document of corpus.tsv (lower-cased [a-z0-9'] runs), look each token up in
a set of 200 keywords, print doc,keyword,count.
Usage: topics_keywords.py keywords.txt corpus.tsv > out.csv"""
import collections
import re
import sys

kw = set(open(sys.argv[1]).read().split())
word = re.compile(r"[a-z0-9']+")
out = sys.stdout
out.write("doc,keyword,count\n")
with open(sys.argv[2], encoding="utf-8") as f:
    next(f)
    for line in f:
        doc, _, text = line.partition("\t")
        c = collections.Counter(w for w in word.findall(text.lower()) if w in kw)
        for k, n in c.items():
            out.write("%s,%s,%d\n" % (doc, k, n))
