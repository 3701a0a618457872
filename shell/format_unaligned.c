/* format_unaligned.c: psql -A, and -A with \x.
 *
 * Values are printed raw (no width logic, no escaping), separated by the
 * field separator ("|") with records separated by the record separator
 * ("\n"). The header line and the "(N rows)" footer are records too.
 * Whatever the record separator, the output ends with a newline. In
 * expanded mode each field is "name|value" on its own record and records
 * are separated by an empty one; there is no "(N rows)" footer, only given
 * ones after an empty record. A title is a record of its own. */
#include "shell/format.h"

#include <string.h>

static void put(FILE *out, const char *s)
{
    if (s != NULL)
        fputs(s, out);
}

static void print_vertical(FILE *out, const sh_table *t,
                           const sh_print_opts *o)
{
    size_t ncells = t->nrows * (size_t)t->ncols, i;
    bool pending = false;

    if (t->cont)
        pending = true; /* psql: "assume continuing printout" */
    else if (t->title != NULL && !o->tuples_only) {
        fputs(t->title, out);
        pending = true;
    }
    for (i = 0; i < ncells; i++) {
        int c = (int)(i % (size_t)t->ncols);

        if (pending) {
            put(out, o->record_sep);
            put(out, o->record_sep);
            pending = false;
        }
        fputs(t->headers[c], out);
        put(out, o->field_sep);
        fputs(t->cells[i], out);
        if (c < t->ncols - 1)
            put(out, o->record_sep);
        else
            pending = true;
    }
    if (t->more)
        return;
    if (!o->tuples_only && t->nfooters > 0) {
        put(out, o->record_sep);
        for (i = 0; i < t->nfooters; i++) {
            put(out, o->record_sep);
            fputs(t->footers[i], out);
        }
    }
    if (pending)
        fputc('\n', out);
}

/* Prints t as psql's unaligned format (expanded when o->expanded is 1;
 * psql's \x auto never applies to unaligned output). */
void sh_format_unaligned(FILE *out, const sh_table *t,
                         const sh_print_opts *o)
{
    size_t ncells = t->nrows * (size_t)t->ncols, i;
    bool pending = false;
    int c;

    if (o->expanded == 1) {
        print_vertical(out, t, o);
        return;
    }
    if (t->cont) {
        pending = true; /* psql: "assume continuing printout" */
    } else if (!o->tuples_only && t->title != NULL) {
        fputs(t->title, out);
        put(out, o->record_sep);
    }
    if (!t->cont && !o->tuples_only) {
        for (c = 0; c < t->ncols; c++) {
            if (c > 0)
                put(out, o->field_sep);
            fputs(t->headers[c], out);
        }
        pending = true;
    }
    for (i = 0; i < ncells; i++) {
        if (pending) {
            put(out, o->record_sep);
            pending = false;
        }
        fputs(t->cells[i], out);
        if ((i + 1) % (size_t)t->ncols != 0)
            put(out, o->field_sep);
        else
            pending = true;
    }
    if (t->more)
        return;
    if (!o->tuples_only && t->nfooters > 0) {
        for (i = 0; i < t->nfooters; i++) {
            if (pending)
                put(out, o->record_sep);
            fputs(t->footers[i], out);
            pending = true;
        }
    } else if (!o->tuples_only && o->footer) {
        char foot[64];

        if (pending)
            put(out, o->record_sep);
        sh_format_footer(foot, sizeof(foot), t->prior + t->nrows);
        fputs(foot, out);
        pending = true;
    }
    if (pending)
        fputc('\n', out);
}
