/* describe.h: psql's \d family of backslash commands.
 *
 * \d [NAME], \dt, \di, \dv, \dm, \ds, \df, \dn, \du (\dg), \l (\list),
 * \dx, \dT, \dp (\z) and \sf, each with psql's "+" (more columns) and
 * "S" (system objects) modifiers and psql's name patterns. They run their catalog queries on the
 * session's connection and print exactly what psql 15 prints: titles,
 * headers, footers, and its messages when nothing matches. */
#ifndef SH_DESCRIBE_H
#define SH_DESCRIBE_H

#include "shell/commands.h"

extern const sh_cmd sh_describe_commands[]; /* the table exec.c looks in */

#endif
