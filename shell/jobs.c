/* jobs.c: running \bg jobs (see jobs.h): each gets a connection of its
 * own, runs its statement there, can be canceled on the server, and tells
 * the front end when it is over; jobs_cmd.c prints what became of it.
 *
 * A job runs on a connection it holds (rather than through
 * pd_query_fetch) so that \jobs cancel can reach its backend; it gives
 * the connection back only once its statement and every cancel request
 * are over, so no request can hit the next user of that connection. */
#include "shell/jobs_internal.h"
#include "shell/session_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/cancel.h"
#include "core/query.h"
#include "core/xalloc.h"

#define NOTICES_MAX (64u << 10) /* notice text kept per job */
#define KEEP_BYTES (8u << 20)   /* one kept result, at most */
#define KEEP_TOTAL (32u << 20)  /* every kept result together */
#define RECANCEL_MS 250         /* a cancel request is repeated this often */

/* The session's jobs, made on first use. Borrowed (the session owns it). */
sh_jobs *sh_jobs_of(sh_session *s)
{
    if (s->jobs == NULL) {
        s->jobs = pd_xcalloc(1, sizeof(*s->jobs));
        s->jobs->s = s;
    }
    return s->jobs;
}

static bool ended(const sh_job *j)
{
    return j->state != SH_JOB_WAITING && j->state != SH_JOB_RUNNING;
}

static void job_free(sh_job *j)
{
    free(j->sql);
    pd_result_free(j->res);
    free(j->tag);
    pd_error_clear(&j->err);
    pd_strbuf_free(&j->notices);
    free(j);
}

/* Frees j once it is out of the list and no callback can come. */
static void maybe_free(sh_job *j)
{
    if (j->owner == NULL && !j->acquiring && !j->querying &&
        j->ncancels == 0 && j->conn == NULL)
        job_free(j);
}

static void free_handle(uv_handle_t *h)
{
    free(h);
}

static void stop_recancel(sh_job *j)
{
    if (j->recancel == NULL)
        return;
    uv_close((uv_handle_t *)j->recancel, free_handle);
    j->recancel = NULL;
}

/* Gives the connection back once neither the statement nor a cancel
 * request can still use it: to the pool, or closed when it is its own. */
static void give_back(sh_job *j)
{
    if (j->conn == NULL || j->querying || j->ncancels > 0)
        return;
    pd_conn_set_notice_cb(j->conn, NULL, NULL);
    if (j->pool != NULL)
        pd_pool_release(j->pool, j->conn);
    else
        pd_conn_close(j->conn);
    j->conn = NULL;
}

/* Notices are printed with the job's outcome, not when they come: the
 * prompt or another statement's output has the terminal then. */
static void on_notice(pd_conn *c, const PGresult *res, void *ctx)
{
    sh_job *j = ctx;
    const char *msg = PQresultErrorMessage(res);

    (void)c;
    if (j->notices.len + strlen(msg) <= NOTICES_MAX)
        pd_strbuf_puts(&j->notices, msg);
}

/* Roughly the bytes of r's values. */
static size_t result_bytes(const pd_result *r)
{
    size_t bytes = 0, i, nrows = pd_result_nrows(r);
    int c, ncols = pd_result_ncols(r);

    for (i = 0; i < nrows; i++)
        for (c = 0; c < ncols; c++)
            bytes += pd_result_value_len(r, i, c) + 1;
    return bytes;
}

/* Counts res's rows and keeps it (takes it) when it is small enough:
 * SH_JOBS_KEEP_ROWS rows and KEEP_BYTES at most. */
static void keep(sh_job *j, pd_result *res)
{
    const pd_result *r;
    size_t bytes = 0;

    for (r = res; r != NULL; r = pd_result_next(r)) {
        const char *tag = pd_result_tag(r);

        if (pd_result_has_rows(r))
            j->rows = (j->rows < 0 ? 0 : j->rows) +
                      (int64_t)pd_result_nrows(r);
        if (tag[0] != '\0') {
            free(j->tag);
            j->tag = pd_xstrdup(tag);
        }
    }
    for (r = res; r != NULL && j->rows <= SH_JOBS_KEEP_ROWS;
         r = pd_result_next(r))
        bytes += result_bytes(r);
    if (res != NULL && (j->rows > SH_JOBS_KEEP_ROWS || bytes > KEEP_BYTES)) {
        pd_result_free(res);
        j->dropped = true;
        return;
    }
    j->res = res;
    j->res_bytes = bytes;
    if (j->owner != NULL)
        j->owner->kept_bytes += bytes;
}

/* The statement is over (or never ran): records how, gives the
 * connection back when it can, and tells the front end. */
static void finish(sh_job *j, pd_result *res, const pd_error *err)
{
    sh_jobs *jobs = j->owner;

    j->t1_ns = uv_hrtime();
    stop_recancel(j);
    if (err == NULL) {
        j->state = SH_JOB_DONE;
    } else if (j->cancel_asked && (err->kind == PD_ERR_CANCELED ||
                                   strcmp(err->sqlstate, "57014") == 0)) {
        j->state = SH_JOB_CANCELED;
    } else {
        j->state = SH_JOB_FAILED;
        pd_error_copy(&j->err, err);
    }
    keep(j, res);
    give_back(j);
    if (jobs == NULL) { /* the session is gone: no one to tell */
        maybe_free(j);
        return;
    }
    jobs->nrunning--;
    if (j->state == SH_JOB_FAILED)
        jobs->failed = true;
    /* Last: the front end may announce, and trim the list, at once. */
    if (jobs->ready != NULL)
        jobs->ready(jobs->ready_ctx);
}

static void on_done(pd_result *res, const pd_error *err, void *ctx)
{
    sh_job *j = ctx;

    j->querying = false;
    finish(j, res, err);
}

/* The job's connection: its statement goes out, unless the job was
 * canceled (or its session ended) while it waited. */
static void on_conn(pd_conn *conn, const pd_error *err, void *ctx)
{
    sh_job *j = ctx;
    pd_query_opts opts = {.flags = PD_QUERY_SIMPLE,
                          .timeout_ms = PD_QUERY_NO_TIMEOUT,
                          .source = "shell"};
    pd_error lost = PD_ERROR_INIT;

    j->acquiring = false;
    if (err == NULL)
        j->conn = conn;
    else if (j->pool == NULL && conn != NULL)
        pd_conn_close(conn); /* a failed connection of its own */
    if (j->state != SH_JOB_WAITING || j->owner == NULL) {
        give_back(j);
        maybe_free(j);
        return;
    }
    if (err != NULL) {
        finish(j, NULL, err);
        return;
    }
    pd_conn_set_notice_cb(conn, on_notice, j);
    j->state = SH_JOB_RUNNING;
    j->querying = true;
    /* As the session's own statements: no command timeout. */
    if (pd_query_run(conn, j->sql, 0, NULL, &opts, on_done, j) == 0)
        return;
    j->querying = false;
    pd_error_set(&lost, PD_ERR_CONNECTION,
                 "the connection to the server was lost");
    finish(j, NULL, &lost);
    pd_error_clear(&lost);
}

/* Starts sql (takes it) in the background for session s. Returns 0 with
 * *out the job (borrowed: the session's list owns it), and its end comes
 * later through the ready callback; or PD_ESTATE (no connection can be
 * asked for now) with sql freed. */
int sh_jobs_start(sh_session *s, char *sql, sh_job **out)
{
    sh_jobs *jobs = sh_jobs_of(s);
    sh_job *j = pd_xcalloc(1, sizeof(*j)), **tail;

    j->sql = sql;
    j->rows = -1;
    j->t0_ns = uv_hrtime();
    j->loop = pd_core_loop(s->core);
    /* After \c the session's database is not the pool's: the job gets a
     * connection of its own there, as the session's statements would. */
    j->pool = s->own_ci == NULL ? pd_core_pool(s->core) : NULL;
    j->acquiring = true;
    if (sh_exec_get_conn(s, on_conn, j) != 0) {
        job_free(j);
        return PD_ESTATE;
    }
    j->owner = jobs;
    j->id = ++jobs->last_id;
    for (tail = &jobs->head; *tail != NULL; tail = &(*tail)->next)
        ;
    *tail = j;
    jobs->nrunning++;
    *out = j;
    return 0;
}

static void on_cancel_over(bool sent, const pd_error *err, void *ctx)
{
    sh_job *j = ctx;

    (void)sent;
    (void)err;
    j->ncancels--;
    if (!j->querying) {
        give_back(j);
        maybe_free(j);
    }
}

/* One request at a time: against a server that does not answer, each
 * PQcancel holds a thread-pool thread until its connect times out, and
 * those threads also serve DNS and file work. */
static void send_cancel(sh_job *j)
{
    if (j->conn != NULL && j->querying && j->ncancels == 0 &&
        pd_cancel_request(j->loop, j->conn, on_cancel_over, j) == 0)
        j->ncancels++;
}

static void on_recancel(uv_timer_t *t)
{
    send_cancel(t->data);
}

/* Cancels job j. A job still waiting for its connection ends now, as
 * canceled: returns 0. A running one: the server is asked to cancel its statement, and
 * asked again every RECANCEL_MS until it ends (a request that reaches the
 * backend before the statement does nothing); its end comes through the
 * ready callback as usual: returns 1. PD_ESTATE when it is over. */
int sh_jobs_cancel(sh_job *j)
{
    if (j->state == SH_JOB_WAITING) {
        j->state = SH_JOB_CANCELED;
        j->t1_ns = uv_hrtime();
        j->owner->nrunning--;
        /* Withdrawn from the pool's queue, it never gets a connection; its
         * callback still comes and finds it canceled. A connection of its
         * own being opened (after \c) cannot be stopped: it is closed as
         * soon as it is there. */
        if (j->pool != NULL)
            (void)pd_pool_cancel(j->pool, on_conn, j);
        return 0;
    }
    if (j->state != SH_JOB_RUNNING)
        return PD_ESTATE;
    if (j->cancel_asked)
        return 1;
    j->cancel_asked = true;
    send_cancel(j);
    j->recancel = pd_xmalloc(sizeof(*j->recancel));
    uv_timer_init(j->loop, j->recancel);
    j->recancel->data = j;
    uv_timer_start(j->recancel, on_recancel, RECANCEL_MS, RECANCEL_MS);
    return 1;
}

/* Job number id of the list, or NULL. Borrowed. */
sh_job *sh_jobs_find(sh_jobs *jobs, int id)
{
    sh_job *j;

    for (j = jobs != NULL ? jobs->head : NULL; j != NULL; j = j->next)
        if (j->id == id)
            return j;
    return NULL;
}

/* Takes j out of the list; it frees itself when nothing is pending. */
static void unlink_job(sh_jobs *jobs, sh_job *j)
{
    sh_job **pp;

    for (pp = &jobs->head; *pp != NULL; pp = &(*pp)->next)
        if (*pp == j) {
            *pp = j->next;
            break;
        }
    if (j->res != NULL)
        jobs->kept_bytes -= j->res_bytes;
    j->owner = NULL;
    j->next = NULL;
    maybe_free(j);
}

/* Keeps the list short: kept results go, oldest first, while they hold
 * more than KEEP_TOTAL together; announced jobs leave, oldest first,
 * beyond the last SH_JOBS_KEEP_DONE that ended. */
void sh_jobs_trim(sh_jobs *jobs)
{
    sh_job *j, *next;
    int over = -SH_JOBS_KEEP_DONE;

    for (j = jobs->head; j != NULL; j = j->next) {
        over += ended(j) && j->announced;
        if (jobs->kept_bytes > KEEP_TOTAL && j->res != NULL &&
            j->announced) {
            jobs->kept_bytes -= j->res_bytes;
            pd_result_free(j->res);
            j->res = NULL;
            j->dropped = true;
        }
    }
    for (j = jobs->head; j != NULL && over > 0; j = next) {
        next = j->next;
        if (ended(j) && j->announced) {
            unlink_job(jobs, j);
            over--;
        }
    }
}

/* ---- what the front ends use (jobs.h) ---- */

/* cb (with ctx) is called each time a job of s ends; NULL: no one is
 * told (the announcements wait for sh_jobs_announce). */
void sh_jobs_set_ready_cb(sh_session *s, sh_jobs_ready_cb cb, void *ctx)
{
    sh_jobs *jobs = sh_jobs_of(s);

    jobs->ready = cb;
    jobs->ready_ctx = ctx;
}

/* How many jobs of s have not ended. */
int sh_jobs_running(const sh_session *s)
{
    return s->jobs != NULL ? s->jobs->nrunning : 0;
}

/* True once a job of s has failed (-c and -f then exit 1). */
bool sh_jobs_any_failed(const sh_session *s)
{
    return s->jobs != NULL && s->jobs->failed;
}

/* Cancels every job of s that has not ended (the shell is leaving);
 * those that were waiting end at once, unannounced. */
void sh_jobs_cancel_all(sh_session *s)
{
    sh_job *j;

    for (j = s->jobs != NULL ? s->jobs->head : NULL; j != NULL; j = j->next)
        if (!ended(j) && sh_jobs_cancel(j) == 0)
            j->announced = true;
}

/* Frees the list (sh_session_free does). A job still running stays
 * alive, out of the list, until its callbacks have come: its result is
 * then dropped and its connection given back. Accepts NULL. */
void sh_jobs_free(sh_jobs *jobs)
{
    if (jobs == NULL)
        return;
    while (jobs->head != NULL)
        unlink_job(jobs, jobs->head);
    free(jobs);
}
