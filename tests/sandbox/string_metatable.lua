-- Replacing string methods for everyone through the string metatable.
-- expect: error attempt to index a boolean value
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out)
    getmetatable("").__index.upper = function() return "pwned" end
  end }
