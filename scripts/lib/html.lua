--[[
lib/html.lua — building one self-contained HTML page for report scripts:
escaping, number formatting, fact lists, sortable and filterable tables,
and the page shell with its inline CSS and script (no network, no fonts).

Every value that comes from a corpus must pass through html.esc (tables
do this for you); only markup built here is inserted raw.
]]
local M = {}

local ESC = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;",
              ['"'] = "&quot;", ["'"] = "&#39;" }

--- Escape text for element content and attribute values.
function M.esc(s)
  if s == nil then return "" end
  return (tostring(s):gsub("[&<>\"']", ESC))
end

--- 12345 -> "12,345"; nil/"" -> "".
function M.int(n)
  n = tonumber(n)
  if not n then return "" end
  local s = string.format("%d", math.floor(n + 0.5))
  local sign, digits = s:match("^(-?)(%d+)$")
  digits = digits:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", "")
  return sign .. digits
end

--- A number with up to `places` decimals (default 2), trailing zeros cut.
function M.num(n, places)
  n = tonumber(n)
  if not n then return "" end
  if n ~= n or n == math.huge or n == -math.huge then return tostring(n) end
  local s = string.format("%." .. (places or 2) .. "f", n)
  if s:find("%.") then s = s:gsub("0+$", ""):gsub("%.$", "") end
  return s
end

--- Shorten text to at most n characters (UTF-8 aware), adding "…".
function M.clip(s, n)
  s = tostring(s or "")
  local cut = utf8.offset(s, n + 1)
  if cut and cut <= #s then return s:sub(1, cut - 1) .. "…" end
  return s
end

--- <dl> of facts: list of {label, value_html}.
function M.facts(items)
  local out = { '<dl class="facts">' }
  for _, it in ipairs(items) do
    out[#out + 1] = "<div><dt>" .. M.esc(it[1]) .. "</dt><dd>" .. it[2] .. "</dd></div>"
  end
  out[#out + 1] = "</dl>"
  return table.concat(out)
end

local function cell(col, row)
  local v = row[col.key]
  if col.html then return col.html(row) end
  if col.numeric then
    local n = tonumber(v)
    return n and (col.places and M.num(n, col.places) or M.num(n, 3)) or ""
  end
  if col.clip then return M.esc(M.clip(v, col.clip)) end
  return M.esc(v)
end

--[[ A table. spec:
  id        element id (the browser test finds tables by it)
  columns   { {key=, label=, numeric=, places=, clip=, html=function(row)}, ... }
  rows      array of row tables
  limit     show at most this many rows (a note says how many there are)
  total     the number of rows the data has (default #rows)
  file      the CSV holding all rows, named in the note
  sortable, filter   add the inline sort / filter behaviour
  empty     text when there is no row
]]
function M.table(spec)
  local rows, out = spec.rows, {}
  local total = spec.total or #rows
  local shown = math.min(#rows, spec.limit or #rows)
  if total == 0 then
    return '<p class="empty">' .. M.esc(spec.empty or "Nothing found.") .. "</p>"
  end
  local id = M.esc(spec.id or "")
  if spec.filter then
    out[#out + 1] = '<div class="filter"><input type="search" placeholder="Filter rows…" '
      .. 'aria-label="Filter rows" data-filter-for="' .. id .. '"> '
      .. '<span class="count" data-count-for="' .. id .. '"></span></div>'
  end
  out[#out + 1] = '<div class="scroll"><table id="' .. id .. '"'
    .. (spec.sortable and ' class="sortable"' or "") .. "><thead><tr>"
  for _, c in ipairs(spec.columns) do
    out[#out + 1] = "<th" .. (c.numeric and ' data-type="number" class="n"' or "")
      .. (spec.sortable and ' tabindex="0" title="Sort"' or "") .. ">" .. M.esc(c.label or c.key) .. "</th>"
  end
  out[#out + 1] = "</tr></thead><tbody>"
  for i = 1, shown do
    local row = rows[i]
    local tr = { "<tr>" }
    for _, c in ipairs(spec.columns) do
      local v = tonumber(row[c.key])
      tr[#tr + 1] = (c.numeric and '<td class="n" data-v="' .. M.esc(v or "") .. '">' or "<td>")
        .. cell(c, row) .. "</td>"
    end
    tr[#tr + 1] = "</tr>"
    out[#out + 1] = table.concat(tr)
  end
  out[#out + 1] = "</tbody></table></div>"
  if shown < total then
    out[#out + 1] = '<p class="note">Showing ' .. M.int(shown) .. " of " .. M.int(total)
      .. " rows" .. (spec.file and ("; all of them are in <a href=\"" .. M.esc(spec.file)
      .. "\">" .. M.esc(spec.file) .. "</a>") or "") .. ".</p>"
  end
  return table.concat(out)
end

--- A section: heading, optional intro text (escaped) and body HTML.
function M.section(id, title, intro, body)
  return '<section id="' .. M.esc(id) .. '"><h2>' .. M.esc(title) .. "</h2>"
    .. (intro and ('<p class="intro">' .. M.esc(intro) .. "</p>") or "")
    .. body .. "</section>"
end

--- A figure around an SVG chart, with a caption (escaped).
function M.figure(svg, caption)
  return "<figure>" .. svg .. (caption and ("<figcaption>" .. M.esc(caption) .. "</figcaption>") or "")
    .. "</figure>"
end

M.CSS = [[
:root{--fg:#1d232b;--muted:#5b6573;--line:#d9dee5;--bg:#fff;--soft:#f4f6f9;--accent:#1f5fa8}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
header,main,footer{max-width:1100px;margin:0 auto;padding:0 20px}
header{padding-top:24px;border-bottom:1px solid var(--line)}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:32px 0 8px;padding-top:8px;border-top:1px solid var(--line)}
h3{font-size:16px;margin:20px 0 6px}
.sub{color:var(--muted);margin:0 0 12px}
nav a{margin-right:14px;color:var(--accent);text-decoration:none;font-size:14px}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(190px,1fr));gap:8px 16px;margin:16px 0}
.facts div{background:var(--soft);border-radius:6px;padding:8px 10px}
.facts dt{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.facts dd{margin:2px 0 0;font-weight:600;overflow-wrap:anywhere}
.intro,.note,.empty,figcaption{color:var(--muted);font-size:13px}
figure{margin:12px 0 20px}
svg{max-width:100%;height:auto;font-family:inherit}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:8px 24px}
.scroll{overflow-x:auto;max-height:640px;overflow-y:auto;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:13.5px}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--soft);position:sticky;top:0;white-space:nowrap}
.sortable th{cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:" \25B2";font-size:10px}
th[aria-sort=descending]::after{content:" \25BC";font-size:10px}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
td.q{min-width:320px}
.filter{margin:6px 0}
.filter input{font:inherit;padding:5px 8px;width:min(420px,100%);border:1px solid var(--line);border-radius:5px}
.count{color:var(--muted);font-size:13px;margin-left:8px}
.tbar{display:inline-block;height:9px;background:#9bb9dd;border-radius:2px;vertical-align:middle;margin-right:6px}
.tag{font-size:11.5px;padding:1px 6px;border-radius:9px;background:var(--soft);color:var(--muted);white-space:nowrap}
footer{color:var(--muted);font-size:12.5px;margin-top:40px;padding-bottom:30px;border-top:1px solid var(--line)}
code{font-size:12.5px}
@media print{.filter{display:none}.scroll{max-height:none;overflow:visible}}
]]

-- Sorting: click (or Enter on) a header; numbers by data-v, text by
-- localeCompare. Filtering: every word typed must occur in the row.
M.JS = [[
(function(){
"use strict";
function rows(t){return Array.prototype.slice.call(t.tBodies[0].rows);}
function key(td,num){if(num){var v=parseFloat(td.getAttribute("data-v"));return isNaN(v)?-Infinity:v;}return td.textContent.toLowerCase();}
function sortBy(t,th){
  var i=th.cellIndex,num=th.getAttribute("data-type")==="number";
  var dir=th.getAttribute("aria-sort")==="ascending"?"descending":"ascending";
  Array.prototype.forEach.call(th.parentNode.cells,function(c){c.removeAttribute("aria-sort");});
  th.setAttribute("aria-sort",dir);
  var s=dir==="ascending"?1:-1;
  var r=rows(t).map(function(tr,k){return {tr:tr,k:key(tr.cells[i],num),n:k};});
  r.sort(function(a,b){var c=num?(a.k-b.k):String(a.k).localeCompare(String(b.k));return c?c*s:a.n-b.n;});
  var body=t.tBodies[0];r.forEach(function(x){body.appendChild(x.tr);});
}
function count(t){
  var el=document.querySelector('[data-count-for="'+t.id+'"]');if(!el)return;
  var all=rows(t),vis=all.filter(function(tr){return !tr.hidden;}).length;
  el.textContent=vis===all.length?all.length+" rows":vis+" of "+all.length+" rows";
}
function filter(t,q){
  var words=q.toLowerCase().split(/\s+/).filter(Boolean);
  rows(t).forEach(function(tr){var x=tr.textContent.toLowerCase();
    tr.hidden=!words.every(function(w){return x.indexOf(w)>=0;});});
  count(t);
}
document.querySelectorAll("table.sortable").forEach(function(t){
  Array.prototype.forEach.call(t.tHead.rows[0].cells,function(th){
    th.addEventListener("click",function(){sortBy(t,th);});
    th.addEventListener("keydown",function(e){if(e.key==="Enter")sortBy(t,th);});
  });
  count(t);
});
document.querySelectorAll("input[data-filter-for]").forEach(function(inp){
  var t=document.getElementById(inp.getAttribute("data-filter-for"));
  if(t)inp.addEventListener("input",function(){filter(t,inp.value);});
});
})();
]]

--- The whole page. spec: title, subtitle (escaped), nav {{id, label}},
--- header_html, body (HTML), footer_html.
function M.page(spec)
  local nav = {}
  for _, n in ipairs(spec.nav or {}) do
    nav[#nav + 1] = '<a href="#' .. M.esc(n[1]) .. '">' .. M.esc(n[2]) .. "</a>"
  end
  return table.concat{
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
    "<meta name=\"generator\" content=\"assay " .. M.esc(assay.version) .. "\">\n",
    "<title>", M.esc(spec.title), "</title>\n<style>", M.CSS, "</style>\n</head>\n<body>\n",
    "<header><h1>", M.esc(spec.title), "</h1>",
    spec.subtitle and ('<p class="sub">' .. M.esc(spec.subtitle) .. "</p>") or "",
    spec.header_html or "", "<nav>", table.concat(nav), "</nav></header>\n",
    "<main>\n", spec.body, "\n</main>\n<footer>", spec.footer_html or "", "</footer>\n",
    "<script>", M.JS, "</script>\n</body>\n</html>\n",
  }
end

return M
