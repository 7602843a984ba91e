-- Fixture: word counts kept in ctx.state and merged across workers.
return {
  name = "wordstate",
  columns = { "word", "count" },
  options = { min_length = 1 },
  init = function(ctx)
    return { words = assay.counter(), docs = 0, ids = {} }
  end,
  document = function(doc, ctx, out)
    local s = ctx.state
    s.words:add_words(doc, { min_length = ctx.options.min_length })
    s.docs = s.docs + 1
    s.ids[doc.id] = doc.length
  end,
  merge = function(state, other)
    state.words:merge(other.words)
    state.docs = state.docs + other.docs
    for k, v in pairs(other.ids) do state.ids[k] = v end
  end,
  finish = function(ctx, out)
    for word, n in ctx.state.words:each() do out:row { word, n } end
    out:row { "#docs", ctx.state.docs }
    for id, len in assay.spairs(ctx.state.ids) do out:row { id, len } end
  end,
}
