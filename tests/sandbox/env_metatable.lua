-- Removing the _ENV metatable to reach (or replace) the allowlist.
-- expect: error cannot change a protected metatable
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out) setmetatable(_ENV, nil) end }
