-- Deleting a file.
-- expect: error attempt to call a nil value (field 'remove')
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out) os.remove("/tmp/somefile") end }
