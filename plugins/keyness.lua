--[[
keyness — which words are characteristic of a target group of documents
against a reference: log-likelihood G² (Dunning 1993; signed, negative
when the word is relatively more frequent in the reference), chi², and
log ratio (Hardie 2014, log2 of the ratio of relative frequencies).

The target is chosen by metadata (-O field=outlet -O target=X: documents
whose meta.outlet is X; every other document is the reference), or the
whole corpus is the target against a second corpus (-O reference=PATH,
any file or directory assay reads, counted in init so that a bad path
fails before the target is read, and read as the run reads its input:
--text-field, --encoding etc. come through ctx.input).
]]

-- "a (3), b (2), ..." : the most frequent values of the field.
local function seen(values)
  local parts = {}
  for i, kv in ipairs(values:top(5)) do
    parts[i] = "'" .. kv[1] .. "' (" .. kv[2] .. ")"
  end
  if #values > 5 then parts[#parts + 1] = "..." end
  return table.concat(parts, ", ")
end

-- Name the field and value when one side of the comparison is empty.
local function check_groups(o, st)
  if o.reference ~= "" then
    if st.ref:total() == 0 then
      error("keyness: reference corpus " .. o.reference .. " has no words", 0)
    end
    if st.target:total() == 0 then error("keyness: the input has no words", 0) end
    return
  end
  local what = "meta." .. o.field .. " = '" .. o.target .. "'"
  if #st.values == 0 then
    error("keyness: no document has the metadata field '" .. o.field
          .. "' (-O field=" .. o.field .. ")", 0)
  end
  if st.values:get(o.target) == 0 then
    error("keyness: no document has " .. what .. "; values seen: " .. seen(st.values), 0)
  end
  if st.target:total() == 0 then
    error("keyness: the documents with " .. what .. " have no words", 0)
  end
  if st.ref:total() == 0 then
    error("keyness: every document with words has " .. what
          .. ", so the reference group is empty (or use -O reference=PATH)", 0)
  end
end

return {
  name = "keyness",
  version = "1.2",
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
    if o.min_count < 0 or o.top < 0 then
      error("keyness: min_count and top must be >= 0", 0)
    end
    ctx.opts = { lower = o.lower, numbers = o.numbers }
    local st = { target = assay.counter(), ref = assay.counter(), values = assay.counter() }
    -- the reference is read once, by worker 0 (whose state the others
    -- merge into), before any document: a bad path fails the run now
    if o.reference ~= "" and ctx.worker == 0 then
      -- read the way the run reads its input (--text-field, --encoding, ...)
      local ropts = { lower = o.lower, numbers = o.numbers }
      for k, v in pairs(ctx.input or {}) do ropts[k] = v end
      local n, err = assay.count_corpus(o.reference, st.ref, ropts)
      if not n then error("keyness: reference corpus: " .. err, 0) end
      if n == 0 then error("keyness: reference corpus " .. o.reference .. " has no documents", 0) end
    end
    return st
  end,

  document = function(doc, ctx)
    local o, st, into = ctx.options, ctx.state, ctx.state.target
    if o.reference == "" then
      local v = doc.meta[o.field]
      if v ~= nil then st.values:add(tostring(v)) end
      if v == nil or tostring(v) ~= o.target then into = st.ref end
    end
    into:add_words(doc, ctx.opts)
  end,

  merge = function(state, other)
    state.target:merge(other.target)
    state.ref:merge(other.ref)
    state.values:merge(other.values)
  end,

  finish = function(ctx, out)
    local o = ctx.options
    check_groups(o, ctx.state)
    local rows = assay.keyness(ctx.state.target, ctx.state.ref,
                               { min_count = o.min_count, top = o.top })
    for _, r in ipairs(rows) do out:row(r) end
  end,
}
