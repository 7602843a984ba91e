#!/bin/bash
# manifest_bench.sh — what writing the run manifest costs a run: the
# default run (`assay run wordfreq DIR -o OUT`: all cores, the manifest
# written, every input hashed) against the same run with --no-manifest,
# and optionally against another build's default run, in interleaved
# rounds, on two shapes of the same text:
#   a corpus of small files (each ~4 KB JSON Lines document of
#   wordfreq_bench.sh's text as a file of its own, 1,000 a directory: the
#   per-file costs, system calls and hashing),
#   and wordfreq_bench.sh's directory of ~2 MB text files.
# Usage: [TEXT=seed|peers] bench/manifest_bench.sh [ROUNDS=7] [OLD_BIN]
# ASSAY_BIN picks the build (build/assay); run wordfreq_bench.sh with the
# same TEXT and MB=200 first, for its text. Prints, per corpus and run, the
# median and least wall and CPU (user + sys) seconds, and checks that the
# runs' wordfreq.csv are the same.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
ROUNDS=${1:-7}; OLD=${2:-}
ASSAY=${ASSAY_BIN:-$root/build/assay}
W=${TMPDIR:-/tmp}/assay-wordfreq-bench
case ${TEXT:=seed} in seed) sfx= ;; peers) sfx=-peers ;;
  *) echo "TEXT must be seed or peers" >&2; exit 2 ;; esac
big=$W/text200$sfx.d jsonl=$W/text200$sfx.jsonl small=$W/small200$sfx.d
if [ ! -d "$big" ] || [ ! -s "$jsonl" ]; then
  echo "no $big or $jsonl: run TEXT=$TEXT bench/wordfreq_bench.sh 200 first" >&2
  exit 2
fi
if [ ! -d "$small" ]; then
  python3 - "$jsonl" "$small" <<'PY'
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
tmp = out + ".tmp"
for i, line in enumerate(open(src, encoding="utf-8")):
    d = os.path.join(tmp, "d%03d" % (i // 1000))
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "%06d.txt" % i), "w", encoding="utf-8") as f:
        f.write(json.loads(line)["text"])
os.rename(tmp, out)
PY
fi
export LC_ALL=C
TIMEFORMAT='%R %U %S'
runs="new nomanifest"; [ -n "$OLD" ] && runs="old $runs"
for corpus in "$small" "$big"; do
  cat "$corpus"/* "$corpus"/*/* >/dev/null 2>&1 || true # page cache
  for r in $(seq "$ROUNDS"); do
    for v in $runs; do
      out=$W/manifest-$v
      rm -rf "$out"
      case $v in
        old) cmd=("$OLD" run wordfreq "$corpus" -q -o "$out") ;;
        new) cmd=("$ASSAY" run wordfreq "$corpus" -q -o "$out") ;;
        nomanifest) cmd=("$ASSAY" run wordfreq "$corpus" -q --no-manifest -o "$out") ;;
      esac
      { time "${cmd[@]}" >/dev/null 2>&1; } 2>"$W/manifest-time"
      echo "$v $(cat "$W/manifest-time")"
    done
  done | python3 -c '
import statistics as st, sys
d = {}
for l in sys.stdin:
    k, w, u, s = l.split()
    d.setdefault(k, ([], []))
    d[k][0].append(float(w)); d[k][1].append(float(u) + float(s))
print("%s (%d rounds)" % (sys.argv[1], len(d["new"][0])))
print("| run | wall median (least) | CPU median (least) |")
print("|---|---|---|")
for k in sys.argv[2:]:
    w, c = d[k]
    print("| %s | %.3f (%.3f) | %.3f (%.3f) |" % (k, st.median(w), min(w), st.median(c), min(c)))
n = st.median(d["nomanifest"][1])
for k in sys.argv[2:]:
    if k != "nomanifest":
        print("%s: the manifest costs %+.3f s of CPU (medians)" % (k, st.median(d[k][1]) - n))
' "$(basename "$corpus")" $runs
  for v in $runs; do
    cmp -s "$W/manifest-new/wordfreq.csv" "$W/manifest-$v/wordfreq.csv" ||
      { echo "wordfreq.csv of $v differs" >&2; exit 1; }
  done
done
