/* session_restrict.c: psql 15.14's \restrict and \unrestrict.
 *
 * pg_dump (since the same minor releases) brackets its scripts with
 * "\restrict KEY" ... "\unrestrict KEY": in between, every other
 * backslash command fails, so a malicious server's data in the dump
 * cannot smuggle in a command such as \! (CVE-2025-8714). exec.c refuses
 * the commands while s->restrict_key is set; here it is set and
 * cleared. */
#include "shell/session_internal.h"

#include <stdlib.h>
#include <string.h>

#include "shell/commands_internal.h"

/* \restrict KEY: only \unrestrict KEY works from now on. */
static int cmd_restrict(sh_session *s, const char *args)
{
    const char *p = args;
    char *key = sh_commands_next_arg(s, &p);

    if (key == NULL) {
        sh_session_errorf(s, "\\restrict: missing required argument");
        return 1;
    }
    free(s->restrict_key);
    s->restrict_key = key;
    sh_commands_extra_args(s, "restrict", p);
    return 0;
}

/* \unrestrict KEY: leaves restricted mode when KEY is \restrict's. */
static int cmd_unrestrict(sh_session *s, const char *args)
{
    const char *p = args;
    char *key;

    if (s->restrict_key == NULL) {
        sh_session_errorf(s, "\\unrestrict: not currently in restricted "
                             "mode");
        return 1;
    }
    key = sh_commands_next_arg(s, &p);
    if (key == NULL) {
        sh_session_errorf(s, "\\unrestrict: missing required argument");
        return 1;
    }
    if (strcmp(key, s->restrict_key) != 0) {
        sh_session_errorf(s, "\\unrestrict: wrong key");
        free(key);
        return 1;
    }
    free(key);
    free(s->restrict_key);
    s->restrict_key = NULL;
    sh_commands_extra_args(s, "unrestrict", p);
    return 0;
}

bool sh_session_restricted(const sh_session *s, const char *line)
{
    size_t n = strcspn(line + 1, " \t\n");

    return s->restrict_key != NULL &&
           !(n == 10 && strncmp(line + 1, "unrestrict", 10) == 0);
}

const sh_cmd sh_restrict_commands[] = {
    {"restrict", cmd_restrict, "\\restrict RESTRICT_KEY",
     "enter restricted mode with provided key"},
    {"unrestrict", cmd_unrestrict, "\\unrestrict RESTRICT_KEY",
     "exit restricted mode if key matches"},
    {NULL, NULL, NULL, NULL},
};
