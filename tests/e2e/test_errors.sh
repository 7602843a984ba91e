#!/bin/bash
# Bad input and failing plugins: clear messages naming the file and place,
# the documented exit codes, nothing lost (read = analysed + skipped), and
# no truncated output left behind by a failed run.
source "$(dirname "$0")/lib.sh"

# counts "R documents read, A analysed, S skipped" from the summary line
counts() { sed -n 's/.* \([0-9]*\) documents read, \([0-9]*\) analysed, \([0-9]*\) skipped.*/\1 \2 \3/p' "$T/err"; }
expect_counts() {
  local got; got=$(counts)
  [ "$got" = "$1" ] && pass "$2: read/analysed/skipped = $got" || fail "$2: counts '$got', expected '$1'"
}

# ---- missing input ----------------------------------------------------------
expect_exit 3 "missing input" -- assay run wordfreq "$T/nope.txt" -o "$T/o1"
expect_grep "cannot read input '$T/nope.txt'" "$T/err" "missing input is named"
[ ! -e "$T/o1/wordfreq.csv" ] && pass "no output for a failed run" || fail "output written by a failed run"

# ---- a corpus with one bad file of each kind ---------------------------------
C=$T/corpus; mkdir -p "$C"
printf 'Good text about ports and grain.\n' > "$C/a-good.txt"
printf 'Caf\xe9 au lait, invalid byte above.\n' > "$C/b-latin1.txt"
printf 'binary\0data here\n' > "$C/c-binary.txt"
printf '{"id":"j1","text":"first record"}\n{"id":"j2","text":"trunc\n{"id":"j3","text":"third record"}\n{"id":"j4"}\n' > "$C/d.jsonl"
printf 'id,text\nc1,"one"\nc2,"two",extra\nc3,"three"\n' > "$C/e.csv"
printf 'not gzip at all' | gzip -c | head -c 12 > "$C/f-truncated.txt.gz"
: > "$C/g-empty.txt"
printf 'hidden\n' > "$C/.hidden.txt"

expect_exit 1 "mixed corpus: some documents skipped" -- \
  assay run wordfreq "$C" -o "$T/o2" --errors "$T/o2/errors.csv" -j 2
expect_counts "12 7 5" "mixed corpus"
expect_grep "b-latin1.txt.*byte 3.*invalid UTF-8" "$T/err" "invalid UTF-8 warned with file and byte"
expect_grep "c-binary.txt.*NUL byte at byte 6" "$T/err" "binary file skipped with the byte"
expect_grep "d.jsonl, line 2" "$T/err" "truncated JSON line named"
expect_grep "d.jsonl, line 4.*text" "$T/err" "JSON record without text named"
expect_grep "e.csv.*3 fields, header has 2" "$T/err" "CSV wrong column count named"
expect_grep "f-truncated.txt.gz" "$T/err" "truncated gzip named"
E=$T/o2/errors.csv
expect_grep "^severity,source,doc_id,where,reason" "$E" "errors file header"
expect_grep "^skipped,.*c-binary.txt" "$E" "errors file lists the binary file"
expect_grep "^warning,.*b-latin1.txt" "$E" "errors file lists the warning"
if grep -q hidden "$T/o2/wordfreq.csv"; then fail "hidden file was read"; else pass "hidden files skipped"; fi
expect_grep "^third,1,1" "$T/o2/wordfreq.csv" "records after a bad JSON line are read"

# ---- invalid UTF-8 policies ------------------------------------------------------
expect_exit 1 "--invalid-utf8 skip" -- assay run wordfreq "$C/b-latin1.txt" --invalid-utf8 skip -q
expect_exit 3 "--invalid-utf8 fail" -- assay run wordfreq "$C/b-latin1.txt" --invalid-utf8 fail -o "$T/o3"
expect_grep "b-latin1.txt.*byte 3" "$T/err" "fail policy names file and byte"
[ ! -e "$T/o3/wordfreq.csv" ] && pass "fail policy leaves no output" || fail "output left by failed run"
expect_exit 0 "--encoding latin-1 reads it" -- assay run wordfreq "$C/b-latin1.txt" --encoding latin-1 -q
expect_grep "^café,1,1" "$T/out" "latin-1 decoded"

# ---- huge line ---------------------------------------------------------------------
python3 - "$T/huge.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"id": "small", "text": "tiny text"}) + "\n")
    f.write(json.dumps({"id": "huge", "text": "word " * 10_000_000}) + "\n")
    f.write(json.dumps({"id": "after", "text": "still read"}) + "\n")
PY
expect_exit 1 "50 MB line over the size limit" -- \
  assay run wordfreq "$T/huge.jsonl" --max-doc-bytes 1000000 -q --errors "$T/huge-errors.csv"
expect_grep "huge.jsonl" "$T/huge-errors.csv" "huge record reported"
expect_grep "raise max_doc_bytes to read it" "$T/err" "the skip names the setting"
expect_grep "^  (on the command line: --max-doc-bytes)$" "$T/err" "and the flag that sets it"
expect_grep "^still,1,1" "$T/out" "record after the huge line is read"
expect_exit 0 "50 MB line within the default limit" -- assay run wordfreq "$T/huge.jsonl" -q -O top=1
expect_grep "^word,10000000,1" "$T/out" "50 MB document counted"

# ---- failing plugins ------------------------------------------------------------------
cat > "$T/flaky.lua" <<'LUA'
return {
  name = "flaky",
  columns = { "doc_id", "words" },
  document = function(doc, ctx, out)
    out:row{ doc_id = doc.id, words = -1 }   -- discarded when the call fails
    if doc.id:find("/b.txt", 1, true) then
      local t = nil
      return t.field                          -- line 8: runtime error
    end
  end,
}
LUA
printf 'a\n' > "$T/a.txt"; printf 'b\n' > "$T/b.txt"; printf 'c\n' > "$T/c.txt"
expect_exit 1 "plugin error on one document" -- \
  assay run "$T/flaky.lua" "$T/a.txt" "$T/b.txt" "$T/c.txt" --errors "$T/flaky.csv" -o "$T/o4"
expect_grep "flaky.lua:8:" "$T/err" "plugin error names file and line"
expect_grep "document $T/b.txt" "$T/err" "plugin error names the document"
expect_grep "plugin flaky, document()" "$T/flaky.csv" "errors file names plugin and callback"
expect_counts "3 2 1" "plugin error"
[ "$(grep -c . "$T/o4/flaky.csv")" = 3 ] && pass "rows of the failing call are discarded" || fail "rows: $(cat "$T/o4/flaky.csv")"

cat > "$T/badfinish.lua" <<'LUA'
return {
  name = "badfinish",
  columns = { "n" },
  finish = function(ctx, out)
    out:row{ n = 1 }
    error("finish went wrong")
  end,
}
LUA
expect_exit 3 "failing finish()" -- assay run "$T/badfinish.lua" "$T/a.txt" -o "$T/o5"
expect_grep "badfinish.lua:6: finish went wrong" "$T/err" "finish error names file and line"
[ ! -e "$T/o5/badfinish.csv" ] && pass "no output after failed finish" || fail "output left after failed finish"
if ls -A "$T/o5" 2>/dev/null | grep -q tmp; then fail "temporary file left behind"; else pass "no temporary files left"; fi

printf 'return { name = "broken", columns = {"x"},\n  document = function( end }\n' > "$T/broken.lua"
expect_exit 3 "plugin syntax error" -- assay run "$T/broken.lua" "$T/a.txt"
expect_grep "broken.lua:2:" "$T/err" "syntax error names file and line"

printf 'return { name = "nocols", document = function() end }\n' > "$T/nocols.lua"
expect_exit 3 "plugin without outputs" -- assay run "$T/nocols.lua" "$T/a.txt"
expect_grep "nocols.lua" "$T/err" "contract error names the file"

finish
