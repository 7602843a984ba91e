/*
 * report.c — the plain-C half of report scripts (report.h): finding
 * scripts, reading a plugin's CSV back for render(), and writing a file a
 * script produces, only inside the output directory and atomically.
 */
#define _GNU_SOURCE /* asprintf */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

#include "report.h"
#include "strbuf.h"

/* ===== reading a CSV back ============================================== */

typedef struct reader {
    asy_table *t;
    char **row;     /* cells of the row being parsed */
    int nrow, caprow;
    size_t capcells;
    int oom, header_done;
    long long line;
} reader;

static int push_cell(reader *r, const char *s, size_t n)
{
    if (r->nrow == r->caprow) {
        int cap = r->caprow ? r->caprow * 2 : 16;
        char **v = realloc(r->row, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        r->row = v;
        r->caprow = cap;
    }
    char *c = malloc(n + 1);
    if (!c)
        return -1;
    memcpy(c, s, n);
    c[n] = '\0';
    r->row[r->nrow++] = c;
    return 0;
}

static void on_field(void *s, size_t n, void *ud)
{
    reader *r = ud;
    if (!r->oom && push_cell(r, s ? s : "", s ? n : 0) < 0)
        r->oom = 1;
}

static void drop_row(reader *r)
{
    for (int i = 0; i < r->nrow; i++)
        free(r->row[i]);
    r->nrow = 0;
}

/* Append the parsed row as ncols cells (extra cells dropped, missing
 * ones ""). The first row is the header. */
static int commit_row(reader *r)
{
    asy_table *t = r->t;
    if (!r->header_done) {
        t->cols = r->row;
        t->ncols = r->nrow;
        r->row = NULL;
        r->nrow = r->caprow = 0;
        r->header_done = 1;
        return 0;
    }
    size_t need = (t->nrows + 1) * (size_t)t->ncols;
    if (need > r->capcells) {
        size_t cap = r->capcells ? r->capcells * 2 : 256;
        while (cap < need)
            cap *= 2;
        char **v = realloc(t->cells, cap * sizeof *v);
        if (!v)
            return -1;
        t->cells = v;
        r->capcells = cap;
    }
    char **dst = t->cells + t->nrows * (size_t)t->ncols;
    for (int i = 0; i < t->ncols; i++) {
        dst[i] = i < r->nrow ? r->row[i] : strdup("");
        if (i < r->nrow)
            r->row[i] = NULL;
        if (!dst[i]) {
            for (int k = 0; k < i; k++)
                free(dst[k]);
            return -1;
        }
    }
    for (int i = t->ncols; i < r->nrow; i++)
        free(r->row[i]);
    r->nrow = 0;
    t->nrows++;
    return 0;
}

static void on_row(int c, void *ud)
{
    reader *r = ud;
    (void)c;
    r->line++;
    if (r->oom || commit_row(r) < 0) {
        r->oom = 1;
        drop_row(r);
    }
}

static int parse_stream(FILE *f, struct csv_parser *p, reader *r)
{
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        if (csv_parse(p, buf, n, on_field, on_row, r) != n)
            return -1;
    return ferror(f) ? -2 : 0;
}

int asy_table_read_csv(asy_table *t, const char *path, asy_error *err)
{
    memset(t, 0, sizeof *t);
    struct csv_parser p;
    reader r = {.t = t};
    FILE *f = fopen(path, "rb");
    if (!f)
        return asy_error_set(err, ASSAY_E_IO, "%s: %s", path, asy_errno_text(errno));
    if (csv_init(&p, CSV_APPEND_NULL) != 0) {
        fclose(f);
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    }
    int rc = parse_stream(f, &p, &r);
    if (rc == 0)
        csv_fini(&p, on_field, on_row, &r);
    fclose(f);
    drop_row(&r);
    free(r.row);
    if (r.oom)
        rc = asy_error_set(err, ASSAY_E_NOMEM, "%s: out of memory", path);
    else if (rc != 0) {
        const char *what = rc == -2 ? "read error" : csv_strerror(csv_error(&p));
        rc = asy_error_set(err, ASSAY_E_PARSE, "%s: %s", path, what);
        asy_error_at(err, path, r.line + 1, -1);
    }
    csv_free(&p);
    if (rc != 0)
        asy_table_free(t);
    return rc;
}

void asy_table_free(asy_table *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->ncols; i++)
        free(t->cols[i]);
    for (size_t i = 0; i < t->nrows * (size_t)t->ncols; i++)
        free(t->cells[i]);
    free(t->cols);
    free(t->cells);
    memset(t, 0, sizeof *t);
}

/* ===== writing a file of the report ==================================== */

int asy_report_safe_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 128 || name[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != '_' && c != '-' && c != '.')
            return 0;
    }
    return 1;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int asy_report_write_file(const char *dir, const char *name, const void *data,
                          size_t len, asy_error *err)
{
    char *final = NULL, *tmp = NULL;
    if (!asy_report_safe_name(name))
        return asy_error_set(err, ASSAY_E_USAGE, "cannot write '%s': a report "
                             "writes plain file names ([A-Za-z0-9_.-], not "
                             "starting with '.') in its output directory",
                             name ? name : "(nil)");
    if (asprintf(&final, "%s/%s", dir, name) < 0)
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    if (asprintf(&tmp, "%s/.%s.tmpXXXXXX", dir, name) < 0) {
        free(final);
        return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
    }
    int fd = mkstemp(tmp), rc = ASSAY_OK;
    if (fd < 0 || write_all(fd, data, len) < 0 || fsync(fd) < 0)
        rc = asy_error_set(err, ASSAY_E_IO, "%s: %s", final, asy_errno_text(errno));
    if (fd >= 0 && close(fd) < 0 && rc == ASSAY_OK)
        rc = asy_error_set(err, ASSAY_E_IO, "%s: %s", final, asy_errno_text(errno));
    if (rc == ASSAY_OK && rename(tmp, final) < 0)
        rc = asy_error_set(err, ASSAY_E_IO, "%s: %s", final, asy_errno_text(errno));
    if (rc != ASSAY_OK && fd >= 0)
        unlink(tmp);
    if (rc == ASSAY_OK)
        chmod(final, 0644);
    free(final);
    free(tmp);
    return rc;
}

/* ===== finding scripts ================================================= */

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_path(const char *name)
{
    size_t n = strlen(name);
    return strchr(name, '/') || (n > 4 && strcmp(name + n - 4, ".lua") == 0);
}

char *asy_report_resolve(const char *name, char *const *dirs, asy_error *err)
{
    char *p = NULL;
    if (is_path(name)) {
        if (is_file(name))
            return strdup(name);
        asy_error_set(err, ASSAY_E_USAGE, "report script '%s' not found", name);
        return NULL;
    }
    for (int i = 0; dirs && dirs[i]; i++) {
        if (asprintf(&p, "%s/%s.lua", dirs[i], name) < 0)
            return NULL;
        if (is_file(p))
            return p;
        free(p);
    }
    asy_error_set(err, ASSAY_E_USAGE, "unknown report '%s'", name);
    asy_error_hint(err, "'assay report --list' shows the bundled reports; "
                        "a path to a .lua file runs your own");
    return NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const asy_report_entry *)a)->name,
                  ((const asy_report_entry *)b)->name);
}

static int known(const asy_report_entry *v, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            return 1;
    return 0;
}

/* Add DIR/NAME.lua entries of one directory to *v. */
static int scan_dir(const char *dir, asy_report_entry **v, int *n, int *cap)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL) {
        size_t k = strlen(de->d_name);
        if (de->d_name[0] == '.' || k < 5 || strcmp(de->d_name + k - 4, ".lua"))
            continue;
        char *name = strndup(de->d_name, k - 4), *path = NULL;
        if (!name || known(*v, *n, name) ||
            asprintf(&path, "%s/%s", dir, de->d_name) < 0 || !is_file(path)) {
            free(name);
            free(path);
            continue;
        }
        if (*n == *cap) {
            int c = *cap ? *cap * 2 : 8;
            asy_report_entry *nv = realloc(*v, (size_t)c * sizeof *nv);
            if (!nv) {
                free(name);
                free(path);
                closedir(d);
                return -1;
            }
            *v = nv;
            *cap = c;
        }
        (*v)[(*n)++] = (asy_report_entry){name, path};
    }
    closedir(d);
    return 0;
}

int asy_report_find_all(char *const *dirs, asy_report_entry **out, int *n,
                        asy_error *err)
{
    asy_report_entry *v = NULL;
    int cnt = 0, cap = 0;
    for (int i = 0; dirs && dirs[i]; i++)
        if (scan_dir(dirs[i], &v, &cnt, &cap) < 0) {
            asy_report_entries_free(v, cnt);
            return asy_error_set(err, ASSAY_E_NOMEM, "out of memory");
        }
    if (cnt > 1)
        qsort(v, (size_t)cnt, sizeof *v, by_name);
    *out = v;
    *n = cnt;
    return ASSAY_OK;
}

void asy_report_entries_free(asy_report_entry *v, int n)
{
    for (int i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].path);
    }
    free(v);
}
