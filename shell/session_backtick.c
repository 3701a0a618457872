/* session_backtick.c: `command` in a backslash command's arguments.
 *
 * psql runs each backquoted command (through popen, blocking) while it
 * reads the arguments, and puts its output, one trailing newline
 * removed, in place: "\set now `date +%s`". Here the commands run one
 * after another through shell/cmdpipe.c, the loop waiting for none of
 * them, and the command is dispatched once the line holds their outputs.
 * Each output goes back as a quoted piece (sh_vars_quote_arg), so the
 * argument reader takes it verbatim, as psql does.
 *
 * Only commands that read their arguments psql's way take backquotes:
 * those of psql's own tables, but for the ones that take the rest of the
 * line as it is (\copy, \gather, \!) and pipes ("\g |cmd", "\o |cmd"),
 * which psql hands to the shell untouched. pgdeck's own commands (\bench, \bg,
 * ...) read their arguments themselves: a backquote there is text. */
#include "shell/session_internal.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "shell/cmdpipe.h"
#include "shell/describe.h"

typedef struct ticks {
    sh_session *s;
    char *line;      /* owned: the command line, outputs in place so far */
    size_t start;    /* the running command's span in line */
    size_t end;
    unsigned flags;  /* SH_TICK_* */
} ticks;

/* True when name (as typed, "dt+" included) is in table. */
static bool in_table(const sh_cmd *table, const char *name)
{
    const sh_cmd *c;

    for (c = table; c->name != NULL; c++) {
        size_t n = strlen(c->name);
        if (strncmp(name, c->name, n) == 0 &&
            strspn(name + n, "+S") == strlen(name + n))
            return true;
    }
    return false;
}

/* Whether the command at line takes backquotes, and how (*flags). */
static bool takes_backticks(const char *line, unsigned *flags)
{
    char name[64];
    size_t n = 0;

    line++; /* the backslash */
    while (line[n] != '\0' && !isspace((unsigned char)line[n]) &&
           n < sizeof(name) - 1)
        n++;
    memcpy(name, line, n);
    name[n] = '\0';
    *flags = 0;
    if (strcmp(name, "copy") == 0 || strcmp(name, "gather") == 0 ||
        strcmp(name, "!") == 0)
        return false;
    if (strcmp(name, "g") == 0 || strcmp(name, "gx") == 0 ||
        strcmp(name, "o") == 0 || strcmp(name, "out") == 0)
        *flags = SH_TICK_PIPE_ENDS;
    return in_table(sh_session_commands, name) ||
           in_table(sh_psql_commands, name) ||
           in_table(sh_system_commands, name) ||
           in_table(sh_describe_commands, name);
}

static void next_tick(ticks *t, size_t from);

/* A command's output goes in place of its `command`. */
static void on_tick_done(int code, int sig, char *data, size_t len,
                         void *ctx)
{
    ticks *t = ctx;
    pd_strbuf sb = PD_STRBUF_INIT;
    char *q;
    size_t at;

    (void)code; /* psql 15 keeps the output whatever the exit status */
    (void)sig;
    if (len > 0 && data[len - 1] == '\n')
        data[len - 1] = '\0'; /* one trailing newline, as psql */
    if (t->start > 0 && t->line[t->start - 1] == ':') {
        /* ":`cmd`" is a literal ':' for psql; ":'out'" would read as a
         * variable: the ':' goes inside the quotes. */
        char *c = pd_xasprintf(":%s", data);
        free(data);
        data = c;
        t->start--;
    }
    q = sh_vars_quote_arg(data);
    free(data);
    pd_strbuf_append(&sb, t->line, t->start);
    pd_strbuf_puts(&sb, q);
    at = sb.len;
    pd_strbuf_puts(&sb, t->line + t->end);
    free(q);
    free(t->line);
    t->line = pd_strbuf_steal(&sb);
    next_tick(t, at);
}

/* Runs the next backquoted command from byte from of the line, or, when
 * none is left, the command itself. */
static void next_tick(ticks *t, size_t from)
{
    sh_session *s = t->s;
    char *err = NULL, *cmd;
    int rc;

    cmd = sh_vars_backtick_find(s->vars, t->line, from, t->flags, &t->start,
                                &t->end, &err);
    if (err != NULL) {
        sh_session_errorf(s, "%s", err);
        free(err);
    }
    if (cmd != NULL) {
        rc = sh_cmdpipe_read(pd_core_loop(s->core), cmd,
                             sh_env_vector(s->env), on_tick_done, t);
        if (rc == 0) {
            free(cmd);
            return;
        }
        /* psql's popen failure: said, and the command gives nothing. */
        sh_session_errorf(s, "%s: %s", cmd, uv_strerror(rc));
        free(cmd);
        memmove(t->line + t->start, t->line + t->end,
                strlen(t->line + t->end) + 1);
        next_tick(t, t->start);
        return;
    }
    if (t->end == SIZE_MAX) { /* psql drops the argument, and the rest */
        sh_session_errorf(s, "unterminated quoted string");
        t->line[t->start] = '\0';
    }
    rc = sh_dispatch_backslash(s, t->line);
    free(t->line);
    free(t);
    if (rc != SH_CMD_ASYNC)
        sh_session_unit_done(s, rc);
}

/* Runs a backslash command line, its backquotes first; see
 * session_internal.h. */
int sh_session_backtick_dispatch(sh_session *s, const char *line)
{
    size_t start, end;
    unsigned flags;
    ticks *t;
    char *cmd;

    if (strchr(line, '`') == NULL || !takes_backticks(line, &flags))
        return sh_dispatch_backslash(s, line);
    cmd = sh_vars_backtick_find(s->vars, line, 0, flags, &start, &end, NULL);
    if (cmd == NULL && end != SIZE_MAX) /* all inside quotes */
        return sh_dispatch_backslash(s, line);
    free(cmd);
    t = pd_xcalloc(1, sizeof(*t));
    t->s = s;
    t->line = pd_xstrdup(line);
    t->flags = flags;
    next_tick(t, 0);
    return SH_CMD_ASYNC;
}
