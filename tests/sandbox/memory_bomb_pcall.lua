-- Allocating without bound and swallowing each "not enough memory": the
-- cap holds (allocations keep failing) until the instruction budget ends it.
-- expect: limit exceeded the instruction limit of 1000000 (instr_limit)
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out)
    local t = {}
    for i = 1, 1e9 do
      pcall(function() t[#t + 1] = string.rep("x", 1 << 16) .. i end)
    end
  end }
