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

-- Fold one document's speaker sums (assay.quote_rows: parallel arrays of
-- names, records and words) into the speaker table.
local function tally(speakers, names, nquotes, nwords, date)
  for i, name in ipairs(names) do
    local s = speakers[name]
    if not s then
      s = { quotes = 0, words = 0, documents = 0 }
      speakers[name] = s
    end
    s.quotes = s.quotes + nquotes[i]
    s.words = s.words + nwords[i]
    s.documents = s.documents + 1
    if date then
      if not s.first or date < s.first then s.first = date end
      if not s.last or date > s.last then s.last = date end
    end
  end
end

return {
  name = "quotes",
  version = "1.0",
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
    return { speakers = {} }
  end,

  document = function(doc, ctx, out)
    -- the C side writes the rows (one reused table) and returns only the
    -- per-document speaker sums
    local names, nquotes, nwords = assay.quote_rows(doc, ctx.qopts, out.quotes)
    local date = doc.date and tostring(doc.date) or nil
    tally(ctx.state.speakers, names, nquotes, nwords, date)
  end,

  merge = function(state, other)
    for name, o in pairs(other.speakers) do
      local s = state.speakers[name]
      if not s then
        state.speakers[name] = o
      else
        s.quotes = s.quotes + o.quotes
        s.words = s.words + o.words
        s.documents = s.documents + o.documents
        if o.first and (not s.first or o.first < s.first) then s.first = o.first end
        if o.last and (not s.last or o.last > s.last) then s.last = o.last end
      end
    end
  end,

  finish = function(ctx, out)
    local names = {}
    for name in pairs(ctx.state.speakers) do names[#names + 1] = name end
    local sp = ctx.state.speakers
    table.sort(names, function(a, b)
      if sp[a].quotes ~= sp[b].quotes then return sp[a].quotes > sp[b].quotes end
      return a < b
    end)
    for _, name in ipairs(names) do
      local s = sp[name]
      out.speakers:row{ speaker_name = name, quotes = s.quotes, words = s.words,
        first_date = s.first, last_date = s.last, documents = s.documents }
    end
  end,
}
