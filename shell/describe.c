/* describe.c: the \d family, as psql 15 prints it (see describe.h).
 *
 * psql answers these commands from catalog queries. It prints the rows of
 * some as they come, under a title ("List of relations"), and builds the
 * table of others itself (\d NAME, \du), with footers under it ("Indexes:",
 * "Referenced by:", ...). Each command here is a job: a chain of queries
 * on the session's connection, one at a time, each result handled by the
 * step that asked for it, then the print. The queries ask the catalog the
 * same questions psql asks, so the answers (rows, order, server-side
 * deparsing) are the same.
 *
 * Patterns follow psql's rules: "*" and "?" as in the shell, "quoted"
 * parts taken as they are, everything else folded to lower case, and
 * [database.]schema.name where the command allows it. They reach the
 * server as query parameters, never spliced into the SQL.
 *
 * This file holds the command table and what the commands share:
 * arguments, patterns, query building, tables built by hand, jobs. The
 * commands themselves are in the files describe_internal.h lists. */
#include "shell/describe.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "shell/describe_internal.h"

/* ---- arguments ---- */

/* psql's backslash escapes in a 'quoted' argument. */
static char unescape(char c)
{
    switch (c) {
    case 'n':
        return '\n';
    case 't':
        return '\t';
    case 'r':
        return '\r';
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    default:
        return c;
    }
}

/* Reads the argument at *pp as psql reads a slash command's options;
 * returns-owned, or NULL; see describe_internal.h. */
char *sh_describe_next_arg(const char **pp)
{
    pd_strbuf sb = PD_STRBUF_INIT;
    const char *p = *pp;

    while (isspace((unsigned char)*p))
        p++;
    if (*p == '\0') {
        *pp = p;
        return NULL;
    }
    while (*p != '\0' && !isspace((unsigned char)*p)) {
        if (*p == '"') {
            const char *q = p + 1;

            while (*q != '\0' && *q != '"')
                q++;
            if (*q == '"')
                q++;
            pd_strbuf_append(&sb, p, (size_t)(q - p));
            p = q;
        } else if (*p == '\'') {
            for (p++; *p != '\0'; p++) {
                if (*p == '\'' && p[1] == '\'') {
                    pd_strbuf_putc(&sb, '\'');
                    p++;
                } else if (*p == '\'') {
                    p++;
                    break;
                } else if (*p == '\\' && p[1] != '\0') {
                    pd_strbuf_putc(&sb, unescape(*++p));
                } else {
                    pd_strbuf_putc(&sb, *p);
                }
            }
        } else {
            pd_strbuf_putc(&sb, *p++);
        }
    }
    *pp = p;
    return pd_strbuf_steal(&sb);
}

/* ---- building queries ---- */

/* An empty query, no parameters. */
void sh_describe_qb_init(qb *q)
{
    memset(q, 0, sizeof(*q));
}

/* Frees what q owns; q may be initialised again. */
void sh_describe_qb_free(qb *q)
{
    int i;

    pd_strbuf_free(&q->sql);
    for (i = 0; i < q->nparams; i++)
        free(q->params[i]);
    free(q->params);
    q->params = NULL;
    q->nparams = 0;
}

/* Appends s to the statement. */
void sh_describe_qb_puts(qb *q, const char *s)
{
    pd_strbuf_puts(&q->sql, s);
}

/* Appends to the statement, formatted. */
void sh_describe_qb_printf(qb *q, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pd_strbuf_vprintf(&q->sql, fmt, ap);
    va_end(ap);
}

/* Adds value (copied) as the next parameter; returns its number. */
int sh_describe_qb_param(qb *q, const char *value)
{
    q->params = pd_xrealloc(q->params,
                            (size_t)(q->nparams + 1) * sizeof(char *));
    q->params[q->nparams++] = pd_xstrdup(value);
    return q->nparams;
}

/* Starts the next condition: "WHERE " first, then "  AND ". */
void sh_describe_qb_and(qb *q)
{
    sh_describe_qb_puts(q, q->where ? "  AND " : "WHERE ");
    q->where = true;
}

/* Starts a query whose only parameter is the described relation's OID. */
void sh_describe_qb_oid(qb *q, const char *oid)
{
    sh_describe_qb_init(q);
    sh_describe_qb_param(q, oid);
}

/* ---- patterns ---- */

/* A pattern cut into anchored regular expressions, as psql's
 * patternToSQLRegex cuts it. */
typedef struct pattern {
    pd_strbuf part[3]; /* "^(...)$" for each dotted part, first to last */
    int nparts;        /* parts used */
    int dots;          /* unquoted dots seen, including extra ones */
    pd_strbuf db;      /* the first part as a literal name (quotes gone,
                          case folded) */
} pattern;

/* Bytes of the UTF-8 character at p, never past the string's end. */
static int char_len(const char *p)
{
    unsigned char c = (unsigned char)*p;
    int n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
            : (c & 0xf8) == 0xf0 ? 4 : 1;
    int i;

    for (i = 1; i < n; i++)
        if (p[i] == '\0')
            return i;
    return n;
}

/* Cuts pat into at most maxparts parts; later dots stay in the last part
 * (psql then refuses the pattern anyway). */
static void pattern_parse(pattern *pt, const char *pat, int maxparts)
{
    bool inquotes = false, left = true;
    const char *cp = pat;
    pd_strbuf *cur;

    memset(pt, 0, sizeof(*pt));
    pt->nparts = 1;
    cur = &pt->part[0];
    pd_strbuf_puts(cur, "^(");
    while (*cp != '\0') {
        char ch = *cp;

        if (ch == '"') {
            if (inquotes && cp[1] == '"') {
                pd_strbuf_putc(cur, '"');
                if (left)
                    pd_strbuf_putc(&pt->db, '"');
                cp++;
            } else {
                inquotes = !inquotes;
            }
            cp++;
        } else if (!inquotes && ch >= 'A' && ch <= 'Z') {
            pd_strbuf_putc(cur, (char)(ch - 'A' + 'a'));
            if (left)
                pd_strbuf_putc(&pt->db, (char)(ch - 'A' + 'a'));
            cp++;
        } else if (!inquotes && (ch == '*' || ch == '?')) {
            pd_strbuf_puts(cur, ch == '*' ? ".*" : ".");
            if (left)
                pd_strbuf_putc(&pt->db, ch);
            cp++;
        } else if (!inquotes && ch == '.') {
            left = false;
            pt->dots++;
            if (pt->nparts < maxparts) {
                pd_strbuf_puts(cur, ")$");
                cur = &pt->part[pt->nparts++];
                pd_strbuf_puts(cur, "^(");
            } else {
                pd_strbuf_putc(cur, '.');
            }
            cp++;
        } else if (ch == '$') {
            /* A legal identifier character; anchoring makes the regex
             * meaning useless anyway. */
            pd_strbuf_puts(cur, "\\$");
            if (left)
                pd_strbuf_putc(&pt->db, '$');
            cp++;
        } else {
            int n = char_len(cp);

            /* Quoted text is literal; outside quotes regex syntax passes
             * through, except "[]" (an array type name, surely). */
            if ((inquotes && strchr("|*+?()[]{}.^\\", ch) != NULL) ||
                (ch == '[' && cp[1] == ']'))
                pd_strbuf_putc(cur, '\\');
            pd_strbuf_append(cur, cp, (size_t)n);
            if (left)
                pd_strbuf_append(&pt->db, cp, (size_t)n);
            cp += n;
        }
    }
    pd_strbuf_puts(cur, ")$");
}

static void pattern_free(pattern *pt)
{
    int i;

    for (i = 0; i < 3; i++)
        pd_strbuf_free(&pt->part[i]);
    pd_strbuf_free(&pt->db);
}

/* Adds "var ~ regex" (or either of var and alt, when alt is not NULL)
 * unless regex matches everything anyway. */
static void add_match(qb *q, const char *var, const char *alt,
                      const pd_strbuf *re)
{
    int n;

    if (strcmp(pd_strbuf_cstr(re), "^(.*)$") == 0)
        return;
    sh_describe_qb_and(q);
    n = sh_describe_qb_param(q, pd_strbuf_cstr(re));
    if (alt == NULL)
        sh_describe_qb_printf(q, "%s OPERATOR(pg_catalog.~) $%d "
                                 "COLLATE pg_catalog.default\n", var, n);
    else
        sh_describe_qb_printf(q, "(%s OPERATOR(pg_catalog.~) $%d "
                                 "COLLATE pg_catalog.default\n"
                                 "    OR %s OPERATOR(pg_catalog.~) $%d "
                                 "COLLATE pg_catalog.default)\n",
                              var, n, alt, n);
}

/* Adds the conditions psql's processSQLNamePattern adds for pattern, and
 * checks its dotted parts as validateSQLNamePattern does. Returns NULL,
 * or a returns-owned message in psql's words when psql would refuse the
 * pattern; see describe_internal.h. */
char *sh_describe_add_pattern(qb *q, const char *pat, const char *dbname,
                              const char *schemavar, const char *namevar,
                              const char *altnamevar, const char *visibility,
                              int maxparts)
{
    const pd_strbuf *schema = NULL;
    const char *db = "";
    char *msg = NULL;
    pattern pt;

    if (pat == NULL) {
        if (visibility != NULL) {
            sh_describe_qb_and(q);
            sh_describe_qb_printf(q, "%s\n", visibility);
        }
        return NULL;
    }
    pattern_parse(&pt, pat, schemavar != NULL ? 3 : 1);
    if (pt.nparts >= 2)
        schema = &pt.part[pt.nparts - 2];
    if (pt.nparts == 3)
        db = pd_strbuf_cstr(&pt.db);

    if (namevar != NULL && pt.part[pt.nparts - 1].len > 2)
        add_match(q, namevar, altnamevar, &pt.part[pt.nparts - 1]);
    if (schemavar != NULL && schema != NULL && schema->len > 2) {
        add_match(q, schemavar, NULL, schema);
    } else if (visibility != NULL) {
        sh_describe_qb_and(q);
        sh_describe_qb_printf(q, "%s\n", visibility);
    }

    if (pt.dots >= maxparts)
        msg = pd_xasprintf("improper qualified name (too many dotted "
                           "names): %s", pat);
    else if (maxparts > 1 && pt.dots == maxparts - 1 &&
             strcmp(dbname != NULL ? dbname : "", db) != 0)
        msg = pd_xasprintf("cross-database references are not "
                           "implemented: %s", pat);
    pattern_free(&pt);
    return msg;
}

/* ---- tables built by hand ---- */

/* Adds a column (name static, align 'l' or 'r'). */
void sh_describe_tab_header(ptab *t, const char *name, char align)
{
    if (t->ncols == SH_DESCRIBE_MAX_COLS)
        pd_fatal("describe: too many columns");
    t->aligns[t->ncols] = align;
    t->headers[t->ncols++] = name;
}

/* Appends a copy of v (NULL is ""). */
void sh_describe_tab_cell(ptab *t, const char *v)
{
    if (t->ncells == t->capcells) {
        t->capcells = t->capcells ? t->capcells * 2 : 64;
        t->cells = pd_xrealloc(t->cells, t->capcells * sizeof(char *));
    }
    t->cells[t->ncells++] = pd_xstrdup(v != NULL ? v : "");
}

/* Appends a footer line; takes line. */
void sh_describe_tab_footer_take(ptab *t, char *line)
{
    if (t->nfooters == t->capfooters) {
        t->capfooters = t->capfooters ? t->capfooters * 2 : 16;
        t->footers = pd_xrealloc(t->footers,
                                 t->capfooters * sizeof(char *));
    }
    t->footers[t->nfooters++] = line;
}

/* Appends a footer line, formatted. */
void sh_describe_tab_footer(ptab *t, const char *fmt, ...)
{
    va_list ap;
    char *line;

    va_start(ap, fmt);
    line = pd_xvasprintf(fmt, ap);
    va_end(ap);
    sh_describe_tab_footer_take(t, line);
}

/* Frees what t owns and zeroes it. */
void sh_describe_tab_free(ptab *t)
{
    size_t i;

    for (i = 0; i < t->ncells; i++)
        free(t->cells[i]);
    for (i = 0; i < t->nfooters; i++)
        free(t->footers[i]);
    free(t->cells);
    free(t->footers);
    free(t->title);
    memset(t, 0, sizeof(*t));
}

/* Prints t to out with psql's printTable layout and the options o. */
void sh_describe_tab_print(FILE *out, const ptab *t, const sh_print_opts *o)
{
    sh_print_table pt = {
        .title = t->title,
        .ncols = t->ncols,
        .nrows = t->ncols > 0 ? t->ncells / (size_t)t->ncols : 0,
        .headers = t->headers,
        .cells = (const char *const *)t->cells,
        .aligns = t->aligns,
        .footers = (const char *const *)t->footers,
        .nfooters = t->nfooters,
    };

    sh_format_print_table(out, &pt, o);
}

/* ---- jobs ---- */

/* A job for command name with its arguments; see describe_internal.h. */
job *sh_describe_job_new(sh_session *s, const char *name, const char *args)
{
    const char *tail = sh_session_name_tail(s);
    const char *p = args;
    job *j = pd_xcalloc(1, sizeof(*j));

    j->s = s;
    j->cmd = pd_xasprintf("%s%s", name, tail);
    j->verbose = strchr(tail, '+') != NULL;
    j->system = strchr(tail, 'S') != NULL;
    j->pattern = sh_describe_next_arg(&p);
    j->rest = pd_xstrdup(p);
    return j;
}

/* Frees j and all it owns. */
void sh_describe_job_free(job *j)
{
    free(j->cmd);
    free(j->pattern);
    free(j->rest);
    pd_result_free(j->rels);
    pd_result_free(j->info);
    pd_result_free(j->seq);
    free(j->viewdef);
    sh_describe_tab_free(&j->tab);
    free(j);
}

/* Warns as psql's pg_log_warning: the bare text at a prompt and with -c,
 * after "FILE:LINE: warning: " when reading a file. */
static void warn(sh_session *s, const char *fmt, ...) PD_PRINTF(2, 3);
static void warn(sh_session *s, const char *fmt, ...)
{
    const char *prefix = sh_session_err_prefix(s);
    FILE *err = sh_session_err(s);
    va_list ap;

    fflush(sh_session_out(s));
    if (prefix != NULL)
        fprintf(err, "%swarning: ", prefix);
    va_start(ap, fmt);
    vfprintf(err, fmt, ap);
    va_end(ap);
    fputc('\n', err);
}

/* Ends the command: on success psql warns about each argument it did not
 * use; after a failure it drops them silently. Frees j and ends the
 * unit. */
void sh_describe_job_end(job *j, int status)
{
    sh_session *s = j->s;
    const char *p = j->rest;
    char *arg;

    while (status == 0 && (arg = sh_describe_next_arg(&p)) != NULL) {
        warn(s, "\\%s: extra argument \"%s\" ignored", j->cmd, arg);
        free(arg);
    }
    sh_describe_job_free(j);
    sh_session_unit_done(s, status);
}

static void on_result(pd_result *res, const pd_error *err, void *ctx)
{
    job *j = ctx;

    if (err != NULL) {
        pd_result_free(res);
        if (j->terse && err->kind != PD_ERR_CONNECTION)
            sh_session_errorf(j->s, "%s:  %s",
                              err->severity != NULL ? err->severity : "ERROR",
                              err->message);
        else
            sh_session_print_error(j->s, err);
        /* A server that cannot be reached ends the run, as in psql. */
        sh_describe_job_end(j, err->kind == PD_ERR_CONNECTION ? 2 : 1);
        return;
    }
    j->next(j, res);
}

/* Sends q (freed here) with next to handle its result. Returns 0, or -1
 * with the error said when the query could not even be sent. */
static int job_send(job *j, qb *q, step_fn next)
{
    int rc;

    j->next = next;
    rc = sh_session_query(j->s, pd_strbuf_cstr(&q->sql), q->nparams,
                          (const char *const *)q->params, on_result, j);
    sh_describe_qb_free(q);
    if (rc != 0) {
        pd_error e = PD_ERROR_INIT;

        pd_error_set(&e, PD_ERR_CONNECTION,
                     "the connection to the server was lost");
        sh_session_print_error(j->s, &e);
        pd_error_clear(&e);
        return -1;
    }
    return 0;
}

/* Sends from inside a step: a failure ends the job. */
void sh_describe_job_chain(job *j, qb *q, step_fn next)
{
    if (job_send(j, q, next) != 0)
        sh_describe_job_end(j, 1);
}

/* Starts a command's first query: returns what the command returns. */
int sh_describe_job_start(job *j, qb *q, step_fn next)
{
    if (job_send(j, q, next) != 0) {
        sh_describe_job_free(j);
        return 1;
    }
    return SH_CMD_ASYNC;
}

/* Adds the pattern's conditions to q; when psql would refuse the pattern,
 * says why, frees q and returns false. */
bool sh_describe_job_pattern(job *j, qb *q, const char *schemavar,
                             const char *namevar, const char *visibility,
                             int maxparts)
{
    char *msg = sh_describe_add_pattern(q, j->pattern,
                                        sh_session_dbname(j->s), schemavar,
                                        namevar, NULL, visibility, maxparts);

    if (msg == NULL)
        return true;
    sh_session_errorf(j->s, "%s", msg);
    free(msg);
    sh_describe_qb_free(q);
    return false;
}

/* A pattern psql refuses fails the command before any query: frees j,
 * returns 1. */
int sh_describe_job_refused(job *j)
{
    sh_describe_job_free(j);
    return 1;
}

/* The matches of a command that describes each in turn (takes res):
 * none is a failure, said unless quiet; else the first is described. */
void sh_describe_each(job *j, pd_result *res, const char *one,
                      const char *many, void (*first)(job *j))
{
    if (pd_result_nrows(res) == 0) {
        bool quiet = sh_session_print_opts(j->s)->quiet;

        if (!quiet && j->pattern != NULL)
            sh_session_errorf(j->s, "Did not find any %s named \"%s\".", one,
                              j->pattern);
        else if (!quiet)
            sh_session_errorf(j->s, "Did not find any %s.", many);
        pd_result_free(res);
        sh_describe_job_end(j, 1);
        return;
    }
    j->rels = res;
    j->rel = 0;
    first(j);
}

/* Prints a list under its title (NULLs as ""), as psql's printQuery. */
void sh_describe_print_list(job *j, const pd_result *res, const char *title,
                            const char *const *footers, size_t nfooters)
{
    sh_format_print_titled(sh_session_out(j->s), res, title, footers,
                           nfooters, sh_session_print_opts(j->s));
}

/* ---- the commands ---- */

/* One function per command, as the table wants one: FN makes the job for
 * command NAME from its arguments and hands it to RUN. */
#define DESCRIBE_CMD(fn, name, run)                                         \
    static int fn(sh_session *s, const char *args)                          \
    {                                                                       \
        job *j = sh_describe_job_new(s, name, args);                        \
                                                                            \
        return run;                                                         \
    }

DESCRIBE_CMD(cmd_d, "d", sh_describe_rel(j))
DESCRIBE_CMD(cmd_dt, "dt", sh_describe_list_relations(j, "t"))
DESCRIBE_CMD(cmd_di, "di", sh_describe_list_relations(j, "i"))
DESCRIBE_CMD(cmd_dv, "dv", sh_describe_list_relations(j, "v"))
DESCRIBE_CMD(cmd_dm, "dm", sh_describe_list_relations(j, "m"))
DESCRIBE_CMD(cmd_ds, "ds", sh_describe_list_relations(j, "s"))
DESCRIBE_CMD(cmd_dE, "dE", sh_describe_list_relations(j, "E"))
DESCRIBE_CMD(cmd_df, "df", sh_describe_list_functions(j, ""))
DESCRIBE_CMD(cmd_dfa, "dfa", sh_describe_list_functions(j, "a"))
DESCRIBE_CMD(cmd_dfn, "dfn", sh_describe_list_functions(j, "n"))
DESCRIBE_CMD(cmd_dfp, "dfp", sh_describe_list_functions(j, "p"))
DESCRIBE_CMD(cmd_dft, "dft", sh_describe_list_functions(j, "t"))
DESCRIBE_CMD(cmd_dfw, "dfw", sh_describe_list_functions(j, "w"))
DESCRIBE_CMD(cmd_dn, "dn", sh_describe_list_schemas(j))
DESCRIBE_CMD(cmd_du, "du", sh_describe_list_roles(j))
DESCRIBE_CMD(cmd_dg, "dg", sh_describe_list_roles(j))
DESCRIBE_CMD(cmd_l, "l", sh_describe_list_databases(j))
DESCRIBE_CMD(cmd_list, "list", sh_describe_list_databases(j))
DESCRIBE_CMD(cmd_dx, "dx", sh_describe_extensions(j))
DESCRIBE_CMD(cmd_dT, "dT", sh_describe_types(j))
DESCRIBE_CMD(cmd_dp, "dp", sh_describe_privileges(j))

/* psql knows \z and \sf[+] only as such: a tail the table lookup lets
 * through ("\zS", "\sfS") is an unknown command there. */
static bool bad_tail(sh_session *s, const char *name, const char *allowed)
{
    const char *tail = sh_session_name_tail(s);

    if (strspn(tail, allowed) == strlen(tail) && strlen(tail) <= 1)
        return false;
    sh_session_errorf(s, "invalid command \\%s%s", name, tail);
    return true;
}

static int cmd_z(sh_session *s, const char *args)
{
    if (bad_tail(s, "z", ""))
        return 1;
    return sh_describe_privileges(sh_describe_job_new(s, "z", args));
}

static int cmd_sf(sh_session *s, const char *args)
{
    if (bad_tail(s, "sf", "+"))
        return 1;
    return sh_describe_function_source(sh_describe_job_new(s, "sf", args),
                                       args);
}

const sh_cmd sh_describe_commands[] = {
    {"d", cmd_d, "\\d[S+] [NAME]",
     "list tables, views, and sequences, or describe NAME"},
    {"dt", cmd_dt, "\\dt[S+] [PATTERN]", "list tables"},
    {"di", cmd_di, "\\di[S+] [PATTERN]", "list indexes"},
    {"dv", cmd_dv, "\\dv[S+] [PATTERN]", "list views"},
    {"dm", cmd_dm, "\\dm[S+] [PATTERN]", "list materialized views"},
    {"ds", cmd_ds, "\\ds[S+] [PATTERN]", "list sequences"},
    {"dE", cmd_dE, "\\dE[S+] [PATTERN]", "list foreign tables"},
    {"df", cmd_df, "\\df[anptw][S+] [FUNCPTRN [TYPEPTRN ...]]",
     "list [only agg/normal/procedure/trigger/window] functions"},
    {"dfa", cmd_dfa, NULL, NULL},
    {"dfn", cmd_dfn, NULL, NULL},
    {"dfp", cmd_dfp, NULL, NULL},
    {"dft", cmd_dft, NULL, NULL},
    {"dfw", cmd_dfw, NULL, NULL},
    {"dn", cmd_dn, "\\dn[S+] [PATTERN]", "list schemas"},
    {"du", cmd_du, "\\du[S+] [PATTERN]", "list roles"},
    {"dg", cmd_dg, "\\dg[S+] [PATTERN]", "list roles"},
    {"l", cmd_l, "\\l[+] [PATTERN]", "list databases"},
    {"list", cmd_list, NULL, NULL},
    {"dx", cmd_dx, "\\dx[+] [PATTERN]", "list extensions"},
    {"dT", cmd_dT, "\\dT[S+] [PATTERN]", "list data types"},
    {"dp", cmd_dp, "\\dp [PATTERN]",
     "list table, view, and sequence access privileges"},
    {"z", cmd_z, "\\z [PATTERN]", "same as \\dp"},
    {"sf", cmd_sf, "\\sf[+] FUNCNAME", "show a function's definition"},
    {NULL, NULL, NULL, NULL},
};

