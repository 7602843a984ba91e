-- Infinite loops inside fresh coroutines, errors swallowed by pcall.
-- expect: limit exceeded the instruction limit of 1000000 (instr_limit)
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out)
    while true do
      pcall(coroutine.wrap(function() while true do end end))
      coroutine.resume(coroutine.create(function() while true do end end))
    end
  end }
