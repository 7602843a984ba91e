#!/bin/bash
# Progress on standard error: never in a pipe (no control characters) unless
# --progress, which prints plain lines ending with "(done)"; on a terminal
# (a pty made by script(1)) one line redrawn with \r and ESC[K, cleared at
# the end, and absent when $CI is set or with -q.
source "$(dirname "$0")/lib.sh"
mkdir -p "$T/corpus"
for i in $(seq 1 30); do echo "document $i about grain and ports" > "$T/corpus/d$i.txt"; done
# A plugin slow enough (20 ms of CPU per document, 0.6 s in all) for
# progress reports before the end on any machine.
cat > "$T/slow.lua" <<'EOF'
return { name = "slow", columns = { "doc_id" },
  document = function(doc, ctx, out)
    local t = os.clock()
    while os.clock() - t < 0.02 do end
    out:row{ doc_id = doc.id }
  end }
EOF
ctl() { LC_ALL=C grep -c $'[\r\033]' "$1" || true; }

# ---- pipes -------------------------------------------------------------------
expect_exit 0 "run in a pipe" -- env -u CI "$ASSAY_BIN" run wordfreq "$T/corpus"
[ "$(ctl "$T/err")" = 0 ] && pass "no control characters in a pipe" || fail "control characters in stderr"
grep -q "documents, .* MB/s" "$T/err" && fail "progress line in a pipe without --progress" \
  || pass "no progress line in a pipe"
expect_exit 0 "--progress in a pipe" -- "$ASSAY_BIN" run wordfreq "$T/corpus" --progress
expect_grep "^assay: 30 documents, [0-9.]* MB, [0-9.]* MB/s, 0:0[0-9], 100% of [0-9.]* MB (done)$" "$T/err" \
  "--progress in a pipe prints the final line"
[ "$(ctl "$T/err")" = 0 ] && pass "--progress in a pipe uses plain lines" || fail "control characters with --progress"
expect_grep "^assay: 30 documents read, 30 analysed" "$T/err" "summary follows the progress line"
expect_exit 0 "-q --progress" -- "$ASSAY_BIN" run wordfreq "$T/corpus" --progress -q
[ "$(grep -c 'documents' "$T/err")" = 1 ] && pass "-q keeps only the requested progress" || fail "-q --progress: $(cat "$T/err")"
expect_exit 0 "stdin (size unknown) with --progress" -- sh -c "cat '$T/corpus/d1.txt' | '$ASSAY_BIN' run wordfreq - --progress"
expect_grep "^assay: 1 documents, .* (done)$" "$T/err" "unknown total: no percentage"
grep -q "%" "$T/err" && fail "percentage with an unknown total" || pass "no percentage without a total"

# ---- a terminal (script(1) gives the command a pty) ------------------------
command -v script > /dev/null || { echo "SKIPPED: script(1) not installed: no terminal test"; finish; exit $?; }
tty_run() { script -qec "$*" /dev/null > "$T/tty" 2>&1 < /dev/null; }
tty_run env -u CI "$ASSAY_BIN" run "$T/slow.lua" "$T/corpus" -j 1 -o "$T/o1" '2>&1 >/dev/null'
grep -q $'\r''assay: [0-9]* documents, .*'$'\033''\[K' "$T/tty" \
  && pass "terminal: the line is redrawn in place (\\r ... ESC[K)" || fail "terminal: no progress line: $(cat -A "$T/tty" | head -3)"
grep -q $'\r\033''\[Kassay: 30 documents read' "$T/tty" \
  && pass "terminal: the line is cleared before the summary" || fail "terminal: not cleared: $(cat -A "$T/tty" | tail -3)"
grep -q "(done)" "$T/tty" && fail "terminal: final line left on screen" || pass "terminal: no final line left behind"
tty_run CI=true "$ASSAY_BIN" run "$T/slow.lua" "$T/corpus" -j 1 -o "$T/o2" '2>&1 >/dev/null'
grep -q "MB/s" "$T/tty" && fail "terminal with CI set shows progress" || pass "terminal with CI set: no progress"
tty_run env -u CI "$ASSAY_BIN" run "$T/slow.lua" "$T/corpus" -j 1 -o "$T/o3" -q '2>&1 >/dev/null'
[ -s "$T/tty" ] && fail "terminal with -q: $(cat -A "$T/tty")" || pass "terminal with -q: nothing on standard error"
finish
