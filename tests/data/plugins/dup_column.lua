-- Fixture: a column declared twice.
return { name = "dupcol", columns = { "a", "b", "a" }, document = function() end }
