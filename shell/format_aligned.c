/* format_aligned.c: psql's default table, byte for byte.
 *
 * The layout is psql 15's print_aligned_text with the "ascii" line style
 * and no wrapping: headers centred (an odd spare column goes to the
 * right), values left-aligned or, for numeric types, right-aligned, "|"
 * between columns and "-+-" in the rule under the headers. A value with
 * newlines takes several display lines; a "+" after a line says another
 * follows. The last column is never padded on the right unless border is
 * 2 or a "+" mark needs its column, which is why psql's lines have no
 * trailing blanks except in those cases. A title is centred over the
 * table; footers, when given, replace the "(N rows)" line. */
#include "shell/format.h"

#include <stdlib.h>

#include "core/xalloc.h"

/* Per-column state while printing. */
struct col {
    int width;      /* display width: the widest header or value line */
    int hwidth;     /* width of the header alone */
    int maxlines;   /* most display lines in any cell of the column */
    size_t bufsize; /* largest formatted size of any cell */
    char *buf;      /* formatting buffer, bufsize bytes */
    sh_line *lines; /* maxlines + 1 entries */
    int nlines;     /* lines of the cell being printed */
    int cur;        /* next line of that cell to print */
    bool nl;        /* the line being printed continues a value */
};

static void spaces(FILE *out, int n)
{
    while (n-- > 0)
        fputc(' ', out);
}

/* The rule under the headers, and above and below the table at border 2. */
static void rule(FILE *out, const struct col *cols, int ncols, int border)
{
    int i, j;

    if (border == 1)
        fputc('-', out);
    else if (border == 2)
        fputs("+-", out);
    for (i = 0; i < ncols; i++) {
        for (j = 0; j < cols[i].width; j++)
            fputc('-', out);
        if (i < ncols - 1)
            fputs(border == 0 ? " " : "-+-", out);
    }
    if (border == 2)
        fputs("-+", out);
    else if (border == 1)
        fputc('-', out);
    fputc('\n', out);
}

static void print_headers(FILE *out, const sh_table *t, struct col *cols,
                          int border)
{
    int c, line, pending = t->ncols;

    if (border == 2)
        rule(out, cols, t->ncols, border);
    for (c = 0; c < t->ncols; c++) {
        cols[c].nlines = sh_format_lines(t->headers[c], cols[c].buf,
                                         cols[c].lines);
        cols[c].cur = 0;
    }
    for (line = 0; pending > 0; line++) {
        if (border == 2)
            fputc('|', out);
        for (c = 0; c < t->ncols; c++) {
            struct col *col = &cols[c];
            bool done = col->cur >= col->nlines;

            if (border != 0)
                fputc(' ', out);
            if (!done) {
                const sh_line *l = &col->lines[col->cur++];
                int spare = col->width - l->width;

                spaces(out, spare / 2);
                fputs(l->text, out);
                spaces(out, (spare + 1) / 2);
                if (col->cur >= col->nlines) {
                    pending--;
                    done = true;
                }
                fputc(done ? ' ' : '+', out);
            } else {
                spaces(out, col->width);
                fputc(' ', out);
            }
            if (border != 0 && c < t->ncols - 1)
                fputc('|', out);
        }
        if (border == 2)
            fputc('|', out);
        fputc('\n', out);
    }
    rule(out, cols, t->ncols, border);
}

/* One row: as many display lines as its tallest cell. */
static void print_row(FILE *out, const sh_table *t, const char *const *row,
                      struct col *cols, int border)
{
    bool more;
    int c;

    for (c = 0; c < t->ncols; c++) {
        cols[c].nlines = sh_format_lines(row[c], cols[c].buf, cols[c].lines);
        cols[c].cur = 0;
        cols[c].nl = false;
    }
    do {
        more = false;
        if (border == 2)
            fputc('|', out);
        for (c = 0; c < t->ncols; c++) {
            struct col *col = &cols[c];
            bool last = c == t->ncols - 1;
            bool pad_right = border == 2 || !last;
            int used = col->width;

            if (border != 0)
                fputc(' ', out);
            if (col->cur >= col->nlines) {
                /* This cell has run out of lines before the row. */
                if (pad_right)
                    spaces(out, col->width);
            } else {
                const sh_line *l = &col->lines[col->cur++];

                used = l->width;
                if (t->aligns[c] == 'r')
                    spaces(out, col->width - used);
                fputs(l->text, out);
                if (col->cur < col->nlines)
                    more = true;
            }
            col->nl = col->cur > 0 && col->cur < col->nlines;
            if (t->aligns[c] != 'r' && (pad_right || col->nl))
                spaces(out, col->width - used);
            if (col->nl)
                fputc('+', out);
            else if (pad_right)
                fputc(' ', out);
            if (border != 0 && !last)
                fputc('|', out);
        }
        if (border == 2)
            fputc('|', out);
        fputc('\n', out);
    } while (more);
}

/* Prints t as psql's aligned format; hands over to the expanded printer
 * in \x auto mode when the table is wider than o->term_cols. */
void sh_format_aligned(FILE *out, const sh_table *t, const sh_print_opts *o)
{
    int border = o->border < 0 ? 0 : o->border > 2 ? 2 : o->border;
    struct col *cols = NULL;
    int c, total, header_total;
    size_t r;

    if (t->ncols > 0)
        cols = pd_xcalloc((size_t)t->ncols, sizeof(*cols));
    for (c = 0; c < t->ncols; c++) {
        size_t sz;
        int w, h;

        sh_format_measure(t->headers[c], &w, &h, &sz);
        cols[c].width = cols[c].hwidth = w;
        cols[c].maxlines = h;
        cols[c].bufsize = sz;
    }
    for (r = 0; r < t->nrows; r++) {
        for (c = 0; c < t->ncols; c++) {
            const char *v = t->cells[r * (size_t)t->ncols + (size_t)c];
            size_t sz;
            int w, h;

            sh_format_measure(v, &w, &h, &sz);
            if (w > cols[c].width)
                cols[c].width = w;
            if (h > cols[c].maxlines)
                cols[c].maxlines = h;
            if (sz > cols[c].bufsize)
                cols[c].bufsize = sz;
        }
    }

    /* Widths of the whole table and of its headers, as psql reckons them
     * for \x auto: one column never goes vertical (it would be wider). */
    if (border == 0)
        total = t->ncols;
    else if (border == 1)
        total = t->ncols > 0 ? t->ncols * 3 - 1 : 0;
    else
        total = t->ncols * 3 + 1;
    header_total = total;
    for (c = 0; c < t->ncols; c++) {
        total += cols[c].width;
        header_total += cols[c].hwidth;
    }
    if (o->expanded == 2 && o->term_cols > 0 && t->ncols > 1 &&
        (o->term_cols < header_total || o->term_cols < total)) {
        free(cols);
        sh_format_expanded(out, t, o);
        return;
    }

    for (c = 0; c < t->ncols; c++) {
        cols[c].buf = pd_xmalloc(cols[c].bufsize);
        cols[c].lines = pd_xcalloc((size_t)cols[c].maxlines + 1,
                                   sizeof(sh_line));
    }
    if (!t->cont && t->title != NULL && !o->tuples_only) {
        int w;

        /* Centred over the table, or as is when it is wider. */
        sh_format_measure(t->title, &w, NULL, NULL);
        if (w < total)
            spaces(out, (total - w) / 2);
        fprintf(out, "%s\n", t->title);
    }
    if (!t->cont && !o->tuples_only)
        print_headers(out, t, cols, border);
    /* Without columns psql has no cells, hence no row lines at all. */
    for (r = 0; t->ncols > 0 && r < t->nrows; r++)
        print_row(out, t, t->cells + r * (size_t)t->ncols, cols, border);
    if (t->more)
        goto out;
    if (border == 2)
        rule(out, cols, t->ncols, border);
    if (t->nfooters > 0 && !o->tuples_only) {
        size_t f;

        for (f = 0; f < t->nfooters; f++)
            fprintf(out, "%s\n", t->footers[f]);
    } else if (o->footer && !o->tuples_only) {
        char foot[64];

        sh_format_footer(foot, sizeof(foot), t->prior + t->nrows);
        fprintf(out, "%s\n", foot);
    }
    fputc('\n', out);

out:

    for (c = 0; c < t->ncols; c++) {
        free(cols[c].buf);
        free(cols[c].lines);
    }
    free(cols);
}
