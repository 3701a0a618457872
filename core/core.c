/* core.c: the core as one object owning the loop. */
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

#include "core/sync.h"
#include "core/xalloc.h"

struct pd_core {
    uv_loop_t loop;       /* the one loop */
    pd_config cfg;        /* owned deep copy */
    pd_conninfo *ci;      /* owned */
    pd_pool *pool;        /* owned */
    pd_slowlog *slowlog;  /* owned */
    pd_locks *locks;      /* owned */
    pd_breaker *breaker;  /* owned: guards the pool's connection attempts */
    pd_retry_stats retry; /* retries by class and outcome */
    pd_metrics *metrics;  /* owned: counters, histograms, series */
    pd_sync *syncs;       /* owned; NULL when none are configured */
    pd_query_observer observer; /* every query of the pool reports here */
    uint64_t in_flight;   /* statements sent and not yet finished */
};

static void on_query_begin(void *ctx)
{
    pd_core *core = ctx;

    core->in_flight++;
}

/* Every finished query: the metrics count it (a few increments), the slow
 * log keeps those over its threshold (one comparison for the others). */
static void on_query_end(const pd_query_report *r, void *ctx)
{
    pd_core *core = ctx;

    core->in_flight--;
    /* NULL only while pd_core_free drains queries still out. */
    if (core->metrics != NULL)
        pd_metrics_query_end(core->metrics, r);
    if (pd_slowlog_is_slow(core->slowlog, r->duration_us)) {
        pd_slowlog_entry e;
        memset(&e, 0, sizeof(e));
        e.sql = r->sql;
        e.nparams = r->nparams;
        e.params = r->params;
        e.duration_us = r->duration_us;
        e.source = r->source;
        e.database = r->pg != NULL ? PQdb(r->pg) : NULL;
        e.rows = r->rows;
        e.error = r->err;
        pd_slowlog_record(core->slowlog, &e);
    }
}

/* The configured syncs as the sync engine's specs; the config owns every
 * string, and pd_sync_new copies what it keeps. */
static pd_sync *make_syncs(pd_core *core, pd_error *err)
{
    const pd_config *cfg = &core->cfg;
    pd_sync_spec *specs;
    char **locks, *dir = NULL, *slash;
    size_t i, k, nlocks = 0;
    pd_sync *s;

    if (cfg->nsyncs == 0)
        return NULL;
    for (i = 0; i < cfg->nsyncs; i++)
        nlocks += cfg->syncs[i].nlocks;
    specs = pd_xcalloc(cfg->nsyncs, sizeof(*specs));
    locks = pd_xcalloc(nlocks + 1, sizeof(char *));
    for (i = 0, nlocks = 0; i < cfg->nsyncs; i++) {
        const pd_config_sync *c = &cfg->syncs[i];
        pd_sync_spec *sp = &specs[i];
        sp->name = c->name;
        sp->kind = c->kind == PD_CONFIG_SYNC_SQL    ? PD_SYNC_SQL
                   : c->kind == PD_CONFIG_SYNC_LOAD ? PD_SYNC_LOAD
                                                    : PD_SYNC_COMMAND;
        sp->sql = (const char *const *)c->sql;
        sp->nsql = (int)c->nsql;
        sp->file = c->file;
        sp->argv = (const char *const *)c->argv;
        sp->table = c->table;
        sp->key = (const char *const *)c->key;
        sp->nkey = (int)c->nkey;
        sp->locks = (const char *const *)&locks[nlocks];
        for (k = 0; k < c->nlocks; k++)
            locks[nlocks++] = pd_xasprintf("%s:%s", c->locks[k].resource,
                                           pd_locks_mode_name(c->locks[k].mode));
        sp->nlocks = (int)c->nlocks;
        sp->depends_on = (const char *const *)c->depends_on;
        sp->ndeps = (int)c->ndepends;
        sp->timeout_ms = c->timeout_ms;
        sp->retry = c->retry;
    }
    /* Commands run, and relative files resolve, beside the config file. */
    if (cfg->config_file != NULL) {
        dir = pd_xstrdup(cfg->config_file);
        slash = strrchr(dir, '/');
        if (slash != NULL)
            *(slash == dir ? slash + 1 : slash) = '\0';
        else
            strcpy(dir, ".");
    }
    s = pd_sync_new(&core->loop, core->pool, core->locks, &core->retry, specs,
                    (int)cfg->nsyncs, dir, cfg->max_concurrency, err);
    for (k = 0; k < nlocks; k++)
        free(locks[k]);
    free(locks);
    free(specs);
    free(dir);
    return s;
}

/* Returns-owned core; see core.h. */
pd_core *pd_core_new(const pd_config *cfg, pd_error *err)
{
    pd_core *core = pd_xcalloc(1, sizeof(*core));
    pd_pool_opts po;
    int rc;

    pd_config_copy(&core->cfg, cfg);
    if ((rc = uv_loop_init(&core->loop)) != 0) {
        pd_error_set(err, PD_ERR_USAGE, "cannot create the event loop: %s",
                     uv_strerror(rc));
        pd_config_free(&core->cfg);
        free(core);
        return NULL;
    }
    core->ci = pd_conninfo_new(cfg->dsn, err);
    if (core->ci == NULL)
        goto fail;
    if (cfg->host != NULL) {
        pd_conninfo_set(core->ci, "host", cfg->host);
        pd_conninfo_set(core->ci, "hostaddr", NULL);
    }
    if (cfg->port != NULL)
        pd_conninfo_set(core->ci, "port", cfg->port);
    if (cfg->user != NULL)
        pd_conninfo_set(core->ci, "user", cfg->user);
    if (cfg->dbname != NULL)
        pd_conninfo_set(core->ci, "dbname", cfg->dbname);
    if (pd_conninfo_get(core->ci, "application_name") == NULL)
        pd_conninfo_set(core->ci, "application_name", "pgdeck");
    {
        pd_slowlog_opts so;
        pd_slowlog_opts_init(&so);
        so.threshold_ms = cfg->slow_ms;
        so.file = cfg->slow_log;
        so.log_literals = cfg->slow_log_literals;
        core->slowlog = pd_slowlog_new(&core->loop, &so);
    }
    core->locks = pd_locks_new(&core->loop);
    core->breaker = pd_breaker_new(&cfg->breaker);
    pd_retry_stats_reset(&core->retry);
    core->observer.begin = on_query_begin;
    core->observer.end = on_query_end;
    core->observer.ctx = core;
    memset(&po, 0, sizeof(po));
    po.min = cfg->pool_min;
    po.max = cfg->pool_max;
    po.acquire_timeout_ms = cfg->acquire_timeout_ms;
    po.connect_timeout_ms = cfg->connect_timeout_ms;
    po.command_timeout_ms = cfg->command_timeout_ms;
    po.prepare = cfg->prepare;
    po.max_lifetime_ms = cfg->max_lifetime_s * 1000u;
    po.idle_timeout_ms = cfg->idle_timeout_s * 1000u;
    po.preping_ms = cfg->preping_ms;
    po.reconnect_base_ms = 100;
    po.reconnect_cap_ms = 10000;
    po.observer = &core->observer;
    po.breaker = core->breaker;
    po.retry = cfg->retry;
    po.retry_stats = &core->retry;
    core->pool = pd_pool_new(&core->loop, core->ci, &po);
    {
        pd_metrics_sources ms = {core->pool, core->breaker, &core->retry,
                                 core->locks, core->slowlog,
                                 &core->in_flight};
        core->metrics = pd_metrics_new(&core->loop, &ms);
    }
    if (cfg->nsyncs > 0 && (core->syncs = make_syncs(core, err)) == NULL)
        goto fail;
    return core;

fail:
    pd_core_free(core);
    return NULL;
}

void pd_core_start(pd_core *core)
{
    pd_pool_start(core->pool);
}

uv_loop_t *pd_core_loop(pd_core *core)
{
    return &core->loop;
}

pd_pool *pd_core_pool(pd_core *core)
{
    return core->pool;
}

const pd_config *pd_core_config(const pd_core *core)
{
    return &core->cfg;
}

pd_slowlog *pd_core_slowlog(pd_core *core)
{
    return core->slowlog;
}

pd_locks *pd_core_locks(pd_core *core)
{
    return core->locks;
}

pd_breaker *pd_core_breaker(pd_core *core)
{
    return core->breaker;
}

pd_retry_stats *pd_core_retry_stats(pd_core *core)
{
    return &core->retry;
}

/* Serves /metrics when the config asks for it. Separate from pd_core_new
 * so that only the long-running front ends (dashboard, shell) bind the
 * port: a `pgdeck -c` next to a running dashboard must not collide. */
int pd_core_serve_metrics(pd_core *core, pd_error *err)
{
    if (core->cfg.metrics_listen == NULL)
        return 0;
    return pd_metrics_serve(core->metrics, core->cfg.metrics_listen, err);
}

pd_sync *pd_core_syncs(pd_core *core)
{
    return core->syncs;
}

pd_metrics *pd_core_metrics(pd_core *core)
{
    return core->metrics;
}

uint64_t pd_core_in_flight(const pd_core *core)
{
    return core->in_flight;
}

const pd_conninfo *pd_core_conninfo(const pd_core *core)
{
    return core->ci;
}

void pd_core_run(pd_core *core)
{
    uv_run(&core->loop, UV_RUN_DEFAULT);
}

void pd_core_stop(pd_core *core)
{
    uv_stop(&core->loop);
}

static void unref_handle(uv_handle_t *h, void *arg)
{
    (void)arg;
    uv_unref(h);
}

static void close_handle(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* Counts handles that still keep the loop busy, the guard aside. */
typedef struct busy_count {
    const uv_handle_t *guard;
    int n;
} busy_count;

static void count_busy(uv_handle_t *h, void *arg)
{
    busy_count *b = arg;

    if (h != b->guard && (uv_is_closing(h) ||
                          (uv_is_active(h) && uv_has_ref(h))))
        b->n++;
}

static void on_guard(uv_timer_t *t)
{
    *(bool *)t->data = true;
}

/* Closes in order; see core.h. First the loop runs until the work still
 * owed finishes (a connection's session reset, the slow log's last lines),
 * bounded by a guard so that a handle a front end forgot cannot hang the
 * exit; then what is left is unreferenced, drained, and closed by force
 * (its memory is the front end's and may leak, but the process ends). */
void pd_core_free(pd_core *core)
{
    uv_timer_t guard;
    bool expired = false;
    busy_count b;

    if (core == NULL)
        return;
    pd_metrics_free(core->metrics);
    core->metrics = NULL;
    pd_sync_free(core->syncs); /* front ends wait for a refresh to end */
    core->syncs = NULL;
    pd_pool_free(core->pool);
    core->pool = NULL;
    pd_locks_free(core->locks);
    core->locks = NULL;
    pd_slowlog_free(core->slowlog, NULL, NULL);
    core->slowlog = NULL;
    uv_timer_init(&core->loop, &guard);
    guard.data = &expired;
    uv_timer_start(&guard, on_guard, 2000, 0);
    b.guard = (uv_handle_t *)&guard;
    for (;;) {
        b.n = 0;
        uv_walk(&core->loop, count_busy, &b);
        if (expired || b.n == 0)
            break;
        uv_run(&core->loop, UV_RUN_ONCE);
    }
    uv_close((uv_handle_t *)&guard, NULL);
    uv_walk(&core->loop, unref_handle, NULL);
    uv_run(&core->loop, UV_RUN_DEFAULT);
    if (uv_loop_close(&core->loop) == UV_EBUSY) {
        uv_walk(&core->loop, close_handle, NULL);
        uv_run(&core->loop, UV_RUN_DEFAULT);
        (void)uv_loop_close(&core->loop);
    }
    pd_breaker_free(core->breaker);
    pd_conninfo_free(core->ci);
    pd_config_free(&core->cfg);
    free(core);
}
