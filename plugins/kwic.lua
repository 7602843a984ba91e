--[[
kwic — keyword in context: every match of a pattern or of a dictionary's
entries, with `window` words of context on each side and its code-point
offsets in the text. A pattern (energ*|belt and road) is compiled into a
one-category dictionary (assay.pattern), so patterns and dictionaries
match text by the same rules (docs/plugins.md, "Entries and matching");
matching and contexts run in C (assay.kwic).
]]

-- A pattern that is a dictionary file name (assay.dictionary_extensions:
-- .yml, .csv, .dic, ...) would silently match nothing.
local function looks_like_file(pattern)
  if pattern:find("[|,%s]") then return false end
  for _, ext in ipairs(assay.dictionary_extensions) do
    if pattern:sub(-#ext):lower() == ext then return true end
  end
  return false
end

local function check(o)
  if (o.pattern == "") == (o.dictionary == "") then
    error("kwic needs a pattern or a dictionary (one of them): -O pattern='energ*|belt and road'"
          .. " or -O dictionary=international|FILE", 0)
  end
  if looks_like_file(o.pattern) then
    error("kwic: pattern '" .. o.pattern .. "' looks like a dictionary file: use -O dictionary="
          .. o.pattern, 0)
  end
  if o.window < 0 or o.window > 1000 then
    error("kwic: option window must be 0..1000 words (got " .. o.window .. ")", 0)
  end
  if o.level < 0 then error("kwic: option level must be >= 0 (got " .. o.level .. ")", 0) end
end

-- The categories of a match joined by "|", each once (at a level, two
-- subcategories of one entry can map to the same parent).
local function join(cats)
  if #cats == 1 then return cats[1] end
  local seen, list = {}, {}
  for _, c in ipairs(cats) do
    if not seen[c] then seen[c] = true; list[#list + 1] = c end
  end
  return table.concat(list, "|")
end

return {
  name = "kwic",
  version = "1.1",
  summary = "Keyword in context: matches of a word/glob/phrase pattern or a dictionary, with context",
  options = {
    pattern = "",     -- "energy|oil|gas", "energ*", "belt and road"
    dictionary = "",  -- or: bundled name (plugins/dictionaries/NAME.*) or a file
    format = "",      -- dictionary format if the extension does not say
    stem = "",        -- match words by Snowball stem: english, ...
    level = 0,        -- category depth reported (0: the entry's own category)
    window = 5,       -- words of context each side
  },
  columns = { "doc_id", "start", "end", "left", "match", "right", "category", "term" },

  init = function(ctx)
    local o = ctx.options
    check(o)
    local opts = { format = o.format ~= "" and o.format or nil,
                   stem = o.stem ~= "" and o.stem or nil }
    if o.pattern ~= "" then
      ctx.dict = assay.pattern(o.pattern, opts)
    else
      ctx.dict = assay.dictionary(o.dictionary, opts)
      ctx.categories = true
    end
    ctx.opts = { window = o.window, level = o.level }
  end,

  document = function(doc, ctx, out)
    for _, m in ipairs(assay.kwic(doc, ctx.dict, ctx.opts)) do
      out:row{ doc_id = doc.id, start = m.start, ["end"] = m.stop,
               left = m.left, match = m.match, right = m.right,
               category = ctx.categories and join(m.categories) or nil,
               term = m.term }
    end
  end,
}
