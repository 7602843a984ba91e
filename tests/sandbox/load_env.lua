-- Chunks made by load() see the plugin's sandbox, not the real globals.
-- expect: safe
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out)
    local ok = load("return io")() == nil and load("return string.dump")() == nil
      and load("return debug")() == nil
    load("made_by_load = 1")()
    ok = ok and made_by_load == 1
    out:row { ok and "safe" or "pwned" }
  end }
