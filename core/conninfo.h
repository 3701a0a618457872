/* conninfo.h: where to connect.
 *
 * Turns a DBNAME, key=value conninfo or postgresql:// URI, plus libpq's PG*
 * environment and the -h/-p/-U/-d overrides, into the complete keyword/value
 * arrays given to PQconnectStartParams. Everything is settled here, up front,
 * so that libpq never falls back to its own (blocking) host name lookup: a
 * host that is a name is resolved by pd_conn with uv_getaddrinfo and passed
 * as hostaddr. */
#ifndef PD_CONNINFO_H
#define PD_CONNINFO_H

#include <stdbool.h>

#include "core/error.h"

typedef struct pd_conninfo pd_conninfo;

/* Returns-owned, or NULL with err set (a malformed URI or conninfo). dsn may
 * be NULL (environment only). */
PD_MUSTCHECK pd_conninfo *pd_conninfo_new(const char *dsn, pd_error *err);
/* Returns-owned deep copy. */
pd_conninfo *pd_conninfo_dup(const pd_conninfo *ci);
void pd_conninfo_free(pd_conninfo *ci);

/* Sets keyword to value (copied); value NULL removes it. Unknown keywords
 * are rejected by libpq at connect time. */
void pd_conninfo_set(pd_conninfo *ci, const char *keyword, const char *value);
/* The effective value of keyword, or NULL. Borrowed. */
const char *pd_conninfo_get(const pd_conninfo *ci, const char *keyword);

/* NULL-terminated arrays for PQconnectStartParams (expand_dbname = 0).
 * Borrowed, valid until the next pd_conninfo_set. */
const char *const *pd_conninfo_keywords(const pd_conninfo *ci);
const char *const *pd_conninfo_values(const pd_conninfo *ci);

/* The database name to show in prompts and titles. Borrowed. */
const char *pd_conninfo_dbname(const pd_conninfo *ci);
/* Returns-owned one-line description, password never included:
 * "dbname=app user=alice host=/tmp port=5432". */
char *pd_conninfo_describe(const pd_conninfo *ci);
/* Returns-owned copy of s with any password in a URI or conninfo replaced
 * by "********" (for logs and errors). */
char *pd_conninfo_mask(const char *s);

#endif
