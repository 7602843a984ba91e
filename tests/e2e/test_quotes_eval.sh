#!/usr/bin/env bash
# test_quotes_eval.sh — PolNeAR dev regression gate for the quotes plugin:
# runs bench/eval_quotes.py and fails when a score falls more than 2 points
# below the floor recorded in bench/quotes_floor.txt (the numbers of
# bench/RESULTS.md). Skips without ../shared.
source "$(dirname "$0")/lib.sh"
DEV=$ASSAY_SHARED_DIR/corpora/polnear/data/dev
[ -d "$DEV" ] || skip_all "no PolNeAR dev split at $DEV (../shared not mounted)"

expect_exit 0 "eval_quotes on PolNeAR dev" -- python3 "$SRC/bench/eval_quotes.py" \
  --assay "$ASSAY_BIN" --corpora "$ASSAY_SHARED_DIR/corpora" --split dev \
  --no-litbank --json "$T/scores.json"
cat "$T/out"
python3 - "$T/scores.json" "$SRC/bench/quotes_floor.txt" <<'PY' && pass "scores within 2 points of the floor" || fail "scores fell below the floor"
import json, sys
scores = json.load(open(sys.argv[1]))["dev"]
bad = 0
for line in open(sys.argv[2]):
    line = line.split("#")[0].split()
    if not line:
        continue
    view, metric, floor = line[0], line[1], float(line[2])
    got = scores[view][metric]
    if got < floor - 2.0:
        print("  %s %s = %.1f, floor %.1f - 2" % (view, metric, got, floor), file=sys.stderr)
        bad += 1
    else:
        print("  %s %s = %.1f (floor %.1f)" % (view, metric, got, floor))
sys.exit(1 if bad else 0)
PY
echo "# $PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
