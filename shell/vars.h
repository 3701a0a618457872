/* vars.h: psql's variables (\set, \unset) and their interpolation.
 *
 * A variable is a name (letters, digits, '_' and any byte >= 0x80, as in
 * psql) with a text value. In SQL, outside quotes, quoted identifiers,
 * dollar bodies and comments, ":name" becomes the value as is, ":'name'"
 * the value quoted as a literal, ":\"name\"" quoted as an identifier and
 * ":{?name}" TRUE or FALSE; "::" (a cast) and unknown names stay as
 * written. Backslash commands read their arguments with
 * sh_vars_next_arg, which applies psql's quoting rules for them.
 *
 * Pure: no I/O, no server; quoting follows libpq's PQescapeLiteral and
 * PQescapeIdentifier for UTF-8 text. */
#ifndef SH_VARS_H
#define SH_VARS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sh_vars sh_vars;

/* Returns-owned set holding psql's defaults for the variables pgdeck
 * uses (ON_ERROR_STOP off, ...). */
sh_vars *sh_vars_new(void);
/* Accepts NULL. */
void sh_vars_free(sh_vars *v);

/* True when name is a valid variable name (non-empty, psql's chars). */
bool sh_vars_valid_name(const char *name);

/* Sets name to value (both copied); value NULL unsets it (a special
 * variable such as ON_ERROR_STOP then goes back to its default). Returns
 * 0; -1 for an invalid name; -2 when a boolean variable gets a value that
 * is not boolean (the old value is kept); -3 when FETCH_COUNT gets a value
 * that is not an integer (psql's ParseVariableNum; kept too). An empty
 * value of a boolean variable means "on", as in psql. */
int sh_vars_set(sh_vars *v, const char *name, const char *value);
/* The value, or NULL when unset. Borrowed, valid until the next change of
 * that variable. */
const char *sh_vars_get(const sh_vars *v, const char *name);
/* The variable as a psql boolean: false when unset or not boolean. */
bool sh_vars_get_bool(const sh_vars *v, const char *name);

/* Number of variables, and the i-th in name order (borrowed), for \set
 * without arguments. */
size_t sh_vars_count(const sh_vars *v);
const char *sh_vars_name_at(const sh_vars *v, size_t i);
const char *sh_vars_value_at(const sh_vars *v, size_t i);

/* psql's ParseVariableBool: 1 for on/true/yes/1 (and unique prefixes of
 * the words), 0 for off/false/no/0, -1 otherwise. */
int sh_vars_parse_bool(const char *s);

/* Returns-owned s quoted as a SQL literal, as PQescapeLiteral does:
 * 'it''s', or " E'a\\b'" (with its leading blank) when s holds a
 * backslash. */
char *sh_vars_quote_literal(const char *s);
/* Returns-owned s quoted as an identifier: "a""b". */
char *sh_vars_quote_ident(const char *s);

/* Returns-owned copy of sql (borrowed, NUL-terminated) with the variables
 * interpolated (see above). Never fails. */
char *sh_vars_interpolate(const sh_vars *v, const char *sql);

/* Reads the next argument of a backslash command at *p (borrowed) with
 * psql's rules: blanks separate arguments; '...' is unquoted ('' is a
 * quote, \n \t \b \r \f, octal \ooo and hex \xhh are escapes); "..." is
 * kept with its quotes; :name, :'name', :"name" and :{?name} are
 * interpolated; adjacent pieces join ("a'b c'd" is one argument). Returns
 * an owned argument and advances *p, or NULL at the end (v may be NULL:
 * no interpolation). Backquotes are not special here: the caller runs
 * them first (sh_vars_backtick_find) and puts each output back as a
 * quoted piece (sh_vars_quote_arg). */
char *sh_vars_next_arg(const sh_vars *v, const char **p);

/* As sh_vars_next_arg, with psql's \connect rule when flags holds
 * SH_ARG_DEQUOTE: a "..." piece loses its double quotes ("" is one ")
 * and keeps its case (psql's OT_SQLIDHACK). *quoted (may be NULL) says
 * whether any piece was quoted ('...', "..." or a backquoted command's
 * output), since psql takes a quoted "-" or "" literally. */
enum { SH_ARG_DEQUOTE = 1u << 0 };
char *sh_vars_next_arg_ex(const sh_vars *v, const char **p, unsigned flags,
                          bool *quoted);

/* ---- backquotes: `command` in a backslash command's arguments ---- */

/* Where the next `command` is in args (borrowed), searching from byte
 * from: outside '...' and "..." (where a backquote is literal), and, with
 * SH_TICK_PIPE_ENDS, before any argument that starts with '|' (psql takes
 * "|command" as a whole line, \g and \o's pipes). Returns-owned command
 * text with psql's substitutions inside backquotes (:name the value,
 * :'name' the value quoted for /bin/sh; unknown names stay as written)
 * and sets [*start, *end) to the span, backquotes included; NULL when none
 * is left (*start and *end 0). An unterminated backquote also returns
 * NULL, with *start at the beginning of its argument and *end SIZE_MAX
 * (psql says "unterminated quoted string" and drops that argument). *err (may be NULL)
 * gets a returns-owned message for a value :'name' cannot pass to the
 * shell (a newline), or NULL. */
enum { SH_TICK_PIPE_ENDS = 1u << 0 };
char *sh_vars_backtick_find(const sh_vars *v, const char *args, size_t from,
                            unsigned flags, size_t *start, size_t *end,
                            char **err);
/* Returns-owned s as a '...' piece that sh_vars_next_arg reads back as s
 * exactly ('' for a quote, \\ for a backslash): a command's output put
 * in its argument in place of the `command`. */
char *sh_vars_quote_arg(const char *s);
/* Returns-owned s quoted for /bin/sh as psql quotes :'name' inside
 * backquotes: as is when only [A-Za-z0-9-_./:], else '...' with each '
 * as '"'"'. NULL when s holds a newline or carriage return. */
char *sh_vars_quote_shell(const char *s);

#endif
