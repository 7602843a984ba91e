#!/usr/bin/env python3
"""eval_quotes.py — score the `quotes` plugin on PolNeAR (and LitBank).

Runs `assay run quotes` over ../shared/corpora/polnear/data/<split>/text and
scores quotes.csv against the brat attributions with the Gender Gap
Tracker's protocol:

* a gold attribution matches the not-yet-matched prediction with the largest
  |gold ∩ predicted| / |gold| (characters, gold = its Content fragments,
  predicted = start..end), if that ratio is at least the threshold (0.3 and
  0.8); each prediction matches at most once; golds are taken in text order;
* precision = matched / predictions, recall = matched / golds;
* the speaker is right when the predicted speaker span overlaps the gold
  Source span; speaker accuracy = right / matched golds that have a Source.

Views: direct (gold: every Content fragment, trimmed, starts with " or “ and
ends with " or ” -- or '' as the New York Times writes double quotes, unless
--strict-marks; predictions of type direct or floating), quoted (gold
direct + mixed = some quote mark; predictions direct, floating, mixed), all
(every gold attribution with a Content; every prediction). One annotation
file per article: the lexicographically first annotator id.

LitBank quotations: the texts are pre-tokenised, one sentence per line;
gold spans come from the token offsets (end token inclusive). The text is
detokenised first (marks glued to their words, sentence lines joined by a
space), because the quotation scanner reads a mark's direction from its
neighbours; gold offsets are mapped through the same change. LitBank
annotates each part of an interrupted quotation separately, so each segment
of a direct/floating prediction is matched as a prediction of its own.
LitBank speakers are entity ids ("Mrs_Bennet-7") without mention spans,
so a speaker is counted right when a word of the id's name (3+ letters, not a title) occurs in the predicted speaker name or mention.

Standard library only. Usage:
  bench/eval_quotes.py [--assay PATH] [--split dev|train|dev,train]
                       [--no-litbank] [--errors N] [--json FILE]
"""
import argparse
import csv
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CORPORA = os.path.join(REPO, "..", "shared", "corpora")
THRESHOLDS = (0.3, 0.8)
# Quotation marks for the gold types. The README's suggested rule knows
# " “ ” only; the New York Times sets its double quotes as two apostrophes
# (''…''), which are quotation marks too, so by default they count as well
# (--strict-marks: the README's rule exactly).
OPEN = ('"', "\u201c", "''")
CLOSE = ('"', "\u201d", "''")
QMARKS = ('"', "\u201c", "\u201d", "''")

csv.field_size_limit(1 << 30)


# ---------------------------------------------------------------- gold ----

def parse_ann(path):
    """brat standoff: T spans (continuation lines appended) and E relations."""
    spans, rels, last = {}, [], None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for line in lines:
        m = re.match(r"^([TE#ARN])(\d+)\t", line)
        if not m:
            if last is not None:
                spans[last]["text"] += "\n" + line
            continue
        fields = line.split("\t")
        if m.group(1) == "T":
            label, rng = fields[1].split(" ", 1)
            frags = [tuple(map(int, p.split())) for p in rng.split(";")]
            spans[fields[0]] = {"label": label, "frags": frags,
                                "text": fields[2] if len(fields) > 2 else ""}
            last = fields[0]
        else:
            last = None
            if m.group(1) == "E":
                rels.append(dict(x.split(":", 1) for x in fields[1].split()))
    return spans, rels


def gold_type(text, frags, strict=False):
    parts = [text[a:b].strip() for a, b in frags]
    opens, closes, marks = OPEN, CLOSE, QMARKS
    if strict:
        opens, closes, marks = OPEN[:2], CLOSE[:2], QMARKS[:3]
    if parts and all(p.startswith(opens) and p.endswith(closes) and
                     len(p) > 1 for p in parts):
        return "direct"
    if any(m in p for p in parts for m in marks):
        return "mixed"
    return "indirect"


def load_gold(split_dir, strict=False):
    gold = {}
    anns = sorted(glob.glob(os.path.join(split_dir, "attributions", "*.ann")))
    first = {}
    for path in anns:
        art = re.sub(r"_[0-9a-f]{4}\.ann$", "", os.path.basename(path))
        first.setdefault(art, path)
    for art, path in sorted(first.items()):
        with open(os.path.join(split_dir, "text", art + ".txt"),
                  encoding="utf-8") as f:
            text = f.read()
        spans, rels = parse_ann(path)
        items = []
        for r in rels:
            content = r.get("Content")
            if not content or content not in spans:
                continue
            frags = spans[content]["frags"]
            src = r.get("Source")
            items.append({
                "frags": frags,
                "type": gold_type(text, frags, strict),
                "source": spans[src]["frags"] if src in spans else None,
                "start": min(a for a, _ in frags),
            })
        items.sort(key=lambda g: g["start"])
        gold[art + ".txt"] = {"text": text, "items": items}
    return gold


# --------------------------------------------------------- predictions ----

def find_assay(arg):
    cands = [arg] if arg else []
    cands += [os.path.join(REPO, "build", "assay"), shutil.which("assay")]
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    sys.exit("eval_quotes: no assay binary (build it, or pass --assay)")


def run_assay(assay, inputs, jobs):
    out = tempfile.mkdtemp(prefix="eval_quotes_")
    cmd = [assay, "run", "quotes", *inputs, "-o", out, "-j", str(jobs)]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if r.returncode not in (0, 1):
        sys.exit("eval_quotes: %s failed (%d):\n%s" %
                 (" ".join(cmd), r.returncode, r.stderr))
    preds = defaultdict(list)
    with open(os.path.join(out, "quotes.csv"), encoding="utf-8",
              newline="") as f:
        for row in csv.DictReader(f):
            def num(k):
                return int(row[k]) if row[k] != "" else None
            preds[os.path.basename(row["doc_id"])].append({
                "type": row["type"], "start": int(row["start"]),
                "end": int(row["end"]), "spk": (num("speaker_start"),
                                                num("speaker_end")),
                "speaker": row["speaker"], "name": row["speaker_name"],
                "rule": row["rule"], "conf": float(row["confidence"] or 0),
                "segments": [tuple(map(int, x.split("-")))
                             for x in row["segments"].split(";") if x]})
    shutil.rmtree(out)
    return preds


# ------------------------------------------------------------- scoring ----

def overlap(frags, s, e):
    return sum(max(0, min(b, e) - max(a, s)) for a, b in frags)


def match(golds, preds, thr):
    """GGT matching: returns [(gold, pred or None)] and the used set."""
    used, pairs = set(), []
    for g in golds:
        glen = sum(b - a for a, b in g["frags"]) or 1
        best, bi = 0.0, None
        for i, p in enumerate(preds):
            if i in used:
                continue
            r = overlap(g["frags"], p["start"], p["end"]) / glen
            if r > best:
                best, bi = r, i
        if bi is not None and best >= thr:
            used.add(bi)
            pairs.append((g, preds[bi]))
        else:
            pairs.append((g, None))
    return pairs, used


VIEWS = {
    "direct": ({"direct"}, {"direct", "floating"}),
    "quoted": ({"direct", "mixed"}, {"direct", "floating", "mixed"}),
    "all": ({"direct", "mixed", "indirect"}, None),
}


def speaker_ok(g, p):
    s, e = p["spk"]
    if g["source"] is None or s is None:
        return False
    return overlap(g["source"], s, e) > 0


def prf(tp, npred, ngold):
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return 100 * p, 100 * r, 100 * f


def classify_fn(g, allpreds):
    best = max((overlap(g["frags"], p["start"], p["end"]) for p in allpreds),
               default=0)
    glen = sum(b - a for a, b in g["frags"]) or 1
    if best == 0:
        return "missed: nothing predicted there"
    hit = max(allpreds, key=lambda p: overlap(g["frags"], p["start"],
                                              p["end"]))
    return "missed: predicted as %s (overlap %.1f)" % (hit["type"],
                                                       best / glen)


def classify_fp(p, golds_all):
    hits = [g for g in golds_all if overlap(g["frags"], p["start"],
                                            p["end"]) > 0]
    if not hits:
        return "spurious %s (%s): no gold attribution there" % (p["type"],
                                                               p["rule"])
    return "spurious %s (%s): gold is %s" % (p["type"], p["rule"],
                                           hits[0]["type"])


def score_polnear(gold, preds, nerr):
    res, errors = {}, {}
    for view, (gtypes, ptypes) in VIEWS.items():
        for thr in THRESHOLDS:
            tp = ng = npred = spk_ok = spk_n = 0
            errs = Counter()
            for doc, gd in gold.items():
                golds = [g for g in gd["items"] if g["type"] in gtypes]
                allp = preds.get(doc, [])
                ps = [p for p in allp if ptypes is None or p["type"] in ptypes]
                pairs, used = match(golds, ps, thr)
                ng += len(golds)
                npred += len(ps)
                for g, p in pairs:
                    if p is None:
                        errs[classify_fn(g, allp)] += 1
                        continue
                    tp += 1
                    if g["source"] is not None:
                        spk_n += 1
                        if speaker_ok(g, p):
                            spk_ok += 1
                        else:
                            errs["speaker wrong: %s" % (
                                "none predicted" if p["spk"][0] is None
                                else "rule " + p["rule"])] += 1
                for i, p in enumerate(ps):
                    if i not in used:
                        errs[classify_fp(p, gd["items"])] += 1
            P, R, F = prf(tp, npred, ng)
            res["%s@%.1f" % (view, thr)] = {
                "precision": P, "recall": R, "f1": F, "gold": ng,
                "predicted": npred, "matched": tp,
                "speaker_accuracy": 100 * spk_ok / spk_n if spk_n else 0.0}
            errors["%s@%.1f" % (view, thr)] = errs.most_common(nerr)
    return res, errors


# ------------------------------------------------------------- LitBank ----

NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "\u201d", "\u2019",
                   "'s", "n't", "'ll", "'re", "'ve", "'d", "'m", "\u2019s",
                   "n\u2019t", "\u2019ll", "\u2019re", "\u2019ve", "\u2019d",
                   "\u2019m", "..."}
NO_SPACE_AFTER = {"(", "[", "\u201c", "\u2018"}


def detokenize(text):
    """Undo LitBank's PTB-style spacing so that quotation marks touch their
    words again (the quotation scanner reads marks by what flanks them).
    Sentence lines are joined with a space. Returns the new text and, for
    every character of the old text, its offset in the new one (plus one
    entry for the end)."""
    out, omap, pos = [], [], 0
    prev, dq_open, glue_next = None, False, True
    for line in text.split("\n"):
        toks = line.split(" ") if line else []
        for i, t in enumerate(toks):
            glue = glue_next or t in NO_SPACE_BEFORE
            glue_next = t in NO_SPACE_AFTER
            if t == '"':  # straight marks alternate: open, close
                glue = glue_next_q = False
                if dq_open:
                    glue = True
                else:
                    glue_next_q = True
                glue = glue or prev is None
                glue_next = glue_next_q
                dq_open = not dq_open
            if not glue:
                out.append(" ")
                pos += 1
            omap.extend(range(pos, pos + len(t)))
            out.append(t)
            pos += len(t)
            prev = t
            if i + 1 < len(toks):
                omap.append(pos)  # the separator space
        omap.append(pos)  # the newline
    omap = omap[:len(text)]
    omap.append(pos)
    return "".join(out), omap


def load_litbank(tsv_dir, work):
    gold = {}
    for txt in sorted(glob.glob(os.path.join(tsv_dir, "*_brat.txt"))):
        base = os.path.basename(txt)
        with open(txt, encoding="utf-8") as f:
            text = f.read()
        offs, pos = [], 0
        for line in text.split("\n"):
            row, p = [], pos
            for tokn in line.split(" "):
                row.append((p, p + len(tokn)))
                p += len(tokn) + 1
            offs.append(row)
            pos += len(line) + 1
        new, omap = detokenize(text)
        items, speakers = {}, {}
        ann = txt[:-4] + ".ann"
        with open(ann, encoding="utf-8") as f:
            for line in f:
                fl = line.rstrip("\n").split("\t")
                if fl[0] == "QUOTE":
                    s0, t0, s1, t1 = map(int, fl[2:6])
                    a, b = offs[s0][t0][0], offs[s1][t1][1]
                    items[fl[1]] = {"frags": [(omap[a], omap[b - 1] + 1)]}
                elif fl[0] == "ATTRIB":
                    speakers[fl[1]] = fl[2]
        golds = []
        for qid, g in items.items():
            g["speaker_id"] = speakers.get(qid, "")
            g["start"] = g["frags"][0][0]
            golds.append(g)
        golds.sort(key=lambda g: g["start"])
        with open(os.path.join(work, base), "w", encoding="utf-8") as f:
            f.write(new)
        gold[base] = golds
    return gold


TITLES = {"mr", "mrs", "miss", "ms", "dr", "sir", "lady", "lord", "the",
          "captain", "colonel", "aunt", "uncle", "madame", "monsieur"}


def litbank_speaker_ok(g, p):
    words = {w.lower() for w in re.split(r"[_\-]", g["speaker_id"])
             if len(w) >= 3 and not w.isdigit() and w.lower() not in TITLES}
    said = set(re.findall(r"[a-z]+", (p["name"] + " " +
                                      p["speaker"]).lower()))
    return bool(words & said)


def score_litbank(assay, tsv_dir, jobs):
    work = tempfile.mkdtemp(prefix="eval_litbank_")
    try:
        gold = load_litbank(tsv_dir, work)
        preds = run_assay(assay, [work], jobs)
    finally:
        shutil.rmtree(work)
    res = {}
    for thr in THRESHOLDS:
        tp = ng = npred = ok = 0
        for doc, golds in gold.items():
            # LitBank annotates each part of an interrupted quotation as a
            # quotation of its own: score our parts (segments) likewise.
            ps = [dict(p, start=a, end=b) for p in preds.get(doc, [])
                  if p["type"] in ("direct", "floating")
                  for a, b in (p["segments"] or [(p["start"], p["end"])])]
            pairs, _ = match(golds, ps, thr)
            ng += len(golds)
            npred += len(ps)
            for g, p in pairs:
                if p is not None:
                    tp += 1
                    ok += litbank_speaker_ok(g, p)
        P, R, F = prf(tp, npred, ng)
        res["litbank@%.1f" % thr] = {"precision": P, "recall": R, "f1": F,
                                     "gold": ng, "predicted": npred,
                                     "matched": tp,
                                     "speaker_accuracy":
                                         100 * ok / tp if tp else 0.0}
    return res


# ---------------------------------------------------------------- main ----

def show(res):
    print("%-14s %7s %7s %7s %8s %6s %6s %6s" % (
        "view", "P", "R", "F1", "speaker", "gold", "pred", "match"))
    for k, v in res.items():
        print("%-14s %7.1f %7.1f %7.1f %8.1f %6d %6d %6d" % (
            k, v["precision"], v["recall"], v["f1"], v["speaker_accuracy"],
            v["gold"], v["predicted"], v["matched"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assay")
    ap.add_argument("--corpora", default=CORPORA)
    ap.add_argument("--split", default="dev",
                    help="dev, train or dev,train (never test)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-litbank", action="store_true")
    ap.add_argument("--errors", type=int, default=0,
                    help="print the N most frequent error classes per view")
    ap.add_argument("--json", help="write all numbers to this file")
    ap.add_argument("--strict-marks", action="store_true",
                    help="gold direct/mixed from \" and curly double quotes "
                         "only (the README's rule), not ''...''")
    a = ap.parse_args()
    assay = find_assay(a.assay)
    out = {}
    for split in a.split.split(","):
        if split not in ("dev", "train"):
            sys.exit("eval_quotes: split must be dev or train")
        d = os.path.join(a.corpora, "polnear", "data", split)
        gold = load_gold(d, a.strict_marks)
        preds = run_assay(assay, [os.path.join(d, "text")], a.jobs)
        res, errors = score_polnear(gold, preds, a.errors)
        print("PolNeAR %s (%d articles)" % (split, len(gold)))
        show(res)
        if a.errors:
            for k, errs in errors.items():
                if k.endswith("0.3"):
                    print("\nerror classes, %s %s:" % (split, k))
                    for e, n in errs:
                        print("  %5d  %s" % (n, e))
        out[split] = res
    if not a.no_litbank:
        tsv = os.path.join(a.corpora, "litbank-quotations", "quotations",
                           "tsv")
        res = score_litbank(assay, tsv, a.jobs)
        print("\nLitBank quotations (100 texts)")
        show(res)
        out["litbank"] = res
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
