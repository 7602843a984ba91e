-- An infinite loop that tries to swallow the budget error with pcall.
-- expect: limit exceeded the instruction limit of 1000000 (instr_limit)
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out)
    while true do
      pcall(function() while true do end end)
    end
  end }
