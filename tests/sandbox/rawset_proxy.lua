-- rawset on a library proxy: it changes only this plugin's own view (the
-- proxy is per plugin), never the real library or another plugin.
-- expect: safe
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out)
    local before = string.upper("a") == "A" and ("b"):upper() == "B"
    rawset(string, "upper", function() return "pwned" end)
    rawset(math, "floor", function() return "pwned" end)
    out:row { (before and ("c"):upper() == "C") and "safe" or "pwned" }
  end }
