-- dict_spec.lua — assay.dictionary from Lua: a nested Lua table, match with
-- levels and weights, matches (spans for auditing), count_into / add_terms
-- into counters, categories, and errors for bad tables and files.
local T = load(assay.read_file("spec_helper.lua"), "@spec_helper.lua")()

local TEXT = "Free trade and energy security: tariffs on solar panels. " ..
             "Free trade again, and the Belt-and-Road."

local function table_dict()
  local d = assay.dictionary{
    economy = { trade = { "trade", "free trade", "tariff*" },
                energy = { "energ*", "solar", "energy security" } },
    security = { "energy security", "belt and road" },
  }
  T.eq(#d, 7, "entries")
  T.eq(table.concat(d:categories(), "|"),
       "economy|economy/energy|economy/trade|security", "categories (sorted keys)")
  T.eq(table.concat(d:categories(1), "|"), "economy|security", "categories at level 1")
  return d
end

local function match(d)
  local c, words = d:match(TEXT)
  T.eq(words, 17, "words")
  T.eq(c["economy/trade"], 3, "trade: 2 x free trade + tariffs")
  T.eq(c["economy/energy"], 2, "energy security + solar")
  T.eq(c.security, 2, "energy security + belt and road")
  local top = d:match(TEXT, { level = 1 })
  T.eq(top.economy, 5, "economy at level 1")
  T.eq(top["economy/trade"], nil, "no leaf at level 1")
end

-- a weighted CSV dictionary (fixtures/weights.csv): d:match sums weights
-- with weighted = true, an entry without one weighing 1
local function weighted()
  local d = assay.dictionary(assay.data_path("fixtures/weights.csv"))
  local text = "good good great bad awful fine"
  local w = d:match(text, { weighted = true })
  T.eq(w.pos, 5, "weights summed: 1.5 + 1.5 + 2")
  T.eq(w.neg, 0, "a weight of -1 and an entry without one (1)")
  local c = d:match(text)
  T.eq(c.pos, 3, "counts without weighted")
  T.eq(c.neg, 2, "negative counts are counts")
  T.raises(function() d:match(text, { weighted = "yes" }) end, "weighted")
end

local function matches(d)
  local m = d:matches(TEXT)
  T.eq(#m, 6, "six matches")
  T.eq(m[1].text, "Free trade", "first match text")
  T.eq(m[1].term, "free trade", "first match entry")
  T.eq(m[1].category, "economy/trade", "first match category")
  T.eq(m[1].start, 0, "code-point start")
  T.eq(m[1].stop, 10, "code-point stop")
  T.eq(TEXT:sub(m[2].byte_start, m[2].byte_end), "energy security", "bytes")
  T.eq(#m[2].categories, 2, "a phrase in two categories")
  T.eq(m[6].text, "Belt-and-Road", "phrase across hyphens")
end

local function counters(d, doc)
  local c = assay.counter()
  local words = d:count_into(TEXT, c, { prefix = "k\t", level = 1 })
  T.eq(words, 17, "count_into returns words")
  T.eq(c:get("k\teconomy"), 5, "count_into key")
  local terms = assay.counter()
  T.eq(d:add_terms(TEXT, terms), 6, "add_terms returns matches")
  T.eq(terms:get("economy/trade\tfree trade"), 2, "folded term")
  T.eq(terms:get("security\tbelt-and-road"), 1, "term keeps its text")
  T.ok(d:match(doc), "a Document works too")
end

local function errors()
  T.raises(function() assay.dictionary{ "orphan" } end, "terms need a category key")
  T.raises(function() assay.dictionary{ a = { 1 } } end, "is not a string")
  T.raises(function() assay.dictionary("/nonexistent/d.yml") end, "cannot read dictionary")
  T.raises(function() assay.dictionary(42) end, "file path or table expected")
  T.raises(function() table_dict():match(TEXT, { level = -1 }) end, "level")
  T.raises(function() table_dict():rows(TEXT, nil) end, "assay.Document expected")
end

return {
  name = "dict_spec",
  columns = { "spec", "checks", "status" },
  document = function(doc, ctx)
    local d = table_dict()
    match(d)
    matches(d)
    weighted()
    counters(d, doc)
    errors()
    ctx.ran = true
  end,
  finish = function(ctx, out)
    T.ok(ctx.ran, "document() ran")
    out:row{ spec = "dict_spec", checks = T.checks, status = "passed" }
  end,
}
