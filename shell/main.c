/* main.c: the process entry point.
 *
 * psql-compatible arguments become config overrides; then one of the modes
 * runs on one core: -c/-f (run and exit), `shell` (the readline shell), the
 * dashboard (the default on a terminal), `demo`. The only file outside tui/
 * that includes tui/ (STYLE.md, section 4). */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/core.h"
#include "core/demo.h"
#include "core/sqlsplit.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "shell/args.h"
#include "shell/bench_cmd.h"
#include "shell/demo_cmd.h"
#include "shell/cmdpipe.h"
#include "shell/commands.h"
#include "shell/copyio.h"
#include "shell/exec.h"
#include "shell/health_cmd.h"
#include "shell/jobs.h"
#include "shell/palette.h"
#include "shell/refresh_cmd.h"
#include "shell/repl.h"
#include "shell/usage.h"
#include "shell/vars.h"
#include "tui/tui.h"

/* One -c or -f, in command-line order. */
typedef struct action {
    char *name;      /* owned file name for -f, NULL for -c */
    char **units;    /* owned units */
    int *lines;      /* line each unit ends on (for error prefixes) */
    pd_strbuf *data; /* owned: each unit's COPY FROM STDIN data (the
                        lines after it); .buf NULL when it reads none */
    int nunits;
} action;

typedef struct batch {
    pd_core *core;      /* borrowed */
    sh_session *s;      /* borrowed */
    action *acts;       /* owned */
    int nacts;
    int ai, ui;         /* next action, next unit in it */
    int status;         /* exit status so far */
    int last;           /* the status of the last unit run */
    int txn;            /* TXN_*: -1's BEGIN and COMMIT */
    bool in_step;       /* step() is on the stack */
    bool completed;     /* the unit just started has finished */
    bool waiting;       /* the units are over; \bg jobs still run */
} batch;

/* -1 (psql's --single-transaction) around the -c and -f units. */
enum {
    TXN_NONE,  /* no -1, or nothing more to send */
    TXN_BEGIN, /* BEGIN before the first unit */
    TXN_OPEN,  /* units running; COMMIT (or ROLLBACK) after the last */
};

static void add_unit(action *a, const char *text, int line)
{
    a->units = pd_xrealloc(a->units, (size_t)(a->nunits + 1) * sizeof(char *));
    a->lines = pd_xrealloc(a->lines, (size_t)(a->nunits + 1) * sizeof(int));
    a->data = pd_xrealloc(a->data,
                          (size_t)(a->nunits + 1) * sizeof(pd_strbuf));
    a->units[a->nunits] = pd_xstrdup(text);
    a->lines[a->nunits] = line;
    memset(&a->data[a->nunits], 0, sizeof(pd_strbuf));
    a->nunits++;
}

/* Takes the units the splitter has (all that is left at eof) into a; a
 * COPY ... FROM STDIN unit takes the lines after it as its data (psql
 * reads them from the same file). *in_copy: the last unit's data goes
 * on in the text fed next. */
static void take_units(action *a, pd_sqlsplit *sp, bool eof, bool *in_copy)
{
    char *u;
    int first, last;

    for (;;) {
        if (*in_copy) {
            const char *d;
            size_t n;
            int done = pd_sqlsplit_copy_data(sp, eof, &d, &n);
            pd_strbuf *db = &a->data[a->nunits - 1];
            pd_strbuf_append(db, d, n); /* buf set even when n is 0 */
            if (!done)
                return;
            /* psql's errors name the data's last line (its "\\."). */
            a->lines[a->nunits - 1] = pd_sqlsplit_line(sp) - 1;
            *in_copy = false;
        }
        u = pd_sqlsplit_next(sp, &first, &last);
        if (u == NULL && eof)
            u = pd_sqlsplit_finish(sp, &first, &last);
        if (u == NULL)
            return;
        add_unit(a, u, last);
        if (sh_copyio_reads_input(u)) {
            pd_sqlsplit_copy_begin(sp);
            *in_copy = true;
        }
        free(u);
    }
}

/* Reads FILE ("-" is stdin) into units before the loop starts, so a missing
 * file is reported before anything runs, as psql does. */
static void add_file(batch *b, const char *path)
{
    action *a;
    pd_sqlsplit *sp;
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    char buf[65536];
    size_t n;
    bool in_copy = false;

    if (f == NULL) {
        fprintf(stderr, "pgdeck: error: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    b->acts = pd_xrealloc(b->acts, (size_t)(b->nacts + 1) * sizeof(action));
    a = &b->acts[b->nacts++];
    memset(a, 0, sizeof(*a));
    a->name = pd_xstrdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
    sp = pd_sqlsplit_new();
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
        pd_sqlsplit_feed(sp, buf, n);
        take_units(a, sp, false, &in_copy);
    }
    if (ferror(f)) {
        fprintf(stderr, "pgdeck: error: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    take_units(a, sp, true, &in_copy);
    pd_sqlsplit_free(sp);
    if (f != stdin)
        fclose(f);
}

static void add_command(batch *b, const char *cmd)
{
    action *a;

    b->acts = pd_xrealloc(b->acts, (size_t)(b->nacts + 1) * sizeof(action));
    a = &b->acts[b->nacts++];
    memset(a, 0, sizeof(*a));
    add_unit(a, cmd, 0);
}

static void free_batch(batch *b)
{
    int i, j;

    for (i = 0; i < b->nacts; i++) {
        for (j = 0; j < b->acts[i].nunits; j++) {
            free(b->acts[i].units[j]);
            pd_strbuf_free(&b->acts[i].data[j]);
        }
        free(b->acts[i].units);
        free(b->acts[i].data);
        free(b->acts[i].lines);
        free(b->acts[i].name);
    }
    free(b->acts);
}

static void step(batch *b);

/* The units are over: \bg jobs still running are waited for, each
 * announced as it ends, then the loop stops. A failed job makes the exit
 * status 1, as a failed unit does. */
static void batch_end(batch *b)
{
    sh_jobs_announce(b->s);
    b->waiting = sh_jobs_running(b->s) > 0;
    if (b->waiting)
        return;
    if (sh_jobs_any_failed(b->s) && b->status == 0)
        b->status = 1;
    pd_core_stop(b->core);
}

/* A \bg job ended: announced now when only jobs are left, else before
 * the next unit (never in the middle of a unit's output). */
static void on_job_ready(void *ctx)
{
    batch *b = ctx;

    if (b->waiting)
        batch_end(b);
}

/* -1's BEGIN or its end failed (it was said why): psql's exit status.
 * lost (no connection could be had, or it broke) is 2, as psql's failed
 * first connection; else ON_ERROR_STOP makes it 3 (psql's EXIT_USER),
 * and pgdeck's rule makes any failure at least 1, where psql leaves its
 * status as it was. */
static void txn_failed(batch *b, bool lost)
{
    if (lost)
        b->status = 2;
    else if (sh_vars_get_bool(sh_session_vars(b->s), "ON_ERROR_STOP"))
        b->status = 3;
    else if (b->status == 0)
        b->status = 1;
}

/* After -1's BEGIN or its end: what comes next. A stop skips the units
 * and the end, as psql's "goto error" does. */
static void txn_after(batch *b, bool failed, bool lost)
{
    if (failed)
        txn_failed(b, lost);
    if (b->status == 2 || b->status == 3)
        b->ai = b->nacts;
    b->txn = b->txn == TXN_BEGIN && b->ai < b->nacts ? TXN_OPEN : TXN_NONE;
}

static void on_txn_done(pd_result *res, const pd_error *err, void *ctx)
{
    batch *b = ctx;

    pd_result_free(res);
    if (err != NULL)
        sh_session_print_error(b->s, err);
    /* No server version: the session holds no connection (BEGIN is what
     * connects it). */
    txn_after(b, err != NULL,
              err != NULL && (err->kind == PD_ERR_CONNECTION ||
                              sh_session_server_version(b->s) == NULL));
    step(b);
}

/* Sends -1's BEGIN, or once the units are over its end: ROLLBACK when
 * the last unit failed under ON_ERROR_STOP (the units stopped there),
 * else COMMIT, which the server makes a rollback after a failed
 * statement, as in psql. Quiet, as psql's PSQLexec: no tag, no timing, no
 * variables set; an error without a file prefix. Returns true when sent
 * (on_txn_done steps on); false when not (said why, state moved on). */
static bool txn_send(batch *b)
{
    const char *sql = "BEGIN";

    if (b->txn == TXN_OPEN)
        sql = b->last != 0 && sh_vars_get_bool(sh_session_vars(b->s),
                                               "ON_ERROR_STOP")
                  ? "ROLLBACK"
                  : "COMMIT";
    sh_session_set_err_prefix(b->s, NULL);
    if (sh_session_query(b->s, sql, 0, NULL, on_txn_done, b) == 0)
        return true;
    sh_session_errorf(b->s, "You are currently not connected to a "
                      "database.");
    txn_after(b, true, false);
    return false;
}

static void on_unit_done(int status, void *ctx)
{
    batch *b = ctx;

    b->last = status;
    if (status == 2 || status == 3) /* server unreachable, or a failure
                                       under ON_ERROR_STOP: stop, as psql */
        b->status = status;
    else if (status != 0 && b->status == 0)
        b->status = 1;
    if (status == 2 || status == 3 || sh_session_quit_requested(b->s))
        b->ai = b->nacts; /* nothing more to run */
    b->completed = true;
    if (!b->in_step)
        step(b);
}

/* Starts units one after another. Units that finish synchronously (most
 * backslash commands) are chained in this loop rather than by recursion. */
static void step(batch *b)
{
    if (b->txn == TXN_BEGIN && txn_send(b))
        return;
    b->in_step = true;
    do {
        action *a;
        char prefix[4096];

        b->completed = false;
        while (b->ai < b->nacts && b->ui >= b->acts[b->ai].nunits) {
            b->ai++;
            b->ui = 0;
        }
        if (b->ai >= b->nacts) {
            /* status 2: the connection is gone; nothing to end */
            if (b->txn == TXN_OPEN && b->status != 2 && txn_send(b))
                break;
            batch_end(b);
            break;
        }
        sh_jobs_announce(b->s);
        a = &b->acts[b->ai];
        if (a->name != NULL) {
            snprintf(prefix, sizeof(prefix), "pgdeck:%s:%d: ", a->name,
                     a->lines[b->ui]);
            sh_session_set_err_prefix(b->s, prefix);
        } else {
            sh_session_set_err_prefix(b->s, NULL);
        }
        sh_session_set_copy_data(b->s, a->data[b->ui].buf,
                                 a->data[b->ui].len);
        if (sh_exec_unit(b->s, a->units[b->ui++], on_unit_done, b) != 0) {
            b->status = b->last = 1;
            b->completed = true;
        }
    } while (b->completed);
    b->in_step = false;
}

/* The settings, layer by layer: the config file, the environment, then the
 * command line (options in their order, then DBNAME and USERNAME). Returns
 * 0, or PD_E* with err saying which file position, variable or option is
 * wrong. Nothing connects before this has succeeded. */
static int apply_config(pd_config *cfg, const sh_args *a, pd_error *err)
{
    int i, rc;

    if ((rc = pd_config_load(cfg, a->config_path, err)) != 0 ||
        (rc = pd_config_apply_env(cfg, err)) != 0)
        return rc;
    for (i = 0; i < a->nover; i++)
        if ((rc = pd_config_set(cfg, a->over[i].key, a->over[i].value,
                                a->over[i].flag, err)) != 0)
            return rc;
    if (a->npositional > 0 &&
        (rc = pd_config_set(cfg, "database.url", a->positional[0], "DBNAME",
                            err)) != 0)
        return rc;
    if (a->npositional > 1)
        pd_config_set_str(&cfg->user, a->positional[1]);
    return pd_config_check(cfg, err);
}

/* The batch from the command line. psql's -l lists the databases in place
 * of any -c and -f (psql exits before it would run them); -f files are
 * read whole before anything runs. -1 wraps the units, and is ignored
 * without them, as psql ignores it. */
static void build_batch(batch *b, const sh_args *a)
{
    int i;

    if (a->list) {
        add_command(b, "\\l");
        return;
    }
    for (i = 0; i < a->nacts; i++) {
        if (a->acts[i].file)
            add_file(b, a->acts[i].text);
        else
            add_command(b, a->acts[i].text);
    }
    if (a->single_txn && b->nacts > 0)
        b->txn = TXN_BEGIN;
}

/* -o: results go to the file opened while parsing (the session takes
 * it), or to COMMAND's standard input as with \o |COMMAND, started here
 * where the loop is. Returns 0, or 1 after saying why. */
static int setup_output(sh_session *s, pd_core *core, sh_args *a)
{
    sh_cmdpipe *pipe;
    int uverr = 0;

    if (a->out_file != NULL) {
        sh_session_set_out(s, a->out_file);
        a->out_file = NULL;
        return 0;
    }
    if (a->out_cmd == NULL)
        return 0;
    /* No \setenv has run yet: the process's environment. */
    pipe = sh_cmdpipe_open_write(pd_core_loop(core), a->out_cmd, NULL,
                                 &uverr);
    if (pipe == NULL) {
        fprintf(stderr, "pgdeck: error: %s: %s\n", a->out_cmd,
                uv_strerror(uverr));
        return 1;
    }
    (void)sh_session_replace_out(s, NULL, pipe, NULL, NULL);
    return 0;
}

/* The session as the command line asks: -v variables, the print options
 * (po's strings taken), -P, -o. Returns 0, or the exit status after
 * saying what is wrong. */
static int setup_session(sh_session *s, pd_core *core, sh_args *a,
                         sh_print_opts *po)
{
    sh_print_opts *so = sh_session_print_opts(s);

    for (int i = 0; i < a->nvars; i++) {
        char *name = pd_xstrndup(a->vars[i], strcspn(a->vars[i], "="));
        int vr = sh_vars_set(sh_session_vars(s), name,
                             a->vars[i] + strlen(name) + 1);
        if (vr != 0)
            fprintf(stderr, "pgdeck: error: -v %s: %s\n", a->vars[i],
                    vr == -1 ? "invalid variable name"
                             : "not a boolean value");
        free(name);
        if (vr != 0)
            return 2;
    }
    sh_print_opts_free(so);
    *so = *po; /* the session takes the strings */
    sh_print_opts_init(po);
    for (int i = 0; i < a->npsets; i++) {
        if (sh_commands_pset_arg(s, a->psets[i]) != 0) {
            fprintf(stderr, "pgdeck: error: could not set printing "
                    "parameter \"%.*s\"\n",
                    (int)strcspn(a->psets[i], "="), a->psets[i]);
            return 1;
        }
    }
    return setup_output(s, core, a);
}

static int run_batch(pd_core *core, sh_session *s, batch *b)
{
    b->core = core;
    b->s = s;
    sh_jobs_set_ready_cb(s, on_job_ready, b);
    step(b);
    if (b->ai < b->nacts || b->in_step || b->waiting || b->txn != TXN_NONE)
        pd_core_run(core);
    return b->status;
}

/* The shell's colours (shell/palette.h): the config's theme, or the
 * built-in when it cannot be loaded, which a person at the prompt
 * (warn) is told. */
static void setup_palette(const pd_config *cfg, bool warn)
{
    pd_error err = PD_ERROR_INIT;

    sh_palette_setup(cfg->no_color);
    if (cfg->theme != NULL && sh_palette_use_theme(cfg->theme, &err) != 0 &&
        warn)
        fprintf(stderr, "pgdeck: warning: %s; using the built-in theme\n",
                err.message);
    pd_error_clear(&err);
}

int main(int argc, char **argv)
{
    pd_config cfg;
    pd_error err = PD_ERROR_INIT;
    sh_args a;
    batch b;
    sh_print_opts po;
    pd_core *core = NULL;
    sh_session *s = NULL;
    pd_demo_workload *workload = NULL;
    int status = 0;

    if (argc > 1 && strcmp(argv[1], "bench") == 0)
        return sh_bench_main(argc - 1, argv + 1);
    if (argc > 2 && strcmp(argv[1], "--demo") == 0 &&
        strcmp(argv[2], "bench") == 0) {
        /* "pgdeck --demo bench ...": bench parses its own options. */
        argv[2] = argv[1];
        argv[1] = (char *)"bench";
        return sh_bench_main(argc - 1, argv + 1);
    }

    setlocale(LC_ALL, "");
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    sh_print_opts_init(&po);
    pd_config_init(&cfg);
    if (argc > 1 && strcmp(argv[1], "demo") == 0)
        return sh_demo_main(argc - 1, argv + 1);
    if (argc > 1 && (strcmp(argv[1], "shell") == 0 ||
                     strcmp(argv[1], "health") == 0 ||
                     strcmp(argv[1], "refresh") == 0)) {
        /* A subcommand takes the usual options (--json among them). */
        a.mode = argv[1][0] == 's'   ? SH_ARGS_SHELL
                 : argv[1][0] == 'h' ? SH_ARGS_HEALTH
                                     : SH_ARGS_REFRESH;
        argv[1] = argv[0];
        argc--;
        argv++;
    }
    sh_args_parse(argc, argv, &a, &cfg, &po);
    build_batch(&b, &a);
    if (a.mode == SH_ARGS_DEFAULT && a.npositional > 0) {
        /* "pgdeck --demo shell": a subcommand after options. A database
         * of that name is still reachable with -d or a conninfo. */
        const char *w = a.positional[0];
        int m = strcmp(w, "shell") == 0     ? SH_ARGS_SHELL
                : strcmp(w, "health") == 0  ? SH_ARGS_HEALTH
                : strcmp(w, "refresh") == 0 ? SH_ARGS_REFRESH
                                            : SH_ARGS_DEFAULT;
        if (m != SH_ARGS_DEFAULT) {
            a.mode = m;
            a.positional[0] = a.positional[1];
            a.npositional--;
        }
    }
    if (apply_config(&cfg, &a, &err) != 0) {
        fprintf(stderr, "pgdeck: error: %s\n", err.message);
        status = 2;
        goto out;
    }
    if (a.demo) {
        char *dsn = NULL, *demo_cfg = NULL;
        if (sh_demo_ensure(&dsn, &demo_cfg, &err) != 0) {
            fprintf(stderr, "pgdeck: error: %s\n", err.message);
            status = 1;
            goto out;
        }
        /* The demo's syncs, panels and slow log threshold, in place of
         * the default config file; a --config of the user's stays. The
         * layers are applied again on top of it, in the usual order. */
        if (a.config_path == NULL && demo_cfg != NULL) {
            sh_args da = a;
            da.config_path = demo_cfg;
            pd_config_free(&cfg);
            pd_config_init(&cfg);
            if (apply_config(&cfg, &da, &err) != 0) {
                fprintf(stderr, "pgdeck: error: %s\n", err.message);
                status = 2;
            }
        }
        if (status == 0 &&
            pd_config_set(&cfg, "database.url", dsn, "--demo", &err) != 0)
            status = 1; /* cannot happen: a string setting */
        free(dsn);
        free(demo_cfg);
        if (status != 0)
            goto out;
    }
    if (a.print_config) {
        pd_config_print(&cfg, stdout);
        goto out;
    }
    /* psql -l connects to "postgres" unless a database is named (not
     * PGDATABASE's, nor the user's): the one that always exists. */
    if (a.list && cfg.dsn == NULL && cfg.dbname == NULL)
        pd_config_set_str(&cfg.dbname, "postgres");

    core = pd_core_new(&cfg, &err);
    if (core == NULL) {
        fprintf(stderr, "pgdeck: error: %s\n", err.message);
        status = a.mode == SH_ARGS_HEALTH ? 1 : 2; /* health: 2 is degraded */
        goto out;
    }
    if (a.mode == SH_ARGS_HEALTH || a.mode == SH_ARGS_REFRESH) {
        char w0[] = "refresh", w1[] = "--json";
        char *wargv[] = {w0, w1, NULL};
        int wargc = po.format == SH_FMT_JSON ? 2 : 1;
        if (a.mode == SH_ARGS_HEALTH) {
            pd_core_start(core);
            status = sh_health_main(wargc, wargv, core);
        } else {
            /* w0 is only argv[0]: either word will do */
            status = sh_refresh_main(wargc, wargv, core);
        }
        goto out;
    }
    if (b.nacts == 0 && pd_core_serve_metrics(core, &err) != 0) {
        fprintf(stderr, "pgdeck: error: --metrics-listen: %s\n", err.message);
        status = 2;
        goto out;
    }
    s = sh_session_new(core, stdout, stderr);
    if ((status = setup_session(s, core, &a, &po)) != 0)
        goto out;
    if (a.demo && b.nacts == 0) /* the demo moves by itself */
        workload = pd_demo_workload_start(core, NULL);
    if (b.nacts > 0 || a.mode == SH_ARGS_SHELL || !isatty(STDIN_FILENO) ||
        !isatty(STDOUT_FILENO))
        setup_palette(&cfg, b.nacts == 0 && isatty(STDIN_FILENO) &&
                                isatty(STDOUT_FILENO));
    if (b.nacts > 0) {
        status = run_batch(core, s, &b);
    } else if (a.mode == SH_ARGS_SHELL || !isatty(STDIN_FILENO) ||
               !isatty(STDOUT_FILENO)) {
        /* Connect before reading input, as psql does: a server that cannot
         * be reached is reported at once, with psql's exit status 2. */
        add_command(&b, "");
        status = run_batch(core, s, &b);
        if (status == 0) {
            pd_core_start(core);
            status = sh_repl_run(core, s);
        }
    } else {
        tui_opts to = {.no_color = cfg.no_color, .refresh_ms = 0};
        pd_core_start(core);
        status = tui_run(core, &to);
    }

out:
    pd_demo_workload_free(workload); /* drains on the loop: before all */
    sh_session_free(s);
    pd_core_free(core);
    free_batch(&b);
    sh_args_free(&a);
    sh_print_opts_free(&po);
    pd_config_free(&cfg);
    pd_error_clear(&err);
    return status; /* 128 + signal after the dashboard ended on one */
}
