/* commands.c: psql's own backslash commands (table sh_psql_commands).
 *
 * \? \pset \set \unset \echo \qecho \warn \g \gx \gset \p \r \o \i \ir
 * \e \watch \errverbose \copy. Arguments are read with psql's rules
 * (sh_vars_next_arg: quotes, :var interpolation). Wording, output streams
 * and exit statuses are psql 15's. Nothing here blocks the loop: files are
 * opened and read on libuv's thread pool, the editor is a child the loop
 * waits for, \watch sleeps on a uv_timer.
 *
 * This file holds the table, \?, \errverbose and \copy, and what the
 * commands' files share; commands_internal.h lists the others. */
#include "shell/commands.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "shell/cmdpipe.h"
#include "shell/commands_internal.h"
#include "shell/copyio.h"
#include "shell/pager.h"
#include "shell/vars.h"

/* ---- children with the terminal ---- */

/* Starts /bin/sh -c cmd on the terminal; see commands_internal.h. */
int sh_commands_spawn_sh(sh_session *s, uv_process_t *proc, const char *cmd,
                         uv_exit_cb exit_cb)
{
    return sh_cmdpipe_spawn(pd_core_loop(sh_session_core(s)), proc, cmd, -1,
                            -1, sh_env_vector(sh_session_env(s)), exit_cb);
}

/* ---- arguments ---- */

/* The next argument with psql's rules; see commands_internal.h. */
char *sh_commands_next_arg(sh_session *s, const char **p)
{
    return sh_vars_next_arg(sh_session_vars(s), p);
}

/* psql's warning for arguments a command does not take; see
 * commands_internal.h. */
void sh_commands_extra_args(sh_session *s, const char *cmd, const char *p)
{
    char *a;

    while ((a = sh_commands_next_arg(s, &p)) != NULL) {
        const char *prefix = sh_session_err_prefix(s);
        fflush(sh_session_out(s));
        fprintf(sh_session_err(s), "%s%s\\%s: extra argument \"%s\" ignored\n",
                prefix ? prefix : "", prefix ? "warning: " : "", cmd, a);
        free(a);
    }
}

/* Returns-owned path with "~/" expanded; see commands_internal.h. */
char *sh_commands_expand_tilde(const char *path)
{
    const char *home = getenv("HOME");

    if (path[0] == '~' && (path[1] == '/' || path[1] == '\0') &&
        home != NULL)
        return pd_xasprintf("%s%s", home, path + 1);
    return pd_xstrdup(path);
}

/* ---- files, on the thread pool ---- */

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
        /* Files pgdeck writes are private (DESIGN.md): a new one is made
         * 0600, where psql's fopen would leave it to the umask. */
        fd = open(op->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || (op->f = fdopen(fd, "w")) == NULL) {
            op->err = errno;
            if (fd >= 0)
                close(fd);
        }
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

/* Frees op; see commands_internal.h. */
void sh_commands_fileop_free(fileop *op)
{
    if (op == NULL)
        return;
    if (op->f != NULL)
        fclose(op->f);
    free(op->path);
    free(op->data);
    free(op);
}

/* Starts op (takes it); see commands_internal.h. */
int sh_commands_fileop_start(sh_session *s, fileop *op)
{
    op->work.data = op;
    if (uv_queue_work(pd_core_loop(sh_session_core(s)), &op->work,
                      fileop_work, fileop_after) == 0)
        return 0;
    sh_commands_fileop_free(op);
    return -1;
}

/* A new operation, not yet started; see commands_internal.h. */
fileop *sh_commands_fileop_new(int kind, const char *path, fileop_cb cb,
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
    pager = sh_pager_command(sh_session_env(s));
    fflush(sh_session_out(s));
    if (sh_session_is_interactive(s) && pager != NULL &&
        sh_pager_wanted(sh_session_pager_mode(s), lines + 1)) {
        if (sh_pager_run(pd_core_loop(sh_session_core(s)), pager,
                         sh_env_vector(sh_session_env(s)), buf, len,
                         on_help_paged, s) == 0)
            return SH_CMD_ASYNC;
    }
    fwrite(buf, 1, len, sh_session_stdout(s));
    free(buf);
    return 0;
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
    {"e", sh_commands_e, "\\e",
     "edit the query buffer with an external editor"},
    {"edit", sh_commands_e, NULL, NULL},
    {"echo", sh_commands_echo, "\\echo [-n] [STRING]",
     "write string to standard output (-n for no newline)"},
    {"errverbose", cmd_errverbose, "\\errverbose",
     "show most recent error message at maximum verbosity"},
    {"g", sh_commands_g, "\\g", "execute the query buffer (or the last query)"},
    {"gx", sh_commands_gx, "\\gx", "as \\g, but forces expanded output mode"},
    {"gset", sh_commands_gset, "\\gset [PREFIX]",
     "execute query and store result in psql variables"},
    {"i", sh_commands_i, "\\i FILE", "execute commands from file"},
    {"include", sh_commands_i, NULL, NULL},
    {"ir", sh_commands_ir, "\\ir FILE",
     "as \\i, but relative to location of current script"},
    {"include_relative", sh_commands_ir, NULL, NULL},
    {"o", sh_commands_o, "\\o [FILE]", "send all query results to file"},
    {"out", sh_commands_o, NULL, NULL},
    {"p", sh_commands_p, "\\p", "show the contents of the query buffer"},
    {"print", sh_commands_p, NULL, NULL},
    {"pset", sh_commands_pset, "\\pset [NAME [VALUE]]",
     "set table output option (format, border, null, fieldsep, recordsep, "
     "tuples_only, footer, expanded, pager, csv_fieldsep)"},
    {"qecho", sh_commands_qecho, "\\qecho [-n] [STRING]",
     "write string to \\o output stream (-n for no newline)"},
    {"r", sh_commands_r, "\\r", "reset (clear) the query buffer"},
    {"reset", sh_commands_r, NULL, NULL},
    {"set", sh_commands_set, "\\set [NAME [VALUE]]",
     "set internal variable, or list all if no parameters"},
    {"unset", sh_commands_unset, "\\unset NAME",
     "unset (delete) internal variable"},
    {"warn", sh_commands_warn, "\\warn [-n] [STRING]",
     "write string to standard error (-n for no newline)"},
    {"watch", sh_commands_watch, "\\watch [SEC]",
     "execute query every SEC seconds"},
    {NULL, NULL, NULL, NULL},
};
