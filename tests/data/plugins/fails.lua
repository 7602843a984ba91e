-- Fixture: writes a row, then fails on the document with id "bad".
return {
  name = "fails",
  columns = { "id" },
  document = function(doc, ctx, out)
    out:row { doc.id }
    if doc.id == "bad" then
      error("cannot handle " .. doc.id)
    end
  end,
}
