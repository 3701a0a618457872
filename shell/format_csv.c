/* format_csv.c: psql --csv, and --csv with \x.
 *
 * One line per row, "\n"-terminated, after a header line unless tuples
 * only. A field is quoted (with inner quotes doubled) when it holds the
 * separator, a quote, CR or LF, or is exactly "\." (which COPY would take
 * for end-of-data); with "\" or "." as the separator every field is
 * quoted, for the same reason. NULL and the empty string both print as
 * nothing (or as the \pset null string). No title, footer or row count.
 * Expanded mode prints "name,value" per field, without a header line. */
#include "shell/format.h"

#include <string.h>

static void field(FILE *out, const char *s, char sep)
{
    const char *p;

    if (strchr(s, sep) == NULL && strpbrk(s, "\r\n\"") == NULL &&
        strcmp(s, "\\.") != 0 && sep != '\\' && sep != '.') {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (p = s; *p != '\0'; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

/* Prints t as psql's csv format (expanded when o->expanded is 1). */
void sh_format_csv(FILE *out, const sh_table *t, const sh_print_opts *o)
{
    char sep = o->csv_fieldsep != '\0' ? o->csv_fieldsep : ',';
    size_t ncells = t->nrows * (size_t)t->ncols, i;
    int c;

    if (o->expanded == 1) {
        for (i = 0; i < ncells; i++) {
            field(out, t->headers[i % (size_t)t->ncols], sep);
            fputc(sep, out);
            field(out, t->cells[i], sep);
            fputc('\n', out);
        }
        return;
    }
    if (!t->cont && !o->tuples_only) {
        for (c = 0; c < t->ncols; c++) {
            if (c > 0)
                fputc(sep, out);
            field(out, t->headers[c], sep);
        }
        fputc('\n', out);
    }
    for (i = 0; i < ncells; i++) {
        field(out, t->cells[i], sep);
        fputc((i + 1) % (size_t)t->ncols != 0 ? sep : '\n', out);
    }
}
