/* bench_cmd_args.c: the arguments of `pgdeck bench` and \bench (see
 * bench_cmd_internal.h): the usage text, parsing, and the checks across
 * options. */
#include "shell/bench_cmd.h"
#include "shell/bench_cmd_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/batch.h"
#include "core/bench.h"

#define DEFAULT_DURATION_MS 10000

const char sh_bench_cmd_usage[] =
    "pgdeck bench runs one statement over and over and measures it.\n"
    "\n"
    "Usage:\n"
    "  pgdeck bench [OPTION]... [DBNAME | CONNINFO | URI]\n"
    "\n"
    "Load:\n"
    "  --clients N         clients, each with its own connection (1)\n"
    "  -j, --jobs N        threads, each with its own loop and pool, the\n"
    "                      clients shared out among them, as pgbench -j (1)\n"
    "  --duration S        run for S seconds (10)\n"
    "  --queries N         or run N operations in all\n"
    "  --sql SQL           the statement (SELECT 1)\n"
    "  --param random:LO:HI\n"
    "                      $1, $2, ... in order: a random integer\n"
    "  --pipeline N        statements in flight per client, in libpq's\n"
    "                      pipeline mode, N and a sync point at a time (1)\n"
    "  --via pool          each statement through the pool and query layer\n"
    "  --batch ROWS        each operation an executemany of ROWS rows\n"
    "  --plain             ... one statement per row, never multi-row\n"
    "  --gather            each operation CLIENTS copies of SQL at once\n"
    "  --warmup N          operations per client before timing\n"
    "  --json              the result as one JSON object\n"
    "\n"
    "Connection:\n"
    "  -h, --host HOST  -p, --port PORT  -U, --username USER\n"
    "  -d, --dbname DBNAME  --config FILE\n";

/* See bench_cmd_internal.h. */
int sh_bench_cmd_bad(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return -1;
}

static bool parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s == NULL || !isdigit((unsigned char)*s))
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* The options that take a value: OPT_RUN, OPT_CONN (cli only: the
 * connection options), or OPT_NONE. */
enum { OPT_NONE, OPT_RUN, OPT_CONN };

static int takes_value(const char *opt, bool cli)
{
    static const char *const run[] = {
        "--clients", "--jobs", "-j", "--duration", "--queries", "--sql",
        "--param", "--pipeline", "--via", "--batch", "--warmup", NULL,
    };
    static const char *const conn[] = {
        "-h", "--host", "-p", "--port", "-U", "--username", "-d",
        "--dbname", "--config", NULL,
    };
    int i;

    for (i = 0; run[i] != NULL; i++)
        if (strcmp(opt, run[i]) == 0)
            return OPT_RUN;
    for (i = 0; cli && conn[i] != NULL; i++)
        if (strcmp(opt, conn[i]) == 0)
            return OPT_CONN;
    return OPT_NONE;
}

/* An option without a value. Returns false when opt is none. */
static bool set_flag(bench_args *a, const char *opt, bool cli)
{
    if (strcmp(opt, "--help") == 0 || strcmp(opt, "-?") == 0)
        a->help = true;
    else if (strcmp(opt, "--json") == 0)
        a->json = true;
    else if (strcmp(opt, "--plain") == 0)
        a->o.batch_flags |= PD_BATCH_PLAIN;
    else if (strcmp(opt, "--gather") == 0)
        a->o.mode = PD_BENCH_GATHER;
    else if (cli && strcmp(opt, "--demo") == 0)
        a->demo = true;
    else
        return false;
    return true;
}

/* --duration S: seconds, above 0, at most a day. */
static int set_duration(bench_args *a, const char *val, char *why,
                        size_t whylen)
{
    char *end;
    double s;

    errno = 0;
    s = strtod(val, &end);
    if (errno != 0 || end == val || *end != '\0' || s <= 0 || s > 86400)
        return sh_bench_cmd_bad(why, whylen, "--duration: must be a number "
                                "of seconds, above 0 (got \"%s\")", val);
    a->o.duration_ms = (uint32_t)(s * 1000 + 0.5);
    if (a->o.duration_ms == 0)
        a->o.duration_ms = 1;
    a->o.ops = 0;
    return 0;
}

/* An integer option's value, from lo to hi, into *out. what: the end of
 * the message after "OPT: must be ". Returns 0, or -1 with why set. */
static int get_int(const char *opt, const char *val, uint64_t lo,
                   uint64_t hi, const char *what, uint64_t *out, char *why,
                   size_t whylen)
{
    if (!parse_u64(val, lo, hi, out))
        return sh_bench_cmd_bad(why, whylen, "%s: must be %s (got \"%s\")",
                                opt, what, val);
    return 0;
}

/* --param random:LO:HI, appended. */
static int add_param(bench_args *a, const char *val, char *why,
                     size_t whylen)
{
    if (a->o.nparams == MAX_PARAMS)
        return sh_bench_cmd_bad(why, whylen, "--param: at most %d",
                                MAX_PARAMS);
    if (pd_bench_param_parse(val, &a->params[a->o.nparams]) != 0)
        return sh_bench_cmd_bad(why, whylen, "--param: expected random:LO:HI "
                                "with integers LO <= HI (got \"%s\")", val);
    a->o.nparams++;
    return 0;
}

#define FROM_1_TO_10000 "an integer from 1 to 10000"

/* An option of the run that takes a value (OPT_RUN). Returns 0, or -1
 * with why set. */
static int set_run_opt(bench_args *a, const char *opt, const char *val,
                       char *why, size_t whylen)
{
    uint64_t n;

    if (strcmp(opt, "--clients") == 0) {
        if (get_int(opt, val, 1, 10000, FROM_1_TO_10000, &n, why, whylen))
            return -1;
        a->o.clients = (int)n;
    } else if (strcmp(opt, "--jobs") == 0 || strcmp(opt, "-j") == 0) {
        if (get_int("--jobs", val, 1, 10000, FROM_1_TO_10000, &n, why,
                    whylen))
            return -1;
        a->jobs = (int)n;
    } else if (strcmp(opt, "--duration") == 0) {
        return set_duration(a, val, why, whylen);
    } else if (strcmp(opt, "--queries") == 0) {
        if (get_int(opt, val, 1, UINT64_MAX / 2, "a positive integer", &n,
                    why, whylen))
            return -1;
        a->o.ops = n;
        a->o.duration_ms = 0;
    } else if (strcmp(opt, "--sql") == 0) {
        a->o.sql = val;
    } else if (strcmp(opt, "--param") == 0) {
        return add_param(a, val, why, whylen);
    } else if (strcmp(opt, "--pipeline") == 0) {
        if (get_int(opt, val, 1, 10000, FROM_1_TO_10000, &n, why, whylen))
            return -1;
        a->o.pipeline = (int)n;
    } else if (strcmp(opt, "--via") == 0) {
        if (strcmp(val, "pool") != 0 && strcmp(val, "conn") != 0)
            return sh_bench_cmd_bad(why, whylen, "--via: pool or conn (got "
                                    "\"%s\")", val);
        a->o.mode = strcmp(val, "pool") == 0 ? PD_BENCH_POOL
                                             : PD_BENCH_QUERY;
    } else if (strcmp(opt, "--batch") == 0) {
        if (get_int(opt, val, 1, 10000000, "a number of rows from 1 to "
                    "10000000", &n, why, whylen))
            return -1;
        a->o.mode = PD_BENCH_BATCH;
        a->o.batch_rows = (size_t)n;
    } else { /* --warmup */
        if (get_int(opt, val, 0, 1000000, "an integer from 0 to 1000000",
                    &n, why, whylen))
            return -1;
        a->o.warmup = (int)n;
        a->warmup_set = true;
    }
    return 0;
}

/* A connection option of `pgdeck bench` (OPT_CONN). */
static void set_conn_opt(bench_args *a, const char *opt, const char *val)
{
    if (strcmp(opt, "-h") == 0 || strcmp(opt, "--host") == 0)
        a->host = val;
    else if (strcmp(opt, "-p") == 0 || strcmp(opt, "--port") == 0)
        a->port = val;
    else if (strcmp(opt, "-U") == 0 || strcmp(opt, "--username") == 0)
        a->user = val;
    else if (strcmp(opt, "-d") == 0 || strcmp(opt, "--dbname") == 0)
        a->dbname = val;
    else
        a->config = val;
}

/* The defaults that depend on other options, and the checks across
 * options. Returns 0, or -1 with why set. */
static int finish_args(bench_args *a, char *why, size_t whylen)
{
    if (a->o.duration_ms == 0 && a->o.ops == 0)
        a->o.duration_ms = DEFAULT_DURATION_MS;
    if (!a->warmup_set)
        a->o.warmup = a->o.mode == PD_BENCH_GATHER ? 2
                      : a->o.mode == PD_BENCH_QUERY ? 0 : 1;
    if (a->o.mode == PD_BENCH_GATHER && a->o.nparams > 0)
        return sh_bench_cmd_bad(why, whylen, "--gather takes no --param");
    if (a->jobs > a->o.clients)
        return sh_bench_cmd_bad(why, whylen, "--jobs %d: more jobs than "
                                "clients (%d); each job runs at least one "
                                "client", a->jobs, a->o.clients);
    if (a->jobs > 1 && a->o.mode == PD_BENCH_GATHER)
        return sh_bench_cmd_bad(why, whylen, "--jobs: not with --gather "
                                "(one client gathers them all)");
    if (a->jobs > 1 && a->o.ops > 0 && a->o.ops < (uint64_t)a->jobs)
        return sh_bench_cmd_bad(why, whylen, "--queries %" PRIu64 ": fewer "
                                "than --jobs (%d); each job runs at least "
                                "one", a->o.ops, a->jobs);
    return 0;
}

/* Parses arguments; see bench_cmd_internal.h. */
int sh_bench_cmd_parse_args(int argc, char **argv, bool cli, bench_args *a,
                            char *why, size_t whylen)
{
    int i, kind;

    memset(a, 0, sizeof(*a));
    a->o.clients = 1;
    a->o.pipeline = 1;
    a->jobs = 1;
    a->o.params = a->params;
    for (i = 0; i < argc; i++) {
        char *opt = argv[i], *val = NULL, *eq = NULL;

        if (strncmp(opt, "--", 2) == 0 && (eq = strchr(opt, '=')) != NULL) {
            *eq = '\0'; /* --opt=value: restored below */
            val = eq + 1;
        }
        if (set_flag(a, opt, cli)) {
            /* a flag ignores a value given with = */
        } else if ((kind = takes_value(opt, cli)) != OPT_NONE) {
            if (val == NULL) {
                if (i + 1 >= argc)
                    return sh_bench_cmd_bad(why, whylen, "option %s needs "
                                            "a value", opt);
                val = argv[++i];
            }
            if (kind == OPT_CONN)
                set_conn_opt(a, opt, val);
            else if (set_run_opt(a, opt, val, why, whylen) != 0)
                return -1;
        } else if (cli && opt[0] != '-' && a->dsn == NULL) {
            a->dsn = opt;
        } else {
            return sh_bench_cmd_bad(why, whylen, "unrecognized argument "
                                    "\"%s\"", opt);
        }
        if (eq != NULL)
            *eq = '=';
    }
    return finish_args(a, why, whylen);
}
