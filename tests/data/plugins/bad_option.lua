-- Fixture: an option default that is a table.
return {
  name = "badopt",
  options = { words = { "a", "b" } },
  columns = { "a" },
  document = function() end,
}
