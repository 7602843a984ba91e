--[[
ngrams — word n-grams (n = 2..5) over a corpus: how often each sequence of
n words occurs and in how many documents. Words are UAX #29 words, case
folded; an n-gram joins only words adjacent in the text (a number left
out with numbers=false ends the chain) and, by default, never spans two
sentences (news-mode sentence splitting). Counting and the final table
run in C (assay.ngram_table, assay.ngram_rows): one counter holds each
n-gram once with both its count and its document count.
]]

-- "2", "2..4" or "2-4" -> nmin, nmax
local function parse_n(spec)
  local a, b = spec:match("^%s*(%d+)%s*%.%.%s*(%d+)%s*$")
  if not a then a, b = spec:match("^%s*(%d+)%s*%-%s*(%d+)%s*$") end
  if not a then a = spec:match("^%s*(%d+)%s*$"); b = a end
  a, b = tonumber(a), tonumber(b)
  if not a or a < 1 or b > 5 or a > b then
    error("option n must be 1..5 or a range like 2..5 (got '" .. spec .. "')", 0)
  end
  return a, b
end

return {
  name = "ngrams",
  version = "1.1",
  summary = "Word n-grams (n = 2..5): occurrences and documents containing each",
  options = {
    n = "2",           -- size, or a range "2..5"
    min_count = 1,     -- drop n-grams seen fewer times
    top = 0,           -- keep only the N most frequent (0 = all)
    lower = true,      -- Unicode case folding
    numbers = false,   -- also use numeric tokens (1990, 3.5) as words
    sentences = true,  -- n-grams stay inside one sentence
  },
  columns = { "ngram", "n", "count", "docs" },

  init = function(ctx)
    local o = ctx.options
    ctx.nmin, ctx.nmax = parse_n(o.n)
    ctx.opts = { nmin = ctx.nmin, nmax = ctx.nmax, lower = o.lower,
                 numbers = o.numbers, sentences = o.sentences,
                 abbreviations = assay.data_path("data/abbreviations/en.txt") }
    return { grams = assay.counter() }   -- count and document count per n-gram
  end,

  document = function(doc, ctx)
    assay.ngram_table(doc, ctx.state.grams, ctx.opts)
  end,

  merge = function(state, other)
    state.grams:merge(other.grams)
  end,

  finish = function(ctx, out)               -- count desc, then n-gram
    local o = ctx.options
    assay.ngram_rows(ctx.state.grams, out, { min_count = o.min_count, top = o.top })
  end,
}
