# lib.sh — helpers for the end-to-end CLI tests (sourced by test_*.sh).
# Environment (set by ctest): ASSAY_BIN, ASSAY_SOURCE_DIR, ASSAY_SHARED_DIR.
set -euo pipefail
: "${ASSAY_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${ASSAY_BIN:=$ASSAY_SOURCE_DIR/build/assay}"
: "${ASSAY_SHARED_DIR:=$ASSAY_SOURCE_DIR/../shared}"
SRC=$ASSAY_SOURCE_DIR
CORPUS=$SRC/examples/corpus
EXPECTED=$SRC/tests/e2e/expected
T=$(mktemp -d "${TMPDIR:-/tmp}/assay-e2e-XXXXXX")
trap 'rm -rf "$T"' EXIT
FAILS=0
PASSES=0

assay() { "$ASSAY_BIN" "$@"; }

pass() { PASSES=$((PASSES + 1)); echo "ok - $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL - $*" >&2; }
skip_all() { echo "SKIPPED: $*"; exit 77; }

# expect_exit CODE DESCRIPTION -- command...   (stdout/stderr in $T/out, $T/err)
expect_exit() {
  local want=$1 what=$2; shift 3
  local got=0
  "$@" >"$T/out" 2>"$T/err" || got=$?
  if [ "$got" = "$want" ]; then pass "$what (exit $got)"
  else fail "$what: exit $got, expected $want"; sed 's/^/    /' "$T/err" >&2; fi
}

# expect_grep PATTERN FILE DESCRIPTION
expect_grep() {
  if grep -q -- "$1" "$2"; then pass "$3"
  else fail "$3: '$1' not in $2"; sed 's/^/    /' "$2" | head -20 >&2; fi
}

# expect_same EXPECTED ACTUAL DESCRIPTION (byte comparison, diff on failure)
expect_same() {
  if cmp -s "$1" "$2"; then pass "$3"
  else fail "$3"; diff -u "$1" "$2" | head -40 >&2 || true; fi
}

# The peer reader: Python's csv module must parse every CSV a test wrote,
# each row with as many fields as the header.
check_csvs() {
  local files; files=$(find "$T" -name '*.csv' -not -path '*/corpus/*' | sort)  # inputs live in corpus/
  [ -n "$files" ] || return 0
  if python3 - $files <<'PY'
import csv, sys
bad = 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    if rows and any(len(r) != len(rows[0]) for r in rows[1:]):
        print("  ragged CSV:", path); bad += 1
sys.exit(1 if bad else 0)
PY
  then pass "Python's csv module reads all $(echo "$files" | wc -l) CSV files written"
  else fail "a CSV file did not parse cleanly"; fi
}

finish() {
  check_csvs
  echo "$PASSES passed, $FAILS failed"
  [ "$FAILS" = 0 ]
}
