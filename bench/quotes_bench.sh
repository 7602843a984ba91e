#!/usr/bin/env bash
# quotes_bench.sh — speed of the quotes plugin on >= 100 MB of news text,
# side by side with the npm package compromise (.quotations()) on the same
# documents in the same run. The corpus is PolNeAR train+dev texts repeated
# into a JSONL file under /tmp (never committed); compromise is installed
# with npm into a scratch directory under /tmp when missing.
#
#   bench/quotes_bench.sh [ASSAY_BIN] [TARGET_MB]
# Environment: CORPORA (default ../shared/corpora), WORK (default
# /tmp/assay-quotes-bench), JOBS (default 1: MB/s per core), CMP_MB
# (default 10): compromise reads only the first CMP_MB megabytes of the
# same JSONL, because at its speed the whole file would take hours; both
# MB/s figures are measured in the same run.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
ASSAY=${1:-$SRC/build/assay}
TARGET_MB=${2:-100}
CORPORA=${CORPORA:-$SRC/../shared/corpora}
WORK=${WORK:-/tmp/assay-quotes-bench}
JOBS=${JOBS:-1}
CMP_MB=${CMP_MB:-10}
mkdir -p "$WORK"
JSONL=$WORK/news-${TARGET_MB}mb.jsonl

if [ ! -s "$JSONL" ]; then
  python3 - "$CORPORA/polnear/data" "$JSONL" "$TARGET_MB" <<'PY'
import glob, json, sys
base, out, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
texts = [open(p, encoding="utf-8").read()
         for s in ("train", "dev") for p in sorted(glob.glob(base + "/" + s + "/text/*.txt"))]
size, rep = 0, 0
with open(out, "w", encoding="utf-8") as f:
    while size < mb * 1000 * 1000:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": "r%d-%d" % (rep, i), "text": t}) + "\n")
            size += len(t.encode("utf-8"))
        rep += 1
print("wrote %s: %.1f MB of text, %d copies of %d articles" % (out, size / 1e6, rep, len(texts)))
PY
fi
TEXT_BYTES=$(python3 -c "import json,sys; print(sum(len(json.loads(l)['text'].encode()) for l in open(sys.argv[1], encoding='utf-8')))" "$JSONL")

NODE_DIR=$WORK/node
if [ ! -d "$NODE_DIR/node_modules/compromise" ]; then
  mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && npm install --silent --no-audit --no-fund compromise >/dev/null)
fi
CVER=$(node -e "console.log(require('$NODE_DIR/node_modules/compromise/package.json').version)")
cat > "$NODE_DIR/quotes.js" <<'JS'
// Read JSONL, run compromise's .quotations() on each text, count quotes.
const nlp = require('compromise');
const fs = require('fs');
const rl = require('readline').createInterface({ input: fs.createReadStream(process.argv[2]) });
const limit = Number(process.argv[3]) * 1e6;
let docs = 0, quotes = 0, bytes = 0;
rl.on('line', (line) => {
  if (bytes >= limit) { rl.close(); return; }
  const text = JSON.parse(line).text;
  bytes += Buffer.byteLength(text);
  quotes += nlp(text).quotations().length;
  docs++;
});
rl.on('close', () => {
  console.log(`compromise: ${docs} documents, ${quotes} quotations`);
  fs.writeFileSync(process.argv[4], String(bytes));
});
JS

# Wall time and CPU time (user + sys) of each side: on a shared machine
# the CPU time is the fairer "per core" figure, and both are printed.
cpu() { awk '{printf "%.2f %.2f", $1, $2 + $3}' "$1"; }

echo "text: $((TEXT_BYTES / 1000000)) MB in $JSONL; assay -j $JOBS; compromise $CVER (node $(node --version))"
/usr/bin/time -f "%e %U %S" -o "$WORK/assay.time" \
  "$ASSAY" run quotes -q "$JSONL" -o "$WORK/out" -j "$JOBS"
(cd "$NODE_DIR" && /usr/bin/time -f "%e %U %S" -o "$WORK/cmp.time" \
  node quotes.js "$JSONL" "$CMP_MB" "$WORK/cmp_bytes")
rows=$(($(wc -l < "$WORK/out/quotes.csv") - 1))
python3 - "$TEXT_BYTES" "$(cpu "$WORK/assay.time")" "$(cpu "$WORK/cmp.time")" "$rows" "$JOBS" "$(cat "$WORK/cmp_bytes")" <<'PY'
import sys
b = int(sys.argv[1]); aw, ac = map(float, sys.argv[2].split()); cw, cc = map(float, sys.argv[3].split())
rows, jobs, cb = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print("assay quotes: wall %6.1f s = %7.3f MB/s; cpu %6.1f s = %7.3f MB/s per core  (%d records, -j %d)" % (aw, b / 1e6 / aw, ac, b / 1e6 / ac, rows, jobs))
print("compromise:   wall %6.1f s = %7.3f MB/s; cpu %6.1f s = %7.3f MB/s per core  (first %.1f MB)" % (cw, cb / 1e6 / cw, cc, cb / 1e6 / cc, cb / 1e6))
print("assay / compromise (cpu MB/s): %.0fx" % ((b / ac) / (cb / cc)))
PY
