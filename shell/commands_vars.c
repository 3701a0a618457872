/* commands_vars.c: variables and echo (see commands_internal.h): \set
 * and \unset on the session's variables, \echo, \qecho and \warn to
 * standard output, the \o stream and standard error. */
#include "shell/commands.h"

#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "shell/commands_internal.h"
#include "shell/vars.h"

/* ---- variables ---- */

/* \set [NAME [VALUE ...]]: every variable, or sets one. */
int sh_commands_set(sh_session *s, const char *args)
{
    sh_vars *vars = sh_session_vars(s);
    const char *p = args;
    pd_strbuf val = PD_STRBUF_INIT;
    char *name = sh_commands_next_arg(s, &p), *a;
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
    while ((a = sh_commands_next_arg(s, &p)) != NULL) {
        pd_strbuf_puts(&val, a);
        free(a);
    }
    rc = sh_vars_set(vars, name, pd_strbuf_cstr(&val));
    if (rc == -1)
        sh_session_errorf(s, "invalid variable name: \"%s\"", name);
    else if (rc == -2)
        sh_session_errorf(s, "unrecognized value \"%s\" for \"%s\": "
                          "Boolean expected", pd_strbuf_cstr(&val), name);
    else if (rc == -3)
        sh_session_errorf(s, "invalid value \"%s\" for \"%s\": "
                          "integer expected", pd_strbuf_cstr(&val), name);
    pd_strbuf_free(&val);
    free(name);
    return rc != 0;
}

/* \unset NAME. */
int sh_commands_unset(sh_session *s, const char *args)
{
    const char *p = args;
    char *name = sh_commands_next_arg(s, &p);
    int rc = 0;

    if (name == NULL) {
        sh_session_errorf(s, "\\unset: missing required argument");
        return 1;
    }
    if (sh_vars_set(sh_session_vars(s), name, NULL) != 0) {
        sh_session_errorf(s, "invalid variable name: \"%s\"", name);
        rc = 1;
    }
    sh_commands_extra_args(s, "unset", p);
    free(name);
    return rc;
}

/* ---- echo ---- */

/* \echo, \qecho, \warn: the arguments joined by one blank; -n first
 * drops the newline. */
static void echo_to(sh_session *s, FILE *f, const char *args)
{
    const char *p = args;
    bool newline = true, first = true, printed = false;
    char *a;

    while ((a = sh_commands_next_arg(s, &p)) != NULL) {
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

/* \echo [-n] [STRING]: to standard output. */
int sh_commands_echo(sh_session *s, const char *args)
{
    fflush(sh_session_out(s));
    echo_to(s, sh_session_stdout(s), args);
    return 0;
}

/* \qecho [-n] [STRING]: to the \o stream. */
int sh_commands_qecho(sh_session *s, const char *args)
{
    echo_to(s, sh_session_out(s), args);
    return 0;
}

/* \warn [-n] [STRING]: to standard error. */
int sh_commands_warn(sh_session *s, const char *args)
{
    fflush(sh_session_out(s));
    echo_to(s, sh_session_err(s), args);
    return 0;
}

