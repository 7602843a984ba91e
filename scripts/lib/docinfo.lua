--[[
docinfo — one row per document for report scripts: its date, its number
of words (UAX #29 word and number tokens, the words topics' per_1000 is
relative to), one metadata field and a title. Reports join it with other
plugins' rows by doc_id to count words per month or per outlet.

A document without a `date` takes the first YYYY-MM-DD in its id when
date_from_id is true (file names such as nyt_2016-09-12_story.txt).
]]
return {
  name = "docinfo",
  version = "1.0",
  summary = "Per document: date, words, a metadata field and a title (used by report scripts)",
  options = { field = "outlet", date_from_id = true },
  columns = { "doc_id", "date", "words", "group", "title" },
  document = function(doc, ctx, out)
    local date = doc.date
    if date then date = tostring(date):match("^%d%d%d%d%-%d%d%-%d%d") end
    if not date and ctx.options.date_from_id then
      date = doc.id:match("%d%d%d%d%-%d%d%-%d%d")
    end
    local meta = doc.meta or {}
    local group = ctx.options.field ~= "" and meta[ctx.options.field] or nil
    local title = meta.title
    if not title then
      local p = doc:paragraphs()[1]
      title = p and p:text() or ""
      local cut = utf8.offset(title, 151)   -- at most 150 characters
      if cut and cut <= #title then title = title:sub(1, cut - 1) .. "…" end
    end
    out:row{ doc_id = doc.id, date = date, words = #doc:word_list(),
             group = group and tostring(group) or nil, title = title }
  end,
}
