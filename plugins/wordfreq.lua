--[[
wordfreq — word frequencies over a corpus.

One row per word: how often it occurs and in how many documents. Words are
found and counted in C (assay.counter / add_words), so this plugin never
loops over characters in Lua; stop words are removed from the final table
only, which costs nothing per token.
]]

-- The stop-word option is "" or "none" (none), "english" (bundled list)
-- or a file with one word per line ("#" starts a comment); a relative path
-- is looked for in the working directory too (assay.read_lines).
local function load_stopwords(spec)
  local set = {}
  if spec == "" or spec == "none" then return set end
  local path = spec
  if not spec:find("[/.]") then
    path = assay.data_path("stopwords/" .. spec .. ".txt")
    if not path then error("no bundled stop-word list named '" .. spec .. "'", 0) end
  end
  local lines, err = assay.read_lines(path)
  if not lines then error("cannot read stop words: " .. err, 0) end
  for _, line in ipairs(lines) do
    local w = line:gsub("#.*", ""):match("^%s*(.-)%s*$")
    if w ~= "" then set[w] = true end
  end
  return set
end

return {
  name = "wordfreq",
  version = "1.1",
  summary = "Word frequencies: occurrences and documents containing each word",
  options = {
    lower = true,      -- Unicode case folding before counting
    numbers = false,   -- also count numeric tokens (1990, 3.5)
    min_length = 1,    -- shortest word kept, in characters
    min_count = 1,     -- drop words seen fewer times
    top = 0,           -- keep only the N most frequent words (0 = all)
    stopwords = "",    -- "english", a file path, or "" for none
  },
  columns = { "word", "count", "docs" },

  init = function(ctx)
    ctx.stop = load_stopwords(ctx.options.stopwords)  -- fails early if missing
    ctx.words = { lower = ctx.options.lower, numbers = ctx.options.numbers,
                  min_length = ctx.options.min_length, docs = true }
    return { counts = assay.counter() }
  end,

  document = function(doc, ctx)
    -- One pass over the text: every occurrence adds to its word's count, each
    -- distinct word 1 to its document count, both kept in the one counter
    -- (docs = true: one table, one probe per occurrence, in C).
    ctx.state.counts:add_words(doc, ctx.words)
  end,

  merge = function(state, other)
    state.counts:merge(other.counts)  -- counts and document counts
  end,

  finish = function(ctx, out)
    local o = ctx.options
    -- One row per word, by count (descending) then word, written from C:
    -- the word, its count and its document count. Stop words are left out
    -- (compared case-folded when lower=false kept the case).
    ctx.state.counts:rows(out, { min_count = o.min_count, top = o.top,
                                 docs = true,
                                 skip = ctx.stop, fold = not o.lower })
  end,
}
