/*
 * test_progress.c — the engine's progress callback: called on the driving
 * thread after delivered documents (every one with interval -1), counts
 * non-decreasing, input bytes estimated up to the total size of the added
 * inputs, one final report with done = 1; none when unset; a long
 * interval leaves only the final report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay.h"
#include "testutil.h"

typedef struct seen {
    int calls, finals;
    assay_progress last;
    int monotone;
} seen;

static void on_progress(void *ud, const assay_progress *p)
{
    seen *s = ud;
    if (s->calls && (p->documents_read < s->last.documents_read ||
                     p->input_bytes_done < s->last.input_bytes_done))
        s->monotone = 0;
    s->calls++;
    s->finals += p->done;
    s->last = *p;
}

static const char *PLUGIN =
    "return { name = 'n', columns = { 'id' },\n"
    "  document = function(doc, ctx, out) out:row{ id = doc.id } end }\n";

static assay_engine *engine_over(const char *dir, int threads)
{
    assay_engine *e = NULL;
    assert_int_equal(assay_engine_new(&e), ASSAY_OK);
    assert_int_equal(assay_engine_set_threads(e, threads), ASSAY_OK);
    assert_int_equal(assay_engine_load_plugin_string(e, "n.lua", PLUGIN, NULL),
                     ASSAY_OK);
    assert_int_equal(assay_engine_add_input(e, dir), ASSAY_OK);
    char out[1024];
    snprintf(out, sizeof out, "%s/.out", dir); /* hidden: never an input */
    assert_int_equal(assay_engine_set_output_dir(e, out), ASSAY_OK);
    return e;
}

static char *corpus(long long *total)
{
    char *dir = tu_mkdtemp();
    *total = 0;
    for (int i = 0; i < 12; i++) {
        char name[32], text[64];
        snprintf(name, sizeof name, "d%02d.txt", i);
        int n = snprintf(text, sizeof text, "document %d %*s\n", i, i, "x");
        free(tu_write_str(dir, name, text));
        *total += n;
    }
    return dir;
}

static void test_every_document_and_final(void **state)
{
    (void)state;
    long long total;
    char *dir = corpus(&total);
    for (int threads = 1; threads <= 3; threads += 2) {
        assay_engine *e = engine_over(dir, threads);
        seen s = {0, 0, {0}, 1};
        assert_int_equal(assay_engine_set_progress_callback(e, on_progress,
                                                            &s, -1),
                         ASSAY_OK);
        assert_int_equal(assay_engine_run(e), 0);
        assert_int_equal(s.calls, 13); /* 12 documents + the final report */
        assert_int_equal(s.finals, 1);
        assert_true(s.monotone);
        assert_int_equal(s.last.done, 1);
        assert_int_equal(s.last.documents_read, 12);
        assert_int_equal(s.last.input_bytes_total, total);
        assert_int_equal(s.last.input_bytes_done, total);
        assert_true(s.last.elapsed >= 0);
        assay_engine_free(e);
    }
    tu_rmtree(dir);
    free(dir);
}

static void test_interval_and_unset(void **state)
{
    (void)state;
    long long total;
    char *dir = corpus(&total);
    assay_engine *e = engine_over(dir, 1);
    seen s = {0, 0, {0}, 1};
    assert_int_equal(assay_engine_set_progress_callback(e, on_progress, &s,
                                                        60000),
                     ASSAY_OK);
    assert_int_equal(assay_engine_run(e), 0);
    assert_int_equal(s.calls, 1); /* a short run: only the final report */
    assert_int_equal(s.finals, 1);
    assert_int_equal(assay_engine_set_progress_callback(e, NULL, NULL, 0),
                     ASSAY_OK);
    assert_int_equal(assay_engine_run(e), 0);
    assert_int_equal(s.calls, 1);
    /* not while running */
    assert_int_equal(assay_engine_begin(e), ASSAY_OK);
    assert_int_equal(assay_engine_set_progress_callback(e, on_progress, &s,
                                                        0),
                     ASSAY_E_USAGE);
    assert_int_equal(assay_engine_end(e), 0);
    assay_engine_free(e);
    tu_rmtree(dir);
    free(dir);
}

static void test_unknown_total_for_memory_documents(void **state)
{
    (void)state;
    assay_engine *e = NULL;
    seen s = {0, 0, {0}, 1};
    assert_int_equal(assay_engine_new(&e), ASSAY_OK);
    assert_int_equal(assay_engine_load_plugin_string(e, "n.lua", PLUGIN, NULL),
                     ASSAY_OK);
    assert_int_equal(assay_engine_set_row_callback(e, NULL, NULL), ASSAY_OK);
    char *dir = tu_mkdtemp();
    assert_int_equal(assay_engine_set_output_dir(e, dir), ASSAY_OK);
    assert_int_equal(assay_engine_set_progress_callback(e, on_progress, &s,
                                                        -1),
                     ASSAY_OK);
    assert_int_equal(assay_engine_begin(e), ASSAY_OK);
    assert_int_equal(assay_engine_add_document(e, "a", "some text", 9, NULL,
                                               NULL, 0),
                     ASSAY_OK);
    assert_int_equal(assay_engine_end(e), 0);
    assert_int_equal(s.last.input_bytes_total, -1);
    assert_int_equal(s.last.input_bytes_done, -1);
    assert_int_equal(s.last.bytes_read, 9);
    assert_int_equal(s.finals, 1);
    assay_engine_free(e);
    tu_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_document_and_final),
        cmocka_unit_test(test_interval_and_unset),
        cmocka_unit_test(test_unknown_total_for_memory_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
