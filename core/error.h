/* error.h: structured errors.
 *
 * A pd_error is a value the caller provides; functions that fail fill it.
 * Its strings are owned by the pd_error and released by pd_error_clear. */
#ifndef PD_ERROR_H
#define PD_ERROR_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "core/xalloc.h"

/* Negative return codes of synchronous calls. */
enum {
    PD_OK = 0,
    PD_EINVAL = -1,   /* bad argument or input */
    PD_ESTATE = -2,   /* object is in the wrong state for this call */
    PD_ECONNECT = -3, /* could not start a connection */
    PD_EIO = -4,      /* a system call failed */
    PD_ENOTFOUND = -5 /* named thing does not exist */
};

typedef enum pd_error_kind {
    PD_ERR_NONE = 0,
    PD_ERR_SERVER,          /* the server said ERROR/FATAL: sqlstate is set */
    PD_ERR_CONNECTION,      /* connect failed or the connection broke */
    PD_ERR_TIMEOUT,         /* command timeout: the statement was canceled */
    PD_ERR_POOL_TIMEOUT,    /* no connection within the acquire deadline */
    PD_ERR_CIRCUIT_OPEN,    /* the breaker refuses calls for now */
    PD_ERR_CANCELED,        /* canceled by the caller */
    PD_ERR_OUTCOME_UNKNOWN, /* a write was sent, then the connection died */
    PD_ERR_USAGE            /* bad input from the user (file, argument, ...) */
} pd_error_kind;

typedef struct pd_error {
    pd_error_kind kind;
    char sqlstate[6];  /* "" when not from the server */
    char *severity;    /* "ERROR", "FATAL", ...; NULL when not from server */
    char *message;     /* primary message, one line, never NULL once set */
    char *detail;      /* DETAIL, or NULL */
    char *hint;        /* HINT, or NULL */
    char *context;     /* CONTEXT, or NULL */
    int position;      /* 1-based character position in the query, or 0 */
    char *full;        /* libpq's full text (severity, LINE n: and caret,
                          DETAIL, HINT...) exactly as psql prints it, or
                          NULL for errors not from the server */
    char *verbose;     /* libpq's verbose text (with SQLSTATE and LOCATION)
                          as psql's \errverbose shows it, or NULL */
} pd_error;

#define PD_ERROR_INIT \
    {PD_ERR_NONE, "", NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL}

void pd_error_init(pd_error *err);
/* Releases the strings and resets to PD_ERR_NONE. Accepts NULL. */
void pd_error_clear(pd_error *err);
bool pd_error_isset(const pd_error *err);
/* Sets kind and a formatted message (replacing what was there). */
void pd_error_set(pd_error *err, pd_error_kind kind, const char *fmt, ...)
    PD_PRINTF(3, 4);
/* Fills from a failed PGresult (borrowed): all diagnostic fields. */
void pd_error_from_result(pd_error *err, const PGresult *res);
/* Fills from a connection's error message (borrowed conn) with the kind
 * given; the message is trimmed to its first line's useful part. */
void pd_error_from_conn(pd_error *err, pd_error_kind kind, const PGconn *conn);
/* Deep copy of src into dst (dst is cleared first). */
void pd_error_copy(pd_error *dst, const pd_error *src);
/* Returns a static name for kind: "server", "connection", ... */
const char *pd_error_kind_name(pd_error_kind kind);

#endif
