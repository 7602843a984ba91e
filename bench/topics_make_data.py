#!/usr/bin/env python3
"""topics_make_data.py — inputs for bench/topics_bench.sh (written to /tmp).

  corpus.tsv     id<TAB>text, ~20 KB documents built by concatenating the
                 Reuters-21578 texts (or generated English-like text when the
                 corpus is absent) until TOTAL_MB is reached
  keywords.txt   the 200 most frequent words of length >= 4 (peer task)
  keywords.csv   the same as a dictionary: one category per keyword
  dict500.csv    a 500-entry dictionary over 10 categories: 300 words,
                 120 prefix globs, 30 suffix globs, 50 two-word phrases

Usage: topics_make_data.py OUTDIR TOTAL_MB [DOCS_JSONL]
"""
import collections
import json
import os
import random
import re
import sys


def texts(jsonl):
    if jsonl and os.path.exists(jsonl):
        with open(jsonl, encoding="utf-8") as f:
            for line in f:
                t = json.loads(line)["text"]
                if t:
                    yield t
        return
    rnd = random.Random(1)
    words = ("trade energy oil market bank rate price export import grain wheat "
             "ship port policy government company share profit dollar currency "
             "the of and to in a for on with by said will would year percent").split()
    for _ in range(20000):
        yield " ".join(rnd.choice(words) for _ in range(150)) + "."


def main():
    out, total = sys.argv[1], int(sys.argv[2]) * 10**6
    src = list(texts(sys.argv[3] if len(sys.argv) > 3 else None))
    os.makedirs(out, exist_ok=True)
    freq = collections.Counter()
    for t in src[:5000]:
        freq.update(re.findall(r"[a-z]{4,}", t.lower()))
    vocab = [w for w, _ in freq.most_common(2000)]
    n = size = 0
    with open(os.path.join(out, "corpus.tsv"), "w", encoding="utf-8") as f:
        f.write("id\ttext\n")
        i = 0
        while size < total:
            doc = []
            dlen = 0
            while dlen < 20000:
                t = src[i % len(src)].replace("\t", " ").replace("\n", " ")
                doc.append(t)
                dlen += len(t) + 1
                i += 1
            line = "d%06d\t%s\n" % (n, " ".join(doc))
            f.write(line)
            size += len(line.encode("utf-8"))
            n += 1
    kws = vocab[:200]
    with open(os.path.join(out, "keywords.txt"), "w") as f:
        f.write("\n".join(kws) + "\n")
    with open(os.path.join(out, "keywords.csv"), "w") as f:
        for k in kws:
            f.write("%s,%s\n" % (k, k))
    rnd = random.Random(2)
    rows = []
    for j, w in enumerate(vocab[200:500]):
        rows.append(("c%d" % (j % 10), w))
    for j, w in enumerate(vocab[500:620]):
        rows.append(("c%d" % (j % 10), w[:5] + "*"))
    for j, w in enumerate(vocab[620:650]):
        rows.append(("c%d" % (j % 10), "*" + w[-4:]))
    for j in range(50):
        rows.append(("c%d" % (j % 10), "%s %s" % (rnd.choice(vocab[:300]), rnd.choice(vocab[:300]))))
    seen = set()
    with open(os.path.join(out, "dict500.csv"), "w") as f:
        for c, t in rows:
            if t not in seen:
                seen.add(t)
                f.write("%s,%s\n" % (c, t))
    print("%d documents, %.1f MB; %d dictionary entries" % (n, size / 1e6, len(seen)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
