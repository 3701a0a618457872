/* dispatch.c: finding a backslash command by name in the command tables
 * and running it. */
#include "shell/session_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "shell/bench_cmd.h"
#include "shell/describe.h"
#include "shell/refresh_cmd.h"

/* Every command table; a file that adds commands adds its table here. */
static const sh_cmd *const tables[] = {
    sh_session_commands,
    sh_describe_commands,
    sh_psql_commands,
    sh_observe_commands,
    sh_refresh_commands,
    sh_batch_commands,
    sh_jobs_commands,
    sh_theme_commands,
    sh_restrict_commands,
    sh_system_commands,
};

/* Finds name in the tables: an exact match first, else the longest command
 * name that name starts with followed by only "+" and "S" modifiers (\dt+,
 * \dtS). Sets *tail to the modifiers. */
static const sh_cmd *find_cmd(const char *name, const char **tail)
{
    const sh_cmd *best = NULL;
    size_t i, best_len = 0;

    for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        const sh_cmd *c;
        for (c = tables[i]; c->name != NULL; c++) {
            size_t n = strlen(c->name);
            if (strncmp(name, c->name, n) != 0 || n < best_len)
                continue;
            if (name[n] != '\0' && strspn(name + n, "+S") != strlen(name + n))
                continue;
            best = c;
            best_len = n;
        }
    }
    if (best != NULL)
        *tail = name + best_len;
    return best;
}

/* Runs a backslash command line; returns as a sh_cmd_fn does. */
int sh_dispatch_backslash(sh_session *s, const char *line)
{
    const char *p = line + 1, *args, *tail = "";
    const sh_cmd *c;
    char name[64], *a;
    size_t n = 0, len;
    int rc;

    while (p[n] != '\0' && !isspace((unsigned char)p[n]) && n < sizeof(name) - 1)
        n++;
    memcpy(name, p, n);
    name[n] = '\0';
    args = p + n;
    while (isspace((unsigned char)*args))
        args++;
    if ((c = find_cmd(name, &tail)) != NULL) {
        a = pd_xstrdup(args);
        len = strlen(a);
        while (len > 0 && isspace((unsigned char)a[len - 1]))
            a[--len] = '\0';
        s->name_tail = tail;
        rc = c->fn(s, a);
        s->name_tail = "";
        free(a);
        return rc;
    }
    /* psql's three wordings: at the prompt, from -c, from a file. */
    if (s->err_prefix != NULL)
        fprintf(s->err, "%serror: invalid command \\%s\n", s->err_prefix,
                name);
    else
        fprintf(s->err, "invalid command \\%s\n%s", name,
                s->interactive ? "Try \\? for help.\n" : "");
    return 1;
}

const sh_cmd *const *sh_session_cmd_tables(size_t *n)
{
    *n = sizeof(tables) / sizeof(tables[0]);
    return tables;
}
