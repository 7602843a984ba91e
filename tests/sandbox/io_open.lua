-- Reading a system file through io.
-- expect: error attempt to index a nil value (global 'io')
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out)
    local f = io.open("/etc/passwd")
    out:row { f:read("a") }
  end }
