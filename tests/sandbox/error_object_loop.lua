-- An error object whose __tostring never returns (runs in the handler).
-- expect: limit exceeded the instruction limit of 1000000 (instr_limit)
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out)
    error(setmetatable({}, { __tostring = function() while true do end end }))
  end }
