#!/usr/bin/env bash
# test_toolkit.sh — the counting toolkit plugins (ngrams, collocations,
# keyness, kwic, entities) end to end on examples/corpus and the seed
# article, against goldens in tests/e2e/expected/toolkit_*.csv. What was
# checked by hand before each golden was written is said next to it; some
# values are also recomputed here from other plugins' counts.
source "$(dirname "$0")/lib.sh"

# The seed: the example copy, alone in a directory (doc id = file name);
# the shared seed, when present, must be the same article.
mkdir -p "$T/corpus/seed"; SEED=$T/corpus/seed
SEEDFILE=$SEED/xi-kazakhstan-2024-07-02.txt
cp "$CORPUS/xi-kazakhstan-2024-07-02.txt" "$SEEDFILE"
SHARED_SEED=$ASSAY_SHARED_DIR/corpora/seed/xi-kazakhstan-2024-07-02.txt
if [ -f "$SHARED_SEED" ]; then
  expect_same "$SHARED_SEED" "$SEEDFILE" "the shared seed is examples/corpus's copy"
else
  echo "ok - SKIPPED shared seed comparison: $SHARED_SEED absent"
fi

# ---- kwic ---------------------------------------------------------------------

# Checked by hand: wire-001 "The energy regulator cut the feed" (offset 4,
# no words before "The"); the seed's three "energy" (renewable energy,
# investment, energy, new energy) with 4 words each side, punctuation kept
# and spaces flattened; "Belt and Road" as one 3-word match (not "synergy",
# the glob is anchored); category empty for a pattern, term = alternative.
assay run kwic "$CORPUS" -q -j 2 -O pattern='energ*|belt and road' -O window=4 > "$T/kwic.csv"
expect_same "$EXPECTED/toolkit_kwic_corpus.csv" "$T/kwic.csv" "kwic energ*|belt and road on examples/corpus"
assay run kwic "$CORPUS" -q -j 1 -O pattern='energ*|belt and road' -O window=4 > "$T/kwic1.csv"
expect_same "$T/kwic.csv" "$T/kwic1.csv" "kwic -j 1 equals -j 2"

# A dictionary as the pattern. Checked by hand against wire.jsonl: 15
# matches in text order, each with its category (tariff* -> trade,
# universit* -> education_culture, bridge -> transport), 3 words of context
# ("the feed-in" is three words; "12" counts as a word), empty right context
# after the last word of wire-002.
assay run kwic "$CORPUS/wire.jsonl" -q -O dictionary=international -O window=3 > "$T/kwic_dict.csv"
expect_same "$EXPECTED/toolkit_kwic_dict_wire.csv" "$T/kwic_dict.csv" "kwic -O dictionary=international on wire.jsonl"
assay run kwic "$CORPUS/wire.jsonl" -q -O dictionary="$SRC/plugins/dictionaries/international.yml" -O window=3 > "$T/kwic_path.csv"
expect_same "$T/kwic_dict.csv" "$T/kwic_path.csv" "kwic -O dictionary=PATH equals the bundled name"

# On the seed, kwic rows per category equal topics' counts (one matcher),
# and every row's offsets are code points of the text: text[start:end] is
# the match (spaces flattened). The document text is the file without its
# leading "date 2024-07-02 " field (docs/formats.md, "Metadata").
assay run kwic "$SEED" -q -O dictionary=international -O window=2 > "$T/kwic_seed.csv"
assay run topics "$SEED" -q -O dictionary=international -o "$T/topics_seed"
python3 - "$T/kwic_seed.csv" > "$T/kwic_seed_counts.txt" <<'PY'
import collections, csv, sys
c = collections.Counter()
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")):
    for cat in r["category"].split("|"):
        c[cat] += 1
for k in sorted(c): print(k, c[k])
PY
python3 - "$T/topics_seed/topics.csv" > "$T/topics_seed_counts.txt" <<'PY'
import csv, sys
rows = sorted((r["topic"], r["count"]) for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")))
for k, v in rows: print(k, v)
PY
expect_same "$T/topics_seed_counts.txt" "$T/kwic_seed_counts.txt" "kwic dictionary rows per category = topics counts on the seed"
expect_grep '^xi-kazakhstan-2024-07-02.txt,[0-9]*,[0-9]*,synergy between,Belt and Road,cooperation and,' \
  "$T/kwic_seed.csv" "kwic on the seed: the phrase Belt and Road with its context"
if python3 - "$SEEDFILE" "$T/kwic_seed.csv" <<'PY'
import csv, sys
import re
text = re.sub(r"^\s*date \d{4}-\d\d-\d\d\s*", "", open(sys.argv[1], encoding="utf-8").read())
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
bad = [r for r in rows if " ".join(text[int(r["start"]):int(r["end"])].split()) != r["match"]]
for r in bad[:5]: print("  offsets", r["start"], r["end"], "do not give", r["match"])
sys.exit(1 if bad or len(rows) < 50 else 0)
PY
then pass "kwic offsets are code points of the seed text (every row)"
else fail "kwic offsets do not match the text"; fi

# Patterns follow the dictionary's normalisation (the old matcher found
# none of these): e-mail is the phrase "e mail", U.S. matches "U.S",
# punctuation between tokens is ignored, a glob may end a phrase.
mkdir -p "$T/corpus/norm"
printf 'Send an E-mail or e mail to the U.S. office on Belt-and-Road and oil-gas fields.\n' > "$T/corpus/norm/a.txt"
assay run kwic "$T/corpus/norm" -q -O pattern='e-mail|U.S.|Belt-and-Road|oil gas*' -O window=2 > "$T/norm.csv"
cat > "$T/want_norm.csv" <<'CSV'
doc_id,start,end,left,match,right,category,term
a.txt,8,14,Send an,E-mail,or e,,e-mail
a.txt,18,24,mail or,e mail,to the,,e-mail
a.txt,32,35,to the,U.S,. office on,,U.S.
a.txt,47,60,office on,Belt-and-Road,and oil,,Belt-and-Road
a.txt,65,72,Road and,oil-gas,fields,,oil gas*
CSV
expect_same "$T/want_norm.csv" "$T/norm.csv" "kwic patterns match like dictionary entries (e-mail, U.S., Belt-and-Road)"

# Categories at a level, and an entry in several categories ("|", each
# category once): solar is economy/energy and mixed/both.
printf 'economy:\n  trade: [tariff*, trade]\n  energy: [energ*, solar]\nmixed:\n  both: [solar]\n  more: [solar]\n' > "$T/corpus/nested.yml"
assay run kwic "$CORPUS/wire.jsonl" -q -O dictionary="$T/corpus/nested.yml" -O level=1 -O window=1 > "$T/lv1.csv"
cat > "$T/want_lv1.csv" <<'CSV'
doc_id,start,end,left,match,right,category,term
wire-001,4,10,The,energy,regulator,economy,energ*
wire-001,37,43,in,tariff,for,economy,tariff*
wire-001,56,61,rooftop,solar,by,economy|mixed,solar
wire-003,56,61,the,trade,ministry,economy,trade
CSV
expect_same "$T/want_lv1.csv" "$T/lv1.csv" "kwic -O level=1: top-level categories, each once"
assay run kwic "$CORPUS/wire.jsonl" -q -O dictionary="$T/corpus/nested.yml" -O window=0 > "$T/lv0.csv"
expect_grep '^wire-001,56,61,,solar,,economy/energy|mixed/both|mixed/more,solar$' "$T/lv0.csv" "kwic level 0: every category of the entry, window 0"

# Options are checked in init: the run fails before any document.
expect_exit 3 "kwic window=-1 fails in init" -- assay run kwic "$CORPUS" -q -O pattern=energy -O window=-1
expect_grep "option window must be 0..1000 words (got -1)" "$T/err" "kwic window error names the option and value"
expect_grep "in init() of plugin kwic" "$T/err" "kwic window error comes from init"
expect_exit 3 "kwic pattern=FILE.yml is refused" -- assay run kwic "$CORPUS" -q -O pattern=plugins/dictionaries/international.yml
expect_grep "looks like a dictionary file: use -O dictionary=" "$T/err" "kwic says to use -O dictionary"
expect_exit 3 "kwic with both pattern and dictionary is refused" -- assay run kwic "$CORPUS" -q -O pattern=energy -O dictionary=international
expect_exit 3 "kwic with an unknown bundled dictionary" -- assay run kwic "$CORPUS" -q -O dictionary=nosuchdict
expect_grep "no bundled dictionary named 'nosuchdict'" "$T/err" "kwic names the missing dictionary"
expect_exit 3 "kwic pattern that can never match" -- assay run kwic "$CORPUS" -q -O pattern='energy|:-)'
expect_grep "':-)' can never match" "$T/err" "kwic says which alternative can never match"
expect_exit 0 "kwic glob across a hyphen" -- assay run kwic "$T/corpus/norm" -q -O pattern='oil-gas*' -O window=2
expect_grep '^a.txt,65,72,Road and,oil-gas,fields,,oil-gas\*$' "$T/out" "'oil-gas*' reads as the phrase 'oil gas*'"

# ---- keyness ------------------------------------------------------------------

# Checked by hand: "percent" twice in the target (wire-001 "12 percent",
# wire-003 "8 percent") and never elsewhere; "by" 2 in the target, 4 in the
# reference (port brief "by 2027", rail "by a day", seed "guided by",
# "underpinned by"); the 1-1 words tie and sort by word.
assay run keyness "$CORPUS" -q -j 2 -O field=outlet -O 'target=Example Wire' -O min_count=2 -O top=10 > "$T/key.csv"
expect_same "$EXPECTED/toolkit_keyness_corpus.csv" "$T/key.csv" "keyness outlet='Example Wire' on examples/corpus"
# G2, chi2 and log ratio of "percent" recomputed from the counts (Rayson &
# Garside 2000 table; totals = sums of a min_count=1 run, every word: 83
# target words, as wordfreq counts in wire.jsonl, and 858 in all).
assay run keyness "$CORPUS" -q -O field=outlet -O 'target=Example Wire' -O min_count=1 > "$T/key_all.csv"
if python3 - "$T/key_all.csv" "$T/key.csv" <<'PY'
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
c = sum(int(r["target_count"]) for r in rows); d = sum(int(r["reference_count"]) for r in rows)
r = next(r for r in csv.DictReader(open(sys.argv[2], encoding="utf-8")) if r["word"] == "percent")
a, b = int(r["target_count"]), int(r["reference_count"])
n = c + d; e1 = c * (a + b) / n; e2 = d * (a + b) / n
obs = [a, b, c - a, d - b]
exp = [e1, e2, c - e1, d - e2]
g2 = 2 * sum(o * math.log(o / e) for o, e in zip(obs, exp) if o > 0)
chi2 = sum((o - e) ** 2 / e for o, e in zip(obs, exp))
lr = math.log2((a / c) / (max(b, 0.5) / d))
ok = all(abs(float(r[k]) - v) < 1e-9 * max(1, abs(v)) for k, v in
         (("log_likelihood", g2), ("chi2", chi2), ("log_ratio", lr)))
if not ok: print("  recomputed", g2, chi2, lr, "got", r)
sys.exit(0 if ok and (c, d) == (83, 775) else 1)
PY
then pass "keyness scores of 'percent' recomputed (G2, chi2, log ratio)"
else fail "keyness scores of 'percent' differ from the formulas"; fi

# Against a second corpus, read once (in init of worker 0): -j 1 = -j 2.
# Checked by hand: "percent" 2 in wire.jsonl, none in the seed; "said" 2
# (wire-001, wire-003) against 1 ("said President Xi"); "by" 2 against 2;
# "the" 7 in the three wire texts.
assay run keyness "$CORPUS/wire.jsonl" -q -j 1 -O reference="$SEED" -O min_count=2 -O top=5 > "$T/keyref1.csv"
assay run keyness "$CORPUS/wire.jsonl" -q -j 2 -O reference="$SEED" -O min_count=2 -O top=5 > "$T/keyref2.csv"
expect_same "$EXPECTED/toolkit_keyness_reference.csv" "$T/keyref1.csv" "keyness wire.jsonl against the seed"
expect_same "$T/keyref1.csv" "$T/keyref2.csv" "keyness -O reference: -j 2 equals -j 1 (reference counted once)"

# Errors name the field and the value, and a bad reference fails in init.
expect_exit 3 "keyness with a target value nobody has" -- assay run keyness "$CORPUS" -q -O field=outlet -O target=Nope
expect_grep "no document has meta.outlet = 'Nope'; values seen: 'Example Wire' (3), 'Coastal Ledger' (1)" "$T/err" "keyness names the field, the value and the values seen"
expect_exit 3 "keyness with a missing field" -- assay run keyness "$CORPUS" -q -O field=nofield -O target=x
expect_grep "no document has the metadata field 'nofield'" "$T/err" "keyness names the missing field"
expect_exit 3 "keyness with a bad reference path" -- assay run keyness "$CORPUS" -q -O reference="$T/nonexistent"
expect_grep "in init() of plugin keyness" "$T/err" "keyness checks the reference path in init"
expect_grep "nonexistent" "$T/err" "keyness names the reference path"
# the reference is read as the run reads its input (ctx.input): a CSV whose
# text column is "body" for both sides
printf 'id,body\nt1,Energy energy energy prices rose\nt2,Energy markets\n' > "$T/kt.csv"
printf 'id,body\nr1,Trade and trade talks\nr2,Trade markets energy\n' > "$T/kr.csv"
expect_exit 0 "keyness against a CSV reference with --text-field" -- \
  assay run keyness "$T/kt.csv" -O reference="$T/kr.csv" --text-field body -O min_count=1 -q
expect_grep '^energy,4,1,' "$T/out" "target and reference both read from the body column"
expect_grep '^trade,0,3,-' "$T/out" "the reference's words counted"

# ---- entities -----------------------------------------------------------------

# Checked by hand against the texts: "President Xi" 8 times (plus once in
# "Chinese President Xi Jinping"), "China-Kazakhstan" 4, the multi-word
# names Xi Jinping and Kassym-Jomart Tokayev (with their titles), "The"
# and "Stronger"/"Both" at sentence starts dropped; on the corpus also
# Ana Ruiz, Mayor Ilse Varga, Samuel Okafor ("Dr." is an abbreviation).
assay run entities "$SEED" -q > "$T/ent_seed.csv"
expect_same "$EXPECTED/toolkit_entities_seed.csv" "$T/ent_seed.csv" "entities on the seed"
expect_grep '^Chinese President Xi Jinping,1,1$' "$T/ent_seed.csv" "entities: Xi Jinping"
expect_grep '^President Kassym-Jomart Tokayev,1,1$' "$T/ent_seed.csv" "entities: Kassym-Jomart Tokayev"
assay run entities "$CORPUS" -q -j 2 > "$T/ent.csv"
expect_same "$EXPECTED/toolkit_entities_corpus.csv" "$T/ent.csv" "entities on examples/corpus"

# ---- ngrams and collocations --------------------------------------------------

# Checked by hand: "president xi" 9 in the seed (8 "President Xi" + "Xi
# Jinping"), "a new" 4 in 2 documents (3 in the seed, "A new freight line"),
# "china kazakhstan" 4 (China-Kazakhstan), "of the" 4 in 2 documents.
assay run ngrams "$CORPUS" -q -j 2 -O n=2..3 -O top=12 > "$T/ngrams.csv"
expect_same "$EXPECTED/toolkit_ngrams_corpus.csv" "$T/ngrams.csv" "ngrams n=2..3 on examples/corpus"
assay run ngrams "$SEED" -q -O n=2 -O top=10 > "$T/ngrams_seed.csv"
expect_same "$EXPECTED/toolkit_ngrams_seed.csv" "$T/ngrams_seed.csv" "ngrams n=2 on the seed"

# A table of some 300,000 bigrams: sorted on several threads (split in
# place, each part sorted by its own thread) and formatted 65,536 rows at
# a time in slices, one a thread. -j 1 and -j 3 must write the same
# bytes, and both equal a count in Python: count descending, then the
# n-gram's bytes ascending; n, count and document count in every row.
mkdir -p "$T/bigtab"
python3 - "$T/bigtab" <<'PY'
import random, sys
r = random.Random(7)
vocab = ["w%d" % i for i in range(6000)]
for d in range(3):
    words = [vocab[min(int(r.paretovariate(0.7)) - 1, 5999)] if r.random() < 0.5
             else r.choice(vocab) for _ in range(160000)]
    open("%s/d%d.txt" % (sys.argv[1], d), "w").write(" ".join(words) + "\n")
PY
assay run ngrams "$T/bigtab" -q -j 1 -O sentences=false > "$T/bigtab1.csv"
assay run ngrams "$T/bigtab" -q -j 3 -O sentences=false > "$T/bigtab3.csv"
expect_same "$T/bigtab1.csv" "$T/bigtab3.csv" "ngrams over 300,000 bigrams: -j 3 equals -j 1"
if python3 - "$T/bigtab" "$T/bigtab3.csv" <<'PY'
import collections, csv, glob, sys
count, docs = collections.Counter(), collections.Counter()
for f in sorted(glob.glob(sys.argv[1] + "/*.txt")):
    w = open(f).read().split()
    grams = [w[i] + " " + w[i + 1] for i in range(len(w) - 1)]
    count.update(grams)
    docs.update(set(grams))
want = sorted(count, key=lambda g: (-count[g], g.encode()))
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
got = [r["ngram"] for r in rows]
ok = got == want and len(want) > 200000 and all(
    (r["n"], int(r["count"]), int(r["docs"])) == ("2", count[r["ngram"]], docs[r["ngram"]])
    for r in rows)
if not ok: print("  %d rows, %d bigrams in Python" % (len(got), len(want)))
sys.exit(0 if ok else 1)
PY
then pass "ngrams over 300,000 bigrams equal a count in Python, in order"
else fail "ngrams over 300,000 bigrams differ from a count in Python"; fi

assay run collocations "$CORPUS" -q -j 2 -O min_count=2 > "$T/coll.csv"
expect_same "$EXPECTED/toolkit_collocations_corpus.csv" "$T/coll.csv" "collocations min_count=2 on examples/corpus"
assay run collocations "$SEED" -q -O min_count=2 -O top=10 > "$T/coll_seed.csv"
expect_same "$EXPECTED/toolkit_collocations_seed.csv" "$T/coll_seed.csv" "collocations on the seed"
# president/xi recomputed from wordfreq's counts (c1, c2, N = all words)
# and ngrams' bigram count: MI, t-score, G2 (Dunning 1993) and Pearson's chi2.
assay run wordfreq "$CORPUS" -q > "$T/wf.csv"
if python3 - "$T/wf.csv" "$T/ngrams.csv" "$T/coll.csv" <<'PY'
import csv, math, sys
wf = {r["word"]: int(r["count"]) for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
N = sum(wf.values()); c1, c2 = wf["president"], wf["xi"]
c12 = next(int(r["count"]) for r in csv.DictReader(open(sys.argv[2], encoding="utf-8")) if r["ngram"] == "president xi")
row = next(r for r in csv.DictReader(open(sys.argv[3], encoding="utf-8")) if (r["w1"], r["w2"]) == ("president", "xi"))
o = [c12, c1 - c12, c2 - c12, N - c1 - c2 + c12]
e = [c1 * c2 / N, c1 * (N - c2) / N, (N - c1) * c2 / N, (N - c1) * (N - c2) / N]
mi = math.log2(o[0] / e[0]); t = (o[0] - e[0]) / math.sqrt(o[0])
g2 = 2 * sum(x * math.log(x / y) for x, y in zip(o, e) if x > 0)
chi2 = sum((x - y) ** 2 / y for x, y in zip(o, e))
want = {"count": c12, "mi": mi, "t_score": t, "log_likelihood": g2, "chi2": chi2}
ok = all(abs(float(row[k]) - v) < 1e-9 * max(1, abs(v)) for k, v in want.items())
if not ok: print("  recomputed", want, "got", row)
sys.exit(0 if ok and (c12, c1, c2) == (9, 10, 9) else 1)
PY
then pass "collocations president/xi recomputed from wordfreq and ngrams counts"
else fail "collocations president/xi differ from the formulas"; fi

finish
