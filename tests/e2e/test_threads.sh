#!/bin/bash
# Determinism across threads: -j 1, -j 2, -j 4 and -j 8 write byte-identical
# outputs and errors files on a generated corpus of 3,000 documents (nested
# text files, JSON Lines with malformed records, CSV), with per-document rows
# (mentions), merged aggregates (wordfreq) and a plugin keeping Lua tables.
source "$(dirname "$0")/lib.sh"

python3 - "$T/corpus" <<'PY'
import json, os, random, sys
root = sys.argv[1]
rng = random.Random(20241128)
words = ("port grain energy trade rail harbour council minister said market "
         "export price tariff solar wind coal freight cargo union talks city "
         "river bridge school students budget tax bank rate loan deal Café "
         "Zürich naïve Ελλάδα Россия 北京 über").split()
def text(n):
    paras = []
    for _ in range(rng.randint(1, 4)):
        paras.append(" ".join(rng.choice(words) for _ in range(n)) + ".")
    return "\n\n".join(paras)
for i in range(2000):
    d = os.path.join(root, "txt", "d%02d" % (i % 37))
    os.makedirs(d, exist_ok=True)
    date = "2024-%02d-%02d" % (1 + i % 12, 1 + i % 28)
    with open(os.path.join(d, "doc%04d.txt" % i), "w") as f:
        f.write(" date %s %s\n" % (date, text(rng.randint(5, 60))))
with open(os.path.join(root, "wire.jsonl"), "w") as f:
    for i in range(800):
        if i % 97 == 13:
            f.write('{"id": "broken-%d", "text": "unterminated\n' % i)
        else:
            f.write(json.dumps({"id": "w%d" % i, "date": "2023-%02d-01" % (1 + i % 12),
                                "text": text(rng.randint(3, 40))}) + "\n")
with open(os.path.join(root, "letters.csv"), "w") as f:
    f.write("id,date,text\n")
    for i in range(200):
        extra = ",oops" if i % 50 == 7 else ""
        f.write('l%d,2022-01-%02d,"%s"%s\n' % (i, 1 + i % 28, text(rng.randint(3, 20)).replace('"', '""'), extra))
PY

cat > "$T/bydate.lua" <<'LUA'
return {
  name = "bydate",
  columns = { "date", "documents", "words" },
  init = function(ctx) return { docs = {}, words = {} } end,
  document = function(doc, ctx)
    local d, c = doc.date or "none", assay.counter()
    local n = c:add_words(doc)
    ctx.state.docs[d] = (ctx.state.docs[d] or 0) + 1
    ctx.state.words[d] = (ctx.state.words[d] or 0) + n
  end,
  merge = function(a, b)
    for k, v in pairs(b.docs) do a.docs[k] = (a.docs[k] or 0) + v end
    for k, v in pairs(b.words) do a.words[k] = (a.words[k] or 0) + v end
  end,
  finish = function(ctx, out)
    local keys = {}
    for k in pairs(ctx.state.docs) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do out:row{ k, ctx.state.docs[k], ctx.state.words[k] } end
  end,
}
LUA

for j in 1 2 4 8; do
  expect_exit 1 "-j $j run (with skipped records)" -- \
    assay run wordfreq "$SRC/examples/plugins/mentions.lua" "$T/bydate.lua" \
      "$T/corpus" -O terms=port,grain,Café,北京 -j "$j" -o "$T/j$j" --errors "$T/j$j/errors.csv"
  cp "$T/err" "$T/j$j.stderr"
done
lines=$(wc -l < "$T/j1/mentions.csv")
[ "$lines" -gt 2000 ] && pass "per-document output has $lines lines" || fail "mentions has only $lines lines"
grep -q "3000 documents read" "$T/j1.stderr" && pass "3000 documents read" || fail "$(tail -3 "$T/j1.stderr")"
for j in 2 4 8; do
  for f in wordfreq.csv mentions.csv bydate.csv errors.csv; do
    expect_same "$T/j1/$f" "$T/j$j/$f" "-j 1 and -j $j give identical $f"
  done
done
# threads held each on a processor (the default) or placed by the system
expect_exit 1 "-j 2 --no-pin run" -- \
  assay run wordfreq "$SRC/examples/plugins/mentions.lua" "$T/bydate.lua" \
    "$T/corpus" -O terms=port,grain,Café,北京 -j 2 --no-pin -o "$T/nopin" \
    --errors "$T/nopin/errors.csv"
for f in wordfreq.csv mentions.csv bydate.csv errors.csv; do
  expect_same "$T/j1/$f" "$T/nopin/$f" "-j 1 and -j 2 --no-pin give identical $f"
done

# Where the documents were analysed: with -j the core count, each thread on
# one processor of its own (the CLI's default); with --no-pin, on all of
# the process's. The plugin reads its thread's processors from /proc.
cat > "$T/where.lua" <<'LUA'
return { name = "where", columns = { "cpus" },
  init = function(ctx) return {} end,
  document = function(doc, ctx)
    local f = assert(io.open("/proc/thread-self/status"))
    local s = f:read("a"); f:close()
    ctx.state[s:match("Cpus_allowed_list:%s*(%S+)")] = true
  end,
  merge = function(a, b) for k in pairs(b) do a[k] = true end end,
  finish = function(ctx, out)
    local ks = {}
    for k in pairs(ctx.state) do ks[#ks + 1] = k end
    table.sort(ks)
    for _, k in ipairs(ks) do out:row{ k } end
  end }
LUA
ncpu=$(nproc)
own=$(awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status)
if [ "$ncpu" -lt 2 ] || [ ! -r /proc/thread-self/status ]; then
  echo "SKIP: holding threads needs two processors and /proc/thread-self ($ncpu processor(s))"
else
  expect_exit 0 "-j $ncpu run, threads held" -- \
    assay run --trust "$T/where.lua" "$T/corpus/txt" -j "$ncpu" -o "$T/where"
  held=$(tail -n +2 "$T/where/where.csv")
  if [ -n "$held" ] && ! grep -qv '^[0-9]*$' <<<"$held"; then
    pass "each document analysed on a thread held on one processor ($(echo $held))"
  else
    fail "threads not held: $(echo $held)"
  fi
  expect_exit 0 "-j $ncpu --no-pin run" -- \
    assay run --trust --no-pin "$T/where.lua" "$T/corpus/txt" -j "$ncpu" -o "$T/where2"
  free=$(tail -n +2 "$T/where2/where.csv")
  [ "$free" = "$own" ] && pass "--no-pin: threads on all of the process's processors ($own)" \
    || fail "--no-pin: threads on '$(echo $free)', the process has '$own'"
fi

# Counters are handed over between workers whole (lua/handover.h): a
# state that names one counter twice and keeps others nested in tables, and
# (under --trust) a counter two plugins share, come out as with -j 1.
cat > "$T/nest.lua" <<'LUA'
return {
  name = "nest",
  columns = { "what", "key", "n" },
  init = function(ctx)
    local c = assay.counter()
    return { a = c, same = { c }, by = { words = assay.counter() } }
  end,
  document = function(doc, ctx)
    ctx.state.a:add(doc.date and doc.date:sub(1, 7) or "none")
    ctx.state.by.words:add_words(doc, { docs = true })
  end,
  merge = function(s, o)
    assert(rawequal(o.a, o.same[1]), "a shared counter arrives as one")
    s.a:merge(o.a)
    s.by.words:merge(o.by.words)
  end,
  finish = function(ctx, out)
    for k, n in ctx.state.same[1]:each() do out:row{ "month", k, n } end
    for k, n in ctx.state.by.words:each() do out:row{ "word", k, n } end
  end,
}
LUA
cat > "$T/share_a.lua" <<'LUA'
return { name = "share_a", columns = { "key", "n" },
  init = function(ctx) local c = assay.counter(); _G.SHARED = c; return { c = c } end,
  document = function(doc, ctx) ctx.state.c:add("documents") end,
  merge = function(s, o) s.c:merge(o.c) end,
  finish = function(ctx, out) for k, n in ctx.state.c:each() do out:row{ k, n } end end }
LUA
cat > "$T/share_b.lua" <<'LUA'
return { name = "share_b", columns = { "key", "n" },
  init = function(ctx) return { c = assert(rawget(_G, "SHARED")) } end,
  document = function(doc, ctx) ctx.state.c:add("seen by b") end,
  merge = function(s, o) s.c:merge(o.c) end,
  finish = function(ctx, out) for k, n in ctx.state.c:each() do out:row{ k, n } end end }
LUA
for j in 1 2 4; do
  expect_exit 1 "-j $j run handing counters over" -- \
    assay run "$T/nest.lua" "$T/share_a.lua" "$T/share_b.lua" "$T/corpus" \
      --trust -j "$j" -o "$T/h$j"
done
# 3,000 documents read, 13 of them malformed records (skipped)
grep -q '^documents,2987$' "$T/h1/share_a.csv" &&
  grep -q '^seen by b,2987$' "$T/h1/share_a.csv" &&
  pass "two plugins sharing a counter count each document once each" ||
  fail "$(cat "$T/h1/share_a.csv")"
for j in 2 4; do
  for f in nest.csv share_a.csv share_b.csv; do
    expect_same "$T/h1/$f" "$T/h$j/$f" "-j 1 and -j $j give identical $f (counters handed over)"
  done
done

finish
