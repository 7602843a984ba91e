/*
 * cmd_plugins.c — `assay plugins [NAME]`: list the bundled plugins with
 * their summary, outputs and options, or describe one plugin.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assay.h"
#include "cli.h"
#include "plugin.h"

static void plugins_usage(FILE *f)
{
    fputs("usage: assay plugins [NAME|PATH] [--plugin-path DIRS]\n"
          "\n"
          "Without NAME, list every bundled plugin (name, version, summary,\n"
          "outputs with their columns, options with their defaults).\n"
          "With NAME, describe that plugin only.\n",
          f);
}

static const char *type_name(int t)
{
    static const char *names[] = {"nil", "integer", "number", "boolean",
                                  "string"};
    return t >= 0 && t <= 4 ? names[t] : "?";
}

static void describe(const asy_plugin_def *d)
{
    printf("%s %s — %s\n", d->name, d->version, d->summary);
    printf("  file: %s\n", d->path);
    for (int o = 0; o < d->noutputs; o++) {
        printf("  output %s:", d->outputs[o].name);
        for (int c = 0; c < d->outputs[o].ncols; c++)
            printf("%s%s", c ? "," : " ", d->outputs[o].columns[c]);
        putchar('\n');
    }
    for (int i = 0; i < d->noptions; i++)
        printf("  option %s (%s) = %s\n", d->options[i].name,
               type_name(d->options[i].type), d->options[i].value);
}

static int describe_one(const char *name, char **dirs)
{
    asy_plugin_def d;
    asy_error err;
    memset(&d, 0, sizeof d);
    if (asy_plugin_def_load(&d, name, dirs, &err) < 0) {
        char buf[2048];
        fprintf(stderr, "assay: %s\n", asy_error_format(&err, buf, sizeof buf));
        asy_plugin_def_free(&d);
        return EXIT_FATAL;
    }
    describe(&d);
    asy_plugin_def_free(&d);
    return EXIT_OK;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every NAME.lua of every plugin dir; the first dir wins for a name. */
static int list_all(char **dirs)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; dirs[i]; i++) {
        DIR *dir = opendir(dirs[i]);
        struct dirent *de;
        while (dir && (de = readdir(dir)) != NULL) {
            size_t len = strlen(de->d_name);
            if (de->d_name[0] == '.' || len < 5 ||
                strcmp(de->d_name + len - 4, ".lua") != 0)
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 32;
                char **v = realloc(names, cap * sizeof *v);
                if (!v)
                    break;
                names = v;
            }
            names[n++] = strndup(de->d_name, len - 4);
        }
        if (dir)
            closedir(dir);
    }
    if (n)
        qsort(names, n, sizeof *names, by_name);
    int rc = EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        if (names[i] && (i == 0 || strcmp(names[i], names[i - 1]) != 0)) {
            if (describe_one(names[i], dirs) != EXIT_OK)
                rc = EXIT_FATAL;
            if (i + 1 < n)
                putchar('\n');
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int cmd_plugins(int argc, char **argv)
{
    const char *name = NULL, *extra = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            plugins_usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--plugin-path") && i + 1 < argc) {
            extra = argv[++i];
        } else if (argv[i][0] == '-') {
            plugins_usage(stderr);
            return EXIT_USAGE;
        } else {
            name = argv[i];
        }
    }
    char **dirs = asy_plugin_dirs(extra);
    int rc = name ? describe_one(name, dirs) : list_all(dirs);
    asy_strv_free(dirs);
    return rc;
}
