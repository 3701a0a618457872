/* stmtcache.h: a connection's prepared statements, keyed by SQL text.
 *
 * Bounded: once full, further statements are not cached (they run unnamed)
 * rather than evicting, because dropping a server-side statement would cost
 * a round trip on the hot path. Owned by its pd_conn. */
#ifndef PD_STMTCACHE_H
#define PD_STMTCACHE_H

#include <stddef.h>

typedef struct pd_stmtcache pd_stmtcache;

/* Returns-owned cache holding at most cap statements (cap >= 1). */
pd_stmtcache *pd_stmtcache_new(size_t cap);
void pd_stmtcache_free(pd_stmtcache *sc);

/* The server-side name of sql, or NULL when not prepared. Borrowed. */
const char *pd_stmtcache_lookup(const pd_stmtcache *sc, const char *sql);
/* Reserves a name for sql (copied) and returns it (borrowed), or NULL when
 * the cache is full. The caller prepares it on the server, then calls
 * pd_stmtcache_remove if that failed. */
const char *pd_stmtcache_add(pd_stmtcache *sc, const char *sql);
/* Forgets sql (a failed prepare, or a plan the server invalidated). */
void pd_stmtcache_remove(pd_stmtcache *sc, const char *sql);
/* Forgets everything (after DISCARD ALL / DEALLOCATE ALL). */
void pd_stmtcache_clear(pd_stmtcache *sc);
size_t pd_stmtcache_count(const pd_stmtcache *sc);

#endif
