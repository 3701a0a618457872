/* breaker.h: circuit breaker for connection failures.
 *
 *   CLOSED --(N consecutive connection failures)--> OPEN
 *   OPEN --(open_ms passed; the next pd_breaker_allow)--> HALF_OPEN
 *   HALF_OPEN: exactly one probe call is admitted;
 *     its success -> CLOSED, its connection failure -> OPEN again.
 *
 * A pure module: no loop, no clock, no libpq. The caller passes now_ms from
 * one monotonic clock, asks pd_breaker_allow before each call, and reports
 * how each admitted call ended. Only connection failures count as
 * failures: a server that answers with an error is a reachable server. */
#ifndef PD_BREAKER_H
#define PD_BREAKER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

typedef struct pd_breaker pd_breaker;

/* The "breaker" config section. */
typedef struct pd_breaker_opts {
    int failures;     /* consecutive connection failures that open it */
    uint32_t open_ms; /* cool-down before a probe is admitted */
} pd_breaker_opts;

#define PD_BREAKER_OPTS_DEFAULT {5, 10000}

typedef enum pd_breaker_state {
    PD_BREAKER_CLOSED = 0, /* calls pass */
    PD_BREAKER_OPEN,       /* calls fail fast until the cool-down ends */
    PD_BREAKER_HALF_OPEN   /* one probe is out; other calls fail fast */
} pd_breaker_state;

/* A snapshot for the panel: a plain value. */
typedef struct pd_breaker_stats {
    pd_breaker_state state;
    uint64_t since_ms;         /* now_ms when state was entered; 0 until the
                                  first transition */
    uint64_t retry_at_ms;      /* OPEN: when a probe will be admitted */
    int consecutive_failures;  /* connection failures since the last
                                  success */
    int failures_to_open;      /* opts.failures */
    uint64_t opens;            /* transitions into OPEN, re-opens included */
    uint64_t rejections;       /* calls refused by pd_breaker_allow */
    uint64_t probes;           /* calls admitted in HALF_OPEN */
    uint64_t failures;         /* connection failures reported, in all */
} pd_breaker_stats;

/* 0, or PD_EINVAL with err naming the bad key (failures < 1). */
PD_MUSTCHECK int pd_breaker_opts_check(const pd_breaker_opts *opts,
                                       pd_error *err);

/* Returns-owned CLOSED breaker; opts borrowed and copied (NULL: default). */
pd_breaker *pd_breaker_new(const pd_breaker_opts *opts);
/* Accepts NULL. */
void pd_breaker_free(pd_breaker *b);

/* Ask before each call: false means fail fast with pd_breaker_error. May
 * turn OPEN into HALF_OPEN, admitting this call as the single probe. */
bool pd_breaker_allow(pd_breaker *b, uint64_t now_ms);
/* The admitted call reached the server (even with an SQL error). */
void pd_breaker_success(pd_breaker *b, uint64_t now_ms);
/* The admitted call failed to reach the server. */
void pd_breaker_failure(pd_breaker *b, uint64_t now_ms);
/* The admitted call ended without a verdict (canceled before sending):
 * frees the half-open probe slot. */
void pd_breaker_release(pd_breaker *b);

pd_breaker_state pd_breaker_state_get(const pd_breaker *b);
pd_breaker_stats pd_breaker_stats_get(const pd_breaker *b);
/* Static name: "closed", "open", "half-open". */
const char *pd_breaker_state_name(pd_breaker_state s);
/* Fills err (cleared first) with PD_ERR_CIRCUIT_OPEN and a message such as
 * "circuit breaker open after 5 consecutive connection failures; next
 * probe in 7.2 s". */
void pd_breaker_error(const pd_breaker *b, uint64_t now_ms, pd_error *err);

#endif
