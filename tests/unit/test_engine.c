/*
 * test_engine.c — the public engine API (assay.h): settings, plugin loading
 * and options, streaming documents from memory, row callbacks in corpus
 * order for any thread count, skipped-document accounting, error records,
 * output rules and atomic commit, worker threads reading their own files,
 * the C locale whatever locale the program set.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assay.h"
#include "counter.h"
#include "testutil.h"

/* ---- a row collector ------------------------------------------------- */

typedef struct rows {
    char *text; /* one line per row: output|doc|v1|v2... */
    size_t len, cap;
    int n, stop_after;
} rows;

static void put(rows *r, const char *s)
{
    size_t k = strlen(s);
    if (r->len + k + 1 > r->cap) {
        r->cap = (r->len + k + 1) * 2;
        r->text = realloc(r->text, r->cap);
    }
    memcpy(r->text + r->len, s, k + 1);
    r->len += k;
}

static int collect(void *ud, const assay_row *row)
{
    rows *r = ud;
    char buf[512];
    snprintf(buf, sizeof buf, "%s|%s", row->output,
             row->doc_id ? row->doc_id : "-");
    put(r, buf);
    for (int i = 0; i < row->ncolumns; i++) {
        const assay_value *v = &row->values[i];
        switch (v->type) {
        case ASSAY_STRING: snprintf(buf, sizeof buf, "|%s", v->s); break;
        case ASSAY_INTEGER: snprintf(buf, sizeof buf, "|%lld", (long long)v->i); break;
        case ASSAY_NUMBER: snprintf(buf, sizeof buf, "|%g", v->d); break;
        case ASSAY_BOOLEAN: snprintf(buf, sizeof buf, "|%s", v->i ? "T" : "F"); break;
        default: snprintf(buf, sizeof buf, "|nil");
        }
        put(r, buf);
    }
    put(r, "\n");
    r->n++;
    return r->stop_after && r->n >= r->stop_after;
}

static void quiet(void *ud, const char *line)
{
    (void)ud;
    (void)line;
}

static const char *PLUGIN =
    "return { name = 'probe', version = '2.1', summary = 'test plugin',\n"
    "  options = { factor = 2, label = 'x', on = true, ratio = 0.5 },\n"
    "  outputs = { {name='perdoc', columns={'id','len','label'}},\n"
    "              {name='totals', columns={'docs','bytes'}} },\n"
    "  init = function(ctx) return { docs = 0, bytes = 0 } end,\n"
    "  document = function(doc, ctx, out)\n"
    "    if doc.text:find('BOOM') then error('boom in ' .. doc.id) end\n"
    "    out.perdoc:row{ id = doc.id, len = doc.bytes * ctx.options.factor,\n"
    "                    label = ctx.options.label }\n"
    "    ctx.state.docs = ctx.state.docs + 1\n"
    "    ctx.state.bytes = ctx.state.bytes + doc.bytes\n"
    "  end,\n"
    "  merge = function(a, b) a.docs = a.docs + b.docs; a.bytes = a.bytes + b.bytes end,\n"
    "  finish = function(ctx, out) out:row('totals', { ctx.state.docs, ctx.state.bytes }) end,\n"
    "}\n";

static assay_engine *new_engine(rows *r)
{
    assay_engine *e = NULL;
    assert_int_equal(assay_engine_new(&e), ASSAY_OK);
    assay_engine_set_message_callback(e, quiet, NULL);
    assert_int_equal(assay_engine_load_plugin_string(e, "probe.lua", PLUGIN, NULL), ASSAY_OK);
    if (r)
        assert_int_equal(assay_engine_set_row_callback(e, collect, r), ASSAY_OK);
    return e;
}

/* ---- settings ----------------------------------------------------------- */

static void test_settings(void **state)
{
    (void)state;
    assay_engine *e = NULL;
    assert_int_equal(assay_engine_new(&e), ASSAY_OK);
    assert_int_equal(assay_engine_set(e, "threads", "4"), ASSAY_OK);
    assert_int_equal(assay_engine_set(e, "threads", "0"), ASSAY_OK);
    assert_int_equal(assay_engine_set(e, "threads", "-1"), ASSAY_E_USAGE);
    assert_int_equal(assay_engine_set(e, "threads", "257"), ASSAY_E_USAGE);
    assert_int_equal(assay_engine_set(e, "threads", "4x"), ASSAY_E_USAGE);
    assert_non_null(strstr(assay_last_error(e)->message, "'4x'"));
    assert_int_equal(assay_engine_set(e, "format", "jsonl"), ASSAY_OK);
    assert_int_equal(assay_engine_set(e, "format", "xml"), ASSAY_E_USAGE);
    assert_int_equal(assay_engine_set(e, "bom", "yes"), ASSAY_OK);
    assert_int_equal(assay_engine_set(e, "bom", "maybe"), ASSAY_E_USAGE);
    assert_int_equal(assay_engine_set(e, "encoding", "Latin-1"), ASSAY_OK);
    assert_int_equal(assay_engine_set(e, "invalid_utf8", "skip"), ASSAY_OK);
    assert_int_equal(assay_engine_set(e, "invalid_utf8", "ignore"), ASSAY_E_USAGE);
    assert_int_equal(assay_engine_set(e, "text_field", "body"), ASSAY_OK);
    assert_int_equal(assay_engine_set(e, "text_field", ""), ASSAY_E_USAGE);
    assert_int_equal(assay_engine_set(e, "max_doc_bytes", "1000"), ASSAY_OK);
    assert_int_equal(assay_engine_set(e, "nonsense", "1"), ASSAY_E_USAGE);
    assert_non_null(strstr(assay_last_error(e)->message, "nonsense"));
    assert_string_equal(assay_strerror(ASSAY_E_IO), "input/output error");
    assert_string_equal(assay_strerror(ASSAY_OK), "ok");
    assert_string_equal(assay_version(), ASSAY_VERSION_STRING);
    assay_engine_free(e);
}

/* ---- plugins and options -------------------------------------------------- */

static void test_plugin_info_and_options(void **state)
{
    (void)state;
    assay_engine *e = new_engine(NULL);
    assert_int_equal(assay_engine_plugin_count(e), 1);
    const assay_plugin_info *pi = assay_engine_plugin_info(e, 0);
    assert_non_null(pi);
    assert_string_equal(pi->name, "probe");
    assert_string_equal(pi->version, "2.1");
    assert_int_equal(pi->n_outputs, 2);
    assert_string_equal(pi->output_names[1], "totals");
    assert_int_equal(pi->output_ncolumns[0], 3);
    assert_string_equal(pi->output_columns[0][2], "label");
    assert_int_equal(pi->n_options, 4); /* sorted by name */
    assert_string_equal(pi->option_names[0], "factor");
    assert_string_equal(pi->option_types[0], "integer");
    assert_string_equal(pi->option_types[1], "string");
    assert_string_equal(pi->option_types[2], "boolean");
    assert_string_equal(pi->option_types[3], "number");

    assert_int_equal(assay_engine_set_option(e, "factor", "3"), ASSAY_OK);
    assert_int_equal(assay_engine_set_option(e, "probe.label", "y"), ASSAY_OK);
    assert_int_equal(assay_engine_set_option(e, "factor", "three"), ASSAY_E_USAGE);
    assert_int_equal(assay_engine_set_option(e, "factor", "1.5"), ASSAY_E_USAGE);
    assert_int_equal(assay_engine_set_option(e, "ratio", "1e-3"), ASSAY_OK);
    assert_int_equal(assay_engine_set_option(e, "on", "off"), ASSAY_OK);
    assert_int_equal(assay_engine_set_option(e, "missing", "1"), ASSAY_E_USAGE);
    assert_int_equal(assay_engine_set_option(e, "other.factor", "1"), ASSAY_E_USAGE);
    pi = assay_engine_plugin_info(e, 0);
    assert_string_equal(pi->option_values[0], "3");
    assert_string_equal(pi->option_values[1], "y");
    assert_null(assay_engine_plugin_info(e, 1));
    assay_engine_free(e);
}

static void test_plugin_not_found(void **state)
{
    (void)state;
    assay_engine *e = NULL;
    assert_int_equal(assay_engine_new(&e), ASSAY_OK);
    assert_true(assay_engine_load_plugin(e, "no_such_plugin_here", NULL) < 0);
    assert_non_null(strstr(assay_last_error(e)->message, "no_such_plugin_here"));
    assert_int_equal(assay_engine_plugin_count(e), 0);
    assert_int_equal(assay_engine_begin(e), ASSAY_E_USAGE); /* no plugin */
    assay_engine_free(e);
}

/* ---- streaming -------------------------------------------------------------- */

static void feed(assay_engine *e, int n, int boom_every)
{
    for (int i = 0; i < n; i++) {
        char id[32], text[64];
        snprintf(id, sizeof id, "d%03d", i);
        snprintf(text, sizeof text, "%s text %d",
                 boom_every && i % boom_every == 1 ? "BOOM" : "plain", i);
        assert_true(assay_engine_add_document(e, id, text, strlen(text), NULL,
                                              NULL, 0) >= 0);
    }
}

static char *run_threads(int threads, int n, int boom_every, int *rc,
                         assay_stats *st)
{
    rows r = {0};
    assay_engine *e = new_engine(&r);
    assert_int_equal(assay_engine_set_threads(e, threads), ASSAY_OK);
    assert_int_equal(assay_engine_begin(e), ASSAY_OK);
    feed(e, n, boom_every);
    *rc = assay_engine_end(e);
    assay_engine_stats(e, st);
    assay_engine_free(e);
    return r.text;
}

static void test_streaming_rows_in_order(void **state)
{
    (void)state;
    int rc;
    assay_stats st;
    char *one = run_threads(1, 300, 0, &rc, &st);
    assert_int_equal(rc, 0);
    assert_int_equal(st.documents_read, 300);
    assert_int_equal(st.documents_analysed, 300);
    assert_int_equal(st.rows_written, 301);
    assert_non_null(strstr(one, "perdoc|d000|d000|"));
    assert_non_null(strstr(one, "totals|-|300|"));
    for (int t = 2; t <= 8; t *= 2) {
        char *many = run_threads(t, 300, 0, &rc, &st);
        assert_int_equal(rc, 0);
        assert_string_equal(one, many);
        free(many);
    }
    free(one);
}

static void test_plugin_error_skips_document(void **state)
{
    (void)state;
    int rc;
    assay_stats st;
    char *one = run_threads(1, 50, 10, &rc, &st);
    assert_int_equal(rc, 5); /* d001, d011, ... d041 */
    assert_int_equal(st.documents_read, 50);
    assert_int_equal(st.documents_analysed, 45);
    assert_int_equal(st.documents_skipped, 5);
    assert_null(strstr(one, "perdoc|d011|"));
    assert_non_null(strstr(one, "perdoc|d012|"));
    assert_non_null(strstr(one, "totals|-|45|"));
    char *four = run_threads(4, 50, 10, &rc, &st);
    assert_string_equal(one, four);
    free(one);
    free(four);
}

static void test_options_reach_plugin(void **state)
{
    (void)state;
    rows r = {0};
    assay_engine *e = new_engine(&r);
    assert_int_equal(assay_engine_set_option(e, "factor", "10"), ASSAY_OK);
    assert_int_equal(assay_engine_set_option(e, "label", "hello, world"), ASSAY_OK);
    assert_int_equal(assay_engine_begin(e), ASSAY_OK);
    assert_int_equal(assay_engine_add_document(e, "a", "abc", 3, NULL, NULL, 0), ASSAY_OK);
    assert_int_equal(assay_engine_end(e), 0);
    assert_non_null(strstr(r.text, "perdoc|a|a|30|hello, world\n"));
    assay_engine_free(e);
    free(r.text);
}

static void test_callback_stop(void **state)
{
    (void)state;
    rows r = {0};
    r.stop_after = 3;
    assay_engine *e = new_engine(&r);
    assert_int_equal(assay_engine_begin(e), ASSAY_OK);
    int rc = ASSAY_OK;
    for (int i = 0; i < 10 && rc >= 0; i++)
        rc = assay_engine_add_document(e, "x", "text", 4, NULL, NULL, 0);
    assert_true(rc < 0);
    assert_true(assay_engine_end(e) < 0);
    assert_non_null(strstr(assay_last_error(e)->message, "stopped by row callback"));
    assay_engine_free(e);
    free(r.text);
}

static void test_misuse(void **state)
{
    (void)state;
    assay_engine *e = new_engine(NULL);
    assert_int_equal(assay_engine_add_document(e, "a", "x", 1, NULL, NULL, 0), ASSAY_E_USAGE);
    assert_int_equal(assay_engine_end(e), ASSAY_E_USAGE);
    /* two outputs, no directory, no callback: standard output cannot take both */
    assert_int_equal(assay_engine_begin(e), ASSAY_E_USAGE);
    assert_non_null(strstr(assay_last_error(e)->message, "perdoc, totals"));
    assert_int_equal(assay_engine_run(e), ASSAY_E_USAGE); /* no input */
    assay_engine_free(e);
    assay_engine_free(NULL);
}

/* ---- files: inputs, outputs, errors file, atomic commit ------------------------ */

static void test_files_and_errors(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    free(tu_write_str(dir, "in/a.txt", " date 2024-01-02 Alpha text.\n"));
    free(tu_write_str(dir, "in/b.jsonl", "{\"id\":\"j1\",\"text\":\"one\"}\n{bad json\n"));
    char out[4096], errs[4096], missing[4096], in[4096];
    snprintf(in, sizeof in, "%s/in", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(errs, sizeof errs, "%s/errors.csv", dir);
    snprintf(missing, sizeof missing, "%s/missing.txt", dir);

    assay_engine *e = new_engine(NULL);
    assert_int_equal(assay_engine_add_input(e, in), ASSAY_OK);
    assert_int_equal(assay_engine_set_output_dir(e, out), ASSAY_OK);
    assert_int_equal(assay_engine_set_errors_file(e, errs), ASSAY_OK);
    assert_int_equal(assay_engine_run(e), 1);
    assay_stats st;
    assay_engine_stats(e, &st);
    assert_int_equal(st.documents_read, 3);
    assert_int_equal(st.documents_analysed, 2);
    assay_engine_free(e);

    char path[4200];
    snprintf(path, sizeof path, "%s/perdoc.csv", out);
    char *csv = tu_read(path, NULL);
    assert_non_null(csv);
    assert_string_equal(csv, "id,len,label\na.txt,24,x\nj1,6,x\n");
    snprintf(path, sizeof path, "%s/totals.csv", out);
    char *tot = tu_read(path, NULL);
    assert_string_equal(tot, "docs,bytes\n2,15\n");
    char *err = tu_read(errs, NULL);
    assert_non_null(strstr(err, "skipped,"));
    assert_non_null(strstr(err, "b.jsonl"));
    assert_non_null(strstr(err, "line 2"));
    free(csv);
    free(tot);
    free(err);

    /* a missing input fails before anything is written */
    e = new_engine(NULL);
    assay_engine_add_input(e, missing);
    snprintf(path, sizeof path, "%s/out2", dir);
    assay_engine_set_output_dir(e, path);
    assert_int_equal(assay_engine_run(e), ASSAY_E_IO);
    assert_non_null(strstr(assay_last_error(e)->message, "missing.txt"));
    struct stat sb;
    snprintf(path, sizeof path, "%s/out2/perdoc.csv", dir);
    assert_int_not_equal(stat(path, &sb), 0);
    assay_engine_free(e);
    tu_rmtree(dir);
    free(dir);
}

/* Worker threads read text files themselves (asy_reader_defer); what
 * their loads report must reach the errors file at the document's place
 * in the corpus, as the feeding thread's reports would. Every thread
 * count gives the same bytes. */
static char *run_dir(const char *dir, int threads, const char *policy,
                     assay_stats *st, int *rc)
{
    char in[4096], out[4096], errs[4096];
    snprintf(in, sizeof in, "%s/in", dir);
    snprintf(out, sizeof out, "%s/out%d%s", dir, threads, policy);
    snprintf(errs, sizeof errs, "%s/errors%d%s.csv", dir, threads, policy);
    assay_engine *e = new_engine(NULL);
    assert_int_equal(assay_engine_set_threads(e, threads), ASSAY_OK);
    assert_int_equal(assay_engine_set(e, "invalid_utf8", policy), ASSAY_OK);
    assert_int_equal(assay_engine_set(e, "max_doc_bytes", "100"), ASSAY_OK);
    assert_int_equal(assay_engine_add_input(e, in), ASSAY_OK);
    assert_int_equal(assay_engine_set_output_dir(e, out), ASSAY_OK);
    assert_int_equal(assay_engine_set_errors_file(e, errs), ASSAY_OK);
    *rc = assay_engine_run(e);
    assay_engine_stats(e, st);
    assay_engine_free(e);
    char path[4200];
    snprintf(path, sizeof path, "%s/perdoc.csv", out);
    char *csv = tu_read(path, NULL);
    char *err = tu_read(errs, NULL);
    assert_non_null(err);
    char *both = NULL;
    assert_true(asprintf(&both, "%s--\n%s", csv ? csv : "(none)\n", err) > 0);
    free(csv);
    free(err);
    /* the errors file names the temporary directory: drop it */
    for (char *p; (p = strstr(both, dir)) != NULL;)
        memmove(p, p + strlen(dir), strlen(p + strlen(dir)) + 1);
    return both;
}

/* run_dir with one thread, then with each of the n others: the same
 * bytes, exit status and counts every time. Returns the first result. */
static char *run_dir_all(const char *dir, const char *policy,
                         const int *threads, int n, assay_stats *st, int *rc)
{
    char *one = run_dir(dir, 1, policy, st, rc);
    for (int k = 0; k < n; k++) {
        assay_stats s;
        int r;
        char *many = run_dir(dir, threads[k], policy, &s, &r);
        assert_string_equal(many, one);
        assert_int_equal(r, *rc);
        assert_int_equal(s.documents_read, st->documents_read);
        assert_int_equal(s.documents_analysed, st->documents_analysed);
        assert_int_equal(s.documents_skipped, st->documents_skipped);
        assert_int_equal(s.warnings, st->warnings);
        free(many);
    }
    return one;
}

static void test_workers_read_files(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char name[64], body[200];
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "in/d%02d.txt", i);
        if (i % 10 == 3)
            snprintf(body, sizeof body, "bad \xFF%d", i);
        else if (i % 10 == 7)
            snprintf(body, sizeof body, "%0150d", i); /* over max_doc_bytes */
        else
            snprintf(body, sizeof body, "text %d", i);
        free(tu_write_str(dir, name, body));
    }
    free(tu_write(dir, "in/d05.txt", "bin\0ary", 7));
    free(tu_write_str(dir, "in/d20.jsonl", "{\"id\":\"j\",\"text\":\"J\"}\n{bad\n"));
    char link[4200];
    snprintf(link, sizeof link, "%s/in/d30.txt", dir);
    assert_int_equal(unlink(link), 0);
    assert_int_equal(symlink("/nonexistent/assay/d30.txt", link), 0);
    const char *policies[] = {"replace", "skip"};
    for (int p = 0; p < 2; p++) {
        assay_stats s1;
        int rc1;
        char *one = run_dir_all(dir, policies[p], (const int[]){3}, 1, &s1,
                                &rc1);
        /* 41 documents + 1 bad JSON line; skipped: 4 too big, the binary
         * one, the dangling link, the bad line, and under "skip" the 4
         * with invalid UTF-8 (under "replace" they are 4 warnings) */
        assert_int_equal(s1.documents_read, 42);
        assert_int_equal(s1.documents_skipped, p ? 11 : 7);
        assert_int_equal(s1.warnings, p ? 0 : 4);
        assert_int_equal(rc1, p ? 11 : 7);
        /* in corpus order: d03's warning after d02's row, before d04's */
        const char *d02 = strstr(one, "d02.txt,");
        const char *d04 = strstr(one, "d04.txt,");
        assert_non_null(d02);
        assert_non_null(d04);
        assert_true(d02 < d04);
        const char *e03 = strstr(one, p ? "skipped,/in/d03.txt,d03.txt,byte 4"
                                        : "warning,/in/d03.txt,d03.txt,byte 4");
        const char *e05 = strstr(one, "skipped,/in/d05.txt,d05.txt,byte 3");
        const char *e30 = strstr(one, "skipped,/in/d30.txt,d30.txt,,cannot open");
        assert_non_null(e03);
        assert_non_null(e05);
        assert_non_null(e30);
        assert_true(e03 < e05 && e05 < e30);
        free(one);
    }
    /* "fail": the run stops at d03's invalid byte after analysing what
     * comes before it, d00-d02, whatever the thread count (the documents
     * queued before the stop were dropped with threads: 0 analysed) */
    assay_stats sf;
    int rcf;
    char *f = run_dir_all(dir, "fail", (const int[]){2, 3, 5}, 3, &sf, &rcf);
    assert_int_equal(rcf, ASSAY_E_ENCODING);
    assert_int_equal(sf.documents_read, 3);
    assert_int_equal(sf.documents_analysed, 3);
    assert_int_equal(sf.documents_skipped, 0);
    assert_non_null(strstr(f, "(none)\n--\n")); /* nothing committed */
    assert_null(strstr(f, "d05.txt")); /* nothing read after the stop */
    free(f);
    tu_rmtree(dir);
    free(dir);
}

/* Outputs are committed as one: when the second output cannot be written
 * to disk at commit time (here: the file size limit, as a full disk would),
 * the first must not have been renamed into place either; with one thread,
 * and with two, where the runtimes are freed on one while the outputs are
 * closed on the other. */
static void commit_all_or_nothing(int threads)
{
    char *dir = tu_mkdtemp();
    char out[4096];
    snprintf(out, sizeof out, "%s/out", dir);
    assay_engine *e = NULL;
    assert_int_equal(assay_engine_new(&e), ASSAY_OK);
    assay_engine_set_message_callback(e, quiet, NULL);
    assert_int_equal(assay_engine_set_threads(e, threads), ASSAY_OK);
    assert_int_equal(assay_engine_load_plugin_string(e, "two.lua",
        "return { name = 'two',\n"
        "  outputs = { {name = 'a', columns = {'x'}}, {name = 'b', columns = {'y'}} },\n"
        "  document = function(doc, ctx, out) out.a:row{1} end,\n"
        "  finish = function(ctx, out)\n"
        "    for i = 1, 100 do out.b:row{string.rep('y', 29)} end\n"
        "  end }", NULL), ASSAY_OK);
    assert_int_equal(assay_engine_set_output_dir(e, out), ASSAY_OK);
    assert_int_equal(assay_engine_begin(e), ASSAY_OK);
    assert_int_equal(assay_engine_add_document(e, "d", "text", 4, NULL, NULL, 0),
                     ASSAY_OK);
    /* b's 3000 bytes stay in the stdio buffer until commit flushes them */
    struct rlimit old, small = {200, 200};
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small.rlim_max = old.rlim_max;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = assay_engine_end(e);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    assert_int_equal(rc, ASSAY_E_IO);
    assert_non_null(strstr(assay_last_error(e)->message, "b.csv"));
    assay_engine_free(e);
    /* nothing at all in the output directory: no a.csv, no temporary file */
    DIR *dh = opendir(out);
    assert_non_null(dh);
    struct dirent *de;
    while ((de = readdir(dh)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            fail_msg("left in the output directory: %s", de->d_name);
    closedir(dh);
    tu_rmtree(dir);
    free(dir);
}

static void test_commit_all_or_nothing(void **state)
{
    (void)state;
    commit_all_or_nothing(1);
    commit_all_or_nothing(2);
}

/* finish writing a table far larger than its row buffer (rows go to the
 * files as they come): every row arrives, in order; and when finish fails
 * after writing most of them, no output is committed at all. */
static void test_finish_rows_stream(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    for (int fail = 0; fail < 2; fail++) {
        char out[4096], src[512];
        snprintf(out, sizeof out, "%s/out%d", dir, fail);
        snprintf(src, sizeof src,
                 "return { name = 'big',\n"
                 "  outputs = { {name = 't', columns = {'i', 's'}} },\n"
                 "  document = function(doc, ctx, out) end,\n"
                 "  finish = function(ctx, out)\n"
                 "    for i = 1, 60000 do out.t:row{i, 'row ' .. i} end\n"
                 "    %s\n"
                 "  end }", fail ? "error('late failure')" : "");
        assay_engine *e = NULL;
        assert_int_equal(assay_engine_new(&e), ASSAY_OK);
        assay_engine_set_message_callback(e, quiet, NULL);
        assert_int_equal(assay_engine_load_plugin_string(e, "big.lua", src, NULL),
                         ASSAY_OK);
        assert_int_equal(assay_engine_set_output_dir(e, out), ASSAY_OK);
        assert_int_equal(assay_engine_begin(e), ASSAY_OK);
        assert_int_equal(assay_engine_add_document(e, "d", "text", 4, NULL,
                                                   NULL, 0), ASSAY_OK);
        int rc = assay_engine_end(e);
        char path[4200];
        snprintf(path, sizeof path, "%s/t.csv", out);
        size_t n = 0;
        char *csv = tu_read(path, &n);
        if (!fail) {
            assert_int_equal(rc, 0);
            assert_non_null(csv);
            int lines = 0;
            for (size_t k = 0; k < n; k++)
                lines += csv[k] == '\n';
            assert_int_equal(lines, 60001);
            assert_non_null(strstr(csv, "i,s\n1,row 1\n2,row 2\n"));
            assert_non_null(strstr(csv, "\n59999,row 59999\n60000,row 60000\n"));
        } else {
            assert_true(rc < 0);
            assert_non_null(strstr(assay_last_error(e)->message, "late failure"));
            assert_null(csv);
        }
        free(csv);
        assay_engine_free(e);
    }
    tu_rmtree(dir);
    free(dir);
}

/* A row callback that stops the run while worker threads are reading
 * their own files (pending documents) must end it, at every thread count,
 * after exactly the rows it accepted, in corpus order, without hanging on
 * the documents still in the ring. */
static void test_stop_while_workers_read(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char name[64], body[64], in[4096];
    for (int i = 0; i < 120; i++) {
        snprintf(name, sizeof name, "in/s%d/f%03d.txt", i % 3, i);
        snprintf(body, sizeof body, "text number %d", i);
        free(tu_write_str(dir, name, body));
    }
    snprintf(in, sizeof in, "%s/in", dir);
    const int threads[] = {1, 2, 3, 8};
    char *first = NULL;
    for (int k = 0; k < 4; k++) {
        rows r = {0};
        r.stop_after = 7;
        assay_engine *e = new_engine(&r);
        assert_int_equal(assay_engine_set_threads(e, threads[k]), ASSAY_OK);
        assert_int_equal(assay_engine_add_input(e, in), ASSAY_OK);
        assert_true(assay_engine_run(e) < 0);
        assert_non_null(strstr(assay_last_error(e)->message,
                               "stopped by row callback"));
        assert_int_equal(r.n, 7);
        assert_non_null(r.text);
        /* s0/ first: f000, f003, ... */
        assert_non_null(strstr(r.text, "perdoc|s0/f000.txt|s0/f000.txt|26|x\n"
                                       "perdoc|s0/f003.txt|"));
        if (!first)
            first = r.text;
        else {
            assert_string_equal(r.text, first);
            free(r.text);
        }
        assay_engine_free(e);
    }
    free(first);
    tu_rmtree(dir);
    free(dir);
}

/* Every document failing in its plugin, with the workers reading the
 * files: each failure, and each loader message, once and in corpus order,
 * whatever the thread count; no document counted as analysed. */
static void test_all_documents_fail_with_workers(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char name[64], body[200];
    for (int i = 0; i < 60; i++) {
        snprintf(name, sizeof name, "in/d%d/b%02d.txt", i % 4, i);
        if (i % 9 == 4)
            snprintf(body, sizeof body, "BOOM bad \xFF%d", i);
        else if (i % 9 == 6)
            snprintf(body, sizeof body, "BOOM %0150d", i); /* too big */
        else
            snprintf(body, sizeof body, "BOOM %d", i);
        free(tu_write_str(dir, name, body));
    }
    free(tu_write_gz(dir, "in/d1/gz.txt.gz", "BOOM gz", 7));
    free(tu_write_str(dir, "in/d2/e.txt", ""));
    free(tu_write_str(dir, "in/d2/e.txt.orig", "unknown type"));
    free(tu_write_str(dir, "in/d3/j.jsonl",
                      "{\"id\":\"j1\",\"text\":\"BOOM\"}\n{broken\n"
                      "{\"id\":\"j2\",\"text\":\"BOOM 2\"}\n"));
    assay_stats s1;
    int rc1;
    char *one = run_dir_all(dir, "replace", (const int[]){2, 5, 8}, 3, &s1,
                            &rc1);
    /* 60 files + gz + e.txt (empty: no BOOM, analysed) + 3 JSON lines;
     * skipped: 6 too big, 1 bad line, and the 57 others with BOOM */
    assert_int_equal(s1.documents_read, 65);
    assert_int_equal(s1.documents_analysed, 1);
    assert_int_equal(s1.documents_skipped, 64);
    assert_int_equal(s1.warnings, 8); /* 7 invalid UTF-8, 1 unknown type */
    assert_int_equal(rc1, 64);
    assert_non_null(strstr(one, "id,len,label\nd2/e.txt,0,x\n--\n"));
    free(one);
    tu_rmtree(dir);
    free(dir);
}

/* A counter made before main(), in a constructor of the program that
 * embeds the library: the hash is chosen before it (the library's
 * constructor runs first, and asy_counter_new makes sure), so its keys are
 * found again from main() (they were not when the library chose its hash
 * in a constructor of default priority, after the program's). */
static asy_counter *early;

__attribute__((constructor)) static void make_early(void)
{
    early = asy_counter_new();
    for (int i = 0; early && i < 3; i++)
        if (asy_counter_add(early, "hello", 5, 1) < 0) {
            asy_counter_free(early);
            early = NULL;
        }
}

static void test_hash_fixed(void **state)
{
    (void)state;
    assert_non_null(early);
    assert_int_equal(asy_counter_get(early, "hello", 5), 3);
    assert_int_equal(asy_counter_add(early, "hello", 5, 1), 0);
    assert_int_equal(asy_counter_size(early), 1);
    assert_int_equal(asy_counter_get(early, "hello", 5), 4);
    /* once a table exists the hash cannot change */
    int crc = asy_counter_hash_crc;
    assert_int_equal(asy_counter_hash_select(!crc), -1);
    assert_int_equal(asy_counter_hash_select(crc), -1);
    assert_int_equal(asy_counter_hash_crc, crc);
    asy_counter_free(early);
    early = NULL;
}

/* Rows of the locale test: how many, and how many not as wanted (the
 * first of them as text). */
typedef struct loc_rows {
    int rows, other;
    int not_callers; /* rows whose callback did not run in the caller's
                        locale */
    char text[256];
} loc_rows;

static int loc_row(void *ud, const assay_row *r)
{
    loc_rows *lr = ud;
    char text[256];
    const assay_value *v = r->values;
    snprintf(text, sizeof text, "%d/10000 %s %s",
             (int)(v[0].d * 10000 + 0.5),
             v[1].type == ASSAY_STRING ? v[1].s : "?",
             v[2].type == ASSAY_STRING ? v[2].s : "?");
    char mine[16];
    snprintf(mine, sizeof mine, "%.2f", 0.25);
    lr->not_callers += strcmp(mine, "0,25") != 0;
    lr->rows++;
    if (strcmp(text, "2500/10000 1.5 2.25") != 0 && !lr->other++)
        snprintf(lr->text, sizeof lr->text, "%s", text);
    return 0;
}

/* In the child's locale with a decimal comma: an option "0.25" is taken,
 * Lua formats numbers with '.' on both threads, the row callback runs in
 * the caller's locale, and that is back after each call. 0 when all
 * holds. */
static int engine_in_comma_locale(void *ud)
{
    (void)ud;
    static const char *P =
        "return { name = 'p', options = { ratio = 0.5 },\n"
        "  columns = { 'a', 'b', 'c' },\n"
        "  document = function(doc, ctx, out)\n"
        "    out:row{ a = ctx.options.ratio, b = tostring(1.5),\n"
        "             c = string.format('%.2f', tonumber('2.25')) } end }\n";
    loc_rows lr = {0, 0, 0, {0}};
    assay_engine *e = NULL;
    int bad = assay_engine_new(&e) != ASSAY_OK;
    bad |= assay_engine_load_plugin_string(e, "p.lua", P, NULL) != ASSAY_OK;
    bad |= assay_engine_set_option(e, "ratio", "0.25") != ASSAY_OK;
    bad |= assay_engine_set_row_callback(e, loc_row, &lr) != ASSAY_OK;
    bad |= assay_engine_set_threads(e, 2) != ASSAY_OK;
    bad |= assay_engine_begin(e) != ASSAY_OK;
    for (int i = 0; i < 400; i++) /* enough for the worker to take some */
        bad |= assay_engine_add_document(e, "d", "x", 1, NULL, NULL, 0) < 0;
    bad |= assay_engine_end(e) != 0;
    assay_engine_free(e);
    char probe[16];
    snprintf(probe, sizeof probe, "%.2f", 0.25);
    if (bad || lr.rows != 400 || lr.other || lr.not_callers ||
        strcmp(probe, "0,25") != 0) {
        fprintf(stderr, "bad %d, %d rows, %d other: '%s', %d not in the "
                "caller's locale, probe %s\n", bad, lr.rows, lr.other,
                lr.text, lr.not_callers, probe);
        return 1;
    }
    return 0;
}

/* The library works in the C locale whatever the program set (clocale.h):
 * under a German locale, options were refused and Lua wrote "1,5". */
static void test_c_locale_whatever_the_program_set(void **st)
{
    (void)st;
    tu_check_in_comma_locale(engine_in_comma_locale, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_fixed),
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_plugin_info_and_options),
        cmocka_unit_test(test_plugin_not_found),
        cmocka_unit_test(test_streaming_rows_in_order),
        cmocka_unit_test(test_plugin_error_skips_document),
        cmocka_unit_test(test_options_reach_plugin),
        cmocka_unit_test(test_callback_stop),
        cmocka_unit_test(test_misuse),
        cmocka_unit_test(test_files_and_errors),
        cmocka_unit_test(test_workers_read_files),
        cmocka_unit_test(test_commit_all_or_nothing),
        cmocka_unit_test(test_finish_rows_stream),
        cmocka_unit_test(test_stop_while_workers_read),
        cmocka_unit_test(test_all_documents_fail_with_workers),
        cmocka_unit_test(test_c_locale_whatever_the_program_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
