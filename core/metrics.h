/* metrics.h: counters, gauges, latency histograms and per-second series.
 *
 * One pd_metrics per core. The query path calls pd_metrics_query_end for
 * every finished query (a handful of increments: no allocation, no clock,
 * no lock). Everything else is sampled: a repeating 1 s timer reads the
 * pool, retry, breaker and lock statistics and pushes one value per series
 * into a ring of the last PD_METRICS_SERIES_LEN seconds; a 100 ms timer
 * measures how late the loop runs its timers (loop lag). Both timers are
 * unreferenced: they never keep the loop alive on their own.
 *
 * Latency histograms are pd_metrics_hist: log-linear, 128 buckets per
 * power of two over microseconds, read at the bucket's midpoint, so every
 * quantile is within 0.4% of the true (nearest-rank) value; max is exact.
 * core/histogram.h (16 buckets, ~6%) is left as it is for its users: the
 * pool's acquire wait comes from the pool in that coarser form.
 *
 * For the dashboard
 * -----------------
 * The Queries panel reads a snapshot, the sparklines read series:
 *
 *     pd_metrics *m = pd_core_metrics(core);
 *     pd_metrics_snapshot snap;
 *     pd_metrics_snapshot_get(m, &snap);   (a copy: keep it as long as you
 *                                           like; it costs ~30 us)
 *     snap.source[PD_METRICS_SRC_PANEL].latency.p99_us ...
 *
 *     int64_t v[120];
 *     size_t n = pd_metrics_series_get(m, PD_METRICS_S_QUERIES, v, 120);
 *     v[0] is the oldest of the n values, v[n - 1] the last full second.
 *
 * Series gain one value per second; pd_metrics_seq changes when they do, so
 * a panel can redraw its sparklines only then. Everything is loop-thread
 * only, like the rest of the core. */
#ifndef PD_METRICS_H
#define PD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "core/breaker.h"
#include "core/error.h"
#include "core/locks.h"
#include "core/observe.h"
#include "core/pool.h"
#include "core/retry.h"
#include "core/slowlog.h"
#include "core/strbuf.h"

/* The fine histogram: values 0..127 us exact, then 128 buckets per power of
 * two up to 2^36 us (19 hours; longer samples land in the last bucket, max
 * stays exact). 30 KiB, O(1) record. A plain value struct. */
#define PD_METRICS_HIST_SUB_BITS 7
#define PD_METRICS_HIST_SUB (1u << PD_METRICS_HIST_SUB_BITS)
#define PD_METRICS_HIST_POW 36
#define PD_METRICS_HIST_NBUCKETS \
    ((PD_METRICS_HIST_POW - PD_METRICS_HIST_SUB_BITS + 1) * PD_METRICS_HIST_SUB)

typedef struct pd_metrics_hist {
    uint64_t count;                             /* samples */
    uint64_t sum_us;                            /* for the mean */
    uint64_t max_us;                            /* largest, exact */
    uint64_t bucket[PD_METRICS_HIST_NBUCKETS];  /* counts per bucket */
} pd_metrics_hist;

void pd_metrics_hist_reset(pd_metrics_hist *h);
void pd_metrics_hist_record(pd_metrics_hist *h, uint64_t us);
/* The nearest-rank q-quantile (0 < q <= 1; the ceil(q * count)-th smallest
 * sample), within 0.4% (the midpoint of its bucket, capped at max); 0 when
 * empty; q >= 1 gives max. */
uint64_t pd_metrics_hist_quantile(const pd_metrics_hist *h, double q);

/* Where queries come from: the part of the report's source before ':'
 * ("panel:Pool" is a panel query). NULL or "app" is the application's. */
typedef enum pd_metrics_source {
    PD_METRICS_SRC_APP = 0,
    PD_METRICS_SRC_SHELL,
    PD_METRICS_SRC_PANEL,
    PD_METRICS_SRC_SYNC,
    PD_METRICS_SRC_BENCH,
    PD_METRICS_SRC_HEALTH,
    PD_METRICS_SRC_OTHER, /* any other prefix */
    PD_METRICS_NSOURCES
} pd_metrics_source;

/* Errors are also counted by pd_error_kind (PD_ERR_SERVER...). */
#define PD_METRICS_NERRKINDS (PD_ERR_USAGE + 1)

/* The per-second series. Rates count what happened during that second;
 * gauges are sampled at its end; latencies are of the queries that ended
 * during it (0 when none did). Every value is an int64_t. */
typedef enum pd_metrics_series {
    PD_METRICS_S_QUERIES = 0,   /* queries finished, per second */
    PD_METRICS_S_ERRORS,        /* ... of which failed */
    PD_METRICS_S_LATENCY_P50,   /* us */
    PD_METRICS_S_LATENCY_P99,   /* us */
    PD_METRICS_S_LATENCY_MAX,   /* us */
    PD_METRICS_S_IN_FLIGHT,     /* statements sent and not finished */
    PD_METRICS_S_POOL_IN_USE,   /* connections handed out */
    PD_METRICS_S_POOL_WAITING,  /* acquire requests queued */
    PD_METRICS_S_ACQUIRE_WAIT,  /* mean acquire wait of that second's
                                   grants, us */
    PD_METRICS_S_RETRIES_SERIALIZATION, /* retries per second, by class */
    PD_METRICS_S_RETRIES_DEADLOCK,
    PD_METRICS_S_RETRIES_CONNECTION,
    PD_METRICS_S_BREAKER,       /* pd_breaker_state: 0 closed, 1 open,
                                   2 half-open */
    PD_METRICS_S_LOCK_WAITS,    /* lock requests that had to queue */
    PD_METRICS_S_LOCKS_WAITING, /* lock requests queued now */
    PD_METRICS_S_LOOP_LAG_MAX,  /* worst timer lateness, us */
    PD_METRICS_S_QUERIES_BY_SOURCE, /* + pd_metrics_source: that source's
                                       queries per second */
    PD_METRICS_NSERIES = PD_METRICS_S_QUERIES_BY_SOURCE + PD_METRICS_NSOURCES
} pd_metrics_series;

#define PD_METRICS_SERIES_LEN 300 /* seconds kept */

/* What the 1 s sampler reads. Every pointer is borrowed, may be NULL (that
 * part is then left out), and must outlive the pd_metrics. */
typedef struct pd_metrics_sources {
    const pd_pool *pool;
    const pd_breaker *breaker;
    const pd_retry_stats *retry;
    const pd_locks *locks;
    const pd_slowlog *slowlog;
    const uint64_t *in_flight;  /* the core's count of statements out */
} pd_metrics_sources;

typedef struct pd_metrics_latency {
    uint64_t count;  /* samples */
    uint64_t sum_us; /* total */
    uint64_t p50_us, p95_us, p99_us;
    uint64_t max_us; /* exact */
} pd_metrics_latency;

typedef struct pd_metrics_source_stats {
    uint64_t queries;           /* finished, success or not */
    uint64_t errors;            /* ... of which failed */
    uint64_t rows;              /* rows returned or affected, known ones */
    pd_metrics_latency latency; /* of every finished query */
} pd_metrics_source_stats;

/* A copy of everything, taken now: a plain value, safe to keep. */
typedef struct pd_metrics_snapshot {
    uint64_t uptime_ms;           /* since pd_metrics_new */
    int64_t start_unix_ms;        /* wall clock at pd_metrics_new */
    pd_metrics_source_stats all;  /* every source together */
    pd_metrics_source_stats source[PD_METRICS_NSOURCES];
    uint64_t errors_by_kind[PD_METRICS_NERRKINDS]; /* by pd_error_kind */
    double queries_per_s;         /* mean over the last 10 full seconds
                                     (fewer at start) */
    double errors_per_s;          /* likewise */
    uint64_t in_flight;
    bool has_pool;                /* each has_x: that source was given */
    pd_pool_stats pool;
    pd_metrics_latency acquire_wait; /* from pool.wait: ~6% (histogram.h) */
    bool has_retry;
    uint64_t retries[PD_RETRY_CLASS_COUNT]; /* retries made, by class */
    uint64_t retry_recovered, retry_gave_up, retry_outcome_unknown,
        retry_not_retryable;
    bool has_breaker;
    pd_breaker_stats breaker;
    bool has_locks;
    pd_locks_counters locks;
    bool has_slowlog;
    pd_slowlog_counters slow;
    uint32_t slow_threshold_ms;
    pd_metrics_latency loop_lag;  /* lateness of a 100 ms timer */
} pd_metrics_snapshot;

typedef struct pd_metrics pd_metrics;

/* Returns-owned metrics on loop (borrowed, must outlive it), reading src
 * (borrowed for the call, its pointers copied; NULL: nothing to sample).
 * Starts the unreferenced 1 s sampler and 100 ms lag timers. */
pd_metrics *pd_metrics_new(uv_loop_t *loop, const pd_metrics_sources *src);

/* Stops the timers and the HTTP server, if any, and frees m once their
 * handles have closed: the caller runs the loop afterwards (pd_core_free
 * does). Accepts NULL. */
void pd_metrics_free(pd_metrics *m);

/* The hot path: counts one finished query (r borrowed for the call). A few
 * increments and one histogram bucket; never calls back. */
void pd_metrics_query_end(pd_metrics *m, const pd_query_report *r);

/* What the 1 s timer does, with now_ms from uv_now: samples the sources and
 * pushes one value per series (and zeros for whole seconds the loop missed,
 * up to the ring's length). Exported for tests, which drive their own
 * clock. */
void pd_metrics_tick(pd_metrics *m, uint64_t now_ms);

/* Fills out (caller's) with a copy of everything, sampled now. */
void pd_metrics_snapshot_get(const pd_metrics *m, pd_metrics_snapshot *out);

/* Copies the newest min(max, seconds recorded) values of series id into out
 * (caller's array of max), oldest first; returns how many. 0 for a bad id. */
size_t pd_metrics_series_get(const pd_metrics *m, pd_metrics_series id,
                             int64_t *out, size_t max);
/* Changes each time the series gain values (ticks so far). */
uint64_t pd_metrics_seq(const pd_metrics *m);

/* Static names: "queries", "latency_p99_us", "queries_panel", ... (NULL
 * for a bad id); "app", "shell", ... for sources. */
const char *pd_metrics_series_name(pd_metrics_series id);
const char *pd_metrics_source_name(pd_metrics_source s);
/* The kind of a report's source string (may be NULL). */
pd_metrics_source pd_metrics_source_of(const char *source);

/* Appends the Prometheus text exposition format (version 0.0.4) to out:
 * names prefixed pgdeck_, units in the names (_seconds, _bytes), counters
 * ending _total, latencies as summaries with quantile labels 0.5, 0.95 and
 * 0.99 (plus a _max_seconds gauge). */
void pd_metrics_prom(const pd_metrics *m, pd_strbuf *out);
/* Appends one JSON object (the snapshot, and the last 60 s of every
 * series) to out, with a final newline. */
void pd_metrics_json(const pd_metrics *m, pd_strbuf *out);

/* Serves pd_metrics_prom over HTTP at listen ("127.0.0.1:9187", ":9187"
 * or "9187" for loopback, "[::1]:9187", "0.0.0.0:9187" to open it up;
 * numeric addresses only, and "localhost") from m's loop, until
 * pd_metrics_free. Returns 0; or PD_EINVAL (bad address), PD_EIO (cannot
 * listen) or PD_ESTATE (already serving) with err (caller's) set. */
PD_MUSTCHECK int pd_metrics_serve(pd_metrics *m, const char *listen,
                                  pd_error *err);
/* The port served (useful after port 0), or 0 when not serving. */
int pd_metrics_serve_port(const pd_metrics *m);

#endif
