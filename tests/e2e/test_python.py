#!/usr/bin/python3
"""test_python.py — the Python module (python/assay.py) over libassay.so:
files and iterable inputs, typed values, errors with file/line/doc id/hint,
a plugin from a string, exceptions in callbacks, early-closed generators,
-j 1 = -j 4, run manifests, progress, pandas' absence, and the example.

Run by ctest with Debian's /usr/bin/python3 (ASSAY_BINARY_DIR and
ASSAY_SOURCE_DIR set). Skipped (exit 77) in the ASan build: an
ASan-instrumented libassay.so cannot be loaded into an uninstrumented
python3.
"""
import csv
import os
import subprocess
import sys
import tempfile
import unittest

if os.environ.get("ASSAY_SANITIZE", "0").upper() in ("1", "ON", "TRUE"):
    print("SKIPPED: ASan build: libassay.so is instrumented and cannot be "
          "loaded into python3 (run the tests of a normal build)")
    sys.exit(77)

SRC = os.environ.get("ASSAY_SOURCE_DIR") or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BIN_DIR = os.environ.get("ASSAY_BINARY_DIR") or os.path.join(SRC, "build")
LIB = os.path.join(BIN_DIR, "libassay.so")
if not os.path.exists(LIB):
    print("SKIPPED: %s not found (build the project first)" % LIB)
    sys.exit(77)
os.environ["ASSAY_LIBRARY"] = LIB
sys.path.insert(0, os.path.join(SRC, "python"))
import assay  # noqa: E402

CORPUS = os.path.join(SRC, "examples", "corpus")
MENTIONS = os.path.join(SRC, "examples", "plugins", "mentions.lua")
ASSAY_BIN = os.environ.get("ASSAY_BIN") or os.path.join(BIN_DIR, "assay")

TYPES = """
return {
  name = "types", columns = { "id", "i", "f", "b", "n", "s", "date", "outlet" },
  document = function(doc, ctx, out)
    out:row{ id = doc.id, i = 42, f = 2.5, b = true, n = nil,
             s = 'caf\\u{e9}, "quoted"\\nline', date = doc.date,
             outlet = doc.meta.outlet }
  end,
}
"""


class Files(unittest.TestCase):
    def test_rows_equal_the_cli_golden(self):
        with assay.Engine() as e:
            e.load_plugin("wordfreq")
            e.set_option("stopwords", "english")
            e.set_option("top", 40)
            rows = list(e.rows([CORPUS]))
        with open(os.path.join(SRC, "tests", "e2e", "expected",
                               "wordfreq_corpus_top40.csv"),
                  newline="", encoding="utf-8") as f:
            golden = list(csv.DictReader(f))
        self.assertEqual(len(rows), 40)
        self.assertEqual([(r["word"], str(r["count"]), str(r["docs"]))
                          for r in rows],
                         [(g["word"], g["count"], g["docs"]) for g in golden])
        self.assertIsInstance(rows[0]["count"], int)
        self.assertEqual((rows[0].plugin, rows[0].output, rows[0].doc_id),
                         ("wordfreq", "wordfreq", None))

    def test_table_rows_through_a_callback(self):
        """ngram_rows and collocation_rows write their rows from C in blocks
        when they go to a file, one by one when they go to a callback: the
        two give the same rows (values compared as the CSV prints them)."""
        for plugin, opts in (("ngrams", {"n": "1..3"}),
                             ("collocations", {"min_count": 1})):
            with assay.Engine() as e:
                e.load_plugin(plugin)
                for k, v in opts.items():
                    e.set_option(k, v)
                got = [[str(v) for v in r.values()] for r in e.rows([CORPUS])]
            args = [ASSAY_BIN, "run", plugin, CORPUS, "-q"]
            for k, v in opts.items():
                args += ["-O", "%s=%s" % (k, v)]
            cli = subprocess.run(args, check=True, capture_output=True,
                                 text=True).stdout
            want = list(csv.reader(cli.splitlines()))[1:]
            self.assertGreater(len(want), 100, plugin)
            self.assertEqual(len(got), len(want), plugin)
            for g, w in zip(got, want):
                self.assertEqual(g[:-4] if plugin == "collocations" else g,
                                 w[:-4] if plugin == "collocations" else w)
                if plugin == "collocations":  # scores: the same doubles
                    self.assertEqual([float(x) for x in g[-4:]],
                                     [float(x) for x in w[-4:]])

    def test_run_with_callback_and_added_inputs(self):
        seen = []
        with assay.Engine() as e:
            e.load_plugin(MENTIONS)
            e.set_option("terms", "port,grain")
            e.add_input(CORPUS)
            stats = e.run(on_row=seen.append)
        self.assertEqual(stats["status"], 0)
        self.assertEqual(stats["documents_read"], 9)
        self.assertEqual(stats["rows_written"], len(seen))
        self.assertTrue(seen and all(r.doc_id == r["doc_id"] for r in seen))

    def test_output_dir_writes_csv(self):
        with tempfile.TemporaryDirectory() as d, assay.Engine() as e:
            e.load_plugin("wordfreq")
            e.set_option("top", 3)
            e.run([CORPUS], output_dir=d)
            with open(os.path.join(d, "wordfreq.csv"), encoding="utf-8") as f:
                self.assertEqual(f.readline(), "word,count,docs\n")
                self.assertEqual(len(f.readlines()), 3)

    def test_threads_give_identical_rows(self):
        def rows(threads):
            with assay.Engine(threads=threads) as e:
                e.load_plugin("wordfreq")
                e.load_plugin(MENTIONS)
                return [(r.output, dict(r)) for r in e.rows([CORPUS])]
        one = rows(1)
        self.assertGreater(len(one), 100)
        self.assertEqual(one, rows(4))


class Documents(unittest.TestCase):
    def test_typed_values_and_metadata(self):
        docs = [("a", "text one", {"date": "2024-07-02", "outlet": "wire"}),
                ("b", "text two"),
                ("c", "", None)]
        with assay.Engine() as e:
            e.load_plugin_string(TYPES, "types.lua")
            rows = list(e.rows(documents=iter(docs)))
        self.assertEqual([r["id"] for r in rows], ["a", "b", "c"])
        r = rows[0]
        self.assertEqual(r, {"id": "a", "i": 42, "f": 2.5, "b": True,
                             "n": None, "s": 'café, "quoted"\nline',
                             "date": "2024-07-02", "outlet": "wire"})
        for key, typ in (("i", int), ("f", float), ("b", bool), ("s", str)):
            self.assertIs(type(r[key]), typ, key)
        self.assertIsNone(rows[1]["date"])
        self.assertEqual(rows[1].doc_id, "b")

    def test_run_documents_from_a_generator(self):
        def gen():
            for i in range(200):
                yield ("doc%03d" % i, "grain port grain " * (i % 5 + 1),
                       {"date": "2024-01-%02d" % (i % 28 + 1)})
        with assay.Engine(threads=3) as e:
            e.load_plugin("wordfreq")
            got = []
            stats = e.run_documents(gen(), on_row=got.append)
        self.assertEqual(stats["documents_read"], 200)
        self.assertEqual({r["word"]: r["count"] for r in got},
                         {"grain": 2 * 600, "port": 600})

    def test_generator_closed_early_stops_the_run(self):
        with assay.Engine() as e:
            e.load_plugin_string(TYPES, "types.lua")
            docs = (("d%d" % i, "x") for i in range(100000))
            it = e.rows(documents=docs)
            self.assertEqual(next(it)["id"], "d0")
            it.close()
            # the engine is usable again afterwards
            self.assertEqual(len(list(e.rows(documents=[("z", "y")]))), 1)


class Errors(unittest.TestCase):
    def test_unknown_plugin(self):
        with assay.Engine() as e, self.assertRaises(assay.AssayError) as cm:
            e.load_plugin("no-such-plugin")
        self.assertEqual(cm.exception.code, -3)
        self.assertEqual(cm.exception.status, "input/output error")
        self.assertIn("no-such-plugin", cm.exception.message)
        self.assertTrue(cm.exception.hint)

    def test_syntax_error_names_file_and_line(self):
        with assay.Engine() as e, self.assertRaises(assay.AssayError) as cm:
            e.load_plugin_string("return {\n name = 'x',\n columns = {'a'\n",
                                 "broken.lua")
        ex = cm.exception
        self.assertEqual(ex.code, -5)
        self.assertIn("broken.lua", str(ex))
        self.assertIsNotNone(ex.line)

    def test_option_of_the_wrong_type(self):
        with assay.Engine() as e:
            e.load_plugin("wordfreq")
            with self.assertRaises(assay.AssayError) as cm:
                e.set_option("top", "many")
            self.assertEqual(cm.exception.code, -2)
            self.assertIn("integer", cm.exception.message)
            e.set_option("lower", False)  # bools are converted
            info = e.plugins[0]
            self.assertEqual(info["options"]["lower"], ("boolean", "false"))
            self.assertEqual(info["outputs"],
                             {"wordfreq": ["word", "count", "docs"]})

    def test_plugin_error_skips_the_document_with_its_id(self):
        src = """return { name = "fails", columns = { "id" },
          document = function(doc, ctx, out)
            if doc.id == "bad" then error("cannot handle this one") end
            out:row{ id = doc.id }
          end }"""
        messages = []
        with assay.Engine() as e:
            e.set_message_callback(messages.append)
            e.load_plugin_string(src, "fails.lua")
            rows = []
            stats = e.run_documents([("ok", "a"), ("bad", "b")],
                                    on_row=rows.append)
        self.assertEqual(stats["status"], 1)
        self.assertEqual(stats["documents_skipped"], 1)
        self.assertEqual([r["id"] for r in rows], ["ok"])
        self.assertTrue(any("fails.lua:3" in m and "bad" in m
                            for m in messages), messages)

    def test_failure_in_finish_raises_with_location(self):
        src = """return { name = "late", columns = { "x" },
          document = function(doc, ctx, out) end,
          finish = function(ctx, out)
            error("finish went wrong")
          end }"""
        with assay.Engine() as e:
            e.load_plugin_string(src, "late.lua")
            with self.assertRaises(assay.AssayError) as cm:
                e.run_documents([("a", "text")])
        self.assertEqual(cm.exception.code, -5)
        self.assertIn("finish went wrong", str(cm.exception))
        self.assertEqual(cm.exception.line, 4)

    def test_missing_input(self):
        with assay.Engine() as e:
            e.load_plugin("wordfreq")
            e.add_input("/nonexistent/corpus")
            with self.assertRaises(assay.AssayError) as cm:
                e.run()
        self.assertEqual(cm.exception.code, -3)
        self.assertEqual(cm.exception.file, "/nonexistent/corpus")

    def test_callback_exception_is_reraised(self):
        def boom(row):
            raise KeyError("from the callback")
        with assay.Engine() as e:
            e.load_plugin("wordfreq")
            with self.assertRaises(KeyError):
                e.run([CORPUS], on_row=boom)
            with self.assertRaises(KeyError):
                e.run_documents([("a", "x y")] * 50, on_row=boom)
            # the engine still works after a failed run
            self.assertEqual(e.run([CORPUS])["status"], 0)

    def test_iterable_exception_is_reraised(self):
        def docs():
            yield ("a", "x")
            raise RuntimeError("source broke")
        with assay.Engine() as e:
            e.load_plugin("wordfreq")
            with self.assertRaises(RuntimeError):
                e.run_documents(docs())
            with self.assertRaises(RuntimeError):
                list(e.rows(documents=docs()))
            self.assertEqual(e.run([CORPUS])["documents_read"], 9)


class Extras(unittest.TestCase):
    def test_manifest_rerun_of_a_string_plugin(self):
        with tempfile.TemporaryDirectory() as d:
            with assay.Engine() as e:
                e.load_plugin_string(TYPES, "types.lua")
                e.load_plugin("wordfreq")
                e.set_option("top", 7)
                e.add_input(CORPUS)
                e.set_manifest(os.path.join(d, "m.json"))
                e.run(output_dir=os.path.join(d, "one"))
            with assay.Engine() as e:
                e.load_manifest(os.path.join(d, "m.json"))
                self.assertEqual(e.plugins[1]["options"]["top"],
                                 ("integer", "7"))
                e.run(output_dir=os.path.join(d, "two"))
            for name in ("types.csv", "wordfreq.csv"):
                with open(os.path.join(d, "one", name), "rb") as a, \
                        open(os.path.join(d, "two", name), "rb") as b:
                    self.assertEqual(a.read(), b.read(), name)

    def test_progress_reports(self):
        seen = []
        with assay.Engine() as e:
            e.load_plugin("wordfreq")
            e.add_input(CORPUS)
            e.set_progress(seen.append, interval_ms=-1)  # every document
            e.run()
        self.assertEqual(seen[-1]["done"], 1)
        self.assertEqual(seen[-1]["documents_read"], 9)
        self.assertEqual(seen[-1]["input_bytes_done"],
                         seen[-1]["input_bytes_total"])
        self.assertGreater(seen[-1]["input_bytes_total"], 0)
        counts = [p["documents_read"] for p in seen]
        self.assertEqual(counts, sorted(counts))
        self.assertGreaterEqual(len(seen), 9)

    def test_dataframe(self):
        with assay.Engine() as e:
            e.load_plugin("wordfreq")
            e.set_option("top", 5)
            try:
                import pandas  # noqa: F401
            except ImportError:
                with self.assertRaises(ImportError) as cm:
                    e.to_dataframe([CORPUS])
                self.assertIn("pandas", str(cm.exception))
                self.assertIn("rows()", str(cm.exception))
                return
            frame = e.to_dataframe([CORPUS])
            self.assertEqual(list(frame.columns), ["word", "count", "docs"])
            self.assertEqual(len(frame), 5)

    def test_example_runs(self):
        out = subprocess.run(
            [sys.executable, os.path.join(SRC, "examples", "python",
                                          "wordfreq_example.py")],
            capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("kazakhstan", out.stdout)
        self.assertIn("2024-05  2 documents", out.stdout)

    def test_report(self):
        with tempfile.TemporaryDirectory() as tmp, assay.Engine(threads=2) as e:
            e.set_message_callback(None)
            result = e.run_report("news", [CORPUS], tmp,
                                  None)
            self.assertEqual(result["status"], 0)
            for name in ("report.html", "manifest.json", "quotes.csv",
                         "topics.csv", "wordfreq.csv"):
                self.assertTrue(os.path.exists(os.path.join(tmp, name)), name)
            with open(os.path.join(tmp, "quotes.csv"), encoding="utf-8") as f:
                self.assertIn("Xi Jinping", f.read())
        with tempfile.TemporaryDirectory() as tmp, assay.Engine() as e:
            with self.assertRaises(assay.AssayError) as cm:
                e.run_report("no-such-report", [CORPUS], tmp)
            self.assertIn("no-such-report", str(cm.exception))
        with tempfile.TemporaryDirectory() as tmp, assay.Engine() as e:
            with self.assertRaises(assay.AssayError):
                e.run_report("news", [CORPUS], tmp, {"no_such_option": 1})

    def test_library_and_version(self):
        self.assertEqual(os.path.realpath(assay.library_path()),
                         os.path.realpath(LIB))
        self.assertRegex(assay.version(), r"^\d+\.\d+\.\d+$")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    sys.exit(0 if result.wasSuccessful() else 1)
