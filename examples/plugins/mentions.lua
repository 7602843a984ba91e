-- mentions.lua — how often does each document mention a term?
-- The README's 2-minute tour walks through this file.
return {
  name = "mentions",
  summary = "Counts mentions of chosen words per document",
  options = { terms = "china,kazakhstan,energy,trade" },
  columns = { "doc_id", "date", "term", "count" },
  document = function(doc, ctx, out)
    local words = assay.counter()
    words:add_words(doc)                -- tokenised and case-folded in C
    for term in ctx.options.terms:gmatch("[^,%s]+") do
      local n = words:get(term:lower())
      if n > 0 then
        out:row{ doc_id = doc.id, date = doc.date, term = term, count = n }
      end
    end
  end,
}
