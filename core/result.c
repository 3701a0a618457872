/* result.c: query results, backed by a PGresult or built by hand. */
#include "core/result.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/xalloc.h"

struct pd_result {
    PGresult *pg;       /* owned; NULL for a hand-built table */
    PGresult **rowset;  /* owned single-row results (streaming), or NULL */
    size_t nrowset;     /* rows in rowset */
    /* hand-built tables only: */
    int ncols;          /* columns */
    char **names;       /* ncols owned names */
    uint32_t *types;    /* ncols type OIDs */
    size_t nrows;       /* rows used */
    size_t cap;         /* rows allocated */
    char **cells;       /* nrows * ncols owned values; NULL = SQL NULL */
    char *tag;          /* owned command tag, or NULL */
    pd_result *next;    /* owned rest of the chain */
};

/* Takes pg; returns-owned result. */
pd_result *pd_result_from_pg(PGresult *pg)
{
    pd_result *r = pd_xcalloc(1, sizeof(*r));

    r->pg = pg;
    return r;
}

/* Takes rows[0..n) (single-row results of one statement, each with one
 * row) and the array itself, plus header (may be NULL: the statement's
 * closing zero-row result, for the tag). Returns-owned. No value is copied:
 * this is how streamed chunks are handed out. */
pd_result *pd_result_from_rowset(PGresult *header, PGresult **rows, size_t n)
{
    pd_result *r = pd_xcalloc(1, sizeof(*r));

    r->pg = header;
    r->rowset = rows;
    r->nrowset = n;
    return r;
}

/* The PGresult that describes the columns of a libpq-backed result. */
static const PGresult *meta(const pd_result *r)
{
    if (r->nrowset > 0)
        return r->rowset[0];
    return r->pg;
}

static bool pg_backed(const pd_result *r)
{
    return r->pg != NULL || r->rowset != NULL;
}

/* Returns-owned empty table; names copied, types NULL means text. */
pd_result *pd_result_new(int ncols, const char *const *names,
                         const uint32_t *types)
{
    pd_result *r = pd_xcalloc(1, sizeof(*r));
    int i;

    r->ncols = ncols;
    if (ncols > 0) {
        r->names = pd_xcalloc((size_t)ncols, sizeof(char *));
        r->types = pd_xcalloc((size_t)ncols, sizeof(uint32_t));
        for (i = 0; i < ncols; i++) {
            r->names[i] = pd_xstrdup(names[i]);
            r->types[i] = types != NULL ? types[i] : PD_OID_TEXT;
        }
    }
    return r;
}

/* Appends one row; values copied, a NULL pointer is SQL NULL. */
void pd_result_add_row(pd_result *r, const char *const *values)
{
    int i;

    if (r->nrows == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        if (r->ncols > 0)
            r->cells = pd_xrealloc(r->cells,
                                   r->cap * (size_t)r->ncols * sizeof(char *));
    }
    for (i = 0; i < r->ncols; i++)
        r->cells[r->nrows * (size_t)r->ncols + (size_t)i] =
            values[i] != NULL ? pd_xstrdup(values[i]) : NULL;
    r->nrows++;
}

void pd_result_set_tag(pd_result *r, const char *tag)
{
    free(r->tag);
    r->tag = tag != NULL ? pd_xstrdup(tag) : NULL;
}

/* Frees r and the rest of its chain. Iterative: chains can be long. */
void pd_result_free(pd_result *r)
{
    while (r != NULL) {
        pd_result *next = r->next;
        size_t i;
        int c;

        if (r->pg != NULL)
            PQclear(r->pg);
        for (i = 0; i < r->nrowset; i++)
            PQclear(r->rowset[i]);
        free(r->rowset);
        for (c = 0; c < r->ncols && r->names != NULL; c++)
            free(r->names[c]);
        free(r->names);
        free(r->types);
        for (i = 0; i < r->nrows * (size_t)r->ncols; i++)
            free(r->cells[i]);
        free(r->cells);
        free(r->tag);
        free(r);
        r = next;
    }
}

bool pd_result_has_rows(const pd_result *r)
{
    if (r->rowset != NULL)
        return true;
    if (r->pg != NULL) {
        ExecStatusType st = PQresultStatus(r->pg);
        return st == PGRES_TUPLES_OK || st == PGRES_SINGLE_TUPLE;
    }
    return true;
}

int pd_result_ncols(const pd_result *r)
{
    return pg_backed(r) ? PQnfields(meta(r)) : r->ncols;
}

size_t pd_result_nrows(const pd_result *r)
{
    if (r->rowset != NULL)
        return r->nrowset;
    return r->pg != NULL ? (size_t)PQntuples(r->pg) : r->nrows;
}

const char *pd_result_col_name(const pd_result *r, int col)
{
    return pg_backed(r) ? PQfname(meta(r), col) : r->names[col];
}

uint32_t pd_result_col_type(const pd_result *r, int col)
{
    return pg_backed(r) ? (uint32_t)PQftype(meta(r), col) : r->types[col];
}

const char *pd_result_value(const pd_result *r, size_t row, int col)
{
    if (r->rowset != NULL)
        return PQgetisnull(r->rowset[row], 0, col)
                   ? NULL
                   : PQgetvalue(r->rowset[row], 0, col);
    if (r->pg != NULL)
        return PQgetisnull(r->pg, (int)row, col)
                   ? NULL
                   : PQgetvalue(r->pg, (int)row, col);
    return r->cells[row * (size_t)r->ncols + (size_t)col];
}

size_t pd_result_value_len(const pd_result *r, size_t row, int col)
{
    const char *v;

    if (r->rowset != NULL)
        return (size_t)PQgetlength(r->rowset[row], 0, col);
    if (r->pg != NULL)
        return (size_t)PQgetlength(r->pg, (int)row, col);
    v = pd_result_value(r, row, col);
    return v != NULL ? strlen(v) : 0;
}

bool pd_result_is_null(const pd_result *r, size_t row, int col)
{
    return pd_result_value(r, row, col) == NULL;
}

const char *pd_result_tag(const pd_result *r)
{
    if (r->pg != NULL)
        return PQcmdStatus(r->pg);
    if (r->rowset != NULL)
        return "";
    return r->tag != NULL ? r->tag : "";
}

int64_t pd_result_rows_affected(const pd_result *r)
{
    const char *s;

    if (r->pg == NULL)
        return r->tag != NULL ? (int64_t)pd_result_nrows(r) : -1;
    s = PQcmdTuples(r->pg);
    return (s != NULL && *s != '\0') ? strtoll(s, NULL, 10) : -1;
}

pd_result *pd_result_next(const pd_result *r)
{
    return r->next;
}

/* Appends tail (takes) at the end of head's chain. */
void pd_result_append(pd_result *head, pd_result *tail)
{
    while (head->next != NULL)
        head = head->next;
    head->next = tail;
}

/* Returns-owned rest of the chain after r, which now ends at r. */
pd_result *pd_result_detach_next(pd_result *r)
{
    pd_result *next = r->next;

    r->next = NULL;
    return next;
}

/* ---- JSON ---- */

/* True for a numeric text that JSON can carry as a number as is. */
static bool json_number(const char *s)
{
    const char *p = s;

    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return false;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0';
}

/* One value as JSON (returns-owned): numbers as numbers (their text kept
 * exactly, so a numeric loses no digits), json/jsonb parsed and nested,
 * booleans as booleans, NULL as null, anything else as a string. */
cJSON *pd_result_value_json(const pd_result *res, size_t row, int col)
{
    const char *v = pd_result_value(res, row, col);
    cJSON *item;

    if (v == NULL || pd_result_is_null(res, row, col))
        return cJSON_CreateNull();
    switch (pd_result_col_type(res, col)) {
    case PD_OID_INT2:
    case PD_OID_INT4:
    case PD_OID_INT8:
    case PD_OID_OID:
    case PD_OID_FLOAT4:
    case PD_OID_FLOAT8:
    case PD_OID_NUMERIC:
        /* NaN and Infinity have no JSON spelling: they stay strings. */
        if (json_number(v))
            return cJSON_CreateRaw(v);
        break;
    case PD_OID_BOOL:
        if (strcmp(v, "t") == 0 || strcmp(v, "f") == 0)
            return cJSON_CreateBool(v[0] == 't');
        break;
    case PD_OID_JSON:
    case PD_OID_JSONB:
        item = cJSON_Parse(v);
        if (item != NULL)
            return item;
        break;
    default:
        break;
    }
    return cJSON_CreateString(v);
}

/* Row row as a returns-owned JSON object keyed by column name. */
cJSON *pd_result_row_json(const pd_result *res, size_t row)
{
    cJSON *obj = cJSON_CreateObject();
    int c;

    if (obj == NULL)
        pd_fatal("out of memory (JSON)");
    for (c = 0; c < pd_result_ncols(res); c++) {
        cJSON *v = pd_result_value_json(res, row, c);
        if (v == NULL)
            pd_fatal("out of memory (JSON)");
        cJSON_AddItemToObject(obj, pd_result_col_name(res, c), v);
    }
    return obj;
}

/* The whole result as a returns-owned JSON array of row objects. */
cJSON *pd_result_to_json(const pd_result *res)
{
    cJSON *arr = cJSON_CreateArray();
    size_t r;

    if (arr == NULL)
        pd_fatal("out of memory (JSON)");
    for (r = 0; r < pd_result_nrows(res); r++)
        cJSON_AddItemToArray(arr, pd_result_row_json(res, r));
    return arr;
}
