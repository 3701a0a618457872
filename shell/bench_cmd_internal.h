/* bench_cmd_internal.h: what the files of `pgdeck bench`, \bench and
 * \batch share; included by them only.
 *
 *   bench_cmd.c        `pgdeck bench` (one loop, or --jobs N threads),
 *                      \bench, the results as text or JSON, the command
 *                      table;
 *   bench_cmd_args.c   the arguments: usage text, parsing, checks;
 *   bench_cmd_batch.c  \batch: the file read with uv_fs, CSV or JSON
 *                      rows, core/batch. */
#ifndef SH_BENCH_CMD_INTERNAL_H
#define SH_BENCH_CMD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/bench.h"
#include "core/xalloc.h"
#include "shell/commands.h"

#define MAX_PARAMS 100

typedef struct bench_args {
    pd_bench_opts o;
    pd_bench_param params[MAX_PARAMS];
    bool json;
    bool warmup_set;
    int jobs;             /* --jobs: threads, each with its own core */
    bool help;
    const char *config;   /* --config FILE (command line only) */
    const char *host, *port, *user, *dbname, *dsn; /* ditto; borrowed */
    bool demo;            /* --demo: against the demo database */
} bench_args;

/* The text of `pgdeck bench --help` and \bench --help. */
extern const char sh_bench_cmd_usage[];

/* Parses argv[0..argc) (argv[0] is the first option; borrowed: the
 * strings a points into, and a --opt=value is cut at '=' while parsed).
 * cli: connection options and a DBNAME are allowed. Returns 0, or -1
 * with why set. */
int sh_bench_cmd_parse_args(int argc, char **argv, bool cli, bench_args *a,
                            char *why, size_t whylen);

/* Writes a message into why (whylen bytes) and returns -1. */
int sh_bench_cmd_bad(char *why, size_t whylen, const char *fmt, ...)
    PD_PRINTF(3, 4);

/* \batch FILE SQL (a command of sh_batch_commands). */
int sh_bench_cmd_batch(sh_session *s, const char *args);

#endif
