--[[
lib/periods.lua — dates to periods for report scripts: day (2024-07-02),
ISO week (2024-W27), month (2024-07) or year (2024); every period between
two dates (so a chart's time axis has no silent gaps); "auto" picks the
granularity from the span of the dates; and joins of topics.csv rows
with docinfo.csv (words per document) into tallies per period or group.
]]
local M = {}

local function ymd(date)
  local y, m, d = tostring(date or ""):match("^(%d%d%d%d)%-(%d%d)%-(%d%d)")
  if not y then return nil end
  return tonumber(y), tonumber(m), tonumber(d)
end

-- Days since 1970-01-01 (proleptic Gregorian), no time zones involved.
local function days(y, m, d)
  if m <= 2 then y, m = y - 1, m + 12 end
  local era = y // 400
  local yoe = y - era * 400
  local doy = (153 * (m - 3) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  return era * 146097 + doe - 719468
end

local function civil(z)
  z = z + 719468
  local era = z // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  return m <= 2 and y + 1 or y, m, d
end

-- ISO 8601 week: the week (Monday first) holding the year's first Thursday.
local function iso_week(y, m, d)
  local z = days(y, m, d)
  local wd = (z + 3) % 7            -- 0 = Monday (1970-01-01 was a Thursday)
  local thu = z - wd + 3
  local ty = civil(thu)
  return ty, (thu - days(ty, 1, 1)) // 7 + 1
end

--- The period key of a date ("YYYY-MM-DD...") or nil.
function M.key(date, by)
  local y, m, d = ymd(date)
  if not y then return nil end
  if by == "day" then return string.format("%04d-%02d-%02d", y, m, d) end
  if by == "week" then return string.format("%04d-W%02d", iso_week(y, m, d)) end
  if by == "year" then return string.format("%04d", y) end
  return string.format("%04d-%02d", y, m)
end

--- Every period key from the earliest to the latest date, in order.
function M.range(min_date, max_date, by)
  local a, b = { ymd(min_date) }, { ymd(max_date) }
  if not a[1] or not b[1] then return {} end
  local out, seen = {}, {}
  local step = by == "day" and 1 or by == "week" and 7 or by == "month" and 28 or 365
  local z0, z1 = days(a[1], a[2], a[3]), days(b[1], b[2], b[3])
  if by == "week" then z0 = z0 - (z0 + 3) % 7 end   -- from the Monday
  local z = z0
  while z <= z1 + step do
    local y, m, d = civil(math.min(z, z1))
    local k = M.key(string.format("%04d-%02d-%02d", y, m, d), by)
    if not seen[k] then seen[k] = true; out[#out + 1] = k end
    if z >= z1 then break end
    z = z + step
  end
  return out
end

--- "auto": the finest of day, week, month and year that gives at most
--- max(3, dated documents / 4) periods and never more than 60, so a
--- handful of documents gets a few points and a large corpus a readable
--- axis.
function M.auto(min_date, max_date, dated)
  if not ymd(min_date) or not ymd(max_date) then return "month" end
  local cap = math.min(60, math.max(3, (dated or 0) // 4))
  for _, by in ipairs{ "day", "week", "month" } do
    if #M.range(min_date, max_date, by) <= cap then return by end
  end
  return "year"
end

--- Index docinfo rows: by_id[doc_id] = row; also the min/max date and the
--- number of dated documents.
function M.index_docs(docinfo)
  local by_id, min, max, dated, words = {}, nil, nil, 0, 0
  for _, r in ipairs(docinfo.rows) do
    by_id[r.doc_id] = r
    words = words + (tonumber(r.words) or 0)
    if ymd(r.date) then
      dated = dated + 1
      if not min or r.date < min then min = r.date end
      if not max or r.date > max then max = r.date end
    end
  end
  return { rows = docinfo.rows, by_id = by_id, min = min, max = max, dated = dated,
           n = #docinfo.rows, words = words }
end

--[[ Tally topics.csv rows (per document) into groups. group_of(docrow)
returns the group key or nil. Returns tallies[group][topic] = count,
words[group] = words of the group's documents, and the topics in order
of their total count (descending, then name). ]]
function M.tally(topics, docs, group_of)
  local tallies, words, totals = {}, {}, {}
  for _, d in ipairs(docs.rows or {}) do
    local g = group_of(d)
    if g then words[g] = (words[g] or 0) + (tonumber(d.words) or 0) end
  end
  for _, r in ipairs(topics.rows) do
    local d = docs.by_id[r.doc_id]
    local g = d and group_of(d)
    local n = tonumber(r.count) or 0
    totals[r.topic] = (totals[r.topic] or 0) + n
    if g then
      tallies[g] = tallies[g] or {}
      tallies[g][r.topic] = (tallies[g][r.topic] or 0) + n
    end
  end
  local order = {}
  for t in pairs(totals) do order[#order + 1] = t end
  table.sort(order, function(a, b)
    if totals[a] ~= totals[b] then return totals[a] > totals[b] end
    return a < b
  end)
  return tallies, words, order, totals
end

--- Matches per 1,000 words, rounded to 3 decimals (as topics.csv).
function M.per_1000(count, words)
  if not words or words == 0 then return nil end
  return math.floor(count * 1000000 / words + 0.5) / 1000
end

return M
