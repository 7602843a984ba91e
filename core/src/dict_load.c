/*
 * dict_load.c — reading dictionary files: format dispatch (by extension or
 * name), the shared line reader and error helper, and the CSV/TSV format
 * (`category,term[,weight]`, optional header, '#' comments).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "dict_int.h"
#include "utf8.h"

/* ===== helpers ============================================================ */

int asy_dict_next_line(dict_lines *r, const char **s, size_t *n)
{
    if (r->p >= r->end)
        return 0;
    const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    const char *e = nl ? nl : r->end;
    *s = r->p;
    *n = (size_t)(e - r->p);
    if (*n && (*s)[*n - 1] == '\r')
        (*n)--;
    if (r->line == 0 && *n >= 3 && !memcmp(*s, "\xEF\xBB\xBF", 3)) {
        *s += 3; /* a UTF-8 byte order mark */
        *n -= 3;
    }
    r->p = nl ? nl + 1 : r->end;
    r->line++;
    return 1;
}

int asy_dict_parse_error(asy_error *err, const char *name, long line,
                         const char *hint, const char *fmt, ...)
{
    if (!err)
        return ASSAY_E_PARSE;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    asy_error_set(err, ASSAY_E_PARSE, "%s", msg);
    asy_error_at(err, name, line, -1);
    if (hint)
        asy_error_hint(err, "%s", hint);
    return ASSAY_E_PARSE;
}

/* Copy one field into buf (NUL-terminated); *i moves past it and its
 * separator. Returns 0, or -1 on an unterminated quote / no memory. */
static int one_field(const char *s, size_t n, size_t *i, char sep,
                     asy_buf *buf)
{
    size_t k = *i;
    while (k < n && s[k] == ' ')
        k++;
    if (sep == ',' && k < n && s[k] == '"') {
        for (k++;; k++) {
            if (k >= n)
                return -1;
            if (s[k] == '"' && (k + 1 >= n || s[k + 1] != '"'))
                break;
            if (asy_buf_putc(buf, s[k]) < 0)
                return -1;
            k += s[k] == '"';
        }
        k++;
        while (k < n && s[k] != sep)
            k++;
    } else {
        size_t e = k;
        while (e < n && s[e] != sep)
            e++;
        if (asy_buf_append(buf, s + k, e - k) < 0)
            return -1;
        k = e;
    }
    *i = k + 1;
    return asy_buf_putc(buf, '\0');
}

int asy_dict_split_fields(const char *s, size_t n, char sep, asy_buf *buf,
                          const char **fields, int maxf)
{
    size_t offs[64];
    int nf = 0;
    asy_buf_clear(buf);
    for (size_t i = 0; i <= n && nf < maxf && nf < 64;) {
        offs[nf++] = buf->len;
        if (one_field(s, n, &i, sep, buf) < 0)
            return -1;
    }
    for (int k = 0; k < nf; k++)
        fields[k] = buf->data + offs[k];
    return nf;
}

/* ===== CSV / TSV ============================================================ */

static int is_header(const char **f, int nf)
{
    return nf >= 2 && (!strcasecmp(f[0], "category") ||
                       !strcasecmp(f[0], "topic")) &&
           (!strcasecmp(f[1], "term") || !strcasecmp(f[1], "word") ||
            !strcasecmp(f[1], "entry") || !strcasecmp(f[1], "pattern"));
}

static int parse_weight(const char *s, double *w)
{
    char *end;
    while (*s == ' ')
        s++;
    if (!*s)
        return 0; /* empty: unweighted */
    errno = 0;
    *w = strtod(s, &end);
    while (*end == ' ' || *end == '\r')
        end++;
    return errno || *end ? -1 : 0;
}

static int csv_row(asy_dict *d, const char *name, long line, const char **f,
                   int nf, asy_error *err)
{
    double w = 1;
    if (nf < 2 || !*f[1])
        return asy_dict_parse_error(err, name, line,
                                    "each line is category,term[,weight]",
                                    "expected a category and a term");
    if (nf >= 3 && parse_weight(f[2], &w) < 0)
        return asy_dict_parse_error(err, name, line, "weights are numbers "
                                    "such as 1 or 0.5", "bad weight '%s'",
                                    f[2]);
    int cat = asy_dict_category(d, f[0], err);
    if (cat < 0)
        return asy_dict_parse_error(err, name, line, NULL,
                                    "empty category name");
    int rc = asy_dict_add(d, cat, f[1], strlen(f[1]), w, name, line, err);
    if (rc == ASSAY_E_PARSE)
        return asy_dict_parse_error(err, name, line, NULL, "empty term");
    return rc;
}

int asy_dict_load_csv(asy_dict *d, const char *name, const char *data,
                      size_t len, int tab, asy_error *err)
{
    dict_lines r = {data, data + len, 0};
    asy_buf buf = ASY_BUF_INIT;
    const char *s, *f[4];
    size_t n;
    int rc = ASSAY_OK, first = 1;
    while (rc == ASSAY_OK && asy_dict_next_line(&r, &s, &n)) {
        size_t k = strspn(s, " \t");
        if (k >= n || s[k] == '#')
            continue;
        int nf = asy_dict_split_fields(s, n, tab ? '\t' : ',', &buf, f, 4);
        if (nf < 0)
            rc = asy_dict_parse_error(err, name, r.line, "close the quote "
                                      "on the same line",
                                      "unterminated quoted field");
        else if (!(first && is_header(f, nf)))
            rc = csv_row(d, name, r.line, f, nf, err);
        first = 0;
    }
    asy_buf_free(&buf);
    return rc;
}

/* ===== dispatch ============================================================== */

const asy_dict_ext asy_dict_exts[] = {
    {".yml", "yaml", 1},      {".yaml", "yaml", 1}, {".csv", "csv", 1},
    {".tsv", "tsv", 1},       {".dic", "liwc", 1},  {".dicx", "dicx", 1},
    {".lc3", "lexicoder", 1}, {".lcd", "lexicoder", 1},
    {".cat", "wordstat", 1},  {".txt", "liwc", 0},  {NULL, NULL, 0}};

static const char *guess(const char *name)
{
    size_t n = strlen(name);
    for (const asy_dict_ext *x = asy_dict_exts; x->ext; x++) {
        size_t e = strlen(x->ext);
        if (n > e && !strcasecmp(name + n - e, x->ext))
            return x->format;
    }
    return NULL;
}

static int load_into(asy_dict *d, const char *name, const char *format,
                     const char *data, size_t len, asy_error *err)
{
    if (!strcmp(format, "csv") || !strcmp(format, "tsv"))
        return asy_dict_load_csv(d, name, data, len, format[0] == 't', err);
    if (!strcmp(format, "liwc"))
        return asy_dict_load_liwc(d, name, data, len, err);
    if (!strcmp(format, "dicx"))
        return asy_dict_load_dicx(d, name, data, len, err);
    if (!strcmp(format, "yaml"))
        return asy_dict_load_yaml(d, name, data, len, err);
    if (!strcmp(format, "lexicoder"))
        return asy_dict_load_lexicoder(d, name, data, len, err);
    if (!strcmp(format, "wordstat"))
        return asy_dict_load_wordstat(d, name, data, len, err);
    asy_error_set(err, ASSAY_E_USAGE, "%s: unknown dictionary format '%s'",
                  name, format);
    asy_error_hint(err, "formats: csv tsv liwc dicx yaml lexicoder wordstat");
    return ASSAY_E_USAGE;
}

/* Dictionary files must be UTF-8: an entry in another encoding (a
 * Latin-1 LIWC file, say) would load and then never match. */
static int check_utf8(const char *name, const char *data, size_t len,
                      asy_error *err)
{
    size_t bad;
    if (asy_utf8_valid(data, len, &bad))
        return ASSAY_OK;
    long line = 1;
    for (size_t i = 0; i < bad; i++)
        line += data[i] == '\n';
    return asy_dict_parse_error(
        err, name, line, "save the dictionary as UTF-8 (for a Latin-1 or "
        "Windows-1252 file: iconv -f windows-1252 -t utf-8 FILE > NEW)",
        "byte %zu (0x%02X) is not UTF-8", bad + 1,
        (unsigned)(unsigned char)data[bad]);
}

asy_dict *asy_dict_load_mem(const char *name, const char *format,
                            const char *data, size_t len, asy_error *err)
{
    if (check_utf8(name, data, len, err) != ASSAY_OK)
        return NULL;
    if (!format && !(format = guess(name))) {
        asy_error_set(err, ASSAY_E_USAGE, "%s: cannot tell the dictionary "
                      "format from the file name", name);
        asy_error_hint(err, "use one of .csv .tsv .dic .dicx .yml .yaml "
                       ".lc3 .lcd .cat, or give the format");
        return NULL;
    }
    asy_dict *d = asy_dict_new();
    if (!d) {
        asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
        return NULL;
    }
    if (load_into(d, name, format, data, len, err) != ASSAY_OK ||
        asy_dict_compile(d, err) != ASSAY_OK) {
        asy_dict_free(d);
        return NULL;
    }
    return d;
}

static char *slurp(const char *path, size_t *len, asy_error *err)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    char *buf = NULL;
    if (f && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
        (buf = malloc((size_t)st.st_size + 1))) {
        *len = fread(buf, 1, (size_t)st.st_size, f);
        buf[*len] = '\0';
        if (ferror(f)) {
            free(buf);
            buf = NULL;
        }
    }
    int e = errno;
    if (f)
        fclose(f);
    if (!buf) {
        asy_error_set(err, ASSAY_E_IO, "%s: cannot read dictionary: %s", path,
                      f ? "not a readable file" : asy_errno_text(e));
        asy_error_at(err, path, -1, -1);
    }
    return buf;
}

asy_dict *asy_dict_load(const char *path, const char *format, asy_error *err)
{
    size_t len = 0;
    char *data = slurp(path, &len, err);
    if (!data)
        return NULL;
    asy_dict *d = asy_dict_load_mem(path, format, data, len, err);
    free(data);
    return d;
}
