/* env.c: the children's environment, a private copy of environ (see
 * env.h). A plain vector of "NAME=VALUE" strings: it is what uv_spawn
 * wants, and a few dozen entries searched linearly on a \setenv or a
 * lookup cost nothing next to a fork. */
#include "shell/env.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

extern char **environ;

struct sh_env {
    char **vec;    /* owned strings, NULL-terminated */
    size_t n;      /* entries before the NULL */
    size_t cap;    /* slots in vec, the NULL's included */
};

sh_env *sh_env_new(void)
{
    sh_env *e = pd_xcalloc(1, sizeof(*e));
    size_t i, n = 0;

    while (environ != NULL && environ[n] != NULL)
        n++;
    e->cap = n + 8;
    e->vec = pd_xcalloc(e->cap, sizeof(*e->vec));
    for (i = 0; i < n; i++)
        e->vec[i] = pd_xstrdup(environ[i]);
    e->n = n;
    return e;
}

void sh_env_free(sh_env *e)
{
    size_t i;

    if (e == NULL)
        return;
    for (i = 0; i < e->n; i++)
        free(e->vec[i]);
    free(e->vec);
    free(e);
}

/* The index of name's entry, or e->n when it has none. */
static size_t find(const sh_env *e, const char *name)
{
    size_t len = strlen(name), i;

    for (i = 0; i < e->n; i++)
        if (strncmp(e->vec[i], name, len) == 0 && e->vec[i][len] == '=')
            return i;
    return e->n;
}

void sh_env_set(sh_env *e, const char *name, const char *value)
{
    size_t i;

    if (*name == '\0')
        return;
    i = find(e, name);
    if (value == NULL) {
        if (i == e->n)
            return;
        free(e->vec[i]);
        /* Order kept, as unsetenv keeps it: children list env the same. */
        memmove(&e->vec[i], &e->vec[i + 1], (e->n - i) * sizeof(*e->vec));
        e->n--;
        return;
    }
    if (i == e->n) {
        if (e->n + 1 == e->cap) {
            e->cap *= 2;
            e->vec = pd_xrealloc(e->vec, e->cap * sizeof(*e->vec));
        }
        e->n++;
        e->vec[e->n] = NULL;
    } else {
        free(e->vec[i]);
    }
    e->vec[i] = pd_xasprintf("%s=%s", name, value);
}

const char *sh_env_get(const sh_env *e, const char *name)
{
    size_t i;

    if (e == NULL)
        return getenv(name);
    i = find(e, name);
    return i < e->n ? e->vec[i] + strlen(name) + 1 : NULL;
}

char **sh_env_vector(const sh_env *e)
{
    return e != NULL ? e->vec : NULL;
}
