--[[
entities — capitalised multi-word names (Bank of China, Kassym-Jomart
Tokayev, Leonardo da Vinci) with their counts and document frequencies.
A capitalised word opening a sentence only starts a name when the document
also uses it capitalised mid-sentence, so "The" in "The United Nations"
is dropped. Found in C (assay.entities); see docs/plugins.md for the rule.
]]

return {
  name = "entities",
  version = "1.0",
  summary = "Capitalised multi-word names: occurrences and documents",
  options = {
    min_words = 2,   -- 1 also lists single capitalised words
    min_count = 1,
    top = 0,
  },
  columns = { "entity", "count", "docs" },

  init = function(ctx)
    ctx.opts = { min_words = ctx.options.min_words,
                 abbreviations = assay.data_path("data/abbreviations/en.txt") }
    return { counts = assay.counter(), docs = assay.counter() }
  end,

  document = function(doc, ctx)
    assay.entities(doc, ctx.state.counts, ctx.state.docs, ctx.opts)
  end,

  merge = function(state, other)
    state.counts:merge(other.counts)
    state.docs:merge(other.docs)
  end,

  finish = function(ctx, out)
    -- entity, count, docs by count (descending) then name, written from C
    ctx.state.counts:rows(out, { min_count = ctx.options.min_count,
                                 top = ctx.options.top,
                                 also = { ctx.state.docs } })
  end,
}
