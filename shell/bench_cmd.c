/* bench_cmd.c: `pgdeck bench`, and the shell's \batch and \bench.
 *
 * The benchmark itself is core/bench; this file runs it and turns its
 * result into text or JSON. The arguments are parsed in bench_cmd_args.c,
 * \batch is in bench_cmd_batch.c (see bench_cmd_internal.h).
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
#include "shell/bench_cmd_internal.h"
#include "shell/demo_cmd.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/bench.h"
#include "core/config.h"
#include "core/core.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

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

/* Fills each job's share of a->jobs: a copy of cfg with a pool sized for
 * its clients, its clients and its part of --queries. */
static void share_out(const bench_args *a, const pd_config *cfg,
                      bench_job *jobs, start_gate *gate)
{
    int n = a->jobs, clients = a->o.clients, cum = 0, i;

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
        j->gate = gate;
    }
}

/* Merges the jobs' results (sums, histograms bucket by bucket, the
 * longest window), prints them, and returns the exit status. */
static int merge_report(const bench_args *a, const bench_job *jobs)
{
    pd_bench_result total;
    const pd_error *err = NULL;
    bool stopped_early = false;
    int i, conns = 0, status;

    memset(&total, 0, sizeof(total));
    pd_histogram_reset(&total.latency);
    pd_histogram_reset(&total.lag);
    for (i = 0; i < a->jobs; i++) {
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
    return status;
}

/* Runs a's benchmark on a->jobs threads (cfg: the checked settings) and
 * returns the exit status. */
static int run_jobs(const bench_args *a, const pd_config *cfg)
{
    int n = a->jobs, i, created = 0, status = 0;
    bench_job *jobs = pd_xcalloc((size_t)n, sizeof(*jobs));
    start_gate gate;

    memset(&gate, 0, sizeof(gate));
    if (uv_mutex_init(&gate.mu) != 0 || uv_cond_init(&gate.cv) != 0)
        pd_fatal("cannot create a mutex or a condition variable");
    share_out(a, cfg, jobs, &gate);
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
    status = merge_report(a, jobs);

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

    if (sh_bench_cmd_parse_args(argc - 1, argv + 1, true, &a, why,
                                sizeof(why)) != 0) {
        fprintf(stderr, "pgdeck: error: %s\nTry \"pgdeck bench --help\" for "
                        "more information.\n", why);
        return 2;
    }
    if (a.help) {
        fputs(sh_bench_cmd_usage, stdout);
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
    if (sh_bench_cmd_parse_args(sb->nwords, sb->words, false, &sb->a,
                                why, sizeof(why)) != 0) {
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

const sh_cmd sh_batch_commands[] = {
    {"batch", sh_bench_cmd_batch, "\\batch FILE [header] SQL",
     "run SQL once per row of FILE (CSV, header: skip its first line; "
     "or JSON), pipelined, all or none"},
    {"bench", cmd_bench, "\\bench [--clients N] [--duration S] ...",
     "benchmark a statement on the pool (\\bench --help)"},
    {NULL, NULL, NULL, NULL},
};
