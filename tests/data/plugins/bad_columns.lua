-- Fixture: columns is not an array of strings.
return { name = "badcols", columns = { "a", 2 }, document = function() end }
