-- Fixture: both columns and outputs.
return {
  name = "both", columns = { "a" },
  outputs = { { name = "x", columns = { "b" } } },
  document = function() end,
}
