/* commands_output.c: output settings, \pset and \o (see
 * commands_internal.h). \pset lists, sets and reports its options with
 * psql 15's words; \o opens its file on the thread pool. */
#include "shell/commands.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "shell/cmdpipe.h"
#include "shell/commands_internal.h"
#include "shell/vars.h"

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
    case SH_FMT_WRAPPED: return "wrapped";
    default: return "aligned";
    }
}

static const char *line_name(sh_line_kind k)
{
    return k == SH_LINE_UNICODE ? "unicode"
           : k == SH_LINE_OLD_ASCII ? "old-ascii" : "ascii";
}

static const char *single_double(bool dbl)
{
    return dbl ? "double" : "single";
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
    ROW("columns", "%d", o->columns);
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
    ROW("linestyle", "%s", line_name(o->linestyle));
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
    ROW("unicode_border_linestyle", "%s",
        single_double(o->uni_border_double));
    ROW("unicode_column_linestyle", "%s",
        single_double(o->uni_column_double));
    ROW("unicode_header_linestyle", "%s",
        single_double(o->uni_header_double));
#undef ROW
}

/* psql's formats, for its abbreviation rule; pgdeck prints five (and
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
                          "json, unaligned, wrapped");
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
    else if (strcmp(match, "wrapped") == 0)
        o->format = SH_FMT_WRAPPED;
    else {
        sh_session_errorf(s, "\\pset: format \"%s\" is not supported by "
                          "pgdeck; allowed formats are aligned, csv, json, "
                          "unaligned, wrapped", match);
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
    else if (strcmp(name, "linestyle") == 0)
        fprintf(out, "Line style is %s.\n", line_name(o->linestyle));
    else if (strcmp(name, "unicode_border_linestyle") == 0)
        fprintf(out, "Unicode border line style is \"%s\".\n",
                single_double(o->uni_border_double));
    else if (strcmp(name, "unicode_column_linestyle") == 0)
        fprintf(out, "Unicode column line style is \"%s\".\n",
                single_double(o->uni_column_double));
    else if (strcmp(name, "unicode_header_linestyle") == 0)
        fprintf(out, "Unicode header line style is \"%s\".\n",
                single_double(o->uni_header_double));
    else if (strcmp(name, "columns") == 0) {
        if (o->columns == 0)
            fputs("Target width is unset.\n", out);
        else
            fprintf(out, "Target width is %d.\n", o->columns);
    } else if (strcmp(name, "null") == 0)
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

/* The value of an option that is on, off or a third word ("auto",
 * "always"): 0, 1 or 2; or -1 after psql's message. */
static int pset_tristate(sh_session *s, const char *name, const char *v,
                         const char *third)
{
    int r;

    if (strcasecmp(v, third) == 0)
        return 2;
    if ((r = sh_vars_parse_bool(v)) >= 0)
        return r;
    sh_session_errorf(s, "unrecognized value \"%s\" for \"%s\"\n"
                      "Available values are: on, off, %s.", v, name, third);
    return -1;
}

/* Options psql has and pgdeck's printers do not. */
static const char *const pset_unsupported[] = {
    "fieldsep_zero", "numericlocale", "pager_min_lines", "recordsep_zero",
    "tableattr", "title",
};

/* \pset linestyle: any prefix of a style's name, case aside, first match
 * in psql's order. Returns 0, or 1 after psql's message. */
static int pset_linestyle(sh_session *s, const char *v)
{
    sh_print_opts *o = sh_session_print_opts(s);
    size_t n = strlen(v);

    if (strncasecmp("ascii", v, n) == 0)
        o->linestyle = SH_LINE_ASCII;
    else if (strncasecmp("old-ascii", v, n) == 0)
        o->linestyle = SH_LINE_OLD_ASCII;
    else if (strncasecmp("unicode", v, n) == 0)
        o->linestyle = SH_LINE_UNICODE;
    else {
        sh_session_errorf(s, "\\pset: allowed line styles are ascii, "
                          "old-ascii, unicode");
        return 1;
    }
    return 0;
}

/* \pset unicode_WHAT_linestyle single|double (prefixes too). Returns 0,
 * or 1 after psql's message naming what ("border", ...). */
static int pset_unicode(sh_session *s, const char *what, const char *v,
                        bool *dbl)
{
    size_t n = strlen(v);

    if (strncasecmp("single", v, n) == 0)
        *dbl = false;
    else if (strncasecmp("double", v, n) == 0)
        *dbl = true;
    else {
        sh_session_errorf(s, "\\pset: allowed Unicode %s line styles are "
                          "single, double", what);
        return 1;
    }
    return 0;
}

/* The unicode_* options: which, and the field each sets, or NULL. */
static bool *unicode_field(sh_print_opts *o, const char *name,
                           const char **what)
{
    static const char *const whats[] = {"border", "column", "header"};
    bool *fields[] = {&o->uni_border_double, &o->uni_column_double,
                      &o->uni_header_double};
    size_t i;

    for (i = 0; i < 3; i++) {
        size_t n = strlen(whats[i]);

        if (strncmp(name, "unicode_", 8) == 0 &&
            strncmp(name + 8, whats[i], n) == 0 &&
            strcmp(name + 8 + n, "_linestyle") == 0) {
            *what = whats[i];
            return fields[i];
        }
    }
    return NULL;
}

/* An option \pset does not know: psql's, or nobody's. Returns 1. */
static int pset_unknown(sh_session *s, const char *name)
{
    size_t i;

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

/* Sets option name to v (NULL: toggles or keeps it, as psql), then says
 * the new value as psql does. Returns 0, or 1 after psql's message. */
static int pset_set(sh_session *s, const char *name, const char *v,
                    bool quiet)
{
    sh_print_opts *o = sh_session_print_opts(s);
    const char *what;
    bool *uni;
    int r;

    if ((uni = unicode_field(o, name, &what)) != NULL) {
        if (v != NULL && pset_unicode(s, what, v, uni) != 0)
            return 1;
    } else if (strcmp(name, "linestyle") == 0) {
        if (v != NULL && pset_linestyle(s, v) != 0)
            return 1;
    } else if (strcmp(name, "columns") == 0) {
        if (v != NULL)
            o->columns = atoi(v); /* as psql: junk is 0, i.e. unset */
    } else if (strcmp(name, "format") == 0) {
        if (v != NULL && pset_format(s, v) != 0)
            return 1;
    } else if (strcmp(name, "border") == 0) {
        if (v != NULL)
            o->border = (unsigned short)atoi(v); /* as psql stores it */
    } else if (strcmp(name, "expanded") == 0 || strcmp(name, "x") == 0) {
        name = "expanded";
        r = v == NULL ? !o->expanded : pset_tristate(s, name, v, "auto");
        if (r < 0)
            return 1;
        o->expanded = r;
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
        r = v == NULL ? sh_session_pager_mode(s) != 1
                      : pset_tristate(s, name, v, "always");
        if (r < 0)
            return 1;
        sh_session_set_pager_mode(s, r);
    } else {
        return pset_unknown(s, name);
    }
    if (!quiet)
        pset_info(s, name);
    return 0;
}

/* Sets one option as \pset does; see commands_internal.h. */
int sh_commands_pset_set(sh_session *s, const char *name, const char *v,
                         bool quiet)
{
    return pset_set(s, name, v, quiet);
}

/* -P NAME[=VALUE]; see commands.h. */
int sh_commands_pset_arg(sh_session *s, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char *name = eq != NULL ? pd_xstrndup(arg, (size_t)(eq - arg))
                            : pd_xstrdup(arg);
    int rc = pset_set(s, name, eq != NULL ? eq + 1 : NULL, true);

    free(name);
    return rc;
}

/* \pset [NAME [VALUE]]: every option, or sets one. */
int sh_commands_pset(sh_session *s, const char *args)
{
    const char *p = args;
    char *name = sh_commands_next_arg(s, &p), *v;
    int rc;

    if (name == NULL) {
        pset_list(s);
        return 0;
    }
    v = sh_commands_next_arg(s, &p);
    rc = pset_set(s, name, v, sh_session_print_opts(s)->quiet); /* -q */
    if (rc == 0)
        sh_commands_extra_args(s, "pset", p);
    free(name);
    free(v);
    return rc;
}

/* ---- \o ---- */

static void end_unit_cb(int status, void *ctx)
{
    sh_session_unit_done(ctx, status);
}

/* Makes f or pipe the output (see sh_session_replace_out); returns as a
 * command does. */
static int switch_out(sh_session *s, FILE *f, sh_cmdpipe *pipe)
{
    if (sh_session_replace_out(s, f, pipe, end_unit_cb, s))
        return SH_CMD_ASYNC;
    return 0;
}

static void on_out_opened(fileop *op)
{
    sh_session *s = op->ctx;
    FILE *f = op->f;
    int rc;

    op->f = NULL;
    if (op->err != 0) {
        sh_session_errorf(s, "%s: %s", op->path, strerror(op->err));
        sh_commands_fileop_free(op);
        sh_session_unit_done(s, 1);
        return;
    }
    sh_commands_fileop_free(op);
    rc = switch_out(s, f, NULL);
    if (rc != SH_CMD_ASYNC)
        sh_session_unit_done(s, rc);
}

/* \o |COMMAND: results go to COMMAND's standard input until the next \o
 * (psql's popen; shell/cmdpipe.h says why not popen here). */
static int out_pipe(sh_session *s, const char *cmd)
{
    sh_cmdpipe *pipe;
    int uverr = 0;

    fflush(sh_session_out(s));
    pipe = sh_cmdpipe_open_write(pd_core_loop(sh_session_core(s)), cmd,
                                 sh_env_vector(sh_session_env(s)), &uverr);
    if (pipe == NULL) {
        sh_session_errorf(s, "%s: %s", cmd, uv_strerror(uverr));
        return 1;
    }
    return switch_out(s, NULL, pipe);
}

/* \o [FILE | |COMMAND]: results to FILE or COMMAND from now on, or back
 * to standard output. As psql: the new output is opened first, then the
 * old one closed (a pipe's command waited for). */
int sh_commands_o(sh_session *s, const char *args)
{
    const char *p = args + strspn(args, " \t");
    char *file, *path;
    fileop *op;

    if (*p == '|') /* the rest of the line is the command, as psql's */
        return out_pipe(s, p + 1);
    file = sh_commands_next_arg(s, &p);
    sh_commands_extra_args(s, "o", p);
    if (file == NULL)
        return switch_out(s, NULL, NULL);
    path = sh_commands_expand_tilde(file);
    free(file);
    fflush(sh_session_out(s));
    op = sh_commands_fileop_new(OP_OPEN_WRITE, path, on_out_opened, s);
    free(path);
    if (sh_commands_fileop_start(s, op) != 0)
        return 1;
    return SH_CMD_ASYNC;
}
