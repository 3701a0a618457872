/* metrics_render.c: the Prometheus text format and the JSON rendering of
 * a metrics snapshot (pd_metrics_prom, pd_metrics_json); both read only
 * what metrics.h offers. */
#include "core/metrics.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/xalloc.h"

#define NSRC PD_METRICS_NSOURCES
#define JSON_SERIES_S 60 /* seconds of each series in the JSON */

static const char *src_name(unsigned k)
{
    return pd_metrics_source_name((pd_metrics_source)k);
}

/* ---- Prometheus text format ---- */

static void prom_head(pd_strbuf *o, const char *name, const char *type,
                      const char *help)
{
    pd_strbuf_printf(o, "# HELP pgdeck_%s %s\n# TYPE pgdeck_%s %s\n", name,
                     help, name, type);
}

static void prom_u64(pd_strbuf *o, const char *name, const char *type,
                     const char *help, uint64_t v)
{
    prom_head(o, name, type, help);
    pd_strbuf_printf(o, "pgdeck_%s %" PRIu64 "\n", name, v);
}

static void prom_secs(pd_strbuf *o, uint64_t us)
{
    pd_strbuf_printf(o, "%" PRIu64 ".%06" PRIu64 "\n", us / 1000000,
                     us % 1000000);
}

/* The samples of one summary (HELP and TYPE written by the caller):
 * quantiles (NaN when empty, as client libraries write them), _sum and
 * _count. label is "" or 'key="value"'. */
static void prom_summary(pd_strbuf *o, const char *name, const char *label,
                         const pd_metrics_latency *l)
{
    static const char *const qn[3] = {"0.5", "0.95", "0.99"};
    const uint64_t qv[3] = {l->p50_us, l->p95_us, l->p99_us};
    const char *sep = label[0] != '\0' ? "," : "";
    int i;

    for (i = 0; i < 3; i++) {
        pd_strbuf_printf(o, "pgdeck_%s{%s%squantile=\"%s\"} ", name, label,
                         sep, qn[i]);
        if (l->count == 0)
            pd_strbuf_puts(o, "NaN\n");
        else
            prom_secs(o, qv[i]);
    }
    pd_strbuf_printf(o, "pgdeck_%s_sum%s%s%s ", name, label[0] ? "{" : "",
                     label, label[0] ? "}" : "");
    prom_secs(o, l->sum_us);
    pd_strbuf_printf(o, "pgdeck_%s_count%s%s%s %" PRIu64 "\n", name,
                     label[0] ? "{" : "", label, label[0] ? "}" : "",
                     l->count);
}

/* A counter with one sample per source kind: the uint64_t at offset off
 * of each pd_metrics_source_stats. */
static void prom_by_source(pd_strbuf *o, const char *name, const char *help,
                           const pd_metrics_snapshot *s, size_t off)
{
    unsigned k;

    prom_head(o, name, "counter", help);
    for (k = 0; k < NSRC; k++) {
        uint64_t v;

        memcpy(&v, (const char *)&s->source[k] + off, sizeof(v));
        pd_strbuf_printf(o, "pgdeck_%s{source=\"%s\"} %" PRIu64 "\n", name,
                         src_name(k), v);
    }
}

static void prom_queries(pd_strbuf *o, const pd_metrics_snapshot *s)
{
    char label[32];
    unsigned k;

    prom_by_source(o, "queries_total", "Queries finished, by source kind.",
                   s, offsetof(pd_metrics_source_stats, queries));
    prom_by_source(o, "query_errors_total",
                   "Queries that failed, by source kind.", s,
                   offsetof(pd_metrics_source_stats, errors));
    prom_head(o, "query_errors_by_kind_total", "counter",
              "Queries that failed, by error kind.");
    for (k = 1; k < PD_METRICS_NERRKINDS; k++)
        pd_strbuf_printf(o, "pgdeck_query_errors_by_kind_total{kind=\"%s\"} %"
                            PRIu64 "\n", pd_error_kind_name((pd_error_kind)k),
                         s->errors_by_kind[k]);
    prom_by_source(o, "query_rows_total",
                   "Rows returned or affected, by source kind.", s,
                   offsetof(pd_metrics_source_stats, rows));
    prom_head(o, "query_duration_seconds", "summary",
              "Query latency from first send to outcome, by source kind.");
    for (k = 0; k < NSRC; k++) {
        snprintf(label, sizeof(label), "source=\"%s\"", src_name(k));
        prom_summary(o, "query_duration_seconds", label,
                     &s->source[k].latency);
    }
    prom_head(o, "query_duration_max_seconds", "gauge",
              "Longest query so far, by source kind.");
    for (k = 0; k < NSRC; k++) {
        pd_strbuf_printf(o, "pgdeck_query_duration_max_seconds{source=\"%s\"} ",
                         src_name(k));
        prom_secs(o, s->source[k].latency.max_us);
    }
    prom_u64(o, "queries_in_flight", "gauge",
             "Statements sent and not finished.", s->in_flight);
}

static void prom_pool(pd_strbuf *o, const pd_metrics_snapshot *s)
{
    const pd_pool_stats *p = &s->pool;

    prom_head(o, "pool_connections", "gauge",
              "Pool connections by state.");
    pd_strbuf_printf(o, "pgdeck_pool_connections{state=\"idle\"} %d\n"
                        "pgdeck_pool_connections{state=\"in_use\"} %d\n"
                        "pgdeck_pool_connections{state=\"connecting\"} %d\n",
                     p->idle, p->in_use, p->connecting);
    prom_u64(o, "pool_min_connections", "gauge",
             "Connections the pool keeps open.", (uint64_t)p->min);
    prom_u64(o, "pool_max_connections", "gauge",
             "Connections the pool opens at most.", (uint64_t)p->max);
    prom_u64(o, "pool_waiting_requests", "gauge",
             "Acquire requests queued for a connection.",
             (uint64_t)p->waiting);
    prom_u64(o, "pool_acquires_total", "counter",
             "Connections handed out.", p->acquires);
    prom_u64(o, "pool_acquire_timeouts_total", "counter",
             "Acquire requests that hit their deadline.", p->timeouts);
    prom_u64(o, "pool_connections_opened_total", "counter",
             "Connections opened.", p->opened);
    prom_u64(o, "pool_connections_closed_total", "counter",
             "Connections closed for any reason.", p->closed);
    prom_u64(o, "pool_connections_recycled_total", "counter",
             "Connections closed past their maximum lifetime.", p->recycled);
    prom_u64(o, "pool_connections_idle_closed_total", "counter",
             "Connections closed past the idle timeout.", p->idle_closed);
    prom_u64(o, "pool_session_resets_total", "counter",
             "Sessions reset on release.", p->resets);
    prom_u64(o, "pool_prepings_total", "counter",
             "Pre-pings sent before handing out a connection.", p->pings);
    prom_u64(o, "pool_connect_errors_total", "counter",
             "Failed connection attempts.", p->errors);
    prom_head(o, "pool_acquire_wait_seconds", "summary",
              "Time from acquire request to grant (quantiles within 6%).");
    prom_summary(o, "pool_acquire_wait_seconds", "", &s->acquire_wait);
}

static void prom_resilience(pd_strbuf *o, const pd_metrics_snapshot *s)
{
    unsigned k;

    if (s->has_retry) {
        prom_head(o, "retries_total", "counter",
                  "Retries made, by retryable class.");
        for (k = 1; k < PD_RETRY_CLASS_COUNT; k++)
            pd_strbuf_printf(o, "pgdeck_retries_total{class=\"%s\"} %" PRIu64
                                "\n", pd_retry_class_name((pd_retry_class)k),
                             s->retries[k]);
        prom_u64(o, "retry_recovered_total", "counter",
                 "Calls that succeeded after at least one retry.",
                 s->retry_recovered);
        prom_u64(o, "retry_gave_up_total", "counter",
                 "Retryable failures that ran out of attempts.",
                 s->retry_gave_up);
        prom_u64(o, "retry_outcome_unknown_total", "counter",
                 "Writes sent on a connection that then died.",
                 s->retry_outcome_unknown);
        prom_u64(o, "retry_not_retryable_total", "counter",
                 "Failures the rules never retry.", s->retry_not_retryable);
    }
    if (s->has_breaker) {
        const pd_breaker_stats *b = &s->breaker;
        prom_head(o, "breaker_state", "gauge",
                  "Circuit breaker state: 1 for the current one.");
        for (k = PD_BREAKER_CLOSED; k <= PD_BREAKER_HALF_OPEN; k++)
            pd_strbuf_printf(o, "pgdeck_breaker_state{state=\"%s\"} %d\n",
                             pd_breaker_state_name((pd_breaker_state)k),
                             b->state == (pd_breaker_state)k);
        prom_u64(o, "breaker_opens_total", "counter",
                 "Transitions of the breaker into open.", b->opens);
        prom_u64(o, "breaker_rejections_total", "counter",
                 "Calls refused while the breaker was open.", b->rejections);
        prom_u64(o, "breaker_probes_total", "counter",
                 "Probe calls admitted half-open.", b->probes);
        prom_u64(o, "breaker_connection_failures_total", "counter",
                 "Connection failures reported to the breaker.", b->failures);
        prom_u64(o, "breaker_consecutive_failures", "gauge",
                 "Connection failures since the last success.",
                 (uint64_t)b->consecutive_failures);
    }
    if (s->has_locks) {
        const pd_locks_counters *l = &s->locks;
        prom_u64(o, "lock_acquired_total", "counter",
                 "Resource locks granted.", l->acquired);
        prom_u64(o, "lock_waits_total", "counter",
                 "Resource lock requests that had to queue.", l->waited);
        prom_u64(o, "lock_timeouts_total", "counter",
                 "Resource lock waits that timed out.", l->timeouts);
        prom_u64(o, "lock_deadlocks_total", "counter",
                 "Resource lock requests failed as deadlock victims.",
                 l->deadlocks);
        prom_u64(o, "lock_canceled_total", "counter",
                 "Resource lock requests canceled.", l->canceled);
        prom_u64(o, "locks_waiting", "gauge",
                 "Resource lock requests queued now.", (uint64_t)l->waiting);
        prom_u64(o, "locks_held", "gauge", "Resource locks held now.",
                 (uint64_t)l->held);
    }
}

/* See metrics.h. */
void pd_metrics_prom(const pd_metrics *m, pd_strbuf *o)
{
    pd_metrics_snapshot *s = pd_xmalloc(sizeof(*s)); /* ~3 KiB */

    pd_metrics_snapshot_get(m, s);
    prom_head(o, "uptime_seconds", "gauge", "Seconds since pgdeck started.");
    pd_strbuf_puts(o, "pgdeck_uptime_seconds ");
    prom_secs(o, s->uptime_ms * 1000);
    prom_head(o, "start_time_seconds", "gauge",
              "Start time since the Unix epoch.");
    pd_strbuf_printf(o, "pgdeck_start_time_seconds %" PRId64 ".%03" PRId64
                        "\n", s->start_unix_ms / 1000,
                     s->start_unix_ms % 1000);
    prom_queries(o, s);
    if (s->has_pool)
        prom_pool(o, s);
    prom_resilience(o, s);
    if (s->has_slowlog) {
        prom_u64(o, "slow_queries_total", "counter",
                 "Queries at or over the slow-log threshold.",
                 s->slow.recorded);
        prom_u64(o, "slow_log_lines_written_total", "counter",
                 "Slow-log lines written to the file.", s->slow.written);
        prom_u64(o, "slow_log_lines_dropped_total", "counter",
                 "Slow-log lines lost to write errors.", s->slow.dropped);
        prom_head(o, "slow_query_threshold_seconds", "gauge",
                  "The slow-log threshold.");
        pd_strbuf_puts(o, "pgdeck_slow_query_threshold_seconds ");
        prom_secs(o, (uint64_t)s->slow_threshold_ms * 1000);
    }
    prom_head(o, "loop_lag_seconds", "summary",
              "How late a 100 ms timer runs on the event loop.");
    prom_summary(o, "loop_lag_seconds", "", &s->loop_lag);
    prom_head(o, "loop_lag_max_seconds", "gauge",
              "Worst event-loop lag so far.");
    pd_strbuf_puts(o, "pgdeck_loop_lag_max_seconds ");
    prom_secs(o, s->loop_lag.max_us);
    free(s);
}

/* ---- JSON ---- */

static void json_ms(pd_strbuf *o, uint64_t us)
{
    pd_strbuf_printf(o, "%" PRIu64 ".%03" PRIu64, us / 1000, us % 1000);
}

static void json_latency(pd_strbuf *o, const char *key,
                         const pd_metrics_latency *l)
{
    pd_strbuf_printf(o, "\"%s\":{\"count\":%" PRIu64 ",\"mean\":", key,
                     l->count);
    json_ms(o, l->count ? l->sum_us / l->count : 0);
    pd_strbuf_puts(o, ",\"p50\":");
    json_ms(o, l->p50_us);
    pd_strbuf_puts(o, ",\"p95\":");
    json_ms(o, l->p95_us);
    pd_strbuf_puts(o, ",\"p99\":");
    json_ms(o, l->p99_us);
    pd_strbuf_puts(o, ",\"max\":");
    json_ms(o, l->max_us);
    pd_strbuf_putc(o, '}');
}

static void json_source(pd_strbuf *o, const char *key,
                        const pd_metrics_source_stats *s)
{
    pd_strbuf_printf(o, "\"%s\":{\"queries\":%" PRIu64 ",\"errors\":%" PRIu64
                        ",\"rows\":%" PRIu64 ",", key, s->queries, s->errors,
                     s->rows);
    json_latency(o, "latency_ms", &s->latency);
    pd_strbuf_putc(o, '}');
}

static void json_series(const pd_metrics *m, pd_strbuf *o)
{
    int64_t v[JSON_SERIES_S];
    unsigned s;
    size_t n, i;

    pd_strbuf_puts(o, "\"series\":{\"interval_s\":1");
    for (s = 0; s < PD_METRICS_NSERIES; s++) {
        n = pd_metrics_series_get(m, (pd_metrics_series)s, v, JSON_SERIES_S);
        pd_strbuf_printf(o, ",\"%s\":[",
                         pd_metrics_series_name((pd_metrics_series)s));
        for (i = 0; i < n; i++)
            pd_strbuf_printf(o, "%s%" PRId64, i ? "," : "", v[i]);
        pd_strbuf_putc(o, ']');
    }
    pd_strbuf_putc(o, '}');
}

/* The optional parts after the pool: retries, breaker, locks, slow log,
 * each null when not given. */
static void json_parts(pd_strbuf *o, const pd_metrics_snapshot *s)
{
    pd_strbuf_puts(o, ",\"retries\":");
    if (s->has_retry)
        pd_strbuf_printf(o, "{\"serialization\":%" PRIu64 ",\"deadlock\":%"
                            PRIu64 ",\"connection\":%" PRIu64 ",\"recovered\":%"
                            PRIu64 ",\"gave_up\":%" PRIu64
                            ",\"outcome_unknown\":%" PRIu64
                            ",\"not_retryable\":%" PRIu64 "}",
                         s->retries[PD_RETRY_CLASS_SERIALIZATION],
                         s->retries[PD_RETRY_CLASS_DEADLOCK],
                         s->retries[PD_RETRY_CLASS_CONNECTION],
                         s->retry_recovered, s->retry_gave_up,
                         s->retry_outcome_unknown, s->retry_not_retryable);
    else
        pd_strbuf_puts(o, "null");
    pd_strbuf_puts(o, ",\"breaker\":");
    if (s->has_breaker)
        pd_strbuf_printf(o, "{\"state\":\"%s\",\"consecutive_failures\":%d,"
                            "\"opens\":%" PRIu64 ",\"rejections\":%" PRIu64
                            ",\"probes\":%" PRIu64 "}",
                         pd_breaker_state_name(s->breaker.state),
                         s->breaker.consecutive_failures, s->breaker.opens,
                         s->breaker.rejections, s->breaker.probes);
    else
        pd_strbuf_puts(o, "null");
    pd_strbuf_puts(o, ",\"locks\":");
    if (s->has_locks)
        pd_strbuf_printf(o, "{\"acquired\":%" PRIu64 ",\"waited\":%" PRIu64
                            ",\"timeouts\":%" PRIu64 ",\"deadlocks\":%" PRIu64
                            ",\"waiting\":%d,\"held\":%d}",
                         s->locks.acquired, s->locks.waited,
                         s->locks.timeouts, s->locks.deadlocks,
                         s->locks.waiting, s->locks.held);
    else
        pd_strbuf_puts(o, "null");
    pd_strbuf_puts(o, ",\"slow_log\":");
    if (s->has_slowlog)
        pd_strbuf_printf(o, "{\"threshold_ms\":%u,\"recorded\":%" PRIu64
                            ",\"written\":%" PRIu64 ",\"dropped\":%" PRIu64
                            "}",
                         s->slow_threshold_ms, s->slow.recorded,
                         s->slow.written, s->slow.dropped);
    else
        pd_strbuf_puts(o, "null");
}

/* See metrics.h. Every key is always present (null for a part not
 * given), so consumers can rely on the shape. */
void pd_metrics_json(const pd_metrics *m, pd_strbuf *o)
{
    pd_metrics_snapshot *s = pd_xmalloc(sizeof(*s));
    unsigned k;

    pd_metrics_snapshot_get(m, s);
    pd_strbuf_puts(o, "{\"uptime_s\":");
    json_ms(o, s->uptime_ms);
    pd_strbuf_printf(o, ",\"queries_per_s\":%.1f,\"errors_per_s\":%.1f,",
                     s->queries_per_s, s->errors_per_s);
    json_source(o, "queries", &s->all);
    pd_strbuf_puts(o, ",\"sources\":{");
    for (k = 0; k < NSRC; k++) {
        if (k > 0)
            pd_strbuf_putc(o, ',');
        json_source(o, src_name(k), &s->source[k]);
    }
    pd_strbuf_puts(o, "},\"errors_by_kind\":{");
    for (k = 1; k < PD_METRICS_NERRKINDS; k++)
        pd_strbuf_printf(o, "%s\"%s\":%" PRIu64, k > 1 ? "," : "",
                         pd_error_kind_name((pd_error_kind)k),
                         s->errors_by_kind[k]);
    pd_strbuf_printf(o, "},\"in_flight\":%" PRIu64 ",\"pool\":", s->in_flight);
    if (s->has_pool) {
        const pd_pool_stats *p = &s->pool;
        pd_strbuf_printf(o, "{\"min\":%d,\"max\":%d,\"size\":%d,\"idle\":%d,"
                            "\"in_use\":%d,\"connecting\":%d,\"waiting\":%d,"
                            "\"acquires\":%" PRIu64 ",\"timeouts\":%" PRIu64
                            ",\"opened\":%" PRIu64 ",\"closed\":%" PRIu64
                            ",\"errors\":%" PRIu64 ",",
                         p->min, p->max, p->size, p->idle, p->in_use,
                         p->connecting, p->waiting, p->acquires, p->timeouts,
                         p->opened, p->closed, p->errors);
        json_latency(o, "acquire_wait_ms", &s->acquire_wait);
        pd_strbuf_putc(o, '}');
    } else {
        pd_strbuf_puts(o, "null");
    }
    json_parts(o, s);
    pd_strbuf_putc(o, ',');
    json_latency(o, "loop_lag_ms", &s->loop_lag);
    pd_strbuf_putc(o, ',');
    json_series(m, o);
    pd_strbuf_puts(o, "}\n");
    free(s);
}
