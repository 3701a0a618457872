/* table.h: a scrollable, sortable, filterable grid for the list panels.
 *
 * A panel fills the table from its refresh callback (clear, add rows,
 * done) and draws it from its draw callback; keys move the selection,
 * cycle the sort column ('s', 'S' reverses) and edit the filter ('/').
 * The selection follows a row's id (a backend's pid) across refreshes.
 * A table too wide for its window hides its least wanted columns, or,
 * with hscroll, shows a window of columns that Left/Right move, marked
 * with an arrow on the side where more are.
 * Cells are copied; the table owns its rows. No core calls here. */
#ifndef TUI_TABLE_H
#define TUI_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curses.h>

#include "tui/theme.h"

#define TUI_TABLE_FILTER_MAX 64 /* bytes of filter text */

typedef struct tui_table_col {
    const char *name; /* heading */
    int min_w;        /* columns at least */
    int max_w;        /* at most; 0: the flexible one, takes the rest */
    int prio;         /* narrow panels hide the lowest first */
    bool right;       /* right-aligned */
    bool numeric;     /* sorts by the number given with tui_table_num */
    bool desc;        /* sorts descending on the first 's' */
} tui_table_col;

typedef struct tui_table_row {
    char **cells;   /* ncols, owned; never NULL */
    double *nums;   /* ncols sort keys of numeric columns */
    int64_t id;     /* identity across refreshes */
    tui_role role;  /* colour of the row */
} tui_table_row;

typedef struct tui_table {
    const tui_table_col *cols;  /* borrowed, static */
    int ncols;
    bool sortable;              /* 's' and 'S' do something */
    const char *empty;          /* shown when there is no row; static */
    bool follow_top;            /* a selection on the first row stays on
                                   the first row (newest-first lists) */
    tui_table_row *rows;        /* as added */
    size_t nrows, cap;
    size_t *view;               /* rows shown: filtered, sorted */
    size_t nview;
    int sort_col;               /* -1: as added */
    bool sort_desc;
    char filter[TUI_TABLE_FILTER_MAX]; /* "" when none */
    bool editing;               /* the filter is being typed */
    int64_t sel_id;             /* the selected row's id */
    size_t sel;                 /* its place in view */
    bool have_sel;              /* nview > 0 and sel valid */
    size_t scroll;              /* first row of view shown */
    int page;                   /* rows shown at the last draw */
    int top_y;                  /* window line of the first row drawn */
    bool hscroll;               /* Left/Right/Home/End scroll through the
                                   columns (wide results) instead of
                                   narrow panels hiding some */
    int hcol;                   /* with hscroll: the first column shown */
    bool more_left, more_right; /* with hscroll: columns hidden that way,
                                   as of the last draw */
} tui_table;

void tui_table_init(tui_table *t, const tui_table_col *cols, int ncols,
                    int sort_col, bool sortable);
void tui_table_free(tui_table *t);
void tui_table_clear(tui_table *t);
size_t tui_table_add(tui_table *t, int64_t id, tui_role role,
                     const char *const *cells);
void tui_table_num(tui_table *t, size_t row, int col, double v);
void tui_table_done(tui_table *t);
const tui_table_row *tui_table_selected(const tui_table *t);
int tui_table_key(tui_table *t, int key);
void tui_table_click(tui_table *t, int y);
int tui_table_draw(tui_table *t, WINDOW *w, int y, const tui_theme *th,
                   bool stale, bool focused, int max_lines);
void tui_table_describe(const tui_table *t, char *buf, size_t len);

#endif
