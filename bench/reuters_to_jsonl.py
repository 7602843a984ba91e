#!/usr/bin/env python3
"""reuters_to_jsonl.py — Reuters-21578 SGML (Latin-1) to JSONL for assay.

One JSON object per <REUTERS> document: id (NEWID), date (YYYY-MM-DD),
split ("train"/"test" for the ModApte split: TOPICS="YES" and LEWISSPLIT
TRAIN/TEST; else "other"), lewissplit, topics (list of codes) and text
(TITLE, a blank line, BODY; SGML entities decoded).

Usage: bench/reuters_to_jsonl.py DATA_DIR OUT.jsonl [--split train|test|all]
The corpus is for research use only: keep the JSONL out of the repository.
"""
import glob
import html
import json
import os
import re
import sys

DOC = re.compile(r"<REUTERS([^>]*)>(.*?)</REUTERS>", re.S)
ATTR = re.compile(r'(\w+)="([^"]*)"')
MONTHS = {m: i + 1 for i, m in enumerate(
    "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}


def field(body, tag):
    m = re.search(r"<%s>(.*?)</%s>" % (tag, tag), body, re.S)
    return m.group(1) if m else ""


def clean(s):
    s = re.sub(r"&#\d+;", " ", s)          # wire-protocol control codes
    s = html.unescape(s.replace("&lt;", "<").replace("&amp;", "&"))
    return re.sub(r"[ \t]+\n", "\n", s).strip()


def date_of(raw):
    m = re.match(r"\s*(\d+)-([A-Z]{3})-(\d{4})", raw)
    if not m or m.group(2) not in MONTHS:
        return None
    return "%s-%02d-%02d" % (m.group(3), MONTHS[m.group(2)], int(m.group(1)))


def convert(path):
    with open(path, encoding="latin-1") as f:
        data = f.read()
    for m in DOC.finditer(data):
        a = dict(ATTR.findall(m.group(1)))
        body = m.group(2)
        modapte = a.get("TOPICS") == "YES" and a.get("LEWISSPLIT") in ("TRAIN", "TEST")
        title, text = clean(field(body, "TITLE")), clean(field(body, "BODY"))
        yield {
            "id": a["NEWID"],
            "date": date_of(field(body, "DATE")),
            "split": a["LEWISSPLIT"].lower() if modapte else "other",
            "lewissplit": a.get("LEWISSPLIT"),
            "topics": re.findall(r"<D>(.*?)</D>", field(body, "TOPICS")),
            "text": (title + "\n\n" + text).strip(),
        }


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    split = "all"
    for a in sys.argv[1:]:
        if a.startswith("--split="):
            split = a.split("=", 1)[1]
    if "--split" in sys.argv:
        split = sys.argv[sys.argv.index("--split") + 1]
        args = [a for a in args if a != split]
    if len(args) != 2:
        sys.exit(__doc__)
    n = 0
    with open(args[1], "w", encoding="utf-8") as out:
        for path in sorted(glob.glob(os.path.join(args[0], "reut2-*.sgm"))):
            for doc in convert(path):
                if split != "all" and doc["split"] != split:
                    continue
                out.write(json.dumps(doc, ensure_ascii=False) + "\n")
                n += 1
    print("%d documents -> %s" % (n, args[1]), file=sys.stderr)


if __name__ == "__main__":
    main()
