/* config_int.h: the config module's internals, shared by its files and
 * never included outside core/.
 *
 *   config.c        the settings table, values from text, the defaults,
 *                   the environment, the command line, the checks across
 *                   keys, copy and free;
 *   config_file.c   the file reader: the document, its sections and
 *                   scalar keys, the value readers and their messages;
 *   config_sync.c   the two lists, panels and syncs: their elements'
 *                   validation, the syncs' dependency graph, copy and
 *                   free;
 *   config_print.c  --print-config.
 *
 * Everything here runs at start-up, on the caller's thread. */
#ifndef PD_CONFIG_INT_H
#define PD_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/error.h"
#include "core/jsonc.h"

/* The longest duration a millisecond setting takes: a day. */
#define PD_CONFIG_DAY_MS 86400000LL

typedef enum stype {
    T_INT,    /* int */
    T_U32,    /* uint32_t */
    T_BOOL,   /* bool */
    T_STR,    /* char *, owned; NULL when unset */
    T_LISTEN, /* char *, "HOST:PORT" */
    T_PANELS, /* panels, npanels */
    T_SYNCS   /* syncs, nsyncs */
} stype;

typedef enum ekind {
    E_NONE = 0,
    E_VALUE,   /* the variable holds the value as the file would */
    E_SECONDS, /* seconds (fractions allowed) into a millisecond field */
    E_PRESENT  /* any non-empty value sets the boolean */
} ekind;

/* One row of the settings table (config.c). */
typedef struct setting {
    const char *key;   /* dotted path in the file */
    stype type;
    size_t offset;     /* of the field in pd_config */
    long long lo, hi;  /* numeric bounds, inclusive */
    const char *def;   /* default as text (NULL: unset) */
    const char *env;   /* environment variable, or NULL */
    ekind env_kind;
    const char *flag;  /* command-line option, or NULL (for the docs) */
    const char *doc;
} setting;

/* The field of cfg that row s describes. */
static inline void *pd_config_field(pd_config *cfg, const setting *s)
{
    return (char *)cfg + s->offset;
}

static inline const void *pd_config_cfield(const pd_config *cfg,
                                           const setting *s)
{
    return (const char *)cfg + s->offset;
}

/* ---- config.c ---- */

/* Row i of the settings table (borrowed), or NULL past the last. */
const setting *pd_config_setting_at(size_t i);
/* The row of key (borrowed), or NULL when no row has that key. */
const setting *pd_config_find_setting(const char *key);
/* Key name i, the settings' then the list elements' ("panels[].title"),
 * or NULL past the last. Borrowed. */
const char *pd_config_key_at(size_t i);

/* snprintf for names and paths in messages: truncation is acceptable
 * there (a key path is short; a file name may be cut). */
void pd_config_pathf(char *buf, size_t n, const char *fmt, ...)
    PD_PRINTF(3, 4);
/* Records where s's value came from (via borrowed, copied; may be NULL). */
void pd_config_set_origin(pd_config *cfg, const setting *s,
                          pd_config_source src, int line, int col,
                          const char *via);
/* "FILE:3:12", "DB_MAX_POOL_SIZE", "--max-pool" or "the default": where
 * s's value came from, into buf. */
void pd_config_where(const pd_config *cfg, const setting *s, char *buf,
                     size_t n);
/* "an integer >= LO and <= HI": what a value of s must be, into buf;
 * seconds: as a number of seconds (the environment's E_SECONDS). */
void pd_config_describe(const setting *s, bool seconds, char *buf,
                        size_t n);
/* Are s[0..n) only letters, digits, '_', '-' and '.' (a sync's name, a
 * listen address's host)? */
bool pd_config_name_ok(const char *s, size_t n);
/* Is t "HOST:PORT" (HOST a name or address, "[v6]" for IPv6, PORT
 * 1..65535)? */
bool pd_config_listen_ok(const char *t);
/* Stores v in the T_INT or T_U32 field of s (v already in range). */
void pd_config_store_number(pd_config *cfg, const setting *s, long long v);
/* Returns-owned copy of s, or NULL for NULL. */
char *pd_config_dup_or_null(const char *s);

/* ---- config_file.c: reading the document ---- */

/* The state of one pd_config_load_text. */
typedef struct loader {
    pd_config *cfg;    /* borrowed: being filled */
    const char *name;  /* borrowed: the file name for messages */
    char *dir;         /* owned: its directory with a '/', or NULL */
    pd_error *err;     /* borrowed */
} loader;

/* Sets err to "NAME:LINE:COL: PATH: message" at value v (at its member
 * name when at_key); returns PD_EINVAL. */
int pd_config_fail_at(loader *ld, const pd_jsonc_value *v, bool at_key,
                      const char *path, const char *fmt, ...)
    PD_PRINTF(5, 6);
/* "(got 0)", "(got a string)": what a wrong value was, for messages. */
void pd_config_got(const pd_jsonc_value *v, char *buf, size_t n);
/* Fails for each member of object o not known under prefix ("",
 * "pool.", "syncs[]."); path names o in messages. */
int pd_config_check_members(loader *ld, const pd_jsonc_value *o,
                            const char *prefix, const char *path);
/* Fails unless v is an object. */
int pd_config_need_object(loader *ld, const pd_jsonc_value *v,
                          const char *path);
/* A non-empty string at v into *out (returns-owned). */
int pd_config_get_string(loader *ld, const pd_jsonc_value *v,
                         const char *path, char **out);
/* A non-empty array of non-empty strings (or, when one_ok, one string) at
 * v into a returns-owned NULL-terminated *out of *n strings. On failure
 * *out may hold the strings read so far (the caller frees them). */
int pd_config_get_strings(loader *ld, const pd_jsonc_value *v,
                          const char *path, bool one_ok, char ***out,
                          size_t *n);
/* An integer in [lo, hi] at v into *out. */
int pd_config_get_int(loader *ld, const pd_jsonc_value *v, const char *path,
                      long long lo, long long hi, long long *out);

/* ---- config_sync.c: the lists ---- */

/* A list setting (panels or syncs) from the file: replaces the list when
 * all of it is valid. Returns 0 or PD_EINVAL with ld->err set. */
int pd_config_apply_list(loader *ld, const setting *s,
                         const pd_jsonc_value *v);
/* Deep copies src's panels and syncs into dst, whose list fields are
 * overwritten, not freed. */
void pd_config_copy_lists(pd_config *dst, const pd_config *src);
/* Frees cfg's panels and syncs (the fields are left dangling). */
void pd_config_free_lists(pd_config *cfg);

#endif
