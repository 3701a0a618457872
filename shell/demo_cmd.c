/* demo_cmd.c: the demo database from the command line. */
#include "shell/demo_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "core/demo.h"
#include "core/xalloc.h"

typedef int (*demo_op)(uv_loop_t *loop, const pd_demo_opts *opts,
                       pd_demo_cb cb, void *ctx);

/* One operation's outcome, copied out of the callback. */
typedef struct outcome {
    bool done;         /* the callback ran */
    pd_demo_info info; /* strings below are owned copies */
    char *conninfo;
    char *data_dir;
    char *config_file;
    pd_error err;
} outcome;

static void on_progress(const char *msg, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "pgdeck: %s...\n", msg);
}

static void on_done(const pd_demo_info *info, const pd_error *err, void *ctx)
{
    outcome *o = ctx;

    o->done = true;
    o->info = *info;
    o->conninfo = info->conninfo ? pd_xstrdup(info->conninfo) : NULL;
    o->data_dir = info->data_dir ? pd_xstrdup(info->data_dir) : NULL;
    o->config_file = info->config_file ? pd_xstrdup(info->config_file)
                                       : NULL;
    o->info.conninfo = o->conninfo;
    o->info.data_dir = o->data_dir;
    o->info.config_file = o->config_file;
    o->info.socket_dir = o->info.state_dir = o->info.log_file = NULL;
    if (err != NULL)
        pd_error_copy(&o->err, err);
}

/* Runs op to completion on a loop of its own. */
static void run_op(demo_op op, outcome *o)
{
    uv_loop_t *loop = pd_xmalloc(sizeof(*loop));
    pd_demo_opts opts;
    int rc;

    memset(o, 0, sizeof(*o));
    memset(&opts, 0, sizeof(opts));
    if (isatty(STDERR_FILENO))
        opts.progress = on_progress;
    rc = uv_loop_init(loop);
    if (rc != 0) {
        pd_error_set(&o->err, PD_ERR_USAGE, "cannot start an event loop: %s",
                     uv_strerror(rc));
        free(loop);
        return;
    }
    if (op(loop, &opts, on_done, o) != 0) {
        pd_error_set(&o->err, PD_ERR_USAGE, "cannot run the demo command");
    } else {
        uv_run(loop, UV_RUN_DEFAULT);
        if (!o->done)
            pd_error_set(&o->err, PD_ERR_USAGE, "the demo command stopped "
                         "before it finished");
    }
    /* Handles left open (none expected) keep the loop: leak it then,
     * rather than free memory libuv still points at. */
    if (uv_loop_close(loop) == 0)
        free(loop);
}

static void outcome_free(outcome *o)
{
    free(o->conninfo);
    free(o->data_dir);
    free(o->config_file);
    pd_error_clear(&o->err);
}

static void usage(FILE *f)
{
    fputs("usage: pgdeck demo [start|stop|status|destroy]\n"
          "  start    create the demo database if needed and start it\n"
          "  stop     stop its server\n"
          "  status   say whether it runs (exit 0) or not (exit 1)\n"
          "  destroy  stop it and remove it for good\n", f);
}

/* The second line of start and status: where `pgdeck --demo` takes its
 * settings from. */
static void report_config(const outcome *o)
{
    if (o->config_file != NULL)
        printf("demo config: %s\n", o->config_file);
}

/* Prints the outcome of a successful action; returns the exit status. */
static int report(const char *action, const outcome *o)
{
    const pd_demo_info *i = &o->info;
    const char *ci = o->conninfo != NULL ? o->conninfo : "";

    if (strcmp(action, "start") == 0) {
        printf("demo database %s: %s\n",
               i->created ? "created and running" :
               i->started ? "running" : "already running", ci);
        report_config(o);
        return 0;
    }
    if (strcmp(action, "stop") == 0) {
        puts(i->stopped ? "demo database stopped" :
             i->state == PD_DEMO_ABSENT ? "demo database not created" :
             "demo database not running");
        return 0;
    }
    if (strcmp(action, "destroy") == 0) {
        puts("demo database removed");
        return 0;
    }
    if (i->state == PD_DEMO_RUNNING) {
        printf("demo database running (pid %ld): %s\n", i->pid, ci);
        report_config(o);
        return 0;
    }
    if (i->state == PD_DEMO_STOPPED) {
        printf("demo database stopped (data in %s)\n",
               o->data_dir != NULL ? o->data_dir : "?");
        report_config(o);
    } else
        puts("demo database not created (run: pgdeck demo start)");
    return 1;
}

/* Runs `pgdeck demo ACTION`; argv[0] is "demo". Returns the exit status:
 * 0 success, 1 failure (status: 1 when not running). */
int sh_demo_main(int argc, char **argv)
{
    const char *action = argc > 1 ? argv[1] : "start";
    demo_op op;
    outcome o;
    int status;

    if (strcmp(action, "-h") == 0 || strcmp(action, "--help") == 0) {
        usage(stdout);
        return 0;
    }
    if (argc > 2) {
        usage(stderr);
        return 1;
    }
    if (strcmp(action, "start") == 0) {
        op = pd_demo_start;
    } else if (strcmp(action, "stop") == 0) {
        op = pd_demo_stop;
    } else if (strcmp(action, "status") == 0) {
        op = pd_demo_status;
    } else if (strcmp(action, "destroy") == 0) {
        op = pd_demo_destroy;
    } else {
        fprintf(stderr, "pgdeck: error: unknown demo action \"%s\" (start, "
                        "stop, status, destroy)\n", action);
        usage(stderr);
        return 1;
    }
    run_op(op, &o);
    if (pd_error_isset(&o.err)) {
        fflush(stdout);
        fprintf(stderr, "pgdeck: %s\n", o.err.message);
        status = 1;
    } else {
        status = report(action, &o);
    }
    outcome_free(&o);
    return status;
}

/* Starts the demo database if needed. Returns 0 with *conninfo_out and
 * *config_out returns-owned (the config NULL when none was written), or
 * -1 with err filled (and both NULL). */
int sh_demo_ensure(char **conninfo_out, char **config_out, pd_error *err)
{
    outcome o;

    *conninfo_out = NULL;
    *config_out = NULL;
    run_op(pd_demo_start, &o);
    if (pd_error_isset(&o.err)) {
        pd_error_copy(err, &o.err);
        outcome_free(&o);
        return -1;
    }
    if (o.conninfo == NULL) {
        pd_error_set(err, PD_ERR_USAGE, "the demo database has no address");
        outcome_free(&o);
        return -1;
    }
    *conninfo_out = o.conninfo;
    o.conninfo = NULL;
    *config_out = o.config_file;
    o.config_file = NULL;
    outcome_free(&o);
    return 0;
}
