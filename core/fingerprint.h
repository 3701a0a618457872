/* fingerprint.h: query text with literals masked, and its 64-bit hash.
 *
 * Normalization follows what pg_stat_statements shows, done on tokens of
 * core/sqllex.h rather than on a parse tree:
 *   - string constants ('..', E'..', B'..', X'..', N'..', U&'..', $tag$
 *     bodies) and numbers (42, -4.2, 1e5) become $1, $2, ... in order,
 *     numbered after the highest $n already in the text; existing $n are
 *     kept; a minus sign is folded into the number when it is unary;
 *   - a list of two or more constants after IN or in ARRAY[...] becomes
 *     one placeholder followed by the comment ", ..." (PostgreSQL 18's
 *     squashed form), so lists of different lengths share a fingerprint;
 *   - numbers in a cast's type modifier ('1'::numeric(10,2)) are kept;
 *   - comments are removed, runs of blanks become one space, trailing
 *     semicolons go; identifiers and keywords keep the case as written.
 * Being lexical, it cannot know every place the server would keep a
 * number (ORDER BY 1 becomes ORDER BY $1); the same text always gives the
 * same result, which is what aggregation needs. No literal byte of the
 * input survives, even in a string left open at the end. */
#ifndef PD_FINGERPRINT_H
#define PD_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

/* Returns-owned (free with free()): sql (borrowed, len bytes, need not be
 * NUL-terminated) with literals replaced as described above. Never NULL;
 * "" for text that is only blanks and comments. */
char *pd_fingerprint_normalize(const char *sql, size_t len);

/* Returns the 64-bit FNV-1a hash of normalized (borrowed, NUL-terminated,
 * as pd_fingerprint_normalize returns it). Letters outside double quotes
 * are hashed in lower case, since the server folds unquoted names, and a
 * space next to punctuation is skipped, so "SELECT a=$1" and
 * "select a = $1" hash alike. Stable across runs and machines. */
uint64_t pd_fingerprint_hash(const char *normalized);

/* Writes hash as 16 lower-case hex digits and a NUL into out (17 bytes). */
void pd_fingerprint_hex(uint64_t hash, char out[17]);

#endif
