/* commands_session.c: the backslash commands that act on the session
 * itself: \q, \timing, \x, \a, \t and \gather (\c and \conninfo are in
 * session_connect.c). */
#include "shell/session_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/gather.h"
#include "core/pool.h"
#include "core/sqlsplit.h"
#include "core/xalloc.h"
#include "shell/commands_internal.h"
#include "shell/exec.h"
#include "shell/vars.h"

static int cmd_quit(sh_session *s, const char *args)
{
    (void)args;
    s->quit = true;
    return 0;
}

/* \timing [on|off]: as psql, the state is said even after a bad value
 * (which leaves it as it was). */
static int cmd_timing(sh_session *s, const char *args)
{
    const char *p = args;
    char *opt = sh_commands_next_arg(s, &p);
    int v = opt != NULL ? sh_vars_parse_bool(opt) : !s->timing, rc = 0;

    if (v < 0) {
        sh_session_errorf(s, "unrecognized value \"%s\" for \"\\timing\": "
                          "Boolean expected", opt);
        rc = 1;
    } else {
        s->timing = v;
    }
    free(opt);
    sh_commands_extra_args(s, "timing", p);
    if (!s->popts.quiet) /* standard output, not \o's: psql's puts */
        fprintf(s->base_out, "Timing is %s.\n", s->timing ? "on" : "off");
    return rc;
}

/* \x, \t: psql's \pset expanded and \pset tuples_only. */
static int pset_alias(sh_session *s, const char *args, const char *cmd,
                      const char *option)
{
    const char *p = args;
    char *opt = sh_commands_next_arg(s, &p);
    int rc = sh_commands_pset_set(s, option, opt, s->popts.quiet);

    free(opt);
    if (rc == 0)
        sh_commands_extra_args(s, cmd, p);
    return rc;
}

static int cmd_expanded(sh_session *s, const char *args)
{
    return pset_alias(s, args, "x", "expanded");
}

static int cmd_tuples(sh_session *s, const char *args)
{
    return pset_alias(s, args, "t", "tuples_only");
}

/* \a: aligned or unaligned, the other of the two. */
static int cmd_aligned(sh_session *s, const char *args)
{
    (void)args;
    return sh_commands_pset_set(s, "format",
                                s->popts.format == SH_FMT_ALIGNED
                                    ? "unaligned" : "aligned",
                                s->popts.quiet);
}

static void on_gathered(pd_gather_item *items, int n, void *ctx)
{
    sh_session *s = ctx;
    int i, status = 0;

    for (i = 0; i < n; i++) {
        sh_exec_print_chain(s, items[i].res);
        if (pd_error_isset(&items[i].err)) {
            fflush(s->out);
            sh_print_error(s->err, &items[i].err, s->err_prefix);
            status = 1;
        }
    }
    sh_exec_print_timing(s);
    sh_session_unit_done(s, status);
}

/* \gather Q1; Q2; ...: the statements run at once, each on its own pool
 * connection; results print in the order given. */
static int cmd_gather(sh_session *s, const char *args)
{
    pd_query_opts gopts = {.source = "shell", .timeout_ms = PD_QUERY_NO_TIMEOUT};
    pd_sqlsplit *sp = pd_sqlsplit_new();
    char **units = NULL, *u;
    int n = 0, i, rc, first, last;

    pd_sqlsplit_feed(sp, args, strlen(args));
    for (;;) {
        u = pd_sqlsplit_next(sp, &first, &last);
        if (u == NULL)
            u = pd_sqlsplit_finish(sp, &first, &last);
        if (u == NULL)
            break;
        units = pd_xrealloc(units, (size_t)(n + 1) * sizeof(char *));
        units[n++] = u;
    }
    pd_sqlsplit_free(sp);
    if (n == 0) {
        fputs("\\gather: give one or more statements separated by ';'\n",
              s->err);
        free(units);
        return 1;
    }
    rc = pd_gather_run(pd_core_pool(s->core), n, (const char *const *)units,
                       &gopts, on_gathered, s);
    for (i = 0; i < n; i++)
        free(units[i]);
    free(units);
    if (rc != 0) {
        fputs("\\gather: the pool is closing\n", s->err);
        return 1;
    }
    return SH_CMD_ASYNC;
}

const sh_cmd sh_session_commands[] = {
    {"q", cmd_quit, "\\q", "quit pgdeck"},
    {"quit", cmd_quit, NULL, NULL},
    {"timing", cmd_timing, "\\timing [on|off]", "toggle timing of commands"},
    {"x", cmd_expanded, "\\x [on|off|auto]", "toggle expanded output"},
    {"a", cmd_aligned, "\\a", "toggle between unaligned and aligned output"},
    {"t", cmd_tuples, "\\t [on|off]", "show only rows"},
    {"c", sh_session_connect_c,
     "\\c[onnect] {[DBNAME|- USER|- HOST|- PORT|-] | conninfo}",
     "connect to new database (its own connection, not the pool's)"},
    {"connect", sh_session_connect_connect, NULL, NULL},
    {"conninfo", sh_session_connect_info, "\\conninfo",
     "display information about the current connection"},
    {"gather", cmd_gather, "\\gather Q1; Q2; ...",
     "run the statements concurrently, each on its own connection"},
    {NULL, NULL, NULL, NULL},
};
