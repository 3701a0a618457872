/* main.c: the process entry point.
 *
 * psql-compatible arguments become config overrides; then one of the modes
 * runs on one core: -c/-f (run and exit), `shell` (the readline shell), the
 * dashboard (the default on a terminal), `demo`. The only file outside tui/
 * that includes tui/ (STYLE.md, section 4). */
#include <errno.h>
#include <getopt.h>
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
#include "shell/bench_cmd.h"
#include "shell/demo_cmd.h"
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

enum { MODE_DEFAULT, MODE_SHELL, MODE_HEALTH, MODE_REFRESH };

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
    bool in_step;       /* step() is on the stack */
    bool completed;     /* the unit just started has finished */
    bool waiting;       /* the units are over; \bg jobs still run */
} batch;

/* A command-line setting, applied once the file and the environment are
 * (the command line comes last in the precedence). */
typedef struct override {
    const char *key;   /* settings-table key, static */
    const char *value; /* borrowed from argv */
    const char *flag;  /* as the user wrote it, for errors, static */
} override;

typedef struct args {
    int mode;
    bool demo;
    bool print_config;
    const char *config_path;  /* --config, borrowed from argv; NULL: the
                                 default path */
    override *over;           /* owned, in command-line order */
    int nover;
    const char *positional[2];
    int npositional;
    const char **vars;        /* -v NAME=VALUE, borrowed from argv */
    int nvars;
    const char **psets;       /* -P NAME[=VALUE], borrowed from argv */
    int npsets;
} args;

/* Says "pgdeck: error: WHAT "ARG"" and exits 2. */
static void usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "pgdeck: error: %s \"%s\"", what, arg);
    fputs("\nTry \"pgdeck --help\" for more information.\n", stderr);
    exit(2);
}

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

static void on_unit_done(int status, void *ctx)
{
    batch *b = ctx;

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
            b->status = 1;
            b->completed = true;
        }
    } while (b->completed);
    b->in_step = false;
}

static void add_override(args *a, const char *key, const char *value,
                         const char *flag)
{
    a->over = pd_xrealloc(a->over, (size_t)(a->nover + 1) * sizeof(*a->over));
    a->over[a->nover].key = key;
    a->over[a->nover].value = value;
    a->over[a->nover].flag = flag;
    a->nover++;
}

enum {
    OPT_CSV = 256, OPT_JSON, OPT_NO_COLOR, OPT_MIN_POOL, OPT_MAX_POOL,
    OPT_DEMO, OPT_CONFIG, OPT_THEME, OPT_SLOW_MS, OPT_SLOW_LOG,
    OPT_PRINT_CONFIG, OPT_METRICS_LISTEN, OPT_ON_ERROR_STOP
};

static const struct option long_opts[] = {
    {"command", required_argument, NULL, 'c'},
    {"file", required_argument, NULL, 'f'},
    {"dbname", required_argument, NULL, 'd'},
    {"host", required_argument, NULL, 'h'},
    {"port", required_argument, NULL, 'p'},
    {"username", required_argument, NULL, 'U'},
    {"no-align", no_argument, NULL, 'A'},
    {"tuples-only", no_argument, NULL, 't'},
    {"expanded", no_argument, NULL, 'x'},
    {"quiet", no_argument, NULL, 'q'},
    {"field-separator", required_argument, NULL, 'F'},
    {"record-separator", required_argument, NULL, 'R'},
    {"no-psqlrc", no_argument, NULL, 'X'},
    {"set", required_argument, NULL, 'v'},
    {"on-error-stop", no_argument, NULL, OPT_ON_ERROR_STOP},
    {"variable", required_argument, NULL, 'v'},
    {"no-password", no_argument, NULL, 'w'},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, '?'},
    {"csv", no_argument, NULL, OPT_CSV},
    {"json", no_argument, NULL, OPT_JSON},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"min-pool", required_argument, NULL, OPT_MIN_POOL},
    {"max-pool", required_argument, NULL, OPT_MAX_POOL},
    {"demo", no_argument, NULL, OPT_DEMO},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"theme", required_argument, NULL, OPT_THEME},
    {"slow-ms", required_argument, NULL, OPT_SLOW_MS},
    {"slow-log", required_argument, NULL, OPT_SLOW_LOG},
    {"print-config", no_argument, NULL, OPT_PRINT_CONFIG},
    {"metrics-listen", required_argument, NULL, OPT_METRICS_LISTEN},
    {NULL, 0, NULL, 0},
};

static void set_str(char **field, const char *v)
{
    free(*field);
    *field = pd_xstrdup(v);
}

/* Parses argv into args (settings wait there as overrides), cfg's
 * connection fields, print options and the batch. Exits on bad input with
 * status 2 and one line naming the option. */
static void parse_args(int argc, char **argv, args *a, pd_config *cfg,
                       sh_print_opts *po, batch *b)
{
    int c;

    opterr = 0;
    while ((c = getopt_long(argc, argv, "c:f:d:h:p:U:AtxqF:R:XwV?v:P:",
                            long_opts, NULL)) != -1) {
        switch (c) {
        case 'c': add_command(b, optarg); break;
        case 'f': add_file(b, optarg); break;
        case 'd': add_override(a, "database.url", optarg, "-d"); break;
        case 'h': pd_config_set_str(&cfg->host, optarg); break;
        case 'p': pd_config_set_str(&cfg->port, optarg); break;
        case 'U': pd_config_set_str(&cfg->user, optarg); break;
        case 'A': po->format = SH_FMT_UNALIGNED; break;
        case 't': po->tuples_only = true; break;
        case 'x': po->expanded = 1; break;
        case 'q': po->quiet = true; break;
        case 'F': set_str(&po->field_sep, optarg); break;
        case 'R': set_str(&po->record_sep, optarg); break;
        case 'X': case 'w': break;
        case 'P':
            a->psets = pd_xrealloc(a->psets,
                                   (size_t)(a->npsets + 1) * sizeof(char *));
            a->psets[a->npsets++] = optarg;
            break;
        case OPT_ON_ERROR_STOP:
            a->vars = pd_xrealloc(a->vars,
                                  (size_t)(a->nvars + 1) * sizeof(char *));
            a->vars[a->nvars++] = "ON_ERROR_STOP=1";
            break;
        case 'v':
            if (strchr(optarg, '=') == NULL || optarg[0] == '=')
                usage_error("-v needs NAME=VALUE, got", optarg);
            a->vars = pd_xrealloc(a->vars,
                                  (size_t)(a->nvars + 1) * sizeof(char *));
            a->vars[a->nvars++] = optarg;
            break;
        case 'V': sh_usage_version(stdout); exit(0);
        case OPT_CSV: po->format = SH_FMT_CSV; break;
        case OPT_JSON: po->format = SH_FMT_JSON; break;
        case OPT_NO_COLOR:
            add_override(a, "no_color", "true", "--no-color"); break;
        case OPT_MIN_POOL:
            add_override(a, "pool.min", optarg, "--min-pool"); break;
        case OPT_MAX_POOL:
            add_override(a, "pool.max", optarg, "--max-pool"); break;
        case OPT_SLOW_MS:
            add_override(a, "slow_log.threshold_ms", optarg, "--slow-ms");
            break;
        case OPT_SLOW_LOG:
            add_override(a, "slow_log.file", optarg, "--slow-log"); break;
        case OPT_THEME: add_override(a, "theme", optarg, "--theme"); break;
        case OPT_METRICS_LISTEN:
            add_override(a, "metrics_listen", optarg, "--metrics-listen");
            break;
        case OPT_CONFIG: a->config_path = optarg; break;
        case OPT_PRINT_CONFIG: a->print_config = true; break;
        case OPT_DEMO: a->demo = true; break;
        case '?':
            if (optopt == 0 || optopt == '?') {
                if (optind > 0 && strcmp(argv[optind - 1], "-?") != 0 &&
                    strcmp(argv[optind - 1], "--help") != 0)
                    usage_error("unrecognized option",
                                argv[optind - 1]);
                sh_usage_print(stdout);
                exit(0);
            }
            if (optopt >= OPT_CSV) /* a long option without its value */
                usage_error("missing the argument of option",
                            argv[optind - 1]);
            if (strchr("cfdhpUFRP", optopt) != NULL) {
                char o[3] = {'-', (char)optopt, '\0'};
                usage_error("missing the argument of option", o);
            }
            usage_error("unrecognized option", argv[optind - 1]);
            break;
        default:
            usage_error("unrecognized option", argv[optind - 1]);
        }
    }
    while (optind < argc) {
        if (a->npositional == 2)
            usage_error("too many command-line arguments; extra:",
                        argv[optind]);
        a->positional[a->npositional++] = argv[optind++];
    }
}

/* The settings, layer by layer: the config file, the environment, then the
 * command line (options in their order, then DBNAME and USERNAME). Returns
 * 0, or PD_E* with err saying which file position, variable or option is
 * wrong. Nothing connects before this has succeeded. */
static int apply_config(pd_config *cfg, const args *a, pd_error *err)
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

static int run_batch(pd_core *core, sh_session *s, batch *b)
{
    b->core = core;
    b->s = s;
    sh_jobs_set_ready_cb(s, on_job_ready, b);
    step(b);
    if (b->ai < b->nacts || b->in_step || b->waiting)
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
    args a;
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
        a.mode = argv[1][0] == 's'   ? MODE_SHELL
                 : argv[1][0] == 'h' ? MODE_HEALTH
                                     : MODE_REFRESH;
        argv[1] = argv[0];
        argc--;
        argv++;
    }
    parse_args(argc, argv, &a, &cfg, &po, &b);
    if (a.mode == MODE_DEFAULT && a.npositional > 0) {
        /* "pgdeck --demo shell": a subcommand after options. A database
         * of that name is still reachable with -d or a conninfo. */
        const char *w = a.positional[0];
        int m = strcmp(w, "shell") == 0     ? MODE_SHELL
                : strcmp(w, "health") == 0  ? MODE_HEALTH
                : strcmp(w, "refresh") == 0 ? MODE_REFRESH
                                            : MODE_DEFAULT;
        if (m != MODE_DEFAULT) {
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
            args da = a;
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

    core = pd_core_new(&cfg, &err);
    if (core == NULL) {
        fprintf(stderr, "pgdeck: error: %s\n", err.message);
        status = a.mode == MODE_HEALTH ? 1 : 2; /* health: 2 is degraded */
        goto out;
    }
    if (a.mode == MODE_HEALTH || a.mode == MODE_REFRESH) {
        char w0[] = "refresh", w1[] = "--json";
        char *wargv[] = {w0, w1, NULL};
        int wargc = po.format == SH_FMT_JSON ? 2 : 1;
        if (a.mode == MODE_HEALTH) {
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
    for (int i = 0; i < a.nvars; i++) {
        char *name = pd_xstrndup(a.vars[i], strcspn(a.vars[i], "="));
        int vr = sh_vars_set(sh_session_vars(s), name,
                             a.vars[i] + strlen(name) + 1);
        if (vr != 0)
            fprintf(stderr, "pgdeck: error: -v %s: %s\n", a.vars[i],
                    vr == -1 ? "invalid variable name"
                             : "not a boolean value");
        free(name);
        if (vr != 0) {
            status = 2;
            goto out;
        }
    }
    {
        sh_print_opts *so = sh_session_print_opts(s);
        sh_print_opts_free(so);
        *so = po; /* the session takes the strings */
        sh_print_opts_init(&po);
    }
    for (int i = 0; i < a.npsets; i++) {
        if (sh_commands_pset_arg(s, a.psets[i]) != 0) {
            fprintf(stderr, "pgdeck: error: could not set printing "
                    "parameter \"%.*s\"\n",
                    (int)strcspn(a.psets[i], "="), a.psets[i]);
            status = 1;
            goto out;
        }
    }
    if (a.demo && b.nacts == 0) /* the demo moves by itself */
        workload = pd_demo_workload_start(core, NULL);
    if (b.nacts > 0 || a.mode == MODE_SHELL || !isatty(STDIN_FILENO) ||
        !isatty(STDOUT_FILENO))
        setup_palette(&cfg, b.nacts == 0 && isatty(STDIN_FILENO) &&
                                isatty(STDOUT_FILENO));
    if (b.nacts > 0) {
        status = run_batch(core, s, &b);
    } else if (a.mode == MODE_SHELL || !isatty(STDIN_FILENO) ||
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
    free(a.over);
    free(a.vars);
    free(a.psets);
    sh_print_opts_free(&po);
    pd_config_free(&cfg);
    pd_error_clear(&err);
    return status; /* 128 + signal after the dashboard ended on one */
}
