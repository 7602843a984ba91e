#!/usr/bin/env python3
"""Every Lua function the binding registers (the names in luaL_Reg tables
under core/src/lua/) has an entry in the plugin documentation
(docs/plugin-api.md or docs/plugins.md), as `name` in code. Metamethods
(__gc, __index, ...) and raw helpers starting with "_" are exempt: the
prelude wraps them. STYLE.md habit 10: the cheap first step towards
generating the reference from the binding."""
import os, re, sys

src = os.environ.get("ASSAY_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
lua_dir = os.path.join(src, "core", "src", "lua")
docs = ""
for name in ("plugin-api.md", "plugins.md"):
    with open(os.path.join(src, "docs", name), encoding="utf-8") as f:
        docs += f.read()

reg_table = re.compile(r"luaL_Reg\s+\w+\s*\[\s*\]\s*=\s*\{(.*?)\};", re.S)
entry = re.compile(r'\{\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*,')
missing, seen = [], 0
for fn in sorted(os.listdir(lua_dir)):
    if not fn.endswith(".c"):
        continue
    with open(os.path.join(lua_dir, fn), encoding="utf-8") as f:
        text = f.read()
    for table in reg_table.findall(text):
        for name in entry.findall(table):
            if name.startswith("_"):
                continue
            seen += 1
            # documented as `name(`, `:name(`, `.name(` or `name` in code
            if not re.search(r"[`.:]" + re.escape(name) + r"[`(\s\[{]", docs):
                missing.append("%s: %s" % (fn, name))
for m in missing:
    print("undocumented:", m)
print("%d passed, %d failed" % (seen - len(missing), len(missing)))
sys.exit(1 if missing or seen == 0 else 0)
