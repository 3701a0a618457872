/* locks.c: application resource locks (see locks.h).
 *
 * A request is a pd_lock. Its state is its list membership:
 *   waiting: in res->waiters and locks->waiting (and owner->waiting);
 *   held:    in res->holders, and in locks->ready (or a dispatch batch)
 *            until the grant is delivered;
 *   failed:  only in locks->ready (or a batch), unlinked from everything
 *            else, freed after its callback.
 * Every request is also in its owner's list until it fails or is released.
 * Outcomes are delivered from a uv_idle on a later turn, as in pool.c; one
 * uv_timer fires at the earliest wait deadline.
 *
 * The wait-for graph only gains edges when a request starts waiting (a
 * grant turns an edge to a waiter into an edge to the same holder), so a
 * cycle is searched for then, from the new waiter. */
#include "core/locks.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/list.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

typedef enum lk_state { LK_NEW, LK_WAITING, LK_HELD, LK_FAILED } lk_state;

typedef struct resource {
    pd_list node;    /* in locks->resources, sorted by name */
    char *name;      /* owned */
    pd_list holders; /* pd_lock.rnode, in grant order */
    pd_list waiters; /* pd_lock.rnode, in queue order */
} resource;

struct pd_lock {
    pd_list rnode;         /* in res->holders or res->waiters */
    pd_list onode;         /* in owner->locks */
    pd_list qnode;         /* in locks->waiting, locks->ready or a batch */
    pd_locks *locks;       /* borrowed */
    resource *res;         /* borrowed; NULL once failed */
    pd_locks_owner *owner; /* borrowed; NULL once failed */
    pd_lock_mode mode;
    lk_state st;
    uint64_t seq;          /* request order: larger is younger */
    uint64_t requested;    /* uv_now() at the request */
    uint64_t granted;      /* uv_now() at the grant */
    uint64_t deadline;     /* uv_now() ms, 0 = none */
    uint32_t timeout_ms;   /* the wait allowed, for messages */
    pd_lock_cb cb;
    void *ctx;
    pd_error err;          /* the failure to deliver */
};

struct pd_locks_owner {
    pd_list node;     /* in locks->owners */
    pd_locks *locks;  /* borrowed */
    char *name;       /* owned */
    pd_list locks_l;  /* pd_lock.onode: held and waiting */
    pd_lock *waiting; /* its one waiting request, or NULL */
    uint64_t visit;   /* deadlock search epoch */
};

struct pd_locks {
    uv_loop_t *loop;      /* borrowed */
    pd_list resources;    /* with holders or waiters, sorted by name */
    pd_list owners;
    pd_list waiting;      /* waiting requests, in request order */
    pd_list ready;        /* outcomes to deliver */
    uv_idle_t dispatch;   /* delivers the ready list */
    uv_timer_t deadline;  /* earliest wait deadline */
    int handles_open;     /* of the two above, not yet closed */
    bool closing;         /* pd_locks_free was called */
    bool dispatching;     /* on_dispatch is on the stack */
    uint64_t seq;         /* last request number */
    uint64_t epoch;       /* last deadlock search */
    pd_locks_counters ctr;
};

/* conflict[wanted][held] */
static const bool conflict[PD_LOCK_NMODES][PD_LOCK_NMODES] = {
    [PD_LOCK_READ] = {false, false, true},
    [PD_LOCK_WRITE] = {false, true, true},
    [PD_LOCK_EXCLUSIVE] = {true, true, true},
};

static const char *const mode_names[PD_LOCK_NMODES] = {
    "read", "write", "exclusive"
};

static void maybe_finish(pd_locks *locks);

/* Returns-owned manager; see locks.h. */
pd_locks *pd_locks_new(uv_loop_t *loop)
{
    pd_locks *locks = pd_xcalloc(1, sizeof(*locks));

    locks->loop = loop;
    pd_list_init(&locks->resources);
    pd_list_init(&locks->owners);
    pd_list_init(&locks->waiting);
    pd_list_init(&locks->ready);
    uv_idle_init(loop, &locks->dispatch);
    uv_timer_init(loop, &locks->deadline);
    locks->dispatch.data = locks->deadline.data = locks;
    locks->handles_open = 2;
    return locks;
}

const char *pd_locks_mode_name(pd_lock_mode mode)
{
    if ((unsigned)mode >= PD_LOCK_NMODES)
        return "?";
    return mode_names[mode];
}

/* Parses "read", "write" or "exclusive" in any case; see locks.h. */
int pd_locks_mode_parse(const char *s, pd_lock_mode *mode)
{
    int i;

    for (i = 0; s != NULL && i < PD_LOCK_NMODES; i++) {
        if (strcasecmp(s, mode_names[i]) == 0) {
            *mode = (pd_lock_mode)i;
            return 0;
        }
    }
    return PD_EINVAL;
}

static resource *find_res(pd_locks *locks, const char *name, bool create)
{
    pd_list *n;
    resource *r;
    int c = 1;

    for (n = locks->resources.next; n != &locks->resources; n = n->next) {
        r = pd_list_entry(n, resource, node);
        c = strcmp(r->name, name);
        if (c == 0)
            return r;
        if (c > 0)
            break;
    }
    if (!create)
        return NULL;
    r = pd_xcalloc(1, sizeof(*r));
    r->name = pd_xstrdup(name);
    pd_list_init(&r->holders);
    pd_list_init(&r->waiters);
    pd_list_insert_before(n, &r->node); /* keeps the list sorted */
    return r;
}

static bool owner_holds(const resource *r, const pd_locks_owner *o)
{
    const pd_list *n;

    for (n = r->holders.next; n != &r->holders; n = n->next)
        if (pd_list_entry(n, pd_lock, rnode)->owner == o)
            return true;
    return false;
}

/* True when a of another owner keeps w (wanting w->mode) waiting. */
static bool blocks(const pd_lock *a, const pd_locks_owner *o,
                   pd_lock_mode mode)
{
    return a->owner != o && conflict[mode][a->mode];
}

/* True when o may have mode on r now, given the waiters before upto. */
static bool grantable(const resource *r, const pd_locks_owner *o,
                      pd_lock_mode mode, const pd_list *upto)
{
    const pd_list *n;

    for (n = r->holders.next; n != &r->holders; n = n->next)
        if (blocks(pd_list_entry(n, pd_lock, rnode), o, mode))
            return false;
    for (n = r->waiters.next; n != upto; n = n->next)
        if (blocks(pd_list_entry(n, pd_lock, rnode), o, mode))
            return false;
    return true;
}

static void on_dispatch(uv_idle_t *h)
{
    pd_locks *locks = h->data;
    pd_list batch, *n;

    /* Callbacks may acquire and release: deliver only what is ready now. A
     * grant still in the batch may turn into a cancel meanwhile. */
    locks->dispatching = true;
    pd_list_init(&batch);
    if (!pd_list_empty(&locks->ready)) {
        batch = locks->ready;
        batch.next->prev = &batch;
        batch.prev->next = &batch;
        pd_list_init(&locks->ready);
    }
    while ((n = pd_list_pop_front(&batch)) != NULL) {
        pd_lock *l = pd_list_entry(n, pd_lock, qnode);

        if (l->st == LK_HELD) {
            /* From here on the caller owns l: do not touch it again. */
            l->cb(l, NULL, l->ctx);
            continue;
        }
        l->cb(NULL, &l->err, l->ctx);
        pd_error_clear(&l->err);
        free(l);
    }
    locks->dispatching = false;
    if (pd_list_empty(&locks->ready))
        uv_idle_stop(&locks->dispatch);
    maybe_finish(locks);
}

static void make_ready(pd_locks *locks, pd_lock *l)
{
    pd_list_push_back(&locks->ready, &l->qnode);
    if (!uv_is_closing((uv_handle_t *)&locks->dispatch))
        uv_idle_start(&locks->dispatch, on_dispatch);
}

/* new or waiting -> held; the grant is delivered on a later turn. */
static void grant(pd_locks *locks, pd_lock *l)
{
    if (l->st == LK_WAITING) {
        pd_list_remove(&l->rnode);
        pd_list_remove(&l->qnode);
        l->owner->waiting = NULL;
        locks->ctr.waiting--;
    }
    l->st = LK_HELD;
    l->granted = uv_now(locks->loop);
    pd_list_push_back(&l->res->holders, &l->rnode);
    locks->ctr.held++;
    locks->ctr.acquired++;
    make_ready(locks, l);
}

/* new -> waiting, inserted before pos in the queue. */
static void enqueue(pd_locks *locks, pd_lock *l, pd_list *pos)
{
    l->st = LK_WAITING;
    pd_list_insert_before(pos, &l->rnode);
    pd_list_push_back(&locks->waiting, &l->qnode);
    l->owner->waiting = l;
    locks->ctr.waiting++;
    locks->ctr.waited++;
}

/* waiting -> failed with a copy of err (borrowed). The caller settles the
 * resource afterwards. */
static void fail(pd_locks *locks, pd_lock *l, const pd_error *err)
{
    pd_list_remove(&l->rnode);
    pd_list_remove(&l->qnode);
    pd_list_remove(&l->onode);
    l->owner->waiting = NULL;
    locks->ctr.waiting--;
    l->st = LK_FAILED;
    l->owner = NULL;
    l->res = NULL;
    pd_error_copy(&l->err, err);
    make_ready(locks, l);
}

/* Grants, in queue order, every waiter that may now proceed. */
static void wake(pd_locks *locks, resource *r)
{
    pd_list *n, *tmp;

    pd_list_each_safe(n, tmp, &r->waiters) {
        pd_lock *l = pd_list_entry(n, pd_lock, rnode);

        if (grantable(r, l->owner, l->mode, &l->rnode))
            grant(locks, l);
    }
}

/* After a holder or waiter left r: wakes waiters, frees r when unused. */
static void settle(pd_locks *locks, resource *r)
{
    wake(locks, r);
    if (pd_list_empty(&r->holders) && pd_list_empty(&r->waiters)) {
        pd_list_remove(&r->node);
        free(r->name);
        free(r);
    }
}

/* held -> gone. A grant not yet delivered becomes a cancel instead. The
 * caller settles the resource afterwards. */
static void drop(pd_locks *locks, pd_lock *l)
{
    pd_list_remove(&l->rnode);
    pd_list_remove(&l->onode);
    locks->ctr.held--;
    if (pd_list_empty(&l->qnode)) {
        free(l);
        return;
    }
    pd_error_set(&l->err, PD_ERR_CANCELED, "lock on resource %s canceled",
                 l->res->name);
    locks->ctr.canceled++;
    l->st = LK_FAILED;
    l->owner = NULL;
    l->res = NULL;
}

static void cancel_wait(pd_locks *locks, pd_lock *l, const char *why)
{
    pd_error err = PD_ERROR_INIT;
    resource *r = l->res;

    pd_error_set(&err, PD_ERR_CANCELED, "lock request on resource %s "
                 "canceled: %s", r->name, why);
    locks->ctr.canceled++;
    fail(locks, l, &err);
    pd_error_clear(&err);
    settle(locks, r);
}

static bool search(pd_locks *locks, pd_lock *w, const pd_locks_owner *target,
                   pd_lock **path, size_t *n);

/* One edge of the search: w's owner waits for b. */
static bool step(pd_locks *locks, pd_locks_owner *b,
                 const pd_locks_owner *target, pd_lock **path, size_t *n)
{
    if (b == target)
        return true;
    if (b->waiting == NULL || b->visit == locks->epoch)
        return false;
    b->visit = locks->epoch;
    return search(locks, b->waiting, target, path, n);
}

/* Depth-first search from waiting request w for a path back to target.
 * On success path[0..*n) holds the waiting requests of the cycle, each
 * waiting for the owner of the next (the last for target). Each owner is
 * visited once, so at most ctr.waiting entries are used. */
static bool search(pd_locks *locks, pd_lock *w, const pd_locks_owner *target,
                   pd_lock **path, size_t *n)
{
    resource *r = w->res;
    pd_list *m;

    path[(*n)++] = w;
    for (m = r->holders.next; m != &r->holders; m = m->next) {
        pd_lock *a = pd_list_entry(m, pd_lock, rnode);
        if (blocks(a, w->owner, w->mode) &&
            step(locks, a->owner, target, path, n))
            return true;
    }
    for (m = r->waiters.next; m != &w->rnode; m = m->next) {
        pd_lock *a = pd_list_entry(m, pd_lock, rnode);
        if (blocks(a, w->owner, w->mode) &&
            step(locks, a->owner, target, path, n))
            return true;
    }
    (*n)--;
    return false;
}

/* Fails the youngest request of the cycle path[0..n) as a deadlock. */
static void break_cycle(pd_locks *locks, pd_lock **path, size_t n)
{
    pd_error err = PD_ERROR_INIT;
    pd_strbuf sb = PD_STRBUF_INIT;
    pd_lock *victim = path[0];
    resource *r;
    size_t i;

    pd_strbuf_puts(&sb, "deadlock detected: ");
    for (i = 0; i < n; i++) {
        if (path[i]->seq > victim->seq)
            victim = path[i];
        pd_strbuf_printf(&sb, "%s%s waits for %s (%s:%s)", i > 0 ? "; " : "",
                         path[i]->owner->name, path[(i + 1) % n]->owner->name,
                         path[i]->res->name, pd_locks_mode_name(path[i]->mode));
    }
    r = victim->res;
    pd_error_set(&err, PD_ERR_CANCELED, "%s", pd_strbuf_cstr(&sb));
    memcpy(err.sqlstate, "40P01", sizeof(err.sqlstate));
    err.detail = pd_xasprintf("The youngest request in the cycle, by %s "
                              "for %s:%s, was chosen to fail.",
                              victim->owner->name, r->name,
                              pd_locks_mode_name(victim->mode));
    locks->ctr.deadlocks++;
    fail(locks, victim, &err);
    pd_error_clear(&err);
    pd_strbuf_free(&sb);
    settle(locks, r);
}

/* o has just started waiting: breaks every cycle through it. */
static void detect_deadlock(pd_locks *locks, pd_locks_owner *o)
{
    pd_lock **path = NULL;
    size_t n;

    while (o->waiting != NULL) {
        path = pd_xrealloc(path, (size_t)locks->ctr.waiting * sizeof(*path));
        n = 0;
        o->visit = ++locks->epoch;
        if (!search(locks, o->waiting, o, path, &n))
            break;
        break_cycle(locks, path, n);
    }
    free(path);
}

static void on_deadline(uv_timer_t *t);

/* Sets the timer for the earliest deadline among the waiters. */
static void arm_deadline(pd_locks *locks)
{
    uint64_t next = 0, now = uv_now(locks->loop);
    pd_list *n;

    for (n = locks->waiting.next; n != &locks->waiting; n = n->next) {
        pd_lock *l = pd_list_entry(n, pd_lock, qnode);
        if (l->deadline != 0 && (next == 0 || l->deadline < next))
            next = l->deadline;
    }
    if (next == 0 || locks->closing)
        uv_timer_stop(&locks->deadline);
    else
        uv_timer_start(&locks->deadline, on_deadline,
                       next > now ? next - now : 0, 0);
}

static pd_lock *first_expired(pd_locks *locks, uint64_t now)
{
    pd_list *n;

    for (n = locks->waiting.next; n != &locks->waiting; n = n->next) {
        pd_lock *l = pd_list_entry(n, pd_lock, qnode);
        if (l->deadline != 0 && l->deadline <= now)
            return l;
    }
    return NULL;
}

static void on_deadline(uv_timer_t *t)
{
    pd_locks *locks = t->data;
    uint64_t now = uv_now(locks->loop);
    pd_lock *l;

    /* One at a time: settling may grant (unlink) other waiters. */
    while ((l = first_expired(locks, now)) != NULL) {
        pd_error err = PD_ERROR_INIT;
        resource *r = l->res;

        pd_error_set(&err, PD_ERR_TIMEOUT,
                     "lock timeout on resource %s after %u ms", r->name,
                     l->timeout_ms);
        memcpy(err.sqlstate, "55P03", sizeof(err.sqlstate));
        locks->ctr.timeouts++;
        fail(locks, l, &err);
        pd_error_clear(&err);
        settle(locks, r);
    }
    arm_deadline(locks);
}

/* Queues a request; see locks.h. */
int pd_locks_acquire(pd_locks_owner *o, const char *resource_name,
                     pd_lock_mode mode, uint32_t timeout_ms, pd_lock_cb cb,
                     void *ctx)
{
    pd_locks *locks;
    resource *r;
    pd_lock *l;
    pd_list *pos, *n;

    if (o == NULL || resource_name == NULL || resource_name[0] == '\0' ||
        (unsigned)mode >= PD_LOCK_NMODES || cb == NULL)
        return PD_EINVAL;
    locks = o->locks;
    if (locks->closing || o->waiting != NULL)
        return PD_ESTATE;
    r = find_res(locks, resource_name, true);
    l = pd_xcalloc(1, sizeof(*l));
    pd_list_init(&l->rnode);
    pd_list_init(&l->qnode);
    l->locks = locks;
    l->res = r;
    l->owner = o;
    l->mode = mode;
    l->seq = ++locks->seq;
    l->requested = uv_now(locks->loop);
    l->timeout_ms = timeout_ms;
    l->cb = cb;
    l->ctx = ctx;
    pd_list_push_back(&o->locks_l, &l->onode);

    /* A holder's waiters wait for it anyway: it goes ahead of them. */
    pos = &r->waiters;
    if (owner_holds(r, o)) {
        for (n = r->waiters.next; n != &r->waiters; n = n->next) {
            if (!owner_holds(r, pd_list_entry(n, pd_lock, rnode)->owner)) {
                pos = n;
                break;
            }
        }
    }
    if (grantable(r, o, mode, pos)) {
        grant(locks, l);
        return 0;
    }
    if (timeout_ms > 0)
        l->deadline = l->requested + timeout_ms;
    enqueue(locks, l, pos);
    detect_deadlock(locks, o);
    arm_deadline(locks);
    return 0;
}

/* Releases a held lock; see locks.h. */
void pd_locks_release(pd_lock *lock)
{
    pd_locks *locks;
    resource *r;

    if (lock == NULL)
        return;
    locks = lock->locks;
    r = lock->res;
    drop(locks, lock);
    settle(locks, r);
    arm_deadline(locks);
}

const char *pd_locks_lock_resource(const pd_lock *lock)
{
    return lock->res->name;
}

pd_lock_mode pd_locks_lock_mode(const pd_lock *lock)
{
    return lock->mode;
}

/* Returns-owned owner; see locks.h. */
pd_locks_owner *pd_locks_owner_new(pd_locks *locks, const char *name)
{
    pd_locks_owner *o;

    if (locks->closing)
        return NULL;
    o = pd_xcalloc(1, sizeof(*o));
    o->locks = locks;
    o->name = pd_xstrdup(name != NULL ? name : "");
    pd_list_init(&o->locks_l);
    pd_list_push_back(&locks->owners, &o->node);
    return o;
}

/* Cancels o's wait; see locks.h. */
bool pd_locks_owner_cancel(pd_locks_owner *o)
{
    if (o == NULL || o->waiting == NULL)
        return false;
    cancel_wait(o->locks, o->waiting, "its owner gave up waiting");
    arm_deadline(o->locks);
    return true;
}

/* Releases, cancels and frees; see locks.h. */
void pd_locks_owner_free(pd_locks_owner *o)
{
    pd_locks *locks;
    pd_list *n;

    if (o == NULL)
        return;
    locks = o->locks;
    if (o->waiting != NULL)
        cancel_wait(locks, o->waiting, "its owner was freed");
    /* Settling grants only other owners' requests: o's list is stable. */
    while ((n = pd_list_pop_front(&o->locks_l)) != NULL) {
        pd_lock *l = pd_list_entry(n, pd_lock, onode);
        resource *r = l->res;

        drop(locks, l);
        settle(locks, r);
    }
    pd_list_remove(&o->node);
    free(o->name);
    free(o);
    arm_deadline(locks);
}

pd_locks_counters pd_locks_counters_get(const pd_locks *locks)
{
    return locks->ctr;
}

static pd_locks_entry *entries(const pd_list *head, size_t *count,
                               uint64_t now)
{
    pd_locks_entry *e = NULL;
    const pd_list *n;
    size_t i = 0;

    for (n = head->next; n != head; n = n->next)
        i++;
    *count = i;
    if (i == 0)
        return NULL;
    e = pd_xcalloc(i, sizeof(*e));
    for (i = 0, n = head->next; n != head; n = n->next, i++) {
        const pd_lock *l = pd_list_entry(n, pd_lock, rnode);

        e[i].owner = pd_xstrdup(l->owner->name);
        e[i].mode = l->mode;
        if (l->st == LK_HELD) {
            e[i].waited_ms = l->granted - l->requested;
            e[i].held_ms = now - l->granted;
        } else {
            e[i].waited_ms = now - l->requested;
        }
    }
    return e;
}

/* Returns-owned snapshot; see locks.h. */
pd_locks_snapshot *pd_locks_snapshot_get(const pd_locks *locks)
{
    pd_locks_snapshot *s = pd_xcalloc(1, sizeof(*s));
    const pd_list *n, *m;
    size_t i = 0;

    s->now_ms = uv_now(locks->loop);
    s->counters = locks->ctr;
    for (n = locks->resources.next; n != &locks->resources; n = n->next)
        i++;
    s->nresources = i;
    if (i == 0)
        return s;
    s->resources = pd_xcalloc(i, sizeof(*s->resources));
    for (i = 0, n = locks->resources.next; n != &locks->resources;
         n = n->next, i++) {
        const resource *r = pd_list_entry(n, resource, node);
        pd_locks_resource *sr = &s->resources[i];

        sr->name = pd_xstrdup(r->name);
        sr->holders = entries(&r->holders, &sr->nholders, s->now_ms);
        sr->waiters = entries(&r->waiters, &sr->nwaiters, s->now_ms);
        sr->held_mode = PD_LOCK_READ;
        for (m = r->holders.next; m != &r->holders; m = m->next) {
            pd_lock_mode hm = pd_list_entry(m, pd_lock, rnode)->mode;
            if (hm > sr->held_mode)
                sr->held_mode = hm;
        }
    }
    return s;
}

static void free_entries(pd_locks_entry *e, size_t count)
{
    size_t i;

    for (i = 0; i < count; i++)
        free(e[i].owner);
    free(e);
}

/* Frees a snapshot; accepts NULL. */
void pd_locks_snapshot_free(pd_locks_snapshot *snap)
{
    size_t i;

    if (snap == NULL)
        return;
    for (i = 0; i < snap->nresources; i++) {
        free(snap->resources[i].name);
        free_entries(snap->resources[i].holders, snap->resources[i].nholders);
        free_entries(snap->resources[i].waiters, snap->resources[i].nwaiters);
    }
    free(snap->resources);
    free(snap);
}

static void on_handle_closed(uv_handle_t *h)
{
    pd_locks *locks = h->data;

    if (--locks->handles_open == 0)
        free(locks);
}

/* Closes the handles once closing and every outcome is delivered. */
static void maybe_finish(pd_locks *locks)
{
    if (!locks->closing || locks->dispatching ||
        !pd_list_empty(&locks->ready) ||
        uv_is_closing((uv_handle_t *)&locks->dispatch))
        return;
    uv_close((uv_handle_t *)&locks->dispatch, on_handle_closed);
    uv_close((uv_handle_t *)&locks->deadline, on_handle_closed);
}

/* Starts closing; see locks.h. */
void pd_locks_free(pd_locks *locks)
{
    pd_list *n;

    if (locks == NULL || locks->closing)
        return;
    locks->closing = true;
    /* Waits first, so that no release below grants what is then canceled. */
    for (n = locks->owners.next; n != &locks->owners; n = n->next) {
        pd_locks_owner *o = pd_list_entry(n, pd_locks_owner, node);
        if (o->waiting != NULL)
            cancel_wait(locks, o->waiting, "the lock manager is closing");
    }
    while (!pd_list_empty(&locks->owners))
        pd_locks_owner_free(pd_list_entry(locks->owners.next,
                                          pd_locks_owner, node));
    uv_timer_stop(&locks->deadline);
    maybe_finish(locks);
}
