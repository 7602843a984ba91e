-- ngrams_spec.lua — assay.ngram_table / assay.ngram_rows from Lua: one
-- counter holds the count and document count of each n-gram
-- (t:get, t:docs), merges add both, no
-- n-gram joins the words around a dropped number, and ngram_rows and
-- collocation_rows refuse an Output that does not have their 4 and 7
-- columns.
local T = load(assay.read_file("spec_helper.lua"), "@spec_helper.lua")()

local function table_counts()
  local t = assay.counter()
  local got = assay.ngram_table("Profits rose 5 pct in 1987 to 3.5 billion dlrs.",
                                t, { n = 2, sentences = false })
  T.eq(got, 3, "three bigrams: no bigram across a dropped number")
  T.eq(t:get("profits rose"), 1, "count 1")
  T.eq(t:docs("profits rose"), 1, "in 1 document")
  T.eq(t:get("rose pct"), 0, "rose | 5 | pct")
  T.eq(t:get("to billion"), 0, "to | 3.5 | billion")
  got = assay.ngram_table("the cat. the cat", t, { n = 2, sentences = false })
  T.eq(got, 3, "the cat, cat the, the cat")
  T.eq(t:get("the cat"), 2, "count 2")
  T.eq(t:docs("the cat"), 1, "one document")
  local u = assay.counter()
  assay.ngram_table("The cat", u, { nmin = 1, nmax = 2 })
  t:merge(u)
  T.eq(t:get("the cat"), 3, "merge adds counts")
  T.eq(t:docs("the cat"), 2, "and documents")
  T.eq(t:get("the"), 1, "unigrams with nmin = 1")
  T.eq(t:docs("the"), 1, "unigrams with nmin = 1: documents")
  got = assay.ngram_table("rose 5 pct", u, { n = 2, numbers = true })
  T.eq(got, 2, "kept numbers are words")
  T.raises(function() assay.ngram_table("a b", u, { n = 6 }) end, "n-gram sizes")
  T.raises(function() assay.ngram_table("a b", {}, {}) end, "assay.Counter")
  return t
end

return {
  name = "ngrams_spec",
  columns = { "spec", "checks", "status" },
  document = function(doc, ctx)
    ctx.t = table_counts()
    T.ok(assay.ngram_table(doc, assay.counter()) > 0, "a Document works too")
  end,
  finish = function(ctx, out)
    T.ok(ctx.t, "document() ran")
    T.raises(function() assay.ngram_rows(ctx.t, out) end, "has 3 columns")
    T.raises(function() assay.collocation_rows(ctx.t, ctx.t, out) end, "has 3 columns")
    out:row{ spec = "ngrams_spec", checks = T.checks, status = "passed" }
  end,
}
