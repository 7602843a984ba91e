/*
 * report_api.c — assay_report_run(): a report script run end to end
 * through the public engine, for embedders (the Python module) and the
 * `assay report` command alike: load the script, apply its options,
 * load its plugins, run one pass, then render into the output directory.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clocale.h"
#include "engine.h"
#include "report.h"

/* "KEY=VALUE" options: KEY for the script (before its plugins are loaded),
 * PLUGIN.KEY for a plugin (after). */
static int apply(assay_engine *e, asy_report *r, const char *const *options,
                 int plugin_phase)
{
    for (size_t i = 0; options && options[i]; i++) {
        const char *eq = strchr(options[i], '=');
        if (!eq) {
            asy_error_set(&e->err, ASSAY_E_USAGE,
                          "report option '%s' is not KEY=VALUE", options[i]);
            return ASSAY_E_USAGE;
        }
        char *key = strndup(options[i], (size_t)(eq - options[i]));
        if (!key)
            return asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
        int dotted = strchr(key, '.') != NULL, rc = ASSAY_OK;
        if (plugin_phase && dotted)
            rc = assay_engine_set_option(e, key, eq + 1);
        else if (!plugin_phase && !dotted)
            rc = asy_report_set_option(r, key, eq + 1, &e->err);
        free(key);
        if (rc < 0)
            return rc;
    }
    return ASSAY_OK;
}

static int configure(assay_engine *e, asy_report *r,
                     const char *const *options, const char *outdir)
{
    char *manifest = NULL;
    int rc = apply(e, r, options, 0);
    if (rc == ASSAY_OK)
        rc = asy_report_configure(r, e, &e->err);
    if (rc == ASSAY_OK)
        rc = apply(e, r, options, 1);
    if (rc == ASSAY_OK && asprintf(&manifest, "%s/manifest.json", outdir) < 0)
        rc = asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
    if (rc == ASSAY_OK)
        rc = assay_engine_set_output_dir(e, outdir);
    if (rc == ASSAY_OK)
        rc = assay_engine_set_manifest(e, manifest);
    free(manifest);
    return rc;
}

static int do_report_run(assay_engine *e, const char *name,
                         const char *const *options, const char *outdir)
{
    asy_error_clear(&e->err);
    if (!name || !outdir)
        return asy_error_set(&e->err, ASSAY_E_USAGE,
                             "a report name and an output directory are "
                             "required");
    if (e->nplugins > 0)
        return asy_error_set(&e->err, ASSAY_E_USAGE,
                             "a report loads its own plugins: use a fresh "
                             "engine");
    char **dirs = asy_script_dirs(e->plugin_path);
    asy_report *r = NULL;
    int rc = dirs ? asy_report_load(&r, name, dirs, e->trust, &e->err)
                  : asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
    asy_strv_free(dirs);
    if (rc == ASSAY_OK)
        rc = configure(e, r, options, outdir);
    int st = rc == ASSAY_OK ? assay_engine_run(e) : rc;
    if (st >= 0) {
        asy_error err;
        asy_error_clear(&err);
        rc = asy_report_render(r, e, outdir, (const char *const *)e->inputs,
                               (int)e->ninputs, &err);
        if (rc != ASSAY_OK) {
            asy_error_copy(&e->err, &err);
            asy_error_hint(&e->err, "the CSVs and manifest are in %s; the "
                                    "report itself was not written", outdir);
            st = rc;
        }
    }
    asy_report_free(r);
    return st;
}

int assay_report_run(assay_engine *e, const char *name,
                     const char *const *options, const char *outdir)
{
    locale_t was = asy_engine_enter(e);
    int rc = do_report_run(e, name, options, outdir);
    asy_engine_leave(e, was);
    return rc;
}
