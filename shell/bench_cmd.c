/* bench_cmd.c: `pgdeck bench`, and the shell's \batch and \bench.
 *
 * The benchmark itself is core/bench; this file turns arguments into its
 * options and its result into text or JSON. \batch reads its file with
 * uv_fs (the loop keeps running: the dashboard's command line uses the
 * same commands), turns CSV or JSON rows into parameter sets, and hands
 * them to core/batch.
 *
 * `pgdeck bench --jobs N` (N > 1) runs N threads, as pgbench -j does, each
 * with its own pd_core (its own loop and pool) built from its own copy of
 * the config, running its share of the clients and of --queries. The
 * threads share nothing but a start gate (each waits there with its core
 * built, and all start their runs when the last one is ready) and read-only
 * option strings; each writes its result slot once, and the main thread
 * reads the slots after joining them all and merges them: counts summed,
 * histograms merged bucket by bucket, the window the longest of the
 * threads' windows (so qps = total / that window). */
#include "shell/bench_cmd.h"
#include "shell/demo_cmd.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cjson/cJSON.h>

#include "core/batch.h"
#include "core/bench.h"
#include "core/config.h"
#include "core/core.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#define MAX_PARAMS 100
#define DEFAULT_DURATION_MS 10000

/* ---- arguments ---- */

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

static const char usage_text[] =
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

/* Writes a message into why (whylen bytes) and returns -1. */
static int bad(char *why, size_t whylen, const char *fmt, ...)
    PD_PRINTF(3, 4);

static int bad(char *why, size_t whylen, const char *fmt, ...)
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

/* Parses argv[0..argc) (argv[0] is the first option). cli: connection
 * options and a DBNAME are allowed. Returns 0, or -1 with why set. */
static int parse_bench_args(int argc, char **argv, bool cli, bench_args *a,
                            char *why, size_t whylen)
{
    int i;
    uint64_t n;

    memset(a, 0, sizeof(*a));
    a->o.clients = 1;
    a->o.pipeline = 1;
    a->jobs = 1;
    a->o.params = a->params;
    for (i = 0; i < argc; i++) {
        char *opt = argv[i], *val = NULL, *eq = NULL;
        bool has_val = false;

        if (strncmp(opt, "--", 2) == 0 && (eq = strchr(opt, '=')) != NULL) {
            *eq = '\0'; /* --opt=value: restored below */
            val = eq + 1;
            has_val = true;
        }
#define NEED_VAL()                                                         \
    do {                                                                   \
        if (!has_val) {                                                    \
            if (i + 1 >= argc) {                                           \
                if (eq != NULL)                                            \
                    *eq = '=';                                             \
                return bad(why, whylen, "option %s needs a value", opt);   \
            }                                                              \
            val = argv[++i];                                               \
        }                                                                  \
    } while (0)
        if (strcmp(opt, "--help") == 0 || strcmp(opt, "-?") == 0) {
            a->help = true;
        } else if (strcmp(opt, "--json") == 0) {
            a->json = true;
        } else if (strcmp(opt, "--plain") == 0) {
            a->o.batch_flags |= PD_BATCH_PLAIN;
        } else if (strcmp(opt, "--gather") == 0) {
            a->o.mode = PD_BENCH_GATHER;
        } else if (strcmp(opt, "--clients") == 0) {
            NEED_VAL();
            if (!parse_u64(val, 1, 10000, &n))
                return bad(why, whylen, "--clients: must be an integer from "
                           "1 to 10000 (got \"%s\")", val);
            a->o.clients = (int)n;
        } else if (strcmp(opt, "--jobs") == 0 || strcmp(opt, "-j") == 0) {
            NEED_VAL();
            if (!parse_u64(val, 1, 10000, &n))
                return bad(why, whylen, "--jobs: must be an integer from 1 "
                           "to 10000 (got \"%s\")", val);
            a->jobs = (int)n;
        } else if (strcmp(opt, "--duration") == 0) {
            char *end;
            double s;
            NEED_VAL();
            errno = 0;
            s = strtod(val, &end);
            if (errno != 0 || end == val || *end != '\0' || s <= 0 ||
                s > 86400)
                return bad(why, whylen, "--duration: must be a number of "
                           "seconds, above 0 (got \"%s\")", val);
            a->o.duration_ms = (uint32_t)(s * 1000 + 0.5);
            if (a->o.duration_ms == 0)
                a->o.duration_ms = 1;
            a->o.ops = 0;
        } else if (strcmp(opt, "--queries") == 0) {
            NEED_VAL();
            if (!parse_u64(val, 1, UINT64_MAX / 2, &n))
                return bad(why, whylen, "--queries: must be a positive "
                           "integer (got \"%s\")", val);
            a->o.ops = n;
            a->o.duration_ms = 0;
        } else if (strcmp(opt, "--sql") == 0) {
            NEED_VAL();
            a->o.sql = val;
        } else if (strcmp(opt, "--param") == 0) {
            NEED_VAL();
            if (a->o.nparams == MAX_PARAMS)
                return bad(why, whylen, "--param: at most %d", MAX_PARAMS);
            if (pd_bench_param_parse(val, &a->params[a->o.nparams]) != 0)
                return bad(why, whylen, "--param: expected random:LO:HI "
                           "with integers LO <= HI (got \"%s\")", val);
            a->o.nparams++;
        } else if (strcmp(opt, "--pipeline") == 0) {
            NEED_VAL();
            if (!parse_u64(val, 1, 10000, &n))
                return bad(why, whylen, "--pipeline: must be an integer "
                           "from 1 to 10000 (got \"%s\")", val);
            a->o.pipeline = (int)n;
        } else if (strcmp(opt, "--via") == 0) {
            NEED_VAL();
            if (strcmp(val, "pool") != 0 && strcmp(val, "conn") != 0)
                return bad(why, whylen, "--via: pool or conn (got \"%s\")",
                           val);
            a->o.mode = strcmp(val, "pool") == 0 ? PD_BENCH_POOL
                                                 : PD_BENCH_QUERY;
        } else if (strcmp(opt, "--batch") == 0) {
            NEED_VAL();
            if (!parse_u64(val, 1, 10000000, &n))
                return bad(why, whylen, "--batch: must be a number of rows "
                           "from 1 to 10000000 (got \"%s\")", val);
            a->o.mode = PD_BENCH_BATCH;
            a->o.batch_rows = (size_t)n;
        } else if (strcmp(opt, "--warmup") == 0) {
            NEED_VAL();
            if (!parse_u64(val, 0, 1000000, &n))
                return bad(why, whylen, "--warmup: must be an integer from "
                           "0 to 1000000 (got \"%s\")", val);
            a->o.warmup = (int)n;
            a->warmup_set = true;
        } else if (cli && (strcmp(opt, "-h") == 0 ||
                           strcmp(opt, "--host") == 0)) {
            NEED_VAL();
            a->host = val;
        } else if (cli && (strcmp(opt, "-p") == 0 ||
                           strcmp(opt, "--port") == 0)) {
            NEED_VAL();
            a->port = val;
        } else if (cli && (strcmp(opt, "-U") == 0 ||
                           strcmp(opt, "--username") == 0)) {
            NEED_VAL();
            a->user = val;
        } else if (cli && (strcmp(opt, "-d") == 0 ||
                           strcmp(opt, "--dbname") == 0)) {
            NEED_VAL();
            a->dbname = val;
        } else if (cli && strcmp(opt, "--demo") == 0) {
            a->demo = true;
        } else if (cli && strcmp(opt, "--config") == 0) {
            NEED_VAL();
            a->config = val;
        } else if (cli && opt[0] != '-' && a->dsn == NULL) {
            a->dsn = opt;
        } else {
            return bad(why, whylen, "unrecognized argument \"%s\"", opt);
        }
#undef NEED_VAL
        if (eq != NULL)
            *eq = '=';
    }
    if (a->o.duration_ms == 0 && a->o.ops == 0)
        a->o.duration_ms = DEFAULT_DURATION_MS;
    if (!a->warmup_set)
        a->o.warmup = a->o.mode == PD_BENCH_GATHER ? 2
                      : a->o.mode == PD_BENCH_QUERY ? 0 : 1;
    if (a->o.mode == PD_BENCH_GATHER && a->o.nparams > 0)
        return bad(why, whylen, "--gather takes no --param");
    if (a->jobs > a->o.clients)
        return bad(why, whylen, "--jobs %d: more jobs than clients (%d); "
                   "each job runs at least one client", a->jobs,
                   a->o.clients);
    if (a->jobs > 1 && a->o.mode == PD_BENCH_GATHER)
        return bad(why, whylen, "--jobs: not with --gather (one client "
                   "gathers them all)");
    if (a->jobs > 1 && a->o.ops > 0 && a->o.ops < (uint64_t)a->jobs)
        return bad(why, whylen, "--queries %" PRIu64 ": fewer than --jobs "
                   "(%d); each job runs at least one", a->o.ops, a->jobs);
    return 0;
}

/* ---- results ---- */

static const char *mode_name(pd_bench_mode m)
{
    switch (m) {
    case PD_BENCH_POOL: return "pool";
    case PD_BENCH_BATCH: return "batch";
    case PD_BENCH_GATHER: return "gather";
    default: return "query";
    }
}

static double q_ms(const pd_histogram *h, double q)
{
    return (double)pd_histogram_quantile(h, q) / 1000.0;
}

static long peak_rss_kb(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return ru.ru_maxrss;
}

static void print_result(FILE *f, const bench_args *a,
                         const pd_bench_result *r, int conns)
{
    const pd_histogram *l = &r->latency, *g = &r->lag;
    double mean = l->count > 0 ? (double)l->sum_us / (double)l->count / 1e3
                               : 0;

    if (a->json) {
        fprintf(f, "{\"mode\": \"%s\", \"clients\": %d, ",
                mode_name(a->o.mode), a->o.clients);
        if (a->jobs > 1)
            fprintf(f, "\"jobs\": %d, ", a->jobs);
        fprintf(f, "\"pipeline\": %d, "
                   "\"batch_rows\": %zu, \"queries\": %" PRIu64 ", "
                   "\"ops\": %" PRIu64 ", \"errors\": %" PRIu64 ", "
                   "\"seconds\": %.3f, \"qps\": %.1f, "
                   "\"latency_ms\": {\"p50\": %.3f, \"p95\": %.3f, "
                   "\"p99\": %.3f, \"max\": %.3f, \"mean\": %.3f}, "
                   "\"loop_lag_ms\": {\"p50\": %.3f, \"p99\": %.3f, "
                   "\"max\": %.3f}, \"connections\": %d, "
                   "\"rss_kb\": %ld}\n",
                a->o.pipeline,
                a->o.mode == PD_BENCH_BATCH ? a->o.batch_rows : (size_t)0,
                r->queries, r->ops, r->errors, r->seconds, r->qps,
                q_ms(l, 0.5), q_ms(l, 0.95), q_ms(l, 0.99),
                (double)l->max_us / 1e3, mean, q_ms(g, 0.5), q_ms(g, 0.99),
                (double)g->max_us / 1e3, conns, peak_rss_kb());
        return;
    }
    fprintf(f, "mode %s, %d client%s", mode_name(a->o.mode), a->o.clients,
            a->o.clients == 1 ? "" : "s");
    if (a->jobs > 1)
        fprintf(f, ", %d jobs", a->jobs);
    if (a->o.mode == PD_BENCH_QUERY)
        fprintf(f, ", pipeline %d", a->o.pipeline);
    if (a->o.mode == PD_BENCH_BATCH)
        fprintf(f, ", %zu rows per batch", a->o.batch_rows);
    fprintf(f, "\nqueries:     %" PRIu64 " in %" PRIu64 " operations\n",
            r->queries, r->ops);
    fprintf(f, "errors:      %" PRIu64 "\n", r->errors);
    fprintf(f, "seconds:     %.3f\n", r->seconds);
    fprintf(f, "qps:         %.1f\n", r->qps);
    fprintf(f, "latency ms:  p50 %.3f  p95 %.3f  p99 %.3f  max %.3f  "
               "(per operation)\n",
            q_ms(l, 0.5), q_ms(l, 0.95), q_ms(l, 0.99),
            (double)l->max_us / 1e3);
    fprintf(f, "loop lag ms: p50 %.3f  p99 %.3f  max %.3f\n", q_ms(g, 0.5),
            q_ms(g, 0.99), (double)g->max_us / 1e3);
    fprintf(f, "connections: %d open, peak RSS %.1f MB\n", conns,
            (double)peak_rss_kb() / 1024.0);
}

/* ---- pgdeck bench ---- */

typedef struct cli_run {
    pd_core *core;         /* borrowed */
    const bench_args *a;   /* borrowed */
    int status;
    bool done;
} cli_run;

/* Prints the outcome (the error to stderr, the result to stdout) and
 * returns the exit status. */
static int report_run(const bench_args *a, const pd_bench_result *res,
                      const pd_error *err, int conns)
{
    int status = 0;

    if (err != NULL) {
        fprintf(stderr, "pgdeck: error: %s\n", err->message);
        status = res->queries == 0 && (err->kind == PD_ERR_CONNECTION ||
                                       err->kind == PD_ERR_POOL_TIMEOUT)
                     ? 2
                     : 1;
    }
    if (res->ops > 0 || err == NULL)
        print_result(stdout, a, res, conns);
    fflush(stdout);
    return status;
}

static void on_cli_done(const pd_bench_result *res, const pd_error *err,
                        void *ctx)
{
    cli_run *r = ctx;
    pd_pool_stats st = pd_pool_stats_get(pd_core_pool(r->core));

    r->done = true;
    r->status = report_run(r->a, res, err, st.size);
    pd_core_stop(r->core);
}

/* ---- pgdeck bench --jobs N ---- */

/* Where the threads wait, each with its core built, until all are ready
 * (or one could not be started: then none runs). */
typedef struct start_gate {
    uv_mutex_t mu;
    uv_cond_t cv;
    int ready;  /* threads waiting */
    int go;     /* 0: wait; 1: run; -1: give up */
} start_gate;

/* One thread's share. The main thread fills the first block before
 * creating the thread; the thread alone writes the second, and the main
 * thread reads it only after joining. */
typedef struct bench_job {
    pd_config cfg;        /* owned copy: pool sized for its clients */
    pd_bench_opts o;      /* its clients and operations; sql and params
                             borrowed from the arguments, read-only */
    start_gate *gate;     /* borrowed */
    uv_thread_t tid;
    /* written by the thread */
    pd_core *core;        /* the thread's own, during its run */
    bool done;            /* the run's callback came */
    bool setup_failed;    /* no run: err says why */
    pd_bench_result res;
    pd_error err;
    int conns;            /* its pool's connections at the end */
} bench_job;

static void on_job_done(const pd_bench_result *res, const pd_error *err,
                        void *ctx)
{
    bench_job *j = ctx;

    j->done = true;
    j->res = *res;
    if (err != NULL)
        pd_error_copy(&j->err, err);
    j->conns = pd_pool_stats_get(pd_core_pool(j->core)).size;
    pd_core_stop(j->core);
}

static void job_main(void *arg)
{
    bench_job *j = arg;
    start_gate *g = j->gate;
    int go;

    j->core = pd_core_new(&j->cfg, &j->err);
    uv_mutex_lock(&g->mu);
    g->ready++;
    uv_cond_broadcast(&g->cv);
    while (g->go == 0)
        uv_cond_wait(&g->cv, &g->mu);
    go = g->go;
    uv_mutex_unlock(&g->mu);
    if (j->core == NULL) {
        j->setup_failed = true;
        return;
    }
    if (go > 0) {
        if (pd_bench_run(pd_core_loop(j->core), pd_core_pool(j->core), &j->o,
                         on_job_done, j, &j->err) != 0)
            j->setup_failed = true;
        else
            pd_core_run(j->core); /* until on_job_done stops it */
    }
    pd_core_free(j->core);
    j->core = NULL;
}

/* Runs a's benchmark on a->jobs threads (cfg: the checked settings) and
 * returns the exit status. */
static int run_jobs(const bench_args *a, const pd_config *cfg)
{
    int n = a->jobs, i, created = 0, status = 0, conns = 0;
    int clients = a->o.clients;
    bench_job *jobs = pd_xcalloc((size_t)n, sizeof(*jobs));
    start_gate gate;
    pd_bench_result total;
    const pd_error *err = NULL;
    bool stopped_early = false;
    int cum = 0;

    memset(&gate, 0, sizeof(gate));
    if (uv_mutex_init(&gate.mu) != 0 || uv_cond_init(&gate.cv) != 0)
        pd_fatal("cannot create a mutex or a condition variable");
    for (i = 0; i < n; i++) {
        bench_job *j = &jobs[i];
        int share = clients / n + (i < clients % n ? 1 : 0);

        pd_error_init(&j->err);
        pd_config_copy(&j->cfg, cfg);
        j->cfg.pool_max = share; /* QUERY, BATCH: one per client; POOL:
                                    never more in use than clients */
        if (j->cfg.pool_min > share)
            j->cfg.pool_min = share;
        j->o = a->o;
        j->o.clients = share;
        if (a->o.ops > 0) {
            /* Its part of the operations, in proportion to its clients
             * (cumulative, so the parts add up to exactly --queries):
             * floor(ops * C / clients) without overflow. When there are
             * fewer operations than clients, an even split over jobs. */
            uint64_t ops = a->o.ops, q = ops / (uint64_t)clients,
                     r = ops % (uint64_t)clients, lo, hi;
            if (ops >= (uint64_t)clients) {
                lo = q * (uint64_t)cum + r * (uint64_t)cum / (uint64_t)clients;
                hi = q * (uint64_t)(cum + share) +
                     r * (uint64_t)(cum + share) / (uint64_t)clients;
                j->o.ops = hi - lo;
            } else {
                j->o.ops = ops / (uint64_t)n +
                           ((uint64_t)i < ops % (uint64_t)n ? 1 : 0);
            }
        }
        cum += share;
        j->gate = &gate;
    }
    for (i = 0; i < n; i++) {
        if (uv_thread_create(&jobs[i].tid, job_main, &jobs[i]) != 0)
            break;
        created++;
    }
    uv_mutex_lock(&gate.mu);
    while (gate.ready < created)
        uv_cond_wait(&gate.cv, &gate.mu);
    gate.go = created == n ? 1 : -1; /* every thread starts at once */
    uv_cond_broadcast(&gate.cv);
    uv_mutex_unlock(&gate.mu);
    for (i = 0; i < created; i++)
        uv_thread_join(&jobs[i].tid);
    uv_cond_destroy(&gate.cv);
    uv_mutex_destroy(&gate.mu);

    if (created < n) {
        fprintf(stderr, "pgdeck: error: cannot start thread %d of %d\n",
                created + 1, n);
        status = 2;
        goto out;
    }
    for (i = 0; i < n; i++) {
        if (jobs[i].setup_failed) {
            fprintf(stderr, "pgdeck: error: %s\n",
                    pd_error_isset(&jobs[i].err) ? jobs[i].err.message
                                                 : "the benchmark failed");
            status = 2;
            goto out;
        }
    }
    /* Merge: sums, histograms bucket by bucket, the longest window. */
    memset(&total, 0, sizeof(total));
    pd_histogram_reset(&total.latency);
    pd_histogram_reset(&total.lag);
    for (i = 0; i < n; i++) {
        const bench_job *j = &jobs[i];
        if (!j->done) {
            stopped_early = true;
            continue;
        }
        total.queries += j->res.queries;
        total.ops += j->res.ops;
        total.errors += j->res.errors;
        if (j->res.seconds > total.seconds)
            total.seconds = j->res.seconds;
        pd_histogram_merge(&total.latency, &j->res.latency);
        pd_histogram_merge(&total.lag, &j->res.lag);
        conns += j->conns;
        if (err == NULL && pd_error_isset(&j->err))
            err = &j->err;
    }
    if (total.seconds > 0)
        total.qps = (double)total.queries / total.seconds;
    status = report_run(a, &total, err, conns);
    if (stopped_early) {
        fprintf(stderr, "pgdeck: error: the benchmark stopped early\n");
        status = 1;
    }

out:
    for (i = 0; i < n; i++) {
        pd_config_free(&jobs[i].cfg);
        pd_error_clear(&jobs[i].err);
    }
    free(jobs);
    return status;
}

/* The settings: config file, environment, then our options. */
static int bench_config(pd_config *cfg, const bench_args *a, pd_error *err)
{
    int rc, need = a->o.mode == PD_BENCH_POOL ? 1 : a->o.clients;

    if ((rc = pd_config_load(cfg, a->config, err)) != 0 ||
        (rc = pd_config_apply_env(cfg, err)) != 0)
        return rc;
    if (a->demo && a->dsn == NULL) {
        char *dsn = NULL, *demo_cfg = NULL;
        if (sh_demo_ensure(&dsn, &demo_cfg, err) != 0)
            return PD_ECONNECT;
        rc = pd_config_set(cfg, "database.url", dsn, "--demo", err);
        free(dsn);
        free(demo_cfg);
        if (rc != 0)
            return rc;
    }
    if (a->dsn != NULL &&
        (rc = pd_config_set(cfg, "database.url", a->dsn, "DBNAME", err)) != 0)
        return rc;
    if (a->host != NULL)
        pd_config_set_str(&cfg->host, a->host);
    if (a->port != NULL)
        pd_config_set_str(&cfg->port, a->port);
    if (a->user != NULL)
        pd_config_set_str(&cfg->user, a->user);
    if (a->dbname != NULL)
        pd_config_set_str(&cfg->dbname, a->dbname);
    /* Every client holds a connection: the pool must allow them all. The
     * pool is never started, so its minimum opens nothing by itself. */
    if (cfg->pool_max < need)
        cfg->pool_max = need;
    if (cfg->pool_min > cfg->pool_max)
        cfg->pool_min = cfg->pool_max;
    return pd_config_check(cfg, err);
}

/* `pgdeck bench`; see bench_cmd.h. */
int sh_bench_main(int argc, char **argv)
{
    bench_args a;
    pd_config cfg;
    pd_error err = PD_ERROR_INIT;
    pd_core *core = NULL;
    cli_run run;
    char why[256];
    int status = 0;

    if (parse_bench_args(argc - 1, argv + 1, true, &a, why,
                         sizeof(why)) != 0) {
        fprintf(stderr, "pgdeck: error: %s\nTry \"pgdeck bench --help\" for "
                        "more information.\n", why);
        return 2;
    }
    if (a.help) {
        fputs(usage_text, stdout);
        return 0;
    }
    pd_config_init(&cfg);
    if (bench_config(&cfg, &a, &err) != 0) {
        fprintf(stderr, "pgdeck: error: %s\n", err.message);
        status = 2;
        goto out;
    }
    if (a.jobs > 1) {
        status = run_jobs(&a, &cfg);
        goto out;
    }
    if ((core = pd_core_new(&cfg, &err)) == NULL) {
        fprintf(stderr, "pgdeck: error: %s\n", err.message);
        status = 2;
        goto out;
    }
    memset(&run, 0, sizeof(run));
    run.core = core;
    run.a = &a;
    if (pd_bench_run(pd_core_loop(core), pd_core_pool(core), &a.o,
                     on_cli_done, &run, &err) != 0) {
        fprintf(stderr, "pgdeck: error: %s\n", err.message);
        status = 2;
        goto out;
    }
    pd_core_run(core); /* until on_cli_done stops it */
    if (!run.done) {
        fprintf(stderr, "pgdeck: error: the benchmark stopped early\n");
        run.status = 1;
    }
    status = run.status;

out:
    pd_core_free(core);
    pd_config_free(&cfg);
    pd_error_clear(&err);
    return status;
}

/* ---- \bench ---- */

/* Splits a backslash command's arguments: blanks separate words; '...'
 * quotes (with '' for a quote) and "..." quotes keep blanks. Returns-owned
 * argv (and its strings) with *argc words. */
static char **split_words(const char *s, int *argc)
{
    char **argv = NULL;
    int n = 0;
    pd_strbuf w = PD_STRBUF_INIT;

    for (;;) {
        bool any = false;
        while (isspace((unsigned char)*s))
            s++;
        if (*s == '\0')
            break;
        pd_strbuf_reset(&w);
        while (*s != '\0' && !isspace((unsigned char)*s)) {
            char q = *s;
            any = true;
            if (q == '\'' || q == '"') {
                for (s++; *s != '\0'; s++) {
                    if (*s == q && q == '\'' && s[1] == '\'') {
                        pd_strbuf_putc(&w, '\'');
                        s++;
                    } else if (*s == q) {
                        s++;
                        break;
                    } else {
                        pd_strbuf_putc(&w, *s);
                    }
                }
                continue;
            }
            pd_strbuf_putc(&w, *s++);
        }
        if (any) {
            argv = pd_xrealloc(argv, (size_t)(n + 2) * sizeof(char *));
            argv[n++] = pd_xstrdup(pd_strbuf_cstr(&w));
            argv[n] = NULL;
        }
    }
    pd_strbuf_free(&w);
    *argc = n;
    return argv;
}

static void free_words(char **argv, int argc)
{
    int i;

    for (i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
}

typedef struct shell_bench {
    sh_session *s;  /* borrowed */
    bench_args a;   /* its strings point into words */
    char **words;   /* owned */
    int nwords;
} shell_bench;

static void on_shell_bench(const pd_bench_result *res, const pd_error *err,
                           void *ctx)
{
    shell_bench *sb = ctx;
    sh_session *s = sb->s;
    pd_pool_stats st = pd_pool_stats_get(pd_core_pool(sh_session_core(s)));

    if (res->ops > 0 || err == NULL)
        print_result(sh_session_out(s), &sb->a, res, st.size);
    if (err != NULL)
        sh_session_print_error(s, err);
    free_words(sb->words, sb->nwords);
    free(sb);
    sh_session_unit_done(s, err != NULL ? 1 : 0);
}

static int cmd_bench(sh_session *s, const char *args)
{
    shell_bench *sb = pd_xcalloc(1, sizeof(*sb));
    pd_core *core = sh_session_core(s);
    pd_error err = PD_ERROR_INIT;
    pd_pool_stats st;
    char why[256];
    int need;

    sb->s = s;
    sb->words = split_words(args, &sb->nwords);
    if (parse_bench_args(sb->nwords, sb->words, false, &sb->a, why,
                         sizeof(why)) != 0) {
        sh_session_errorf(s, "\\bench: %s", why);
        goto fail;
    }
    if (sb->a.help) {
        fputs("\\bench [--clients N] [--duration S | --queries N] "
              "[--sql SQL]\n       [--param random:LO:HI]... "
              "[--pipeline N] [--via pool | --batch ROWS | --gather]\n"
              "       [--warmup N] [--json]\n",
              sh_session_out(s));
        free_words(sb->words, sb->nwords);
        free(sb);
        return 0;
    }
    if (sb->a.jobs > 1) {
        sh_session_errorf(s, "\\bench: --jobs is for `pgdeck bench` only "
                          "(the session runs one loop)");
        goto fail;
    }
    /* The session holds a connection of the pool itself. */
    st = pd_pool_stats_get(pd_core_pool(core));
    need = sb->a.o.mode == PD_BENCH_POOL ? 1 : sb->a.o.clients;
    if (need > st.max - st.in_use) {
        sh_session_errorf(s, "\\bench: %d clients need %d connections, and "
                          "%d of the pool's %d are free (see --max-pool)",
                          sb->a.o.clients, need, st.max - st.in_use, st.max);
        goto fail;
    }
    if (pd_bench_run(pd_core_loop(core), pd_core_pool(core), &sb->a.o,
                     on_shell_bench, sb, &err) != 0) {
        sh_session_errorf(s, "\\bench: %s", err.message);
        pd_error_clear(&err);
        goto fail;
    }
    return SH_CMD_ASYNC;

fail:
    free_words(sb->words, sb->nwords);
    free(sb);
    return 1;
}

/* ---- \batch ---- */

/* Parameter rows read from a file: nrows x ncols values, row after row,
 * each owned (NULL for SQL NULL). */
typedef struct rows {
    char **v;
    size_t n, cap;
    size_t nrows;
    int ncols;
} rows;

static void rows_add(rows *r, char *val)
{
    if (r->n == r->cap) {
        r->cap = r->cap > 0 ? r->cap * 2 : 256;
        r->v = pd_xrealloc(r->v, r->cap * sizeof(char *));
    }
    r->v[r->n++] = val;
}

static void rows_free(rows *r)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        free(r->v[i]);
    free(r->v);
    memset(r, 0, sizeof(*r));
}

/* Ends a row of `got` values: the first row sets the width. */
static int rows_end(rows *r, int got, size_t where, const char *what,
                    char *why, size_t whylen)
{
    if (r->nrows == 0)
        r->ncols = got;
    else if (got != r->ncols)
        return bad(why, whylen, "%s %zu has %d values, the first row has %d",
                   what, where, got, r->ncols);
    r->nrows++;
    return 0;
}

/* CSV as RFC 4180 and COPY read it: ',' between fields, '"' quotes with
 * "" inside, CRLF or LF between records, an unquoted empty field is NULL
 * and a quoted one is the empty string. Blank lines are skipped. Every
 * record is a parameter row (no header line). */
static int parse_csv(const char *p, size_t len, rows *r, char *why,
                     size_t whylen)
{
    const char *end = p + len;
    size_t line = 1;
    pd_strbuf f = PD_STRBUF_INIT;
    int rc = 0;

    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* a UTF-8 byte order mark */
    while (p < end && rc == 0) {
        int got = 0;
        size_t start_line = line;

        if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
            p += *p == '\r' ? 2 : 1; /* a blank line */
            line++;
            continue;
        }
        for (;;) {
            bool quoted = false;
            pd_strbuf_reset(&f);
            if (p < end && *p == '"') {
                quoted = true;
                for (p++;; p++) {
                    if (p >= end) {
                        rc = bad(why, whylen, "line %zu: unterminated "
                                 "quoted field", start_line);
                        goto out;
                    }
                    if (*p == '"' && p + 1 < end && p[1] == '"') {
                        pd_strbuf_putc(&f, '"');
                        p++;
                    } else if (*p == '"') {
                        p++;
                        break;
                    } else {
                        if (*p == '\n')
                            line++;
                        pd_strbuf_putc(&f, *p);
                    }
                }
            }
            while (p < end && *p != ',' && *p != '\n' &&
                   !(*p == '\r' && (p + 1 == end || p[1] == '\n'))) {
                if (quoted) {
                    rc = bad(why, whylen, "line %zu: text after a closing "
                             "quote", line);
                    goto out;
                }
                pd_strbuf_putc(&f, *p++);
            }
            rows_add(r, quoted || f.len > 0 ? pd_xstrdup(pd_strbuf_cstr(&f))
                                            : NULL);
            got++;
            if (p < end && *p == ',') {
                p++;
                continue;
            }
            break;
        }
        if (p < end && *p == '\r')
            p++;
        if (p < end && *p == '\n') {
            p++;
            line++;
        }
        rc = rows_end(r, got, start_line, "line", why, whylen);
    }
out:
    pd_strbuf_free(&f);
    return rc;
}

/* One JSON value as a parameter: strings as they are, null as NULL,
 * anything else as its JSON text (numbers, booleans, json/jsonb). */
static char *json_param(const cJSON *v)
{
    if (cJSON_IsNull(v))
        return NULL;
    if (cJSON_IsString(v))
        return pd_xstrdup(v->valuestring);
    if (cJSON_IsBool(v))
        return pd_xstrdup(cJSON_IsTrue(v) ? "true" : "false");
    {
        char *s = cJSON_PrintUnformatted(v), *out;
        if (s == NULL)
            pd_fatal("out of memory");
        out = pd_xstrdup(s);
        cJSON_free(s);
        return out;
    }
}

/* A JSON array of arrays (values in order) or of objects (their values in
 * the order written). */
static int parse_json(const char *p, size_t len, rows *r, char *why,
                      size_t whylen)
{
    cJSON *root = cJSON_ParseWithLength(p, len), *row, *v;
    size_t i = 0;
    int rc = 0;

    if (root == NULL || !cJSON_IsArray(root)) {
        cJSON_Delete(root);
        return bad(why, whylen, "not a JSON array of arrays or objects");
    }
    cJSON_ArrayForEach(row, root) {
        int got = 0;
        i++;
        if (!cJSON_IsArray(row) && !cJSON_IsObject(row)) {
            rc = bad(why, whylen, "element %zu is not an array or an "
                     "object", i);
            break;
        }
        cJSON_ArrayForEach(v, row) {
            rows_add(r, json_param(v));
            got++;
        }
        if ((rc = rows_end(r, got, i, "element", why, whylen)) != 0)
            break;
    }
    cJSON_Delete(root);
    return rc;
}

typedef struct batch_job {
    sh_session *s;   /* borrowed */
    char *path;      /* owned */
    char *sql;       /* owned */
    uv_fs_t req;
    uv_file fd;
    pd_strbuf data;  /* the file */
    char chunk[65536];
    rows rows;
} batch_job;

static void job_end(batch_job *j, int status)
{
    sh_session *s = j->s;

    uv_fs_req_cleanup(&j->req);
    rows_free(&j->rows);
    pd_strbuf_free(&j->data);
    free(j->path);
    free(j->sql);
    free(j);
    sh_session_unit_done(s, status);
}

static void on_batched(const pd_batch_result *res, const pd_error *err,
                       void *ctx)
{
    batch_job *j = ctx;

    if (err != NULL) {
        sh_session_print_error(j->s, err);
        job_end(j, 1);
        return;
    }
    if (!sh_session_print_opts(j->s)->quiet)
        fprintf(sh_session_out(j->s), "BATCH %zu\n", res->rows);
    job_end(j, 0);
}

static void run_rows(batch_job *j)
{
    char why[256];
    const char *p = pd_strbuf_cstr(&j->data);
    size_t len = j->data.len, k = 0;
    pd_batch_opts o;
    int rc;

    while (k < len && isspace((unsigned char)p[k]))
        k++;
    rc = k < len && p[k] == '['
             ? parse_json(p, len, &j->rows, why, sizeof(why))
             : parse_csv(p, len, &j->rows, why, sizeof(why));
    if (rc != 0) {
        sh_session_errorf(j->s, "\\batch: %s: %s", j->path, why);
        job_end(j, 1);
        return;
    }
    memset(&o, 0, sizeof(o));
    o.source = "shell";
    if (pd_batch_run(pd_core_pool(sh_session_core(j->s)), j->sql,
                     j->rows.nrows, j->rows.ncols,
                     (const char *const *)j->rows.v, &o, on_batched,
                     j) != 0) {
        sh_session_errorf(j->s, "\\batch: the pool is closing");
        job_end(j, 1);
    }
}

static void on_closed(uv_fs_t *req)
{
    batch_job *j = req->data;

    uv_fs_req_cleanup(req);
    run_rows(j);
}

static void fs_failed(batch_job *j, ssize_t rc)
{
    sh_session_errorf(j->s, "\\batch: %s: %s", j->path,
                      uv_strerror((int)rc));
    if (j->fd >= 0) {
        uv_fs_t close_req;
        uv_fs_req_cleanup(&j->req);
        /* Synchronous close of a local file (no callback): brief, and
         * only on this error path. */
        uv_fs_close(NULL, &close_req, j->fd, NULL);
        uv_fs_req_cleanup(&close_req);
    }
    job_end(j, 1);
}

static void on_read(uv_fs_t *req)
{
    batch_job *j = req->data;
    ssize_t n = req->result;
    uv_buf_t buf;
    int rc;

    if (n < 0) {
        fs_failed(j, n);
        return;
    }
    uv_fs_req_cleanup(req);
    if (n == 0) {
        rc = uv_fs_close(pd_core_loop(sh_session_core(j->s)), &j->req,
                         j->fd, on_closed);
        j->fd = -1;
        if (rc != 0)
            run_rows(j); /* nothing to wait for: the data is read */
        return;
    }
    pd_strbuf_append(&j->data, j->chunk, (size_t)n);
    buf = uv_buf_init(j->chunk, sizeof(j->chunk));
    rc = uv_fs_read(pd_core_loop(sh_session_core(j->s)), &j->req, j->fd,
                    &buf, 1, -1, on_read);
    if (rc != 0)
        fs_failed(j, rc);
}

static void on_open(uv_fs_t *req)
{
    batch_job *j = req->data;
    uv_buf_t buf;
    int rc;

    if (req->result < 0) {
        fs_failed(j, req->result);
        return;
    }
    j->fd = (uv_file)req->result;
    uv_fs_req_cleanup(req);
    buf = uv_buf_init(j->chunk, sizeof(j->chunk));
    rc = uv_fs_read(pd_core_loop(sh_session_core(j->s)), &j->req, j->fd,
                    &buf, 1, -1, on_read);
    if (rc != 0)
        fs_failed(j, rc);
}

/* \batch FILE SQL: FILE is a word, quoted with '...' when it has blanks;
 * SQL is the rest of the line. */
static int cmd_batch(sh_session *s, const char *args)
{
    batch_job *j;
    pd_strbuf path = PD_STRBUF_INIT;
    const char *p = args;
    int rc;

    if (*p == '\'') {
        for (p++; *p != '\0'; p++) {
            if (*p == '\'' && p[1] == '\'')
                pd_strbuf_putc(&path, *p++);
            else if (*p == '\'')
                break;
            else
                pd_strbuf_putc(&path, *p);
        }
        if (*p == '\'')
            p++;
    } else {
        while (*p != '\0' && !isspace((unsigned char)*p))
            pd_strbuf_putc(&path, *p++);
    }
    while (isspace((unsigned char)*p))
        p++;
    if (path.len == 0 || *p == '\0') {
        pd_strbuf_free(&path);
        sh_session_errorf(s, "\\batch: usage: \\batch FILE SQL (one row of "
                          "FILE, CSV or JSON, per execution of SQL)");
        return 1;
    }
    j = pd_xcalloc(1, sizeof(*j));
    j->s = s;
    j->path = pd_strbuf_steal(&path);
    j->sql = pd_xstrdup(p);
    j->fd = -1;
    j->req.data = j;
    rc = uv_fs_open(pd_core_loop(sh_session_core(s)), &j->req, j->path,
                    O_RDONLY, 0, on_open);
    if (rc != 0) {
        sh_session_errorf(s, "\\batch: %s: %s", j->path, uv_strerror(rc));
        uv_fs_req_cleanup(&j->req);
        free(j->path);
        free(j->sql);
        free(j);
        return 1;
    }
    return SH_CMD_ASYNC;
}

const sh_cmd sh_batch_commands[] = {
    {"batch", cmd_batch, "\\batch FILE SQL",
     "run SQL once per row of FILE (CSV or JSON), pipelined, all or none"},
    {"bench", cmd_bench, "\\bench [--clients N] [--duration S] ...",
     "benchmark a statement on the pool (\\bench --help)"},
    {NULL, NULL, NULL, NULL},
};
