#!/usr/bin/env python3
"""The peer reader: Python's csv and json modules read back exactly the
fields assay wrote, for tricky values (commas, quotes, newlines, CR,
non-ASCII, leading/trailing spaces, formula-like cells, numbers), in CSV,
CSV with BOM, TSV, JSON Lines and spreadsheet-safe CSV."""
import csv, io, json, os, subprocess, sys, tempfile

ASSAY = os.environ.get("ASSAY_BIN", "build/assay")
passes = fails = 0

def check(cond, what, detail=""):
    global passes, fails
    if cond:
        passes += 1
        print("ok -", what)
    else:
        fails += 1
        print("FAIL -", what, detail, file=sys.stderr)

VALUES = [
    "plain", "comma, inside", 'double "quotes"', "line\nbreak", "cr\rinside",
    "crlf\r\nin", "  leading and trailing  ", "", "Kazakhstan’s “quoted” — dash",
    "日本語テキスト", "emoji 🙂", "=SUM(A1:A9)", "+1 555", "-dash start", "@handle",
    "\ttab start", "trailing,", '"', "a\\b\\n", "tab\tinside",
]

PLUGIN = r'''
return {
  name = "echo",
  columns = { "id", "value", "int", "float", "flag", "missing" },
  document = function(doc, ctx, out)
    out:row{ id = doc.id, value = doc.meta.value, int = doc.meta.i,
             float = doc.meta.f, flag = doc.meta.b }
  end,
}
'''

def run(tmp, *args):
    r = subprocess.run([ASSAY, "run", os.path.join(tmp, "echo.lua"),
                        os.path.join(tmp, "in.jsonl"), "-q", "-j", "2", *args],
                       capture_output=True)
    check(r.returncode == 0, "assay run %s exits 0" % " ".join(args), r.stderr.decode())
    return r.stdout

def main():
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "echo.lua"), "w") as f:
            f.write(PLUGIN)
        records = []
        for k, v in enumerate(VALUES):
            records.append({"id": "r%d" % k, "text": "x", "value": v, "i": k - 5,
                            "f": [0.1, 1e300, -2.5, 1/3, 123456789.125][k % 5],
                            "b": k % 2 == 0})
        with open(os.path.join(tmp, "in.jsonl"), "w", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")

        # ---- CSV: every field read back exactly ----
        out = run(tmp)
        rows = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
        check(rows[0] == ["id", "value", "int", "float", "flag", "missing"], "csv header")
        check(len(rows) == len(records) + 1, "csv row count", len(rows))
        for r, row in zip(records, rows[1:]):
            want = [r["id"], r["value"], str(r["i"]), repr(r["f"]) if r["f"] != 1e300 else "1e+300",
                    "true" if r["b"] else "false", ""]
            check(row == want, "csv round trip of %r" % r["value"], "%r != %r" % (row, want))
            check(float(row[3]) == r["f"], "float %r reads back exactly" % r["f"])

        # ---- CSV with BOM ----
        out = run(tmp, "--bom")
        check(out.startswith(b"\xef\xbb\xbf"), "--bom starts with EF BB BF")
        rows = list(csv.reader(io.StringIO(out.decode("utf-8-sig"), newline="")))
        check(rows[0][0] == "id" and [x[1] for x in rows[1:]] == VALUES, "BOM file reads back with utf-8-sig")

        # ---- spreadsheet-safe CSV ----
        out = run(tmp, "--safe-csv")
        rows = list(csv.reader(io.StringIO(out.decode("utf-8"), newline="")))
        for r, row in zip(records, rows[1:]):
            v = r["value"]
            danger = v[:1] in ("=", "+", "-", "@", "\t", "\r")
            want = ("'" + v) if danger else v
            check(row[1] == want, "safe-csv cell %r" % v, repr(row[1]))
            check(row[2] == str(r["i"]), "safe-csv leaves numbers alone (%d)" % r["i"], row[2])

        # ---- TSV: escapes undone give the values back ----
        out = run(tmp, "--format", "tsv").decode("utf-8")
        lines = out.split("\n")
        check(lines[-1] == "" and len(lines) == len(records) + 2, "tsv: one line per row")
        def unescape(s):
            res, i = [], 0
            while i < len(s):
                if s[i] == "\\" and i + 1 < len(s):
                    res.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[s[i + 1]])
                    i += 2
                else:
                    res.append(s[i]); i += 1
            return "".join(res)
        for r, line in zip(records, lines[1:]):
            cells = [unescape(c) for c in line.split("\t")]
            check(cells[1] == r["value"] and len(cells) == 6, "tsv round trip of %r" % r["value"], repr(cells))

        # ---- JSON Lines ----
        out = run(tmp, "--format", "jsonl").decode("utf-8")
        objs = [json.loads(l) for l in out.splitlines()]
        for r, o in zip(records, objs):
            want = {"id": r["id"], "value": r["value"], "int": r["i"], "float": r["f"],
                    "flag": r["b"], "missing": None}
            check(o == want and list(o) == list(want), "jsonl round trip of %r" % r["value"], repr(o))

        # ---- wordfreq on the example corpus parses as CSV ----
        src = os.environ.get("ASSAY_SOURCE_DIR", ".")
        r = subprocess.run([ASSAY, "run", "wordfreq", os.path.join(src, "examples/corpus"), "-q"],
                           capture_output=True)
        rows = list(csv.reader(io.StringIO(r.stdout.decode("utf-8"), newline="")))
        check(r.returncode == 0 and rows[0] == ["word", "count", "docs"] and
              all(len(x) == 3 and int(x[1]) >= int(x[2]) >= 1 for x in rows[1:]),
              "wordfreq output is well-formed CSV with count >= docs >= 1")

    print("%d passed, %d failed" % (passes, fails))
    return 1 if fails else 0

if __name__ == "__main__":
    sys.exit(main())
