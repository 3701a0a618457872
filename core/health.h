/* health.h: the health probe behind `pgdeck health` and \health.
 *
 * Two statements through the pool, on the loop: one reads the server's
 * facts (version, uptime, recovery, connections used of max_connections),
 * then a SELECT 1 is timed as the round trip (the first statement has
 * already paid for any connection set-up). The verdict:
 *
 *   unhealthy  a statement failed: no connection, timeout, breaker open,
 *              server error;
 *   degraded   it answered, but: the round trip took slow_ms or more, or
 *              more than conn_pct% of max_connections are used, or the
 *              server is in recovery (a standby: reads only), or the
 *              circuit breaker is not closed, or requests are queued for a
 *              pool connection;
 *   healthy    none of those.
 *
 * The status values are the exit status of `pgdeck health`. */
#ifndef PD_HEALTH_H
#define PD_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/breaker.h"
#include "core/core.h"
#include "core/error.h"
#include "core/pool.h"
#include "core/strbuf.h"

typedef enum pd_health_status {
    PD_HEALTH_HEALTHY = 0,
    PD_HEALTH_UNHEALTHY = 1,
    PD_HEALTH_DEGRADED = 2
} pd_health_status;

#define PD_HEALTH_DEFAULT_TIMEOUT_MS 5000
#define PD_HEALTH_DEFAULT_SLOW_MS 500
#define PD_HEALTH_DEFAULT_CONN_PCT 90

typedef struct pd_health_opts {
    uint32_t timeout_ms; /* bound on the acquire and on each statement;
                            0: 5000 */
    uint32_t slow_ms;    /* a round trip at least this long is degraded;
                            0: 500 */
    uint32_t conn_pct;   /* connections used above this percentage of
                            max_connections is degraded; 0: 90 */
} pd_health_opts;

/* The outcome. Strings are owned by the pd_health. */
typedef struct pd_health {
    pd_health_status status;
    double response_time_ms;  /* the SELECT 1 round trip; when a statement
                                 failed, the time until that was known */
    char *database_version;   /* "PostgreSQL 16.2 ..."; NULL: unknown */
    int64_t uptime_s;         /* server uptime; -1: unknown */
    int in_recovery;          /* 1 standby, 0 primary, -1 unknown */
    int connections_used;     /* client backends now; -1: unknown */
    int max_connections;      /* the server's setting; -1: unknown */
    pd_pool_stats pool;       /* the pool when the verdict was made */
    pd_breaker_state breaker;
    int nreasons;
    char *reasons[8];         /* why not healthy, one line each; owned */
} pd_health;

/* h: borrowed, valid during the call. */
typedef void (*pd_health_cb)(const pd_health *h, void *ctx);

/* Runs the probe on core's pool (borrowed, must outlive the probe). opts
 * may be NULL (defaults). Returns 0 and calls cb exactly once, on a later
 * loop turn, never synchronously; or returns PD_ESTATE (the pool is
 * closing) and never calls it. */
PD_MUSTCHECK int pd_health_check(pd_core *core, const pd_health_opts *opts,
                                 pd_health_cb cb, void *ctx);

/* "healthy", "degraded", "unhealthy". */
const char *pd_health_status_name(pd_health_status s);

/* Appends h as one JSON object and a newline to out:
 * {"status", "response_time_ms", "database_version", "server_uptime_s",
 *  "in_recovery", "connections_used", "max_connections", "pool": {...},
 *  "breaker", "reasons": [...]}, unknown values as null. */
void pd_health_json(const pd_health *h, pd_strbuf *out);

#endif
