-- One huge allocation.
-- expect: limit exceeded the memory limit of 32 MB (mem_limit_mb)
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out) local s = string.rep("x", 1 << 30) end }
