-- Stopping the collector to defeat the memory accounting.
-- expect: error collectgarbage('stop') is not available in the sandbox (only 'count')
return { name = "escape", columns = { "result" },
  document = function(doc, ctx, out) collectgarbage("stop") end }
