/*
 * load_text.c — plain-text files (.txt, .md, .text, and any file named
 * explicitly whose type is unknown): one file is one document, cleaned by
 * the shared policy, then the header conventions of asy_doc_parse_header
 * ("date YYYY-MM-DD", front matter) are applied. An empty file is an
 * empty document, not an error.
 */
#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "loader_int.h"

typedef struct text_state {
    asy_load_base b; /* first: see loader_int.h */
    int done;
} text_state;

static const char *const text_ext[] = {".txt", ".md", ".text", NULL};

static void text_close(void *st)
{
    asy_load_state_free(st);
}

static int text_open(void **state, asy_source *src, const char *display,
                     const asy_input_opts *o, const asy_report *rep,
                     asy_error *err)
{
    *state = asy_load_state_new(sizeof(text_state), src, display, o, rep,
                                err);
    return *state ? ASSAY_OK : ASSAY_E_NOMEM;
}

/* Read the rest of an over-sized stream to learn its size for the
 * message, in bounded memory. -1 if a read fails on the way. */
static long long drain(asy_source *src, long long have)
{
    char buf[16384];
    long long k;
    while ((k = asy_source_read(src, buf, sizeof buf, NULL)) > 0)
        have += k;
    return k < 0 ? -1 : have;
}

static int read_body(text_state *s, asy_buf *raw, asy_error *err)
{
    int rc = asy_source_read_all(s->b.src, raw, s->b.o->max_doc_bytes, err);
    if (rc == ASSAY_E_LIMIT) {
        long long size = drain(s->b.src, (long long)raw->len);
        asy_report_too_big(s->b.rep, asy_source_path(s->b.src), s->b.display, "",
                           size, s->b.o->max_doc_bytes);
        asy_error_clear(err);
        return 0;
    }
    return rc < 0 ? rc : 1;
}

static int text_next(void *st, asy_doc **out, asy_error *err)
{
    text_state *s = st;
    *out = NULL;
    if (s->done)
        return 0;
    s->done = 1;
    asy_buf raw = ASY_BUF_INIT;
    int rc = read_body(s, &raw, err);
    asy_doc *d = rc > 0 ? asy_doc_new(s->b.display, asy_source_path(s->b.src))
                        : NULL;
    if (rc > 0 && !d)
        rc = asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    if (rc > 0 && raw.data) { /* the document takes the buffer */
        rc = asy_load_text_owned(d, raw.data, raw.len, s->b.o, s->b.rep, 0, "",
                                 err);
        raw = (asy_buf)ASY_BUF_INIT;
    } else if (rc > 0)
        rc = asy_load_text_into(d, "", 0, s->b.o, s->b.rep, 0, "", err);
    asy_buf_free(&raw);
    if (rc > 0 && asy_doc_parse_header(d) < 0)
        rc = asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    if (rc <= 0) {
        asy_doc_free(d);
        return rc;
    }
    *out = d;
    return 1;
}

const asy_format asy_format_text = {
    "text", text_ext, text_open, text_next, text_close,
};
