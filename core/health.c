/* health.c: the health probe (see health.h). */
#include "core/health.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/query.h"
#include "core/result.h"
#include "core/xalloc.h"

/* Client backends only: autovacuum and walsenders do not take the
 * max_connections slots that applications fight for. */
static const char info_sql[] =
    "SELECT 'PostgreSQL ' || current_setting('server_version'), "
    "extract(epoch FROM now() - pg_postmaster_start_time())::bigint, "
    "pg_is_in_recovery(), "
    "(SELECT count(*) FROM pg_stat_activity "
    "WHERE backend_type = 'client backend'), "
    "current_setting('max_connections')::int";

typedef struct probe {
    pd_core *core;          /* borrowed */
    pd_health_opts opts;
    pd_health_cb cb;
    void *ctx;
    uint64_t t0;            /* uv_hrtime at the start of the current step */
    pd_health h;
} probe;

const char *pd_health_status_name(pd_health_status s)
{
    switch (s) {
    case PD_HEALTH_HEALTHY:
        return "healthy";
    case PD_HEALTH_DEGRADED:
        return "degraded";
    case PD_HEALTH_UNHEALTHY:
        return "unhealthy";
    }
    return "unhealthy";
}

static void add_reason(pd_health *h, char *why)
{
    if (h->nreasons < (int)(sizeof(h->reasons) / sizeof(h->reasons[0])))
        h->reasons[h->nreasons++] = why;
    else
        free(why);
}

static double since_ms(uint64_t t0)
{
    return (double)(uv_hrtime() - t0) / 1e6;
}

/* Makes the verdict, reports it, and frees the probe. */
static void finish(probe *p, const pd_error *err)
{
    pd_health *h = &p->h;
    pd_breaker *br = pd_core_breaker(p->core);

    h->pool = pd_pool_stats_get(pd_core_pool(p->core));
    h->breaker = br != NULL ? pd_breaker_state_get(br) : PD_BREAKER_CLOSED;
    if (err != NULL) {
        h->status = PD_HEALTH_UNHEALTHY;
        add_reason(h, pd_xstrdup(err->message != NULL ? err->message
                                                      : "query failed"));
    } else {
        if (h->response_time_ms >= (double)p->opts.slow_ms)
            add_reason(h, pd_xasprintf("round trip %.1f ms (limit %u ms)",
                                       h->response_time_ms,
                                       p->opts.slow_ms));
        if (h->max_connections > 0 &&
            (int64_t)h->connections_used * 100 >
                (int64_t)h->max_connections * p->opts.conn_pct)
            add_reason(h, pd_xasprintf("%d of %d connections used (over "
                                       "%u%%)", h->connections_used,
                                       h->max_connections, p->opts.conn_pct));
        if (h->in_recovery == 1)
            add_reason(h, pd_xstrdup("server is in recovery (read-only "
                                     "standby)"));
        if (h->breaker != PD_BREAKER_CLOSED)
            add_reason(h, pd_xasprintf("circuit breaker %s",
                                       pd_breaker_state_name(h->breaker)));
        if (h->pool.waiting > 0)
            add_reason(h, pd_xasprintf("%d requests waiting for a pool "
                                       "connection", h->pool.waiting));
        h->status = h->nreasons > 0 ? PD_HEALTH_DEGRADED : PD_HEALTH_HEALTHY;
    }
    p->cb(h, p->ctx);
    free(h->database_version);
    while (h->nreasons > 0)
        free(h->reasons[--h->nreasons]);
    free(p);
}

static void on_ping(pd_result *res, const pd_error *err, void *ctx)
{
    probe *p = ctx;

    p->h.response_time_ms = since_ms(p->t0);
    pd_result_free(res);
    finish(p, err);
}

static int64_t to_i64(const pd_result *r, int col)
{
    const char *v = pd_result_value(r, 0, col);

    return v != NULL ? strtoll(v, NULL, 10) : -1;
}

static void on_info(pd_result *res, const pd_error *err, void *ctx)
{
    probe *p = ctx;
    pd_query_opts qo = {0};
    const char *v;

    if (err != NULL || res == NULL || pd_result_nrows(res) != 1 ||
        pd_result_ncols(res) != 5) {
        pd_error e = PD_ERROR_INIT;
        p->h.response_time_ms = since_ms(p->t0);
        pd_result_free(res);
        if (err == NULL)
            pd_error_set(&e, PD_ERR_SERVER, "unexpected health answer");
        finish(p, err != NULL ? err : &e);
        pd_error_clear(&e);
        return;
    }
    v = pd_result_value(res, 0, 0);
    p->h.database_version = v != NULL ? pd_xstrdup(v) : NULL;
    p->h.uptime_s = to_i64(res, 1);
    v = pd_result_value(res, 0, 2);
    p->h.in_recovery = v == NULL ? -1 : v[0] == 't';
    p->h.connections_used = (int)to_i64(res, 3);
    p->h.max_connections = (int)to_i64(res, 4);
    pd_result_free(res);

    qo.source = "health";
    qo.flags = PD_QUERY_READ_ONLY;
    qo.acquire_timeout_ms = p->opts.timeout_ms;
    qo.timeout_ms = p->opts.timeout_ms;
    p->t0 = uv_hrtime();
    if (pd_query_fetch(pd_core_pool(p->core), "SELECT 1", 0, NULL, &qo,
                       on_ping, p) != 0) {
        pd_error e = PD_ERROR_INIT;
        pd_error_set(&e, PD_ERR_CANCELED, "the pool is closing");
        p->h.response_time_ms = since_ms(p->t0);
        finish(p, &e); /* we are in a callback: not synchronous */
        pd_error_clear(&e);
    }
}

/* See health.h. */
int pd_health_check(pd_core *core, const pd_health_opts *opts,
                    pd_health_cb cb, void *ctx)
{
    probe *p = pd_xcalloc(1, sizeof(*p));
    pd_query_opts qo = {0};
    int rc;

    p->core = core;
    p->cb = cb;
    p->ctx = ctx;
    if (opts != NULL)
        p->opts = *opts;
    if (p->opts.timeout_ms == 0)
        p->opts.timeout_ms = PD_HEALTH_DEFAULT_TIMEOUT_MS;
    if (p->opts.slow_ms == 0)
        p->opts.slow_ms = PD_HEALTH_DEFAULT_SLOW_MS;
    if (p->opts.conn_pct == 0)
        p->opts.conn_pct = PD_HEALTH_DEFAULT_CONN_PCT;
    p->h.uptime_s = -1;
    p->h.in_recovery = -1;
    p->h.connections_used = -1;
    p->h.max_connections = -1;
    qo.source = "health";
    qo.flags = PD_QUERY_READ_ONLY;
    qo.acquire_timeout_ms = p->opts.timeout_ms;
    qo.timeout_ms = p->opts.timeout_ms;
    p->t0 = uv_hrtime();
    rc = pd_query_fetch(pd_core_pool(core), info_sql, 0, NULL, &qo, on_info,
                        p);
    if (rc != 0) {
        free(p);
        return PD_ESTATE;
    }
    return 0;
}

static void json_str(pd_strbuf *o, const char *s)
{
    if (s == NULL) {
        pd_strbuf_puts(o, "null");
        return;
    }
    pd_strbuf_putc(o, '"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            pd_strbuf_printf(o, "\\%c", c);
        else if (c < 0x20)
            pd_strbuf_printf(o, "\\u%04x", c);
        else
            pd_strbuf_putc(o, (char)c);
    }
    pd_strbuf_putc(o, '"');
}

static void json_int(pd_strbuf *o, const char *key, int64_t v)
{
    if (v < 0)
        pd_strbuf_printf(o, ",\"%s\":null", key);
    else
        pd_strbuf_printf(o, ",\"%s\":%" PRId64, key, v);
}

/* See health.h. */
void pd_health_json(const pd_health *h, pd_strbuf *o)
{
    const pd_pool_stats *p = &h->pool;
    int i;

    pd_strbuf_printf(o, "{\"status\":\"%s\",\"response_time_ms\":%.3f,"
                        "\"database_version\":",
                     pd_health_status_name(h->status), h->response_time_ms);
    json_str(o, h->database_version);
    json_int(o, "server_uptime_s", h->uptime_s);
    pd_strbuf_printf(o, ",\"in_recovery\":%s",
                     h->in_recovery < 0 ? "null"
                     : h->in_recovery   ? "true"
                                        : "false");
    json_int(o, "connections_used", h->connections_used);
    json_int(o, "max_connections", h->max_connections);
    pd_strbuf_printf(o, ",\"pool\":{\"min\":%d,\"max\":%d,\"size\":%d,"
                        "\"idle\":%d,\"in_use\":%d,\"connecting\":%d,"
                        "\"waiting\":%d,\"acquires\":%" PRIu64
                        ",\"timeouts\":%" PRIu64 ",\"errors\":%" PRIu64 "}",
                     p->min, p->max, p->size, p->idle, p->in_use,
                     p->connecting, p->waiting, p->acquires, p->timeouts,
                     p->errors);
    pd_strbuf_printf(o, ",\"breaker\":\"%s\",\"reasons\":[",
                     pd_breaker_state_name(h->breaker));
    for (i = 0; i < h->nreasons; i++) {
        if (i > 0)
            pd_strbuf_putc(o, ',');
        json_str(o, h->reasons[i]);
    }
    pd_strbuf_puts(o, "]}\n");
}
