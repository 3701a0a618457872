/* format_expanded.c: psql's \x layout, one "-[ RECORD n ]-" block per row.
 *
 * psql 15's print_aligned_vertical in the "ascii" style, without wrapping:
 * column names on the left, left-aligned and padded to the widest name,
 * then "|" and the value. Values are never right-aligned here, whatever
 * their type. The rule above each record is as wide as the widest name and
 * value; a "[ RECORD n ]" label longer than that runs past it, as in psql
 * 15 (later versions widen the data column instead). A multi-line name or
 * value marks each continued line with "+". A title goes on its own line
 * first; given footers follow a blank line (none at border 2). */
#include "shell/format.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

static void spaces(FILE *out, int n)
{
    while (n-- > 0)
        fputc(' ', out);
}

static void repeat(FILE *out, const char *s, int from, int to)
{
    int i;

    for (i = from; i < to; i++)
        fputs(s, out);
}

/* The line above each record ("-[ RECORD 3 ]--+------"), or a plain rule
 * when record is 0 (tuples only, and the bottom line at border 2). The
 * label eats into the header and data widths; whatever is left is
 * filled in, so a long label simply runs past the "+". */
static void record_line(FILE *out, int border, size_t record, int hwidth,
                        int dwidth)
{
    const char *fill = border > 0 ? "-" : " ";
    int len = 0;

    if (border == 2)
        fputs("+-", out);
    else if (border == 1)
        fputc('-', out);
    if (record > 0)
        len = fprintf(out, border == 0 ? "* Record %zu" : "[ RECORD %zu ]",
                      record);
    if (border != 2)
        len++;
    if (len < 0)
        len = 0;
    repeat(out, fill, len, hwidth);
    len -= hwidth;
    if (border > 0) {
        if (len-- <= 0)
            fputc('-', out);
        if (len-- <= 0)
            fputc('+', out);
        if (len-- <= 0)
            fputc('-', out);
    } else if (len-- <= 0) {
        fputc(' ', out);
    }
    if (len < 0)
        len = 0;
    repeat(out, fill, len, dwidth);
    if (border == 2)
        fputs("-+", out);
    fputc('\n', out);
}

/* One column of one record: the name and the value side by side, for as
 * many display lines as the taller of the two. */
static void print_field(FILE *out, const sh_line *hl, int hn,
                        const sh_line *dl, int dn, int border, int hwidth,
                        int dwidth, bool hmulti, bool dmulti)
{
    int h = 0, d = 0;
    bool hdone = false, ddone = false;

    while (!hdone || !ddone) {
        if (border == 2)
            fputc('|', out);
        if (!hdone) {
            if (border == 2)
                fputc(' ', out);
            fputs(hl[h].text, out);
            spaces(out, hwidth - hl[h].width);
            if (h + 1 < hn) {
                if (border > 0 || hmulti)
                    fputc('+', out);
                h++;
            } else {
                if (border > 0 || hmulti)
                    fputc(' ', out);
                hdone = true;
            }
        } else {
            int n = hwidth + border + (border == 0 && hmulti ? 1 : 0);

            /* psql pads with "%*s" of " ": never fewer than one blank. */
            spaces(out, n > 0 ? n : 1);
        }
        if (border > 0)
            fputc('|', out);
        if (!ddone) {
            fputc(' ', out);
            fputs(dl[d].text, out);
            if (d + 1 < dn) {
                if (border > 1 || dmulti) {
                    spaces(out, dwidth - dl[d].width);
                    fputc('+', out);
                }
                d++;
            } else {
                if (border > 1) {
                    spaces(out, dwidth - dl[d].width);
                    fputc(' ', out);
                }
                ddone = true;
            }
            if (border == 2)
                fputc('|', out);
            fputc('\n', out);
        } else if (border < 2) {
            fputc('\n', out);
        } else {
            spaces(out, dwidth + 2);
            fputs("|\n", out);
        }
    }
}

/* Prints t as psql's expanded (\x) aligned format. */
void sh_format_expanded(FILE *out, const sh_table *t,
                        const sh_print_opts *o)
{
    int border = o->border < 0 ? 0 : o->border > 2 ? 2 : o->border;
    int hwidth = 0, dwidth = 0, hheight = 1, dheight = 1;
    size_t hsize = 0, dsize = 0, ncells, i;
    bool hmulti = false, dmulti = false;
    sh_line *hl = NULL, *dl = NULL;
    char *hbuf = NULL, *dbuf = NULL;
    size_t record = t->prior + 1;

    ncells = t->nrows * (size_t)t->ncols;
    if (ncells == 0 && !t->cont) {
        /* Nothing to show record by record: psql prints the footers or
         * the row count, and no title. */
        if (!o->tuples_only && t->nfooters > 0) {
            for (i = 0; i < t->nfooters; i++)
                fprintf(out, "%s\n", t->footers[i]);
        } else if (!o->tuples_only && o->footer) {
            char foot[64];

            sh_format_footer(foot, sizeof(foot), t->prior + t->nrows);
            fprintf(out, "%s\n", foot);
        }
        fputc('\n', out);
        return;
    }
    if (!t->cont && t->title != NULL && !o->tuples_only)
        fprintf(out, "%s\n", t->title);

    for (i = 0; i < (size_t)t->ncols; i++) {
        size_t sz;
        int w, h;

        sh_format_measure(t->headers[i], &w, &h, &sz);
        if (w > hwidth)
            hwidth = w;
        if (h > hheight) {
            hheight = h;
            hmulti = true;
        }
        if (sz > hsize)
            hsize = sz;
    }
    for (i = 0; i < ncells; i++) {
        size_t sz;
        int w, h;

        sh_format_measure(t->cells[i], &w, &h, &sz);
        if (w > dwidth)
            dwidth = w;
        if (h > dheight) {
            dheight = h;
            dmulti = true;
        }
        if (sz > dsize)
            dsize = sz;
    }

    hbuf = pd_xmalloc(hsize > 0 ? hsize : 1);
    dbuf = pd_xmalloc(dsize > 0 ? dsize : 1);
    hl = pd_xcalloc((size_t)hheight + 1, sizeof(*hl));
    dl = pd_xcalloc((size_t)dheight + 1, sizeof(*dl));
    for (i = 0; i < ncells; i++) {
        int c = (int)(i % (size_t)t->ncols), hn, dn;

        if (c == 0) {
            if (!o->tuples_only)
                record_line(out, border, record++, hwidth, dwidth);
            else if (i != 0 || t->cont || border == 2)
                record_line(out, border, 0, hwidth, dwidth);
        }
        hn = sh_format_lines(t->headers[c], hbuf, hl);
        dn = sh_format_lines(t->cells[i], dbuf, dl);
        print_field(out, hl, hn, dl, dn, border, hwidth, dwidth, hmulti,
                    dmulti);
    }
    if (t->more)
        goto out;
    if (border == 2)
        record_line(out, border, 0, hwidth, dwidth);
    /* Only given footers: psql has no "(N rows)" in this layout. */
    if (!o->tuples_only && t->nfooters > 0) {
        if (border < 2)
            fputc('\n', out);
        for (i = 0; i < t->nfooters; i++)
            fprintf(out, "%s\n", t->footers[i]);
    }
    fputc('\n', out);

out:
    free(hbuf);
    free(dbuf);
    free(hl);
    free(dl);
}
