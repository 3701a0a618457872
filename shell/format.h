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
    SH_FMT_JSON         /* \pset format json (pgdeck's own) */
} sh_format_kind;

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
} sh_print_opts;

void sh_print_opts_init(sh_print_opts *o);
void sh_print_opts_free(sh_print_opts *o);

/* Prints one result (not the chain) to out as psql would: the table and
 * its footer for a row-returning statement, else the command tag unless
 * quiet. res and opts borrowed. */
void sh_format_print(FILE *out, const pd_result *res,
                     const sh_print_opts *opts);

/* Prints err as psql does: a server error as libpq's full text
 * ("ERROR:  ...", "LINE n: ..." and the caret, DETAIL, HINT), anything
 * else as "pgdeck: error: message". prefix (e.g. "pgdeck:f.sql:3: ") goes
 * before the first line when not NULL. */
void sh_print_error(FILE *out, const pd_error *err, const char *prefix);

#endif
