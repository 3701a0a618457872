/* commands_session.c: the backslash commands that act on the session
 * itself: \q, \timing, \x, \a, \t, \c, \conninfo and \gather. */
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

static int cmd_conninfo(sh_session *s, const char *args)
{
    const pd_conninfo *ci = s->own_ci != NULL ? s->own_ci
                                              : pd_core_conninfo(s->core);
    const char *host = pd_conninfo_get(ci, "host");
    const char *port = pd_conninfo_get(ci, "port");

    (void)args;
    if (host != NULL && host[0] == '/')
        fprintf(s->out, "You are connected to database \"%s\" as user \"%s\" "
                        "via socket in \"%s\" at port \"%s\".\n",
                pd_conninfo_dbname(ci),
                pd_conninfo_get(ci, "user") ? pd_conninfo_get(ci, "user") : "",
                host, port ? port : "5432");
    else
        fprintf(s->out, "You are connected to database \"%s\" as user \"%s\" "
                        "on host \"%s\" at port \"%s\".\n",
                pd_conninfo_dbname(ci),
                pd_conninfo_get(ci, "user") ? pd_conninfo_get(ci, "user") : "",
                host ? host : "localhost", port ? port : "5432");
    return 0;
}

/* \c DBNAME: the answer to the new connection. On failure psql keeps the
 * previous connection and says so. */
typedef struct reconnect {
    sh_session *s;
    pd_conninfo *ci; /* owned until it becomes the session's */
} reconnect;

static void on_reconnected(pd_conn *c, const pd_error *err, void *ctx)
{
    reconnect *r = ctx;
    sh_session *s = r->s;
    PGconn *pg;

    if (err != NULL) {
        pd_conn_close(c);
        pd_conninfo_free(r->ci);
        free(r);
        /* psql's wording; the previous connection is kept (psql keeps
         * it only at a prompt: a script is left without one). */
        fflush(s->out);
        fprintf(s->err, "%s\\connect: %s\n",
                s->err_prefix != NULL ? s->err_prefix : "",
                err->message != NULL ? err->message : "");
        if (s->interactive)
            fputs("Previous connection kept\n", s->err);
        sh_session_unit_done(s, 1);
        return;
    }
    sh_exec_drop_conn(s);
    pd_conninfo_free(s->own_ci);
    s->own_ci = r->ci;
    free(r);
    s->conn = c;
    pd_conn_set_notice_cb(c, sh_exec_on_notice, s);
    pg = pd_conn_pg(c);
    fprintf(s->out, "You are now connected to database \"%s\" as user "
                    "\"%s\".\n",
            pg != NULL ? PQdb(pg) : pd_conninfo_dbname(s->own_ci),
            pg != NULL ? PQuser(pg) : "");
    sh_session_unit_done(s, 0);
}

/* \c [DBNAME]: the session moves to a connection of its own to DBNAME
 * (the same database when none or "-"), outside the pool. */
static int cmd_connect(sh_session *s, const char *args)
{
    const char *p = args;
    char *db = sh_vars_next_arg(s->vars, &p);
    reconnect *r;
    pd_conn *c;

    r = pd_xcalloc(1, sizeof(*r));
    r->s = s;
    r->ci = pd_conninfo_dup(s->own_ci != NULL ? s->own_ci
                                              : pd_core_conninfo(s->core));
    if (db != NULL && db[0] != '\0' && strcmp(db, "-") != 0)
        pd_conninfo_set(r->ci, "dbname", db);
    free(db);
    c = pd_conn_new(pd_core_loop(s->core), r->ci);
    if (pd_conn_connect(c, 0, on_reconnected, r) != 0) {
        pd_conn_close(c);
        pd_conninfo_free(r->ci);
        free(r);
        sh_session_errorf(s, "\\c: cannot connect now");
        return 1;
    }
    return SH_CMD_ASYNC;
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
    {"c", cmd_connect, "\\c [DBNAME]",
     "connect to another database (its own connection, not the pool's)"},
    {"connect", cmd_connect, NULL, NULL},
    {"conninfo", cmd_conninfo, "\\conninfo",
     "display information about the current connection"},
    {"gather", cmd_gather, "\\gather Q1; Q2; ...",
     "run the statements concurrently, each on its own connection"},
    {NULL, NULL, NULL, NULL},
};
