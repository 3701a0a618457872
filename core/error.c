/* error.c: structured errors from libpq and from pgdeck itself. */
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

void pd_error_init(pd_error *err)
{
    memset(err, 0, sizeof(*err));
}

/* Releases the strings and resets err to "no error". Accepts NULL. */
void pd_error_clear(pd_error *err)
{
    if (err == NULL)
        return;
    free(err->severity);
    free(err->message);
    free(err->detail);
    free(err->hint);
    free(err->context);
    free(err->full);
    free(err->verbose);
    pd_error_init(err);
}

bool pd_error_isset(const pd_error *err)
{
    return err != NULL && err->kind != PD_ERR_NONE;
}

/* Replaces err with kind and a formatted message. */
void pd_error_set(pd_error *err, pd_error_kind kind, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return;
    pd_error_clear(err);
    err->kind = kind;
    va_start(ap, fmt);
    err->message = pd_xvasprintf(fmt, ap);
    va_end(ap);
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? pd_xstrdup(s) : NULL;
}

/* Fills err from a failed PGresult (borrowed). libpq's own full message is
 * kept as is: it already carries "LINE n:" and the caret exactly as psql
 * shows them, because libpq builds both from the query text it sent. */
void pd_error_from_result(pd_error *err, const PGresult *res)
{
    const char *s;

    pd_error_clear(err);
    err->kind = PD_ERR_SERVER;
    s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (s != NULL) {
        strncpy(err->sqlstate, s, sizeof(err->sqlstate) - 1);
        err->sqlstate[sizeof(err->sqlstate) - 1] = '\0';
    }
    err->severity = dup_or_null(PQresultErrorField(res, PG_DIAG_SEVERITY));
    s = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (s == NULL)
        s = PQresultErrorMessage(res);
    err->message = pd_xstrdup(s != NULL ? s : "unknown server error");
    err->detail = dup_or_null(PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
    err->hint = dup_or_null(PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
    err->context = dup_or_null(PQresultErrorField(res, PG_DIAG_CONTEXT));
    s = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
    err->position = s != NULL ? atoi(s) : 0;
    s = PQresultErrorMessage(res);
    if (s != NULL && *s != '\0')
        err->full = pd_xstrdup(s);
    {
        char *v = PQresultVerboseErrorMessage(res, PQERRORS_VERBOSE,
                                              PQSHOW_CONTEXT_ALWAYS);
        if (v != NULL) {
            err->verbose = pd_xstrdup(v);
            PQfreemem(v);
        }
    }
}

/* Fills err from a connection's error text (borrowed conn). libpq's text
 * may span lines ("connection to server ... failed: ...\n\tIs the server
 * running...?"); the whole text is kept in full, and message gets it with
 * the trailing newline removed, for one-line displays. */
void pd_error_from_conn(pd_error *err, pd_error_kind kind, const PGconn *conn)
{
    const char *s = conn != NULL ? PQerrorMessage(conn) : NULL;
    size_t n;

    pd_error_clear(err);
    err->kind = kind;
    if (s == NULL || *s == '\0')
        s = "connection failed";
    n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
        n--;
    err->message = pd_xstrndup(s, n);
}

/* Deep copy. */
void pd_error_copy(pd_error *dst, const pd_error *src)
{
    pd_error_clear(dst);
    if (src == NULL)
        return;
    dst->kind = src->kind;
    memcpy(dst->sqlstate, src->sqlstate, sizeof(dst->sqlstate));
    dst->severity = dup_or_null(src->severity);
    dst->message = dup_or_null(src->message);
    dst->detail = dup_or_null(src->detail);
    dst->hint = dup_or_null(src->hint);
    dst->context = dup_or_null(src->context);
    dst->position = src->position;
    dst->full = dup_or_null(src->full);
    dst->verbose = dup_or_null(src->verbose);
}

const char *pd_error_kind_name(pd_error_kind kind)
{
    switch (kind) {
    case PD_ERR_NONE:
        return "none";
    case PD_ERR_SERVER:
        return "server";
    case PD_ERR_CONNECTION:
        return "connection";
    case PD_ERR_TIMEOUT:
        return "timeout";
    case PD_ERR_POOL_TIMEOUT:
        return "pool-timeout";
    case PD_ERR_CIRCUIT_OPEN:
        return "circuit-open";
    case PD_ERR_CANCELED:
        return "canceled";
    case PD_ERR_OUTCOME_UNKNOWN:
        return "outcome-unknown";
    case PD_ERR_USAGE:
        return "usage";
    }
    return "unknown";
}
