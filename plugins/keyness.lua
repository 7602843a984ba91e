--[[
keyness — which words are characteristic of a target group of documents
against a reference: log-likelihood G² (Dunning 1993; signed, negative
when the word is relatively more frequent in the reference), chi², and
log ratio (Hardie 2014, log2 of the ratio of relative frequencies).

The target is chosen by metadata (-O field=outlet -O target=X: documents
whose meta.outlet is X; every other document is the reference), or the
whole corpus is the target against a second corpus (-O reference=PATH,
any file or directory assay reads).
]]

return {
  name = "keyness",
  version = "1.0",
  summary = "Keywords of a target group vs a reference: log-likelihood, chi2, log ratio",
  options = {
    field = "",        -- metadata field choosing the target group
    target = "",       -- value of that field for the target
    reference = "",    -- or: path of a reference corpus (then every document is target)
    min_count = 5,     -- target + reference occurrences needed
    top = 0,           -- keep the N first rows (0 = all)
    lower = true,
    numbers = false,
  },
  columns = { "word", "target_count", "reference_count", "log_likelihood",
              "chi2", "log_ratio" },

  init = function(ctx)
    local o = ctx.options
    if o.reference == "" and (o.field == "" or o.target == "") then
      error("keyness needs -O field=NAME -O target=VALUE, or -O reference=PATH", 0)
    end
    if o.reference ~= "" and o.field ~= "" then
      error("give either field/target or reference, not both", 0)
    end
    ctx.opts = { n = 1, lower = o.lower, numbers = o.numbers, sentences = false }
    return { target = assay.counter(), ref = assay.counter() }
  end,

  document = function(doc, ctx)
    local o, into = ctx.options, ctx.state.target
    if o.reference == "" then
      local v = doc.meta[o.field]
      if v == nil or tostring(v) ~= o.target then into = ctx.state.ref end
    end
    assay.ngrams(doc, into, nil, ctx.opts)
  end,

  merge = function(state, other)
    state.target:merge(other.target)
    state.ref:merge(other.ref)
  end,

  finish = function(ctx, out)
    local o = ctx.options
    if o.reference ~= "" then
      local n, err = assay.count_corpus(o.reference, ctx.state.ref, ctx.opts)
      if not n then error("reference corpus: " .. err, 0) end
    end
    local rows = assay.keyness(ctx.state.target, ctx.state.ref,
                               { min_count = o.min_count, top = o.top })
    for _, r in ipairs(rows) do out:row(r) end
  end,
}
