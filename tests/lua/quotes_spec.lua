-- quotes_spec.lua — assay.quote_model, assay.quotes and assay.quote_rows
-- from Lua: records as tables, rows written through the Output's C path,
-- per-document speaker sums returned as arrays or folded into a speakers
-- state (Counters and date tables, as plugins/quotes.lua keeps them).
-- The spec's one output has the quote columns (run_spec.sh reads stdout,
-- which carries one output): the rows of quote_rows go there, and the
-- final "quotes_spec,<checks>,passed" row fills its first three columns.
local T = load(assay.read_file("spec_helper.lua"), "@spec_helper.lua")()

local function model()
  local lists = {}
  for i, name in ipairs{ "cues", "function", "pronouns", "titles", "nouns", "names" } do
    lists[i] = assay.read_file("../../plugins/data/quotes/en/" .. name .. ".txt")
  end
  return assay.quote_model{ lists = lists,
    abbreviations = assay.read_file("../../plugins/data/abbreviations/en.txt") }
end

local function records(doc, opts)
  local r = assay.quotes(doc, opts)
  T.eq(#r, 4, "two direct quotations and two indirect statements")
  T.eq(r[1].type, "direct", "first record type")
  T.eq(r[1].speaker, "Mayor Ana Ruiz", "speaker as written")
  T.eq(r[1].speaker_name, "Ana Ruiz", "title stripped")
  T.eq(r[1].cue, "said", "cue")
  T.eq(r[1].rule, "quote-speaker-cue", "rule")
  T.eq(r[1].confidence, 0.94, "confidence")
  T.eq(r[1].segments, r[1].start .. "-" .. r[1]["end"], "one segment")
  T.eq(doc.text:sub(1, 1), '"', "text starts at the quotation")
  T.eq(r[1].start, 0, "code-point start")
  T.eq(r[2].speaker_name, "Ana Ruiz", "surname resolved to the full name")
  T.eq(r[3].speaker_name, "Tom Bell", "inverted speaker")
  T.eq(r[4].speaker, "He", "pronoun speaker")
  T.eq(r[4].speaker_name, "Tom Bell", "pronoun resolved")
  return r
end

local function sums(doc, opts, out, r)
  local names, nq, nw = assay.quote_rows(doc, opts, out)
  T.eq(table.concat(names, "|"), "Ana Ruiz|Tom Bell", "names in order of appearance")
  T.eq(nq[1], 2, "records of the first speaker")
  T.eq(nq[2], 2, "records of the second speaker")
  T.ok(nw[1] > 0 and nw[2] > 0, "words inside the records")
  local sp = { quotes = assay.counter(), words = assay.counter(),
               documents = assay.counter(), first = {}, last = {} }
  sp.quotes:add("Ana Ruiz", 5)
  sp.words:add("Ana Ruiz", 1)
  sp.documents:add("Ana Ruiz", 3)
  sp.first["Ana Ruiz"], sp.last["Ana Ruiz"] = "2025-01-01", "2025-01-01"
  T.eq(select("#", assay.quote_rows(doc, opts, out, sp, "2024-03-05")), 0,
       "nothing returned when folding")
  T.eq(sp.quotes:get("Ana Ruiz"), 7, "folded into an existing entry")
  T.eq(sp.words:get("Ana Ruiz"), 1 + nw[1], "words added")
  T.eq(sp.documents:get("Ana Ruiz"), 4, "one more document")
  T.eq(sp.first["Ana Ruiz"], "2024-03-05", "earlier date replaces first")
  T.eq(sp.last["Ana Ruiz"], "2025-01-01", "later last kept")
  T.eq(sp.quotes:get("Tom Bell"), 2, "new entry")
  T.eq(sp.documents:get("Tom Bell"), 1, "new entry: one document")
  T.eq(sp.first["Tom Bell"] .. sp.last["Tom Bell"], "2024-03-052024-03-05",
       "new entry dates")
  assay.quote_rows(doc, opts, out, sp)
  T.eq(sp.documents:get("Tom Bell"), 2, "no date: counts still added")
  T.eq(sp.first["Tom Bell"], "2024-03-05", "no date: dates unchanged")
  T.eq(#sp.quotes, 2, "two speakers")
  T.raises(function() assay.quote_rows(doc, opts, out, { quotes = {} }) end,
           "must be a Counter")
  T.raises(function() assay.quote_rows(doc, opts, out, 42) end, "table expected")
  T.raises(function() assay.quote_rows(doc, opts, {}) end, "Output expected")
  T.eq(#r, #names + 2, "fixture sanity")
end

return {
  name = "quotes_spec",
  columns = assay.quote_columns(),
  document = function(doc, ctx, out)
    local opts = { model = model() }
    local r = records(doc, opts)
    sums(doc, opts, out, r)
    ctx.ran = true
  end,
  finish = function(ctx, out)
    T.ok(ctx.ran, "document() ran")
    out:row{ doc_id = "quotes_spec", date = T.checks, quote_id = "passed" }
  end,
}
