-- Fixture: two outputs in the array form (declared order is kept).
return {
  name = "multi",
  outputs = {
    { name = "quotes", columns = { "doc", "quote" } },
    { name = "speakers", columns = { "speaker", "n" } },
  },
  document = function(doc, ctx, out)
    out:row { doc = doc.id, quote = "q1" }
    out:row("speakers", { speaker = "Ann", n = 1 })
    out.speakers:row { "Bob", 2 }
    out["quotes"]:row { doc.id, "q2" }
  end,
}
