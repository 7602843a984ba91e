-- Allocating without bound.
-- expect: limit exceeded the memory limit of 32 MB (mem_limit_mb)
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out)
    local t = {}
    for i = 1, 1e9 do t[#t + 1] = string.rep("x", 1 << 16) .. i end
  end }
