/*
 * main.c — the assay command: subcommand dispatch and top-level help.
 */
#include <stdio.h>
#include <string.h>

#include "assay.h"
#include "cli.h"
#include "lua/runtime.h"

static void usage(FILE *f)
{
    fputs("usage: assay COMMAND [ARGS]\n"
          "\n"
          "Run Lua analyses over documents and write the results as CSV.\n"
          "\n"
          "commands:\n"
          "  run PLUGIN... INPUT...   run plugins over files, directories or -\n"
          "  plugins [NAME]           list the bundled plugins, or describe one\n"
          "  dict lint FILE [INPUT...] check a topic dictionary (and its coverage)\n"
          "  report NAME INPUT...     run a report script: CSVs + report.html\n"
          "\n"
          "  assay --version          print the version\n"
          "  assay COMMAND --help     help for one command\n"
          "\n"
          "example:\n"
          "  assay run wordfreq examples/corpus -o out/\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("assay %s (%s)\n", assay_version(), asy_rt_lua_version());
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "plugins"))
        return cmd_plugins(argc - 1, argv + 1);
    if (!strcmp(cmd, "dict"))
        return cmd_dict(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return cmd_report(argc - 1, argv + 1);
    fprintf(stderr, "assay: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
