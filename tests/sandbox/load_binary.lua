-- Loading a binary chunk, even asking for mode "b": load only accepts text.
-- expect: safe
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out)
    local f, e = load("\27LuaT\0\25\147\r\n\26\n", "bin", "b")
    local ok = f == nil and e:find("attempt to load a binary chunk", 1, true) ~= nil
    out:row { ok and "safe" or "pwned" }
  end }
