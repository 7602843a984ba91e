#!/bin/bash
# An interrupted run (Ctrl-C, kill, a closed terminal) removes its temporary
# files, leaves an earlier output of the same name untouched, writes no
# errors file or manifest, and dies of the signal (exit status 128+N).
source "$(dirname "$0")/lib.sh"

cat > "$T/slow.lua" <<'LUA'
return { name = "slow", columns = { "id" },
  document = function(doc, ctx, out)
    out:row{ doc.id }
    local t0 = os.clock()
    while os.clock() - t0 < 20 do end
  end }
LUA
printf 'one document\n' > "$T/doc.txt"

# run_and_kill SIGNAL WANT_STATUS [FIRST]: start a run, wait for its
# temporary file, send FIRST (if given) and then the signal, check what is
# left.
run_and_kill() {
  local sig=$1 want=$2 first=${3:-} o=$T/out-$1${3:-}
  mkdir -p "$o"
  printf 'earlier\n' > "$o/slow.csv"
  # Started through python3 with default dispositions: a background job of
  # a non-interactive shell would otherwise ignore SIGINT (and assay keeps
  # ignored signals ignored, as it should).
  /usr/bin/python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
signal.signal(signal.SIGPIPE, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$ASSAY_BIN" run "$T/slow.lua" "$T/doc.txt" \
    -o "$o" --errors "$o/errors.csv" -j 1 -q 2>"$T/err-$sig$first" &
  local pid=$! i=0
  until ls -A "$o" | grep -q '^\.slow\.csv\.tmp-'; do
    i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.1
  done
  ls -A "$o" | grep -q '^\.slow\.csv\.tmp-' && pass "$sig: temporary file seen while running" \
    || fail "$sig: no temporary file appeared"
  if [ -n "$first" ]; then
    kill -s "$first" "$pid"
    sleep 0.2
  fi
  kill -s "$sig" "$pid"
  local st=0
  wait "$pid" || st=$?
  [ "$st" = "$want" ] && pass "$sig: died of the signal (status $st)" \
    || fail "$sig: status $st, expected $want"
  local left; left=$(ls -A "$o" | grep -v '^slow\.csv$' || true)
  [ -z "$left" ] && pass "$sig: no temporary file, errors file or manifest left" \
    || fail "$sig: left behind: $left"
  [ "$(cat "$o/slow.csv")" = earlier ] && pass "$sig: earlier output untouched" \
    || fail "$sig: earlier output changed"
  expect_grep "interrupted; no output was written" "$T/err-$sig$first" \
    "$sig: says so"
}

run_and_kill INT 130
run_and_kill TERM 143
run_and_kill HUP 129
# SIGRTMIN stops the CLI's signal thread at the end of a run; one from
# another process must leave it on watch (it once let the TERM after it
# go unhandled until the run ended, its output written)
run_and_kill TERM 143 RTMIN

echo "$PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
