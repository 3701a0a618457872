/* outage.h: whether the server is lost, and when the next connection
 * attempt comes, read from the pool and the breaker for the header.
 *
 * The pool keeps the last connect error until an attempt succeeds and
 * backs off between attempts; the breaker, once open, holds attempts off
 * until its cool-down ends. Either one failing means the panels' data is
 * old, so the header says so in place of the refresh interval. */
#ifndef TUI_OUTAGE_H
#define TUI_OUTAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

typedef struct tui_outage {
    bool lost;        /* connection attempts fail */
    uint64_t next_ms; /* uv_now() of the next attempt; 0: one is due */
} tui_outage;

/* A snapshot of core's pool and breaker (borrowed for the call). */
tui_outage tui_outage_get(pd_core *core);
/* "server lost — reconnecting in 3s" (seconds rounded up, so that it
 * never says 0s while waiting), or "... reconnecting now" when an attempt
 * is due or under way; "" when not lost. ascii: a '-' for the dash. */
void tui_outage_text(const tui_outage *o, uint64_t now_ms, bool ascii,
                     char *buf, size_t len);

#endif
