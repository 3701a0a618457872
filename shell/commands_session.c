/* commands_session.c: the backslash commands that act on the session
 * itself: \q, \timing, \x, \a, \t and \gather (\c and \conninfo are in
 * session_connect.c). */
#include "shell/session_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/gather.h"
#include "core/pool.h"
#include "core/sqlsplit.h"
#include "core/xalloc.h"
#include "shell/exec.h"

static int cmd_quit(sh_session *s, const char *args)
{
    (void)args;
    s->quit = true;
    return 0;
}

/* Parses psql's boolean words; -1 when neither. */
static int parse_bool(const char *w)
{
    if (strcasecmp(w, "on") == 0 || strcasecmp(w, "true") == 0 ||
        strcasecmp(w, "yes") == 0 || strcmp(w, "1") == 0)
        return 1;
    if (strcasecmp(w, "off") == 0 || strcasecmp(w, "false") == 0 ||
        strcasecmp(w, "no") == 0 || strcmp(w, "0") == 0)
        return 0;
    return -1;
}

static int cmd_timing(sh_session *s, const char *args)
{
    int v = *args ? parse_bool(args) : !s->timing;

    if (v < 0) {
        fprintf(s->err, "unrecognized value \"%s\" for \"\\timing\": "
                        "Boolean expected\n", args);
        return 1;
    }
    s->timing = v;
    fprintf(s->out, "Timing is %s.\n", v ? "on" : "off");
    return 0;
}

static int cmd_expanded(sh_session *s, const char *args)
{
    int v;

    if (strcasecmp(args, "auto") == 0) {
        s->popts.expanded = 2;
        fputs("Expanded display is used automatically.\n", s->out);
        return 0;
    }
    v = *args ? parse_bool(args) : !s->popts.expanded;
    if (v < 0) {
        fprintf(s->err, "\\x: unrecognized value \"%s\"\n", args);
        return 1;
    }
    s->popts.expanded = v;
    fprintf(s->out, "Expanded display is %s.\n", v ? "on" : "off");
    return 0;
}

static int cmd_aligned(sh_session *s, const char *args)
{
    (void)args;
    s->popts.format = s->popts.format == SH_FMT_ALIGNED ? SH_FMT_UNALIGNED
                                                        : SH_FMT_ALIGNED;
    fprintf(s->out, "Output format is %s.\n",
            s->popts.format == SH_FMT_ALIGNED ? "aligned" : "unaligned");
    return 0;
}

static int cmd_tuples(sh_session *s, const char *args)
{
    int v = *args ? parse_bool(args) : !s->popts.tuples_only;

    if (v < 0)
        return 1;
    s->popts.tuples_only = v;
    fprintf(s->out, "Tuples only is %s.\n", v ? "on" : "off");
    return 0;
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
