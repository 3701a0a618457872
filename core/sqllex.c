/* sqllex.c: the SQL and psql backslash-command lexer.
 *
 * The character classes follow PostgreSQL's scan.l and psql's psqlscan.l
 * and psqlscanslash.l. Bytes >= 0x80 count as letters, as in the server,
 * so UTF-8 identifiers need no decoding. */
#include "core/sqllex.h"

#include <string.h>

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c >= 0x80;
}

/* Identifiers may contain '$' (a$b is one identifier); dollar tags not. */
static bool is_ident_cont(unsigned char c)
{
    return is_ident_start(c) || is_digit(c) || c == '$';
}

static bool is_tag_cont(unsigned char c)
{
    return is_ident_start(c) || is_digit(c);
}

/* Sets the token's end at offset end. */
static void tok_end(pd_sqltok *tok, size_t end)
{
    tok->len = end - tok->start;
}

/* A quoted run starting just after the opening quote at i: '' or "" stand
 * for one quote; with backslash, \x escapes any byte (E'' strings). A
 * closing quote at the very end may still be the first half of a doubled
 * quote, so it leaves the token open to more text. */
static void scan_quoted(const char *s, size_t len, size_t i, char quote,
                        bool backslash, pd_sqltok *tok)
{
    while (i < len) {
        char c = s[i];

        if (c == quote) {
            if (i + 1 == len) {
                tok->more = true;
                tok_end(tok, len);
                return;
            }
            if (s[i + 1] == quote) {
                i += 2;
                continue;
            }
            tok_end(tok, i + 1);
            return;
        }
        if (backslash && c == '\\')
            i += 2;
        else
            i++;
    }
    tok->open = true;
    tok->more = true;
    tok_end(tok, len);
}

/* Nested comment starting at i (just after the opening slash-star). */
static void scan_block_comment(const char *s, size_t len, size_t i,
                               pd_sqltok *tok)
{
    int depth = 1;

    while (i + 1 < len) {
        if (s[i] == '/' && s[i + 1] == '*') {
            depth++;
            i += 2;
        } else if (s[i] == '*' && s[i + 1] == '/') {
            i += 2;
            if (--depth == 0) {
                tok_end(tok, i);
                return;
            }
        } else {
            i++;
        }
    }
    tok->open = true;
    tok->more = true;
    tok_end(tok, len);
}

/* At a '$' (offset pos): a dollar-quoted body, a $n parameter, or the
 * character '$' alone (PostgreSQL's dolqfailed: "$abc" without a closing
 * '$' is '$' followed by an identifier). */
static void scan_dollar(const char *s, size_t len, size_t pos, pd_sqltok *tok)
{
    size_t i = pos + 1;
    const char *end;

    if (i < len && is_digit((unsigned char)s[i])) {
        while (i < len && is_digit((unsigned char)s[i]))
            i++;
        tok->kind = PD_SQLTOK_PARAM;
        tok->more = i == len;
        tok_end(tok, i);
        return;
    }
    if (i < len && is_ident_start((unsigned char)s[i])) {
        while (i < len && is_tag_cont((unsigned char)s[i]))
            i++;
    }
    if (i == len) {
        /* "$" or "$tag" at the end: the closing '$' may follow. */
        tok->kind = PD_SQLTOK_OP;
        tok->more = true;
        tok_end(tok, pos + 1);
        return;
    }
    if (s[i] != '$') {
        tok->kind = PD_SQLTOK_OP;
        tok_end(tok, pos + 1);
        return;
    }
    i++; /* the opening delimiter is s[pos..i) */
    tok->kind = PD_SQLTOK_DOLLAR;
    end = memmem(s + i, len - i, s + pos, i - pos);
    if (end == NULL) {
        tok->open = true;
        tok->more = true;
        tok_end(tok, len);
        return;
    }
    tok_end(tok, (size_t)(end - s) + (i - pos));
}

/* Numbers loosely: digits, one fraction, an exponent, and any trailing
 * identifier characters (which the server rejects as trailing junk). */
static void scan_number(const char *s, size_t len, size_t i, pd_sqltok *tok)
{
    bool exp_open = false;

    while (i < len && is_digit((unsigned char)s[i]))
        i++;
    if (i < len && s[i] == '.' && !(i + 1 < len && s[i + 1] == '.')) {
        i++;
        while (i < len && is_digit((unsigned char)s[i]))
            i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;

        if (j < len && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < len && is_digit((unsigned char)s[j]))
            i = j;
        else if (j == len)
            exp_open = true; /* "1e+" at the end: digits may follow */
    }
    while (i < len && (is_ident_cont((unsigned char)s[i]) && s[i] != '$'))
        i++;
    tok->kind = PD_SQLTOK_NUMBER;
    tok->more = i == len || exp_open;
    tok_end(tok, i);
}

/* psql commands whose argument is the rest of the line, backslashes and
 * all (psql's OT_WHOLE_LINE). */
static bool whole_line_command(const char *name, size_t n)
{
    static const char *const names[] = {
        "!", "copy", "h", "help", "ef", "ev", "sf", "sf+", "sv", "sv+", NULL,
    };
    for (int k = 0; names[k] != NULL; k++) {
        if (strlen(names[k]) == n && memcmp(names[k], name, n) == 0)
            return true;
    }
    return false;
}

/* psql commands that take "|command" as the rest of the line (OT_FILEPIPE). */
static bool filepipe_command(const char *name, size_t n)
{
    static const char *const names[] = {
        "g", "gx", "o", "out", "w", "write", NULL,
    };
    for (int k = 0; names[k] != NULL; k++) {
        if (strlen(names[k]) == n && memcmp(names[k], name, n) == 0)
            return true;
    }
    return false;
}

/* Skips a quoted argument starting after its opening quote at i; stops at
 * the closing quote (returned past it) or before a newline. */
static size_t skip_arg_quote(const char *s, size_t len, size_t i, char quote)
{
    while (i < len && s[i] != '\n') {
        if (s[i] == quote) {
            if (quote != '`' && i + 1 < len && s[i + 1] == quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        if (quote == '\'' && s[i] == '\\' && i + 1 < len && s[i + 1] != '\n')
            i += 2;
        else
            i++;
    }
    return i;
}

/* At a backslash outside quotes (offset pos). */
static void scan_backslash(const char *s, size_t len, size_t pos,
                           pd_sqltok *tok)
{
    size_t i = pos + 1, name, name_len;
    bool first_arg = true;

    if (i == len) {
        tok->kind = PD_SQLTOK_BACKSLASH;
        tok->more = true;
        tok_end(tok, len);
        return;
    }
    if (s[i] == ';' || s[i] == ':') {
        tok->kind = PD_SQLTOK_ESCAPED;
        tok_end(tok, i + 1);
        return;
    }
    if (s[i] == '\\') {
        tok->kind = PD_SQLTOK_SEPARATOR;
        tok_end(tok, i + 1);
        return;
    }
    tok->kind = PD_SQLTOK_BACKSLASH;
    name = i;
    while (i < len && !is_space((unsigned char)s[i]) && s[i] != '\\')
        i++;
    name_len = i - name;
    if (whole_line_command(s + name, name_len)) {
        while (i < len && s[i] != '\n')
            i++;
        goto done;
    }
    while (i < len && s[i] != '\n' && s[i] != '\\') {
        char c = s[i];

        if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            i++;
            continue;
        }
        if (first_arg && c == '|' && filepipe_command(s + name, name_len)) {
            while (i < len && s[i] != '\n')
                i++;
            break;
        }
        first_arg = false;
        if (c == '\'' || c == '"' || c == '`')
            i = skip_arg_quote(s, len, i + 1, c);
        else
            i++;
    }
done:
    /* Only a newline or a backslash ends a command for sure. */
    tok->more = i == len;
    tok_end(tok, i);
}

/* Scans the token at text[pos]. See the contract in sqllex.h. */
bool pd_sqllex_next(const char *text, size_t len, size_t pos, pd_sqltok *tok)
{
    const char *s = text;
    size_t i = pos;
    unsigned char c;

    if (pos >= len)
        return false;
    memset(tok, 0, sizeof(*tok));
    tok->start = pos;
    c = (unsigned char)s[i];

    if (is_space(c)) {
        while (i < len && is_space((unsigned char)s[i]))
            i++;
        /* More blanks after the end would only be another blank token. */
        tok->kind = PD_SQLTOK_SPACE;
        tok_end(tok, i);
        return true;
    }
    if (c == '-' && i + 1 < len && s[i + 1] == '-') {
        while (i < len && s[i] != '\n')
            i++;
        tok->kind = PD_SQLTOK_LINE_COMMENT;
        tok->more = i == len;
        tok_end(tok, i);
        return true;
    }
    if (c == '/' && i + 1 < len && s[i + 1] == '*') {
        tok->kind = PD_SQLTOK_BLOCK_COMMENT;
        scan_block_comment(s, len, i + 2, tok);
        return true;
    }
    if ((c == '-' || c == '/' || c == '.') && i + 1 == len) {
        /* May be the first half of --, slash-star or a number (.5). */
        tok->kind = PD_SQLTOK_OP;
        tok->more = true;
        tok_end(tok, i + 1);
        return true;
    }
    if (c == '\'') {
        tok->kind = PD_SQLTOK_STRING;
        scan_quoted(s, len, i + 1, '\'', false, tok);
        return true;
    }
    if (c == '"') {
        tok->kind = PD_SQLTOK_QIDENT;
        scan_quoted(s, len, i + 1, '"', false, tok);
        return true;
    }
    if (c == '$') {
        scan_dollar(s, len, i, tok);
        return true;
    }
    if (c == '\\') {
        scan_backslash(s, len, i, tok);
        return true;
    }
    if (is_digit(c) ||
        (c == '.' && i + 1 < len && is_digit((unsigned char)s[i + 1]))) {
        scan_number(s, len, i, tok);
        return true;
    }
    if (is_ident_start(c)) {
        /* Literal prefixes: E'..' (escapes), B'..', X'..', N'..', U&'..'. */
        if (i + 1 < len && s[i + 1] == '\'' && strchr("eEbBxXnN", c)) {
            tok->kind = PD_SQLTOK_STRING;
            scan_quoted(s, len, i + 2, '\'', c == 'e' || c == 'E', tok);
            return true;
        }
        if ((c == 'u' || c == 'U') && i + 1 < len && s[i + 1] == '&') {
            if (i + 2 == len) {
                tok->kind = PD_SQLTOK_IDENT;
                tok->more = true;
                tok_end(tok, i + 1);
                return true;
            }
            if (s[i + 2] == '\'' || s[i + 2] == '"') {
                tok->kind = s[i + 2] == '\'' ? PD_SQLTOK_STRING
                                             : PD_SQLTOK_QIDENT;
                scan_quoted(s, len, i + 3, s[i + 2], false, tok);
                return true;
            }
        }
        while (i < len && is_ident_cont((unsigned char)s[i]))
            i++;
        tok->kind = PD_SQLTOK_IDENT;
        tok->more = i == len;
        tok_end(tok, i);
        return true;
    }
    if (c == '(')
        tok->kind = PD_SQLTOK_LPAREN;
    else if (c == ')')
        tok->kind = PD_SQLTOK_RPAREN;
    else if (c == ';')
        tok->kind = PD_SQLTOK_SEMI;
    else
        tok->kind = PD_SQLTOK_OP;
    tok_end(tok, i + 1);
    return true;
}

/* Returns the offset of the first backslash command, or len. */
size_t pd_sqllex_command_start(const char *text, size_t len)
{
    pd_sqltok tok;
    size_t pos = 0;

    while (pd_sqllex_next(text, len, pos, &tok)) {
        if (tok.kind == PD_SQLTOK_BACKSLASH)
            return pos;
        pos += tok.len;
    }
    return len;
}

/* Returns a static name for kind. */
const char *pd_sqllex_kind_name(pd_sqltok_kind kind)
{
    static const char *const names[] = {
        [PD_SQLTOK_SPACE] = "space",
        [PD_SQLTOK_LINE_COMMENT] = "line-comment",
        [PD_SQLTOK_BLOCK_COMMENT] = "block-comment",
        [PD_SQLTOK_STRING] = "string",
        [PD_SQLTOK_DOLLAR] = "dollar",
        [PD_SQLTOK_IDENT] = "ident",
        [PD_SQLTOK_QIDENT] = "qident",
        [PD_SQLTOK_NUMBER] = "number",
        [PD_SQLTOK_PARAM] = "param",
        [PD_SQLTOK_LPAREN] = "lparen",
        [PD_SQLTOK_RPAREN] = "rparen",
        [PD_SQLTOK_SEMI] = "semi",
        [PD_SQLTOK_OP] = "op",
        [PD_SQLTOK_BACKSLASH] = "backslash",
        [PD_SQLTOK_ESCAPED] = "escaped",
        [PD_SQLTOK_SEPARATOR] = "separator",
    };
    if ((unsigned)kind >= sizeof(names) / sizeof(names[0]))
        return "?";
    return names[kind];
}
