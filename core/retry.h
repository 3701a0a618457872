/* retry.h: retry policy, backoff with full jitter, the retry decision, and
 * counters for the Retries panel.
 *
 * A pure module: no loop, no libpq calls, no clock and no global state. The
 * caller passes the failure, what had been sent, and a random source; it
 * gets back a decision and a delay, and runs the timer itself.
 *
 * Attempts are counted from 0: attempt 0 is the first try, attempt n is the
 * n-th retry. The delay before the try after attempt n is
 *     random(0, min(cap_ms, base_ms * 2^n))     (full jitter)
 * so the first retry waits at most base_ms. */
#ifndef PD_RETRY_H
#define PD_RETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/histogram.h"

/* The "retry" config section. A plain value: copy it freely. */
typedef struct pd_retry_policy {
    int attempts;     /* tries in all, the first included; 1 = never retry */
    uint32_t base_ms; /* ceiling of the first retry's delay */
    uint32_t cap_ms;  /* no delay is ever longer than this */
} pd_retry_policy;

#define PD_RETRY_POLICY_DEFAULT {3, 50, 2000}
#define PD_RETRY_MAX_ATTEMPTS 100 /* sanity bound for the config check */

typedef enum pd_retry_decision {
    PD_RETRY_NO = 0,         /* report the error as it is */
    PD_RETRY_YES,            /* sleep pd_retry_backoff_ms, then try again */
    PD_RETRY_OUTCOME_UNKNOWN /* a write was sent and the connection died:
                                report PD_ERR_OUTCOME_UNKNOWN, never retry */
} pd_retry_decision;

/* Why a failure could be retried at all, whatever the attempt count. */
typedef enum pd_retry_class {
    PD_RETRY_CLASS_NONE = 0,      /* never retried (syntax, constraint...) */
    PD_RETRY_CLASS_SERIALIZATION, /* 40001 serialization_failure */
    PD_RETRY_CLASS_DEADLOCK,      /* 40P01 deadlock_detected */
    PD_RETRY_CLASS_CONNECTION,    /* lost connection, 08xxx, 57P01..57P03 */
    PD_RETRY_CLASS_COUNT
} pd_retry_class;

/* One failed try, as the caller knows it. */
typedef struct pd_retry_input {
    const pd_error *err;            /* borrowed: this try's failure */
    const pd_retry_policy *policy;  /* borrowed */
    unsigned attempt;               /* 0-based index of the failed try */
    bool whole_txn;  /* a whole transaction run as a callback (or a single
                        autocommit statement): the server rolled all of it
                        back on 40001/40P01, so it may run again */
    bool sent;       /* the statement reached the socket; for a whole
                        transaction, its COMMIT did (a connection lost
                        before COMMIT rolls the transaction back) */
    bool read_only;  /* it writes nothing, so running it twice is harmless */
} pd_retry_input;

/* A random source: returns 64 uniformly random bits. ctx is the caller's. */
typedef uint64_t (*pd_retry_rand_fn)(void *ctx);

/* The default random source: splitmix64, seeded by its owner. */
typedef struct pd_retry_rng {
    uint64_t state; /* advanced by each draw */
} pd_retry_rng;

void pd_retry_rng_seed(pd_retry_rng *rng, uint64_t seed);
/* A pd_retry_rand_fn: pass it with a pd_retry_rng * as its ctx. */
uint64_t pd_retry_rng_next(void *rng);

/* 0, or PD_EINVAL with err naming the bad key. */
PD_MUSTCHECK int pd_retry_policy_check(const pd_retry_policy *p,
                                       pd_error *err);

/* Why err (borrowed, may be NULL) could be retried, or CLASS_NONE. */
pd_retry_class pd_retry_classify(const pd_error *err);
/* The retry decision for one failed try; pure. */
pd_retry_decision pd_retry_decide(const pd_retry_input *in);

/* min(cap_ms, base_ms * 2^attempt), overflow-safe for any attempt. */
uint32_t pd_retry_backoff_ceiling_ms(const pd_retry_policy *p,
                                     unsigned attempt);
/* Uniform in [0, ceiling] inclusive: one draw from rand_fn(rand_ctx). */
uint32_t pd_retry_backoff_ms(const pd_retry_policy *p, unsigned attempt,
                             pd_retry_rand_fn rand_fn, void *rand_ctx);

const char *pd_retry_decision_name(pd_retry_decision d);
const char *pd_retry_class_name(pd_retry_class c);

/* Counters for the Retries panel and \retries. A plain value struct: embed
 * it, copy it for a snapshot. */
#define PD_RETRY_STATS_CLASSES 32 /* distinct SQLSTATE classes kept */

typedef struct pd_retry_sqlclass {
    char code[3];   /* the SQLSTATE's first two characters, NUL-ended */
    uint64_t count; /* failed tries with an SQLSTATE of this class */
} pd_retry_sqlclass;

typedef struct pd_retry_stats {
    uint64_t retries[PD_RETRY_CLASS_COUNT]; /* retries made, by class
                                               ([PD_RETRY_CLASS_NONE] is
                                               always 0) */
    uint64_t recovered;       /* calls that succeeded after >= 1 retry */
    uint64_t gave_up;         /* retryable failures out of attempts */
    uint64_t outcome_unknown; /* sent writes whose connection died */
    uint64_t not_retryable;   /* failures the rules never retry */
    uint64_t failures;        /* every failed try recorded */
    uint64_t no_sqlstate;     /* failed tries without an SQLSTATE */
    uint64_t other_classes;   /* tries of classes past the table's room */
    size_t nclasses;          /* entries used in sqlclass[] */
    pd_retry_sqlclass sqlclass[PD_RETRY_STATS_CLASSES]; /* first seen first */
    pd_histogram backoff;     /* delays slept, in microseconds as every
                                 pd_histogram */
} pd_retry_stats;

void pd_retry_stats_reset(pd_retry_stats *s);
/* Counts one failed try (by SQLSTATE class and by outcome) and returns
 * pd_retry_decide(in): decide through this to keep the counts exact. */
pd_retry_decision pd_retry_stats_record(pd_retry_stats *s,
                                        const pd_retry_input *in);
/* Counts one backoff sleep. */
void pd_retry_stats_record_backoff(pd_retry_stats *s, uint32_t delay_ms);
/* Counts a success on try attempt; after a retry it is "recovered". */
void pd_retry_stats_record_success(pd_retry_stats *s, unsigned attempt);
/* Failed tries of SQLSTATE class code (first two chars), or 0. */
uint64_t pd_retry_stats_class_count(const pd_retry_stats *s,
                                    const char *code);

#endif
