/* locks.h: application resource locks.
 *
 * Named resources (arbitrary strings) locked in three modes, as ACCESS
 * SHARE / ROW EXCLUSIVE / ACCESS EXCLUSIVE in PostgreSQL:
 *
 *                 held READ   held WRITE   held EXCLUSIVE
 *   want READ        ok          ok           wait
 *   want WRITE       ok          wait         wait
 *   want EXCLUSIVE   wait        wait         wait
 *
 * Locks belong to owners (a job, a transaction): an owner may hold many
 * locks and wait for at most one. An owner's own locks never conflict with
 * each other.
 *
 * Fairness is FIFO: a request is granted only when it is compatible with
 * every holder and with every earlier waiter, so a stream of READs cannot
 * starve an EXCLUSIVE. Exception: an owner that already holds a lock on the
 * resource queues ahead of the owners that hold none there (they wait for
 * it anyway), as PostgreSQL does.
 *
 * Outcomes are delivered on a later loop turn, never inside a call:
 *   - granted: cb(lock, NULL, ctx);
 *   - timeout: kind PD_ERR_TIMEOUT, sqlstate "55P03", message
 *     "lock timeout on resource R after N ms";
 *   - deadlock: when a request must wait, the wait-for graph (a waiter waits
 *     for the other owners that hold, or queue ahead of it with, a
 *     conflicting mode) is searched for a cycle; the youngest request in the
 *     cycle fails with kind PD_ERR_CANCELED, sqlstate "40P01" (as the
 *     server's deadlock_detected, so retry logic can treat both alike) and
 *     message "deadlock detected: A waits for B (r1:write); B waits for A
 *     (r2:read)". Its owner keeps its other locks: it must release them (or
 *     free itself) for the others to proceed;
 *   - canceled: kind PD_ERR_CANCELED, no sqlstate (owner freed, wait
 *     canceled, or the manager closing). */
#ifndef PD_LOCKS_H
#define PD_LOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "core/error.h"

typedef struct pd_locks pd_locks;
typedef struct pd_locks_owner pd_locks_owner;
typedef struct pd_lock pd_lock;

typedef enum pd_lock_mode {
    PD_LOCK_READ = 0,
    PD_LOCK_WRITE,
    PD_LOCK_EXCLUSIVE
} pd_lock_mode;

#define PD_LOCK_NMODES 3

/* lock: on success, a held lock owned by the caller until pd_locks_release
 * (or until its owner is freed); NULL on failure, with err borrowed and
 * valid until the callback returns. */
typedef void (*pd_lock_cb)(pd_lock *lock, const pd_error *err, void *ctx);

/* Counters, copied out. */
typedef struct pd_locks_counters {
    uint64_t acquired;  /* grants so far */
    uint64_t waited;    /* requests that had to queue */
    uint64_t timeouts;  /* waits that hit their timeout */
    uint64_t deadlocks; /* requests failed as deadlock victims */
    uint64_t canceled;  /* requests canceled (owner freed, ...) */
    int waiting;        /* requests queued now */
    int held;           /* locks held now */
} pd_locks_counters;

/* One holder or waiter of a resource. */
typedef struct pd_locks_entry {
    char *owner;        /* owner name, owned by the snapshot */
    pd_lock_mode mode;  /* mode held or wanted */
    uint64_t waited_ms; /* waiters: waited so far; holders: before grant */
    uint64_t held_ms;   /* holders: held so far; waiters: 0 */
} pd_locks_entry;

typedef struct pd_locks_resource {
    char *name;              /* owned by the snapshot */
    pd_lock_mode held_mode;  /* strongest mode held; valid if nholders */
    size_t nholders;
    pd_locks_entry *holders; /* in grant order */
    size_t nwaiters;
    pd_locks_entry *waiters; /* in queue order */
} pd_locks_resource;

typedef struct pd_locks_snapshot {
    size_t nresources;
    pd_locks_resource *resources; /* sorted by name */
    pd_locks_counters counters;
    uint64_t now_ms;              /* uv_now() when taken */
} pd_locks_snapshot;

/* Returns-owned manager on loop (borrowed, must outlive it). */
pd_locks *pd_locks_new(uv_loop_t *loop);
/* Starts closing: frees every owner (their pd_lock handles die with them;
 * pending requests get PD_ERR_CANCELED on a later turn), then frees the
 * manager once its handles are closed, so run the loop afterwards. Safe
 * inside a lock callback. Accepts NULL. */
void pd_locks_free(pd_locks *locks);

/* Returns-owned owner named name (copied; names need not be unique), or
 * NULL when the manager is closing. */
pd_locks_owner *pd_locks_owner_new(pd_locks *locks, const char *name);
/* Releases every lock o holds (its pd_lock handles become invalid), cancels
 * its wait and any grant not yet delivered (PD_ERR_CANCELED, on a later
 * turn), and frees o. Safe inside a lock callback. Accepts NULL. */
void pd_locks_owner_free(pd_locks_owner *o);
/* Cancels o's pending wait, if any: its callback gets PD_ERR_CANCELED on a
 * later turn. Returns true if there was one (a grant already made is not
 * undone). Never calls back synchronously. */
bool pd_locks_owner_cancel(pd_locks_owner *o);

/* Asks for resource (copied) in mode for owner o (borrowed). timeout_ms 0
 * waits without limit. Returns 0 and calls cb exactly once, on a later loop
 * turn, with the lock or an error (see the top of this file); returns
 * PD_EINVAL (bad argument) or PD_ESTATE (o already waits, or the manager is
 * closing) and never calls it. May fail another owner's request as a
 * deadlock victim (also on a later turn). */
PD_MUSTCHECK int pd_locks_acquire(pd_locks_owner *o, const char *resource,
                                  pd_lock_mode mode, uint32_t timeout_ms,
                                  pd_lock_cb cb, void *ctx);
/* Releases a held lock (takes it) and grants the waiters it was blocking,
 * in FIFO order; their callbacks run on a later turn. Accepts NULL. */
void pd_locks_release(pd_lock *lock);

/* The resource name of a held lock. Borrowed, valid while it is held. */
const char *pd_locks_lock_resource(const pd_lock *lock);
/* The mode of a held lock. */
pd_lock_mode pd_locks_lock_mode(const pd_lock *lock);

/* Returns a static lowercase name: "read", "write", "exclusive". */
const char *pd_locks_mode_name(pd_lock_mode mode);
/* Parses a mode name (any case) into *mode. Returns 0 or PD_EINVAL. */
PD_MUSTCHECK int pd_locks_mode_parse(const char *s, pd_lock_mode *mode);

/* The counters now, by value. */
pd_locks_counters pd_locks_counters_get(const pd_locks *locks);
/* Returns-owned snapshot of every resource with holders or waiters; free
 * with pd_locks_snapshot_free. */
pd_locks_snapshot *pd_locks_snapshot_get(const pd_locks *locks);
/* Accepts NULL. */
void pd_locks_snapshot_free(pd_locks_snapshot *snap);

#endif
