/* bench_cmd.h: `pgdeck bench`, and the shell's \batch and \bench.
 *
 *   pgdeck bench [--clients N] [-j|--jobs N] [--duration S | --queries N]
 *                [--sql SQL]
 *                [--param random:LO:HI]... [--pipeline N] [--json]
 *                [--via pool | --batch ROWS | --gather] [--warmup N]
 *                [-h HOST] [-p PORT] [-U USER] [-d DBNAME] [--config FILE]
 *                [DBNAME | CONNINFO | URI]
 *
 *   \batch FILE [header] SQL
 *                     executemany: each row of FILE (CSV, or a JSON array
 *                     of arrays or of objects) is one parameter set of SQL,
 *                     all in one transaction on a pool connection; with
 *                     header a CSV file's first line is skipped
 *   \bench [OPTIONS]  the same benchmark on the session's pool (no --jobs)
 *
 * --jobs N runs N threads, each with its own core (loop and pool) and its
 * share of the clients and of --queries, started together; the results are
 * merged (sums, histograms, the longest window). */
#ifndef SH_BENCH_CMD_H
#define SH_BENCH_CMD_H

#include "shell/commands.h"

/* The `pgdeck bench` subcommand; argv[0] is "bench" (borrowed). Returns
 * the exit status: 0, 1 when statements failed, 2 on bad usage or when
 * the server cannot be reached. */
int sh_bench_main(int argc, char **argv);

extern const sh_cmd sh_batch_commands[]; /* \batch \bench */

#endif
