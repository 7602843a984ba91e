#!/bin/bash
# wordfreq_bench.sh — wordfreq throughput side by side with its peers on the
# same English text, one run per tool per round, median of RUNS rounds:
#   assay wordfreq -j 1 and -j 2 (plain text: a directory of ~2 MB .txt
#   files, one document each, so that -j 2 has documents to share out;
#   --no-manifest: the peers hash nothing; the manifest's cost is in the
#   `default` row and in manifest_bench.sh),
#   assay wordfreq -j 1 and -j 2 over the same text as JSON Lines, one
#   ~4 KB document per line (a news corpus: document frequencies are
#   counted per document, so this is the per-document cost),
#   mawk (tolower + split on non-letters), Python collections.Counter +
#   re.findall, and `wc -w` as a floor; and `default`, assay as a user
#   runs it (no -j: every core; the manifest written, its inputs hashed).
# Text (TEXT=seed, the default): PolNeAR train+dev texts and LitBank novel
# openings; TEXT=peers: the 71.6 MB of English that the peers in
# shared/docs/BENCHMARKS.md were measured on, rebuilt by peer_text.py
# (Brown, Python docstrings, /usr/share/doc texts, man pages). Either is
# repeated into $TMPDIR to MB megabytes (10^6 bytes). Then peak memory of
# wordfreq over MEM_MB megabytes (/usr/bin/time -v) against its final table
# size, in both shapes: ~2 MB plain-text files and ~4 KB JSON Lines documents.
#   [TEXT=seed|peers] [PEERS=0] [PAIR=1] bench/wordfreq_bench.sh [MB=200] [RUNS=5] [MEM_MB=1000]
# PEERS=0 runs assay alone (no mawk, Python, wc, manifest): for the -j 2
# speed-up over many rounds, which a host whose speed drifts needs.
# Also prints how long a cache line takes between the first two
# processors, before and after the rounds (cache_line_bench.c): the host's
# placement of its two vCPUs, which moves the -j 2 figures.
# PAIR=1 (only 1) also runs, each round, two independent -j 1 runs at once (two
# processes, two tables): how much faster two copies of the one-thread
# work get done than one, the most a second core gives on this host, to
# set beside the -j 2 speed-up (and printed: -j 2's speed-up over the
# pair's).
# Everything runs with LC_ALL=C, as the peers were measured.
# Prints MB/s by wall clock and by CPU time (user + sys), the figure that
# holds on a shared machine.
# The -j 1 and -j 2 runs swap places every other round (and so do the two
# JSON Lines runs). Whichever runs right after a run of assay gets the
# memory that run just freed; the other gets memory the peers left behind,
# which this host's balloon may have handed back to the hypervisor, slow to
# touch again (RESULTS.md, sessions 16 and 17). In a fixed order -j 2
# always took that place. The speed-up is also printed for each order.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
MB=${1:-200}; RUNS=${2:-5}; MEM_MB=${3:-1000}
ASSAY=${ASSAY_BIN:-$root/build/assay}
CORPORA=${ASSAY_CORPORA:-$root/../shared/corpora}
W=${TMPDIR:-/tmp}/assay-wordfreq-bench
mkdir -p "$W"
export LC_ALL=C
case ${TEXT:=seed} in
  seed) sfx= ; basetext= ;;
  peers) sfx=-peers; basetext=$W/peers-base.txt
         [ -s "$basetext" ] || python3 "$here/peer_text.py" "$basetext" "$W/peers-npm" ;;
  *) echo "TEXT must be seed or peers" >&2; exit 2 ;;
esac
txt=$W/text$MB$sfx mem=$W/text$MEM_MB$sfx  # the text files, without extension

# ---- the text: base files repeated, as plain text and as JSON Lines -------
make_text() { # $1 = MB, $2 = out prefix, $3 = also JSON Lines (1/0)
  python3 - "$CORPORA" "$1" "$2" "${3:-0}" "$basetext" <<'PY'
import glob, json, os, sys
corp, mb, out, jl = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
files = [sys.argv[5]] if sys.argv[5] else sorted(
    glob.glob(os.path.join(corp, "polnear/data/train/text/*")) +
    glob.glob(os.path.join(corp, "polnear/data/dev/text/*")) +
    glob.glob(os.path.join(corp, "litbank-quotations/quotations/tsv/*_brat.txt")))
docs = []
for f in files:
    t = open(f, encoding="utf-8", errors="replace").read()
    docs += [t[i:i + 4000] for i in range(0, len(t), 4000)]
if not docs:
    sys.exit("no base text: " + (sys.argv[5] or "PolNeAR/LitBank under " + corp))
target, size, k = mb * 10**6, 0, 0
os.makedirs(out + ".d", exist_ok=True)
part, psize, parts = [], 0, 0
def flush():
    global part, psize, parts
    with open(os.path.join(out + ".d", "p%05d.txt" % parts), "w") as fp:
        fp.write("".join(part))
    part, psize, parts = [], 0, parts + 1
with open(out + ".txt", "w") as ft, \
     open(out + ".jsonl" if jl else os.devnull, "w") as fj:
    while size < target:
        d = docs[k % len(docs)] + "\n"; k += 1
        ft.write(d)
        fj.write(json.dumps({"id": "d%d" % k, "text": d}) + "\n")
        part.append(d); psize += len(d.encode())
        if psize >= 2 * 10**6:
            flush()
        size += len(d.encode())
if part:
    flush()
PY
}
[ -s "$txt.jsonl" ] || make_text "$MB" "$txt" 1
bytes=$(stat -c %s "$txt.txt")

cat > "$W/count.awk" <<'AWK'
{ $0 = tolower($0); n = split($0, w, /[^a-z0-9']+/)
  for (i = 1; i <= n; i++) if (w[i] != "") c[w[i]]++ }
END { for (k in c) print k, c[k] }
AWK
cat > "$W/count.py" <<'PY'
import collections, re, sys
c = collections.Counter()
pat = re.compile(r"[a-z0-9']+")
for line in open(sys.argv[1], encoding="utf-8"):
    c.update(pat.findall(line.lower()))
print(len(c))
PY

# wall and CPU (user + sys) seconds of one command, to the millisecond
# (GNU time's %e has centiseconds: 2.5 % of a 0.4 s run)
secs() { local TIMEFORMAT='%3R %3U %3S'
         { time "$@" >/dev/null 2>&1; } 2>"$W/t"
         awk '{print $1, $2 + $3}' "$W/t"; }
# how far apart the host has put the first two processors, before the
# rounds and after (cache_line_bench.c): in its slow state a cache line
# takes three times as long between them, and -j 2 on JSON Lines a fifth
# longer (RESULTS.md, session 21)
clb=$W/cache_line_bench
${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra "$here/cache_line_bench.c" -o "$clb" \
  -pthread 2>/dev/null || clb=
hosts=()
[ -z "$clb" ] || hosts+=("before: $("$clb")")
declare -A T C
tools=(assay_j1 assay_j2 assay_docs assay_docs_j2)
[ "${PEERS:-1}" = 0 ] || tools+=(mawk python wc manifest default)
run() { local t=$1; shift; local r; r=$(secs "$@"); T[$t]+=" ${r% *}"; C[$t]+=" ${r#* }"; }
for r in $(seq "$RUNS"); do
  # no output of an earlier round to replace: replacing it frees the old
  # file's blocks (6-9 ms for 4 MB here), time that is not the run's own,
  # and the peers write to /dev/null
  rm -rf "$W/out1$sfx" "$W/out2$sfx" "$W/out3$sfx" "$W/out4$sfx" "$W/outm0$sfx" \
    "$W/outd$sfx"
  one() { run assay_j1 "$ASSAY" run wordfreq "$txt.d" -j 1 -q --no-manifest -o "$W/out1$sfx"; }
  two() { run assay_j2 "$ASSAY" run wordfreq "$txt.d" -j 2 -q --no-manifest -o "$W/out2$sfx"; }
  one_docs() { run assay_docs "$ASSAY" run wordfreq "$txt.jsonl" -j 1 -q --no-manifest -o "$W/out3$sfx"; }
  two_docs() { run assay_docs_j2 "$ASSAY" run wordfreq "$txt.jsonl" -j 2 -q --no-manifest -o "$W/out4$sfx"; }
  if [ $((r % 2)) = 1 ]; then one; two; one_docs; two_docs
  else two; one; two_docs; one_docs; fi
  if [ "${PAIR:-0}" = 1 ]; then # the pair's wall time is the later one's
    rm -rf "$W/outp1$sfx" "$W/outp2$sfx"
    run pair_j1 sh -c '"$1" run wordfreq "$2" -j 1 -q --no-manifest -o "$3" & p=$!
                       "$1" run wordfreq "$2" -j 1 -q --no-manifest -o "$4"; wait $p' \
      sh "$ASSAY" "$txt.d" "$W/outp1$sfx" "$W/outp2$sfx"
    # a run of the pair that failed would make its time, and the ratio,
    # look better than they are
    cmp -s "$W/out1$sfx/wordfreq.csv" "$W/outp1$sfx/wordfreq.csv" &&
      cmp -s "$W/out1$sfx/wordfreq.csv" "$W/outp2$sfx/wordfreq.csv" ||
      { echo "PAIR=1: a run of the pair failed or wrote other rows (round $r)" >&2; exit 1; }
  fi
  [ "${PEERS:-1}" = 0 ] && continue
  run mawk mawk -f "$W/count.awk" "$txt.txt"
  run python python3 "$W/count.py" "$txt.txt"
  run wc wc -w "$txt.txt"
  run manifest "$ASSAY" run --manifest-only wordfreq "$txt.d" -q -o "$W/outm0$sfx"
  run default "$ASSAY" run wordfreq "$txt.d" -q -o "$W/outd$sfx"
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
[ -z "$clb" ] || hosts+=("after: $("$clb")")
echo "text ($TEXT): $bytes bytes, median of $RUNS runs, MB/s = 10^6 bytes/s"
for h in "${hosts[@]}"; do echo "$h"; done
printf '%-10s %8s %8s %9s %8s %9s\n' tool wall_s MB/s "x mawk" cpu_s "cpu MB/s"
m_mawk=$(echo "${T[mawk]:-0}" | median)
for t in "${tools[@]}"; do
  s=$(echo "${T[$t]}" | median); c=$(echo "${C[$t]}" | median)
  printf '%-10s %8.3f %8.1f %9.2f %8.3f %9.1f\n' "$t" "$s" "$(echo "$bytes/$s/1000000" | bc -l)" \
    "$(echo "$m_mawk/$s" | bc -l)" "$c" "$(echo "$bytes/($c+0.001)/1000000" | bc -l)"
done
# The speed-up as the ratio of the medians, and as the median of each
# round's own ratio: a round's -j 1 and -j 2 runs follow each other, so the
# latter is less swayed by a host whose speed drifts between rounds.
ratios() { paste <(echo "$1" | tr ' ' '\n' | grep .) <(echo "$2" | tr ' ' '\n' | grep .) |
           awk '{printf "%.6f\n", $1 / $2}' | median; }
s1=$(echo "${T[assay_j1]}" | median); s2=$(echo "${T[assay_j2]}" | median)
printf 'assay -j 2 / -j 1 speed-up: %.2f (median of the rounds'"'"' own ratios: %.2f)\n' \
  "$(echo "$s1/$s2" | bc -l)" "$(ratios "${T[assay_j1]}" "${T[assay_j2]}")"
# each order's rounds alone: odd rounds ran -j 1 first, even rounds -j 2
every() { echo "$1" | tr ' ' '\n' | grep . | awk -v k="$2" 'NR % 2 == k' | tr '\n' ' '; }
if [ "$RUNS" -ge 2 ]; then
  for k in 1 0; do
    a=$(every "${T[assay_j1]}" $k); b=$(every "${T[assay_j2]}" $k)
    printf '  rounds with -j %s first: %.2f (their own ratios: %.2f)\n' "$((2 - k))" \
      "$(echo "$(echo "$a" | median)/$(echo "$b" | median)" | bc -l)" "$(ratios "$a" "$b")"
  done
fi
s3=$(echo "${T[assay_docs]}" | median); s4=$(echo "${T[assay_docs_j2]}" | median)
printf 'assay -j 2 / -j 1 speed-up, JSON Lines: %.2f (median of the rounds'"'"' own ratios: %.2f)\n' \
  "$(echo "$s3/$s4" | bc -l)" "$(ratios "${T[assay_docs]}" "${T[assay_docs_j2]}")"
if [ "${PAIR:-0}" = 1 ]; then # two runs' work in the pair's time
  sp=$(echo "${T[pair_j1]}" | median)
  twice=$(echo "${T[assay_j1]}" | tr ' ' '\n' | grep . | awk '{printf "%.6f ", 2 * $1}')
  printf 'two independent -j 1 runs at once: %.3f s (median), both outputs identical to -j 1'"'"'s\n' "$sp"
  printf 'two independent -j 1 runs at once / one -j 1 run: %.2f (median of the rounds'"'"' own ratios: %.2f)\n' \
    "$(echo "2*$s1/$sp" | bc -l)" "$(ratios "$twice" "${T[pair_j1]}")"
  # what -j 2 gets of what this host gives two copies of the one-thread
  # work in the same sitting: its speed-up over the pair's, which drifts
  # with the host (1.78-1.96 by sitting in session 21)
  twoj2=$(echo "${T[assay_j2]}" | tr ' ' '\n' | grep . | awk '{printf "%.6f ", 2 * $1}')
  printf -- '-j 2 speed-up / the pair'"'"'s: %.3f (median of the rounds'"'"' own ratios: %.3f)\n' \
    "$(echo "$sp/(2*$s2)" | bc -l)" "$(ratios "${T[pair_j1]}" "$twoj2")"
fi
cmp -s "$W/out1$sfx/wordfreq.csv" "$W/out2$sfx/wordfreq.csv" && echo "-j 1 and -j 2 outputs identical"
cmp -s "$W/out3$sfx/wordfreq.csv" "$W/out4$sfx/wordfreq.csv" && echo "-j 1 and -j 2 outputs identical (JSON Lines)"
[ "${PEERS:-1}" = 0 ] || { cmp -s "$W/out1$sfx/wordfreq.csv" "$W/outd$sfx/wordfreq.csv" &&
  echo "default run's output identical to -j 1's"; }

# ---- peak memory over MEM_MB vs the final table --------------------------
if [ "$MEM_MB" -gt 0 ]; then
  [ -d "$mem.d" ] && [ -s "$mem.jsonl" ] ||
    make_text "$MEM_MB" "$mem" 1
  /usr/bin/time -v "$ASSAY" run wordfreq "$mem.d" -j 1 -q \
    --no-manifest -o "$W/outm$sfx" 2>"$W/time$sfx.txt"
  peak=$(awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}' "$W/time$sfx.txt")
  /usr/bin/time -v "$ASSAY" run wordfreq "$mem.jsonl" -j 1 -q \
    --no-manifest -o "$W/outmj$sfx" 2>"$W/timej$sfx.txt"
  peakj=$(awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print $2}' "$W/timej$sfx.txt")
  # final table: the bytes of wordfreq's counter as counter.c lays it out
  table=$(python3 "$here/wordfreq_table.py" "$W/outm$sfx/wordfreq.csv")
  base=$(/usr/bin/time -f %M "$ASSAY" run wordfreq "$root/examples/corpus" -q -o "$W/outb$sfx" 2>&1 >/dev/null | tail -1)
  echo "peak RSS over $MEM_MB MB: ${peak} KB as ~2 MB text files, ${peakj} KB as ~4 KB JSON Lines documents;" \
       "distinct words: $(( $(wc -l < "$W/outm$sfx/wordfreq.csv") - 1 ));" \
       "final table (one paired counter): $((table / 1024)) KB; process baseline (tiny corpus): ${base} KB;" \
       "peak / table = $(echo "$peak*1024/$table" | bc -l | cut -c1-5) (files)," \
       "$(echo "$peakj*1024/$table" | bc -l | cut -c1-5) (JSON Lines);" \
       "(peak - baseline) / table = $(echo "($peak-$base)*1024/$table" | bc -l | cut -c1-5) (files)"
fi
