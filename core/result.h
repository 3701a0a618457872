/* result.h: query results.
 *
 * A pd_result is one statement's outcome: a table of text values (columns
 * with names and type OIDs, rows, NULLs) or a command tag only. It is either
 * backed by a libpq PGresult or built by hand (core's data commands such as
 * \pool return tables built with pd_result_new). Results of a multi-statement
 * simple query are chained with pd_result_next.
 *
 * Ownership: whoever receives a pd_result owns the whole chain and frees it
 * with pd_result_free. */
#ifndef PD_RESULT_H
#define PD_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

typedef struct pd_result pd_result;

/* Well-known type OIDs (from pg_type), for formatting decisions. */
enum {
    PD_OID_BOOL = 16,
    PD_OID_INT8 = 20,
    PD_OID_INT2 = 21,
    PD_OID_INT4 = 23,
    PD_OID_TEXT = 25,
    PD_OID_OID = 26,
    PD_OID_XID = 28,
    PD_OID_CID = 29,
    PD_OID_JSON = 114,
    PD_OID_FLOAT4 = 700,
    PD_OID_FLOAT8 = 701,
    PD_OID_MONEY = 790,
    PD_OID_NUMERIC = 1700,
    PD_OID_XID8 = 5069,
    PD_OID_JSONB = 3802
};

/* Takes ownership of pg (PQclear'd by pd_result_free). */
pd_result *pd_result_from_pg(PGresult *pg);

/* Takes header (may be NULL), each of rows[0..n) and the array: single-row
 * results of one statement (streaming), presented as one table without
 * copying. Returns-owned. */
pd_result *pd_result_from_rowset(PGresult *header, PGresult **rows, size_t n);

/* Returns-owned: an empty hand-built table with ncols columns. names are
 * copied; types may be NULL (all text). */
pd_result *pd_result_new(int ncols, const char *const *names,
                         const uint32_t *types);
/* Appends a row of ncols values (copied; a NULL pointer is SQL NULL). */
void pd_result_add_row(pd_result *r, const char *const *values);
/* Sets the command tag (copied), e.g. "SELECT 3". */
void pd_result_set_tag(pd_result *r, const char *tag);

/* Frees the whole chain. Accepts NULL. */
void pd_result_free(pd_result *r);

/* True when the statement returns rows (even zero rows). */
bool pd_result_has_rows(const pd_result *r);
int pd_result_ncols(const pd_result *r);
size_t pd_result_nrows(const pd_result *r);
/* Borrowed, valid while r lives. */
const char *pd_result_col_name(const pd_result *r, int col);
uint32_t pd_result_col_type(const pd_result *r, int col);
/* Borrowed text of a value, or NULL when SQL NULL. */
const char *pd_result_value(const pd_result *r, size_t row, int col);
size_t pd_result_value_len(const pd_result *r, size_t row, int col);
bool pd_result_is_null(const pd_result *r, size_t row, int col);
/* Command tag ("SELECT 3", "INSERT 0 1", "CREATE TABLE"); "" if none. */
const char *pd_result_tag(const pd_result *r);
/* Rows affected or returned per the tag; -1 when the tag has no count. */
int64_t pd_result_rows_affected(const pd_result *r);

/* As JSON (cJSON; each returns-owned, free with cJSON_Delete): one value
 * (numbers as numbers with their exact text, json/jsonb parsed into
 * nested values, booleans, null), one row as an object keyed by column
 * name, or the whole result as an array of row objects. */
struct cJSON *pd_result_value_json(const pd_result *r, size_t row, int col);
struct cJSON *pd_result_row_json(const pd_result *r, size_t row);
struct cJSON *pd_result_to_json(const pd_result *r);

/* The next result of a multi-statement query, or NULL. Borrowed. */
pd_result *pd_result_next(const pd_result *r);
/* Appends tail (takes) at the end of head's chain. */
void pd_result_append(pd_result *head, pd_result *tail);
/* Detaches and returns-owned the rest of the chain after r. */
pd_result *pd_result_detach_next(pd_result *r);

#endif
