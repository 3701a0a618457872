/* sync_load.h: a JSON array of objects, made ready to upsert.
 *
 * For `load` and `command` sync jobs: the text (a file's, or a command's
 * stdout) must be an array of objects, each holding every key column. The
 * columns are the union of the objects' keys in first-seen order; a value
 * becomes the text PostgreSQL casts from: strings as they are, numbers as
 * written (no float round trip), true/false, objects and arrays as JSON
 * text (so jsonb columns take nested values as they are), null as NULL.
 * The rows are then sent in batches of multi-row
 * INSERT ... ON CONFLICT (key) DO UPDATE statements. */
#ifndef PD_SYNC_LOAD_H
#define PD_SYNC_LOAD_H

#include <stddef.h>

#include "core/error.h"

typedef struct pd_sync_rows {
    int ncols;
    char **cols;      /* owned column names */
    size_t nrows;
    char **values;    /* owned, nrows * ncols; NULL = SQL NULL */
} pd_sync_rows;

/* Parses text[0..len) named origin (for messages, e.g. the file path).
 * key: nkey column names every object must have. Returns 0 with *out
 * returns-owned, or PD_EINVAL with err saying what and where:
 * "prices.json:3:5: element 2: missing key column \"day\"". */
PD_MUSTCHECK int pd_sync_load_parse(const char *text, size_t len,
                                    const char *origin,
                                    const char *const *key, int nkey,
                                    pd_sync_rows **out, pd_error *err);
void pd_sync_load_free(pd_sync_rows *rows);

/* Returns-owned upsert of nrows rows of rows' columns into table (which
 * may be schema.table), parameters $1.. row by row. Key columns are not
 * updated; with only key columns it is ON CONFLICT DO NOTHING. */
char *pd_sync_load_sql(const pd_sync_rows *rows, const char *table,
                       const char *const *key, int nkey, size_t nrows);

/* Rows per statement such that parameters stay under PostgreSQL's 65535
 * and statements stay a sensible size. */
size_t pd_sync_load_batch_rows(const pd_sync_rows *rows);

#endif
