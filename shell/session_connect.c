/* session_connect.c: \c (\connect) and \conninfo, as psql 15 has them.
 *
 * "\c [-reuse-previous=on|off] [DBNAME|- [USER|- [HOST|- [PORT|-]]]]" or
 * "\c CONNINFO" (key=value pairs or a postgresql:// URI). The session
 * moves to a connection of its own, outside the pool, made with pd_conn
 * on the loop (names resolved with uv_getaddrinfo, never libpq's blocking
 * lookup). The parameters follow psql's do_connect: the previous
 * connection's are reused (by default unless a connection string is
 * given), and its password is dropped when the user, host or port
 * changes. On failure, a person at the prompt keeps the previous
 * connection ("Previous connection kept"); a script or -c is left
 * without one, as psql leaves it, so that what follows cannot run
 * against a database it did not mean. The messages are psql's, and no
 * password is ever printed. */
#include "shell/session_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "shell/commands_internal.h"

/* psql's is_unixsock_path. */
static bool unix_socket(const char *host)
{
    return host != NULL && (host[0] == '/' || host[0] == '@');
}

/* "LEAD to database "d" as user "u" ..." with where it is connected, as
 * psql's \conninfo and do_connect say it. */
static void where_line(FILE *out, PGconn *pg, const char *lead)
{
    const char *host = PQhost(pg), *addr = PQhostaddr(pg);

    fprintf(out, "%s to database \"%s\" as user \"%s\" ", lead, PQdb(pg),
            PQuser(pg));
    if (host == NULL)
        host = "";
    if (unix_socket(host) && addr != NULL && *addr)
        fprintf(out, "on address \"%s\"", addr);
    else if (unix_socket(host))
        fprintf(out, "via socket in \"%s\"", host);
    else if (addr != NULL && *addr && strcmp(host, addr) != 0)
        fprintf(out, "on host \"%s\" (address \"%s\")", host, addr);
    else
        fprintf(out, "on host \"%s\"", host);
    fprintf(out, " at port \"%s\".\n", PQport(pg));
}

/* psql's printSSLInfo and printGSSInfo. */
static void crypto_lines(FILE *out, PGconn *pg)
{
    const char *proto, *cipher, *comp;

    if (PQsslInUse(pg)) {
        proto = PQsslAttribute(pg, "protocol");
        cipher = PQsslAttribute(pg, "cipher");
        comp = PQsslAttribute(pg, "compression");
        fprintf(out, "SSL connection (protocol: %s, cipher: %s, "
                     "compression: %s)\n",
                proto ? proto : "unknown", cipher ? cipher : "unknown",
                comp && strcmp(comp, "off") != 0 ? "on" : "off");
    }
    if (PQgssEncInUse(pg))
        fputs("GSSAPI-encrypted connection\n", out);
}

/* ---- \conninfo ---- */

static void conninfo_print(sh_session *s)
{
    PGconn *pg = pd_conn_pg(s->conn);

    where_line(s->out, pg, "You are connected");
    crypto_lines(s->out, pg);
}

static void on_info_conn(pd_conn *conn, const pd_error *err, void *ctx)
{
    sh_session *s = ctx;

    if (!sh_exec_adopt_conn(s, conn, err)) {
        sh_session_print_error(s, err);
        sh_session_unit_done(s, 1);
        return;
    }
    conninfo_print(s);
    sh_session_unit_done(s, 0);
}

/* \conninfo: what psql says of its connection. The session may not hold
 * one yet (it takes one on first use): it takes it now, as psql always
 * has one. */
int sh_session_connect_info(sh_session *s, const char *args)
{
    (void)args;
    if (s->no_conn) {
        fputs("You are currently not connected to a database.\n", s->out);
        return 0;
    }
    if (s->conn != NULL) {
        conninfo_print(s);
        return 0;
    }
    if (sh_exec_get_conn(s, on_info_conn, s) != 0) {
        sh_session_errorf(s, "\\conninfo: cannot connect now");
        return 1;
    }
    return SH_CMD_ASYNC;
}

/* ---- \c ---- */

typedef struct reconnect {
    sh_session *s;
    const char *name; /* the command as typed: "c" or "connect" */
    char *extra;      /* owned: arguments after the fourth, warned of at
                         the end as psql does */
    pd_conninfo *ci;  /* owned until it becomes the session's */
    char *old_host;   /* owned: the previous connection's PQhost, PQport */
    char *old_port;
    bool old_live;    /* the session held a connection (old_* are its) */
    bool old_same;    /* else: the new parameters name its host and port */
} reconnect;

/* Frees r; after a success, warns of the extra arguments first (psql
 * warns once a command has worked, and says nothing more after an
 * error). */
static void reconnect_free(reconnect *r, bool ok)
{
    if (ok)
        sh_commands_extra_args(r->s, r->name, r->extra);
    free(r->extra);
    pd_conninfo_free(r->ci);
    free(r->old_host);
    free(r->old_port);
    free(r);
}

/* psql's param_is_newly_set. */
static bool newly_set(const char *old, const char *now)
{
    return now != NULL && (old == NULL || strcmp(old, now) != 0);
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The connect failed (err, or msg when it never started): a person at
 * the prompt keeps the previous connection; a script loses it. Ends the
 * unit with status 1 (the script's rule makes it 2, see exec.c). */
static void connect_failed(sh_session *s, const char *msg, bool prefixed)
{
    fflush(s->out);
    if (s->interactive && s->depth == 0) {
        fprintf(s->err, "%s\n", msg);
        if (!s->no_conn)
            fputs("Previous connection kept\n", s->err);
    } else {
        sh_session_errorf(s, "%s%s", prefixed ? "\\connect: " : "", msg);
        sh_exec_drop_conn(s);
        s->no_conn = true;
    }
}

static void on_reconnected(pd_conn *c, const pd_error *err, void *ctx)
{
    reconnect *r = ctx;
    sh_session *s = r->s;
    PGconn *pg = pd_conn_pg(c);
    bool longer;

    if (err != NULL) {
        pd_conn_close(c);
        connect_failed(s, err->message != NULL ? err->message : "", true);
        reconnect_free(r, false);
        sh_session_unit_done(s, 1);
        return;
    }
    if (r->old_live)
        longer = newly_set(r->old_host, PQhost(pg)) ||
                 newly_set(r->old_port, PQport(pg));
    else
        longer = s->no_conn || !r->old_same;
    if (!s->popts.quiet) {
        if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
            crypto_lines(s->out, pg); /* psql's connection_warnings */
        if (longer)
            where_line(s->out, pg, "You are now connected");
        else
            fprintf(s->out, "You are now connected to database \"%s\" as "
                            "user \"%s\".\n", PQdb(pg), PQuser(pg));
    }
    sh_exec_drop_conn(s);
    pd_conninfo_free(s->own_ci);
    s->own_ci = r->ci;
    r->ci = NULL;
    s->conn = c;
    s->no_conn = false;
    pd_conn_set_notice_cb(c, sh_exec_on_notice, s);
    reconnect_free(r, true);
    sh_session_unit_done(s, 0);
}

/* The arguments of \c, read as psql's read_connect_arg reads them. */
typedef struct connect_args {
    int reuse;        /* -1 default, 0 off, 1 on */
    char *opt[4];     /* owned: dbname, user, host, port; NULL for "-" */
} connect_args;

static void args_free(connect_args *a)
{
    int i;

    for (i = 0; i < 4; i++)
        free(a->opt[i]);
}

/* An argument, or NULL for an unquoted "-" or "" (keep the old value). */
static char *connect_arg(sh_session *s, const char **p)
{
    bool quoted = false;
    char *a = sh_vars_next_arg_ex(s->vars, p, SH_ARG_DEQUOTE, &quoted);

    if (a != NULL && !quoted && (*a == '\0' || strcmp(a, "-") == 0)) {
        free(a);
        return NULL;
    }
    return a;
}

/* Reads \c's arguments; 0, or 1 after psql's message for a bad
 * -reuse-previous (then no argument after it is read). */
static int read_args(sh_session *s, const char **p, connect_args *a)
{
    static const char pre[] = "-reuse-previous=";
    int i, b;

    memset(a, 0, sizeof(*a));
    a->reuse = -1;
    a->opt[0] = connect_arg(s, p);
    if (a->opt[0] != NULL && strncmp(a->opt[0], pre, sizeof(pre) - 1) == 0) {
        b = sh_vars_parse_bool(a->opt[0] + sizeof(pre) - 1);
        if (b < 0) {
            sh_session_errorf(s, "unrecognized value \"%s\" for "
                              "\"-reuse-previous\": Boolean expected",
                              a->opt[0] + sizeof(pre) - 1);
            return 1;
        }
        a->reuse = b;
        free(a->opt[0]);
        a->opt[0] = connect_arg(s, p);
    }
    for (i = 1; i < 4; i++)
        a->opt[i] = connect_arg(s, p);
    return 0;
}

/* psql's recognized_connection_string. */
static bool is_connstr(const char *s)
{
    return s != NULL && (strncmp(s, "postgresql://", 13) == 0 ||
                         strncmp(s, "postgres://", 11) == 0 ||
                         strchr(s, '=') != NULL);
}

/* True when keyword is one whose change makes psql forget the old
 * password. */
static bool password_bound(const char *kw)
{
    return strcmp(kw, "user") == 0 || strcmp(kw, "host") == 0 ||
           strcmp(kw, "hostaddr") == 0 || strcmp(kw, "port") == 0;
}

/* The connection string str on top of ci, as psql's do_connect lays a
 * parsed conninfo over the old one. Returns 0, or -1 with *msg set
 * (returns-owned, password masked) when libpq cannot parse it. */
static int apply_connstr(pd_conninfo *ci, const char *str, char **msg)
{
    PQconninfoOption *opts, *o;
    char *err = NULL;
    bool keep_pw = true, have_pw = false;
    size_t n;

    opts = PQconninfoParse(str, &err);
    if (opts == NULL) {
        *msg = pd_conninfo_mask(err != NULL ? err : "out of memory");
        n = strlen(*msg);
        while (n > 0 && (*msg)[n - 1] == '\n')
            (*msg)[--n] = '\0';
        PQfreemem(err);
        return -1;
    }
    for (o = opts; o->keyword != NULL; o++) {
        if (o->val == NULL)
            continue;
        if (password_bound(o->keyword) &&
            !same_str(pd_conninfo_get(ci, o->keyword), o->val))
            keep_pw = false;
        if (strcmp(o->keyword, "password") == 0)
            have_pw = true;
        pd_conninfo_set(ci, o->keyword, o->val);
    }
    if (!keep_pw && !have_pw)
        pd_conninfo_set(ci, "password", NULL);
    PQconninfoFree(opts);
    return 0;
}

/* DBNAME USER HOST PORT on top of ci (each NULL: kept), as psql's
 * do_connect injects them. */
static void apply_words(pd_conninfo *ci, char *const opt[4])
{
    static const char *const kw[4] = {"dbname", "user", "host", "port"};
    bool keep_pw = true;
    int i;

    for (i = 1; i < 4; i++)
        if (opt[i] != NULL && !same_str(pd_conninfo_get(ci, kw[i]), opt[i]))
            keep_pw = false;
    if (opt[2] != NULL && !same_str(pd_conninfo_get(ci, "host"), opt[2]))
        pd_conninfo_set(ci, "hostaddr", NULL); /* it named the old host */
    for (i = 0; i < 4; i++)
        if (opt[i] != NULL)
            pd_conninfo_set(ci, kw[i], opt[i]);
    if (!keep_pw)
        pd_conninfo_set(ci, "password", NULL);
}

/* The parameters of the new connection, or NULL after the message (a
 * connection string libpq cannot parse counts as a failed connect, as in
 * psql). Returns-owned. */
static pd_conninfo *new_params(sh_session *s, connect_args *a)
{
    bool cs = is_connstr(a->opt[0]);
    bool reuse = a->reuse >= 0 ? a->reuse == 1 : !cs;
    pd_error err = PD_ERROR_INIT;
    pd_conninfo *ci;
    char *msg = NULL;

    if (cs && (a->opt[1] != NULL || a->opt[2] != NULL || a->opt[3] != NULL)) {
        sh_session_errorf(s, "Do not give user, host, or port separately "
                          "when using a connection string");
        return NULL;
    }
    if (reuse && s->no_conn) {
        sh_session_errorf(s, "No database connection exists to re-use "
                          "parameters from");
        return NULL;
    }
    ci = reuse ? pd_conninfo_dup(s->own_ci != NULL ? s->own_ci
                                                  : pd_core_conninfo(s->core))
               : pd_conninfo_new(NULL, &err);
    if (ci == NULL) { /* libpq's defaults unreadable: out of memory */
        sh_session_errorf(s, "%s", err.message);
        pd_error_clear(&err);
        return NULL;
    }
    if (!cs) {
        apply_words(ci, a->opt);
    } else if (apply_connstr(ci, a->opt[0], &msg) != 0) {
        connect_failed(s, msg, false);
        free(msg);
        pd_conninfo_free(ci);
        return NULL;
    }
    return ci;
}

/* Notes what the previous connection was, for psql's choice between the
 * short and the long "You are now connected" line. */
static void note_old(sh_session *s, reconnect *r)
{
    const pd_conninfo *old = s->own_ci != NULL ? s->own_ci
                                               : pd_core_conninfo(s->core);
    PGconn *pg = s->conn != NULL ? pd_conn_pg(s->conn) : NULL;

    if (pg != NULL) {
        r->old_live = true;
        r->old_host = PQhost(pg) ? pd_xstrdup(PQhost(pg)) : NULL;
        r->old_port = PQport(pg) ? pd_xstrdup(PQport(pg)) : NULL;
        return;
    }
    /* No connection taken yet: compare the parameters instead. */
    r->old_same = same_str(pd_conninfo_get(old, "host"),
                           pd_conninfo_get(r->ci, "host")) &&
                  same_str(pd_conninfo_get(old, "port"),
                           pd_conninfo_get(r->ci, "port"));
}

/* \c, \connect: see the top of the file. name is the command as typed,
 * for psql's extra-argument warning. */
static int connect_cmd(sh_session *s, const char *args, const char *name)
{
    const char *p = args;
    connect_args a;
    reconnect *r;
    pd_conn *c;
    int rc;

    rc = read_args(s, &p, &a);
    r = pd_xcalloc(1, sizeof(*r));
    r->s = s;
    r->name = name;
    r->extra = pd_xstrdup(p);
    if (rc == 0)
        r->ci = new_params(s, &a);
    args_free(&a);
    if (r->ci == NULL) {
        reconnect_free(r, false);
        return 1;
    }
    note_old(s, r);
    c = pd_conn_new(pd_core_loop(s->core), r->ci);
    if (pd_conn_connect(c, 0, on_reconnected, r) != 0) {
        pd_conn_close(c);
        sh_session_errorf(s, "\\%s: cannot connect now", name);
        reconnect_free(r, false);
        return 1;
    }
    return SH_CMD_ASYNC;
}

int sh_session_connect_c(sh_session *s, const char *args)
{
    return connect_cmd(s, args, "c");
}

int sh_session_connect_connect(sh_session *s, const char *args)
{
    return connect_cmd(s, args, "connect");
}
