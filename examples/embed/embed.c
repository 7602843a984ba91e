/*
 * embed.c — using libassay from C with nothing but <assay.h>.
 *
 * Runs the bundled wordfreq plugin and a small inline plugin over two
 * in-memory documents plus any files named on the command line, and prints
 * the rows it receives through a callback.
 *
 * Build against an installed assay:
 *   cc embed.c $(pkg-config --cflags --libs assay) -o embed
 */
#include <stdio.h>
#include <string.h>

#include <assay.h>

/* A plugin can come from a string: this one counts documents per date. */
static const char *inline_plugin =
    "return {\n"
    "  name = 'dates', summary = 'documents per date',\n"
    "  columns = { 'date', 'documents' },\n"
    "  init = function(ctx) return { n = {} } end,\n"
    "  document = function(doc, ctx)\n"
    "    local d = doc.date or 'unknown'\n"
    "    ctx.state.n[d] = (ctx.state.n[d] or 0) + 1\n"
    "  end,\n"
    "  merge = function(a, b)\n"
    "    for k, v in pairs(b.n) do a.n[k] = (a.n[k] or 0) + v end\n"
    "  end,\n"
    "  finish = function(ctx, out)\n"
    "    local keys = {}\n"
    "    for k in pairs(ctx.state.n) do keys[#keys + 1] = k end\n"
    "    table.sort(keys)\n"
    "    for _, k in ipairs(keys) do out:row{ k, ctx.state.n[k] } end\n"
    "  end,\n"
    "}\n";

static void print_value(const assay_value *v)
{
    switch (v->type) {
    case ASSAY_INTEGER: printf("%lld", (long long)v->i); break;
    case ASSAY_NUMBER: printf("%g", v->d); break;
    case ASSAY_BOOLEAN: printf("%s", v->i ? "true" : "false"); break;
    case ASSAY_STRING: printf("%s", v->s); break;
    default: printf("(nil)");
    }
}

/* Rows arrive in corpus order; the pointers are valid during the call. */
static int on_row(void *userdata, const assay_row *row)
{
    int *count = userdata;
    printf("%s:", row->output);
    for (int i = 0; i < row->ncolumns; i++) {
        printf(" %s=", row->columns[i]);
        print_value(&row->values[i]);
    }
    putchar('\n');
    (*count)++;
    return 0;
}

static int fail(assay_engine *e)
{
    const assay_error_info *err = assay_last_error(e);
    fprintf(stderr, "embed: %s (%s)\n", err->message, assay_strerror(err->code));
    assay_engine_free(e);
    return 1;
}

int main(int argc, char **argv)
{
    assay_engine *e = NULL;
    int rows = 0;
    if (assay_engine_new(&e) != ASSAY_OK)
        return 1;
    if (assay_engine_load_plugin(e, "wordfreq", NULL) < 0 ||
        assay_engine_load_plugin_string(e, "dates.lua", inline_plugin, NULL) < 0 ||
        assay_engine_set_option(e, "wordfreq.top", "3") < 0 ||
        assay_engine_set_option(e, "stopwords", "english") < 0 ||
        assay_engine_set_row_callback(e, on_row, &rows) < 0 ||
        assay_engine_begin(e) < 0)
        return fail(e);

    const char *keys[] = {"date"};
    const char *d1[] = {"2024-07-02"};
    const char *t1 = "The port handles grain. Grain exports rose; the port grew.";
    const char *t2 = "Grain prices fell as the harbour reopened.";
    if (assay_engine_add_document(e, "mem-1", t1, strlen(t1), keys, d1, 1) < 0 ||
        assay_engine_add_document(e, "mem-2", t2, strlen(t2), NULL, NULL, 0) < 0)
        return fail(e);
    for (int i = 1; i < argc; i++)
        if (assay_engine_feed_input(e, argv[i]) < 0)
            return fail(e);

    int rc = assay_engine_end(e);
    if (rc < 0)
        return fail(e);
    assay_stats st;
    assay_engine_stats(e, &st);
    printf("documents: %llu read, %llu analysed, %llu skipped; rows: %d\n",
           (unsigned long long)st.documents_read,
           (unsigned long long)st.documents_analysed,
           (unsigned long long)st.documents_skipped, rows);
    assay_engine_free(e);
    return rc == 0 ? 0 : 1;
}
