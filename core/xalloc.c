/* xalloc.c: allocation wrappers whose failure is fatal. */
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The one piece of process-wide state: set once at start-up by the front
 * end that owns the terminal, read only on the way out. */
static pd_fatal_hook fatal_hook;

void pd_set_fatal_hook(pd_fatal_hook hook)
{
    fatal_hook = hook;
}

/* Restores the terminal (through the hook), says why, and exits 1. */
void pd_fatal(const char *fmt, ...)
{
    va_list ap;

    if (fatal_hook != NULL) {
        pd_fatal_hook h = fatal_hook;
        fatal_hook = NULL; /* a hook that fails must not recurse */
        h();
    }
    fputs("pgdeck: fatal: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

/* Returns-owned block of size bytes (size > 0); exits on failure. */
void *pd_xmalloc(size_t size)
{
    void *p;

    if (size == 0)
        pd_fatal("zero-size allocation");
    if ((p = malloc(size)) == NULL)
        pd_fatal("out of memory (%zu bytes)", size);
    return p;
}

/* Returns-owned zeroed array of n elements of size bytes. */
void *pd_xcalloc(size_t n, size_t size)
{
    void *p;

    if (n == 0 || size == 0)
        pd_fatal("zero-size allocation");
    if ((p = calloc(n, size)) == NULL)
        pd_fatal("out of memory (%zu x %zu bytes)", n, size);
    return p;
}

/* Resizes p (takes; may be NULL) to size bytes; returns-owned. */
void *pd_xrealloc(void *p, size_t size)
{
    void *q;

    if (size == 0)
        pd_fatal("zero-size allocation");
    if ((q = realloc(p, size)) == NULL)
        pd_fatal("out of memory (%zu bytes)", size);
    return q;
}

/* Returns-owned copy of s. */
char *pd_xstrdup(const char *s)
{
    return pd_xstrndup(s, strlen(s));
}

/* Returns-owned copy of the first n bytes of s, NUL-terminated. */
char *pd_xstrndup(const char *s, size_t n)
{
    char *p = pd_xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* Returns-owned formatted string. */
char *pd_xvasprintf(const char *fmt, va_list ap)
{
    char *s;

    if (vasprintf(&s, fmt, ap) < 0)
        pd_fatal("out of memory (formatting)");
    return s;
}

/* Returns-owned formatted string. */
char *pd_xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = pd_xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}
