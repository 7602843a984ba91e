-- assay/prelude.lua — Lua-side conveniences over the raw C API (mpv's
-- defaults.lua idea). Loaded once per Lua state with the shared `assay`
-- module table as its argument; plugins see these as assay.<name>.
local assay = ...

local type, next, tostring, error = type, next, tostring, error
local getmetatable, math_type, sort = getmetatable, math.type, table.sort

-- Key order shared with the state serialiser: booleans (false first),
-- integers, floats, strings (bytewise); anything else last.
local rank = { boolean = 1, integer = 2, float = 3, string = 4 }

local function kind(v)
  local t = type(v)
  if t == "number" then return math_type(v) end
  return t
end

local function key_less(a, b)
  local ka, kb = kind(a), kind(b)
  if ka ~= kb then return (rank[ka] or 5) < (rank[kb] or 5) end
  if ka == "boolean" then return (not a) and b end
  if rank[ka] then return a < b end
  return tostring(a) < tostring(b)
end

--- assay.sorted_keys(t) -> array of t's keys in a deterministic order.
function assay.sorted_keys(t)
  local keys, n = {}, 0
  for k in next, t do
    n = n + 1
    keys[n] = k
  end
  sort(keys, key_less)
  return keys
end

--- assay.spairs(t) -> iterator like pairs(t) but in sorted key order, so
--- that rows written from a table come out the same on every run
--- (pairs() order varies between runs).
function assay.spairs(t)
  local keys, i = assay.sorted_keys(t), 0
  return function()
    i = i + 1
    local k = keys[i]
    if k ~= nil then return k, t[k] end
  end
end

local function is_counter(v)
  return type(v) == "userdata" and getmetatable(v) == "assay.Counter"
end

--- assay.merge_add(dst, src) -> dst: a ready-made merge() for states made
--- of numbers, nested tables and counters. Numbers are added, tables are
--- merged recursively, counters with :merge(); values only in src are
--- moved over. Other clashing values raise an error.
function assay.merge_add(dst, src, path)
  path = path or "state"
  if src == nil then return dst end
  if dst == nil then return src end
  for k, v in next, src do
    local d = dst[k]
    if d == nil then
      dst[k] = v
    elseif type(d) == "number" and type(v) == "number" then
      dst[k] = d + v
    elseif is_counter(d) and is_counter(v) then
      d:merge(v)
    elseif type(d) == "table" and type(v) == "table" then
      assay.merge_add(d, v, path .. "." .. tostring(k))
    else
      error(("merge_add: cannot combine %s and %s at %s.%s")
        :format(type(d), type(v), path, tostring(k)), 2)
    end
  end
  return dst
end
