/* commands.c: psql's own backslash commands (table sh_psql_commands).
 *
 * \? \pset \set \unset \echo \qecho \warn \g \gx \gset \p \r \o \i \ir
 * \e \watch \errverbose \copy. Arguments are read with psql's rules
 * (sh_vars_next_arg: quotes, :var interpolation). Wording, output streams
 * and exit statuses are psql 15's. Nothing here blocks the loop: files are
 * opened and read on libuv's thread pool, the editor is a child the loop
 * waits for, \watch sleeps on a uv_timer. */
#include "shell/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/sqlsplit.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "shell/copyio.h"
#include "shell/pager.h"
#include "shell/vars.h"

/* ---- arguments ---- */

/* The next argument with psql's rules, or NULL. Returns-owned. */
static char *next_arg(sh_session *s, const char **p)
{
    return sh_vars_next_arg(sh_session_vars(s), p);
}

/* psql's warning for arguments a command does not take. */
static void extra_args(sh_session *s, const char *cmd, const char *p)
{
    char *a;

    while ((a = next_arg(s, &p)) != NULL) {
        const char *prefix = sh_session_err_prefix(s);
        fflush(sh_session_out(s));
        fprintf(sh_session_err(s), "%s%s\\%s: extra argument \"%s\" ignored\n",
                prefix ? prefix : "", prefix ? "warning: " : "", cmd, a);
        free(a);
    }
}

/* Returns-owned path with a leading "~/" expanded, as psql's
 * expand_tilde. */
static char *expand_tilde(const char *path)
{
    const char *home = getenv("HOME");

    if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') &&
        home != NULL)
        return pd_xasprintf("%s%s", home, path + 1);
    return pd_xstrdup(path);
}

/* ---- files, on the thread pool ---- */

enum { OP_READ, OP_OPEN_WRITE, OP_WRITE_TEMP };

typedef struct fileop fileop;
typedef void (*fileop_cb)(fileop *op);

struct fileop {
    uv_work_t work;
    int kind;       /* OP_* */
    char *path;     /* owned; OP_WRITE_TEMP: a mkstemps template, filled */
    char *data;     /* owned: what was read, or what to write */
    size_t len;
    bool unlink;    /* OP_READ: remove the file once read */
    FILE *f;        /* OP_OPEN_WRITE: the stream, owned until taken */
    int err;        /* errno of the failure, 0 on success */
    fileop_cb cb;
    void *ctx;
};

static void fileop_work(uv_work_t *w)
{
    fileop *op = w->data;
    pd_strbuf sb = PD_STRBUF_INIT;
    char buf[65536];
    size_t n;
    FILE *f;
    int fd;

    switch (op->kind) {
    case OP_READ:
        if ((f = fopen(op->path, "r")) == NULL) {
            op->err = errno;
            return;
        }
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
            pd_strbuf_append(&sb, buf, n);
        if (ferror(f))
            op->err = errno ? errno : EIO;
        fclose(f);
        if (op->unlink)
            unlink(op->path);
        op->len = sb.len;
        op->data = pd_strbuf_steal(&sb);
        return;
    case OP_OPEN_WRITE:
        if ((op->f = fopen(op->path, "w")) == NULL)
            op->err = errno;
        return;
    case OP_WRITE_TEMP:
        if ((fd = mkstemps(op->path, 4)) < 0) {
            op->err = errno;
            return;
        }
        if (write(fd, op->data, op->len) != (ssize_t)op->len)
            op->err = errno ? errno : EIO;
        if (close(fd) != 0 && op->err == 0)
            op->err = errno;
        return;
    default:
        return;
    }
}

static void fileop_after(uv_work_t *w, int status)
{
    fileop *op = w->data;

    if (status < 0 && op->err == 0)
        op->err = ECANCELED;
    op->cb(op);
}

static void fileop_free(fileop *op)
{
    if (op == NULL)
        return;
    if (op->f != NULL)
        fclose(op->f);
    free(op->path);
    free(op->data);
    free(op);
}

/* Starts op (takes it). Returns 0 and calls op->cb later, or non-zero
 * with op freed. */
static int fileop_start(sh_session *s, fileop *op)
{
    op->work.data = op;
    if (uv_queue_work(pd_core_loop(sh_session_core(s)), &op->work,
                      fileop_work, fileop_after) == 0)
        return 0;
    fileop_free(op);
    return -1;
}

static fileop *fileop_new(int kind, const char *path, fileop_cb cb,
                          void *ctx)
{
    fileop *op = pd_xcalloc(1, sizeof(*op));

    op->kind = kind;
    op->path = pd_xstrdup(path);
    op->cb = cb;
    op->ctx = ctx;
    return op;
}

/* ---- \? ---- */

static int cmp_usage(const void *a, const void *b)
{
    const sh_cmd *x = *(const sh_cmd *const *)a;
    const sh_cmd *y = *(const sh_cmd *const *)b;

    return strcmp(x->usage, y->usage);
}

static void on_help_paged(void *ctx)
{
    sh_session_unit_done(ctx, 0);
}

/* Generated from every command table: one block per table, sorted, in
 * psql's two columns; through the pager when taller than the screen. */
static int cmd_help(sh_session *s, const char *args)
{
    size_t ntab, i, n, lines = 0, len = 0;
    const sh_cmd *const *tabs = sh_session_cmd_tables(&ntab);
    const sh_cmd **list = NULL;
    const sh_cmd *c;
    char *buf = NULL;
    const char *pager;
    FILE *m;

    (void)args;
    m = open_memstream(&buf, &len);
    if (m == NULL)
        return 1;
    for (i = 0; i < ntab; i++) {
        n = 0;
        for (c = tabs[i]; c->name != NULL; c++) {
            if (c->usage == NULL)
                continue;
            list = pd_xrealloc(list, (n + 1) * sizeof(*list));
            list[n++] = c;
        }
        if (n == 0)
            continue;
        qsort(list, n, sizeof(*list), cmp_usage);
        if (lines > 0) {
            fputc('\n', m);
            lines++;
        }
        for (size_t k = 0; k < n; k++) {
            fprintf(m, "  %-22s %s\n", list[k]->usage,
                    list[k]->help ? list[k]->help : "");
            lines++;
        }
    }
    fputc('\n', m);
    fclose(m);
    free(list);
    pager = sh_pager_command();
    fflush(sh_session_out(s));
    if (sh_session_is_interactive(s) && pager != NULL &&
        sh_pager_wanted(sh_session_pager_mode(s), lines + 1)) {
        if (sh_pager_run(pd_core_loop(sh_session_core(s)), pager, buf, len,
                         on_help_paged, s) == 0)
            return SH_CMD_ASYNC;
    }
    fwrite(buf, 1, len, sh_session_stdout(s));
    free(buf);
    return 0;
}

/* ---- \pset ---- */

/* psql's pset_quoted_string: 'a\'b', newlines as \n. Returns-owned. */
static char *pset_quoted(const char *v)
{
    pd_strbuf sb = PD_STRBUF_INIT;

    pd_strbuf_putc(&sb, '\'');
    for (; *v; v++) {
        if (*v == '\n')
            pd_strbuf_puts(&sb, "\\n");
        else if (*v == '\'' || *v == '\\') {
            pd_strbuf_putc(&sb, '\\');
            pd_strbuf_putc(&sb, *v);
        } else
            pd_strbuf_putc(&sb, *v);
    }
    pd_strbuf_putc(&sb, '\'');
    return pd_strbuf_steal(&sb);
}

static const char *format_name(sh_format_kind f)
{
    switch (f) {
    case SH_FMT_UNALIGNED: return "unaligned";
    case SH_FMT_CSV: return "csv";
    case SH_FMT_JSON: return "json";
    default: return "aligned";
    }
}

static const char *on_off(bool b)
{
    return b ? "on" : "off";
}

/* \pset without arguments: every option, as psql lists them. */
static void pset_list(sh_session *s)
{
    sh_print_opts *o = sh_session_print_opts(s);
    FILE *out = sh_session_stdout(s);
    char csv[2] = {o->csv_fieldsep, '\0'};
    char *q;

#define ROW(name, fmt, val) fprintf(out, "%-24s " fmt "\n", name, val)
    ROW("border", "%d", o->border);
    ROW("columns", "%d", 0);
    q = pset_quoted(csv);
    ROW("csv_fieldsep", "%s", q);
    free(q);
    ROW("expanded", "%s", o->expanded == 2 ? "auto" : on_off(o->expanded));
    q = pset_quoted(o->field_sep ? o->field_sep : "");
    ROW("fieldsep", "%s", q);
    free(q);
    ROW("fieldsep_zero", "%s", "off");
    ROW("footer", "%s", on_off(o->footer));
    ROW("format", "%s", format_name(o->format));
    ROW("linestyle", "%s", "ascii");
    q = pset_quoted(o->null_str ? o->null_str : "");
    ROW("null", "%s", q);
    free(q);
    ROW("numericlocale", "%s", "off");
    ROW("pager", "%d", sh_session_pager_mode(s));
    ROW("pager_min_lines", "%d", 0);
    q = pset_quoted(o->record_sep ? o->record_sep : "");
    ROW("recordsep", "%s", q);
    free(q);
    ROW("recordsep_zero", "%s", "off");
    ROW("tableattr", "%s", "");
    ROW("title", "%s", "");
    ROW("tuples_only", "%s", on_off(o->tuples_only));
    ROW("unicode_border_linestyle", "%s", "single");
    ROW("unicode_column_linestyle", "%s", "single");
    ROW("unicode_header_linestyle", "%s", "single");
#undef ROW
}

/* psql's formats, for its abbreviation rule; pgdeck prints four (and
 * json, which psql does not have). */
static const char *const formats[] = {
    "aligned", "asciidoc", "csv", "html", "json", "latex",
    "latex-longtable", "troff-ms", "unaligned", "wrapped",
};

static int pset_format(sh_session *s, const char *v)
{
    sh_print_opts *o = sh_session_print_opts(s);
    const char *match = NULL;
    size_t i, n = strlen(v);

    for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        if (strncasecmp(formats[i], v, n) != 0)
            continue;
        if (strlen(formats[i]) == n) {
            match = formats[i];
            break;
        }
        if (match != NULL) {
            sh_session_errorf(s, "\\pset: ambiguous abbreviation \"%s\" "
                              "matches both \"%s\" and \"%s\"",
                              v, match, formats[i]);
            return 1;
        }
        match = formats[i];
    }
    if (match == NULL || n == 0) {
        sh_session_errorf(s, "\\pset: allowed formats are aligned, csv, "
                          "json, unaligned");
        return 1;
    }
    if (strcmp(match, "aligned") == 0)
        o->format = SH_FMT_ALIGNED;
    else if (strcmp(match, "unaligned") == 0)
        o->format = SH_FMT_UNALIGNED;
    else if (strcmp(match, "csv") == 0)
        o->format = SH_FMT_CSV;
    else if (strcmp(match, "json") == 0)
        o->format = SH_FMT_JSON;
    else {
        sh_session_errorf(s, "\\pset: format \"%s\" is not supported by "
                          "pgdeck; allowed formats are aligned, csv, json, "
                          "unaligned", match);
        return 1;
    }
    return 0;
}

/* Sets a boolean option: the value, or a toggle without one. Returns 0,
 * or 1 with psql's message. */
static int pset_bool(sh_session *s, const char *name, const char *v, bool *b)
{
    int r;

    if (v == NULL) {
        *b = !*b;
        return 0;
    }
    r = sh_vars_parse_bool(v);
    if (r < 0) {
        sh_session_errorf(s, "unrecognized value \"%s\" for \"%s\": "
                          "Boolean expected", v, name);
        return 1;
    }
    *b = r;
    return 0;
}

static void set_str(char **field, const char *v)
{
    free(*field);
    *field = pd_xstrdup(v);
}

/* Prints psql's line for option name after a change. */
static void pset_info(sh_session *s, const char *name)
{
    sh_print_opts *o = sh_session_print_opts(s);
    FILE *out = sh_session_stdout(s);

    if (strcmp(name, "format") == 0)
        fprintf(out, "Output format is %s.\n", format_name(o->format));
    else if (strcmp(name, "border") == 0)
        fprintf(out, "Border style is %d.\n", o->border);
    else if (strcmp(name, "expanded") == 0)
        fputs(o->expanded == 2 ? "Expanded display is used automatically.\n"
              : o->expanded ? "Expanded display is on.\n"
                            : "Expanded display is off.\n", out);
    else if (strcmp(name, "null") == 0)
        fprintf(out, "Null display is \"%s\".\n", o->null_str);
    else if (strcmp(name, "fieldsep") == 0)
        fprintf(out, "Field separator is \"%s\".\n", o->field_sep);
    else if (strcmp(name, "csv_fieldsep") == 0)
        fprintf(out, "Field separator for CSV is \"%c\".\n", o->csv_fieldsep);
    else if (strcmp(name, "recordsep") == 0) {
        if (strcmp(o->record_sep, "\n") == 0)
            fputs("Record separator is <newline>.\n", out);
        else
            fprintf(out, "Record separator is \"%s\".\n", o->record_sep);
    } else if (strcmp(name, "tuples_only") == 0)
        fprintf(out, "Tuples only is %s.\n", on_off(o->tuples_only));
    else if (strcmp(name, "footer") == 0)
        fprintf(out, "Default footer is %s.\n", on_off(o->footer));
    else if (strcmp(name, "pager") == 0)
        fputs(sh_session_pager_mode(s) == 2 ? "Pager is always used.\n"
              : sh_session_pager_mode(s) == 1
                  ? "Pager is used for long output.\n"
                  : "Pager usage is off.\n", out);
}

/* Options psql has and pgdeck's printers do not. */
static const char *const pset_unsupported[] = {
    "columns", "fieldsep_zero", "linestyle", "numericlocale",
    "pager_min_lines", "recordsep_zero", "tableattr", "title",
    "unicode_border_linestyle", "unicode_column_linestyle",
    "unicode_header_linestyle",
};

static int pset_set(sh_session *s, const char *name, const char *v)
{
    sh_print_opts *o = sh_session_print_opts(s);
    size_t i;
    int r;

    if (strcmp(name, "format") == 0) {
        if (v != NULL && pset_format(s, v) != 0)
            return 1;
    } else if (strcmp(name, "border") == 0) {
        if (v != NULL)
            o->border = (unsigned short)atoi(v); /* as psql stores it */
    } else if (strcmp(name, "expanded") == 0 || strcmp(name, "x") == 0) {
        name = "expanded";
        if (v == NULL)
            o->expanded = !o->expanded;
        else if (strcasecmp(v, "auto") == 0)
            o->expanded = 2;
        else if ((r = sh_vars_parse_bool(v)) >= 0)
            o->expanded = r;
        else {
            sh_session_errorf(s, "unrecognized value \"%s\" for \"expanded\"\n"
                              "Available values are: on, off, auto.", v);
            return 1;
        }
    } else if (strcmp(name, "null") == 0) {
        if (v != NULL)
            set_str(&o->null_str, v);
    } else if (strcmp(name, "fieldsep") == 0) {
        if (v != NULL)
            set_str(&o->field_sep, v);
    } else if (strcmp(name, "csv_fieldsep") == 0) {
        if (v != NULL) {
            if (strlen(v) != 1 || strchr("\"\r\n", v[0]) != NULL) {
                sh_session_errorf(s, "\\pset: csv_fieldsep must be a single "
                                  "one-byte character");
                return 1;
            }
            o->csv_fieldsep = v[0];
        }
    } else if (strcmp(name, "recordsep") == 0) {
        if (v != NULL)
            set_str(&o->record_sep, v);
    } else if (strcmp(name, "tuples_only") == 0 || strcmp(name, "t") == 0) {
        if (pset_bool(s, "tuples_only", v, &o->tuples_only) != 0)
            return 1;
        if (v != NULL)
            return 0; /* psql 15 says nothing when given a value */
        name = "tuples_only";
    } else if (strcmp(name, "footer") == 0) {
        if (pset_bool(s, "footer", v, &o->footer) != 0)
            return 1;
        if (v != NULL)
            return 0; /* as psql 15 */
    } else if (strcmp(name, "pager") == 0) {
        if (v == NULL)
            sh_session_set_pager_mode(s, sh_session_pager_mode(s) == 1 ? 0
                                                                     : 1);
        else if (strcasecmp(v, "always") == 0)
            sh_session_set_pager_mode(s, 2);
        else if ((r = sh_vars_parse_bool(v)) >= 0)
            sh_session_set_pager_mode(s, r);
        else {
            sh_session_errorf(s, "unrecognized value \"%s\" for \"pager\"\n"
                              "Available values are: on, off, always.", v);
            return 1;
        }
    } else {
        for (i = 0; i < sizeof(pset_unsupported) / sizeof(char *); i++) {
            if (strcmp(name, pset_unsupported[i]) == 0) {
                sh_session_errorf(s, "\\pset: %s is not supported by pgdeck",
                                  name);
                return 1;
            }
        }
        sh_session_errorf(s, "\\pset: unknown option: %s", name);
        return 1;
    }
    pset_info(s, name);
    return 0;
}

static int cmd_pset(sh_session *s, const char *args)
{
    const char *p = args;
    char *name = next_arg(s, &p), *v;
    int rc;

    if (name == NULL) {
        pset_list(s);
        return 0;
    }
    v = next_arg(s, &p);
    rc = pset_set(s, name, v);
    if (rc == 0)
        extra_args(s, "pset", p);
    free(name);
    free(v);
    return rc;
}

/* ---- variables and echo ---- */

static int cmd_set(sh_session *s, const char *args)
{
    sh_vars *vars = sh_session_vars(s);
    const char *p = args;
    pd_strbuf val = PD_STRBUF_INIT;
    char *name = next_arg(s, &p), *a;
    size_t i;
    int rc;

    if (name == NULL) {
        FILE *out = sh_session_stdout(s);
        for (i = 0; i < sh_vars_count(vars); i++)
            fprintf(out, "%s = '%s'\n", sh_vars_name_at(vars, i),
                    sh_vars_value_at(vars, i));
        return 0;
    }
    /* psql joins the values without blanks: "\set a 1 2" is "12". */
    while ((a = next_arg(s, &p)) != NULL) {
        pd_strbuf_puts(&val, a);
        free(a);
    }
    rc = sh_vars_set(vars, name, pd_strbuf_cstr(&val));
    if (rc == -1)
        sh_session_errorf(s, "invalid variable name: \"%s\"", name);
    else if (rc == -2)
        sh_session_errorf(s, "unrecognized value \"%s\" for \"%s\": "
                          "Boolean expected", pd_strbuf_cstr(&val), name);
    pd_strbuf_free(&val);
    free(name);
    return rc != 0;
}

static int cmd_unset(sh_session *s, const char *args)
{
    const char *p = args;
    char *name = next_arg(s, &p);
    int rc = 0;

    if (name == NULL) {
        sh_session_errorf(s, "\\unset: missing required argument");
        return 1;
    }
    if (sh_vars_set(sh_session_vars(s), name, NULL) != 0) {
        sh_session_errorf(s, "invalid variable name: \"%s\"", name);
        rc = 1;
    }
    extra_args(s, "unset", p);
    free(name);
    return rc;
}

/* \echo, \qecho, \warn: the arguments joined by one blank; -n first
 * drops the newline. */
static void echo_to(sh_session *s, FILE *f, const char *args)
{
    const char *p = args;
    bool newline = true, first = true, printed = false;
    char *a;

    while ((a = next_arg(s, &p)) != NULL) {
        if (first && strcmp(a, "-n") == 0) {
            newline = false;
        } else {
            if (printed)
                fputc(' ', f);
            fputs(a, f);
            printed = true;
        }
        first = false;
        free(a);
    }
    if (newline)
        fputc('\n', f);
    fflush(f);
}

static int cmd_echo(sh_session *s, const char *args)
{
    fflush(sh_session_out(s));
    echo_to(s, sh_session_stdout(s), args);
    return 0;
}

static int cmd_qecho(sh_session *s, const char *args)
{
    echo_to(s, sh_session_out(s), args);
    return 0;
}

static int cmd_warn(sh_session *s, const char *args)
{
    fflush(sh_session_out(s));
    echo_to(s, sh_session_err(s), args);
    return 0;
}

/* ---- the query buffer: \g \gx \gset \p \r ---- */

static void end_unit_cb(int status, void *ctx)
{
    sh_session_unit_done(ctx, status);
}

/* The query to run: the buffer in front of the command, else the last
 * query, as psql. Returns-owned, NULL when both are empty. */
static char *query_to_run(sh_session *s)
{
    char *q = sh_session_take_query_buf(s);
    const char *last;

    if (q != NULL && q[strspn(q, " \t\r\n")] != '\0')
        return q;
    free(q);
    last = sh_session_last_sql(s);
    return *last ? pd_xstrdup(last) : NULL;
}

static int run_buffer(sh_session *s, const sh_sql_opts *o)
{
    char *q = query_to_run(s);
    int rc;

    if (q == NULL)
        return 0;
    rc = sh_session_run_sql(s, q, o, end_unit_cb, s);
    free(q);
    return rc == 0 ? SH_CMD_ASYNC : 1;
}

static int cmd_g(sh_session *s, const char *args)
{
    if (*args != '\0') {
        sh_session_errorf(s, "\\g: sending the result to a file or pipe is "
                          "not supported yet; use \\o");
        return 1;
    }
    return run_buffer(s, NULL);
}

static int cmd_gx(sh_session *s, const char *args)
{
    sh_sql_opts o = {.flags = SH_SQL_EXPANDED};

    if (*args != '\0') {
        sh_session_errorf(s, "\\gx: sending the result to a file or pipe "
                          "is not supported yet; use \\o");
        return 1;
    }
    return run_buffer(s, &o);
}

static int cmd_gset(sh_session *s, const char *args)
{
    const char *p = args;
    char *prefix = next_arg(s, &p);
    sh_sql_opts o = {.flags = SH_SQL_GSET, .gset_prefix = prefix};
    int rc;

    extra_args(s, "gset", p);
    rc = run_buffer(s, &o);
    free(prefix);
    return rc;
}

static int cmd_p(sh_session *s, const char *args)
{
    const char *show = sh_session_query_buf(s);

    (void)args;
    if (*show == '\0')
        show = sh_session_last_sql(s);
    if (*show == '\0')
        fputs("Query buffer is empty.\n", sh_session_stdout(s));
    else
        fprintf(sh_session_stdout(s), "%s\n", show);
    return 0;
}

static int cmd_r(sh_session *s, const char *args)
{
    (void)args;
    free(sh_session_take_query_buf(s));
    fputs("Query buffer reset (cleared).\n", sh_session_stdout(s));
    return 0;
}

/* ---- \o ---- */

static void on_out_opened(fileop *op)
{
    sh_session *s = op->ctx;
    int status = 0;

    if (op->err != 0) {
        sh_session_errorf(s, "%s: %s", op->path, strerror(op->err));
        status = 1;
    } else {
        sh_session_set_out(s, op->f);
        op->f = NULL;
    }
    fileop_free(op);
    sh_session_unit_done(s, status);
}

static int cmd_o(sh_session *s, const char *args)
{
    const char *p = args;
    char *file = next_arg(s, &p), *path;

    extra_args(s, "o", p);
    if (file == NULL) {
        sh_session_set_out(s, NULL);
        return 0;
    }
    if (file[0] == '|') {
        sh_session_errorf(s, "\\o: output to a pipe is not supported");
        free(file);
        return 1;
    }
    path = expand_tilde(file);
    free(file);
    fflush(sh_session_out(s));
    if (fileop_start(s, fileop_new(OP_OPEN_WRITE, path, on_out_opened, s))
            != 0) {
        free(path);
        return 1;
    }
    free(path);
    return SH_CMD_ASYNC;
}

/* ---- \i and \ir ---- */

typedef struct include {
    sh_session *s;
    char *path;      /* owned */
    char **units;    /* owned */
    int *lines;      /* the line each unit ends on */
    int n, next;
    int status;
    bool in_step, completed;
} include;

static void include_free(include *in)
{
    int i;

    for (i = 0; i < in->n; i++)
        free(in->units[i]);
    free(in->units);
    free(in->lines);
    free(in->path);
    free(in);
}

static void include_step(include *in);

static void on_include_unit(int status, void *ctx)
{
    include *in = ctx;

    /* Only ON_ERROR_STOP makes a failed line fail the \i, as in psql. */
    if (status != 0 && sh_vars_get_bool(sh_session_vars(in->s),
                                         "ON_ERROR_STOP")) {
        in->status = 1;
        in->next = in->n;
    }
    if (status == 2) {
        in->status = 1;
        in->next = in->n;
    }
    in->completed = true;
    if (!in->in_step)
        include_step(in);
}

/* Runs the file's units one after another; synchronous ones in this loop
 * rather than by recursion. */
static void include_step(include *in)
{
    sh_session *s = in->s;
    char prefix[4200];

    in->in_step = true;
    do {
        in->completed = false;
        if (in->next >= in->n || sh_session_quit_requested(s)) {
            int st = in->status;
            include_free(in);
            sh_session_unit_done(s, st);
            return;
        }
        snprintf(prefix, sizeof(prefix), "pgdeck:%s:%d: ", in->path,
                 in->lines[in->next]);
        if (sh_session_run_nested(s, in->units[in->next++], prefix,
                                  on_include_unit, in) != 0) {
            in->status = 1;
            in->next = in->n;
            in->completed = true;
        }
    } while (in->completed);
    in->in_step = false;
}

static void add_unit(include *in, char *u, int line)
{
    in->units = pd_xrealloc(in->units, (size_t)(in->n + 1) * sizeof(char *));
    in->lines = pd_xrealloc(in->lines, (size_t)(in->n + 1) * sizeof(int));
    in->units[in->n] = u;
    in->lines[in->n++] = line;
}

static void on_include_read(fileop *op)
{
    include *in = op->ctx;
    pd_sqlsplit *sp;
    char *u;
    int first, last;

    if (op->err != 0) {
        sh_session *s = in->s;
        sh_session_errorf(s, "%s: %s", in->path, strerror(op->err));
        fileop_free(op);
        include_free(in);
        sh_session_unit_done(s, 1);
        return;
    }
    sp = pd_sqlsplit_new();
    pd_sqlsplit_feed(sp, op->data, op->len);
    while ((u = pd_sqlsplit_next(sp, &first, &last)) != NULL)
        add_unit(in, u, last);
    while ((u = pd_sqlsplit_finish(sp, &first, &last)) != NULL)
        add_unit(in, u, last);
    pd_sqlsplit_free(sp);
    fileop_free(op);
    include_step(in);
}

/* The directory of the file running now, from the error prefix
 * "pgdeck:FILE:LINE: " ("" at the prompt). Returns-owned. */
static char *current_dir(sh_session *s)
{
    const char *pre = sh_session_err_prefix(s), *end, *slash;

    if (pre == NULL || strncmp(pre, "pgdeck:", 7) != 0)
        return pd_xstrdup("");
    pre += 7;
    end = pre + strlen(pre);
    /* back over ": ", the line number and ':' */
    while (end > pre && end[-1] != ':')
        end--;
    if (end > pre)
        end--;
    while (end > pre && end[-1] != ':')
        end--;
    if (end > pre)
        end--;
    for (slash = end; slash > pre && slash[-1] != '/'; slash--)
        ;
    return pd_xstrndup(pre, (size_t)(slash - pre));
}

static int include_file(sh_session *s, const char *args, bool relative)
{
    const char *p = args;
    char *file = next_arg(s, &p), *path, *dir;
    include *in;

    if (file == NULL) {
        sh_session_errorf(s, "\\%s: missing required argument",
                          relative ? "ir" : "i");
        return 1;
    }
    extra_args(s, relative ? "ir" : "i", p);
    path = expand_tilde(file);
    free(file);
    if (relative && path[0] != '/') {
        dir = current_dir(s);
        file = pd_xasprintf("%s%s", dir, path);
        free(dir);
        free(path);
        path = file;
    }
    in = pd_xcalloc(1, sizeof(*in));
    in->s = s;
    in->path = path;
    if (fileop_start(s, fileop_new(OP_READ, path, on_include_read, in)) != 0) {
        include_free(in);
        return 1;
    }
    return SH_CMD_ASYNC;
}

static int cmd_i(sh_session *s, const char *args)
{
    return include_file(s, args, false);
}

static int cmd_ir(sh_session *s, const char *args)
{
    return include_file(s, args, true);
}

/* ---- \e ---- */

typedef struct edit {
    sh_session *s;
    char *path;            /* owned: the temporary file */
    uv_process_t proc;
    int64_t exit_status;
} edit;

static void edit_free(edit *e)
{
    free(e->path);
    free(e);
}

static void on_edit_read(fileop *op)
{
    edit *e = op->ctx;
    sh_session *s = e->s;
    int status = 0;

    if (op->err != 0) {
        sh_session_errorf(s, "%s: %s", e->path, strerror(op->err));
        status = 1;
    } else if (op->len > 0) {
        /* psql reads the buffer back as typed: complete statements run,
         * the rest waits for more input. */
        char *t = op->data[op->len - 1] == '\n'
                      ? pd_xstrdup(op->data)
                      : pd_xasprintf("%s\n", op->data);
        sh_session_feed_input(s, t);
        free(t);
    }
    fileop_free(op);
    edit_free(e);
    sh_session_unit_done(s, status);
}

static void on_editor_closed(uv_handle_t *h)
{
    edit *e = h->data;
    sh_session *s = e->s;
    fileop *op;

    if (e->exit_status != 0) {
        sh_session_errorf(s, "could not start editor");
    }
    op = fileop_new(OP_READ, e->path, on_edit_read, e);
    op->unlink = true;
    if (fileop_start(s, op) != 0) {
        edit_free(e);
        sh_session_unit_done(s, 1);
    }
}

static void on_editor_exit(uv_process_t *p, int64_t status, int sig)
{
    edit *e = p->data;

    e->exit_status = sig != 0 ? 128 + sig : status;
    uv_close((uv_handle_t *)p, on_editor_closed);
}

/* psql's choice: PSQL_EDITOR, EDITOR, VISUAL, else vi. */
static const char *editor(void)
{
    const char *names[] = {"PSQL_EDITOR", "EDITOR", "VISUAL"};
    const char *v;
    size_t i;

    for (i = 0; i < 3; i++)
        if ((v = getenv(names[i])) != NULL && *v)
            return v;
    return "vi";
}

static void on_edit_written(fileop *op)
{
    edit *e = op->ctx;
    sh_session *s = e->s;
    uv_process_options_t po;
    uv_stdio_container_t io[3];
    char *cmd, *argv[4];
    int i, rc;

    e->path = op->path;
    op->path = NULL;
    if (op->err != 0) {
        sh_session_errorf(s, "could not open temporary file: %s",
                          strerror(op->err));
        fileop_free(op);
        edit_free(e);
        sh_session_unit_done(s, 1);
        return;
    }
    fileop_free(op);
    /* As psql: the editor string runs through the shell, the file name
     * quoted. */
    cmd = pd_xasprintf("%s '%s'", editor(), e->path);
    argv[0] = (char *)"sh";
    argv[1] = (char *)"-c";
    argv[2] = cmd;
    argv[3] = NULL;
    memset(&po, 0, sizeof(po));
    for (i = 0; i < 3; i++) {
        io[i].flags = UV_INHERIT_FD;
        io[i].data.fd = i;
    }
    po.file = "/bin/sh";
    po.args = argv;
    po.stdio = io;
    po.stdio_count = 3;
    po.exit_cb = on_editor_exit;
    e->proc.data = e;
    fflush(stdout);
    rc = uv_spawn(pd_core_loop(sh_session_core(s)), &e->proc, &po);
    free(cmd);
    if (rc < 0) {
        sh_session_errorf(s, "could not start editor \"%s\"", editor());
        e->exit_status = 0;
        uv_close((uv_handle_t *)&e->proc, on_editor_closed);
    }
}

static int cmd_e(sh_session *s, const char *args)
{
    char *q, *tmpl;
    const char *tmp = getenv("TMPDIR");
    edit *e;
    fileop *op;

    if (*args != '\0') {
        sh_session_errorf(s, "\\e: editing a file is not supported yet; "
                          "\\e edits the query buffer");
        return 1;
    }
    q = sh_session_take_query_buf(s);
    if (q == NULL || q[strspn(q, " \t\r\n")] == '\0') {
        free(q);
        q = pd_xstrdup(sh_session_last_sql(s));
    }
    tmpl = pd_xasprintf("%s/pgdeck.edit.%d.XXXXXX.sql",
                        tmp && *tmp ? tmp : "/tmp", (int)getpid());
    e = pd_xcalloc(1, sizeof(*e));
    e->s = s;
    op = fileop_new(OP_WRITE_TEMP, tmpl, on_edit_written, e);
    free(tmpl);
    op->len = strlen(q);
    if (op->len > 0 && q[op->len - 1] != '\n') {
        op->data = pd_xasprintf("%s\n", q);
        op->len++;
        free(q);
    } else {
        op->data = q;
    }
    if (fileop_start(s, op) != 0) {
        edit_free(e);
        return 1;
    }
    return SH_CMD_ASYNC;
}

/* ---- \watch ---- */

typedef struct watch {
    sh_session *s;
    char *sql;          /* owned */
    double secs;
    uv_timer_t timer;
    uv_signal_t sigint; /* Ctrl-C ends the watch */
    int open;           /* handles not yet closed */
    bool running;       /* the query is in flight */
    bool stop_asked;    /* Ctrl-C while the query ran */
    bool closing;
    int status;
} watch;

static void watch_closed(uv_handle_t *h)
{
    watch *w = h->data;
    sh_session *s = w->s;
    int status = w->status;

    if (--w->open > 0)
        return;
    free(w->sql);
    free(w);
    sh_session_unit_done(s, status);
}

/* Ends the watch once its handles have closed (and so the unit). */
static void watch_stop(watch *w, int status)
{
    if (w->closing)
        return;
    w->closing = true;
    w->status = status;
    uv_close((uv_handle_t *)&w->timer, watch_closed);
    uv_close((uv_handle_t *)&w->sigint, watch_closed);
}

static void watch_run(watch *w);

static void on_watch_timer(uv_timer_t *t)
{
    watch_run(t->data);
}

static void on_watch_done(int status, void *ctx)
{
    watch *w = ctx;

    w->running = false;
    if (w->stop_asked)
        watch_stop(w, 0); /* Ctrl-C: the canceled query is no failure */
    else if (status != 0)
        watch_stop(w, status);
    else
        uv_timer_start(&w->timer, on_watch_timer,
                       (uint64_t)(w->secs * 1000.0), 0);
}

static void watch_run(watch *w)
{
    sh_sql_opts o = {.flags = SH_SQL_NO_PAGER};
    FILE *out = sh_session_out(w->s);
    char when[128];
    time_t now = time(NULL);

    /* psql's "%c" as the C locale spells it. */
    strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", localtime(&now));
    fprintf(out, "%s (every %gs)\n\n", when, w->secs);
    w->running = true;
    if (sh_session_run_sql(w->s, w->sql, &o, on_watch_done, w) != 0) {
        w->running = false;
        watch_stop(w, 1);
    }
}

static void on_watch_sigint(uv_signal_t *h, int signum)
{
    watch *w = h->data;

    (void)signum;
    /* A query in flight is canceled by the shell's own Ctrl-C handler;
     * its end stops the watch. Between runs, stop now. */
    if (w->running)
        w->stop_asked = true;
    else
        watch_stop(w, 0);
}

static int cmd_watch(sh_session *s, const char *args)
{
    const char *p = args;
    char *a = next_arg(s, &p), *q;
    uv_loop_t *loop = pd_core_loop(sh_session_core(s));
    watch *w;
    double secs = 2;

    if (a != NULL) {
        secs = strtod(a, NULL);
        if (secs <= 0)
            secs = 1;
        free(a);
    }
    extra_args(s, "watch", p);
    q = query_to_run(s);
    if (q == NULL) {
        sh_session_errorf(s, "\\watch cannot be used with an empty query");
        return 1;
    }
    w = pd_xcalloc(1, sizeof(*w));
    w->s = s;
    w->sql = q;
    w->secs = secs;
    uv_timer_init(loop, &w->timer);
    w->timer.data = w;
    uv_signal_init(loop, &w->sigint);
    w->sigint.data = w;
    w->open = 2;
    uv_signal_start(&w->sigint, on_watch_sigint, SIGINT);
    watch_run(w);
    return SH_CMD_ASYNC;
}

/* ---- \errverbose ---- */

static int cmd_errverbose(sh_session *s, const char *args)
{
    const pd_error *e = sh_session_last_error(s);
    FILE *err = sh_session_err(s);
    const char *full, *colon;

    (void)args;
    if (e == NULL) {
        fputs("There is no previous error.\n", sh_session_stdout(s));
        return 0;
    }
    fflush(sh_session_out(s));
    if (e->verbose != NULL) { /* libpq's own verbose form, as psql */
        fputs(e->verbose, err);
        return 0;
    }
    full = e->full;
    if (full == NULL || e->sqlstate[0] == '\0') {
        fprintf(err, "%s\n", e->message);
        return 0;
    }
    /* "ERROR:  msg..." becomes "ERROR:  SQLSTATE: msg...", as libpq's
     * verbose form; the rest (LINE, DETAIL, HINT, CONTEXT) as it was. */
    colon = strstr(full, ":  ");
    if (colon == NULL) {
        fprintf(err, "%s", full);
    } else {
        fprintf(err, "%.*s:  %s: %s", (int)(colon - full), full, e->sqlstate,
                colon + 3);
    }
    if (full[0] != '\0' && full[strlen(full) - 1] != '\n')
        fputc('\n', err);
    return 0;
}

/* ---- \copy ---- */

static int cmd_copy(sh_session *s, const char *args)
{
    if (*args == '\0') {
        sh_session_errorf(s, "\\copy: arguments required");
        return 1;
    }
    return sh_copyio_run(s, args);
}

const sh_cmd sh_psql_commands[] = {
    {"?", cmd_help, "\\?", "show help on backslash commands"},
    {"copy", cmd_copy, "\\copy ...",
     "perform SQL COPY with data stream to the client host"},
    {"e", cmd_e, "\\e", "edit the query buffer with an external editor"},
    {"edit", cmd_e, NULL, NULL},
    {"echo", cmd_echo, "\\echo [-n] [STRING]",
     "write string to standard output (-n for no newline)"},
    {"errverbose", cmd_errverbose, "\\errverbose",
     "show most recent error message at maximum verbosity"},
    {"g", cmd_g, "\\g", "execute the query buffer (or the last query)"},
    {"gx", cmd_gx, "\\gx", "as \\g, but forces expanded output mode"},
    {"gset", cmd_gset, "\\gset [PREFIX]",
     "execute query and store result in psql variables"},
    {"i", cmd_i, "\\i FILE", "execute commands from file"},
    {"include", cmd_i, NULL, NULL},
    {"ir", cmd_ir, "\\ir FILE",
     "as \\i, but relative to location of current script"},
    {"include_relative", cmd_ir, NULL, NULL},
    {"o", cmd_o, "\\o [FILE]", "send all query results to file"},
    {"out", cmd_o, NULL, NULL},
    {"p", cmd_p, "\\p", "show the contents of the query buffer"},
    {"print", cmd_p, NULL, NULL},
    {"pset", cmd_pset, "\\pset [NAME [VALUE]]",
     "set table output option (format, border, null, fieldsep, recordsep, "
     "tuples_only, footer, expanded, pager, csv_fieldsep)"},
    {"qecho", cmd_qecho, "\\qecho [-n] [STRING]",
     "write string to \\o output stream (-n for no newline)"},
    {"r", cmd_r, "\\r", "reset (clear) the query buffer"},
    {"reset", cmd_r, NULL, NULL},
    {"set", cmd_set, "\\set [NAME [VALUE]]",
     "set internal variable, or list all if no parameters"},
    {"unset", cmd_unset, "\\unset NAME", "unset (delete) internal variable"},
    {"warn", cmd_warn, "\\warn [-n] [STRING]",
     "write string to standard error (-n for no newline)"},
    {"watch", cmd_watch, "\\watch [SEC]", "execute query every SEC seconds"},
    {NULL, NULL, NULL, NULL},
};
