#!/usr/bin/env bash
# test_report.sh — `assay report` end to end: --list, the news report on
# examples/corpus (CSVs, manifest, a self-contained report.html holding the
# seed's quotations, topics and terms), topics-timeline, a copied script,
# and the errors (unknown report, bad options, a failing render).
source "$(dirname "$0")/lib.sh"

# --list shows both bundled scripts with their summaries
expect_exit 0 "report --list" -- assay report --list
expect_grep '^news  *Quotes, speakers, topics' "$T/out" "--list shows news with its summary"
expect_grep '^topics-timeline  *One dictionary' "$T/out" "--list shows topics-timeline"
expect_exit 0 "report news --help" -- assay report news --help
expect_grep '^  by = auto  (string)$' "$T/out" "--help lists the report's options with types"

# news on examples/corpus
R=$T/news
expect_exit 0 "report news examples/corpus" -- assay report news "$CORPUS" -o "$R" -j 2
for f in quotes speakers topics wordfreq collocations entities docinfo topics_by_period; do
  if [ -s "$R/$f.csv" ]; then pass "$f.csv written"; else fail "$f.csv missing"; fi
done
expect_grep '"assay_manifest": 2' "$R/manifest.json" "manifest.json written"
expect_grep '"name": "docinfo"' "$R/manifest.json" "the manifest lists every plugin of the report"
expect_grep '"documents_read"\|"read": 9' "$R/manifest.json" "the manifest counts the documents"
expect_grep "assay: wrote $R/report.html" "$T/err" "the summary names report.html"
H=$R/report.html
if head -c 15 "$H" | grep -q '<!DOCTYPE html>' && tail -c 8 "$H" | grep -q '</html>'; then
  pass "report.html starts with a doctype and ends with </html>"
else fail "report.html is not a whole HTML document"; fi
if grep -Eqi '(src|href)="?(https?:)?//' "$H"; then fail "report.html loads something from the network"
else pass "no http(s):// or protocol-relative src/href"; fi
if grep -Eqi '<script[^>]+src=|<link[^>]+stylesheet|@import|@font-face|url\(' "$H"; then
  fail "report.html has an external script, stylesheet or font"
else pass "scripts, styles and fonts are inline"; fi
expect_grep 'We will work together to build an equal and orderly multipolar world' "$H" "the seed's Xi Jinping quotation is in the page"
expect_grep 'China will work shoulder to shoulder with Kazakhstan' "$H" "a second Xi Jinping quotation"
expect_grep 'China stands ready to promote greater synergy' "$H" "the third Xi Jinping quotation"
expect_grep '<td>kazakhstan</td>' "$H" "frequent terms in the page"
expect_grep '<td>diplomacy</td>' "$H" "topics in the page"
expect_grep 'data-series="trade"' "$H" "the topic chart draws trade"
python3 - "$H" <<'PY' && pass "report.html parses as HTML with balanced tags" || fail "report.html is malformed"
import sys
from html.parser import HTMLParser
VOID = {"meta", "input", "br", "img", "link", "hr", "circle", "rect", "line", "path"}
class P(HTMLParser):
    def __init__(s): super().__init__(); s.stack = []; s.bad = 0
    def handle_starttag(s, t, a):
        if t not in VOID: s.stack.append(t)
    def handle_startendtag(s, t, a): pass
    def handle_endtag(s, t):
        if t in VOID: return
        if not s.stack or s.stack.pop() != t: s.bad += 1
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
sys.exit(1 if p.bad or p.stack else 0)
PY

# escaping: a document whose text and metadata hold markup
mkdir -p "$T/corpus/esc"
printf '{"id":"<b>x</b>","date":"2024-01-02","outlet":"<i>o</i>","text":"\\"<script>alert(1)</script> & more,\\" said Ann <Lee>. Trade rose."}\n' > "$T/corpus/esc/a.jsonl"
expect_exit 0 "report news on a document full of markup" -- assay report news "$T/corpus/esc" -o "$T/esc" -q
if grep -q '<script>alert' "$T/esc/report.html" || grep -q '<b>x</b>' "$T/esc/report.html"; then
  fail "corpus text reached the page unescaped"
else pass "corpus text and ids are HTML-escaped"; fi
expect_grep '&lt;script&gt;alert(1)&lt;/script&gt; &amp; more' "$T/esc/report.html" "the quotation appears escaped"

# a report of one document still has every section
expect_exit 0 "report news on the seed article alone" -- assay report news "$CORPUS/xi-kazakhstan-2024-07-02.txt" -o "$T/one" -q
NSPK=$(($(wc -l < "$T/one/speakers.csv") - 1))
expect_grep "aria-label=\"Top speakers\" data-points=\"$NSPK\"" "$T/one/report.html" "one document: the speakers chart has a bar per speaker ($NSPK)"
expect_grep 'aria-label="Quotations per day" data-points="1"' "$T/one/report.html" "one document: one day on the time axis"

# topics-timeline
expect_exit 0 "report topics-timeline by week and outlet" -- assay report topics-timeline "$CORPUS" -o "$T/tl" -q -O by=week -O field=outlet
expect_grep '^2024-W27,trade,16,' "$T/tl/topics_by_period.csv" "ISO week 27 holds the seed's trade matches"
expect_grep '^Example Wire,education_culture,5,' "$T/tl/topics_by_field.csv" "tallies by meta.outlet"
expect_grep 'aria-label="Topics over time"' "$T/tl/report.html" "the timeline chart is drawn"
expect_exit 0 "topics-timeline by day with a nested dictionary at level 1" -- assay report topics-timeline "$CORPUS" -o "$T/tl2" -q -O by=day -O level=1
expect_grep '^2024-07-02,' "$T/tl2/topics_by_period.csv" "by=day keys are dates"

# a researcher's copy of a script, with a plugin option passed through
cp "$SRC/scripts/topics-timeline.lua" "$T/corpus/mine.lua"
sed -i 's/Topics over time: /My timeline: /' "$T/corpus/mine.lua"
mkdir -p "$T/corpus/lib"; cp "$SRC/scripts/lib/docinfo.lua" "$T/corpus/lib/"
expect_exit 0 "a copied script runs by path" -- assay report "$T/corpus/mine.lua" "$CORPUS" -o "$T/mine" -q -O topics.terms=true
expect_grep 'My timeline: international' "$T/mine/report.html" "the copy's change shows"
expect_grep '^trade,' "$T/mine/topic_terms.csv" "-O PLUGIN.KEY reaches the plugin"

# input limits, as for assay run
expect_exit 1 "report with --max-doc-bytes skips the larger documents" -- assay report news "$CORPUS" -o "$T/lim" -q --max-doc-bytes 2000
expect_grep "larger than max_doc_bytes (2000)" "$T/err" "the skip names the limit"
expect_grep '"max_doc_bytes": "2000"\|"max_doc_bytes": 2000' "$T/lim/manifest.json" "the manifest records the limit"
printf '{"id":"bad","text":"caf\xe9 ok"}\n' > "$T/corpus/latin.jsonl"
expect_exit 1 "report with --invalid-utf8 skip" -- assay report news "$T/corpus/latin.jsonl" -o "$T/inv" -q --invalid-utf8 skip

# errors
expect_exit 2 "unknown report" -- assay report nosuch "$CORPUS"
expect_grep "unknown report 'nosuch'" "$T/err" "the error names the report"
expect_exit 2 "unknown report option" -- assay report news "$CORPUS" -o "$T/x" -O nope=1
expect_grep "report 'news' has no option 'nope' (its options: by, " "$T/err" "the error lists the options"
expect_exit 2 "wrong option type" -- assay report news "$CORPUS" -o "$T/x" -O top_terms=many
expect_grep "expects a value of type integer, got 'many'" "$T/err" "the error names the type"
expect_exit 2 "a value outside the choices" -- assay report topics-timeline "$CORPUS" -o "$T/x" -O by=fortnight
expect_grep "must be one of: auto, day, week, month, year" "$T/err" "the error lists the choices"
expect_exit 2 "an unknown plugin option" -- assay report news "$CORPUS" -o "$T/x" -O quotes.nope=1
expect_exit 2 "no input" -- assay report news
expect_exit 2 "report without a name" -- assay report
printf 'return { name = "bad", plugins = { "wordfreq" },\n  render = function(ctx) ctx:write("../escape.html", "x") end }\n' > "$T/corpus/bad.lua"
expect_exit 3 "a script writing outside its directory fails" -- assay report "$T/corpus/bad.lua" "$CORPUS" -o "$T/bad"
expect_grep "bad.lua:2: ctx:write: '../escape.html' is not a plain file name" "$T/err" "the error names the script line"
if [ -e "$T/escape.html" ]; then fail "a file was written outside the output directory"; else pass "nothing written outside"; fi
expect_grep "the CSVs and manifest are in" "$T/err" "the run's CSVs are kept and said so"
printf 'return { name = "bad2", plugins = { "wordfreq" },\n  render = function(ctx) ctx:write("manifest.json", "x") end }\n' > "$T/corpus/bad2.lua"
expect_exit 3 "a script may not overwrite the manifest" -- assay report "$T/corpus/bad2.lua" "$CORPUS" -o "$T/bad2"
printf 'return { name = "bad3", plugins = { "wordfreq" }, render = function(ctx) io.open("x") end }\n' > "$T/corpus/bad3.lua"
expect_exit 3 "scripts run sandboxed (no io)" -- assay report "$T/corpus/bad3.lua" "$CORPUS" -o "$T/bad3"
printf 'return { name = "bad4" }\n' > "$T/corpus/bad4.lua"
expect_exit 3 "a script without render" -- assay report "$T/corpus/bad4.lua" "$CORPUS" -o "$T/bad4"
expect_grep "render(ctx)" "$T/err" "the error says what is missing"

finish
