/* format_aligned.c: psql's default table and its wrapped variant, byte
 * for byte (psql 15's print_aligned_text).
 *
 * Headers are centred (an odd spare column goes to the right), values
 * left-aligned or, for numeric types, right-aligned, with the line style's
 * dividers between columns and its rule under the headers. A value with
 * newlines takes several display lines; in the wrapped format a value
 * wider than its column's share of the output width is cut into pieces
 * too. The line style marks both: a newline after a line and before the
 * next, a wrap likewise. The last column is never padded on the right
 * unless border is 2 or a mark needs its column, which is why psql's
 * lines have no trailing blanks except in those cases. A title is centred
 * over the table; footers, when given, replace the "(N rows)" line. */
#include "shell/format.h"

#include <stdlib.h>

#include "core/xalloc.h"

/* How the next display line of a cell continues its value. */
enum { CONT_NONE, CONT_WRAP, CONT_NEWLINE };

/* Per-column state while printing. */
struct col {
    int width;      /* display width: the widest header or value line */
    int hwidth;     /* width of the header alone */
    int avg;        /* average value width, for choosing what to wrap */
    int wrap;       /* width printed: width, or less once wrapped */
    int maxlines;   /* most display lines in any cell of the column */
    size_t bufsize; /* largest formatted size of any cell */
    char *buf;      /* formatting buffer, bufsize bytes */
    sh_line *lines; /* maxlines + 1 entries, NULL text past the last */
    int cur;        /* line of the cell being printed */
    int off;        /* bytes of that line already printed */
    int cont;       /* CONT_*: how the next display line starts */
};

/* The table and how it is drawn, shared by the helpers. */
struct layout {
    const sh_table *t;
    struct col *cols;
    int ncols;
    int border;
    sh_line_style ls;
};

static void spaces(FILE *out, int n)
{
    while (n-- > 0)
        fputc(' ', out);
}

/* A horizontal rule at position pos (SH_RULE_*). */
static void rule(FILE *out, const struct layout *L, int pos)
{
    const sh_rule_style *r = &L->ls.rule[pos];
    int i, j;

    if (L->border == 1)
        fputs(r->hrule, out);
    else if (L->border == 2)
        fprintf(out, "%s%s", r->left, r->hrule);
    for (i = 0; i < L->ncols; i++) {
        for (j = 0; j < L->cols[i].wrap; j++)
            fputs(r->hrule, out);
        if (i < L->ncols - 1) {
            if (L->border == 0)
                fputc(' ', out);
            else
                fprintf(out, "%s%s%s", r->hrule, r->mid, r->hrule);
        }
    }
    if (L->border == 2)
        fprintf(out, "%s%s", r->hrule, r->right);
    else if (L->border == 1)
        fputs(r->hrule, out);
    fputc('\n', out);
}

/* Splits each cell of row (ncols strings) into its display lines. */
static void load_row(struct layout *L, const char *const *row)
{
    int c;

    for (c = 0; c < L->ncols; c++) {
        struct col *col = &L->cols[c];
        int n = sh_format_lines(row[c], col->buf, col->lines);

        col->lines[n].text = NULL;
        col->cur = 0;
        col->off = 0;
        col->cont = CONT_NONE;
    }
}

static void print_headers(FILE *out, struct layout *L)
{
    const sh_line_style *ls = &L->ls;
    int c, line, pending = L->ncols;

    if (L->border == 2)
        rule(out, L, SH_RULE_TOP);
    load_row(L, L->t->headers);
    for (line = 0; pending > 0; line++) {
        if (L->border == 2)
            fputs(ls->rule[SH_RULE_DATA].left, out);
        for (c = 0; c < L->ncols; c++) {
            struct col *col = &L->cols[c];
            bool done = col->lines[col->cur].text == NULL;

            if (L->border != 0 || (!ls->wrap_right_border && c > 0))
                fputs(line > 0 ? ls->header_nl_left : " ", out);
            if (!done) {
                const sh_line *l = &col->lines[col->cur++];
                int spare = col->wrap - l->width;

                spaces(out, spare / 2);
                fputs(l->text, out);
                spaces(out, (spare + 1) / 2);
                if (col->lines[col->cur].text == NULL) {
                    pending--;
                    done = true;
                }
            } else {
                spaces(out, col->wrap);
            }
            if (L->border != 0 || ls->wrap_right_border)
                fputs(done ? " " : ls->header_nl_right, out);
            if (L->border != 0 && c < L->ncols - 1)
                fputs(ls->rule[SH_RULE_DATA].mid, out);
        }
        if (L->border == 2)
            fputs(ls->rule[SH_RULE_DATA].right, out);
        fputc('\n', out);
    }
    rule(out, L, SH_RULE_MIDDLE);
}

/* Prints the next piece of column c's cell (at most its width); returns
 * whether the cell has more to print, and sets how it will go on. */
static bool print_piece(FILE *out, struct layout *L, int c, bool pad_right)
{
    struct col *col = &L->cols[c];
    const sh_line *l = &col->lines[col->cur];
    int shown = col->wrap, bytes;
    bool more = false;

    if (l->text == NULL) {
        /* This cell has run out of lines before the row. */
        if (pad_right)
            spaces(out, shown);
        col->cont = CONT_NONE;
        return false;
    }
    bytes = sh_format_style_fit(l->text + col->off, &shown);
    if (shown > col->wrap) /* one character wider than the column */
        shown = col->wrap;
    if (L->t->aligns[c] == 'r')
        spaces(out, col->wrap - shown);
    fwrite(l->text + col->off, 1, (size_t)bytes, out);
    col->off += bytes;
    if (l->text[col->off] != '\0') {
        more = true;
    } else {
        col->cur++;
        col->off = 0;
        more = col->lines[col->cur].text != NULL;
    }
    col->cont = CONT_NONE;
    if (col->lines[col->cur].text != NULL)
        col->cont = col->off != 0 ? CONT_WRAP
                    : col->cur != 0 ? CONT_NEWLINE : CONT_NONE;
    if (L->t->aligns[c] != 'r' && (pad_right || col->cont != CONT_NONE))
        spaces(out, col->wrap - shown);
    return more;
}

/* One row: as many display lines as its tallest (or most wrapped) cell. */
static void print_row(FILE *out, struct layout *L, const char *const *row)
{
    const sh_line_style *ls = &L->ls;
    bool more;
    int c;

    load_row(L, row);
    do {
        more = false;
        if (L->border == 2)
            fputs(ls->rule[SH_RULE_DATA].left, out);
        for (c = 0; c < L->ncols; c++) {
            struct col *col = &L->cols[c];
            bool last = c == L->ncols - 1;

            if (L->border != 0)
                fputs(col->cont == CONT_WRAP ? ls->wrap_left
                      : col->cont == CONT_NEWLINE ? ls->nl_left : " ", out);
            if (print_piece(out, L, c, L->border == 2 || !last))
                more = true;
            if (col->cont == CONT_WRAP)
                fputs(ls->wrap_right, out);
            else if (col->cont == CONT_NEWLINE)
                fputs(ls->nl_right, out);
            else if (L->border == 2 || !last)
                fputc(' ', out);
            if (L->border != 0 && !last) {
                const struct col *next = &L->cols[c + 1];

                /* The divider tells how the next column's line starts. */
                fputs(next->cont == CONT_WRAP ? ls->mid_wrap
                      : next->cont == CONT_NEWLINE ? ls->mid_nl
                      : next->lines[next->cur].text == NULL ? ls->mid_blank
                      : ls->rule[SH_RULE_DATA].mid, out);
            }
        }
        if (L->border == 2)
            fputs(ls->rule[SH_RULE_DATA].right, out);
        fputc('\n', out);
    } while (more);
}

/* Measures every column of t into cols: widths, lines, buffer sizes and
 * the average value width. */
static void measure(const sh_table *t, struct col *cols)
{
    size_t r;
    int c;

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
            cols[c].avg += w;
        }
    }
    for (c = 0; c < t->ncols; c++) {
        if (t->nrows > 0)
            cols[c].avg = (int)((size_t)cols[c].avg / t->nrows);
        cols[c].wrap = cols[c].width;
    }
}

/* The wrapped format: while the table is wider than avail, narrows by one
 * the column with the most to gain (widest relative to its average
 * value, wide columns slightly preferred), never below its header.
 * Returns the new total width. */
static int shrink(struct col *cols, int ncols, int total, int avail)
{
    while (total > avail) {
        double best_ratio = 0;
        int c, best = -1;

        for (c = 0; c < ncols; c++) {
            double ratio;

            if (cols[c].avg == 0 || cols[c].wrap <= cols[c].hwidth)
                continue;
            ratio = (double)cols[c].wrap / cols[c].avg +
                    cols[c].width * 0.01;
            if (ratio > best_ratio) {
                best_ratio = ratio;
                best = c;
            }
        }
        if (best < 0)
            break;
        cols[best].wrap--;
        total--;
    }
    return total;
}

/* The title, header, rows and footer, once the widths are settled. */
static void print_table(FILE *out, struct layout *L, int total,
                        const sh_print_opts *o)
{
    const sh_table *t = L->t;
    size_t r;

    if (!t->cont && t->title != NULL && !o->tuples_only) {
        int w;

        /* Centred over the table, or as is when it is wider. */
        sh_format_measure(t->title, &w, NULL, NULL);
        if (w < total)
            spaces(out, (total - w) / 2);
        fprintf(out, "%s\n", t->title);
    }
    if (!t->cont && !o->tuples_only)
        print_headers(out, L);
    /* Without columns psql has no cells, hence no row lines at all. */
    for (r = 0; t->ncols > 0 && r < t->nrows; r++)
        print_row(out, L, t->cells + r * (size_t)t->ncols);
    if (t->more)
        return;
    if (L->border == 2)
        rule(out, L, SH_RULE_BOTTOM);
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
}

/* Prints t as psql's aligned (or wrapped) format; hands over to the
 * expanded printer in \x auto mode when the table is wider than the
 * output. */
void sh_format_aligned(FILE *out, const sh_table *t, const sh_print_opts *o)
{
    struct layout L = {.t = t, .ncols = t->ncols};
    int c, total, header_total, avail = sh_format_style_columns(out, o);

    L.border = o->border < 0 ? 0 : o->border > 2 ? 2 : o->border;
    sh_format_style_get(o, &L.ls);
    if (t->ncols > 0)
        L.cols = pd_xcalloc((size_t)t->ncols, sizeof(*L.cols));
    measure(t, L.cols);

    /* Widths of the whole table and of its headers, as psql reckons them
     * for wrapping and \x auto. */
    if (L.border == 0)
        total = t->ncols;
    else if (L.border == 1)
        total = t->ncols > 0 ? t->ncols * 3 - 1 : 0;
    else
        total = t->ncols * 3 + 1;
    header_total = total;
    for (c = 0; c < t->ncols; c++) {
        total += L.cols[c].width;
        header_total += L.cols[c].hwidth;
    }
    if (o->format == SH_FMT_WRAPPED && avail > 0 && avail >= header_total)
        total = shrink(L.cols, t->ncols, total, avail);
    /* One column never goes vertical (it would be wider). */
    if (o->expanded == 2 && avail > 0 && t->ncols > 1 &&
        (avail < header_total || avail < total)) {
        free(L.cols);
        sh_format_expanded(out, t, o);
        return;
    }
    for (c = 0; c < t->ncols; c++) {
        L.cols[c].buf = pd_xmalloc(L.cols[c].bufsize);
        L.cols[c].lines = pd_xcalloc((size_t)L.cols[c].maxlines + 1,
                                     sizeof(sh_line));
    }
    print_table(out, &L, total, o);
    for (c = 0; c < t->ncols; c++) {
        free(L.cols[c].buf);
        free(L.cols[c].lines);
    }
    free(L.cols);
}
