-- Calling __gc of a counter by hand (a double free) via its metatable.
-- expect: error attempt to call a nil value (field '__gc')
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out)
    local c = assay.counter()
    assert(getmetatable(c) == "assay.Counter" and getmetatable(doc) == "assay.Document")
    getmetatable(c).__gc(c)
  end }
