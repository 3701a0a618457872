/* metrics.c: counters, fine latency histograms, per-second series, loop
 * lag; their Prometheus and JSON renderings are in metrics_render.c.
 *
 * The query path only increments: per source kind a query count, an error
 * count, rows, and one histogram bucket. Totals, rates and per-second
 * quantiles are derived later, by the 1 s sampler (from deltas against the
 * previous second) or by whoever asks for a snapshot, so the cost of
 * reading scales with the readers, not with the query rate. */
#include "core/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/promhttp.h"
#include "core/xalloc.h"

#define NB PD_METRICS_HIST_NBUCKETS
#define SUB PD_METRICS_HIST_SUB
#define SUB_BITS PD_METRICS_HIST_SUB_BITS
#define NSRC PD_METRICS_NSOURCES
#define LEN PD_METRICS_SERIES_LEN
#define TICK_MS 1000
#define LAG_PERIOD_MS 100
#define RECENT_S 10      /* seconds averaged for queries_per_s */

typedef struct src_counters {
    uint64_t queries;
    uint64_t errors;
    uint64_t rows;
    pd_metrics_hist lat;
} src_counters;

struct pd_metrics {
    uv_loop_t *loop;          /* borrowed */
    uv_timer_t tick;          /* 1 s sampler, unreferenced */
    uv_timer_t lag;           /* 100 ms one-shot, re-armed, unreferenced */
    int open_handles;         /* timers not closed yet: free at 0 */
    pd_metrics_sources src;   /* borrowed pointers */
    pd_promhttp *http;        /* owned, or NULL */
    uint64_t start_ms;        /* uv_now at creation */
    int64_t start_unix_ms;    /* wall clock at creation */

    /* Written by every query. */
    src_counters by_src[NSRC];
    uint64_t errors_by_kind[PD_METRICS_NERRKINDS];
    uint64_t sec_lat_max;     /* largest latency since the last tick */

    /* Loop lag. */
    uint64_t lag_armed_ns;    /* uv_hrtime when the lag timer was armed */
    pd_metrics_hist lag_hist;
    uint64_t sec_lag_max;     /* worst lateness since the last tick */

    /* The sampler's view at the last tick, for per-second deltas. */
    uint64_t ticks;           /* values pushed into the ring */
    uint64_t prev_queries[NSRC];
    uint64_t prev_errors;
    uint64_t prev_lat_count;
    uint64_t prev_wait_count, prev_wait_sum;
    uint64_t prev_retries[PD_RETRY_CLASS_COUNT];
    uint64_t prev_lock_waited;
    uint64_t prev_lat[NB];    /* every source's buckets summed */

    int64_t ring[PD_METRICS_NSERIES][LEN]; /* per series, by slot */
    size_t head;              /* slot of the next value */
    size_t filled;            /* slots holding values */
};

/* ---- the histogram ---- */

/* Values below 2 * SUB have a bucket each; above, a value with top bit p
 * goes to row p - SUB_BITS + 1, column its next SUB_BITS bits. */
static inline unsigned bucket_of(uint64_t v)
{
    unsigned p;

    if (v < SUB)
        return (unsigned)v;
    p = 63u - (unsigned)__builtin_clzll(v);
    if (p >= PD_METRICS_HIST_POW)
        return NB - 1;
    return ((p - SUB_BITS + 1) << SUB_BITS) +
           (unsigned)((v >> (p - SUB_BITS)) & (SUB - 1));
}

/* The midpoint of bucket b's values: half a bucket from any of them, and
 * a bucket is at most 1/SUB of its values wide. */
static uint64_t mid_of(unsigned b)
{
    unsigned p;
    uint64_t lo, width;

    if (b < SUB)
        return b;
    p = (b >> SUB_BITS) + SUB_BITS - 1;
    width = (uint64_t)1 << (p - SUB_BITS);
    lo = ((uint64_t)SUB + (b & (SUB - 1))) << (p - SUB_BITS);
    return lo + (width - 1) / 2;
}

static inline void hist_record(pd_metrics_hist *h, uint64_t us)
{
    h->bucket[bucket_of(us)]++;
    h->count++;
    h->sum_us += us;
    if (us > h->max_us)
        h->max_us = us;
}

void pd_metrics_hist_reset(pd_metrics_hist *h)
{
    memset(h, 0, sizeof(*h));
}

void pd_metrics_hist_record(pd_metrics_hist *h, uint64_t us)
{
    hist_record(h, us);
}

static uint64_t rank_of(double q, uint64_t count)
{
    /* The small slack keeps 0.95 * 100 at 95, not 96, despite rounding. */
    double r = ceil(q * (double)count - 1e-9);

    if (r < 1)
        return 1;
    if (r > (double)count)
        return count;
    return (uint64_t)r;
}

/* Fills out[0..nq) with the quantiles qs (ascending, in (0, 1)) over the
 * sum of n bucket arrays holding count samples, capped at max. */
static void quantiles(const uint64_t *const *bk, size_t n, uint64_t count,
                      uint64_t max, const double *qs, uint64_t *out,
                      size_t nq)
{
    uint64_t seen = 0, rank;
    size_t i = 0, k;
    unsigned b;

    if (count == 0) {
        memset(out, 0, nq * sizeof(*out));
        return;
    }
    rank = rank_of(qs[0], count);
    for (b = 0; b < NB && i < nq; b++) {
        for (k = 0; k < n; k++)
            seen += bk[k][b];
        while (i < nq && seen >= rank) {
            uint64_t v = mid_of(b);
            out[i++] = v < max ? v : max;
            if (i < nq)
                rank = rank_of(qs[i], count);
        }
    }
    for (; i < nq; i++)
        out[i] = max;
}

uint64_t pd_metrics_hist_quantile(const pd_metrics_hist *h, double q)
{
    const uint64_t *bk = h->bucket;
    uint64_t v;

    if (h->count == 0)
        return 0;
    if (q >= 1.0)
        return h->max_us;
    quantiles(&bk, 1, h->count, h->max_us, &q, &v, 1);
    return v;
}

/* p50/p95/p99/max of the sum of n histograms. */
static void latency_of(const pd_metrics_hist *const *hs, size_t n,
                       pd_metrics_latency *out)
{
    static const double qs[3] = {0.5, 0.95, 0.99};
    const uint64_t *bk[NSRC];
    uint64_t q[3];
    size_t k;

    memset(out, 0, sizeof(*out));
    for (k = 0; k < n; k++) {
        bk[k] = hs[k]->bucket;
        out->count += hs[k]->count;
        out->sum_us += hs[k]->sum_us;
        if (hs[k]->max_us > out->max_us)
            out->max_us = hs[k]->max_us;
    }
    quantiles(bk, n, out->count, out->max_us, qs, q, 3);
    out->p50_us = q[0];
    out->p95_us = q[1];
    out->p99_us = q[2];
}

/* The pool's coarser histogram, in the same shape. */
static void latency_of_coarse(const pd_histogram *h, pd_metrics_latency *out)
{
    out->count = h->count;
    out->sum_us = h->sum_us;
    out->max_us = h->max_us;
    out->p50_us = pd_histogram_quantile(h, 0.5);
    out->p95_us = pd_histogram_quantile(h, 0.95);
    out->p99_us = pd_histogram_quantile(h, 0.99);
}

/* ---- names ---- */

static const char *const source_names[NSRC] = {
    "app", "shell", "panel", "sync", "bench", "health", "other",
};

static const char *const series_names[PD_METRICS_S_QUERIES_BY_SOURCE] = {
    "queries", "errors", "latency_p50_us", "latency_p99_us",
    "latency_max_us", "in_flight", "pool_in_use", "pool_waiting",
    "acquire_wait_us", "retries_serialization", "retries_deadlock",
    "retries_connection", "breaker_state", "lock_waits", "locks_waiting",
    "loop_lag_max_us",
};

static const char *const by_source_names[NSRC] = {
    "queries_app", "queries_shell", "queries_panel", "queries_sync",
    "queries_bench", "queries_health", "queries_other",
};

const char *pd_metrics_source_name(pd_metrics_source s)
{
    return (unsigned)s < NSRC ? source_names[s] : "other";
}

const char *pd_metrics_series_name(pd_metrics_series id)
{
    if ((unsigned)id < PD_METRICS_S_QUERIES_BY_SOURCE)
        return series_names[id];
    if ((unsigned)id < PD_METRICS_NSERIES)
        return by_source_names[id - PD_METRICS_S_QUERIES_BY_SOURCE];
    return NULL;
}

/* Is s the word w (of length n), alone or before a ':'? strncmp stops at
 * s's NUL, so s[n] is only read when s is at least n long. */
static inline bool is_word(const char *s, const char *w, size_t n)
{
    return strncmp(s, w, n) == 0 && (s[n] == '\0' || s[n] == ':');
}

/* A switch on the first letter keeps this to one or two short compares:
 * it runs for every query. */
pd_metrics_source pd_metrics_source_of(const char *s)
{
    if (s == NULL || s[0] == '\0')
        return PD_METRICS_SRC_APP;
    switch (s[0]) {
    case 'a':
        if (is_word(s, "app", 3))
            return PD_METRICS_SRC_APP;
        break;
    case 's':
        if (is_word(s, "shell", 5))
            return PD_METRICS_SRC_SHELL;
        if (is_word(s, "sync", 4))
            return PD_METRICS_SRC_SYNC;
        break;
    case 'p':
        if (is_word(s, "panel", 5))
            return PD_METRICS_SRC_PANEL;
        break;
    case 'b':
        if (is_word(s, "bench", 5))
            return PD_METRICS_SRC_BENCH;
        break;
    case 'h':
        if (is_word(s, "health", 6))
            return PD_METRICS_SRC_HEALTH;
        break;
    }
    return PD_METRICS_SRC_OTHER;
}

/* ---- recording ---- */

/* The hot path; see metrics.h. */
void pd_metrics_query_end(pd_metrics *m, const pd_query_report *r)
{
    src_counters *c = &m->by_src[pd_metrics_source_of(r->source)];
    uint64_t us = r->duration_us;

    c->queries++;
    if (r->rows > 0)
        c->rows += (uint64_t)r->rows;
    if (r->err != NULL) {
        unsigned k = (unsigned)r->err->kind;
        c->errors++;
        m->errors_by_kind[k < PD_METRICS_NERRKINDS ? k : 0]++;
    }
    hist_record(&c->lat, us);
    if (us > m->sec_lat_max)
        m->sec_lat_max = us;
}

/* The lag timer is armed for LAG_PERIOD_MS; how much later than that it
 * runs is time the loop spent on something else (or blocked). */
static void on_lag(uv_timer_t *t)
{
    pd_metrics *m = t->data;
    uint64_t now = uv_hrtime();
    uint64_t due = m->lag_armed_ns + (uint64_t)LAG_PERIOD_MS * 1000000u;
    uint64_t lag_us = now > due ? (now - due) / 1000u : 0;

    hist_record(&m->lag_hist, lag_us);
    if (lag_us > m->sec_lag_max)
        m->sec_lag_max = lag_us;
    m->lag_armed_ns = now;
    uv_timer_start(&m->lag, on_lag, LAG_PERIOD_MS, 0);
}

/* ---- the per-second sampler ---- */

static bool is_gauge(unsigned s)
{
    switch (s) {
    case PD_METRICS_S_IN_FLIGHT:
    case PD_METRICS_S_POOL_IN_USE:
    case PD_METRICS_S_POOL_WAITING:
    case PD_METRICS_S_BREAKER:
    case PD_METRICS_S_LOCKS_WAITING:
        return true;
    }
    return false;
}

static void push(pd_metrics *m, const int64_t *v)
{
    unsigned s;

    for (s = 0; s < PD_METRICS_NSERIES; s++)
        m->ring[s][m->head] = v[s];
    m->head = (m->head + 1) % LEN;
    if (m->filled < LEN)
        m->filled++;
}

/* p50 and p99 of the queries that ended since the last tick: the
 * difference between the summed buckets now and then. Skipped when none
 * ended, which keeps an idle second nearly free. */
static void second_latency(pd_metrics *m, uint64_t n, int64_t *v)
{
    uint64_t seen = 0, r50, r99;
    unsigned b, k;
    bool got50 = false, got99 = false;

    v[PD_METRICS_S_LATENCY_P50] = 0;
    v[PD_METRICS_S_LATENCY_P99] = 0;
    if (n == 0)
        return;
    r50 = rank_of(0.5, n);
    r99 = rank_of(0.99, n);
    for (b = 0; b < NB; b++) {
        uint64_t cur = 0, d;
        for (k = 0; k < NSRC; k++)
            cur += m->by_src[k].lat.bucket[b];
        d = cur - m->prev_lat[b];
        m->prev_lat[b] = cur;
        if (d == 0)
            continue;
        seen += d;
        if (!got50 && seen >= r50) {
            v[PD_METRICS_S_LATENCY_P50] = (int64_t)mid_of(b);
            got50 = true;
        }
        if (!got99 && seen >= r99) {
            v[PD_METRICS_S_LATENCY_P99] = (int64_t)mid_of(b);
            got99 = true;
        }
    }
    /* Midpoints may pass the second's exact max; never show more. */
    if ((uint64_t)v[PD_METRICS_S_LATENCY_P50] > m->sec_lat_max)
        v[PD_METRICS_S_LATENCY_P50] = (int64_t)m->sec_lat_max;
    if ((uint64_t)v[PD_METRICS_S_LATENCY_P99] > m->sec_lat_max)
        v[PD_METRICS_S_LATENCY_P99] = (int64_t)m->sec_lat_max;
}

/* One value per series for the second that just ended; updates the
 * previous totals. */
static void sample(pd_metrics *m, int64_t *v)
{
    uint64_t qall = 0, eall = 0, pall = 0;
    unsigned k;

    memset(v, 0, PD_METRICS_NSERIES * sizeof(*v));
    for (k = 0; k < NSRC; k++) {
        uint64_t q = m->by_src[k].queries;
        v[PD_METRICS_S_QUERIES_BY_SOURCE + k] =
            (int64_t)(q - m->prev_queries[k]);
        pall += m->prev_queries[k];
        m->prev_queries[k] = q;
        qall += q;
        eall += m->by_src[k].errors;
    }
    v[PD_METRICS_S_QUERIES] = (int64_t)(qall - pall);
    v[PD_METRICS_S_ERRORS] = (int64_t)(eall - m->prev_errors);
    m->prev_errors = eall;
    second_latency(m, qall - m->prev_lat_count, v);
    m->prev_lat_count = qall;
    v[PD_METRICS_S_LATENCY_MAX] = (int64_t)m->sec_lat_max;
    m->sec_lat_max = 0;
    if (m->src.in_flight != NULL)
        v[PD_METRICS_S_IN_FLIGHT] = (int64_t)*m->src.in_flight;
    if (m->src.pool != NULL) {
        pd_pool_stats st = pd_pool_stats_get(m->src.pool);
        uint64_t dc = st.wait.count - m->prev_wait_count;
        v[PD_METRICS_S_POOL_IN_USE] = st.in_use;
        v[PD_METRICS_S_POOL_WAITING] = st.waiting;
        if (dc > 0)
            v[PD_METRICS_S_ACQUIRE_WAIT] =
                (int64_t)((st.wait.sum_us - m->prev_wait_sum) / dc);
        m->prev_wait_count = st.wait.count;
        m->prev_wait_sum = st.wait.sum_us;
    }
    if (m->src.retry != NULL) {
        static const struct {
            unsigned series, cls;
        } map[] = {
            {PD_METRICS_S_RETRIES_SERIALIZATION, PD_RETRY_CLASS_SERIALIZATION},
            {PD_METRICS_S_RETRIES_DEADLOCK, PD_RETRY_CLASS_DEADLOCK},
            {PD_METRICS_S_RETRIES_CONNECTION, PD_RETRY_CLASS_CONNECTION},
        };
        for (k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
            uint64_t r = m->src.retry->retries[map[k].cls];
            v[map[k].series] = (int64_t)(r - m->prev_retries[map[k].cls]);
            m->prev_retries[map[k].cls] = r;
        }
    }
    if (m->src.breaker != NULL)
        v[PD_METRICS_S_BREAKER] = pd_breaker_state_get(m->src.breaker);
    if (m->src.locks != NULL) {
        pd_locks_counters lc = pd_locks_counters_get(m->src.locks);
        v[PD_METRICS_S_LOCK_WAITS] = (int64_t)(lc.waited - m->prev_lock_waited);
        v[PD_METRICS_S_LOCKS_WAITING] = lc.waiting;
        m->prev_lock_waited = lc.waited;
    }
    v[PD_METRICS_S_LOOP_LAG_MAX] = (int64_t)m->sec_lag_max;
    m->sec_lag_max = 0;
}

/* See metrics.h. Slots are aligned to whole seconds since creation, so a
 * timer that drifts or a loop that stalled still gives one value per
 * second: the seconds missed get zero rates and the current gauges. */
void pd_metrics_tick(pd_metrics *m, uint64_t now_ms)
{
    int64_t v[PD_METRICS_NSERIES], gap_v[PD_METRICS_NSERIES];
    uint64_t target = now_ms > m->start_ms ? (now_ms - m->start_ms) / 1000 : 0;
    uint64_t gap = target > m->ticks + 1 ? target - m->ticks - 1 : 0, i;
    unsigned s;

    sample(m, v);
    if (gap > LEN)
        gap = LEN;
    for (s = 0; s < PD_METRICS_NSERIES; s++)
        gap_v[s] = is_gauge(s) ? v[s] : 0;
    for (i = 0; i < gap; i++)
        push(m, gap_v);
    push(m, v);
    m->ticks += gap + 1;
}

static void on_tick(uv_timer_t *t)
{
    pd_metrics *m = t->data;

    pd_metrics_tick(m, uv_now(m->loop));
}

/* ---- life cycle ---- */

/* Returns-owned; see metrics.h. */
pd_metrics *pd_metrics_new(uv_loop_t *loop, const pd_metrics_sources *src)
{
    pd_metrics *m = pd_xcalloc(1, sizeof(*m));
    uv_timeval64_t tv;

    m->loop = loop;
    if (src != NULL)
        m->src = *src;
    m->start_ms = uv_now(loop);
    if (uv_gettimeofday(&tv) == 0)
        m->start_unix_ms = tv.tv_sec * 1000 + tv.tv_usec / 1000;
    uv_timer_init(loop, &m->tick);
    uv_timer_init(loop, &m->lag);
    m->tick.data = m;
    m->lag.data = m;
    m->open_handles = 2;
    uv_timer_start(&m->tick, on_tick, TICK_MS, TICK_MS);
    m->lag_armed_ns = uv_hrtime();
    uv_timer_start(&m->lag, on_lag, LAG_PERIOD_MS, 0);
    /* Observing must never be the reason the process stays up. */
    uv_unref((uv_handle_t *)&m->tick);
    uv_unref((uv_handle_t *)&m->lag);
    return m;
}

static void on_timer_closed(uv_handle_t *h)
{
    pd_metrics *m = h->data;

    if (--m->open_handles == 0)
        free(m);
}

/* See metrics.h. */
void pd_metrics_free(pd_metrics *m)
{
    if (m == NULL)
        return;
    pd_promhttp_free(m->http);
    m->http = NULL;
    uv_close((uv_handle_t *)&m->tick, on_timer_closed);
    uv_close((uv_handle_t *)&m->lag, on_timer_closed);
}

/* ---- reading ---- */

static double recent_rate(const pd_metrics *m, unsigned series)
{
    size_t n = m->filled < RECENT_S ? m->filled : RECENT_S, i;
    int64_t sum = 0;

    if (n == 0)
        return 0;
    for (i = 1; i <= n; i++)
        sum += m->ring[series][(m->head + LEN - i) % LEN];
    return (double)sum / (double)n;
}

/* Fills out; see metrics.h. */
void pd_metrics_snapshot_get(const pd_metrics *m, pd_metrics_snapshot *out)
{
    const pd_metrics_hist *hs[NSRC];
    unsigned k;

    memset(out, 0, sizeof(*out));
    out->uptime_ms = uv_now(m->loop) - m->start_ms;
    out->start_unix_ms = m->start_unix_ms;
    for (k = 0; k < NSRC; k++) {
        const src_counters *c = &m->by_src[k];
        pd_metrics_source_stats *s = &out->source[k];
        hs[k] = &c->lat;
        s->queries = c->queries;
        s->errors = c->errors;
        s->rows = c->rows;
        latency_of(&hs[k], 1, &s->latency);
        out->all.queries += c->queries;
        out->all.errors += c->errors;
        out->all.rows += c->rows;
    }
    latency_of(hs, NSRC, &out->all.latency);
    memcpy(out->errors_by_kind, m->errors_by_kind,
           sizeof(out->errors_by_kind));
    out->queries_per_s = recent_rate(m, PD_METRICS_S_QUERIES);
    out->errors_per_s = recent_rate(m, PD_METRICS_S_ERRORS);
    if (m->src.in_flight != NULL)
        out->in_flight = *m->src.in_flight;
    if (m->src.pool != NULL) {
        out->has_pool = true;
        out->pool = pd_pool_stats_get(m->src.pool);
        latency_of_coarse(&out->pool.wait, &out->acquire_wait);
    }
    if (m->src.retry != NULL) {
        const pd_retry_stats *r = m->src.retry;
        out->has_retry = true;
        memcpy(out->retries, r->retries, sizeof(out->retries));
        out->retry_recovered = r->recovered;
        out->retry_gave_up = r->gave_up;
        out->retry_outcome_unknown = r->outcome_unknown;
        out->retry_not_retryable = r->not_retryable;
    }
    if (m->src.breaker != NULL) {
        out->has_breaker = true;
        out->breaker = pd_breaker_stats_get(m->src.breaker);
    }
    if (m->src.locks != NULL) {
        out->has_locks = true;
        out->locks = pd_locks_counters_get(m->src.locks);
    }
    if (m->src.slowlog != NULL) {
        out->has_slowlog = true;
        out->slow = pd_slowlog_counters_get(m->src.slowlog);
        out->slow_threshold_ms = pd_slowlog_threshold_ms(m->src.slowlog);
    }
    {
        const pd_metrics_hist *lh = &m->lag_hist;
        latency_of(&lh, 1, &out->loop_lag);
    }
}

/* See metrics.h. */
size_t pd_metrics_series_get(const pd_metrics *m, pd_metrics_series id,
                             int64_t *out, size_t max)
{
    size_t n = m->filled < max ? m->filled : max, i;
    size_t first = (m->head + LEN - n) % LEN;

    if ((unsigned)id >= PD_METRICS_NSERIES)
        return 0;
    for (i = 0; i < n; i++)
        out[i] = m->ring[id][(first + i) % LEN];
    return n;
}

uint64_t pd_metrics_seq(const pd_metrics *m)
{
    return m->ticks;
}

/* ---- HTTP ---- */

static void render_prom(pd_strbuf *out, void *ctx)
{
    pd_metrics_prom(ctx, out);
}

/* See metrics.h. */
int pd_metrics_serve(pd_metrics *m, const char *listen, pd_error *err)
{
    if (m->http != NULL) {
        pd_error_set(err, PD_ERR_USAGE, "metrics are already served");
        return PD_ESTATE;
    }
    return pd_promhttp_start(m->loop, listen, render_prom, m, &m->http, err);
}

int pd_metrics_serve_port(const pd_metrics *m)
{
    return m->http != NULL ? pd_promhttp_port(m->http) : 0;
}
