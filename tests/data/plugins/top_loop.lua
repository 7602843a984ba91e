-- Fixture: the top level never finishes.
local n = 0
while true do n = n + 1 end
return { name = "loop", columns = { "a" }, document = function() end }
