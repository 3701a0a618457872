/* printerr.c: errors as psql prints them.
 *
 * A server error is libpq's own text ("ERROR:  ...", then "LINE n:" with
 * the caret, DETAIL, HINT, CONTEXT), which is exactly what psql shows;
 * psql strips its trailing newline and adds one back, and so do we. Other
 * errors follow psql's "psql: error: ..." form. Those can quote a
 * connection string, so any password in them is masked first. */
#include "shell/format.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "shell/palette.h"

#define MASK "********"

/* Length of a conninfo value at s: a quoted '...' (with \' escapes) or a
 * run up to the next blank. */
static size_t value_len(const char *s)
{
    const char *p = s;

    if (*p == '\'') {
        for (p++; *p != '\0' && *p != '\''; p++)
            if (*p == '\\' && p[1] != '\0')
                p++;
        return (size_t)(p - s) + (*p == '\'' ? 1 : 0);
    }
    while (*p != '\0' && !isspace((unsigned char)*p))
        p++;
    return (size_t)(p - s);
}

/* At a "://" the authority runs to the first '/', '?', '#' or blank; if
 * it has "user:secret@", returns the secret's offset and length. */
static bool uri_secret(const char *auth, size_t *off, size_t *len)
{
    size_t n = strcspn(auth, "/?# \t\n");
    const char *at = NULL, *colon;
    size_t i;

    for (i = 0; i < n; i++)
        if (auth[i] == '@')
            at = auth + i; /* the last '@': a password may contain '@' */
    if (at == NULL)
        return false;
    colon = memchr(auth, ':', (size_t)(at - auth));
    if (colon == NULL)
        return false;
    *off = (size_t)(colon + 1 - auth);
    *len = (size_t)(at - colon - 1);
    return true;
}

/* Appends msg to sb with passwords (password=... and URI user:pass@)
 * replaced by asterisks. */
static void append_masked(pd_strbuf *sb, const char *msg)
{
    const char *p = msg;

    while (*p != '\0') {
        size_t off, len;

        if (strncasecmp(p, "password", 8) == 0) {
            const char *q = p + 8;

            while (*q == ' ')
                q++;
            if (*q == '=') {
                q++;
                while (*q == ' ')
                    q++;
                pd_strbuf_append(sb, p, (size_t)(q - p));
                pd_strbuf_puts(sb, MASK);
                p = q + value_len(q);
                continue;
            }
        }
        if (strncmp(p, "://", 3) == 0 && uri_secret(p + 3, &off, &len)) {
            pd_strbuf_append(sb, p, 3 + off);
            pd_strbuf_puts(sb, MASK);
            p += 3 + off + len;
            continue;
        }
        pd_strbuf_putc(sb, *p++);
    }
}

/* The text of a server error when libpq's full text is missing: the
 * fields in libpq's default-verbosity order. */
static void append_server_fields(pd_strbuf *sb, const pd_error *err)
{
    pd_strbuf_printf(sb, "%s:  %s\n",
                     err->severity != NULL ? err->severity : "ERROR",
                     err->message != NULL ? err->message : "");
    if (err->detail != NULL)
        pd_strbuf_printf(sb, "DETAIL:  %s\n", err->detail);
    if (err->hint != NULL)
        pd_strbuf_printf(sb, "HINT:  %s\n", err->hint);
    if (err->context != NULL)
        pd_strbuf_printf(sb, "CONTEXT:  %s\n", err->context);
}

/* Writes len bytes of text to out; on a colour terminal, with the word
 * at offset at up to its ':' ("ERROR:", "WARNING:") in the colour of
 * use. The text itself is psql's either way. */
static void put_severity(FILE *out, const char *text, size_t len, size_t at,
                         sh_palette_use use)
{
    size_t word = at < len ? strcspn(text + at, ": \n") : 0;

    if (!sh_palette_on(out) || word == 0 || at + word >= len ||
        text[at + word] != ':') {
        fwrite(text, 1, len, out);
        return;
    }
    word++; /* the colon with it */
    fwrite(text, 1, at, out);
    fputs(sh_palette_start(out, use), out);
    fwrite(text + at, 1, word, out);
    fputs(sh_palette_end(out, use), out);
    fwrite(text + at + word, 1, len - at - word, out);
}

/* Prints notice text (libpq's, one or more notices, each ending with a
 * newline) to out as psql does: as it is, WARNING: coloured on a colour
 * terminal. */
void sh_print_notice(FILE *out, const char *text)
{
    const char *line = text;

    while (*line != '\0') {
        const char *nl = strchr(line, '\n');
        size_t len = nl != NULL ? (size_t)(nl + 1 - line) : strlen(line);

        if (strncmp(line, "WARNING:", 8) == 0)
            put_severity(out, line, len, 0, SH_PAL_WARNING);
        else
            fwrite(line, 1, len, out);
        line += len;
    }
}

/* Prints err to out as psql would, prefix (if any) before the first line.
 * Server errors appear as libpq's text; others as "pgdeck: error: ..."
 * (or "<prefix>error: ..."), with passwords masked. Always ends with
 * exactly one newline. */
void sh_print_error(FILE *out, const pd_error *err, const char *prefix)
{
    pd_strbuf sb = PD_STRBUF_INIT;
    const char *text;
    size_t len;

    if (err == NULL || err->kind == PD_ERR_NONE)
        return;
    if (prefix != NULL)
        pd_strbuf_puts(&sb, prefix);
    if (err->kind == PD_ERR_SERVER) {
        if (err->full != NULL && err->full[0] != '\0')
            pd_strbuf_puts(&sb, err->full);
        else
            append_server_fields(&sb, err);
    } else {
        pd_strbuf_puts(&sb, prefix != NULL ? "error: " : "pgdeck: error: ");
        append_masked(&sb, err->message != NULL ? err->message : "");
    }

    text = pd_strbuf_cstr(&sb);
    len = sb.len;
    if (len > 0 && text[len - 1] == '\n')
        len--;
    if (err->kind == PD_ERR_SERVER)
        put_severity(out, text, len, prefix != NULL ? strlen(prefix) : 0,
                     SH_PAL_ERROR);
    else
        fwrite(text, 1, len, out);
    fputc('\n', out);
    fflush(out);
    pd_strbuf_free(&sb);
}
