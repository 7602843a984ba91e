/*
 * engine_opts.c — the long options that are engine settings, one table for
 * `assay run` and `assay report`: each names its assay_engine_set key, the
 * commands that take it (run, report, dict lint's coverage pass), and
 * whether it changes results (run manifests record those). The commands
 * append the table to their own options.
 */
#include <getopt.h>
#include <stddef.h>
#include <string.h>

#include "assay.h"
#include "cli.h"

static const cli_engine_opt table[] = {
    {"format", required_argument, "format", CLI_RUN, 1},
    {"bom", no_argument, "bom", CLI_RUN, 1},
    {"safe-csv", no_argument, "safe_csv", CLI_RUN, 1},
    {"text-field", required_argument, "text_field", CLI_RUN | CLI_REPORT | CLI_DICT, 1},
    {"id-field", required_argument, "id_field", CLI_RUN | CLI_REPORT | CLI_DICT, 1},
    {"date-field", required_argument, "date_field", CLI_RUN | CLI_REPORT | CLI_DICT, 1},
    {"encoding", required_argument, "encoding", CLI_RUN | CLI_REPORT | CLI_DICT, 1},
    {"invalid-utf8", required_argument, "invalid_utf8", CLI_RUN | CLI_REPORT | CLI_DICT, 1},
    {"max-doc-bytes", required_argument, "max_doc_bytes", CLI_RUN | CLI_REPORT | CLI_DICT, 1},
    {"plugin-path", required_argument, "plugin_path", CLI_RUN | CLI_REPORT, 1},
    {"trust", no_argument, "trust", CLI_RUN | CLI_REPORT, 0},
    {"mem-limit", required_argument, "mem_limit_mb", CLI_RUN | CLI_REPORT, 1},
    {"instr-limit", required_argument, "instr_limit", CLI_RUN | CLI_REPORT, 1},
    {"manifest-hash", required_argument, "manifest_hash", CLI_RUN | CLI_REPORT, 0},
    {"errors", required_argument, NULL, CLI_RUN | CLI_REPORT, 0},
    {"no-pin", no_argument, "pin", CLI_RUN | CLI_REPORT | CLI_DICT, 0},
};

#define NTABLE (int)(sizeof table / sizeof table[0])

int cli_options(struct option *opts, int room, const struct option *own,
                unsigned command)
{
    int n = 0;
    for (; own[n].name && n < room - 1; n++)
        opts[n] = own[n];
    for (int i = 0; i < NTABLE && n < room - 1; i++)
        if (table[i].commands & command)
            opts[n++] = (struct option){table[i].name, table[i].has_arg, NULL,
                                        CLI_OPT_BASE + i};
    opts[n] = (struct option){NULL, 0, NULL, 0};
    return n;
}

const cli_engine_opt *cli_engine_opt_of(int code)
{
    int i = code - CLI_OPT_BASE;
    return i >= 0 && i < NTABLE ? &table[i] : NULL;
}

int cli_apply_engine_opt(struct assay_engine *e, const cli_engine_opt *o,
                         const char *arg)
{
    /* a flag sets its setting true; a "no-" flag sets it false */
    const char *flag = strncmp(o->name, "no-", 3) == 0 ? "false" : "true";
    int rc = o->key ? assay_engine_set(e, o->key, o->has_arg ? arg : flag)
                    : assay_engine_set_errors_file(e, arg);
    return rc < 0 ? cli_fail(e) : 0;
}

/* The command-line flag of an engine setting a library message names as
 * a word of its own ("... (mem_limit_mb)", "set invalid_utf8=replace",
 * "set text_field to ..."): the library speaks in setting keys, the CLI
 * user types flags. Only keys with a '_' are looked for, so that ordinary
 * words (format, bom, trust, encoding) never are; every occurrence is
 * tried. NULL when none is named. */
const char *cli_flag_for(const char *text)
{
    for (int i = 0; text && i < NTABLE; i++) {
        const char *k = table[i].key;
        if (!k || !strchr(k, '_')) /* every key worth a hint has a '_' */
            continue;
        size_t n = strlen(k);
        for (const char *at = strstr(text, k); at; at = strstr(at + 1, k)) {
            int before = at == text || at[-1] == '(' || at[-1] == ' ';
            int after = at[n] == ')' || at[n] == '=' || at[n] == ' ' ||
                        at[n] == ',' || at[n] == ';' || at[n] == '\0';
            if (before && after)
                return table[i].name;
        }
    }
    return NULL;
}
