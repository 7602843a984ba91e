-- Allocating without bound and swallowing each "not enough memory": the
-- cap holds (allocations past 32 MB keep failing) and the plugin can go on.
-- expect: safe
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out)
    local t, failed = {}, 0
    for i = 1, 1000 do -- 62.5 MB asked for in 64 KB strings
      if not pcall(function() t[#t + 1] = string.rep("x", 1 << 16) .. i end) then
        failed = failed + 1
      end
    end
    local held = #t * 65536 < 32 * 1024 * 1024 and failed > 400
    t = nil
    out:row { held and "safe" or "pwned" }
  end }
