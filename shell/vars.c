/* vars.c: psql's variables and their interpolation (see vars.h).
 *
 * The set is a sorted array: psql lists variables in strcmp order, and a
 * shell holds a few dozen at most. SQL interpolation walks core/sqllex's
 * tokens so that a ':' inside quotes, dollar bodies or comments is never
 * taken for a variable. */
#include "shell/vars.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/sqllex.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

typedef struct var {
    char *name;  /* owned */
    char *value; /* owned, never NULL */
} var;

struct sh_vars {
    var *items;  /* sorted by name, owned */
    size_t n, cap;
};

/* Variables with a boolean value and a default they return to when
 * unset, as psql's hooked variables do. */
static const struct special {
    const char *name;
    const char *dflt;
} specials[] = {
    {"AUTOCOMMIT", "on"},   {"HIDE_TABLEAM", "off"},
    {"HIDE_TOAST_COMPRESSION", "off"},
    {"ON_ERROR_STOP", "off"}, {"QUIET", "off"},
    {"SINGLELINE", "off"},  {"SINGLESTEP", "off"},
};

static const struct special *find_special(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
        if (strcmp(specials[i].name, name) == 0)
            return &specials[i];
    return NULL;
}

/* Index of name, or of where it would go (*found false). */
static size_t find(const sh_vars *v, const char *name, bool *found)
{
    size_t lo = 0, hi = v->n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(v->items[mid].name, name);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static void put(sh_vars *v, const char *name, const char *value)
{
    bool found;
    size_t i = find(v, name, &found);

    if (found) {
        free(v->items[i].value);
        v->items[i].value = pd_xstrdup(value);
        return;
    }
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 32;
        v->items = pd_xrealloc(v->items, v->cap * sizeof(var));
    }
    memmove(&v->items[i + 1], &v->items[i], (v->n - i) * sizeof(var));
    v->items[i].name = pd_xstrdup(name);
    v->items[i].value = pd_xstrdup(value);
    v->n++;
}

static void del(sh_vars *v, const char *name)
{
    bool found;
    size_t i = find(v, name, &found);

    if (!found)
        return;
    free(v->items[i].name);
    free(v->items[i].value);
    memmove(&v->items[i], &v->items[i + 1], (v->n - i - 1) * sizeof(var));
    v->n--;
}

/* Returns-owned set with psql's defaults. */
sh_vars *sh_vars_new(void)
{
    sh_vars *v = pd_xcalloc(1, sizeof(*v));
    size_t i;

    for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
        put(v, specials[i].name, specials[i].dflt);
    put(v, "ECHO", "none");
    put(v, "VERBOSITY", "default");
    put(v, "SHOW_CONTEXT", "errors");
    put(v, "LAST_ERROR_MESSAGE", "");
    put(v, "LAST_ERROR_SQLSTATE", "00000");
    return v;
}

void sh_vars_free(sh_vars *v)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < v->n; i++) {
        free(v->items[i].name);
        free(v->items[i].value);
    }
    free(v->items);
    free(v);
}

static bool var_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

bool sh_vars_valid_name(const char *name)
{
    const unsigned char *p = (const unsigned char *)name;

    if (*p == '\0')
        return false;
    for (; *p; p++)
        if (!var_char(*p))
            return false;
    return true;
}

/* psql's ParseVariableBool, prefixes included ("t", "of"). */
int sh_vars_parse_bool(const char *s)
{
    size_t n = strlen(s);

    if (n == 0)
        return -1;
    if (strncasecmp(s, "true", n) == 0 || strncasecmp(s, "yes", n) == 0 ||
        (n >= 2 && strncasecmp(s, "on", n) == 0) || strcmp(s, "1") == 0)
        return 1;
    if (strncasecmp(s, "false", n) == 0 || strncasecmp(s, "no", n) == 0 ||
        (n >= 2 && strncasecmp(s, "off", n) == 0) || strcmp(s, "0") == 0)
        return 0;
    return -1;
}

/* psql's ParseVariableNum: a whole C integer (any base strtol takes)
 * that fits an int. */
static bool is_int(const char *s)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(s, &end, 0);
    return errno == 0 && end != s && *end == '\0' && n == (int)n;
}

/* Sets or unsets; see vars.h for the return codes. */
int sh_vars_set(sh_vars *v, const char *name, const char *value)
{
    const struct special *sp;

    if (!sh_vars_valid_name(name))
        return -1;
    sp = find_special(name);
    if (value == NULL) {
        if (sp != NULL)
            put(v, name, sp->dflt);
        else
            del(v, name);
        return 0;
    }
    if (sp != NULL) {
        if (*value == '\0')
            value = "on";
        else if (sh_vars_parse_bool(value) < 0)
            return -2;
    }
    if (strcmp(name, "FETCH_COUNT") == 0 && !is_int(value))
        return -3;
    put(v, name, value);
    return 0;
}

const char *sh_vars_get(const sh_vars *v, const char *name)
{
    bool found;
    size_t i;

    if (v == NULL)
        return NULL;
    i = find(v, name, &found);
    return found ? v->items[i].value : NULL;
}

bool sh_vars_get_bool(const sh_vars *v, const char *name)
{
    const char *val = sh_vars_get(v, name);

    return val != NULL && sh_vars_parse_bool(val) == 1;
}

size_t sh_vars_count(const sh_vars *v)
{
    return v->n;
}

const char *sh_vars_name_at(const sh_vars *v, size_t i)
{
    return i < v->n ? v->items[i].name : NULL;
}

const char *sh_vars_value_at(const sh_vars *v, size_t i)
{
    return i < v->n ? v->items[i].value : NULL;
}

/* Quotes as PQescapeLiteral does with standard_conforming_strings on. */
char *sh_vars_quote_literal(const char *s)
{
    pd_strbuf sb = PD_STRBUF_INIT;
    const char *p;

    if (strchr(s, '\\') != NULL)
        pd_strbuf_puts(&sb, " E");
    pd_strbuf_putc(&sb, '\'');
    for (p = s; *p; p++) {
        if (*p == '\'' || *p == '\\')
            pd_strbuf_putc(&sb, *p);
        pd_strbuf_putc(&sb, *p);
    }
    pd_strbuf_putc(&sb, '\'');
    return pd_strbuf_steal(&sb);
}

char *sh_vars_quote_ident(const char *s)
{
    pd_strbuf sb = PD_STRBUF_INIT;
    const char *p;

    pd_strbuf_putc(&sb, '"');
    for (p = s; *p; p++) {
        if (*p == '"')
            pd_strbuf_putc(&sb, '"');
        pd_strbuf_putc(&sb, *p);
    }
    pd_strbuf_putc(&sb, '"');
    return pd_strbuf_steal(&sb);
}

/* The length of a well-formed reference after a ':' (name, 'name',
 * "name" or {?name}), or 0. */
static size_t ref_len(const char *text)
{
    const char *p = text;
    char close = 0;
    size_t n = 0;

    if (*p == '\'' || *p == '"') {
        close = *p++;
    } else if (p[0] == '{' && p[1] == '?') {
        close = '}';
        p += 2;
    }
    while (var_char((unsigned char)p[n]))
        n++;
    if (n == 0 || (close != 0 && p[n] != close))
        return 0;
    return (size_t)(p - text) + n + (close != 0 ? 1 : 0);
}

/* Tries a variable reference at text + 1 (just after a ':'). On success
 * appends the substitution to sb and returns the bytes consumed after the
 * ':'; returns 0 when there is none (an unknown name included: it stays
 * as written). */
static size_t substitute(const sh_vars *v, const char *text, pd_strbuf *sb)
{
    size_t used = ref_len(text), skip = 0;
    const char *val;
    char close = 0, *name, *q;
    bool test = false;

    if (used == 0)
        return 0;
    if (*text == '\'' || *text == '"') {
        close = *text;
        skip = 1;
    } else if (*text == '{') {
        close = '}';
        test = true;
        skip = 2;
    }
    name = pd_xstrndup(text + skip, used - skip - (close != 0 ? 1 : 0));
    val = sh_vars_get(v, name);
    free(name);
    if (test) {
        pd_strbuf_puts(sb, val != NULL ? "TRUE" : "FALSE");
        return used;
    }
    if (val == NULL)
        return 0;
    if (close == '\'') {
        q = sh_vars_quote_literal(val);
    } else if (close == '"') {
        q = sh_vars_quote_ident(val);
    } else {
        pd_strbuf_puts(sb, val);
        return used;
    }
    pd_strbuf_puts(sb, q);
    free(q);
    return used;
}

/* Interpolates SQL text; see vars.h. */
char *sh_vars_interpolate(const sh_vars *v, const char *sql)
{
    pd_strbuf sb = PD_STRBUF_INIT;
    size_t len = strlen(sql), pos = 0, used;
    pd_sqltok t;

    while (pd_sqllex_next(sql, len, pos, &t)) {
        if (t.kind == PD_SQLTOK_OP && sql[pos] == ':') {
            if (sql[pos + 1] == ':') { /* a cast: "::" as one piece */
                pd_strbuf_append(&sb, sql + pos, 2);
                pos += 2;
                continue;
            }
            used = substitute(v, sql + pos + 1, &sb);
            if (used > 0) {
                pos += 1 + used;
                continue;
            }
        }
        pd_strbuf_append(&sb, sql + pos, t.len);
        pos += t.len;
    }
    return pd_strbuf_steal(&sb);
}

/* One escape inside a '...' argument at *p (just after the backslash);
 * appends the character and advances. */
static void arg_escape(const char **p, pd_strbuf *sb)
{
    const char *s = *p;
    int c = 0, i;

    switch (*s) {
    case 'n': pd_strbuf_putc(sb, '\n'); *p = s + 1; return;
    case 't': pd_strbuf_putc(sb, '\t'); *p = s + 1; return;
    case 'b': pd_strbuf_putc(sb, '\b'); *p = s + 1; return;
    case 'r': pd_strbuf_putc(sb, '\r'); *p = s + 1; return;
    case 'f': pd_strbuf_putc(sb, '\f'); *p = s + 1; return;
    case '\0': *p = s; return;
    default: break;
    }
    if (*s >= '0' && *s <= '7') {
        for (i = 0; i < 3 && s[i] >= '0' && s[i] <= '7'; i++)
            c = c * 8 + (s[i] - '0');
        pd_strbuf_putc(sb, (char)c);
        *p = s + i;
        return;
    }
    if (*s == 'x' && strchr("0123456789abcdefABCDEF", s[1]) && s[1]) {
        for (i = 1; i < 3 && s[i] && strchr("0123456789abcdefABCDEF", s[i]);
             i++)
            c = c * 16 + (s[i] <= '9' ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
        pd_strbuf_putc(sb, (char)c);
        *p = s + i;
        return;
    }
    pd_strbuf_putc(sb, *s);
    *p = s + 1;
}

/* psql's dequote_downcase_identifier without the downcasing: every '"'
 * goes, but the first of a "" inside quotes. In place. */
static void dequote(char *s)
{
    bool in = false;
    char *cp = s;

    while (*cp != '\0') {
        if (*cp != '"') {
            cp++;
            continue;
        }
        if (in && cp[1] == '"')
            cp++;
        else
            in = !in;
        memmove(cp, cp + 1, strlen(cp));
    }
}

/* A '...' piece at p (on its opening quote) into sb; returns the byte
 * after it. */
static const char *squote_piece(const char *p, pd_strbuf *sb)
{
    for (p++; *p != '\0'; p++) {
        if (*p == '\'' && p[1] == '\'') {
            pd_strbuf_putc(sb, '\'');
            p++;
        } else if (*p == '\'') {
            return p + 1;
        } else if (*p == '\\') {
            p++;
            arg_escape(&p, sb);
            p--;
        } else {
            pd_strbuf_putc(sb, *p);
        }
    }
    return p;
}

/* A "..." piece at p, kept with its quotes ("" included, as psql's
 * OT_NORMAL); returns the byte after it. */
static const char *dquote_piece(const char *p, pd_strbuf *sb)
{
    pd_strbuf_putc(sb, *p++);
    while (*p != '\0') {
        if (*p == '"' && p[1] == '"') {
            pd_strbuf_append(sb, p, 2);
            p += 2;
            continue;
        }
        pd_strbuf_putc(sb, *p);
        if (*p++ == '"')
            break;
    }
    return p;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads one backslash-command argument; see vars.h. */
char *sh_vars_next_arg(const sh_vars *v, const char **pp)
{
    return sh_vars_next_arg_ex(v, pp, 0, NULL);
}

/* Reads one argument, psql's \connect way with SH_ARG_DEQUOTE; see
 * vars.h. */
char *sh_vars_next_arg_ex(const sh_vars *v, const char **pp, unsigned flags,
                          bool *quoted)
{
    pd_strbuf sb = PD_STRBUF_INIT;
    const char *p = *pp;
    bool q = false;
    size_t used;
    char *arg;

    while (blank(*p))
        p++;
    if (*p == '\0') {
        *pp = p;
        return NULL;
    }
    while (*p != '\0' && !blank(*p)) {
        if (*p == '\'' || *p == '"') {
            p = *p == '\'' ? squote_piece(p, &sb) : dquote_piece(p, &sb);
            q = true;
            continue;
        }
        if (*p == ':' && v != NULL) {
            /* An unknown variable stays as written, quotes and all. */
            used = substitute(v, p + 1, &sb);
            if (used == 0 && (used = ref_len(p + 1)) > 0)
                pd_strbuf_append(&sb, p, used + 1);
            if (used > 0) {
                p += 1 + used;
                continue;
            }
        }
        pd_strbuf_putc(&sb, *p++);
    }
    *pp = p;
    if (quoted != NULL)
        *quoted = q;
    arg = pd_strbuf_steal(&sb);
    if (flags & SH_ARG_DEQUOTE)
        dequote(arg);
    return arg;
}

/* ---- backquotes ---- */

/* Quotes for /bin/sh as psql's appendShellStringNoError; see vars.h. */
char *sh_vars_quote_shell(const char *s)
{
    static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:";
    pd_strbuf sb = PD_STRBUF_INIT;
    const char *p;

    if (strpbrk(s, "\n\r") != NULL)
        return NULL;
    if (*s != '\0' && strspn(s, safe) == strlen(s))
        return pd_xstrdup(s);
    pd_strbuf_putc(&sb, '\'');
    for (p = s; *p; p++) {
        if (*p == '\'')
            pd_strbuf_puts(&sb, "'\"'\"'");
        else
            pd_strbuf_putc(&sb, *p);
    }
    pd_strbuf_putc(&sb, '\'');
    return pd_strbuf_steal(&sb);
}

/* Returns-owned '...' piece reading back as s; see vars.h. */
char *sh_vars_quote_arg(const char *s)
{
    pd_strbuf sb = PD_STRBUF_INIT;

    pd_strbuf_putc(&sb, '\'');
    for (; *s; s++) {
        if (*s == '\'' || *s == '\\')
            pd_strbuf_putc(&sb, *s);
        pd_strbuf_putc(&sb, *s);
    }
    pd_strbuf_putc(&sb, '\'');
    return pd_strbuf_steal(&sb);
}

/* The text between backquotes, from p (after the opening one) up to the
 * closing one, with psql's substitutions (:name, :'name') into sb.
 * Returns the closing backquote, or NULL when there is none. */
static const char *tick_body(const sh_vars *v, const char *p, pd_strbuf *sb,
                             char **err)
{
    size_t n;

    for (; *p != '\0' && *p != '`'; p++) {
        bool lit = p[1] == '\'';
        const char *name = p + 1 + lit, *val;
        char *nm, *q;

        if (*p != ':' || v == NULL) {
            pd_strbuf_putc(sb, *p);
            continue;
        }
        for (n = 0; var_char((unsigned char)name[n]); n++)
            ;
        if (n == 0 || (lit && name[n] != '\'')) {
            pd_strbuf_putc(sb, *p); /* not a reference: the ':' alone */
            continue;
        }
        nm = pd_xstrndup(name, n);
        val = sh_vars_get(v, nm);
        free(nm);
        q = val == NULL || !lit ? NULL : sh_vars_quote_shell(val);
        if (val != NULL && lit && q == NULL && err != NULL) {
            free(*err);
            *err = pd_xasprintf("shell command argument contains a newline "
                                "or carriage return: \"%s\"", val);
        }
        if (val == NULL || (lit && q == NULL)) { /* left as written */
            pd_strbuf_append(sb, p, 1 + lit + n + lit);
        } else {
            pd_strbuf_puts(sb, lit ? q : val);
        }
        free(q);
        p += lit + n + lit;
    }
    return *p == '`' ? p : NULL;
}

/* Finds the next backquoted command; see vars.h. */
char *sh_vars_backtick_find(const sh_vars *v, const char *args, size_t from,
                            unsigned flags, size_t *start, size_t *end,
                            char **err)
{
    pd_strbuf sb = PD_STRBUF_INIT;
    const char *p = args + from, *arg = p, *close;

    if (err != NULL)
        *err = NULL;
    *start = *end = 0;
    while (*p != '\0') {
        if (blank(*p)) {
            arg = ++p;
            continue;
        }
        if (p == arg && *p == '|' && (flags & SH_TICK_PIPE_ENDS))
            return NULL; /* a whole-line pipe: the shell's business */
        if (*p == '\'' || *p == '"') {
            pd_strbuf_reset(&sb);
            p = *p == '\'' ? squote_piece(p, &sb) : dquote_piece(p, &sb);
            continue;
        }
        if (*p != '`') {
            p++;
            continue;
        }
        pd_strbuf_reset(&sb);
        close = tick_body(v, p + 1, &sb, err);
        if (close == NULL) {
            pd_strbuf_free(&sb);
            *start = (size_t)(arg - args);
            *end = SIZE_MAX;
            return NULL;
        }
        *start = (size_t)(p - args);
        *end = (size_t)(close + 1 - args);
        return pd_strbuf_steal(&sb);
    }
    pd_strbuf_free(&sb);
    return NULL;
}
