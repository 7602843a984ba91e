#!/bin/sh
# run_spec.sh SPEC — run one Lua API spec through the engine: `assay run
# SPEC INPUT -q -j 1` (one worker, so finish() sees what document() kept
# in ctx), where INPUT is tests/lua/fixtures/<name>.txt (name =
# SPEC's file name without _spec.lua) or fixtures/default.txt. A spec is a
# plugin that raises an error on any failed expectation (see
# spec_helper.lua) and emits one row "<name>,<checks>,passed" in finish().
# Passes when assay exits 0 and that row is there.
set -eu
spec=$1
dir=$(cd "$(dirname "$spec")" && pwd)
name=$(basename "$spec" .lua)
: "${ASSAY_SOURCE_DIR:=$(cd "$dir/../.." && pwd)}"
: "${ASSAY_BIN:=$ASSAY_SOURCE_DIR/build/assay}"
if [ ! -x "$ASSAY_BIN" ]; then
  echo "SKIPPED: no assay binary at $ASSAY_BIN (set ASSAY_BIN)"
  exit 77
fi
input=$dir/fixtures/${name%_spec}.txt
[ -f "$input" ] || input=$dir/fixtures/default.txt
out=$(mktemp "${TMPDIR:-/tmp}/assay-spec-XXXXXX")
trap 'rm -f "$out"' EXIT
rc=0
"$ASSAY_BIN" run "$dir/$name.lua" "$input" -q -j 1 >"$out" || rc=$?
cat "$out"
if [ "$rc" != 0 ]; then
  echo "FAIL: $name: assay exited with $rc" >&2
  exit 1
fi
if ! grep -q "^$name,[0-9][0-9]*,passed" "$out"; then
  echo "FAIL: $name: no 'passed' row (did document() run?)" >&2
  exit 1
fi
echo "ok - $name"
