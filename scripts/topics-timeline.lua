--[[
topics-timeline — one topic dictionary over time and across a metadata
field (the outlet, by default): matches per 1,000 words per day, ISO week,
month or year, and per field value, with a line chart; the tallies are
written as topics_by_period.csv and topics_by_field.csv next to the
plugins' CSVs, and the page as report.html.

  assay report topics-timeline corpus/ -O dictionary=my.yml -O by=week -O field=outlet

Copy this file to change it (docs/reports.md explains ctx and the libs).
]]
local html = require("lib.html")
local svg = require("lib.svg")
local periods = require("lib.periods")
local esc = html.esc

local report = {
  name = "topics-timeline",
  summary = "One dictionary's topics over time (day/week/month/year) and by a metadata field, with the chart",
  options = {
    dictionary = "international", -- bundled name or a dictionary file
    level = 0,                    -- count at this depth of the category tree (0 = as written)
    by = "month",                 -- auto, day, week, month, year
    field = "outlet",             -- metadata field to compare ("" = none)
    top = 8,                      -- topics drawn in the chart
    top_groups = 20,              -- field values shown (by words)
    title = "",
  },
  choices = { by = { "auto", "day", "week", "month", "year" } },
}

function report.plugins(o)
  return {
    { "topics", options = { dictionary = o.dictionary, level = o.level } },
    { "lib/docinfo.lua", options = { field = o.field } },
  }
end

local function period_rows(labels, tallies, words, order)
  local rows = {}
  for _, p in ipairs(labels) do
    if words[p] then
      for _, t in ipairs(order) do
        local c = (tallies[p] or {})[t] or 0
        rows[#rows + 1] = { period = p, topic = t, count = c, words = words[p],
                            per_1000 = periods.per_1000(c, words[p]) }
      end
    end
  end
  return rows
end

local function chart(o, by, labels, tallies, words, order)
  local series = {}
  for k = 1, math.min(o.top, #order) do
    local vals = {}
    for i, p in ipairs(labels) do
      if words[p] then vals[i] = periods.per_1000((tallies[p] or {})[order[k]] or 0, words[p]) end
    end
    series[#series + 1] = { name = order[k], values = vals }
  end
  if #labels == 0 or #series == 0 then
    return '<p class="empty">No dated document matched the dictionary.</p>'
  end
  return html.figure(svg.lines{ labels = labels, series = series, label = "Topics over time",
    y_title = "matches per 1,000 words", x_title = by, width = 980, height = 380 },
    "Matches per 1,000 words per " .. by .. (#order > #series and
      (" (top " .. #series .. " of " .. #order .. " topics)") or "")
    .. "; periods without documents are gaps.")
end

-- Field values x topics, per 1,000 words, cells shaded by value.
local function field_table(o, docs, topics, order)
  local tallies, words = periods.tally(topics, docs, function(d)
    return d.group ~= "" and d.group or "(none)"
  end)
  local groups, rows = {}, {}
  for g in pairs(words) do groups[#groups + 1] = g end
  table.sort(groups, function(a, b)
    if words[a] ~= words[b] then return words[a] > words[b] end
    return a < b
  end)
  local max = 0
  for _, g in ipairs(groups) do
    local row = { group = g, words = words[g] }
    for _, t in ipairs(order) do
      local v = periods.per_1000((tallies[g] or {})[t] or 0, words[g]) or 0
      row[t] = v
      max = math.max(max, v)
      rows[#rows + 1] = { group = g, topic = t, count = (tallies[g] or {})[t] or 0,
                          words = words[g], per_1000 = v }
    end
    groups[g] = row
  end
  local cols = { { key = "group", label = o.field }, { key = "words", label = "words", numeric = true } }
  for _, t in ipairs(order) do
    cols[#cols + 1] = { key = t, label = t, numeric = true, html = function(r)
      local a = max > 0 and r[t] / max or 0
      return '<span style="display:block;background:rgba(31,119,180,' .. string.format("%.2f", a * 0.6)
        .. ')">' .. html.num(r[t], 2) .. "</span>" end }
  end
  local list = {}
  for _, g in ipairs(groups) do list[#list + 1] = groups[g] end
  return rows, html.table{ id = "by-field", rows = list, limit = o.top_groups, columns = cols,
    sortable = true, filter = #list > 10, file = "topics_by_field.csv" }
end

function report.render(ctx)
  local o = ctx.options
  local docs = periods.index_docs(ctx:read("docinfo"))
  local topics = ctx:read("topics")
  local by = o.by == "auto" and periods.auto(docs.min, docs.max, docs.dated) or o.by
  local tallies, words, order, totals = periods.tally(topics, docs, function(d)
    return periods.key(d.date, by)
  end)
  local labels = docs.min and periods.range(docs.min, docs.max, by) or {}
  local prow = period_rows(labels, tallies, words, order)
  ctx:write_csv("topics_by_period.csv", { "period", "topic", "count", "words", "per_1000" }, prow)
  local body = { html.section("sec-time", "Over time", nil, chart(o, by, labels, tallies, words, order)
    .. html.table{ id = "by-period", rows = prow, limit = 500, sortable = true, filter = true,
      file = "topics_by_period.csv", columns = { { key = "period", label = by },
        { key = "topic", label = "topic" }, { key = "count", label = "matches", numeric = true },
        { key = "words", label = "words", numeric = true },
        { key = "per_1000", label = "per 1,000 words", numeric = true } } }) }
  if o.field ~= "" then
    local frows, ftable = field_table(o, docs, topics, order)
    ctx:write_csv("topics_by_field.csv", { "group", "topic", "count", "words", "per_1000" }, frows)
    body[#body + 1] = html.section("sec-field", "By " .. o.field,
      "Matches per 1,000 words of the documents with each value of meta." .. o.field .. ".", ftable)
  end
  local trows = {}
  for _, t in ipairs(order) do trows[#trows + 1] = { topic = t, count = totals[t],
    per_1000 = periods.per_1000(totals[t], docs.words) } end
  body[#body + 1] = html.section("sec-total", "Whole corpus", nil, html.table{ id = "topics-total",
    rows = trows, columns = { { key = "topic", label = "topic" },
      { key = "count", label = "matches", numeric = true },
      { key = "per_1000", label = "per 1,000 words", numeric = true } } })
  local m, s = ctx.manifest or {}, ctx.stats
  ctx:write("report.html", html.page{
    title = o.title ~= "" and o.title or ("Topics over time: " .. o.dictionary),
    subtitle = html.int(docs.n) .. " documents · " .. (docs.min and (docs.min .. " to " .. docs.max) or "undated"),
    header_html = html.facts{
      { "Documents", html.int(s.documents_read) .. " read · " .. html.int(s.documents_analysed)
        .. " analysed · " .. html.int(s.documents_skipped) .. " skipped" },
      { "Words", html.int(docs.words) },
      { "Dictionary", esc(o.dictionary) .. (o.level > 0 and (" (level " .. o.level .. ")") or "") },
      { "Dates", docs.min and (esc(docs.min) .. " – " .. esc(docs.max)) or "none" },
      { "assay", esc(m.assay_version or assay.version) .. " · " .. esc(m.lua_version or assay.lua_version) },
      { "Run", esc(m.started or "?") .. " → " .. esc(m.finished or "?") },
    },
    nav = { { "sec-time", "Over time" }, { "sec-field", "By " .. o.field }, { "sec-total", "Whole corpus" } },
    body = table.concat(body),
    footer_html = "<p>Written by <code>assay report " .. esc(ctx.script.name) .. "</code>. Files: "
      .. '<a href="topics.csv">topics.csv</a> · <a href="topics_by_period.csv">topics_by_period.csv</a> · '
      .. '<a href="topics_by_field.csv">topics_by_field.csv</a> · <a href="docinfo.csv">docinfo.csv</a> · '
      .. '<a href="manifest.json">manifest.json</a>.</p>',
  })
end

return report
