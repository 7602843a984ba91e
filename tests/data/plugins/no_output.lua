-- Fixture: no columns and no outputs.
return { name = "nowhere", document = function() end }
