#!/bin/bash
# wordfreq_vocab_bench.sh — wordfreq's peak memory against its final table
# when the vocabulary is large. wordfreq_bench.sh repeats real text, so its
# vocabulary stays at ~34,000 words and the process itself outweighs the
# table; here the text is made up so that the table dominates: WORDS
# distinct 3–12-letter words (fixed seed), drawn with Zipf-like (1/rank)
# frequencies into 40 files of 400,000 words (~133 MB), which are listed
# REPEAT times (symlinks) to make the corpus (REPEAT=8: ~1.06 GB).
#   bench/wordfreq_vocab_bench.sh [WORDS=1000000] [REPEAT=8]
# Prints the peak RSS (/usr/bin/time -v), CPU seconds, distinct words
# counted, the final table's size (counter.c's layout: wordfreq_table.py)
# and peak / table.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
WORDS=${1:-1000000}; REPEAT=${2:-8}
ASSAY=${ASSAY_BIN:-$root/build/assay}
W=${TMPDIR:-/tmp}/assay-vocab-bench-$WORDS
mkdir -p "$W/text" "$W/corpus"

if [ ! -s "$W/text/p39.txt" ]; then
  python3 - "$W/text" "$WORDS" <<'PY'
import math, os, random, sys
out, nwords = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
letters = "abcdefghijklmnopqrstuvwxyz"
words, seen = [], set()
while len(words) < nwords:
    w = "".join(rng.choice(letters) for _ in range(rng.randint(3, 12)))
    if w not in seen:
        seen.add(w)
        words.append(w)
logn = math.log(nwords)
for f in range(40):
    toks = [words[int(math.exp(rng.random() * logn)) - 1] for _ in range(400000)]
    with open(os.path.join(out, "p%02d.txt" % f), "w") as fp:
        fp.write(" ".join(toks) + "\n")
PY
fi
for r in $(seq 1 "$REPEAT"); do
  for f in "$W"/text/p*.txt; do ln -sf "$f" "$W/corpus/r${r}_$(basename "$f")"; done
done
bytes=$(cat "$W"/corpus/* | wc -c)

/usr/bin/time -v "$ASSAY" run wordfreq "$W/corpus" -j 1 -q --no-manifest \
  -o "$W/out" 2>"$W/time.txt"
peak=$(awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}' "$W/time.txt")
cpu=$(awk -F: '/User time/ {u=$2} /System time/ {s=$2} END {print u+s}' "$W/time.txt")
table=$(python3 "$here/wordfreq_table.py" "$W/out/wordfreq.csv")
echo "corpus: $bytes bytes; distinct words: $(( $(wc -l < "$W/out/wordfreq.csv") - 1 ));" \
     "CPU ${cpu} s; peak RSS ${peak} KB; final table $((table / 1024)) KB;" \
     "peak / table = $(echo "$peak*1024/$table" | bc -l | cut -c1-5)"
