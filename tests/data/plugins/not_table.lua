-- Fixture: returns a string instead of a table.
return "wordfreq"
