--[[
kwic — keyword in context: every occurrence of a pattern with `window`
words of context on each side, and its code-point offsets in the text.
A pattern is words, globs (energ*, *ism, colo?r) and phrases (belt and
road), separated by | or a comma; matching is case-insensitive by default
and runs in C (assay.pattern).
]]

return {
  name = "kwic",
  version = "1.0",
  summary = "Keyword in context: matches of a word/glob/phrase pattern with context",
  options = {
    pattern = "",   -- required: "energy|oil|gas", "energ*", "belt and road"
    window = 5,     -- words of context each side
    lower = true,   -- case-insensitive matching
  },
  columns = { "doc_id", "start", "end", "left", "match", "right" },

  init = function(ctx)
    if ctx.options.pattern == "" then
      error("kwic needs a pattern: -O pattern='energ*|belt and road'", 0)
    end
    ctx.pattern = assay.pattern(ctx.options.pattern, { lower = ctx.options.lower })
    ctx.opts = { window = ctx.options.window }
  end,

  document = function(doc, ctx, out)
    for _, h in ipairs(ctx.pattern:kwic(doc, ctx.opts)) do
      out:row{ doc_id = doc.id, start = h.start, ["end"] = h.stop,
               left = h.left, match = h.match, right = h.right }
    end
  end,
}
