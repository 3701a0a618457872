/* breaker.c: the circuit breaker's state machine.
 *
 * Reports are taken at face value: the breaker cannot tell the probe's
 * report from that of a call admitted before it opened. That is harmless:
 * any success is fresh proof the server is reachable, any failure fresh
 * proof it is not. While OPEN, reports change nothing, so a burst of
 * failures from calls already in flight does not stretch the cool-down. */
#include "core/breaker.h"

#include <stdlib.h>

#define PROBE_LEASE_MIN_MS 1000

struct pd_breaker {
    pd_breaker_opts opts;     /* copied at creation */
    pd_breaker_state state;   /* current state */
    uint64_t since_ms;        /* when state was entered */
    uint64_t probe_ms;        /* HALF_OPEN: when the probe was admitted */
    bool probe_out;           /* HALF_OPEN: a probe has not reported yet */
    int consecutive;          /* connection failures since the last success */
    uint64_t opens;           /* transitions into OPEN */
    uint64_t rejections;      /* calls refused */
    uint64_t probes;          /* probes admitted */
    uint64_t failures;        /* connection failures reported */
};

/* Returns 0 when opts is usable, or PD_EINVAL with err (if not NULL)
 * naming the wrong key. */
int pd_breaker_opts_check(const pd_breaker_opts *opts, pd_error *err)
{
    if (opts->failures < 1) {
        pd_error_set(err, PD_ERR_USAGE,
                     "breaker.failures must be at least 1, not %d",
                     opts->failures);
        return PD_EINVAL;
    }
    return PD_OK;
}

/* Returns-owned, CLOSED breaker (free with pd_breaker_free). opts is
 * borrowed and copied; NULL means PD_BREAKER_OPTS_DEFAULT. A failures
 * below 1 is taken as 1, since a breaker must need some failure to open. */
pd_breaker *pd_breaker_new(const pd_breaker_opts *opts)
{
    static const pd_breaker_opts defaults = PD_BREAKER_OPTS_DEFAULT;
    pd_breaker *b = pd_xcalloc(1, sizeof(*b));

    b->opts = opts != NULL ? *opts : defaults;
    if (b->opts.failures < 1)
        b->opts.failures = 1;
    b->state = PD_BREAKER_CLOSED;
    return b;
}

/* Frees b. Accepts NULL. */
void pd_breaker_free(pd_breaker *b)
{
    free(b);
}

/* A clock that steps back must not make a wait look endless or negative. */
static uint64_t elapsed(uint64_t from, uint64_t now)
{
    return now > from ? now - from : 0;
}

static void enter(pd_breaker *b, pd_breaker_state s, uint64_t now_ms)
{
    b->state = s;
    b->since_ms = now_ms;
    b->probe_out = false;
    if (s == PD_BREAKER_OPEN)
        b->opens++;
}

/* How long a probe may stay out before another is admitted: open_ms, but
 * at least PROBE_LEASE_MIN_MS, so a tiny cool-down still means one probe. */
static uint64_t probe_lease(const pd_breaker *b)
{
    return b->opts.open_ms > PROBE_LEASE_MIN_MS ? b->opts.open_ms
                                                : PROBE_LEASE_MIN_MS;
}

static void admit_probe(pd_breaker *b, uint64_t now_ms)
{
    b->probe_out = true;
    b->probe_ms = now_ms;
    b->probes++;
}

/* Returns true when a call may go ahead at now_ms, false when it must fail
 * fast (fill its error with pd_breaker_error). CLOSED admits every call.
 * OPEN refuses until open_ms have passed, then turns HALF_OPEN and admits
 * this one call as the probe. HALF_OPEN refuses while the probe is out.
 * A probe that never reports (its caller lost track of it) is given up
 * after another open_ms (at least 1 s), and the next call becomes the
 * probe, so a leaked probe cannot keep the breaker shut for good. */
bool pd_breaker_allow(pd_breaker *b, uint64_t now_ms)
{
    switch (b->state) {
    case PD_BREAKER_CLOSED:
        return true;
    case PD_BREAKER_OPEN:
        if (elapsed(b->since_ms, now_ms) < b->opts.open_ms)
            break;
        enter(b, PD_BREAKER_HALF_OPEN, now_ms);
        admit_probe(b, now_ms);
        return true;
    case PD_BREAKER_HALF_OPEN:
        if (b->probe_out && elapsed(b->probe_ms, now_ms) < probe_lease(b))
            break;
        admit_probe(b, now_ms);
        return true;
    }
    b->rejections++;
    return false;
}

/* Reports that an admitted call reached the server (even if the server
 * answered with an error). Resets the failure run; HALF_OPEN turns
 * CLOSED. Ignored while OPEN: only a probe may close an open breaker. */
void pd_breaker_success(pd_breaker *b, uint64_t now_ms)
{
    if (b->state == PD_BREAKER_OPEN)
        return;
    b->consecutive = 0;
    if (b->state == PD_BREAKER_HALF_OPEN)
        enter(b, PD_BREAKER_CLOSED, now_ms);
}

/* Reports that an admitted call failed to reach the server (the caller
 * decides what is a connection failure). CLOSED opens at the configured
 * run of consecutive failures; HALF_OPEN opens again at once, restarting
 * the cool-down. While OPEN the cool-down is not stretched. */
void pd_breaker_failure(pd_breaker *b, uint64_t now_ms)
{
    b->failures++;
    if (b->state == PD_BREAKER_OPEN)
        return;
    b->consecutive++;
    if (b->state == PD_BREAKER_HALF_OPEN ||
        b->consecutive >= b->opts.failures)
        enter(b, PD_BREAKER_OPEN, now_ms);
}

/* Reports that an admitted call ended telling nothing about the server
 * (canceled before it was sent, say): a HALF_OPEN breaker's probe slot is
 * freed for the next call. No other effect. */
void pd_breaker_release(pd_breaker *b)
{
    if (b->state == PD_BREAKER_HALF_OPEN)
        b->probe_out = false;
}

/* Returns b's current state. Reading does not advance OPEN to HALF_OPEN:
 * only pd_breaker_allow does, as it is the call that admits the probe. */
pd_breaker_state pd_breaker_state_get(const pd_breaker *b)
{
    return b->state;
}

/* Returns a snapshot of b's state and counters by value. */
pd_breaker_stats pd_breaker_stats_get(const pd_breaker *b)
{
    pd_breaker_stats st;

    st.state = b->state;
    st.since_ms = b->since_ms;
    st.retry_at_ms =
        b->state == PD_BREAKER_OPEN ? b->since_ms + b->opts.open_ms : 0;
    st.consecutive_failures = b->consecutive;
    st.failures_to_open = b->opts.failures;
    st.opens = b->opens;
    st.rejections = b->rejections;
    st.probes = b->probes;
    st.failures = b->failures;
    return st;
}

/* Returns a static lower-case name for s: "closed", "open", "half-open". */
const char *pd_breaker_state_name(pd_breaker_state s)
{
    switch (s) {
    case PD_BREAKER_CLOSED:
        return "closed";
    case PD_BREAKER_OPEN:
        return "open";
    case PD_BREAKER_HALF_OPEN:
        return "half-open";
    }
    return "?";
}

/* Fills err (cleared first) with PD_ERR_CIRCUIT_OPEN and a message saying
 * why calls fail fast and when the next probe goes out, e.g.
 * "circuit breaker open after 5 consecutive connection failures; next
 * probe in 7.2 s". Meant for a call pd_breaker_allow just refused. */
void pd_breaker_error(const pd_breaker *b, uint64_t now_ms, pd_error *err)
{
    uint64_t gone = elapsed(b->since_ms, now_ms), left, tenths;
    int n = b->consecutive;

    switch (b->state) {
    case PD_BREAKER_OPEN:
        left = gone < b->opts.open_ms ? b->opts.open_ms - gone : 0;
        /* Rounded up, so "0.0 s" never shows while still refusing. */
        tenths = (left + 99) / 100;
        pd_error_set(err, PD_ERR_CIRCUIT_OPEN,
                     "circuit breaker open after %d consecutive connection "
                     "failure%s; next probe in %llu.%llu s",
                     n, n == 1 ? "" : "s",
                     (unsigned long long)(tenths / 10),
                     (unsigned long long)(tenths % 10));
        break;
    case PD_BREAKER_HALF_OPEN:
        pd_error_set(err, PD_ERR_CIRCUIT_OPEN,
                     "circuit breaker half-open after %d consecutive "
                     "connection failure%s; a probe is in progress",
                     n, n == 1 ? "" : "s");
        break;
    case PD_BREAKER_CLOSED:
        pd_error_set(err, PD_ERR_CIRCUIT_OPEN,
                     "circuit breaker closed; calls are allowed");
        break;
    }
}
