-- A global set by one plugin must not be visible to another plugin.
-- expect: safe
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out)
    local seen = LEAK
    LEAK = "from another plugin"
    _G.LEAK2 = "also"
    out:row { (seen == nil and LEAK2 == "also") and "safe" or "pwned" }
  end }
