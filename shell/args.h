/* args.h: the psql-compatible command line, read into a plain struct.
 *
 * Split from main.c so the entry point only decides what runs. Parsing
 * touches nothing but the struct, the config's connection fields and the
 * print options; the one side effect is -o's file, opened while the
 * options are read, as psql opens it. */
#ifndef SH_ARGS_H
#define SH_ARGS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/config.h"
#include "shell/format.h"

/* What the process runs (a subcommand word may also come after the
 * options: main.c looks at the first positional argument). */
enum {
    SH_ARGS_DEFAULT, /* the dashboard on a terminal, else the shell */
    SH_ARGS_SHELL,
    SH_ARGS_HEALTH,
    SH_ARGS_REFRESH
};

/* A command-line setting, applied once the file and the environment are
 * (the command line comes last in the precedence). */
typedef struct sh_args_override {
    const char *key;   /* settings-table key, static */
    const char *value; /* borrowed from argv */
    const char *flag;  /* as the user wrote it, for errors, static */
} sh_args_override;

/* One -c or -f, in command-line order; read and run by main.c. */
typedef struct sh_args_action {
    bool file;        /* -f: text is a file name ("-": stdin) */
    const char *text; /* borrowed from argv */
} sh_args_action;

typedef struct sh_args {
    int mode;                 /* SH_ARGS_* */
    bool demo;                /* --demo */
    bool print_config;        /* --print-config */
    bool single_txn;          /* -1: the -c/-f actions in one transaction */
    bool list;                /* -l: list the databases and exit */
    const char *config_path;  /* --config, borrowed from argv; NULL: the
                                 default path */
    sh_args_override *over;   /* owned, in command-line order */
    int nover;
    sh_args_action *acts;     /* owned, in command-line order */
    int nacts;
    const char *positional[2];
    int npositional;
    const char **vars;        /* -v NAME=VALUE, borrowed from argv */
    int nvars;
    const char **psets;       /* -P NAME[=VALUE], borrowed from argv */
    int npsets;
    FILE *out_file;           /* -o FILE: owned, open; NULL: none */
    const char *out_cmd;      /* -o |COMMAND: the command, borrowed from
                                 argv; NULL: none */
} sh_args;

/* Parses argv into a (zeroed by the caller, mode preset for a leading
 * subcommand; settings wait there as overrides), cfg's connection fields
 * and po. Prints --help or --version and exits 0; exits 2 with one line
 * naming the option on bad input, and 1 when -o's file cannot be made
 * (psql's status for it). */
void sh_args_parse(int argc, char **argv, sh_args *a, pd_config *cfg,
                   sh_print_opts *po);

/* Frees what a owns (its arrays, an -o file not taken); a may be zeroed. */
void sh_args_free(sh_args *a);

#endif
