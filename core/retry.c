/* retry.c: retry decision, full-jitter backoff and retry counters.
 *
 * The rules are DESIGN.md's "nothing is lost, nothing is done twice":
 *   - 40001 and 40P01 are retried only for a whole transaction, because
 *     only then did the server roll back everything the retry re-runs;
 *   - a connection failure is retried when nothing was sent, or when what
 *     was sent is read-only;
 *   - a write sent before its connection died has an unknown outcome: it
 *     is reported as such, whatever attempts are left, never retried;
 *   - every other error is the user's to see, never retried. */
#include "core/retry.h"

#include <string.h>

/* splitmix64 (Steele, Lea, Flood 2014): tiny, no bad seeds, good enough
 * for jitter, and its state is one word the caller owns. */
void pd_retry_rng_seed(pd_retry_rng *rng, uint64_t seed)
{
    rng->state = seed;
}

/* Returns the next 64 random bits of rng (a pd_retry_rng, borrowed), so it
 * can be passed as a pd_retry_rand_fn with the rng as its context. */
uint64_t pd_retry_rng_next(void *rng)
{
    pd_retry_rng *r = rng;
    uint64_t z;

    r->state += 0x9e3779b97f4a7c15ULL;
    z = r->state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Returns 0 when p is usable, or PD_EINVAL with err (if not NULL) saying
 * which key is wrong. Key names are the config's, without file position:
 * the config loader adds that. */
int pd_retry_policy_check(const pd_retry_policy *p, pd_error *err)
{
    if (p->attempts < 1 || p->attempts > PD_RETRY_MAX_ATTEMPTS) {
        pd_error_set(err, PD_ERR_USAGE,
                     "retry.attempts must be between 1 and %d, not %d",
                     PD_RETRY_MAX_ATTEMPTS, p->attempts);
        return PD_EINVAL;
    }
    if (p->cap_ms < p->base_ms) {
        pd_error_set(err, PD_ERR_USAGE,
                     "retry.cap_ms (%u) must not be below retry.base_ms (%u)",
                     (unsigned)p->cap_ms, (unsigned)p->base_ms);
        return PD_EINVAL;
    }
    return PD_OK;
}

static bool sqlstate_valid(const char *s)
{
    int i;

    for (i = 0; i < 5; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
            return false;
    return s[5] == '\0';
}

/* 08 is connection_exception; 57P01 admin_shutdown, 57P02 crash_shutdown
 * and 57P03 cannot_connect_now all mean this session is gone (or never
 * started), which is a connection failure whatever libpq called it. */
static bool sqlstate_is_connection(const char *s)
{
    return strncmp(s, "08", 2) == 0 || strcmp(s, "57P01") == 0 ||
           strcmp(s, "57P02") == 0 || strcmp(s, "57P03") == 0;
}

/* Returns why err could be retried, or PD_RETRY_CLASS_NONE. err is
 * borrowed and may be NULL. Timeouts, cancels, pool timeouts and an open
 * breaker are NONE: each is a verdict, not a transient fault of this try. */
pd_retry_class pd_retry_classify(const pd_error *err)
{
    if (err == NULL)
        return PD_RETRY_CLASS_NONE;
    /* A deadlock found by the resource lock manager (pd_locks) arrives as
     * PD_ERR_CANCELED with 40P01: the same thing to retry as the server's. */
    if (err->kind == PD_ERR_CANCELED && strcmp(err->sqlstate, "40P01") == 0)
        return PD_RETRY_CLASS_DEADLOCK;
    if (err->kind != PD_ERR_SERVER && err->kind != PD_ERR_CONNECTION)
        return PD_RETRY_CLASS_NONE;
    if (sqlstate_valid(err->sqlstate)) {
        if (strcmp(err->sqlstate, "40001") == 0)
            return PD_RETRY_CLASS_SERIALIZATION;
        if (strcmp(err->sqlstate, "40P01") == 0)
            return PD_RETRY_CLASS_DEADLOCK;
        if (sqlstate_is_connection(err->sqlstate))
            return PD_RETRY_CLASS_CONNECTION;
    }
    return err->kind == PD_ERR_CONNECTION ? PD_RETRY_CLASS_CONNECTION
                                          : PD_RETRY_CLASS_NONE;
}

/* The decision as if attempts were unlimited. */
static pd_retry_decision decide_rule(const pd_retry_input *in)
{
    switch (pd_retry_classify(in->err)) {
    case PD_RETRY_CLASS_SERIALIZATION:
    case PD_RETRY_CLASS_DEADLOCK:
        /* Inside a caller's larger transaction only this statement would
         * run again, after the server threw the rest away. */
        return in->whole_txn ? PD_RETRY_YES : PD_RETRY_NO;
    case PD_RETRY_CLASS_CONNECTION:
        if (!in->sent || in->read_only)
            return PD_RETRY_YES;
        return PD_RETRY_OUTCOME_UNKNOWN;
    default:
        return PD_RETRY_NO;
    }
}

static bool attempts_left(const pd_retry_input *in)
{
    int attempts = in->policy != NULL ? in->policy->attempts : 1;

    return attempts > 0 && in->attempt < (unsigned)attempts - 1u;
}

/* Returns what to do after the failed try in (borrowed): PD_RETRY_YES only
 * when the rules allow a retry and the policy has a try left;
 * PD_RETRY_OUTCOME_UNKNOWN for a sent write whose connection failed, even
 * with no tries left, since the caller must report it as such; otherwise
 * PD_RETRY_NO. A NULL policy means one try. Pure: no side effects. */
pd_retry_decision pd_retry_decide(const pd_retry_input *in)
{
    pd_retry_decision d = decide_rule(in);

    if (d == PD_RETRY_YES && !attempts_left(in))
        return PD_RETRY_NO;
    return d;
}

/* Returns min(cap_ms, base_ms * 2^attempt) without overflowing for any
 * attempt: past 2^31 the product is above every uint32_t cap anyway. */
uint32_t pd_retry_backoff_ceiling_ms(const pd_retry_policy *p,
                                     unsigned attempt)
{
    uint64_t v;

    if (p->base_ms == 0)
        return 0;
    if (attempt >= 32)
        return p->cap_ms;
    v = (uint64_t)p->base_ms << attempt;
    return v < p->cap_ms ? (uint32_t)v : p->cap_ms;
}

/* floor(r * n / 2^64) for n <= 2^32: maps 64 random bits onto [0, n) with
 * a bias below 2^-32 and no rejection loop, so a fixed test generator
 * gives fixed answers (all-zero bits -> 0, all-one bits -> n - 1). */
static uint64_t scale(uint64_t r, uint64_t n)
{
    uint64_t hi = r >> 32, lo = r & 0xffffffffu;

    return (hi * n + ((lo * n) >> 32)) >> 32;
}

/* Returns the delay before the try after attempt, uniform in
 * [0, pd_retry_backoff_ceiling_ms(p, attempt)] inclusive, drawing one value
 * from rand_fn(rand_ctx). rand_ctx is borrowed. */
uint32_t pd_retry_backoff_ms(const pd_retry_policy *p, unsigned attempt,
                             pd_retry_rand_fn rand_fn, void *rand_ctx)
{
    uint64_t n = (uint64_t)pd_retry_backoff_ceiling_ms(p, attempt) + 1;

    return (uint32_t)scale(rand_fn(rand_ctx), n);
}

/* Returns a static lower-case name for d, for panels and logs. */
const char *pd_retry_decision_name(pd_retry_decision d)
{
    switch (d) {
    case PD_RETRY_NO:
        return "no";
    case PD_RETRY_YES:
        return "retry";
    case PD_RETRY_OUTCOME_UNKNOWN:
        return "outcome unknown";
    }
    return "?";
}

/* Returns a static lower-case name for c, for panels and logs. */
const char *pd_retry_class_name(pd_retry_class c)
{
    switch (c) {
    case PD_RETRY_CLASS_NONE:
        return "none";
    case PD_RETRY_CLASS_SERIALIZATION:
        return "serialization";
    case PD_RETRY_CLASS_DEADLOCK:
        return "deadlock";
    case PD_RETRY_CLASS_CONNECTION:
        return "connection";
    case PD_RETRY_CLASS_COUNT:
        break;
    }
    return "?";
}

/* Zeroes every counter and the histogram. */
void pd_retry_stats_reset(pd_retry_stats *s)
{
    memset(s, 0, sizeof(*s));
    pd_histogram_reset(&s->backoff);
}

static void count_sqlclass(pd_retry_stats *s, const char *sqlstate)
{
    size_t i;

    for (i = 0; i < s->nclasses; i++) {
        if (memcmp(s->sqlclass[i].code, sqlstate, 2) == 0) {
            s->sqlclass[i].count++;
            return;
        }
    }
    /* A fixed table keeps the stats a copyable value; a real server uses
     * a few classes, so overflow only shows a misbehaving peer. */
    if (s->nclasses == PD_RETRY_STATS_CLASSES) {
        s->other_classes++;
        return;
    }
    memcpy(s->sqlclass[i].code, sqlstate, 2);
    s->sqlclass[i].code[2] = '\0';
    s->sqlclass[i].count = 1;
    s->nclasses++;
}

/* Records the failed try in (borrowed): its SQLSTATE class and what the
 * rules make of it (a retry by class, gave up, outcome unknown or not
 * retryable). Returns pd_retry_decide(in), so one call both decides and
 * counts, and the two can never disagree. */
pd_retry_decision pd_retry_stats_record(pd_retry_stats *s,
                                        const pd_retry_input *in)
{
    pd_retry_decision rule = decide_rule(in);
    pd_retry_decision d = pd_retry_decide(in);

    s->failures++;
    if (in->err != NULL && sqlstate_valid(in->err->sqlstate))
        count_sqlclass(s, in->err->sqlstate);
    else
        s->no_sqlstate++;

    if (d == PD_RETRY_YES)
        s->retries[pd_retry_classify(in->err)]++;
    else if (d == PD_RETRY_OUTCOME_UNKNOWN)
        s->outcome_unknown++;
    else if (rule == PD_RETRY_YES)
        s->gave_up++;
    else
        s->not_retryable++;
    return d;
}

/* Records one backoff sleep of delay_ms (stored in microseconds). */
void pd_retry_stats_record_backoff(pd_retry_stats *s, uint32_t delay_ms)
{
    pd_histogram_record(&s->backoff, (uint64_t)delay_ms * 1000);
}

/* Records that a call succeeded on try attempt (0-based); only a success
 * after a retry counts, as "recovered". */
void pd_retry_stats_record_success(pd_retry_stats *s, unsigned attempt)
{
    if (attempt > 0)
        s->recovered++;
}

/* Returns how many failed tries had an SQLSTATE of class code (its first
 * two characters are used; code is borrowed), 0 if none was seen. */
uint64_t pd_retry_stats_class_count(const pd_retry_stats *s,
                                    const char *code)
{
    size_t i;

    for (i = 0; i < s->nclasses; i++)
        if (strncmp(s->sqlclass[i].code, code, 2) == 0)
            return s->sqlclass[i].count;
    return 0;
}
