/* demo_int.h: the demo module's internals, shared by its files and never
 * included outside core/.
 *
 *   demo.c          the operations (start, stop, status, destroy) as chains
 *                   of steps, the step engine, the object's life cycle;
 *   demo_state.c    the state dir, the state file, the lock, removal;
 *   demo_proc.c     the postgres user, the server binaries, the programs
 *                   run with uv_spawn, live and stale postmaster pids;
 *   demo_cluster.c  the cluster dir, the socket dir, the port, the
 *                   settings written before each start, the server log;
 *   demo_load.c     connecting to the server: the probe, the schema
 *                   load and the idempotent schema additions;
 *   demo_config.c   the demo config file (syncs, panels) and where the
 *                   shipped demo files (demo/) are;
 *   demo_sql.c      the schema and data;
 *   demo_workload.c the background workload of `pgdeck --demo` (public
 *                   in demo.h; it uses nothing of this header).
 *
 * One operation is one pd_demo. Its steps run one at a time, so the
 * functions marked "thread pool" may touch it freely while the loop
 * thread waits for them; every other function runs on the loop thread. */
#ifndef PD_DEMO_INT_H
#define PD_DEMO_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <uv.h>

#include "core/demo.h"
#include "core/error.h"
#include "core/pool.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

struct passwd;

/* The demo config, in the state dir. */
#define PD_DEMO_CONFIG_NAME "config.json"

/* Directories this module makes outside its state dir start with this. */
#define PD_DEMO_BASE_PREFIX "pgdeck-demo-"

enum pd_demo_op {
    PD_DEMO_OP_START,
    PD_DEMO_OP_STOP,
    PD_DEMO_OP_STATUS,
    PD_DEMO_OP_DESTROY
};

/* Why the server went away while we waited for it. */
enum pd_demo_why {
    PD_DEMO_WHY_OTHER,
    PD_DEMO_WHY_PORT,
    PD_DEMO_WHY_SHM,
    PD_DEMO_WHY_DISK
};

/* What pd_demo_remove takes away besides the cluster and the state file. */
enum pd_demo_rm {
    PD_DEMO_RM_DISCARD, /* nothing */
    PD_DEMO_RM_UNDO,    /* the lock and the state dirs this call made */
    PD_DEMO_RM_DESTROY  /* the lock and the state dir */
};

typedef struct pd_demo pd_demo;
typedef void (*pd_demo_step)(pd_demo *d);

/* The state file, one key=value a line. */
typedef struct pd_demo_statefile {
    bool exists;   /* the file was read */
    bool complete; /* schema and data are loaded */
    bool has_data; /* data/PG_VERSION is there */
    char *base;    /* cluster dir: data, run, server.log below it */
    char *data;    /* data directory */
    char *sock;    /* Unix socket directory */
    char *log;     /* server log */
    char *user;    /* database superuser */
    char *bindir;  /* the binaries that made the cluster */
    int port;      /* 0 until chosen */
} pd_demo_statefile;

struct pd_demo {
    uv_loop_t *loop;        /* borrowed */
    enum pd_demo_op op;
    pd_demo_cb cb;
    void *ctx;
    pd_demo_progress_cb progress;
    void *progress_ctx;
    uint64_t timeout_ms;    /* bound on the waits */
    uint64_t deadline;      /* uv_now() limit of the current wait */

    char *state_dir;        /* NULL: derive in prep */
    char *bindir_opt;       /* explicit binaries, or NULL */
    const char *bindir_src; /* where bindir_opt came from */
    char *pgconfig_dir;     /* pg_config --bindir, or NULL */
    char *bindir;           /* binaries in use, or NULL */
    int port_opt;           /* explicit port, or 0 */
    const char *port_src;   /* where port_opt came from */

    bool as_root;           /* run the server as postgres */
    uv_uid_t uid;           /* owner of the cluster files */
    uv_gid_t gid;
    char *run_home;         /* that user's home, or NULL */
    char *user;             /* database superuser name */
    char **env;             /* children's environment, owned */

    pd_demo_statefile st;
    char *state_file;
    char *lock_file;
    char *config_path;      /* <state dir>/config.json */
    char *config_file;      /* the same once it exists, else NULL */
    int lock_fd;            /* -1 when not held */
    bool lock_busy;         /* another operation holds it */
    char **made;            /* state dirs this call created, outermost
                               first, for removal after a failure */
    int nmade;

    bool created;           /* this call made the cluster */
    bool started;           /* this call started the server */
    bool stopped;           /* this call stopped the server */
    long pid;               /* live postmaster, or 0 */
    bool new_port;          /* pick another port at the next start */
    int port_tries;         /* starts retried for a busy port */
    int shm_tries;          /* starts retried for a lingering old server */
    uint64_t started_at;    /* uv_now() of pg_ctl start */
    uint64_t last_check;    /* uv_now() of the last liveness check */
    enum pd_demo_why why;   /* from the server log */
    char *why_text;         /* the log line saying it, or NULL */

    pd_demo_step next;      /* what follows the thing in progress */
    pd_demo_step load_next; /* what follows pd_demo_load */
    void (*work_fn)(pd_demo *d);
    uv_work_t work;
    uv_timer_t timer;

    uv_process_t proc;      /* the child of a program run */
    uv_pipe_t pipe;         /* its captured output */
    char rbuf[4096];
    pd_strbuf out;          /* captured output */
    int pending;            /* child handles not closed yet */
    bool exited;
    bool pipe_closing;
    bool timed_out;
    int spawn_err;          /* uv_spawn's error, or 0 */
    int64_t exit_status;
    int term_signal;

    pd_pool *pool;          /* for the schema load, or NULL */
    char *pool_db;          /* its database */
    bool probe_ok;
    pd_error perr;          /* probe or query failure */

    char *conninfo;         /* for info */
    pd_error err;           /* the operation's failure */
};

/* ---------- demo.c: helpers and the step engine ---------- */

/* A progress note for the user, when they asked for them. */
void pd_demo_progress(pd_demo *d, const char *fmt, ...) PD_PRINTF(2, 3);
/* Replaces *field (owned) with a copy of value (borrowed, may be NULL). */
void pd_demo_set_str(char **field, const char *value);
/* A system call on path failed with errnum: d->err in one line, disk
 * full said as such. */
void pd_demo_sys_error(pd_demo *d, const char *what, const char *path,
                       int errnum);
/* d->err: the disk filled up while doing something. */
void pd_demo_disk_full(pd_demo *d, const char *doing);
bool pd_demo_is_dir(const char *path);
/* Runs next after ms milliseconds, on a later loop turn even for 0. */
void pd_demo_later(pd_demo *d, uint64_t ms, pd_demo_step next);
/* Runs fn on the thread pool, then next on the loop. */
void pd_demo_offload(pd_demo *d, void (*fn)(pd_demo *d), pd_demo_step next);

/* ---------- demo_state.c ---------- */

/* Sets the state dir (path borrowed) and the files in it. */
void pd_demo_set_state_dir(pd_demo *d, const char *path);
void pd_demo_state_clear(pd_demo_statefile *st);
/* Thread pool: reads the state file into d->st. */
void pd_demo_read_state(pd_demo *d);
/* Thread pool: writes d->st to the state file (mode 0600), atomically. */
void pd_demo_write_state(pd_demo *d);
/* Thread pool: removes path when it is a cluster dir this module made. */
void pd_demo_remove_tree(const pd_demo *d, const char *path);
/* Thread pool: removes the cluster, the state file and what how says. */
void pd_demo_remove(pd_demo *d, enum pd_demo_rm how);
/* Thread pool: who the cluster belongs to, where the state is; with the
 * lock taken for the operations that change things, the state read. */
void pd_demo_prep(pd_demo *d);

/* ---------- demo_proc.c ---------- */

/* getpwnam_r/getpwuid_r (name NULL: by uid) into pw and buf. Returns pw
 * or NULL. */
struct passwd *pd_demo_user_lookup(const char *name, uid_t uid,
                                   struct passwd *pw, char *buf,
                                   size_t len);
/* Thread pool: sets d->user, uid, gid, run_home and env; false with
 * d->err set when there is no one to run the server as. */
bool pd_demo_find_user(pd_demo *d);
/* Thread pool: sets d->bindir to the server binaries, or NULL. */
void pd_demo_find_bindir(pd_demo *d);
/* d->err: no server binaries where we looked. */
void pd_demo_bindir_error(pd_demo *d);
/* Thread pool: sets d->pid to the live postmaster of the data dir, or 0;
 * when remove_stale, the lock files of a dead one are removed. */
void pd_demo_check_pid(pd_demo *d, bool remove_stale);

/* Each runs one program, then next with the outcome in d: check it with
 * pd_demo_run_failed. */
void pd_demo_pg_config(pd_demo *d, pd_demo_step next);
void pd_demo_initdb(pd_demo *d, pd_demo_step next);
void pd_demo_pg_ctl_start(pd_demo *d, pd_demo_step next);
void pd_demo_pg_ctl_stop(pd_demo *d, const char *mode, pd_demo_step next);
/* True when the last program run failed, with d->err naming prog and
 * what it was doing. */
bool pd_demo_run_failed(pd_demo *d, const char *prog, const char *doing);
/* After pd_demo_pg_config: the directory it printed (returns-owned), or
 * NULL. */
char *pd_demo_pg_config_dir(const pd_demo *d);

/* ---------- demo_cluster.c (all thread pool) ---------- */

/* Makes the cluster dir and records it in the state file. */
void pd_demo_create_cluster(pd_demo *d);
/* Makes postgresql.conf include the file pd_demo_prepare_start writes. */
void pd_demo_include_conf(pd_demo *d);
/* Before pg_ctl start: a stale pid file removed, the socket dir there, a
 * free port chosen, pgdeck.conf and the state written. */
void pd_demo_prepare_start(pd_demo *d);
/* Why did the server stop while starting? Sets d->why and d->why_text. */
void pd_demo_read_log(pd_demo *d);

/* ---------- demo_load.c ---------- */

/* Returns-owned conninfo for dbname on the recorded socket and port. */
char *pd_demo_conninfo(const pd_demo *d, const char *dbname);
/* One connect attempt to database postgres; then next with probe_ok (and
 * perr on failure). */
void pd_demo_probe(pd_demo *d, pd_demo_step next);
/* Makes the demo database, loads the schema and data and records that;
 * then next, with d->err set on failure. */
void pd_demo_load(pd_demo *d, pd_demo_step next);
/* Runs pd_demo_upgrade_sql (cheap when there is nothing to add); then
 * next, with d->err set on failure. */
void pd_demo_upgrade(pd_demo *d, pd_demo_step next);

/* ---------- demo_config.c (thread pool) ---------- */

/* Writes the demo config to d->config_path (mode 0600, atomically) and
 * sets d->config_file; d->err set on failure. */
void pd_demo_write_config(pd_demo *d);

#endif
