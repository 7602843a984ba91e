-- Fixture: outputs in the map form (sorted by name), both value shapes.
return {
  name = "mapped",
  outputs = {
    zeta = { "z1", "z2" },
    alpha = { columns = { "a1" } },
  },
  finish = function(ctx, out) end,
}
