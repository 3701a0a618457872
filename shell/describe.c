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
 * server as query parameters, never spliced into the SQL. */
#include "shell/describe.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/strbuf.h"
#include "core/xalloc.h"

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

/* Reads the argument at *pp as psql reads a slash command's options:
 * blanks separate arguments; "double-quoted" parts keep their quotes (a
 * pattern needs them); 'single-quoted' parts lose theirs, with '' for a
 * quote and backslash escapes. Returns-owned, or NULL when none is left;
 * *pp moves past it. */
static char *next_arg(const char **pp)
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

/* A query being built: its text and its parameters. */
typedef struct qb {
    pd_strbuf sql;  /* the statement */
    char **params;  /* owned texts for $1, $2, ... */
    int nparams;    /* used entries */
    bool where;     /* a WHERE clause has begun */
} qb;

static void qb_init(qb *q)
{
    memset(q, 0, sizeof(*q));
}

static void qb_free(qb *q)
{
    int i;

    pd_strbuf_free(&q->sql);
    for (i = 0; i < q->nparams; i++)
        free(q->params[i]);
    free(q->params);
    q->params = NULL;
    q->nparams = 0;
}

static void qb_puts(qb *q, const char *s)
{
    pd_strbuf_puts(&q->sql, s);
}

static void qb_printf(qb *q, const char *fmt, ...) PD_PRINTF(2, 3);
static void qb_printf(qb *q, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pd_strbuf_vprintf(&q->sql, fmt, ap);
    va_end(ap);
}

/* Adds value (copied) as the next parameter; returns its number. */
static int qb_param(qb *q, const char *value)
{
    q->params = pd_xrealloc(q->params,
                            (size_t)(q->nparams + 1) * sizeof(char *));
    q->params[q->nparams++] = pd_xstrdup(value);
    return q->nparams;
}

/* Starts the next condition: "WHERE " first, then "  AND ". */
static void qb_and(qb *q)
{
    qb_puts(q, q->where ? "  AND " : "WHERE ");
    q->where = true;
}

/* A query whose only parameter is the described relation's OID. */
static void qb_oid(qb *q, const char *oid)
{
    qb_init(q);
    qb_param(q, oid);
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
    qb_and(q);
    n = qb_param(q, pd_strbuf_cstr(re));
    if (alt == NULL)
        qb_printf(q, "%s OPERATOR(pg_catalog.~) $%d "
                     "COLLATE pg_catalog.default\n", var, n);
    else
        qb_printf(q, "(%s OPERATOR(pg_catalog.~) $%d "
                     "COLLATE pg_catalog.default\n"
                     "    OR %s OPERATOR(pg_catalog.~) $%d "
                     "COLLATE pg_catalog.default)\n", var, n, alt, n);
}

/* Adds the conditions psql's processSQLNamePattern adds for pattern
 * (borrowed; NULL adds the visibility rule alone): the name part matched
 * against namevar (or altnamevar), the schema part against schemavar, or
 * the visibility rule when there is no schema part. Checks its dotted
 * parts as validateSQLNamePattern does against maxparts and the current
 * database dbname. Returns NULL, or a returns-owned message in psql's
 * words when psql would refuse the pattern. */
static char *add_pattern(qb *q, const char *pat, const char *dbname,
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
            qb_and(q);
            qb_printf(q, "%s\n", visibility);
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
        qb_and(q);
        qb_printf(q, "%s\n", visibility);
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

#define MAX_COLS 16

/* A table as psql's printTable builds it: headers, cells, footers. */
typedef struct ptab {
    char *title;                 /* owned */
    int ncols;                   /* headers added */
    const char *headers[MAX_COLS]; /* static strings */
    char aligns[MAX_COLS + 1];   /* 'l' or 'r' per column */
    char **cells;                /* owned strings, row-major */
    size_t ncells, capcells;
    char **footers;              /* owned strings */
    size_t nfooters, capfooters;
} ptab;

static void tab_header(ptab *t, const char *name, char align)
{
    if (t->ncols == MAX_COLS)
        pd_fatal("describe: too many columns");
    t->aligns[t->ncols] = align;
    t->headers[t->ncols++] = name;
}

/* Appends a copy of v (NULL is ""). */
static void tab_cell(ptab *t, const char *v)
{
    if (t->ncells == t->capcells) {
        t->capcells = t->capcells ? t->capcells * 2 : 64;
        t->cells = pd_xrealloc(t->cells, t->capcells * sizeof(char *));
    }
    t->cells[t->ncells++] = pd_xstrdup(v != NULL ? v : "");
}

/* Appends a footer line; takes line. */
static void tab_footer_take(ptab *t, char *line)
{
    if (t->nfooters == t->capfooters) {
        t->capfooters = t->capfooters ? t->capfooters * 2 : 16;
        t->footers = pd_xrealloc(t->footers,
                                 t->capfooters * sizeof(char *));
    }
    t->footers[t->nfooters++] = line;
}

static void tab_footer(ptab *t, const char *fmt, ...) PD_PRINTF(2, 3);
static void tab_footer(ptab *t, const char *fmt, ...)
{
    va_list ap;
    char *line;

    va_start(ap, fmt);
    line = pd_xvasprintf(fmt, ap);
    va_end(ap);
    tab_footer_take(t, line);
}

static void tab_free(ptab *t)
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

static void tab_print(FILE *out, const ptab *t, const sh_print_opts *o)
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

/* ---- results ---- */

/* A value as psql's PQgetvalue gives it: "" for NULL. */
static const char *val(const pd_result *r, size_t row, int col)
{
    const char *v = pd_result_value(r, row, col);

    return v != NULL ? v : "";
}

static bool is_true(const pd_result *r, size_t row, int col)
{
    return strcmp(val(r, row, col), "t") == 0;
}

/* ---- jobs ---- */

typedef struct job job;

/* Handles the result of the query the job has in flight; takes res. */
typedef void (*step_fn)(job *j, pd_result *res);

/* One run of one command. */
struct job {
    sh_session *s;     /* borrowed */
    char *cmd;         /* owned: the name as typed ("dt+"), for warnings */
    char *pattern;     /* owned first argument, or NULL */
    char *rest;        /* owned: the arguments after it */
    bool verbose;      /* "+" */
    bool system;       /* "S" */
    const char *kinds; /* \d lists: which of "tvmisE" */
    step_fn next;      /* the step waiting for the query in flight */

    /* \d NAME */
    pd_result *rels;   /* oid, schema, name of each match */
    size_t rel;        /* the one being described */
    pd_result *info;   /* its pg_class facts (INFO_* columns) */
    pd_result *seq;    /* a sequence's parameters */
    char *viewdef;     /* owned view definition, for \d+ of views */
    char kind;         /* its relkind */
    ptab tab;          /* the table being built */
    int fstep;         /* the footer step reached (enum fstep) */
};

static job *job_new(sh_session *s, const char *name, const char *args)
{
    const char *tail = sh_session_name_tail(s);
    const char *p = args;
    job *j = pd_xcalloc(1, sizeof(*j));

    j->s = s;
    j->cmd = pd_xasprintf("%s%s", name, tail);
    j->verbose = strchr(tail, '+') != NULL;
    j->system = strchr(tail, 'S') != NULL;
    j->pattern = next_arg(&p);
    j->rest = pd_xstrdup(p);
    return j;
}

static void job_free(job *j)
{
    free(j->cmd);
    free(j->pattern);
    free(j->rest);
    pd_result_free(j->rels);
    pd_result_free(j->info);
    pd_result_free(j->seq);
    free(j->viewdef);
    tab_free(&j->tab);
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
 * use; after a failure it drops them silently. Frees j. */
static void job_end(job *j, int status)
{
    sh_session *s = j->s;
    const char *p = j->rest;
    char *arg;

    while (status == 0 && (arg = next_arg(&p)) != NULL) {
        warn(s, "\\%s: extra argument \"%s\" ignored", j->cmd, arg);
        free(arg);
    }
    job_free(j);
    sh_session_unit_done(s, status);
}

static void on_result(pd_result *res, const pd_error *err, void *ctx)
{
    job *j = ctx;

    if (err != NULL) {
        pd_result_free(res);
        sh_session_print_error(j->s, err);
        /* A server that cannot be reached ends the run, as in psql. */
        job_end(j, err->kind == PD_ERR_CONNECTION ? 2 : 1);
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
    qb_free(q);
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
static void job_chain(job *j, qb *q, step_fn next)
{
    if (job_send(j, q, next) != 0)
        job_end(j, 1);
}

/* Starts a command's first query: returns what the command returns. */
static int job_start(job *j, qb *q, step_fn next)
{
    if (job_send(j, q, next) != 0) {
        job_free(j);
        return 1;
    }
    return SH_CMD_ASYNC;
}

/* Adds the pattern's conditions to q; when psql would refuse the pattern,
 * says why, frees q and returns false. */
static bool job_pattern(job *j, qb *q, const char *schemavar,
                        const char *namevar, const char *visibility,
                        int maxparts)
{
    char *msg = add_pattern(q, j->pattern, sh_session_dbname(j->s),
                            schemavar, namevar, NULL, visibility, maxparts);

    if (msg == NULL)
        return true;
    sh_session_errorf(j->s, "%s", msg);
    free(msg);
    qb_free(q);
    return false;
}

/* A pattern psql refuses fails the command before any query. */
static int job_refused(job *j)
{
    job_free(j);
    return 1;
}

/* Prints a list under its title (NULLs as ""), as psql's printQuery. */
static void print_list(job *j, const pd_result *res, const char *title,
                       const char *const *footers, size_t nfooters)
{
    sh_format_print_titled(sh_session_out(j->s), res, title, footers,
                           nfooters, sh_session_print_opts(j->s));
}

/* ---- \d lists: \dt \di \dv \dm \ds \dE, and \d alone ---- */

static void on_relations(job *j, pd_result *res)
{
    const sh_print_opts *o = sh_session_print_opts(j->s);

    if (pd_result_nrows(res) == 0 && !o->quiet) {
        if (j->pattern != NULL)
            sh_session_errorf(j->s, "Did not find any relation named \"%s\".",
                              j->pattern);
        else
            sh_session_errorf(j->s, "Did not find any relations.");
    } else {
        print_list(j, res, "List of relations", NULL, 0);
    }
    pd_result_free(res);
    job_end(j, 0);
}

/* psql's listTables for the kinds in j->kinds. */
static int list_relations(job *j)
{
    bool tables = strchr(j->kinds, 't') != NULL;
    bool views = strchr(j->kinds, 'v') != NULL;
    bool matviews = strchr(j->kinds, 'm') != NULL;
    bool indexes = strchr(j->kinds, 'i') != NULL;
    bool seqs = strchr(j->kinds, 's') != NULL;
    bool foreign = strchr(j->kinds, 'E') != NULL;
    bool others = j->system || j->pattern != NULL;
    qb q;

    qb_init(&q);
    qb_puts(&q,
            "SELECT n.nspname AS \"Schema\",\n"
            "  c.relname AS \"Name\",\n"
            "  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' "
            "WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' "
            "WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' "
            "WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' "
            "WHEN 'I' THEN 'partitioned index' END AS \"Type\",\n"
            "  pg_catalog.pg_get_userbyid(c.relowner) AS \"Owner\"");
    if (indexes)
        qb_puts(&q, ",\n  c2.relname AS \"Table\"");
    if (j->verbose) {
        qb_puts(&q, ",\n  CASE c.relpersistence WHEN 'p' THEN 'permanent' "
                    "WHEN 't' THEN 'temporary' WHEN 'u' THEN 'unlogged' "
                    "END AS \"Persistence\"");
        if (tables || matviews || indexes)
            qb_puts(&q, ",\n  am.amname AS \"Access method\"");
        qb_puts(&q, ",\n  pg_catalog.pg_size_pretty("
                    "pg_catalog.pg_table_size(c.oid)) AS \"Size\",\n"
                    "  pg_catalog.obj_description(c.oid, 'pg_class') "
                    "AS \"Description\"");
    }
    qb_puts(&q, "\nFROM pg_catalog.pg_class c\n"
                "  LEFT JOIN pg_catalog.pg_namespace n "
                "ON n.oid = c.relnamespace\n"
                "  LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam\n");
    if (indexes)
        qb_puts(&q, "  LEFT JOIN pg_catalog.pg_index i "
                    "ON i.indexrelid = c.oid\n"
                    "  LEFT JOIN pg_catalog.pg_class c2 "
                    "ON i.indrelid = c2.oid\n");
    /* TOAST tables only when asked for system objects or by name. */
    qb_printf(&q, "WHERE c.relkind IN (%s%s%s%s%s%s%s'')\n",
              tables ? "'r','p'," : "", tables && others ? "'t'," : "",
              views ? "'v'," : "", matviews ? "'m'," : "",
              indexes ? "'i','I'," : "", seqs ? "'S'," : "",
              foreign ? "'f'," : "");
    q.where = true;
    if (!j->system && j->pattern == NULL)
        qb_puts(&q, "  AND n.nspname <> 'pg_catalog'\n"
                    "  AND n.nspname !~ '^pg_toast'\n"
                    "  AND n.nspname <> 'information_schema'\n");
    if (!job_pattern(j, &q, "n.nspname", "c.relname",
                     "pg_catalog.pg_table_is_visible(c.oid)", 3))
        return job_refused(j);
    qb_puts(&q, "ORDER BY 1, 2");
    return job_start(j, &q, on_relations);
}

static int relations_cmd(sh_session *s, const char *args, const char *name,
                         const char *kinds)
{
    job *j = job_new(s, name, args);

    j->kinds = kinds;
    return list_relations(j);
}

static int cmd_dt(sh_session *s, const char *args)
{
    return relations_cmd(s, args, "dt", "t");
}

static int cmd_di(sh_session *s, const char *args)
{
    return relations_cmd(s, args, "di", "i");
}

static int cmd_dv(sh_session *s, const char *args)
{
    return relations_cmd(s, args, "dv", "v");
}

static int cmd_dm(sh_session *s, const char *args)
{
    return relations_cmd(s, args, "dm", "m");
}

static int cmd_ds(sh_session *s, const char *args)
{
    return relations_cmd(s, args, "ds", "s");
}

static int cmd_dE(sh_session *s, const char *args)
{
    return relations_cmd(s, args, "dE", "E");
}

/* ---- \d NAME: one relation after another ---- */

/* Columns of the INFO query. */
enum {
    INFO_CHECKS, INFO_KIND, INFO_HASINDEX, INFO_HASRULES, INFO_HASTRIGGERS,
    INFO_ROWSEC, INFO_FORCEROWSEC, INFO_ISPARTITION, INFO_OPTIONS,
    INFO_TABLESPACE, INFO_OFTYPE, INFO_PERSISTENCE, INFO_REPLIDENT, INFO_AM
};

/* Columns of the COLS query. */
enum {
    COL_NAME, COL_TYPE, COL_DEFAULT, COL_NOTNULL, COL_COLLATION,
    COL_IDENTITY, COL_GENERATED, COL_ISKEY, COL_INDEXDEF, COL_FDWOPTS,
    COL_STORAGE, COL_COMPRESSION, COL_STATS, COL_DESCRIPTION
};

/* The footers of \d NAME, in psql's order; each step may run a query. */
enum fstep {
    F_PARTOF,    /* a partition: its parent and bound */
    F_PARTKEY,   /* a partitioned table: its key */
    F_TOAST,     /* a TOAST table: its owner */
    F_INDEX,     /* an index: what it is and for which table */
    F_INDEXES,   /* a table's indexes */
    F_CHECKS,    /* check constraints */
    F_FKEYS,     /* foreign keys */
    F_REFBY,     /* foreign keys pointing here */
    F_POLICIES,  /* row-level security */
    F_STATS,     /* extended statistics */
    F_RULES,     /* a table's rules */
    F_PUBS,      /* publications */
    F_VIEWRULES, /* a view's definition (\d+) and rules */
    F_TRIGGERS,  /* triggers, by category */
    F_SERVER,    /* a foreign table's server */
    F_INHERITS,  /* parents */
    F_CHILDREN,  /* children or partitions */
    F_DONE       /* the lines that need no query, then the print */
};

static const char *info(const job *j, int col)
{
    return val(j->info, 0, col);
}

static bool info_true(const job *j, int col)
{
    return is_true(j->info, 0, col);
}

static const char *rel_oid(const job *j)
{
    return val(j->rels, j->rel, 0);
}

static const char *rel_schema(const job *j)
{
    return val(j->rels, j->rel, 1);
}

static bool kind_in(const job *j, const char *kinds)
{
    return strchr(kinds, j->kind) != NULL;
}

static void describe_next(job *j);
static void footer_next(job *j);

/* The table's title, by kind and persistence. */
static char *rel_title(const job *j)
{
    const char *nsp = rel_schema(j), *name = val(j->rels, j->rel, 2);
    bool unlogged = info(j, INFO_PERSISTENCE)[0] == 'u';
    const char *what;

    switch (j->kind) {
    case 'r':
        what = unlogged ? "Unlogged table" : "Table";
        break;
    case 'v':
        what = "View";
        break;
    case 'm':
        what = unlogged ? "Unlogged materialized view" : "Materialized view";
        break;
    case 'S':
        what = unlogged ? "Unlogged sequence" : "Sequence";
        break;
    case 'i':
        what = unlogged ? "Unlogged index" : "Index";
        break;
    case 'I':
        what = unlogged ? "Unlogged partitioned index" : "Partitioned index";
        break;
    case 't':
        what = "TOAST table";
        break;
    case 'c':
        what = "Composite type";
        break;
    case 'f':
        what = "Foreign table";
        break;
    case 'p':
        what = unlogged ? "Unlogged partitioned table" : "Partitioned table";
        break;
    default:
        return pd_xasprintf("?%c? \"%s.%s\"", j->kind, nsp, name);
    }
    return pd_xasprintf("%s \"%s.%s\"", what, nsp, name);
}

/* -- sequences: printed from the query, as psql does -- */

static void on_seq_owner(job *j, pd_result *res)
{
    sh_print_opts o = *sh_session_print_opts(j->s);
    char *title = rel_title(j), *foot = NULL;

    if (pd_result_nrows(res) == 1) {
        const char *col = val(res, 0, 0);

        switch (val(res, 0, 1)[0]) {
        case 'a':
            foot = pd_xasprintf("Owned by: %s", col);
            break;
        case 'i':
            foot = pd_xasprintf("Sequence for identity column: %s", col);
            break;
        default:
            break;
        }
    }
    o.footer = false; /* the rows are not counted */
    sh_format_print_titled(sh_session_out(j->s), j->seq, title,
                           (const char *const *)&foot, foot != NULL ? 1 : 0,
                           &o);
    free(foot);
    free(title);
    pd_result_free(res);
    pd_result_free(j->seq);
    j->seq = NULL;
    j->rel++;
    describe_next(j);
}

static void on_seq(job *j, pd_result *res)
{
    qb q;

    j->seq = res;
    qb_oid(&q, rel_oid(j));
    qb_puts(&q,
            "SELECT pg_catalog.quote_ident(n.nspname) || '.' ||\n"
            "       pg_catalog.quote_ident(c.relname) || '.' ||\n"
            "       pg_catalog.quote_ident(a.attname), d.deptype\n"
            "FROM pg_catalog.pg_depend d\n"
            "  JOIN pg_catalog.pg_class c ON c.oid = d.refobjid\n"
            "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n"
            "  JOIN pg_catalog.pg_attribute a\n"
            "    ON a.attrelid = c.oid AND a.attnum = d.refobjsubid\n"
            "WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass\n"
            "  AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass\n"
            "  AND d.objid = $1::pg_catalog.oid\n"
            "  AND d.deptype IN ('a', 'i')");
    job_chain(j, &q, on_seq_owner);
}

/* -- columns -- */

static const char *storage_name(char c)
{
    switch (c) {
    case 'p':
        return "plain";
    case 'm':
        return "main";
    case 'x':
        return "extended";
    case 'e':
        return "external";
    default:
        return "???";
    }
}

static const char *compression_name(char c)
{
    switch (c) {
    case 'p':
        return "pglz";
    case 'l':
        return "lz4";
    case '\0':
        return "";
    default:
        return "???";
    }
}

/* The headers of the column table for this kind of relation. */
static void column_headers(job *j)
{
    ptab *t = &j->tab;

    tab_header(t, "Column", 'l');
    tab_header(t, "Type", 'l');
    if (kind_in(j, "rvmfcp")) {
        tab_header(t, "Collation", 'l');
        tab_header(t, "Nullable", 'l');
        tab_header(t, "Default", 'l');
    }
    if (kind_in(j, "iI")) {
        tab_header(t, "Key?", 'l');
        tab_header(t, "Definition", 'l');
    }
    if (j->kind == 'f')
        tab_header(t, "FDW options", 'l');
    if (j->verbose) {
        tab_header(t, "Storage", 'l');
        if (kind_in(j, "rpm"))
            tab_header(t, "Compression", 'l');
        if (kind_in(j, "riImfp"))
            tab_header(t, "Stats target", 'l');
        if (kind_in(j, "rvmfcp"))
            tab_header(t, "Description", 'l');
    }
}

static void on_columns(job *j, pd_result *res)
{
    ptab *t = &j->tab;
    size_t r, n = pd_result_nrows(res);

    t->title = rel_title(j);
    column_headers(j);
    for (r = 0; r < n; r++) {
        tab_cell(t, val(res, r, COL_NAME));
        tab_cell(t, val(res, r, COL_TYPE));
        if (kind_in(j, "rvmfcp")) {
            const char *gen = val(res, r, COL_GENERATED);
            const char *ident = val(res, r, COL_IDENTITY);

            tab_cell(t, val(res, r, COL_COLLATION));
            tab_cell(t, is_true(res, r, COL_NOTNULL) ? "not null" : "");
            if (gen[0] == 's') {
                char *d = pd_xasprintf("generated always as (%s) stored",
                                       val(res, r, COL_DEFAULT));

                tab_cell(t, d);
                free(d);
            } else if (ident[0] == 'a') {
                tab_cell(t, "generated always as identity");
            } else if (ident[0] == 'd') {
                tab_cell(t, "generated by default as identity");
            } else {
                tab_cell(t, val(res, r, COL_DEFAULT));
            }
        }
        if (kind_in(j, "iI")) {
            tab_cell(t, val(res, r, COL_ISKEY));
            tab_cell(t, val(res, r, COL_INDEXDEF));
        }
        if (j->kind == 'f')
            tab_cell(t, val(res, r, COL_FDWOPTS));
        if (j->verbose) {
            tab_cell(t, storage_name(val(res, r, COL_STORAGE)[0]));
            if (kind_in(j, "rpm"))
                tab_cell(t,
                         compression_name(val(res, r, COL_COMPRESSION)[0]));
            if (kind_in(j, "riImfp"))
                tab_cell(t, val(res, r, COL_STATS));
            if (kind_in(j, "rvmfcp"))
                tab_cell(t, val(res, r, COL_DESCRIPTION));
        }
    }
    pd_result_free(res);
    j->fstep = F_PARTOF;
    footer_next(j);
}

static void send_columns(job *j)
{
    bool index = kind_in(j, "iI");
    qb q;

    qb_oid(&q, rel_oid(j));
    qb_puts(&q,
            "SELECT a.attname,\n"
            "  pg_catalog.format_type(a.atttypid, a.atttypmod),\n"
            "  (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true)\n"
            "   FROM pg_catalog.pg_attrdef d\n"
            "   WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum\n"
            "     AND a.atthasdef),\n"
            "  a.attnotnull,\n"
            "  (SELECT c.collname\n"
            "   FROM pg_catalog.pg_collation c, pg_catalog.pg_type t\n"
            "   WHERE c.oid = a.attcollation AND t.oid = a.atttypid\n"
            "     AND a.attcollation <> t.typcollation),\n"
            "  a.attidentity, a.attgenerated,\n");
    if (index)
        qb_puts(&q,
                "  CASE WHEN a.attnum <= (SELECT i.indnkeyatts\n"
                "    FROM pg_catalog.pg_index i\n"
                "    WHERE i.indexrelid = a.attrelid)\n"
                "  THEN 'yes' ELSE 'no' END,\n"
                "  pg_catalog.pg_get_indexdef(a.attrelid, a.attnum, true),\n");
    else
        qb_puts(&q, "  NULL, NULL,\n");
    if (j->kind == 'f')
        qb_puts(&q,
                "  CASE WHEN a.attfdwoptions IS NULL THEN '' ELSE '(' ||\n"
                "    pg_catalog.array_to_string(ARRAY(\n"
                "      SELECT pg_catalog.quote_ident(option_name) || ' ' ||\n"
                "             pg_catalog.quote_literal(option_value)\n"
                "      FROM pg_catalog.pg_options_to_table(a.attfdwoptions)"
                "), ', ') || ')' END,\n");
    else
        qb_puts(&q, "  NULL,\n");
    qb_puts(&q,
            "  a.attstorage, a.attcompression,\n"
            "  CASE WHEN a.attstattarget = -1 THEN NULL\n"
            "    ELSE a.attstattarget END,\n"
            "  pg_catalog.col_description(a.attrelid, a.attnum)\n"
            "FROM pg_catalog.pg_attribute a\n"
            "WHERE a.attrelid = $1::pg_catalog.oid AND a.attnum > 0\n"
            "  AND NOT a.attisdropped\n"
            "ORDER BY a.attnum");
    job_chain(j, &q, on_columns);
}

static void on_viewdef(job *j, pd_result *res)
{
    if (pd_result_nrows(res) > 0)
        j->viewdef = pd_xstrdup(val(res, 0, 0));
    pd_result_free(res);
    send_columns(j);
}

static void on_info(job *j, pd_result *res)
{
    qb q;

    if (pd_result_nrows(res) == 0) {
        /* Dropped since it was found. */
        if (!sh_session_print_opts(j->s)->quiet)
            sh_session_errorf(j->s, "Did not find any relation with OID %s.",
                              rel_oid(j));
        pd_result_free(res);
        job_end(j, 1);
        return;
    }
    j->info = res;
    j->kind = info(j, INFO_KIND)[0];
    qb_oid(&q, rel_oid(j));
    if (j->kind == 'S') {
        qb_puts(&q,
                "SELECT pg_catalog.format_type(seqtypid, NULL) AS \"Type\",\n"
                "  seqstart AS \"Start\",\n"
                "  seqmin AS \"Minimum\",\n"
                "  seqmax AS \"Maximum\",\n"
                "  seqincrement AS \"Increment\",\n"
                "  CASE WHEN seqcycle THEN 'yes' ELSE 'no' END "
                "AS \"Cycles?\",\n"
                "  seqcache AS \"Cache\"\n"
                "FROM pg_catalog.pg_sequence\n"
                "WHERE seqrelid = $1::pg_catalog.oid");
        job_chain(j, &q, on_seq);
    } else if (kind_in(j, "vm") && j->verbose) {
        qb_puts(&q, "SELECT pg_catalog.pg_get_viewdef($1::pg_catalog.oid, "
                    "true)");
        job_chain(j, &q, on_viewdef);
    } else {
        qb_free(&q);
        send_columns(j);
    }
}

/* Describes the next match, or ends the command after the last. */
static void describe_next(job *j)
{
    qb q;

    pd_result_free(j->info);
    j->info = NULL;
    free(j->viewdef);
    j->viewdef = NULL;
    tab_free(&j->tab);
    if (j->rel >= pd_result_nrows(j->rels)) {
        job_end(j, 0);
        return;
    }
    qb_oid(&q, rel_oid(j));
    qb_puts(&q,
            "SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules,\n"
            "  c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity,\n"
            "  c.relispartition,\n"
            "  pg_catalog.array_to_string(c.reloptions || array(\n"
            "    SELECT 'toast.' || x\n"
            "    FROM pg_catalog.unnest(tc.reloptions) x), ', '),\n"
            "  (SELECT spcname FROM pg_catalog.pg_tablespace\n"
            "   WHERE oid = c.reltablespace),\n"
            "  CASE WHEN c.reloftype = 0 THEN ''\n"
            "    ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END,\n"
            "  c.relpersistence, c.relreplident, am.amname\n"
            "FROM pg_catalog.pg_class c\n"
            "  LEFT JOIN pg_catalog.pg_class tc ON c.reltoastrelid = tc.oid\n"
            "  LEFT JOIN pg_catalog.pg_am am ON c.relam = am.oid\n"
            "WHERE c.oid = $1::pg_catalog.oid");
    job_chain(j, &q, on_info);
}

/* -- footers -- */

/* The footer lines of an index (F_INDEX). */
static void index_footer(job *j, const pd_result *res)
{
    pd_strbuf sb = PD_STRBUF_INIT;
    const char *pred = val(res, 0, 10);

    if (is_true(res, 0, 1))
        pd_strbuf_puts(&sb, "primary key, ");
    else if (is_true(res, 0, 0))
        pd_strbuf_printf(&sb, "unique%s, ",
                         is_true(res, 0, 7) ? " nulls not distinct" : "");
    pd_strbuf_printf(&sb, "%s, for table \"%s.%s\"", val(res, 0, 8),
                     rel_schema(j), val(res, 0, 9));
    if (pred[0] != '\0')
        pd_strbuf_printf(&sb, ", predicate (%s)", pred);
    if (is_true(res, 0, 2))
        pd_strbuf_puts(&sb, ", clustered");
    if (!is_true(res, 0, 3))
        pd_strbuf_puts(&sb, ", invalid");
    if (is_true(res, 0, 4))
        pd_strbuf_puts(&sb, ", deferrable");
    if (is_true(res, 0, 5))
        pd_strbuf_puts(&sb, ", initially deferred");
    if (is_true(res, 0, 6))
        pd_strbuf_puts(&sb, ", replica identity");
    tab_footer_take(&j->tab, pd_strbuf_steal(&sb));
    if (j->kind == 'i' && !pd_result_is_null(j->info, 0, INFO_TABLESPACE))
        tab_footer(&j->tab, "Tablespace: \"%s\"", info(j, INFO_TABLESPACE));
}

/* One line per index of a table (F_INDEXES). */
static void indexes_footer(job *j, const pd_result *res)
{
    size_t i, n = pd_result_nrows(res);

    if (n > 0)
        tab_footer(&j->tab, "Indexes:");
    for (i = 0; i < n; i++) {
        pd_strbuf sb = PD_STRBUF_INIT;

        pd_strbuf_printf(&sb, "    \"%s\"", val(res, i, 0));
        if (strcmp(val(res, i, 7), "x") == 0) {
            /* An exclusion constraint shows as its definition. */
            pd_strbuf_printf(&sb, " %s", val(res, i, 6));
        } else {
            const char *def = val(res, i, 5);
            const char *using = strstr(def, " USING ");

            if (is_true(res, i, 1))
                pd_strbuf_puts(&sb, " PRIMARY KEY,");
            else if (is_true(res, i, 2))
                pd_strbuf_puts(&sb, strcmp(val(res, i, 7), "u") == 0
                                        ? " UNIQUE CONSTRAINT,"
                                        : " UNIQUE,");
            pd_strbuf_printf(&sb, " %s", using != NULL ? using + 7 : def);
            if (is_true(res, i, 8))
                pd_strbuf_puts(&sb, " DEFERRABLE");
            if (is_true(res, i, 9))
                pd_strbuf_puts(&sb, " INITIALLY DEFERRED");
        }
        if (is_true(res, i, 3))
            pd_strbuf_puts(&sb, " CLUSTER");
        if (!is_true(res, i, 4))
            pd_strbuf_puts(&sb, " INVALID");
        if (is_true(res, i, 10))
            pd_strbuf_puts(&sb, " REPLICA IDENTITY");
        if (!pd_result_is_null(res, i, 11))
            pd_strbuf_printf(&sb, ", tablespace \"%s\"", val(res, i, 11));
        tab_footer_take(&j->tab, pd_strbuf_steal(&sb));
    }
}

/* Row-level security (F_POLICIES): a heading that says the table's mode,
 * then each policy over several lines. */
static void policies_footer(job *j, const pd_result *res)
{
    bool on = info_true(j, INFO_ROWSEC);
    bool forced = info_true(j, INFO_FORCEROWSEC);
    size_t i, n = pd_result_nrows(res);

    if (on && !forced && n > 0)
        tab_footer(&j->tab, "Policies:");
    if (on && forced && n > 0)
        tab_footer(&j->tab, "Policies (forced row security enabled):");
    if (on && !forced && n == 0)
        tab_footer(&j->tab, "Policies (row security enabled): (none)");
    if (on && forced && n == 0)
        tab_footer(&j->tab,
                   "Policies (forced row security enabled): (none)");
    if (!on && n > 0)
        tab_footer(&j->tab, "Policies (row security disabled):");
    for (i = 0; i < n; i++) {
        pd_strbuf sb = PD_STRBUF_INIT;

        pd_strbuf_printf(&sb, "    POLICY \"%s\"", val(res, i, 0));
        if (val(res, i, 1)[0] == 'f')
            pd_strbuf_puts(&sb, " AS RESTRICTIVE");
        if (!pd_result_is_null(res, i, 5))
            pd_strbuf_printf(&sb, " FOR %s", val(res, i, 5));
        if (!pd_result_is_null(res, i, 2))
            pd_strbuf_printf(&sb, "\n      TO %s", val(res, i, 2));
        if (!pd_result_is_null(res, i, 3))
            pd_strbuf_printf(&sb, "\n      USING (%s)", val(res, i, 3));
        if (!pd_result_is_null(res, i, 4))
            pd_strbuf_printf(&sb, "\n      WITH CHECK (%s)", val(res, i, 4));
        tab_footer_take(&j->tab, pd_strbuf_steal(&sb));
    }
}

/* Extended statistics (F_STATS). */
static void stats_footer(job *j, const pd_result *res)
{
    size_t i, n = pd_result_nrows(res);

    if (n > 0)
        tab_footer(&j->tab, "Statistics objects:");
    for (i = 0; i < n; i++) {
        pd_strbuf sb = PD_STRBUF_INIT;
        bool nd = is_true(res, i, 5), dep = is_true(res, i, 6);
        bool mcv = is_true(res, i, 7);

        pd_strbuf_printf(&sb, "    \"%s.%s\"", val(res, i, 2),
                         val(res, i, 3));
        /* No kinds listed when all are (CREATE STATISTICS's default) or
         * none are (a single expression). */
        if ((nd || dep || mcv) && !(nd && dep && mcv))
            pd_strbuf_printf(&sb, " (%s%s%s%s%s)", nd ? "ndistinct" : "",
                             nd && dep ? ", " : "",
                             dep ? "dependencies" : "",
                             (nd || dep) && mcv ? ", " : "",
                             mcv ? "mcv" : "");
        pd_strbuf_printf(&sb, " ON %s FROM %s", val(res, i, 4),
                         val(res, i, 1));
        if (!pd_result_is_null(res, i, 8) &&
            strcmp(val(res, i, 8), "-1") != 0)
            pd_strbuf_printf(&sb, "; STATISTICS %s", val(res, i, 8));
        tab_footer_take(&j->tab, pd_strbuf_steal(&sb));
    }
}

/* A table's rules by state (F_RULES), each after "CREATE RULE ". */
static void rules_footer(job *j, const pd_result *res)
{
    static const char states[] = "ODAR";
    static const char *const headings[] = {
        "Rules:", "Disabled rules:", "Rules firing always:",
        "Rules firing on replica only:"};
    size_t i, n = pd_result_nrows(res);
    int c;

    for (c = 0; c < 4; c++) {
        bool heading = false;

        for (i = 0; i < n; i++) {
            const char *def = val(res, i, 1);

            if (val(res, i, 2)[0] != states[c])
                continue;
            if (!heading)
                tab_footer(&j->tab, "%s", headings[c]);
            heading = true;
            tab_footer(&j->tab, "    %s", strlen(def) > 12 ? def + 12 : "");
        }
    }
}

/* Triggers by category (F_TRIGGERS), each after "CREATE TRIGGER". */
static void triggers_footer(job *j, const pd_result *res)
{
    static const char *const headings[] = {
        "Triggers:", "Disabled user triggers:", "Disabled internal triggers:",
        "Triggers firing always:", "Triggers firing on replica only:"};
    size_t i, n = pd_result_nrows(res);
    int c;

    for (c = 0; c < 5; c++) {
        bool heading = false;

        for (i = 0; i < n; i++) {
            char en = val(res, i, 2)[0];
            bool internal = val(res, i, 3)[0] == 't';
            bool off = en == 'D' || en == 'f';
            bool list = c == 0   ? en == 'O' || en == 't'
                        : c == 1 ? off && !internal
                        : c == 2 ? off && internal
                        : c == 3 ? en == 'A'
                                 : en == 'R';
            const char *def = val(res, i, 1), *p;
            pd_strbuf sb = PD_STRBUF_INIT;

            if (!list)
                continue;
            if (!heading)
                tab_footer(&j->tab, "%s", headings[c]);
            heading = true;
            p = strstr(def, " TRIGGER ");
            pd_strbuf_printf(&sb, "    %s", p != NULL ? p + 9 : def);
            if (!pd_result_is_null(res, i, 4))
                pd_strbuf_printf(&sb, ", ON TABLE %s", val(res, i, 4));
            tab_footer_take(&j->tab, pd_strbuf_steal(&sb));
        }
    }
}

/* "Inherits: a," then the others aligned under the first. */
static void inherits_footer(job *j, const pd_result *res)
{
    size_t i, n = pd_result_nrows(res);

    for (i = 0; i < n; i++)
        tab_footer(&j->tab, "%s %s%s", i == 0 ? "Inherits:" : "         ",
                   val(res, i, 0), i + 1 < n ? "," : "");
}

/* Children or partitions (F_CHILDREN): their number, or with \d+ the
 * list. */
static void children_footer(job *j, const pd_result *res)
{
    bool parted = kind_in(j, "pI");
    size_t i, n = pd_result_nrows(res);
    const char *ct = parted ? "Partitions" : "Child tables";

    if (parted && n == 0) {
        tab_footer(&j->tab, "Number of partitions: 0");
    } else if (!j->verbose) {
        if (n > 0)
            tab_footer(&j->tab, "Number of %s: %zu (Use \\d+ to list them.)",
                       parted ? "partitions" : "child tables", n);
    } else {
        for (i = 0; i < n; i++) {
            pd_strbuf sb = PD_STRBUF_INIT;
            char kind = val(res, i, 1)[0];

            if (i == 0)
                pd_strbuf_printf(&sb, "%s: %s", ct, val(res, i, 0));
            else
                pd_strbuf_printf(&sb, "%*s  %s", (int)strlen(ct), "",
                                 val(res, i, 0));
            if (val(res, i, 3)[0] != '\0')
                pd_strbuf_printf(&sb, " %s", val(res, i, 3));
            if (kind == 'p' || kind == 'I')
                pd_strbuf_puts(&sb, ", PARTITIONED");
            else if (kind == 'f')
                pd_strbuf_puts(&sb, ", FOREIGN");
            if (is_true(res, i, 2))
                pd_strbuf_puts(&sb, " (DETACH PENDING)");
            if (i + 1 < n)
                pd_strbuf_putc(&sb, ',');
            tab_footer_take(&j->tab, pd_strbuf_steal(&sb));
        }
    }
}

/* The result of the footer step j->fstep. */
static void on_footer(job *j, pd_result *res)
{
    ptab *t = &j->tab;
    size_t i, n = pd_result_nrows(res);

    switch (j->fstep) {
    case F_PARTOF:
        if (n > 0) {
            tab_footer(t, "Partition of: %s %s%s", val(res, 0, 0),
                       val(res, 0, 1),
                       is_true(res, 0, 2) ? " DETACH PENDING" : "");
            if (j->verbose) {
                const char *c = val(res, 0, 3);

                if (c[0] == '\0')
                    tab_footer(t, "No partition constraint");
                else
                    tab_footer(t, "Partition constraint: %s", c);
            }
        }
        break;
    case F_PARTKEY:
        if (n == 1)
            tab_footer(t, "Partition key: %s", val(res, 0, 0));
        break;
    case F_TOAST:
        if (n == 1)
            tab_footer(t, "Owning table: \"%s.%s\"", val(res, 0, 0),
                       val(res, 0, 1));
        break;
    case F_INDEX:
        if (n != 1) {
            /* psql gives up on the table without a word. */
            pd_result_free(res);
            job_end(j, 1);
            return;
        }
        index_footer(j, res);
        break;
    case F_INDEXES:
        indexes_footer(j, res);
        break;
    case F_CHECKS:
        if (n > 0)
            tab_footer(t, "Check constraints:");
        for (i = 0; i < n; i++)
            tab_footer(t, "    \"%s\" %s", val(res, i, 0), val(res, i, 1));
        break;
    case F_FKEYS:
        if (n > 0)
            tab_footer(t, "Foreign-key constraints:");
        for (i = 0; i < n; i++) {
            /* Constraints inherited from a partitioned parent name it. */
            if (strcmp(val(res, i, 0), "f") == 0)
                tab_footer(t, "    TABLE \"%s\" CONSTRAINT \"%s\" %s",
                           val(res, i, 3), val(res, i, 1), val(res, i, 2));
            else
                tab_footer(t, "    \"%s\" %s", val(res, i, 1),
                           val(res, i, 2));
        }
        break;
    case F_REFBY:
        if (n > 0)
            tab_footer(t, "Referenced by:");
        for (i = 0; i < n; i++)
            tab_footer(t, "    TABLE \"%s\" CONSTRAINT \"%s\" %s",
                       val(res, i, 1), val(res, i, 0), val(res, i, 2));
        break;
    case F_POLICIES:
        policies_footer(j, res);
        break;
    case F_STATS:
        stats_footer(j, res);
        break;
    case F_RULES:
        rules_footer(j, res);
        break;
    case F_PUBS:
        if (n > 0)
            tab_footer(t, "Publications:");
        for (i = 0; i < n; i++) {
            pd_strbuf sb = PD_STRBUF_INIT;

            pd_strbuf_printf(&sb, "    \"%s\"", val(res, i, 0));
            if (!pd_result_is_null(res, i, 2))
                pd_strbuf_printf(&sb, " (%s)", val(res, i, 2));
            if (!pd_result_is_null(res, i, 1))
                pd_strbuf_printf(&sb, " WHERE %s", val(res, i, 1));
            tab_footer_take(t, pd_strbuf_steal(&sb));
        }
        break;
    case F_VIEWRULES:
        if (n > 0)
            tab_footer(t, "Rules:");
        for (i = 0; i < n; i++) {
            const char *def = val(res, i, 1);

            tab_footer(t, " %s", strlen(def) > 12 ? def + 12 : "");
        }
        break;
    case F_TRIGGERS:
        triggers_footer(j, res);
        break;
    case F_SERVER:
        if (n > 0) {
            tab_footer(t, "Server: %s", val(res, 0, 0));
            if (val(res, 0, 1)[0] != '\0')
                tab_footer(t, "FDW options: (%s)", val(res, 0, 1));
        }
        break;
    case F_INHERITS:
        inherits_footer(j, res);
        break;
    case F_CHILDREN:
        children_footer(j, res);
        break;
    default:
        break;
    }
    pd_result_free(res);
    j->fstep++;
    footer_next(j);
}

/* The footers that need no query, then the print, then the next match. */
static void finish_table(job *j)
{
    ptab *t = &j->tab;
    sh_print_opts o = *sh_session_print_opts(j->s);
    char ri = info(j, INFO_REPLIDENT)[0];
    bool catalog = strcmp(rel_schema(j), "pg_catalog") == 0;

    if (kind_in(j, "rmfpIt")) {
        const char *oftype = info(j, INFO_OFTYPE);

        if (oftype[0] != '\0')
            tab_footer(t, "Typed table of type: %s", oftype);
        /* The default identity goes unsaid; an index one is marked on
         * the index. */
        if (j->verbose && kind_in(j, "rm") && ri != 'i' &&
            ((!catalog && ri != 'd') || (catalog && ri != 'n')))
            tab_footer(t, "Replica Identity: %s",
                       ri == 'f' ? "FULL" : ri == 'n' ? "NOTHING" : "???");
        if (j->kind != 'f' &&
            !pd_result_is_null(j->info, 0, INFO_TABLESPACE))
            tab_footer(t, "Tablespace: \"%s\"", info(j, INFO_TABLESPACE));
        if (j->verbose && !pd_result_is_null(j->info, 0, INFO_AM))
            tab_footer(t, "Access method: %s", info(j, INFO_AM));
    }
    if (j->verbose && info(j, INFO_OPTIONS)[0] != '\0')
        tab_footer(t, "Options: %s", info(j, INFO_OPTIONS));

    /* psql counts no rows here and never turns this table sideways. */
    o.footer = false;
    o.expanded = 0;
    tab_print(sh_session_out(j->s), t, &o);
    j->rel++;
    describe_next(j);
}

/* Builds the query of footer step st into q; false when the relation has
 * nothing for that step. */
static bool footer_query(job *j, int st, qb *q)
{
    const char *oid = rel_oid(j);
    bool tablelike = kind_in(j, "rmfpt");
    bool finish = kind_in(j, "rmfpIt");

    qb_oid(q, oid);
    switch (st) {
    case F_PARTOF:
        if (!info_true(j, INFO_ISPARTITION))
            return false;
        qb_printf(q,
                  "SELECT inhparent::pg_catalog.regclass,\n"
                  "  pg_catalog.pg_get_expr(c.relpartbound, c.oid),\n"
                  "  inhdetachpending,\n"
                  "  %s\n"
                  "FROM pg_catalog.pg_class c\n"
                  "  JOIN pg_catalog.pg_inherits i ON c.oid = inhrelid\n"
                  "WHERE c.oid = $1::pg_catalog.oid",
                  j->verbose ? "pg_catalog.pg_get_partition_constraintdef("
                               "c.oid)"
                             : "NULL");
        return true;
    case F_PARTKEY:
        if (j->kind != 'p')
            return false;
        qb_puts(q, "SELECT pg_catalog.pg_get_partkeydef($1::pg_catalog.oid)");
        return true;
    case F_TOAST:
        if (j->kind != 't')
            return false;
        qb_puts(q, "SELECT n.nspname, c.relname\n"
                   "FROM pg_catalog.pg_class c\n"
                   "  JOIN pg_catalog.pg_namespace n "
                   "ON n.oid = c.relnamespace\n"
                   "WHERE c.reltoastrelid = $1::pg_catalog.oid");
        return true;
    case F_INDEX:
        if (!kind_in(j, "iI"))
            return false;
        qb_puts(q,
                "SELECT i.indisunique, i.indisprimary, i.indisclustered,\n"
                "  i.indisvalid,\n"
                "  (NOT i.indimmediate) AND EXISTS (\n"
                "    SELECT 1 FROM pg_catalog.pg_constraint\n"
                "    WHERE conrelid = i.indrelid AND conindid = i.indexrelid\n"
                "      AND contype IN ('p', 'u', 'x') AND condeferrable),\n"
                "  (NOT i.indimmediate) AND EXISTS (\n"
                "    SELECT 1 FROM pg_catalog.pg_constraint\n"
                "    WHERE conrelid = i.indrelid AND conindid = i.indexrelid\n"
                "      AND contype IN ('p', 'u', 'x') AND condeferred),\n"
                "  i.indisreplident, i.indnullsnotdistinct,\n"
                "  a.amname, c2.relname,\n"
                "  pg_catalog.pg_get_expr(i.indpred, i.indrelid, true)\n"
                "FROM pg_catalog.pg_index i\n"
                "  JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid\n"
                "  JOIN pg_catalog.pg_class c2 ON c2.oid = i.indrelid\n"
                "  JOIN pg_catalog.pg_am a ON a.oid = c.relam\n"
                "WHERE c.oid = $1::pg_catalog.oid");
        return true;
    case F_INDEXES:
        if (!tablelike || !info_true(j, INFO_HASINDEX))
            return false;
        qb_puts(q,
                "SELECT c2.relname, i.indisprimary, i.indisunique,\n"
                "  i.indisclustered, i.indisvalid,\n"
                "  pg_catalog.pg_get_indexdef(i.indexrelid, 0, true),\n"
                "  pg_catalog.pg_get_constraintdef(con.oid, true),\n"
                "  con.contype, con.condeferrable, con.condeferred,\n"
                "  i.indisreplident,\n"
                "  (SELECT spcname FROM pg_catalog.pg_tablespace\n"
                "   WHERE oid = c2.reltablespace)\n"
                "FROM pg_catalog.pg_index i\n"
                "  JOIN pg_catalog.pg_class c2 ON c2.oid = i.indexrelid\n"
                "  LEFT JOIN pg_catalog.pg_constraint con\n"
                "    ON con.conrelid = i.indrelid\n"
                "   AND con.conindid = i.indexrelid\n"
                "   AND con.contype IN ('p', 'u', 'x')\n"
                "WHERE i.indrelid = $1::pg_catalog.oid\n"
                "ORDER BY i.indisprimary DESC, c2.relname");
        return true;
    case F_CHECKS:
        if (!tablelike || atoi(info(j, INFO_CHECKS)) == 0)
            return false;
        qb_puts(q, "SELECT r.conname,\n"
                   "  pg_catalog.pg_get_constraintdef(r.oid, true)\n"
                   "FROM pg_catalog.pg_constraint r\n"
                   "WHERE r.conrelid = $1::pg_catalog.oid "
                   "AND r.contype = 'c'\n"
                   "ORDER BY 1");
        return true;
    case F_FKEYS:
        if (!tablelike ||
            (!info_true(j, INFO_HASTRIGGERS) && j->kind != 'p'))
            return false;
        if (info_true(j, INFO_ISPARTITION) || j->kind == 'p')
            /* Its own first, then those of its partitioned ancestors. */
            qb_puts(q,
                    "SELECT conrelid = $1::pg_catalog.regclass AS sametable,\n"
                    "  conname,\n"
                    "  pg_catalog.pg_get_constraintdef(oid, true),\n"
                    "  conrelid::pg_catalog.regclass\n"
                    "FROM pg_catalog.pg_constraint,\n"
                    "  pg_catalog.pg_partition_ancestors($1)\n"
                    "WHERE conrelid = relid AND contype = 'f'\n"
                    "  AND conparentid = 0\n"
                    "ORDER BY sametable DESC, conname");
        else
            qb_puts(q,
                    "SELECT true, conname,\n"
                    "  pg_catalog.pg_get_constraintdef(r.oid, true),\n"
                    "  conrelid::pg_catalog.regclass\n"
                    "FROM pg_catalog.pg_constraint r\n"
                    "WHERE r.conrelid = $1::pg_catalog.oid "
                    "AND r.contype = 'f'\n"
                    "  AND conparentid = 0\n"
                    "ORDER BY conname");
        return true;
    case F_REFBY:
        if (!tablelike ||
            (!info_true(j, INFO_HASTRIGGERS) && j->kind != 'p'))
            return false;
        qb_puts(q,
                "SELECT conname, conrelid::pg_catalog.regclass,\n"
                "  pg_catalog.pg_get_constraintdef(oid, true)\n"
                "FROM pg_catalog.pg_constraint\n"
                "WHERE confrelid IN (\n"
                "    SELECT pg_catalog.pg_partition_ancestors("
                "$1::pg_catalog.regclass)\n"
                "    UNION ALL VALUES ($1::pg_catalog.regclass))\n"
                "  AND contype = 'f' AND conparentid = 0\n"
                "ORDER BY conname");
        return true;
    case F_POLICIES:
        if (!tablelike)
            return false;
        qb_puts(q,
                "SELECT pol.polname, pol.polpermissive,\n"
                "  CASE WHEN pol.polroles = '{0}' THEN NULL ELSE\n"
                "    pg_catalog.array_to_string(array(\n"
                "      SELECT rolname FROM pg_catalog.pg_roles\n"
                "      WHERE oid = any (pol.polroles) ORDER BY 1), ',')\n"
                "  END,\n"
                "  pg_catalog.pg_get_expr(pol.polqual, pol.polrelid),\n"
                "  pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid),\n"
                "  CASE pol.polcmd WHEN 'r' THEN 'SELECT' "
                "WHEN 'a' THEN 'INSERT'\n"
                "    WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' END\n"
                "FROM pg_catalog.pg_policy pol\n"
                "WHERE pol.polrelid = $1::pg_catalog.oid\n"
                "ORDER BY 1");
        return true;
    case F_STATS:
        if (!tablelike)
            return false;
        qb_puts(q,
                "SELECT oid, stxrelid::pg_catalog.regclass,\n"
                "  stxnamespace::pg_catalog.regnamespace::pg_catalog.text "
                "AS nsp,\n"
                "  stxname,\n"
                "  pg_catalog.pg_get_statisticsobjdef_columns(oid),\n"
                "  'd' = any(stxkind), 'f' = any(stxkind), "
                "'m' = any(stxkind),\n"
                "  stxstattarget\n"
                "FROM pg_catalog.pg_statistic_ext\n"
                "WHERE stxrelid = $1::pg_catalog.oid\n"
                "ORDER BY nsp, stxname");
        return true;
    case F_RULES:
        if (!tablelike || j->kind == 'm' || !info_true(j, INFO_HASRULES))
            return false;
        qb_puts(q,
                "SELECT r.rulename,\n"
                "  trim(trailing ';' from "
                "pg_catalog.pg_get_ruledef(r.oid, true)),\n"
                "  ev_enabled\n"
                "FROM pg_catalog.pg_rewrite r\n"
                "WHERE r.ev_class = $1::pg_catalog.oid\n"
                "ORDER BY 1");
        return true;
    case F_PUBS:
        if (!tablelike)
            return false;
        qb_puts(q,
                "SELECT pubname, NULL, NULL\n"
                "FROM pg_catalog.pg_publication p\n"
                "  JOIN pg_catalog.pg_publication_namespace pn "
                "ON p.oid = pn.pnpubid\n"
                "  JOIN pg_catalog.pg_class pc "
                "ON pc.relnamespace = pn.pnnspid\n"
                "WHERE pc.oid = $1::pg_catalog.oid\n"
                "  AND pg_catalog.pg_relation_is_publishable($1::pg_catalog."
                "regclass)\n"
                "UNION\n"
                "SELECT pubname,\n"
                "  pg_catalog.pg_get_expr(pr.prqual, c.oid),\n"
                "  CASE WHEN pr.prattrs IS NOT NULL THEN\n"
                "    (SELECT string_agg(attname, ', ')\n"
                "     FROM pg_catalog.generate_series(0,\n"
                "       pg_catalog.array_upper(pr.prattrs::pg_catalog.int2[],"
                " 1)) s,\n"
                "       pg_catalog.pg_attribute\n"
                "     WHERE attrelid = pr.prrelid AND attnum = prattrs[s])\n"
                "  ELSE NULL END\n"
                "FROM pg_catalog.pg_publication p\n"
                "  JOIN pg_catalog.pg_publication_rel pr "
                "ON p.oid = pr.prpubid\n"
                "  JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid\n"
                "WHERE pr.prrelid = $1::pg_catalog.oid\n"
                "UNION\n"
                "SELECT pubname, NULL, NULL\n"
                "FROM pg_catalog.pg_publication p\n"
                "WHERE p.puballtables\n"
                "  AND pg_catalog.pg_relation_is_publishable($1::pg_catalog."
                "regclass)\n"
                "ORDER BY 1");
        return true;
    case F_VIEWRULES:
        if (j->viewdef == NULL)
            return false;
        tab_footer(&j->tab, "View definition:");
        tab_footer(&j->tab, "%s", j->viewdef);
        if (!info_true(j, INFO_HASRULES))
            return false;
        qb_puts(q,
                "SELECT r.rulename,\n"
                "  trim(trailing ';' from "
                "pg_catalog.pg_get_ruledef(r.oid, true))\n"
                "FROM pg_catalog.pg_rewrite r\n"
                "WHERE r.ev_class = $1::pg_catalog.oid "
                "AND r.rulename <> '_RETURN'\n"
                "ORDER BY 1");
        return true;
    case F_TRIGGERS:
        if (!info_true(j, INFO_HASTRIGGERS))
            return false;
        /* Internal triggers only when disabled; a partition's clone of
         * an ancestor's trigger names the ancestor. */
        qb_puts(q,
                "SELECT t.tgname, pg_catalog.pg_get_triggerdef(t.oid, true),\n"
                "  t.tgenabled, t.tgisinternal,\n"
                "  CASE WHEN t.tgparentid != 0 THEN\n"
                "    (SELECT u.tgrelid::pg_catalog.regclass\n"
                "     FROM pg_catalog.pg_trigger AS u,\n"
                "       pg_catalog.pg_partition_ancestors(t.tgrelid)\n"
                "         WITH ORDINALITY AS a(relid, depth)\n"
                "     WHERE u.tgname = t.tgname AND u.tgrelid = a.relid\n"
                "       AND u.tgparentid = 0\n"
                "     ORDER BY a.depth LIMIT 1)\n"
                "  END\n"
                "FROM pg_catalog.pg_trigger t\n"
                "WHERE t.tgrelid = $1::pg_catalog.oid\n"
                "  AND (NOT t.tgisinternal OR "
                "(t.tgisinternal AND t.tgenabled = 'D'))\n"
                "ORDER BY 1");
        return true;
    case F_SERVER:
        if (j->kind != 'f')
            return false;
        qb_puts(q,
                "SELECT s.srvname,\n"
                "  pg_catalog.array_to_string(ARRAY(\n"
                "    SELECT pg_catalog.quote_ident(option_name) || ' ' ||\n"
                "           pg_catalog.quote_literal(option_value)\n"
                "    FROM pg_catalog.pg_options_to_table(ftoptions)), ', ')\n"
                "FROM pg_catalog.pg_foreign_table f,\n"
                "  pg_catalog.pg_foreign_server s\n"
                "WHERE f.ftrelid = $1::pg_catalog.oid "
                "AND s.oid = f.ftserver");
        return true;
    case F_INHERITS:
        if (!finish)
            return false;
        qb_puts(q,
                "SELECT c.oid::pg_catalog.regclass\n"
                "FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i\n"
                "WHERE c.oid = i.inhparent "
                "AND i.inhrelid = $1::pg_catalog.oid\n"
                "  AND c.relkind != 'p' AND c.relkind != 'I'\n"
                "ORDER BY inhseqno");
        return true;
    case F_CHILDREN:
        if (!finish)
            return false;
        qb_puts(q,
                "SELECT c.oid::pg_catalog.regclass, c.relkind,\n"
                "  inhdetachpending,\n"
                "  pg_catalog.pg_get_expr(c.relpartbound, c.oid)\n"
                "FROM pg_catalog.pg_class c, pg_catalog.pg_inherits i\n"
                "WHERE c.oid = i.inhrelid "
                "AND i.inhparent = $1::pg_catalog.oid\n"
                "ORDER BY pg_catalog.pg_get_expr(c.relpartbound, c.oid) = "
                "'DEFAULT',\n"
                "  c.oid::pg_catalog.regclass::pg_catalog.text");
        return true;
    default:
        return false;
    }
}

/* Runs the next footer step that has a query, or finishes the table. */
static void footer_next(job *j)
{
    while (j->fstep < F_DONE) {
        qb q;

        if (footer_query(j, j->fstep, &q)) {
            job_chain(j, &q, on_footer);
            return;
        }
        qb_free(&q);
        j->fstep++;
    }
    finish_table(j);
}

static void on_matches(job *j, pd_result *res)
{
    if (pd_result_nrows(res) == 0) {
        if (!sh_session_print_opts(j->s)->quiet)
            sh_session_errorf(j->s, "Did not find any relation named \"%s\".",
                              j->pattern);
        pd_result_free(res);
        job_end(j, 1);
        return;
    }
    j->rels = res;
    j->rel = 0;
    describe_next(j);
}

/* \d [NAME]: without a name, the list of relations; with one, a
 * description of each relation it matches. */
static int cmd_d(sh_session *s, const char *args)
{
    job *j = job_new(s, "d", args);
    qb q;

    if (j->pattern == NULL) {
        j->kinds = "tvmsE";
        return list_relations(j);
    }
    qb_init(&q);
    qb_puts(&q, "SELECT c.oid, n.nspname, c.relname\n"
                "FROM pg_catalog.pg_class c\n"
                "  LEFT JOIN pg_catalog.pg_namespace n "
                "ON n.oid = c.relnamespace\n");
    if (!job_pattern(j, &q, "n.nspname", "c.relname",
                     "pg_catalog.pg_table_is_visible(c.oid)", 3))
        return job_refused(j);
    qb_puts(&q, "ORDER BY 2, 3");
    return job_start(j, &q, on_matches);
}

/* ---- \df ---- */

static void on_functions(job *j, pd_result *res)
{
    print_list(j, res, "List of functions", NULL, 0);
    pd_result_free(res);
    job_end(j, 0);
}

/* The type names the grammar accepts but neither pg_type nor format_type
 * spells that way, as psql maps them in argument patterns. */
static const char *map_type_name(const char *pat)
{
    static const char *const map[] = {
        "decimal", "numeric", "float", "double precision",
        "int", "integer", "bool[]", "boolean[]",
        "decimal[]", "numeric[]", "float[]", "double precision[]",
        "float4[]", "real[]", "float8[]", "double precision[]",
        "int[]", "integer[]", "int2[]", "smallint[]",
        "int4[]", "integer[]", "int8[]", "bigint[]",
        "time[]", "time without time zone[]",
        "timetz[]", "time with time zone[]",
        "timestamp[]", "timestamp without time zone[]",
        "timestamptz[]", "timestamp with time zone[]",
        "varbit[]", "bit varying[]", "varchar[]", "character varying[]",
        NULL};
    int i;

    for (i = 0; map[i] != NULL; i += 2)
        if (strcasecmp(pat, map[i]) == 0)
            return map[i + 1];
    return pat;
}

/* The kinds filter of \df[anptw]; none of the letters means all. */
static void function_kinds(qb *q, const char *types)
{
    bool agg = strchr(types, 'a') != NULL;
    bool normal = strchr(types, 'n') != NULL;
    bool proc = strchr(types, 'p') != NULL;
    bool trig = strchr(types, 't') != NULL;
    bool window = strchr(types, 'w') != NULL;

    if (!agg && !normal && !proc && !trig && !window)
        return;
    if (normal) {
        if (!agg) {
            qb_and(q);
            qb_puts(q, "p.prokind <> 'a'\n");
        }
        if (!proc) {
            qb_and(q);
            qb_puts(q, "p.prokind <> 'p'\n");
        }
        if (!trig) {
            qb_and(q);
            qb_puts(q, "p.prorettype <> "
                       "'pg_catalog.trigger'::pg_catalog.regtype\n");
        }
        if (!window) {
            qb_and(q);
            qb_puts(q, "p.prokind <> 'w'\n");
        }
        return;
    }
    qb_and(q);
    qb_printf(q, "(%s%s%s%s%s%s%s)\n", agg ? "p.prokind = 'a'" : "",
              agg && trig ? " OR " : "",
              trig ? "p.prorettype = 'pg_catalog.trigger'::pg_catalog.regtype"
                   : "",
              (agg || trig) && proc ? " OR " : "",
              proc ? "p.prokind = 'p'" : "",
              (agg || trig || proc) && window ? " OR " : "",
              window ? "p.prokind = 'w'" : "");
}

/* \df[anptwS+] [PATTERN [ARGTYPE ...]]: functions, of the kinds asked
 * for; each further argument matches the type of one argument in turn,
 * "-" meaning no argument there. */
static int functions_cmd(sh_session *s, const char *name, const char *args,
                         const char *types)
{
    job *j = job_new(s, name, args);
    const char *p = j->rest;
    char *argpat[100], *rest;
    int nargs = 0, i;
    bool ok;
    qb q;

    /* Every argument after the name is a type pattern: none is extra. */
    while (j->pattern != NULL && nargs < 100 &&
           (argpat[nargs] = next_arg(&p)) != NULL)
        nargs++;
    rest = pd_xstrdup(p);
    free(j->rest);
    j->rest = rest;

    qb_init(&q);
    qb_puts(&q,
            "SELECT n.nspname AS \"Schema\",\n"
            "  p.proname AS \"Name\",\n"
            "  pg_catalog.pg_get_function_result(p.oid) "
            "AS \"Result data type\",\n"
            "  pg_catalog.pg_get_function_arguments(p.oid) "
            "AS \"Argument data types\",\n"
            "  CASE p.prokind WHEN 'a' THEN 'agg' WHEN 'w' THEN 'window'\n"
            "    WHEN 'p' THEN 'proc' ELSE 'func' END AS \"Type\"");
    if (j->verbose)
        qb_puts(&q,
                ",\n  CASE WHEN p.provolatile = 'i' THEN 'immutable'\n"
                "    WHEN p.provolatile = 's' THEN 'stable'\n"
                "    WHEN p.provolatile = 'v' THEN 'volatile' "
                "END AS \"Volatility\",\n"
                "  CASE WHEN p.proparallel = 'r' THEN 'restricted'\n"
                "    WHEN p.proparallel = 's' THEN 'safe'\n"
                "    WHEN p.proparallel = 'u' THEN 'unsafe' "
                "END AS \"Parallel\",\n"
                "  pg_catalog.pg_get_userbyid(p.proowner) AS \"Owner\",\n"
                "  CASE WHEN p.prosecdef THEN 'definer' ELSE 'invoker' "
                "END AS \"Security\",\n"
                "  pg_catalog.array_to_string(p.proacl, E'\\n') "
                "AS \"Access privileges\",\n"
                "  l.lanname AS \"Language\",\n"
                "  COALESCE(pg_catalog.pg_get_function_sqlbody(p.oid), "
                "p.prosrc) AS \"Source code\",\n"
                "  pg_catalog.obj_description(p.oid, 'pg_proc') "
                "AS \"Description\"");
    qb_puts(&q, "\nFROM pg_catalog.pg_proc p\n"
                "  LEFT JOIN pg_catalog.pg_namespace n "
                "ON n.oid = p.pronamespace\n");
    if (j->verbose)
        qb_puts(&q, "  LEFT JOIN pg_catalog.pg_language l "
                    "ON l.oid = p.prolang\n");
    for (i = 0; i < nargs; i++)
        qb_printf(&q, "  LEFT JOIN pg_catalog.pg_type t%d "
                      "ON t%d.oid = p.proargtypes[%d]\n"
                      "  LEFT JOIN pg_catalog.pg_namespace nt%d "
                      "ON nt%d.oid = t%d.typnamespace\n",
                  i, i, i, i, i, i);
    function_kinds(&q, types);
    ok = job_pattern(j, &q, "n.nspname", "p.proname",
                     "pg_catalog.pg_function_is_visible(p.oid)", 3);
    /* psql adds these with AND whether or not a WHERE has begun (when
     * none has, they join the last JOIN's condition): so do we. */
    for (i = 0; ok && i < nargs; i++) {
        char var[4][64];
        char *msg;

        q.where = true;
        if (strcmp(argpat[i], "-") == 0) {
            qb_printf(&q, "  AND t%d.typname IS NULL\n", i);
            continue;
        }
        snprintf(var[0], sizeof(var[0]), "nt%d.nspname", i);
        snprintf(var[1], sizeof(var[1]), "t%d.typname", i);
        snprintf(var[2], sizeof(var[2]),
                 "pg_catalog.format_type(t%d.oid, NULL)", i);
        snprintf(var[3], sizeof(var[3]),
                 "pg_catalog.pg_type_is_visible(t%d.oid)", i);
        msg = add_pattern(&q, map_type_name(argpat[i]),
                          sh_session_dbname(s), var[0], var[1], var[2],
                          var[3], 3);
        if (msg != NULL) {
            sh_session_errorf(s, "%s", msg);
            free(msg);
            qb_free(&q);
            ok = false;
        }
    }
    for (i = 0; i < nargs; i++)
        free(argpat[i]);
    if (!ok)
        return job_refused(j);
    if (!j->system && j->pattern == NULL)
        qb_puts(&q, "  AND n.nspname <> 'pg_catalog'\n"
                    "  AND n.nspname <> 'information_schema'\n");
    qb_puts(&q, "ORDER BY 1, 2, 4");
    return job_start(j, &q, on_functions);
}

static int cmd_df(sh_session *s, const char *args)
{
    return functions_cmd(s, "df", args, "");
}

static int cmd_dfa(sh_session *s, const char *args)
{
    return functions_cmd(s, "dfa", args, "a");
}

static int cmd_dfn(sh_session *s, const char *args)
{
    return functions_cmd(s, "dfn", args, "n");
}

static int cmd_dfp(sh_session *s, const char *args)
{
    return functions_cmd(s, "dfp", args, "p");
}

static int cmd_dft(sh_session *s, const char *args)
{
    return functions_cmd(s, "dft", args, "t");
}

static int cmd_dfw(sh_session *s, const char *args)
{
    return functions_cmd(s, "dfw", args, "w");
}

/* ---- \dn ---- */

static void on_schema_pubs(job *j, pd_result *res)
{
    size_t i, n = pd_result_nrows(res);
    char **foot = pd_xcalloc(n + 1, sizeof(char *));

    foot[0] = pd_xstrdup("Publications:");
    for (i = 0; i < n; i++)
        foot[i + 1] = pd_xasprintf("    \"%s\"", val(res, i, 0));
    print_list(j, j->rels, "List of schemas", (const char *const *)foot,
               n > 0 ? n + 1 : 0);
    for (i = 0; i <= n; i++)
        free(foot[i]);
    free(foot);
    pd_result_free(res);
    job_end(j, 0);
}

static void on_schemas(job *j, pd_result *res)
{
    qb q;

    if (j->pattern == NULL) {
        print_list(j, res, "List of schemas", NULL, 0);
        pd_result_free(res);
        job_end(j, 0);
        return;
    }
    /* psql looks the pattern up, as a plain name, among the schemas
     * published. */
    j->rels = res;
    qb_init(&q);
    qb_printf(&q, "SELECT pubname\n"
                  "FROM pg_catalog.pg_publication p\n"
                  "  JOIN pg_catalog.pg_publication_namespace pn "
                  "ON p.oid = pn.pnpubid\n"
                  "  JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid\n"
                  "WHERE n.nspname = $%d\n"
                  "ORDER BY 1",
              qb_param(&q, j->pattern));
    job_chain(j, &q, on_schema_pubs);
}

/* \dn [PATTERN]: schemas. */
static int cmd_dn(sh_session *s, const char *args)
{
    job *j = job_new(s, "dn", args);
    qb q;

    qb_init(&q);
    qb_puts(&q, "SELECT n.nspname AS \"Name\",\n"
                "  pg_catalog.pg_get_userbyid(n.nspowner) AS \"Owner\"");
    if (j->verbose)
        qb_puts(&q, ",\n  pg_catalog.array_to_string(n.nspacl, E'\\n') "
                    "AS \"Access privileges\",\n"
                    "  pg_catalog.obj_description(n.oid, 'pg_namespace') "
                    "AS \"Description\"");
    qb_puts(&q, "\nFROM pg_catalog.pg_namespace n\n");
    if (!j->system && j->pattern == NULL) {
        qb_and(&q);
        qb_puts(&q, "n.nspname !~ '^pg_' "
                    "AND n.nspname <> 'information_schema'\n");
    }
    if (!job_pattern(j, &q, NULL, "n.nspname", NULL, 2))
        return job_refused(j);
    qb_puts(&q, "ORDER BY 1");
    return job_start(j, &q, on_schemas);
}

/* ---- \du and \dg ---- */

/* Appends a role attribute, after ", " unless it is the first. */
static void attr(pd_strbuf *sb, const char *what)
{
    if (sb->len > 0)
        pd_strbuf_puts(sb, ", ");
    pd_strbuf_puts(sb, what);
}

static void on_roles(job *j, pd_result *res)
{
    sh_print_opts o = *sh_session_print_opts(j->s);
    size_t i, n = pd_result_nrows(res);
    int extra = j->verbose ? 1 : 0;
    ptab t;

    memset(&t, 0, sizeof(t));
    t.title = pd_xstrdup("List of roles");
    tab_header(&t, "Role name", 'l');
    tab_header(&t, "Attributes", 'l');
    tab_header(&t, "Member of", 'l');
    if (j->verbose)
        tab_header(&t, "Description", 'l');
    for (i = 0; i < n; i++) {
        pd_strbuf sb = PD_STRBUF_INIT;
        int conns = atoi(val(res, i, 6));

        tab_cell(&t, val(res, i, 0));
        if (is_true(res, i, 1))
            attr(&sb, "Superuser");
        if (!is_true(res, i, 2))
            attr(&sb, "No inheritance");
        if (is_true(res, i, 3))
            attr(&sb, "Create role");
        if (is_true(res, i, 4))
            attr(&sb, "Create DB");
        if (!is_true(res, i, 5))
            attr(&sb, "Cannot login");
        if (is_true(res, i, 9 + extra))
            attr(&sb, "Replication");
        if (is_true(res, i, 10 + extra))
            attr(&sb, "Bypass RLS");
        /* The limit and the expiry go on lines of their own. */
        if (conns >= 0) {
            if (sb.len > 0)
                pd_strbuf_putc(&sb, '\n');
            if (conns == 0)
                pd_strbuf_puts(&sb, "No connections");
            else
                pd_strbuf_printf(&sb, "%d connection%s", conns,
                                 conns == 1 ? "" : "s");
        }
        if (val(res, i, 7)[0] != '\0') {
            if (sb.len > 0)
                pd_strbuf_putc(&sb, '\n');
            pd_strbuf_printf(&sb, "Password valid until %s", val(res, i, 7));
        }
        tab_cell(&t, pd_strbuf_cstr(&sb));
        pd_strbuf_free(&sb);
        tab_cell(&t, val(res, i, 8));
        if (j->verbose)
            tab_cell(&t, val(res, i, 9));
    }
    o.footer = false; /* psql counts no roles */
    tab_print(sh_session_out(j->s), &t, &o);
    tab_free(&t);
    pd_result_free(res);
    job_end(j, 0);
}

static int roles_cmd(sh_session *s, const char *name, const char *args)
{
    job *j = job_new(s, name, args);
    qb q;

    qb_init(&q);
    qb_puts(&q,
            "SELECT r.rolname, r.rolsuper, r.rolinherit,\n"
            "  r.rolcreaterole, r.rolcreatedb, r.rolcanlogin,\n"
            "  r.rolconnlimit, r.rolvaliduntil,\n"
            "  ARRAY(SELECT b.rolname\n"
            "        FROM pg_catalog.pg_auth_members m\n"
            "        JOIN pg_catalog.pg_roles b ON m.roleid = b.oid\n"
            "        WHERE m.member = r.oid) AS memberof");
    if (j->verbose)
        qb_puts(&q, ",\n  pg_catalog.shobj_description(r.oid, 'pg_authid') "
                    "AS description");
    qb_puts(&q, ",\n  r.rolreplication, r.rolbypassrls\n"
                "FROM pg_catalog.pg_roles r\n");
    if (!j->system && j->pattern == NULL) {
        qb_and(&q);
        qb_puts(&q, "r.rolname !~ '^pg_'\n");
    }
    if (!job_pattern(j, &q, NULL, "r.rolname", NULL, 1))
        return job_refused(j);
    qb_puts(&q, "ORDER BY 1");
    return job_start(j, &q, on_roles);
}

static int cmd_du(sh_session *s, const char *args)
{
    return roles_cmd(s, "du", args);
}

static int cmd_dg(sh_session *s, const char *args)
{
    return roles_cmd(s, "dg", args);
}

/* ---- \l ---- */

static void on_databases(job *j, pd_result *res)
{
    print_list(j, res, "List of databases", NULL, 0);
    pd_result_free(res);
    job_end(j, 0);
}

static int databases_cmd(sh_session *s, const char *name, const char *args)
{
    job *j = job_new(s, name, args);
    qb q;

    qb_init(&q);
    qb_puts(&q,
            "SELECT d.datname AS \"Name\",\n"
            "  pg_catalog.pg_get_userbyid(d.datdba) AS \"Owner\",\n"
            "  pg_catalog.pg_encoding_to_char(d.encoding) AS \"Encoding\",\n"
            "  d.datcollate AS \"Collate\",\n"
            "  d.datctype AS \"Ctype\",\n"
            "  d.daticulocale AS \"ICU Locale\",\n"
            "  CASE d.datlocprovider WHEN 'c' THEN 'libc' "
            "WHEN 'i' THEN 'icu' END AS \"Locale Provider\",\n"
            "  pg_catalog.array_to_string(d.datacl, E'\\n') "
            "AS \"Access privileges\"");
    if (j->verbose)
        qb_puts(&q,
                ",\n  CASE WHEN pg_catalog.has_database_privilege("
                "d.datname, 'CONNECT')\n"
                "    THEN pg_catalog.pg_size_pretty("
                "pg_catalog.pg_database_size(d.datname))\n"
                "    ELSE 'No Access' END AS \"Size\",\n"
                "  t.spcname AS \"Tablespace\",\n"
                "  pg_catalog.shobj_description(d.oid, 'pg_database') "
                "AS \"Description\"");
    qb_puts(&q, "\nFROM pg_catalog.pg_database d\n");
    if (j->verbose)
        qb_puts(&q, "  JOIN pg_catalog.pg_tablespace t "
                    "ON d.dattablespace = t.oid\n");
    if (!job_pattern(j, &q, NULL, "d.datname", NULL, 1))
        return job_refused(j);
    qb_puts(&q, "ORDER BY 1");
    return job_start(j, &q, on_databases);
}

static int cmd_l(sh_session *s, const char *args)
{
    return databases_cmd(s, "l", args);
}

static int cmd_list(sh_session *s, const char *args)
{
    return databases_cmd(s, "list", args);
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
    {NULL, NULL, NULL, NULL},
};
