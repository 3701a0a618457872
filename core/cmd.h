/* cmd.h: core's data commands, as tables both front ends print.
 *
 * The shell (shell/observe_cmds.c) and the dashboard's ':' line run the
 * same command text through pd_cmd_run and get the same pd_result tables
 * (or, for the JSON and Prometheus forms, text); each prints them its own
 * way. The commands:
 *
 *   \pool                      pool statistics (stat | value)
 *   \slow [total|max|mean|calls] [N]
 *                              the slow log's worst fingerprints, worst
 *                              first (by total time unless told)
 *   \slow recent [N]           the newest slow queries first
 *   \slow threshold [MS]       shows, or changes live, the threshold
 *   \metrics [json|prom]       per-source query table and a stat | value
 *                              table; or one JSON object; or Prometheus
 *   \health [json]             the health probe (core/health.h)
 *   \locks                     resource locks held and waited for
 *   \retries                   retries by class and outcome, the breaker
 *
 * The table builders are also exported for callers that want one table
 * synchronously. Every table is returns-owned (pd_result_free). */
#ifndef PD_CMD_H
#define PD_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "core/error.h"
#include "core/health.h"
#include "core/result.h"
#include "core/slowlog.h"

/* res: owned by the callback (a chain: print each with pd_result_next),
 * or NULL; text: owned by the callback (free()), or NULL: printed as is,
 * after any tables; err: borrowed, NULL on success; a usage error (kind
 * PD_ERR_USAGE) has a message naming the command. */
typedef void (*pd_cmd_cb)(pd_result *res, char *text, const pd_error *err,
                          void *ctx);

/* True when line (borrowed) names one of the commands above. */
bool pd_cmd_is_data(const char *line);

/* Runs line (borrowed for the call; "\pool", "\slow recent 20", ...) on
 * core (borrowed, must outlive the call). Returns 0 and calls cb exactly
 * once, on a later loop turn, never synchronously (bad arguments too come
 * through cb); or returns PD_ENOTFOUND when line is not one of these
 * commands, and never calls it. */
PD_MUSTCHECK int pd_cmd_run(pd_core *core, const char *line, pd_cmd_cb cb,
                            void *ctx);

/* The tables, built now. */
pd_result *pd_cmd_pool(pd_core *core);
pd_result *pd_cmd_slow_worst(pd_core *core, pd_slowlog_order order,
                             size_t limit);
pd_result *pd_cmd_slow_recent(pd_core *core, size_t limit);
pd_result *pd_cmd_metrics(pd_core *core);
pd_result *pd_cmd_locks(pd_core *core);
pd_result *pd_cmd_retries(pd_core *core);
/* h borrowed. */
pd_result *pd_cmd_health(const pd_health *h);

#endif
