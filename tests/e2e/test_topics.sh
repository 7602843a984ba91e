#!/usr/bin/env bash
# test_topics.sh — the topics plugin and `assay dict lint` end to end:
# golden CSVs (checked by hand) on examples/corpus and the seed, -j 1 vs
# -j 2 equality, aggregation, dictionary errors naming file and line.
source "$(dirname "$0")/lib.sh"

# per document, default (international) dictionary
assay run topics "$CORPUS" -o "$T/doc" -q -j 1
expect_same "$EXPECTED/topics_corpus.csv" "$T/doc/topics.csv" "topics per document on examples/corpus"
assay run topics "$CORPUS" -o "$T/doc2" -q -j 2
expect_same "$T/doc/topics.csv" "$T/doc2/topics.csv" "topics -j 2 equals -j 1"
expect_same <(echo "category,term,count") "$T/doc/topic_terms.csv" "topic_terms.csv is header only without terms=true"

# aggregated by month, with terms, two threads
assay run topics "$CORPUS" -o "$T/month" -q -j 2 -O by=month -O terms=true
expect_same "$EXPECTED/topics_corpus_month.csv" "$T/month/topics.csv" "topics by=month"
assay run topics "$CORPUS" -o "$T/meta" -q -j 2 -O by=meta:outlet
expect_grep '^Example Wire,,education_culture,5,' "$T/meta/topics.csv" "topics by=meta:outlet groups by the field"

# the seed: the tallies name trade, energy, transport, technology, education/culture
SEED=$ASSAY_SHARED_DIR/corpora/seed
if [ -d "$SEED" ]; then
  assay run topics "$SEED" -o "$T/seed" -q -O terms=true
  for t in trade energy transport technology education_culture; do
    expect_grep "^xi-kazakhstan-2024-07-02.txt,2024-07-02,$t," "$T/seed/topics.csv" "seed tallies name $t"
  done
  expect_same "$EXPECTED/topics_seed_terms.csv" "$T/seed/topic_terms.csv" "topic_terms.csv on the seed"
else
  echo "ok - SKIPPED seed checks: $SEED absent"
fi

# levels: a nested YAML dictionary counted at the top level
mkdir -p "$T/corpus/d"; D=$T/corpus/d  # inputs under corpus/ are not output CSVs
printf 'economy:\n  trade: [tariff*, trade]\n  energy: [energ*, solar]\nsociety: [students, universities]\n' > "$D/nested.yml"
assay run topics "$CORPUS/wire.jsonl" -o "$T/lv" -q -O dictionary="$D/nested.yml" -O level=1
expect_grep '^wire-001,2024-06-03,economy,3,' "$T/lv/topics.csv" "level=1 sums economy/trade and economy/energy"
assay run topics "$CORPUS/wire.jsonl" -o "$T/lv0" -q -O dictionary="$D/nested.yml"
expect_grep '^wire-001,2024-06-03,economy/energy,2,' "$T/lv0/topics.csv" "level=0 keeps leaf categories"

# rows written from C (d:rows): dates of any type as tostring(doc.date),
# none for false or missing, per_1000 rounded to 3 decimals
printf '{"id":"n1","date":20240603,"text":"Trade and tariffs."}\n{"id":"n2","date":2024.5,"text":"trade"}\n{"id":"n3","date":false,"text":"trade energy trade"}\n' > "$D/dates.jsonl"
assay run topics "$D/dates.jsonl" -o "$T/dates" -q
expect_same <(printf 'doc_id,date,topic,count,per_1000\nn1,20240603,trade,2,666.667\nn2,2024.5,trade,1,1000\nn3,,trade,2,666.667\nn3,,energy,1,333.333\n') "$T/dates/topics.csv" "topics rows: dates, rates"

# errors
printf 'a,b\nc\n' > "$D/bad.csv"
expect_exit 3 "a malformed dictionary fails the run" -- assay run topics "$CORPUS" -o "$T/bad" -O dictionary="$D/bad.csv"
expect_grep "bad.csv:2: expected a category and a term" "$T/err" "the error names the dictionary file and line"
expect_exit 3 "an unknown bundled dictionary fails" -- assay run topics "$CORPUS" -o "$T/bad" -O dictionary=nosuch
expect_grep "no bundled dictionary named 'nosuch'" "$T/err" "the error names the missing dictionary"

# by=date|month|year read the date (ISO 8601 with or without a time, YYYYMMDD, YYYY-MM,
# YYYY); other dates are grouped under an empty key and reported once
printf '%s\n' '{"id":"a","date":"20240603","text":"trade and energy"}' \
  '{"id":"b","date":"03/06/2024","text":"trade"}' \
  '{"id":"c","date":"2024-06-03T10:00:00Z","text":"energy"}' \
  '{"id":"d","text":"oil"}' '{"id":"e","date":"June 3, 2024","text":"trade"}' > "$D/dates.jsonl"
expect_exit 0 "topics by=month on mixed dates" -- assay run topics "$D/dates.jsonl" -O by=month -o "$T/dates" -q -j 1
expect_grep '^2024-06,2024-06,trade,1,250$' "$T/dates/topics.csv" "YYYYMMDD and an ISO time fall in 2024-06"
expect_grep '^2024-06,2024-06,energy,2,500$' "$T/dates/topics.csv" "both 2024-06 documents counted"
expect_grep '^,,trade,2,666.667$' "$T/dates/topics.csv" "unreadable and missing dates under the empty key"
expect_grep "2 document(s) have a date that by=month cannot read (such as '03/06/2024'" "$T/err" "unreadable dates reported once"
printf '%s\n' '{"id":"f","date":"2024/6/3","text":"trade"}' '{"id":"g","date":"2024-06-031","text":"trade"}' >> "$D/dates.jsonl"
expect_exit 0 "topics by=date keeps the day of an ISO date-time" -- assay run topics "$D/dates.jsonl" -O by=date -o "$T/dates2" -q -j 2
expect_grep "3 document(s) have a date that by=date cannot read (such as '03/06/2024'" "$T/err" "2024-06-031 is not a day; the example is the same for -j 2"
expect_grep '^2024-06-03,2024-06-03,trade,2,' "$T/dates2/topics.csv" "2024/6/3 reads as 2024-06-03"
expect_grep '^2024-06-03,2024-06-03,energy,2,400$' "$T/dates2/topics.csv" "by=date groups 2024-06-03T10:00:00Z, 20240603 and 2024/6/3"

# dict lint
expect_exit 0 "bundled international dictionary lints clean" -- assay dict lint "$SRC/plugins/dictionaries/international.yml"
expect_exit 0 "bundled reuters dictionary lints clean" -- assay dict lint "$SRC/plugins/dictionaries/reuters.yml"
printf 'a,energ*\na,energy*\nb,energy\na,trade\na,trade\na,:-)\n' > "$D/lint.csv"
expect_exit 1 "dict lint reports findings" -- assay dict lint "$D/lint.csv" "$CORPUS" -j 1
expect_grep "lint.csv:4: duplicate: duplicate entry 'trade'" "$T/out" "lint: duplicate"
expect_grep "lint.csv:6: never: entry ':-)'" "$T/out" "lint: never matches"
expect_grep "lint.csv:1: overlap: glob 'energ\*' overlaps glob 'energy\*'" "$T/out" "lint: overlapping globs"
expect_grep "lint.csv:3: shadow: entry 'energy' (b) shadows glob 'energy\*' (a)" "$T/out" "lint: shadowed glob"
expect_grep "^a  *4  *5$" "$T/out" "lint: coverage (documents, matches) of category a"
expect_exit 3 "dict lint of a malformed file" -- assay dict lint "$D/bad.csv"
expect_grep "bad.csv:2:" "$T/err" "lint error names file and line"
expect_exit 2 "dict without a subcommand is a usage error" -- assay dict
# coverage on a CSV corpus whose text column is not "text"
printf 'id,body\nd1,Energy prices and oil.\nd2,Nothing to see.\n' > "$D/body.csv"
printf 'energy,energ*\nenergy,oil\ntrade,trade\n' > "$D/small.csv"
expect_exit 0 "dict lint coverage with --text-field" -- assay dict lint "$D/small.csv" "$D/body.csv" --text-field body -j 1
expect_grep "^energy  *1  *2$" "$T/out" "lint coverage reads the body column"
expect_grep "^(all documents)  *2  *2$" "$T/out" "lint coverage counts both documents"
expect_exit 2 "dict lint with an unknown option" -- assay dict lint "$D/small.csv" --bogus
expect_grep "unrecognized option '--bogus'" "$T/err" "the unknown option is named, not read as an input"

check_csvs
echo "$PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
