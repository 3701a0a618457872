/* strbuf.h: a growable byte buffer, always NUL-terminated.
 *
 * A plain value struct, owned by whoever holds it; pd_strbuf_free releases
 * the bytes, pd_strbuf_steal hands them over. */
#ifndef PD_STRBUF_H
#define PD_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/xalloc.h"

typedef struct pd_strbuf {
    char *buf;  /* NUL-terminated; NULL until the first append */
    size_t len; /* bytes used, not counting the NUL */
    size_t cap; /* bytes allocated */
} pd_strbuf;

#define PD_STRBUF_INIT {NULL, 0, 0}

void pd_strbuf_append(pd_strbuf *sb, const char *s, size_t n);
void pd_strbuf_puts(pd_strbuf *sb, const char *s);
void pd_strbuf_putc(pd_strbuf *sb, char c);
void pd_strbuf_printf(pd_strbuf *sb, const char *fmt, ...) PD_PRINTF(2, 3);
void pd_strbuf_vprintf(pd_strbuf *sb, const char *fmt, va_list ap)
    PD_PRINTF(2, 0);
/* Appends n copies of c. */
void pd_strbuf_repeat(pd_strbuf *sb, char c, size_t n);
void pd_strbuf_reset(pd_strbuf *sb);
/* Returns the string (never NULL: "" when empty), as seen now. Borrowed. */
const char *pd_strbuf_cstr(const pd_strbuf *sb);
/* Returns-owned: the bytes (never NULL); the buffer is left empty. */
char *pd_strbuf_steal(pd_strbuf *sb);
void pd_strbuf_free(pd_strbuf *sb);

#endif
