#!/bin/bash
# The text model's "done when" on the seed article, through a Lua plugin:
# the date field is metadata (not text, not words), "Political support" is
# a section heading, "Kazakhstan’s" is one word, "China-Kazakhstan" two,
# and there are exactly three closed quotation spans, beginning “China
# stands ready / “We will work together / “China will work shoulder. Every
# offset is checked against Python's slicing of the seed with the date
# field removed (text[start:stop]).
source "$(dirname "$0")/lib.sh"
SEED=$ASSAY_SHARED_DIR/corpora/seed/xi-kazakhstan-2024-07-02.txt
[ -f "$SEED" ] || skip_all "seed article absent ($SEED)"

cat > "$T/seedmodel.lua" <<'LUA'
return {
  name = "seedmodel",
  columns = { "what", "start", "stop", "status", "text" },
  document = function(doc, ctx, out)
    out:row{ "date", 0, 0, doc.date, "" }
    out:row{ "doc", 0, doc.length, "", doc.text:sub(1, 40) }
    for _, w in ipairs(doc:word_list{ kinds = { "word", "number" } }) do
      if w == "date" or w == "2024" or w == "07" then out:row{ "dateword", 0, 0, "", w } end
    end
    for w in doc:words() do
      if w:text():find("Kazakhstan", 1, true) or w:text() == "China" then
        out:row{ "word", w.start, w.stop, w.kind, w:text() }
      end
    end
    for s in doc:sections() do
      if s.heading then out:row{ "heading", s.heading.start, s.heading.stop, "", s.heading:text() } end
    end
    for q in doc:quotations() do
      out:row{ "quote", q.start, q.stop, q.status, q:text() }
      local i = q:inner()
      out:row{ "inner", i.start, i.stop, q.status, i:text() }
    end
  end,
}
LUA

expect_exit 0 "text-model plugin on the seed" -- assay run "$T/seedmodel.lua" "$SEED" -o "$T/res"
if python3 - "$SEED" "$T/res/seedmodel.csv" <<'PY'
import csv, re, sys
raw = open(sys.argv[1], encoding="utf-8").read()
# the date field: optional leading white space, "date YYYY-MM-DD", and the
# white space after it on the same line
text = re.sub(r"^\s*date \d{4}-\d{2}-\d{2}[ \t]*", "", raw, count=1)
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8", newline="")))
bad = []
def check(cond, what):
    print(("ok - " if cond else "FAIL - ") + what)
    if not cond: bad.append(what)
by = lambda w: [r for r in rows if r["what"] == w]
check(by("date")[0]["status"] == "2024-07-02", "doc.date is 2024-07-02")
d = by("doc")[0]
check(int(d["stop"]) == len(text) and d["text"].encode() == text.encode()[:40]
      and text.startswith("ASTANA"), "doc.text is the seed without the date field (%d code points)" % len(text))
check(not by("dateword"), "the date field is not counted as words")
for kind in ("word", "heading", "quote", "inner"):
    rs = by(kind)
    ok = all(text[int(r["start"]):int(r["stop"])] == r["text"] for r in rs)
    check(ok and rs, "%d %s spans: text[start:stop] equals the span text" % (len(rs), kind))
check("Political support" in [r["text"] for r in by("heading")], "'Political support' is a section heading")
words = by("word")
check(any(r["text"] == "Kazakhstan’s" for r in words), "'Kazakhstan’s' is one word")
pairs = [(a, b) for a, b in zip(words, words[1:])
         if a["text"] == "China" and b["text"] == "Kazakhstan"
         and int(b["start"]) == int(a["stop"]) + 1 and text[int(a["stop"])] == "-"]
check(len(pairs) == text.count("China-Kazakhstan") > 0,
      "each 'China-Kazakhstan' is two words (%d)" % len(pairs))
closed = [r for r in by("quote") if r["status"] == "closed"]
starts = ["“China stands ready", "“We will work together", "“China will work shoulder"]
check(len(closed) == 3, "three closed quotation spans (%d)" % len(closed))
check([any(r["text"].startswith(s) for r in closed) for s in starts] == [True] * 3,
      "the closed quotations begin " + ", ".join(starts))
check(all(r["text"].endswith("”") for r in closed), "each closed span ends with its closing mark")
sys.exit(1 if bad else 0)
PY
then pass "seed text model checked against Python slicing"
else fail "seed text model (see above)"; fi
finish
