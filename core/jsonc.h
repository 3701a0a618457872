/* jsonc.h: a JSON reader that allows comments and remembers positions.
 *
 * The input is JSON (RFC 8259) plus // line comments and block comments
 * outside strings. Every value of the resulting tree knows the line and
 * column where it starts, and every object member where its name starts,
 * so that a caller validating the document (config, themes) can say
 * "config.json:3:12: pool.max: ..." about any value. Syntax errors are
 * reported the same way: "NAME:LINE:COL: message".
 *
 * Lines and columns are 1-based; a column counts characters (UTF-8 code
 * points, a tab is one), as editors show them. Objects keep their members
 * in document order; a name given twice in one object is an error. */
#ifndef PD_JSONC_H
#define PD_JSONC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

typedef enum pd_jsonc_type {
    PD_JSONC_NULL = 0,
    PD_JSONC_BOOL,
    PD_JSONC_NUMBER,
    PD_JSONC_STRING,
    PD_JSONC_ARRAY,
    PD_JSONC_OBJECT
} pd_jsonc_type;

/* One value of a parsed document. A read-only tree: every node, string and
 * array below the root is owned by the root and released with
 * pd_jsonc_free on it. */
typedef struct pd_jsonc_value pd_jsonc_value;
struct pd_jsonc_value {
    pd_jsonc_type type;
    int line, col;          /* where the value starts */
    size_t offset;          /* byte offset of the value's first byte */
    char *key;              /* the member name inside an object, else NULL */
    int key_line, key_col;  /* where the member name (its quote) starts */
    bool boolean;           /* BOOL */
    double number;          /* NUMBER, always set */
    bool is_int;            /* NUMBER written without fraction or exponent
                               and within int64_t */
    int64_t integer;        /* NUMBER with is_int */
    char *string;           /* STRING: UTF-8, NUL-terminated (\u0000 is
                               refused, so the length is strlen) */
    pd_jsonc_value **items; /* ARRAY elements, OBJECT members, in order */
    size_t count;           /* entries in items */
    size_t cap;             /* internal: room in items */
};

/* Flags for pd_jsonc_parse. */
enum {
    PD_JSONC_ALLOW_EMPTY = 1 /* a document of only blanks and comments is
                                accepted: *out is NULL */
};

/* Parses text[0..len) (need not be NUL-terminated). Returns 0 with *out
 * set to a returns-owned tree (free with pd_jsonc_free), or PD_EINVAL with
 * err set to "NAME:LINE:COL: message" (just "LINE:COL: message" when name
 * is NULL) and *out NULL. name and text are borrowed for the call. */
PD_MUSTCHECK int pd_jsonc_parse(const char *text, size_t len,
                                const char *name, unsigned flags,
                                pd_jsonc_value **out, pd_error *err);
/* Reads the file at path and parses it as pd_jsonc_parse does, naming the
 * path in errors. Returns 0, PD_ENOTFOUND when the file does not exist,
 * PD_EIO when it cannot be read, or PD_EINVAL for a syntax error; err says
 * which ("PATH: No such file or directory"). Blocking: for start-up. */
PD_MUSTCHECK int pd_jsonc_parse_file(const char *path, unsigned flags,
                                     pd_jsonc_value **out, pd_error *err);
/* Frees a tree returned by the parse calls. Accepts NULL. */
void pd_jsonc_free(pd_jsonc_value *v);

/* The member of object obj named key, or NULL (also when obj is not an
 * object). Borrowed from the tree. */
const pd_jsonc_value *pd_jsonc_member(const pd_jsonc_value *obj,
                                      const char *key);
/* A static name with its article, for messages: "null", "a boolean",
 * "a number", "a string", "an array", "an object". */
const char *pd_jsonc_type_name(pd_jsonc_type type);
/* The line and column of byte offset in text[0..len) (offsets past the end
 * count as the end), by the rules above. */
void pd_jsonc_line_col(const char *text, size_t len, size_t offset,
                       int *line, int *col);

#endif
