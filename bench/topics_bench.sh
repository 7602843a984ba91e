#!/bin/sh
# topics_bench.sh — throughput of the topics plugin, one thread, and the
# keyword-tally peer task side by side (assay topics, mawk, Python).
# Usage: bench/topics_bench.sh [ASSAY_BIN] [MB] [RUNS]   (defaults build/assay 200 3)
# Data goes to ${TMPDIR:-/tmp}/assay-topics-bench (Reuters-21578 text repeated
# into ~20 KB documents, or generated text without the corpus).
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$SRC/build/assay}
MB=${2:-200}
RUNS=${3:-3}
W=${TMPDIR:-/tmp}/assay-topics-bench
R=$SRC/../shared/corpora/reuters21578/data
mkdir -p "$W"
if [ ! -f "$W/corpus.tsv" ]; then
  [ -d "$R" ] && python3 "$SRC/bench/reuters_to_jsonl.py" "$R" "$W/reuters.jsonl" 2>/dev/null
  python3 "$SRC/bench/topics_make_data.py" "$W" "$MB" "$W/reuters.jsonl"
fi
BYTES=$(stat -c %s "$W/corpus.tsv")

# median CPU time (user + system, seconds) of RUNS runs of a command: CPU
# time, not wall time, because the benchmark machine is shared. For -j 2
# this is the CPU summed over both threads.
median() {
  for i in $(seq "$RUNS"); do
    /usr/bin/time -f "%U %S" -o "$W/time" "$@" >/dev/null 2>&1
    awk '{print $1 + $2}' "$W/time"
  done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
rate() { echo "scale=1; $BYTES / 1000000 / $1" | bc -l; }

cat "$W/corpus.tsv" >/dev/null  # page cache
# the matcher alone (no loader, Lua or CSV): C kernel bench
KB=$W/topics_kernel_bench
LIB=$(dirname "$BIN")/libassay.a
if [ -f "$LIB" ] && gcc -std=gnu11 -O2 -I"$SRC/core/include" -I"$SRC/core/src" \
     "$SRC/bench/topics_kernel_bench.c" "$LIB" -o "$KB" \
     $(pkg-config --libs lua5.4 jansson libutf8proc zlib yaml-0.1 libxxhash) -lcsv \
     -lpthread -lm -ldl; then
  echo "kernel, 500-entry dictionary:"; "$KB" "$W/dict500.csv" "$W/corpus.tsv"
  echo "kernel, 200 keywords:"; "$KB" "$W/keywords.csv" "$W/corpus.tsv"
fi
t_d500=$(median "$BIN" run topics "$W/corpus.tsv" -j 1 -q -O dictionary="$W/dict500.csv" -o "$W/o1")
t_kw=$(median "$BIN" run topics "$W/corpus.tsv" -j 1 -q -O dictionary="$W/keywords.csv" -o "$W/o2")
t_kw2=$(median "$BIN" run topics "$W/corpus.tsv" -j 2 -q -O dictionary="$W/keywords.csv" -o "$W/o3")
# the same without the run manifest (the loader's XXH3 of the input as it
# reads it, which the peers do not compute)
t_d500n=$(median "$BIN" run topics "$W/corpus.tsv" -j 1 -q -O dictionary="$W/dict500.csv" -o "$W/o4" --no-manifest)
t_kwn=$(median "$BIN" run topics "$W/corpus.tsv" -j 1 -q -O dictionary="$W/keywords.csv" -o "$W/o5" --no-manifest)
t_mawk=$(median mawk -v KW="$W/keywords.txt" -f "$SRC/bench/topics_keywords.awk" "$W/corpus.tsv")
t_py=$(median python3 "$SRC/bench/topics_keywords.py" "$W/keywords.txt" "$W/corpus.tsv")
echo "corpus: $BYTES bytes, $(($(wc -l < "$W/corpus.tsv") - 1)) documents; median CPU time of $RUNS runs"
echo "| run | CPU seconds | MB/s per CPU second | vs mawk |"
echo "|---|---|---|---|"
for x in "topics, 500-entry dictionary (words, globs, phrases), -j 1:$t_d500" \
         "topics, 200 keywords, -j 1:$t_kw" "topics, 200 keywords, -j 2:$t_kw2" \
         "topics, 500-entry dictionary, -j 1, --no-manifest:$t_d500n" \
         "topics, 200 keywords, -j 1, --no-manifest:$t_kwn" \
         "mawk keyword tally:$t_mawk" "Python tokenise + set look-up:$t_py"; do
  name=${x%:*}; t=${x##*:}
  echo "| $name | $t | $(rate "$t") | $(echo "scale=2; $t_mawk / $t" | bc -l)× |"
done
