-- Running a shell command.
-- expect: error attempt to call a nil value (field 'execute')
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out) out:row { os.execute("touch /tmp/pwned") } end }
