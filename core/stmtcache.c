/* stmtcache.c: open-addressing hash of SQL text -> statement name. */
#include "core/stmtcache.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"

typedef struct entry {
    char *sql;       /* owned; NULL = empty slot */
    char name[24];   /* "pd_s<N>" */
    uint64_t hash;
    bool dead;       /* tombstone, keeps probe chains intact */
} entry;

struct pd_stmtcache {
    entry *slots;    /* nslots, a power of two, at least 2 * cap */
    size_t nslots;
    size_t count;    /* live entries */
    size_t used;     /* live + tombstones */
    size_t cap;
    uint64_t next_id; /* names are never reused on one connection */
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    while (*s != '\0') {
        h ^= (unsigned char)*s++;
        h *= 1099511628211ULL;
    }
    return h;
}

pd_stmtcache *pd_stmtcache_new(size_t cap)
{
    pd_stmtcache *sc = pd_xcalloc(1, sizeof(*sc));

    sc->cap = cap > 0 ? cap : 1;
    sc->nslots = 16;
    while (sc->nslots < sc->cap * 2)
        sc->nslots *= 2;
    sc->slots = pd_xcalloc(sc->nslots, sizeof(entry));
    return sc;
}

void pd_stmtcache_clear(pd_stmtcache *sc)
{
    size_t i;

    for (i = 0; i < sc->nslots; i++) {
        free(sc->slots[i].sql);
        sc->slots[i].sql = NULL;
        sc->slots[i].dead = false;
    }
    sc->count = sc->used = 0;
}

void pd_stmtcache_free(pd_stmtcache *sc)
{
    if (sc == NULL)
        return;
    pd_stmtcache_clear(sc);
    free(sc->slots);
    free(sc);
}

/* The slot holding sql, or NULL. */
static entry *find(const pd_stmtcache *sc, const char *sql, uint64_t h)
{
    size_t mask = sc->nslots - 1, i = (size_t)h & mask;

    for (;;) {
        entry *e = &sc->slots[i];
        if (e->sql == NULL && !e->dead)
            return NULL;
        if (e->sql != NULL && e->hash == h && strcmp(e->sql, sql) == 0)
            return e;
        i = (i + 1) & mask;
    }
}

const char *pd_stmtcache_lookup(const pd_stmtcache *sc, const char *sql)
{
    entry *e = find(sc, sql, hash_str(sql));

    return e != NULL ? e->name : NULL;
}

const char *pd_stmtcache_add(pd_stmtcache *sc, const char *sql)
{
    uint64_t h = hash_str(sql);
    size_t mask = sc->nslots - 1, i = (size_t)h & mask;
    entry *e;

    if ((e = find(sc, sql, h)) != NULL)
        return e->name;
    if (sc->count >= sc->cap)
        return NULL;
    if (sc->used + 1 > sc->nslots * 3 / 4) {
        /* Too many tombstones: forget all (names are never reused, so
         * statements left on the server are merely unused). */
        pd_stmtcache_clear(sc);
        i = (size_t)h & mask;
    }
    while (sc->slots[i].sql != NULL)
        i = (i + 1) & mask;
    e = &sc->slots[i];
    if (!e->dead)
        sc->used++;
    e->dead = false;
    e->sql = pd_xstrdup(sql);
    e->hash = h;
    snprintf(e->name, sizeof(e->name), "pd_s%llu",
             (unsigned long long)++sc->next_id);
    sc->count++;
    return e->name;
}

void pd_stmtcache_remove(pd_stmtcache *sc, const char *sql)
{
    entry *e = find(sc, sql, hash_str(sql));

    if (e == NULL)
        return;
    free(e->sql);
    e->sql = NULL;
    e->dead = true;
    sc->count--;
}

size_t pd_stmtcache_count(const pd_stmtcache *sc)
{
    return sc->count;
}
