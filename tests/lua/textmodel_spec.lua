-- textmodel_spec.lua — the text model's Lua API on fixtures/default.txt: doc:words / word_list with every
-- option, sentences in both modes, paragraphs, sections, quotations,
-- offsets (code points vs bytes), iterator and array forms, caching, and
-- spans failing loudly after document() returns.
local T = load(assay.read_file("spec_helper.lua"), "@spec_helper.lua")()

-- Every span: its text is the byte slice, start/stop count code points.
local function check_span(doc, s, what)
  local text = doc.text
  T.eq(text:sub(s.byte_start, s.byte_end), s:text(), what .. " bytes")
  T.eq(utf8.len(text, 1, s.byte_start) - 1, s.start, what .. " start")
  T.eq(s.start + utf8.len(s:text()), s.stop, what .. " stop")
  T.eq(#s, s.stop - s.start, what .. " #")
end

local function check_all(doc, list, what)
  for i = 1, #list do check_span(doc, list[i], what .. "[" .. i .. "]") end
end

local function text(s) return s:text() end
local function norm(s) return s.norm end

local function words(doc)
  local ws = doc:words()
  check_all(doc, ws, "word")
  T.eq(#ws, 58, "word count")
  T.eq(T.list({ ws[1], ws[2], ws[3] }, text), "Mr|Smith|met")
  -- array and iterator at once; the iterator gives the same spans
  local n = 0
  for w in doc:words() do n = n + 1; T.ok(rawequal(w, ws[n]), "iterator order") end
  T.eq(n, #ws, "iterated all")
  T.ok(rawequal(doc:words(), ws), "words cached per view")
  -- kinds: words and numbers by default; emoji and punctuation on request
  local kinds = {}
  for w in ws do kinds[w.kind] = (kinds[w.kind] or 0) + 1 end
  T.eq(kinds.word, 56, "word kind"); T.eq(kinds.number, 2, "numbers")
  local em = doc:words{ kinds = { "emoji" } }
  T.eq(#em, 1); T.eq(em[1]:text(), "👍"); T.eq(em[1].kind, "emoji")
  T.eq(em[1].start, 242, "emoji code-point offset")
  local p = doc:words{ kinds = { "punct" } }
  T.eq(p[1]:text(), "."); T.eq(p[2]:text(), "."); T.eq(p[3]:text(), "–")
  -- one word, two words
  local found = {}
  for w in ws do found[w:text()] = w end
  T.ok(found["café’s"], "café’s is one word")
  T.ok(found["U.S"], "U.S is one word")
  T.ok(found["China"] and found["Kazakhstan"], "China-Kazakhstan is two words")
  T.eq(found["1,000.5"].kind, "number")
  T.eq(found["café’s"].start, 146, "café’s offset (code points)")
  T.eq(found["café’s"].byte_start, 160, "café’s byte_start (1-based)")
  T.eq(found["café’s"].norm, "café’s", "norm is the text without options")
end

local function options(doc)
  local lw = doc:words{ lower = true }
  T.ok(not rawequal(lw, doc:words()), "cached per options")
  T.eq(T.list({ lw[1], lw[2] }, norm), "mr|smith")
  T.eq(lw[1]:text(), "Mr", "text() is still the document's")
  local wl = doc:word_list{ lower = true }
  T.eq(type(wl[1]), "string"); T.eq(#wl, #lw)
  T.eq(table.concat(wl, " ", 1, 4), "mr smith met dr")
  -- NFKC folds the ligature; NFC keeps it
  local function has(list, w) for _, x in ipairs(list) do if x == w then return true end end end
  T.ok(has(doc:word_list{ normalize = "nfkc" }, "fish"), "nfkc: ﬁ -> fi")
  T.ok(has(doc:word_list{ normalize = "nfc" }, "ﬁsh"), "nfc keeps ﬁ")
  -- stop words: bundled name or a file path; folded comparison
  local sw = doc:word_list{ lower = true, stopwords = "english" }
  T.ok(not has(sw, "the") and not has(sw, "in"), "english stop words removed")
  T.ok(has(sw, "smith"))
  T.ok(not has(doc:word_list{ stopwords = "english" }, "The"), "stop words match without lower")
  T.raises(function() doc:words{ stopwords = "klingon" } end, "no bundled stop-word list named 'klingon'")
  T.raises(function() doc:words{ stopwords = "/nonexistent/list.txt" } end, "/nonexistent/list.txt")
  T.raises(function() doc:words{ normalize = "nfd" } end, 'normalize must be "nfc" or "nfkc"')
  T.raises(function() doc:words{ kinds = { "words" } } end, "unknown word kind 'words'")
  -- min_length in code points
  local long = doc:word_list{ min_length = 6 }
  T.ok(has(long, "Astana") and not has(long, "Smith"), "min_length")
  -- stemming (when built with libstemmer)
  local ok, st = pcall(doc.word_list, doc, { lower = true, stem = "english" })
  if ok then
    T.ok(has(st, "export") and not has(st, "exported"), "english stem")
    T.ok(has(st, "1,000.5"), "numbers are not stemmed")
    T.raises(function() doc:words{ stem = "klingon" } end, "no stemmer for language 'klingon'")
  else
    T.ok(tostring(st):find("built without libstemmer", 1, true), "clear error without libstemmer")
  end
end

local function sentences(doc)
  local s = doc:sentences()
  check_all(doc, s, "sentence")
  T.ok(rawequal(s, doc:sentences{ mode = "news" }), "news is the default, cached")
  T.eq(s[1]:text(), "Mr. Smith met Dr. Jones in Astana – a “très” important meeting.")
  T.eq(s[2]:text(), "It went well.")
  T.eq(s[3]:text(), "Trade talks", "a heading is its own sentence")
  T.eq(s[4]:text(), "“We will build roads,” said Mr. Smith.")
  T.eq(#s, 10, "news sentences")
  T.eq(s[10]:text(), "China-Kazakhstan trade rose... Growth was steady.")
  local u = doc:sentences{ mode = "unicode" }
  check_all(doc, u, "unicode sentence")
  T.eq(u[1]:text(), "Mr.", "UAX #29 knows no abbreviations")
  T.ok(#u > #s)
  T.raises(function() doc:sentences{ mode = "legal" } end, "invalid option 'legal'")
end

local function paragraphs_and_sections(doc)
  local ps = doc:paragraphs()
  check_all(doc, ps, "paragraph")
  T.eq(#ps, 7)
  local secs = doc:sections()
  check_all(doc, secs, "section")
  T.eq(#secs, 3)
  T.eq(secs[1].heading, nil, "text before the first heading")
  T.eq(#secs[1]:paragraphs(), 1)
  T.eq(secs[2].heading:text(), "Trade talks")
  T.eq(secs[2].heading.start, 79); T.eq(secs[2].heading.stop, 90)
  T.eq(secs[2].start, 79, "a section starts at its heading")
  T.eq(T.list(secs[2]:paragraphs(), function(p) return p.start end), "92|169|199")
  T.ok(rawequal(secs[2]:paragraphs(), secs[2]:paragraphs()), "section paragraphs cached")
  T.eq(secs[3].heading:text(), "Results 👍")
  for p in secs[3]:paragraphs() do T.ok(p:text():find("^The U%.S%."), "iterate section paragraphs") end
end

local function quotations(doc)
  local q = doc:quotations()
  check_all(doc, q, "quotation")
  T.eq(#q, 4)
  T.eq(T.list(q, function(x) return x.status end), "closed|closed|closed|continued")
  T.eq(q[1]:text(), "“très”"); T.eq(q[1].open, "“"); T.eq(q[1].close, "”")
  T.eq(q[2]:text(), "“We will build roads,”")
  T.eq(q[2].start, 92); T.eq(q[2].stop, 114)
  T.eq(q[2]:inner():text(), "We will build roads,")
  T.eq(q[2]:inner().start, 93)
  T.eq(q[2].depth, 0)
  T.eq(q[3]:text(), "“The café’s owner agreed.”", "an apostrophe does not close")
  local c = q[4]
  T.eq(c.start, 169); T.eq(c.stop, 223)
  local segs = c:segments()
  check_all(doc, segs, "segment")
  T.eq(#segs, 2)
  T.eq(segs[1]:text(), "“First part of a long quote.")
  T.eq(segs[2]:text(), "“Second part ends here,”")
  T.eq(doc:paragraphs()[1].status, nil, "plain spans have no quotation fields")
  T.raises(function() return doc:paragraphs()[1]:inner() end, "not a quotation span")
  T.raises(function() return doc:paragraphs()[1]:paragraphs() end, "not a section span")
end

return {
  name = "textmodel_spec",
  columns = { "spec", "checks", "status" },
  document = function(doc, ctx)
    T.eq(doc.date, "2024-01-05", "the date field is metadata")
    T.ok(not doc.text:find("2024-01-05", 1, true), "and not text")
    words(doc)
    options(doc)
    sentences(doc)
    paragraphs_and_sections(doc)
    quotations(doc)
    ctx.kept = { doc:words()[1], doc:quotations()[1], doc:sections()[2] }
  end,
  finish = function(ctx, out)
    T.ok(ctx.kept, "document() ran")
    for _, s in ipairs(ctx.kept) do
      T.raises(function() return s:text() end, "used after document() returned")
      T.raises(function() return s.start end, "used after document() returned")
    end
    T.raises(function() return ctx.kept[2]:inner() end, "used after document() returned")
    out:row{ spec = "textmodel_spec", checks = T.checks, status = "passed" }
  end,
}
