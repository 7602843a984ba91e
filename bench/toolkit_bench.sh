#!/bin/bash
# toolkit_bench.sh — the n-gram and collocation plugins over a directory of
# text, at -j 1 and -j 2, median wall and CPU seconds and peak memory of
# RUNS rounds; with OLD_BIN, an older build run in the same rounds
# (interleaved, outputs compared byte for byte), and a Python peer: bigram
# counts (collections.Counter over lower-cased \w+ words, one run).
#   [ASSAY_BIN=build/assay] [OLD_BIN=...] [PEER=1] bench/toolkit_bench.sh [DIR] [RUNS=3]
# DIR defaults to the peers text of wordfreq_bench.sh (make it first:
# TEXT=peers bench/wordfreq_bench.sh 200 1 0): 100 files of 2 MB.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
NEW=${ASSAY_BIN:-$root/build/assay}
OLD=${OLD_BIN:-}
DIR=${1:-${TMPDIR:-/tmp}/assay-wordfreq-bench/text200-peers.d}
RUNS=${2:-3}
W=${TMPDIR:-/tmp}/assay-toolkit-bench
[ -d "$DIR" ] || { echo "no text at $DIR (see the header)" >&2; exit 2; }
mkdir -p "$W"
export LC_ALL=C
MB=$(du -sb "$DIR" | awk '{printf "%.1f", $1 / 1e6}')

# name|plugin|options
configs=("ngrams n=2|ngrams|" "ngrams n=1..3|ngrams|-O n=1..3"
         "collocations|collocations|")
builds=(new); [ -n "$OLD" ] && builds+=(old)
declare -A T C M
for r in $(seq "$RUNS"); do
  for c in "${configs[@]}"; do
    IFS='|' read -r name plugin opts <<< "$c"
    for j in 1 2; do
      for b in "${builds[@]}"; do
        bin=$NEW; [ "$b" = old ] && bin=$OLD
        out=$W/out-$b-$plugin-$j; rm -rf "$out"
        # shellcheck disable=SC2086
        /usr/bin/time -f "%e %U %S %M" -o "$W/time" \
          "$bin" run "$plugin" "$DIR" $opts -j "$j" -q --no-manifest -o "$out"
        read -r e u s m < "$W/time"
        k="$name|$j|$b"
        T[$k]="${T[$k]:-} $e"; C[$k]="${C[$k]:-} $(echo "$u + $s" | bc)"
        M[$k]="${M[$k]:-} $m"
      done
      if [ -n "$OLD" ] && ! cmp -s "$W/out-new-$plugin-$j/$plugin.csv" \
                              "$W/out-old-$plugin-$j/$plugin.csv"; then
        echo "OUTPUTS DIFFER: $name -j $j" >&2; exit 1
      fi
    done
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "text: $DIR, $MB MB, median of $RUNS rounds (wall s, CPU s, peak MB)"
printf '%-16s %-3s %-5s %8s %8s %8s %8s\n' run j build wall cpu "MB/s" peak_MB
for c in "${configs[@]}"; do
  IFS='|' read -r name plugin opts <<< "$c"
  for j in 1 2; do
    for b in "${builds[@]}"; do
      k="$name|$j|$b"
      w=$(echo "${T[$k]}" | median); cpu=$(echo "${C[$k]}" | median)
      pk=$(echo "${M[$k]}" | median)
      printf '%-16s %-3s %-5s %8.2f %8.2f %8.1f %8.0f\n' "$name" "$j" "$b" \
        "$w" "$cpu" "$(echo "$MB / $w" | bc -l)" "$(echo "$pk / 1024" | bc -l)"
    done
  done
done
[ -n "$OLD" ] && echo "outputs of both builds identical"
if [ "${PEER:-1}" = 1 ]; then
  /usr/bin/time -f "%e %U %S %M" -o "$W/time" python3 - "$DIR" <<'PY' > /dev/null
import collections, glob, re, sys
word = re.compile(r"\w+")
c = collections.Counter()
for f in sorted(glob.glob(sys.argv[1] + "/*")):
    w = word.findall(open(f, encoding="utf-8", errors="replace").read().lower())
    c.update(zip(w, w[1:]))
print(len(c))
PY
  read -r e u s m < "$W/time"
  printf '%-16s %-3s %-5s %8.2f %8.2f %8.1f %8.0f\n' "python bigrams" 1 peer \
    "$e" "$(echo "$u + $s" | bc)" "$(echo "$MB / $e" | bc -l)" \
    "$(echo "$m / 1024" | bc -l)"
fi
