--[[
collocations — bigram collocations scored by pointwise mutual information,
t-score and log-likelihood (Dunning 1993) over a 2x2 contingency table:
c(w1 w2), c(w1), c(w2) and N, the number of words. Counting and scoring
run in C (assay.ngrams, assay.collocations); a pair is two words adjacent
in the text (a number left out with numbers=false keeps its neighbours
apart) and, by default, inside one sentence.
]]

return {
  name = "collocations",
  version = "1.2",
  summary = "Bigram collocations: MI, t-score and log-likelihood, sorted",
  options = {
    min_count = 3,             -- bigrams seen fewer times are not scored
    top = 0,                   -- keep the N best (0 = all)
    sort = "log_likelihood",   -- or mi, t_score, chi2, count
    lower = true,
    numbers = false,
    sentences = true,          -- bigrams stay inside one sentence
  },
  columns = { "w1", "w2", "count", "mi", "t_score", "log_likelihood", "chi2" },

  init = function(ctx)
    local o = ctx.options
    local sorts = { log_likelihood = true, mi = true, t_score = true, chi2 = true, count = true }
    if not sorts[o.sort] then  -- before any counting, not at the end
      error("option sort must be log_likelihood, mi, t_score, chi2 or count (got '"
            .. o.sort .. "')", 0)
    end
    if o.min_count < 1 then error("option min_count must be >= 1", 0) end
    if o.top < 0 then error("option top must be >= 0", 0) end
    ctx.opts = { lower = o.lower, numbers = o.numbers, sentences = o.sentences,
                 abbreviations = assay.data_path("data/abbreviations/en.txt") }
    return { uni = assay.counter(), bi = assay.counter() }
  end,

  document = function(doc, ctx)
    local opts = ctx.opts
    opts.n = 1
    assay.ngrams(doc, ctx.state.uni, nil, opts)
    opts.n = 2
    assay.ngrams(doc, ctx.state.bi, nil, opts)
  end,

  merge = function(state, other)
    state.uni:merge(other.uni)
    state.bi:merge(other.bi)
  end,

  finish = function(ctx, out)
    local o = ctx.options
    -- Scored, sorted and written from C: one row per bigram, in the order
    -- of the columns above (assay.collocations returns the same rows as
    -- Lua tables, for an analysis that filters them first).
    assay.collocation_rows(ctx.state.bi, ctx.state.uni, out,
      { min_count = o.min_count, sort = o.sort, top = o.top })
  end,
}
