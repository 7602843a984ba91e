-- Fixture: a well-formed plugin with one output and options of every type.
return {
  name = "good",
  version = "1.2",
  summary = "counts words",
  options = { min_count = 2, ratio = 0.5, lower = true, label = "x" },
  columns = { "word", "count", "docs" },
  init = function(ctx) end,
  document = function(doc, ctx, out) end,
}
