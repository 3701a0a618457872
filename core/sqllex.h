/* sqllex.h: one lexer for SQL text and psql backslash commands.
 *
 * Scans one token at a time from a byte range, with PostgreSQL's rules
 * (standard_conforming_strings on): '...' strings with '' escapes, E'...'
 * strings with backslash escapes, "..." identifiers, $tag$...$tag$ bodies
 * ($$ or $ident$, never $1), -- comments, nested slash-star comments, and
 * psql's backslash commands, which start at an unquoted backslash and run
 * to the end of the line or to the next unquoted backslash.
 *
 * The lexer keeps no state between tokens: everything it needs is in the
 * text, which is why a token says whether more text could change it. The
 * statement splitter (core/sqlsplit.h) is built on it; fingerprints and
 * completion can walk the same tokens. */
#ifndef PD_SQLLEX_H
#define PD_SQLLEX_H

#include <stdbool.h>
#include <stddef.h>

typedef enum pd_sqltok_kind {
    PD_SQLTOK_SPACE,         /* blanks and newlines */
    PD_SQLTOK_LINE_COMMENT,  /* -- up to, not including, the newline */
    PD_SQLTOK_BLOCK_COMMENT, /* slash-star ... star-slash, nested */
    PD_SQLTOK_STRING,        /* '..', E'..', B'..', X'..', N'..', U&'..' */
    PD_SQLTOK_DOLLAR,        /* $tag$ ... $tag$ */
    PD_SQLTOK_IDENT,         /* identifier or key word */
    PD_SQLTOK_QIDENT,        /* "..." or U&"..." */
    PD_SQLTOK_NUMBER,        /* 42, 4.2, .5e3 */
    PD_SQLTOK_PARAM,         /* $1 */
    PD_SQLTOK_LPAREN,        /* ( */
    PD_SQLTOK_RPAREN,        /* ) */
    PD_SQLTOK_SEMI,          /* ; */
    PD_SQLTOK_OP,            /* any other single character */
    PD_SQLTOK_BACKSLASH,     /* a psql command: \name args, no newline */
    PD_SQLTOK_ESCAPED,       /* \; or \: : psql puts the bare char in */
    PD_SQLTOK_SEPARATOR      /* \\ : ends a command's arguments */
} pd_sqltok_kind;

typedef struct pd_sqltok {
    pd_sqltok_kind kind;
    size_t start; /* offset of the first byte in the scanned text */
    size_t len;   /* bytes, >= 1 */
    bool open;    /* a string, identifier, body or comment left open at
                     the end of the text */
    bool more;    /* more text after the end could change this token (its
                     kind or length): wait for it unless input has ended */
} pd_sqltok;

/* Scans the token starting at text[pos] (text is borrowed, len bytes, need
 * not be NUL-terminated). Returns false when pos >= len, else true with tok
 * filled; tok->start == pos. Never fails: any byte is some token. */
bool pd_sqllex_next(const char *text, size_t len, size_t pos,
                    pd_sqltok *tok);

/* Returns the offset of the first backslash command in text (borrowed, len
 * bytes) outside quotes and comments, or len when there is none. A unit
 * from the splitter such as "SELECT 1 \gset x_" splits there into its SQL
 * ("SELECT 1 ") and its command ("\gset x_"). */
size_t pd_sqllex_command_start(const char *text, size_t len);

/* Returns a static name for kind: "space", "string", ... */
const char *pd_sqllex_kind_name(pd_sqltok_kind kind);

#endif
