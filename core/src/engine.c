/*
 * engine.c — assay_engine: lifecycle, settings, plugins, inputs and output
 * choices. The run loop itself is in engine_run.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clocale.h"
#include "engine.h"
#include "manifest.h"
#include "strbuf.h"

/* ===================================================================== */
/* Small helpers                                                         */
/* ===================================================================== */

const char *assay_version(void)
{
    return ASSAY_VERSION_STRING;
}

static char *dupstr(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int set_str(char **dst, const char *v)
{
    char *c = dupstr(v);
    if (v && !c)
        return ASSAY_E_NOMEM;
    free(*dst);
    *dst = c;
    return ASSAY_OK;
}

static void default_message(void *ud, const char *line)
{
    (void)ud;
    fprintf(stderr, "assay: %s\n", line);
}

/* ===================================================================== */
/* Lifecycle and settings                                                */
/* ===================================================================== */

int assay_engine_new(assay_engine **out)
{
    assay_engine *e = calloc(1, sizeof *e);
    if (!e)
        return ASSAY_E_NOMEM;
    asy_error_clear(&e->err);
    e->threads = 1;
    e->sink_opts.fmt = ASY_FMT_CSV;
    asy_input_opts_default(&e->in);
    e->mem_limit = (size_t)1024 << 20;
    e->msg_fn = default_message;
    *out = e;
    return ASSAY_OK;
}

static void free_plugin_info(plugin_slot *s)
{
    free(s->out_names);
    free(s->out_ncols);
    free(s->out_cols);
    free(s->opt_names);
    free(s->opt_types);
    free(s->opt_values);
    s->out_names = NULL;
    s->out_ncols = NULL;
    s->out_cols = NULL;
    s->opt_names = s->opt_types = s->opt_values = NULL;
}

locale_t asy_engine_enter(assay_engine *e)
{
    locale_t was = asy_clocale_enter();
    if (e->calls++ == 0)
        e->caller_locale = was;
    return was;
}

void asy_engine_leave(assay_engine *e, locale_t was)
{
    if (--e->calls == 0)
        e->caller_locale = (locale_t)0;
    asy_clocale_leave(was);
}

locale_t asy_engine_callback_begin(const assay_engine *e)
{
    return e->caller_locale ? uselocale(e->caller_locale) : (locale_t)0;
}

void asy_engine_callback_end(locale_t c)
{
    if (c)
        uselocale(c);
}

void assay_engine_free(assay_engine *e)
{
    if (!e)
        return;
    if (e->running)
        assay_engine_end(e);
    asy_readlog_free(e->readlog);
    for (int i = 0; i < e->nplugins; i++) {
        asy_plugin_def_free(&e->plugins[i].def);
        free_plugin_info(&e->plugins[i]);
    }
    free(e->plugins);
    for (size_t i = 0; i < e->ninputs; i++)
        free(e->inputs[i]);
    free(e->inputs);
    free(e->text_field);
    free(e->id_field);
    free(e->date_field);
    free(e->plugin_path);
    free(e->output_dir);
    free(e->errors_path);
    free(e->manifest_path);
    free(e->cur_source);
    for (size_t i = 0; i < e->nfed; i++)
        free(e->fed[i]);
    free(e->fed);
    free(e->out_rows);
    free(e);
}

const assay_error_info *assay_last_error(const assay_engine *e)
{
    assay_engine *m = (assay_engine *)e;
    m->info.code = e->err.code;
    m->info.message = e->err.message;
    m->info.file = e->err.file;
    m->info.line = e->err.line;
    m->info.byte = e->err.byte;
    m->info.doc_id = e->err.doc_id;
    m->info.hint = e->err.hint;
    return &m->info;
}

static int parse_bool(const char *v, int *out)
{
    static const char *yes[] = {"1", "true", "yes", "on"};
    static const char *no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return *out = 1, 0;
        if (strcasecmp(v, no[i]) == 0)
            return *out = 0, 0;
    }
    return -1;
}

static int parse_uint(const char *v, unsigned long long max,
                      unsigned long long *out)
{
    if (!*v || *v == '-')
        return -1;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || *end || n > max)
        return -1;
    *out = n;
    return 0;
}

static int bad_value(assay_engine *e, const char *key, const char *value,
                     const char *expected)
{
    asy_error_set(&e->err, ASSAY_E_USAGE, "invalid value '%s' for %s",
                  value, key);
    asy_error_hint(&e->err, "expected %s", expected);
    return ASSAY_E_USAGE;
}

static int set_number(assay_engine *e, const char *key, const char *value)
{
    unsigned long long n;
    if (strcmp(key, "threads") == 0) {
        if (parse_uint(value, 256, &n) < 0)
            return bad_value(e, key, value, "0..256 (0 = all cores)");
        e->threads = (int)n;
    } else if (strcmp(key, "max_doc_bytes") == 0) {
        if (parse_uint(value, (unsigned long long)SIZE_MAX, &n) < 0)
            return bad_value(e, key, value, "a size in bytes");
        e->in.max_doc_bytes = (size_t)n;
    } else if (strcmp(key, "mem_limit_mb") == 0) {
        if (parse_uint(value, 1u << 20, &n) < 0)
            return bad_value(e, key, value, "megabytes (0 = no limit)");
        e->mem_limit = (size_t)n << 20;
    } else {
        if (parse_uint(value, UINT64_MAX, &n) < 0)
            return bad_value(e, key, value, "a count (0 = no limit)");
        e->instr_limit = n;
    }
    return ASSAY_OK;
}

static int set_bool(assay_engine *e, const char *key, const char *value)
{
    int b;
    if (parse_bool(value, &b) < 0)
        return bad_value(e, key, value, "true or false");
    if (strcmp(key, "bom") == 0)
        e->sink_opts.bom = b;
    else if (strcmp(key, "safe_csv") == 0)
        e->sink_opts.safe = b;
    else if (strcmp(key, "pin") == 0)
        e->pin = b;
    else
        e->trust = b;
    return ASSAY_OK;
}

static int set_field(assay_engine *e, const char *key, const char *value)
{
    if (!*value)
        return bad_value(e, key, value, "a field name");
    char **dst = strcmp(key, "text_field") == 0 ? &e->text_field
                 : strcmp(key, "id_field") == 0 ? &e->id_field
                                                 : &e->date_field;
    if (set_str(dst, value) < 0)
        return asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
    e->in.text_field = e->text_field ? e->text_field : "text";
    e->in.id_field = e->id_field ? e->id_field : "id";
    e->in.date_field = e->date_field ? e->date_field : "date";
    return ASSAY_OK;
}

static int set_choice(assay_engine *e, const char *key, const char *value)
{
    if (strcmp(key, "format") == 0) {
        int f = asy_fmt_parse(value);
        if (f < 0)
            return bad_value(e, key, value, "csv, tsv or jsonl");
        e->sink_opts.fmt = (asy_fmt)f;
    } else if (strcmp(key, "manifest_hash") == 0) {
        if (asy_filehash_parse(value, &e->manifest_hash) < 0)
            return bad_value(e, key, value, "xxh3_128 or sha256");
    } else if (strcmp(key, "encoding") == 0) {
        if (!strcasecmp(value, "utf-8") || !strcasecmp(value, "utf8"))
            e->in.latin1 = 0;
        else if (!strcasecmp(value, "latin-1") ||
                 !strcasecmp(value, "latin1") ||
                 !strcasecmp(value, "iso-8859-1"))
            e->in.latin1 = 1;
        else
            return bad_value(e, key, value, "utf-8 or latin-1");
    } else {
        if (strcmp(value, "replace") == 0)
            e->in.invalid_utf8 = ASY_UTF8_REPLACE;
        else if (strcmp(value, "skip") == 0)
            e->in.invalid_utf8 = ASY_UTF8_SKIP;
        else if (strcmp(value, "fail") == 0)
            e->in.invalid_utf8 = ASY_UTF8_FAIL;
        else
            return bad_value(e, key, value, "replace, skip or fail");
    }
    return ASSAY_OK;
}

static int in_list(const char *key, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, list[i]) == 0)
            return 1;
    return 0;
}

int assay_engine_set(assay_engine *e, const char *key, const char *value)
{
    asy_error_clear(&e->err);
    if (!key || !value)
        return asy_error_set(&e->err, ASSAY_E_USAGE, "key and value required");
    if (e->running)
        return asy_error_set(&e->err, ASSAY_E_USAGE,
                             "settings cannot change during a run");
    static const char *numbers[] = {"threads", "max_doc_bytes",
                                    "mem_limit_mb", "instr_limit"};
    static const char *bools[] = {"bom", "safe_csv", "trust", "pin"};
    static const char *fields[] = {"text_field", "id_field", "date_field"};
    static const char *choices[] = {"format", "encoding", "invalid_utf8",
                                    "manifest_hash"};
#define IN(list) in_list(key, list, sizeof list / sizeof *list)
    if (IN(numbers))
        return set_number(e, key, value);
    if (IN(bools))
        return set_bool(e, key, value);
    if (IN(fields))
        return set_field(e, key, value);
    if (IN(choices))
        return set_choice(e, key, value);
#undef IN
    if (strcmp(key, "plugin_path") == 0)
        return set_str(&e->plugin_path, value) < 0
                   ? asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory")
                   : ASSAY_OK;
    asy_error_set(&e->err, ASSAY_E_USAGE, "unknown engine setting '%s'", key);
    asy_error_hint(&e->err, "see assay_engine_set() in assay.h");
    return ASSAY_E_USAGE;
}

int assay_engine_set_threads(assay_engine *e, int n)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%d", n);
    return assay_engine_set(e, "threads", buf);
}

/* ===================================================================== */
/* Plugins                                                               */
/* ===================================================================== */

static int add_plugin_slot(assay_engine *e, plugin_slot **slot)
{
    plugin_slot *p = realloc(e->plugins, (size_t)(e->nplugins + 1) * sizeof *p);
    if (!p)
        return asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
    e->plugins = p;
    *slot = &p[e->nplugins];
    memset(*slot, 0, sizeof **slot);
    return ASSAY_OK;
}

static int check_running(assay_engine *e, const char *what)
{
    if (!e->running)
        return ASSAY_OK;
    return asy_error_set(&e->err, ASSAY_E_USAGE, "%s during a run", what);
}

static int do_load_plugin(assay_engine *e, const char *name, int *index)
{
    asy_error_clear(&e->err);
    if (check_running(e, "cannot load a plugin") < 0)
        return ASSAY_E_USAGE;
    plugin_slot *slot = NULL;
    if (add_plugin_slot(e, &slot) < 0)
        return ASSAY_E_NOMEM;
    char **dirs = asy_plugin_dirs(e->plugin_path);
    int rc = asy_plugin_def_load_ex(&slot->def, name, dirs, e->trust,
                                    &e->err);
    asy_strv_free(dirs);
    if (rc < 0)
        return rc;
    if (index)
        *index = e->nplugins;
    e->nplugins++;
    return ASSAY_OK;
}

int assay_engine_load_plugin(assay_engine *e, const char *name, int *index)
{
    locale_t was = asy_engine_enter(e);
    int rc = do_load_plugin(e, name, index);
    asy_engine_leave(e, was);
    return rc;
}

static int do_load_plugin_string(assay_engine *e, const char *chunkname,
                                 const char *source, int *index)
{
    asy_error_clear(&e->err);
    if (check_running(e, "cannot load a plugin") < 0)
        return ASSAY_E_USAGE;
    plugin_slot *slot = NULL;
    if (add_plugin_slot(e, &slot) < 0)
        return ASSAY_E_NOMEM;
    int rc = asy_plugin_def_load_string_ex(&slot->def, chunkname, source,
                                           e->trust, &e->err);
    if (rc < 0)
        return rc;
    if (index)
        *index = e->nplugins;
    e->nplugins++;
    return ASSAY_OK;
}

int assay_engine_load_plugin_string(assay_engine *e, const char *chunkname,
                                    const char *source, int *index)
{
    locale_t was = asy_engine_enter(e);
    int rc = do_load_plugin_string(e, chunkname, source, index);
    asy_engine_leave(e, was);
    return rc;
}

static int option_to_plugin(assay_engine *e, const char *plugin,
                            const char *key, const char *value)
{
    for (int i = 0; i < e->nplugins; i++)
        if (strcmp(e->plugins[i].def.name, plugin) == 0)
            return asy_plugin_def_set_option(&e->plugins[i].def, key, value,
                                             &e->err);
    asy_error_set(&e->err, ASSAY_E_USAGE,
                  "option '%s.%s': no plugin named '%s' is loaded", plugin,
                  key, plugin);
    return ASSAY_E_USAGE;
}

static int do_set_option(assay_engine *e, const char *key, const char *value)
{
    asy_error_clear(&e->err);
    if (check_running(e, "cannot set an option") < 0)
        return ASSAY_E_USAGE;
    const char *dot = strchr(key, '.');
    if (dot) {
        char plugin[256];
        snprintf(plugin, sizeof plugin, "%.*s", (int)(dot - key), key);
        return option_to_plugin(e, plugin, dot + 1, value);
    }
    int applied = 0;
    for (int i = 0; i < e->nplugins; i++) {
        if (!asy_plugin_def_option(&e->plugins[i].def, key))
            continue;
        int rc = asy_plugin_def_set_option(&e->plugins[i].def, key, value,
                                           &e->err);
        if (rc < 0)
            return rc;
        applied++;
    }
    if (applied)
        return ASSAY_OK;
    asy_error_set(&e->err, ASSAY_E_USAGE,
                  "unknown option '%s': no loaded plugin declares it", key);
    asy_error_hint(&e->err, "'assay plugins' lists each plugin's options");
    return ASSAY_E_USAGE;
}

int assay_engine_set_option(assay_engine *e, const char *key,
                            const char *value)
{
    locale_t was = asy_engine_enter(e);
    int rc = do_set_option(e, key, value);
    asy_engine_leave(e, was);
    return rc;
}

int assay_engine_plugin_count(const assay_engine *e)
{
    return e->nplugins;
}

static int build_info(plugin_slot *s)
{
    asy_plugin_def *d = &s->def;
    free_plugin_info(s);
    size_t no = (size_t)d->noutputs ? (size_t)d->noutputs : 1;
    size_t np = (size_t)d->noptions ? (size_t)d->noptions : 1;
    s->out_names = calloc(no, sizeof *s->out_names);
    s->out_ncols = calloc(no, sizeof *s->out_ncols);
    s->out_cols = calloc(no, sizeof *s->out_cols);
    s->opt_names = calloc(np, sizeof *s->opt_names);
    s->opt_types = calloc(np, sizeof *s->opt_types);
    s->opt_values = calloc(np, sizeof *s->opt_values);
    if (!s->out_names || !s->out_ncols || !s->out_cols || !s->opt_names ||
        !s->opt_types || !s->opt_values)
        return -1;
    static const char *types[] = {"nil", "integer", "number", "boolean",
                                  "string"};
    for (int i = 0; i < d->noutputs; i++) {
        s->out_names[i] = d->outputs[i].name;
        s->out_ncols[i] = d->outputs[i].ncols;
        s->out_cols[i] = (const char *const *)d->outputs[i].columns;
    }
    for (int i = 0; i < d->noptions; i++) {
        s->opt_names[i] = d->options[i].name;
        int t = d->options[i].type;
        s->opt_types[i] = types[t >= 0 && t <= 4 ? t : 0];
        s->opt_values[i] = d->options[i].value;
    }
    assay_plugin_info *in = &s->info;
    in->name = d->name;
    in->version = d->version;
    in->summary = d->summary;
    in->path = d->path;
    in->n_outputs = d->noutputs;
    in->output_names = s->out_names;
    in->output_ncolumns = s->out_ncols;
    in->output_columns = s->out_cols;
    in->n_options = d->noptions;
    in->option_names = s->opt_names;
    in->option_types = s->opt_types;
    in->option_values = s->opt_values;
    return 0;
}

const assay_plugin_info *assay_engine_plugin_info(const assay_engine *e,
                                                  int i)
{
    if (i < 0 || i >= e->nplugins)
        return NULL;
    plugin_slot *s = &e->plugins[i];
    return build_info(s) < 0 ? NULL : &s->info;
}

/* ===================================================================== */
/* Inputs and outputs                                                    */
/* ===================================================================== */

int assay_engine_add_input(assay_engine *e, const char *path)
{
    asy_error_clear(&e->err);
    char **v = realloc(e->inputs, (e->ninputs + 1) * sizeof *v);
    if (!v)
        return asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
    e->inputs = v;
    if (!(v[e->ninputs] = strdup(path)))
        return asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
    e->ninputs++;
    return ASSAY_OK;
}

int assay_engine_set_row_callback(assay_engine *e, assay_row_fn fn,
                                  void *userdata)
{
    asy_error_clear(&e->err);
    if (check_running(e, "cannot change outputs") < 0)
        return ASSAY_E_USAGE;
    e->row_fn = fn;
    e->row_ud = userdata;
    return ASSAY_OK;
}

int assay_engine_set_output_dir(assay_engine *e, const char *dir)
{
    asy_error_clear(&e->err);
    if (check_running(e, "cannot change outputs") < 0)
        return ASSAY_E_USAGE;
    e->row_fn = NULL;
    if (set_str(&e->output_dir, dir) < 0)
        return asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
    return ASSAY_OK;
}

int assay_engine_set_errors_file(assay_engine *e, const char *path)
{
    asy_error_clear(&e->err);
    if (check_running(e, "cannot change outputs") < 0)
        return ASSAY_E_USAGE;
    if (set_str(&e->errors_path, path) < 0)
        return asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
    return ASSAY_OK;
}

void assay_engine_set_message_callback(assay_engine *e, assay_message_fn fn,
                                       void *userdata)
{
    e->msg_fn = fn;
    e->msg_ud = userdata;
}

int assay_engine_set_progress_callback(assay_engine *e, assay_progress_fn fn,
                                       void *userdata, int interval_ms)
{
    asy_error_clear(&e->err);
    if (check_running(e, "cannot change the progress callback") < 0)
        return ASSAY_E_USAGE;
    e->progress_fn = fn;
    e->progress_ud = userdata;
    e->progress_ms = interval_ms == 0 ? 250 : interval_ms;
    return ASSAY_OK;
}

int assay_engine_set_manifest(assay_engine *e, const char *path)
{
    asy_error_clear(&e->err);
    if (check_running(e, "cannot change the manifest") < 0)
        return ASSAY_E_USAGE;
    if (set_str(&e->manifest_path, path) < 0)
        return asy_error_set(&e->err, ASSAY_E_NOMEM, "out of memory");
    return ASSAY_OK;
}

void assay_engine_stats(const assay_engine *e, assay_stats *out)
{
    *out = e->stats;
}
