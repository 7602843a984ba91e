#!/usr/bin/env python3
"""Unigram and bigram counts (and document frequencies) of assay's
`ngrams` plugin — and unigram counts of `wordfreq` — equal those of
scikit-learn's CountVectorizer on the same documents: examples/corpus and a
generated ASCII corpus with contractions, abbreviations, numbers, hyphens
and punctuation. Skipped (exit 77) when sklearn is not importable
(Debian: python3-sklearn).

Why the settings are equivalent. assay's words are UAX #29 word-like
segments (letters/digits, joined across ' ’ . : between two letters and
. , ; ' ’ between two digits; a hyphen or any other punctuation separates),
case-folded. TOKEN_PATTERN below is that rule written as a regular
expression; on text without underscores, ß-like special foldings or
non-Latin scripts — true of both corpora, which the test checks — it
yields the same tokens. lowercase=True matches case folding there.
sklearn's bigrams run over each document's whole token list, so assay runs
with -O sentences=false (n-grams may cross sentence ends). The texts fed
to sklearn are the ones assay analysed (after its loaders strip headers),
dumped by a one-line plugin."""
import csv, io, json, os, random, subprocess, sys, tempfile

try:
    from sklearn.feature_extraction.text import CountVectorizer
except ImportError:
    print("SKIPPED: scikit-learn is not importable (apt-get install python3-sklearn)")
    sys.exit(77)

ASSAY = os.environ.get("ASSAY_BIN", "build/assay")
SRC = os.environ.get("ASSAY_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
L = r"[^\W\d_]"
TOKEN_PATTERN = (r"\w+(?:(?:(?<=" + L + r")['’.:](?=" + L + r")"
                 r"|(?<=\d)[.,;'’](?=\d))\w+)*")
passes = fails = 0

DUMP = r'''
return { name = "dump", columns = { "id", "text" },
  document = function(doc, ctx, out) out:row{ id = doc.id, text = doc.text } end }
'''

def check(cond, what, detail=""):
    global passes, fails
    if cond:
        passes += 1; print("ok -", what)
    else:
        fails += 1; print("FAIL -", what, detail, file=sys.stderr)

def run(*args):
    r = subprocess.run([ASSAY, "run", *args, "-q"], capture_output=True)
    if r.returncode != 0:
        raise SystemExit("assay run %s failed: %s" % (args, r.stderr.decode()))
    return list(csv.DictReader(io.StringIO(r.stdout.decode("utf-8"))))

def sklearn_counts(texts, n):
    v = CountVectorizer(token_pattern=TOKEN_PATTERN, lowercase=True,
                        ngram_range=(n, n))
    x = v.fit_transform(texts)
    counts = x.sum(axis=0).A1
    docs = (x > 0).sum(axis=0).A1
    return {t: (int(counts[i]), int(docs[i])) for t, i in v.vocabulary_.items()}

def generate(path):
    rnd = random.Random(1993)
    words = ("the of and to in trade energy rail port China Kazakhstan said "
             "new talks won't it's U.S. e-mail 3.5 1,000 2024 Belt Road "
             "agreement minister's O'Neil co-operation Astana x").split()
    with open(path, "w") as f:
        for k in range(300):
            parts = []
            for _ in range(rnd.randint(5, 80)):
                w = rnd.choice(words)
                parts.append(w + rnd.choice(["", "", "", ",", ".", ";", ":",
                                             "!", "?", " -", "\n", "'"]))
            f.write(json.dumps({"id": "g%03d" % k, "text": " ".join(parts)}) + "\n")

def compare(corpus, label):
    with tempfile.TemporaryDirectory() as tmp:
        dump = os.path.join(tmp, "dump.lua")
        with open(dump, "w") as f:
            f.write(DUMP)
        texts = [r["text"] for r in run(dump, corpus)]
    check(texts and all("_" not in t and "ß" not in t for t in texts),
          "%s: %d documents, none with underscores or ß" % (label, len(texts)))
    for n in (1, 2):
        want = sklearn_counts(texts, n)
        rows = run(os.path.join(SRC, "plugins", "ngrams.lua"), corpus,
                   "-O", "n=%d" % n, "-O", "numbers=true",
                   "-O", "sentences=false", "-j", "2")
        got = {r["ngram"]: (int(r["count"]), int(r["docs"])) for r in rows}
        diff = sorted(set(want.items()) ^ set(got.items()))[:8]
        check(got == want, "%s: %d-gram counts and document frequencies "
              "equal CountVectorizer's (%d distinct)" % (label, n, len(want)),
              "first differences: %s" % diff)
    want = {t: c for t, (c, d) in sklearn_counts(texts, 1).items()}
    rows = run(os.path.join(SRC, "plugins", "wordfreq.lua"), corpus,
               "-O", "numbers=true")
    got = {r["word"]: int(r["count"]) for r in rows}
    diff = sorted(set(want.items()) ^ set(got.items()))[:8]
    check(got == want, "%s: wordfreq unigram counts equal CountVectorizer's"
          % label, "first differences: %s" % diff)

def main():
    compare(os.path.join(SRC, "examples", "corpus"), "examples/corpus")
    with tempfile.TemporaryDirectory() as tmp:
        gen = os.path.join(tmp, "generated.jsonl")
        generate(gen)
        compare(gen, "generated corpus")
    print("%d passed, %d failed" % (passes, fails))
    sys.exit(1 if fails else 0)

main()
