/* jobs_internal.h: the state of \bg jobs, shared by jobs.c (running a
 * job: its connection, its statement, canceling it, its end) and
 * jobs_cmd.c (the \bg and \jobs commands, announcements). Included by no
 * other file. */
#ifndef SH_JOBS_INTERNAL_H
#define SH_JOBS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "core/conn.h"
#include "core/error.h"
#include "core/pool.h"
#include "core/result.h"
#include "core/strbuf.h"
#include "shell/jobs.h"

typedef enum sh_job_state {
    SH_JOB_WAITING = 0, /* for a connection */
    SH_JOB_RUNNING,     /* its statement is on the server */
    SH_JOB_DONE,
    SH_JOB_FAILED,
    SH_JOB_CANCELED
} sh_job_state;

typedef struct sh_job {
    sh_jobs *owner;        /* the list it is in; NULL once out of it: it
                              then frees itself after its last callback */
    int id;                /* [N], never reused in a session */
    sh_job_state state;
    char *sql;             /* owned: the statement(s), as sent */
    uv_loop_t *loop;       /* borrowed: the core's */
    pd_pool *pool;         /* borrowed: where conn goes back; NULL: conn
                              is its own (after \c) and is closed */
    pd_conn *conn;         /* held while running, or NULL */
    bool acquiring;        /* waiting for its connection's callback */
    bool querying;         /* waiting for its statement's callback */
    int ncancels;          /* cancel requests not yet over: conn is given
                              back only after them, so none can reach the
                              connection's next statement */
    bool cancel_asked;     /* \jobs cancel asked the server to stop it */
    uv_timer_t *recancel;  /* owned: repeats the cancel request, or NULL */
    uint64_t t0_ns, t1_ns; /* started, ended (uv_hrtime) */
    pd_result *res;        /* owned: the results kept, or NULL */
    int64_t rows;          /* rows returned in all; -1: no row sets */
    char *tag;             /* owned: the last command tag, or NULL */
    size_t res_bytes;      /* what res holds, roughly */
    bool dropped;          /* the results were too big to keep */
    pd_error err;          /* FAILED: why */
    pd_strbuf notices;     /* NOTICE and WARNING text, as psql prints
                              them; capped */
    bool announced;        /* its end was printed */
    struct sh_job *next;
} sh_job;

struct sh_jobs {
    sh_session *s;         /* borrowed: the session the jobs belong to */
    sh_job *head;          /* owned, oldest first */
    int last_id;
    int nrunning;          /* jobs not ended */
    bool failed;           /* a job failed: -c and -f then exit 1 */
    size_t kept_bytes;     /* what every kept result holds */
    sh_jobs_ready_cb ready;
    void *ready_ctx;
};

/* jobs.c */
sh_jobs *sh_jobs_of(sh_session *s);
int sh_jobs_start(sh_session *s, char *sql, sh_job **out);
int sh_jobs_cancel(sh_job *j);
sh_job *sh_jobs_find(sh_jobs *jobs, int id);
void sh_jobs_trim(sh_jobs *jobs);

#endif
