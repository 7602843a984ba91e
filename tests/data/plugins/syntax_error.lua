-- Fixture: a syntax error on line 3.
return {
  name = "syntax" "oops",
}
