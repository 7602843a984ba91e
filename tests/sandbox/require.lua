-- Loading a module (and through it a C library).
-- expect: error attempt to call a nil value (global 'require')
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out) local io = require("io") end }
