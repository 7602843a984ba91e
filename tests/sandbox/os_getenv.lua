-- Reading the environment.
-- expect: error attempt to call a nil value (field 'getenv')
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out) out:row { os.getenv("HOME") } end }
