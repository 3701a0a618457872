/* restable.c: a query result as a grid (see restable.h). */
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "tui/panel.h"
#include "tui/restable.h"

#define COL_MAX_W 48 /* a column takes at most this many cells */
#define COL_MIN_W 12 /* and at least its heading's width, up to this */

/* Fills rt (caller's memory): no columns, no rows. */
void tui_restable_init(tui_restable *rt)
{
    memset(rt, 0, sizeof(*rt));
    tui_table_init(&rt->table, NULL, 0, -1, false);
    rt->table.empty = "no rows";
}

static void drop_cols(tui_restable *rt)
{
    int c;

    for (c = 0; c < rt->ncols; c++)
        free(rt->names[c]);
    free(rt->names);
    free(rt->cols);
    free(rt->types);
    rt->names = NULL;
    rt->cols = NULL;
    rt->types = NULL;
    rt->ncols = 0;
}

/* Frees what rt holds (not rt itself). Accepts a zeroed one. */
void tui_restable_free(tui_restable *rt)
{
    tui_table_free(&rt->table);
    drop_cols(rt);
}

/* True for the types shown right-aligned and sorted as numbers. */
bool tui_restable_numeric_type(uint32_t oid)
{
    switch (oid) {
    case PD_OID_INT2:
    case PD_OID_INT4:
    case PD_OID_INT8:
    case PD_OID_OID:
    case PD_OID_FLOAT4:
    case PD_OID_FLOAT8:
    case PD_OID_NUMERIC:
        return true;
    default:
        return false;
    }
}

/* True when res has the columns rt shows now. */
static bool same_cols(const tui_restable *rt, const pd_result *res, int n)
{
    int c;

    if (n != rt->ncols || rt->ncols == 0)
        return false;
    for (c = 0; c < n; c++) {
        const char *name = pd_result_col_name(res, c);

        if (strcmp(name != NULL ? name : "", rt->names[c]) != 0 ||
            pd_result_col_type(res, c) != rt->types[c])
            return false;
    }
    return true;
}

static void make_cols(tui_restable *rt, const pd_result *res, int n)
{
    int c;

    tui_table_free(&rt->table);
    drop_cols(rt);
    rt->ncols = n;
    rt->names = pd_xcalloc((size_t)(n > 0 ? n : 1), sizeof(char *));
    rt->cols = pd_xcalloc((size_t)(n > 0 ? n : 1), sizeof(tui_table_col));
    rt->types = pd_xcalloc((size_t)(n > 0 ? n : 1), sizeof(uint32_t));
    for (c = 0; c < n; c++) {
        const char *name = pd_result_col_name(res, c);
        tui_table_col *col = &rt->cols[c];
        int hw;

        rt->names[c] = pd_xstrdup(name != NULL ? name : "");
        rt->types[c] = pd_result_col_type(res, c);
        hw = tui_panel_width(rt->names[c]);
        col->name = rt->names[c];
        col->min_w = hw < COL_MIN_W ? (hw > 0 ? hw : 1) : COL_MIN_W;
        col->max_w = COL_MAX_W;
        col->prio = n - c; /* narrow panels keep the first columns */
        col->numeric = tui_restable_numeric_type(rt->types[c]);
        col->right = col->numeric;
        col->desc = col->numeric;
    }
    /* Text last takes what the others leave: long values show whole. */
    if (n > 0 && !rt->cols[n - 1].numeric)
        rt->cols[n - 1].max_w = 0;
    tui_table_init(&rt->table, rt->cols, n, -1, n > 0);
    rt->table.empty = "no rows";
}

/* Shows res (borrowed; NULL or a result without rows: nothing), at most
 * TUI_RESTABLE_MAX_COLS columns and TUI_RESTABLE_MAX_ROWS rows. Rows are
 * identified by their place, so the selection stays on the same line. */
void tui_restable_set(tui_restable *rt, const pd_result *res)
{
    const char *cells[TUI_RESTABLE_MAX_COLS];
    size_t r, nrows;
    int n, c;

    n = res != NULL && pd_result_has_rows(res) ? pd_result_ncols(res) : 0;
    rt->ncols_all = n;
    if (n > TUI_RESTABLE_MAX_COLS)
        n = TUI_RESTABLE_MAX_COLS;
    if (!same_cols(rt, res, n))
        make_cols(rt, res, n);
    tui_table_clear(&rt->table);
    nrows = n > 0 ? pd_result_nrows(res) : 0;
    rt->nrows_all = nrows;
    if (nrows > TUI_RESTABLE_MAX_ROWS)
        nrows = TUI_RESTABLE_MAX_ROWS;
    for (r = 0; r < nrows; r++) {
        size_t row;

        for (c = 0; c < n; c++)
            cells[c] = pd_result_value(res, r, c);
        row = tui_table_add(&rt->table, (int64_t)r, TUI_ROLE_DEFAULT, cells);
        for (c = 0; c < n; c++)
            if (rt->cols[c].numeric)
                tui_table_num(&rt->table, row, c,
                              cells[c] != NULL ? strtod(cells[c], NULL) : 0);
    }
    tui_table_done(&rt->table);
}
