#!/bin/bash
# The assay command end to end: help, version, plugins, runs on the example
# corpus and the seed against golden CSV files, output modes and exit codes.
source "$(dirname "$0")/lib.sh"

# ---- help and version ------------------------------------------------------
expect_exit 0 "--version" -- assay --version
expect_grep "^assay 0\.1\.0 (Lua 5\.4" "$T/out" "--version names assay and Lua"
expect_exit 0 "--help" -- assay --help
expect_grep "run PLUGIN" "$T/out" "--help lists run"
for cmd in run plugins; do
  expect_exit 0 "$cmd --help" -- assay $cmd --help
  expect_grep "usage: assay $cmd" "$T/out" "$cmd --help prints its usage"
done
expect_exit 2 "unknown command" -- assay frobnicate
expect_exit 2 "no arguments" -- assay

# ---- plugins ---------------------------------------------------------------
expect_exit 0 "plugins lists bundled plugins" -- assay plugins
expect_grep "^wordfreq 1.1 — Word frequencies" "$T/out" "plugins shows wordfreq and summary"
expect_grep "output wordfreq: word,count,docs" "$T/out" "plugins shows columns"
expect_grep "option stopwords (string) = $" "$T/out" "plugins shows options"
expect_grep "option top (integer) = 0" "$T/out" "plugins shows typed defaults"
expect_exit 0 "plugins describes a path" -- assay plugins "$SRC/examples/plugins/mentions.lua"
expect_grep "^mentions 0 — Counts mentions" "$T/out" "describe custom plugin"

# ---- wordfreq on the example corpus (golden) -------------------------------
expect_exit 0 "wordfreq on examples/corpus" -- \
  assay run wordfreq "$CORPUS" -O stopwords=english -O top=40 -o "$T/wf"
expect_same "$EXPECTED/wordfreq_corpus_top40.csv" "$T/wf/wordfreq.csv" "wordfreq golden (examples/corpus)"
expect_grep "6 documents read\|documents read" "$T/err" "summary on stderr"
expect_grep "wrote $T/wf/wordfreq.csv" "$T/err" "summary names the CSV"

# without -o: the single output goes to standard output
expect_exit 0 "wordfreq to stdout" -- assay run wordfreq "$CORPUS" -O stopwords=english -O top=40 -q
expect_same "$EXPECTED/wordfreq_corpus_top40.csv" "$T/out" "stdout equals the file output"
[ ! -s "$T/err" ] && pass "--quiet prints nothing on stderr" || fail "--quiet printed: $(cat "$T/err")"
# a stop-word file given relative to the working directory, bare or "./"
printf 'the\n# a comment\nand\n' > "$T/mystop.txt"
(cd "$T" && "$ASSAY_BIN" run wordfreq "$CORPUS" -O stopwords=mystop.txt -O top=2 -q > "$T/st1.csv" 2> "$T/st1.err")
expect_grep '^to,22,3$' "$T/st1.csv" "stopwords=FILE relative to the working directory (the, and removed)"
if grep -q '^the,' "$T/st1.csv"; then fail "the stop words were not removed"; else pass "the stop words were removed"; fi
(cd "$T" && "$ASSAY_BIN" run wordfreq "$CORPUS" -O stopwords=./mystop.txt -O top=2 -q > "$T/st2.csv")
expect_same "$T/st1.csv" "$T/st2.csv" "stopwords=./FILE reads the same file"
expect_exit 0 "stopwords=none" -- assay run wordfreq "$CORPUS" -O stopwords=none -O top=1 -q
expect_grep '^the,' "$T/out" "stopwords=none removes nothing"
expect_exit 3 "a missing stop-word file" -- assay run wordfreq "$CORPUS" -O stopwords=nosuch.txt -q
expect_grep "nosuch.txt: not found (looked next to the plugin, in the plugin directories and in the working directory)" "$T/err" "the error says where it looked"

# a bad option value fails in init(), before any document is read or any row written
expect_exit 3 "collocations with an unknown sort" -- assay run collocations "$CORPUS" -O sort=bogus -q
expect_grep "option sort must be log_likelihood, mi, t_score, chi2 or count (got 'bogus')" "$T/err" "the error lists the sorts"
[ ! -s "$T/out" ] && pass "nothing on stdout" || fail "stdout has: $(head -2 "$T/out")"

# tsv and jsonl formats carry the same rows
expect_exit 0 "tsv" -- assay run wordfreq "$CORPUS" -O top=5 --format tsv -q
[ "$(head -1 "$T/out")" = "$(printf 'word\tcount\tdocs')" ] && pass "tsv header" || fail "tsv header: $(head -1 "$T/out")"
expect_exit 0 "jsonl" -- assay run wordfreq "$CORPUS" -O top=5 --format jsonl -q
expect_grep '^{"word": *"the", *"count": *[0-9]*, *"docs": *[0-9]*}$' "$T/out" "jsonl rows are objects in column order"

# ---- the custom plugin from the README tour (golden) -----------------------
expect_exit 0 "mentions plugin" -- \
  assay run "$SRC/examples/plugins/mentions.lua" "$CORPUS" -O terms=port,grain,energy,china -q
expect_same "$EXPECTED/mentions_corpus.csv" "$T/out" "mentions golden"

# ---- the seed article -------------------------------------------------------
SEED=$ASSAY_SHARED_DIR/corpora/seed/xi-kazakhstan-2024-07-02.txt
if [ -f "$SEED" ]; then
  expect_exit 0 "wordfreq on the seed" -- assay run wordfreq "$SEED" -O stopwords=english -O top=15 -q
  expect_same "$EXPECTED/wordfreq_seed_top15.csv" "$T/out" "wordfreq golden (seed)"
  # the date field is metadata, not text: "2024" and "date" are not words
  expect_exit 0 "seed: all words" -- assay run wordfreq "$SEED" -O numbers=true -q
  if grep -q '^date,\|^2024,' "$T/out"; then fail "seed: the date field was counted as text"
  else pass "seed: the date field is not counted as text"; fi
else
  echo "SKIPPED: seed tests (../shared/corpora/seed absent)"
fi

# ---- options ------------------------------------------------------------------
expect_exit 2 "unknown plugin option" -- assay run wordfreq "$CORPUS" -O nosuch=1
expect_grep "unknown option 'nosuch'" "$T/err" "unknown option is named"
expect_exit 2 "option of the wrong type" -- assay run wordfreq "$CORPUS" -O top=many
expect_grep "top" "$T/err" "wrong type names the option"
expect_exit 2 "-O without =" -- assay run wordfreq "$CORPUS" -O top
expect_exit 0 "plugin-qualified option" -- assay run wordfreq "$CORPUS" -O wordfreq.top=3 -q
[ "$(wc -l < "$T/out")" = 4 ] && pass "top=3 gives 3 rows" || fail "top=3 gave $(wc -l < "$T/out") lines"
expect_exit 2 "unknown engine option" -- assay run wordfreq "$CORPUS" --format xml
expect_exit 2 "bad -j" -- assay run wordfreq "$CORPUS" -j lots
expect_exit 2 "no input" -- assay run wordfreq
expect_exit 2 "not a plugin" -- assay run nosuchplugin "$CORPUS"
expect_grep "no plugin given" "$T/err" "unknown plugin explained"

# ---- several plugins, several outputs ------------------------------------------
expect_exit 2 "two outputs need -o" -- assay run wordfreq "$SRC/examples/plugins/mentions.lua" "$CORPUS"
expect_grep "give an output directory with -o" "$T/err" "hint for -o"
expect_exit 0 "two plugins share one pass" -- \
  assay run wordfreq "$SRC/examples/plugins/mentions.lua" "$CORPUS" -o "$T/two" -O top=40 -O stopwords=english -O terms=port,grain,energy,china
expect_same "$EXPECTED/wordfreq_corpus_top40.csv" "$T/two/wordfreq.csv" "first plugin's output unchanged"
expect_same "$EXPECTED/mentions_corpus.csv" "$T/two/mentions.csv" "second plugin's output unchanged"

finish
