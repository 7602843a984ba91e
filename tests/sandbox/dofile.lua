-- Running another file.
-- expect: error attempt to call a nil value (global 'dofile')
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out) dofile("/etc/passwd") end }
