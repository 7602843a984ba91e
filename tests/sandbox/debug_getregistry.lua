-- Reaching the registry (and every plugin's state) through debug.
-- expect: error attempt to index a nil value (global 'debug')
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out) local r = debug.getregistry() end }
