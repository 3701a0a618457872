/* sync.c: refresh-all (see sync.h).
 *
 * A refresh goes: take the "refresh-all" lock; read and parse every load
 * file on the thread pool and check every table against the catalog (bad
 * input ends the refresh here, before anything is written); then start
 * the jobs whose dependencies are done, up to max_concurrency at a time.
 * A job takes its resource locks (sorted by name, so two jobs cannot take
 * them in opposite orders), runs its command if it has one, then its
 * statements or batched upserts inside pd_txn_run, which retries the
 * whole transaction on 40001/40P01. Reading and checking the input is in
 * sync_check.c; the structs and what the files share are in sync_int.h. */
#include "core/sync.h"
#include "core/sync_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/query.h"
#include "core/strbuf.h"
#include "core/sync_cmd.h"
#include "core/sync_load.h"
#include "core/txn.h"
#include "core/xalloc.h"

#define LOCK_TIMEOUT_MS 60000

void pd_sync_schedule(pd_sync *s);
static void job_done(job *j, const pd_error *err);

const char *pd_sync_state_name(pd_sync_state st)
{
    static const char *const names[] = {"idle", "queued", "running",
                                        "retrying", "ok", "failed",
                                        "skipped"};

    return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

static char **dup_list(const char *const *v, int n, bool nul_end)
{
    char **out = pd_xcalloc((size_t)n + 1, sizeof(char *));
    int i;

    for (i = 0; i < n; i++)
        out[i] = pd_xstrdup(v[i]);
    (void)nul_end; /* always NULL-terminated: argv needs it, others ignore */
    return out;
}

static void free_list(char **v, int n)
{
    int i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int argv_len(const char *const *argv)
{
    int n = 0;

    while (argv != NULL && argv[n] != NULL)
        n++;
    return n;
}

static void job_reset_run(job *j)
{
    pd_sync_load_free(j->data);
    j->data = NULL;
    free(j->error);
    j->error = NULL;
    free(j->cols);
    j->cols = NULL;
    free(j->full_sql);
    free(j->last_sql);
    j->full_sql = j->last_sql = NULL;
    j->attempts = 0;
    j->rows = 0;
    j->ms = 0;
    pd_error_clear(&j->werr);
}

static void free_job(job *j)
{
    int i;

    job_reset_run(j);
    free(j->name);
    free(j->file);
    free(j->path);
    free(j->table);
    free(j->source);
    free_list(j->sql, j->nsql);
    free_list(j->argv, argv_len((const char *const *)j->argv));
    free_list(j->key, j->nkey);
    for (i = 0; i < j->nlocks; i++)
        free(j->locks[i].resource);
    free(j->locks);
    free(j->deps);
}

void pd_sync_free(pd_sync *s)
{
    int i;

    if (s == NULL)
        return;
    for (i = 0; i < s->n; i++)
        free_job(&s->jobs[i]);
    free(s->jobs);
    free(s->base_dir);
    free(s->tables_sql_param);
    pd_strbuf_free(&s->bad);
    free(s);
}

static int cmp_lock(const void *a, const void *b)
{
    return strcmp(((const lockreq *)a)->resource,
                  ((const lockreq *)b)->resource);
}

/* Copies spec into j; validates what needs no other job. */
static int copy_spec(pd_sync *s, job *j, const pd_sync_spec *sp, pd_error *err)
{
    int i;

    if (sp->name == NULL || sp->name[0] == '\0') {
        pd_error_set(err, PD_ERR_USAGE, "sync job %d has no name", j->index + 1);
        return PD_EINVAL;
    }
    j->name = pd_xstrdup(sp->name);
    j->source = pd_xasprintf("sync:%s", sp->name);
    j->kind = sp->kind;
    if ((sp->kind == PD_SYNC_SQL && sp->nsql < 1) ||
        (sp->kind == PD_SYNC_LOAD && sp->file == NULL) ||
        (sp->kind == PD_SYNC_COMMAND && argv_len(sp->argv) == 0) ||
        (sp->kind != PD_SYNC_SQL && (sp->table == NULL || sp->nkey < 1))) {
        pd_error_set(err, PD_ERR_USAGE,
                     "sync job \"%s\": a %s job needs %s", sp->name,
                     sp->kind == PD_SYNC_SQL ? "sql" :
                     sp->kind == PD_SYNC_LOAD ? "load" : "command",
                     sp->kind == PD_SYNC_SQL ? "at least one statement" :
                     sp->kind == PD_SYNC_LOAD ? "a file, a table and a key"
                                              : "a command, a table and a key");
        return PD_EINVAL;
    }
    j->sql = dup_list(sp->sql, sp->nsql, false);
    j->nsql = sp->nsql;
    j->argv = dup_list(sp->argv, argv_len(sp->argv), true);
    j->key = dup_list(sp->key, sp->nkey, false);
    j->nkey = sp->nkey;
    j->table = sp->table ? pd_xstrdup(sp->table) : NULL;
    if (sp->file != NULL) {
        j->file = pd_xstrdup(sp->file);
        j->path = sp->file[0] == '/' ? pd_xstrdup(sp->file)
                                     : pd_xasprintf("%s/%s", s->base_dir,
                                                    sp->file);
    }
    j->timeout_ms = sp->timeout_ms;
    j->retry = sp->retry;
    j->locks = pd_xcalloc((size_t)sp->nlocks + 1, sizeof(lockreq));
    for (i = 0; i < sp->nlocks; i++) {
        const char *colon = strrchr(sp->locks[i], ':');
        if (colon == NULL || colon == sp->locks[i] ||
            pd_locks_mode_parse(colon + 1, &j->locks[i].mode) != 0) {
            pd_error_set(err, PD_ERR_USAGE,
                         "sync job \"%s\": lock \"%s\" is not "
                         "resource:read|write|exclusive", sp->name,
                         sp->locks[i]);
            return PD_EINVAL;
        }
        j->locks[i].resource = pd_xstrndup(sp->locks[i],
                                           (size_t)(colon - sp->locks[i]));
        j->nlocks++;
    }
    qsort(j->locks, (size_t)j->nlocks, sizeof(lockreq), cmp_lock);
    return 0;
}

static int find_job(const pd_sync *s, const char *name)
{
    int i;

    for (i = 0; i < s->n; i++)
        if (s->jobs[i].name != NULL && strcmp(s->jobs[i].name, name) == 0)
            return i;
    return -1;
}

/* Depth-first search for a cycle through i; 0 unvisited, 1 on the path,
 * 2 done. */
static bool has_cycle(const pd_sync *s, int i, int *mark)
{
    int d;

    if (mark[i] == 1)
        return true;
    if (mark[i] == 2)
        return false;
    mark[i] = 1;
    for (d = 0; d < s->jobs[i].ndeps; d++)
        if (has_cycle(s, s->jobs[i].deps[d], mark))
            return true;
    mark[i] = 2;
    return false;
}

static int link_deps(pd_sync *s, const pd_sync_spec *specs, pd_error *err)
{
    int i, d, *mark;

    for (i = 0; i < s->n; i++) {
        job *j = &s->jobs[i];
        if (find_job(s, j->name) != i) {
            pd_error_set(err, PD_ERR_USAGE, "sync job \"%s\" is defined twice",
                         j->name);
            return PD_EINVAL;
        }
        j->deps = pd_xcalloc((size_t)specs[i].ndeps + 1, sizeof(int));
        for (d = 0; d < specs[i].ndeps; d++) {
            int k = find_job(s, specs[i].depends_on[d]);
            if (k < 0) {
                pd_error_set(err, PD_ERR_USAGE,
                             "sync job \"%s\" depends on \"%s\", which does "
                             "not exist", j->name, specs[i].depends_on[d]);
                return PD_EINVAL;
            }
            j->deps[j->ndeps++] = k;
        }
    }
    mark = pd_xcalloc((size_t)s->n + 1, sizeof(int));
    for (i = 0; i < s->n; i++) {
        if (has_cycle(s, i, mark)) {
            pd_error_set(err, PD_ERR_USAGE,
                         "sync jobs: \"%s\" is part of a dependency cycle",
                         s->jobs[i].name);
            free(mark);
            return PD_EINVAL;
        }
    }
    free(mark);
    return 0;
}

/* Returns-owned set of jobs; see sync.h. */
pd_sync *pd_sync_new(uv_loop_t *loop, pd_pool *pool, pd_locks *locks,
                     pd_retry_stats *stats, const pd_sync_spec *specs, int n,
                     const char *base_dir, int max_concurrency, pd_error *err)
{
    pd_sync *s = pd_xcalloc(1, sizeof(*s));
    int i;

    s->loop = loop;
    s->pool = pool;
    s->locks = locks;
    s->stats = stats;
    s->base_dir = pd_xstrdup(base_dir != NULL ? base_dir : ".");
    s->max_active = max_concurrency > 0 ? max_concurrency
                                        : pd_pool_stats_get(pool).max;
    s->jobs = pd_xcalloc((size_t)n + 1, sizeof(job));
    s->n = n;
    for (i = 0; i < n; i++) {
        s->jobs[i].s = s;
        s->jobs[i].index = i;
        if (copy_spec(s, &s->jobs[i], &specs[i], err) != 0)
            goto fail;
    }
    if (link_deps(s, specs, err) != 0)
        goto fail;
    return s;

fail:
    pd_sync_free(s);
    return NULL;
}

bool pd_sync_running(const pd_sync *s)
{
    return s->running;
}

int pd_sync_count(const pd_sync *s)
{
    return s->n;
}

pd_sync_status pd_sync_status_get(const pd_sync *s, int i)
{
    const job *j = &s->jobs[i];
    pd_sync_status st;

    st.name = j->name;
    st.state = j->state;
    st.attempts = j->attempts;
    st.rows = j->rows;
    st.ms = (j->state == PD_SYNC_RUNNING || j->state == PD_SYNC_RETRYING)
                ? uv_now(s->loop) - j->t0
                : j->ms;
    st.error = j->error;
    return st;
}

void pd_sync_set_state(job *j, pd_sync_state st)
{
    j->state = st;
    if (j->s->on_event != NULL)
        j->s->on_event(j->s, j->index, j->s->ctx);
}

/* ---- the end of a refresh ---- */

void pd_sync_finish(pd_sync *s, const pd_error *err)
{
    bool ok = err == NULL;
    int i;

    for (i = 0; i < s->n && ok; i++)
        ok = s->jobs[i].state == PD_SYNC_OK;
    pd_locks_owner_free(s->all_owner); /* releases "refresh-all" */
    s->all_owner = NULL;
    s->running = false;
    s->on_done(s, ok, err, s->ctx);
}

/* ---- running one job ---- */

static void step(job *j);

/* Ends the try: COMMIT (which rolls back a failed transaction and reports
 * its first error), or ROLLBACK. Either can refuse only when the
 * transaction is already ending, which then reports by itself. */
static void end_txn(job *j, bool commit)
{
    int rc = commit ? pd_txn_commit(j->txn, NULL, NULL)
                    : pd_txn_rollback(j->txn, NULL, NULL);

    if (rc != 0)
        pd_txn_abort(j->txn);
}

static void job_done(job *j, const pd_error *err)
{
    pd_sync *s = j->s;

    pd_locks_owner_free(j->owner); /* releases its locks */
    j->owner = NULL;
    j->txn = NULL;
    j->ms = uv_now(s->loop) - j->t0;
    if (err != NULL)
        j->error = pd_xstrdup(err->message != NULL ? err->message : "failed");
    s->active--;
    pd_sync_set_state(j, err != NULL ? PD_SYNC_FAILED : PD_SYNC_OK);
    pd_sync_schedule(s);
}

static void on_stmt(pd_result *res, const pd_error *err, void *ctx)
{
    job *j = ctx;

    if (res != NULL) {
        int64_t n = pd_result_rows_affected(res);
        if (n > 0)
            j->rows_try += n;
        pd_result_free(res);
    }
    if (err != NULL) {
        /* The transaction is marked failed: commit rolls back and hands
         * the first error to on_txn_done (and to the retry rules). */
        end_txn(j, true);
        return;
    }
    step(j);
}

/* The upsert for k rows: the statement for a full batch is built once,
 * the last (shorter) one when needed. */
static const char *batch_sql(job *j, size_t k, size_t full)
{
    if (k == full) {
        if (j->full_sql == NULL)
            j->full_sql = pd_sync_load_sql(j->data, j->table,
                                           (const char *const *)j->key,
                                           j->nkey, k);
        return j->full_sql;
    }
    if (j->last_sql == NULL || j->last_n != k) {
        free(j->last_sql);
        j->last_sql = pd_sync_load_sql(j->data, j->table,
                                       (const char *const *)j->key, j->nkey,
                                       k);
        j->last_n = k;
    }
    return j->last_sql;
}

/* Sends the job's next statement in its transaction, or commits. */
static void step(job *j)
{
    int rc;

    if (j->kind == PD_SYNC_SQL) {
        if (j->stmt >= j->nsql) {
            end_txn(j, true);
            return;
        }
        rc = pd_txn_query(j->txn, j->sql[j->stmt++], 0, NULL, on_stmt, j);
    } else {
        size_t full = pd_sync_load_batch_rows(j->data);
        size_t left = j->data->nrows - j->off, k = left < full ? left : full;
        const char *const *params;

        if (left == 0) {
            end_txn(j, true);
            return;
        }
        params = (const char *const *)j->data->values +
                 j->off * (size_t)j->data->ncols;
        rc = pd_txn_query(j->txn, batch_sql(j, k, full),
                          (int)(k * (size_t)j->data->ncols), params, on_stmt,
                          j);
        j->off += k;
    }
    if (rc != 0)
        end_txn(j, false);
}

/* One try of the job's transaction (pd_txn_body). */
static void body(pd_txn *txn, void *ctx)
{
    job *j = ctx;

    j->txn = txn;
    if (pd_txn_attempt(txn) > 0)
        pd_sync_set_state(j, PD_SYNC_RETRYING);
    j->rows_try = 0;
    j->stmt = 0;
    j->off = 0;
    step(j);
}

static void on_txn_done(const pd_error *err, unsigned attempts, void *ctx)
{
    job *j = ctx;

    j->attempts = attempts;
    if (err == NULL)
        j->rows = j->rows_try;
    job_done(j, err);
}

static void run_txn(job *j)
{
    pd_txn_opts o;
    pd_error err = PD_ERROR_INIT;

    pd_txn_opts_init(&o);
    if (j->retry.attempts > 0)
        o.retry = j->retry;
    o.timeout_ms = j->timeout_ms;
    o.source = j->source;
    if (pd_txn_run(j->s->pool, &o, body, on_txn_done, j,
                   j->s->stats) != 0) {
        pd_error_set(&err, PD_ERR_USAGE, "cannot start the transaction");
        job_done(j, &err);
        pd_error_clear(&err);
    }
}

static void on_cmd(const pd_sync_cmd_result *res, const pd_error *err,
                   void *ctx)
{
    job *j = ctx;
    pd_error e = PD_ERROR_INIT;
    char *origin;

    if (err != NULL) {
        pd_error_set(&e, err->kind, "job %s: %s", j->name, err->message);
        job_done(j, &e);
        pd_error_clear(&e);
        return;
    }
    origin = pd_xasprintf("job %s: output of %s", j->name, j->argv[0]);
    if (pd_sync_load_parse(res->out, res->out_len, origin,
                           (const char *const *)j->key, j->nkey, &j->data,
                           &e) != 0 ||
        pd_sync_check_columns(j, j->data, j->cols != NULL ? j->cols : "",
                              &e) != 0) {
        free(origin);
        job_done(j, &e);
        pd_error_clear(&e);
        return;
    }
    free(origin);
    run_txn(j);
}

static void take_next_lock(job *j);

static void on_lock(pd_lock *lock, const pd_error *err, void *ctx)
{
    job *j = ctx;

    (void)lock; /* released with the owner */
    if (err != NULL) {
        pd_error e = PD_ERROR_INIT;
        pd_error_set(&e, err->kind, "job %s: %s", j->name, err->message);
        job_done(j, &e);
        pd_error_clear(&e);
        return;
    }
    j->next_lock++;
    take_next_lock(j);
}

static void take_next_lock(job *j)
{
    pd_error err = PD_ERROR_INIT;

    if (j->next_lock < j->nlocks) {
        lockreq *l = &j->locks[j->next_lock];
        if (pd_locks_acquire(j->owner, l->resource, l->mode, LOCK_TIMEOUT_MS,
                             on_lock, j) == 0)
            return;
        pd_error_set(&err, PD_ERR_USAGE, "job %s: cannot lock %s", j->name,
                     l->resource);
        job_done(j, &err);
        pd_error_clear(&err);
        return;
    }
    if (j->kind == PD_SYNC_COMMAND) {
        if (pd_sync_cmd_run(j->s->loop, (const char *const *)j->argv,
                            j->s->base_dir, j->timeout_ms, 0, on_cmd,
                            j) != 0) {
            pd_error_set(&err, PD_ERR_USAGE, "job %s: bad command", j->name);
            job_done(j, &err);
            pd_error_clear(&err);
        }
        return;
    }
    run_txn(j);
}

static void start_job(job *j)
{
    j->s->active++;
    j->t0 = uv_now(j->s->loop);
    j->owner = pd_locks_owner_new(j->s->locks, j->source);
    j->next_lock = 0;
    pd_sync_set_state(j, PD_SYNC_RUNNING);
    take_next_lock(j);
}

/* Starts what may start; skips what cannot run; ends the refresh when
 * nothing is left. */
void pd_sync_schedule(pd_sync *s)
{
    bool changed = true, left = false;
    int i, d;

    while (changed) {
        changed = false;
        for (i = 0; i < s->n; i++) {
            job *j = &s->jobs[i];
            bool ready = true;
            if (j->state != PD_SYNC_QUEUED)
                continue;
            for (d = 0; d < j->ndeps; d++) {
                pd_sync_state ds = s->jobs[j->deps[d]].state;
                if (ds == PD_SYNC_FAILED || ds == PD_SYNC_SKIPPED) {
                    j->error = pd_xasprintf("not run: the job it depends on, "
                                            "\"%s\", did not succeed",
                                            s->jobs[j->deps[d]].name);
                    pd_sync_set_state(j, PD_SYNC_SKIPPED);
                    changed = true;
                    ready = false;
                    break;
                }
                if (ds != PD_SYNC_OK)
                    ready = false;
            }
            if (ready && s->active < s->max_active) {
                start_job(j);
                changed = true;
            }
        }
    }
    for (i = 0; i < s->n; i++)
        if (s->jobs[i].state == PD_SYNC_QUEUED ||
            s->jobs[i].state == PD_SYNC_RUNNING ||
            s->jobs[i].state == PD_SYNC_RETRYING)
            left = true;
    if (!left && s->running)
        pd_sync_finish(s, NULL);
}

/* Starts refresh-all; see sync.h. */
int pd_sync_run_all(pd_sync *s, pd_sync_event_cb on_event,
                    pd_sync_done_cb on_done, void *ctx, pd_error *err)
{
    int i;

    if (s->running || on_done == NULL) {
        pd_error_set(err, PD_ERR_USAGE, "a refresh-all is already running");
        return PD_ESTATE;
    }
    s->all_owner = pd_locks_owner_new(s->locks, "refresh-all");
    if (s->all_owner == NULL ||
        pd_locks_acquire(s->all_owner, "refresh-all", PD_LOCK_EXCLUSIVE, 0,
                         pd_sync_all_locked, s) != 0) {
        pd_locks_owner_free(s->all_owner);
        s->all_owner = NULL;
        pd_error_set(err, PD_ERR_USAGE, "cannot take the refresh-all lock");
        return PD_ESTATE;
    }
    s->running = true;
    s->on_event = on_event;
    s->on_done = on_done;
    s->ctx = ctx;
    s->active = 0;
    pd_strbuf_reset(&s->bad);
    for (i = 0; i < s->n; i++) {
        job_reset_run(&s->jobs[i]);
        pd_sync_set_state(&s->jobs[i], PD_SYNC_QUEUED);
    }
    return 0;
}
