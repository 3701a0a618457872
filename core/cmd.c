/* cmd.c: core's data commands (see cmd.h).
 *
 * pd_cmd_run parses the line at once (to say whether it is ours) but runs
 * the command from a zero timer, so that results, usage errors and the
 * health probe's answer all arrive the same way: one callback on a later
 * loop turn, with numbers as of that turn. */
#include "core/cmd.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/metrics.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#define MAX_ARGS 4
#define DEFAULT_LIMIT 20

typedef enum cmd_kind {
    CMD_POOL,
    CMD_SLOW,
    CMD_METRICS,
    CMD_HEALTH,
    CMD_LOCKS,
    CMD_RETRIES
} cmd_kind;

static const struct {
    const char *name;
    cmd_kind kind;
} commands[] = {
    {"pool", CMD_POOL},       {"slow", CMD_SLOW},   {"metrics", CMD_METRICS},
    {"health", CMD_HEALTH},   {"locks", CMD_LOCKS}, {"retries", CMD_RETRIES},
};

typedef struct job {
    pd_core *core;        /* borrowed */
    cmd_kind kind;
    int argc;
    char *argv[MAX_ARGS]; /* owned words after the name */
    bool too_many;        /* more words than MAX_ARGS */
    pd_cmd_cb cb;
    void *ctx;
    uv_timer_t timer;     /* zero timeout: runs the command next turn */
    bool timer_closed;    /* its close callback ran */
    bool done;            /* cb was called */
} job;

/* ---- small table helpers ---- */

static pd_result *kv_table(void)
{
    static const char *const names[2] = {"stat", "value"};

    return pd_result_new(2, names, NULL);
}

static void kv(pd_result *r, const char *name, const char *fmt, ...)
    PD_PRINTF(3, 4);

static void kv(pd_result *r, const char *name, const char *fmt, ...)
{
    const char *row[2];
    va_list ap;
    char *v;

    va_start(ap, fmt);
    v = pd_xvasprintf(fmt, ap);
    va_end(ap);
    row[0] = name;
    row[1] = v;
    pd_result_add_row(r, row);
    free(v);
}

static void ms(char *buf, size_t size, uint64_t us)
{
    snprintf(buf, size, "%" PRIu64 ".%03" PRIu64, us / 1000, us % 1000);
}

static void kv_ms(pd_result *r, const char *name, uint64_t us)
{
    char b[32];

    ms(b, sizeof(b), us);
    kv(r, name, "%s", b);
}

static void set_rows_tag(pd_result *r)
{
    char tag[32];

    snprintf(tag, sizeof(tag), "SELECT %zu", pd_result_nrows(r));
    pd_result_set_tag(r, tag);
}

/* ---- the tables ---- */

/* Returns-owned; see cmd.h. */
pd_result *pd_cmd_pool(pd_core *core)
{
    pd_pool_stats st = pd_pool_stats_get(pd_core_pool(core));
    const pd_error *le = pd_pool_last_error(pd_core_pool(core));
    pd_result *r = kv_table();

    kv(r, "min", "%d", st.min);
    kv(r, "max", "%d", st.max);
    kv(r, "size", "%d", st.size);
    kv(r, "idle", "%d", st.idle);
    kv(r, "in_use", "%d", st.in_use);
    kv(r, "connecting", "%d", st.connecting);
    kv(r, "waiting", "%d", st.waiting);
    kv(r, "acquires", "%" PRIu64, st.acquires);
    kv(r, "acquire_timeouts", "%" PRIu64, st.timeouts);
    kv_ms(r, "acquire_wait_p50_ms", pd_histogram_quantile(&st.wait, 0.5));
    kv_ms(r, "acquire_wait_p99_ms", pd_histogram_quantile(&st.wait, 0.99));
    kv_ms(r, "acquire_wait_max_ms", st.wait.max_us);
    kv(r, "opened", "%" PRIu64, st.opened);
    kv(r, "closed", "%" PRIu64, st.closed);
    kv(r, "recycled", "%" PRIu64, st.recycled);
    kv(r, "idle_closed", "%" PRIu64, st.idle_closed);
    kv(r, "resets", "%" PRIu64, st.resets);
    kv(r, "pings", "%" PRIu64, st.pings);
    kv(r, "connect_errors", "%" PRIu64, st.errors);
    kv(r, "last_error", "%s", le != NULL && le->message ? le->message : "");
    set_rows_tag(r);
    return r;
}

static void fmt_ts(char *buf, size_t size, int64_t ts_us)
{
    time_t t = (time_t)(ts_us / 1000000);
    struct tm tm;
    size_t n;

    /* UTC as in the slow-log file: gmtime_r reads no time-zone file. */
    gmtime_r(&t, &tm);
    n = strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf + n, size - n, ".%03dZ", (int)((ts_us / 1000) % 1000));
}

/* Returns-owned; see cmd.h. */
pd_result *pd_cmd_slow_worst(pd_core *core, pd_slowlog_order order,
                             size_t limit)
{
    static const char *const names[7] = {
        "fingerprint", "calls", "total_ms", "mean_ms", "p95_ms", "max_ms",
        "query"};
    static const uint32_t types[7] = {PD_OID_TEXT,    PD_OID_INT8,
                                      PD_OID_NUMERIC, PD_OID_NUMERIC,
                                      PD_OID_NUMERIC, PD_OID_NUMERIC,
                                      PD_OID_TEXT};
    pd_slowlog *sl = pd_core_slowlog(core);
    pd_result *r = pd_result_new(7, names, types);
    pd_slowlog_stat *st;
    size_t n, i;

    if (limit == 0)
        limit = DEFAULT_LIMIT;
    st = pd_xcalloc(limit, sizeof(*st));
    n = pd_slowlog_stats(sl, order, st, limit);
    for (i = 0; i < n; i++) {
        char fp[20], calls[24], tot[32], mean[32], p95[32], max[32];
        const char *row[7] = {fp, calls, tot, mean, p95, max, st[i].query};
        snprintf(fp, sizeof(fp), "%016" PRIx64, st[i].fingerprint);
        snprintf(calls, sizeof(calls), "%" PRIu64, st[i].calls);
        ms(tot, sizeof(tot), st[i].total_us);
        ms(mean, sizeof(mean), st[i].mean_us);
        ms(p95, sizeof(p95), st[i].p95_us);
        ms(max, sizeof(max), st[i].max_us);
        pd_result_add_row(r, row);
    }
    free(st);
    set_rows_tag(r);
    return r;
}

/* Returns-owned; see cmd.h. */
pd_result *pd_cmd_slow_recent(pd_core *core, size_t limit)
{
    static const char *const names[6] = {"ended", "duration_ms", "source",
                                         "rows", "error", "query"};
    static const uint32_t types[6] = {PD_OID_TEXT, PD_OID_NUMERIC,
                                      PD_OID_TEXT, PD_OID_INT8,
                                      PD_OID_TEXT, PD_OID_TEXT};
    pd_slowlog *sl = pd_core_slowlog(core);
    pd_result *r = pd_result_new(6, names, types);
    size_t i;

    if (limit == 0)
        limit = DEFAULT_LIMIT;
    for (i = 0; i < limit; i++) {
        const pd_slowlog_item *it = pd_slowlog_get(sl, i);
        char ts[40], dur[32], rows[24], *err = NULL;
        const char *row[6];
        if (it == NULL)
            break;
        fmt_ts(ts, sizeof(ts), it->ts_us);
        ms(dur, sizeof(dur), it->duration_us);
        snprintf(rows, sizeof(rows), "%" PRId64, it->rows);
        if (it->err_message != NULL)
            err = it->err_sqlstate[0] != '\0'
                      ? pd_xasprintf("%s: %s", it->err_sqlstate,
                                     it->err_message)
                      : pd_xstrdup(it->err_message);
        row[0] = ts;
        row[1] = dur;
        row[2] = it->source;
        row[3] = it->rows >= 0 ? rows : NULL;
        row[4] = err;
        row[5] = it->query;
        pd_result_add_row(r, row);
        free(err);
    }
    set_rows_tag(r);
    return r;
}

static void source_row(pd_result *r, const char *name,
                       const pd_metrics_source_stats *s)
{
    char q[24], e[24], rows[24], p50[32], p95[32], p99[32], max[32];
    const char *row[8] = {name, q, e, rows, p50, p95, p99, max};

    snprintf(q, sizeof(q), "%" PRIu64, s->queries);
    snprintf(e, sizeof(e), "%" PRIu64, s->errors);
    snprintf(rows, sizeof(rows), "%" PRIu64, s->rows);
    ms(p50, sizeof(p50), s->latency.p50_us);
    ms(p95, sizeof(p95), s->latency.p95_us);
    ms(p99, sizeof(p99), s->latency.p99_us);
    ms(max, sizeof(max), s->latency.max_us);
    pd_result_add_row(r, row);
}

/* Returns-owned; see cmd.h. Two tables: queries by source (those that ran
 * any, and all), then the rest as stat | value. */
pd_result *pd_cmd_metrics(pd_core *core)
{
    static const char *const names[8] = {"source", "queries", "errors",
                                         "rows",   "p50_ms",  "p95_ms",
                                         "p99_ms", "max_ms"};
    static const uint32_t types[8] = {
        PD_OID_TEXT,    PD_OID_INT8,    PD_OID_INT8,    PD_OID_INT8,
        PD_OID_NUMERIC, PD_OID_NUMERIC, PD_OID_NUMERIC, PD_OID_NUMERIC};
    pd_metrics_snapshot *s = pd_xmalloc(sizeof(*s));
    pd_result *r = pd_result_new(8, names, types), *kvr = kv_table();
    unsigned k;

    pd_metrics_snapshot_get(pd_core_metrics(core), s);
    for (k = 0; k < PD_METRICS_NSOURCES; k++)
        if (s->source[k].queries > 0)
            source_row(r, pd_metrics_source_name((pd_metrics_source)k),
                       &s->source[k]);
    source_row(r, "all", &s->all);
    set_rows_tag(r);

    kv(kvr, "uptime_s", "%" PRIu64, s->uptime_ms / 1000);
    kv(kvr, "queries_per_s", "%.1f", s->queries_per_s);
    kv(kvr, "errors_per_s", "%.1f", s->errors_per_s);
    kv(kvr, "in_flight", "%" PRIu64, s->in_flight);
    if (s->has_pool) {
        kv(kvr, "pool_in_use", "%d", s->pool.in_use);
        kv(kvr, "pool_idle", "%d", s->pool.idle);
        kv(kvr, "pool_waiting", "%d", s->pool.waiting);
        kv_ms(kvr, "acquire_wait_p99_ms", s->acquire_wait.p99_us);
    }
    if (s->has_retry) {
        uint64_t total = 0;
        for (k = 0; k < PD_RETRY_CLASS_COUNT; k++)
            total += s->retries[k];
        kv(kvr, "retries", "%" PRIu64, total);
    }
    if (s->has_breaker)
        kv(kvr, "breaker", "%s", pd_breaker_state_name(s->breaker.state));
    if (s->has_locks) {
        kv(kvr, "locks_held", "%d", s->locks.held);
        kv(kvr, "locks_waiting", "%d", s->locks.waiting);
        kv(kvr, "lock_waits", "%" PRIu64, s->locks.waited);
    }
    if (s->has_slowlog) {
        kv(kvr, "slow_queries", "%" PRIu64, s->slow.recorded);
        kv(kvr, "slow_threshold_ms", "%u", s->slow_threshold_ms);
    }
    kv_ms(kvr, "loop_lag_p99_ms", s->loop_lag.p99_us);
    kv_ms(kvr, "loop_lag_max_ms", s->loop_lag.max_us);
    set_rows_tag(kvr);
    free(s);
    pd_result_append(r, kvr);
    return r;
}

static void lock_rows(pd_result *r, const pd_locks_resource *res,
                      const pd_locks_entry *e, size_t n, const char *state)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char waited[24], held[24];
        const char *row[6] = {res->name, pd_locks_mode_name(e[i].mode),
                              e[i].owner, state, waited, held};
        snprintf(waited, sizeof(waited), "%" PRIu64, e[i].waited_ms);
        snprintf(held, sizeof(held), "%" PRIu64, e[i].held_ms);
        pd_result_add_row(r, row);
    }
}

/* Returns-owned; see cmd.h. Holders first, then waiters in queue order,
 * per resource by name. */
pd_result *pd_cmd_locks(pd_core *core)
{
    static const char *const names[6] = {"resource", "mode", "owner",
                                         "state", "waited_ms", "held_ms"};
    static const uint32_t types[6] = {PD_OID_TEXT, PD_OID_TEXT, PD_OID_TEXT,
                                      PD_OID_TEXT, PD_OID_INT8, PD_OID_INT8};
    pd_locks_snapshot *snap = pd_locks_snapshot_get(pd_core_locks(core));
    pd_result *r = pd_result_new(6, names, types);
    size_t i;

    for (i = 0; i < snap->nresources; i++) {
        const pd_locks_resource *res = &snap->resources[i];
        lock_rows(r, res, res->holders, res->nholders, "held");
        lock_rows(r, res, res->waiters, res->nwaiters, "waiting");
    }
    pd_locks_snapshot_free(snap);
    set_rows_tag(r);
    return r;
}

/* Returns-owned; see cmd.h. */
pd_result *pd_cmd_retries(pd_core *core)
{
    const pd_retry_stats *rs = pd_core_retry_stats(core);
    pd_breaker_stats b = pd_breaker_stats_get(pd_core_breaker(core));
    uint64_t now = uv_now(pd_core_loop(core));
    pd_result *r = kv_table();
    size_t i;

    kv(r, "retries_serialization", "%" PRIu64,
       rs->retries[PD_RETRY_CLASS_SERIALIZATION]);
    kv(r, "retries_deadlock", "%" PRIu64,
       rs->retries[PD_RETRY_CLASS_DEADLOCK]);
    kv(r, "retries_connection", "%" PRIu64,
       rs->retries[PD_RETRY_CLASS_CONNECTION]);
    kv(r, "recovered", "%" PRIu64, rs->recovered);
    kv(r, "gave_up", "%" PRIu64, rs->gave_up);
    kv(r, "outcome_unknown", "%" PRIu64, rs->outcome_unknown);
    kv(r, "not_retryable", "%" PRIu64, rs->not_retryable);
    kv(r, "failures", "%" PRIu64, rs->failures);
    kv_ms(r, "backoff_p50_ms", pd_histogram_quantile(&rs->backoff, 0.5));
    kv_ms(r, "backoff_max_ms", rs->backoff.max_us);
    for (i = 0; i < rs->nclasses; i++) {
        char name[24];
        snprintf(name, sizeof(name), "sqlstate_%s", rs->sqlclass[i].code);
        kv(r, name, "%" PRIu64, rs->sqlclass[i].count);
    }
    kv(r, "breaker", "%s", pd_breaker_state_name(b.state));
    kv(r, "breaker_failures", "%d of %d", b.consecutive_failures,
       b.failures_to_open);
    if (b.state == PD_BREAKER_OPEN)
        kv(r, "breaker_probe_in_ms", "%" PRIu64,
           b.retry_at_ms > now ? b.retry_at_ms - now : 0);
    kv(r, "breaker_opens", "%" PRIu64, b.opens);
    kv(r, "breaker_rejections", "%" PRIu64, b.rejections);
    kv(r, "breaker_probes", "%" PRIu64, b.probes);
    set_rows_tag(r);
    return r;
}

/* Returns-owned; see cmd.h. */
pd_result *pd_cmd_health(const pd_health *h)
{
    pd_result *r = kv_table();
    const pd_pool_stats *p = &h->pool;
    int i;

    kv(r, "status", "%s", pd_health_status_name(h->status));
    kv(r, "response_time_ms", "%.3f", h->response_time_ms);
    kv(r, "database_version", "%s",
       h->database_version != NULL ? h->database_version : "");
    if (h->uptime_s >= 0)
        kv(r, "server_uptime_s", "%" PRId64, h->uptime_s);
    if (h->in_recovery >= 0)
        kv(r, "in_recovery", "%s", h->in_recovery ? "true" : "false");
    if (h->max_connections > 0)
        kv(r, "connections", "%d of %d", h->connections_used,
           h->max_connections);
    kv(r, "pool", "size %d, idle %d, in use %d, waiting %d (min %d, max %d)",
       p->size, p->idle, p->in_use, p->waiting, p->min, p->max);
    kv(r, "breaker", "%s", pd_breaker_state_name(h->breaker));
    for (i = 0; i < h->nreasons; i++)
        kv(r, "reason", "%s", h->reasons[i]);
    set_rows_tag(r);
    return r;
}

/* ---- running a line ---- */

static void maybe_free_job(job *j)
{
    int i;

    if (!j->done || !j->timer_closed)
        return;
    for (i = 0; i < j->argc; i++)
        free(j->argv[i]);
    free(j);
}

static void on_timer_closed(uv_handle_t *h)
{
    job *j = h->data;

    j->timer_closed = true;
    maybe_free_job(j);
}

static void deliver(job *j, pd_result *res, char *text, const pd_error *err)
{
    j->done = true;
    j->cb(res, text, err, j->ctx);
    maybe_free_job(j);
}

static void usage(job *j, const char *fmt, ...) PD_PRINTF(2, 3);

static void usage(job *j, const char *fmt, ...)
{
    pd_error err = PD_ERROR_INIT;
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = pd_xvasprintf(fmt, ap);
    va_end(ap);
    pd_error_set(&err, PD_ERR_USAGE, "%s", msg);
    free(msg);
    deliver(j, NULL, NULL, &err);
    pd_error_clear(&err);
}

/* A whole decimal number in 0..max; false otherwise. */
static bool parse_num(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long v;

    if (!isdigit((unsigned char)s[0]))
        return false;
    v = strtoul(s, &end, 10);
    if (*end != '\0' || v > max)
        return false;
    *out = v;
    return true;
}

static void run_slow(job *j)
{
    static const struct {
        const char *word;
        pd_slowlog_order order;
    } orders[] = {{"total", PD_SLOWLOG_BY_TOTAL},
                  {"max", PD_SLOWLOG_BY_MAX},
                  {"mean", PD_SLOWLOG_BY_MEAN},
                  {"calls", PD_SLOWLOG_BY_CALLS}};
    pd_slowlog *sl = pd_core_slowlog(j->core);
    pd_slowlog_order order = PD_SLOWLOG_BY_TOTAL;
    bool recent = false;
    unsigned long limit = 0, v;
    int i = 0;
    size_t o;

    if (j->argc > 0 && strcmp(j->argv[0], "threshold") == 0) {
        if (j->argc == 1) {
            char *t = pd_xasprintf("Slow query threshold is %u ms.\n",
                                   pd_slowlog_threshold_ms(sl));
            deliver(j, NULL, t, NULL);
            return;
        }
        if (j->argc > 2 || !parse_num(j->argv[1], 86400000ul, &v)) {
            usage(j, "\\slow threshold: give a number of milliseconds");
            return;
        }
        pd_slowlog_set_threshold(sl, (uint32_t)v);
        deliver(j, NULL,
                pd_xasprintf("Slow query threshold is %lu ms.\n", v), NULL);
        return;
    }
    if (i < j->argc && strcmp(j->argv[i], "recent") == 0) {
        recent = true;
        i++;
    } else if (i < j->argc) {
        for (o = 0; o < sizeof(orders) / sizeof(orders[0]); o++)
            if (strcmp(j->argv[i], orders[o].word) == 0) {
                order = orders[o].order;
                i++;
                break;
            }
    }
    if (i < j->argc && parse_num(j->argv[i], 100000, &limit) && limit > 0)
        i++;
    if (i < j->argc) {
        usage(j, "\\slow: unexpected \"%s\"; use \\slow [total|max|mean|"
                 "calls] [N], \\slow recent [N] or \\slow threshold [MS]",
              j->argv[i]);
        return;
    }
    deliver(j,
            recent ? pd_cmd_slow_recent(j->core, limit)
                   : pd_cmd_slow_worst(j->core, order, limit),
            NULL, NULL);
}

static void on_health(const pd_health *h, void *ctx)
{
    job *j = ctx;

    if (j->argc == 1) {
        pd_strbuf sb = PD_STRBUF_INIT;
        pd_health_json(h, &sb);
        deliver(j, NULL, pd_strbuf_steal(&sb), NULL);
    } else {
        deliver(j, pd_cmd_health(h), NULL, NULL);
    }
}

static void run_health(job *j)
{
    pd_error err = PD_ERROR_INIT;

    if (j->argc > 1 || (j->argc == 1 && strcmp(j->argv[0], "json") != 0)) {
        usage(j, "\\health: use \\health or \\health json");
        return;
    }
    if (pd_health_check(j->core, NULL, on_health, j) != 0) {
        pd_error_set(&err, PD_ERR_CANCELED, "\\health: the pool is closing");
        deliver(j, NULL, NULL, &err);
        pd_error_clear(&err);
    }
}

static void run_metrics(job *j)
{
    pd_strbuf sb = PD_STRBUF_INIT;

    if (j->argc == 0) {
        deliver(j, pd_cmd_metrics(j->core), NULL, NULL);
    } else if (j->argc == 1 && strcmp(j->argv[0], "json") == 0) {
        pd_metrics_json(pd_core_metrics(j->core), &sb);
        deliver(j, NULL, pd_strbuf_steal(&sb), NULL);
    } else if (j->argc == 1 && strcmp(j->argv[0], "prom") == 0) {
        pd_metrics_prom(pd_core_metrics(j->core), &sb);
        deliver(j, NULL, pd_strbuf_steal(&sb), NULL);
    } else {
        usage(j, "\\metrics: use \\metrics, \\metrics json or "
                 "\\metrics prom");
    }
}

static const char *kind_name(cmd_kind kind)
{
    size_t i;

    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (commands[i].kind == kind)
            return commands[i].name;
    return "?";
}

static void on_run(uv_timer_t *t)
{
    job *j = t->data;

    uv_close((uv_handle_t *)&j->timer, on_timer_closed);
    if (j->too_many) {
        usage(j, "\\%s: too many arguments", kind_name(j->kind));
        return;
    }
    switch (j->kind) {
    case CMD_POOL:
    case CMD_LOCKS:
    case CMD_RETRIES:
        if (j->argc > 0) {
            usage(j, "\\%s takes no arguments", kind_name(j->kind));
            return;
        }
        deliver(j,
                j->kind == CMD_POOL    ? pd_cmd_pool(j->core)
                : j->kind == CMD_LOCKS ? pd_cmd_locks(j->core)
                                       : pd_cmd_retries(j->core),
                NULL, NULL);
        return;
    case CMD_SLOW:
        run_slow(j);
        return;
    case CMD_METRICS:
        run_metrics(j);
        return;
    case CMD_HEALTH:
        run_health(j);
        return;
    }
}

/* Finds the command line names; sets *args past the name. */
static bool lookup(const char *line, cmd_kind *kind, const char **args)
{
    size_t n, i;

    while (isspace((unsigned char)*line))
        line++;
    if (*line++ != '\\')
        return false;
    n = strcspn(line, " \t\r\n");
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strlen(commands[i].name) == n &&
            memcmp(commands[i].name, line, n) == 0) {
            *kind = commands[i].kind;
            *args = line + n;
            return true;
        }
    return false;
}

bool pd_cmd_is_data(const char *line)
{
    cmd_kind k;
    const char *a;

    return lookup(line, &k, &a);
}

/* See cmd.h. */
int pd_cmd_run(pd_core *core, const char *line, pd_cmd_cb cb, void *ctx)
{
    const char *args, *p;
    cmd_kind kind;
    job *j;

    if (!lookup(line, &kind, &args))
        return PD_ENOTFOUND;
    j = pd_xcalloc(1, sizeof(*j));
    j->core = core;
    j->kind = kind;
    j->cb = cb;
    j->ctx = ctx;
    for (p = args;;) {
        size_t n;
        p += strspn(p, " \t\r\n");
        if (*p == '\0')
            break;
        n = strcspn(p, " \t\r\n");
        if (j->argc == MAX_ARGS) {
            j->too_many = true;
            break;
        }
        j->argv[j->argc++] = pd_xstrndup(p, n);
        p += n;
    }
    uv_timer_init(pd_core_loop(core), &j->timer);
    j->timer.data = j;
    uv_timer_start(&j->timer, on_run, 0, 0);
    return 0;
}
