#!/bin/sh
# reuters_validate.sh — validate the bundled Reuters dictionary against the
# human TOPICS labels of Reuters-21578 (ModApte split). Tuning used the
# TRAIN split only; this reports the TEST split (or: SPLIT=train).
# Usage: bench/reuters_validate.sh [ASSAY_BIN]   (default build/assay)
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$SRC/build/assay}
DATA=${REUTERS_DIR:-$SRC/../shared/corpora/reuters21578/data}
SPLIT=${SPLIT:-test}
W=$(mktemp -d "${TMPDIR:-/tmp}/reuters-XXXXXX")
trap 'rm -rf "$W"' EXIT
[ -d "$DATA" ] || { echo "SKIPPED: no Reuters-21578 at $DATA"; exit 77; }
python3 "$SRC/bench/reuters_to_jsonl.py" "$DATA" "$W/docs.jsonl" --split "$SPLIT"
"$BIN" run topics "$W/docs.jsonl" -O dictionary=reuters -o "$W/out" -q
python3 "$SRC/bench/reuters_validate.py" "$W/docs.jsonl" "$W/out/topics.csv" 1 2 3
