/*
 * test_manifest.c — run manifests: the file list of a directory input (the
 * loader's walk: sorted, hidden and unknown files skipped, gzip hashed as
 * stored), typed options, key order, counts after a run, reading a
 * manifest back into a fresh engine, and refusing changed inputs, changed
 * plugins, trust and malformed files; the hashes of the bytes a run read,
 * taken as it read them (files changed before its end keep them), with
 * either file hash (XXH3-128, the default, or SHA-256), on one thread and
 * on workers; manifests of format 1 (SHA-256 throughout) read and checked.
 */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "filehash.h"
#include "manifest.h"
#include "sha256.h"
#include "testutil.h"

static const char *PLUGIN =
    "return { name = 'm', version = '2.1',\n"
    "  options = { n = 3, ratio = 0.5, flag = false, word = 'x' },\n"
    "  columns = { 'id', 'len' },\n"
    "  document = function(doc, ctx, out)\n"
    "    out:row{ id = doc.id, len = #doc.text } end }\n";

typedef struct fixture {
    char *dir;
    char corpus[1024], manifest[1024], out[1024];
    char messages[4096];
} fixture;

static void collect(void *ud, const char *line)
{
    fixture *f = ud;
    size_t n = strlen(f->messages);
    snprintf(f->messages + n, sizeof f->messages - n, "%s\n", line);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = tu_mkdtemp();
    snprintf(f->corpus, sizeof f->corpus, "%s/corpus", f->dir);
    snprintf(f->manifest, sizeof f->manifest, "%s/out/manifest.json", f->dir);
    snprintf(f->out, sizeof f->out, "%s/out", f->dir);
    free(tu_write_str(f->corpus, "b.txt", "second document\n"));
    free(tu_write_str(f->corpus, "a/z.md", "nested\n"));
    free(tu_write_str(f->corpus, ".hidden.txt", "not read\n"));
    free(tu_write_str(f->corpus, "notes.bin", "unknown type\n"));
    free(tu_write_gz(f->corpus, "c.txt.gz", "zipped text\n", 12));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* An engine with the plugin loaded, its messages collected in f. */
static assay_engine *with_plugin(fixture *f)
{
    assay_engine *e = NULL;
    assert_int_equal(assay_engine_new(&e), ASSAY_OK);
    assay_engine_set_message_callback(e, collect, f);
    assert_int_equal(assay_engine_load_plugin_string(e, "m.lua", PLUGIN, NULL),
                     ASSAY_OK);
    return e;
}

static assay_engine *configured(fixture *f)
{
    assay_engine *e = with_plugin(f);
    assert_int_equal(assay_engine_set_option(e, "n", "7"), ASSAY_OK);
    assert_int_equal(assay_engine_set_option(e, "flag", "yes"), ASSAY_OK);
    assert_int_equal(assay_engine_add_input(e, f->corpus), ASSAY_OK);
    return e;
}

static json_t *load_json(const char *path)
{
    json_error_t jerr;
    json_t *m = json_load_file(path, 0, &jerr);
    assert_non_null(m);
    return m;
}

static void test_manifest_only_contents(void **state)
{
    fixture *f = *state;
    assay_engine *e = configured(f);
    assert_int_equal(assay_engine_write_manifest(e, f->manifest), ASSAY_OK);
    json_t *m = load_json(f->manifest);
    const char *first[] = {"assay_manifest", "assay_version", "lua_version",
                           "ran"};
    void *it = json_object_iter(m);
    for (int i = 0; i < 4; i++, it = json_object_iter_next(m, it))
        assert_string_equal(json_object_iter_key(it), first[i]);
    assert_true(json_is_false(json_object_get(m, "ran")));
    assert_true(json_is_null(json_object_get(m, "documents")));
    json_t *p = json_array_get(json_object_get(m, "plugins"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "origin")),
                        "string");
    assert_string_equal(json_string_value(json_object_get(p, "source")),
                        PLUGIN);
    char hex[ASY_SHA256_HEX];
    asy_sha256_buf(PLUGIN, strlen(PLUGIN), hex);
    assert_string_equal(json_string_value(json_object_get(p, "sha256")), hex);
    json_t *o = json_object_get(p, "options");
    assert_int_equal(json_integer_value(json_object_get(o, "n")), 7);
    assert_true(json_is_real(json_object_get(o, "ratio")));
    assert_true(json_is_true(json_object_get(o, "flag")));
    assert_string_equal(json_string_value(json_object_get(o, "word")), "x");
    json_t *files = json_object_get(
        json_array_get(json_object_get(m, "inputs"), 0), "files");
    assert_int_equal(json_array_size(files), 3);
    const char *names[] = {"a/z.md", "b.txt", "c.txt.gz"};
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(
            json_string_value(json_object_get(json_array_get(files, i),
                                              "path")), names[i]);
    /* XXH3-128 by default, as `xxhsum -H2` prints it */
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(files, 1), "xxh3_128")),
                        "8906bd85f8ce41a40133f23ff7849efe");
    assert_null(json_object_get(json_array_get(files, 1), "sha256"));
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(files, 1), "size")), 16);
    assert_int_equal(json_integer_value(json_object_get(m, "assay_manifest")),
                     2);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(m, "settings"), "manifest_hash")),
                        "xxh3_128");
    json_decref(m);
    assay_engine_free(e);
}

static void test_run_records_counts_and_rows(void **state)
{
    fixture *f = *state;
    assay_engine *e = configured(f);
    assert_int_equal(assay_engine_set_output_dir(e, f->out), ASSAY_OK);
    assert_int_equal(assay_engine_set_manifest(e, f->manifest), ASSAY_OK);
    assert_int_equal(assay_engine_run(e), 0);
    json_t *m = load_json(f->manifest);
    json_t *d = json_object_get(m, "documents");
    assert_int_equal(json_integer_value(json_object_get(d, "read")), 3);
    assert_int_equal(json_integer_value(json_object_get(d, "analysed")), 3);
    json_t *out = json_array_get(json_object_get(m, "outputs"), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "rows")), 3);
    assert_string_equal(json_string_value(json_object_get(out, "file")),
                        "m.csv");
    assert_int_equal(json_integer_value(json_object_get(m, "exit_status")),
                     0);
    const char *started = json_string_value(json_object_get(m, "started"));
    assert_non_null(started);
    assert_int_equal(strlen(started), 20);
    assert_int_equal(started[19], 'Z');
    json_decref(m);
    assay_engine_free(e);
}

static void test_load_restores_the_run(void **state)
{
    fixture *f = *state;
    assay_engine *e = configured(f);
    assert_int_equal(assay_engine_set(e, "format", "tsv"), ASSAY_OK);
    assert_int_equal(assay_engine_write_manifest(e, f->manifest), ASSAY_OK);
    assay_engine_free(e);
    assert_int_equal(assay_engine_new(&e), ASSAY_OK);
    assert_int_equal(assay_engine_load_manifest(e, f->manifest, 0), ASSAY_OK);
    assert_int_equal(assay_engine_plugin_count(e), 1);
    const assay_plugin_info *pi = assay_engine_plugin_info(e, 0);
    assert_string_equal(pi->name, "m");
    for (int i = 0; i < pi->n_options; i++) {
        if (strcmp(pi->option_names[i], "n") == 0)
            assert_string_equal(pi->option_values[i], "7");
        if (strcmp(pi->option_names[i], "flag") == 0)
            assert_string_equal(pi->option_values[i], "true");
        if (strcmp(pi->option_names[i], "ratio") == 0)
            assert_string_equal(pi->option_values[i], "0.5");
    }
    assert_int_equal(e->sink_opts.fmt, ASY_FMT_TSV);
    assert_int_equal((int)e->ninputs, 1);
    assert_string_equal(e->inputs[0], f->corpus);
    /* a second load into the now configured engine is refused */
    assert_int_equal(assay_engine_load_manifest(e, f->manifest, 0),
                     ASSAY_E_USAGE);
    assay_engine_free(e);
}

static void test_changed_input_refused_or_forced(void **state)
{
    fixture *f = *state;
    assay_engine *e = configured(f);
    assert_int_equal(assay_engine_write_manifest(e, f->manifest), ASSAY_OK);
    assay_engine_free(e);
    free(tu_write_str(f->corpus, "b.txt", "second document, edited\n"));
    assert_int_equal(assay_engine_new(&e), ASSAY_OK);
    assay_engine_set_message_callback(e, collect, f);
    assert_int_equal(assay_engine_load_manifest(e, f->manifest, 0),
                     ASSAY_E_IO);
    assert_non_null(strstr(assay_last_error(e)->message, "'b.txt' has changed"));
    assert_non_null(strstr(assay_last_error(e)->message, "XXH3 hash differs"));
    assert_non_null(strstr(assay_last_error(e)->hint, "force"));
    assay_engine_free(e);
    assert_int_equal(assay_engine_new(&e), ASSAY_OK);
    assay_engine_set_message_callback(e, collect, f);
    f->messages[0] = '\0';
    assert_int_equal(assay_engine_load_manifest(e, f->manifest,
                                                ASSAY_MANIFEST_FORCE),
                     ASSAY_OK);
    assert_non_null(strstr(f->messages, "warning: input"));
    assay_engine_free(e);
}

static void test_trust_bad_json_and_exit_status(void **state)
{
    fixture *f = *state;
    assay_engine *e = configured(f);
    assert_int_equal(assay_engine_set(e, "trust", "true"), ASSAY_OK);
    assert_int_equal(assay_engine_write_manifest(e, f->manifest), ASSAY_OK);
    assay_engine_free(e);
    assert_int_equal(assay_engine_new(&e), ASSAY_OK);
    assert_int_equal(assay_engine_load_manifest(e, f->manifest, 0),
                     ASSAY_E_USAGE);
    assert_non_null(strstr(assay_last_error(e)->hint, "--trust"));
    assay_engine_free(e);
    char *bad = tu_write_str(f->dir, "bad.json", "{\n  \"assay_manifest\": \n");
    assert_int_equal(assay_engine_new(&e), ASSAY_OK);
    assert_int_equal(assay_engine_load_manifest(e, bad, 0), ASSAY_E_PARSE);
    assert_true(assay_last_error(e)->line >= 2);
    assay_engine_free(e);
    free(bad);
    /* a file entry without a path: refused (the comparison used to loop
     * for ever) */
    e = configured(f);
    assert_int_equal(assay_engine_write_manifest(e, f->manifest), ASSAY_OK);
    assay_engine_free(e);
    json_t *m = load_json(f->manifest);
    json_object_del(json_array_get(json_object_get(json_array_get(
                        json_object_get(m, "inputs"), 0), "files"), 1),
                    "path");
    assert_int_equal(json_dump_file(m, f->manifest, JSON_INDENT(2)), 0);
    json_decref(m);
    assert_int_equal(assay_engine_new(&e), ASSAY_OK);
    assert_int_equal(assay_engine_load_manifest(e, f->manifest, 0),
                     ASSAY_E_PARSE);
    assert_non_null(strstr(assay_last_error(e)->message,
                           "file entry 2 has no path"));
    assay_engine_free(e);
    assert_int_equal(asy_manifest_exit_status(0), 0);
    assert_int_equal(asy_manifest_exit_status(4), 1);
    assert_int_equal(asy_manifest_exit_status(ASSAY_E_USAGE), 2);
    assert_int_equal(asy_manifest_exit_status(ASSAY_E_IO), 3);
}

/* The hash (of kind h) of file i of the manifest's first input. */
static const char *file_hash(json_t *m, size_t i, const char *path,
                             asy_filehash h)
{
    json_t *f = json_array_get(json_object_get(
        json_array_get(json_object_get(m, "inputs"), 0), "files"), i);
    assert_string_equal(json_string_value(json_object_get(f, "path")), path);
    return json_string_value(json_object_get(f, asy_filehash_name(h)));
}

/* The hash of kind h of s. */
static const char *hash_of(asy_filehash h, const char *s,
                           char hex[ASY_FILEHASH_HEX])
{
    asy_filehash_buf(h, s, strlen(s), hex);
    return hex;
}

/* The hashes of a run's manifest are those of the bytes the run read,
 * taken by the loader as it read them: on one thread, files rewritten
 * after the run read them (one with the same size and its mtime put
 * back, one grown) keep the digests and sizes of what was analysed, and
 * the gzip file has the digest of its compressed bytes. */
static void read_hashes(fixture *f, asy_filehash h)
{
    free(tu_write_str(f->corpus, "d.txt", "fourth document\n"));
    assay_engine *e = configured(f);
    assert_int_equal(assay_engine_set(e, "manifest_hash",
                                      asy_filehash_name(h)), ASSAY_OK);
    assert_int_equal(assay_engine_set(e, "threads", "1"), ASSAY_OK);
    assert_int_equal(assay_engine_set_output_dir(e, f->out), ASSAY_OK);
    assert_int_equal(assay_engine_set_manifest(e, f->manifest), ASSAY_OK);
    assert_int_equal(assay_engine_begin(e), ASSAY_OK);
    assert_int_equal(assay_engine_feed_input(e, f->corpus), ASSAY_OK);
    char path[1100];
    struct stat st;
    snprintf(path, sizeof path, "%s/b.txt", f->corpus);
    assert_int_equal(stat(path, &st), 0);
    free(tu_write_str(f->corpus, "b.txt", "SECOND DOCUMENT\n"));
    struct timespec times[2] = {st.st_atim, st.st_mtim};
    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
    free(tu_write_str(f->corpus, "d.txt", "fourth document, longer\n"));
    assert_int_equal(assay_engine_end(e), 0);
    json_t *m = load_json(f->manifest);
    char hex[ASY_FILEHASH_HEX];
    assert_string_equal(file_hash(m, 0, "a/z.md", h),
                        hash_of(h, "nested\n", hex));
    assert_string_equal(file_hash(m, 1, "b.txt", h),
                        hash_of(h, "second document\n", hex));
    snprintf(path, sizeof path, "%s/c.txt.gz", f->corpus);
    assert_int_equal(asy_filehash_file(h, path, hex, NULL, NULL, NULL),
                     ASSAY_OK);
    assert_string_equal(file_hash(m, 2, "c.txt.gz", h), hex);
    assert_string_equal(file_hash(m, 3, "d.txt", h),
                        hash_of(h, "fourth document\n", hex));
    json_t *d = json_array_get(json_object_get(
        json_array_get(json_object_get(m, "inputs"), 0), "files"), 3);
    assert_int_equal(json_integer_value(json_object_get(d, "size")), 16);
    json_decref(m);
    assay_engine_free(e);
}

static void test_hashes_of_what_was_read(void **state)
{
    read_hashes(*state, ASY_FILEHASH_XXH3);
}

static void test_hashes_of_what_was_read_sha256(void **state)
{
    read_hashes(*state, ASY_FILEHASH_SHA256);
}

/* Worker threads hash the files they read (the engine's deferred text
 * files) and the feeding thread the others (the gzip file); a file given
 * on its own is hashed under the path given. */
static void test_hashes_read_on_workers(void **state)
{
    fixture *f = *state;
    assay_engine *e = configured(f);
    char path[1100];
    snprintf(path, sizeof path, "%s/b.txt", f->corpus);
    assert_int_equal(assay_engine_add_input(e, path), ASSAY_OK);
    assert_int_equal(assay_engine_set(e, "threads", "2"), ASSAY_OK);
    assert_int_equal(assay_engine_set_output_dir(e, f->out), ASSAY_OK);
    assert_int_equal(assay_engine_set_manifest(e, f->manifest), ASSAY_OK);
    assert_int_equal(assay_engine_run(e), 0);
    json_t *m = load_json(f->manifest);
    char hex[ASY_FILEHASH_HEX];
    const asy_filehash h = ASY_FILEHASH_XXH3;
    assert_string_equal(file_hash(m, 0, "a/z.md", h),
                        hash_of(h, "nested\n", hex));
    assert_string_equal(file_hash(m, 1, "b.txt", h),
                        hash_of(h, "second document\n", hex));
    json_t *in = json_array_get(json_object_get(m, "inputs"), 1);
    json_t *b = json_array_get(json_object_get(in, "files"), 0);
    assert_string_equal(json_string_value(json_object_get(b, "path")),
                        "b.txt");
    assert_string_equal(json_string_value(json_object_get(b, "xxh3_128")),
                        hex);
    json_decref(m);
    assay_engine_free(e);
}

/* A file given twice and changed between the two reads: each input's
 * entry has the digest of what its read found. */
static void test_a_file_read_twice(void **state)
{
    fixture *f = *state;
    assay_engine *e = with_plugin(f);
    assert_int_equal(assay_engine_set(e, "threads", "1"), ASSAY_OK);
    assert_int_equal(assay_engine_set_output_dir(e, f->out), ASSAY_OK);
    assert_int_equal(assay_engine_set_manifest(e, f->manifest), ASSAY_OK);
    char path[1100];
    snprintf(path, sizeof path, "%s/b.txt", f->corpus);
    assert_int_equal(assay_engine_begin(e), ASSAY_OK);
    assert_int_equal(assay_engine_feed_input(e, path), ASSAY_OK);
    free(tu_write_str(f->corpus, "b.txt", "second document, edited\n"));
    assert_int_equal(assay_engine_feed_input(e, path), ASSAY_OK);
    free(tu_write_str(f->corpus, "b.txt", "third version\n"));
    assert_int_equal(assay_engine_end(e), 0);
    json_t *m = load_json(f->manifest);
    const char *want[] = {"second document\n", "second document, edited\n"};
    char hex[ASY_FILEHASH_HEX];
    for (size_t i = 0; i < 2; i++) {
        json_t *in = json_array_get(json_object_get(m, "inputs"), i);
        json_t *b = json_array_get(json_object_get(in, "files"), 0);
        assert_string_equal(json_string_value(json_object_get(b, "xxh3_128")),
                            hash_of(ASY_FILEHASH_XXH3, want[i], hex));
        assert_int_equal(json_integer_value(json_object_get(b, "size")),
                         strlen(want[i]));
    }
    json_decref(m);
    assay_engine_free(e);
}

/* A fresh engine loading f's manifest (flags 0): its status. */
static int load_fresh(fixture *f, assay_engine **out)
{
    assert_int_equal(assay_engine_new(out), ASSAY_OK);
    assay_engine_set_message_callback(*out, collect, f);
    return assay_engine_load_manifest(*out, f->manifest, 0);
}

/* With manifest_hash = sha256 the files carry SHA-256s, and a rerun from
 * the manifest keeps that setting. A manifest of format 1 (SHA-256
 * throughout, no manifest_hash setting) still loads, is checked with
 * SHA-256 (a changed file is found) and sets sha256 for the rerun; a
 * format from the future is refused. */
static void test_sha256_and_format_1(void **state)
{
    fixture *f = *state;
    assay_engine *e = configured(f);
    assert_int_equal(assay_engine_set(e, "manifest_hash", "md5"),
                     ASSAY_E_USAGE);
    assert_int_equal(assay_engine_set(e, "manifest_hash", "sha256"), ASSAY_OK);
    assert_int_equal(assay_engine_write_manifest(e, f->manifest), ASSAY_OK);
    assay_engine_free(e);
    json_t *m = load_json(f->manifest);
    char hex[ASY_FILEHASH_HEX];
    asy_sha256_buf("second document\n", 16, hex);
    assert_string_equal(file_hash(m, 1, "b.txt", ASY_FILEHASH_SHA256), hex);
    assert_null(file_hash(m, 1, "b.txt", ASY_FILEHASH_XXH3));
    assert_int_equal(load_fresh(f, &e), ASSAY_OK);
    assert_int_equal(e->manifest_hash, ASY_FILEHASH_SHA256);
    assay_engine_free(e);
    /* the same run as format 1 wrote it */
    json_object_set_new(m, "assay_manifest", json_integer(1));
    json_object_del(json_object_get(m, "settings"), "manifest_hash");
    assert_int_equal(json_dump_file(m, f->manifest, JSON_INDENT(2)), 0);
    assert_int_equal(load_fresh(f, &e), ASSAY_OK);
    assert_int_equal(e->manifest_hash, ASY_FILEHASH_SHA256);
    assay_engine_free(e);
    free(tu_write_str(f->corpus, "b.txt", "second document, edited\n"));
    assert_int_equal(load_fresh(f, &e), ASSAY_E_IO);
    assert_non_null(strstr(assay_last_error(e)->message,
                           "'b.txt' has changed since the manifest was "
                           "written (size or SHA-256 differs)"));
    assay_engine_free(e);
    json_object_set_new(m, "assay_manifest", json_integer(3));
    assert_int_equal(json_dump_file(m, f->manifest, JSON_INDENT(2)), 0);
    assert_int_equal(load_fresh(f, &e), ASSAY_E_PARSE);
    assert_non_null(strstr(assay_last_error(e)->message,
                           "its format, 3, is newer than this assay reads"));
    assay_engine_free(e);
    json_decref(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_manifest_only_contents, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_run_records_counts_and_rows,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_restores_the_run, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_changed_input_refused_or_forced,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_trust_bad_json_and_exit_status,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_hashes_of_what_was_read, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_hashes_of_what_was_read_sha256,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_hashes_read_on_workers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_file_read_twice, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sha256_and_format_1, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
