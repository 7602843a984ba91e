#!/bin/bash
# Run manifests: `assay run -o DIR` writes DIR/manifest.json with versions,
# plugin SHA-256s (checked against sha256sum), input XXH3-128 hashes
# (checked against xxhsum -H2), typed options, settings, counts, rows per
# output and times; --from-manifest reruns the run with byte-identical CSVs
# (also from --manifest-only, also at another -j); a changed input or
# plugin is refused (exit 3) unless --force; stdin is recorded as not
# hashed; no manifest for stdout runs unless --manifest; several inputs
# hashed during a -j 2 run match xxhsum, and with --manifest-hash sha256
# sha256sum (kept by a rerun from that manifest).
source "$(dirname "$0")/lib.sh"
command -v xxhsum >/dev/null || skip_all "xxhsum (Debian package xxhash) is not installed"
cp -r "$CORPUS" "$T/corpus"
cp "$SRC/examples/plugins/mentions.lua" "$T/mentions.lua"
cd "$T"

# jq-like field access with Python's json module: jget FILE EXPR
jget() { python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print($2)" "$1"; }

expect_exit 0 "run with -o writes outputs and a manifest" -- \
  assay run wordfreq mentions.lua corpus -O top=25 -O terms=grain,port,china \
  -o out1 -j 1
M=out1/manifest.json
[ -f "$M" ] && pass "manifest.json beside the outputs" || fail "no $M"
expect_grep "assay: wrote out1/manifest.json" "$T/err" "summary names the manifest"

# ---- contents ---------------------------------------------------------------
[ "$(jget $M 'm["assay_version"]')" = "$(assay --version | cut -d' ' -f2)" ] \
  && pass "assay version recorded" || fail "assay version"
jget $M 'm["lua_version"]' | grep -q '^Lua 5\.4' && pass "Lua version recorded" \
  || fail "Lua version: $(jget $M 'm["lua_version"]')"
[ "$(jget $M 'm["plugins"][1]["sha256"]')" = "$(sha256sum mentions.lua | cut -d' ' -f1)" ] \
  && pass "plugin SHA-256 = sha256sum of its file" || fail "plugin sha256"
[ "$(jget $M 'm["plugins"][0]["path"]')" = "$SRC/plugins/wordfreq.lua" ] \
  && pass "bundled plugin recorded by path" || fail "plugin path: $(jget $M 'm["plugins"][0]["path"]')"
[ "$(jget $M 'repr((m["plugins"][0]["options"]["top"], m["plugins"][0]["options"]["lower"], m["plugins"][1]["options"]["terms"]))')" \
  = "(25, True, 'grain,port,china')" ] \
  && pass "options recorded with their types" || fail "typed options"
[ "$(jget $M 'm["settings"]["threads"], m["settings"]["format"], m["settings"]["invalid_utf8"], m["settings"]["max_doc_bytes"]')" \
  = "1 csv replace 268435456" ] && pass "engine settings recorded" || fail "settings"
# every input file, relative path + size + XXH3-128, as xxhsum sees them
jget $M '"\n".join("%s  corpus/%s %d" % (f["xxh3_128"], f["path"], f["size"]) for f in m["inputs"][0]["files"])' > listed
(find corpus -type f -not -name '.*' | LC_ALL=C sort | while read -r f; do
   echo "$(xxhsum -H2 "$f" | cut -d' ' -f1)  $f $(stat -c %s "$f")"; done) > actual
expect_same actual listed "every input file listed with size and XXH3-128 (gzip hashed as stored)"
[ "$(jget $M 'm["inputs"][0]["kind"], m["inputs"][0]["size"]')" = "directory $(du -cb --apparent-size $(find corpus -type f) | tail -1 | cut -f1)" ] \
  && pass "directory input: kind and total size" || fail "input size"
read_n=$(jget $M 'm["documents"]["read"]')
[ "$(jget $M 'm["documents"]["analysed"] + m["documents"]["skipped"]')" = "$read_n" ] && [ "$read_n" -gt 0 ] \
  && pass "documents read = analysed + skipped ($read_n)" || fail "counts"
[ "$(jget $M 'm["outputs"][0]["rows"], m["outputs"][1]["rows"]')" \
  = "$(($(wc -l < out1/wordfreq.csv) - 1)) $(($(wc -l < out1/mentions.csv) - 1))" ] \
  && pass "rows per output match the CSVs" || fail "rows per output"
jget $M 'm["started"], m["finished"]' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z [0-9-]{10}T' \
  && pass "start and end times in UTC ISO 8601" || fail "times: $(jget $M 'm["started"]')"
[ "$(jget $M 'm["exit_status"], m["ran"]')" = "0 True" ] && pass "exit status recorded" || fail "exit status"
python3 - "$M" <<'PY' && pass "keys in the documented fixed order" || fail "key order"
import json, sys
keys = list(json.load(open(sys.argv[1])).keys())
want = ["assay_manifest", "assay_version", "lua_version", "ran", "started",
        "finished", "written", "exit_status", "status", "working_directory",
        "settings", "plugins", "inputs", "documents", "outputs", "output_dir",
        "errors_file"]
sys.exit(0 if keys == want else 1)
PY

# ---- rerun: byte-identical --------------------------------------------------
expect_exit 0 "rerun from the manifest (-j 4)" -- assay run --from-manifest $M -o out2 -j 4
for f in wordfreq.csv mentions.csv; do
  expect_same out1/$f out2/$f "rerun from the manifest: $f byte-identical"
done
[ "$(jget out2/manifest.json 'm["settings"]["workers"]')" = 4 ] && pass "-j overrides the recorded threads" \
  || fail "workers after -j 4"
expect_exit 2 "--from-manifest refuses extra plugins or inputs" -- \
  assay run --from-manifest $M wordfreq corpus -o out9
expect_exit 2 "--from-manifest refuses -O" -- assay run --from-manifest $M -O top=3 -o out9
expect_exit 3 "--from-manifest of a missing file" -- assay run --from-manifest nope.json -o out9
echo '{"x": 1}' > bad.json
expect_exit 3 "--from-manifest of a JSON file that is not a manifest" -- assay run --from-manifest bad.json -o out9
expect_grep "not an assay run manifest" "$T/err" "not-a-manifest message"

# ---- --manifest-only ---------------------------------------------------------
expect_exit 0 "--manifest-only" -- assay run --manifest-only wordfreq mentions.lua corpus \
  -O top=25 -O terms=grain,port,china -o only
[ "$(ls only)" = manifest.json ] && pass "--manifest-only writes only the manifest" || fail "only/: $(ls only)"
[ "$(jget only/manifest.json 'm["ran"], m["documents"], m["started"], m["outputs"][0]["rows"]')" = "False None None None" ] \
  && pass "--manifest-only has no counts or run times" || fail "manifest-only counts"
expect_same listed <(jget only/manifest.json '"\n".join("%s  corpus/%s %d" % (f["xxh3_128"], f["path"], f["size"]) for f in m["inputs"][0]["files"])') \
  "--manifest-only hashes the inputs too"
expect_exit 0 "run from a --manifest-only manifest" -- assay run --from-manifest only/manifest.json -o out3
for f in wordfreq.csv mentions.csv; do
  expect_same out1/$f out3/$f "run from --manifest-only manifest: $f byte-identical"
done
expect_exit 2 "--manifest-only without a destination" -- assay run --manifest-only wordfreq corpus

# ---- changes are detected ----------------------------------------------------
printf '\nA late addition about grain.\n' >> corpus/briefs/port-expansion.md
expect_exit 3 "a changed input is refused" -- assay run --from-manifest $M -o out4
expect_grep "file 'briefs/port-expansion.md' has changed" "$T/err" "the message names the changed file"
expect_grep "hint: .*--force" "$T/err" "the hint offers --force"
[ ! -e out4 ] || [ -z "$(ls out4)" ] && pass "nothing written when refused" || fail "out4: $(ls out4)"
expect_exit 0 "--force reruns anyway" -- assay run --from-manifest $M -o out4 --force
expect_grep "warning: input 'corpus': file 'briefs/port-expansion.md' has changed" "$T/err" "--force warns"
cmp -s out1/mentions.csv out4/mentions.csv && fail "changed input, same mentions.csv?" \
  || pass "changed input gives different output"
touch corpus/extra.txt
expect_exit 3 "an added file is refused" -- assay run --from-manifest only/manifest.json -o out5
expect_grep "; and 1 more change$" "$T/err" "the message counts the other change (the new file)"
echo "-- edited" >> mentions.lua
expect_exit 3 "a changed plugin is refused" -- assay run --from-manifest $M -o out5
expect_grep "plugin 'mentions' (.*mentions.lua) has changed" "$T/err" "the message names the changed plugin"
expect_exit 0 "--force with a changed plugin and inputs" -- assay run --from-manifest $M -o out5 --force
expect_grep "warning: plugin 'mentions'" "$T/err" "--force warns about the plugin"

# ---- hashes taken during the run (several inputs, files over one read) -------
mkdir big
python3 -c "
import sys
for i in range(5):
    open('big/part%d.txt' % i, 'w').write(''.join('line %d of part %d, some words\\n' % (j, i) for j in range(3000 * (i + 1))))
"
# with either hash: the default (XXH3-128, as xxhsum -H2 prints it) and
# --manifest-hash sha256
for h in xxh3_128 sha256; do
  expect_exit 0 "run over a directory and a single file, -j 2, $h" -- \
    assay run wordfreq big corpus/wire.jsonl -o ov-$h -j 2 --manifest-hash $h
  jget ov-$h/manifest.json '"\n".join("%s %d" % (f["'$h'"], f["size"]) for i in m["inputs"] for f in i["files"])' > listed2
  (for f in big/part0.txt big/part1.txt big/part2.txt big/part3.txt big/part4.txt corpus/wire.jsonl; do
     if [ $h = sha256 ]; then d=$(sha256sum "$f"); else d=$(xxhsum -H2 "$f"); fi
     echo "${d%% *} $(stat -c %s "$f")"; done) > actual2
  cmp -s listed2 actual2 && pass "$h of several inputs (up to $(stat -c %s big/part4.txt) bytes) = ${h%_128}sum" \
    || fail "several inputs, $h: $(diff listed2 actual2 | head -4)"
  [ "$(jget ov-$h/manifest.json 'm["settings"]["manifest_hash"]')" = $h ] \
    && pass "the setting recorded: $h" || fail "manifest_hash setting ($h)"
done
expect_exit 0 "rerun from a sha256 manifest" -- assay run --from-manifest ov-sha256/manifest.json -o ov2
[ "$(jget ov2/manifest.json 'm["settings"]["manifest_hash"], sorted(m["inputs"][1]["files"][0])')" \
  = "sha256 ['path', 'sha256', 'size']" ] \
  && pass "the rerun's manifest hashes with SHA-256 too" || fail "rerun hash: $(jget ov2/manifest.json 'm["settings"]')"
expect_exit 2 "--manifest-hash md5 is a usage error" -- assay run wordfreq big -o ov3 --manifest-hash md5
expect_grep "xxh3_128 or sha256" "$T/err" "the message names the hashes"
expect_exit 0 "--from-manifest with --manifest-hash" -- \
  assay run --from-manifest ov-xxh3_128/manifest.json -o ov4 --manifest-hash sha256
[ "$(jget ov4/manifest.json 'm["settings"]["manifest_hash"], sorted(m["inputs"][1]["files"][0])')" \
  = "sha256 ['path', 'sha256', 'size']" ] \
  && pass "--manifest-hash chooses the rerun's own hash" || fail "rerun with --manifest-hash: $(jget ov4/manifest.json 'm["settings"]')"

# ---- pipes: read once, by the run; recorded as not hashed ------------------
# (the hashing thread used to read a pipe beside the run, taking part of its
# bytes, and to wait at the end for a named pipe's gone writer)
assay run wordfreq big/part4.txt -o pip0 --no-manifest -q -j 1
expect_exit 0 "a process substitution as input, manifest written" -- \
  assay run wordfreq <(cat big/part4.txt) -o pip1 -j 1
expect_same pip0/wordfreq.csv pip1/wordfreq.csv "a piped input is counted whole"
[ "$(jget pip1/manifest.json 'm["inputs"][0]["kind"], m["inputs"][0]["hashed"], m["inputs"][0]["note"]')" \
  = "pipe False a pipe, not hashed" ] && pass "a pipe recorded as not hashed" \
  || fail "pipe entry: $(jget pip1/manifest.json 'm["inputs"][0]')"
mkfifo fifo.txt
(cat big/part4.txt > fifo.txt &)
expect_exit 0 "a named pipe as input, manifest written" -- \
  timeout 60 "$ASSAY_BIN" run wordfreq fifo.txt -o pip2 -j 2
expect_same pip0/wordfreq.csv pip2/wordfreq.csv "a named pipe's input is counted whole, no wait at the end"

# ---- stdin, gzip file, stdout -------------------------------------------------
expect_exit 0 "stdin run with --manifest FILE" -- \
  sh -c "cat '$CORPUS/wire.jsonl' | '$ASSAY_BIN' run wordfreq - -O top=3 --manifest stdin.json"
[ "$(jget stdin.json 'm["inputs"][0]["kind"], m["inputs"][0]["note"], m["outputs"][0]["file"]')" = "stdin stdin, not hashed -" ] \
  && pass "stdin recorded as not hashed; output on standard output" || fail "stdin manifest"
[ "$(wc -l < "$T/out")" = 4 ] && pass "stdout output unaffected by --manifest" || fail "stdout rows"
expect_exit 0 "a single gzip file input" -- assay run wordfreq "$CORPUS/archive/rail-2024-05-14.txt.gz" -o gz
[ "$(jget gz/manifest.json 'm["inputs"][0]["kind"], m["inputs"][0]["files"][0]["xxh3_128"]')" \
  = "file $(xxhsum -H2 "$CORPUS/archive/rail-2024-05-14.txt.gz" | cut -d' ' -f1)" ] \
  && pass "gzip input hashed as stored" || fail "gz manifest"
mkdir sub && (cd sub && "$ASSAY_BIN" run wordfreq "$CORPUS" -q > /dev/null)
[ -z "$(ls sub)" ] && pass "no manifest for a stdout run without --manifest" || fail "sub: $(ls sub)"
expect_exit 0 "--no-manifest" -- assay run wordfreq "$CORPUS" -o nom --no-manifest
[ ! -e nom/manifest.json ] && pass "--no-manifest writes none" || fail "nom/manifest.json exists"
ls -a out1 | grep -q 'tmp' && fail "temporary file left in out1" || pass "no temporary files left"
finish
