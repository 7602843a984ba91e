-- Fixture: declares outputs but neither document nor finish.
return { name = "idle", columns = { "a" }, init = function() end }
