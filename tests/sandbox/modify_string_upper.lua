-- Overwriting a library function: the library is a read-only proxy.
-- expect: safe
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out)
    local before = string.upper("a") == "A" and ("b"):upper() == "B"
    local ok, e = pcall(function() string.upper = function() return "pwned" end end)
    local refused = not ok and e:find("attempt to modify read-only table 'string'", 1, true)
    out:row { (before and refused and string.upper("c") == "C") and "safe" or "pwned" }
  end }
