/* format_expanded.c: psql's \x layout, one "-[ RECORD n ]-" block per row
 * (psql 15's print_aligned_vertical).
 *
 * Column names on the left, left-aligned and padded to the widest name,
 * then the line style's divider and the value. Values are never
 * right-aligned here, whatever their type. The rule above each record is
 * as wide as the widest name and value; a "[ RECORD n ]" label longer
 * than that runs past it, as in psql 15 (later versions widen the data
 * column instead). Continued names and values are marked as the line
 * style says; in the wrapped format values wider than the room left of
 * the output width are cut into pieces, marked too. A title goes on its
 * own line first; given footers follow a blank line (none at border 2). */
#include "shell/format.h"

#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

/* The widths and style every record is drawn with. */
struct vlayout {
    int border;
    int hwidth, dwidth;  /* widest name; widest (or wrapped) value */
    bool hmulti, dmulti; /* some name, some value, spans lines */
    sh_line_style ls;
};

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
 * filled in, so a long label simply runs past the divider. */
static void record_line(FILE *out, const struct vlayout *V, int pos,
                        size_t record, int hwidth)
{
    const sh_rule_style *r = &V->ls.rule[pos];
    const char *fill = V->border > 0 ? r->hrule : " ";
    int len = 0;

    if (V->border == 2)
        fprintf(out, "%s%s", r->left, r->hrule);
    else if (V->border == 1)
        fputs(r->hrule, out);
    if (record > 0)
        len = fprintf(out, V->border == 0 ? "* Record %zu"
                                          : "[ RECORD %zu ]", record);
    if (V->border != 2)
        len++;
    if (len < 0)
        len = 0;
    repeat(out, fill, len, hwidth);
    len -= hwidth;
    if (V->border > 0) {
        if (len-- <= 0)
            fputs(r->hrule, out);
        if (len-- <= 0)
            fputs(r->mid, out);
        if (len-- <= 0)
            fputs(r->hrule, out);
    } else if (len-- <= 0) {
        fputc(' ', out);
    }
    if (len < 0)
        len = 0;
    repeat(out, fill, len, V->dwidth);
    if (V->border == 2)
        fprintf(out, "%s%s", r->hrule, r->right);
    fputc('\n', out);
}

/* The name part of one display line: line *h of the name, or blanks once
 * the name is done. Advances *h; sets *hdone after the last line. */
static void print_name(FILE *out, const struct vlayout *V, const sh_line *hl,
                       int *h, bool *hdone)
{
    const sh_line_style *ls = &V->ls;
    bool old = ls->old_ascii;

    if (*hdone) {
        int n = V->hwidth + V->border;

        if (V->border < 2 && V->hmulti && old)
            n++;
        if (V->border == 0 && !old && V->hmulti)
            n++;
        /* psql pads with "%*s" of " ": never fewer than one blank. */
        spaces(out, n > 0 ? n : 1);
        return;
    }
    if (V->border == 2 || (V->hmulti && old))
        fputs(*h > 0 ? ls->header_nl_left : " ", out);
    fputs(hl[*h].text, out);
    spaces(out, V->hwidth - hl[*h].width);
    if (hl[*h + 1].text != NULL) {
        if (V->border > 0 || (V->hmulti && !old))
            fputs(ls->header_nl_right, out);
        (*h)++;
    } else {
        if (V->border > 0 || (V->hmulti && !old))
            fputc(' ', out);
        *hdone = true;
    }
}

/* Where the value of the field being printed has got to. */
struct vpos {
    int line;   /* display line */
    int off;    /* bytes of it printed */
    int left;   /* its width not printed yet */
    bool done;
};

/* The value part of one display line: the next piece of dl, its marks and
 * the right border, then the newline. */
static void print_value(FILE *out, const struct vlayout *V, const sh_line *dl,
                        struct vpos *d)
{
    const sh_line_style *ls = &V->ls;
    bool marks = V->border > 1 || (V->dmulti && !ls->old_ascii);
    int shown = V->dwidth, bytes;

    fputs(d->off == 0 ? " " : ls->wrap_left, out);
    bytes = sh_format_style_fit(dl[d->line].text + d->off, &shown);
    fwrite(dl[d->line].text + d->off, 1, (size_t)bytes, out);
    d->left -= shown;
    d->off += bytes;
    if (d->left != 0) {
        if (marks) {
            spaces(out, V->dwidth - shown);
            fputs(ls->wrap_right, out);
        }
    } else if (dl[d->line + 1].text != NULL) {
        if (marks) {
            spaces(out, V->dwidth - shown);
            fputs(ls->nl_right, out);
        }
        d->line++;
        d->off = 0;
        d->left = dl[d->line].width;
    } else {
        if (V->border > 1) {
            spaces(out, V->dwidth - shown);
            fputc(' ', out);
        }
        d->done = true;
    }
    if (V->border == 2)
        fputs(ls->rule[SH_RULE_DATA].right, out);
    fputc('\n', out);
}

/* One column of one record: the name and the value side by side, for as
 * many display lines as the taller of the two. */
static void print_field(FILE *out, const struct vlayout *V, const sh_line *hl,
                        const sh_line *dl)
{
    const sh_line_style *ls = &V->ls;
    struct vpos d = {0, 0, dl[0].width, false};
    int h = 0;
    bool hdone = false;

    while (!hdone || !d.done) {
        if (V->border == 2)
            fputs(ls->rule[SH_RULE_DATA].left, out);
        print_name(out, V, hl, &h, &hdone);
        if (V->border > 0)
            fputs(d.off != 0 ? ls->mid_wrap
                  : d.line == 0 ? ls->rule[SH_RULE_DATA].mid : ls->mid_nl,
                  out);
        if (!d.done) {
            print_value(out, V, dl, &d);
        } else if (V->border < 2) {
            fputc('\n', out);
        } else {
            /* The name runs longer than the value. */
            spaces(out, V->dwidth + 2);
            fprintf(out, "%s\n", ls->rule[SH_RULE_DATA].right);
        }
    }
}

/* The wrapped format: the value width that fits avail columns (0:
 * unknown), never less than 3 nor what the record labels need. A value
 * that will wrap needs a column for its marks, which may change the
 * answer, hence the second round. */
static int wrapped_width(struct vlayout *V, const sh_table *t, int avail,
                         bool tuples_only)
{
    int swidth, rwidth = 0, newd = 0;
    bool old = V->ls.old_ascii;

    if (V->border == 0)
        swidth = 1 + (V->hmulti ? 1 : 0);
    else if (V->border == 1)
        swidth = 3 + (V->hmulti && old ? 1 : 0);
    else
        swidth = 7;
    if (V->dmulti && V->border < 2 && !old)
        swidth++;
    if (!tuples_only) {
        size_t n;

        for (n = t->nrows; n > 0; n /= 10) /* digits of the last record */
            rwidth++;
        rwidth += V->border == 0 ? 9 : V->border == 1 ? 12 : 15;
    }
    for (;;) {
        int width = V->hwidth + swidth + V->dwidth, min;

        if (width < rwidth)
            width = rwidth;
        min = V->hwidth + swidth + 3;
        if (min < rwidth)
            min = rwidth;
        if (avail <= 0 || avail >= width)
            newd = width - V->hwidth - swidth;
        else if (avail < min)
            newd = min - V->hwidth - swidth;
        else
            newd = avail - V->hwidth - swidth;
        if (newd < V->dwidth && !V->dmulti && V->border < 2 && !old) {
            V->dmulti = true;
            swidth++;
        } else {
            break;
        }
    }
    return newd;
}

/* Nothing to show record by record: psql prints the footers or the row
 * count, and no title. */
static void print_empty(FILE *out, const sh_table *t, const sh_print_opts *o)
{
    size_t i;

    if (!o->tuples_only && t->nfooters > 0) {
        for (i = 0; i < t->nfooters; i++)
            fprintf(out, "%s\n", t->footers[i]);
    } else if (!o->tuples_only && o->footer) {
        char foot[64];

        sh_format_footer(foot, sizeof(foot), t->prior + t->nrows);
        fprintf(out, "%s\n", foot);
    }
    fputc('\n', out);
}

/* Widest and tallest of n strings into *width and *multi (more than one
 * line); returns the largest formatted size. */
static size_t measure_all(const char *const *s, size_t n, int *width,
                          int *height, bool *multi)
{
    size_t i, size = 1;

    for (i = 0; i < n; i++) {
        size_t sz;
        int w, h;

        sh_format_measure(s[i], &w, &h, &sz);
        if (w > *width)
            *width = w;
        if (h > *height) {
            *height = h;
            *multi = true;
        }
        if (sz > size)
            size = sz;
    }
    return size;
}

/* The records, then the bottom rule and the footers. */
static void print_records(FILE *out, const sh_table *t, const sh_print_opts *o,
                          const struct vlayout *V, char *hbuf, sh_line *hl,
                          char *dbuf, sh_line *dl)
{
    size_t ncells = t->nrows * (size_t)t->ncols, i, record = t->prior + 1;
    /* psql's label width: its newline marks widen the name column. */
    int lhwidth = V->hwidth + (V->border < 2 && V->hmulti &&
                               V->ls.old_ascii ? 1 : 0);

    for (i = 0; i < ncells; i++) {
        int c = (int)(i % (size_t)t->ncols), n;
        int pos = i == 0 ? SH_RULE_TOP : SH_RULE_MIDDLE;

        if (c == 0) {
            if (!o->tuples_only)
                record_line(out, V, pos, record++, lhwidth);
            else if (i != 0 || t->cont || V->border == 2)
                record_line(out, V, pos, 0, lhwidth);
        }
        n = sh_format_lines(t->headers[c], hbuf, hl);
        hl[n].text = NULL;
        n = sh_format_lines(t->cells[i], dbuf, dl);
        dl[n].text = NULL;
        print_field(out, V, hl, dl);
    }
    if (t->more)
        return;
    if (V->border == 2)
        record_line(out, V, SH_RULE_BOTTOM, 0, V->hwidth);
    /* Only given footers: psql has no "(N rows)" in this layout. */
    if (!o->tuples_only && t->nfooters > 0) {
        if (V->border < 2)
            fputc('\n', out);
        for (i = 0; i < t->nfooters; i++)
            fprintf(out, "%s\n", t->footers[i]);
    }
    fputc('\n', out);
}

/* Prints t as psql's expanded (\x) aligned or wrapped format. */
void sh_format_expanded(FILE *out, const sh_table *t,
                        const sh_print_opts *o)
{
    struct vlayout V = {0};
    int hheight = 1, dheight = 1;
    size_t hsize, dsize, ncells = t->nrows * (size_t)t->ncols;
    sh_line *hl, *dl;
    char *hbuf, *dbuf;

    if (ncells == 0 && !t->cont) {
        print_empty(out, t, o);
        return;
    }
    V.border = o->border < 0 ? 0 : o->border > 2 ? 2 : o->border;
    sh_format_style_get(o, &V.ls);
    hsize = measure_all(t->headers, (size_t)t->ncols, &V.hwidth, &hheight,
                        &V.hmulti);
    dsize = measure_all(t->cells, ncells, &V.dwidth, &dheight, &V.dmulti);
    if (!t->cont && t->title != NULL && !o->tuples_only)
        fprintf(out, "%s\n", t->title);
    if (o->format == SH_FMT_WRAPPED)
        V.dwidth = wrapped_width(&V, t, sh_format_style_columns(out, o),
                                 o->tuples_only);

    hbuf = pd_xmalloc(hsize);
    dbuf = pd_xmalloc(dsize);
    hl = pd_xcalloc((size_t)hheight + 1, sizeof(*hl));
    dl = pd_xcalloc((size_t)dheight + 1, sizeof(*dl));
    print_records(out, t, o, &V, hbuf, hl, dbuf, dl);
    free(hbuf);
    free(dbuf);
    free(hl);
    free(dl);
}
