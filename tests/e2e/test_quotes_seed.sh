#!/usr/bin/env bash
# test_quotes_seed.sh — the quotes plugin on the seed article: exactly three
# direct quotations by Xi Jinping (cues said / asserted / stated) and the
# indirect statements "President Xi emphasized", "He added that",
# "President Xi called for", all resolved to Xi Jinping.
source "$(dirname "$0")/lib.sh"
SEED=$ASSAY_SHARED_DIR/corpora/seed
[ -d "$SEED" ] || skip_all "no seed corpus at $SEED (../shared not mounted)"

expect_exit 0 "quotes on the seed" -- assay run quotes "$SEED" -o "$T/q"
python3 - "$T/q" <<'PY' && pass "seed quotations and speakers" || fail "seed quotations and speakers"
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/quotes.csv", encoding="utf-8")))
ok = True
def check(cond, msg):
    global ok
    if not cond:
        ok = False
        print("  " + msg, file=sys.stderr)
direct = [r for r in rows if r["type"] == "direct"]
check(len(direct) == 3, "want 3 direct quotations, got %d" % len(direct))
check(sorted(r["cue"] for r in direct) == ["asserted", "said", "stated"],
      "cues: %s" % [r["cue"] for r in direct])
for r in direct:
    check(r["speaker_name"] == "Xi Jinping", "direct speaker %r" % r["speaker_name"])
    check(r["text"][0] == "\u201c" and r["text"][-1] == "\u201d", "marks in %r" % r["text"][:20])
    check(r["status"] == "closed", "status " + r["status"])
want = {("President Xi", "emphasized"), ("He", "added"), ("President Xi", "called for")}
got = {(r["speaker"], r["cue"]) for r in rows
       if r["type"] == "indirect" and r["speaker_name"] == "Xi Jinping"}
check(want <= got, "indirect: missing %s" % (want - got))
sp = list(csv.DictReader(open(d + "/speakers.csv", encoding="utf-8")))
check(sp and sp[0]["speaker_name"] == "Xi Jinping" and sp[0]["first_date"] == "2024-07-02",
      "speakers.csv first row %r" % (sp[:1],))
sys.exit(0 if ok else 1)
PY

# Offsets: the span text equals the document text (date field removed) sliced
# by code points.
python3 - "$T/q" "$SEED" <<'PY' && pass "code-point offsets" || fail "code-point offsets"
import csv, glob, re, sys
raw = open(glob.glob(sys.argv[2] + "/*.txt")[0], encoding="utf-8").read()
text = re.sub(r"^\s*date \d{4}-\d\d-\d\d[ \t]*", "", raw, count=1)
bad = 0
for r in csv.DictReader(open(sys.argv[1] + "/quotes.csv", encoding="utf-8")):
    if text[int(r["start"]):int(r["end"])] != r["text"]:
        bad += 1
    if r["speaker"] and text[int(r["speaker_start"]):int(r["speaker_end"])] != r["speaker"]:
        bad += 1
sys.exit(1 if bad else 0)
PY

# -j 2 gives the same outputs.
expect_exit 0 "quotes -j 2" -- assay run quotes "$SEED" "$SEED" -o "$T/q2" -j 2
expect_exit 0 "quotes -j 1" -- assay run quotes "$SEED" "$SEED" -o "$T/q1" -j 1
expect_same "$T/q1/speakers.csv" "$T/q2/speakers.csv" "speakers.csv independent of -j"

echo "# $PASSES passed, $FAILS failed"
[ "$FAILS" = 0 ]
