-- Fixture: no name.
return { columns = { "a" }, document = function() end }
