--[[
topics — dictionary topic tallies: how often each category of a dictionary
occurs, per document or per date/month/year/metadata value.

Matching runs in C (assay.dictionary): tokens are UAX #29 words folded to
lower case; entries are words, globs (energ*, *ism, c?t) and phrases
("belt and road"); the longest match starting at a token wins and is
counted once. See docs/plugins.md, "topics" and "Dictionaries".
]]

-- A date's year, month and day, year first: "2024-06-03", "2024/6/3" or
-- "2024.06.03" (a time may follow after "T" or a space), "20240603",
-- "2024-06" or "2024"; month and day zero-padded, nil where absent. A
-- date that does not start with its year ("03/06/2024": March or June?)
-- gives nil.
local function ymd(s)
  local y, m, d, rest = s:match("^(%d%d%d%d)[-/.](%d%d?)[-/.](%d%d?)(.*)$")
  if y and rest ~= "" and not rest:find("^[Tt ]") then y = nil end
  if not y then y, m, d, rest = s:match("^(%d%d%d%d)(%d%d)(%d%d)(.*)$") end
  if y and rest ~= "" and not rest:find("^[Tt]") then y = nil end
  if not y then y, m = s:match("^(%d%d%d%d)[-/.](%d%d?)$") end
  if not y then y = s:match("^(%d%d%d%d)%f[%D]") end
  if not y then return nil end
  m, d = tonumber(m), tonumber(d)
  if (m and (m < 1 or m > 12)) or (d and (d < 1 or d > 31)) then return nil end
  return y, m and string.format("%02d", m), d and string.format("%02d", d)
end

-- What each grouping reads, for the message about dates it could not.
local READS = {
  date = "a day, year first (2024-06-03, 2024/6/3, 20240603; a time after it is ignored)",
  month = "a month, year first (2024-06, 2024/6/3, 20240603, ...)",
  year = "a date that starts with its 4-digit year",
}

-- The group key of a document for by=date|month|year|meta:FIELD ("" when
-- the document has no such value), and false when it has a date this
-- grouping cannot read (grouped under "" too, and reported at the end).
-- Tabs would break the counter keys.
local function group_key(doc, by)
  local v
  if by == "date" or by == "month" or by == "year" then
    if doc.date == nil or tostring(doc.date) == "" then return "", true end
    local y, m, d = ymd(tostring(doc.date))
    if by == "year" and y then return y, true end
    if by == "month" and m then return y .. "-" .. m, true end
    if by == "date" and d then return y .. "-" .. m .. "-" .. d, true end
    return "", false
  end
  v = doc.meta[by:sub(6)]
  v = v ~= nil and tostring(v) or ""
  return (v:gsub("[\t\n]", " ")), true
end

local floor = math.floor
local function rate(count, words)
  if words <= 0 then return 0 end
  return floor(count * 1000000 / words + 0.5) / 1000  -- 3 decimals
end

local function check_by(by)
  if by == "document" or by == "date" or by == "month" or by == "year" then return end
  if by:match("^meta:.+") then return end
  error("option by must be document, date, month, year or meta:FIELD (got '" .. by .. "')", 0)
end

return {
  name = "topics",
  version = "1.1",
  summary = "Dictionary topic tallies per document or per date/month/year/field",
  options = {
    dictionary = "international", -- bundled name (plugins/dictionaries/NAME.*) or a file
    format = "",                  -- dictionary format if the extension does not say
    stem = "",                    -- match words by Snowball stem: english, french, ...
    level = 0,                    -- 0: each category; N: count at depth N (1 = top)
    by = "document",              -- document | date | month | year | meta:FIELD
    terms = false,                -- also write topic_terms.csv (what matched)
  },
  outputs = {
    { name = "topics", columns = { "doc_id", "date", "topic", "count", "per_1000" } },
    { name = "topic_terms", columns = { "category", "term", "count" } },
  },

  init = function(ctx)
    local o = ctx.options
    check_by(o.by)
    if o.level < 0 then error("option level must be >= 0", 0) end
    local fmt = o.format ~= "" and o.format or nil
    ctx.dict = assay.dictionary(o.dictionary,
                                { format = fmt, stem = o.stem ~= "" and o.stem or nil })
    ctx.cats = ctx.dict:categories(o.level)
    ctx.lv = { level = o.level }
    -- undated: documents whose date by= could not read, and the first such
    -- date in byte order (an example that does not depend on -j)
    return { counts = assay.counter(), words = assay.counter(), terms = assay.counter(),
             undated = 0, undated_example = nil }
  end,

  document = function(doc, ctx, out)
    local o, d, st = ctx.options, ctx.dict, ctx.state
    if o.terms then d:add_terms(doc, st.terms, ctx.lv) end
    if o.by ~= "document" then
      local key, readable = group_key(doc, o.by)
      if not readable then
        local v = tostring(doc.date)
        st.undated = st.undated + 1
        if not st.undated_example or v < st.undated_example then st.undated_example = v end
      end
      local words = d:count_into(doc, st.counts, { level = o.level, prefix = key .. "\t" })
      st.words:add(key, words)
      return
    end
    -- one row per category with a non-zero count, written from C:
    -- doc_id, date (tostring of doc.date), topic, count and per_1000 =
    -- floor(count * 1e6 / words + 0.5) / 1000, categories in
    -- d:categories(level) order
    d:rows(doc, out, ctx.lv)
  end,

  merge = function(state, other)
    state.counts:merge(other.counts)
    state.words:merge(other.words)
    state.terms:merge(other.terms)
    state.undated = state.undated + other.undated
    local ex = other.undated_example
    if ex and (not state.undated_example or ex < state.undated_example) then
      state.undated_example = ex
    end
  end,

  finish = function(ctx, out)
    local o, st = ctx.options, ctx.state
    if st.undated > 0 then
      assay.log(string.format("%d document(s) have a date that by=%s cannot read "
        .. "(such as '%s'; by=%s reads %s): they are counted under an empty %s",
        st.undated, o.by, st.undated_example, o.by, READS[o.by], o.by))
    end
    if o.by ~= "document" then
      local dated = o.by == "date" or o.by == "month" or o.by == "year"
      for key, words in st.words:each("key") do
        for _, cat in ipairs(ctx.cats) do
          local c = st.counts:get(key .. "\t" .. cat)
          if c > 0 then
            out:row{ doc_id = key, date = dated and key or nil, topic = cat,
                     count = c, per_1000 = rate(c, words) }
          end
        end
      end
    end
    if o.terms then
      -- category in dictionary order, then count descending, then term
      local order, rows = {}, {}
      for i, cat in ipairs(ctx.cats) do order[cat] = i end
      for key, c in st.terms:each() do
        local cat, term = key:match("^([^\t]*)\t(.*)$")
        rows[#rows + 1] = { cat, term, c }
      end
      table.sort(rows, function(a, b)
        local oa, ob = order[a[1]] or math.huge, order[b[1]] or math.huge
        if oa ~= ob then return oa < ob end
        if a[3] ~= b[3] then return a[3] > b[3] end
        return a[2] < b[2]
      end)
      for _, r in ipairs(rows) do
        out.topic_terms:row{ category = r[1], term = r[2], count = r[3] }
      end
    end
  end,
}
