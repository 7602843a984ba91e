#!/usr/bin/env python3
"""test_report_browser.py — report.html in a real browser.

Runs `assay report news examples/corpus`, opens report.html in headless
Chromium driven by chromedriver through the W3C WebDriver HTTP API (urllib
only: no selenium, no npm) and checks:

* no console errors: Chrome's browser log (goog:loggingPrefs, read from
  chromedriver's log endpoint) must hold no SEVERE entry; and a collector
  installed after load (window.onerror + console.error) must stay empty
  while the test clicks and types;
* each chart has its data points: the SVG markers and bars counted in the
  page equal the numbers computed here from the CSVs;
* sorting (click a header) and filtering (type in the box) the quotations
  table, reading the visible rows back;
* the seed's three direct Xi Jinping quotations, its topics and its
  frequent terms are on the page;
* a screenshot (WebDriver screenshot endpoint, base64 PNG) is saved in the
  test's output directory; with ../shared present, a report of the PolNeAR
  dev articles is rendered and photographed as well.

Skipped (exit 77) when chromium or chromedriver is not installed.
"""
import base64
import csv
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SRC = os.environ.get("ASSAY_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("ASSAY_BIN") or os.path.join(SRC, "build", "assay")
SHARED = os.environ.get("ASSAY_SHARED_DIR") or os.path.join(SRC, "..", "shared")
CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"

FAILS = []


def check(ok, what):
    print(("ok - " if ok else "FAIL - ") + what, file=sys.stdout if ok else sys.stderr)
    if not ok:
        FAILS.append(what)


def out_dir():
    base = os.environ.get("ASSAY_BINARY_DIR")
    if base:
        d = os.path.join(base, "test-output", "report_browser")
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        return d
    return tempfile.mkdtemp(prefix="assay-report-browser-")


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ---- WebDriver over HTTP --------------------------------------------------

class Driver:
    def __init__(self, logdir):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self.log = open(os.path.join(logdir, "chromedriver.log"), "w")
        self.proc = subprocess.Popen([DRIVER, "--port=%d" % self.port],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        self.base = "http://127.0.0.1:%d" % self.port
        self.profile = tempfile.mkdtemp(prefix="assay-chromium-profile-")
        self.sid = None
        for _ in range(100):
            try:
                if self.call("GET", "/status").get("ready"):
                    break
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("chromedriver did not start")

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.loads(r.read() or b"{}").get("value")
        except urllib.error.HTTPError as e:
            raise RuntimeError("%s %s: %s" % (method, path, e.read()[:400]))

    def start(self):
        args = ["--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--no-first-run",
                "--disable-component-update", "--disable-sync", "--disable-quic",
                "--user-data-dir=" + self.profile, "--window-size=1280,1000"]
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
            "goog:loggingPrefs": {"browser": "ALL"}}}}
        self.sid = self.call("POST", "/session", caps)["sessionId"]

    def s(self, method, path, body=None):
        return self.call(method, "/session/%s%s" % (self.sid, path), body)

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css):
        v = self.s("POST", "/element", {"using": "css selector", "value": css})
        return list(v.values())[0]

    def browser_log(self):
        for path in ("/se/log", "/log"):
            try:
                return self.s("POST", path, {"type": "browser"})
            except RuntimeError:
                continue
        return None

    def screenshot(self, path, height=None):
        self.js("window.scrollTo(0, 0); if (document.activeElement) document.activeElement.blur();")
        h = height or self.js("return document.documentElement.scrollHeight")
        self.s("POST", "/window/rect", {"width": 1280, "height": min(int(h) + 40, 7000)})
        png = base64.b64decode(self.s("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)
        return len(png)

    def close(self):
        try:
            if self.sid:
                self.s("DELETE", "")
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.log.close()
            shutil.rmtree(self.profile, ignore_errors=True)


COLLECT = """
window.__errors = [];
window.addEventListener('error', function(e){ window.__errors.push(String(e.message)); });
var ce = console.error;
console.error = function(){ window.__errors.push(Array.prototype.join.call(arguments, ' '));
                            return ce.apply(console, arguments); };
return true;
"""

VISIBLE = """
var t = document.getElementById(arguments[0]), c = arguments[1];
return Array.prototype.filter.call(t.tBodies[0].rows, function(r){ return !r.hidden; })
  .map(function(r){ return c < 0 ? r.textContent : r.cells[c].textContent; });
"""

CHARTS = """
return Array.prototype.map.call(document.querySelectorAll('figure svg'), function(s){
  return {label: s.getAttribute('aria-label'), declared: +s.getAttribute('data-points'),
          pts: s.querySelectorAll('circle.pt').length, bars: s.querySelectorAll('rect.bar').length,
          legend: s.querySelectorAll('g.legend').length,
          axes: s.querySelectorAll('line').length, texts: s.querySelectorAll('text').length};
});
"""


def run_report(corpus, dest):
    r = subprocess.run([BIN, "report", "news", corpus, "-o", dest, "-q", "-j", "2"],
                       capture_output=True, text=True)
    check(r.returncode in (0, 1), "assay report news %s (exit %d) %s" %
          (os.path.basename(corpus), r.returncode, r.stderr.strip()[:300]))
    return os.path.join(dest, "report.html")


def axis(rep):
    """The news report's time axis (by=auto, docs/reports.md): the finest of
    day, ISO week, month, year with at most max(3, dated/4) periods and at
    most 60; every period from the first date to the last."""
    dates = sorted(r["date"] for r in read_csv(os.path.join(rep, "docinfo.csv")) if r["date"])
    a, b = (datetime.date.fromisoformat(x) for x in (dates[0], dates[-1]))
    cap = min(60, max(3, len(dates) // 4))
    days = [a + datetime.timedelta(n) for n in range((b - a).days + 1)]
    for by, key in (("day", lambda d: d), ("week", lambda d: d.isocalendar()[:2]),
                    ("month", lambda d: (d.year, d.month)), ("year", lambda d: d.year)):
        n = len({key(d) for d in days})
        if n <= cap or by == "year":
            return by, n


def check_charts(d, rep):
    charts = {c["label"]: c for c in d.js(CHARTS)}
    speakers = read_csv(os.path.join(rep, "speakers.csv"))
    per = read_csv(os.path.join(rep, "topics_by_period.csv"))
    periods = sorted({r["period"] for r in per})   # periods with documents
    topics = {r["topic"] for r in per}
    by, slots = axis(rep)
    want = {"Topics over time": ("pts", len(periods) * min(8, len(topics))),
            "Top speakers": ("bars", min(15, len(speakers))),
            "Quotations per " + by: ("bars", slots)}
    for label, (kind, n) in want.items():
        c = charts.get(label)
        check(c is not None, "chart '%s' is on the page" % label)
        if c:
            check(c[kind] == n and c["declared"] == n and n > 0,
                  "chart '%s' has %d data points (%s: %d)" % (label, n, kind, c[kind]))
            check(c["axes"] >= 2 and c["texts"] >= 3, "chart '%s' has axes and labels" % label)
    lines = charts.get("Topics over time")
    if lines:
        check(lines["legend"] == min(8, len(topics)), "topic chart has a legend entry per line")


def check_table(d, rep):
    quotes = read_csv(os.path.join(rep, "quotes.csv"))
    rows = d.js(VISIBLE, "quotes", -1)
    check(len(rows) == min(len(quotes), 2000), "quotations table shows %d rows" % len(rows))
    # sort by confidence (numeric): first click ascending, second descending
    conf = d.find("#quotes thead th:nth-child(6)")
    d.s("POST", "/element/%s/click" % conf, {})
    vals = [float(v or "-inf") for v in d.js(VISIBLE, "quotes", 5)]
    check(vals == sorted(vals), "clicking 'conf.' sorts ascending")
    d.s("POST", "/element/%s/click" % conf, {})
    vals = [float(v or "-inf") for v in d.js(VISIBLE, "quotes", 5)]
    check(vals == sorted(vals, reverse=True), "clicking again sorts descending")
    date = d.find("#quotes thead th:nth-child(1)")
    d.s("POST", "/element/%s/click" % date, {})
    dates = d.js(VISIBLE, "quotes", 0)
    check(dates == sorted(dates), "clicking 'date' sorts dates ascending")
    # filter
    box = d.find('input[data-filter-for="quotes"]')
    d.s("POST", "/element/%s/value" % box, {"text": "xi jinping"})
    vis = d.js(VISIBLE, "quotes", -1)
    want = [q for q in quotes if "xi jinping" in
            ((q["speaker_name"] or q["speaker"]) + " " + q["text"]).lower()]
    check(len(vis) == len(want) and len(vis) > 0 and all("xi jinping" in v.lower() for v in vis),
          "filter 'xi jinping' leaves %d rows (expected %d)" % (len(vis), len(want)))
    counter = d.js("return document.querySelector('[data-count-for=\"quotes\"]').textContent")
    check(counter == "%d of %d rows" % (len(want), len(rows)), "row counter reads '%s'" % counter)
    d.s("POST", "/element/%s/clear" % box, {})
    d.js("var i=document.querySelector('input[data-filter-for=\"quotes\"]');"
         "i.dispatchEvent(new Event('input'));")
    check(len(d.js(VISIBLE, "quotes", -1)) == len(rows), "clearing the filter shows every row")
    return quotes


def check_seed(d, quotes):
    text = d.js("return document.body.innerText").lower()
    xi = [q for q in quotes if q["type"] == "direct" and q["speaker_name"] == "Xi Jinping"]
    check(len(xi) == 3, "the seed has three direct Xi Jinping quotations in quotes.csv")
    for q in xi:
        check(q["text"].strip("“”\"").lower()[:60] in text,
              "page shows the quotation '%s…'" % q["text"][:40])
    for t in ("trade", "energy", "transport"):
        check(t in d.js(VISIBLE, "topics-total", 0), "topics table names '%s'" % t)
    terms = d.js(VISIBLE, "terms", 0)
    check(terms[:2] == ["kazakhstan", "china"], "frequent terms start with kazakhstan, china")


def no_errors(d, what):
    log = d.browser_log()
    if log is not None:
        severe = [e for e in log if e.get("level") == "SEVERE"]
        check(not severe, "%s: no SEVERE console entries %s" % (what, severe[:3]))
    errs = d.js("return window.__errors || []")
    check(errs == [], "%s: no errors collected while interacting %s" % (what, errs[:3]))


def main():
    if not (os.access(CHROMIUM, os.X_OK) and os.access(DRIVER, os.X_OK)):
        print("SKIPPED: %s or %s not installed (Debian: chromium chromium-driver)"
              % (CHROMIUM, DRIVER))
        return 77
    out = out_dir()
    print("# output in", out)
    html = run_report(os.path.join(SRC, "examples", "corpus"), os.path.join(out, "example"))
    if FAILS:
        return 1
    d = Driver(out)
    try:
        d.start()
        d.s("POST", "/url", {"url": "file://" + os.path.abspath(html)})
        check(d.js("return document.title") == "News report", "page loads with its title")
        d.js(COLLECT)
        check_charts(d, os.path.dirname(html))
        quotes = check_table(d, os.path.dirname(html))
        check_seed(d, quotes)
        no_errors(d, "example report")
        n = d.screenshot(os.path.join(out, "report-example.png"))
        check(n > 10000, "screenshot saved: %s (%d bytes)" % (os.path.join(out, "report-example.png"), n))
        pol = os.path.join(SHARED, "corpora", "polnear", "data", "dev", "text")
        if os.path.isdir(pol):
            html2 = run_report(pol, os.path.join(out, "polnear-dev"))
            d.s("POST", "/url", {"url": "file://" + os.path.abspath(html2)})
            d.js(COLLECT)
            check_charts(d, os.path.dirname(html2))
            no_errors(d, "PolNeAR dev report")
            png = os.path.join(out, "report-polnear.png")
            check(d.screenshot(png) > 10000, "screenshot saved: " + png)
        else:
            print("ok - SKIPPED PolNeAR dev report: %s absent" % pol)
    finally:
        d.close()
    print("%d failed" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
