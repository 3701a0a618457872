/* sqlsplit.c: the statement splitter, on top of core/sqllex.
 *
 * Input accumulates in a buffer that is scanned one token at a time. A
 * token that more input could still change (an identifier, a string or a
 * comment running to the end) is left unscanned until more input comes or
 * the input ends, so text may be fed in arbitrary pieces. The pending
 * statement is rebuilt token by token in out, which lets "\;" become ';'
 * and lets blanks before a statement be dropped. */
#include "core/sqlsplit.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sqllex.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

/* Compact the input buffer once this much of it has been scanned. */
#define COMPACT_MIN 65536

struct pd_sqlsplit {
    char *in;        /* raw input; in[pos..in_len) not scanned yet */
    size_t in_len;   /* bytes in in */
    size_t in_cap;   /* bytes allocated for in */
    size_t pos;      /* first unscanned byte */
    int line;        /* line of in[pos], 1-based */
    pd_strbuf out;   /* pending statement text */
    int first_line;  /* line of out's first byte */
    bool content;    /* out holds more than blanks and comments */
    int paren;       /* open parentheses in out */
    int begin;       /* open BEGIN/CASE in a CREATE FUNCTION body */
    int ident_count; /* identifiers seen in the statement */
    char idents[4];  /* first letters of create/or/replace/function/
                        procedure among the first four identifiers */
    bool ended;      /* pd_sqlsplit_finish was called */
    int copy;        /* 0; 1: skipping the rest of a COPY's line; 2: in
                        its data lines (pd_sqlsplit_copy_data) */
    pd_strbuf rest;  /* what followed the COPY statement on its line */
    bool bol;        /* the last unit took its line's newline (a
                        backslash command's): the next line is data */
};

/* Returns-owned, empty splitter. */
pd_sqlsplit *pd_sqlsplit_new(void)
{
    pd_sqlsplit *sp = pd_xcalloc(1, sizeof(*sp));

    sp->line = 1;
    return sp;
}

/* Frees sp and everything pending. Accepts NULL. */
void pd_sqlsplit_free(pd_sqlsplit *sp)
{
    if (sp == NULL)
        return;
    free(sp->in);
    pd_strbuf_free(&sp->out);
    pd_strbuf_free(&sp->rest);
    free(sp);
}

/* Appends text (borrowed, copied) to the unscanned input. */
void pd_sqlsplit_feed(pd_sqlsplit *sp, const char *text, size_t len)
{
    if (len == 0)
        return;
    if (sp->in_len + len > sp->in_cap) {
        size_t cap = sp->in_cap ? sp->in_cap : 256;

        while (cap < sp->in_len + len)
            cap *= 2;
        sp->in = pd_xrealloc(sp->in, cap);
        sp->in_cap = cap;
    }
    memcpy(sp->in + sp->in_len, text, len);
    sp->in_len += len;
}

/* Forgets the statement state kept besides the text. */
static void clear_state(pd_sqlsplit *sp)
{
    sp->content = false;
    sp->paren = 0;
    sp->begin = 0;
    sp->ident_count = 0;
    memset(sp->idents, 0, sizeof(sp->idents));
}

static void out_append(pd_sqlsplit *sp, const char *p, size_t n, int line)
{
    if (sp->out.len == 0)
        sp->first_line = line;
    pd_strbuf_append(&sp->out, p, n);
}

static bool word_is(const char *p, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(p, word, n) == 0;
}

/* psql's heuristic for SQL-standard function bodies: in a statement that
 * starts CREATE [OR REPLACE] {FUNCTION|PROCEDURE}, ';' ends nothing
 * between BEGIN and its END (CASE ... END nests inside). */
static void track_ident(pd_sqlsplit *sp, const char *p, size_t n)
{
    const char *id = sp->idents;

    if (sp->ident_count == 0)
        memset(sp->idents, 0, sizeof(sp->idents));
    if (word_is(p, n, "create") || word_is(p, n, "function") ||
        word_is(p, n, "procedure") || word_is(p, n, "or") ||
        word_is(p, n, "replace")) {
        if (sp->ident_count < (int)sizeof(sp->idents))
            sp->idents[sp->ident_count] = (char)(p[0] | 0x20);
    }
    sp->ident_count++;
    if (id[0] != 'c' || sp->paren != 0)
        return;
    if (!(id[1] == 'f' || id[1] == 'p' ||
          (id[1] == 'o' && id[2] == 'r' && (id[3] == 'f' || id[3] == 'p'))))
        return;
    if (word_is(p, n, "begin"))
        sp->begin++;
    else if (word_is(p, n, "case") && sp->begin >= 1)
        sp->begin++;
    else if (word_is(p, n, "end") && sp->begin > 0)
        sp->begin--;
}

/* Takes the pending text as a unit, leaving nothing pending. */
static char *take_out(pd_sqlsplit *sp, int *first_line)
{
    if (first_line != NULL)
        *first_line = sp->first_line;
    clear_state(sp);
    return pd_strbuf_steal(&sp->out);
}

/* Adds one scanned token (its bytes at p, starting on line) to the pending
 * statement. Returns-owned unit when the token completes one, else NULL. */
static char *consume(pd_sqlsplit *sp, const pd_sqltok *t, const char *p,
                     int line, int *first_line, int *last_line)
{
    size_t n = t->len;
    char *unit;

    switch (t->kind) {
    case PD_SQLTOK_SPACE:
    case PD_SQLTOK_LINE_COMMENT:
        /* psql drops blanks and -- comments until a statement starts. */
        if (sp->out.len > 0)
            pd_strbuf_append(&sp->out, p, n);
        return NULL;
    case PD_SQLTOK_BLOCK_COMMENT:
        out_append(sp, p, n, line);
        return NULL;
    case PD_SQLTOK_SEPARATOR:
        /* "\\" ends a command's arguments; between SQL tokens it still
         * parts them. Dropped outright it would join "-\\-" into a
         * comment or "$a\\$" into a dollar tag, and the unit would then
         * hide its command from pd_sqllex_command_start, or show one. */
        if (sp->out.len > 0)
            pd_strbuf_putc(&sp->out, ' ');
        return NULL;
    case PD_SQLTOK_ESCAPED:
        out_append(sp, p + 1, 1, line);
        sp->content = true;
        if (p[1] == ';')
            sp->ident_count = 0;
        return NULL;
    case PD_SQLTOK_SEMI:
        if (sp->paren > 0 || sp->begin > 0) {
            out_append(sp, p, n, line);
            return NULL;
        }
        if (!sp->content) {
            /* An empty statement: nothing to send. */
            pd_strbuf_reset(&sp->out);
            clear_state(sp);
            return NULL;
        }
        pd_strbuf_putc(&sp->out, ';');
        if (last_line != NULL)
            *last_line = line;
        return take_out(sp, first_line);
    case PD_SQLTOK_BACKSLASH:
        while (n > 1 && strchr(" \t\r\f\v", p[n - 1]) != NULL)
            n--;
        if (!sp->content) {
            pd_strbuf_reset(&sp->out);
            sp->first_line = line;
        }
        pd_strbuf_append(&sp->out, p, n);
        if (last_line != NULL)
            *last_line = line;
        unit = take_out(sp, first_line);
        return unit;
    case PD_SQLTOK_LPAREN:
        sp->paren++;
        break;
    case PD_SQLTOK_RPAREN:
        if (sp->paren > 0)
            sp->paren--;
        break;
    case PD_SQLTOK_IDENT:
        track_ident(sp, p, n);
        break;
    default:
        break;
    }
    out_append(sp, p, n, line);
    sp->content = true;
    return NULL;
}

/* Drops the scanned part of the input when it is worth the copy. */
static void compact(pd_sqlsplit *sp)
{
    if (sp->pos == sp->in_len) {
        sp->pos = sp->in_len = 0;
    } else if (sp->pos >= COMPACT_MIN && sp->pos > sp->in_len / 2) {
        memmove(sp->in, sp->in + sp->pos, sp->in_len - sp->pos);
        sp->in_len -= sp->pos;
        sp->pos = 0;
    }
}

/* Returns-owned next unit or NULL. See the contract in sqlsplit.h. */
char *pd_sqlsplit_next(pd_sqlsplit *sp, int *first_line, int *last_line)
{
    pd_sqltok t;
    char *unit = NULL;

    while (unit == NULL &&
           pd_sqllex_next(sp->in, sp->in_len, sp->pos, &t)) {
        const char *p = sp->in + sp->pos;
        int line = sp->line;

        if (t.more && !sp->ended)
            break;
        for (size_t k = 0; k < t.len; k++)
            sp->line += p[k] == '\n';
        sp->pos += t.len;
        unit = consume(sp, &t, p, line, first_line, last_line);
        if (t.kind == PD_SQLTOK_BACKSLASH && sp->pos < sp->in_len &&
            sp->in[sp->pos] == '\n') {
            /* The command's newline belongs to it, not to what follows. */
            sp->pos++;
            sp->line++;
        }
    }
    sp->bol = sp->pos > 0 && sp->in[sp->pos - 1] == '\n';
    compact(sp);
    return unit;
}

/* Returns-owned final unit or NULL. See the contract in sqlsplit.h. */
char *pd_sqlsplit_finish(pd_sqlsplit *sp, int *first_line, int *last_line)
{
    char *unit;
    size_t n;
    int last;

    sp->ended = true;
    unit = pd_sqlsplit_next(sp, first_line, last_line);
    if (unit != NULL)
        return unit;
    sp->ended = false;
    if (!sp->content) {
        pd_strbuf_reset(&sp->out);
        clear_state(sp);
        return NULL;
    }
    n = sp->out.len;
    while (n > 0 && strchr(" \t\n\r\f\v", sp->out.buf[n - 1]) != NULL)
        n--;
    last = sp->first_line;
    for (size_t k = 0; k < n; k++)
        last += sp->out.buf[k] == '\n';
    sp->out.buf[n] = '\0';
    sp->out.len = n;
    if (last_line != NULL)
        *last_line = last;
    return take_out(sp, first_line);
}

/* Forgets pending text and unscanned input. */
void pd_sqlsplit_reset(pd_sqlsplit *sp)
{
    /* Keep counting lines through what is thrown away. */
    for (size_t k = sp->pos; k < sp->in_len; k++)
        sp->line += sp->in[k] == '\n';
    sp->pos = sp->in_len = 0;
    sp->ended = false;
    sp->copy = 0;
    pd_strbuf_reset(&sp->rest);
    pd_strbuf_reset(&sp->out);
    clear_state(sp);
}

/* Makes sql the pending statement again. */
void pd_sqlsplit_set_pending(pd_sqlsplit *sp, const char *sql, size_t len)
{
    pd_sqltok t;
    size_t pos = 0;

    pd_strbuf_reset(&sp->out);
    clear_state(sp);
    while (pd_sqllex_next(sql, len, pos, &t)) {
        if (t.kind == PD_SQLTOK_SEMI && sp->paren == 0 && sp->begin == 0) {
            /* sql is one statement: a ';' that would end it came from
             * "\;" (the unit "SELECT 1\; SELECT 2 \x" gives back
             * "SELECT 1; SELECT 2 ") and ends nothing, as "\;" did. */
            out_append(sp, sql + pos, 1, sp->line);
            sp->content = true;
            sp->ident_count = 0;
        } else {
            /* Not a unit by the caller's promise; if it is one, drop it. */
            free(consume(sp, &t, sql + pos, sp->line, NULL, NULL));
        }
        pos += t.len;
    }
}

/* The pending statement text. */
const char *pd_sqlsplit_pending(pd_sqlsplit *sp)
{
    return pd_strbuf_cstr(&sp->out);
}

/* The prompt state. */
pd_sqlsplit_state pd_sqlsplit_state_get(const pd_sqlsplit *sp)
{
    pd_sqltok t;
    bool pending = sp->out.len > 0;

    if (pd_sqllex_next(sp->in, sp->in_len, sp->pos, &t)) {
        if (t.open) {
            switch (t.kind) {
            case PD_SQLTOK_STRING:
                return PD_SQLSPLIT_SQUOTE;
            case PD_SQLTOK_QIDENT:
                return PD_SQLSPLIT_DQUOTE;
            case PD_SQLTOK_DOLLAR:
                return PD_SQLSPLIT_DOLLAR;
            case PD_SQLTOK_BLOCK_COMMENT:
                return PD_SQLSPLIT_COMMENT;
            default:
                break;
            }
        }
        if (t.kind != PD_SQLTOK_SPACE && t.kind != PD_SQLTOK_LINE_COMMENT)
            pending = true;
    }
    if (sp->paren > 0)
        return PD_SQLSPLIT_PAREN;
    return pending ? PD_SQLSPLIT_CONTINUE : PD_SQLSPLIT_READY;
}

/* Open parentheses in the pending text. */
int pd_sqlsplit_paren_depth(const pd_sqlsplit *sp)
{
    return sp->paren;
}

/* psql's prompt character for st. */
char pd_sqlsplit_prompt_char(pd_sqlsplit_state st)
{
    static const char chars[] = {
        [PD_SQLSPLIT_READY] = '=',   [PD_SQLSPLIT_CONTINUE] = '-',
        [PD_SQLSPLIT_SQUOTE] = '\'', [PD_SQLSPLIT_DQUOTE] = '"',
        [PD_SQLSPLIT_DOLLAR] = '$',  [PD_SQLSPLIT_COMMENT] = '*',
        [PD_SQLSPLIT_PAREN] = '(',
    };
    if ((unsigned)st >= sizeof(chars))
        return '-';
    return chars[st];
}

/* ---- COPY ... FROM STDIN data ---- */

void pd_sqlsplit_copy_begin(pd_sqlsplit *sp)
{
    sp->copy = sp->bol ? 2 : 1;
    pd_strbuf_reset(&sp->rest);
}

/* Puts what followed the COPY statement on its line back in front of the
 * input, as psql scans the rest of that line after the data (its line
 * number is then counted once more: only blanks usually follow). */
static void put_back_rest(pd_sqlsplit *sp)
{
    size_t n = sp->rest.len, k;

    for (k = 0; k < n && strchr(" \t\r\f\v", sp->rest.buf[k]) != NULL; k++)
        ;
    sp->copy = 0;
    if (k == n) {
        pd_strbuf_reset(&sp->rest);
        return;
    }
    pd_strbuf_putc(&sp->rest, '\n');
    n = sp->rest.len;
    pd_sqlsplit_feed(sp, sp->rest.buf, n); /* room for it */
    memmove(sp->in + sp->pos + n, sp->in + sp->pos, sp->in_len - n - sp->pos);
    memcpy(sp->in + sp->pos, sp->rest.buf, n);
    sp->line--;
    pd_strbuf_reset(&sp->rest);
}

/* True when the line at p (len bytes, without its newline) is psql's end
 * of data "\." (a CR before the newline allowed). */
static bool is_end_marker(const char *p, size_t len)
{
    if (len > 0 && p[len - 1] == '\r')
        len--;
    return len == 2 && p[0] == '\\' && p[1] == '.';
}

int pd_sqlsplit_copy_data(pd_sqlsplit *sp, bool eof, const char **data,
                          size_t *len)
{
    size_t start;

    compact(sp); /* the caller is done with the last data given */
    *data = sp->in + sp->pos;
    *len = 0;
    if (sp->copy == 1) {
        const char *p = sp->in + sp->pos;
        const char *nl = memchr(p, '\n', sp->in_len - sp->pos);
        size_t n = nl != NULL ? (size_t)(nl - p) : sp->in_len - sp->pos;

        pd_strbuf_append(&sp->rest, p, n);
        sp->pos += n;
        if (nl == NULL && !eof)
            return 0;
        if (nl != NULL) {
            sp->pos++;
            sp->line++;
        }
        sp->copy = 2;
    }
    start = sp->pos;
    for (;;) {
        const char *p = sp->in + sp->pos;
        const char *nl = memchr(p, '\n', sp->in_len - sp->pos);
        size_t n = nl != NULL ? (size_t)(nl - p) : sp->in_len - sp->pos;

        if (nl == NULL && !eof)
            break;
        if (is_end_marker(p, n) || (nl == NULL && n == 0)) {
            *len = sp->pos - start;
            sp->pos += n + (nl != NULL);
            sp->line += nl != NULL;
            put_back_rest(sp); /* may move in; the data is before pos */
            *data = sp->in + start;
            return 1;
        }
        sp->pos += n + (nl != NULL);
        sp->line += nl != NULL;
    }
    *data = sp->in + start;
    *len = sp->pos - start;
    return 0;
}

int pd_sqlsplit_line(const pd_sqlsplit *sp)
{
    return sp->line;
}
