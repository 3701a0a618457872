/* format.h: printing results exactly as psql does.
 *
 * One printer per format (format_aligned.c, format_unaligned.c, ...) behind
 * sh_format_print; output is byte-identical to psql's for the same result
 * and settings. Errors are printed as psql prints them (printerr.c). */
#ifndef SH_FORMAT_H
#define SH_FORMAT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"
#include "core/result.h"

typedef enum sh_format_kind {
    SH_FMT_ALIGNED = 0, /* psql's default */
    SH_FMT_UNALIGNED,   /* -A, \a */
    SH_FMT_CSV,         /* --csv, \pset format csv */
    SH_FMT_JSON,        /* \pset format json (pgdeck's own) */
    SH_FMT_WRAPPED      /* \pset format wrapped: aligned, wide columns
                           wrapped to the output width */
} sh_format_kind;

/* \pset linestyle. */
typedef enum sh_line_kind {
    SH_LINE_ASCII = 0,  /* psql's default */
    SH_LINE_OLD_ASCII,  /* PostgreSQL 8.4's marks: ":" and ";" */
    SH_LINE_UNICODE     /* box drawing, "↵" and "…" */
} sh_line_kind;

typedef struct sh_print_opts {
    sh_format_kind format;
    int expanded;           /* \x: 0 off, 1 on, 2 auto */
    bool tuples_only;       /* -t, \t */
    bool footer;            /* \pset footer: "(N rows)" */
    bool quiet;             /* -q: no command tags */
    char *null_str;         /* \pset null, owned; "" default */
    char *field_sep;        /* -F / \pset fieldsep, owned; "|" default */
    char *record_sep;       /* -R / \pset recordsep, owned; "\n" default */
    int border;             /* \pset border: 0, 1 (default), 2 */
    int term_cols;          /* terminal width for \x auto; 0 = unknown */
    int columns;            /* \pset columns: wrap width; 0 = terminal's */
    sh_line_kind linestyle; /* \pset linestyle */
    bool uni_border_double; /* \pset unicode_border_linestyle double */
    bool uni_column_double; /* \pset unicode_column_linestyle double */
    bool uni_header_double; /* \pset unicode_header_linestyle double */
    char csv_fieldsep;      /* \pset csv_fieldsep: ',' default */
    const char *title;      /* borrowed: above a result's rows (\watch's
                               header), or NULL */
} sh_print_opts;

void sh_print_opts_init(sh_print_opts *o);
void sh_print_opts_free(sh_print_opts *o);

/* Prints one result (not the chain) to out as psql would: the table and
 * its footer for a row-returning statement, else the command tag unless
 * quiet. res and opts borrowed. */
void sh_format_print(FILE *out, const pd_result *res,
                     const sh_print_opts *opts);

/* The command tag psql prints after res, unless quiet: a statement
 * without rows, or INSERT, UPDATE, DELETE, MERGE ... RETURNING. What
 * sh_format_print prints after the rows; on its own for \g FILE, whose
 * rows go to the file and tag to the output. */
void sh_format_print_tag(FILE *out, const pd_result *res,
                         const sh_print_opts *opts);

/* Prints one chunk of a streamed statement's rows (res borrowed) as
 * psql's FETCH_COUNT mode prints it: the title and header only when
 * !cont, the footer ("(N rows)" counting prior rows too) and the command
 * tag only when !more; column widths are the chunk's own. A result
 * without rows prints as sh_format_print. JSON streams as well: the
 * chunks together are byte for byte the whole result's array. */
void sh_format_print_chunk(FILE *out, const pd_result *res,
                           const sh_print_opts *opts, bool cont, bool more,
                           size_t prior);

/* A table psql builds itself instead of printing a query's rows (\d NAME,
 * \du): cells given as text, each column's alignment given. All
 * borrowed. */
typedef struct sh_print_table {
    const char *title;          /* above the table, or NULL */
    int ncols;                  /* columns */
    size_t nrows;               /* rows */
    const char *const *headers; /* ncols names */
    const char *const *cells;   /* nrows * ncols, row-major; NULL is "" */
    const char *aligns;         /* ncols of 'l' or 'r'; NULL all 'l' */
    const char *const *footers; /* lines under the table (may hold "\n") */
    size_t nfooters;            /* 0: "(N rows)" when opts->footer */
} sh_print_table;

/* Prints t as psql's printTable does: the title (centred over an aligned
 * table), the rows, then the footers, which replace the default "(N rows)"
 * footer when there are any. Titles and footers show in the aligned,
 * expanded and unaligned formats, never with tuples only, never in CSV.
 * t and opts borrowed. */
void sh_format_print_table(FILE *out, const sh_print_table *t,
                           const sh_print_opts *opts);

/* Prints res as psql's printQuery does for its own catalog queries (the
 * \d lists): with title (NULL none) and footers (nfooters of them,
 * replacing "(N rows)"), NULLs as empty strings whatever \pset null says,
 * and no command tag. Everything borrowed. */
void sh_format_print_titled(FILE *out, const pd_result *res,
                            const char *title, const char *const *footers,
                            size_t nfooters, const sh_print_opts *opts);

/* Prints err as psql does: a server error as libpq's full text
 * ("ERROR:  ...", "LINE n: ..." and the caret, DETAIL, HINT), anything
 * else as "pgdeck: error: message". prefix (e.g. "pgdeck:f.sql:3: ") goes
 * before the first line when not NULL. */
void sh_print_error(FILE *out, const pd_error *err, const char *prefix);
/* Prints libpq's notice text (NOTICE, WARNING, ...; borrowed) as psql
 * does; only the colour of WARNING: on a colour terminal differs. */
void sh_print_notice(FILE *out, const char *text);

/* ---- Shared by the printers (shell/format*.c) only. ---- */

/* A result laid out as psql lays it out before printing: the names and
 * values cleaned of what psql's mbvalidate drops, SQL NULLs replaced by
 * the null string, and the alignment of each column from its type. */
typedef struct sh_table {
    int ncols;             /* columns; may be 0 ("SELECT;") */
    size_t nrows;          /* rows */
    const char **headers;  /* ncols names, borrowed or in owned */
    const char **cells;    /* nrows * ncols values, row-major, never NULL */
    char *aligns;          /* per column: 'r' numeric types, else 'l' */
    char **owned;          /* cleaned copies, freed with the table */
    size_t nowned;         /* entries used in owned */
    const char *title;     /* printed above the table, or NULL */
    const char *const *footers; /* nfooters lines replacing "(N rows)" */
    size_t nfooters;
    /* A chunk of a streamed result, as psql's FETCH_COUNT prints it
     * (printTableOpt's start_table, stop_table, prior_records); all zero
     * for a whole table. */
    bool cont;             /* not the first chunk: no title, no header */
    bool more;             /* not the last chunk: no footer, no end */
    size_t prior;          /* rows printed in the chunks before */
} sh_table;

/* One display line of a value, as psql's aligned printers show it: tabs
 * expanded, control characters spelled \xNN or \uNNNN, \r as "\r". */
typedef struct sh_line {
    const char *text; /* NUL-terminated, inside the caller's buffer */
    int width;        /* display columns */
} sh_line;

/* Display width of the character at s (valid UTF-8, psql's tables: 0 for
 * combining marks, 2 for East Asian wide and emoji, -1 for controls);
 * *len gets its length in bytes. */
int sh_format_char_width(const char *s, int *len);

/* Measures s as psql's pg_wcssize does: the widest display line, the
 * number of lines, and the buffer size sh_format_lines needs. */
void sh_format_measure(const char *s, int *width, int *height,
                       size_t *bufsize);

/* Splits s into its display lines, written into buf (at least the size
 * sh_format_measure gave) and described in lines (at least height
 * entries). Returns the number of lines. */
int sh_format_lines(const char *s, char *buf, sh_line *lines);

/* The strings one line style draws with, as psql's printTextFormat: the
 * rules above the headers, under them and under the table, and the
 * verticals of data lines; then the marks of continued values. */
typedef struct sh_rule_style {
    const char *hrule, *left, *mid, *right;
} sh_rule_style;

enum { SH_RULE_TOP, SH_RULE_MIDDLE, SH_RULE_BOTTOM, SH_RULE_DATA };

typedef struct sh_line_style {
    sh_rule_style rule[4];      /* by SH_RULE_* */
    const char *mid_nl;         /* column divider left of a newline line */
    const char *mid_wrap;       /* ... left of a wrapped line */
    const char *mid_blank;      /* ... left of a finished cell */
    const char *header_nl_left, *header_nl_right;
    const char *nl_left, *nl_right;     /* around a value's newline */
    const char *wrap_left, *wrap_right; /* around a wrapped line */
    bool wrap_right_border;     /* marks need a column right of the value
                                   even at border 0 */
    bool old_ascii;             /* psql tests for this style by name */
} sh_line_style;

/* The line style o asks for (its unicode_* choices applied). */
void sh_format_style_get(const sh_print_opts *o, sh_line_style *ls);

/* The width psql wraps to and decides \x auto by: \pset columns, else
 * for a terminal (or a pager, o->term_cols) $COLUMNS or the terminal's
 * width; 0 when unknown, i.e. no wrapping. */
int sh_format_style_columns(FILE *out, const sh_print_opts *o);

/* Bytes of the longest prefix of the display line s that fits *width
 * columns, at least one character; *width gets the prefix's width. */
int sh_format_style_fit(const char *s, int *width);

/* Formats the default footer, "(1 row)" or "(N rows)", into buf. */
void sh_format_footer(char *buf, size_t size, size_t nrows);

/* The printers. Each writes t to out exactly as psql 15 would with the
 * same settings; t and o are borrowed. */
void sh_format_aligned(FILE *out, const sh_table *t, const sh_print_opts *o);
void sh_format_expanded(FILE *out, const sh_table *t,
                        const sh_print_opts *o);
void sh_format_unaligned(FILE *out, const sh_table *t,
                         const sh_print_opts *o);
void sh_format_csv(FILE *out, const sh_table *t, const sh_print_opts *o);
/* pgdeck's JSON (format_json.c): res's rows as one array of objects, one
 * per line; a streamed statement's chunks print in turn (cont: rows came
 * before, prior of them; more: rows follow), whole they print "[...]". */
void sh_format_json(FILE *out, const pd_result *res, bool cont, bool more,
                    size_t prior);

#endif
