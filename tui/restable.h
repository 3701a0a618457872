/* restable.h: a query result as a table panel's grid.
 *
 * Wraps a tui_table whose columns come from a pd_result (its names and
 * types: numbers right-aligned and sorted as numbers) rather than from a
 * static list. Setting a result of the same columns keeps the sort, the
 * filter and the selection; other columns start afresh. Rows are copied,
 * so the result can be freed after. No core calls but pd_result's. */
#ifndef TUI_RESTABLE_H
#define TUI_RESTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/result.h"
#include "tui/table.h"

#define TUI_RESTABLE_MAX_COLS 32     /* columns shown at most */
#define TUI_RESTABLE_MAX_ROWS 10000  /* rows kept at most */

typedef struct tui_restable {
    tui_table table;      /* what panels draw and give keys to */
    tui_table_col *cols;  /* owned, ncols; names point into names */
    char **names;         /* owned headings */
    uint32_t *types;      /* owned column type OIDs */
    int ncols;            /* columns shown */
    int ncols_all;        /* columns in the result */
    size_t nrows_all;     /* rows in the result */
} tui_restable;

void tui_restable_init(tui_restable *rt);
void tui_restable_set(tui_restable *rt, const pd_result *res);
void tui_restable_free(tui_restable *rt);
bool tui_restable_numeric_type(uint32_t oid);

#endif
