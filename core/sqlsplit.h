/* sqlsplit.h: splitting input into units, as psql does.
 *
 * Text goes in by pieces (one line at a time at the shell's prompt, or a
 * whole file for -f); complete units come out:
 *   - a statement up to and including its ';' (a ';' inside quotes,
 *     comments, dollar bodies, parentheses or a CREATE FUNCTION ...
 *     BEGIN ATOMIC ... END body does not end it). Blanks and -- comments
 *     before a statement are dropped, as psql drops them; "\;" puts a ';'
 *     in without ending the statement, so "SELECT 1\; SELECT 2;" is one
 *     unit "SELECT 1; SELECT 2;";
 *   - a backslash command, up to the end of its line or to the next
 *     unquoted backslash ("\x \timing" is two units; "\\" ends a command's
 *     arguments and is dropped). SQL still pending (not ended by ';') is
 *     put in front of the command in the same unit, because commands such
 *     as \g, \gset and \gx run it: "SELECT 1 \gset" is one unit, and
 *     pd_sqllex_command_start finds where its command begins.
 * Empty statements (";" alone, or comments and ';') are dropped: psql
 * would send them and print nothing.
 *
 * The splitter belongs to one caller; it does no I/O. */
#ifndef PD_SQLSPLIT_H
#define PD_SQLSPLIT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct pd_sqlsplit pd_sqlsplit;

/* What the pending text is in the middle of, for psql's prompts: the
 * character after the database name in "db=>", "db->", "db'>", ... */
typedef enum pd_sqlsplit_state {
    PD_SQLSPLIT_READY,    /* nothing pending: '=' */
    PD_SQLSPLIT_CONTINUE, /* a statement is pending: '-' */
    PD_SQLSPLIT_SQUOTE,   /* inside a '...' string: '\'' */
    PD_SQLSPLIT_DQUOTE,   /* inside a "..." identifier: '"' */
    PD_SQLSPLIT_DOLLAR,   /* inside a $tag$ body: '$' */
    PD_SQLSPLIT_COMMENT,  /* inside a slash-star comment: '*' */
    PD_SQLSPLIT_PAREN     /* inside open parentheses: '(' */
} pd_sqlsplit_state;

/* Returns-owned, empty splitter; the first line fed is line 1. */
pd_sqlsplit *pd_sqlsplit_new(void);
/* Accepts NULL. */
void pd_sqlsplit_free(pd_sqlsplit *sp);

/* Appends len bytes of text (borrowed, copied). Lines end with '\n': a
 * caller feeding readline's lines adds it. Scanning is lazy: nothing is
 * split until pd_sqlsplit_next. */
void pd_sqlsplit_feed(pd_sqlsplit *sp, const char *text, size_t len);

/* Returns-owned next complete unit (NUL-terminated), or NULL when the text
 * fed so far holds no complete unit. first_line and last_line (each may
 * be NULL) receive the 1-based lines of the unit's first byte and of its
 * end (its ';', or its command's line). psql's -f error prefix
 * "psql:FILE:N: " uses the end line. Call until NULL after each feed. */
char *pd_sqlsplit_next(pd_sqlsplit *sp, int *first_line, int *last_line);

/* Marks the end of input. Returns-owned final unit: the pending text when
 * it holds more than blanks and comments (psql sends it at end of file),
 * trailing blanks removed; else NULL. Call after pd_sqlsplit_next returned
 * NULL; if units remain unsplit it returns the next one, so loop until
 * NULL. Lines as for pd_sqlsplit_next. */
char *pd_sqlsplit_finish(pd_sqlsplit *sp, int *first_line, int *last_line);

/* Forgets the pending text and the unsplit input (Ctrl-C at the prompt,
 * \r). Line numbering goes on. */
void pd_sqlsplit_reset(pd_sqlsplit *sp);

/* Makes sql (borrowed, copied) the pending statement text again, in front
 * of whatever is fed next: for a backslash command that did not run the
 * SQL in front of it (psql keeps its query buffer across "\x"). Call only
 * between units. */
void pd_sqlsplit_set_pending(pd_sqlsplit *sp, const char *sql, size_t len);

/* The pending statement text (not yet a unit), "" when none. Borrowed,
 * valid until the next call on sp. Meaningful once pd_sqlsplit_next has
 * returned NULL. */
const char *pd_sqlsplit_pending(pd_sqlsplit *sp);

/* COPY ... FROM STDIN in the input, psql's way: call
 * pd_sqlsplit_copy_begin right after pd_sqlsplit_next returned the COPY
 * unit; the lines after the one the statement ended on are then its data,
 * up to a line "\\." or the end of input, which pd_sqlsplit_copy_data
 * hands out as they are fed. What followed the statement on its own line
 * is split after the data. */
void pd_sqlsplit_copy_begin(pd_sqlsplit *sp);
/* The next complete data lines: *data (borrowed, valid until the next
 * call on sp) and *len, possibly 0. Returns 1 when the data has ended
 * (the "\\." line is not part of it) and splitting goes on; 0 when more
 * input is needed. eof: no more input will be fed, so the data ends with
 * what is there. */
int pd_sqlsplit_copy_data(pd_sqlsplit *sp, bool eof, const char **data,
                          size_t *len);

/* The line the next input byte is on, 1-based. */
int pd_sqlsplit_line(const pd_sqlsplit *sp);

/* The state for the prompt, once pd_sqlsplit_next has returned NULL. */
pd_sqlsplit_state pd_sqlsplit_state_get(const pd_sqlsplit *sp);
/* Open parentheses in the pending text. */
int pd_sqlsplit_paren_depth(const pd_sqlsplit *sp);
/* psql's prompt character for st: '=', '-', '\'', '"', '$', '*', '('. */
char pd_sqlsplit_prompt_char(pd_sqlsplit_state st);

#endif
