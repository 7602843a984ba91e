--[[
news — the standard news report: who is quoted saying what, speakers,
topics per document and over time, frequent terms, collocations and named
entities, in one pass over the corpus; the plugins' CSVs plus
report.html (one self-contained page: inline CSS, SVG and script).

Copy this file to change it: `assay report ./my-news.lua corpus/`.
The plugins are the bundled ones (docs/plugins.md); lib/docinfo.lua adds
one row per document (date, words, outlet, title). render(ctx) reads their
CSVs back with ctx:read and writes with ctx:write / ctx:write_csv
(docs/reports.md).
]]
local html = require("lib.html")
local svg = require("lib.svg")
local periods = require("lib.periods")
local esc = html.esc

local report = {
  name = "news",
  summary = "Quotes, speakers, topics per document and over time, frequent terms, collocations, entities -> CSVs + report.html",
  options = {
    dictionary = "international", -- topics dictionary (bundled name or file)
    stopwords = "english",        -- for frequent terms ("" = none)
    by = "auto",                  -- time axis: auto, day, week, month, year
    field = "outlet",             -- metadata field shown per document
    top_terms = 50,               -- rows of the frequent-terms table
    top_speakers = 15,            -- bars in the speakers chart
    top_topics = 8,               -- lines in the topics chart
    max_quotes = 2000,            -- rows of the quotations table
    collocation_min = 2,          -- min_count of a collocation
    title = "",                   -- page title (default: News report)
  },
  choices = { by = { "auto", "day", "week", "month", "year" } },
}

function report.plugins(o)
  return {
    { "quotes" },
    { "topics", options = { dictionary = o.dictionary } },
    { "wordfreq", options = { stopwords = o.stopwords, top = math.max(o.top_terms, 200) } },
    { "collocations", options = { min_count = o.collocation_min, top = 2000 } },
    { "entities", options = { top = 200 } },
    { "lib/docinfo.lua", options = { field = o.field } },
  }
end

-- ===== pieces of the page ============================================

local function header(ctx, docs, quotes)
  local m, s = ctx.manifest or {}, ctx.stats
  local plugins = {}
  for _, p in ipairs(ctx.plugins) do
    plugins[#plugins + 1] = esc(p.name) .. " <span class=\"tag\">" .. esc(p.version) .. "</span>"
  end
  local direct = 0
  for _, q in ipairs(quotes.rows) do if q.type == "direct" then direct = direct + 1 end end
  local range = docs.min and (esc(docs.min) .. (docs.max ~= docs.min and (" – " .. esc(docs.max)) or ""))
    or "no dates"
  return html.facts{
    { "Documents", html.int(s.documents_read) .. " read · " .. html.int(s.documents_analysed)
      .. " analysed · " .. html.int(s.documents_skipped) .. " skipped" },
    { "Words", html.int(docs.words) },
    { "Dates", range .. (docs.dated < docs.n and (" <span class=\"tag\">" .. html.int(docs.n - docs.dated)
      .. " undated</span>") or "") },
    { "Quotations", html.int(#quotes.rows) .. " (" .. html.int(direct) .. " direct)" },
    { "Input", esc(table.concat(ctx.inputs, ", ")) },
    { "assay", esc(m.assay_version or assay.version) .. " · " .. esc(m.lua_version or assay.lua_version) },
    { "Plugins", table.concat(plugins, ", ") },
    { "Run", esc(m.started or "?") .. " → " .. esc(m.finished or "?") },
  }
end

local function topics_section(ctx, o, docs, topics)
  local by = o.by == "auto" and periods.auto(docs.min, docs.max, docs.dated) or o.by
  local tallies, words, order, totals = periods.tally(topics, docs, function(d)
    return periods.key(d.date, by)
  end)
  local labels = docs.min and periods.range(docs.min, docs.max, by) or {}
  local series, rows = {}, {}
  for k, t in ipairs(order) do
    local vals = {}
    for i, p in ipairs(labels) do
      if words[p] then vals[i] = periods.per_1000((tallies[p] or {})[t] or 0, words[p]) end
    end
    if k <= o.top_topics then series[#series + 1] = { name = t, values = vals } end
  end
  for _, p in ipairs(labels) do
    for _, t in ipairs(order) do
      local c = (tallies[p] or {})[t] or 0
      if words[p] then
        rows[#rows + 1] = { period = p, topic = t, count = c, words = words[p],
                            per_1000 = periods.per_1000(c, words[p]) }
      end
    end
  end
  ctx:write_csv("topics_by_period.csv", { "period", "topic", "count", "words", "per_1000" }, rows)
  local body = {}
  if #labels > 0 and #order > 0 then
    body[#body + 1] = html.figure(svg.lines{ labels = labels, series = series, label = "Topics over time",
      y_title = "matches per 1,000 words", x_title = by },
      "Dictionary '" .. o.dictionary .. "': matches per 1,000 words per " .. by
      .. (#order > #series and (", top " .. #series .. " of " .. #order .. " topics") or "")
      .. ". Table: topics_by_period.csv.")
  else
    body[#body + 1] = '<p class="empty">No dated document matched the dictionary.</p>'
  end
  local trows, docs_with = {}, {}
  for _, r in ipairs(topics.rows) do docs_with[r.topic] = (docs_with[r.topic] or 0) + 1 end
  for _, t in ipairs(order) do
    trows[#trows + 1] = { topic = t, count = totals[t], docs = docs_with[t],
                          per_1000 = periods.per_1000(totals[t], docs.words) }
  end
  body[#body + 1] = '<div class="grid2"><div><h3>Topics in the corpus</h3>' .. html.table{
    id = "topics-total", rows = trows, columns = {
      { key = "topic", label = "topic" }, { key = "count", label = "matches", numeric = true },
      { key = "per_1000", label = "per 1,000 words", numeric = true },
      { key = "docs", label = "documents", numeric = true } } }
  body[#body + 1] = '</div><div><h3>Topics per document</h3>' .. html.table{
    id = "topics-docs", rows = topics.rows, limit = 200, file = "topics.csv", sortable = true,
    columns = { { key = "doc_id", label = "document", clip = 60 }, { key = "topic", label = "topic" },
      { key = "count", label = "matches", numeric = true },
      { key = "per_1000", label = "per 1,000", numeric = true } } } .. "</div></div>"
  return html.section("sec-topics", "Topics", nil, table.concat(body)), by
end

local function quotes_section(ctx, o, docs, quotes, speakers, by)
  local per, body = {}, {}
  for _, q in ipairs(quotes.rows) do
    local d = docs.by_id[q.doc_id]
    q.when = (q.date ~= "" and q.date) or (d and d.date) or ""
    local k = periods.key(q.when, by)
    if k then per[k] = (per[k] or 0) + 1 end
  end
  local labels = docs.min and periods.range(docs.min, docs.max, by) or {}
  local values = {}
  for i, p in ipairs(labels) do values[i] = per[p] or 0 end
  local charts = {}
  if #labels > 0 and #quotes.rows > 0 then
    charts[#charts + 1] = "<div><h3>Quotations per " .. esc(by) .. "</h3>" .. html.figure(svg.columns{
      labels = labels, values = values, label = "Quotations per " .. by, y_title = "quotations",
      x_title = by }, "Every record of quotes.csv (direct, mixed, indirect, according_to, floating).") .. "</div>"
  end
  local bars = {}
  for i = 1, math.min(o.top_speakers, #speakers.rows) do
    local s = speakers.rows[i]
    bars[#bars + 1] = { label = s.speaker_name, value = tonumber(s.quotes) or 0,
                        note = " quotations in " .. s.documents .. " document(s)" }
  end
  if #bars > 0 then
    charts[#charts + 1] = "<div><h3>Top speakers</h3>" .. html.figure(svg.hbars{ bars = bars,
      label = "Top speakers", x_title = "quotations" },
      "Top " .. #bars .. " of " .. #speakers.rows .. " speakers by quotations (speakers.csv).") .. "</div>"
  end
  body[#body + 1] = '<div class="grid2">' .. table.concat(charts) .. "</div>"
  body[#body + 1] = "<h3>Quotations</h3>" .. html.table{
    id = "quotes", rows = quotes.rows, limit = o.max_quotes, file = "quotes.csv",
    sortable = true, filter = true, empty = "No quotation found.",
    columns = {
      { key = "when", label = "date" },
      { key = "speaker_name", label = "speaker", html = function(r)
          local name = r.speaker_name ~= "" and r.speaker_name or r.speaker
          return esc(name) end },
      { key = "text", label = "quotation", html = function(r)
          return '<span class="q">' .. esc(html.clip(r.text, 400)) .. "</span>" end },
      { key = "cue", label = "cue" },
      { key = "type", label = "type" },
      { key = "confidence", label = "conf.", numeric = true, places = 2 },
      { key = "doc_id", label = "document", clip = 48 },
    } }
  return html.section("sec-quotes", "Quotations and speakers",
    "Who is quoted, saying what, and when: quotes.csv and speakers.csv.", table.concat(body))
end

local function bar_cell(max)
  return function(r)
    local n = tonumber(r.count) or 0
    return '<span class="tbar" style="width:' .. string.format("%.0f", 80 * n / math.max(max, 1))
      .. 'px"></span>' .. html.int(n)
  end
end

local function terms_section(o, words, colls, ents)
  local max = words.rows[1] and tonumber(words.rows[1].count) or 1
  local body = '<div class="grid2"><div><h3>Frequent terms</h3>' .. html.table{
    id = "terms", rows = words.rows, limit = o.top_terms, file = "wordfreq.csv", sortable = true,
    columns = { { key = "word", label = "term" },
      { key = "count", label = "count", numeric = true, html = bar_cell(max) },
      { key = "docs", label = "documents", numeric = true } } }
  body = body .. '</div><div><h3>Named entities</h3>' .. html.table{
    id = "entities", rows = ents.rows, limit = 40, file = "entities.csv", sortable = true,
    columns = { { key = "entity", label = "name" }, { key = "count", label = "count", numeric = true },
      { key = "docs", label = "documents", numeric = true } } } .. "</div></div>"
  local stop, pairs = {}, {}
  if o.stopwords ~= "" then
    local file = o.stopwords:find("[/.]") and o.stopwords or ("stopwords/" .. o.stopwords .. ".txt")
    for _, w in ipairs(assay.read_lines(file) or {}) do stop[w] = true end
  end
  for _, r in ipairs(colls.rows) do   -- positive association, no stop word
    if (tonumber(r.mi) or 0) > 0 and not stop[r.w1] and not stop[r.w2] then
      r.pair = r.w1 .. " " .. r.w2
      pairs[#pairs + 1] = r
    end
  end
  body = body .. "<h3>Collocations</h3>" .. html.table{
    id = "collocations", rows = pairs, limit = 30, file = "collocations.csv", sortable = true,
    empty = "No word pair occurs often enough (collocation_min).",
    columns = { { key = "pair", label = "words" }, { key = "count", label = "count", numeric = true },
      { key = "log_likelihood", label = "log-likelihood", numeric = true, places = 2 },
      { key = "mi", label = "MI", numeric = true, places = 2 },
      { key = "t_score", label = "t-score", numeric = true, places = 2 } } }
  return html.section("sec-terms", "Terms, collocations and names",
    "Stop words (" .. (o.stopwords ~= "" and o.stopwords or "none")
    .. ") are left out of terms and collocations; collocations are pairs with positive mutual information.", body)
end

function report.render(ctx)
  local o = ctx.options
  local docs = periods.index_docs(ctx:read("docinfo"))
  local quotes, speakers = ctx:read("quotes"), ctx:read("speakers")
  local topics_html, by = topics_section(ctx, o, docs, ctx:read("topics"))
  local body = table.concat{
    quotes_section(ctx, o, docs, quotes, speakers, by),
    topics_html,
    terms_section(o, ctx:read("wordfreq"), ctx:read("collocations"), ctx:read("entities")),
  }
  local files = { "quotes.csv", "speakers.csv", "topics.csv", "topics_by_period.csv", "wordfreq.csv",
                  "collocations.csv", "entities.csv", "docinfo.csv", "manifest.json" }
  for i, f in ipairs(files) do files[i] = '<a href="' .. esc(f) .. '">' .. esc(f) .. "</a>" end
  ctx:write("report.html", html.page{
    title = o.title ~= "" and o.title or "News report",
    subtitle = html.int(docs.n) .. " documents · " .. (docs.min and (docs.min .. " to " .. docs.max) or "undated"),
    header_html = header(ctx, docs, quotes),
    nav = { { "sec-quotes", "Quotations" }, { "sec-topics", "Topics" }, { "sec-terms", "Terms" } },
    body = body,
    footer_html = "<p>Written by <code>assay report " .. esc(ctx.script.name) .. "</code> (script sha256 "
      .. esc(ctx.script.sha256:sub(1, 12)) .. "…). Files: " .. table.concat(files, " · ") .. ".</p>",
  })
end

return report
