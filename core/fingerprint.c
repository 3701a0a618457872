/* fingerprint.c: literal masking over the shared SQL lexer.
 *
 * The text is first cut into significant tokens (blanks and comments only
 * leave a "gap" mark on the token after them), so that the rules that need
 * to look ahead (a unary minus, a list of constants, a type modifier) can
 * index freely. */
#include "core/fingerprint.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sqllex.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

/* The marker PostgreSQL 18 prints after a squashed list's placeholder. */
#define SQUASH_MARK " /*, ... */"

typedef struct tok {
    pd_sqltok_kind kind;
    const char *p; /* borrowed from the input */
    size_t len;
    bool gap;      /* blanks or a comment came before it */
} tok;

typedef struct toks {
    tok *v;
    size_t n, cap;
} toks;

/* Keywords after which '-' is a sign, not a subtraction. After any
 * operator, '(' or ',' it is a sign too; after a name or a value it is
 * not. */
static const char *const sign_keywords[] = {
    "select", "where", "and", "or", "not", "when", "then", "else", "limit",
    "offset", "between", "having", "case", "return", "returning",
    "distinct", "like", "ilike", "is", "in", "set", "all", "any", "some",
    NULL,
};

static void push(toks *t, pd_sqltok_kind kind, const char *p, size_t len,
                 bool gap)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = pd_xrealloc(t->v, t->cap * sizeof(*t->v));
    }
    t->v[t->n++] = (tok){kind, p, len, gap};
}

static void tokenize(const char *sql, size_t len, toks *t)
{
    pd_sqltok st;
    size_t pos = 0;
    bool gap = false;

    while (pd_sqllex_next(sql, len, pos, &st)) {
        pos += st.len;
        switch (st.kind) {
        case PD_SQLTOK_SPACE:
        case PD_SQLTOK_LINE_COMMENT:
        case PD_SQLTOK_BLOCK_COMMENT:
        case PD_SQLTOK_BACKSLASH:
        case PD_SQLTOK_SEPARATOR:
            /* A psql command is not sent to the server; its arguments may
             * hold secrets, so it goes like a comment. */
            gap = true;
            continue;
        case PD_SQLTOK_ESCAPED:
            /* psql sends the bare character of \; and \: */
            push(t, PD_SQLTOK_OP, sql + st.start + 1, 1, gap);
            break;
        default:
            push(t, st.kind, sql + st.start, st.len, gap);
            break;
        }
        gap = false;
    }
    /* "SELECT 1;" and "SELECT 1" are the same query. */
    while (t->n > 0 && t->v[t->n - 1].kind == PD_SQLTOK_SEMI)
        t->n--;
}

static bool is_op(const toks *t, size_t i, char c)
{
    return i < t->n && t->v[i].kind == PD_SQLTOK_OP && t->v[i].len == 1 &&
           t->v[i].p[0] == c;
}

static bool is_kind(const toks *t, size_t i, pd_sqltok_kind kind)
{
    return i < t->n && t->v[i].kind == kind;
}

static bool is_word(const toks *t, size_t i, const char *w)
{
    return is_kind(t, i, PD_SQLTOK_IDENT) && t->v[i].len == strlen(w) &&
           strncasecmp(t->v[i].p, w, t->v[i].len) == 0;
}

static bool is_const(const toks *t, size_t i)
{
    return is_kind(t, i, PD_SQLTOK_STRING) ||
           is_kind(t, i, PD_SQLTOK_DOLLAR) || is_kind(t, i, PD_SQLTOK_NUMBER);
}

/* Is a '-' or '+' right after token prev (SIZE_MAX: none) a sign? */
static bool sign_context(const toks *t, size_t prev)
{
    const tok *p;
    int k;

    if (prev == SIZE_MAX)
        return true;
    p = &t->v[prev];
    switch (p->kind) {
    case PD_SQLTOK_OP:
        return !(p->len == 1 && p->p[0] == ']');
    case PD_SQLTOK_LPAREN:
    case PD_SQLTOK_SEMI:
        return true;
    case PD_SQLTOK_IDENT:
        for (k = 0; sign_keywords[k] != NULL; k++) {
            if (is_word(t, prev, sign_keywords[k]))
                return true;
        }
        return false;
    default:
        return false;
    }
}

/* At "::" (offset i), skips the cast: "::name [name...] [(n, ...)] [[]]".
 * Returns the offset after it, or i when there is no cast there. */
static size_t skip_cast(const toks *t, size_t i)
{
    size_t j;

    if (!is_op(t, i, ':') || !is_op(t, i + 1, ':') ||
        !is_kind(t, i + 2, PD_SQLTOK_IDENT))
        return i;
    j = i + 2;
    while (is_kind(t, j, PD_SQLTOK_IDENT))
        j++;
    if (is_kind(t, j, PD_SQLTOK_LPAREN)) {
        size_t k = j + 1;

        while (is_kind(t, k, PD_SQLTOK_NUMBER)) {
            if (is_kind(t, k + 1, PD_SQLTOK_RPAREN)) {
                j = k + 2;
                break;
            }
            if (!is_op(t, k + 1, ','))
                break;
            k += 2;
        }
    }
    if (is_op(t, j, '[') && is_op(t, j + 1, ']'))
        j += 2;
    return j;
}

/* One element of a constant list at i: [sign] constant {cast}. Returns the
 * offset after it, or 0 when the element is anything else. */
static size_t const_elem(const toks *t, size_t i)
{
    size_t j;

    if ((is_op(t, i, '-') || is_op(t, i, '+')) &&
        is_kind(t, i + 1, PD_SQLTOK_NUMBER))
        i++;
    if (!is_const(t, i))
        return 0;
    i++;
    while ((j = skip_cast(t, i)) != i)
        i = j;
    return i;
}

/* A list of two or more constants starting at i and closed by closer
 * (')' or ']'). Returns the closer's offset, or 0 when it is not such a
 * list. */
static size_t const_list(const toks *t, size_t i, char closer)
{
    int count = 0;
    size_t e;

    for (;;) {
        e = const_elem(t, i);
        if (e == 0)
            return 0;
        count++;
        if (is_op(t, e, ','))
            i = e + 1;
        else if ((closer == ')' && is_kind(t, e, PD_SQLTOK_RPAREN)) ||
                 (closer == ']' && is_op(t, e, ']')))
            return count >= 2 ? e : 0;
        else
            return 0;
    }
}

static bool word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

/* Appends s after a space when there was a gap in the input, or when
 * gluing would merge two words ("a" and "$1" into "a$1"). */
static void emit(pd_strbuf *out, bool gap, const char *s, size_t n)
{
    if (out->len > 0 && n > 0 &&
        (gap || (word_byte((unsigned char)out->buf[out->len - 1]) &&
                 word_byte((unsigned char)s[0]))))
        pd_strbuf_putc(out, ' ');
    pd_strbuf_append(out, s, n);
}

static void emit_param(pd_strbuf *out, bool gap, unsigned long *next)
{
    char ph[32];
    int n = snprintf(ph, sizeof(ph), "$%lu", (*next)++);

    emit(out, gap, ph, (size_t)n);
}

/* The highest $n in the text, so new placeholders do not collide. */
static unsigned long highest_param(const toks *t)
{
    unsigned long hi = 0, v;
    size_t i, k;

    for (i = 0; i < t->n; i++) {
        if (t->v[i].kind != PD_SQLTOK_PARAM)
            continue;
        v = 0;
        for (k = 1; k < t->v[i].len && v < 1000000; k++)
            v = v * 10 + (unsigned long)(t->v[i].p[k] - '0');
        if (v > hi)
            hi = v;
    }
    return hi;
}

/* Masks literals; see the contract in fingerprint.h. */
char *pd_fingerprint_normalize(const char *sql, size_t len)
{
    toks t = {NULL, 0, 0};
    pd_strbuf out = PD_STRBUF_INIT;
    unsigned long next;
    size_t i, end, prev = SIZE_MAX, keep_until = 0;
    bool keep = false;

    tokenize(sql != NULL ? sql : "", sql != NULL ? len : 0, &t);
    next = highest_param(&t) + 1;
    for (i = 0; i < t.n; i++) {
        const tok *k = &t.v[i];

        if (keep && i > keep_until)
            keep = false;
        /* A unary sign belongs to the number, as the server's grammar
         * folds it: "= -5" and "= 5" give the same text. */
        if ((is_op(&t, i, '-') || is_op(&t, i, '+')) &&
            is_kind(&t, i + 1, PD_SQLTOK_NUMBER) && !keep &&
            sign_context(&t, prev)) {
            emit_param(&out, k->gap, &next);
            prev = ++i;
            continue;
        }
        if (((is_word(&t, i, "in") && is_kind(&t, i + 1, PD_SQLTOK_LPAREN) &&
              (end = const_list(&t, i + 2, ')')) != 0) ||
             (is_word(&t, i, "array") && is_op(&t, i + 1, '[') &&
              (end = const_list(&t, i + 2, ']')) != 0))) {
            emit(&out, k->gap, k->p, k->len);
            emit(&out, t.v[i + 1].gap, t.v[i + 1].p, 1);
            emit_param(&out, false, &next);
            pd_strbuf_puts(&out, SQUASH_MARK);
            pd_strbuf_append(&out, t.v[end].p, 1);
            prev = i = end;
            continue;
        }
        /* A type modifier is part of the type, not a value. */
        if (is_op(&t, i, ':') && (end = skip_cast(&t, i)) != i) {
            keep = true;
            keep_until = end - 1;
        }
        if (is_const(&t, i) && !(keep && k->kind == PD_SQLTOK_NUMBER))
            emit_param(&out, k->gap, &next);
        else
            emit(&out, k->gap, k->p, k->len);
        prev = i;
    }
    free(t.v);
    return pd_strbuf_steal(&out);
}

static bool punct_byte(unsigned char c)
{
    return c != ' ' && !word_byte(c) && c != '"' && c != '\0';
}

/* FNV-1a over the folded text; see the contract in fingerprint.h. */
uint64_t pd_fingerprint_hash(const char *normalized)
{
    const unsigned char *s = (const unsigned char *)normalized;
    uint64_t h = 0xcbf29ce484222325ULL;
    bool quoted = false;
    size_t i;

    for (i = 0; s[i] != '\0'; i++) {
        unsigned char c = s[i];

        if (c == '"')
            quoted = !quoted;
        if (!quoted && c == ' ' && i > 0 &&
            (punct_byte(s[i - 1]) || punct_byte(s[i + 1])))
            continue;
        if (!quoted && c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Writes 16 hex digits and a NUL. */
void pd_fingerprint_hex(uint64_t hash, char out[17])
{
    static const char digits[] = "0123456789abcdef";
    int i;

    for (i = 15; i >= 0; i--) {
        out[i] = digits[hash & 0xf];
        hash >>= 4;
    }
    out[16] = '\0';
}
