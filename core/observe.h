/* observe.h: how the core watches every query it runs.
 *
 * The pool hands an observer to each of its connections; the query layer
 * calls begin when a statement is first sent and end when its outcome is
 * known. The core's observer feeds the slow log and the metrics, so every
 * query from every source is timed in one place. */
#ifndef PD_OBSERVE_H
#define PD_OBSERVE_H

#include <stdint.h>

#include <libpq-fe.h>

#include "core/error.h"

/* One finished query. Every pointer is borrowed for the call. */
typedef struct pd_query_report {
    const char *sql;           /* the text as sent */
    int nparams;
    const char *const *params; /* NULL entries are SQL NULL */
    const char *source;        /* "shell", "panel:Pool", "bench", ... */
    const PGconn *pg;          /* for PQdb; NULL when unknown */
    uint64_t duration_us;      /* first send to outcome, uv_hrtime */
    int64_t rows;              /* rows returned or affected; -1 unknown */
    const pd_error *err;       /* NULL on success */
} pd_query_report;

typedef struct pd_query_observer {
    void (*begin)(void *ctx);  /* a statement went out */
    void (*end)(const pd_query_report *r, void *ctx); /* its outcome */
    void *ctx;
} pd_query_observer;

#endif
