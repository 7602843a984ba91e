--[[
quotes — who is quoted, saying what, and when.

quotes.csv: one row per quotation or reported statement found by the C
attribution pass (assay.quote_rows; rules in core/src/attrib.c): its type
(direct, mixed, indirect, according_to, floating), span, speaker mention,
canonical speaker name, cue verb, rule and confidence. Offsets are code
points, 0-based, end-exclusive, into doc.text: the text as the engine
presents it, after a leading "date YYYY-MM-DD" field or front matter was
removed. An interrupted quotation ("A," she said, "B.") is one row; its
parts are listed in `segments` as "start-end;start-end".

speakers.csv: per canonical speaker, the number of records, the words
inside them, the first and last document date and the number of
documents. Merged across -j workers; rows sorted by quotes (descending)
then name.

The word lists are plugins/data/quotes/<lang>/*.txt and the sentence
abbreviations plugins/data/abbreviations/<lang>.txt.
]]

local LISTS = { "cues", "function", "pronouns", "titles", "nouns", "names" }
local quote_rows = assay.quote_rows

local function read(rel)
  local text, err = assay.read_file(rel)
  if not text then error("quotes: cannot read " .. rel .. ": " .. err, 0) end
  return text
end

local function load_model(lang)
  local lists = {}
  for i, name in ipairs(LISTS) do
    lists[i] = read("data/quotes/" .. lang .. "/" .. name .. ".txt")
  end
  return assay.quote_model{
    lists = lists,
    abbreviations = read("data/abbreviations/" .. lang .. ".txt"),
  }
end

return {
  name = "quotes",
  version = "1.1",   -- 1.1: speaker state kept in Counters
  summary = "Quotations and reported speech with speaker, cue and confidence; speaker totals",
  options = {
    lang = "en",            -- word lists under data/quotes/<lang>/
    indirect = true,        -- also indirect speech and "according to"
    floating = true,        -- attribute quotations without a cue
    min_confidence = 0.0,   -- drop records below this confidence
  },
  outputs = {
    -- doc_id, date, quote_id, type, start, end, text, speaker, speaker_start,
    -- speaker_end, speaker_name, cue, cue_start, cue_end, rule, confidence,
    -- status, segments: the order in which assay.quote_rows writes them
    { name = "quotes", columns = assay.quote_columns() },
    { name = "speakers", columns = { "speaker_name", "quotes", "words", "first_date",
      "last_date", "documents" } },
  },

  init = function(ctx)
    local o = ctx.options
    ctx.model = load_model(o.lang)
    ctx.qopts = { model = ctx.model, indirect = o.indirect, floating = o.floating,
                  min_confidence = o.min_confidence }
    -- per canonical speaker: records, words inside them, documents
    -- (Counters, kept in C), earliest and latest document date
    return { speakers = { quotes = assay.counter(), words = assay.counter(),
                          documents = assay.counter(), first = {}, last = {} } }
  end,

  document = function(doc, ctx, out)
    -- the C side writes the rows and folds this document's speaker sums
    -- into ctx.state.speakers
    local date = doc.date
    date = date and tostring(date) or nil
    quote_rows(doc, ctx.qopts, out.quotes, ctx.state.speakers, date)
  end,

  merge = function(state, other)
    local s, o = state.speakers, other.speakers
    s.quotes:merge(o.quotes)
    s.words:merge(o.words)
    s.documents:merge(o.documents)
    for name, d in pairs(o.first) do
      if not s.first[name] or d < s.first[name] then s.first[name] = d end
    end
    for name, d in pairs(o.last) do
      if not s.last[name] or d > s.last[name] then s.last[name] = d end
    end
  end,

  finish = function(ctx, out)
    local sp = ctx.state.speakers
    local names, quotes = {}, {}
    for name, n in sp.quotes:each() do
      names[#names + 1] = name
      quotes[name] = n
    end
    table.sort(names, function(a, b)
      if quotes[a] ~= quotes[b] then return quotes[a] > quotes[b] end
      return a < b
    end)
    for _, name in ipairs(names) do
      out.speakers:row{ speaker_name = name, quotes = quotes[name],
        words = sp.words:get(name), first_date = sp.first[name],
        last_date = sp.last[name], documents = sp.documents:get(name) }
    end
  end,
}
