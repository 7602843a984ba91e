-- Producing bytecode (the first step to a malicious binary chunk).
-- expect: error attempt to call a nil value (field 'dump')
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out) out:row { string.dump(function() end) } end }
