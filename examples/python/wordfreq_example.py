#!/usr/bin/env python3
"""wordfreq_example.py — assay from Python: the bundled wordfreq plugin over
files, then an inline plugin over documents that come from Python itself.

    python3 examples/python/wordfreq_example.py [CORPUS]

Needs libassay.so: build the project (cmake --build build), or set
ASSAY_LIBRARY to its path. Uses only the standard library; pandas is used
if it is installed.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "python"))
import assay  # noqa: E402

corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "corpus")

# 1. A bundled plugin over files: rows arrive as dicts with typed values.
with assay.Engine(threads=4) as engine:
    engine.load_plugin("wordfreq")
    engine.set_option("stopwords", "english")
    engine.set_option("top", 10)
    print("Most frequent words in", os.path.normpath(corpus))
    for row in engine.rows([corpus]):
        print("  %-12s %4d  (in %d documents)" % (row["word"], row["count"],
                                                 row["docs"]))
    stats = engine.stats()
    print("%d documents read, %d analysed, %d skipped" % (
        stats["documents_read"], stats["documents_analysed"],
        stats["documents_skipped"]))

# 2. A plugin written inline, fed from a Python iterable of (id, text, meta).
MONTHS = """
return {
  name = "months", summary = "documents and words per month",
  columns = { "month", "documents", "words" },
  init = function(ctx) return {} end,
  document = function(doc, ctx)
    local m = (doc.date or "unknown"):sub(1, 7)
    local c = assay.counter()
    c:add_words(doc)
    local s = ctx.state[m] or { docs = 0, words = 0 }
    s.docs, s.words = s.docs + 1, s.words + c:total()
    ctx.state[m] = s
  end,
  merge = function(state, other)
    for m, o in pairs(other) do
      local s = state[m] or { docs = 0, words = 0 }
      s.docs, s.words = s.docs + o.docs, s.words + o.words
      state[m] = s
    end
  end,
  finish = function(ctx, out)
    local keys = {}
    for m in pairs(ctx.state) do keys[#keys + 1] = m end
    table.sort(keys)
    for _, m in ipairs(keys) do
      out:row{ month = m, documents = ctx.state[m].docs,
               words = ctx.state[m].words }
    end
  end,
}
"""
documents = [
    ("note-1", "Grain exports rose again.", {"date": "2024-05-02"}),
    ("note-2", "The port opened a new berth for grain ships.",
     {"date": "2024-05-19", "outlet": "wire"}),
    ("note-3", "Rail freight fell in June.", {"date": "2024-06-03"}),
]
with assay.Engine() as engine:
    engine.load_plugin_string(MONTHS, "months.lua")
    print("\nDocuments per month (from Python):")
    for row in engine.rows(documents=documents):
        print("  %s  %d documents, %d words" % (row["month"], row["documents"],
                                               row["words"]))
    try:
        frame = engine.to_dataframe(documents=documents)
        print("\nAs a pandas DataFrame:\n", frame)
    except ImportError:
        print("\n(pandas is not installed: to_dataframe() skipped)")
