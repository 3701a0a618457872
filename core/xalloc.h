/* xalloc.h: allocation that cannot fail.
 *
 * Allocation failure is fatal: the x-wrappers call the fatal hook (which the
 * dashboard sets to restore the terminal), print one line and exit(1).
 * Callers never NULL-check their results. */
#ifndef PD_XALLOC_H
#define PD_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

#define PD_MUSTCHECK __attribute__((warn_unused_result))
#define PD_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define PD_NORETURN __attribute__((noreturn))

typedef void (*pd_fatal_hook)(void);

void *pd_xmalloc(size_t size);
void *pd_xcalloc(size_t n, size_t size);
void *pd_xrealloc(void *p, size_t size);
char *pd_xstrdup(const char *s);
char *pd_xstrndup(const char *s, size_t n);
char *pd_xasprintf(const char *fmt, ...) PD_PRINTF(1, 2);
char *pd_xvasprintf(const char *fmt, va_list ap) PD_PRINTF(1, 0);

/* Sets the hook run before a fatal exit (NULL clears it). The hook must be
 * async-signal-tolerant: it may run from any point. */
void pd_set_fatal_hook(pd_fatal_hook hook);

/* Runs the hook, prints "pgdeck: fatal: ..." to stderr and exits 1. */
PD_NORETURN void pd_fatal(const char *fmt, ...) PD_PRINTF(1, 2);

#endif
