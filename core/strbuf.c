/* strbuf.c: growable NUL-terminated byte buffer. */
#include "core/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for n more bytes plus the NUL, doubling to stay amortised O(1). */
static void reserve(pd_strbuf *sb, size_t n)
{
    size_t need = sb->len + n + 1;
    size_t cap;

    if (need <= sb->cap)
        return;
    cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    sb->buf = pd_xrealloc(sb->buf, cap);
    sb->cap = cap;
}

/* Appends n bytes of s (which may hold NULs). */
void pd_strbuf_append(pd_strbuf *sb, const char *s, size_t n)
{
    reserve(sb, n);
    if (n > 0)
        memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

/* Appends the string s. */
void pd_strbuf_puts(pd_strbuf *sb, const char *s)
{
    pd_strbuf_append(sb, s, strlen(s));
}

/* Appends one byte. */
void pd_strbuf_putc(pd_strbuf *sb, char c)
{
    pd_strbuf_append(sb, &c, 1);
}

/* Appends n copies of c. */
void pd_strbuf_repeat(pd_strbuf *sb, char c, size_t n)
{
    reserve(sb, n);
    memset(sb->buf + sb->len, c, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

/* Appends formatted text. */
void pd_strbuf_vprintf(pd_strbuf *sb, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        pd_fatal("bad format string");
    reserve(sb, (size_t)n);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

/* Appends formatted text. */
void pd_strbuf_printf(pd_strbuf *sb, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    pd_strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
}

/* Empties the buffer and keeps its memory. */
void pd_strbuf_reset(pd_strbuf *sb)
{
    sb->len = 0;
    if (sb->buf != NULL)
        sb->buf[0] = '\0';
}

/* Borrowed view of the contents; "" when nothing was appended. */
const char *pd_strbuf_cstr(const pd_strbuf *sb)
{
    return sb->buf != NULL ? sb->buf : "";
}

/* Returns-owned contents; the buffer is left empty. */
char *pd_strbuf_steal(pd_strbuf *sb)
{
    char *s = sb->buf != NULL ? sb->buf : pd_xstrdup("");

    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return s;
}

/* Releases the memory. */
void pd_strbuf_free(pd_strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}
