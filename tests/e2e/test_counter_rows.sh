#!/bin/bash
# test_counter_rows.sh — counter:rows(out, opts): a frequency table written
# from C, checked byte for byte on a small corpus: the order (count
# descending, then key bytewise), the `also` column, min_count, top, skip
# with and without case folding, and the error for a wrong column count;
# the paired form (add_words with docs = true, c:docs, rows with docs =
# true) gives the same table, also merged across -j 2.
source "$(dirname "$0")/lib.sh"

mkdir -p "$T/in"
printf 'The cat saw the Cat. the end\n' > "$T/in/a.txt"
printf 'Stra\xc3\x9fe cat dog\n' > "$T/in/b.txt"
cat > "$T/rows.lua" <<'LUA'
return {
  name = "rows",
  columns = { "key", "count", "docs" },
  options = { top = 0, min_count = 1, fold = false, skip = "" },
  init = function() return { c = assay.counter(), d = assay.counter() } end,
  document = function(doc, ctx)
    ctx.state.c:add_words(doc, { lower = false }, ctx.state.d)
  end,
  finish = function(ctx, out)
    local o, skip = ctx.options, {}
    for w in o.skip:gmatch("%S+") do skip[w] = true end
    ctx.state.c:rows(out, { top = o.top, min_count = o.min_count,
                            also = { ctx.state.d }, skip = skip,
                            fold = o.fold })
  end,
}
LUA

run_rows() { # NAME OPTIONS...
  local name=$1; shift
  assay run "$T/rows.lua" "$T/in" -q -j 1 "$@" > "$T/$name.csv"
}

run_rows all
printf 'key,count,docs\ncat,2,2\nthe,2,1\nCat,1,1\nStra\xc3\x9fe,1,1\nThe,1,1\ndog,1,1\nend,1,1\nsaw,1,1\n' > "$T/want_all.csv"
expect_same "$T/want_all.csv" "$T/all.csv" "rows: count descending, key bytewise, docs from also"

run_rows top -O top=3
head -4 "$T/want_all.csv" > "$T/want_top.csv"
expect_same "$T/want_top.csv" "$T/top.csv" "rows: top=3 keeps the first three"

run_rows min -O min_count=2
head -3 "$T/want_all.csv" > "$T/want_min.csv"
expect_same "$T/want_min.csv" "$T/min.csv" "rows: min_count=2 ends the table"

run_rows raw -O skip="the strasse"
printf 'key,count,docs\ncat,2,2\nCat,1,1\nStra\xc3\x9fe,1,1\nThe,1,1\ndog,1,1\nend,1,1\nsaw,1,1\n' > "$T/want_raw.csv"
expect_same "$T/want_raw.csv" "$T/raw.csv" "rows: skip compares keys as they are"

run_rows fold -O skip="the strasse" -O fold=true
printf 'key,count,docs\ncat,2,2\nCat,1,1\ndog,1,1\nend,1,1\nsaw,1,1\n' > "$T/want_fold.csv"
expect_same "$T/want_fold.csv" "$T/fold.csv" "rows: fold=true also skips case-folded matches (The, Straße)"

sed 's/columns = { "key", "count", "docs" }/columns = { "key", "count" }/' \
  "$T/rows.lua" > "$T/rows2.lua"
expect_exit 3 "rows: output with too few columns fails the run" -- \
  assay run "$T/rows2.lua" "$T/in" -q -j 1 -o "$T/o2"
expect_grep "has 2 columns" "$T/err" "rows: the error names the column count"

# The paired counter: document counts kept next to the counts.
cat > "$T/paired.lua" <<'LUA'
local T = { n = 0 }
local function eq(got, want, what)
  T.n = T.n + 1
  if got ~= want then
    error(what .. ": expected " .. tostring(want) .. ", got " .. tostring(got), 0)
  end
end
return {
  name = "paired",
  columns = { "key", "count", "docs" },
  init = function()
    local c = assay.counter()
    c:add_words("The cat and the Cat", { docs = true })
    c:add_words("the dog", { docs = true })
    eq(c:get("the"), 3, "count of the")
    eq(c:docs("the"), 2, "docs of the")
    eq(c:docs("cat"), 1, "docs of cat (once per text)")
    eq(c:get("cat"), 2, "count of cat")
    eq(c:docs("dog"), 1, "docs of dog")
    eq(c:docs("zz"), 0, "docs of an absent key")
    local plain = assay.counter()
    plain:add("x")
    eq(plain:docs("x"), 0, "docs of a counter that keeps none")
    eq(pcall(c.add_words, c, "a", { docs = true, distinct = true }), false,
       "docs = true with distinct = true is refused")
    eq(pcall(c.add_words, c, "a", { docs = true }, assay.counter()), false,
       "docs = true with a docs counter is refused")
    return { c = assay.counter() }
  end,
  document = function(doc, ctx)
    ctx.state.c:add_words(doc, { lower = false, docs = true })
  end,
  merge = function(state, other) state.c:merge(other.c) end,
  finish = function(ctx, out)
    ctx.state.c:rows(out, { docs = true })
  end,
}
LUA
assay run "$T/paired.lua" "$T/in" -q -j 1 > "$T/paired.csv"
expect_same "$T/want_all.csv" "$T/paired.csv" "paired: the same table as counts + a docs counter"
assay run "$T/paired.lua" "$T/in" -q -j 2 > "$T/paired2.csv"
expect_same "$T/want_all.csv" "$T/paired2.csv" "paired: the same table merged across -j 2"

# A table of 150,000 keys: written from C in rounds of 65,536 rows, each
# formatted in slices on the run's threads (-j 2) or on one (-j 1), it
# equals the table written row by row (a skip set with a key the table
# lacks takes that path); top and min_count cut it where the rows would.
python3 - "$T/big" <<'PY'
import os, sys
os.makedirs(sys.argv[1])
for f in range(4):
    with open(os.path.join(sys.argv[1], "p%d.txt" % f), "w") as out:
        out.write(" ".join("w%d" % i for i in range(f, 150000, 2 if f < 2 else 3)))
        out.write("\n")
PY
cat > "$T/big.lua" <<'LUA'
return {
  name = "big",
  columns = { "key", "count", "docs" },
  options = { top = 0, min_count = 1, skip = "" },
  init = function() return { c = assay.counter() } end,
  document = function(doc, ctx)
    ctx.state.c:add_words(doc, { docs = true })
  end,
  merge = function(state, other) state.c:merge(other.c) end,
  finish = function(ctx, out)
    local skip = {}
    for w in ctx.options.skip:gmatch("%S+") do skip[w] = true end
    ctx.state.c:rows(out, { docs = true, skip = skip, top = ctx.options.top,
                            min_count = ctx.options.min_count })
  end,
}
LUA
assay run "$T/big.lua" "$T/big" -q -j 1 -O skip=absent -o "$T/big0"
assay run "$T/big.lua" "$T/big" -q -j 1 -o "$T/big1"
assay run "$T/big.lua" "$T/big" -q -j 2 -o "$T/big2"
if [ "$(wc -l < "$T/big0/big.csv")" -eq 150001 ]; then pass "rows: 150,000 keys"
else fail "rows: 150,000 keys: $(wc -l < "$T/big0/big.csv") lines"; fi
expect_same "$T/big0/big.csv" "$T/big1/big.csv" "rows: a large table formatted in blocks equals it row by row"
expect_same "$T/big0/big.csv" "$T/big2/big.csv" "rows: ... and formatted on 2 threads"
expect_grep '"rows": 150000' "$T/big2/manifest.json" "rows: the manifest counts the rows of the blocks"
assay run "$T/big.lua" "$T/big" -q -j 2 -O top=70000 -o "$T/bigt"
head -70001 "$T/big0/big.csv" > "$T/want_bigt.csv"
expect_same "$T/want_bigt.csv" "$T/bigt/big.csv" "rows: top cuts the blocks where it would cut the rows"
assay run "$T/big.lua" "$T/big" -q -j 2 -O min_count=2 -o "$T/bigm"
awk -F, 'NR == 1 || $2 >= 2' "$T/big0/big.csv" > "$T/want_bigm.csv"
if [ "$(wc -l < "$T/want_bigm.csv")" -gt 70000 ]; then pass "rows: many keys counted twice or more"
else fail "rows: too few keys counted twice or more"; fi
expect_same "$T/want_bigm.csv" "$T/bigm/big.csv" "rows: min_count ends the blocks where it ends the rows"

finish
