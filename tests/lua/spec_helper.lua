-- spec_helper.lua — the assertion helper of the Lua API specs
-- (tests/lua/*_spec.lua, run by run_spec.sh). Load it from a spec with
--   local T = load(assay.read_file("spec_helper.lua"), "@spec_helper.lua")()
-- Every failed expectation raises an error naming the spec line, which
-- fails the document() callback and makes `assay run` exit non-zero.
local T = { checks = 0 }

local function show(v)
  if type(v) == "string" then return ("%q"):format(v) end
  return tostring(v)
end

local function fail(msg, what)
  error((what and (what .. ": ") or "") .. msg, 3)
end

function T.eq(got, want, what)
  T.checks = T.checks + 1
  if got ~= want then fail(("expected %s, got %s"):format(show(want), show(got)), what) end
end

function T.ok(v, what)
  T.checks = T.checks + 1
  if not v then fail("expected a true value, got " .. show(v), what) end
end

-- T.raises(fn, pattern, what): fn() must raise an error matching pattern
-- (a plain substring).
function T.raises(fn, pattern, what)
  T.checks = T.checks + 1
  local ok, err = pcall(fn)
  if ok then fail("expected an error containing " .. show(pattern), what) end
  if not tostring(err):find(pattern, 1, true) then
    fail(("error %s does not contain %s"):format(show(tostring(err)), show(pattern)), what)
  end
end

-- T.list(list, fn): the values fn(item) of an array, as one string "a|b|c".
function T.list(list, fn)
  local r = {}
  for i = 1, #list do r[i] = tostring(fn(list[i])) end
  return table.concat(r, "|")
end

return T
