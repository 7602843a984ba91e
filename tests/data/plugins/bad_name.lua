-- Fixture: a name with characters outside [a-z0-9_-].
return { name = "Bad Name", columns = { "a" }, document = function() end }
