/*
 * plugin_path.c — where bundled plugins and report scripts are found, and
 * how a plugin name becomes a file path (plugin.h). Plain C: no Lua here.
 * Search order: user-given dirs, $ASSAY_PATH, <exe>/../share/assay, the
 * install prefix, then the source tree (running from a build directory).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin.h"
#include "strbuf.h"

typedef struct strv {
    char **v;
    int n, cap;
    int oom;
} strv;

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Append dir if it exists and is not already listed (by realpath). */
static void add_dir(strv *s, const char *dir)
{
    char real[PATH_MAX], other[PATH_MAX];
    if (!dir || !*dir || !is_dir(dir) || !realpath(dir, real))
        return;
    for (int i = 0; i < s->n; i++)
        if (realpath(s->v[i], other) && strcmp(other, real) == 0)
            return;
    if (s->n + 2 > s->cap) {
        int cap = s->cap ? s->cap * 2 : 8;
        char **n = realloc(s->v, (size_t)cap * sizeof *n);
        if (!n) {
            s->oom = 1;
            return;
        }
        s->v = n;
        s->cap = cap;
    }
    if (!(s->v[s->n] = strdup(real))) { /* canonical: no "bin/../" */
        s->oom = 1;
        return;
    }
    s->v[++s->n] = NULL;
}

/* base/sub if that exists, else base itself (ASSAY_PATH entries may name a
 * tree with plugins/ and scripts/ or the plugin directory directly). */
static void add_tree_or_dir(strv *s, const char *base, size_t n,
                            const char *sub)
{
    char path[PATH_MAX];
    if (n == 0 || n >= sizeof path - 32)
        return;
    snprintf(path, sizeof path, "%.*s/%s", (int)n, base, sub);
    if (is_dir(path))
        add_dir(s, path);
    else {
        snprintf(path, sizeof path, "%.*s", (int)n, base);
        add_dir(s, path);
    }
}

/* Each entry of a colon-separated list. */
static void add_list(strv *s, const char *list, const char *sub)
{
    while (list && *list) {
        const char *c = strchr(list, ':');
        size_t n = c ? (size_t)(c - list) : strlen(list);
        if (sub)
            add_tree_or_dir(s, list, n, sub);
        else {
            char path[PATH_MAX];
            if (n > 0 && n < sizeof path) {
                snprintf(path, sizeof path, "%.*s", (int)n, list);
                add_dir(s, path);
            }
        }
        list = c ? c + 1 : NULL;
    }
}

static void add_exe_relative(strv *s, const char *sub)
{
    char exe[PATH_MAX], path[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return;
    *slash = '\0';
    snprintf(path, sizeof path, "%s/../share/assay/%s", exe, sub);
    add_dir(s, path);
}

#if defined(ASSAY_SOURCE_DIR) && defined(ASSAY_BINARY_DIR)
/* 1 if `path` (resolved) lies inside the build tree. */
static int in_build_tree(const char *path)
{
    char real[PATH_MAX], build[PATH_MAX];
    if (!realpath(path, real) || !realpath(ASSAY_BINARY_DIR, build))
        return 0;
    size_t k = strlen(build);
    return strncmp(real, build, k) == 0 && real[k] == '/';
}

/* The program or the library itself runs from the build tree (tests, a
 * Python session using build/libassay.so). */
static int running_from_build_tree(void)
{
    Dl_info info;
    if (in_build_tree("/proc/self/exe"))
        return 1;
    return dladdr((void *)asy_plugin_dirs, &info) && info.dli_fname &&
           in_build_tree(info.dli_fname);
}
#endif

/* An embedding program lives anywhere; the library itself is installed in
 * PREFIX/lib or PREFIX/lib/<triplet>, so look beside it too. */
static void add_lib_relative(strv *s, const char *sub)
{
    Dl_info info;
    char lib[PATH_MAX], path[PATH_MAX + 64];
    if (!dladdr((void *)asy_plugin_dirs, &info) || !info.dli_fname ||
        !realpath(info.dli_fname, lib))
        return;
    char *slash = strrchr(lib, '/');
    if (!slash)
        return;
    *slash = '\0';
    snprintf(path, sizeof path, "%s/../share/assay/%s", lib, sub);
    add_dir(s, path);
    snprintf(path, sizeof path, "%s/../../share/assay/%s", lib, sub);
    add_dir(s, path);
}

static char **search_dirs(const char *extra, const char *sub)
{
    strv s = {NULL, 0, 0, 0};
    char path[PATH_MAX];
    add_list(&s, extra, NULL);
    add_list(&s, getenv("ASSAY_PATH"), sub);
    add_exe_relative(&s, sub);
    add_lib_relative(&s, sub);
#ifdef ASSAY_DATADIR
    snprintf(path, sizeof path, "%s/%s", ASSAY_DATADIR, sub);
    add_dir(&s, path);
#endif
#if defined(ASSAY_SOURCE_DIR) && defined(ASSAY_BINARY_DIR)
    /* The source tree serves only binaries still inside the build tree; an
     * installed assay must find its plugins without it. */
    if (running_from_build_tree()) {
        snprintf(path, sizeof path, "%s/%s", ASSAY_SOURCE_DIR, sub);
        add_dir(&s, path);
    }
#endif
    (void)path;
    if (!s.v && !s.oom)
        s.v = calloc(1, sizeof *s.v);
    if (s.oom) {
        asy_strv_free(s.v);
        return NULL;
    }
    return s.v;
}

char **asy_plugin_dirs(const char *extra)
{
    return search_dirs(extra, "plugins");
}

char **asy_script_dirs(const char *extra)
{
    return search_dirs(extra, "scripts");
}

void asy_strv_free(char **v)
{
    for (int i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static int looks_like_path(const char *name)
{
    size_t n = strlen(name);
    return strchr(name, '/') || (n > 4 && strcmp(name + n - 4, ".lua") == 0);
}

static void not_found(const char *name, char *const *dirs, asy_error *err)
{
    asy_buf b = ASY_BUF_INIT;
    for (int i = 0; dirs && dirs[i]; i++)
        asy_buf_printf(&b, "%s%s", i ? ", " : "", dirs[i]);
    asy_error_set(err, ASSAY_E_IO, "plugin '%s' not found in: %s", name,
                  b.len ? b.data : "(no plugin directories)");
    asy_error_hint(err, "give a path to a .lua file, or add a directory with "
                   "--plugin-path or $ASSAY_PATH");
    asy_buf_free(&b);
}

char *asy_plugin_resolve(const char *name, char *const *dirs, asy_error *err)
{
    if (!name || !*name) {
        asy_error_set(err, ASSAY_E_USAGE, "empty plugin name");
        return NULL;
    }
    if (looks_like_path(name)) {
        if (is_file(name))
            return strdup(name);
        asy_error_set(err, ASSAY_E_IO, "plugin file '%s' does not exist", name);
        return NULL;
    }
    for (int i = 0; dirs && dirs[i]; i++) {
        char *p = NULL;
        if (asprintf(&p, "%s/%s.lua", dirs[i], name) < 0)
            return NULL;
        if (is_file(p))
            return p;
        free(p);
    }
    not_found(name, dirs, err);
    return NULL;
}
