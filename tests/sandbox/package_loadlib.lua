-- Loading a shared library directly.
-- expect: error attempt to index a nil value (global 'package')
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out) package.loadlib("libc.so.6", "system") end }
