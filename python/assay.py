"""assay — run assay plugins from Python, over files or in-memory documents.

A thin layer over libassay (the C library, core/include/assay.h) using only
the standard library (ctypes). Rows come back as dicts with typed values
(int, float, bool, None, str); ``to_dataframe()`` builds a pandas DataFrame
when pandas is installed.

    import assay
    with assay.Engine(threads=4) as e:
        e.load_plugin("wordfreq")
        e.set_option("top", 10)
        for row in e.rows(["examples/corpus"]):
            print(row["word"], row["count"])

The library is found through $ASSAY_LIBRARY (a path to libassay.so), then
beside this module in ../build/, then by ctypes.util.find_library("assay").
See docs/embedding.md.
"""

import ctypes
import ctypes.util
import datetime
import os
import queue
import threading

__all__ = ["Engine", "AssayError", "Row", "library_path", "version"]

# ---------------------------------------------------------------------------
# C declarations (mirror core/include/assay.h)
# ---------------------------------------------------------------------------

NIL, INTEGER, NUMBER, BOOLEAN, STRING = range(5)
MANIFEST_FORCE = 1


class _Value(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("i", ctypes.c_int64),
                ("d", ctypes.c_double), ("s", ctypes.c_void_p),
                ("len", ctypes.c_size_t)]


class _Row(ctypes.Structure):
    _fields_ = [("plugin", ctypes.c_char_p), ("output", ctypes.c_char_p),
                ("doc_id", ctypes.c_char_p), ("ncolumns", ctypes.c_int),
                ("columns", ctypes.POINTER(ctypes.c_char_p)),
                ("values", ctypes.POINTER(_Value))]


class _ErrorInfo(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("message", ctypes.c_char_p),
                ("file", ctypes.c_char_p), ("line", ctypes.c_longlong),
                ("byte", ctypes.c_longlong), ("doc_id", ctypes.c_char_p),
                ("hint", ctypes.c_char_p)]


class _Stats(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint64) for n in (
        "documents_read", "documents_analysed", "documents_skipped",
        "bytes_read", "rows_written", "warnings")]


class _PluginInfo(ctypes.Structure):
    _CPP = ctypes.POINTER(ctypes.c_char_p)
    _fields_ = [("name", ctypes.c_char_p), ("version", ctypes.c_char_p),
                ("summary", ctypes.c_char_p), ("path", ctypes.c_char_p),
                ("n_outputs", ctypes.c_int), ("output_names", _CPP),
                ("output_ncolumns", ctypes.POINTER(ctypes.c_int)),
                ("output_columns", ctypes.POINTER(_CPP)),
                ("n_options", ctypes.c_int), ("option_names", _CPP),
                ("option_types", _CPP), ("option_values", _CPP)]


class _Progress(ctypes.Structure):
    _fields_ = [("documents_read", ctypes.c_uint64),
                ("documents_skipped", ctypes.c_uint64),
                ("bytes_read", ctypes.c_uint64),
                ("input_bytes_done", ctypes.c_int64),
                ("input_bytes_total", ctypes.c_int64),
                ("elapsed", ctypes.c_double), ("done", ctypes.c_int)]


_ROW_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(_Row))
_MSG_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p)
_PROGRESS_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p,
                                ctypes.POINTER(_Progress))

_E, _S, _I, _P = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER
_PROTOTYPES = {
    # name: (restype, argtypes)
    "assay_version": (_S, []),
    "assay_strerror": (_S, [_I]),
    "assay_engine_new": (_I, [_P(_E)]),
    "assay_engine_free": (None, [_E]),
    "assay_last_error": (_P(_ErrorInfo), [_E]),
    "assay_engine_set": (_I, [_E, _S, _S]),
    "assay_engine_load_plugin": (_I, [_E, _S, _P(_I)]),
    "assay_engine_load_plugin_string": (_I, [_E, _S, _S, _P(_I)]),
    "assay_engine_set_option": (_I, [_E, _S, _S]),
    "assay_engine_plugin_count": (_I, [_E]),
    "assay_engine_plugin_info": (_P(_PluginInfo), [_E, _I]),
    "assay_engine_add_input": (_I, [_E, _S]),
    "assay_engine_set_row_callback": (_I, [_E, _ROW_FN, ctypes.c_void_p]),
    "assay_engine_set_output_dir": (_I, [_E, _S]),
    "assay_engine_set_errors_file": (_I, [_E, _S]),
    "assay_engine_set_message_callback": (None, [_E, _MSG_FN,
                                                 ctypes.c_void_p]),
    "assay_engine_run": (_I, [_E]),
    "assay_engine_begin": (_I, [_E]),
    "assay_engine_add_document": (_I, [_E, _S, ctypes.c_void_p,
                                       ctypes.c_size_t, _P(_S), _P(_S),
                                       ctypes.c_size_t]),
    "assay_engine_feed_input": (_I, [_E, _S]),
    "assay_engine_end": (_I, [_E]),
    "assay_engine_stats": (None, [_E, _P(_Stats)]),
    "assay_engine_set_progress_callback": (_I, [_E, _PROGRESS_FN,
                                                ctypes.c_void_p, _I]),
    "assay_engine_set_manifest": (_I, [_E, _S]),
    "assay_engine_write_manifest": (_I, [_E, _S]),
    "assay_engine_load_manifest": (_I, [_E, _S, _I]),
    "assay_report_run": (_I, [_E, _S, _P(_S), _S]),
}

# ---------------------------------------------------------------------------
# Finding and loading libassay
# ---------------------------------------------------------------------------


_HERE = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    env = os.environ.get("ASSAY_LIBRARY")
    if env:
        yield env
    yield os.path.join(_HERE, "..", "build", "libassay.so")
    found = ctypes.util.find_library("assay")
    if found:
        yield found


_lib = None
_lib_path = None


def _load():
    """Load libassay once; raise OSError naming every place tried."""
    global _lib, _lib_path
    if _lib is not None:
        return _lib
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path + " (missing)")
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError as ex:
            tried.append("%s (%s)" % (path, ex))
            continue
        for name, (restype, argtypes) in _PROTOTYPES.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
        _lib, _lib_path = lib, path
        return lib
    raise OSError("libassay not found; tried: " + "; ".join(tried or ["-"]) +
                  ". Set ASSAY_LIBRARY to the path of libassay.so "
                  "(e.g. build/libassay.so after cmake --build build).")


def library_path():
    """The path libassay was loaded from."""
    _load()
    return _lib_path


def version():
    """The version of the loaded libassay, e.g. "0.1.0"."""
    return _load().assay_version().decode()


# ---------------------------------------------------------------------------
# Errors and rows
# ---------------------------------------------------------------------------


class AssayError(Exception):
    """A libassay call failed. Attributes: code (negative assay_status),
    status (its name), message, file, line, byte, doc_id, hint (None when
    unknown)."""

    def __init__(self, code, message, file=None, line=None, byte=None,
                 doc_id=None, hint=None):
        self.code, self.message, self.file = code, message, file
        self.line, self.byte, self.doc_id, self.hint = line, byte, doc_id, hint
        self.status = _load().assay_strerror(code).decode()
        super().__init__(self._text())

    def _text(self):
        where = ""
        if self.file and not self.message.startswith(self.file):
            where = self.file
            if self.line is not None:
                where += ":%d" % self.line
            elif self.byte is not None:
                where += ": byte %d" % self.byte
            where += ": "
        text = where + (self.message or self.status)
        if self.doc_id:
            text += " (document %s)" % self.doc_id
        if self.hint:
            text += "\n  hint: " + self.hint
        return text


def _dec(b):
    return b.decode("utf-8", "replace") if b is not None else None


def _error(engine_ptr, code):
    info = _load().assay_last_error(engine_ptr).contents
    return AssayError(code, _dec(info.message) or "",
                      _dec(info.file) or None,
                      info.line if info.line >= 0 else None,
                      info.byte if info.byte >= 0 else None,
                      _dec(info.doc_id) or None, _dec(info.hint) or None)


class Row(dict):
    """One output row: a dict of column -> value, plus the attributes
    ``plugin``, ``output`` and ``doc_id`` (None for rows from finish())."""

    __slots__ = ("plugin", "output", "doc_id")

    def __repr__(self):
        return "Row(%s/%s, %s)" % (self.plugin, self.output,
                                   dict.__repr__(self))


def _value(v):
    t = v.type
    if t == INTEGER:
        return v.i
    if t == NUMBER:
        return v.d
    if t == BOOLEAN:
        return bool(v.i)
    if t == STRING:
        return ctypes.string_at(v.s, v.len).decode("utf-8", "replace")
    return None


def _text_value(value):
    """Settings and options are passed to C as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


class _Stop(Exception):
    """Raised inside a row callback to end a run early (rows() closed)."""


# ---------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------


class Engine:
    """An assay engine: settings, plugins and inputs, run over files or an
    iterable of (id, text, meta) documents. Not thread-safe: use one
    engine from one thread at a time (rows() drives it from a helper
    thread of its own)."""

    def __init__(self, threads=1, **settings):
        lib = _load()
        self._lib = lib
        ptr = ctypes.c_void_p()
        rc = lib.assay_engine_new(ctypes.byref(ptr))
        if rc < 0:
            raise AssayError(rc, "cannot create an engine")
        self._e = ptr
        self._callbacks = []      # ctypes callbacks must outlive the runs
        self._columns = {}        # (plugin, output) -> column names
        self._row_fn = None       # the Python callable of the current run
        self._pending = None      # exception raised inside a callback
        self._msg = self._progress = None
        self.set("threads", threads)
        # Beside a source tree (python/ next to plugins/) the bundled
        # plugins are found there, as the CLI in the build tree finds them.
        tree = os.path.join(_HERE, "..", "plugins")
        if "plugin_path" not in settings and os.path.isdir(tree):
            self.set("plugin_path", os.path.normpath(tree))
        for key, value in settings.items():
            self.set(key, value)

    # -- lifecycle ---------------------------------------------------------

    def close(self):
        """Free the engine (also done by the garbage collector)."""
        if getattr(self, "_e", None):
            self._lib.assay_engine_free(self._e)
            self._e = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def _ptr(self):
        if not self._e:
            raise AssayError(-2, "the engine is closed")
        return self._e

    def _check(self, rc):
        if rc < 0:
            raise _error(self._e, rc)
        return rc

    # -- configuration -----------------------------------------------------

    def set(self, key, value):
        """Set an engine setting (assay_engine_set: threads, format, bom,
        safe_csv, text_field, id_field, date_field, encoding, invalid_utf8,
        max_doc_bytes, plugin_path, trust, mem_limit_mb, instr_limit,
        manifest_hash)."""
        self._check(self._lib.assay_engine_set(
            self._ptr(), key.encode(), _text_value(value).encode()))

    def load_plugin(self, name_or_path):
        """Load a bundled plugin by name or a plugin file; returns its
        index."""
        idx = ctypes.c_int(-1)
        self._check(self._lib.assay_engine_load_plugin(
            self._ptr(), os.fsencode(name_or_path), ctypes.byref(idx)))
        return idx.value

    def load_plugin_string(self, source, name="inline.lua"):
        """Load a plugin from Lua source text; `name` appears in errors."""
        idx = ctypes.c_int(-1)
        self._check(self._lib.assay_engine_load_plugin_string(
            self._ptr(), name.encode(), source.encode(), ctypes.byref(idx)))
        return idx.value

    def set_option(self, key, value):
        """Set a plugin option: "key" (every plugin declaring it) or
        "plugin.key". Booleans become true/false; values are checked
        against the option's declared type."""
        self._check(self._lib.assay_engine_set_option(
            self._ptr(), key.encode(), _text_value(value).encode()))

    def add_input(self, *paths):
        """Add inputs for run(): files, directories or "-"."""
        for path in paths:
            self._check(self._lib.assay_engine_add_input(
                self._ptr(), os.fsencode(path)))

    def set_errors_file(self, path):
        """Write skipped documents and warnings as CSV to path."""
        self._check(self._lib.assay_engine_set_errors_file(
            self._ptr(), os.fsencode(path)))

    def set_manifest(self, path):
        """Write a run manifest to path after each successful run (None:
        off)."""
        self._check(self._lib.assay_engine_set_manifest(
            self._ptr(), os.fsencode(path) if path else None))

    def write_manifest(self, path):
        """Write the manifest of the run as configured, without running."""
        self._check(self._lib.assay_engine_write_manifest(
            self._ptr(), os.fsencode(path)))

    def load_manifest(self, path, force=False):
        """Configure this fresh engine from a manifest (plugins, options,
        settings, inputs), checking every plugin's and input file's hash;
        force=True warns instead of failing on a changed plugin or input."""
        self._check(self._lib.assay_engine_load_manifest(
            self._ptr(), os.fsencode(path), MANIFEST_FORCE if force else 0))

    def set_message_callback(self, fn):
        """fn(line) receives warnings and skipped-document messages; None
        silences them (the default prints them to standard error)."""
        cb = _MSG_FN(lambda ud, line: self._guard(fn, _dec(line)))
        self._msg = cb if fn else None
        self._lib.assay_engine_set_message_callback(
            self._ptr(), cb if fn else _MSG_FN(), None)

    def set_progress(self, fn, interval_ms=0):
        """fn(dict) receives progress reports during runs (documents_read,
        documents_skipped, bytes_read, input_bytes_done, input_bytes_total,
        elapsed, done); None turns them off."""
        def report(ud, p):
            p = p.contents
            self._guard(fn, {n: getattr(p, n) for n, _ in p._fields_})
        cb = _PROGRESS_FN(report) if fn else _PROGRESS_FN()
        self._progress = cb if fn else None
        self._check(self._lib.assay_engine_set_progress_callback(
            self._ptr(), cb, None, int(interval_ms)))

    @property
    def plugins(self):
        """Loaded plugins: a list of dicts with name, version, summary,
        path, outputs ({name: [columns]}) and options ({name: (type,
        value)})."""
        out = []
        for i in range(self._lib.assay_engine_plugin_count(self._ptr())):
            p = self._lib.assay_engine_plugin_info(self._e, i).contents
            outputs = {}
            for o in range(p.n_outputs):
                cols = p.output_columns[o]
                outputs[_dec(p.output_names[o])] = [
                    _dec(cols[c]) for c in range(p.output_ncolumns[o])]
            options = {_dec(p.option_names[k]): (_dec(p.option_types[k]),
                                                 _dec(p.option_values[k]))
                       for k in range(p.n_options)}
            out.append({"name": _dec(p.name), "version": _dec(p.version),
                        "summary": _dec(p.summary), "path": _dec(p.path),
                        "outputs": outputs, "options": options})
        return out

    def stats(self):
        """Counts of the current or last run."""
        st = _Stats()
        self._lib.assay_engine_stats(self._ptr(), ctypes.byref(st))
        return {n: getattr(st, n) for n, _ in st._fields_}

    # -- callbacks ---------------------------------------------------------

    def _guard(self, fn, arg):
        """Call fn(arg); an exception is kept for re-raising after the run
        (it must not unwind through C). Returns 1 to stop the run."""
        if self._pending is not None:
            return 1
        try:
            fn(arg)
            return 0
        except BaseException as ex:  # noqa: B902 - re-raised after the run
            self._pending = ex
            return 1

    def _on_row(self, ud, rowp):
        r = rowp.contents
        key = (r.plugin, r.output)
        cols = self._columns.get(key)
        if cols is None:
            cols = [_dec(r.columns[i]) for i in range(r.ncolumns)]
            self._columns[key] = cols
        row = Row(zip(cols, (_value(r.values[i])
                             for i in range(r.ncolumns))))
        row.plugin, row.output = _dec(r.plugin), _dec(r.output)
        row.doc_id = _dec(r.doc_id)
        return self._guard(self._row_fn, row)

    def _route(self, on_row, output_dir):
        """Rows to the Python callable (or dropped), or files in
        output_dir."""
        e = self._ptr()
        if output_dir is not None:
            self._check(self._lib.assay_engine_set_output_dir(
                e, os.fsencode(output_dir)))
            return
        self._row_fn = on_row or (lambda row: None)
        cb = _ROW_FN(self._on_row)
        self._callbacks = [cb]
        self._check(self._lib.assay_engine_set_row_callback(e, cb, None))

    def _finish(self, rc):
        """Turn a run's result into stats, or raise: first an exception
        from a callback, else the engine's error."""
        pending, self._pending, self._row_fn = self._pending, None, None
        if pending is not None:
            raise pending
        self._check(rc)
        result = self.stats()
        result["status"] = rc
        return result

    # -- running -----------------------------------------------------------

    def run(self, inputs=None, *, on_row=None, output_dir=None):
        """Run the plugins over `inputs` (paths; default: those added with
        add_input) and return the run's counts as a dict ("status" is 0, or
        the number of skipped documents). Rows go to on_row(row) or to files
        in output_dir (CSV by default)."""
        self._route(on_row, output_dir)
        self._pending = None
        if inputs is None:
            return self._finish(self._lib.assay_engine_run(self._ptr()))
        if isinstance(inputs, (str, bytes, os.PathLike)):
            inputs = [inputs]
        self._check(self._lib.assay_engine_begin(self._ptr()))
        for path in inputs:
            if self._lib.assay_engine_feed_input(
                    self._e, os.fsencode(path)) < 0 or self._pending:
                break
        return self._finish(self._lib.assay_engine_end(self._e))

    def run_report(self, name, inputs, output_dir, options=None):
        """Run a report script ("news", "topics-timeline" or a path to a
        .lua script) over `inputs` (paths) as `assay report` does: its
        CSVs, manifest.json and report.html are written to output_dir.
        options maps the script's own option names (and "plugin.key"
        names) to values. The engine must have no plugin loaded yet.
        Returns the run's counts like run()."""
        if isinstance(inputs, (str, bytes, os.PathLike)):
            inputs = [inputs]
        self.add_input(*inputs)
        items = ["%s=%s" % (k, _text_value(v)) for k, v in (options or {}).items()]
        argv = (ctypes.c_char_p * (len(items) + 1))(
            *[i.encode() for i in items], None)
        self._pending = None
        rc = self._lib.assay_report_run(self._ptr(), name.encode(), argv,
                                        os.fsencode(output_dir))
        return self._finish(rc)

    def run_documents(self, documents, *, on_row=None, output_dir=None):
        """Stream documents from an iterable of (id, text) or (id, text,
        meta) tuples through the plugins; meta is a dict (a "date" key sets
        the document date). Returns the counts like run()."""
        self._route(on_row, output_dir)
        self._pending = None
        self._check(self._lib.assay_engine_begin(self._ptr()))
        try:
            for doc in documents:
                if self._add(doc) < 0 or self._pending:
                    break
        except BaseException:
            self._pending = None
            self._lib.assay_engine_end(self._e)  # close outputs, workers
            raise
        return self._finish(self._lib.assay_engine_end(self._e))

    def _add(self, doc):
        doc_id, text = doc[0], doc[1]
        meta = doc[2] if len(doc) > 2 and doc[2] else {}
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        items = [(k, v) for k, v in meta.items() if v is not None]
        keys = (ctypes.c_char_p * max(len(items), 1))(
            *[str(k).encode() for k, _ in items])
        vals = (ctypes.c_char_p * max(len(items), 1))(
            *[_text_value(v).encode() for _, v in items])
        return self._lib.assay_engine_add_document(
            self._e, str(doc_id).encode(), data, len(data), keys, vals,
            len(items))

    def rows(self, inputs=None, *, documents=None, output=None):
        """Yield rows (Row dicts) as the run produces them, over `inputs`
        (paths) or `documents` (an iterable as for run_documents()). With
        `output`, only that output's rows. Closing the generator early stops
        the run; no files are written."""
        q = queue.Queue(maxsize=256)
        stop = threading.Event()
        done = object()

        def deliver(row):
            if output is not None and row.output != output:
                return
            while not stop.is_set():
                try:
                    q.put(row, timeout=0.05)
                    return
                except queue.Full:
                    pass
            raise _Stop()

        def produce():
            result = (done, None)
            try:
                if documents is not None:
                    self.run_documents(documents, on_row=deliver)
                else:
                    self.run(inputs, on_row=deliver)
            except _Stop:
                pass
            except BaseException as ex:  # noqa: B902 - handed to the reader
                result = (done, ex)
            while not stop.is_set():
                try:
                    q.put(result, timeout=0.05)
                    return
                except queue.Full:
                    pass

        worker = threading.Thread(target=produce, name="assay-rows",
                                  daemon=True)
        worker.start()
        try:
            while True:
                item = q.get()
                if isinstance(item, tuple) and item and item[0] is done:
                    if item[1] is not None:
                        raise item[1]
                    return
                yield item
        finally:
            stop.set()
            while worker.is_alive():
                try:
                    q.get(timeout=0.05)
                except queue.Empty:
                    pass
            worker.join()

    def to_dataframe(self, inputs=None, *, documents=None, output=None):
        """The rows of one output as a pandas DataFrame (columns in their
        declared order). Needs pandas; with several outputs, name one."""
        try:
            import pandas
        except ImportError as ex:
            raise ImportError(
                "Engine.to_dataframe() needs pandas, which is not installed "
                "(apt install python3-pandas, or pip install pandas); "
                "Engine.rows() gives the same rows as dicts without it."
            ) from ex
        outputs = [(p["name"], o, cols) for p in self.plugins
                   for o, cols in p["outputs"].items()]
        chosen = [x for x in outputs if output in (None, x[1])]
        if len(chosen) != 1:
            names = ", ".join(o for _, o, _ in outputs) or "none"
            raise ValueError("to_dataframe() needs output= one of: " + names)
        rows = list(self.rows(inputs, documents=documents,
                              output=chosen[0][1]))
        return pandas.DataFrame(rows, columns=chosen[0][2])
