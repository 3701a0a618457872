/* commands_system.c: the process's surroundings (see
 * commands_internal.h): \! runs a shell command (or the user's shell)
 * with the terminal while the loop waits for it, \setenv changes the
 * environment children get (\e's editor, \!'s shell), \encoding shows or
 * sets the client encoding through the session's own connection. */
#include "shell/commands.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "shell/commands_internal.h"
#include "shell/vars.h"

/* ---- \! ---- */

typedef struct shell_run {
    sh_session *s;
    uv_process_t proc;
    int status;        /* the unit's: 1 when the shell could not start */
} shell_run;

static void on_shell_closed(uv_handle_t *h)
{
    shell_run *r = h->data;
    sh_session *s = r->s;
    int status = r->status;

    free(r);
    sh_session_unit_done(s, status);
}

static void on_shell_exit(uv_process_t *p, int64_t status, int sig)
{
    /* As psql, whose check of system()'s wait status never sees the
     * command's own exit status: only a shell that did not start fails
     * the \!. */
    (void)status;
    (void)sig;
    uv_close((uv_handle_t *)p, on_shell_closed);
}

/* \! [COMMAND]: COMMAND through /bin/sh -c, or without one the user's
 * $SHELL, with the terminal (input stops while a unit runs, so readline
 * is out of the way) and the loop waiting in uv_spawn's exit callback,
 * where psql blocks in system(). As psql, the rest of the line is taken
 * whole: no quotes, no :var interpolation. */
static int cmd_shell(sh_session *s, const char *args)
{
    const char *sh = sh_env_get(sh_session_env(s), "SHELL");
    char *cmd;
    shell_run *r;
    int rc;

    if (*args != '\0')
        cmd = pd_xstrdup(args);
    else /* psql's "exec $SHELL": the shell is the child itself */
        cmd = pd_xasprintf("exec %s", sh != NULL && *sh ? sh : "/bin/sh");
    r = pd_xcalloc(1, sizeof(*r));
    r->s = s;
    r->proc.data = r;
    rc = sh_commands_spawn_sh(s, &r->proc, cmd, on_shell_exit);
    free(cmd);
    if (rc < 0) {
        sh_session_errorf(s, "\\!: failed");
        r->status = 1;
        /* libuv needs the handle closed even when spawning failed. */
        uv_close((uv_handle_t *)&r->proc, on_shell_closed);
    }
    return SH_CMD_ASYNC;
}

/* ---- \setenv ---- */

/* \setenv NAME [VALUE]: sets NAME, or unsets it without VALUE, in the
 * environment of pgdeck's children and of what the shell reads itself
 * (\e's EDITOR, the pager), with psql's messages. */
static int cmd_setenv(sh_session *s, const char *args)
{
    const char *p = args;
    char *name = sh_commands_next_arg(s, &p), *value = NULL;
    int rc = 0;

    if (name == NULL) {
        sh_session_errorf(s, "\\setenv: missing required argument");
        return 1;
    }
    value = sh_commands_next_arg(s, &p);
    if (strchr(name, '=') != NULL) {
        sh_session_errorf(s, "\\setenv: environment variable name must not "
                          "contain \"=\"");
        rc = 1;
    } else {
        /* Never setenv: see env.h. */
        sh_env_set(sh_session_env_edit(s), name, value);
    }
    sh_commands_extra_args(s, "setenv", p);
    free(name);
    free(value);
    return rc;
}

/* ---- \encoding ---- */

typedef struct enc_req {
    sh_session *s;
    char *name;        /* owned: the encoding asked for; NULL to show */
} enc_req;

static void on_encoding(pd_result *res, const pd_error *err, void *ctx)
{
    enc_req *q = ctx;
    sh_session *s = q->s;
    const char *v = NULL;
    int status = 0;

    if (res != NULL && pd_result_nrows(res) == 1)
        v = pd_result_value(res, 0, 0);
    if (v == NULL && q->name != NULL && err != NULL &&
        err->kind != PD_ERR_CONNECTION) {
        /* psql's word for whatever the server refused. */
        sh_session_errorf(s, "%s: invalid encoding name or conversion "
                          "procedure not found", q->name);
        status = 1;
    } else if (v == NULL) {
        if (err != NULL)
            sh_session_print_error(s, err);
        status = 1;
    } else if (q->name == NULL) {
        fprintf(sh_session_stdout(s), "%s\n", v);
    } else {
        sh_vars_set(sh_session_vars(s), "ENCODING", v);
    }
    pd_result_free(res);
    free(q->name);
    free(q);
    sh_session_unit_done(s, status);
}

/* \encoding [ENC]: shows the client encoding, or sets it. psql's
 * PQsetClientEncoding would block the loop; set_config through the
 * session's connection does the same SET and answers with the name as
 * the server spells it (latin1 -> LATIN1), which is what psql shows and
 * puts in ENCODING. */
static int cmd_encoding(sh_session *s, const char *args)
{
    const char *p = args;
    enc_req *q = pd_xcalloc(1, sizeof(*q));
    const char *params[1];
    int rc;

    q->s = s;
    q->name = sh_commands_next_arg(s, &p);
    sh_commands_extra_args(s, "encoding", p);
    params[0] = q->name;
    if (q->name == NULL)
        rc = sh_session_query(s, "SELECT pg_catalog.current_setting("
                              "'client_encoding')", 0, NULL, on_encoding, q);
    else
        rc = sh_session_query(s, "SELECT pg_catalog.set_config("
                              "'client_encoding', $1, false)", 1, params,
                              on_encoding, q);
    if (rc != 0) {
        sh_session_errorf(s, "the connection to the server was lost");
        free(q->name);
        free(q);
        return 1;
    }
    return SH_CMD_ASYNC;
}

const sh_cmd sh_system_commands[] = {
    {"!", cmd_shell, "\\! [COMMAND]", "execute command in shell or start "
                                      "interactive shell"},
    {"encoding", cmd_encoding, "\\encoding [ENCODING]",
     "show or set client encoding"},
    {"setenv", cmd_setenv, "\\setenv NAME [VALUE]",
     "set or unset environment variable"},
    {NULL, NULL, NULL, NULL},
};
