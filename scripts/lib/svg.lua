--[[
lib/svg.lua — inline SVG charts for report scripts: a line chart over
periods (one line per series, a legend) and bar charts (horizontal for
ranked names, vertical for counts per period). Every chart has axes, tick
labels, axis titles and a <title> tooltip on each data point.

Data points carry class "pt" (line chart markers) or "bar" (bars), and the
<svg> carries data-points="N", so a test can count them. Labels thin out
on long axes (at most ~12 x labels), names are clipped, so a chart stays
readable with 1 or 10,000 documents.
]]
local html = require("lib.html")
local esc = html.esc
local M = {}

M.PALETTE = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
              "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf" }

local function f(x) return string.format("%.1f", x) end

--- "Nice" axis ticks from 0 to at least max: step 1, 2 or 5 x 10^k.
function M.ticks(max, want)
  want = want or 5
  if not max or max <= 0 then return { 0, 1 }, 1 end
  local raw = max / want
  local mag = 10 ^ math.floor(math.log(raw, 10))
  local step = mag
  for _, m in ipairs{ 1, 2, 2.5, 5, 10 } do
    if raw <= m * mag then step = m * mag; break end
  end
  local t, v = {}, 0
  repeat t[#t + 1] = v; v = v + step until v > max + step * 1e-9
  t[#t + 1] = v
  return t, v
end

local function tick_label(v)
  if v >= 1e6 then return html.num(v / 1e6, 1) .. "M" end
  if v >= 1e4 then return html.num(v / 1e3, 1) .. "k" end
  return html.num(v, 2)
end

local function open_svg(w, h, label, n)
  return '<svg viewBox="0 0 ' .. w .. " " .. h
    .. '" width="' .. w .. '" height="' .. h .. '" role="img" aria-label="' .. esc(label)
    .. '" data-points="' .. n .. '" font-size="12">'
end

-- Y axis with grid lines and an axis title; returns markup.
local function y_axis(x0, x1, y0, y1, ticks, top, title)
  local out = {}
  for _, t in ipairs(ticks) do
    local y = y0 - (y0 - y1) * t / top
    out[#out + 1] = '<line x1="' .. x0 .. '" x2="' .. x1 .. '" y1="' .. f(y) .. '" y2="' .. f(y)
      .. '" stroke="#e3e7ec"/><text x="' .. (x0 - 6) .. '" y="' .. f(y + 4)
      .. '" text-anchor="end" fill="#5b6573">' .. esc(tick_label(t)) .. "</text>"
  end
  out[#out + 1] = '<line x1="' .. x0 .. '" x2="' .. x0 .. '" y1="' .. y1 .. '" y2="' .. y0
    .. '" stroke="#5b6573"/><line x1="' .. x0 .. '" x2="' .. x1 .. '" y1="' .. y0 .. '" y2="' .. y0
    .. '" stroke="#5b6573"/>'
  if title then
    out[#out + 1] = '<text transform="translate(14,' .. f((y0 + y1) / 2) .. ') rotate(-90)" '
      .. 'text-anchor="middle" fill="#1d232b">' .. esc(title) .. "</text>"
  end
  return table.concat(out)
end

-- X labels for n slots centred at xs(i); at most ~12 shown.
local function x_labels(labels, xs, y, x_title, mid)
  local out, n = {}, #labels
  local every = math.max(1, math.ceil(n / 12))
  for i = 1, n do
    if (i - 1) % every == 0 or (i == n and every == 1) then
      out[#out + 1] = '<text x="' .. f(xs(i)) .. '" y="' .. (y + 16)
        .. '" text-anchor="middle" fill="#5b6573">' .. esc(labels[i]) .. "</text>"
    end
  end
  if x_title then
    out[#out + 1] = '<text x="' .. f(mid) .. '" y="' .. (y + 36)
      .. '" text-anchor="middle" fill="#1d232b">' .. esc(x_title) .. "</text>"
  end
  return table.concat(out)
end

--[[ Line chart. spec:
  labels   x labels (periods), in order
  series   { {name=, values={[i]=number or nil}}, ... } (nil = no data)
  y_title, x_title, label (aria), width (760), height (330), fmt(v) for tooltips
]]
function M.lines(spec)
  local w, h = spec.width or 760, spec.height or 330
  local n, series = #spec.labels, spec.series
  local legend_w = 170
  local x0, x1, y0, y1 = 64, w - legend_w - 10, h - 48, 14
  local max, points = 0, 0
  for _, s in ipairs(series) do
    for i = 1, n do
      local v = s.values[i]
      if v then max = math.max(max, v); points = points + 1 end
    end
  end
  local ticks, top = M.ticks(max, 5)
  local function xs(i) return n == 1 and (x0 + x1) / 2 or x0 + 12 + (x1 - x0 - 24) * (i - 1) / (n - 1) end
  local function ys(v) return y0 - (y0 - y1) * v / top end
  local out = { open_svg(w, h, spec.label or "line chart", points),
                y_axis(x0, x1, y0, y1, ticks, top, spec.y_title),
                x_labels(spec.labels, xs, y0, spec.x_title, (x0 + x1) / 2) }
  local fmt = spec.fmt or function(v) return html.num(v, 3) end
  local r = n > 60 and 1.8 or 3.2
  for k, s in ipairs(series) do
    local color = M.PALETTE[(k - 1) % #M.PALETTE + 1]
    local path, pts, pen = {}, {}, "M"
    for i = 1, n do
      local v = s.values[i]
      if v then
        path[#path + 1] = pen .. f(xs(i)) .. " " .. f(ys(v))
        pen = "L"
        pts[#pts + 1] = '<circle class="pt" cx="' .. f(xs(i)) .. '" cy="' .. f(ys(v)) .. '" r="' .. r
          .. '" fill="' .. color .. '"><title>' .. esc(s.name) .. ", " .. esc(spec.labels[i]) .. ": "
          .. esc(fmt(v)) .. "</title></circle>"
      else
        pen = "M"
      end
    end
    out[#out + 1] = '<g data-series="' .. esc(s.name) .. '">'
    if #path > 1 then
      out[#out + 1] = '<path d="' .. table.concat(path, " ") .. '" fill="none" stroke="' .. color
        .. '" stroke-width="2" stroke-linejoin="round"/>'
    end
    out[#out + 1] = table.concat(pts) .. "</g>"
    local ly = y1 + 4 + (k - 1) * 20
    out[#out + 1] = '<g class="legend"><rect x="' .. (x1 + 18) .. '" y="' .. (ly - 9) .. '" width="14" height="4" fill="'
      .. color .. '"/><text x="' .. (x1 + 38) .. '" y="' .. ly .. '" fill="#1d232b">'
      .. esc(html.clip(s.name, 20)) .. "</text></g>"
  end
  out[#out + 1] = "</svg>"
  return table.concat(out)
end

--[[ Horizontal bar chart for ranked names. spec:
  bars  { {label=, value=, note=}, ... } in display order
  x_title, label, width (560)
]]
function M.hbars(spec)
  local bars, w = spec.bars, spec.width or 560
  local lab_w, row = 170, 22
  local h = 30 + #bars * row + 44
  local x0, x1, y1 = lab_w + 8, w - 40, 20
  local y0 = y1 + #bars * row
  local max = 0
  for _, b in ipairs(bars) do max = math.max(max, b.value) end
  local ticks, top = M.ticks(max, 4)
  local out = { open_svg(w, h, spec.label or "bar chart", #bars) }
  for _, t in ipairs(ticks) do
    local x = x0 + (x1 - x0) * t / top
    out[#out + 1] = '<line x1="' .. f(x) .. '" x2="' .. f(x) .. '" y1="' .. y1 .. '" y2="' .. y0
      .. '" stroke="#e3e7ec"/><text x="' .. f(x) .. '" y="' .. (y0 + 16)
      .. '" text-anchor="middle" fill="#5b6573">' .. esc(tick_label(t)) .. "</text>"
  end
  for i, b in ipairs(bars) do
    local y = y1 + (i - 1) * row
    local bw = (x1 - x0) * b.value / top
    out[#out + 1] = '<text x="' .. (x0 - 6) .. '" y="' .. (y + 15) .. '" text-anchor="end" fill="#1d232b">'
      .. esc(html.clip(b.label, 24)) .. '</text><rect class="bar" x="' .. x0 .. '" y="' .. (y + 4)
      .. '" width="' .. f(math.max(bw, 1)) .. '" height="' .. (row - 7) .. '" fill="' .. M.PALETTE[1]
      .. '"><title>' .. esc(b.label) .. ": " .. esc(html.int(b.value)) .. esc(b.note or "")
      .. '</title></rect><text x="' .. f(x0 + bw + 4) .. '" y="' .. (y + 15) .. '" fill="#5b6573">'
      .. esc(html.int(b.value)) .. "</text>"
  end
  out[#out + 1] = '<line x1="' .. x0 .. '" x2="' .. x0 .. '" y1="' .. y1 .. '" y2="' .. y0 .. '" stroke="#5b6573"/>'
  if spec.x_title then
    out[#out + 1] = '<text x="' .. f((x0 + x1) / 2) .. '" y="' .. (y0 + 36)
      .. '" text-anchor="middle" fill="#1d232b">' .. esc(spec.x_title) .. "</text>"
  end
  out[#out + 1] = "</svg>"
  return table.concat(out)
end

--[[ Vertical bars per period. spec:
  labels, values ([i] = number), y_title, x_title, label, width, height
]]
function M.columns(spec)
  local w, h = spec.width or 560, spec.height or 300
  local n = #spec.labels
  local x0, x1, y0, y1 = 64, w - 16, h - 48, 14
  local max = 0
  for i = 1, n do max = math.max(max, spec.values[i] or 0) end
  local ticks, top = M.ticks(max, 5)
  local slot = (x1 - x0) / math.max(n, 1)
  local bw = math.max(1, math.min(48, slot * 0.8))
  local function xs(i) return x0 + slot * (i - 0.5) end
  local out = { open_svg(w, h, spec.label or "column chart", n),
                y_axis(x0, x1, y0, y1, ticks, top, spec.y_title),
                x_labels(spec.labels, xs, y0, spec.x_title, (x0 + x1) / 2) }
  for i = 1, n do
    local v = spec.values[i] or 0
    local bh = (y0 - y1) * v / top
    out[#out + 1] = '<rect class="bar" x="' .. f(xs(i) - bw / 2) .. '" y="' .. f(y0 - bh) .. '" width="'
      .. f(bw) .. '" height="' .. f(bh) .. '" fill="' .. M.PALETTE[1] .. '"><title>'
      .. esc(spec.labels[i]) .. ": " .. esc(html.int(v)) .. "</title></rect>"
  end
  out[#out + 1] = "</svg>"
  return table.concat(out)
end

return M
