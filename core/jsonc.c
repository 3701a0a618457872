/* jsonc.c: a recursive-descent JSON parser that skips comments and records
 * where each value starts. cJSON keeps no positions, hence this small one.
 *
 * Line numbers are tracked as the parser passes newlines (they occur only
 * in blanks and comments: a raw newline inside a string is an error), so a
 * value's column is counted from the start of its own line. Errors, which
 * are rare, recount from the start of the text. */
#include "core/jsonc.h"

#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/xalloc.h"

#define MAX_DEPTH 256 /* nesting bound: the parser recurses per level */

typedef struct parser {
    const char *s;      /* borrowed text */
    size_t len, pos;    /* length and the next byte */
    int line;           /* line of pos */
    size_t line_start;  /* offset of the first byte of that line */
    const char *name;   /* borrowed, for messages; may be NULL */
    pd_error *err;      /* borrowed */
    int depth;          /* arrays and objects open around pos */
} parser;

/* Characters (not continuation bytes) in s[from, to). */
static int count_chars(const char *s, size_t from, size_t to)
{
    int n = 0;

    for (; from < to; from++)
        if (((unsigned char)s[from] & 0xC0) != 0x80)
            n++;
    return n;
}

/* Line and column of an offset; see jsonc.h. */
void pd_jsonc_line_col(const char *text, size_t len, size_t offset,
                       int *line, int *col)
{
    size_t i, start = 0;
    int l = 1;

    if (offset > len)
        offset = len;
    for (i = 0; i < offset; i++) {
        if (text[i] == '\n') {
            l++;
            start = i + 1;
        }
    }
    *line = l;
    *col = count_chars(text, start, offset) + 1;
}

/* Sets the error for a problem at byte offset at; returns PD_EINVAL. */
static int fail(parser *p, size_t at, const char *fmt, ...) PD_PRINTF(3, 4);

static int fail(parser *p, size_t at, const char *fmt, ...)
{
    va_list ap;
    char *msg;
    int line, col;

    va_start(ap, fmt);
    msg = pd_xvasprintf(fmt, ap);
    va_end(ap);
    pd_jsonc_line_col(p->s, p->len, at, &line, &col);
    if (p->name != NULL)
        pd_error_set(p->err, PD_ERR_USAGE, "%s:%d:%d: %s", p->name, line,
                     col, msg);
    else
        pd_error_set(p->err, PD_ERR_USAGE, "%d:%d: %s", line, col, msg);
    free(msg);
    return PD_EINVAL;
}

/* "unexpected 'x'" or "unexpected end of input", then what was expected. */
static int unexpected(parser *p, const char *expected)
{
    unsigned char c;

    if (p->pos >= p->len)
        return fail(p, p->pos, "unexpected end of input, expected %s",
                    expected);
    c = (unsigned char)p->s[p->pos];
    if (c > 0x20 && c < 0x7f)
        return fail(p, p->pos, "unexpected '%c', expected %s", c, expected);
    return fail(p, p->pos, "unexpected byte 0x%02x, expected %s", c,
                expected);
}

static void newline_at(parser *p, size_t i)
{
    p->line++;
    p->line_start = i + 1;
}

/* Skips blanks, line comments and block comments. A comment between two
 * tokens separates them, as a blank would. */
static int skip_blank(parser *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];

        if (c == ' ' || c == '\t' || c == '\r') {
            p->pos++;
        } else if (c == '\n') {
            newline_at(p, p->pos);
            p->pos++;
        } else if (c == '/' && p->pos + 1 < p->len &&
                   p->s[p->pos + 1] == '/') {
            while (p->pos < p->len && p->s[p->pos] != '\n')
                p->pos++;
        } else if (c == '/' && p->pos + 1 < p->len &&
                   p->s[p->pos + 1] == '*') {
            size_t start = p->pos, i;

            for (i = p->pos + 2; i + 1 < p->len; i++) {
                if (p->s[i] == '*' && p->s[i + 1] == '/')
                    break;
                if (p->s[i] == '\n')
                    newline_at(p, i);
            }
            if (i + 1 >= p->len)
                return fail(p, start, "unterminated comment");
            p->pos = i + 2;
        } else {
            break;
        }
    }
    return 0;
}

static pd_jsonc_value *new_node(parser *p, pd_jsonc_type type)
{
    pd_jsonc_value *v = pd_xcalloc(1, sizeof(*v));

    v->type = type;
    v->offset = p->pos;
    v->line = p->line;
    v->col = count_chars(p->s, p->line_start, p->pos) + 1;
    return v;
}

static void add_item(pd_jsonc_value *parent, pd_jsonc_value *child)
{
    if (parent->count == parent->cap) {
        parent->cap = parent->cap != 0 ? parent->cap * 2 : 4;
        parent->items = pd_xrealloc(parent->items,
                                    parent->cap * sizeof(*parent->items));
    }
    parent->items[parent->count++] = child;
}

static int hex4(parser *p, size_t at, unsigned *out)
{
    unsigned v = 0;
    size_t i;

    if (at + 4 > p->len)
        return fail(p, at, "\\u needs four hex digits");
    for (i = at; i < at + 4; i++) {
        char c = p->s[i];

        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return fail(p, at, "\\u needs four hex digits");
    }
    *out = v;
    return 0;
}

static void put_utf8(pd_strbuf *sb, unsigned cp)
{
    char b[4];
    size_t n;

    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    pd_strbuf_append(sb, b, n);
}

/* A \u escape at p->pos (on the backslash), surrogate pairs joined. */
static int unicode_escape(parser *p, pd_strbuf *sb)
{
    size_t at = p->pos;
    unsigned cp, lo;

    if (hex4(p, at + 2, &cp) != 0)
        return PD_EINVAL;
    p->pos = at + 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail(p, at, "lone low surrogate \\u%04X", cp);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (p->pos + 1 >= p->len || p->s[p->pos] != '\\' ||
            p->s[p->pos + 1] != 'u')
            return fail(p, at, "high surrogate \\u%04X without its low "
                        "half", cp);
        if (hex4(p, p->pos + 2, &lo) != 0)
            return PD_EINVAL;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return fail(p, at, "high surrogate \\u%04X without its low "
                        "half", cp);
        p->pos += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    if (cp == 0)
        return fail(p, at, "\\u0000 is not allowed in a string");
    put_utf8(sb, cp);
    return 0;
}

/* A string at p->pos (on the opening quote) into *out (returns-owned). */
static int parse_string(parser *p, char **out)
{
    size_t start = p->pos;
    pd_strbuf sb = PD_STRBUF_INIT;
    int rc;

    p->pos++;
    for (;;) {
        size_t run = p->pos;
        unsigned char c;

        while (p->pos < p->len && p->s[p->pos] != '"' &&
               p->s[p->pos] != '\\' && (unsigned char)p->s[p->pos] >= 0x20)
            p->pos++;
        pd_strbuf_append(&sb, p->s + run, p->pos - run);
        if (p->pos >= p->len || p->s[p->pos] == '\n') {
            rc = fail(p, start, "unterminated string");
            goto fail;
        }
        c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            p->pos++;
            break;
        }
        if (c < 0x20) {
            rc = fail(p, p->pos, "control character 0x%02x in a string "
                      "(write it as an escape)", c);
            goto fail;
        }
        /* a backslash */
        if (p->pos + 1 >= p->len) {
            rc = fail(p, start, "unterminated string");
            goto fail;
        }
        c = (unsigned char)p->s[p->pos + 1];
        switch (c) {
        case '"': case '\\': case '/': pd_strbuf_putc(&sb, (char)c); break;
        case 'b': pd_strbuf_putc(&sb, '\b'); break;
        case 'f': pd_strbuf_putc(&sb, '\f'); break;
        case 'n': pd_strbuf_putc(&sb, '\n'); break;
        case 'r': pd_strbuf_putc(&sb, '\r'); break;
        case 't': pd_strbuf_putc(&sb, '\t'); break;
        case 'u':
            if ((rc = unicode_escape(p, &sb)) != 0)
                goto fail;
            continue;
        default:
            if (c > 0x20 && c < 0x7f)
                rc = fail(p, p->pos, "invalid escape \\%c", c);
            else
                rc = fail(p, p->pos, "invalid escape");
            goto fail;
        }
        p->pos += 2;
    }
    *out = pd_strbuf_steal(&sb);
    return 0;

fail:
    pd_strbuf_free(&sb);
    return rc;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* strtod in the C locale, whatever LC_NUMERIC the program set. */
static double c_strtod(const char *s)
{
    static locale_t c_locale;

    if (c_locale == (locale_t)0)
        c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (c_locale == (locale_t)0)
        return strtod(s, NULL);
    return strtod_l(s, NULL, c_locale);
}

static int parse_number(parser *p, pd_jsonc_value *v)
{
    size_t start = p->pos, i = p->pos;
    bool integral = true, neg = false;
    char buf[128];

    if (i < p->len && p->s[i] == '-') {
        neg = true;
        i++;
    }
    if (i >= p->len || !is_digit(p->s[i]))
        return fail(p, start, "invalid number");
    if (p->s[i] == '0' && i + 1 < p->len && is_digit(p->s[i + 1]))
        return fail(p, start, "invalid number (no leading zeros)");
    while (i < p->len && is_digit(p->s[i]))
        i++;
    if (i < p->len && p->s[i] == '.') {
        integral = false;
        if (++i >= p->len || !is_digit(p->s[i]))
            return fail(p, start, "invalid number (a digit must follow "
                        "the point)");
        while (i < p->len && is_digit(p->s[i]))
            i++;
    }
    if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
        integral = false;
        if (++i < p->len && (p->s[i] == '+' || p->s[i] == '-'))
            i++;
        if (i >= p->len || !is_digit(p->s[i]))
            return fail(p, start, "invalid number (bad exponent)");
        while (i < p->len && is_digit(p->s[i]))
            i++;
    }
    if (integral) {
        /* Exact, by hand: beyond int64_t it is only a double. */
        uint64_t mag = 0, lim = neg ? (uint64_t)INT64_MAX + 1
                                    : (uint64_t)INT64_MAX;
        size_t j;

        v->is_int = true;
        for (j = start + (neg ? 1 : 0); j < i; j++) {
            unsigned d = (unsigned)(p->s[j] - '0');
            if (mag > (lim - d) / 10) {
                v->is_int = false;
                break;
            }
            mag = mag * 10 + d;
        }
        if (v->is_int) {
            v->integer = neg ? (int64_t)(0 - mag) : (int64_t)mag;
            v->number = (double)v->integer;
        }
    }
    if (!v->is_int) {
        if (i - start >= sizeof(buf))
            return fail(p, start, "number too long");
        memcpy(buf, p->s + start, i - start);
        buf[i - start] = '\0';
        v->number = c_strtod(buf);
    }
    p->pos = i;
    return 0;
}

static int parse_value(parser *p, pd_jsonc_value **out);

static int parse_object(parser *p, pd_jsonc_value *obj)
{
    size_t i;
    int rc;

    p->pos++; /* '{' */
    if ((rc = skip_blank(p)) != 0)
        return rc;
    if (p->pos < p->len && p->s[p->pos] == '}') {
        p->pos++;
        return 0;
    }
    for (;;) {
        pd_jsonc_value *child = NULL;
        char *key = NULL;
        size_t key_at = p->pos;
        int kline = p->line, kcol;

        if (p->pos >= p->len || p->s[p->pos] != '"')
            return unexpected(p, "a member name (a string in double "
                              "quotes)");
        kcol = count_chars(p->s, p->line_start, p->pos) + 1;
        if ((rc = parse_string(p, &key)) != 0)
            return rc;
        for (i = 0; i < obj->count; i++) {
            if (strcmp(obj->items[i]->key, key) == 0) {
                rc = fail(p, key_at, "duplicate member \"%s\" (first at "
                          "line %d)", key, obj->items[i]->key_line);
                free(key);
                return rc;
            }
        }
        if ((rc = skip_blank(p)) != 0) {
            free(key);
            return rc;
        }
        if (p->pos >= p->len || p->s[p->pos] != ':') {
            free(key);
            return unexpected(p, "':' after the member name");
        }
        p->pos++;
        if ((rc = skip_blank(p)) != 0 ||
            (rc = parse_value(p, &child)) != 0) {
            free(key);
            return rc;
        }
        child->key = key;
        child->key_line = kline;
        child->key_col = kcol;
        add_item(obj, child);
        if ((rc = skip_blank(p)) != 0)
            return rc;
        if (p->pos < p->len && p->s[p->pos] == '}') {
            p->pos++;
            return 0;
        }
        if (p->pos >= p->len || p->s[p->pos] != ',')
            return unexpected(p, "',' or '}'");
        p->pos++;
        if ((rc = skip_blank(p)) != 0)
            return rc;
        if (p->pos < p->len && p->s[p->pos] == '}')
            return fail(p, p->pos, "trailing comma before '}'");
    }
}

static int parse_array(parser *p, pd_jsonc_value *arr)
{
    int rc;

    p->pos++; /* '[' */
    if ((rc = skip_blank(p)) != 0)
        return rc;
    if (p->pos < p->len && p->s[p->pos] == ']') {
        p->pos++;
        return 0;
    }
    for (;;) {
        pd_jsonc_value *child = NULL;

        if ((rc = parse_value(p, &child)) != 0)
            return rc;
        add_item(arr, child);
        if ((rc = skip_blank(p)) != 0)
            return rc;
        if (p->pos < p->len && p->s[p->pos] == ']') {
            p->pos++;
            return 0;
        }
        if (p->pos >= p->len || p->s[p->pos] != ',')
            return unexpected(p, "',' or ']'");
        p->pos++;
        if ((rc = skip_blank(p)) != 0)
            return rc;
        if (p->pos < p->len && p->s[p->pos] == ']')
            return fail(p, p->pos, "trailing comma before ']'");
    }
}

/* A literal (true, false, null) spelled exactly, not followed by a name
 * character. */
static bool literal(parser *p, const char *word)
{
    size_t n = strlen(word);
    char c;

    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return false;
    if (p->pos + n < p->len) {
        c = p->s[p->pos + n];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            is_digit(c) || c == '_')
            return false;
    }
    p->pos += n;
    return true;
}

/* One value at p->pos (blanks already skipped) into *out (returns-owned,
 * also on failure, when it is NULL). */
static int parse_value(parser *p, pd_jsonc_value **out)
{
    pd_jsonc_value *v = NULL;
    int rc = 0;
    char c;

    *out = NULL;
    if (p->pos >= p->len)
        return unexpected(p, "a value");
    c = p->s[p->pos];
    if (c == '{' || c == '[') {
        if (p->depth >= MAX_DEPTH)
            return fail(p, p->pos, "nested more than %d levels deep",
                        MAX_DEPTH);
        p->depth++;
        v = new_node(p, c == '{' ? PD_JSONC_OBJECT : PD_JSONC_ARRAY);
        rc = c == '{' ? parse_object(p, v) : parse_array(p, v);
        p->depth--;
    } else if (c == '"') {
        v = new_node(p, PD_JSONC_STRING);
        rc = parse_string(p, &v->string);
    } else if (c == '-' || is_digit(c)) {
        v = new_node(p, PD_JSONC_NUMBER);
        rc = parse_number(p, v);
    } else {
        v = new_node(p, PD_JSONC_BOOL);
        if (literal(p, "true")) {
            v->boolean = true;
        } else if (literal(p, "false")) {
            v->boolean = false;
        } else if (literal(p, "null")) {
            v->type = PD_JSONC_NULL;
        } else {
            rc = unexpected(p, "a value");
        }
    }
    if (rc != 0) {
        pd_jsonc_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

/* Parses a whole document; see jsonc.h. */
int pd_jsonc_parse(const char *text, size_t len, const char *name,
                   unsigned flags, pd_jsonc_value **out, pd_error *err)
{
    parser p;
    pd_jsonc_value *root = NULL;
    int rc;

    memset(&p, 0, sizeof(p));
    p.s = text;
    p.len = len;
    p.line = 1;
    p.name = name;
    p.err = err;
    *out = NULL;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p.pos = p.line_start = 3; /* a UTF-8 byte order mark */
    if ((rc = skip_blank(&p)) != 0)
        return rc;
    if (p.pos >= p.len && (flags & PD_JSONC_ALLOW_EMPTY))
        return 0;
    if ((rc = parse_value(&p, &root)) != 0)
        return rc;
    if ((rc = skip_blank(&p)) != 0)
        goto fail;
    if (p.pos < p.len) {
        rc = unexpected(&p, "the end of the document");
        goto fail;
    }
    *out = root;
    return 0;

fail:
    pd_jsonc_free(root);
    return rc;
}

/* Reads and parses a file; see jsonc.h. */
int pd_jsonc_parse_file(const char *path, unsigned flags,
                        pd_jsonc_value **out, pd_error *err)
{
    FILE *f = NULL;
    pd_strbuf sb = PD_STRBUF_INIT;
    char buf[8192];
    size_t n;
    int rc;

    *out = NULL;
    f = fopen(path, "r");
    if (f == NULL) {
        rc = errno == ENOENT ? PD_ENOTFOUND : PD_EIO;
        pd_error_set(err, PD_ERR_USAGE, "%s: %s", path, strerror(errno));
        return rc;
    }
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        pd_strbuf_append(&sb, buf, n);
    if (ferror(f)) {
        /* EISDIR and friends surface here, not at fopen. */
        pd_error_set(err, PD_ERR_USAGE, "%s: %s", path, strerror(errno));
        rc = PD_EIO;
        goto out;
    }
    rc = pd_jsonc_parse(sb.len > 0 ? pd_strbuf_cstr(&sb) : "", sb.len,
                        path, flags, out, err);

out:
    fclose(f);
    pd_strbuf_free(&sb);
    return rc;
}

/* Frees v and everything below it. Accepts NULL. */
void pd_jsonc_free(pd_jsonc_value *v)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < v->count; i++)
        pd_jsonc_free(v->items[i]);
    free(v->items);
    free(v->key);
    free(v->string);
    free(v);
}

/* The first member named key (names are unique), borrowed, or NULL. */
const pd_jsonc_value *pd_jsonc_member(const pd_jsonc_value *obj,
                                      const char *key)
{
    size_t i;

    if (obj == NULL || obj->type != PD_JSONC_OBJECT)
        return NULL;
    for (i = 0; i < obj->count; i++)
        if (strcmp(obj->items[i]->key, key) == 0)
            return obj->items[i];
    return NULL;
}

/* A static name with its article, for messages. */
const char *pd_jsonc_type_name(pd_jsonc_type type)
{
    switch (type) {
    case PD_JSONC_NULL: return "null";
    case PD_JSONC_BOOL: return "a boolean";
    case PD_JSONC_NUMBER: return "a number";
    case PD_JSONC_STRING: return "a string";
    case PD_JSONC_ARRAY: return "an array";
    case PD_JSONC_OBJECT: return "an object";
    }
    return "a value";
}
