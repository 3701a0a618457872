/* test_metrics.c: histogram accuracy against sorted samples, source kinds,
 * the per-second ring (deltas, gaps, wrap-around), and the Prometheus and
 * JSON renderings of a metrics object on a real loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <uv.h>

#include "core/metrics.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* xorshift64*: deterministic samples without touching rand()'s state. */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* Nearest rank, as the histogram defines its quantiles. */
static uint64_t true_quantile(const uint64_t *sorted, size_t n, double q)
{
    size_t rank = (size_t)((double)n * q + 0.999999999);

    if (rank < 1)
        rank = 1;
    return sorted[rank - 1];
}

static void check_accuracy(const uint64_t *v, size_t n)
{
    static const double qs[] = {0.01, 0.1, 0.5, 0.75, 0.9, 0.95, 0.99,
                                0.999};
    pd_metrics_hist *h = malloc(sizeof(*h));
    uint64_t *sorted = malloc(n * sizeof(*sorted));
    size_t i;

    pd_metrics_hist_reset(h);
    for (i = 0; i < n; i++)
        pd_metrics_hist_record(h, v[i]);
    memcpy(sorted, v, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), cmp_u64);
    for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
        double truth = (double)true_quantile(sorted, n, qs[i]);
        double got = (double)pd_metrics_hist_quantile(h, qs[i]);
        /* 1%, and one unit for the exact small values. */
        if (got < truth * 0.99 - 1 || got > truth * 1.01 + 1)
            fail_msg("q%.3f: got %.0f, true %.0f", qs[i], got, truth);
    }
    assert_int_equal(pd_metrics_hist_quantile(h, 1.0), sorted[n - 1]);
    assert_int_equal(h->max_us, sorted[n - 1]);
    assert_int_equal(h->count, n);
    free(sorted);
    free(h);
}

/* Latency-like data: log-uniform over 50 us .. 20 s, and a tight cluster,
 * each within 1% of the sorted samples at every quantile. */
static void test_hist_accuracy(void **state)
{
    size_t n = 200000, i;
    uint64_t *v = malloc(n * sizeof(*v)), s = 88172645463325252ull;

    (void)state;
    for (i = 0; i < n; i++) {
        double u = (double)(rng_next(&s) >> 11) / 9007199254740992.0;
        v[i] = (uint64_t)(50.0 * pow(400000.0, u));
    }
    check_accuracy(v, n);
    for (i = 0; i < n; i++)
        v[i] = 1000 + rng_next(&s) % 50; /* 1.00 .. 1.05 ms */
    check_accuracy(v, n);
    for (i = 0; i < n; i++)
        v[i] = rng_next(&s) % 300; /* small values, partly exact */
    check_accuracy(v, n);
    free(v);
}

static void test_hist_edges(void **state)
{
    pd_metrics_hist *h = malloc(sizeof(*h));
    uint64_t v;

    (void)state;
    pd_metrics_hist_reset(h);
    assert_int_equal(pd_metrics_hist_quantile(h, 0.5), 0);
    for (v = 1; v <= 100; v++)
        pd_metrics_hist_record(h, v);
    assert_int_equal(pd_metrics_hist_quantile(h, 0.5), 50); /* exact */
    assert_int_equal(pd_metrics_hist_quantile(h, 0.95), 95);
    assert_int_equal(pd_metrics_hist_quantile(h, 0.01), 1);
    /* Past the last power of two: clamped into the last bucket, max kept,
     * and no quantile above max. */
    pd_metrics_hist_record(h, UINT64_MAX / 4);
    assert_int_equal(h->max_us, UINT64_MAX / 4);
    assert_true(pd_metrics_hist_quantile(h, 0.999) <= UINT64_MAX / 4);
    pd_metrics_hist_reset(h);
    pd_metrics_hist_record(h, 1000003);
    assert_int_equal(pd_metrics_hist_quantile(h, 0.5), 1000003);
    free(h);
}

static void test_source_kinds(void **state)
{
    (void)state;
    assert_int_equal(pd_metrics_source_of(NULL), PD_METRICS_SRC_APP);
    assert_int_equal(pd_metrics_source_of(""), PD_METRICS_SRC_APP);
    assert_int_equal(pd_metrics_source_of("app"), PD_METRICS_SRC_APP);
    assert_int_equal(pd_metrics_source_of("shell"), PD_METRICS_SRC_SHELL);
    assert_int_equal(pd_metrics_source_of("panel:Pool"), PD_METRICS_SRC_PANEL);
    assert_int_equal(pd_metrics_source_of("sync:markets"),
                     PD_METRICS_SRC_SYNC);
    assert_int_equal(pd_metrics_source_of("bench"), PD_METRICS_SRC_BENCH);
    assert_int_equal(pd_metrics_source_of("health"), PD_METRICS_SRC_HEALTH);
    assert_int_equal(pd_metrics_source_of("shellx"), PD_METRICS_SRC_OTHER);
    assert_int_equal(pd_metrics_source_of("s"), PD_METRICS_SRC_OTHER);
    assert_int_equal(pd_metrics_source_of("sy"), PD_METRICS_SRC_OTHER);
    assert_int_equal(pd_metrics_source_of("pane"), PD_METRICS_SRC_OTHER);
    assert_int_equal(pd_metrics_source_of("zzz:1"), PD_METRICS_SRC_OTHER);
    assert_string_equal(pd_metrics_source_name(PD_METRICS_SRC_SYNC), "sync");
    assert_string_equal(pd_metrics_series_name(PD_METRICS_S_QUERIES_BY_SOURCE +
                                               PD_METRICS_SRC_PANEL),
                        "queries_panel");
    assert_null(pd_metrics_series_name(PD_METRICS_NSERIES));
}

static void report(pd_metrics *m, const char *src, uint64_t us,
                   const pd_error *err)
{
    pd_query_report r;

    memset(&r, 0, sizeof(r));
    r.sql = "SELECT 1";
    r.source = src;
    r.duration_us = us;
    r.rows = 1;
    r.err = err;
    pd_metrics_query_end(m, &r);
}

static void free_metrics(uv_loop_t *loop, pd_metrics *m)
{
    pd_metrics_free(m);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(loop), 0);
}

static void test_series_ring(void **state)
{
    uv_loop_t loop;
    pd_metrics *m;
    pd_retry_stats retry;
    pd_breaker *br = pd_breaker_new(NULL);
    uint64_t in_flight = 3, t0;
    pd_metrics_sources src = {0};
    pd_error err = PD_ERROR_INIT;
    int64_t v[PD_METRICS_SERIES_LEN + 10];
    size_t n, i;

    (void)state;
    uv_loop_init(&loop);
    pd_retry_stats_reset(&retry);
    src.retry = &retry;
    src.breaker = br;
    src.in_flight = &in_flight;
    m = pd_metrics_new(&loop, &src);
    t0 = uv_now(&loop);
    assert_int_equal(pd_metrics_series_get(m, PD_METRICS_S_QUERIES, v, 10), 0);

    /* Second 1: 100 shell queries of 1..100 ms, 2 of them failed, one
     * panel query. */
    pd_error_set(&err, PD_ERR_SERVER, "boom");
    for (i = 1; i <= 100; i++)
        report(m, "shell", i * 1000, i <= 2 ? &err : NULL);
    report(m, "panel:Pool", 500, NULL);
    retry.retries[PD_RETRY_CLASS_DEADLOCK] = 4;
    pd_metrics_tick(m, t0 + 1000);
    assert_int_equal(pd_metrics_seq(m), 1);
    n = pd_metrics_series_get(m, PD_METRICS_S_QUERIES, v, 10);
    assert_int_equal(n, 1);
    assert_int_equal(v[0], 101);
    pd_metrics_series_get(m, PD_METRICS_S_ERRORS, v, 10);
    assert_int_equal(v[0], 2);
    pd_metrics_series_get(m, PD_METRICS_S_QUERIES_BY_SOURCE +
                                 PD_METRICS_SRC_PANEL, v, 10);
    assert_int_equal(v[0], 1);
    pd_metrics_series_get(m, PD_METRICS_S_LATENCY_MAX, v, 10);
    assert_int_equal(v[0], 100000);
    pd_metrics_series_get(m, PD_METRICS_S_LATENCY_P50, v, 10);
    assert_true(v[0] >= 49500 && v[0] <= 51500); /* the 51st: 50 ms */
    pd_metrics_series_get(m, PD_METRICS_S_LATENCY_P99, v, 10);
    assert_true(v[0] >= 99000 && v[0] <= 100000);
    pd_metrics_series_get(m, PD_METRICS_S_RETRIES_DEADLOCK, v, 10);
    assert_int_equal(v[0], 4);
    pd_metrics_series_get(m, PD_METRICS_S_IN_FLIGHT, v, 10);
    assert_int_equal(v[0], 3);

    /* Second 2: one slow query; only it counts in that second. */
    report(m, "bench", 7000, NULL);
    pd_breaker_failure(br, 0);
    pd_breaker_failure(br, 0);
    pd_breaker_failure(br, 0);
    pd_breaker_failure(br, 0);
    pd_breaker_failure(br, 0); /* five: open */
    pd_metrics_tick(m, t0 + 2000);
    n = pd_metrics_series_get(m, PD_METRICS_S_QUERIES, v, 10);
    assert_int_equal(n, 2);
    assert_int_equal(v[0], 101);
    assert_int_equal(v[1], 1);
    pd_metrics_series_get(m, PD_METRICS_S_LATENCY_P50, v, 10);
    assert_true(v[1] >= 6930 && v[1] <= 7000); /* midpoint, capped */
    pd_metrics_series_get(m, PD_METRICS_S_RETRIES_DEADLOCK, v, 10);
    assert_int_equal(v[1], 0); /* a rate, not the total */
    pd_metrics_series_get(m, PD_METRICS_S_BREAKER, v, 10);
    assert_int_equal(v[1], PD_BREAKER_OPEN);

    /* The loop stalled: seconds 3 and 4 missed, filled with zero rates
     * and the gauges as they are at second 5. */
    report(m, "shell", 10, NULL);
    in_flight = 7;
    pd_metrics_tick(m, t0 + 5200);
    n = pd_metrics_series_get(m, PD_METRICS_S_QUERIES, v, 10);
    assert_int_equal(n, 5);
    assert_int_equal(v[2], 0);
    assert_int_equal(v[3], 0);
    assert_int_equal(v[4], 1);
    pd_metrics_series_get(m, PD_METRICS_S_IN_FLIGHT, v, 10);
    assert_int_equal(v[2], 7);
    assert_int_equal(v[4], 7);
    n = pd_metrics_series_get(m, PD_METRICS_S_QUERIES, v, 2); /* newest */
    assert_int_equal(n, 2);
    assert_int_equal(v[0], 0);
    assert_int_equal(v[1], 1);

    /* Wrap-around: the ring keeps the newest LEN seconds, oldest first. */
    for (i = 6; i <= PD_METRICS_SERIES_LEN + 20; i++) {
        report(m, "app", 100, NULL);
        if (i % 2 == 0)
            report(m, "app", 100, NULL);
        pd_metrics_tick(m, t0 + i * 1000);
    }
    n = pd_metrics_series_get(m, PD_METRICS_S_QUERIES, v,
                              PD_METRICS_SERIES_LEN + 10);
    assert_int_equal(n, PD_METRICS_SERIES_LEN);
    assert_int_equal(v[n - 1], (PD_METRICS_SERIES_LEN + 20) % 2 == 0 ? 2 : 1);
    for (i = 1; i < n; i++)
        assert_int_not_equal(v[i], v[i - 1]); /* alternating 1, 2 */

    {
        pd_metrics_snapshot snap;
        pd_metrics_snapshot_get(m, &snap);
        assert_int_equal(snap.source[PD_METRICS_SRC_SHELL].queries, 101);
        assert_int_equal(snap.source[PD_METRICS_SRC_SHELL].errors, 2);
        assert_int_equal(snap.errors_by_kind[PD_ERR_SERVER], 2);
        /* 101 + 1 + 1, then 315 seconds of 1 or 2 (158 of them 2) */
        assert_int_equal(snap.all.queries, 103 + 315 + 158);
        assert_int_equal(snap.all.latency.max_us, 100000);
        assert_true(snap.queries_per_s > 1.4 && snap.queries_per_s < 1.6);
        assert_true(snap.has_retry && snap.has_breaker && !snap.has_pool);
        assert_int_equal(snap.breaker.state, PD_BREAKER_OPEN);
    }
    pd_error_clear(&err);
    free_metrics(&loop, m);
    pd_breaker_free(br);
}

/* Each line is a HELP or TYPE comment or a sample: name, optional labels,
 * a value. Returns the number of samples. */
static int check_prom_text(const char *text)
{
    const char *p = text;
    int samples = 0;
    char line[512];

    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t len;
        char *q, *end;

        assert_non_null(nl); /* every line ends with \n */
        len = (size_t)(nl - p);
        assert_true(len < sizeof(line));
        memcpy(line, p, len);
        line[len] = '\0';
        p = nl + 1;
        if (strncmp(line, "# HELP pgdeck_", 14) == 0)
            continue;
        if (strncmp(line, "# TYPE pgdeck_", 14) == 0) {
            q = strrchr(line, ' ');
            assert_true(strcmp(q, " counter") == 0 ||
                        strcmp(q, " gauge") == 0 ||
                        strcmp(q, " summary") == 0);
            continue;
        }
        assert_memory_equal(line, "pgdeck_", 7);
        q = line + strspn(line, "abcdefghijklmnopqrstuvwxyz_0123456789");
        if (*q == '{') {
            q = strchr(q, '}');
            assert_non_null(q);
            q++;
        }
        assert_int_equal(*q, ' ');
        if (strcmp(q + 1, "NaN") != 0) {
            (void)strtod(q + 1, &end);
            assert_int_equal(*end, '\0');
        }
        samples++;
    }
    return samples;
}

static void test_prom_and_json(void **state)
{
    uv_loop_t loop;
    pd_metrics *m;
    pd_strbuf sb = PD_STRBUF_INIT;
    cJSON *j;

    (void)state;
    uv_loop_init(&loop);
    m = pd_metrics_new(&loop, NULL);
    report(m, "shell", 1500, NULL);
    pd_metrics_tick(m, uv_now(&loop) + 1000);
    pd_metrics_prom(m, &sb);
    assert_true(check_prom_text(pd_strbuf_cstr(&sb)) > 20);
    assert_non_null(strstr(pd_strbuf_cstr(&sb),
                           "pgdeck_queries_total{source=\"shell\"} 1\n"));
    assert_non_null(strstr(pd_strbuf_cstr(&sb),
                           "pgdeck_query_duration_seconds{source=\"shell\","
                           "quantile=\"0.5\"} 0.0014"));
    assert_non_null(strstr(pd_strbuf_cstr(&sb),
                           "pgdeck_query_duration_seconds_sum"
                           "{source=\"shell\"} 0.001500\n"));
    assert_non_null(strstr(pd_strbuf_cstr(&sb),
                           "pgdeck_query_duration_seconds_count"
                           "{source=\"shell\"} 1\n"));
    pd_strbuf_reset(&sb);
    pd_metrics_json(m, &sb);
    j = cJSON_Parse(pd_strbuf_cstr(&sb));
    assert_non_null(j);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "queries"),
                                         "queries")->valueint, 1);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "pool")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
                         cJSON_GetObjectItem(j, "series"), "queries")), 1);
    cJSON_Delete(j);
    pd_strbuf_free(&sb);
    free_metrics(&loop, m);
}

/* The loop-lag timer sees a stall. */
static void block_cb(uv_timer_t *t)
{
    (void)t;
    uv_sleep(300);
}

static void stop_cb(uv_timer_t *t)
{
    uv_stop(t->loop);
}

static void test_loop_lag(void **state)
{
    uv_loop_t loop;
    pd_metrics *m;
    uv_timer_t block, stop;
    pd_metrics_snapshot snap;

    (void)state;
    uv_loop_init(&loop);
    m = pd_metrics_new(&loop, NULL);
    uv_timer_init(&loop, &block);
    uv_timer_init(&loop, &stop);
    uv_timer_start(&block, block_cb, 50, 0);
    uv_timer_start(&stop, stop_cb, 800, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    pd_metrics_snapshot_get(m, &snap);
    assert_true(snap.loop_lag.count >= 2);
    assert_true(snap.loop_lag.max_us >= 150000); /* the 300 ms stall */
    uv_close((uv_handle_t *)&block, NULL);
    uv_close((uv_handle_t *)&stop, NULL);
    free_metrics(&loop, m);
}

/* Not a pass/fail timing: prints what the query path costs. */
static void test_hot_path_cost(void **state)
{
    uv_loop_t loop;
    pd_metrics *m;
    pd_query_report r;
    uint64_t t0, t1, i, n = 5000000;

    (void)state;
    uv_loop_init(&loop);
    m = pd_metrics_new(&loop, NULL);
    memset(&r, 0, sizeof(r));
    r.source = "bench";
    r.rows = 1;
    t0 = uv_hrtime();
    for (i = 0; i < n; i++) {
        r.duration_us = 200 + (i & 1023);
        pd_metrics_query_end(m, &r);
    }
    t1 = uv_hrtime();
    printf("# pd_metrics_query_end: %.1f ns per call\n",
           (double)(t1 - t0) / (double)n);
    free_metrics(&loop, m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hist_accuracy),
        cmocka_unit_test(test_hist_edges),
        cmocka_unit_test(test_source_kinds),
        cmocka_unit_test(test_series_ring),
        cmocka_unit_test(test_prom_and_json),
        cmocka_unit_test(test_loop_lag),
        cmocka_unit_test(test_hot_path_cost),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
